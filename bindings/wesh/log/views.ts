// Views of part of a buffer the log owns (a block, a slab of blocks), made with the Uint8Array
// constructor rather than subarray(): subarray() looks up the species constructor each time, and a
// merge makes several views per entry (50,000 entries: hundreds of thousands of them), where the
// constructor is measurably cheaper. Only for arrays the log made itself (no hostile getters).

/** A plain Uint8Array over b[start, end) (the same memory). */
export function viewOf(b: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset + start, end - start);
}
