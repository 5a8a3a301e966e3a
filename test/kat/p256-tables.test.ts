// P-256's base-point tables are built in wasm on first use (assembly/curve/p256/base_tables.ts), not
// shipped in the module: a fresh instance holds zeros there until a call needs them, and then every
// entry (the comb's j · 2^(12 i) · G and verification's odd multiples (2j + 1) · G) is the point
// @noble/curves computes, as a field element in Montgomery form (x · 2^260 mod p).
import { p256 as nobleP256 } from '@noble/curves/nist.js';
import { describe, expect, it } from 'vitest';
import { init, p256 } from '../../bindings/index.js';
import { engine } from '../../bindings/wasm/select.js';
import { forEachBuild } from '../helpers/builds.js';

const P = 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n;
const R = 2n ** 260n;
const COMB = 22 * 32, ODD = 64, POINT_BYTES = 80;

type Affine = { x: bigint; y: bigint };
const G = nobleP256.Point.BASE;

/** The comb (row i: 2^(12 i) G … 32 · 2^(12 i) G), then G, 3G, …, 127G, by repeated addition. */
function expectedTables(): Affine[] {
  const points: Affine[] = [];
  let row = G;
  for (let i = 0; i < 22; i++) {
    for (let j = 1, q = row; j <= 32; j++, q = q.add(row)) points.push(q.toAffine());
    for (let k = 0; k < 12; k++) row = row.double();
  }
  for (let j = 0, q = G; j < ODD; j++, q = q.add(G.double())) points.push(q.toAffine());
  return points;
}

const mod = (a: bigint) => ((a % P) + P) % P;

/** The field element at `at`: ten signed 26-bit limbs in Montgomery form, as its value mod p. */
function element(view: DataView, at: number): bigint {
  let v = 0n;
  for (let i = 9; i >= 0; i--) v = (v << 26n) + BigInt(view.getInt32(at + 4 * i, true));
  return mod(v * modInverse(R));
}

function modInverse(a: bigint): bigint {
  let [r, newR, t, newT] = [mod(a), P, 1n, 0n];
  while (newR !== 0n) {
    const q = r / newR;
    [r, newR, t, newT] = [newR, r - q * newR, newT, t - q * newT];
  }
  return mod(t);
}

forEachBuild((build) => {
  describe('p256 base-point tables', () => {
    it('are zero in a fresh instance and built by the first call that needs them', () => {
      const at = engine().abi.p256_tables();
      init({ wasm: build });
      const fresh = engine();
      const region = () => fresh.u8.subarray(at, at + (COMB + ODD) * POINT_BYTES);
      expect(region().every((b) => b === 0)).toBe(true);
      p256.publicKey(new Uint8Array(32).fill(7));
      expect(region().some((b) => b !== 0)).toBe(true);
      expect(fresh.abi.p256_tables()).toBe(at);
    });

    it('hold j · 2^(12 i) · G and the odd multiples of G (against @noble/curves)', () => {
      const e = engine();
      const at = e.abi.p256_tables();
      const view = new DataView(e.u8.buffer, e.u8.byteOffset);
      const expected = expectedTables();
      expect(expected).toHaveLength(COMB + ODD);
      expected.forEach(({ x, y }, k) => {
        const where = k < COMB ? `comb row ${k >> 5}, ${(k & 31) + 1} · 2^(12 i) G` : `${2 * (k - COMB) + 1} G`;
        expect(element(view, at + k * POINT_BYTES), where).toBe(x);
        expect(element(view, at + k * POINT_BYTES + 40), where).toBe(y);
      });
    });
  });
});
