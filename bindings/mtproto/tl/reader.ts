// TL deserialization, the inverse of writer.ts. Every read checks bounds first and throws TlError,
// so a truncated or lying input never reads past its end; values are copies, never views into the
// input, so callers may keep them after the input buffer is reused.

import { TlError } from '../errors.js';
import { BOOL_FALSE, BOOL_TRUE, VECTOR } from './writer.js';

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export class TlReader {
  readonly #buf: Uint8Array;
  // Made on the first long() / double(): reading `.buffer` of a small typed array makes V8 move it
  // off the heap, which cost more than the parse itself for short messages (int() does not need it).
  #view: DataView | undefined;
  #pos = 0;

  constructor(data: Uint8Array) {
    this.#buf = data;
  }

  get #dv(): DataView {
    return (this.#view ??= new DataView(this.#buf.buffer, this.#buf.byteOffset, this.#buf.byteLength));
  }

  get offset(): number {
    return this.#pos;
  }

  get remaining(): number {
    return this.#buf.length - this.#pos;
  }

  #take(n: number, what: string): number {
    if (n < 0 || this.#pos + n > this.#buf.length) throw new TlError(`tl: truncated ${what} at offset ${this.#pos} (need ${n} bytes, ${this.remaining} left)`);
    const at = this.#pos;
    this.#pos += n;
    return at;
  }

  /** A signed 32-bit integer. */
  int(): number {
    const at = this.#take(4, 'int');
    const b = this.#buf;
    return b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24);
  }

  /** An unsigned 32-bit integer (constructor ids). */
  uint(): number {
    return this.int() >>> 0;
  }

  /** A signed 64-bit integer. */
  long(): bigint {
    return this.#dv.getBigInt64(this.#take(8, 'long'), true);
  }

  double(): number {
    return this.#dv.getFloat64(this.#take(8, 'double'), true);
  }

  bool(): boolean {
    const id = this.uint();
    if (id === BOOL_TRUE) return true;
    if (id === BOOL_FALSE) return false;
    throw new TlError(`tl: expected Bool, got constructor 0x${id.toString(16).padStart(8, '0')}`);
  }

  raw(n: number): Uint8Array {
    const at = this.#take(n, 'raw bytes');
    return this.#buf.slice(at, at + n);
  }

  int128(): Uint8Array {
    return this.raw(16);
  }

  int256(): Uint8Array {
    return this.raw(32);
  }

  /** TL bytes; the padding must be zeros up to the next multiple of 4 (TDLib and mtcute do not check it; we are strict). */
  bytes(): Uint8Array {
    const start = this.#pos;
    let n = this.#buf[this.#take(1, 'bytes length')];
    let head = 1;
    if (n === 0xff) throw new TlError(`tl: invalid bytes length prefix 0xff at offset ${start}`);
    if (n === 0xfe) {
      const at = this.#take(3, 'bytes length');
      n = this.#buf[at] | (this.#buf[at + 1] << 8) | (this.#buf[at + 2] << 16);
      head = 4;
      if (n < 254) throw new TlError(`tl: non-minimal bytes length ${n} at offset ${start}`);
    }
    const out = this.raw(n);
    const pad = ((head + n + 3) & ~3) - head - n;
    const padAt = this.#take(pad, 'bytes padding');
    for (let i = 0; i < pad; i++) if (this.#buf[padAt + i] !== 0) throw new TlError(`tl: non-zero bytes padding at offset ${padAt + i}`);
    return out;
  }

  string(): string {
    try {
      return decoder.decode(this.bytes());
    } catch (error) {
      if (error instanceof TlError) throw error;
      throw new TlError('tl: string is not valid UTF-8');
    }
  }

  /** A boxed Vector<T>; `limit` caps the count before anything is allocated. */
  vector<T>(item: (r: this) => T, limit = 1 << 16): T[] {
    const id = this.uint();
    if (id !== VECTOR) throw new TlError(`tl: expected Vector, got constructor 0x${id.toString(16).padStart(8, '0')}`);
    const count = this.int();
    if (count < 0 || count > limit) throw new TlError(`tl: vector length ${count} outside [0, ${limit}]`);
    if (count * 4 > this.remaining) throw new TlError(`tl: vector of ${count} items cannot fit in ${this.remaining} bytes`);
    const out: T[] = [];
    for (let i = 0; i < count; i++) out.push(item(this));
    return out;
  }

  /** Throws unless the whole input was consumed. */
  end(): void {
    if (this.remaining !== 0) throw new TlError(`tl: ${this.remaining} unexpected trailing bytes at offset ${this.#pos}`);
  }
}
