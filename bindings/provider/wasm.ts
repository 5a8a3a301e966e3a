// The crypto provider backed by wirecrypt's wasm engine, P-256 included (ECDH and ECDSA in wasm,
// see p256.ts), so HPKE's DHKEM(P-256) runs on it. treeKemPath runs a whole TreeKEM path in one
// wasm call (assembly/kdf/treekem_path.ts).

import type { Aead } from '../aead.js';
import { aesCtr, aesGcm, aesIge } from '../aes.js';
import { chacha20Poly1305 } from '../chacha20poly1305.js';
import { ed25519 } from '../ed25519.js';
import { sha1, sha256, sha256Many, sha512 } from '../hash.js';
import { hkdfExpand, hkdfExtract } from '../hkdf.js';
import { hmacSha1, hmacSha256, hmacSha512 } from '../hmac.js';
import { p256 } from '../p256.js';
import { randomBytes } from '../random.js';
import { x25519 } from '../x25519.js';
import { bytesOfLength } from '../errors.js';
import { engine } from '../wasm/select.js';
import { stage, unstage } from '../wasm/staging.js';
import {
  type AeadName, type CryptoProvider, type DhName, type DhScheme, type HashName, type HkdfHashName,
  type SignatureName, type SignatureScheme, type RatchetSteps, type TreeKemPath, known, ratchetArgs, treeKemArgs,
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

/**
 * One wasm call for the whole chain: `start` and the output areas are staged in the I/O window
 * (TREEKEM_MAX_PATH steps of P-256 need 33 KiB of its 64), and the window is wiped before returning.
 */
function treeKemPath(kem: DhName, start: Uint8Array, length: number): TreeKemPath {
  const args = treeKemArgs(kem, start, length);
  const n = args.length;
  const pkLen = args.kem === 'X25519' ? 32 : 65;
  const e = engine();
  const s = stage(e, [args.start], n * (64 + pkLen) + 32);
  args.start.fill(0);
  try {
    const pathAt = s.out, skAt = pathAt + 32 * n, pkAt = skAt + 32 * n, nextAt = pkAt + pkLen * n;
    if (e.abi.treekem_path(args.kem === 'X25519' ? 0 : 1, s.at[0], n, pathAt, skAt, pkAt, nextAt) !== 1) {
      // RFC 9180's DeriveKeyPairError: 256 P-256 candidates out of range (probability about 2^-8192)
      throw new Error('treeKemPath: no valid P-256 candidate in 256 tries');
    }
    const pathSecrets: Uint8Array[] = [], secretKeys: Uint8Array[] = [], publicKeys: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      pathSecrets.push(e.read(pathAt + 32 * i, 32));
      secretKeys.push(e.read(skAt + 32 * i, 32));
      publicKeys.push(e.read(pkAt + pkLen * i, pkLen));
    }
    return { pathSecrets, secretKeys, publicKeys, next: e.read(nextAt, 32) };
  } finally {
    unstage(e, s);
  }
}

/** The whole ratchet run in one wasm call; the staging window (secrets included) is wiped after. */
function secretTreeRatchet(start: Uint8Array, first: number, count: number, keyLength: number, nonceLength: number): RatchetSteps {
  const s0 = ratchetArgs(start, first, count, keyLength, nonceLength);
  const e = engine();
  const s = stage(e, [s0], count * (keyLength + nonceLength) + 32);
  s0.fill(0);
  try {
    const keysAt = s.out, noncesAt = keysAt + count * keyLength, nextAt = noncesAt + count * nonceLength;
    e.abi.mls_ratchet(s.at[0], first, count, keyLength, nonceLength, keysAt, noncesAt, nextAt);
    const keys: Uint8Array[] = [], nonces: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      keys.push(e.read(keysAt + keyLength * i, keyLength));
      nonces.push(e.read(noncesAt + nonceLength * i, nonceLength));
    }
    return { keys, nonces, next: e.read(nextAt, 32) };
  } finally {
    unstage(e, s);
  }
}

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
  treeKemPath,
  secretTreeRatchet,
  hashMany: (name: HashName, inputs: readonly Uint8Array[]) => {
    const hash = HASHES[known(name, HASH_NAMES, 'hashMany', 'hash')];
    if (!Array.isArray(inputs)) throw new TypeError('hashMany: inputs must be an array');
    return hash === sha256 ? sha256Many(inputs) : inputs.map((x) => hash(x));
  },
});
