// Authenticated encryption with associated data: the interface, and one driver for every AEAD whose
// wasm side offers one-shot seal/open plus the streaming init/aad/encrypt/absorb/verify/decrypt/finish
// calls (ChaCha20-Poly1305, XChaCha20-Poly1305, AES-GCM).
//
// Messages that fit the I/O window with their nonce and AAD take one wasm call. Larger ones stream in
// 64 KiB chunks; opening then makes two passes, MAC first and decryption only after the tag verified,
// so unauthenticated plaintext is never produced. On failure an AuthenticationError is thrown and
// nothing was written to `out`. The nonce is the caller's responsibility: never reuse one with a key.

import { copyInto, lengthOf, stable, view } from './bytes.js';
import { AuthenticationError, bytes, noPartialOverlap } from './errors.js';
import { KeyedObject } from './keyed.js';
import type { WasmAbi } from './wasm/abi.js';
import { type Engine, WINDOW_BYTES } from './wasm/engine.js';
import { align16 } from './wasm/staging.js';

export const TAG_LENGTH = 16;
const EMPTY = new Uint8Array(0);

export interface Aead {
  /** Nonce length in bytes this instance expects (AES-GCM also accepts other lengths, see aesGcm). */
  readonly nonceLength: number;
  readonly tagLength: number;
  /** Returns ciphertext ‖ tag. */
  seal(nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array;
  /** Returns the plaintext, or throws AuthenticationError. */
  open(nonce: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Uint8Array;
  /** Writes ciphertext ‖ tag to `out` (at least plaintext.length + 16 bytes) and returns the length written. */
  sealInto(out: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): number;
  /** Writes the plaintext to `out` (at least sealed.length - 16 bytes) and returns its length, or throws AuthenticationError leaving `out` untouched. */
  openInto(out: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): number;
  /** Zeroes the key in wasm memory; the object is unusable afterwards. */
  dispose(): void;
}

/** How one AEAD maps onto the wasm ABI. `key` is the object's key state (see keyStateLen). */
export interface AeadSpec {
  readonly fn: string;
  readonly nonceLength: number;
  /** Whether a nonce length other than nonceLength is valid (GCM); null: only nonceLength. */
  readonly otherNonceLengths: null | { min: number; max: number };
  readonly keyLengths: readonly number[];
  keyStateLen(x: WasmAbi): number;
  ctxLen(x: WasmAbi): number;
  /** Writes the key state (the key itself, or a key schedule) for `key` at `state`. */
  setKey(e: Engine, state: number, key: Uint8Array): void;
  seal(x: WasmAbi, ctx: number, key: number, nonce: number, nonceLen: number, aad: number, aadLen: number, buf: number, len: number): void;
  open(x: WasmAbi, ctx: number, key: number, nonce: number, nonceLen: number, aad: number, aadLen: number, buf: number, len: number): number;
  init(x: WasmAbi, ctx: number, key: number, nonce: number, nonceLen: number): void;
  aad(x: WasmAbi, ctx: number, key: number, p: number, len: number): void;
  encrypt(x: WasmAbi, ctx: number, key: number, p: number, len: number): void;
  absorb(x: WasmAbi, ctx: number, key: number, p: number, len: number): void;
  decrypt(x: WasmAbi, ctx: number, key: number, p: number, len: number): void;
  finish(x: WasmAbi, ctx: number, key: number, tag: number): void;
  verify(x: WasmAbi, ctx: number, key: number, tag: number): number;
  wipe(x: WasmAbi, ctx: number): void;
  /** Largest plaintext per nonce, or Infinity (ChaCha20: 2^32 - 1 blocks of 64 bytes; GCM: 2^32 - 2 blocks of 16). */
  readonly maxPlaintext: number;
}

const align64 = (n: number): number => (n + 63) & ~63;

export class WasmAead extends KeyedObject implements Aead {
  readonly nonceLength: number;
  readonly tagLength = TAG_LENGTH;
  readonly #spec: AeadSpec;
  readonly #key: number;
  readonly #ctx: number;

  constructor(spec: AeadSpec, key: Uint8Array) {
    bytes(key, spec.fn, 'key');
    if (!spec.keyLengths.includes(lengthOf(key))) {
      throw new RangeError(`${spec.fn}: key must be ${spec.keyLengths.join(' or ')} bytes, got ${lengthOf(key)}`);
    }
    super(spec.fn, (e) => align64(spec.keyStateLen(e.abi)) + spec.ctxLen(e.abi));
    this.#spec = spec;
    this.nonceLength = spec.nonceLength;
    this.#key = this.block;
    this.#ctx = this.block + align64(spec.keyStateLen(this.engine.abi));
    spec.setKey(this.engine, this.#key, key);
  }

  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array = EMPTY): Uint8Array {
    bytes(plaintext, this.#spec.fn, 'plaintext');
    const out = new Uint8Array(lengthOf(plaintext) + TAG_LENGTH);
    this.#seal('seal', out, nonce, plaintext, aad);
    return out;
  }

  sealInto(out: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array = EMPTY): number {
    this.live('sealInto');
    bytes(out, this.#spec.fn, 'out');
    bytes(plaintext, this.#spec.fn, 'plaintext');
    const need = lengthOf(plaintext) + TAG_LENGTH;
    if (lengthOf(out) < need) throw new RangeError(`${this.#spec.fn}: out must hold plaintext.length + ${TAG_LENGTH} = ${need} bytes, got ${lengthOf(out)}`);
    noPartialOverlap(out, plaintext, `${this.#spec.fn}.sealInto`);
    return this.#seal('sealInto', out, nonce, plaintext, aad);
  }

  open(nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array = EMPTY): Uint8Array {
    bytes(sealed, this.#spec.fn, 'sealed');
    const out = new Uint8Array(Math.max(0, lengthOf(sealed) - TAG_LENGTH));
    this.#open('open', out, nonce, sealed, aad);
    return out;
  }

  openInto(out: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array = EMPTY): number {
    this.live('openInto');
    bytes(out, this.#spec.fn, 'out');
    bytes(sealed, this.#spec.fn, 'sealed');
    const need = lengthOf(sealed) - TAG_LENGTH;
    if (lengthOf(out) < need) throw new RangeError(`${this.#spec.fn}: out must hold sealed.length - ${TAG_LENGTH} = ${need} bytes, got ${lengthOf(out)}`);
    noPartialOverlap(out, sealed, `${this.#spec.fn}.openInto`);
    return this.#open('openInto', out, nonce, sealed, aad);
  }

  #checkNonce(nonce: Uint8Array): number {
    const spec = this.#spec;
    bytes(nonce, spec.fn, 'nonce');
    const n = lengthOf(nonce);
    const other = spec.otherNonceLengths;
    if (n === spec.nonceLength || (other && n >= other.min && n <= other.max)) return n;
    const allowed = other ? `${spec.nonceLength} (or ${other.min} to ${other.max})` : `${spec.nonceLength}`;
    throw new RangeError(`${spec.fn}: nonce must be ${allowed} bytes, got ${n}`);
  }

  #checkCommon(op: string, nonce: Uint8Array, aad: Uint8Array): number {
    this.live(op);
    const nonceLength = this.#checkNonce(nonce);
    // The default AAD is ours and never detached; checking an empty array for detachment constructs
    // a view (bytes.ts isDetached), ≈ 20 ns of this layer's ≈ 150 ns for a 64-byte seal.
    if (aad !== EMPTY) bytes(aad, this.#spec.fn, 'aad');
    return nonceLength;
  }

  #seal(op: string, out: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): number {
    const spec = this.#spec;
    const nonceLength = this.#checkCommon(op, nonce, aad);
    const len = lengthOf(plaintext), aadLength = lengthOf(aad);
    if (len > spec.maxPlaintext) {
      throw new RangeError(`${spec.fn}: plaintext must be at most ${spec.maxPlaintext} bytes per nonce, got ${len}`);
    }
    const e = this.engine;
    const x = e.abi;
    const aadAt = e.window + align16(nonceLength);
    const bufAt = aadAt + align16(aadLength);
    try {
      if (bufAt + len + TAG_LENGTH <= e.window + WINDOW_BYTES) {
        const u8 = e.u8;
        u8.set(nonce, e.window);
        u8.set(aad, aadAt);
        u8.set(plaintext, bufAt);
        spec.seal(x, this.#ctx, this.#key, e.window, nonceLength, aadAt, aadLength, bufAt, len);
        copyInto(out, u8.subarray(bufAt, bufAt + len + TAG_LENGTH));
        return len + TAG_LENGTH;
      }
      this.#begin(nonce, nonceLength, aad);
      for (let off = 0; off < len; off += WINDOW_BYTES) {
        const n = Math.min(WINDOW_BYTES, len - off);
        e.u8.set(view(plaintext, off, off + n), e.window);
        spec.encrypt(x, this.#ctx, this.#key, e.window, n);
        copyInto(out, e.u8.subarray(e.window, e.window + n), off);
      }
      spec.finish(x, this.#ctx, this.#key, e.window);
      copyInto(out, e.u8.subarray(e.window, e.window + TAG_LENGTH), len);
      return len + TAG_LENGTH;
    } finally {
      this.#cleanUp(bufAt + len + TAG_LENGTH);
    }
  }

  #open(op: string, out: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): number {
    const spec = this.#spec;
    const nonceLength = this.#checkCommon(op, nonce, aad);
    const total = lengthOf(sealed), aadLength = lengthOf(aad);
    // Too short to hold a tag, or longer than any message sealed under one nonce: cannot be authentic.
    if (total < TAG_LENGTH || total - TAG_LENGTH > spec.maxPlaintext) throw new AuthenticationError();
    const e = this.engine;
    const x = e.abi;
    const len = total - TAG_LENGTH;
    const aadAt = e.window + align16(nonceLength);
    const bufAt = aadAt + align16(aadLength);
    try {
      if (bufAt + total <= e.window + WINDOW_BYTES) {
        const u8 = e.u8;
        u8.set(nonce, e.window);
        u8.set(aad, aadAt);
        u8.set(sealed, bufAt);
        if (spec.open(x, this.#ctx, this.#key, e.window, nonceLength, aadAt, aadLength, bufAt, len) !== 1) throw new AuthenticationError();
        copyInto(out, u8.subarray(bufAt, bufAt + len));
        return len;
      }
      // Pass 1: MAC the ciphertext; pass 2, only if the tag verified: decrypt. Both passes must see
      // the same bytes, so an input another thread can change is copied first.
      const input = stable(sealed);
      this.#begin(nonce, nonceLength, aad);
      for (let off = 0; off < len; off += WINDOW_BYTES) {
        const n = Math.min(WINDOW_BYTES, len - off);
        e.u8.set(view(input, off, off + n), e.window);
        spec.absorb(x, this.#ctx, this.#key, e.window, n);
      }
      e.u8.set(view(input, len), e.window);
      if (spec.verify(x, this.#ctx, this.#key, e.window) !== 1) throw new AuthenticationError();
      for (let off = 0; off < len; off += WINDOW_BYTES) {
        const n = Math.min(WINDOW_BYTES, len - off);
        e.u8.set(view(input, off, off + n), e.window);
        spec.decrypt(x, this.#ctx, this.#key, e.window, n);
        copyInto(out, e.u8.subarray(e.window, e.window + n), off);
      }
      return len;
    } finally {
      this.#cleanUp(bufAt + total);
    }
  }

  /** Streaming start: init with the nonce, then the AAD in window-sized chunks. */
  #begin(nonce: Uint8Array, nonceLength: number, aad: Uint8Array): void {
    const e = this.engine;
    const x = e.abi;
    e.u8.set(nonce, e.window);
    this.#spec.init(x, this.#ctx, this.#key, e.window, nonceLength);
    const aadLength = lengthOf(aad);
    for (let off = 0; off < aadLength; off += WINDOW_BYTES) {
      const n = Math.min(WINDOW_BYTES, aadLength - off);
      e.u8.set(view(aad, off, off + n), e.window);
      this.#spec.aad(x, this.#ctx, this.#key, e.window, n);
    }
  }

  /** Zeroes the streaming context and the part of the window a call used (up to `end`), on every exit. */
  #cleanUp(end: number): void {
    const e = this.engine;
    this.#spec.wipe(e.abi, this.#ctx);
    e.wipe(e.window, Math.min(end, e.window + WINDOW_BYTES) - e.window);
  }
}
