// The client's proof of work (§5.1 step 3): split pq (a product of two primes, normally below
// 2^63) into p < q, with Pollard's rho in Brent's variant (R. P. Brent, "An improved Monte Carlo
// factorization algorithm", BIT 20, 1980), accumulating |x − y| products and taking one gcd per
// batch. Plain BigInt: pq is public, nothing here needs to be constant time.

import { MtprotoError } from '../errors.js';
import { gcd, millerRabin } from './bigint.js';

const LIMIT = 1n << 64n;
const SMALL_PRIMES = [2n, 3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n, 31n, 37n];
const BATCH = 128;
// Steps per attempt: far above the ≈ 2^16 expected for a factor near 2^32, and still bounded so a
// hostile pq cannot keep the client busy (≈ 10^6 BigInt steps, well under a second).
const MAX_STEPS = 1 << 20;
const ATTEMPTS = 8;

/**
 * Deterministic Miller–Rabin for n < 2^64: the first twelve primes as bases are enough (Sorenson &
 * Webster 2015: no strong pseudoprime to all of them below 3.3·10^24).
 */
export function isPrime64(n: bigint): boolean {
  if (n < 0n || n >= LIMIT) throw new RangeError('isPrime64: n must be in [0, 2^64)');
  if (n < 2n) return false;
  for (const p of SMALL_PRIMES) if (n % p === 0n) return n === p;
  return millerRabin(n, SMALL_PRIMES);
}

/** One run of Brent's rho with f(x) = x² + c mod n: a proper divisor of n, or null. */
function brent(n: bigint, c: bigint): bigint | null {
  const f = (v: bigint) => (v * v + c) % n;
  let y = 2n;
  let x = y;
  let ys = y;
  let g = 1n;
  let q = 1n;
  let steps = 0;
  for (let r = 1; g === 1n; r *= 2) {
    x = y;
    for (let i = 0; i < r; i++) y = f(y);
    for (let k = 0; k < r && g === 1n; k += BATCH) {
      ys = y;
      const m = Math.min(BATCH, r - k);
      for (let i = 0; i < m; i++) {
        y = f(y);
        q = (q * (x > y ? x - y : y - x)) % n;
      }
      g = gcd(q, n);
      steps += m;
    }
    if (steps > MAX_STEPS) return null;
  }
  if (g === n) {
    // The batch overshot: step through it one gcd at a time.
    do {
      ys = f(ys);
      g = gcd(x > ys ? x - ys : ys - x, n);
    } while (g === 1n);
  }
  return g === n ? null : g;
}

/**
 * pq = p·q with 1 < p < q. pq must be below 2^64 and composite; a prime, a square of a prime, a
 * value out of range or one the bounded search cannot split → MtprotoError('handshake-bad-pq').
 */
export function factorPq(pq: bigint): { p: bigint; q: bigint } {
  if (typeof pq !== 'bigint') throw new TypeError('factorPq: pq must be a bigint');
  if (pq < 6n || pq >= LIMIT) throw new MtprotoError('handshake-bad-pq', `pq ${pq} is outside [6, 2^64)`);
  if (isPrime64(pq)) throw new MtprotoError('handshake-bad-pq', `pq ${pq} is prime`);
  let d: bigint | null = null;
  for (const p of SMALL_PRIMES) if (pq % p === 0n) {
    d = p;
    break;
  }
  for (let c = 1n; d === null && c <= BigInt(ATTEMPTS); c++) d = brent(pq, c);
  if (d === null) throw new MtprotoError('handshake-bad-pq', `could not factor pq ${pq}`);
  const other = pq / d;
  const [p, q] = d < other ? [d, other] : [other, d];
  if (p === q) throw new MtprotoError('handshake-bad-pq', `pq ${pq} is a square`);
  return { p, q };
}
