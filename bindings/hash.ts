// SHA-1, SHA-256, SHA-512 (FIPS 180-4): one-shot functions and streaming hashers.
//
// Inputs are copied into wasm memory (in 64 KiB chunks when larger) and never modified. Hash inputs
// are not treated as secrets: the last chunk, the digest and the compression's schedule of the last
// block stay in wasm memory until later calls overwrite them. Keyed constructions (HMAC, HKDF, the
// ratchet, Ed25519) wipe all of it; secretDigest is the one-shot hash for their secret inputs.

import { lengthOf } from './bytes.js';
import { bytes, finished } from './errors.js';
import type { WasmAbi } from './wasm/abi.js';
import { engine } from './wasm/select.js';
import { feed } from './wasm/staging.js';
import type { Engine } from './wasm/engine.js';

/** A streaming hash: update() any number of times with any lengths, then digest() once. */
export interface Hash {
  update(data: Uint8Array): this;
  digest(): Uint8Array;
}

export interface HashSpec {
  readonly fn: string;
  readonly digestLen: number;
  ctxLen(x: WasmAbi): number;
  init(x: WasmAbi, ctx: number): void;
  update(x: WasmAbi, ctx: number, data: number, len: number): void;
  final(x: WasmAbi, ctx: number, out: number): void;
  digest(x: WasmAbi, ctx: number, data: number, len: number, out: number): void;
}

const SHA1: HashSpec = {
  fn: 'sha1', digestLen: 20,
  ctxLen: (x) => x.SHA1_CTX_LEN.value,
  init: (x, c) => x.sha1_init(c),
  update: (x, c, p, n) => x.sha1_update(c, p, n),
  final: (x, c, o) => x.sha1_final(c, o),
  digest: (x, c, p, n, o) => x.sha1_digest(c, p, n, o),
};

const SHA256: HashSpec = {
  fn: 'sha256', digestLen: 32,
  ctxLen: (x) => x.SHA256_CTX_LEN.value,
  init: (x, c) => x.sha256_init(c),
  update: (x, c, p, n) => x.sha256_update(c, p, n),
  final: (x, c, o) => x.sha256_final(c, o),
  digest: (x, c, p, n, o) => x.sha256_digest(c, p, n, o),
};

const SHA512: HashSpec = {
  fn: 'sha512', digestLen: 64,
  ctxLen: (x) => x.SHA512_CTX_LEN.value,
  init: (x, c) => x.sha512_init(c),
  update: (x, c, p, n) => x.sha512_update(c, p, n),
  final: (x, c, o) => x.sha512_final(c, o),
  digest: (x, c, p, n, o) => x.sha512_digest(c, p, n, o),
};

/**
 * The digest of `data`. With `secret` (a key hashed inside HMAC or the ratchet) the window and the
 * digest are zeroed before returning; public data may leave its last chunk and digest there.
 */
export function oneShot(spec: HashSpec, data: Uint8Array, secret: boolean): Uint8Array {
  bytes(data, spec.fn, 'data');
  const e = engine();
  const x = e.abi;
  const length = lengthOf(data);
  if (length <= e.windowBytes) {
    e.u8.set(data, e.window);
    spec.digest(x, e.ctx, e.window, length, e.out);
    if (secret) e.wipe(e.window, length);
  } else {
    spec.init(x, e.ctx);
    feed(e, data, (p, n) => spec.update(x, e.ctx, p, n));
    spec.final(x, e.ctx, e.out);
  }
  const digest = e.read(e.out, spec.digestLen);
  if (secret) {
    e.wipe(e.out, spec.digestLen);
    x.hash_wipe_scratch();
  }
  return digest;
}

/** The digest of secret data, leaving nothing of it in wasm memory (for HMAC keys, ratchet salts). */
export function secretDigest(name: 'sha1' | 'sha256' | 'sha512', data: Uint8Array): Uint8Array {
  return oneShot(name === 'sha1' ? SHA1 : name === 'sha256' ? SHA256 : SHA512, data, true);
}

export class WasmHash implements Hash {
  readonly #spec: HashSpec;
  readonly #engine: Engine;
  readonly #ctx: number;
  #done = false;

  constructor(spec: HashSpec) {
    this.#spec = spec;
    this.#engine = engine();
    this.#ctx = this.#engine.own(this, spec.ctxLen(this.#engine.abi));
    spec.init(this.#engine.abi, this.#ctx);
  }

  update(data: Uint8Array): this {
    const spec = this.#spec;
    if (this.#done) finished(`${spec.fn} hash.update`, 'finalized');
    bytes(data, `${spec.fn} hash.update`, 'data');
    const e = this.#engine;
    feed(e, data, (p, n) => spec.update(e.abi, this.#ctx, p, n));
    return this;
  }

  digest(): Uint8Array {
    const spec = this.#spec;
    if (this.#done) finished(`${spec.fn} hash.digest`, 'finalized');
    const e = this.#engine;
    spec.final(e.abi, this.#ctx, e.out);
    this.#done = true;
    e.release(this, this.#ctx, spec.ctxLen(e.abi));
    const digest = e.read(e.out, spec.digestLen);
    e.wipe(e.out, spec.digestLen);
    return digest;
  }
}

/** SHA-1 digest (20 bytes). Broken for collisions; provided for MTProto, which requires it. */
export function sha1(data: Uint8Array): Uint8Array {
  return oneShot(SHA1, data, false);
}

/** SHA-256 digest (32 bytes). */
export function sha256(data: Uint8Array): Uint8Array {
  return oneShot(SHA256, data, false);
}

/**
 * The SHA-256 digests of many inputs, as few wasm calls as the I/O window allows (each packs inputs,
 * their lengths and the digests into it): for many short public inputs, such as the MLS tree-hash
 * inputs of a tree level. An input too large for the window is hashed on its own.
 */
export function sha256Many(inputs: readonly Uint8Array[]): Uint8Array[] {
  const e = engine();
  const out: Uint8Array[] = new Array(inputs.length);
  let i = 0;
  while (i < inputs.length) {
    const first = lengthOf(bytes(inputs[i]!, 'sha256Many', 'inputs[i]'));
    if (first + 36 > e.windowBytes) {
      out[i] = sha256(inputs[i]!);
      i++;
      continue;
    }
    // a chunk: inputs i … j − 1, with 4 bytes of length and 32 of digest each
    let j = i, used = 0;
    while (j < inputs.length) {
      const n = lengthOf(bytes(inputs[j]!, 'sha256Many', 'inputs[j]'));
      if (used + n + 36 > e.windowBytes) break;
      used += n + 36;
      j++;
    }
    const count = j - i;
    const lens = e.window, data = lens + 4 * count;
    let p = data;
    for (let k = i; k < j; k++) {
      e.setU32(lens + 4 * (k - i), inputs[k]!.length);
      e.u8.set(inputs[k]!, p);
      p += inputs[k]!.length;
    }
    const digests = p + (-p & 15);
    e.abi.sha256_many(e.ctx, data, lens, count, digests);
    for (let k = 0; k < count; k++) out[i + k] = e.read(digests + 32 * k, 32);
    i = j;
  }
  return out;
}

/** SHA-512 digest (64 bytes). */
export function sha512(data: Uint8Array): Uint8Array {
  return oneShot(SHA512, data, false);
}

/** A streaming SHA-1 hasher. */
export function createSha1(): Hash {
  return new WasmHash(SHA1);
}

/** A streaming SHA-256 hasher. */
export function createSha256(): Hash {
  return new WasmHash(SHA256);
}

/** A streaming SHA-512 hasher. */
export function createSha512(): Hash {
  return new WasmHash(SHA512);
}
