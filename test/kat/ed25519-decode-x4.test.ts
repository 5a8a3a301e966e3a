// Batch verification decodes the signatures' R four at a time (assembly/curve/ge25519_decode_x4.ts:
// on the SIMD build the 252 squarings of each square root run in the four lanes of a v128, with
// non-negative limbs and carries of their own). Each lane must answer exactly as RFC 8032 §5.1.3
// decoding does, checked here against @noble/curves (strict decoding, zip215 = false) on random
// encodings, points and their negations, and the edge cases: non-canonical y, x = 0 with the sign
// bit set, the points of small order, y = 0 and y = ±1.
import { ed25519 as noble } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { forEachBuild } from '../helpers/builds.js';
import { raw } from '../helpers/raw.js';

const P = 2n ** 255n - 19n;
const le = (n: bigint) => {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
};
/** The encoding of y with the sign bit `sign` (y may be ≥ p: non-canonical). */
const encoding = (y: bigint, sign: number) => {
  const e = le(y);
  e[31] |= sign << 7;
  return e;
};

/** What strict RFC 8032 decoding gives: affine x ‖ y (little-endian), or undefined. */
function expected(e: Uint8Array): Uint8Array | undefined {
  let point;
  try {
    point = noble.Point.fromBytes(e, false);
  } catch {
    return undefined;
  }
  const { x, y } = point.toAffine();
  const out = new Uint8Array(64);
  out.set(le(x));
  out.set(le(y), 32);
  return out;
}

/** The wasm's four-lane decoding of encodings, four at a time (the last group padded by repeating). */
function decodeAll(encodings: Uint8Array[]): (Uint8Array | undefined)[] {
  const out: (Uint8Array | undefined)[] = [];
  for (let i = 0; i < encodings.length; i += 4) {
    const group = [0, 1, 2, 3].map((j) => encodings[Math.min(i + j, encodings.length - 1)]);
    const input = new Uint8Array(128);
    group.forEach((e, j) => input.set(e, 32 * j));
    const result = raw([input], 256 + 16, (x, [s], o) => {
      const mask = x.ed25519_decode_x4(o + 16, s);
      new DataView(x.memory.buffer).setUint32(o, mask, true);
    });
    const mask = new DataView(result.buffer, result.byteOffset).getUint32(0, true);
    for (let j = 0; j < 4 && i + j < encodings.length; j++) {
      out.push(mask & (1 << j) ? result.slice(16 + 64 * j, 16 + 64 * j + 64) : undefined);
    }
  }
  return out;
}

function random(n: number, seed: number): Uint8Array[] {
  let s = seed;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
  return Array.from({ length: n }, () => Uint8Array.from({ length: 32 }, () => next() & 0xff));
}

const edgeCases = (): Uint8Array[] => {
  const cases: Uint8Array[] = [];
  for (const sign of [0, 1]) {
    for (let k = 0n; k < 19n; k++) cases.push(encoding(P + k, sign)); // y ≥ p: not canonical
    cases.push(encoding(2n ** 255n - 1n, sign));
    cases.push(encoding(0n, sign), encoding(1n, sign), encoding(P - 1n, sign), encoding(2n, sign));
  }
  // the eight points of small order (x = 0 ones among them) and their other sign
  const torsion = [
    '0100000000000000000000000000000000000000000000000000000000000000',
    'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    '0000000000000000000000000000000000000000000000000000000000000080',
    '0000000000000000000000000000000000000000000000000000000000000000',
    'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
    'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
    '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
    '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  ];
  for (const h of torsion) cases.push(Uint8Array.from(Buffer.from(h, 'hex')));
  return cases;
};

forEachBuild(() => {
  describe('Ed25519 point decoding, four lanes (batch verification)', () => {
    it('answers as strict RFC 8032 decoding (@noble/curves) on 4,000 random encodings', () => {
      const encodings = random(4000, 0x5eed);
      const got = decodeAll(encodings);
      let decoded = 0;
      encodings.forEach((e, i) => {
        const want = expected(e);
        if (want) decoded++;
        expect(got[i], `encoding ${i}`).toEqual(want);
      });
      // about half of all y have an x: both answers are exercised
      expect(decoded).toBeGreaterThan(1700);
      expect(decoded).toBeLessThan(2300);
    });

    it('decodes 1,000 points and their negations to the same coordinates as @noble/curves', () => {
      const encodings: Uint8Array[] = [];
      for (let i = 1n; i <= 500n; i++) {
        const e = noble.Point.BASE.multiply(i * 0x9e3779b97f4a7c15n + 7n).toBytes();
        encodings.push(e, Uint8Array.from(e, (b, j) => (j === 31 ? b ^ 0x80 : b)));
      }
      const got = decodeAll(encodings);
      encodings.forEach((e, i) => {
        const want = expected(e);
        expect(want, `point ${i}`).toBeDefined();
        expect(got[i], `point ${i}`).toEqual(want);
      });
    });

    it('refuses or accepts the edge cases exactly as @noble/curves does', () => {
      const encodings = edgeCases();
      const got = decodeAll(encodings);
      let refused = 0;
      encodings.forEach((e, i) => {
        const want = expected(e);
        if (!want) refused++;
        expect(got[i], `edge case ${i}: ${Buffer.from(e).toString('hex')}`).toEqual(want);
      });
      expect(refused).toBeGreaterThanOrEqual(40); // the non-canonical y, and x = 0 with the sign bit
    });

    it('gives each lane its own answer whatever the other three hold', () => {
      // one valid point in each position among encodings that do not decode, and the reverse
      const valid = noble.Point.BASE.multiply(12345n).toBytes();
      const invalid = encoding(P + 3n, 0);
      for (let j = 0; j < 4; j++) {
        const group = [0, 1, 2, 3].map((k) => (k === j ? valid : invalid));
        expect(decodeAll(group).map((r) => r !== undefined)).toEqual([0, 1, 2, 3].map((k) => k === j));
        const reverse = [0, 1, 2, 3].map((k) => (k === j ? invalid : valid));
        expect(decodeAll(reverse).map((r) => r !== undefined)).toEqual([0, 1, 2, 3].map((k) => k !== j));
      }
    });
  });
});
