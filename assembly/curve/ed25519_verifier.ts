// Ed25519 verification under a prepared public key: the same rule and the same answers as
// ed25519Verify (ed25519.ts: cofactored, S canonical, A and R canonical, A not of small order), at
// about 60 % of its cost when one key checks many signatures (an MLS sender, a Wesh device).
//
// What preparing buys: A is decoded and checked once, and two tables are kept, the odd multiples
// of -A and of -2^128·A. With B's two tables (odd multiples of B and of 2^128·B, ed25519_tables.ts)
// the check [S]B - [k]A splits each scalar in 128-bit halves,
//   [S]B - [k]A = [S_lo]B + [S_hi](2^128 B) - [k_lo]A - [k_hi](2^128 A),
// a four-point interleaved multiplication with 129 doublings instead of 253. The additions are as
// many as before (each half has half the digits), so the doublings saved are the gain.
//
// Variable time, over public data only (the key, the signature and the message), as verification
// is everywhere in this engine. The prepared key is public too; scratch is wiped anyway.
//
// Prepared key layout (ED25519_VERIFIER bytes, caller-allocated):
//   [0, 32)      the public key's bytes (hashed into k)
//   [32, 36)     PREPARED when the key is usable, else KEY_INVALID_POINT or KEY_SMALL_ORDER
//                (ed25519.ts); not 0, so that a block never prepared (zeroed memory) accepts nothing
//   [64, …)      8 CACHED odd multiples of -A, then 8 of -2^128·A

import { Sha512 } from '../hash/descriptors';
import { mdFinal, mdInit, mdUpdate, mdWipe } from '../hash/md';
import { sha512WipeScratch } from '../hash/sha512';
import {
  CACHED, P3, PRE, add, dbl, decode, geWipeVerifyScratch, isIdentity, madd, msub, mulByCofactor, negate, oddMultiples, p1ToP2,
  p1ToP3, p3Identity, p3ToCached, slideScalar, slideScalarWide, sub,
} from './ge25519';
import { KEY_INVALID_POINT, KEY_OK, KEY_SMALL_ORDER } from './ed25519';
import { ODD, ODD_HI } from './ed25519_tables';
import { ed25519EnsureTables } from './ed25519_base_tables';
import { scIsCanonical, scReduce } from './sc25519';
import { wipe } from '../runtime/bytes';

/** The status of a usable prepared key: a magic value rather than KEY_OK (0). */
const PREPARED: u32 = 0x4f4b2519;
const TABLE_A: usize = 64;
const TABLE_A_HI: usize = TABLE_A + 8 * CACHED;
export const ED25519_VERIFIER: usize = TABLE_A_HI + 8 * CACHED;

const H: usize = memory.data(256, 16);   // SHA-512 context of k
const DIGEST: usize = memory.data(64, 16);
const K: usize = memory.data(32, 16);
const HALF: usize = memory.data(32, 16);  // one 128-bit half, as a 32-byte scalar
const DIGITS: usize = memory.data(4 * 256, 16); // slide digits: k_lo, k_hi, S_lo, S_hi
const PT: usize = memory.data(<i32>P3, 16), R: usize = memory.data(<i32>P3, 16), TMP: usize = memory.data(<i32>P3, 16);
const P1: usize = memory.data(<i32>P3, 16), ACC: usize = memory.data(<i32>P3, 16), CACHE: usize = memory.data(<i32>CACHED, 16);

/** p = 2^128·p (P3 in, P3 out): 128 doublings. */
function times2To128(p: usize): void {
  for (let i = 0; i < 127; i++) { dbl(P1, p); p1ToP2(p, P1); }
  dbl(P1, p);
  p1ToP3(p, P1);
}

/** Prepares the 32-byte public key `pk` at `prep`; returns its status (KEY_OK if usable). */
export function ed25519VerifierPrepare(prep: usize, pk: usize): u32 {
  for (let i: usize = 0; i < 32; i += 8) store<u64>(prep + i, load<u64>(pk + i));
  let status = KEY_OK;
  if (!decode(PT, pk)) {
    status = KEY_INVALID_POINT;
  } else {
    for (let i: usize = 0; i < P3; i += 8) store<u64>(TMP + i, load<u64>(PT + i));
    mulByCofactor(TMP);
    if (isIdentity(TMP)) status = KEY_SMALL_ORDER;
  }
  store<u32>(prep + 32, status == KEY_OK ? PREPARED : status);
  if (status == KEY_OK) {
    negate(PT);
    oddMultiples(prep + TABLE_A, PT);       // -A, -3A, …, -15A
    times2To128(PT);
    oddMultiples(prep + TABLE_A_HI, PT);    // the same for -2^128·A
  }
  wipeScratch();
  return status;
}

/**
 * 0 if the signature is invalid whatever the message (S not canonical, the key refused, R not
 * decoding); else 1, with R decoded and k = SHA-512(R ‖ A ‖ M) started: the message follows through
 * ed25519VerifierAbsorb, then ed25519VerifierFinish.
 */
export function ed25519VerifierStart(prep: usize, sig: usize): u32 {
  if (load<u32>(prep + 32) == PREPARED && scIsCanonical(sig + 32) && decode(R, sig)) {
    mdInit<Sha512>(H);
    mdUpdate<Sha512>(H, sig, 32);
    mdUpdate<Sha512>(H, prep, 32);
    return 1;
  }
  wipeScratch();
  return 0;
}

export function ed25519VerifierAbsorb(msg: usize, len: usize): void {
  mdUpdate<Sha512>(H, msg, len);
}

/** Slide digits of the 128-bit half of the 32-byte scalar `s` at byte `from` (0 or 16). */
function slideHalf(out: usize, s: usize, from: usize, wide: bool): void {
  wipe(HALF, 32);
  for (let i: usize = 0; i < 16; i += 8) store<u64>(HALF + i, load<u64>(s + from + i));
  if (wide) slideScalarWide(out, HALF);
  else slideScalar(out, HALF);
}

/** ACC (P1 after the last addition) += ±entry of a variable point's CACHED table for digit d ≠ 0. */
@inline function addCached(table: usize, d: i32): void {
  p1ToP3(TMP, P1);
  if (d > 0) add(P1, TMP, table + <usize>(d >> 1) * CACHED);
  else sub(P1, TMP, table + <usize>(-d >> 1) * CACHED);
}

/** The same for B's PRE tables (affine: a mixed addition). */
@inline function addPre(table: usize, d: i32): void {
  p1ToP3(TMP, P1);
  if (d > 0) madd(P1, TMP, table + <usize>(d >> 1) * PRE);
  else msub(P1, TMP, table + <usize>(-d >> 1) * PRE);
}

/** After ed25519VerifierStart returned 1 and the message was absorbed: 1 if the signature is valid. */
export function ed25519VerifierFinish(prep: usize, sig: usize): u32 {
  ed25519EnsureTables();
  mdFinal<Sha512>(H, DIGEST);
  scReduce(K, DIGEST);
  const kLo = DIGITS, kHi = DIGITS + 256, sLo = DIGITS + 512, sHi = DIGITS + 768;
  slideHalf(kLo, K, 0, false);
  slideHalf(kHi, K, 16, false);
  slideHalf(sLo, sig + 32, 0, true);
  slideHalf(sHi, sig + 32, 16, true);
  // Digits of a 128-bit half reach bit 128 at most (a carry of the signed sliding window).
  let top: i32 = 135;
  for (; top >= 0; top--) {
    if (load<i8>(kLo + top) | load<i8>(kHi + top) | load<i8>(sLo + top) | load<i8>(sHi + top)) break;
  }
  // ACC = [S]B - [k]A, kept as a P2 between iterations (a doubling needs no T), as in
  // ge25519.ts doubleScalarMultVartime.
  p3Identity(ACC);
  for (let i = top; i >= 0; i--) {
    dbl(P1, ACC);
    const a = <i32>load<i8>(kLo + i), b = <i32>load<i8>(kHi + i), c = <i32>load<i8>(sLo + i), d = <i32>load<i8>(sHi + i);
    if (a != 0) addCached(prep + TABLE_A, a);
    if (b != 0) addCached(prep + TABLE_A_HI, b);
    if (c != 0) addPre(ODD, c);
    if (d != 0) addPre(ODD_HI, d);
    p1ToP2(ACC, P1);
  }
  // [8]([S]B - [k]A - R) = identity
  p1ToP3(TMP, P1);
  if (top < 0) p3Identity(TMP);            // S = k = 0: no iteration ran
  p3ToCached(CACHE, R);
  sub(P1, TMP, CACHE);
  p1ToP3(ACC, P1);
  mulByCofactor(ACC);
  const valid = isIdentity(ACC);
  wipeScratch();
  return valid;
}

function wipeScratch(): void {
  mdWipe<Sha512>(H);
  wipe(DIGEST, 64); wipe(K, 32); wipe(HALF, 32); wipe(DIGITS, 4 * 256);
  wipe(PT, P3); wipe(R, P3); wipe(TMP, P3); wipe(P1, P3); wipe(ACC, P3); wipe(CACHE, CACHED);
  sha512WipeScratch();
  geWipeVerifyScratch();
}
