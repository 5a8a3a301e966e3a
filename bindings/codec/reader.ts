// A bounds-checked big-endian reader for the binary formats of the protocols (mmtls records and
// handshake messages now; MLS's TLS presentation language and Wesh's framing next). Every read
// checks the remaining length first and throws DecodeError naming the field, so a parser built on
// it never reads past its input and never returns a half-parsed value.

export class DecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecodeError';
  }
}

export class ByteReader {
  #pos: number;

  /** Reads bytes[start:end]; the reader never looks outside that range. */
  constructor(private readonly bytes: Uint8Array, start = 0, private readonly end = bytes.length) {
    this.#pos = start;
  }

  get offset(): number {
    return this.#pos;
  }

  get remaining(): number {
    return this.end - this.#pos;
  }

  #take(n: number, what: string): number {
    if (n > this.end - this.#pos) throw new DecodeError(`${what}: needs ${n} bytes, ${this.end - this.#pos} left`);
    const at = this.#pos;
    this.#pos += n;
    return at;
  }

  /** The big-endian u32 at p (already taken). */
  #be32(p: number): number {
    const b = this.bytes;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }

  u8(what: string): number {
    return this.bytes[this.#take(1, what)]!;
  }

  u16(what: string): number {
    const p = this.#take(2, what);
    return (this.bytes[p]! << 8) | this.bytes[p + 1]!;
  }

  u32(what: string): number {
    return this.#be32(this.#take(4, what));
  }

  u64(what: string): bigint {
    const p = this.#take(8, what);
    // two 32-bit halves: three BigInt operations instead of sixteen
    return (BigInt(this.#be32(p)) << 32n) | BigInt(this.#be32(p + 4));
  }

  /** `n` bytes as a view into the input (copy it if it must outlive the input). */
  bytesOf(n: number, what: string): Uint8Array {
    const p = this.#take(n, what);
    return this.bytes.subarray(p, p + n);
  }

  /** A u16 length, then that many bytes. */
  vec16(what: string): Uint8Array {
    return this.bytesOf(this.u16(`${what} length`), what);
  }

  /** A u32 length, then that many bytes. */
  vec32(what: string): Uint8Array {
    return this.bytesOf(this.u32(`${what} length`), what);
  }

  /** A reader over the next `n` bytes, which this reader skips. */
  sub(n: number, what: string): ByteReader {
    const p = this.#take(n, what);
    return new ByteReader(this.bytes, p, p + n);
  }

  /** Throws unless everything was read. */
  done(what: string): void {
    if (this.#pos !== this.end) throw new DecodeError(`${what}: ${this.end - this.#pos} unexpected trailing bytes`);
  }
}
