// The modular inversions (assembly/curve/divsteps.ts: Bernstein–Yang divsteps, 600 of them in
// batches of 30) against BigInt's x^(M - 2), through the functions that use them, with their
// conversions (the raw ABI's invert_for_tests): P-256's feInvert (mod p) and scInvert (mod n),
// Curve25519's feInvert (mod 2^255 - 19). Edge values (0, 1, M - 1, powers of two, values near
// 2^256), long runs of zero or one bits, and random values. The edge values need up to 526 divsteps
// and random ones up to about 535, so a loop cut to 17 batches (510) fails here; that 600 always
// suffice is the bound (590) that divsteps.ts cites, which no test can reach.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { engine } from '../../bindings/wasm/select.js';
import { forEachBuild } from '../helpers/builds.js';

const MODULI = [
  { name: 'P-256 p', m: 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n, id: 0, littleEndian: false },
  { name: 'P-256 n', m: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n, id: 1, littleEndian: false },
  { name: '2^255 - 19', m: 2n ** 255n - 19n, id: 2, littleEndian: true },
] as const;

function pow(base: bigint, exponent: bigint, m: bigint): bigint {
  let r = 1n;
  for (let b = base % m, e = exponent; e > 0n; e >>= 1n, b = (b * b) % m) if (e & 1n) r = (r * b) % m;
  return r;
}

const toBytes = (x: bigint, le: boolean) => {
  const b = Uint8Array.from({ length: 32 }, (_, i) => Number((x >> BigInt(8 * (31 - i))) & 0xffn));
  return le ? b.reverse() : b;
};
const fromBytes = (b: Uint8Array, le: boolean) => (le ? b.slice().reverse() : b).reduce((acc, byte) => (acc << 8n) | BigInt(byte), 0n);

/** Values below m that stress the divsteps: extremes, sparse and dense bit patterns. */
function edgeValues(m: bigint): bigint[] {
  const values = [0n, 1n, 2n, 3n, m - 1n, m - 2n, (m - 1n) / 2n, (m + 1n) / 2n, 2n ** 255n, 2n ** 256n - 1n - m];
  for (let k = 1n; k < 256n; k += 7n) values.push(2n ** k, 2n ** k - 1n, m - 2n ** k, (2n ** 256n - 1n) >> k);
  return values.map((v) => ((v % m) + m) % m);
}

function invert(x: bigint, id: number, le: boolean): bigint {
  const e = engine();
  const at = e.alloc(64);
  try {
    e.u8.set(toBytes(x, le), at);
    e.abi.invert_for_tests(at + 32, at, id);
    return fromBytes(e.u8.slice(at + 32, at + 64), le);
  } finally {
    e.free(at, 64);
  }
}

forEachBuild(() => {
  for (const { name, m, id, littleEndian } of MODULI) {
    describe(`inversion mod ${name}`, () => {
      it('inverts the edge values (0 to 0)', () => {
        for (const x of edgeValues(m)) expect(invert(x, id, littleEndian), x.toString(16)).toBe(x === 0n ? 0n : pow(x, m - 2n, m));
      });
      it('inverts 3000 random values', () => {
        for (let i = 0; i < 3000; i++) {
          const x = fromBytes(randomBytes(32), false) % m;
          expect((x * invert(x, id, littleEndian)) % m, x.toString(16)).toBe(x === 0n ? 0n : 1n);
        }
      });
    });
  }
});
