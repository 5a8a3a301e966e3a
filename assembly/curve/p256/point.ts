// The P-256 group: y^2 = x^3 - 3x + b over GF(p), prime order n, cofactor 1.
//
// Points are homogeneous projective (X : Y : Z), x = X/Z, y = Y/Z, the identity (0 : 1 : 0), 120
// bytes (PT); affine points (x, y) are 80 bytes (AFF). The group law is the complete formulas of
// Renes, Costello and Batina, "Complete addition formulas for prime order elliptic curves"
// (Eurocrypt 2016, eprint 2015/1060), for a = -3: Algorithm 4 (addition, 12M + 2m_b), 5 (mixed
// addition with an affine point, 11M + 2m_b) and 6 (doubling, 8M + 3S + 2m_b). They are correct for
// every pair of inputs — doubling, inverse points, the identity — so nothing branches on a point;
// the one exception, an affine identity in Algorithm 5, cannot be represented and is handled by the
// callers with a masked move. Each formula's sums are fed to the multiplications unreduced (see the
// bounds in field.ts), with one reduction where a sum would exceed them; the last products are
// paired into sums of two products with a single Montgomery reduction each; the outputs are reduced
// (feReduce) so that every formula starts from coordinates below 2^257.
//
// Scalar multiplications:
//   scalarMult      k·P, constant time: 65 signed radix-16 digits, a table of 0..8 P read in full
//                   for every digit and combined under masks, 256 doublings and 64 additions.
//   scalarMultBase  k·G, constant time: the comb (j·2^(12 i)·G, 22 rows of 32 points, built on
//                   first use by base_tables.ts), 43 signed radix-64 digits, 43 mixed additions and
//                   6 doublings, every row read in full.
//   doubleScalarMultVartime  u1·G + u2·Q for ECDSA verification, interleaved wNAF (width 8 for G
//                   with the precomputed odd multiples, width 5 for Q): variable time, public data only.
// Both read the base-point tables of base_tables.ts (the comb; the odd multiples of G), which their
// callers, p256.ts's entry points, build first (p256EnsureTables).

import { wipe } from '../../runtime/bytes';
import {
  FE, feAdd, feCmov, feCopy, feEqual, feFromBytes, feInvert, feMul, feMulAdd, feMulSub, feNeg, feOne, feParity, feReduce,
  feSq, feSqrt, feSub, feToBytes, feTriple, feWipeScratch, feZero,
} from './field';
import { divstepsWipe } from '../divsteps';
import { scWipeScratch } from './scalar';
import { BASE, FE_B, ODD } from './tables';

export const PT: usize = 3 * FE;
export const AFF: usize = 2 * FE;

// ---- scratch: one block, wiped by p256WipeScratch -------------------------------------------------

const STRIDE: usize = 128;              // a projective point's slot in tables (120 bytes and padding)
const TABLE_LEN: usize = 9 * STRIDE;    // identity, P..8P (constant time) or Q, 3Q, …, 15Q (verification)
const DIGITS_LEN: usize = 272;          // 65 radix-16 digits, or 257 wNAF digits
const SCRATCH_LEN: usize = 8 * FE + TABLE_LEN + STRIDE + 2 * PT + AFF + FE + 3 * DIGITS_LEN;
const SCRATCH: usize = memory.data(<i32>SCRATCH_LEN, 16);
const t0: usize = SCRATCH, t1: usize = SCRATCH + FE, t2: usize = SCRATCH + 2 * FE, t3: usize = SCRATCH + 3 * FE;
const t4: usize = SCRATCH + 4 * FE, X3: usize = SCRATCH + 5 * FE, Y3: usize = SCRATCH + 6 * FE, Z3: usize = SCRATCH + 7 * FE;
const TABLE: usize = SCRATCH + 8 * FE;
const SEL: usize = TABLE + TABLE_LEN;   // a selected projective point (STRIDE bytes)
const ACC: usize = SEL + STRIDE;        // a sum before a masked move
const Q2: usize = ACC + PT;
const SELA: usize = Q2 + PT;            // a selected affine point
const NEGY: usize = SELA + AFF;
const DIGITS: usize = NEGY + FE;
const DIGITS2: usize = DIGITS + DIGITS_LEN;
const BITS: usize = DIGITS2 + DIGITS_LEN;

/**
 * Zeroes every scratch area of the P-256 code (field, scalar and group): after a secret scalar
 * multiplication they hold intermediate coordinates and digits. Every entry point calls it (or the
 * ECDSA wipe, which calls it) before returning.
 */
export function p256WipeScratch(): void {
  wipe(SCRATCH, SCRATCH_LEN);
  feWipeScratch();
  scWipeScratch();
  divstepsWipe();
}

@inline function X(p: usize): usize { return p; }
@inline function Y(p: usize): usize { return p + FE; }
@inline function Z(p: usize): usize { return p + 2 * FE; }

export function pIdentity(p: usize): void {
  feZero(X(p)); feOne(Y(p)); feZero(Z(p));
}

export function pFromAffine(p: usize, a: usize): void {
  feCopy(X(p), a); feCopy(Y(p), a + FE); feOne(Z(p));
}

/** r = (x : y : z), each coordinate reduced (field.ts feReduce) for the next formula's bounds. */
@inline function store3(r: usize, x: usize, y: usize, z: usize): void {
  feReduce(X(r), x); feReduce(Y(r), y); feReduce(Z(r), z);
}

/**
 * r = 2p (RCB Algorithm 6). r may alias p. The final products are paired into sums of two products
 * with one reduction each (feMulAdd, feMulSub).
 */
export function pDouble(r: usize, p: usize): void {
  feSq(t0, X(p)); feSq(t1, Y(p)); feSq(t2, Z(p));
  feMul(t3, X(p), Y(p)); feAdd(t3, t3, t3);            // 2XY
  feMul(Z3, X(p), Z(p)); feAdd(Z3, Z3, Z3);            // 2XZ
  feMul(t4, Y(p), Z(p)); feAdd(t4, t4, t4);            // 2YZ
  feMul(Y3, FE_B, t2); feSub(Y3, Y3, Z3);
  feTriple(Y3, Y3); feReduce(Y3, Y3);                  // 3(b Z² - 2XZ), reduced: the next products grow
  feSub(X3, t1, Y3); feAdd(Y3, t1, Y3);
  feTriple(t2, t2);                                    // 3Z²
  feMul(Z3, FE_B, Z3);
  feSub(Z3, Z3, t2); feSub(Z3, Z3, t0); feTriple(Z3, Z3);
  feTriple(t0, t0); feSub(t0, t0, t2);
  feMulAdd(t2, X3, Y3, t0, Z3);                        // Y3
  feMulSub(t0, X3, t3, t4, Z3);                        // X3
  feMul(Z3, t4, t1); feAdd(Z3, Z3, Z3); feAdd(Z3, Z3, Z3);
  store3(r, t0, t2, Z3);
}

/** r = p + q (RCB Algorithm 4), complete. r may alias p or q. */
export function pAdd(r: usize, p: usize, q: usize): void {
  feMul(t0, X(p), X(q)); feMul(t1, Y(p), Y(q)); feMul(t2, Z(p), Z(q));
  feAdd(t3, X(p), Y(p)); feAdd(t4, X(q), Y(q)); feMul(t3, t3, t4);
  feAdd(t4, t0, t1); feSub(t3, t3, t4);
  feAdd(t4, Y(p), Z(p)); feAdd(X3, Y(q), Z(q)); feMul(t4, t4, X3);
  feAdd(X3, t1, t2); feSub(t4, t4, X3);
  feAdd(X3, X(p), Z(p)); feAdd(Y3, X(q), Z(q)); feMul(X3, X3, Y3);
  feAdd(Y3, t0, t2); feSub(Y3, X3, Y3);
  feMul(Z3, FE_B, t2); feSub(X3, Y3, Z3); feTriple(X3, X3); feReduce(X3, X3);
  feSub(Z3, t1, X3); feAdd(X3, t1, X3);
  feMul(Y3, FE_B, Y3);
  feTriple(t2, t2);
  feSub(Y3, Y3, t2); feSub(Y3, Y3, t0); feTriple(Y3, Y3);
  feTriple(t0, t0); feSub(t0, t0, t2);
  feMulAdd(t1, X3, Z3, t0, Y3);                        // Y3 = X3 Z3 + t0 Y3
  feMulSub(t2, t3, X3, t4, Y3);                        // X3 = t3 X3 - t4 Y3
  feMulAdd(Z3, t4, Z3, t3, t0);                        // Z3 = t4 Z3 + t3 t0
  store3(r, t2, t1, Z3);
}

/** r = p + a for an affine a (RCB Algorithm 5); correct for every p, a must not be the identity. */
export function pAddAffine(r: usize, p: usize, a: usize): void {
  const ax = a, ay = a + FE;
  feMul(t0, X(p), ax); feMul(t1, Y(p), ay);
  feAdd(t3, ax, ay); feAdd(t4, X(p), Y(p)); feMul(t3, t3, t4);
  feAdd(t4, t0, t1); feSub(t3, t3, t4);
  feMul(t4, ay, Z(p)); feAdd(t4, t4, Y(p));
  feMul(Y3, ax, Z(p)); feAdd(Y3, Y3, X(p));
  feMul(Z3, FE_B, Z(p));
  feSub(X3, Y3, Z3); feTriple(X3, X3); feReduce(X3, X3);
  feSub(Z3, t1, X3); feAdd(X3, t1, X3);
  feMul(Y3, FE_B, Y3);
  feTriple(t2, Z(p));
  feSub(Y3, Y3, t2); feSub(Y3, Y3, t0); feTriple(Y3, Y3);
  feTriple(t0, t0); feSub(t0, t0, t2);
  feMulAdd(t1, X3, Z3, t0, Y3);                        // Y3 = X3 Z3 + t0 Y3
  feMulSub(t2, t3, X3, t4, Y3);                        // X3 = t3 X3 - t4 Y3
  feMulAdd(Z3, t4, Z3, t3, t0);                        // Z3 = t4 Z3 + t3 t0
  store3(r, t2, t1, Z3);
}

/** p = q where b = 1 (projective points), by mask. */
function pCmov(p: usize, q: usize, b: u32): void {
  feCmov(X(p), X(q), b); feCmov(Y(p), Y(q), b); feCmov(Z(p), Z(q), b);
}

/** 1 if p is the identity (Z = 0), else 0. */
export function pIsIdentity(p: usize): u32 {
  return feIsZeroZ(p);
}

@inline function feIsZeroZ(p: usize): u32 {
  feZero(NEGY);
  return feEqual(Z(p), NEGY);
}

/** a = the affine form of p (not the identity): x = X/Z, y = Y/Z. */
export function pToAffine(a: usize, p: usize): void {
  feInvert(NEGY, Z(p));
  feMul(a, X(p), NEGY);
  feMul(a + FE, Y(p), NEGY);
}

/** 1 if the affine a is on the curve: y² = x³ - 3x + b. */
function onCurve(a: usize): u32 {
  curveRhs(t1, a);
  feSq(t0, a + FE);
  return feEqual(t0, t1);
}

/** r = x³ - 3x + b for the x at a. */
function curveRhs(r: usize, x: usize): void {
  feSq(t0, x);
  feMul(t0, t0, x);
  feTriple(t2, x);
  feSub(t0, t0, t2);
  feAdd(r, t0, FE_B);
}

/**
 * Decodes a SEC1 point (SEC 1 v2 §2.3.4) into the affine a: 65 bytes 04 ‖ x ‖ y or 33 bytes
 * 02/03 ‖ x. Returns 1 for a point on the curve (never the identity: SEC1's single 00 byte is
 * refused, and cofactor 1 puts every curve point in the group), 0 for anything else: another
 * length or prefix (hybrid 06/07 included), a coordinate not below p, or no such point. The square
 * root of the compressed form is computed in constant time.
 */
export function decodePoint(a: usize, s: usize, len: usize): u32 {
  if (len == 65) {
    if (load<u8>(s) != 4) return 0;
    const okx = feFromBytes(a, s + 1);
    const oky = feFromBytes(a + FE, s + 33);
    return okx & oky & onCurve(a);
  }
  if (len == 33) {
    const prefix = <u32>load<u8>(s);
    if ((prefix & 0xfe) != 2) return 0;
    const okx = feFromBytes(a, s + 1);
    curveRhs(t3, a);
    const square = feSqrt(a + FE, t3);
    // pick the root with the requested parity (0 has only one: then the parity must be even)
    feNeg(NEGY, a + FE);
    feCmov(a + FE, NEGY, feParity(a + FE) ^ (prefix & 1));
    return okx & square & (feParity(a + FE) ^ (prefix & 1) ^ 1);
  }
  return 0;
}

/** out = 04 ‖ x ‖ y (65 bytes) for the affine a. */
export function encodeUncompressed(out: usize, a: usize): void {
  store<u8>(out, 4);
  feToBytes(out + 1, a);
  feToBytes(out + 33, a + FE);
}

// ---- constant-time variable-base multiplication -----------------------------------------------------

/**
 * Signed radix-16 digits of a 32-byte big-endian scalar: 64 digits in [-8, 8) and a 65th in {0, 1}
 * (the carry out of the top), at DIGITS, least significant first.
 */
function recode16(k: usize): void {
  let carry: i32 = 0;
  for (let i: usize = 0; i < 64; i++) {
    const byte = <i32>load<u8>(k + 31 - (i >> 1));
    const e = ((byte >> (<i32>(i & 1) << 2)) & 15) + carry;
    carry = (e + 8) >> 4;
    store<i8>(DIGITS + i, <i8>(e - (carry << 4)));
  }
  store<i8>(DIGITS + 64, <i8>carry);
}

/** All ones if x = y, else 0 (for any u32 values). */
@inline function eqMask(x: u32, y: u32): u32 {
  const d = x ^ y;
  return (((d | -d) >>> 31) ^ 1) * 0xffffffff;
}

/**
 * dst = entry `index` of the `count` entries `stride` bytes apart at `table`, or zeros if there is
 * none: every byte of every entry is read and combined under a mask, so neither the addresses nor
 * the branches depend on `index`. `chunks` 16-byte words per entry (5: an affine point, 8: a
 * projective point and its padding), kept in registers while the entries stream by.
 */
@inline function lookup(dst: usize, table: usize, stride: usize, count: u32, index: u32, chunks: i32): void {
  if (ASC_FEATURE_SIMD) {
    let a0 = i64x2.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    for (let j: u32 = 0; j < count; j++) {
      const m = i32x4.splat(eqMask(index, j));
      const e = table + <usize>j * stride;
      a0 = v128.or(a0, v128.and(v128.load(e), m));
      a1 = v128.or(a1, v128.and(v128.load(e, 16), m));
      a2 = v128.or(a2, v128.and(v128.load(e, 32), m));
      a3 = v128.or(a3, v128.and(v128.load(e, 48), m));
      a4 = v128.or(a4, v128.and(v128.load(e, 64), m));
      if (chunks == 8) {
        a5 = v128.or(a5, v128.and(v128.load(e, 80), m));
        a6 = v128.or(a6, v128.and(v128.load(e, 96), m));
        a7 = v128.or(a7, v128.and(v128.load(e, 112), m));
      }
    }
    v128.store(dst, a0); v128.store(dst, a1, 16); v128.store(dst, a2, 32); v128.store(dst, a3, 48); v128.store(dst, a4, 64);
    if (chunks == 8) { v128.store(dst, a5, 80); v128.store(dst, a6, 96); v128.store(dst, a7, 112); }
  } else {
    // two 64-bit words per chunk, one chunk at a time (sixteen accumulators would spill)
    for (let w: usize = 0; w < <usize>chunks * 16; w += 16) {
      let a: u64 = 0, b: u64 = 0;
      for (let j: u32 = 0; j < count; j++) {
        const m = <u64>eqMask(index, j);
        const e = table + <usize>j * stride + w;
        a |= load<u64>(e) & (m | (m << 32));
        b |= load<u64>(e, 8) & (m | (m << 32));
      }
      store<u64>(dst + w, a);
      store<u64>(dst + w, b, 8);
    }
  }
}

/** SEL = d · P for a digit d in [-8, 8], from TABLE (identity, P..8P), by lookup and masked negation. */
function select(d: i32): void {
  const negative = <u32>d >>> 31;
  const abs = <u32>((d ^ -<i32>negative) + <i32>negative);
  lookup(SEL, TABLE, STRIDE, 9, abs, 8);
  feNeg(NEGY, Y(SEL));
  feCmov(Y(SEL), NEGY, negative);
}

/** r = k · p (projective p, 32-byte big-endian scalar k, any value below 2^256), constant time. */
export function scalarMult(r: usize, p: usize, k: usize): void {
  // TABLE[j] = j·p, j = 0..8
  pIdentity(TABLE);
  for (let i: usize = 0; i < PT; i += 8) store<u64>(TABLE + STRIDE + i, load<u64>(p + i));
  for (let j: usize = 2; j <= 8; j++) {
    const entry = TABLE + j * STRIDE;
    if (j & 1) pAdd(entry, entry - STRIDE, TABLE + STRIDE);
    else pDouble(entry, TABLE + (j >> 1) * STRIDE);
  }
  recode16(k);
  select(<i32>load<i8>(DIGITS + 64));
  for (let i: usize = 0; i < PT; i += 8) store<u64>(r + i, load<u64>(SEL + i));
  for (let i = 63; i >= 0; i--) {
    pDouble(r, r); pDouble(r, r); pDouble(r, r); pDouble(r, r);
    select(<i32>load<i8>(DIGITS + i));
    pAdd(r, r, SEL);
  }
}

// ---- constant-time fixed-base multiplication (the comb) -----------------------------------------------

/**
 * 43 signed radix-64 digits of a 32-byte big-endian scalar (below 2^256) at DIGITS, least
 * significant first, each in [-32, 32); the top one covers bits 252..255 and never carries out.
 */
function recode64(k: usize): void {
  for (let i: usize = 0; i < 32; i++) store<u8>(BITS + i, load<u8>(k + 31 - i));   // little-endian
  store<u16>(BITS + 32, 0);
  let carry: i32 = 0;
  for (let i: usize = 0; i < 43; i++) {
    const bit = i * 6;
    const e = <i32>((<u32>load<u16>(BITS + (bit >> 3)) >> <u32>(bit & 7)) & 63) + carry;
    carry = (e + 32) >> 6;
    store<i8>(DIGITS + i, <i8>(e - (carry << 6)));
  }
}

/** SELA = d · 2^(12 pos) · G for a digit d in [-32, 32] (zeros for d = 0), by lookup in the comb's row. */
function selectBase(pos: usize, d: i32): void {
  const negative = <u32>d >>> 31;
  const abs = <u32>((d ^ -<i32>negative) + <i32>negative);
  lookup(SELA, BASE + pos * 32 * AFF, AFF, 32, abs - 1, 5);
  feNeg(NEGY, SELA + FE);
  feCmov(SELA + FE, NEGY, negative);
}

/** r += d · 2^(12 pos) · G, constant time (the mixed addition runs for d = 0 too, its result dropped). */
@inline function combStep(r: usize, pos: usize, d: i32): void {
  selectBase(pos, d);
  pAddAffine(ACC, r, SELA);
  pCmov(r, ACC, (<u32>d | <u32>-d) >>> 31);
}

/**
 * r = k · G (32-byte big-endian scalar k below 2^256), constant time: the odd radix-64 digits from
 * the comb's rows, six doublings, then the even ones — 43 mixed additions, each reading a whole row
 * of 32 points.
 */
export function scalarMultBase(r: usize, k: usize): void {
  recode64(k);
  pIdentity(r);
  for (let i: usize = 1; i < 43; i += 2) combStep(r, i >> 1, <i32>load<i8>(DIGITS + i));
  pDouble(r, r); pDouble(r, r); pDouble(r, r); pDouble(r, r); pDouble(r, r); pDouble(r, r);
  for (let i: usize = 0; i < 43; i += 2) combStep(r, i >> 1, <i32>load<i8>(DIGITS + i));
}

// ---- variable-time double-scalar multiplication (verification only) ----------------------------------

/**
 * Width-w NAF of a 32-byte big-endian scalar into `out` (257 digits, least significant first):
 * odd digits in (-2^(w-1), 2^(w-1)) or 0, any two nonzero digits at least w apart. Variable time.
 */
function wnaf(out: usize, k: usize, w: i32): void {
  for (let i: usize = 0; i < DIGITS_LEN; i++) store<u8>(BITS + i, 0);
  for (let i: usize = 0; i < 256; i++) store<u8>(BITS + i, <u8>((load<u8>(k + 31 - (i >> 3)) >> <u8>(i & 7)) & 1));
  for (let i: usize = 0; i < 257; i++) store<i8>(out + i, 0);
  const half = 1 << (w - 1);
  let i: usize = 0;
  while (i < 257) {
    if (load<u8>(BITS + i) == 0) { i++; continue; }
    let v: i32 = 0;
    for (let j: i32 = w - 1; j >= 0; j--) v = (v << 1) | <i32>load<u8>(BITS + i + <usize>j);
    for (let j: usize = 0; j < <usize>w; j++) store<u8>(BITS + i + j, 0);
    if (v >= half) {
      v -= half << 1;
      let c = i + <usize>w;          // add 2^w at bit i: carry into the bits above the window
      while (load<u8>(BITS + c) != 0) { store<u8>(BITS + c, 0); c++; }
      store<u8>(BITS + c, 1);
    }
    store<i8>(out + i, <i8>v);
    i += <usize>w;
  }
}

/** r = u1 · G + u2 · q (projective q; 32-byte big-endian scalars), variable time. */
export function doubleScalarMultVartime(r: usize, u1: usize, u2: usize, q: usize): void {
  wnaf(DIGITS, u1, 8);
  wnaf(DIGITS2, u2, 5);
  // TABLE[j] = (2j + 1) q
  for (let i: usize = 0; i < PT; i += 8) store<u64>(TABLE + i, load<u64>(q + i));
  pDouble(Q2, q);
  for (let j: usize = 1; j < 8; j++) pAdd(TABLE + j * STRIDE, TABLE + (j - 1) * STRIDE, Q2);
  pIdentity(r);
  let top: i32 = 256;
  while (top >= 0 && load<i8>(DIGITS + top) == 0 && load<i8>(DIGITS2 + top) == 0) top--;
  for (let i = top; i >= 0; i--) {
    pDouble(r, r);
    const a = <i32>load<i8>(DIGITS + i), b = <i32>load<i8>(DIGITS2 + i);
    if (a != 0) {
      const entry = ODD + <usize>((a < 0 ? -a : a) >> 1) * AFF;
      if (a > 0) pAddAffine(r, r, entry);
      else {
        feCopy(SELA, entry); feNeg(SELA + FE, entry + FE);
        pAddAffine(r, r, SELA);
      }
    }
    if (b != 0) {
      const entry = TABLE + <usize>((b < 0 ? -b : b) >> 1) * STRIDE;
      if (b > 0) pAdd(r, r, entry);
      else {
        feCopy(X(SEL), X(entry)); feNeg(Y(SEL), Y(entry)); feCopy(Z(SEL), Z(entry));
        pAdd(r, r, SEL);
      }
    }
  }
}
