// What the log needs from cryptography, injected so that the log has no engine of its own: Ed25519
// verification (batched when available), signing for logs that append, and optionally a batched
// SHA-256 for content addresses. providerLogCrypto() builds it from a wirecrypt CryptoProvider
// (wasmProvider or referenceProvider); a replication node passes no key pair and can only verify.

import type { SignedMessage } from '../../ed25519.js';
import type { CryptoProvider } from '../../provider/types.js';

export interface LogCrypto {
  /** The writer public key this replica signs with (Wesh: the group signing public key). */
  readonly publicKey?: Uint8Array;
  /** Ed25519 signature of `message` under publicKey's secret key. */
  sign?(message: Uint8Array): Uint8Array;
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  /**
   * verify() of many items; join() uses it for the entries of a batch, up to 4,096 at a time. The
   * messages are views of the log's blocks that hold the signed bytes only during the call: copy one
   * to keep it. Items of one writer may share one publicKey array: do not write into it.
   */
  verifyBatch?(items: readonly SignedMessage[]): boolean[];
  /** SHA-256 of many inputs (content addresses); without it, multiformats' sha2-256 is used. */
  sha256Many?(inputs: readonly Uint8Array[]): Uint8Array[];
  /** Wipes the signing key; whoever made the LogCrypto calls it once its logs are closed (idempotent). */
  dispose?(): void;
}

/**
 * LogCrypto on a provider's Ed25519 (and its batched SHA-256). With `keyPair` (the group signing key
 * pair: secret key = 32-byte seed or seed ‖ public key), the log can append; the key is expanded once
 * when the scheme offers a signer().
 */
export function providerLogCrypto(provider: CryptoProvider, keyPair?: { secretKey: Uint8Array; publicKey: Uint8Array }): LogCrypto {
  const scheme = provider.signature('Ed25519');
  const base: LogCrypto = {
    verify: (pk, m, s) => scheme.verify(pk, m, s),
    verifyBatch: (items) => scheme.verifyBatch(items),
    sha256Many: (inputs) => provider.hashMany('SHA-256', inputs),
  };
  if (!keyPair) return base;
  const signer = scheme.signer?.(keyPair.secretKey);
  const sk = signer ? undefined : keyPair.secretKey.slice();
  return {
    ...base,
    publicKey: keyPair.publicKey.slice(),
    sign: signer ? (m) => signer.sign(m) : (m) => scheme.sign(sk!, m),
    dispose: () => {
      signer?.dispose();
      sk?.fill(0);
    },
  };
}
