// HMAC-SHA1, HMAC-SHA256, HMAC-SHA512 (RFC 2104), keys of any length.
// The key, the data window and the wasm context are wiped before each call returns.

import { bytes } from './errors.js';
import type { WasmAbi } from './wasm/abi.js';
import { engine } from './wasm/select.js';
import { feed, stage, unstage } from './wasm/staging.js';

interface HmacSpec {
  readonly fn: string;
  readonly tagLen: number;
  ctxLen(x: WasmAbi): number;
  init(x: WasmAbi, ctx: number, key: number, keyLen: number): void;
  update(x: WasmAbi, ctx: number, data: number, len: number): void;
  final(x: WasmAbi, ctx: number, out: number): void;
  wipe(x: WasmAbi, ctx: number): void;
}

const HMAC_SHA1: HmacSpec = {
  fn: 'hmacSha1', tagLen: 20,
  ctxLen: (x) => x.HMAC_SHA1_CTX_LEN.value,
  init: (x, c, k, n) => x.hmac_sha1_init(c, k, n),
  update: (x, c, p, n) => x.hmac_sha1_update(c, p, n),
  final: (x, c, o) => x.hmac_sha1_final(c, o),
  wipe: (x, c) => x.hmac_sha1_wipe(c),
};

const HMAC_SHA256: HmacSpec = {
  fn: 'hmacSha256', tagLen: 32,
  ctxLen: (x) => x.HMAC_SHA256_CTX_LEN.value,
  init: (x, c, k, n) => x.hmac_sha256_init(c, k, n),
  update: (x, c, p, n) => x.hmac_sha256_update(c, p, n),
  final: (x, c, o) => x.hmac_sha256_final(c, o),
  wipe: (x, c) => x.hmac_sha256_wipe(c),
};

const HMAC_SHA512: HmacSpec = {
  fn: 'hmacSha512', tagLen: 64,
  ctxLen: (x) => x.HMAC_SHA512_CTX_LEN.value,
  init: (x, c, k, n) => x.hmac_sha512_init(c, k, n),
  update: (x, c, p, n) => x.hmac_sha512_update(c, p, n),
  final: (x, c, o) => x.hmac_sha512_final(c, o),
  wipe: (x, c) => x.hmac_sha512_wipe(c),
};

function mac(spec: HmacSpec, key: Uint8Array, data: Uint8Array): Uint8Array {
  bytes(key, spec.fn, 'key');
  bytes(data, spec.fn, 'data');
  const e = engine();
  const x = e.abi;
  const ctx = e.ctx;
  if (key.length + data.length <= e.windowBytes) {
    const u8 = e.u8;
    u8.set(key, e.window);
    u8.set(data, e.window + key.length);
    spec.init(x, ctx, e.window, key.length);
    spec.update(x, ctx, e.window + key.length, data.length);
    e.wipe(e.window, key.length + data.length);
  } else {
    const k = stage(e, [key], 0);
    spec.init(x, ctx, k.at[0], key.length);
    unstage(e, k);
    feed(e, data, (p, n) => spec.update(x, ctx, p, n));
    e.wipe(e.window, Math.min(data.length, e.windowBytes));
  }
  spec.final(x, ctx, e.out);
  spec.wipe(x, ctx);
  const tag = e.read(e.out, spec.tagLen);
  e.wipe(e.out, spec.tagLen);
  return tag;
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
