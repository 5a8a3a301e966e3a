// NaCl secretbox (XSalsa20-Poly1305): seal(nonce24, message) → tag ‖ ciphertext, byte-compatible with
// libsodium's crypto_secretbox_easy and tweetnacl's secretbox. Wesh seals its envelopes with it.

import { lengthOf, stable, view } from './bytes.js';
import { disposing } from './dispose.js';
import { AuthenticationError, bytes, bytesOfLength } from './errors.js';
import { KeyedObject } from './keyed.js';
import { type Engine, WINDOW_BYTES } from './wasm/engine.js';
import { engine } from './wasm/select.js';

const KEY_LEN = 32;
const NONCE_LEN = 24;
const TAG_LEN = 16;

export interface SecretBox {
  /** Returns tag ‖ ciphertext (message.length + 16 bytes). */
  seal(nonce: Uint8Array, message: Uint8Array): Uint8Array;
  /** Returns the message, or throws AuthenticationError. */
  open(nonce: Uint8Array, boxed: Uint8Array): Uint8Array;
  dispose(): void;
}

/**
 * Chunk plan for streaming: the stream starts 32 bytes into its first block (those 32 bytes key
 * Poly1305), so the first chunk is 32 bytes short of the window and the rest stay block-aligned.
 */
function* chunks(length: number): Generator<[number, number]> {
  let off = 0;
  for (let size = WINDOW_BYTES - 32; off < length; size = WINDOW_BYTES) {
    const n = Math.min(size, length - off);
    yield [off, n];
    off += n;
  }
}

/** Writes the 32-byte key at `at`; may throw (then the object releases its memory). */
type KeyWriter = (e: Engine, at: number) => void;

export class WasmSecretBox extends KeyedObject implements SecretBox {
  readonly #fn: string;

  constructor(fn: string, writeKey: KeyWriter) {
    super(fn, (e) => 64 + e.abi.SECRETBOX_CTX_LEN.value);
    this.#fn = fn;
    try {
      writeKey(this.engine, this.block);
    } catch (err) {
      this.dispose();
      throw err;
    }
  }

  #ctx(): number {
    return this.block + 64;
  }

  seal(nonce: Uint8Array, message: Uint8Array): Uint8Array {
    this.live('seal');
    bytesOfLength(nonce, NONCE_LEN, this.#fn, 'nonce');
    bytes(message, this.#fn, 'message');
    const e = this.engine;
    const x = e.abi;
    const len = lengthOf(message);
    const out = new Uint8Array(len + TAG_LEN);
    const nonceAt = e.window;
    const boxAt = e.window + 32;
    try {
      if (32 + TAG_LEN + len <= WINDOW_BYTES) {
        const u8 = e.u8;
        u8.set(nonce, nonceAt);
        u8.set(message, boxAt + TAG_LEN);
        x.secretbox_seal(this.#ctx(), this.block, nonceAt, boxAt, len);
        out.set(u8.subarray(boxAt, boxAt + len + TAG_LEN));
        return out;
      }
      e.u8.set(nonce, nonceAt);
      x.secretbox_init(this.#ctx(), this.block, nonceAt);
      for (const [off, n] of chunks(len)) {
        e.u8.set(view(message, off, off + n), e.window);
        x.secretbox_encrypt(this.#ctx(), e.window, n);
        out.set(e.u8.subarray(e.window, e.window + n), TAG_LEN + off);
      }
      x.secretbox_finish(this.#ctx(), e.window);
      out.set(e.u8.subarray(e.window, e.window + TAG_LEN), 0);
      return out;
    } finally {
      this.#cleanUp(32 + TAG_LEN + len);
    }
  }

  open(nonce: Uint8Array, boxed: Uint8Array): Uint8Array {
    this.live('open');
    bytesOfLength(nonce, NONCE_LEN, this.#fn, 'nonce');
    bytes(boxed, this.#fn, 'boxed');
    const total = lengthOf(boxed);
    if (total < TAG_LEN) throw new AuthenticationError();
    const e = this.engine;
    const x = e.abi;
    const len = total - TAG_LEN;
    const out = new Uint8Array(len);
    const nonceAt = e.window;
    const boxAt = e.window + 32;
    try {
      if (32 + total <= WINDOW_BYTES) {
        const u8 = e.u8;
        u8.set(nonce, nonceAt);
        u8.set(boxed, boxAt);
        if (x.secretbox_open(this.#ctx(), this.block, nonceAt, boxAt, len) !== 1) throw new AuthenticationError();
        out.set(u8.subarray(boxAt + TAG_LEN, boxAt + TAG_LEN + len));
        return out;
      }
      // Two passes (MAC, then decryption) over the same bytes: copy an input other threads can change.
      const input = stable(boxed);
      e.u8.set(nonce, nonceAt);
      x.secretbox_init(this.#ctx(), this.block, nonceAt);
      for (const [off, n] of chunks(len)) {
        e.u8.set(view(input, TAG_LEN + off, TAG_LEN + off + n), e.window);
        x.secretbox_absorb(this.#ctx(), e.window, n);
      }
      e.u8.set(view(input, 0, TAG_LEN), e.window);
      if (x.secretbox_verify(this.#ctx(), e.window) !== 1) throw new AuthenticationError();
      for (const [off, n] of chunks(len)) {
        e.u8.set(view(input, TAG_LEN + off, TAG_LEN + off + n), e.window);
        x.secretbox_decrypt(this.#ctx(), e.window, n);
        out.set(e.u8.subarray(e.window, e.window + n), off);
      }
      return out;
    } finally {
      this.#cleanUp(32 + total);
    }
  }

  /** Zeroes the streaming context and the part of the window used (`used` bytes), on every exit. */
  #cleanUp(used: number): void {
    const e = this.engine;
    e.abi.secretbox_wipe(this.#ctx());
    e.wipe(e.window, Math.min(used, WINDOW_BYTES));
  }
}

/** A secretbox keyed with 32 bytes. */
export function secretbox(key: Uint8Array): SecretBox {
  bytesOfLength(key, KEY_LEN, 'secretbox', 'key');
  return new WasmSecretBox('secretbox', (e, at) => e.u8.set(key, at));
}

// ---- one-shot: no object, for many small messages under many keys -------------------------------

/** Window layout of the one-shot calls: key (32, padded to 64) ‖ context ‖ nonce (32) ‖ tag ‖ message. */
function oneShotLayout(e: Engine, len: number): { keyAt: number; ctxAt: number; nonceAt: number; boxAt: number; used: number } | null {
  const ctxLen = (e.abi.SECRETBOX_CTX_LEN.value + 15) & ~15;
  const keyAt = e.window, ctxAt = keyAt + 64, nonceAt = ctxAt + ctxLen, boxAt = nonceAt + 32;
  const used = boxAt - e.window + TAG_LEN + len;
  return used <= WINDOW_BYTES ? { keyAt, ctxAt, nonceAt, boxAt, used } : null;
}

/**
 * secretbox(key).seal(nonce, message) without the keyed object (which costs a block of wasm memory
 * and its wiping): the key, the context and the message live in the I/O window for the call and are
 * wiped after it. Messages too large for the window take the object's streaming path.
 */
export function secretboxSeal(key: Uint8Array, nonce: Uint8Array, message: Uint8Array): Uint8Array {
  bytesOfLength(key, KEY_LEN, 'secretboxSeal', 'key');
  bytesOfLength(nonce, NONCE_LEN, 'secretboxSeal', 'nonce');
  bytes(message, 'secretboxSeal', 'message');
  const e = engine();
  const len = lengthOf(message);
  const at = oneShotLayout(e, len);
  if (at === null) return disposing(secretbox(key), (box) => box.seal(nonce, message));
  try {
    const u8 = e.u8;
    u8.set(key, at.keyAt);
    u8.set(nonce, at.nonceAt);
    u8.set(message, at.boxAt + TAG_LEN);
    e.abi.secretbox_seal(at.ctxAt, at.keyAt, at.nonceAt, at.boxAt, len);
    return u8.slice(at.boxAt, at.boxAt + TAG_LEN + len);
  } finally {
    e.wipe(e.window, at.used);
  }
}

/** secretbox(key).open(nonce, boxed) without the keyed object; AuthenticationError, with nothing returned, if it does not open. */
export function secretboxOpen(key: Uint8Array, nonce: Uint8Array, boxed: Uint8Array): Uint8Array {
  bytesOfLength(key, KEY_LEN, 'secretboxOpen', 'key');
  bytesOfLength(nonce, NONCE_LEN, 'secretboxOpen', 'nonce');
  bytes(boxed, 'secretboxOpen', 'boxed');
  const total = lengthOf(boxed);
  if (total < TAG_LEN) throw new AuthenticationError();
  const e = engine();
  const len = total - TAG_LEN;
  const at = oneShotLayout(e, len);
  if (at === null) return disposing(secretbox(key), (box) => box.open(nonce, boxed));
  try {
    const u8 = e.u8;
    u8.set(key, at.keyAt);
    u8.set(nonce, at.nonceAt);
    u8.set(boxed, at.boxAt);
    if (e.abi.secretbox_open(at.ctxAt, at.keyAt, at.nonceAt, at.boxAt, len) !== 1) throw new AuthenticationError();
    return u8.slice(at.boxAt + TAG_LEN, at.boxAt + TAG_LEN + len);
  } finally {
    e.wipe(e.window, at.used);
  }
}
