// X25519 (RFC 7748) in wasm: constant-time Montgomery ladder for shared secrets, constant-time
// fixed-base table for public keys. Secrets are 32 random bytes (clamped inside, §5); the staging
// area is wiped before every function returns.

import { InvalidKeyError, bytesOfLength } from './errors.js';
import { randomBytes } from './random.js';
import { engine } from './wasm/select.js';
import { smallCall } from './wasm/staging.js';

export interface KeyPair {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

const LEN = 32;

/** Whether every byte is zero; reads them all whatever their values. */
function isAllZero(bytes: Uint8Array): boolean {
  let acc = 0;
  for (let i = 0; i < bytes.length; i++) acc |= bytes[i];
  return acc === 0;
}

function publicKey(secretKey: Uint8Array): Uint8Array {
  bytesOfLength(secretKey, LEN, 'x25519.publicKey', 'secretKey');
  const e = engine();
  return smallCall(e, [secretKey], LEN, ([sk], out) => e.abi.x25519_base(out, sk))[0];
}

/**
 * The 32-byte shared secret X25519(secretKey, peerPublic). Throws InvalidKeyError
 * ('zero-shared-secret') when it is all zero, which happens exactly when the peer key has small
 * order (RFC 7748 §6.1). Bit 255 of the peer key is ignored (§5), so non-canonical encodings work.
 */
function sharedSecret(secretKey: Uint8Array, peerPublic: Uint8Array): Uint8Array {
  bytesOfLength(secretKey, LEN, 'x25519.sharedSecret', 'secretKey');
  bytesOfLength(peerPublic, LEN, 'x25519.sharedSecret', 'peerPublic');
  const e = engine();
  const [shared] = smallCall(e, [secretKey, peerPublic], LEN, ([sk, pk], out) => e.abi.x25519_scalarmult(out, sk, pk));
  if (isAllZero(shared)) throw new InvalidKeyError('x25519.sharedSecret', 'zero-shared-secret');
  return shared;
}

function generateKeyPair(): KeyPair {
  const secretKey = randomBytes(LEN);
  return { secretKey, publicKey: publicKey(secretKey) };
}

export const x25519 = Object.freeze({
  secretKeyLength: LEN,
  publicKeyLength: LEN,
  sharedSecretLength: LEN,
  generateKeyPair,
  publicKey,
  sharedSecret,
});
