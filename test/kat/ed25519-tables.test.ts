// B's tables are built in wasm on first use (assembly/curve/ed25519_base_tables.ts), not shipped in
// the module: a fresh instance holds zeros there until a call reads them. Then every entry (the
// comb's j · 256^i · B, verification's odd multiples (2j + 1) · B and (2j + 1) · 2^128 · B) is, in
// the precomputed form (y + x, y - x, 2dxy), the point @noble/curves computes; and each public
// operation that reads them gives the right answer as the very first call of an instance.
import { ed25519 as noble, x25519 as nobleX25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { ed25519, init, x25519 } from '../../bindings/index.js';
import { engine } from '../../bindings/wasm/select.js';
import { forEachBuild } from '../helpers/builds.js';

const P = 2n ** 255n - 19n;
const D = noble.Point.CURVE().d;
const COMB = 32 * 8, ODD = 64, POINT_BYTES = 120;
const OFFSETS = [0, 26, 51, 77, 102, 128, 153, 179, 204, 230];

type Affine = { x: bigint; y: bigint };
const B = noble.Point.BASE;

/** The comb (row i: 256^i B … 8 · 256^i B), then B, 3B, …, 127B, then the same for 2^128 B. */
function expectedTables(): Affine[] {
  const points: Affine[] = [];
  let row = B;
  for (let i = 0; i < 32; i++) {
    for (let j = 1, q = row; j <= 8; j++, q = q.add(row)) points.push(q.toAffine());
    for (let k = 0; k < 8; k++) row = row.double();
  }
  let hi = B;
  for (let k = 0; k < 128; k++) hi = hi.double();
  for (const p of [B, hi]) for (let j = 0, q = p; j < ODD; j++, q = q.add(p.double())) points.push(q.toAffine());
  return points;
}

const mod = (a: bigint) => ((a % P) + P) % P;

/** The field element at `at`: ten signed limbs of radix 2^25.5, as its value mod p. */
function element(view: DataView, at: number): bigint {
  return mod(OFFSETS.reduce((v, offset, i) => v + (BigInt(view.getInt32(at + 4 * i, true)) << BigInt(offset)), 0n));
}

const seed = (k: number) => Uint8Array.from({ length: 32 }, (_, i) => (i * 29 + k * 7 + 1) & 0xff);

forEachBuild((build) => {
  describe('ed25519 base-point tables', () => {
    it('are zero in a fresh instance and built by the first call that needs them', () => {
      const at = engine().abi.ed25519_tables();
      init({ wasm: build });
      const fresh = engine();
      const region = () => fresh.u8.subarray(at, at + (COMB + 2 * ODD) * POINT_BYTES);
      expect(region().every((b) => b === 0)).toBe(true);
      x25519.publicKey(seed(1));
      expect(region().some((b) => b !== 0)).toBe(true);
      expect(fresh.abi.ed25519_tables()).toBe(at);
    });

    it('hold j · 256^i · B and the odd multiples of B and 2^128 · B (against @noble/curves)', () => {
      const e = engine();
      const at = e.abi.ed25519_tables();
      const view = new DataView(e.u8.buffer, e.u8.byteOffset);
      const expected = expectedTables();
      expect(expected).toHaveLength(COMB + 2 * ODD);
      expected.forEach(({ x, y }, k) => {
        const where = k < COMB ? `comb row ${k >> 3}, ${(k & 7) + 1} · 256^i B` : `${2 * ((k - COMB) % ODD) + 1} · ${k < COMB + ODD ? '' : '2^128 · '}B`;
        const entry = at + k * POINT_BYTES;
        expect(element(view, entry), where).toBe(mod(y + x));
        expect(element(view, entry + 40), where).toBe(mod(y - x));
        expect(element(view, entry + 80), where).toBe(mod(2n * D * x * y));
      });
    });

    // Each operation that reads the tables, as the first call of a fresh instance.
    const sk = seed(2), message = new TextEncoder().encode('first call');
    const signature = noble.sign(message, sk), publicKey = noble.getPublicKey(sk);
    const batch = Array.from({ length: 8 }, (_, k) => {
      const s = seed(10 + k), m = Uint8Array.of(k);
      return { publicKey: noble.getPublicKey(s), message: m, signature: noble.sign(m, s) };
    });
    const firstCalls: Array<[string, () => unknown, unknown]> = [
      ['x25519.publicKey', () => x25519.publicKey(sk), nobleX25519.getPublicKey(sk)],
      ['ed25519.publicKey', () => ed25519.publicKey(sk), publicKey],
      ['ed25519.sign', () => ed25519.sign(sk, message), signature],
      ['ed25519.verify', () => ed25519.verify(publicKey, message, signature), true],
      ['ed25519.verifyBatch', () => ed25519.verifyBatch(batch), batch.map(() => true)],
      ['ed25519.verifier', () => ed25519.verifier(publicKey).verify(message, signature), true],
    ];
    for (const [name, call, expected] of firstCalls) {
      it(`${name} is right as the first call of an instance`, () => {
        init({ wasm: build });
        expect(call()).toEqual(expected);
      });
    }
  });
});
