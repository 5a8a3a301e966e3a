// The sender-data key and nonce of a PrivateMessage (RFC 9420 §6.3.2) computed step by step with
// ExpandWithLabel: the reference the provider's one-call mlsSenderDataSeal / mlsSenderDataOpen are
// checked against (and secret-tree.json's sender_data vectors check it).
import type { CipherSuite } from '../../bindings/mls/crypto/cipher-suite.js';
import { expandWithLabel } from '../../bindings/mls/crypto/labels.js';
import type { KeyNonce } from '../../bindings/mls/secret-tree.js';

/** ExpandWithLabel over sender_data_secret with the first Nh bytes of `ciphertext` (all of it when shorter) as context. */
export function senderDataKeyNonce(suite: CipherSuite, senderDataSecret: Uint8Array, ciphertext: Uint8Array): KeyNonce {
  const sample = ciphertext.subarray(0, Math.min(suite.hashLength, ciphertext.length));
  return {
    key: expandWithLabel(suite, senderDataSecret, 'key', sample, suite.keyLength),
    nonce: expandWithLabel(suite, senderDataSecret, 'nonce', sample, suite.nonceLength),
  };
}
