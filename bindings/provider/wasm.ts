// The crypto provider backed by wirecrypt's wasm engine, P-256 included (ECDH and ECDSA in wasm,
// see p256.ts), so HPKE's DHKEM(P-256) runs on it.

import type { Aead } from '../aead.js';
import { aesCtr, aesGcm, aesIge } from '../aes.js';
import { chacha20Poly1305 } from '../chacha20poly1305.js';
import { ed25519 } from '../ed25519.js';
import { sha1, sha256, sha512 } from '../hash.js';
import { hkdfExpand, hkdfExtract } from '../hkdf.js';
import { hmacSha1, hmacSha256, hmacSha512 } from '../hmac.js';
import { p256 } from '../p256.js';
import { randomBytes } from '../random.js';
import { x25519 } from '../x25519.js';
import { bytesOfLength } from '../errors.js';
import {
  type AeadName, type CryptoProvider, type DhName, type DhScheme, type HashName, type HkdfHashName,
  type SignatureName, type SignatureScheme, known,
} from './types.js';

const HASHES = { 'SHA-1': sha1, 'SHA-256': sha256, 'SHA-512': sha512 } as const;
const HMACS = { 'SHA-1': hmacSha1, 'SHA-256': hmacSha256, 'SHA-512': hmacSha512 } as const;
const HASH_NAMES = Object.keys(HASHES) as HashName[];

const X25519: DhScheme = { name: 'X25519', ...x25519 };
const P256_DH: DhScheme = {
  name: 'P-256',
  secretKeyLength: p256.secretKeyLength,
  publicKeyLength: p256.publicKeyLength,
  sharedSecretLength: p256.sharedSecretLength,
  generateKeyPair: p256.generateKeyPair,
  publicKey: (sk) => p256.publicKey(sk),
  sharedSecret: (sk, pk) => p256.ecdh(sk, pk),
};
const DH: Record<DhName, DhScheme> = { X25519, 'P-256': P256_DH };

const ED25519: SignatureScheme = { name: 'Ed25519', ...ed25519 };
const P256_SIG: SignatureScheme = {
  name: 'P-256',
  publicKeyLength: p256.publicKeyLength,
  generateKeyPair: p256.generateKeyPair,
  publicKey: (sk) => p256.publicKey(sk),
  sign: (sk, m) => p256.sign(sk, m),
  verify: (pk, m, s) => p256.verify(pk, m, s),
  verifyBatch: (items) => p256.verifyBatch(items),
};
const SIGNATURES: Record<SignatureName, SignatureScheme> = { Ed25519: ED25519, 'P-256': P256_SIG };

const AEADS: Record<AeadName, (key: Uint8Array) => Aead> = {
  'AES-128-GCM': (key) => aesGcm(bytesOfLength(key, 16, 'aead', 'AES-128-GCM key')),
  'AES-256-GCM': (key) => aesGcm(bytesOfLength(key, 32, 'aead', 'AES-256-GCM key')),
  'ChaCha20-Poly1305': chacha20Poly1305,
};

export const wasmProvider: CryptoProvider = Object.freeze({
  name: 'wirecrypt-wasm',
  randomBytes,
  hash: (name: HashName, data: Uint8Array) => HASHES[known(name, HASH_NAMES, 'hash', 'hash')](data),
  hmac: (name: HashName, key: Uint8Array, data: Uint8Array) => HMACS[known(name, HASH_NAMES, 'hmac', 'hash')](key, data),
  hkdfExtract: (name: HkdfHashName, salt: Uint8Array, ikm: Uint8Array) => {
    known(name, ['SHA-256'], 'hkdfExtract', 'hash');
    return hkdfExtract(salt, ikm);
  },
  hkdfExpand: (name: HkdfHashName, prk: Uint8Array, info: Uint8Array, length: number) => {
    known(name, ['SHA-256'], 'hkdfExpand', 'hash');
    return hkdfExpand(prk, info, length);
  },
  aead: (name: AeadName, key: Uint8Array) => AEADS[known(name, Object.keys(AEADS) as AeadName[], 'aead', 'AEAD')](key),
  aesIge,
  aesCtr,
  dh: (name: DhName) => DH[known(name, Object.keys(DH) as DhName[], 'dh', 'curve')],
  signature: (name: SignatureName) => SIGNATURES[known(name, Object.keys(SIGNATURES) as SignatureName[], 'signature', 'algorithm')],
});
