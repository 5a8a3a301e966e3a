// The crypto-provider interface: the one surface the protocol layers (HPKE now; MLS, MTProto, mmtls
// and Wesh next) call for primitives, as openmls' OpenMlsCrypto or mls-rs' CryptoProvider do. Two
// implementations: `wasmProvider` (wirecrypt's engine) and `referenceProvider` (pure JavaScript on
// @noble/*, from 'wirecrypt/reference'), so every protocol test runs on both and they check each
// other.
//
// Contract shared by both: byte arrays in, fresh byte arrays out; inputs are never modified; errors
// are the wirecrypt ones (TypeError / RangeError for misuse, InvalidKeyError for unusable keys,
// AuthenticationError for a failed open, false from verify).

import type { Aead } from '../aead.js';
import type { AesCtr, AesIge } from '../aes.js';
import type { SignedMessage } from '../ed25519.js';
import type { KeyPair } from '../x25519.js';

export type HashName = 'SHA-1' | 'SHA-256' | 'SHA-512';
export type HkdfHashName = 'SHA-256';
export type AeadName = 'AES-128-GCM' | 'AES-256-GCM' | 'ChaCha20-Poly1305';
export type DhName = 'X25519' | 'P-256';
export type SignatureName = 'Ed25519' | 'P-256';

/** Diffie-Hellman on one curve. */
export interface DhScheme {
  readonly name: DhName;
  readonly secretKeyLength: number;
  /** The length of publicKey()'s output (P-256: 65, uncompressed SEC1). */
  readonly publicKeyLength: number;
  readonly sharedSecretLength: number;
  generateKeyPair(): KeyPair;
  publicKey(secretKey: Uint8Array): Uint8Array;
  /** X25519: refuses an all-zero result; P-256: the x-coordinate. InvalidKeyError for bad keys. */
  sharedSecret(secretKey: Uint8Array, peerPublic: Uint8Array): Uint8Array;
}

/** Signatures with one algorithm (Ed25519: pure EdDSA; P-256: ECDSA-SHA256, raw r ‖ s). */
export interface SignatureScheme {
  readonly name: SignatureName;
  readonly publicKeyLength: number;
  generateKeyPair(): KeyPair;
  publicKey(secretKey: Uint8Array): Uint8Array;
  sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array;
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  verifyBatch(items: readonly SignedMessage[]): boolean[];
}

export interface CryptoProvider {
  readonly name: string;
  randomBytes(length: number): Uint8Array;
  hash(name: HashName, data: Uint8Array): Uint8Array;
  hmac(name: HashName, key: Uint8Array, data: Uint8Array): Uint8Array;
  hkdfExtract(name: HkdfHashName, salt: Uint8Array, ikm: Uint8Array): Uint8Array;
  hkdfExpand(name: HkdfHashName, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  /** An AEAD keyed with `key`; dispose() it when done. */
  aead(name: AeadName, key: Uint8Array): Aead;
  /** AES-IGE (MTProto's convention, iv = c0 ‖ m0) with a 16-, 24- or 32-byte key; dispose() it. */
  aesIge(key: Uint8Array): AesIge;
  /** One AES-CTR stream (128-bit big-endian counter from `iv`); dispose() it. */
  aesCtr(key: Uint8Array, iv: Uint8Array): AesCtr;
  dh(name: DhName): DhScheme;
  signature(name: SignatureName): SignatureScheme;
}

/** Throws a TypeError for a name outside `names` (providers check their arguments like the rest). */
export function known<T extends string>(value: unknown, names: readonly T[], fn: string, param: string): T {
  if (!names.includes(value as T)) throw new TypeError(`${fn}: unknown ${param} ${String(value)}; expected ${names.join(', ')}`);
  return value as T;
}
