// Authenticated encryption with associated data: the interface, and one driver for every AEAD whose
// wasm side offers one-shot seal/open plus the streaming init/aad/encrypt/absorb/verify/decrypt/finish
// calls (ChaCha20-Poly1305, XChaCha20-Poly1305, AES-GCM).
//
// Messages that fit the I/O window with their nonce and AAD take one wasm call. Larger ones stream in
// 64 KiB chunks; opening then makes two passes, MAC first and decryption only after the tag verified,
// so unauthenticated plaintext is never produced. On failure an AuthenticationError is thrown and
// nothing was written to `out`. The nonce is the caller's responsibility: never reuse one with a key.

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
    if (!spec.keyLengths.includes(key.length)) {
      throw new RangeError(`${spec.fn}: key must be ${spec.keyLengths.join(' or ')} bytes, got ${key.length}`);
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
    const out = new Uint8Array(plaintext.length + TAG_LENGTH);
    this.#seal('seal', out, nonce, plaintext, aad);
    return out;
  }

  sealInto(out: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array = EMPTY): number {
    bytes(out, this.#spec.fn, 'out');
    bytes(plaintext, this.#spec.fn, 'plaintext');
    if (out.length < plaintext.length + TAG_LENGTH) {
      throw new RangeError(`${this.#spec.fn}: out must hold plaintext.length + ${TAG_LENGTH} = ${plaintext.length + TAG_LENGTH} bytes, got ${out.length}`);
    }
    noPartialOverlap(out, plaintext, `${this.#spec.fn}.sealInto`);
    return this.#seal('sealInto', out, nonce, plaintext, aad);
  }

  open(nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array = EMPTY): Uint8Array {
    bytes(sealed, this.#spec.fn, 'sealed');
    const out = new Uint8Array(Math.max(0, sealed.length - TAG_LENGTH));
    this.#open('open', out, nonce, sealed, aad);
    return out;
  }

  openInto(out: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array = EMPTY): number {
    bytes(out, this.#spec.fn, 'out');
    bytes(sealed, this.#spec.fn, 'sealed');
    if (out.length < sealed.length - TAG_LENGTH) {
      throw new RangeError(`${this.#spec.fn}: out must hold sealed.length - ${TAG_LENGTH} = ${sealed.length - TAG_LENGTH} bytes, got ${out.length}`);
    }
    noPartialOverlap(out, sealed, `${this.#spec.fn}.openInto`);
    return this.#open('openInto', out, nonce, sealed, aad);
  }

  #checkNonce(nonce: Uint8Array): void {
    const spec = this.#spec;
    bytes(nonce, spec.fn, 'nonce');
    const other = spec.otherNonceLengths;
    if (nonce.length === spec.nonceLength || (other && nonce.length >= other.min && nonce.length <= other.max)) return;
    const allowed = other ? `${spec.nonceLength} (or ${other.min} to ${other.max})` : `${spec.nonceLength}`;
    throw new RangeError(`${spec.fn}: nonce must be ${allowed} bytes, got ${nonce.length}`);
  }

  #checkCommon(op: string, nonce: Uint8Array, aad: Uint8Array): void {
    this.live(op);
    this.#checkNonce(nonce);
    bytes(aad, this.#spec.fn, 'aad');
  }

  #seal(op: string, out: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): number {
    const spec = this.#spec;
    this.#checkCommon(op, nonce, aad);
    if (plaintext.length > spec.maxPlaintext) {
      throw new RangeError(`${spec.fn}: plaintext must be at most ${spec.maxPlaintext} bytes per nonce, got ${plaintext.length}`);
    }
    const e = this.engine;
    const x = e.abi;
    const len = plaintext.length;
    const aadAt = e.window + align16(nonce.length);
    const bufAt = aadAt + align16(aad.length);
    if (bufAt + len + TAG_LENGTH <= e.window + WINDOW_BYTES) {
      const u8 = e.u8;
      u8.set(nonce, e.window);
      u8.set(aad, aadAt);
      u8.set(plaintext, bufAt);
      spec.seal(x, this.#ctx, this.#key, e.window, nonce.length, aadAt, aad.length, bufAt, len);
      out.set(u8.subarray(bufAt, bufAt + len + TAG_LENGTH));
      return len + TAG_LENGTH;
    }
    this.#begin(nonce, aad);
    for (let off = 0; off < len; off += WINDOW_BYTES) {
      const chunk = plaintext.subarray(off, off + WINDOW_BYTES);
      e.u8.set(chunk, e.window);
      spec.encrypt(x, this.#ctx, this.#key, e.window, chunk.length);
      out.set(e.u8.subarray(e.window, e.window + chunk.length), off);
    }
    spec.finish(x, this.#ctx, this.#key, e.window);
    out.set(e.u8.subarray(e.window, e.window + TAG_LENGTH), len);
    spec.wipe(x, this.#ctx);
    return len + TAG_LENGTH;
  }

  #open(op: string, out: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): number {
    const spec = this.#spec;
    this.#checkCommon(op, nonce, aad);
    // Too short to hold a tag, or longer than any message sealed under one nonce: cannot be authentic.
    if (sealed.length < TAG_LENGTH || sealed.length - TAG_LENGTH > spec.maxPlaintext) throw new AuthenticationError();
    const e = this.engine;
    const x = e.abi;
    const len = sealed.length - TAG_LENGTH;
    const aadAt = e.window + align16(nonce.length);
    const bufAt = aadAt + align16(aad.length);
    if (bufAt + len + TAG_LENGTH <= e.window + WINDOW_BYTES) {
      const u8 = e.u8;
      u8.set(nonce, e.window);
      u8.set(aad, aadAt);
      u8.set(sealed, bufAt);
      if (spec.open(x, this.#ctx, this.#key, e.window, nonce.length, aadAt, aad.length, bufAt, len) !== 1) throw new AuthenticationError();
      out.set(u8.subarray(bufAt, bufAt + len));
      e.wipe(bufAt, len);
      return len;
    }
    // Pass 1: MAC the ciphertext; pass 2, only if the tag verified: decrypt.
    this.#begin(nonce, aad);
    const ct = sealed.subarray(0, len);
    for (let off = 0; off < len; off += WINDOW_BYTES) {
      const chunk = ct.subarray(off, off + WINDOW_BYTES);
      e.u8.set(chunk, e.window);
      spec.absorb(x, this.#ctx, this.#key, e.window, chunk.length);
    }
    e.u8.set(sealed.subarray(len), e.window);
    if (spec.verify(x, this.#ctx, this.#key, e.window) !== 1) {
      spec.wipe(x, this.#ctx);
      throw new AuthenticationError();
    }
    for (let off = 0; off < len; off += WINDOW_BYTES) {
      const chunk = ct.subarray(off, off + WINDOW_BYTES);
      e.u8.set(chunk, e.window);
      spec.decrypt(x, this.#ctx, this.#key, e.window, chunk.length);
      out.set(e.u8.subarray(e.window, e.window + chunk.length), off);
    }
    e.wipe(e.window, WINDOW_BYTES);
    spec.wipe(x, this.#ctx);
    return len;
  }

  /** Streaming start: init with the nonce, then the AAD in window-sized chunks. */
  #begin(nonce: Uint8Array, aad: Uint8Array): void {
    const e = this.engine;
    const x = e.abi;
    e.u8.set(nonce, e.window);
    this.#spec.init(x, this.#ctx, this.#key, e.window, nonce.length);
    for (let off = 0; off < aad.length; off += WINDOW_BYTES) {
      const chunk = aad.subarray(off, off + WINDOW_BYTES);
      e.u8.set(chunk, e.window);
      this.#spec.aad(x, this.#ctx, this.#key, e.window, chunk.length);
    }
  }
}
