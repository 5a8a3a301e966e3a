// Ed25519, RFC 8032 §5.1: key generation, signing, verification (single and batch), and the
// Ed25519 → X25519 conversions Wesh uses.
//
// Verification rule (stated because implementations differ): cofactored. A signature (R, S) on M
// under A is valid iff S < L (canonical, §5.1.7), A and R decode (canonical y < p, on the curve,
// no x = 0 with the sign bit set, §5.1.3), A is not of small order, and
//     [8]([S]B - R - [k]A) = identity,   k = SHA-512(R ‖ A ‖ M) mod L.
// Batch verification checks the random linear combination Σ z_i ([S_i]B - R_i - [k_i]A_i) with
// 128-bit z_i, multiplied by 8, so it accepts exactly what single verification accepts (a
// cofactorless check could be fooled by cancelling small-order components). Honest signatures
// are valid under either rule.
//
// Signing and key generation are constant time (fixed-base multiplication with masked table
// selection); verification is variable time over public data only.

import { Sha512 } from '../hash/descriptors';
import { mdDigest, mdFinal, mdInit, mdUpdate, mdWipe } from '../hash/md';
import { sha512WipeScratch } from '../hash/sha512';
import { feAdd, feInvert, feMul, feSetInt, feSub, feToBytes, FE } from './fe25519';
import {
  CACHED, P3, add, decode, doubleScalarMultVartime, encode, geWipeScratch, geWipeVerifyScratch, isIdentity, mulByCofactor, multiScalarMultVartime,
  negate, oddMultiples, p1ToP3, p3Identity, p3ToCached, scalarMultBase, slideScalar, sub,
} from './ge25519';
import { decodeX4, decodeX4WipeScratch } from './ge25519_decode_x4';
import { MSM_POINT, msmPoint, msmPointGet, msmScalar, msmScratch, msmVartime, msmWidthLimit } from './msm';
import { scIsCanonical, scMulAdd, scReduce } from './sc25519';
import { WIDE_H, WIDE_S, wideMulAdd, wideReduce } from './sc_wide';
import { wipe } from '../runtime/bytes';

const H: usize = memory.data(256, 16);   // SHA-512 context
const DIGEST: usize = memory.data(64, 16);
const AZ: usize = memory.data(64, 16);   // SHA-512(seed): the clamped scalar a, then the nonce prefix
const R_SCALAR: usize = memory.data(32, 16);
const K: usize = memory.data(32, 16);
const PT: usize = memory.data(<i32>P3, 16), PT2: usize = memory.data(<i32>P3, 16), PT3: usize = memory.data(<i32>P3, 16);
const CACHE: usize = memory.data(<i32>CACHED, 16), P1B: usize = memory.data(<i32>P3, 16);
const R4: usize = memory.data(4 * <i32>P3, 16);   // four signatures' R, decoded together (batch verification)

/** AZ = SHA-512(seed) with the scalar half clamped (§5.1.5). */
function expand(seed: usize): void {
  mdDigest<Sha512>(H, seed, 32, DIGEST);   // (wipes the hash state)
  sha512WipeScratch();
  for (let i: usize = 0; i < 64; i += 8) store<u64>(AZ + i, load<u64>(DIGEST + i));
  store<u8>(AZ, load<u8>(AZ) & 248);
  store<u8>(AZ + 31, (load<u8>(AZ + 31) & 127) | 64);
  wipe(DIGEST, 64);
}

/** The 32-byte public key of a 32-byte seed (§5.1.5). */
export function ed25519PublicKey(out: usize, seed: usize): void {
  expand(seed);
  scalarMultBase(PT, AZ);
  encode(out, PT);
  wipe(AZ, 64);
  wipe(PT, P3);
  geWipeScratch();
}

// ---- signing, streamed: the message passes twice (for r, then for k), in chunks of any size -------
// A signing key is the 96-byte expansion of a seed: the clamped scalar a ‖ the nonce prefix ‖ the
// public key A, all derived here, so that no caller-supplied public key enters the signature (two
// signatures under one nonce with different A would reveal a). Between start and finish the hash
// state and r live in this module's scratch; finish, or ed25519Wipe on an abandoned signature,
// zeroes all of it.

export const ED25519_SIGNING_KEY: usize = 96;

/** key = a ‖ prefix ‖ A for a 32-byte seed (§5.1.5). */
export function ed25519Expand(key: usize, seed: usize): void {
  expand(seed);
  for (let i: usize = 0; i < 64; i += 8) store<u64>(key + i, load<u64>(AZ + i));
  scalarMultBase(PT, AZ);
  encode(key + 64, PT);
  wipe(AZ, 64); wipe(PT, P3);
  geWipeScratch();
}

/** Starts r = SHA-512(prefix ‖ M) (§5.1.6 step 2); the message follows through ed25519Absorb. */
export function ed25519SignStart(key: usize): void {
  mdInit<Sha512>(H);
  mdUpdate<Sha512>(H, key + 32, 32);
  sha512WipeScratch();
}

/** Absorbs message bytes into the hash in progress (r or k while signing, k while verifying). */
export function ed25519Absorb(msg: usize, len: usize): void {
  mdUpdate<Sha512>(H, msg, len);
  sha512WipeScratch();
}

/** r = hash mod L, R = [r]B into sig[0, 32), then starts k = SHA-512(R ‖ A ‖ M) (steps 2-4). */
export function ed25519SignCommit(key: usize, sig: usize): void {
  mdFinal<Sha512>(H, DIGEST);
  mdWipe<Sha512>(H);
  scReduce(R_SCALAR, DIGEST);
  scalarMultBase(PT, R_SCALAR);
  encode(sig, PT);
  wipe(DIGEST, 64); wipe(PT, P3);
  geWipeScratch();
  mdInit<Sha512>(H);
  mdUpdate<Sha512>(H, sig, 32);
  mdUpdate<Sha512>(H, key + 64, 32);
  sha512WipeScratch();
}

/** S = (r + k a) mod L into sig[32, 64) (step 5), and all signing scratch zeroed. */
export function ed25519SignFinish(key: usize, sig: usize): void {
  mdFinal<Sha512>(H, DIGEST);
  scReduce(K, DIGEST);
  scMulAdd(sig + 32, K, key, R_SCALAR);
  ed25519Wipe();
}

/** Zeroes every scratch area a signature in progress uses. */
export function ed25519Wipe(): void {
  mdWipe<Sha512>(H);
  wipe(DIGEST, 64); wipe(R_SCALAR, 32); wipe(K, 32);
  sha512WipeScratch();
}

export const KEY_OK: u32 = 0, KEY_INVALID_POINT: u32 = 1, KEY_SMALL_ORDER: u32 = 2;

/** Decodes a public key into `a` (P3): KEY_OK, or why it is refused. */
function publicKeyStatus(a: usize, pk: usize): u32 {
  if (!decode(a, pk)) return KEY_INVALID_POINT;
  for (let i: usize = 0; i < P3; i += 8) store<u64>(PT3 + i, load<u64>(a + i));
  mulByCofactor(PT3);
  return isIdentity(PT3) ? KEY_SMALL_ORDER : KEY_OK;
}

function decodePublicKey(a: usize, pk: usize): bool {
  return publicKeyStatus(a, pk) == KEY_OK;
}

/**
 * Verification, streamed: 0 if the signature is invalid whatever the message (S not canonical, A or
 * R not decoding, A of small order); else 1, with A and R decoded into PT and PT2 and
 * k = SHA-512(R ‖ A ‖ M) started, the message to follow through ed25519Absorb.
 */
export function ed25519VerifyStart(pk: usize, sig: usize): u32 {
  if (scIsCanonical(sig + 32) && decodePublicKey(PT, pk) && decode(PT2, sig)) {
    mdInit<Sha512>(H);
    mdUpdate<Sha512>(H, sig, 32);
    mdUpdate<Sha512>(H, pk, 32);
    return 1;
  }
  wipeVerify();
  return 0;
}

/** Zeroes everything verification touched (single and batch). */
function wipeVerify(): void {
  mdWipe<Sha512>(H);
  wipe(DIGEST, 64); wipe(K, 32); wipe(SUM, 32);
  wipe(PT, P3); wipe(PT2, P3); wipe(PT3, P3); wipe(CACHE, CACHED); wipe(P1B, P3); wipe(R4, 4 * P3);
  decodeX4WipeScratch();
  sha512WipeScratch();
  geWipeVerifyScratch();
}

/** After ed25519VerifyStart returned 1 and the message was absorbed: 1 if the signature is valid. */
export function ed25519VerifyFinish(sig: usize): u32 {
  mdFinal<Sha512>(H, DIGEST);
  mdWipe<Sha512>(H);
  scReduce(K, DIGEST);
  negate(PT);
  doubleScalarMultVartime(PT3, K, PT, sig + 32);   // [S]B - [k]A
  p3ToCached(CACHE, PT2);
  sub(P1B, PT3, CACHE);                            //   - R
  p1ToP3(PT3, P1B);
  mulByCofactor(PT3);
  const valid = isIdentity(PT3);
  wipeVerify();
  return valid;
}

/** 1 if sig (64 bytes) is a valid signature of msg under pk (32 bytes) by the rule above, else 0. */
export function ed25519Verify(pk: usize, sig: usize, msg: usize, len: usize): u32 {
  if (!ed25519VerifyStart(pk, sig)) return 0;
  mdUpdate<Sha512>(H, msg, len);
  return ed25519VerifyFinish(sig);
}

// ---- batch verification ------------------------------------------------------------------------
// One random linear combination per batch (Bernstein, Duif, Lange, Schwabe, Yang, "High-speed
// high-security signatures", §5), checked by one multi-scalar multiplication: Straus' interleaving
// (ge25519.ts) for small batches, the bucket method (msm.ts) from PIPPENGER_MIN signatures on. Each
// signature's points and scalars stay in the caller's scratch, so that when the equation fails the
// batch is split in halves and the halves re-checked with the same z_i (an equation over a subset),
// down to SPLIT_MIN signatures that are verified one by one (binary splitting as in Bernstein,
// Doumen, Lange, Oosterwijk, "Faster batch forgery identification", 2012). The sums are linear: the
// right half's sum is the whole's minus the left's, one point subtraction, so each level costs one
// multi-scalar multiplication over the left half only. One bad signature among n costs about one
// more multiplication over n points and SPLIT_MIN single verifications, not n of them.

/**
 * From this many signatures on the bucket method beats Straus. Measured per signature (same
 * process, Straus / buckets), one key: 32: 23.6 / 29.8 µs, 64: 18.6 / 18.9, 96: 17.9 / 16.0, 512:
 * 17.6 / 13.1; distinct keys: 32: 43.7 / 45.1, 64: 41.6 / 37.2, 512: 41.0 / 30.4.
 */
const PIPPENGER_MIN: usize = 64;
/**
 * Failing ranges are split down to this many signatures, then verified one by one (~100 µs each).
 * A split costs a double-scalar multiplication and the bucket method's fixed cost (~33 windows of 8
 * buckets), ~0.3 ms. Measured, 100 bad signatures spread over 50,000: 16: 1.57-1.68 s, 8: 1.49-1.50
 * s, 4: 1.49-1.62 s.
 */
const SPLIT_MIN: usize = 8;
/** Range sums kept while splitting: one per level of left halves (log2(count) ≤ 32). */
const SPLIT_LEVELS: usize = 32;
/**
 * Per signature i: its SHA-512 digest h_i (k_i = h_i mod L), then the index of its first point
 * (u32). A range's scalar sums Σ z_i S_i and Σ z_i k_i (first key) are summed from these, the z_i
 * and the signatures when the range is checked (rangeSum): exact products of 32-bit limbs
 * (sc_wide.ts), one reduction mod L per range, instead of a reduction of each digest and two
 * multiplications mod L per signature.
 */
const SIG_H: usize = 0, SIG_POINT: usize = 64;
const SIG: usize = 80;
/** Straus' scratch per point: 8 CACHED odd multiples and 256 slide digits. */
const STRAUS_POINT: usize = 8 * CACHED + 256;
/** Ahead of the per-signature scratch: -A of the first key, the split's range sums. */
const BATCH_HEAD: usize = P3 + SPLIT_LEVELS * P3;

/**
 * Bytes of scratch batch verification needs for `count` signatures: BATCH_HEAD, then per signature
 * two points and a SIG entry, then Straus' tables or the bucket method's scratch. All of it is in
 * the caller's block (the bindings wipe it when they free it), not in static data, which has to
 * fit the module's initial memory.
 */
export function ed25519BatchScratch(count: usize): usize {
  const base = BATCH_HEAD + count * (2 * MSM_POINT + SIG);
  return base + (count < PIPPENGER_MIN ? (2 * count + 1) * STRAUS_POINT : msmScratch(msmWidthLimit(2 * count)));
}
/** Bytes of one entry of the batch table: [publicKey ptr, signature ptr, message ptr, length]. */
export const ED25519_BATCH_ENTRY: usize = 16;

const SUM: usize = memory.data(32, 16);
const ZERO: usize = memory.data(32, 16);
const SHARED_K: usize = memory.data(32, 16);
const SUM_W: usize = memory.data(<i32>(WIDE_S << 2), 16);     // a range's Σ z_i S_i, exact
const SHARED_W: usize = memory.data(<i32>(WIDE_H << 2), 16);  // a range's Σ z_i h_i (first key), exact
const ZS: usize = memory.data(32, 16);           // z_i as a 32-byte scalar
const ZK: usize = memory.data(32, 16);           // z_i k_i

// the batch in progress: pointers into the caller's block (wasm globals, not linear memory)
let bTable: usize = 0, bRandoms: usize = 0, bResults: usize = 0, bCount: usize = 0;
let bPoints: usize = 0, bSigs: usize = 0, bExtra: usize = 0, bTotal: usize = 0, bLimit: u32 = 0;
let A_NEG: usize = 0;                           // -A for the batch's first public key
let SPLIT_SUMS: usize = 0;                      // range sums while splitting, one per level

/**
 * Verifies `count` signatures. `table` has ED25519_BATCH_ENTRY bytes per signature; `randoms` 16
 * random bytes per signature (the z_i; the caller draws them from a CSPRNG); `scratch` is
 * ed25519BatchScratch(count) bytes; `results` receives one byte per signature (1 valid, 0 not).
 */
export function ed25519VerifyBatch(table: usize, count: usize, randoms: usize, scratch: usize, results: usize): void {
  bTable = table; bRandoms = randoms; bResults = results; bCount = count;
  A_NEG = scratch;
  SPLIT_SUMS = A_NEG + P3;
  bPoints = scratch + BATCH_HEAD;
  bSigs = bPoints + 2 * count * MSM_POINT;
  bExtra = bSigs + count * SIG;
  bLimit = count < PIPPENGER_MIN ? 0 : msmWidthLimit(2 * count);
  // Signatures under the batch's first public key share one -A point: Σ z_i k_i A = (Σ z_i k_i) A,
  // which saves a decoding and a point of the multi-scalar multiplication per signature (a Wesh log
  // is signed by one key). Keys are public: comparing them is not a secret-dependent branch.
  let firstKey: usize = 0;                     // pointer to the first decoded public key, 0 if none yet
  let rDecoded: u32 = 0;                       // which of the four R at R4 decoded
  let points: usize = 0;                       // points of the multi-scalar multiplication so far (≤ 2 · count)
  for (let i: usize = 0; i < count; i++) {
    const row = table + i * ED25519_BATCH_ENTRY;
    const pk = <usize>load<u32>(row), sig = <usize>load<u32>(row, 4);
    const entry = bSigs + i * SIG;
    store<u32>(entry + SIG_POINT, <u32>points);
    // the R of signatures i..i+3, decoded four at a time (the lanes past the end repeat the last)
    if ((i & 3) == 0) rDecoded = decodeX4(R4, sig, sigAt(table, i + 1, count), sigAt(table, i + 2, count), sigAt(table, i + 3, count));
    const shared = firstKey != 0 && bytesEqual(pk, firstKey, 32);
    const ok = scIsCanonical(sig + 32) && (shared || decodePublicKey(PT, pk)) && (rDecoded >> <u32>(i & 3)) & 1;
    if (ok) memory.copy(PT2, R4 + (i & 3) * P3, P3);
    store<u8>(results + i, <u8>ok);
    if (!ok) continue;
    hashPublic(sig, pk, <usize>load<u32>(row, 8), <usize>load<u32>(row, 12));
    memory.copy(entry + SIG_H, DIGEST, 64);
    zScalar(i);
    negate(PT2);
    msmPoint(bPoints + points++ * MSM_POINT, PT2, ZS);   // -R_i with scalar z_i
    if (firstKey == 0) {
      firstKey = pk;
      memory.copy(A_NEG, PT, P3);
      negate(A_NEG);
    }
    if (shared || firstKey == pk) continue;              // (-A_i: the first key's point, with Σ z_i k_i)
    scReduce(K, DIGEST);
    scMulAdd(ZK, ZS, K, ZERO);                           // z_i k_i
    negate(PT);
    msmPoint(bPoints + points++ * MSM_POINT, PT, ZK);    // -A_i with scalar z_i k_i
  }
  bTotal = points;
  if (points != 0) {
    rangeSum(0, count, SPLIT_SUMS);
    if (!holds(SPLIT_SUMS)) locate(0, count, 0);
  }
  wipe(SHARED_K, 32); wipe(ZS, 32); wipe(ZK, 32);
  wipe(SUM_W, WIDE_S << 2); wipe(SHARED_W, WIDE_H << 2);
  wipeVerify();
}

/** The signature pointer of batch entry i, or of the last entry past the end. */
function sigAt(table: usize, i: usize, count: usize): usize {
  return <usize>load<u32>(table + (i < count ? i : count - 1) * ED25519_BATCH_ENTRY, 4);
}

/**
 * DIGEST = SHA-512(R ‖ A ‖ M), without wiping the hash state each time: batch verification hashes
 * public data only, and wipeVerify clears it all at the end of the batch.
 */
function hashPublic(sig: usize, pk: usize, msg: usize, len: usize): void {
  mdInit<Sha512>(H);
  mdUpdate<Sha512>(H, sig, 32);
  mdUpdate<Sha512>(H, pk, 32);
  mdUpdate<Sha512>(H, msg, len);
  mdFinal<Sha512>(H, DIGEST);
}

/** ZS = z_i, the 16 random bytes of signature i, as a 32-byte scalar. */
function zScalar(i: usize): void {
  const z = bRandoms + (i << 4);
  store<u64>(ZS, load<u64>(z)); store<u64>(ZS, load<u64>(z, 8), 8);
  store<u64>(ZS, 0, 16); store<u64>(ZS, 0, 24);
}

/** Index of the first point of signature i (the total for i = count). */
function firstPoint(i: usize): usize {
  return i < bCount ? <usize>load<u32>(bSigs + i * SIG + SIG_POINT) : bTotal;
}

/**
 * SUM = Σ z_i S_i and SHARED_K = Σ z_i k_i (over the first key's signatures) for the signatures of
 * [a, b) that decoded, mod L. A signature's points tell which sums it is in: none if it did not
 * decode, one (-R_i) under the first key, two (-R_i, -A_i) under another key, whose z_i k_i is
 * the scalar of -A_i instead.
 */
function scalarSums(a: usize, b: usize): void {
  wipe(SUM_W, WIDE_S << 2);
  wipe(SHARED_W, WIDE_H << 2);
  for (let i = a; i < b; i++) {
    const points = firstPoint(i + 1) - firstPoint(i);
    if (points == 0) continue;
    const z = bRandoms + (i << 4);
    const sig = <usize>load<u32>(bTable + i * ED25519_BATCH_ENTRY, 4);
    wideMulAdd(SUM_W, WIDE_S, z, sig + 32, 8);
    if (points == 1) wideMulAdd(SHARED_W, WIDE_H, z, bSigs + i * SIG + SIG_H, 16);
  }
  wideReduce(SUM, SUM_W, WIDE_S);
  wideReduce(SHARED_K, SHARED_W, WIDE_H);
}

/**
 * out (P3) = Σ z_i S_i B + Σ z_i (-R_i) + Σ z_i k_i (-A_i) over the signatures of [a, b) that
 * decoded (the others have no points and are not in the prefix sums): the batch equation for them
 * holds when [8] out is the identity.
 */
function rangeSum(a: usize, b: usize, out: usize): void {
  const p0 = firstPoint(a), p1 = firstPoint(b);
  if (p0 == p1) {                              // no signature that decoded here
    p3Identity(out);
    return;
  }
  scalarSums(a, b);
  if (bLimit == 0) {
    // Straus: every point's odd multiples and slide digits, then -A of the first key
    const tables = bExtra, digits = bExtra + (bTotal + 1) * 8 * CACHED;
    let n: usize = 0;
    for (let j = p0; j < p1; j++, n++) {
      const rec = bPoints + j * MSM_POINT;
      msmPointGet(PT2, rec);
      oddMultiples(tables + n * 8 * CACHED, PT2);
      slideScalar(digits + n * 256, msmScalar(rec));
    }
    oddMultiples(tables + n * 8 * CACHED, A_NEG);
    slideScalar(digits + n * 256, SHARED_K);
    multiScalarMultVartime(out, tables, digits, n + 1, SUM);
  } else {
    msmVartime(PT3, bPoints + p0 * MSM_POINT, p1 - p0, bExtra, bLimit);
    doubleScalarMultVartime(PT2, SHARED_K, A_NEG, SUM);   // the long scalars: (Σ z_i k_i)(-A) + (Σ z_i S_i) B
    p3ToCached(CACHE, PT2);
    add(P1B, PT3, CACHE);
    p1ToP3(out, P1B);
  }
}

/** Whether [8] p is the identity (p, a P3, is left as it is). */
function holds(p: usize): bool {
  memory.copy(PT3, p, P3);
  mulByCofactor(PT3);
  return isIdentity(PT3) != 0;
}

/**
 * Signatures [a, b), whose range sum is at SPLIT_SUMS[level], fail the batch equation: finds the
 * invalid ones by halving (see above). Left halves go one level down; the right half's sum replaces
 * the whole's at this level, which nothing needs any more.
 */
function locate(a: usize, b: usize, level: usize): void {
  if (b - a <= SPLIT_MIN || level + 1 >= SPLIT_LEVELS) {
    findInvalid(a, b);
    return;
  }
  const mid = a + ((b - a) >> 1);
  const whole = SPLIT_SUMS + level * P3, left = whole + P3;
  rangeSum(a, mid, left);
  p3ToCached(CACHE, left);
  sub(P1B, whole, CACHE);
  p1ToP3(whole, P1B);                          // the right half's sum
  if (!holds(left)) locate(a, mid, level + 1);
  if (!holds(whole)) locate(mid, b, level);
}

/** Whether `n` bytes at `a` and `b` are equal (public data: variable time). */
function bytesEqual(a: usize, b: usize, n: usize): bool {
  for (let i: usize = 0; i < n; i++) if (load<u8>(a + i) != load<u8>(b + i)) return false;
  return true;
}

/** Verifies one by one each signature of [a, b) still marked valid. */
function findInvalid(a: usize, b: usize): void {
  for (let i = a; i < b; i++) {
    if (!load<u8>(bResults + i)) continue;
    const row = bTable + i * ED25519_BATCH_ENTRY;
    store<u8>(bResults + i, <u8>ed25519Verify(<usize>load<u32>(row), <usize>load<u32>(row, 4), <usize>load<u32>(row, 8), <usize>load<u32>(row, 12)));
  }
}

// ---- conversions to X25519 (RFC 7748 §4.1 birational map; libsodium's ed25519_*_to_curve25519) ----

/** The X25519 secret for a 32-byte Ed25519 seed: the clamped first half of SHA-512(seed). */
export function ed25519SecretToX25519(out: usize, seed: usize): void {
  expand(seed);
  for (let i: usize = 0; i < 32; i += 8) store<u64>(out + i, load<u64>(AZ + i));
  wipe(AZ, 64);
}

const ONE_PLUS: usize = memory.data(<i32>FE, 16), ONE_MINUS: usize = memory.data(<i32>FE, 16);

/** u = (1 + y) / (1 - y) for an Ed25519 public key: KEY_OK, or why the key is refused (nothing written). */
export function ed25519PublicToX25519(out: usize, pk: usize): u32 {
  const status = publicKeyStatus(PT, pk);
  if (status != KEY_OK) {
    wipeVerify();
    return status;
  }
  // affine y = Y/Z = Y (Z = 1 after decoding)
  feSetInt(ONE_PLUS, 1);
  feSetInt(ONE_MINUS, 1);
  feAdd(ONE_PLUS, ONE_PLUS, PT + FE);
  feSub(ONE_MINUS, ONE_MINUS, PT + FE);
  feInvert(ONE_MINUS, ONE_MINUS);
  feMul(ONE_PLUS, ONE_PLUS, ONE_MINUS);
  feToBytes(out, ONE_PLUS);
  wipe(ONE_PLUS, FE); wipe(ONE_MINUS, FE);
  wipeVerify();
  return KEY_OK;
}
