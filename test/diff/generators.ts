// Input generators for the differential properties: lengths biased to block edges, fills that
// stress carries (all-zero, all-0xff) and unaligned views (a random offset into a larger buffer).
import fc from 'fast-check';

/** Lengths where block, padding and buffer logic changes (SHA-1/256: 64-byte blocks, SHA-512: 128). */
export const EDGE_LENGTHS = [
  0, 1, 2, 3, 15, 16, 17, 31, 32, 33, 47, 48, 55, 56, 57, 63, 64, 65, 111, 112, 113, 119, 120, 127, 128, 129,
  191, 192, 239, 240, 255, 256, 257, 1023, 1024, 1025, 4095, 4096,
  // where messages stop fitting the 64 KiB I/O window with their nonce, AAD and tag
  65_471, 65_472, 65_488, 65_503, 65_504, 65_505, 65_520, 65_535, 65_536, 65_537,
];

export function lengthUpTo(max: number): fc.Arbitrary<number> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...EDGE_LENGTHS.filter((n) => n <= max)), weight: 3 },
    { arbitrary: fc.integer({ min: 0, max }), weight: 2 },
  );
}

export function integerIn(min: number, max: number): fc.Arbitrary<number> {
  return fc.oneof({ arbitrary: fc.constantFrom(min, max), weight: 1 }, { arbitrary: fc.integer({ min, max }), weight: 4 });
}

/** Deterministic bytes from a 32-bit seed (xorshift32), so shrinking acts on length and fill only. */
function fillBytes(out: Uint8Array, seed: number): void {
  let x = seed | 1;
  for (let i = 0; i < out.length; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = x & 0xff;
  }
}

export interface BytesSpec { len: number; fill: 'random' | 'zero' | 'ff'; seed: number; offset: number }

export function bytesUpTo(max: number): fc.Arbitrary<Uint8Array> {
  return bytesWithLength(lengthUpTo(max));
}

export function bytesOfLength(len: number): fc.Arbitrary<Uint8Array> {
  return bytesWithLength(fc.constant(len));
}

function bytesWithLength(length: fc.Arbitrary<number>): fc.Arbitrary<Uint8Array> {
  return fc
    .record({
      len: length,
      fill: fc.constantFrom<'random' | 'zero' | 'ff'>('random', 'random', 'zero', 'ff'),
      seed: fc.integer(),
      offset: fc.integer({ min: 0, max: 15 }),
    })
    .map(({ len, fill, seed, offset }) => {
      const backing = new Uint8Array(len + offset);
      const view = backing.subarray(offset);
      if (fill === 'random') fillBytes(view, seed);
      else if (fill === 'ff') view.fill(0xff);
      return view;
    });
}

/** Sorted split points inside [0, len] for streaming updates. */
export function splitPoints(maxPieces = 8): fc.Arbitrary<number[]> {
  return fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: maxPieces });
}

export function splitAt(data: Uint8Array, fractions: number[]): Uint8Array[] {
  const cuts = fractions.map((f) => Math.floor(f * data.length)).sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...cuts, data.length]) {
    pieces.push(data.subarray(prev, c));
    prev = c;
  }
  return pieces;
}

/**
 * What a call produced: its output in hex ('true' / 'false' for a boolean), or the class of the error
 * it threw. Both sides rejecting counts as agreement.
 */
export function outcome(run: () => Uint8Array | Uint8Array[] | boolean): string {
  try {
    const r = run();
    // (a boolean used to fall into the byte path below and come out as 'throws:TypeError')
    if (typeof r === 'boolean') return String(r);
    const list = Array.isArray(r) ? r : [r];
    return list.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')).join(',');
  } catch (e) {
    return `throws:${(e as Error).constructor.name}`;
  }
}
