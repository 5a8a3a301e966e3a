// Four squaring chains side by side: f_j ← f_j^(2^n) for four field elements at once, one per
// 32-bit lane of a v128 (SIMD build). Batch verification decodes a point R per signature, and a
// decoding is one exponentiation, z^((p-5)/8): 252 squarings, about half of verifying a signature in
// a batch under one key (a Wesh log). A squaring is 55 products of ref10's limbs; scalar code makes
// them with i64.mul, which current x86 cores issue once per cycle, and is bound by that. Here
// i64x2.extmul_{low,high}_i32x4_s (pmuldq) make two 32 × 32 → 64 products per instruction.
//
// Limbs: ref10's radix 2^25.5 (fe25519.ts), but kept non-negative. Then every product and every sum
// is non-negative and a carry is a logical shift (c = h >>> bits, h -= c << bits), where ref10's
// signed rounding carry would need a 64-bit arithmetic shift, which x86 lacks below AVX-512 (V8
// emulates i64x2.shr_s in six instructions). normalize() brings the inputs, which may have negative
// limbs, to that form by adding 4p and carrying once. Bounds: the squaring's inputs are below 2^26
// (even limbs) and 2^25 + 2^13 (odd), so 2f < 2^27, 19 f_even < 2^31 and 38 f_odd < 2^31 fit the i32
// lanes, a column sums to less than 2^59, and the outputs have the same bounds; the outputs are
// valid inputs for fe25519.ts (below its 1.65·2^26 / 1.65·2^25).
//
// Straight-line: no branch or index depends on the values (constant time, like fe25519.ts), though
// its one caller decodes public points. The scalar build runs sqTimes four times. The results equal
// sqTimes' as field elements, not limb by limb (the tests compare encodings).

import { FE, feMul, pow2250m1, sqTimes } from './fe25519';
import { wipe } from '../runtime/bytes';

/** Lane products: elements 0 and 1 (low i32 lanes), elements 2 and 3 (high). */
@inline function mulLo(x: v128, y: v128): v128 { return i64x2.extmul_low_i32x4_s(x, y); }
@inline function mulHi(x: v128, y: v128): v128 { return i64x2.extmul_high_i32x4_s(x, y); }

/** 19 c (2^255 ≡ 19), without i64x2.mul (several instructions on x86). */
@inline function times19(c: v128): v128 {
  return i64x2.add(i64x2.add(i64x2.shl(c, 4), i64x2.shl(c, 1)), c);
}

/** The low 32 bits of the four i64 lanes of a (elements 0, 1) and b (2, 3), as one i32x4. */
@inline function pack(a: v128, b: v128): v128 { return v128.shuffle<i32>(a, b, 0, 2, 4, 6); }

/** The limbs of 4p, which make any input limb (|f_i| < 1.65·2^26 or 1.65·2^25) non-negative. */
const P4_EVEN: i64 = 4 * ((1 << 26) - 1), P4_ODD: i64 = 4 * ((1 << 25) - 1), P4_0: i64 = 4 * ((1 << 26) - 19);

/** The ten limbs of f + 4p, carried: non-negative, limb 0 below 2^26, limb 1 below 2^25 + 2^8, the others below 2^26 / 2^25. */
const NORM: usize = memory.data(4 * <i32>FE, 16);
function normalize(out: usize, f: usize): void {
  let c: i64 = 0;
  for (let i: usize = 0; i < 10; i++) {
    const bits: i64 = (i & 1) ? 25 : 26;
    const h = <i64>load<i32>(f + (i << 2)) + (i == 0 ? P4_0 : (i & 1) ? P4_ODD : P4_EVEN) + c;
    c = h >> bits;
    store<i32>(out + (i << 2), <i32>(h - (c << bits)));
  }
  // the carry out of limb 9 is c · 2^255 ≡ 19 c
  const h0 = <i64>load<i32>(out) + 19 * c;
  c = h0 >> 26;
  store<i32>(out, <i32>(h0 - (c << 26)));
  store<i32>(out, load<i32>(out, 4) + <i32>c, 4);
}

/** Limb i of the four elements at f (FE bytes apart), one per lane. */
@inline function gather(f: usize, i: usize): v128 {
  const at = f + (i << 2);
  let v = i32x4.splat(load<i32>(at));
  v = i32x4.replace_lane(v, 1, load<i32>(at + FE));
  v = i32x4.replace_lane(v, 2, load<i32>(at + 2 * FE));
  return i32x4.replace_lane(v, 3, load<i32>(at + 3 * FE));
}

@inline function scatter(h: usize, i: usize, v: v128): void {
  const at = h + (i << 2);
  store<i32>(at, i32x4.extract_lane(v, 0));
  store<i32>(at + FE, i32x4.extract_lane(v, 1));
  store<i32>(at + 2 * FE, i32x4.extract_lane(v, 2));
  store<i32>(at + 3 * FE, i32x4.extract_lane(v, 3));
}

/** h_j = f_j^(2^n) for the four elements at h and f (FE bytes apart; h may equal f), n ≥ 1. */
export function sqTimesX4(h: usize, f: usize, n: i32): void {
  if (!ASC_FEATURE_SIMD) {
    for (let j: usize = 0; j < 4; j++) sqTimes(h + j * FE, f + j * FE, n);
    return;
  }
  for (let j: usize = 0; j < 4; j++) normalize(NORM + j * FE, f + j * FE);
  let f0 = gather(NORM, 0), f1 = gather(NORM, 1), f2 = gather(NORM, 2), f3 = gather(NORM, 3), f4 = gather(NORM, 4);
  let f5 = gather(NORM, 5), f6 = gather(NORM, 6), f7 = gather(NORM, 7), f8 = gather(NORM, 8), f9 = gather(NORM, 9);
  const k19 = i32x4.splat(19), k38 = i32x4.splat(38);
  for (let i = 0; i < n; i++) {
    const f0_2 = i32x4.shl(f0, 1), f1_2 = i32x4.shl(f1, 1), f2_2 = i32x4.shl(f2, 1), f3_2 = i32x4.shl(f3, 1);
    const f4_2 = i32x4.shl(f4, 1), f5_2 = i32x4.shl(f5, 1), f6_2 = i32x4.shl(f6, 1), f7_2 = i32x4.shl(f7, 1);
    const f5_38 = i32x4.mul(f5, k38), f6_19 = i32x4.mul(f6, k19), f7_38 = i32x4.mul(f7, k38);
    const f8_19 = i32x4.mul(f8, k19), f9_38 = i32x4.mul(f9, k38);
    let a0 = i64x2.add(i64x2.add(i64x2.add(mulLo(f0, f0), mulLo(f1_2, f9_38)), i64x2.add(mulLo(f2_2, f8_19), mulLo(f3_2, f7_38))), i64x2.add(mulLo(f4_2, f6_19), mulLo(f5, f5_38)));
    let a1 = i64x2.add(i64x2.add(i64x2.add(mulLo(f0_2, f1), mulLo(f2, f9_38)), i64x2.add(mulLo(f3_2, f8_19), mulLo(f4, f7_38))), mulLo(f5_2, f6_19));
    let a2 = i64x2.add(i64x2.add(i64x2.add(mulLo(f0_2, f2), mulLo(f1_2, f1)), i64x2.add(mulLo(f3_2, f9_38), mulLo(f4_2, f8_19))), i64x2.add(mulLo(f5_2, f7_38), mulLo(f6, f6_19)));
    let a3 = i64x2.add(i64x2.add(i64x2.add(mulLo(f0_2, f3), mulLo(f1_2, f2)), i64x2.add(mulLo(f4, f9_38), mulLo(f5_2, f8_19))), mulLo(f6, f7_38));
    let a4 = i64x2.add(i64x2.add(i64x2.add(mulLo(f0_2, f4), mulLo(f1_2, f3_2)), i64x2.add(mulLo(f2, f2), mulLo(f5_2, f9_38))), i64x2.add(mulLo(f6_2, f8_19), mulLo(f7, f7_38)));
    let a5 = i64x2.add(i64x2.add(i64x2.add(mulLo(f0_2, f5), mulLo(f1_2, f4)), i64x2.add(mulLo(f2_2, f3), mulLo(f6, f9_38))), mulLo(f7_2, f8_19));
    let a6 = i64x2.add(i64x2.add(i64x2.add(mulLo(f0_2, f6), mulLo(f1_2, f5_2)), i64x2.add(mulLo(f2_2, f4), mulLo(f3_2, f3))), i64x2.add(mulLo(f7_2, f9_38), mulLo(f8, f8_19)));
    let a7 = i64x2.add(i64x2.add(i64x2.add(mulLo(f0_2, f7), mulLo(f1_2, f6)), i64x2.add(mulLo(f2_2, f5), mulLo(f3_2, f4))), mulLo(f8, f9_38));
    let a8 = i64x2.add(i64x2.add(i64x2.add(mulLo(f0_2, f8), mulLo(f1_2, f7_2)), i64x2.add(mulLo(f2_2, f6), mulLo(f3_2, f5_2))), i64x2.add(mulLo(f4, f4), mulLo(f9, f9_38)));
    let a9 = i64x2.add(i64x2.add(i64x2.add(mulLo(f0_2, f9), mulLo(f1_2, f8)), i64x2.add(mulLo(f2_2, f7), mulLo(f3_2, f6))), mulLo(f4_2, f5));
    let b0 = i64x2.add(i64x2.add(i64x2.add(mulHi(f0, f0), mulHi(f1_2, f9_38)), i64x2.add(mulHi(f2_2, f8_19), mulHi(f3_2, f7_38))), i64x2.add(mulHi(f4_2, f6_19), mulHi(f5, f5_38)));
    let b1 = i64x2.add(i64x2.add(i64x2.add(mulHi(f0_2, f1), mulHi(f2, f9_38)), i64x2.add(mulHi(f3_2, f8_19), mulHi(f4, f7_38))), mulHi(f5_2, f6_19));
    let b2 = i64x2.add(i64x2.add(i64x2.add(mulHi(f0_2, f2), mulHi(f1_2, f1)), i64x2.add(mulHi(f3_2, f9_38), mulHi(f4_2, f8_19))), i64x2.add(mulHi(f5_2, f7_38), mulHi(f6, f6_19)));
    let b3 = i64x2.add(i64x2.add(i64x2.add(mulHi(f0_2, f3), mulHi(f1_2, f2)), i64x2.add(mulHi(f4, f9_38), mulHi(f5_2, f8_19))), mulHi(f6, f7_38));
    let b4 = i64x2.add(i64x2.add(i64x2.add(mulHi(f0_2, f4), mulHi(f1_2, f3_2)), i64x2.add(mulHi(f2, f2), mulHi(f5_2, f9_38))), i64x2.add(mulHi(f6_2, f8_19), mulHi(f7, f7_38)));
    let b5 = i64x2.add(i64x2.add(i64x2.add(mulHi(f0_2, f5), mulHi(f1_2, f4)), i64x2.add(mulHi(f2_2, f3), mulHi(f6, f9_38))), mulHi(f7_2, f8_19));
    let b6 = i64x2.add(i64x2.add(i64x2.add(mulHi(f0_2, f6), mulHi(f1_2, f5_2)), i64x2.add(mulHi(f2_2, f4), mulHi(f3_2, f3))), i64x2.add(mulHi(f7_2, f9_38), mulHi(f8, f8_19)));
    let b7 = i64x2.add(i64x2.add(i64x2.add(mulHi(f0_2, f7), mulHi(f1_2, f6)), i64x2.add(mulHi(f2_2, f5), mulHi(f3_2, f4))), mulHi(f8, f9_38));
    let b8 = i64x2.add(i64x2.add(i64x2.add(mulHi(f0_2, f8), mulHi(f1_2, f7_2)), i64x2.add(mulHi(f2_2, f6), mulHi(f3_2, f5_2))), i64x2.add(mulHi(f4, f4), mulHi(f9, f9_38)));
    let b9 = i64x2.add(i64x2.add(i64x2.add(mulHi(f0_2, f9), mulHi(f1_2, f8)), i64x2.add(mulHi(f2_2, f7), mulHi(f3_2, f6))), mulHi(f4_2, f5));
    let c: v128;
    c = i64x2.shr_u(a0, 26); a0 = i64x2.sub(a0, i64x2.shl(c, 26)); a1 = i64x2.add(a1, c);
    c = i64x2.shr_u(a4, 26); a4 = i64x2.sub(a4, i64x2.shl(c, 26)); a5 = i64x2.add(a5, c);
    c = i64x2.shr_u(a1, 25); a1 = i64x2.sub(a1, i64x2.shl(c, 25)); a2 = i64x2.add(a2, c);
    c = i64x2.shr_u(a5, 25); a5 = i64x2.sub(a5, i64x2.shl(c, 25)); a6 = i64x2.add(a6, c);
    c = i64x2.shr_u(a2, 26); a2 = i64x2.sub(a2, i64x2.shl(c, 26)); a3 = i64x2.add(a3, c);
    c = i64x2.shr_u(a6, 26); a6 = i64x2.sub(a6, i64x2.shl(c, 26)); a7 = i64x2.add(a7, c);
    c = i64x2.shr_u(a3, 25); a3 = i64x2.sub(a3, i64x2.shl(c, 25)); a4 = i64x2.add(a4, c);
    c = i64x2.shr_u(a7, 25); a7 = i64x2.sub(a7, i64x2.shl(c, 25)); a8 = i64x2.add(a8, c);
    c = i64x2.shr_u(a4, 26); a4 = i64x2.sub(a4, i64x2.shl(c, 26)); a5 = i64x2.add(a5, c);
    c = i64x2.shr_u(a8, 26); a8 = i64x2.sub(a8, i64x2.shl(c, 26)); a9 = i64x2.add(a9, c);
    c = i64x2.shr_u(a9, 25); a9 = i64x2.sub(a9, i64x2.shl(c, 25)); a0 = i64x2.add(a0, times19(c));
    c = i64x2.shr_u(a0, 26); a0 = i64x2.sub(a0, i64x2.shl(c, 26)); a1 = i64x2.add(a1, c);
    c = i64x2.shr_u(b0, 26); b0 = i64x2.sub(b0, i64x2.shl(c, 26)); b1 = i64x2.add(b1, c);
    c = i64x2.shr_u(b4, 26); b4 = i64x2.sub(b4, i64x2.shl(c, 26)); b5 = i64x2.add(b5, c);
    c = i64x2.shr_u(b1, 25); b1 = i64x2.sub(b1, i64x2.shl(c, 25)); b2 = i64x2.add(b2, c);
    c = i64x2.shr_u(b5, 25); b5 = i64x2.sub(b5, i64x2.shl(c, 25)); b6 = i64x2.add(b6, c);
    c = i64x2.shr_u(b2, 26); b2 = i64x2.sub(b2, i64x2.shl(c, 26)); b3 = i64x2.add(b3, c);
    c = i64x2.shr_u(b6, 26); b6 = i64x2.sub(b6, i64x2.shl(c, 26)); b7 = i64x2.add(b7, c);
    c = i64x2.shr_u(b3, 25); b3 = i64x2.sub(b3, i64x2.shl(c, 25)); b4 = i64x2.add(b4, c);
    c = i64x2.shr_u(b7, 25); b7 = i64x2.sub(b7, i64x2.shl(c, 25)); b8 = i64x2.add(b8, c);
    c = i64x2.shr_u(b4, 26); b4 = i64x2.sub(b4, i64x2.shl(c, 26)); b5 = i64x2.add(b5, c);
    c = i64x2.shr_u(b8, 26); b8 = i64x2.sub(b8, i64x2.shl(c, 26)); b9 = i64x2.add(b9, c);
    c = i64x2.shr_u(b9, 25); b9 = i64x2.sub(b9, i64x2.shl(c, 25)); b0 = i64x2.add(b0, times19(c));
    c = i64x2.shr_u(b0, 26); b0 = i64x2.sub(b0, i64x2.shl(c, 26)); b1 = i64x2.add(b1, c);
    f0 = pack(a0, b0);
    f1 = pack(a1, b1);
    f2 = pack(a2, b2);
    f3 = pack(a3, b3);
    f4 = pack(a4, b4);
    f5 = pack(a5, b5);
    f6 = pack(a6, b6);
    f7 = pack(a7, b7);
    f8 = pack(a8, b8);
    f9 = pack(a9, b9);

  }
  scatter(h, 0, f0); scatter(h, 1, f1); scatter(h, 2, f2); scatter(h, 3, f3); scatter(h, 4, f4);
  scatter(h, 5, f5); scatter(h, 6, f6); scatter(h, 7, f7); scatter(h, 8, f8); scatter(h, 9, f9);
  wipe(NORM, 4 * FE);
}

// ---- z^((p-5)/8) for four elements: fe25519.ts's addition chain (pow2250m1), the squarings four at a time ----

const X4: usize = 4 * FE;
const Q0: usize = memory.data(4 * <i32>X4, 16), Q1: usize = Q0 + X4, Q2: usize = Q1 + X4, Q3: usize = Q2 + X4;

/** h_j = f_j · g_j for the four elements (scalar: a product is not a run like the squarings). */
function mulX4(h: usize, f: usize, g: usize): void {
  for (let j: usize = 0; j < X4; j += FE) feMul(h + j, f + j, g + j);
}

/** out_j = z_j^(2^252 - 3) for the four elements at z (FE bytes apart); out may equal z. */
export function pow22523X4(out: usize, z: usize): void {
  pow2250m1(z, Q0, Q1, Q2, Q3, sqTimesX4, mulX4);
  sqTimesX4(Q2, Q2, 2);       // 2^252 - 4
  mulX4(out, Q2, z);          // 2^252 - 3
  wipe(Q0, 4 * X4);
}
