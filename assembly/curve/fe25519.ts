// Arithmetic in GF(2^255 - 19), the field of X25519 and Ed25519.
//
// Limbs: ten signed 32-bit limbs, limb i holding bits ⌈25.5 i⌉ onwards (26 bits for even i, 25 for
// odd), the "ref10" representation (Bernstein et al.). wasm multiplies i64 × i64 → i64 but has no
// 64 × 64 → 128, so limbs this small keep every product and the sum of ten of them inside an i64;
// 5 × 51-bit limbs would need 128-bit products emulated with four multiplies each.
// The product of limbs i and j lands in limb (i + j) mod 10, times 2 when i and j are both odd
// (their weights overshoot by one bit) and times 19 when i + j ≥ 10 (2^255 ≡ 19).
//
// On the SIMD builds feMul computes its 100 products two at a time: f_i splatted against pairs of g's
// limbs (i64x2.extmul_low_i32x4_s), the pairs prepared once per call with the factors 2 (odd·odd) and
// 19 (wrapped) folded in, five accumulators of two columns each. V8's code for it (11.3, x64): 507
// instructions with 107 stack accesses, against 556 and 277 for the scalar form, whose 20 limbs and
// 14 multiples it spills; 37–42 vs 50–60 ns per product, X25519 106–110 → 89–94 µs (Zen 3, A/B in
// one process). Squaring stays scalar (55 products, symmetric).
//
// Bounds (as in ref10): mul/sq take limbs below about 1.65·2^26 (even) and 1.65·2^25 (odd) and
// return limbs below about 1.01·2^25 / 1.01·2^24 thanks to signed, rounding carries, so the sum or
// difference of two outputs is a valid input. Every function is straight-line: no branch or index
// depends on field values. Elements are 40 bytes (FE) in linear memory.

import { wipe } from '../runtime/bytes';
import { MOD_25519, divstepsInvert, divstepsLoadBytes, divstepsStoreBytes, divstepsWipe } from './divsteps';

export const FE: usize = 40;

@inline function l(f: usize, i: usize): i64 { return <i64>load<i32>(f + (i << 2)); }

/** Signed rounding carry of `h` at `bits`: returns the carry; the caller adds it to the next limb. */
@inline function carryOf(h: i64, bits: i32): i64 {
  return (h + (<i64>1 << (bits - 1))) >> bits;
}

/** Writes ten 64-bit limb values to `out` after the ref10 carry sequence. */
@inline function store10(out: usize, h0: i64, h1: i64, h2: i64, h3: i64, h4: i64, h5: i64, h6: i64, h7: i64, h8: i64, h9: i64): void {
  let c: i64;
  c = carryOf(h0, 26); h1 += c; h0 -= c << 26;
  c = carryOf(h4, 26); h5 += c; h4 -= c << 26;
  c = carryOf(h1, 25); h2 += c; h1 -= c << 25;
  c = carryOf(h5, 25); h6 += c; h5 -= c << 25;
  c = carryOf(h2, 26); h3 += c; h2 -= c << 26;
  c = carryOf(h6, 26); h7 += c; h6 -= c << 26;
  c = carryOf(h3, 25); h4 += c; h3 -= c << 25;
  c = carryOf(h7, 25); h8 += c; h7 -= c << 25;
  c = carryOf(h4, 26); h5 += c; h4 -= c << 26;
  c = carryOf(h8, 26); h9 += c; h8 -= c << 26;
  c = carryOf(h9, 25); h0 += c * 19; h9 -= c << 25;
  c = carryOf(h0, 26); h1 += c; h0 -= c << 26;
  store<i32>(out, <i32>h0); store<i32>(out, <i32>h1, 4); store<i32>(out, <i32>h2, 8); store<i32>(out, <i32>h3, 12);
  store<i32>(out, <i32>h4, 16); store<i32>(out, <i32>h5, 20); store<i32>(out, <i32>h6, 24); store<i32>(out, <i32>h7, 28);
  store<i32>(out, <i32>h8, 32); store<i32>(out, <i32>h9, 36);
}

/** h = f · g. Any of them may alias. */
export function feMul(h: usize, f: usize, g: usize): void {
  if (ASC_FEATURE_SIMD) {
    const N19 = i32x4.splat(19), TWO_ONE = i32x4(2, 1, 0, 0);
    const e0 = v128.load64_zero(g, 0), w0 = i32x4.mul(e0, N19);   // (g0, g1), times 19
    const e2 = v128.load64_zero(g, 8), w2 = i32x4.mul(e2, N19);   // (g2, g3), times 19
    const e4 = v128.load64_zero(g, 16), w4 = i32x4.mul(e4, N19);   // (g4, g5), times 19
    const e6 = v128.load64_zero(g, 24), w6 = i32x4.mul(e6, N19);   // (g6, g7), times 19
    const e8 = v128.load64_zero(g, 32), w8 = i32x4.mul(e8, N19);   // (g8, g9), times 19
    const o1 = i32x4.mul(v128.load64_zero(g, 4), TWO_ONE), x1 = i32x4.mul(o1, N19);   // (2 g1, g2), times 19
    const o3 = i32x4.mul(v128.load64_zero(g, 12), TWO_ONE), x3 = i32x4.mul(o3, N19);   // (2 g3, g4), times 19
    const o5 = i32x4.mul(v128.load64_zero(g, 20), TWO_ONE), x5 = i32x4.mul(o5, N19);   // (2 g5, g6), times 19
    const o7 = i32x4.mul(v128.load64_zero(g, 28), TWO_ONE), x7 = i32x4.mul(o7, N19);   // (2 g7, g8), times 19
    const m9 = i32x4.mul(i32x4.shuffle(e8, e0, 1, 4, 2, 3), i32x4(38, 1, 0, 0));   // (38 g9, g0)
    const f0 = i32x4.splat(load<i32>(f, 0));
    let a0 = i64x2.extmul_low_i32x4_s(f0, e0);
    let a2 = i64x2.extmul_low_i32x4_s(f0, e2);
    let a4 = i64x2.extmul_low_i32x4_s(f0, e4);
    let a6 = i64x2.extmul_low_i32x4_s(f0, e6);
    let a8 = i64x2.extmul_low_i32x4_s(f0, e8);
    const f1 = i32x4.splat(load<i32>(f, 4));
    a0 = i64x2.add(a0, i64x2.extmul_low_i32x4_s(f1, m9));
    a2 = i64x2.add(a2, i64x2.extmul_low_i32x4_s(f1, o1));
    a4 = i64x2.add(a4, i64x2.extmul_low_i32x4_s(f1, o3));
    a6 = i64x2.add(a6, i64x2.extmul_low_i32x4_s(f1, o5));
    a8 = i64x2.add(a8, i64x2.extmul_low_i32x4_s(f1, o7));
    const f2 = i32x4.splat(load<i32>(f, 8));
    a0 = i64x2.add(a0, i64x2.extmul_low_i32x4_s(f2, w8));
    a2 = i64x2.add(a2, i64x2.extmul_low_i32x4_s(f2, e0));
    a4 = i64x2.add(a4, i64x2.extmul_low_i32x4_s(f2, e2));
    a6 = i64x2.add(a6, i64x2.extmul_low_i32x4_s(f2, e4));
    a8 = i64x2.add(a8, i64x2.extmul_low_i32x4_s(f2, e6));
    const f3 = i32x4.splat(load<i32>(f, 12));
    a0 = i64x2.add(a0, i64x2.extmul_low_i32x4_s(f3, x7));
    a2 = i64x2.add(a2, i64x2.extmul_low_i32x4_s(f3, m9));
    a4 = i64x2.add(a4, i64x2.extmul_low_i32x4_s(f3, o1));
    a6 = i64x2.add(a6, i64x2.extmul_low_i32x4_s(f3, o3));
    a8 = i64x2.add(a8, i64x2.extmul_low_i32x4_s(f3, o5));
    const f4 = i32x4.splat(load<i32>(f, 16));
    a0 = i64x2.add(a0, i64x2.extmul_low_i32x4_s(f4, w6));
    a2 = i64x2.add(a2, i64x2.extmul_low_i32x4_s(f4, w8));
    a4 = i64x2.add(a4, i64x2.extmul_low_i32x4_s(f4, e0));
    a6 = i64x2.add(a6, i64x2.extmul_low_i32x4_s(f4, e2));
    a8 = i64x2.add(a8, i64x2.extmul_low_i32x4_s(f4, e4));
    const f5 = i32x4.splat(load<i32>(f, 20));
    a0 = i64x2.add(a0, i64x2.extmul_low_i32x4_s(f5, x5));
    a2 = i64x2.add(a2, i64x2.extmul_low_i32x4_s(f5, x7));
    a4 = i64x2.add(a4, i64x2.extmul_low_i32x4_s(f5, m9));
    a6 = i64x2.add(a6, i64x2.extmul_low_i32x4_s(f5, o1));
    a8 = i64x2.add(a8, i64x2.extmul_low_i32x4_s(f5, o3));
    const f6 = i32x4.splat(load<i32>(f, 24));
    a0 = i64x2.add(a0, i64x2.extmul_low_i32x4_s(f6, w4));
    a2 = i64x2.add(a2, i64x2.extmul_low_i32x4_s(f6, w6));
    a4 = i64x2.add(a4, i64x2.extmul_low_i32x4_s(f6, w8));
    a6 = i64x2.add(a6, i64x2.extmul_low_i32x4_s(f6, e0));
    a8 = i64x2.add(a8, i64x2.extmul_low_i32x4_s(f6, e2));
    const f7 = i32x4.splat(load<i32>(f, 28));
    a0 = i64x2.add(a0, i64x2.extmul_low_i32x4_s(f7, x3));
    a2 = i64x2.add(a2, i64x2.extmul_low_i32x4_s(f7, x5));
    a4 = i64x2.add(a4, i64x2.extmul_low_i32x4_s(f7, x7));
    a6 = i64x2.add(a6, i64x2.extmul_low_i32x4_s(f7, m9));
    a8 = i64x2.add(a8, i64x2.extmul_low_i32x4_s(f7, o1));
    const f8 = i32x4.splat(load<i32>(f, 32));
    a0 = i64x2.add(a0, i64x2.extmul_low_i32x4_s(f8, w2));
    a2 = i64x2.add(a2, i64x2.extmul_low_i32x4_s(f8, w4));
    a4 = i64x2.add(a4, i64x2.extmul_low_i32x4_s(f8, w6));
    a6 = i64x2.add(a6, i64x2.extmul_low_i32x4_s(f8, w8));
    a8 = i64x2.add(a8, i64x2.extmul_low_i32x4_s(f8, e0));
    const f9 = i32x4.splat(load<i32>(f, 36));
    a0 = i64x2.add(a0, i64x2.extmul_low_i32x4_s(f9, x1));
    a2 = i64x2.add(a2, i64x2.extmul_low_i32x4_s(f9, x3));
    a4 = i64x2.add(a4, i64x2.extmul_low_i32x4_s(f9, x5));
    a6 = i64x2.add(a6, i64x2.extmul_low_i32x4_s(f9, x7));
    a8 = i64x2.add(a8, i64x2.extmul_low_i32x4_s(f9, m9));
    store10(h, i64x2.extract_lane(a0, 0), i64x2.extract_lane(a0, 1), i64x2.extract_lane(a2, 0), i64x2.extract_lane(a2, 1),
      i64x2.extract_lane(a4, 0), i64x2.extract_lane(a4, 1), i64x2.extract_lane(a6, 0), i64x2.extract_lane(a6, 1),
      i64x2.extract_lane(a8, 0), i64x2.extract_lane(a8, 1));
    return;
  }
  const f0 = l(f, 0), f1 = l(f, 1), f2 = l(f, 2), f3 = l(f, 3), f4 = l(f, 4), f5 = l(f, 5), f6 = l(f, 6), f7 = l(f, 7), f8 = l(f, 8), f9 = l(f, 9);
  const g0 = l(g, 0), g1 = l(g, 1), g2 = l(g, 2), g3 = l(g, 3), g4 = l(g, 4), g5 = l(g, 5), g6 = l(g, 6), g7 = l(g, 7), g8 = l(g, 8), g9 = l(g, 9);
  const g1_19 = 19 * g1, g2_19 = 19 * g2, g3_19 = 19 * g3, g4_19 = 19 * g4, g5_19 = 19 * g5;
  const g6_19 = 19 * g6, g7_19 = 19 * g7, g8_19 = 19 * g8, g9_19 = 19 * g9;
  const f1_2 = 2 * f1, f3_2 = 2 * f3, f5_2 = 2 * f5, f7_2 = 2 * f7, f9_2 = 2 * f9;
  const h0 = f0 * g0 + f1_2 * g9_19 + f2 * g8_19 + f3_2 * g7_19 + f4 * g6_19 + f5_2 * g5_19 + f6 * g4_19 + f7_2 * g3_19 + f8 * g2_19 + f9_2 * g1_19;
  const h1 = f0 * g1 + f1 * g0 + f2 * g9_19 + f3 * g8_19 + f4 * g7_19 + f5 * g6_19 + f6 * g5_19 + f7 * g4_19 + f8 * g3_19 + f9 * g2_19;
  const h2 = f0 * g2 + f1_2 * g1 + f2 * g0 + f3_2 * g9_19 + f4 * g8_19 + f5_2 * g7_19 + f6 * g6_19 + f7_2 * g5_19 + f8 * g4_19 + f9_2 * g3_19;
  const h3 = f0 * g3 + f1 * g2 + f2 * g1 + f3 * g0 + f4 * g9_19 + f5 * g8_19 + f6 * g7_19 + f7 * g6_19 + f8 * g5_19 + f9 * g4_19;
  const h4 = f0 * g4 + f1_2 * g3 + f2 * g2 + f3_2 * g1 + f4 * g0 + f5_2 * g9_19 + f6 * g8_19 + f7_2 * g7_19 + f8 * g6_19 + f9_2 * g5_19;
  const h5 = f0 * g5 + f1 * g4 + f2 * g3 + f3 * g2 + f4 * g1 + f5 * g0 + f6 * g9_19 + f7 * g8_19 + f8 * g7_19 + f9 * g6_19;
  const h6 = f0 * g6 + f1_2 * g5 + f2 * g4 + f3_2 * g3 + f4 * g2 + f5_2 * g1 + f6 * g0 + f7_2 * g9_19 + f8 * g8_19 + f9_2 * g7_19;
  const h7 = f0 * g7 + f1 * g6 + f2 * g5 + f3 * g4 + f4 * g3 + f5 * g2 + f6 * g1 + f7 * g0 + f8 * g9_19 + f9 * g8_19;
  const h8 = f0 * g8 + f1_2 * g7 + f2 * g6 + f3_2 * g5 + f4 * g4 + f5_2 * g3 + f6 * g2 + f7_2 * g1 + f8 * g0 + f9_2 * g9_19;
  const h9 = f0 * g9 + f1 * g8 + f2 * g7 + f3 * g6 + f4 * g5 + f5 * g4 + f6 * g3 + f7 * g2 + f8 * g1 + f9 * g0;
  store10(h, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9);
}

/** h = f² (or 2f² when `double`), with the symmetric products computed once. */
@inline function square(h: usize, f: usize, double: bool): void {
  const f0 = l(f, 0), f1 = l(f, 1), f2 = l(f, 2), f3 = l(f, 3), f4 = l(f, 4), f5 = l(f, 5), f6 = l(f, 6), f7 = l(f, 7), f8 = l(f, 8), f9 = l(f, 9);
  const f0_2 = 2 * f0, f1_2 = 2 * f1, f2_2 = 2 * f2, f3_2 = 2 * f3, f4_2 = 2 * f4, f5_2 = 2 * f5, f6_2 = 2 * f6, f7_2 = 2 * f7;
  const f5_38 = 38 * f5, f6_19 = 19 * f6, f7_38 = 38 * f7, f8_19 = 19 * f8, f9_38 = 38 * f9;
  let h0 = f0 * f0 + f1_2 * f9_38 + f2_2 * f8_19 + f3_2 * f7_38 + f4_2 * f6_19 + f5 * f5_38;
  let h1 = f0_2 * f1 + f2 * f9_38 + f3_2 * f8_19 + f4 * f7_38 + f5_2 * f6_19;
  let h2 = f0_2 * f2 + f1_2 * f1 + f3_2 * f9_38 + f4_2 * f8_19 + f5_2 * f7_38 + f6 * f6_19;
  let h3 = f0_2 * f3 + f1_2 * f2 + f4 * f9_38 + f5_2 * f8_19 + f6 * f7_38;
  let h4 = f0_2 * f4 + f1_2 * f3_2 + f2 * f2 + f5_2 * f9_38 + f6_2 * f8_19 + f7 * f7_38;
  let h5 = f0_2 * f5 + f1_2 * f4 + f2_2 * f3 + f6 * f9_38 + f7_2 * f8_19;
  let h6 = f0_2 * f6 + f1_2 * f5_2 + f2_2 * f4 + f3_2 * f3 + f7_2 * f9_38 + f8 * f8_19;
  let h7 = f0_2 * f7 + f1_2 * f6 + f2_2 * f5 + f3_2 * f4 + f8 * f9_38;
  let h8 = f0_2 * f8 + f1_2 * f7_2 + f2_2 * f6 + f3_2 * f5_2 + f4 * f4 + f9 * f9_38;
  let h9 = f0_2 * f9 + f1_2 * f8 + f2_2 * f7 + f3_2 * f6 + f4_2 * f5;
  if (double) {
    h0 += h0; h1 += h1; h2 += h2; h3 += h3; h4 += h4; h5 += h5; h6 += h6; h7 += h7; h8 += h8; h9 += h9;
  }
  store10(h, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9);
}

export function feSq(h: usize, f: usize): void { square(h, f, false); }
export function feSq2(h: usize, f: usize): void { square(h, f, true); }

/** h = g + f · 121666 ((A + 2) / 4 for Curve25519's A = 486662), one carry for both: the ladder's BB + 121666 E. */
export function feMul121666Add(h: usize, f: usize, g: usize): void {
  store10(h, l(g, 0) + l(f, 0) * 121666, l(g, 1) + l(f, 1) * 121666, l(g, 2) + l(f, 2) * 121666,
    l(g, 3) + l(f, 3) * 121666, l(g, 4) + l(f, 4) * 121666, l(g, 5) + l(f, 5) * 121666,
    l(g, 6) + l(f, 6) * 121666, l(g, 7) + l(f, 7) * 121666, l(g, 8) + l(f, 8) * 121666,
    l(g, 9) + l(f, 9) * 121666);
}

// The linear operations below are written out limb by limb: as loops they cost more in loop
// control than in arithmetic, and the ladder runs eight of them per bit. On the SIMD build limbs
// 0–3 and 4–7 go as one v128 each and limbs 8, 9 as i32 (an element is 40 bytes): X25519 11–12 %
// faster on a Zen 3 EPYC (A/B, both orders). Each part is loaded before it is stored, so outputs
// may alias inputs.

/** Limbs o .. o + 3 of f + g to `s` and of f - g to `d`, each if asked for (constants, folded when inlined). */
@inline function addSubPart(s: usize, d: usize, f: usize, g: usize, o: usize, sum: bool, diff: bool): void {
  const x = v128.load(f + o), y = v128.load(g + o);
  if (sum) v128.store(s + o, i32x4.add(x, y));
  if (diff) v128.store(d + o, i32x4.sub(x, y));
}

/** The same for limbs 8 and 9. */
@inline function addSubLimbs(s: usize, d: usize, f: usize, g: usize, sum: bool, diff: bool): void {
  const x8 = load<i32>(f, 32), x9 = load<i32>(f, 36), y8 = load<i32>(g, 32), y9 = load<i32>(g, 36);
  if (sum) { store<i32>(s, x8 + y8, 32); store<i32>(s, x9 + y9, 36); }
  if (diff) { store<i32>(d, x8 - y8, 32); store<i32>(d, x9 - y9, 36); }
}

export function feAdd(h: usize, f: usize, g: usize): void {
  if (ASC_FEATURE_SIMD) {
    addSubPart(h, 0, f, g, 0, true, false); addSubPart(h, 0, f, g, 16, true, false); addSubLimbs(h, 0, f, g, true, false);
    return;
  }
  const f0 = load<i32>(f), f1 = load<i32>(f, 4), f2 = load<i32>(f, 8), f3 = load<i32>(f, 12), f4 = load<i32>(f, 16);
  const f5 = load<i32>(f, 20), f6 = load<i32>(f, 24), f7 = load<i32>(f, 28), f8 = load<i32>(f, 32), f9 = load<i32>(f, 36);
  store<i32>(h, f0 + load<i32>(g)); store<i32>(h, f1 + load<i32>(g, 4), 4); store<i32>(h, f2 + load<i32>(g, 8), 8);
  store<i32>(h, f3 + load<i32>(g, 12), 12); store<i32>(h, f4 + load<i32>(g, 16), 16); store<i32>(h, f5 + load<i32>(g, 20), 20);
  store<i32>(h, f6 + load<i32>(g, 24), 24); store<i32>(h, f7 + load<i32>(g, 28), 28); store<i32>(h, f8 + load<i32>(g, 32), 32);
  store<i32>(h, f9 + load<i32>(g, 36), 36);
}

export function feSub(h: usize, f: usize, g: usize): void {
  if (ASC_FEATURE_SIMD) {
    addSubPart(0, h, f, g, 0, false, true); addSubPart(0, h, f, g, 16, false, true); addSubLimbs(0, h, f, g, false, true);
    return;
  }
  const f0 = load<i32>(f), f1 = load<i32>(f, 4), f2 = load<i32>(f, 8), f3 = load<i32>(f, 12), f4 = load<i32>(f, 16);
  const f5 = load<i32>(f, 20), f6 = load<i32>(f, 24), f7 = load<i32>(f, 28), f8 = load<i32>(f, 32), f9 = load<i32>(f, 36);
  store<i32>(h, f0 - load<i32>(g)); store<i32>(h, f1 - load<i32>(g, 4), 4); store<i32>(h, f2 - load<i32>(g, 8), 8);
  store<i32>(h, f3 - load<i32>(g, 12), 12); store<i32>(h, f4 - load<i32>(g, 16), 16); store<i32>(h, f5 - load<i32>(g, 20), 20);
  store<i32>(h, f6 - load<i32>(g, 24), 24); store<i32>(h, f7 - load<i32>(g, 28), 28); store<i32>(h, f8 - load<i32>(g, 32), 32);
  store<i32>(h, f9 - load<i32>(g, 36), 36);
}

/** s = f + g and d = f - g together (the ladder needs both for each pair it combines). */
export function feAddSub(s: usize, d: usize, f: usize, g: usize): void {
  if (ASC_FEATURE_SIMD) {
    addSubPart(s, d, f, g, 0, true, true); addSubPart(s, d, f, g, 16, true, true); addSubLimbs(s, d, f, g, true, true);
    return;
  }
  const f0 = load<i32>(f), f1 = load<i32>(f, 4), f2 = load<i32>(f, 8), f3 = load<i32>(f, 12), f4 = load<i32>(f, 16);
  const f5 = load<i32>(f, 20), f6 = load<i32>(f, 24), f7 = load<i32>(f, 28), f8 = load<i32>(f, 32), f9 = load<i32>(f, 36);
  const g0 = load<i32>(g), g1 = load<i32>(g, 4), g2 = load<i32>(g, 8), g3 = load<i32>(g, 12), g4 = load<i32>(g, 16);
  const g5 = load<i32>(g, 20), g6 = load<i32>(g, 24), g7 = load<i32>(g, 28), g8 = load<i32>(g, 32), g9 = load<i32>(g, 36);
  store<i32>(s, f0 + g0); store<i32>(s, f1 + g1, 4); store<i32>(s, f2 + g2, 8); store<i32>(s, f3 + g3, 12); store<i32>(s, f4 + g4, 16);
  store<i32>(s, f5 + g5, 20); store<i32>(s, f6 + g6, 24); store<i32>(s, f7 + g7, 28); store<i32>(s, f8 + g8, 32); store<i32>(s, f9 + g9, 36);
  store<i32>(d, f0 - g0); store<i32>(d, f1 - g1, 4); store<i32>(d, f2 - g2, 8); store<i32>(d, f3 - g3, 12); store<i32>(d, f4 - g4, 16);
  store<i32>(d, f5 - g5, 20); store<i32>(d, f6 - g6, 24); store<i32>(d, f7 - g7, 28); store<i32>(d, f8 - g8, 32); store<i32>(d, f9 - g9, 36);
}

export function feNeg(h: usize, f: usize): void {
  const f0 = load<i32>(f), f1 = load<i32>(f, 4), f2 = load<i32>(f, 8), f3 = load<i32>(f, 12), f4 = load<i32>(f, 16);
  const f5 = load<i32>(f, 20), f6 = load<i32>(f, 24), f7 = load<i32>(f, 28), f8 = load<i32>(f, 32), f9 = load<i32>(f, 36);
  store<i32>(h, -f0); store<i32>(h, -f1, 4); store<i32>(h, -f2, 8); store<i32>(h, -f3, 12); store<i32>(h, -f4, 16);
  store<i32>(h, -f5, 20); store<i32>(h, -f6, 24); store<i32>(h, -f7, 28); store<i32>(h, -f8, 32); store<i32>(h, -f9, 36);
}

export function feCopy(h: usize, f: usize): void {
  const a = load<u64>(f), b = load<u64>(f, 8), c = load<u64>(f, 16), d = load<u64>(f, 24), e = load<u64>(f, 32);
  store<u64>(h, a); store<u64>(h, b, 8); store<u64>(h, c, 16); store<u64>(h, d, 24); store<u64>(h, e, 32);
}

export function feSetInt(h: usize, v: i32): void {
  store<u64>(h, <u64><u32>v); store<u64>(h, 0, 8); store<u64>(h, 0, 16); store<u64>(h, 0, 24); store<u64>(h, 0, 32);
}

// Masked selection and swap work on the bits, so they run on 64-bit words (five per element).

@inline function movWord(f: usize, g: usize, m: u64): void {
  const x = load<u64>(f);
  store<u64>(f, x ^ ((x ^ load<u64>(g)) & m));
}

/** f = g where b = 1, unchanged where b = 0, by mask. */
export function feCmov(f: usize, g: usize, b: u32): void {
  const m = -(<u64>b);
  movWord(f, g, m); movWord(f + 8, g + 8, m); movWord(f + 16, g + 16, m); movWord(f + 24, g + 24, m); movWord(f + 32, g + 32, m);
}

@inline function swapLimb(f: usize, g: usize, m: i32): void {
  const x = load<i32>(f), y = load<i32>(g);
  const t = (x ^ y) & m;
  store<i32>(f, x ^ t);
  store<i32>(g, y ^ t);
}

@inline function swapQuad(f: usize, g: usize, m: v128): void {
  const x = v128.load(f), y = v128.load(g);
  const t = v128.and(v128.xor(x, y), m);
  v128.store(f, v128.xor(x, t));
  v128.store(g, v128.xor(y, t));
}

/**
 * Swaps f and g when b = 1, by mask. On the scalar build limb-sized accesses on purpose: the ladder
 * swaps elements the multiplications have just stored limb by limb, and a 64-bit load spanning two
 * pending 32-bit stores cannot be forwarded from the store buffer. The SIMD build swaps limbs 0–7
 * as two v128 all the same: measured 0–4 % faster for X25519 than limb-sized swaps beside the v128
 * additions (Zen 3; storing the products as v128 instead, to keep forwarding, cost more than it saved).
 */
export function feCswap(f: usize, g: usize, b: u32): void {
  const m = -(<i32>b);
  if (ASC_FEATURE_SIMD) {
    const mv = i32x4.splat(m);
    swapQuad(f, g, mv); swapQuad(f + 16, g + 16, mv); swapLimb(f + 32, g + 32, m); swapLimb(f + 36, g + 36, m);
    return;
  }
  swapLimb(f, g, m); swapLimb(f + 4, g + 4, m); swapLimb(f + 8, g + 8, m); swapLimb(f + 12, g + 12, m);
  swapLimb(f + 16, g + 16, m); swapLimb(f + 20, g + 20, m); swapLimb(f + 24, g + 24, m); swapLimb(f + 28, g + 28, m);
  swapLimb(f + 32, g + 32, m); swapLimb(f + 36, g + 36, m);
}

// Limb i of a 32-byte little-endian encoding: bits ⌈25.5 i⌉ .. +26 (even i) or +25 (odd i). Every
// limb fits in the 32-bit word starting at its first byte.
@inline function bits(s: usize, offset: u32, width: u32): i64 {
  return <i64>((load<u32>(s + (offset >> 3)) >>> (offset & 7)) & ((1 << width) - 1));
}

/** h = the 255-bit integer in s (32 bytes, little-endian; bit 255 ignored), not reduced. */
export function feFromBytes(h: usize, s: usize): void {
  store10(h, bits(s, 0, 26), bits(s, 26, 25), bits(s, 51, 26), bits(s, 77, 25), bits(s, 102, 26),
    bits(s, 128, 25), bits(s, 153, 26), bits(s, 179, 25), bits(s, 204, 26), bits(s, 230, 25));
}

/** s = the canonical encoding of h (fully reduced to [0, p)), 32 bytes little-endian. */
export function feToBytes(s: usize, h: usize): void {
  let h0 = load<i32>(h), h1 = load<i32>(h, 4), h2 = load<i32>(h, 8), h3 = load<i32>(h, 12), h4 = load<i32>(h, 16);
  let h5 = load<i32>(h, 20), h6 = load<i32>(h, 24), h7 = load<i32>(h, 28), h8 = load<i32>(h, 32), h9 = load<i32>(h, 36);
  // q = 1 exactly when h ≥ p: the carry out of h + 19 past 2^255
  let q = (19 * h9 + (1 << 24)) >> 25;
  q = (h0 + q) >> 26; q = (h1 + q) >> 25; q = (h2 + q) >> 26; q = (h3 + q) >> 25; q = (h4 + q) >> 26;
  q = (h5 + q) >> 25; q = (h6 + q) >> 26; q = (h7 + q) >> 25; q = (h8 + q) >> 26; q = (h9 + q) >> 25;
  // h - q·p = h + 19q - q·2^255: add 19q, carry exactly, drop the carry out of bit 255
  h0 += 19 * q;
  let c = h0 >> 26; h1 += c; h0 -= c << 26;
  c = h1 >> 25; h2 += c; h1 -= c << 25;
  c = h2 >> 26; h3 += c; h2 -= c << 26;
  c = h3 >> 25; h4 += c; h3 -= c << 25;
  c = h4 >> 26; h5 += c; h4 -= c << 26;
  c = h5 >> 25; h6 += c; h5 -= c << 25;
  c = h6 >> 26; h7 += c; h6 -= c << 26;
  c = h7 >> 25; h8 += c; h7 -= c << 25;
  c = h8 >> 26; h9 += c; h8 -= c << 26;
  c = h9 >> 25; h9 -= c << 25;
  // pack limbs (now in [0, 2^26) / [0, 2^25)) into four little-endian u64
  const w0 = <u64>h0 | (<u64>h1 << 26) | (<u64>h2 << 51);
  const w1 = (<u64>h2 >> 13) | (<u64>h3 << 13) | (<u64>h4 << 38);
  const w2 = <u64>h5 | (<u64>h6 << 25) | (<u64>h7 << 51);
  const w3 = (<u64>h7 >> 13) | (<u64>h8 << 12) | (<u64>h9 << 38);
  store<u64>(s, w0); store<u64>(s, w1, 8); store<u64>(s, w2, 16); store<u64>(s, w3, 24);
}

// Scratch of the exponentiations and encodings, one block so that feWipeScratch can clear it.
const SCRATCH_LEN: usize = 4 * FE + 32;
const SCRATCH: usize = memory.data(<i32>SCRATCH_LEN, 16);
const T0: usize = SCRATCH, T1: usize = SCRATCH + FE, T2: usize = SCRATCH + 2 * FE, T3: usize = SCRATCH + 3 * FE;
const ENC: usize = SCRATCH + 4 * FE;

/** Zeroes this module's scratch (powers of the last exponentiation, the last encoding, the last inversion's state). */
export function feWipeScratch(): void {
  wipe(SCRATCH, SCRATCH_LEN);
  divstepsWipe();
}

/**
 * h = f^(2^n), n ≥ 1: square()'s products and store10()'s carries, with the limbs kept in locals
 * from one squaring to the next instead of a store and a reload of all ten per squaring (the two
 * exponentiations below are 250 squarings in runs of up to 100; decoding a point is one of them).
 */
export function sqTimes(h: usize, f: usize, n: i32): void {
  let f0 = l(f, 0), f1 = l(f, 1), f2 = l(f, 2), f3 = l(f, 3), f4 = l(f, 4), f5 = l(f, 5), f6 = l(f, 6), f7 = l(f, 7), f8 = l(f, 8), f9 = l(f, 9);
  for (let i = 0; i < n; i++) {
    const f0_2 = 2 * f0, f1_2 = 2 * f1, f2_2 = 2 * f2, f3_2 = 2 * f3, f4_2 = 2 * f4, f5_2 = 2 * f5, f6_2 = 2 * f6, f7_2 = 2 * f7;
    const f5_38 = 38 * f5, f6_19 = 19 * f6, f7_38 = 38 * f7, f8_19 = 19 * f8, f9_38 = 38 * f9;
    let h0 = f0 * f0 + f1_2 * f9_38 + f2_2 * f8_19 + f3_2 * f7_38 + f4_2 * f6_19 + f5 * f5_38;
    let h1 = f0_2 * f1 + f2 * f9_38 + f3_2 * f8_19 + f4 * f7_38 + f5_2 * f6_19;
    let h2 = f0_2 * f2 + f1_2 * f1 + f3_2 * f9_38 + f4_2 * f8_19 + f5_2 * f7_38 + f6 * f6_19;
    let h3 = f0_2 * f3 + f1_2 * f2 + f4 * f9_38 + f5_2 * f8_19 + f6 * f7_38;
    let h4 = f0_2 * f4 + f1_2 * f3_2 + f2 * f2 + f5_2 * f9_38 + f6_2 * f8_19 + f7 * f7_38;
    let h5 = f0_2 * f5 + f1_2 * f4 + f2_2 * f3 + f6 * f9_38 + f7_2 * f8_19;
    let h6 = f0_2 * f6 + f1_2 * f5_2 + f2_2 * f4 + f3_2 * f3 + f7_2 * f9_38 + f8 * f8_19;
    let h7 = f0_2 * f7 + f1_2 * f6 + f2_2 * f5 + f3_2 * f4 + f8 * f9_38;
    let h8 = f0_2 * f8 + f1_2 * f7_2 + f2_2 * f6 + f3_2 * f5_2 + f4 * f4 + f9 * f9_38;
    let h9 = f0_2 * f9 + f1_2 * f8 + f2_2 * f7 + f3_2 * f6 + f4_2 * f5;
    let c: i64;
    c = carryOf(h0, 26); h1 += c; h0 -= c << 26;
    c = carryOf(h4, 26); h5 += c; h4 -= c << 26;
    c = carryOf(h1, 25); h2 += c; h1 -= c << 25;
    c = carryOf(h5, 25); h6 += c; h5 -= c << 25;
    c = carryOf(h2, 26); h3 += c; h2 -= c << 26;
    c = carryOf(h6, 26); h7 += c; h6 -= c << 26;
    c = carryOf(h3, 25); h4 += c; h3 -= c << 25;
    c = carryOf(h7, 25); h8 += c; h7 -= c << 25;
    c = carryOf(h4, 26); h5 += c; h4 -= c << 26;
    c = carryOf(h8, 26); h9 += c; h8 -= c << 26;
    c = carryOf(h9, 25); h0 += c * 19; h9 -= c << 25;
    c = carryOf(h0, 26); h1 += c; h0 -= c << 26;
    // the limbs store10 would store (each fits in an i32)
    f0 = h0; f1 = h1; f2 = h2; f3 = h3; f4 = h4; f5 = h5; f6 = h6; f7 = h7; f8 = h8; f9 = h9;
  }
  store<i32>(h, <i32>f0); store<i32>(h, <i32>f1, 4); store<i32>(h, <i32>f2, 8); store<i32>(h, <i32>f3, 12);
  store<i32>(h, <i32>f4, 16); store<i32>(h, <i32>f5, 20); store<i32>(h, <i32>f6, 24); store<i32>(h, <i32>f7, 28);
  store<i32>(h, <i32>f8, 32); store<i32>(h, <i32>f9, 36);
}

/** Runs of squarings and products of one representation: this file's, or fe25519_x4.ts's four lanes. */
export type SqTimes = (h: usize, f: usize, n: i32) => void;
export type Mul = (h: usize, f: usize, g: usize) => void;

/**
 * z^(2^250 - 1) into t2 (with z^11 left in t0; t1 and t3 are scratch), the common prefix of inversion
 * (z^(p-2)) and the square-root exponent (z^((p-5)/8)). A fixed addition chain, for one element
 * (sqTimes, feMul) or four at once (fe25519_x4.ts).
 */
export function pow2250m1(z: usize, t0: usize, t1: usize, t2: usize, t3: usize, sq: SqTimes, mul: Mul): void {
  sq(t0, z, 1);             // 2
  sq(t1, t0, 2);            // 8
  mul(t1, z, t1);           // 9
  mul(t0, t0, t1);          // 11
  sq(t2, t0, 1);            // 22
  mul(t1, t1, t2);          // 2^5 - 1
  sq(t2, t1, 5);
  mul(t1, t2, t1);          // 2^10 - 1
  sq(t2, t1, 10);
  mul(t2, t2, t1);          // 2^20 - 1
  sq(t3, t2, 20);
  mul(t2, t3, t2);          // 2^40 - 1
  sq(t2, t2, 10);
  mul(t1, t2, t1);          // 2^50 - 1
  sq(t2, t1, 50);
  mul(t2, t2, t1);          // 2^100 - 1
  sq(t3, t2, 100);
  mul(t2, t3, t2);          // 2^200 - 1
  sq(t2, t2, 50);
  mul(t2, t2, t1);          // 2^250 - 1
}

/**
 * out = 1/z (0 for z = 0), by divsteps on the canonical value (divsteps.ts; a third of the time of
 * z^(p - 2)'s 254 squarings and 11 multiplications). out may alias z.
 */
export function feInvert(out: usize, z: usize): void {
  feToBytes(ENC, z);
  divstepsLoadBytes(ENC);
  divstepsInvert(MOD_25519);
  // 40 bytes, |value| < 2^261: limb 9 takes everything from bit 230 up, signed, and store10's last
  // carry folds it back (2^255 ≡ 19)
  divstepsStoreBytes(T0);
  store10(out, bits(T0, 0, 26), bits(T0, 26, 25), bits(T0, 51, 26), bits(T0, 77, 25), bits(T0, 102, 26),
    bits(T0, 128, 25), bits(T0, 153, 26), bits(T0, 179, 25), bits(T0, 204, 26), load<i64>(T0, 28) >> 6);
}

/** out = z^((p - 5) / 8) = z^(2^252 - 3), for square roots. */
export function fePow22523(out: usize, z: usize): void {
  pow2250m1(z, T0, T1, T2, T3, sqTimes, feMul);
  sqTimes(T2, T2, 2);       // 2^252 - 4
  feMul(out, T2, z);        // 2^252 - 3
}

/** 1 if f ≡ 0 (mod p), else 0. */
export function feIsZero(f: usize): u32 {
  feToBytes(ENC, f);
  let acc: u64 = 0;
  for (let i: usize = 0; i < 32; i += 8) acc |= load<u64>(ENC + i);
  return <u32>(((acc | (0 - acc)) >> 63) ^ 1);
}

/** The low bit of the canonical encoding ("negative" in RFC 8032's sense). */
export function feIsNegative(f: usize): u32 {
  feToBytes(ENC, f);
  return load<u8>(ENC) & 1;
}
