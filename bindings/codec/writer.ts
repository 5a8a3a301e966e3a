// A growable big-endian writer, the counterpart of ByteReader. Every integer is checked against its
// field width when written (a count of 256 in a u8 is a RangeError, not 0), so an encoder never
// emits a truncated count or length prefix.

export class ByteWriter {
  #buf = new Uint8Array(256); // most MLS structs fit: fewer regrowths (each one a copy)
  #len = 0;

  get length(): number {
    return this.#len;
  }

  #room(n: number): number {
    if (this.#len + n > this.#buf.length) {
      const grown = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + n));
      grown.set(this.#buf.subarray(0, this.#len));
      this.#buf = grown;
    }
    const at = this.#len;
    this.#len += n;
    return at;
  }

  u8(v: number): this {
    fits(v, 0xff, 'u8');
    const at = this.#room(1);
    this.#buf[at] = v;
    return this;
  }

  u16(v: number): this {
    fits(v, 0xffff, 'u16');
    const p = this.#room(2);
    this.#buf[p] = v >>> 8;
    this.#buf[p + 1] = v;
    return this;
  }

  u32(v: number): this {
    fits(v, 0xffffffff, 'u32');
    const p = this.#room(4);
    this.#buf[p] = v >>> 24;
    this.#buf[p + 1] = v >>> 16;
    this.#buf[p + 2] = v >>> 8;
    this.#buf[p + 3] = v;
    return this;
  }

  u64(v: bigint): this {
    if (v < 0n || v > 0xffffffffffffffffn) throw new RangeError(`ByteWriter: ${v} does not fit a u64`);
    return this.u32(Number(v >> 32n)).u32(Number(v & 0xffffffffn));
  }

  bytes(v: Uint8Array): this {
    const at = this.#room(v.length); // may replace #buf: take the offset first
    this.#buf.set(v, at);
    return this;
  }

  vec16(v: Uint8Array): this {
    return this.u16(v.length).bytes(v);
  }

  vec32(v: Uint8Array): this {
    return this.u32(v.length).bytes(v);
  }

  /** Writes a u32 length, then whatever `body` writes, and patches the length in afterwards. */
  framed32(body: (w: this) => void): this {
    const at = this.#room(4);
    body(this);
    const n = this.#len - at - 4;
    fits(n, 0xffffffff, 'u32 length');
    this.#buf[at] = n >>> 24;
    this.#buf[at + 1] = n >>> 16;
    this.#buf[at + 2] = n >>> 8;
    this.#buf[at + 3] = n;
    return this;
  }

  /**
   * Runs `body`, then puts `prefix(n)` in front of the n bytes it wrote, in `room` bytes held for it
   * (moving the body left when the prefix is shorter): a length prefix whose size depends on the
   * length, such as a TLS varint, without encoding the body into a second buffer first.
   */
  prefixed(room: number, body: (w: this) => void, prefix: (n: number) => readonly number[]): this {
    const at = this.#room(room);
    body(this);
    const p = prefix(this.#len - at - room);
    if (p.length > room) throw new RangeError(`ByteWriter: a ${p.length}-byte prefix in ${room} bytes`);
    if (p.length < room) {
      this.#buf.copyWithin(at + p.length, at + room, this.#len);
      this.#len -= room - p.length;
    }
    this.#buf.set(p, at);
    return this;
  }

  /** The bytes written, as a fresh array. */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

function fits(v: number, max: number, field: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`ByteWriter: ${v} does not fit a ${field}`);
}
