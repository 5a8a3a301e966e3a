// The bytes a decoder has received but not yet turned into frames: a list of chunks read in place,
// so a frame that arrives in many pieces is copied once, when it is complete. Internal to the
// transports.
//
// Ownership: the queue may keep a reference to a caller's chunk only until the decoder's push()
// returns; own() then copies whatever is left of it, so the caller may reuse its buffer afterwards.

import { copyInto, lengthOf, view } from '../../bytes.js';

export class ByteQueue {
  #chunks: Uint8Array[] = [];
  #first = 0; // index of the first live chunk (consumed chunks are dropped in batches, not shifted one by one)
  #head = 0; // bytes of the first live chunk already consumed
  #length = 0;
  #borrowed = false; // whether the last chunk is the caller's memory

  /** Bytes available. */
  get length(): number {
    return this.#length;
  }

  /** Appends a chunk: `owned` if the decoder made it, else borrowed until own(). */
  push(chunk: Uint8Array, owned: boolean): void {
    this.own();
    const n = lengthOf(chunk);
    if (n === 0) return;
    this.#chunks.push(owned ? chunk : view(chunk, 0, n));
    this.#borrowed = !owned;
    this.#length += n;
  }

  /** Copies the rest of a borrowed chunk, so nothing retained points into the caller's memory. */
  own(): void {
    if (!this.#borrowed) return;
    this.#borrowed = false;
    const last = this.#chunks.length - 1;
    if (last < this.#first) return;
    const start = last === this.#first ? this.#head : 0;
    this.#chunks[last] = this.#chunks[last].slice(start);
    if (last === this.#first) this.#head = 0;
  }

  /** The byte at `index` (< length) counted from the front. */
  byteAt(index: number): number {
    let i = index + this.#head;
    for (let c = this.#first; c < this.#chunks.length; c++) {
      const chunk = this.#chunks[c];
      if (i < chunk.length) return chunk[i];
      i -= chunk.length;
    }
    throw new RangeError(`ByteQueue: byte ${index} of ${this.#length}`); // a decoder bug, never peer input
  }

  /** The little-endian uint32 at `index` (index + 4 <= length). */
  uint32le(index: number): number {
    return (this.byteAt(index) | (this.byteAt(index + 1) << 8) | (this.byteAt(index + 2) << 16) | (this.byteAt(index + 3) << 24)) >>> 0;
  }

  /** Removes the first `n` bytes (n <= length) and returns them as a fresh array. */
  take(n: number): Uint8Array {
    if (n > this.#length) throw new RangeError(`ByteQueue: take ${n} of ${this.#length}`);
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const chunk = this.#chunks[this.#first];
      const k = Math.min(n - at, chunk.length - this.#head);
      copyInto(out, chunk.subarray(this.#head, this.#head + k), at);
      at += k;
      this.#consume(k, chunk.length);
    }
    return out;
  }

  /** Drops the first `n` bytes (n <= length). */
  skip(n: number): void {
    if (n > this.#length) throw new RangeError(`ByteQueue: skip ${n} of ${this.#length}`);
    let left = n;
    while (left > 0) {
      const chunkLength = this.#chunks[this.#first].length;
      const k = Math.min(left, chunkLength - this.#head);
      left -= k;
      this.#consume(k, chunkLength);
    }
  }

  #consume(k: number, chunkLength: number): void {
    this.#head += k;
    this.#length -= k;
    if (this.#head < chunkLength) return;
    this.#head = 0;
    this.#first++;
    if (this.#first === this.#chunks.length) {
      this.#chunks = [];
      this.#first = 0;
      this.#borrowed = false;
    } else if (this.#first >= 64 && this.#first * 2 >= this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#first);
      this.#first = 0;
    }
  }

  /** Forgets everything, zeroing the copies this queue owns. */
  clear(): void {
    const last = this.#chunks.length - 1;
    for (let c = this.#first; c <= last; c++) if (!(this.#borrowed && c === last)) this.#chunks[c].fill(0);
    this.#chunks = [];
    this.#first = 0;
    this.#head = 0;
    this.#length = 0;
    this.#borrowed = false;
  }
}
