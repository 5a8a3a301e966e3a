// HMAC-SHA1, HMAC-SHA256, HMAC-SHA512 (RFC 2104), keys of any length.
// The key, the data window and the wasm context are wiped before each call returns, also on a throw.

import { lengthOf } from './bytes.js';
import { bytes } from './errors.js';
import { secretDigest } from './hash.js';
import type { WasmAbi } from './wasm/abi.js';
import type { Engine } from './wasm/engine.js';
import { engine } from './wasm/select.js';
import { feed, place } from './wasm/staging.js';

export interface HmacSpec {
  readonly fn: string;
  readonly tagLen: number;
  readonly blockLen: number;
  /** The underlying hash, one-shot (for keys longer than a block). */
  hash(data: Uint8Array): Uint8Array;
  ctxLen(x: WasmAbi): number;
  init(x: WasmAbi, ctx: number, key: number, keyLen: number): void;
  update(x: WasmAbi, ctx: number, data: number, len: number): void;
  final(x: WasmAbi, ctx: number, out: number): void;
  wipe(x: WasmAbi, ctx: number): void;
}

const HMAC_SHA1: HmacSpec = {
  fn: 'hmacSha1', tagLen: 20, blockLen: 64, hash: (d) => secretDigest('sha1', d),
  ctxLen: (x) => x.HMAC_SHA1_CTX_LEN.value,
  init: (x, c, k, n) => x.hmac_sha1_init(c, k, n),
  update: (x, c, p, n) => x.hmac_sha1_update(c, p, n),
  final: (x, c, o) => x.hmac_sha1_final(c, o),
  wipe: (x, c) => x.hmac_sha1_wipe(c),
};

export const HMAC_SHA256: HmacSpec = {
  fn: 'hmacSha256', tagLen: 32, blockLen: 64, hash: (d) => secretDigest('sha256', d),
  ctxLen: (x) => x.HMAC_SHA256_CTX_LEN.value,
  init: (x, c, k, n) => x.hmac_sha256_init(c, k, n),
  update: (x, c, p, n) => x.hmac_sha256_update(c, p, n),
  final: (x, c, o) => x.hmac_sha256_final(c, o),
  wipe: (x, c) => x.hmac_sha256_wipe(c),
};

const HMAC_SHA512: HmacSpec = {
  fn: 'hmacSha512', tagLen: 64, blockLen: 128, hash: (d) => secretDigest('sha512', d),
  ctxLen: (x) => x.HMAC_SHA512_CTX_LEN.value,
  init: (x, c, k, n) => x.hmac_sha512_init(c, k, n),
  update: (x, c, p, n) => x.hmac_sha512_update(c, p, n),
  final: (x, c, o) => x.hmac_sha512_final(c, o),
  wipe: (x, c) => x.hmac_sha512_wipe(c),
};

export function mac(spec: HmacSpec, key: Uint8Array, data: Uint8Array): Uint8Array {
  bytes(key, spec.fn, 'key');
  bytes(data, spec.fn, 'data');
  const e = engine();
  const x = e.abi;
  const ctx = e.ctx;
  const keyLength = lengthOf(key), dataLength = lengthOf(data);
  try {
    if (keyLength + dataLength <= e.windowBytes) {
      const u8 = e.u8;
      u8.set(key, e.window);
      u8.set(data, e.window + keyLength);
      spec.init(x, ctx, e.window, keyLength);
      spec.update(x, ctx, e.window + keyLength, dataLength);
    } else {
      hmacInit(spec, e, ctx, key);
      feed(e, data, (p, n) => spec.update(x, ctx, p, n));
    }
    spec.final(x, ctx, e.out);
    return e.read(e.out, spec.tagLen);
  } finally {
    spec.wipe(x, ctx);
    e.wipe(e.out, spec.tagLen);
    e.wipe(e.window, Math.min(keyLength + dataLength, e.windowBytes));
  }
}

/**
 * Keys the HMAC context `ctx` with a key of any length. A key longer than the hash block is replaced
 * by its hash (RFC 2104 §2) here, streamed, so it never has to fit in wasm memory at once.
 */
export function hmacInit(spec: HmacSpec, e: Engine, ctx: number, key: Uint8Array): void {
  const long = lengthOf(key) > spec.blockLen;
  const k = long ? spec.hash(key) : key;
  try {
    const [at] = place(e, [k], e.out);
    spec.init(e.abi, ctx, at[0], lengthOf(k));
  } finally {
    e.wipe(e.out, spec.blockLen);
    if (long) k.fill(0);
  }
}

/** HMAC-SHA1 tag (20 bytes). For MTProto and legacy interop only. */
export function hmacSha1(key: Uint8Array, data: Uint8Array): Uint8Array {
  return mac(HMAC_SHA1, key, data);
}

/** HMAC-SHA256 tag (32 bytes). */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  return mac(HMAC_SHA256, key, data);
}

/** HMAC-SHA512 tag (64 bytes). */
export function hmacSha512(key: Uint8Array, data: Uint8Array): Uint8Array {
  return mac(HMAC_SHA512, key, data);
}
