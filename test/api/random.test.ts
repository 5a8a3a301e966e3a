// The CSPRNG wrapper (bindings/random.ts): getRandomValues in 64 KiB steps, and the small-request
// pool — refilled before it runs short, never handing a byte out twice, never keeping one it handed out.
import { describe, expect, it, vi } from 'vitest';
import { fillRandom, poolState, randomBytes } from '../../bindings/random.js';

/** Pearson's chi-square of the byte histogram (255 degrees of freedom). */
function chiSquare(bytes: Uint8Array): number {
  const counts = new Array<number>(256).fill(0);
  for (const b of bytes) counts[b]!++;
  const expected = bytes.length / 256;
  return counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
}
// P(chi-square(255) > 420) < 1e-9: a uniform source fails this about once in a billion runs.
const CHI_LIMIT = 420;

describe('random source', () => {
  it('fills through getRandomValues in 64 KiB steps (its per-call limit)', () => {
    const spy = vi.spyOn(crypto, 'getRandomValues');
    try {
      const out = new Uint8Array(65536 * 2 + 5);
      fillRandom(out);
      expect(spy.mock.calls.map(([v]) => (v as Uint8Array).length)).toEqual([65536, 65536, 5]);
      expect(chiSquare(out)).toBeLessThan(CHI_LIMIT);
      const view = new Uint8Array(300).subarray(100, 200); // a view: only its own bytes are written
      fillRandom(view);
      expect(new Uint8Array(view.buffer, 0, 100).every((b) => b === 0)).toBe(true);
      expect(new Uint8Array(view.buffer, 200, 100).every((b) => b === 0)).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it('the pool zeroes what it hands out and refills before a request would run past its end', () => {
    // 100 does not divide 4096: the 41st request finds 96 bytes left and must take a fresh pool
    for (let i = 0; i < 200; i++) {
      const out = randomBytes(100);
      const { pool, used } = poolState();
      expect(used).toBeLessThanOrEqual(pool.length);
      expect(pool.subarray(used - 100, used).every((b) => b === 0), 'handed-out bytes left in the pool').toBe(true);
      // a short read would leave trailing zeros: four zero bytes happen by chance once in 2^32
      expect(out.subarray(96).some((b) => b !== 0), `request ${i} ends in zeros`).toBe(true);
    }
  });

  it('pooled and direct outputs differ from each other and look uniform', () => {
    const small = Array.from({ length: 2000 }, () => randomBytes(32)); // crosses several pool refills
    expect(new Set(small.map((b) => Buffer.from(b).toString('hex'))).size).toBe(small.length);
    const joined = new Uint8Array(small.length * 32);
    small.forEach((b, i) => joined.set(b, i * 32));
    expect(chiSquare(joined)).toBeLessThan(CHI_LIMIT);
    for (const n of [257, 5000, 70000]) expect(chiSquare(randomBytes(n).subarray(0, 5000))).toBeLessThan(CHI_LIMIT * 2);
    expect(randomBytes(0)).toHaveLength(0);
  });
});
