// NaCl box: crypto_box_beforenm (X25519, then HSalsa20 of the shared secret) keys a secretbox
// (XSalsa20-Poly1305). seal(nonce24, message) → tag ‖ ciphertext, byte-compatible with libsodium's
// crypto_box_easy / crypto_box_open_easy and tweetnacl's nacl.box / nacl.box.open. The precomputed
// key lives only in wasm memory and is wiped by dispose(). Wesh seals its contact requests with it.

import { InvalidKeyError, bytesOfLength } from './errors.js';
import { type SecretBox, WasmSecretBox } from './secretbox.js';
import { engine } from './wasm/select.js';
import { smallCall } from './wasm/staging.js';

const KEY_LEN = 32;

/**
 * A box between `secretKey` (ours, X25519) and `peerPublic` (theirs). Throws InvalidKeyError
 * ('zero-shared-secret') for a peer key of small order, which would give an all-zero X25519 output.
 */
export function box(secretKey: Uint8Array, peerPublic: Uint8Array): SecretBox {
  bytesOfLength(secretKey, KEY_LEN, 'box', 'secretKey');
  bytesOfLength(peerPublic, KEY_LEN, 'box', 'peerPublic');
  return new WasmSecretBox('box', (e, key) => {
    const [, ok] = smallCall(e, [secretKey, peerPublic], 0, ([sk, pk]) => e.abi.box_beforenm(key, sk, pk));
    if (ok !== 1) throw new InvalidKeyError('box', 'zero-shared-secret');
  });
}

/**
 * crypto_box_beforenm itself: the 32-byte key a box between `secretKey` and `peerPublic` seals with
 * (HSalsa20 of the X25519 output), for protocols that also sign or hash it (Wesh's contact
 * handshake signs it). The caller owns, and should wipe, the result. InvalidKeyError as for box().
 */
export function boxBeforenm(secretKey: Uint8Array, peerPublic: Uint8Array): Uint8Array {
  bytesOfLength(secretKey, KEY_LEN, 'boxBeforenm', 'secretKey');
  bytesOfLength(peerPublic, KEY_LEN, 'boxBeforenm', 'peerPublic');
  const e = engine();
  const [key, ok] = smallCall(e, [secretKey, peerPublic], KEY_LEN, ([sk, pk], out) => e.abi.box_beforenm(out, sk, pk));
  if (ok !== 1) {
    key.fill(0);
    throw new InvalidKeyError('boxBeforenm', 'zero-shared-secret');
  }
  return key;
}
