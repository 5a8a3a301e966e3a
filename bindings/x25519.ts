// X25519 (RFC 7748) in wasm: constant-time Montgomery ladder for shared secrets, constant-time
// fixed-base table for public keys. Secrets are 32 random bytes (clamped inside, §5); the staging
// area is wiped before every function returns.

import { InvalidKeyError, bytesOfLength } from './errors.js';
import { randomBytes } from './random.js';
import { engine } from './wasm/select.js';

export interface KeyPair {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

const LEN = 32;

/** Whether `len` bytes at `ptr` are all zero; reads every byte whatever their values. */
function isAllZero(u8: Uint8Array, ptr: number, len: number): boolean {
  let acc = 0;
  for (let i = 0; i < len; i++) acc |= u8[ptr + i];
  return acc === 0;
}

function publicKey(secretKey: Uint8Array): Uint8Array {
  bytesOfLength(secretKey, LEN, 'x25519.publicKey', 'secretKey');
  const e = engine();
  const at = e.out;
  e.u8.set(secretKey, at);
  e.abi.x25519_base(at + LEN, at);
  const pk = e.read(at + LEN, LEN);
  e.wipe(at, 2 * LEN);
  return pk;
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
  const at = e.out;
  const u8 = e.u8;
  u8.set(secretKey, at);
  u8.set(peerPublic, at + LEN);
  e.abi.x25519_scalarmult(at + 2 * LEN, at, at + LEN);
  const zero = isAllZero(e.u8, at + 2 * LEN, LEN);
  const shared = zero ? null : e.read(at + 2 * LEN, LEN);
  e.wipe(at, 3 * LEN);
  if (shared === null) throw new InvalidKeyError('x25519.sharedSecret', 'zero-shared-secret');
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
