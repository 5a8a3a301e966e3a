// Arithmetic in GF(p), p = 2^256 - 2^224 + 2^192 + 2^96 - 1, the field of P-256 (SEC 2 §2.4.2).
//
// Representation: ten signed 26-bit limbs (radix 2^26, 260 bits, i32 each, 40 bytes), in Montgomery
// form x·R mod p with R = 2^260. Why this is the fast shape in WebAssembly:
//
// * wasm multiplies i64 × i64 → i64 and has no 64 × 64 → 128. Saturated 32-bit words (fiat-crypto's
//   32-bit P-256, BoringSSL's 32-bit fallback) need every 32 × 32 → 64 product split into halves
//   and explicit add-with-carry chains, which wasm has no instruction for: about twice the
//   operations per product. BearSSL's ec_p256_m31 uses nine 30-bit words: products fit, but the
//   column sums leave no headroom, so every field addition has to carry and a full 17-step carry
//   propagation runs before its Solinas folding. With 26-bit limbs a column sum of ten products of
//   limbs below 2^29.8 stays inside a signed i64, so sums and differences of up to ~12 reduced
//   elements go straight into a multiplication: the complete addition formulas' 20-odd additions
//   per point operation cost one i32 add per limb and no carries (100 products instead of 81 is
//   the price).
// * p ≡ -1 (mod 2^96), so the Montgomery factor -p^-1 mod 2^26 is 1: the quotient digit of each
//   reduction step is just the low limb, and adding m·p = m·(2^256 - 2^224 + 2^192 + 2^96 - 1) is
//   four shifted additions into the i64 columns (2^96 = 2^(3·26 + 18), 2^192 = 2^(7·26 + 10),
//   2^224 = 2^(8·26 + 16), 2^256 = 2^(9·26 + 22)): the whole reduction is shifts and adds, no
//   multiplication, and the shifted m stays below 2^48, far from overflowing a column. A Solinas
//   fold (2^256 ≡ 2^224 - 2^192 - 2^96 + 1) would have to shift the 60-bit high columns, so it
//   could only run after a full carry propagation, as in BearSSL.
//
// * The SIMD build computes the 100 products two at a time (i64x2.extmul_low_i32x4_s of a splat
//   limb and a pair of adjacent limbs, accumulated in ten column pairs), the scalar build one at a
//   time; the reduction is the same scalar code. Squaring stays scalar in both (55 products): its
//   SIMD form was not faster here.
//
// Bounds. An element is "k-bounded" when |limb| < k·2^26, and its value v is tracked separately in
// units of 2^256. Products: every column (at most ten products) must stay inside a signed i64,
// which holds for k1·k2 ≤ 150 (feMulAdd/feMulSub: the sum of both products' k1·k2); the point
// formulas stay below 100. Montgomery reduction returns normalised limbs (0..8 in [0, 2^26), limb 9
// signed) and |v_out| < |v1·v2|/16 + 1 (in units of 2^256), so outputs stay small only while inputs
// do: the point formulas therefore end with feReduce, which folds everything from 2^256 up back in
// (|v| < 2^257), and start every operation from reduced coordinates. add/sub/neg/triple work limb
// by limb without carrying (bounds add up). Values are signed and need not be reduced: only the
// encodings (feToBytes, feIsZero, feParity) bring them to the canonical representative in [0, p).
//
// Constant time: every function is straight-line; no branch or index depends on field values.

import { wipe } from '../../runtime/bytes';
import { MOD_P256, divstepsInvert, divstepsLoadLimbs26, divstepsStoreLimbs26 } from '../divsteps';
import { FE_ONE, FE_R2, P_LIMBS } from './tables';

export const FE: usize = 40;
const MASK: i64 = 0x3ffffff;

@inline function l(f: usize, i: usize): i64 { return <i64>load<i32>(f + (i << 2)); }

/** Montgomery reduction of the 19 product columns (t · 2^-260 mod p), normalised into h. */
@inline function montP(h: usize, t0: i64, t1: i64, t2: i64, t3: i64, t4: i64, t5: i64, t6: i64, t7: i64, t8: i64, t9: i64, t10: i64, t11: i64, t12: i64, t13: i64, t14: i64, t15: i64, t16: i64, t17: i64, t18: i64): void {
  let m: i64;
  // each step: m = low limb; t += m·p clears it (the -m term), the rest lands shifted in higher
  // columns; the column's carry moves up
  m = t0 & MASK; t1 += t0 >> 26; t3 += m << 18; t7 += m << 10; t8 -= m << 16; t9 += m << 22;
  m = t1 & MASK; t2 += t1 >> 26; t4 += m << 18; t8 += m << 10; t9 -= m << 16; t10 += m << 22;
  m = t2 & MASK; t3 += t2 >> 26; t5 += m << 18; t9 += m << 10; t10 -= m << 16; t11 += m << 22;
  m = t3 & MASK; t4 += t3 >> 26; t6 += m << 18; t10 += m << 10; t11 -= m << 16; t12 += m << 22;
  m = t4 & MASK; t5 += t4 >> 26; t7 += m << 18; t11 += m << 10; t12 -= m << 16; t13 += m << 22;
  m = t5 & MASK; t6 += t5 >> 26; t8 += m << 18; t12 += m << 10; t13 -= m << 16; t14 += m << 22;
  m = t6 & MASK; t7 += t6 >> 26; t9 += m << 18; t13 += m << 10; t14 -= m << 16; t15 += m << 22;
  m = t7 & MASK; t8 += t7 >> 26; t10 += m << 18; t14 += m << 10; t15 -= m << 16; t16 += m << 22;
  m = t8 & MASK; t9 += t8 >> 26; t11 += m << 18; t15 += m << 10; t16 -= m << 16; t17 += m << 22;
  m = t9 & MASK; t10 += t9 >> 26; t12 += m << 18; t16 += m << 10; t17 -= m << 16; t18 += m << 22;
  t11 += t10 >> 26;
  t12 += t11 >> 26;
  t13 += t12 >> 26;
  t14 += t13 >> 26;
  t15 += t14 >> 26;
  t16 += t15 >> 26;
  t17 += t16 >> 26;
  t18 += t17 >> 26;
  store<i32>(h, <i32>(t10 & MASK), 0);
  store<i32>(h, <i32>(t11 & MASK), 4);
  store<i32>(h, <i32>(t12 & MASK), 8);
  store<i32>(h, <i32>(t13 & MASK), 12);
  store<i32>(h, <i32>(t14 & MASK), 16);
  store<i32>(h, <i32>(t15 & MASK), 20);
  store<i32>(h, <i32>(t16 & MASK), 24);
  store<i32>(h, <i32>(t17 & MASK), 28);
  store<i32>(h, <i32>(t18 & MASK), 32);
  store<i32>(h, <i32>(t18 >> 26), 36);
}

/** h = f · g · 2^-260 (the Montgomery product: x·R times y·R gives xy·R). Any of them may alias. */
export function feMul(h: usize, f: usize, g: usize): void {
  if (ASC_FEATURE_SIMD) {
    // column pairs (t_2c, t_2c+1) as i64x2, two products per extending multiplication
    const G0 = v128.load64_zero(g, 0);
    const G2 = v128.load64_zero(g, 8);
    const G4 = v128.load64_zero(g, 16);
    const G6 = v128.load64_zero(g, 24);
    const G8 = v128.load64_zero(g, 32);
    const G1 = v128.load64_zero(g, 4);
    const G3 = v128.load64_zero(g, 12);
    const G5 = v128.load64_zero(g, 20);
    const G7 = v128.load64_zero(g, 28);
    const G9 = v128.load32_zero(g, 36);
    const Gm = i64x2.shl(v128.load32_zero(g), 32);   // (0, g0)
    const F0 = i32x4.splat(load<i32>(f, 0));
    let V0 = i64x2.extmul_low_i32x4_s(F0, G0);
    let V2 = i64x2.extmul_low_i32x4_s(F0, G2);
    let V4 = i64x2.extmul_low_i32x4_s(F0, G4);
    let V6 = i64x2.extmul_low_i32x4_s(F0, G6);
    let V8 = i64x2.extmul_low_i32x4_s(F0, G8);
    const F1 = i32x4.splat(load<i32>(f, 4));
    V0 = i64x2.add(V0, i64x2.extmul_low_i32x4_s(F1, Gm));
    V2 = i64x2.add(V2, i64x2.extmul_low_i32x4_s(F1, G1));
    V4 = i64x2.add(V4, i64x2.extmul_low_i32x4_s(F1, G3));
    V6 = i64x2.add(V6, i64x2.extmul_low_i32x4_s(F1, G5));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(F1, G7));
    let V10 = i64x2.extmul_low_i32x4_s(F1, G9);
    const F2 = i32x4.splat(load<i32>(f, 8));
    V2 = i64x2.add(V2, i64x2.extmul_low_i32x4_s(F2, G0));
    V4 = i64x2.add(V4, i64x2.extmul_low_i32x4_s(F2, G2));
    V6 = i64x2.add(V6, i64x2.extmul_low_i32x4_s(F2, G4));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(F2, G6));
    V10 = i64x2.add(V10, i64x2.extmul_low_i32x4_s(F2, G8));
    const F3 = i32x4.splat(load<i32>(f, 12));
    V2 = i64x2.add(V2, i64x2.extmul_low_i32x4_s(F3, Gm));
    V4 = i64x2.add(V4, i64x2.extmul_low_i32x4_s(F3, G1));
    V6 = i64x2.add(V6, i64x2.extmul_low_i32x4_s(F3, G3));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(F3, G5));
    V10 = i64x2.add(V10, i64x2.extmul_low_i32x4_s(F3, G7));
    let V12 = i64x2.extmul_low_i32x4_s(F3, G9);
    const F4 = i32x4.splat(load<i32>(f, 16));
    V4 = i64x2.add(V4, i64x2.extmul_low_i32x4_s(F4, G0));
    V6 = i64x2.add(V6, i64x2.extmul_low_i32x4_s(F4, G2));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(F4, G4));
    V10 = i64x2.add(V10, i64x2.extmul_low_i32x4_s(F4, G6));
    V12 = i64x2.add(V12, i64x2.extmul_low_i32x4_s(F4, G8));
    const F5 = i32x4.splat(load<i32>(f, 20));
    V4 = i64x2.add(V4, i64x2.extmul_low_i32x4_s(F5, Gm));
    V6 = i64x2.add(V6, i64x2.extmul_low_i32x4_s(F5, G1));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(F5, G3));
    V10 = i64x2.add(V10, i64x2.extmul_low_i32x4_s(F5, G5));
    V12 = i64x2.add(V12, i64x2.extmul_low_i32x4_s(F5, G7));
    let V14 = i64x2.extmul_low_i32x4_s(F5, G9);
    const F6 = i32x4.splat(load<i32>(f, 24));
    V6 = i64x2.add(V6, i64x2.extmul_low_i32x4_s(F6, G0));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(F6, G2));
    V10 = i64x2.add(V10, i64x2.extmul_low_i32x4_s(F6, G4));
    V12 = i64x2.add(V12, i64x2.extmul_low_i32x4_s(F6, G6));
    V14 = i64x2.add(V14, i64x2.extmul_low_i32x4_s(F6, G8));
    const F7 = i32x4.splat(load<i32>(f, 28));
    V6 = i64x2.add(V6, i64x2.extmul_low_i32x4_s(F7, Gm));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(F7, G1));
    V10 = i64x2.add(V10, i64x2.extmul_low_i32x4_s(F7, G3));
    V12 = i64x2.add(V12, i64x2.extmul_low_i32x4_s(F7, G5));
    V14 = i64x2.add(V14, i64x2.extmul_low_i32x4_s(F7, G7));
    let V16 = i64x2.extmul_low_i32x4_s(F7, G9);
    const F8 = i32x4.splat(load<i32>(f, 32));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(F8, G0));
    V10 = i64x2.add(V10, i64x2.extmul_low_i32x4_s(F8, G2));
    V12 = i64x2.add(V12, i64x2.extmul_low_i32x4_s(F8, G4));
    V14 = i64x2.add(V14, i64x2.extmul_low_i32x4_s(F8, G6));
    V16 = i64x2.add(V16, i64x2.extmul_low_i32x4_s(F8, G8));
    const F9 = i32x4.splat(load<i32>(f, 36));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(F9, Gm));
    V10 = i64x2.add(V10, i64x2.extmul_low_i32x4_s(F9, G1));
    V12 = i64x2.add(V12, i64x2.extmul_low_i32x4_s(F9, G3));
    V14 = i64x2.add(V14, i64x2.extmul_low_i32x4_s(F9, G5));
    V16 = i64x2.add(V16, i64x2.extmul_low_i32x4_s(F9, G7));
    let V18 = i64x2.extmul_low_i32x4_s(F9, G9);
    montP(h, i64x2.extract_lane(V0, 0), i64x2.extract_lane(V0, 1), i64x2.extract_lane(V2, 0), i64x2.extract_lane(V2, 1), i64x2.extract_lane(V4, 0), i64x2.extract_lane(V4, 1), i64x2.extract_lane(V6, 0), i64x2.extract_lane(V6, 1), i64x2.extract_lane(V8, 0), i64x2.extract_lane(V8, 1), i64x2.extract_lane(V10, 0), i64x2.extract_lane(V10, 1), i64x2.extract_lane(V12, 0), i64x2.extract_lane(V12, 1), i64x2.extract_lane(V14, 0), i64x2.extract_lane(V14, 1), i64x2.extract_lane(V16, 0), i64x2.extract_lane(V16, 1), i64x2.extract_lane(V18, 0));
    return;
  }
  const f0 = l(f, 0), f1 = l(f, 1), f2 = l(f, 2), f3 = l(f, 3), f4 = l(f, 4), f5 = l(f, 5), f6 = l(f, 6), f7 = l(f, 7), f8 = l(f, 8), f9 = l(f, 9);
  const g0 = l(g, 0), g1 = l(g, 1), g2 = l(g, 2), g3 = l(g, 3), g4 = l(g, 4), g5 = l(g, 5), g6 = l(g, 6), g7 = l(g, 7), g8 = l(g, 8), g9 = l(g, 9);
  const t0 = f0 * g0;
  const t1 = f0 * g1 + f1 * g0;
  const t2 = f0 * g2 + f1 * g1 + f2 * g0;
  const t3 = f0 * g3 + f1 * g2 + f2 * g1 + f3 * g0;
  const t4 = f0 * g4 + f1 * g3 + f2 * g2 + f3 * g1 + f4 * g0;
  const t5 = f0 * g5 + f1 * g4 + f2 * g3 + f3 * g2 + f4 * g1 + f5 * g0;
  const t6 = f0 * g6 + f1 * g5 + f2 * g4 + f3 * g3 + f4 * g2 + f5 * g1 + f6 * g0;
  const t7 = f0 * g7 + f1 * g6 + f2 * g5 + f3 * g4 + f4 * g3 + f5 * g2 + f6 * g1 + f7 * g0;
  const t8 = f0 * g8 + f1 * g7 + f2 * g6 + f3 * g5 + f4 * g4 + f5 * g3 + f6 * g2 + f7 * g1 + f8 * g0;
  const t9 = f0 * g9 + f1 * g8 + f2 * g7 + f3 * g6 + f4 * g5 + f5 * g4 + f6 * g3 + f7 * g2 + f8 * g1 + f9 * g0;
  const t10 = f1 * g9 + f2 * g8 + f3 * g7 + f4 * g6 + f5 * g5 + f6 * g4 + f7 * g3 + f8 * g2 + f9 * g1;
  const t11 = f2 * g9 + f3 * g8 + f4 * g7 + f5 * g6 + f6 * g5 + f7 * g4 + f8 * g3 + f9 * g2;
  const t12 = f3 * g9 + f4 * g8 + f5 * g7 + f6 * g6 + f7 * g5 + f8 * g4 + f9 * g3;
  const t13 = f4 * g9 + f5 * g8 + f6 * g7 + f7 * g6 + f8 * g5 + f9 * g4;
  const t14 = f5 * g9 + f6 * g8 + f7 * g7 + f8 * g6 + f9 * g5;
  const t15 = f6 * g9 + f7 * g8 + f8 * g7 + f9 * g6;
  const t16 = f7 * g9 + f8 * g8 + f9 * g7;
  const t17 = f8 * g9 + f9 * g8;
  const t18 = f9 * g9;
  montP(h, t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15, t16, t17, t18);
}

/**
 * h = (f·g + u·v) · 2^-260: two products summed before one reduction (the point formulas' sums of
 * products). Column bounds: the two products' k1·k2 together within the limit of feMul.
 */
export function feMulAdd(h: usize, f: usize, g: usize, u: usize, v: usize): void {
  if (ASC_FEATURE_SIMD) {
    const G0 = v128.load64_zero(g, 0);
    const G2 = v128.load64_zero(g, 8);
    const G4 = v128.load64_zero(g, 16);
    const G6 = v128.load64_zero(g, 24);
    const G8 = v128.load64_zero(g, 32);
    const G1 = v128.load64_zero(g, 4);
    const G3 = v128.load64_zero(g, 12);
    const G5 = v128.load64_zero(g, 20);
    const G7 = v128.load64_zero(g, 28);
    const G9 = v128.load32_zero(g, 36);
    const Gm = i64x2.shl(v128.load32_zero(g), 32);
    const W0 = v128.load64_zero(v, 0);
    const W2 = v128.load64_zero(v, 8);
    const W4 = v128.load64_zero(v, 16);
    const W6 = v128.load64_zero(v, 24);
    const W8 = v128.load64_zero(v, 32);
    const W1 = v128.load64_zero(v, 4);
    const W3 = v128.load64_zero(v, 12);
    const W5 = v128.load64_zero(v, 20);
    const W7 = v128.load64_zero(v, 28);
    const W9 = v128.load32_zero(v, 36);
    const Wm = i64x2.shl(v128.load32_zero(v), 32);
    const F0 = i32x4.splat(load<i32>(f, 0));
    let V0 = i64x2.extmul_low_i32x4_s(F0, G0);
    let V2 = i64x2.extmul_low_i32x4_s(F0, G2);
    let V4 = i64x2.extmul_low_i32x4_s(F0, G4);
    let V6 = i64x2.extmul_low_i32x4_s(F0, G6);
    let V8 = i64x2.extmul_low_i32x4_s(F0, G8);
    const F1 = i32x4.splat(load<i32>(f, 4));
    V0 = i64x2.add(V0, i64x2.extmul_low_i32x4_s(F1, Gm));
    V2 = i64x2.add(V2, i64x2.extmul_low_i32x4_s(F1, G1));
    V4 = i64x2.add(V4, i64x2.extmul_low_i32x4_s(F1, G3));
    V6 = i64x2.add(V6, i64x2.extmul_low_i32x4_s(F1, G5));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(F1, G7));
    let V10 = i64x2.extmul_low_i32x4_s(F1, G9);
    const F2 = i32x4.splat(load<i32>(f, 8));
    V2 = i64x2.add(V2, i64x2.extmul_low_i32x4_s(F2, G0));
    V4 = i64x2.add(V4, i64x2.extmul_low_i32x4_s(F2, G2));
    V6 = i64x2.add(V6, i64x2.extmul_low_i32x4_s(F2, G4));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(F2, G6));
    V10 = i64x2.add(V10, i64x2.extmul_low_i32x4_s(F2, G8));
    const F3 = i32x4.splat(load<i32>(f, 12));
    V2 = i64x2.add(V2, i64x2.extmul_low_i32x4_s(F3, Gm));
    V4 = i64x2.add(V4, i64x2.extmul_low_i32x4_s(F3, G1));
    V6 = i64x2.add(V6, i64x2.extmul_low_i32x4_s(F3, G3));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(F3, G5));
    V10 = i64x2.add(V10, i64x2.extmul_low_i32x4_s(F3, G7));
    let V12 = i64x2.extmul_low_i32x4_s(F3, G9);
    const F4 = i32x4.splat(load<i32>(f, 16));
    V4 = i64x2.add(V4, i64x2.extmul_low_i32x4_s(F4, G0));
    V6 = i64x2.add(V6, i64x2.extmul_low_i32x4_s(F4, G2));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(F4, G4));
    V10 = i64x2.add(V10, i64x2.extmul_low_i32x4_s(F4, G6));
    V12 = i64x2.add(V12, i64x2.extmul_low_i32x4_s(F4, G8));
    const F5 = i32x4.splat(load<i32>(f, 20));
    V4 = i64x2.add(V4, i64x2.extmul_low_i32x4_s(F5, Gm));
    V6 = i64x2.add(V6, i64x2.extmul_low_i32x4_s(F5, G1));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(F5, G3));
    V10 = i64x2.add(V10, i64x2.extmul_low_i32x4_s(F5, G5));
    V12 = i64x2.add(V12, i64x2.extmul_low_i32x4_s(F5, G7));
    let V14 = i64x2.extmul_low_i32x4_s(F5, G9);
    const F6 = i32x4.splat(load<i32>(f, 24));
    V6 = i64x2.add(V6, i64x2.extmul_low_i32x4_s(F6, G0));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(F6, G2));
    V10 = i64x2.add(V10, i64x2.extmul_low_i32x4_s(F6, G4));
    V12 = i64x2.add(V12, i64x2.extmul_low_i32x4_s(F6, G6));
    V14 = i64x2.add(V14, i64x2.extmul_low_i32x4_s(F6, G8));
    const F7 = i32x4.splat(load<i32>(f, 28));
    V6 = i64x2.add(V6, i64x2.extmul_low_i32x4_s(F7, Gm));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(F7, G1));
    V10 = i64x2.add(V10, i64x2.extmul_low_i32x4_s(F7, G3));
    V12 = i64x2.add(V12, i64x2.extmul_low_i32x4_s(F7, G5));
    V14 = i64x2.add(V14, i64x2.extmul_low_i32x4_s(F7, G7));
    let V16 = i64x2.extmul_low_i32x4_s(F7, G9);
    const F8 = i32x4.splat(load<i32>(f, 32));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(F8, G0));
    V10 = i64x2.add(V10, i64x2.extmul_low_i32x4_s(F8, G2));
    V12 = i64x2.add(V12, i64x2.extmul_low_i32x4_s(F8, G4));
    V14 = i64x2.add(V14, i64x2.extmul_low_i32x4_s(F8, G6));
    V16 = i64x2.add(V16, i64x2.extmul_low_i32x4_s(F8, G8));
    const F9 = i32x4.splat(load<i32>(f, 36));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(F9, Gm));
    V10 = i64x2.add(V10, i64x2.extmul_low_i32x4_s(F9, G1));
    V12 = i64x2.add(V12, i64x2.extmul_low_i32x4_s(F9, G3));
    V14 = i64x2.add(V14, i64x2.extmul_low_i32x4_s(F9, G5));
    V16 = i64x2.add(V16, i64x2.extmul_low_i32x4_s(F9, G7));
    let V18 = i64x2.extmul_low_i32x4_s(F9, G9);
    const U0 = i32x4.splat(load<i32>(u, 0));
    V0 = i64x2.add(V0, i64x2.extmul_low_i32x4_s(U0, W0));
    V2 = i64x2.add(V2, i64x2.extmul_low_i32x4_s(U0, W2));
    V4 = i64x2.add(V4, i64x2.extmul_low_i32x4_s(U0, W4));
    V6 = i64x2.add(V6, i64x2.extmul_low_i32x4_s(U0, W6));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(U0, W8));
    const U1 = i32x4.splat(load<i32>(u, 4));
    V0 = i64x2.add(V0, i64x2.extmul_low_i32x4_s(U1, Wm));
    V2 = i64x2.add(V2, i64x2.extmul_low_i32x4_s(U1, W1));
    V4 = i64x2.add(V4, i64x2.extmul_low_i32x4_s(U1, W3));
    V6 = i64x2.add(V6, i64x2.extmul_low_i32x4_s(U1, W5));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(U1, W7));
    V10 = i64x2.add(V10, i64x2.extmul_low_i32x4_s(U1, W9));
    const U2 = i32x4.splat(load<i32>(u, 8));
    V2 = i64x2.add(V2, i64x2.extmul_low_i32x4_s(U2, W0));
    V4 = i64x2.add(V4, i64x2.extmul_low_i32x4_s(U2, W2));
    V6 = i64x2.add(V6, i64x2.extmul_low_i32x4_s(U2, W4));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(U2, W6));
    V10 = i64x2.add(V10, i64x2.extmul_low_i32x4_s(U2, W8));
    const U3 = i32x4.splat(load<i32>(u, 12));
    V2 = i64x2.add(V2, i64x2.extmul_low_i32x4_s(U3, Wm));
    V4 = i64x2.add(V4, i64x2.extmul_low_i32x4_s(U3, W1));
    V6 = i64x2.add(V6, i64x2.extmul_low_i32x4_s(U3, W3));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(U3, W5));
    V10 = i64x2.add(V10, i64x2.extmul_low_i32x4_s(U3, W7));
    V12 = i64x2.add(V12, i64x2.extmul_low_i32x4_s(U3, W9));
    const U4 = i32x4.splat(load<i32>(u, 16));
    V4 = i64x2.add(V4, i64x2.extmul_low_i32x4_s(U4, W0));
    V6 = i64x2.add(V6, i64x2.extmul_low_i32x4_s(U4, W2));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(U4, W4));
    V10 = i64x2.add(V10, i64x2.extmul_low_i32x4_s(U4, W6));
    V12 = i64x2.add(V12, i64x2.extmul_low_i32x4_s(U4, W8));
    const U5 = i32x4.splat(load<i32>(u, 20));
    V4 = i64x2.add(V4, i64x2.extmul_low_i32x4_s(U5, Wm));
    V6 = i64x2.add(V6, i64x2.extmul_low_i32x4_s(U5, W1));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(U5, W3));
    V10 = i64x2.add(V10, i64x2.extmul_low_i32x4_s(U5, W5));
    V12 = i64x2.add(V12, i64x2.extmul_low_i32x4_s(U5, W7));
    V14 = i64x2.add(V14, i64x2.extmul_low_i32x4_s(U5, W9));
    const U6 = i32x4.splat(load<i32>(u, 24));
    V6 = i64x2.add(V6, i64x2.extmul_low_i32x4_s(U6, W0));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(U6, W2));
    V10 = i64x2.add(V10, i64x2.extmul_low_i32x4_s(U6, W4));
    V12 = i64x2.add(V12, i64x2.extmul_low_i32x4_s(U6, W6));
    V14 = i64x2.add(V14, i64x2.extmul_low_i32x4_s(U6, W8));
    const U7 = i32x4.splat(load<i32>(u, 28));
    V6 = i64x2.add(V6, i64x2.extmul_low_i32x4_s(U7, Wm));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(U7, W1));
    V10 = i64x2.add(V10, i64x2.extmul_low_i32x4_s(U7, W3));
    V12 = i64x2.add(V12, i64x2.extmul_low_i32x4_s(U7, W5));
    V14 = i64x2.add(V14, i64x2.extmul_low_i32x4_s(U7, W7));
    V16 = i64x2.add(V16, i64x2.extmul_low_i32x4_s(U7, W9));
    const U8 = i32x4.splat(load<i32>(u, 32));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(U8, W0));
    V10 = i64x2.add(V10, i64x2.extmul_low_i32x4_s(U8, W2));
    V12 = i64x2.add(V12, i64x2.extmul_low_i32x4_s(U8, W4));
    V14 = i64x2.add(V14, i64x2.extmul_low_i32x4_s(U8, W6));
    V16 = i64x2.add(V16, i64x2.extmul_low_i32x4_s(U8, W8));
    const U9 = i32x4.splat(load<i32>(u, 36));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(U9, Wm));
    V10 = i64x2.add(V10, i64x2.extmul_low_i32x4_s(U9, W1));
    V12 = i64x2.add(V12, i64x2.extmul_low_i32x4_s(U9, W3));
    V14 = i64x2.add(V14, i64x2.extmul_low_i32x4_s(U9, W5));
    V16 = i64x2.add(V16, i64x2.extmul_low_i32x4_s(U9, W7));
    V18 = i64x2.add(V18, i64x2.extmul_low_i32x4_s(U9, W9));
    montP(h, i64x2.extract_lane(V0, 0), i64x2.extract_lane(V0, 1), i64x2.extract_lane(V2, 0), i64x2.extract_lane(V2, 1), i64x2.extract_lane(V4, 0), i64x2.extract_lane(V4, 1), i64x2.extract_lane(V6, 0), i64x2.extract_lane(V6, 1), i64x2.extract_lane(V8, 0), i64x2.extract_lane(V8, 1), i64x2.extract_lane(V10, 0), i64x2.extract_lane(V10, 1), i64x2.extract_lane(V12, 0), i64x2.extract_lane(V12, 1), i64x2.extract_lane(V14, 0), i64x2.extract_lane(V14, 1), i64x2.extract_lane(V16, 0), i64x2.extract_lane(V16, 1), i64x2.extract_lane(V18, 0));
    return;
  }
  const f0 = l(f, 0), f1 = l(f, 1), f2 = l(f, 2), f3 = l(f, 3), f4 = l(f, 4), f5 = l(f, 5), f6 = l(f, 6), f7 = l(f, 7), f8 = l(f, 8), f9 = l(f, 9);
  const g0 = l(g, 0), g1 = l(g, 1), g2 = l(g, 2), g3 = l(g, 3), g4 = l(g, 4), g5 = l(g, 5), g6 = l(g, 6), g7 = l(g, 7), g8 = l(g, 8), g9 = l(g, 9);
  const u0 = l(u, 0), u1 = l(u, 1), u2 = l(u, 2), u3 = l(u, 3), u4 = l(u, 4), u5 = l(u, 5), u6 = l(u, 6), u7 = l(u, 7), u8 = l(u, 8), u9 = l(u, 9);
  const v0 = l(v, 0), v1 = l(v, 1), v2 = l(v, 2), v3 = l(v, 3), v4 = l(v, 4), v5 = l(v, 5), v6 = l(v, 6), v7 = l(v, 7), v8 = l(v, 8), v9 = l(v, 9);
  const t0 = f0 * g0 + (u0 * v0);
  const t1 = f0 * g1 + f1 * g0 + (u0 * v1 + u1 * v0);
  const t2 = f0 * g2 + f1 * g1 + f2 * g0 + (u0 * v2 + u1 * v1 + u2 * v0);
  const t3 = f0 * g3 + f1 * g2 + f2 * g1 + f3 * g0 + (u0 * v3 + u1 * v2 + u2 * v1 + u3 * v0);
  const t4 = f0 * g4 + f1 * g3 + f2 * g2 + f3 * g1 + f4 * g0 + (u0 * v4 + u1 * v3 + u2 * v2 + u3 * v1 + u4 * v0);
  const t5 = f0 * g5 + f1 * g4 + f2 * g3 + f3 * g2 + f4 * g1 + f5 * g0 + (u0 * v5 + u1 * v4 + u2 * v3 + u3 * v2 + u4 * v1 + u5 * v0);
  const t6 = f0 * g6 + f1 * g5 + f2 * g4 + f3 * g3 + f4 * g2 + f5 * g1 + f6 * g0 + (u0 * v6 + u1 * v5 + u2 * v4 + u3 * v3 + u4 * v2 + u5 * v1 + u6 * v0);
  const t7 = f0 * g7 + f1 * g6 + f2 * g5 + f3 * g4 + f4 * g3 + f5 * g2 + f6 * g1 + f7 * g0 + (u0 * v7 + u1 * v6 + u2 * v5 + u3 * v4 + u4 * v3 + u5 * v2 + u6 * v1 + u7 * v0);
  const t8 = f0 * g8 + f1 * g7 + f2 * g6 + f3 * g5 + f4 * g4 + f5 * g3 + f6 * g2 + f7 * g1 + f8 * g0 + (u0 * v8 + u1 * v7 + u2 * v6 + u3 * v5 + u4 * v4 + u5 * v3 + u6 * v2 + u7 * v1 + u8 * v0);
  const t9 = f0 * g9 + f1 * g8 + f2 * g7 + f3 * g6 + f4 * g5 + f5 * g4 + f6 * g3 + f7 * g2 + f8 * g1 + f9 * g0 + (u0 * v9 + u1 * v8 + u2 * v7 + u3 * v6 + u4 * v5 + u5 * v4 + u6 * v3 + u7 * v2 + u8 * v1 + u9 * v0);
  const t10 = f1 * g9 + f2 * g8 + f3 * g7 + f4 * g6 + f5 * g5 + f6 * g4 + f7 * g3 + f8 * g2 + f9 * g1 + (u1 * v9 + u2 * v8 + u3 * v7 + u4 * v6 + u5 * v5 + u6 * v4 + u7 * v3 + u8 * v2 + u9 * v1);
  const t11 = f2 * g9 + f3 * g8 + f4 * g7 + f5 * g6 + f6 * g5 + f7 * g4 + f8 * g3 + f9 * g2 + (u2 * v9 + u3 * v8 + u4 * v7 + u5 * v6 + u6 * v5 + u7 * v4 + u8 * v3 + u9 * v2);
  const t12 = f3 * g9 + f4 * g8 + f5 * g7 + f6 * g6 + f7 * g5 + f8 * g4 + f9 * g3 + (u3 * v9 + u4 * v8 + u5 * v7 + u6 * v6 + u7 * v5 + u8 * v4 + u9 * v3);
  const t13 = f4 * g9 + f5 * g8 + f6 * g7 + f7 * g6 + f8 * g5 + f9 * g4 + (u4 * v9 + u5 * v8 + u6 * v7 + u7 * v6 + u8 * v5 + u9 * v4);
  const t14 = f5 * g9 + f6 * g8 + f7 * g7 + f8 * g6 + f9 * g5 + (u5 * v9 + u6 * v8 + u7 * v7 + u8 * v6 + u9 * v5);
  const t15 = f6 * g9 + f7 * g8 + f8 * g7 + f9 * g6 + (u6 * v9 + u7 * v8 + u8 * v7 + u9 * v6);
  const t16 = f7 * g9 + f8 * g8 + f9 * g7 + (u7 * v9 + u8 * v8 + u9 * v7);
  const t17 = f8 * g9 + f9 * g8 + (u8 * v9 + u9 * v8);
  const t18 = f9 * g9 + (u9 * v9);
  montP(h, t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15, t16, t17, t18);
}

/**
 * h = (f·g - u·v) · 2^-260, as feMulAdd. A copy of feMulAdd with subtractions on purpose: computing
 * it as feMulAdd(f, g, -u, v) through a negated scratch copy of u measured ~30 % slower ECDH.
 */
export function feMulSub(h: usize, f: usize, g: usize, u: usize, v: usize): void {
  if (ASC_FEATURE_SIMD) {
    const G0 = v128.load64_zero(g, 0);
    const G2 = v128.load64_zero(g, 8);
    const G4 = v128.load64_zero(g, 16);
    const G6 = v128.load64_zero(g, 24);
    const G8 = v128.load64_zero(g, 32);
    const G1 = v128.load64_zero(g, 4);
    const G3 = v128.load64_zero(g, 12);
    const G5 = v128.load64_zero(g, 20);
    const G7 = v128.load64_zero(g, 28);
    const G9 = v128.load32_zero(g, 36);
    const Gm = i64x2.shl(v128.load32_zero(g), 32);
    const W0 = v128.load64_zero(v, 0);
    const W2 = v128.load64_zero(v, 8);
    const W4 = v128.load64_zero(v, 16);
    const W6 = v128.load64_zero(v, 24);
    const W8 = v128.load64_zero(v, 32);
    const W1 = v128.load64_zero(v, 4);
    const W3 = v128.load64_zero(v, 12);
    const W5 = v128.load64_zero(v, 20);
    const W7 = v128.load64_zero(v, 28);
    const W9 = v128.load32_zero(v, 36);
    const Wm = i64x2.shl(v128.load32_zero(v), 32);
    const F0 = i32x4.splat(load<i32>(f, 0));
    let V0 = i64x2.extmul_low_i32x4_s(F0, G0);
    let V2 = i64x2.extmul_low_i32x4_s(F0, G2);
    let V4 = i64x2.extmul_low_i32x4_s(F0, G4);
    let V6 = i64x2.extmul_low_i32x4_s(F0, G6);
    let V8 = i64x2.extmul_low_i32x4_s(F0, G8);
    const F1 = i32x4.splat(load<i32>(f, 4));
    V0 = i64x2.add(V0, i64x2.extmul_low_i32x4_s(F1, Gm));
    V2 = i64x2.add(V2, i64x2.extmul_low_i32x4_s(F1, G1));
    V4 = i64x2.add(V4, i64x2.extmul_low_i32x4_s(F1, G3));
    V6 = i64x2.add(V6, i64x2.extmul_low_i32x4_s(F1, G5));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(F1, G7));
    let V10 = i64x2.extmul_low_i32x4_s(F1, G9);
    const F2 = i32x4.splat(load<i32>(f, 8));
    V2 = i64x2.add(V2, i64x2.extmul_low_i32x4_s(F2, G0));
    V4 = i64x2.add(V4, i64x2.extmul_low_i32x4_s(F2, G2));
    V6 = i64x2.add(V6, i64x2.extmul_low_i32x4_s(F2, G4));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(F2, G6));
    V10 = i64x2.add(V10, i64x2.extmul_low_i32x4_s(F2, G8));
    const F3 = i32x4.splat(load<i32>(f, 12));
    V2 = i64x2.add(V2, i64x2.extmul_low_i32x4_s(F3, Gm));
    V4 = i64x2.add(V4, i64x2.extmul_low_i32x4_s(F3, G1));
    V6 = i64x2.add(V6, i64x2.extmul_low_i32x4_s(F3, G3));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(F3, G5));
    V10 = i64x2.add(V10, i64x2.extmul_low_i32x4_s(F3, G7));
    let V12 = i64x2.extmul_low_i32x4_s(F3, G9);
    const F4 = i32x4.splat(load<i32>(f, 16));
    V4 = i64x2.add(V4, i64x2.extmul_low_i32x4_s(F4, G0));
    V6 = i64x2.add(V6, i64x2.extmul_low_i32x4_s(F4, G2));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(F4, G4));
    V10 = i64x2.add(V10, i64x2.extmul_low_i32x4_s(F4, G6));
    V12 = i64x2.add(V12, i64x2.extmul_low_i32x4_s(F4, G8));
    const F5 = i32x4.splat(load<i32>(f, 20));
    V4 = i64x2.add(V4, i64x2.extmul_low_i32x4_s(F5, Gm));
    V6 = i64x2.add(V6, i64x2.extmul_low_i32x4_s(F5, G1));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(F5, G3));
    V10 = i64x2.add(V10, i64x2.extmul_low_i32x4_s(F5, G5));
    V12 = i64x2.add(V12, i64x2.extmul_low_i32x4_s(F5, G7));
    let V14 = i64x2.extmul_low_i32x4_s(F5, G9);
    const F6 = i32x4.splat(load<i32>(f, 24));
    V6 = i64x2.add(V6, i64x2.extmul_low_i32x4_s(F6, G0));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(F6, G2));
    V10 = i64x2.add(V10, i64x2.extmul_low_i32x4_s(F6, G4));
    V12 = i64x2.add(V12, i64x2.extmul_low_i32x4_s(F6, G6));
    V14 = i64x2.add(V14, i64x2.extmul_low_i32x4_s(F6, G8));
    const F7 = i32x4.splat(load<i32>(f, 28));
    V6 = i64x2.add(V6, i64x2.extmul_low_i32x4_s(F7, Gm));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(F7, G1));
    V10 = i64x2.add(V10, i64x2.extmul_low_i32x4_s(F7, G3));
    V12 = i64x2.add(V12, i64x2.extmul_low_i32x4_s(F7, G5));
    V14 = i64x2.add(V14, i64x2.extmul_low_i32x4_s(F7, G7));
    let V16 = i64x2.extmul_low_i32x4_s(F7, G9);
    const F8 = i32x4.splat(load<i32>(f, 32));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(F8, G0));
    V10 = i64x2.add(V10, i64x2.extmul_low_i32x4_s(F8, G2));
    V12 = i64x2.add(V12, i64x2.extmul_low_i32x4_s(F8, G4));
    V14 = i64x2.add(V14, i64x2.extmul_low_i32x4_s(F8, G6));
    V16 = i64x2.add(V16, i64x2.extmul_low_i32x4_s(F8, G8));
    const F9 = i32x4.splat(load<i32>(f, 36));
    V8 = i64x2.add(V8, i64x2.extmul_low_i32x4_s(F9, Gm));
    V10 = i64x2.add(V10, i64x2.extmul_low_i32x4_s(F9, G1));
    V12 = i64x2.add(V12, i64x2.extmul_low_i32x4_s(F9, G3));
    V14 = i64x2.add(V14, i64x2.extmul_low_i32x4_s(F9, G5));
    V16 = i64x2.add(V16, i64x2.extmul_low_i32x4_s(F9, G7));
    let V18 = i64x2.extmul_low_i32x4_s(F9, G9);
    const U0 = i32x4.splat(load<i32>(u, 0));
    V0 = i64x2.sub(V0, i64x2.extmul_low_i32x4_s(U0, W0));
    V2 = i64x2.sub(V2, i64x2.extmul_low_i32x4_s(U0, W2));
    V4 = i64x2.sub(V4, i64x2.extmul_low_i32x4_s(U0, W4));
    V6 = i64x2.sub(V6, i64x2.extmul_low_i32x4_s(U0, W6));
    V8 = i64x2.sub(V8, i64x2.extmul_low_i32x4_s(U0, W8));
    const U1 = i32x4.splat(load<i32>(u, 4));
    V0 = i64x2.sub(V0, i64x2.extmul_low_i32x4_s(U1, Wm));
    V2 = i64x2.sub(V2, i64x2.extmul_low_i32x4_s(U1, W1));
    V4 = i64x2.sub(V4, i64x2.extmul_low_i32x4_s(U1, W3));
    V6 = i64x2.sub(V6, i64x2.extmul_low_i32x4_s(U1, W5));
    V8 = i64x2.sub(V8, i64x2.extmul_low_i32x4_s(U1, W7));
    V10 = i64x2.sub(V10, i64x2.extmul_low_i32x4_s(U1, W9));
    const U2 = i32x4.splat(load<i32>(u, 8));
    V2 = i64x2.sub(V2, i64x2.extmul_low_i32x4_s(U2, W0));
    V4 = i64x2.sub(V4, i64x2.extmul_low_i32x4_s(U2, W2));
    V6 = i64x2.sub(V6, i64x2.extmul_low_i32x4_s(U2, W4));
    V8 = i64x2.sub(V8, i64x2.extmul_low_i32x4_s(U2, W6));
    V10 = i64x2.sub(V10, i64x2.extmul_low_i32x4_s(U2, W8));
    const U3 = i32x4.splat(load<i32>(u, 12));
    V2 = i64x2.sub(V2, i64x2.extmul_low_i32x4_s(U3, Wm));
    V4 = i64x2.sub(V4, i64x2.extmul_low_i32x4_s(U3, W1));
    V6 = i64x2.sub(V6, i64x2.extmul_low_i32x4_s(U3, W3));
    V8 = i64x2.sub(V8, i64x2.extmul_low_i32x4_s(U3, W5));
    V10 = i64x2.sub(V10, i64x2.extmul_low_i32x4_s(U3, W7));
    V12 = i64x2.sub(V12, i64x2.extmul_low_i32x4_s(U3, W9));
    const U4 = i32x4.splat(load<i32>(u, 16));
    V4 = i64x2.sub(V4, i64x2.extmul_low_i32x4_s(U4, W0));
    V6 = i64x2.sub(V6, i64x2.extmul_low_i32x4_s(U4, W2));
    V8 = i64x2.sub(V8, i64x2.extmul_low_i32x4_s(U4, W4));
    V10 = i64x2.sub(V10, i64x2.extmul_low_i32x4_s(U4, W6));
    V12 = i64x2.sub(V12, i64x2.extmul_low_i32x4_s(U4, W8));
    const U5 = i32x4.splat(load<i32>(u, 20));
    V4 = i64x2.sub(V4, i64x2.extmul_low_i32x4_s(U5, Wm));
    V6 = i64x2.sub(V6, i64x2.extmul_low_i32x4_s(U5, W1));
    V8 = i64x2.sub(V8, i64x2.extmul_low_i32x4_s(U5, W3));
    V10 = i64x2.sub(V10, i64x2.extmul_low_i32x4_s(U5, W5));
    V12 = i64x2.sub(V12, i64x2.extmul_low_i32x4_s(U5, W7));
    V14 = i64x2.sub(V14, i64x2.extmul_low_i32x4_s(U5, W9));
    const U6 = i32x4.splat(load<i32>(u, 24));
    V6 = i64x2.sub(V6, i64x2.extmul_low_i32x4_s(U6, W0));
    V8 = i64x2.sub(V8, i64x2.extmul_low_i32x4_s(U6, W2));
    V10 = i64x2.sub(V10, i64x2.extmul_low_i32x4_s(U6, W4));
    V12 = i64x2.sub(V12, i64x2.extmul_low_i32x4_s(U6, W6));
    V14 = i64x2.sub(V14, i64x2.extmul_low_i32x4_s(U6, W8));
    const U7 = i32x4.splat(load<i32>(u, 28));
    V6 = i64x2.sub(V6, i64x2.extmul_low_i32x4_s(U7, Wm));
    V8 = i64x2.sub(V8, i64x2.extmul_low_i32x4_s(U7, W1));
    V10 = i64x2.sub(V10, i64x2.extmul_low_i32x4_s(U7, W3));
    V12 = i64x2.sub(V12, i64x2.extmul_low_i32x4_s(U7, W5));
    V14 = i64x2.sub(V14, i64x2.extmul_low_i32x4_s(U7, W7));
    V16 = i64x2.sub(V16, i64x2.extmul_low_i32x4_s(U7, W9));
    const U8 = i32x4.splat(load<i32>(u, 32));
    V8 = i64x2.sub(V8, i64x2.extmul_low_i32x4_s(U8, W0));
    V10 = i64x2.sub(V10, i64x2.extmul_low_i32x4_s(U8, W2));
    V12 = i64x2.sub(V12, i64x2.extmul_low_i32x4_s(U8, W4));
    V14 = i64x2.sub(V14, i64x2.extmul_low_i32x4_s(U8, W6));
    V16 = i64x2.sub(V16, i64x2.extmul_low_i32x4_s(U8, W8));
    const U9 = i32x4.splat(load<i32>(u, 36));
    V8 = i64x2.sub(V8, i64x2.extmul_low_i32x4_s(U9, Wm));
    V10 = i64x2.sub(V10, i64x2.extmul_low_i32x4_s(U9, W1));
    V12 = i64x2.sub(V12, i64x2.extmul_low_i32x4_s(U9, W3));
    V14 = i64x2.sub(V14, i64x2.extmul_low_i32x4_s(U9, W5));
    V16 = i64x2.sub(V16, i64x2.extmul_low_i32x4_s(U9, W7));
    V18 = i64x2.sub(V18, i64x2.extmul_low_i32x4_s(U9, W9));
    montP(h, i64x2.extract_lane(V0, 0), i64x2.extract_lane(V0, 1), i64x2.extract_lane(V2, 0), i64x2.extract_lane(V2, 1), i64x2.extract_lane(V4, 0), i64x2.extract_lane(V4, 1), i64x2.extract_lane(V6, 0), i64x2.extract_lane(V6, 1), i64x2.extract_lane(V8, 0), i64x2.extract_lane(V8, 1), i64x2.extract_lane(V10, 0), i64x2.extract_lane(V10, 1), i64x2.extract_lane(V12, 0), i64x2.extract_lane(V12, 1), i64x2.extract_lane(V14, 0), i64x2.extract_lane(V14, 1), i64x2.extract_lane(V16, 0), i64x2.extract_lane(V16, 1), i64x2.extract_lane(V18, 0));
    return;
  }
  const f0 = l(f, 0), f1 = l(f, 1), f2 = l(f, 2), f3 = l(f, 3), f4 = l(f, 4), f5 = l(f, 5), f6 = l(f, 6), f7 = l(f, 7), f8 = l(f, 8), f9 = l(f, 9);
  const g0 = l(g, 0), g1 = l(g, 1), g2 = l(g, 2), g3 = l(g, 3), g4 = l(g, 4), g5 = l(g, 5), g6 = l(g, 6), g7 = l(g, 7), g8 = l(g, 8), g9 = l(g, 9);
  const u0 = l(u, 0), u1 = l(u, 1), u2 = l(u, 2), u3 = l(u, 3), u4 = l(u, 4), u5 = l(u, 5), u6 = l(u, 6), u7 = l(u, 7), u8 = l(u, 8), u9 = l(u, 9);
  const v0 = l(v, 0), v1 = l(v, 1), v2 = l(v, 2), v3 = l(v, 3), v4 = l(v, 4), v5 = l(v, 5), v6 = l(v, 6), v7 = l(v, 7), v8 = l(v, 8), v9 = l(v, 9);
  const t0 = f0 * g0 - (u0 * v0);
  const t1 = f0 * g1 + f1 * g0 - (u0 * v1 + u1 * v0);
  const t2 = f0 * g2 + f1 * g1 + f2 * g0 - (u0 * v2 + u1 * v1 + u2 * v0);
  const t3 = f0 * g3 + f1 * g2 + f2 * g1 + f3 * g0 - (u0 * v3 + u1 * v2 + u2 * v1 + u3 * v0);
  const t4 = f0 * g4 + f1 * g3 + f2 * g2 + f3 * g1 + f4 * g0 - (u0 * v4 + u1 * v3 + u2 * v2 + u3 * v1 + u4 * v0);
  const t5 = f0 * g5 + f1 * g4 + f2 * g3 + f3 * g2 + f4 * g1 + f5 * g0 - (u0 * v5 + u1 * v4 + u2 * v3 + u3 * v2 + u4 * v1 + u5 * v0);
  const t6 = f0 * g6 + f1 * g5 + f2 * g4 + f3 * g3 + f4 * g2 + f5 * g1 + f6 * g0 - (u0 * v6 + u1 * v5 + u2 * v4 + u3 * v3 + u4 * v2 + u5 * v1 + u6 * v0);
  const t7 = f0 * g7 + f1 * g6 + f2 * g5 + f3 * g4 + f4 * g3 + f5 * g2 + f6 * g1 + f7 * g0 - (u0 * v7 + u1 * v6 + u2 * v5 + u3 * v4 + u4 * v3 + u5 * v2 + u6 * v1 + u7 * v0);
  const t8 = f0 * g8 + f1 * g7 + f2 * g6 + f3 * g5 + f4 * g4 + f5 * g3 + f6 * g2 + f7 * g1 + f8 * g0 - (u0 * v8 + u1 * v7 + u2 * v6 + u3 * v5 + u4 * v4 + u5 * v3 + u6 * v2 + u7 * v1 + u8 * v0);
  const t9 = f0 * g9 + f1 * g8 + f2 * g7 + f3 * g6 + f4 * g5 + f5 * g4 + f6 * g3 + f7 * g2 + f8 * g1 + f9 * g0 - (u0 * v9 + u1 * v8 + u2 * v7 + u3 * v6 + u4 * v5 + u5 * v4 + u6 * v3 + u7 * v2 + u8 * v1 + u9 * v0);
  const t10 = f1 * g9 + f2 * g8 + f3 * g7 + f4 * g6 + f5 * g5 + f6 * g4 + f7 * g3 + f8 * g2 + f9 * g1 - (u1 * v9 + u2 * v8 + u3 * v7 + u4 * v6 + u5 * v5 + u6 * v4 + u7 * v3 + u8 * v2 + u9 * v1);
  const t11 = f2 * g9 + f3 * g8 + f4 * g7 + f5 * g6 + f6 * g5 + f7 * g4 + f8 * g3 + f9 * g2 - (u2 * v9 + u3 * v8 + u4 * v7 + u5 * v6 + u6 * v5 + u7 * v4 + u8 * v3 + u9 * v2);
  const t12 = f3 * g9 + f4 * g8 + f5 * g7 + f6 * g6 + f7 * g5 + f8 * g4 + f9 * g3 - (u3 * v9 + u4 * v8 + u5 * v7 + u6 * v6 + u7 * v5 + u8 * v4 + u9 * v3);
  const t13 = f4 * g9 + f5 * g8 + f6 * g7 + f7 * g6 + f8 * g5 + f9 * g4 - (u4 * v9 + u5 * v8 + u6 * v7 + u7 * v6 + u8 * v5 + u9 * v4);
  const t14 = f5 * g9 + f6 * g8 + f7 * g7 + f8 * g6 + f9 * g5 - (u5 * v9 + u6 * v8 + u7 * v7 + u8 * v6 + u9 * v5);
  const t15 = f6 * g9 + f7 * g8 + f8 * g7 + f9 * g6 - (u6 * v9 + u7 * v8 + u8 * v7 + u9 * v6);
  const t16 = f7 * g9 + f8 * g8 + f9 * g7 - (u7 * v9 + u8 * v8 + u9 * v7);
  const t17 = f8 * g9 + f9 * g8 - (u8 * v9 + u9 * v8);
  const t18 = f9 * g9 - (u9 * v9);
  montP(h, t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15, t16, t17, t18);
}

/** h = f² · 2^-260, the cross products computed once. */
export function feSq(h: usize, f: usize): void {
  const f0 = l(f, 0), f1 = l(f, 1), f2 = l(f, 2), f3 = l(f, 3), f4 = l(f, 4), f5 = l(f, 5), f6 = l(f, 6), f7 = l(f, 7), f8 = l(f, 8), f9 = l(f, 9);
  const d0 = f0 << 1, d1 = f1 << 1, d2 = f2 << 1, d3 = f3 << 1, d4 = f4 << 1, d5 = f5 << 1, d6 = f6 << 1, d7 = f7 << 1, d8 = f8 << 1;
  const t0 = f0 * f0;
  const t1 = d0 * f1;
  const t2 = d0 * f2 + f1 * f1;
  const t3 = d0 * f3 + d1 * f2;
  const t4 = d0 * f4 + d1 * f3 + f2 * f2;
  const t5 = d0 * f5 + d1 * f4 + d2 * f3;
  const t6 = d0 * f6 + d1 * f5 + d2 * f4 + f3 * f3;
  const t7 = d0 * f7 + d1 * f6 + d2 * f5 + d3 * f4;
  const t8 = d0 * f8 + d1 * f7 + d2 * f6 + d3 * f5 + f4 * f4;
  const t9 = d0 * f9 + d1 * f8 + d2 * f7 + d3 * f6 + d4 * f5;
  const t10 = d1 * f9 + d2 * f8 + d3 * f7 + d4 * f6 + f5 * f5;
  const t11 = d2 * f9 + d3 * f8 + d4 * f7 + d5 * f6;
  const t12 = d3 * f9 + d4 * f8 + d5 * f7 + f6 * f6;
  const t13 = d4 * f9 + d5 * f8 + d6 * f7;
  const t14 = d5 * f9 + d6 * f8 + f7 * f7;
  const t15 = d6 * f9 + d7 * f8;
  const t16 = d7 * f9 + f8 * f8;
  const t17 = d8 * f9;
  const t18 = f9 * f9;
  montP(h, t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15, t16, t17, t18);
}

/**
 * h = the canonical plain limbs (in [0, p)) of the Montgomery-form f, what encodings and inversion
 * start from: f · 2^-260 lands in (-4, p + 4) for any |f| < 2^262, then one correction.
 */
function toCanonical(h: usize, f: usize): void {
  montP(h, l(f, 0), l(f, 1), l(f, 2), l(f, 3), l(f, 4), l(f, 5), l(f, 6), l(f, 7), l(f, 8), l(f, 9), 0, 0, 0, 0, 0, 0, 0, 0, 0);
  canonical(h, h, P_LIMBS);
}

// The linear operations are written out limb by limb (loops cost more in control than in work).

export function feAdd(h: usize, f: usize, g: usize): void {
  const f0 = load<i32>(f), f1 = load<i32>(f, 4), f2 = load<i32>(f, 8), f3 = load<i32>(f, 12), f4 = load<i32>(f, 16);
  const f5 = load<i32>(f, 20), f6 = load<i32>(f, 24), f7 = load<i32>(f, 28), f8 = load<i32>(f, 32), f9 = load<i32>(f, 36);
  store<i32>(h, f0 + load<i32>(g)); store<i32>(h, f1 + load<i32>(g, 4), 4); store<i32>(h, f2 + load<i32>(g, 8), 8);
  store<i32>(h, f3 + load<i32>(g, 12), 12); store<i32>(h, f4 + load<i32>(g, 16), 16); store<i32>(h, f5 + load<i32>(g, 20), 20);
  store<i32>(h, f6 + load<i32>(g, 24), 24); store<i32>(h, f7 + load<i32>(g, 28), 28); store<i32>(h, f8 + load<i32>(g, 32), 32);
  store<i32>(h, f9 + load<i32>(g, 36), 36);
}

export function feSub(h: usize, f: usize, g: usize): void {
  const f0 = load<i32>(f), f1 = load<i32>(f, 4), f2 = load<i32>(f, 8), f3 = load<i32>(f, 12), f4 = load<i32>(f, 16);
  const f5 = load<i32>(f, 20), f6 = load<i32>(f, 24), f7 = load<i32>(f, 28), f8 = load<i32>(f, 32), f9 = load<i32>(f, 36);
  store<i32>(h, f0 - load<i32>(g)); store<i32>(h, f1 - load<i32>(g, 4), 4); store<i32>(h, f2 - load<i32>(g, 8), 8);
  store<i32>(h, f3 - load<i32>(g, 12), 12); store<i32>(h, f4 - load<i32>(g, 16), 16); store<i32>(h, f5 - load<i32>(g, 20), 20);
  store<i32>(h, f6 - load<i32>(g, 24), 24); store<i32>(h, f7 - load<i32>(g, 28), 28); store<i32>(h, f8 - load<i32>(g, 32), 32);
  store<i32>(h, f9 - load<i32>(g, 36), 36);
}

/** h = 3f (limb by limb). */
export function feTriple(h: usize, f: usize): void {
  for (let i: usize = 0; i < FE; i += 4) store<i32>(h + i, 3 * load<i32>(f + i));
}

export function feNeg(h: usize, f: usize): void {
  for (let i: usize = 0; i < FE; i += 4) store<i32>(h + i, -load<i32>(f + i));
}

export function feCopy(h: usize, f: usize): void {
  const a = load<u64>(f), b = load<u64>(f, 8), c = load<u64>(f, 16), d = load<u64>(f, 24), e = load<u64>(f, 32);
  store<u64>(h, a); store<u64>(h, b, 8); store<u64>(h, c, 16); store<u64>(h, d, 24); store<u64>(h, e, 32);
}

export function feZero(h: usize): void {
  store<u64>(h, 0); store<u64>(h, 0, 8); store<u64>(h, 0, 16); store<u64>(h, 0, 24); store<u64>(h, 0, 32);
}

/** h = 1 (in Montgomery form). */
export function feOne(h: usize): void {
  feCopy(h, FE_ONE);
}

/**
 * h = f reduced in size: the limbs normalised (0..8 in [0, 2^26), limb 9 signed) and the bits from
 * 2^256 up folded back with 2^256 ≡ 2^224 - 2^192 - 2^96 + 1, so that |h| < 2^257 whatever f
 * (limbs below 2^31) was. Same value mod p. The point formulas end with it: products of unreduced
 * products would otherwise grow from one point operation to the next.
 */
export function feReduce(h: usize, f: usize): void {
  let r0 = l(f, 0), r1 = l(f, 1), r2 = l(f, 2), r3 = l(f, 3), r4 = l(f, 4);
  let r5 = l(f, 5), r6 = l(f, 6), r7 = l(f, 7), r8 = l(f, 8), r9 = l(f, 9);
  r1 += r0 >> 26; r0 &= MASK; r2 += r1 >> 26; r1 &= MASK; r3 += r2 >> 26; r2 &= MASK;
  r4 += r3 >> 26; r3 &= MASK; r5 += r4 >> 26; r4 &= MASK; r6 += r5 >> 26; r5 &= MASK;
  r7 += r6 >> 26; r6 &= MASK; r8 += r7 >> 26; r7 &= MASK; r9 += r8 >> 26; r8 &= MASK;
  // c · 2^256 with c the signed bits from 256 up (limb 9 starts at bit 234)
  const c = r9 >> 22;
  r9 &= 0x3fffff;
  r0 += c; r3 -= c << 18; r7 -= c << 10; r8 += c << 16;
  r1 += r0 >> 26; r0 &= MASK; r2 += r1 >> 26; r1 &= MASK; r3 += r2 >> 26; r2 &= MASK;
  r4 += r3 >> 26; r3 &= MASK; r5 += r4 >> 26; r4 &= MASK; r6 += r5 >> 26; r5 &= MASK;
  r7 += r6 >> 26; r6 &= MASK; r8 += r7 >> 26; r7 &= MASK; r9 += r8 >> 26; r8 &= MASK;
  store<i32>(h, <i32>r0); store<i32>(h, <i32>r1, 4); store<i32>(h, <i32>r2, 8); store<i32>(h, <i32>r3, 12);
  store<i32>(h, <i32>r4, 16); store<i32>(h, <i32>r5, 20); store<i32>(h, <i32>r6, 24); store<i32>(h, <i32>r7, 28);
  store<i32>(h, <i32>r8, 32); store<i32>(h, <i32>r9, 36);
}

@inline function movWord(f: usize, g: usize, m: u64): void {
  const x = load<u64>(f);
  store<u64>(f, x ^ ((x ^ load<u64>(g)) & m));
}

/** f = g where b = 1, unchanged where b = 0, by mask. */
export function feCmov(f: usize, g: usize, b: u32): void {
  const m = -(<u64>b);
  movWord(f, g, m); movWord(f + 8, g + 8, m); movWord(f + 16, g + 16, m); movWord(f + 24, g + 24, m); movWord(f + 32, g + 32, m);
}

// ---- canonical values and encodings ----------------------------------------------------------------

/**
 * Writes the canonical representative in [0, q) of f (normalised limbs, value in (-q, 2q)) as
 * plain limbs to h, for a modulus q given as plain limbs (P_LIMBS, N_LIMBS). Shared with scalar.ts.
 */
export function canonical(h: usize, f: usize, q: usize): void {
  // the sign of a normalised value is the sign of its top limb: add q once if negative
  const neg = l(f, 9) >> 63;
  let c: i64 = 0;
  for (let i: usize = 0; i < 10; i++) {
    const v = l(f, i) + (l(q, i) & neg) + c;
    c = i < 9 ? v >> 26 : 0;
    store<i32>(h + (i << 2), <i32>(i < 9 ? v & MASK : v));
  }
  // subtract q unless that goes negative (the borrow out of the top limb says which)
  c = 0;
  for (let i: usize = 0; i < 10; i++) {
    const v = l(h, i) - l(q, i) + c;
    c = v >> 26;
    store<i32>(DIFF + (i << 2), <i32>(i < 9 ? v & MASK : v));
  }
  const keep = <u32>(c < 0);
  for (let i: usize = 0; i < 10; i++) {
    const a = load<u32>(h + (i << 2)), b = load<u32>(DIFF + (i << 2));
    store<u32>(h + (i << 2), b ^ ((a ^ b) & -keep));
  }
}

/** Plain limbs of a 32-byte big-endian integer (below 2^256) into h. */
export function limbsFromBytes(h: usize, s: usize): void {
  const w3 = bswap<u64>(load<u64>(s)), w2 = bswap<u64>(load<u64>(s, 8));
  const w1 = bswap<u64>(load<u64>(s, 16)), w0 = bswap<u64>(load<u64>(s, 24));
  const M = <u64>MASK;
  store<i32>(h, <i32>(w0 & M));
  store<i32>(h, <i32>((w0 >> 26) & M), 4);
  store<i32>(h, <i32>(((w0 >> 52) | (w1 << 12)) & M), 8);
  store<i32>(h, <i32>((w1 >> 14) & M), 12);
  store<i32>(h, <i32>(((w1 >> 40) | (w2 << 24)) & M), 16);
  store<i32>(h, <i32>((w2 >> 2) & M), 20);
  store<i32>(h, <i32>((w2 >> 28) & M), 24);
  store<i32>(h, <i32>(((w2 >> 54) | (w3 << 10)) & M), 28);
  store<i32>(h, <i32>((w3 >> 16) & M), 32);
  store<i32>(h, <i32>(w3 >> 42), 36);
}

/** The 32-byte big-endian encoding of canonical plain limbs f (every limb in [0, 2^26), value < 2^256). */
export function limbsToBytes(s: usize, f: usize): void {
  const r0 = <u64>load<u32>(f), r1 = <u64>load<u32>(f, 4), r2 = <u64>load<u32>(f, 8), r3 = <u64>load<u32>(f, 12);
  const r4 = <u64>load<u32>(f, 16), r5 = <u64>load<u32>(f, 20), r6 = <u64>load<u32>(f, 24), r7 = <u64>load<u32>(f, 28);
  const r8 = <u64>load<u32>(f, 32), r9 = <u64>load<u32>(f, 36);
  store<u64>(s, bswap<u64>((r7 >> 10) | (r8 << 16) | (r9 << 42)));
  store<u64>(s, bswap<u64>((r4 >> 24) | (r5 << 2) | (r6 << 28) | (r7 << 54)), 8);
  store<u64>(s, bswap<u64>((r2 >> 12) | (r3 << 14) | (r4 << 40)), 16);
  store<u64>(s, bswap<u64>(r0 | (r1 << 26) | (r2 << 52)), 24);
}

/** 1 if the plain limbs f (each in [0, 2^26)) are below the plain limbs q, else 0. Constant time. */
export function limbsLess(f: usize, q: usize): u32 {
  let c: i64 = 0;
  for (let i: usize = 0; i < 10; i++) c = (l(f, i) - l(q, i) + c) >> 26;
  return <u32>(c & 1);
}

/**
 * h = the field element encoded by 32 big-endian bytes, in Montgomery form. Returns 1 if the
 * encoding is canonical (below p), else 0 (h then holds the element of the value mod p).
 */
export function feFromBytes(h: usize, s: usize): u32 {
  limbsFromBytes(ENC, s);
  const ok = limbsLess(ENC, P_LIMBS);
  feMul(h, ENC, FE_R2);
  return ok;
}

/** s = the canonical 32-byte big-endian encoding of f. */
export function feToBytes(s: usize, f: usize): void {
  toCanonical(ENC, f);
  limbsToBytes(s, ENC);
}

/** 1 if f ≡ 0 (mod p), else 0. */
export function feIsZero(f: usize): u32 {
  toCanonical(ENC, f);
  let acc: u32 = 0;
  for (let i: usize = 0; i < FE; i += 4) acc |= load<u32>(ENC + i);
  return (acc - 1) >>> 31;
}

/** 1 if f ≡ g (mod p), else 0. */
export function feEqual(f: usize, g: usize): u32 {
  feSub(EQ, f, g);
  return feIsZero(EQ);
}

/** The least significant bit of the canonical value of f (the SEC1 "y parity"). */
export function feParity(f: usize): u32 {
  toCanonical(ENC, f);
  return load<u32>(ENC) & 1;
}

// ---- exponentiations: fixed addition chains ----------------------------------------------------------

// Scratch of the exponentiations and encodings, one block so that feWipeScratch can clear it.
const SCRATCH_LEN: usize = 7 * FE;
const SCRATCH: usize = memory.data(<i32>SCRATCH_LEN, 16);
const T0: usize = SCRATCH, T1: usize = SCRATCH + FE, T2: usize = SCRATCH + 2 * FE, T3: usize = SCRATCH + 3 * FE;
const ENC: usize = SCRATCH + 4 * FE, DIFF: usize = SCRATCH + 5 * FE, EQ: usize = SCRATCH + 6 * FE;

/** Zeroes this module's scratch (powers of the last inverted element, the last encoding). */
export function feWipeScratch(): void {
  wipe(SCRATCH, SCRATCH_LEN);
}

@inline function sqTimes(h: usize, f: usize, n: i32): void {
  feSq(h, f);
  for (let i = 1; i < n; i++) feSq(h, h);
}

/** T3 = z^(2^32 - 1), T2 = z^(2^30 - 1), T0 = z^3: the common prefix of inversion and square root. */
function pow32(z: usize): void {
  feSq(T0, z); feMul(T0, T0, z);            // 2^2 - 1
  feSq(T1, T0); feMul(T1, T1, z);           // 2^3 - 1
  sqTimes(T2, T1, 3); feMul(T2, T2, T1);    // 2^6 - 1
  sqTimes(T3, T2, 6); feMul(T3, T3, T2);    // 2^12 - 1
  sqTimes(T3, T3, 3); feMul(T3, T3, T1);    // 2^15 - 1
  sqTimes(T2, T3, 15); feMul(T2, T2, T3);   // 2^30 - 1
  sqTimes(T3, T2, 2); feMul(T3, T3, T0);    // 2^32 - 1
}

/**
 * h = z^-1 (0 for z = 0), Montgomery form in and out, by divsteps on the canonical value
 * (../divsteps.ts; a third of the time of z^(p - 2)'s 255 squarings and 12 multiplications). h may
 * alias z.
 */
export function feInvert(h: usize, z: usize): void {
  toCanonical(ENC, z);
  divstepsLoadLimbs26(ENC);
  divstepsInvert(MOD_P256);
  divstepsStoreLimbs26(ENC);
  feMul(h, ENC, FE_R2);                     // |ENC| < 2^261, normalised limbs: within feMul's bounds
}

/**
 * h = z^((p + 1) / 4), a square root of z when z is a square (p ≡ 3 mod 4); returns 1 if h² = z,
 * else 0. (p + 1) / 4 = 2^254 - 2^222 + 2^190 + 2^94: 253 squarings and 9 multiplications. h must
 * not alias z.
 */
export function feSqrt(h: usize, z: usize): u32 {
  pow32(z);
  sqTimes(T1, T3, 32); feMul(T1, T1, z);    // bits 253..222 set, then bit 190
  sqTimes(T1, T1, 96); feMul(T1, T1, z);    // bit 94
  sqTimes(h, T1, 94);
  feSq(T0, h);
  return feEqual(T0, z);
}
