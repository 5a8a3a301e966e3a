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
// Bounds. A "k-bounded" element has |limb| < k·2^26. mul/sq accept inputs with k1·k2 ≤ 150 (every
// column then stays below 2^63) and return normalised limbs: 0..8 in [0, 2^26), limb 9 signed and
// small, value v with |v| < 2^259 as long as the inputs' values are below 2^261 in magnitude.
// add/sub/neg work limb by limb without carrying (bounds add up); feCarry normalises limbs without
// changing the value. Values are signed and need not be reduced: only the encodings (feToBytes,
// feIsZero) bring them to the canonical representative in [0, p).
//
// Constant time: every function is straight-line; no branch or index depends on field values.

import { wipe } from '../../runtime/bytes';
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

/** h = f · 2^-260: leaves Montgomery form; the value lands in (-4, p + 4) for any |f| < 2^262. */
function fromMont(h: usize, f: usize): void {
  montP(h, l(f, 0), l(f, 1), l(f, 2), l(f, 3), l(f, 4), l(f, 5), l(f, 6), l(f, 7), l(f, 8), l(f, 9), 0, 0, 0, 0, 0, 0, 0, 0, 0);
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

/** Normalises the limbs of f into h (0..8 in [0, 2^26), limb 9 signed); the value is unchanged. */
export function feCarry(h: usize, f: usize): void {
  let c: i64 = 0;
  for (let i: usize = 0; i < 9; i++) {
    const v = l(f, i) + c;
    c = v >> 26;
    store<i32>(h + (i << 2), <i32>(v & MASK));
  }
  store<i32>(h, <i32>(l(f, 9) + c), 36);
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
  fromMont(ENC, f);
  canonical(ENC, ENC, P_LIMBS);
  limbsToBytes(s, ENC);
}

/** 1 if f ≡ 0 (mod p), else 0. */
export function feIsZero(f: usize): u32 {
  fromMont(ENC, f);
  canonical(ENC, ENC, P_LIMBS);
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
  fromMont(ENC, f);
  canonical(ENC, ENC, P_LIMBS);
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
 * h = z^(p - 2) = z^-1 (0 for z = 0), p - 2 = ffffffff 00000001 00000000 00000000 00000000 ffffffff
 * ffffffff fffffffd (32-bit words): 255 squarings and 12 multiplications. h may alias z.
 */
export function feInvert(h: usize, z: usize): void {
  pow32(z);
  sqTimes(T1, T3, 32); feMul(T1, T1, z);    // ffffffff 00000001
  sqTimes(T1, T1, 96);                      // … 00000000 00000000 00000000
  sqTimes(T1, T1, 32); feMul(T1, T1, T3);   // … ffffffff
  sqTimes(T1, T1, 32); feMul(T1, T1, T3);   // … ffffffff
  sqTimes(T1, T1, 30); feMul(T1, T1, T2);   // … 2^30 - 1
  sqTimes(T1, T1, 2); feMul(h, T1, z);      // … fffffffd
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
