// HKDF-SHA256, RFC 5869. The PRK, info and output are wiped from wasm memory before returning.

import { bytes, integer } from './errors.js';
import { hmacSha256 } from './hmac.js';
import { engine } from './wasm/select.js';
import { stage, unstage } from './wasm/staging.js';

const HASH_LEN = 32;
/** §2.3: L <= 255 * HashLen. */
export const HKDF_SHA256_MAX_LENGTH = 255 * HASH_LEN;

/** HKDF-Extract (§2.2): PRK = HMAC-SHA256(salt, ikm). An empty salt means HashLen zero bytes. */
export function hkdfExtract(salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  bytes(salt, 'hkdfExtract', 'salt');
  bytes(ikm, 'hkdfExtract', 'ikm');
  return hmacSha256(salt, ikm);
}

/** HKDF-Expand (§2.3): `length` bytes (0 … 8160) of output keying material from `prk` and `info`. */
export function hkdfExpand(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  bytes(prk, 'hkdfExpand', 'prk');
  bytes(info, 'hkdfExpand', 'info');
  integer(length, 0, HKDF_SHA256_MAX_LENGTH, 'hkdfExpand', 'length');
  const e = engine();
  const s = stage(e, [prk, info], length);
  e.abi.hkdf_sha256_expand(s.at[0], prk.length, s.at[1], info.length, s.out, length);
  const okm = e.read(s.out, length);
  unstage(e, s);
  return okm;
}

/** HKDF (§2): Expand(Extract(salt, ikm), info, length). Note the argument order: ikm first. */
export function hkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  bytes(ikm, 'hkdf', 'ikm');
  bytes(salt, 'hkdf', 'salt');
  bytes(info, 'hkdf', 'info');
  integer(length, 0, HKDF_SHA256_MAX_LENGTH, 'hkdf', 'length');
  const prk = hmacSha256(salt, ikm);
  try {
    return hkdfExpand(prk, info, length);
  } finally {
    prk.fill(0);
  }
}
