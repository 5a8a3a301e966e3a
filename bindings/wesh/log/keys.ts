// Binary-string keys. A byte array maps to a string of the same length whose code units are its
// bytes (all < 256, so V8 keeps it one-byte); JavaScript compares strings by code unit, so comparing
// two such strings is comparing the bytes lexicographically. The log uses them as Map keys (CIDs)
// and in the total order (order.ts: writer and CID bytes), computed once per entry.

/** Node's native byte → one-byte-string copy (a Buffer method that takes any Uint8Array); absent in browsers. */
const latin1Slice = (globalThis as { Buffer?: { prototype: { latin1Slice?: (this: Uint8Array, start: number, end: number) => string } } }).Buffer?.prototype.latin1Slice;

/** The binary string of `b` (see above). */
export function binaryKey(b: Uint8Array): string {
  return binaryKeyAt(b, 0, b.length);
}

/** The binary string of `b[start, end)`, without making a view of it. */
export function binaryKeyAt(b: Uint8Array, start: number, end: number): string {
  if (latin1Slice) return latin1Slice.call(b, start, end); // 3-4× faster: most of a merge's key-making
  let s = '';
  for (let i = start; i < end; i += 4096) {
    s += String.fromCharCode.apply(null, b.subarray(i, Math.min(i + 4096, end)) as unknown as number[]);
  }
  return s;
}

/** The bytes of a binary string. */
export function keyBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
