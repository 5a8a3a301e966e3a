// Multi-scalar multiplication Σ s_j P_j by the bucket method (Pippenger, "On the evaluation of
// powers and related problems", 1976; as used for batch verification by Bernstein, Doumen, Lange,
// Oosterwijk, "Faster batch forgery identification", INDOCRYPT 2012, and in curve25519-dalek's
// vartime Pippenger). Straus interleaving (ge25519.ts multiScalarMultVartime) costs each point a
// table of 8 multiples and ~1 addition per 6 scalar bits; the bucket method needs no table and ~1
// addition per c bits (window width c), plus per window a fixed 2 · 2^(c-1) additions to sum the
// buckets, so it wins once there are enough points to share that fixed cost.
//
// VARIABLE TIME: branches and bucket indices depend on the scalars and points. Only for public
// data (signature verification); batch verification's random coefficients z_i are secret only in
// the weak sense that a caller must not learn them before choosing the batch, and all scratch is
// in the caller's block, which the bindings wipe when they free it.
//
// Each window of c bits of every scalar is a signed digit d in (-2^(c-1), 2^(c-1)] (a digit above
// half the window borrows from the next window), so there are 2^(c-1) buckets and -P costs nothing.
// Per window: point j goes into bucket |d_j| (added or subtracted); then the running sum
//     running = B_top + … + B_k,  total += running   (k from the top bucket down to 1)
// gives Σ k · B_k with two additions per bucket. Windows run low to high (the signed recoding
// carries upward), their sums are kept, and Horner's rule with c doublings per window joins them.

import { FE, feAdd, feCopy, feMul, feNeg, feSetInt, feSub } from './fe25519';
import { CACHED, P3, add, dbl, madd, msub, p1ToP2, p1ToP3, p3Identity, p3ToCached } from './ge25519';
import { D2 } from './ed25519_tables';

/**
 * One point of the multiplication, as msmPoint writes it: affine x, y, xy and 2dxy (for mixed
 * additions without a multiplication by 2d each time), the 32-byte scalar, 7 zero bytes that
 * window reads may run into, and one byte of recoding carry.
 */
export const MSM_POINT: usize = 4 * FE + 32 + 8;
const SCALAR: usize = 4 * FE;
const CARRY: usize = MSM_POINT - 1;

/** Narrowest and widest windows; the widest bounds the bucket scratch (2^15 × 161 bytes). */
const MIN_WIDTH: u32 = 4, MAX_WIDTH: u32 = 16;
/** Windows at most: 256 bits at the narrowest width. */
const MAX_WINDOWS: usize = 64;

/**
 * Writes point `p` (a P3 with Z = 1, as decode() returns it) and its little-endian 32-byte scalar
 * (below 2^253) as an entry at `rec`.
 */
export function msmPoint(rec: usize, p: usize, scalar: usize): void {
  feCopy(rec, p);                       // x
  feCopy(rec + FE, p + FE);             // y
  feCopy(rec + 2 * FE, p + 3 * FE);     // xy
  feMul(rec + 3 * FE, p + 3 * FE, D2);  // 2dxy
  for (let i: usize = 0; i < 32; i += 8) store<u64>(rec + SCALAR + i, load<u64>(scalar + i));
  store<u64>(rec + SCALAR + 32, 0);
}

/** The entry's point as a P3 (Z = 1), for Straus' tables. */
export function msmPointGet(p: usize, rec: usize): void {
  feCopy(p, rec);
  feCopy(p + FE, rec + FE);
  feSetInt(p + 2 * FE, 1);
  feCopy(p + 3 * FE, rec + 2 * FE);
}

/** The entry's scalar (32 bytes). */
export function msmScalar(rec: usize): usize {
  return rec + SCALAR;
}

/** Estimated field multiplications for n points with `short` ≤ 128-bit scalars, the rest ≤ 253 bits. */
function cost(c: u32, n: usize, short: usize, bits: u32): u64 {
  const w = <u64>c;
  const additions = <u64>short * ((129 + w - 1) / w) + <u64>(n - short) * ((254 + w - 1) / w);
  const windows = (<u64>bits + 1 + w - 1) / w;
  // a bucket addition is 7 multiplications (mixed addition and back to extended), each bucket of
  // the running sum two full additions of 9
  return 7 * additions + 18 * windows * (<u64>1 << (w - 1));
}

/** The window width of least estimated cost, at most `limit`. */
export function msmWidth(n: usize, short: usize, limit: u32): u32 {
  const bits: u32 = short == n ? 128 : 253;
  let best: u32 = MIN_WIDTH;
  for (let c = MIN_WIDTH + 1; c <= limit; c++) if (cost(c, n, short, bits) < cost(best, n, short, bits)) best = c;
  return best;
}

/** The widest window any subset of `n` points chooses: all short scalars, half, or none. */
export function msmWidthLimit(n: usize): u32 {
  let c = msmWidth(n, n, MAX_WIDTH);
  const half = msmWidth(n, n >> 1, MAX_WIDTH), long = msmWidth(n, 0, MAX_WIDTH);
  if (half > c) c = half;
  if (long > c) c = long;
  return c;
}

// Temporaries live at the start of the caller's scratch (static data is kept small: the module's
// initial memory is two pages), then the buckets, their flags and the window sums.
const TEMPS: usize = 3 * P3 + CACHED + 3 * FE;

/** Bytes of scratch msm needs with windows up to `width`. */
export function msmScratch(width: u32): usize {
  const buckets = <usize>1 << (width - 1);
  return TEMPS + buckets * P3 + ((buckets + 15) & ~15) + MAX_WINDOWS * P3;
}

// pointers to the temporaries, set by msmVartime (wasm globals, not linear memory)
let SUM1: usize = 0, SUM2: usize = 0, RP1: usize = 0, CACHE1: usize = 0;
let Q: usize = 0;                                // a point's (y + x, y - x, 2dxy)

/** acc (P3) += p (P3); acc and p must differ. */
function addP3(acc: usize, p: usize): void {
  p3ToCached(CACHE1, p);
  add(RP1, acc, CACHE1);
  p1ToP3(acc, RP1);
}

/** Bucket (P3) = ± the entry's point, for an empty bucket: the affine coordinates, Z = 1. */
function setBucket(bucket: usize, rec: usize, negative: bool): void {
  if (negative) feNeg(bucket, rec); else feCopy(bucket, rec);
  feCopy(bucket + FE, rec + FE);
  feSetInt(bucket + 2 * FE, 1);
  if (negative) feNeg(bucket + 3 * FE, rec + 2 * FE); else feCopy(bucket + 3 * FE, rec + 2 * FE);
}

/** Bucket (P3) ±= the entry's point: a mixed addition with (y + x, y - x, 2dxy). */
function addToBucket(bucket: usize, rec: usize, negative: bool): void {
  feAdd(Q, rec + FE, rec);
  feSub(Q + FE, rec + FE, rec);
  feCopy(Q + 2 * FE, rec + 3 * FE);
  if (negative) msub(RP1, bucket, Q); else madd(RP1, bucket, Q);
  p1ToP3(bucket, RP1);
}

/** p (P3) = 2^k p. */
function doubleTimes(p: usize, k: u32): void {
  for (let i: u32 = 0; i < k; i++) {
    dbl(RP1, p);
    if (i + 1 < k) p1ToP2(p, RP1);   // a doubling reads X, Y, Z only
    else p1ToP3(p, RP1);
  }
}

/**
 * r (P3) = Σ s_j P_j over the `n` entries at `points` (MSM_POINT bytes apart, written by msmPoint).
 * `scratch` has msmScratch(limit) bytes, `limit` ≤ MAX_WIDTH bounding the window width.
 */
export function msmVartime(r: usize, points: usize, n: usize, scratch: usize, limit: u32): void {
  // scalars above 128 bits decide how many windows there are and the width's cost
  let short: usize = 0;
  for (let j: usize = 0; j < n; j++) {
    const rec = points + j * MSM_POINT;
    store<u8>(rec + CARRY, 0);
    if ((load<u64>(rec + SCALAR + 16) | load<u64>(rec + SCALAR + 24)) == 0) short++;
  }
  const c = msmWidth(n, short, limit);
  const bits: u32 = short == n ? 128 : 253;
  const windows = (bits + 1 + c - 1) / c;   // the top window never carries out (see the digit rule)
  const count = <usize>1 << (c - 1);        // buckets 1..count at buckets + (k - 1) · P3
  SUM1 = scratch; SUM2 = SUM1 + P3; RP1 = SUM2 + P3; CACHE1 = RP1 + P3; Q = CACHE1 + CACHED;
  const buckets = scratch + TEMPS, flags = buckets + count * P3, sums = flags + ((count + 15) & ~15);
  const mask: u64 = (<u64>1 << c) - 1;
  const half: u32 = <u32>count;
  for (let w: u32 = 0; w < windows; w++) {
    memory.fill(flags, 0, count);
    const pos = w * c;
    for (let j: usize = 0; j < n; j++) {
      const rec = points + j * MSM_POINT;
      let d = <u32>((load<u64>(rec + SCALAR + <usize>(pos >> 3)) >> <u64>(pos & 7)) & mask) + <u32>load<u8>(rec + CARRY);
      // d in [0, 2^c]: above half the window it becomes d - 2^c and carries 1 upward
      const carry = d > half;
      store<u8>(rec + CARRY, <u8>carry);
      if (carry) d = (1 << c) - d;
      if (d == 0) continue;
      const k = <usize>(d - 1);
      const bucket = buckets + k * P3;
      if (load<u8>(flags + k)) addToBucket(bucket, rec, carry);
      else {
        setBucket(bucket, rec, carry);
        store<u8>(flags + k, 1);
      }
    }
    // Σ k · B_k = Σ_k (B_top + … + B_k): SUM1 the running sum, SUM2 the total
    let running = false, total = false;
    for (let k = <isize>count - 1; k >= 0; k--) {
      if (load<u8>(flags + k)) {
        const bucket = buckets + <usize>k * P3;
        if (running) addP3(SUM1, bucket);
        else { memory.copy(SUM1, bucket, P3); running = true; }
      }
      if (!running) continue;
      if (total) addP3(SUM2, SUM1);
      else { memory.copy(SUM2, SUM1, P3); total = true; }
    }
    const sum = sums + <usize>w * P3;
    if (total) memory.copy(sum, SUM2, P3);
    else p3Identity(sum);
  }
  // Horner: r = Σ 2^(w c) · sum_w
  memory.copy(r, sums + <usize>(windows - 1) * P3, P3);
  for (let w = <i32>windows - 2; w >= 0; w--) {
    doubleTimes(r, c);
    addP3(r, sums + <usize>w * P3);
  }
}
