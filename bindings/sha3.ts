// SHA3-256 (FIPS 202), HMAC-SHA3-256 (RFC 2104, block size 136) and HKDF-SHA3-256 (RFC 5869), for
// Wesh's link keys and push references. The same machinery as SHA-256: the hash goes through
// hash.ts's one-shot and streaming wrappers, HMAC through hmac.ts's, and HKDF mirrors hkdf.ts;
// so the argument checks, error classes and wiping are theirs. The wasm side is
// assembly/hash/sha3.ts (Keccak-f[1600]: constant time by construction, no data-indexed tables).

import { bytes, integer } from './errors.js';
import { type Hash, type HashSpec, oneShot, WasmHash } from './hash.js';
import { type HmacSpec, mac } from './hmac.js';
import { type HkdfSpec, expandWith } from './hkdf.js';

const SHA3_256: HashSpec = {
  fn: 'sha3_256', digestLen: 32,
  ctxLen: (x) => x.SHA3_256_CTX_LEN.value,
  init: (x, c) => x.sha3_256_init(c),
  update: (x, c, p, n) => x.sha3_256_update(c, p, n),
  final: (x, c, o) => x.sha3_256_final(c, o),
  digest: (x, c, p, n, o) => x.sha3_256_digest(c, p, n, o),
};

const HMAC_SHA3_256: HmacSpec = {
  // B = 136 bytes, the SHA3-256 rate (FIPS 202 Table 3; NIST SP 800-224), as node:crypto and noble use.
  fn: 'hmacSha3_256', tagLen: 32, blockLen: 136, hash: (d) => oneShot(SHA3_256, d, true),
  ctxLen: (x) => x.HMAC_SHA3_256_CTX_LEN.value,
  init: (x, c, k, n) => x.hmac_sha3_256_init(c, k, n),
  update: (x, c, p, n) => x.hmac_sha3_256_update(c, p, n),
  final: (x, c, o) => x.hmac_sha3_256_final(c, o),
  wipe: (x, c) => x.hmac_sha3_256_wipe(c),
};

/** SHA3-256 digest (32 bytes). */
export function sha3_256(data: Uint8Array): Uint8Array {
  return oneShot(SHA3_256, data, false);
}

/** A streaming SHA3-256 hasher. */
export function createSha3_256(): Hash {
  return new WasmHash(SHA3_256);
}

/** HMAC-SHA3-256 tag (32 bytes), keys of any length (block size 136 bytes). */
export function hmacSha3_256(key: Uint8Array, data: Uint8Array): Uint8Array {
  return mac(HMAC_SHA3_256, key, data);
}

const HASH_LEN = 32;
/** RFC 5869 §2.3: L <= 255 * HashLen. */
export const HKDF_SHA3_256_MAX_LENGTH = 255 * HASH_LEN;

/**
 * HKDF-Extract (§2.2) over SHA3-256: PRK = HMAC-SHA3-256(salt, ikm). An empty salt means HashLen (32)
 * zero bytes, which as an HMAC key is the same as no key (Go's `hkdf.New(sha3.New256, ikm, nil, …)`).
 */
export function hkdfSha3_256Extract(salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  bytes(salt, 'hkdfSha3_256Extract', 'salt');
  bytes(ikm, 'hkdfSha3_256Extract', 'ikm');
  return hmacSha3_256(salt, ikm);
}

const HKDF_SHA3_256: HkdfSpec = { fn: 'hkdfSha3_256Expand', hmac: HMAC_SHA3_256, expand: (x, ...a) => x.hkdf_sha3_256_expand(...a) };

/** HKDF-Expand (§2.3) over SHA3-256: `length` bytes (0 … 8160) of output keying material. */
export function hkdfSha3_256Expand(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return expandWith(HKDF_SHA3_256, prk, info, length);
}

/** HKDF-SHA3-256 (§2): Expand(Extract(salt, ikm), info, length). Note the argument order: ikm first. */
export function hkdfSha3_256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  bytes(ikm, 'hkdfSha3_256', 'ikm');
  bytes(salt, 'hkdfSha3_256', 'salt');
  bytes(info, 'hkdfSha3_256', 'info');
  integer(length, 0, HKDF_SHA3_256_MAX_LENGTH, 'hkdfSha3_256', 'length');
  const prk = hmacSha3_256(salt, ikm);
  try {
    return hkdfSha3_256Expand(prk, info, length);
  } finally {
    prk.fill(0);
  }
}
