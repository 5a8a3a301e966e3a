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
import { mdFinal, mdInit, mdUpdate, mdWipe } from '../hash/md';
import { sha512WipeScratch } from '../hash/sha512';
import { feAdd, feInvert, feMul, feSetInt, feSub, feToBytes, FE } from './fe25519';
import {
  CACHED, P3, decode, doubleScalarMultVartime, encode, geWipeScratch, geWipeVerifyScratch, isIdentity, mulByCofactor, multiScalarMultVartime, negate,
  oddMultiples, p1ToP3, p3ToCached, scalarMultBase, slideScalar, sub,
} from './ge25519';
import { scIsCanonical, scMulAdd, scReduce } from './sc25519';
import { wipe } from '../runtime/bytes';

const H: usize = memory.data(256, 16);   // SHA-512 context
const DIGEST: usize = memory.data(64, 16);
const AZ: usize = memory.data(64, 16);   // SHA-512(seed): the clamped scalar a, then the nonce prefix
const R_SCALAR: usize = memory.data(32, 16);
const K: usize = memory.data(32, 16);
const PT: usize = memory.data(<i32>P3, 16), PT2: usize = memory.data(<i32>P3, 16), PT3: usize = memory.data(<i32>P3, 16);
const CACHE: usize = memory.data(<i32>CACHED, 16), P1B: usize = memory.data(<i32>P3, 16);

/** SHA-512 of up to three pieces into DIGEST. */
function hash3(a: usize, al: usize, b: usize, bl: usize, c: usize, cl: usize): void {
  mdInit<Sha512>(H);
  mdUpdate<Sha512>(H, a, al);
  mdUpdate<Sha512>(H, b, bl);
  mdUpdate<Sha512>(H, c, cl);
  mdFinal<Sha512>(H, DIGEST);
  mdWipe<Sha512>(H);
  sha512WipeScratch();
}

/** AZ = SHA-512(seed) with the scalar half clamped (§5.1.5). */
function expand(seed: usize): void {
  hash3(seed, 32, 0, 0, 0, 0);
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
  wipe(PT, P3); wipe(PT2, P3); wipe(PT3, P3); wipe(CACHE, CACHED); wipe(P1B, P3);
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

/** Bytes of scratch batch verification needs per signature. */
export const ED25519_BATCH_SCRATCH: usize = 2 * 8 * CACHED + 2 * 256 + 32;
/** Bytes of one entry of the batch table: [publicKey ptr, signature ptr, message ptr, length]. */
export const ED25519_BATCH_ENTRY: usize = 16;

const SUM: usize = memory.data(32, 16);
const ZERO: usize = memory.data(32, 16);
const SHARED_K: usize = memory.data(32, 16);

/**
 * Verifies `count` signatures. `table` has ED25519_BATCH_ENTRY bytes per signature; `randoms` 16
 * random bytes per signature (the z_i; the caller draws them from a CSPRNG); `scratch` is
 * count × ED25519_BATCH_SCRATCH bytes; `results` receives one byte per signature (1 valid, 0 not).
 */
export function ed25519VerifyBatch(table: usize, count: usize, randoms: usize, scratch: usize, results: usize): void {
  const tables = scratch;                      // up to 2 points per signature: -R_i, -A_i
  const digits = scratch + count * 2 * 8 * CACHED;
  const zc = digits + count * 2 * 256;         // z_i k_i per signature
  wipe(SUM, 32);
  wipe(SHARED_K, 32);
  // Signatures under the batch's first public key share one -A point: Σ z_i k_i A = (Σ z_i k_i) A,
  // which saves a decoding and a point of the multi-scalar multiplication per signature (a Wesh log
  // is signed by one key). Keys are public: comparing them is not a secret-dependent branch.
  let firstKey: usize = 0;                     // pointer to the first decoded public key, 0 if none yet
  let points: usize = 0;                       // points of the multi-scalar multiplication so far (≤ 2 · count)
  let others: usize = 0;                       // signatures under another key (their z_i k_i slots)
  for (let i: usize = 0; i < count; i++) {
    const row = table + i * ED25519_BATCH_ENTRY;
    const pk = <usize>load<u32>(row), sig = <usize>load<u32>(row, 4);
    const shared = firstKey != 0 && bytesEqual(pk, firstKey, 32);
    const ok = scIsCanonical(sig + 32) && (shared || decodePublicKey(PT, pk)) && decode(PT2, sig);
    store<u8>(results + i, <u8>ok);
    if (!ok) continue;
    hash3(sig, 32, pk, 32, <usize>load<u32>(row, 8), <usize>load<u32>(row, 12));
    scReduce(K, DIGEST);
    const z = randoms + (i << 4);
    // 16-byte z as a 32-byte scalar
    for (let j: usize = 0; j < 32; j++) store<u8>(DIGEST + j, j < 16 ? load<u8>(z + j) : 0);
    scMulAdd(SUM, DIGEST, sig + 32, SUM);      // Σ z_i S_i
    negate(PT2);
    oddMultiples(tables + points * 8 * CACHED, PT2);   // -R_i with scalar z_i
    slideScalar(digits + points * 256, DIGEST);
    points++;
    if (firstKey == 0) firstKey = pk;
    if (bytesEqual(pk, firstKey, 32)) {
      scMulAdd(SHARED_K, DIGEST, K, SHARED_K);         // Σ z_i k_i over the first key's signatures
      continue;
    }
    const zk = zc + (others++ << 5);
    scMulAdd(zk, DIGEST, K, ZERO);                    // z_i k_i
    negate(PT);
    oddMultiples(tables + points * 8 * CACHED, PT);   // -A_i with scalar z_i k_i
    slideScalar(digits + points * 256, zk);
    points++;
  }
  if (points != 0) {
    decodePublicKey(PT, firstKey);                     // decoded fine above
    negate(PT);
    oddMultiples(tables + points * 8 * CACHED, PT);   // -A of the first key with Σ z_i k_i
    slideScalar(digits + points * 256, SHARED_K);
    points++;
    multiScalarMultVartime(PT3, tables, digits, points, SUM);
    mulByCofactor(PT3);
    if (!isIdentity(PT3)) findInvalid(table, count, results);
  }
  wipe(SHARED_K, 32);
  wipeVerify();
}

/** Whether `n` bytes at `a` and `b` are equal (public data: variable time). */
function bytesEqual(a: usize, b: usize, n: usize): bool {
  for (let i: usize = 0; i < n; i++) if (load<u8>(a + i) != load<u8>(b + i)) return false;
  return true;
}

/** After a failed batch equation: verifies one by one each signature still marked valid. */
function findInvalid(table: usize, count: usize, results: usize): void {
  for (let i: usize = 0; i < count; i++) {
    if (!load<u8>(results + i)) continue;
    const row = table + i * ED25519_BATCH_ENTRY;
    store<u8>(results + i, <u8>ed25519Verify(<usize>load<u32>(row), <usize>load<u32>(row, 4), <usize>load<u32>(row, 8), <usize>load<u32>(row, 12)));
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
