// A FIFO of bytes for stream parsers (records, frames, HTTP heads): bytes are appended into one
// buffer that grows by doubling and is compacted when its free space runs out, so every byte is
// copied a constant number of times however the stream is chunked (a peer sending one byte per
// TCP segment costs no more than one sending whole records).

export class ByteQueue {
  #buf = new Uint8Array(256);
  #start = 0;
  #end = 0;

  get length(): number {
    return this.#end - this.#start;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length > this.#buf.length - this.#end) {
      const needed = this.length + chunk.length;
      if (needed <= this.#buf.length / 2) {
        this.#buf.copyWithin(0, this.#start, this.#end); // compact in place
      } else {
        let size = this.#buf.length * 2;
        while (size < needed) size *= 2;
        const grown = new Uint8Array(size);
        grown.set(this.#buf.subarray(this.#start, this.#end));
        this.#buf = grown;
      }
      this.#end = this.length;
      this.#start = 0;
    }
    this.#buf.set(chunk, this.#end);
    this.#end += chunk.length;
  }

  /** A view of the first `n` queued bytes (valid until the next push). */
  peek(n: number): Uint8Array {
    return this.#buf.subarray(this.#start, this.#start + Math.min(n, this.length));
  }

  /** Removes and returns (as a copy) the first `n` bytes. */
  take(n: number): Uint8Array {
    const out = this.#buf.slice(this.#start, this.#start + n);
    this.#start += n;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    return out;
  }

  /** Position of `pattern` in the queued bytes, or -1. */
  indexOf(pattern: Uint8Array, from = 0): number {
    const view = this.#buf.subarray(this.#start, this.#end);
    outer: for (let i = from; i + pattern.length <= view.length; i++) {
      for (let j = 0; j < pattern.length; j++) if (view[i + j] !== pattern[j]) continue outer;
      return i;
    }
    return -1;
  }
}
