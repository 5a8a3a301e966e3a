// HKDF-SHA256, RFC 5869. The PRK, info and output are wiped from wasm memory before returning.
// Inputs of any length: a PRK or info too long for the I/O window streams through the HMAC calls.

import { lengthOf } from './bytes.js';
import { bytes, integer } from './errors.js';
import { HMAC_SHA256, type HmacSpec, hmacInit, hmacSha256 } from './hmac.js';
import type { WasmAbi } from './wasm/abi.js';
import type { Engine } from './wasm/engine.js';
import { engine } from './wasm/select.js';
import { align16, feed, stage, unstage } from './wasm/staging.js';

const HASH_LEN = 32;
/** §2.3: L <= 255 * HashLen. */
export const HKDF_SHA256_MAX_LENGTH = 255 * HASH_LEN;

/** HKDF-Extract (§2.2): PRK = HMAC-SHA256(salt, ikm). An empty salt means HashLen zero bytes. */
export function hkdfExtract(salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  bytes(salt, 'hkdfExtract', 'salt');
  bytes(ikm, 'hkdfExtract', 'ikm');
  return hmacSha256(salt, ikm);
}

/** An HKDF over one HMAC: the HMAC, its one-call wasm Expand, and the name errors carry. */
export interface HkdfSpec {
  readonly fn: string;
  readonly hmac: HmacSpec;
  expand(x: WasmAbi, prk: number, prkLen: number, info: number, infoLen: number, out: number, len: number): void;
}

const HKDF_SHA256: HkdfSpec = { fn: 'hkdfExpand', hmac: HMAC_SHA256, expand: (x, ...a) => x.hkdf_sha256_expand(...a) };

/** HKDF-Expand (§2.3): `length` bytes (0 … 8160) of output keying material from `prk` and `info`. */
export function hkdfExpand(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return expandWith(HKDF_SHA256, prk, info, length);
}

/** §2.3 over `h`: one wasm call when the PRK, info and output fit the I/O window, else streamed. */
export function expandWith(h: HkdfSpec, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  bytes(prk, h.fn, 'prk');
  bytes(info, h.fn, 'info');
  integer(length, 0, 255 * h.hmac.tagLen, h.fn, 'length');
  const e = engine();
  const prkLength = lengthOf(prk), infoLength = lengthOf(info);
  if (align16(prkLength) + align16(infoLength) + length > e.windowBytes) return expandStreamed(h.hmac, e, prk, info, length);
  const s = stage(e, [prk, info], length);
  try {
    h.expand(e.abi, s.at[0]!, prkLength, s.at[1]!, infoLength, s.out, length);
    return e.read(s.out, length);
  } finally {
    unstage(e, s);
  }
}

/** §2.3 with the streaming HMAC calls, for a PRK or info too long for the window at once. */
function expandStreamed(spec: HmacSpec, e: Engine, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const x = e.abi;
  const ctx = e.ctx;
  const okm = new Uint8Array(length);
  const hashLen = spec.tagLen;
  const t = e.out + align16(spec.blockLen); // T(i), the input of the next block (past the key block hmacInit stages)
  const counter = t + 64;
  try {
    hmacInit(spec, e, ctx, prk);
    for (let i = 1, done = 0; done < length; i++, done += hashLen) {
      if (i > 1) spec.update(x, ctx, t, hashLen);
      feed(e, info, (p, n) => spec.update(x, ctx, p, n));
      e.u8[counter] = i;
      spec.update(x, ctx, counter, 1);
      spec.final(x, ctx, t);
      okm.set(e.u8.subarray(t, t + Math.min(hashLen, length - done)), done);
    }
    return okm;
  } finally {
    spec.wipe(x, ctx);
    e.wipe(e.out, 256);
  }
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
