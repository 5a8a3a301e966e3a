// The Ed25519 group (twisted Edwards curve -x^2 + y^2 = 1 + d x^2 y^2 over GF(2^255 - 19)), in the
// coordinates of Hisil, Wong, Carter, Dawson, "Twisted Edwards Curves Revisited" (2008), as arranged
// in ref10 (Bernstein, Duif, Lange, Schwabe, Yang):
//   P3 "extended"   X, Y, Z, T       x = X/Z, y = Y/Z, xy = T/Z            160 bytes
//   P2 "projective" X, Y, Z                                              120 bytes
//   P1 "completed"  X, Y, Z, T       x = X/Z, y = Y/T                      160 bytes
//   PRE "precomputed, affine" y+x, y-x, 2dxy                             120 bytes
//   CACHED          Y+X, Y-X, Z, 2dT                                     160 bytes
// Additions take a P3 and a PRE or CACHED and give a P1; doublings a P2 and give a P1.
// Everything is constant time except doubleScalarMultVartime, which only ever sees public data.

import {
  FE, feAdd, feCmov, feCopy, feFromBytes, feInvert, feIsNegative, feIsZero, feMul, feNeg, fePow22523, feSetInt, feSq,
  feSq2, feSub, feToBytes, feWipeScratch,
} from './fe25519';
import { BASE, D, D2, ODD, SQRTM1 } from './ed25519_tables';
import { ed25519EnsureTables } from './ed25519_base_tables';
import { CACHED, P3, PRE } from './ge25519_layout';
import { wipe } from '../runtime/bytes';

export { CACHED, P3, PRE } from './ge25519_layout';

@inline function X(p: usize): usize { return p; }
@inline function Y(p: usize): usize { return p + FE; }
@inline function Z(p: usize): usize { return p + 2 * FE; }
@inline function T(p: usize): usize { return p + 3 * FE; }


const TEMP: usize = memory.data(3 * <i32>FE, 16);
const T0: usize = TEMP, T1: usize = TEMP + FE, T2: usize = TEMP + 2 * FE;

/**
 * Zeroes the scratch of the group and field operations: after a secret scalar multiplication it
 * holds intermediate coordinates. Every constant-time entry point calls it before returning.
 */
export function geWipeScratch(): void {
  wipe(TEMP, 3 * FE);
  feWipeScratch();
}

export function p3Identity(p: usize): void {
  feSetInt(X(p), 0); feSetInt(Y(p), 1); feSetInt(Z(p), 1); feSetInt(T(p), 0);
}

/** r (P1) = 2p, p given as P2 (the first three coordinates of a P3 work too). */
export function dbl(r: usize, p: usize): void {
  feSq(X(r), X(p));               // XX
  feSq(Z(r), Y(p));               // YY
  feSq2(T(r), Z(p));              // 2 ZZ
  feAdd(Y(r), X(p), Y(p));
  feSq(T0, Y(r));                 // (X + Y)^2
  feAdd(Y(r), Z(r), X(r));        // YY + XX
  feSub(Z(r), Z(r), X(r));        // YY - XX
  feSub(X(r), T0, Y(r));          // 2XY
  feSub(T(r), T(r), Z(r));        // 2ZZ - (YY - XX)
}

/**
 * r (P1) = p (P3) ± q, q in PRE form (y+x, y-x, 2dxy; Z = 1) or CACHED form (Y+X, Y-X, Z, 2dT).
 * Subtracting swaps the roles of the first two coordinates and the sign of the last.
 */
@inline function addition(r: usize, p: usize, q: usize, negate: bool, cached: bool): void {
  feAdd(X(r), Y(p), X(p));
  feSub(Y(r), Y(p), X(p));
  feMul(Z(r), X(r), negate ? q + FE : q);           // A = (Y1 + X1)(Y2 ± X2)
  feMul(Y(r), Y(r), negate ? q : q + FE);           // B = (Y1 - X1)(Y2 ∓ X2)
  feMul(T(r), q + (cached ? 3 : 2) * FE, T(p));     // C = 2d T1 T2
  if (cached) {
    feMul(X(r), Z(p), q + 2 * FE);
    feAdd(T0, X(r), X(r));                          // D = 2 Z1 Z2
  } else {
    feAdd(T0, Z(p), Z(p));                          // D = 2 Z1
  }
  feSub(X(r), Z(r), Y(r));
  feAdd(Y(r), Z(r), Y(r));
  if (negate) {
    feSub(Z(r), T0, T(r));
    feAdd(T(r), T0, T(r));
  } else {
    feAdd(Z(r), T0, T(r));
    feSub(T(r), T0, T(r));
  }
}
export function madd(r: usize, p: usize, q: usize): void { addition(r, p, q, false, false); }
export function msub(r: usize, p: usize, q: usize): void { addition(r, p, q, true, false); }
export function add(r: usize, p: usize, q: usize): void { addition(r, p, q, false, true); }
export function sub(r: usize, p: usize, q: usize): void { addition(r, p, q, true, true); }

/** P1 → P2 (three multiplications). */
export function p1ToP2(r: usize, p: usize): void {
  feMul(X(r), X(p), T(p));
  feMul(Y(r), Y(p), Z(p));
  feMul(Z(r), Z(p), T(p));
}

/** P1 → P3 (four multiplications). r must not alias p. */
export function p1ToP3(r: usize, p: usize): void {
  feMul(X(r), X(p), T(p));
  feMul(Y(r), Y(p), Z(p));
  feMul(Z(r), Z(p), T(p));
  feMul(T(r), X(p), Y(p));
}

export function p3ToCached(r: usize, p: usize): void {
  feAdd(X(r), Y(p), X(p));
  feSub(Y(r), Y(p), X(p));
  feCopy(Z(r), Z(p));
  feMul(T(r), T(p), D2);
}

/** The 32-byte encoding of p (RFC 8032 §5.1.2): y with the sign of x in bit 255. */
export function encode(out: usize, p: usize): void {
  feInvert(T1, Z(p));
  feMul(T0, X(p), T1);
  feMul(T2, Y(p), T1);
  feToBytes(out, T2);
  store<u8>(out + 31, load<u8>(out + 31) ^ <u8>(feIsNegative(T0) << 7));
}

const U: usize = memory.data(<i32>FE, 16), V: usize = memory.data(<i32>FE, 16), CHECK: usize = memory.data(32, 16);

/**
 * Decodes 32 bytes into p (P3), RFC 8032 §5.1.3. Returns 0 for a non-canonical y (≥ p), a y with no
 * x on the curve, or x = 0 with the sign bit set; 1 otherwise. Runs on public keys and signature R.
 * In two halves around the exponentiation, which decodeX4 (ge25519_decode_x4.ts) runs for four
 * points at once.
 */
export function decode(p: usize, s: usize): u32 {
  if (!decodeStart(p, s, U, V, T0)) return 0;
  fePow22523(X(p), X(p));
  return decodeFinish(p, s, U, V, T0);
}

/**
 * The first half of decode(): 0 for a non-canonical y; else 1, with Y = y, Z = 1, the ingredients of
 * x = u v^3 (u v^7)^((p-5)/8) at the given addresses (u = y^2 - 1, v = d y^2 + 1, v^3), and X = u v^7,
 * the base of the exponentiation.
 */
export function decodeStart(p: usize, s: usize, u: usize, v: usize, v3: usize): u32 {
  feFromBytes(Y(p), s);
  // canonical y: re-encoding must give back the 255 low bits
  feToBytes(CHECK, Y(p));
  let diff: u32 = 0;
  for (let i: usize = 0; i < 31; i++) diff |= load<u8>(CHECK + i) ^ load<u8>(s + i);
  diff |= (load<u8>(CHECK + 31) ^ load<u8>(s + 31)) & 0x7f;
  if (diff != 0) return 0;
  feSetInt(Z(p), 1);
  feSq(u, Y(p));
  feMul(v, u, D);
  feSub(u, u, Z(p));        // u = y^2 - 1
  feAdd(v, v, Z(p));        // v = d y^2 + 1
  feSq(v3, v);
  feMul(v3, v3, v);         // v^3
  feSq(X(p), v3);
  feMul(X(p), X(p), v);     // v^7
  feMul(X(p), X(p), u);     // u v^7
  return 1;
}

/** The second half of decode(), once X = (u v^7)^((p-5)/8). */
export function decodeFinish(p: usize, s: usize, u: usize, v: usize, v3: usize): u32 {
  feMul(X(p), X(p), v3);
  feMul(X(p), X(p), u);     // u v^3 (u v^7)^((p-5)/8)
  feSq(T1, X(p));
  feMul(T1, T1, v);         // v x^2
  feSub(T2, T1, u);
  if (feIsZero(T2) == 0) {
    feAdd(T2, T1, u);
    if (feIsZero(T2) == 0) return 0;  // neither u nor -u: no square root
    feMul(X(p), X(p), SQRTM1);
  }
  const sign = <u32>load<u8>(s + 31) >> 7;
  if (feIsZero(X(p)) && sign == 1) return 0;
  if (feIsNegative(X(p)) != sign) feNeg(X(p), X(p));
  feMul(T(p), X(p), Y(p));
  return 1;
}

// ---- fixed-base multiplication --------------------------------------------------------------------

const SEL: usize = memory.data(<i32>PRE, 16), NEG: usize = memory.data(<i32>PRE, 16);
const DIGITS: usize = memory.data(64, 16);
const R1: usize = memory.data(<i32>P3, 16), R2: usize = memory.data(<i32>P3, 16);

/** SEL = b · 256^pos · B for b in [-8, 8], selected from the table with masks, not indices. */
function select(pos: usize, b: i32): void {
  const negative = <u32>(b >>> 31);
  const babs = b - ((-<i32>negative & b) << 1);
  feSetInt(SEL, 1); feSetInt(SEL + FE, 1); feSetInt(SEL + 2 * FE, 0);
  for (let j: u32 = 1; j <= 8; j++) {
    const eq = ((<u32>babs ^ j) - 1) >>> 31;
    const entry = BASE + (pos * 8 + j - 1) * PRE;
    feCmov(SEL, entry, eq);
    feCmov(SEL + FE, entry + FE, eq);
    feCmov(SEL + 2 * FE, entry + 2 * FE, eq);
  }
  // -P in precomputed form: swap y+x and y-x, negate 2dxy
  feCopy(NEG, SEL + FE);
  feCopy(NEG + FE, SEL);
  feNeg(NEG + 2 * FE, SEL + 2 * FE);
  feCmov(SEL, NEG, negative);
  feCmov(SEL + FE, NEG + FE, negative);
  feCmov(SEL + 2 * FE, NEG + 2 * FE, negative);
}

/**
 * h (P3) = a · B for a 32-byte little-endian scalar a below 2^255, constant time: 64 signed radix-16
 * digits in [-8, 8), the odd-position ones added first, then 4 doublings, then the even ones.
 */
export function scalarMultBase(h: usize, a: usize): void {
  ed25519EnsureTables();
  for (let i: usize = 0; i < 32; i++) {
    const byte = <i32>load<u8>(a + i);
    store<i8>(DIGITS + 2 * i, <i8>(byte & 15));
    store<i8>(DIGITS + 2 * i + 1, <i8>(byte >> 4));
  }
  let carry: i32 = 0;
  for (let i: usize = 0; i < 63; i++) {
    const e = <i32>load<i8>(DIGITS + i) + carry;
    carry = (e + 8) >> 4;
    store<i8>(DIGITS + i, <i8>(e - (carry << 4)));
  }
  store<i8>(DIGITS + 63, <i8>(<i32>load<i8>(DIGITS + 63) + carry));
  p3Identity(h);
  for (let i: usize = 1; i < 64; i += 2) {
    select(i >> 1, <i32>load<i8>(DIGITS + i));
    madd(R1, h, SEL);
    p1ToP3(h, R1);
  }
  dbl(R1, h); p1ToP2(R2, R1);
  dbl(R1, R2); p1ToP2(R2, R1);
  dbl(R1, R2); p1ToP2(R2, R1);
  dbl(R1, R2); p1ToP3(h, R1);
  for (let i: usize = 0; i < 64; i += 2) {
    select(i >> 1, <i32>load<i8>(DIGITS + i));
    madd(R1, h, SEL);
    p1ToP3(h, R1);
  }
  wipe(DIGITS, 64); wipe(SEL, PRE); wipe(NEG, PRE); wipe(R1, P3); wipe(R2, P3);
}

// ---- variable-time double-scalar multiplication (verification) -------------------------------------

const A_SLIDE: usize = memory.data(256, 16), B_SLIDE: usize = memory.data(256, 16);
const AI: usize = memory.data(8 * <i32>CACHED, 16);
const A3: usize = memory.data(<i32>P3, 16), TMP: usize = memory.data(<i32>P3, 16);
const P1: usize = memory.data(<i32>P3, 16), P2R: usize = memory.data(<i32>P3, 16);

/**
 * Zeroes the scratch of decoding and of the variable-time multiplications. They only see public
 * data, but batch verification mixes in secret random coefficients, and no call leaves scratch behind.
 */
export function geWipeVerifyScratch(): void {
  wipe(U, FE); wipe(V, FE); wipe(CHECK, 32);
  wipe(A_SLIDE, 256); wipe(B_SLIDE, 256); wipe(AI, 8 * CACHED);
  wipe(A3, P3); wipe(TMP, P3); wipe(P1, P3); wipe(P2R, P3);
  geWipeScratch();
}

/**
 * Signed sliding-window digits of a 32-byte scalar: odd values in [-max, max] or 0, max = 2^(w-1) - 1
 * for window width w (15 for the variable points' 8-entry tables, 127 for B's 64-entry table).
 */
function slide(r: usize, a: usize, max: i32): void {
  const reach: usize = max == 15 ? 6 : 8; // how far ahead a bit can still be folded into a digit
  for (let i: usize = 0; i < 256; i++) store<i8>(r + i, <i8>(1 & (<u32>load<u8>(a + (i >> 3)) >> (<u32>i & 7))));
  for (let i: usize = 0; i < 256; i++) {
    if (load<i8>(r + i) == 0) continue;
    for (let b: usize = 1; b <= reach && i + b < 256; b++) {
      const rb = <i32>load<i8>(r + i + b) << <i32>b;
      if (rb == 0) continue;
      const ri = <i32>load<i8>(r + i);
      if (ri + rb <= max) {
        store<i8>(r + i, <i8>(ri + rb));
        store<i8>(r + i + b, 0);
      } else if (ri - rb >= -max) {
        store<i8>(r + i, <i8>(ri - rb));
        for (let k = i + b; k < 256; k++) {
          if (load<i8>(r + k) == 0) { store<i8>(r + k, 1); break; }
          store<i8>(r + k, 0);
        }
      } else {
        break;
      }
    }
  }
}

/** 1 if p (P2 or P3) is the identity (X = 0, Y = Z), else 0. */
export function isIdentity(p: usize): u32 {
  feSub(T0, Y(p), Z(p));
  return feIsZero(X(p)) & feIsZero(T0);
}

/** p = 8p (three doublings), p a P3. */
export function mulByCofactor(p: usize): void {
  dbl(P1, p); p1ToP2(P2R, P1);
  dbl(P1, P2R); p1ToP2(P2R, P1);
  dbl(P1, P2R); p1ToP3(p, P1);
}

/** p = -p for a P3. */
export function negate(p: usize): void {
  feNeg(X(p), X(p));
  feNeg(T(p), T(p));
}

/** r (P3) = a · A + b · B, variable time (for public scalars and points only). */
export function doubleScalarMultVartime(r: usize, a: usize, pointA: usize, b: usize): void {
  ed25519EnsureTables();
  slide(A_SLIDE, a, 15);
  slide(B_SLIDE, b, 127);
  // AI[i] = (2i + 1) A
  p3ToCached(AI, pointA);
  dbl(P1, pointA);
  p1ToP3(A3, P1); // 2A
  for (let i: usize = 1; i < 8; i++) {
    add(P1, A3, AI + (i - 1) * CACHED);
    p1ToP3(TMP, P1);
    p3ToCached(AI + i * CACHED, TMP);
  }
  p3Identity(r);
  let top: i32 = 255;
  for (; top >= 0; top--) if (load<i8>(A_SLIDE + top) != 0 || load<i8>(B_SLIDE + top) != 0) break;
  if (top < 0) return;        // a = b = 0: the identity
  // r holds a P2 between iterations (a doubling needs no T): one multiplication less per bit
  for (let i = top; i >= 0; i--) {
    dbl(P1, r);
    const ai = <i32>load<i8>(A_SLIDE + i), bi = <i32>load<i8>(B_SLIDE + i);
    if (ai > 0) { p1ToP3(TMP, P1); add(P1, TMP, AI + <usize>(ai >> 1) * CACHED); }
    else if (ai < 0) { p1ToP3(TMP, P1); sub(P1, TMP, AI + <usize>(-ai >> 1) * CACHED); }
    if (bi > 0) { p1ToP3(TMP, P1); madd(P1, TMP, ODD + <usize>(bi >> 1) * PRE); }
    else if (bi < 0) { p1ToP3(TMP, P1); msub(P1, TMP, ODD + <usize>(-bi >> 1) * PRE); }
    if (i > 0) p1ToP2(r, P1);
  }
  p1ToP3(r, P1);
}

// ---- multi-scalar multiplication (batch verification), variable time --------------------------

/**
 * Writes the odd multiples P, 3P, …, 15P of p (a P3) as CACHED points to `table` (8 × 160 bytes).
 */
export function oddMultiples(table: usize, p: usize): void {
  p3ToCached(table, p);
  dbl(P1, p);
  p1ToP3(A3, P1);
  for (let i: usize = 1; i < 8; i++) {
    add(P1, A3, table + (i - 1) * CACHED);
    p1ToP3(TMP, P1);
    p3ToCached(table + i * CACHED, TMP);
  }
}

/**
 * r (P3) = Σ scalar_j · P_j + b · B over `count` points, Straus' interleaving: one chain of 256
 * doublings, each point adding its width-5 sliding-window digits. `tables` holds each point's
 * oddMultiples (1280 bytes apart), `digits` each scalar's 256 slide digits (256 bytes apart); the
 * caller has run slideScalar for them. Public data only.
 */
export function multiScalarMultVartime(r: usize, tables: usize, digits: usize, count: usize, b: usize): void {
  ed25519EnsureTables();
  slide(B_SLIDE, b, 127);
  p3Identity(r);
  let top: i32 = 255;
  for (; top >= 0; top--) {
    if (load<i8>(B_SLIDE + top) != 0) break;
    let any = false;
    for (let j: usize = 0; j < count; j++) if (load<i8>(digits + j * 256 + top) != 0) { any = true; break; }
    if (any) break;
  }
  for (let i = top; i >= 0; i--) {
    dbl(P1, r);
    p1ToP3(r, P1);
    for (let j: usize = 0; j < count; j++) {
      const d = <i32>load<i8>(digits + j * 256 + i);
      if (d == 0) continue;
      const entry = tables + j * 8 * CACHED + <usize>((d < 0 ? -d : d) >> 1) * CACHED;
      if (d > 0) add(P1, r, entry);
      else sub(P1, r, entry);
      p1ToP3(r, P1);
    }
    const bi = <i32>load<i8>(B_SLIDE + i);
    if (bi > 0) { madd(P1, r, ODD + <usize>(bi >> 1) * PRE); p1ToP3(r, P1); }
    else if (bi < 0) { msub(P1, r, ODD + <usize>(-bi >> 1) * PRE); p1ToP3(r, P1); }
  }
}

/** The slide digits of a 32-byte scalar (see slide). */
export function slideScalar(out: usize, a: usize): void {
  slide(out, a, 15);
}

/** The slide digits of a 32-byte scalar for B's 64-entry tables (digits up to ±127). */
export function slideScalarWide(out: usize, a: usize): void {
  slide(out, a, 127);
}
