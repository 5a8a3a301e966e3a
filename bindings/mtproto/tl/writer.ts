// TL serialization (core.telegram.org/mtproto/serialize): little-endian fixed-size integers,
// bytes/string with a 1- or 4-byte length prefix padded to 4, vectors with constructor 0x1cb5c415.
// An application's schema extends this by writing its own constructor ids and fields in order.

import { bytes as checkBytes } from '../../errors.js';

export const VECTOR = 0x1cb5c415;
export const BOOL_TRUE = 0x997275b5;
export const BOOL_FALSE = 0xbc799737;

const encoder = new TextEncoder();

export class TlWriter {
  #buf: Uint8Array;
  #view: DataView;
  #pos = 0;

  constructor(initialCapacity = 256) {
    this.#buf = new Uint8Array(initialCapacity);
    this.#view = new DataView(this.#buf.buffer);
  }

  get length(): number {
    return this.#pos;
  }

  // Returns the offset to write at; read #buf / #view only after calling it (it may replace them).
  #reserve(n: number): number {
    const at = this.#pos;
    if (at + n > this.#buf.length) {
      const grown = new Uint8Array(Math.max(this.#buf.length * 2, at + n));
      grown.set(this.#buf.subarray(0, at));
      this.#buf = grown;
      this.#view = new DataView(grown.buffer);
    }
    this.#pos = at + n;
    return at;
  }

  /** A 32-bit integer; accepts signed or unsigned values (constructor ids are usually unsigned). */
  int(value: number): this {
    if (!Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff) throw new RangeError(`tl: int out of range: ${value}`);
    const at = this.#reserve(4);
    this.#view.setUint32(at, value >>> 0, true);
    return this;
  }

  /** A 64-bit integer (signed or unsigned bigint in range). */
  long(value: bigint): this {
    if (typeof value !== 'bigint' || value < -(1n << 63n) || value >= 1n << 64n) throw new RangeError(`tl: long out of range: ${String(value)}`);
    const at = this.#reserve(8);
    this.#view.setBigUint64(at, BigInt.asUintN(64, value), true);
    return this;
  }

  double(value: number): this {
    const at = this.#reserve(8);
    this.#view.setFloat64(at, value, true);
    return this;
  }

  bool(value: boolean): this {
    return this.int(value ? BOOL_TRUE : BOOL_FALSE);
  }

  /** Raw bytes with no prefix (int128, int256 and already-serialized objects). */
  raw(data: Uint8Array): this {
    checkBytes(data, 'tl.raw', 'data');
    const at = this.#reserve(data.length);
    this.#buf.set(data, at);
    return this;
  }

  int128(data: Uint8Array): this {
    if (checkBytes(data, 'tl.int128', 'data').length !== 16) throw new RangeError(`tl: int128 must be 16 bytes, got ${data.length}`);
    return this.raw(data);
  }

  int256(data: Uint8Array): this {
    if (checkBytes(data, 'tl.int256', 'data').length !== 32) throw new RangeError(`tl: int256 must be 32 bytes, got ${data.length}`);
    return this.raw(data);
  }

  /** TL bytes: length < 254 → one length byte; else 0xfe + 3-byte LE length; zero padding to 4. */
  bytes(data: Uint8Array): this {
    const n = checkBytes(data, 'tl.bytes', 'data').length;
    if (n >= 1 << 24) throw new RangeError(`tl: bytes longer than 2^24 - 1: ${n}`);
    const head = n < 254 ? 1 : 4;
    const total = (head + n + 3) & ~3;
    const at = this.#reserve(total);
    if (head === 1) this.#buf[at] = n;
    else this.#view.setUint32(at, 0xfe | (n << 8), true);
    this.#buf.set(data, at + head);
    this.#buf.fill(0, at + head + n, at + total);
    return this;
  }

  string(text: string): this {
    return this.bytes(encoder.encode(text));
  }

  /** A boxed Vector<T>: 0x1cb5c415, count, then each item written by `item`. */
  vector<T>(items: readonly T[], item: (w: this, value: T) => void): this {
    this.int(VECTOR).int(items.length);
    for (const value of items) item(this, value);
    return this;
  }

  /** A copy of what was written. */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#pos);
  }
}

/** Serializes with a fresh writer: `tl((w) => w.int(id).long(x))`. */
export function tl(write: (w: TlWriter) => void): Uint8Array {
  const w = new TlWriter();
  write(w);
  return w.finish();
}
