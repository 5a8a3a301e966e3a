// Arithmetic modulo n, the order of the P-256 base point (SEC 2 §2.4.2), for ECDSA.
//
// Same shape as the field (field.ts): ten signed 26-bit limbs, Montgomery form x·2^260 mod n. n is
// not Montgomery-friendly like p, so each of the ten reduction steps computes its quotient digit with
// one multiplication by -n^-1 mod 2^26; but n = 2^256 - 2^224 + 2^192 - δ with δ < 2^127, so adding
// m·n costs five multiplications (m·δ) and three shifted additions: 160 multiplications per product
// (the field's 100 plus 60). Inputs follow the field's bounds; outputs have normalised limbs and
// |value| < 2^258 for inputs below 2^260.
//
// Constant time: everything here runs on secret scalars (keys, nonces) and is straight-line.

import { wipe } from '../../runtime/bytes';
import { canonical, limbsFromBytes, limbsLess, limbsToBytes } from './field';
import { MOD_P256_N, divstepsInvert, divstepsLoadLimbs26, divstepsStoreLimbs26 } from '../divsteps';
import { N0INV, N_LIMBS, SC_R2 } from './tables';

export const SC: usize = 40;
const MASK: i64 = 0x3ffffff;
// δ = 2^256 - 2^224 + 2^192 - n in 26-bit limbs
const D0: i64 = 60611247, D1: i64 = 26038080, D2: i64 = 35107012, D3: i64 = 21586849, D4: i64 = 4397317;

@inline function l(f: usize, i: usize): i64 { return <i64>load<i32>(f + (i << 2)); }

/**
 * Montgomery reduction mod n of the 19 product columns, normalised into h. n = 2^256 - 2^224 + 2^192 - δ
 * with δ below 2^127 (five limbs): each step's quotient digit m = t·(-n^-1) mod 2^26 takes one
 * multiplication, adding m·n takes five (m·δ) and three shifted additions.
 */
@inline function montN(h: usize, t0: i64, t1: i64, t2: i64, t3: i64, t4: i64, t5: i64, t6: i64, t7: i64, t8: i64, t9: i64, t10: i64, t11: i64, t12: i64, t13: i64, t14: i64, t15: i64, t16: i64, t17: i64, t18: i64): void {
  let m: i64;
  m = ((t0 & MASK) * N0INV) & MASK; t1 += ((t0 - m * D0) >> 26) - m * D1; t2 -= m * D2; t3 -= m * D3; t4 -= m * D4; t7 += m << 10; t8 -= m << 16; t9 += m << 22;
  m = ((t1 & MASK) * N0INV) & MASK; t2 += ((t1 - m * D0) >> 26) - m * D1; t3 -= m * D2; t4 -= m * D3; t5 -= m * D4; t8 += m << 10; t9 -= m << 16; t10 += m << 22;
  m = ((t2 & MASK) * N0INV) & MASK; t3 += ((t2 - m * D0) >> 26) - m * D1; t4 -= m * D2; t5 -= m * D3; t6 -= m * D4; t9 += m << 10; t10 -= m << 16; t11 += m << 22;
  m = ((t3 & MASK) * N0INV) & MASK; t4 += ((t3 - m * D0) >> 26) - m * D1; t5 -= m * D2; t6 -= m * D3; t7 -= m * D4; t10 += m << 10; t11 -= m << 16; t12 += m << 22;
  m = ((t4 & MASK) * N0INV) & MASK; t5 += ((t4 - m * D0) >> 26) - m * D1; t6 -= m * D2; t7 -= m * D3; t8 -= m * D4; t11 += m << 10; t12 -= m << 16; t13 += m << 22;
  m = ((t5 & MASK) * N0INV) & MASK; t6 += ((t5 - m * D0) >> 26) - m * D1; t7 -= m * D2; t8 -= m * D3; t9 -= m * D4; t12 += m << 10; t13 -= m << 16; t14 += m << 22;
  m = ((t6 & MASK) * N0INV) & MASK; t7 += ((t6 - m * D0) >> 26) - m * D1; t8 -= m * D2; t9 -= m * D3; t10 -= m * D4; t13 += m << 10; t14 -= m << 16; t15 += m << 22;
  m = ((t7 & MASK) * N0INV) & MASK; t8 += ((t7 - m * D0) >> 26) - m * D1; t9 -= m * D2; t10 -= m * D3; t11 -= m * D4; t14 += m << 10; t15 -= m << 16; t16 += m << 22;
  m = ((t8 & MASK) * N0INV) & MASK; t9 += ((t8 - m * D0) >> 26) - m * D1; t10 -= m * D2; t11 -= m * D3; t12 -= m * D4; t15 += m << 10; t16 -= m << 16; t17 += m << 22;
  m = ((t9 & MASK) * N0INV) & MASK; t10 += ((t9 - m * D0) >> 26) - m * D1; t11 -= m * D2; t12 -= m * D3; t13 -= m * D4; t16 += m << 10; t17 -= m << 16; t18 += m << 22;
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

/** h = f · g · 2^-260 mod n. Any of them may alias. */
export function scMul(h: usize, f: usize, g: usize): void {
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
    montN(h, i64x2.extract_lane(V0, 0), i64x2.extract_lane(V0, 1), i64x2.extract_lane(V2, 0), i64x2.extract_lane(V2, 1), i64x2.extract_lane(V4, 0), i64x2.extract_lane(V4, 1), i64x2.extract_lane(V6, 0), i64x2.extract_lane(V6, 1), i64x2.extract_lane(V8, 0), i64x2.extract_lane(V8, 1), i64x2.extract_lane(V10, 0), i64x2.extract_lane(V10, 1), i64x2.extract_lane(V12, 0), i64x2.extract_lane(V12, 1), i64x2.extract_lane(V14, 0), i64x2.extract_lane(V14, 1), i64x2.extract_lane(V16, 0), i64x2.extract_lane(V16, 1), i64x2.extract_lane(V18, 0));
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
  montN(h, t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15, t16, t17, t18);
}

export function scAdd(h: usize, f: usize, g: usize): void {
  for (let i: usize = 0; i < SC; i += 4) store<i32>(h + i, load<i32>(f + i) + load<i32>(g + i));
}

/** h = f · 2^260 mod n (into Montgomery form), f plain limbs. */
export function scToMont(h: usize, f: usize): void {
  scMul(h, f, SC_R2);
}

/** h = the canonical plain limbs (in [0, n)) of the Montgomery-form f. */
export function scFromMont(h: usize, f: usize): void {
  montN(h, l(f, 0), l(f, 1), l(f, 2), l(f, 3), l(f, 4), l(f, 5), l(f, 6), l(f, 7), l(f, 8), l(f, 9), 0, 0, 0, 0, 0, 0, 0, 0, 0);
  canonical(h, h, N_LIMBS);
}

/** h = plain limbs of the 32-byte big-endian integer s reduced mod n (s < 2^256 < 2n: one subtraction). */
export function scFromBytesReduced(h: usize, s: usize): void {
  limbsFromBytes(h, s);
  canonical(h, h, N_LIMBS);
}

/** s = 32 big-endian bytes of the canonical plain limbs f. */
export function scToBytes(s: usize, f: usize): void {
  limbsToBytes(s, f);
}

/** 1 if the plain limbs f are 0, else 0. */
export function scIsZero(f: usize): u32 {
  let acc: u32 = 0;
  for (let i: usize = 0; i < SC; i += 4) acc |= load<u32>(f + i);
  return (acc - 1) >>> 31;
}

/** 1 if the 32 big-endian bytes s encode an integer in [1, n - 1] (a valid secret scalar), else 0. */
export function scIsValidBytes(s: usize): u32 {
  limbsFromBytes(CHECK, s);
  return limbsLess(CHECK, N_LIMBS) & (scIsZero(CHECK) ^ 1);
}

/** f = n - f where b = 1 (f canonical plain limbs, not 0), unchanged where b = 0. */
export function scCondNegate(f: usize, b: u32): void {
  const mask = -(<i32>b);
  let c: i64 = 0;
  for (let i: usize = 0; i < 10; i++) {
    const v = l(N_LIMBS, i) - l(f, i) + c;
    c = v >> 26;
    const neg = <i32>(v & MASK);
    const x = load<i32>(f + (i << 2));
    store<i32>(f + (i << 2), x ^ ((x ^ neg) & mask));
  }
}

// ---- inversion ---------------------------------------------------------------------------------------

const SCRATCH_LEN: usize = 2 * SC;
const SCRATCH: usize = memory.data(<i32>SCRATCH_LEN, 16);
const CHECK: usize = SCRATCH, PLAIN: usize = SCRATCH + SC;

export function scWipeScratch(): void {
  wipe(SCRATCH, SCRATCH_LEN);
}

/**
 * h = z^-1 mod n (0 for z = 0), Montgomery form in and out, by divsteps on the canonical value
 * (../divsteps.ts; a fifth of the time of z^(n - 2) by fixed windows). h may alias z.
 */
export function scInvert(h: usize, z: usize): void {
  scFromMont(PLAIN, z);
  divstepsLoadLimbs26(PLAIN);
  divstepsInvert(MOD_P256_N);
  divstepsStoreLimbs26(PLAIN);
  scToMont(h, PLAIN);                       // |PLAIN| < 2^261, normalised limbs: within scMul's bounds
}
