// P-256 key pairs, ECDH (SEC 1 v2 §3.3.1) and ECDSA-SHA256 (FIPS 186-5 §6.4) with deterministic
// nonces (RFC 6979 §3.2, HMAC-DRBG on the engine's HMAC-SHA256).
//
// Keys: secret keys are 32-byte big-endian scalars in [1, n - 1]; public keys SEC1 points.
// Signatures are r ‖ s (32 bytes each, big-endian) with low S (s ≤ (n - 1) / 2, the other root
// replaced by n - s after signing); verification accepts either S, as ECDSA specifies.
//
// Constant time: key generation, ECDH and signing run straight-line on the secret key and the nonce
// (fixed-window and comb multiplications, Fermat inversions, masked selections). What branches: the
// validity of the secret key (refused with an error anyway), RFC 6979's rejection of a candidate
// nonce outside [1, n - 1] and of r = 0 or s = 0 (each about 2^-32 or rarer, and independent of the
// nonce finally used), and everything in verification, which sees public data only.
//
// Memory: every entry point zeroes all P-256 scratch (field, scalar, group, DRBG state and HMAC
// context) before it returns, on every path.

import { Sha256 } from '../../hash/descriptors';
import { hmacFinal, hmacInit, hmacUpdate } from '../../mac/hmac';
import { wipe } from '../../runtime/bytes';
import { p256EnsureTables } from './base_tables';
import { FE, feEqual, feFromBytes, feMul, feToBytes, limbsFromBytes, limbsLess } from './field';
import {
  AFF, PT, decodePoint, doubleScalarMultVartime, encodeUncompressed, p256WipeScratch, pFromAffine, pIsIdentity,
  pToAffine, scalarMult, scalarMultBase,
} from './point';
import {
  SC, scAdd, scCondNegate, scFromBytesReduced, scFromMont, scInvert, scIsValidBytes, scIsZero, scMul, scToBytes,
  scToMont,
} from './scalar';
import { FE_R2, N_HALF, N_LIMBS, P_LIMBS } from './tables';

export const P256_STATUS_OK: u32 = 0, P256_INVALID_POINT: u32 = 1, P256_INVALID_SCALAR: u32 = 2;

// ---- scratch -----------------------------------------------------------------------------------------

const HMAC_CTX_LEN: usize = 320;        // hmacCtxLen<Sha256>()
const SCRATCH_LEN: usize = HMAC_CTX_LEN + 32 * 5 + 16 + 12 * SC + PT * 2 + AFF;
const SCRATCH: usize = memory.data(<i32>SCRATCH_LEN, 16);
const CTX: usize = SCRATCH;
const K: usize = CTX + HMAC_CTX_LEN, V: usize = K + 32, H1: usize = V + 32, XB: usize = H1 + 32, UB: usize = XB + 32;
const BYTE: usize = UB + 32;
const DL: usize = BYTE + 16, ZL: usize = DL + SC, RL: usize = ZL + SC, SL: usize = RL + SC, KL: usize = SL + SC;
const M0: usize = KL + SC, M1: usize = M0 + SC, M2: usize = M1 + SC, M3: usize = M2 + SC;
const U1: usize = M3 + SC, U2: usize = U1 + SC, F0: usize = U2 + SC;
const P: usize = F0 + SC, Q: usize = P + PT, A: usize = Q + PT;

/**
 * Zeroes everything the P-256 code may have left in memory, and the SHA-256 message schedule: the
 * bindings hash the message with the call just before this one (the schedule of its last block is
 * still there), and HMAC-DRBG's blocks hold the secret key.
 */
export function p256Wipe(): void {
  wipe(SCRATCH, SCRATCH_LEN);
  p256WipeScratch();
}

// ---- keys and ECDH -------------------------------------------------------------------------------------

/** out (65 bytes) = 04 ‖ x ‖ y of sk · G. Returns 1, or 0 (nothing written) if sk is not in [1, n - 1]. */
export function p256PublicKey(out: usize, sk: usize): u32 {
  p256EnsureTables();
  const ok = scIsValidBytes(sk);
  if (ok) {
    scalarMultBase(P, sk);
    pToAffine(A, P);
    encodeUncompressed(out, A);
  }
  p256Wipe();
  return ok;
}

/**
 * out (32 bytes) = the x-coordinate of sk · peer, peer a SEC1 point of `peerLen` bytes. Returns
 * P256_STATUS_OK, P256_INVALID_SCALAR (sk not in [1, n - 1]) or P256_INVALID_POINT (peer not a
 * point on the curve), checked in that order; nothing is written unless OK. The result is never
 * the identity: the peer point has order n and the scalar is not a multiple of it.
 */
export function p256Ecdh(out: usize, sk: usize, peer: usize, peerLen: usize): u32 {
  let status = P256_STATUS_OK;
  if (!scIsValidBytes(sk)) status = P256_INVALID_SCALAR;
  else if (!decodePoint(A, peer, peerLen)) status = P256_INVALID_POINT;
  else {
    pFromAffine(Q, A);
    scalarMult(P, Q, sk);
    pToAffine(A, P);
    feToBytes(out, A);
  }
  p256Wipe();
  return status;
}

/** out (65 bytes) = the uncompressed form of a SEC1 point (33 or 65 bytes); 1, or 0 if it is not a point. */
export function p256DecodePoint(out: usize, s: usize, len: usize): u32 {
  const ok = decodePoint(A, s, len);
  if (ok) encodeUncompressed(out, A);
  p256Wipe();
  return ok;
}

// ---- ECDSA signing -------------------------------------------------------------------------------------

/**
 * out = HMAC-SHA256_K(V [‖ byte ‖ int2octets(x) ‖ bits2octets(h1)]), out may be K or V. `rekey`:
 * K changed since the last call, so the key's pad states are recomputed (otherwise the context,
 * reset by hmacFinal, still holds them).
 */
function drbgMac(out: usize, sk: usize, separator: i32, rekey: bool): void {
  if (rekey) hmacInit<Sha256>(CTX, K, 32);
  hmacUpdate<Sha256>(CTX, V, 32);
  if (separator >= 0) {
    store<u8>(BYTE, <u8>separator);
    hmacUpdate<Sha256>(CTX, BYTE, 1);
    if (sk != 0) {
      hmacUpdate<Sha256>(CTX, sk, 32);
      hmacUpdate<Sha256>(CTX, H1, 32);
    }
  }
  hmacFinal<Sha256>(CTX, out);
}

/**
 * r ‖ s into sig for the nonce k = V (already checked to be in [1, n - 1]); 0 if r or s is 0 (the
 * caller then draws the next nonce).
 */
function signWithNonce(sig: usize): u32 {
  scalarMultBase(P, V);
  pToAffine(A, P);
  feToBytes(XB, A);
  scFromBytesReduced(RL, XB);             // r = x mod n
  if (scIsZero(RL)) return 0;
  limbsFromBytes(KL, V);
  scToMont(M0, KL);
  scInvert(M0, M0);                       // k^-1
  scToMont(M1, RL);
  scToMont(M2, DL);
  scMul(M3, M1, M2);                      // r d
  scToMont(M1, ZL);
  scAdd(M3, M3, M1);                      // z + r d (unreduced: a valid multiplication input)
  scMul(M2, M0, M3);
  scFromMont(SL, M2);                     // s = k^-1 (z + r d)
  if (scIsZero(SL)) return 0;
  scCondNegate(SL, limbsLess(N_HALF, SL)); // low S
  scToBytes(sig, RL);
  scToBytes(sig + 32, SL);
  return 1;
}

/**
 * ECDSA signature (r ‖ s, 64 bytes, low S) of the 32-byte message digest under sk, with the nonce of
 * RFC 6979 §3.2 (qlen = hlen = 256, so bits2int is the identity on 32 bytes). Returns 1, or 0
 * (nothing written) if sk is not in [1, n - 1].
 */
export function p256Sign(sig: usize, sk: usize, digest: usize): u32 {
  p256EnsureTables();
  const ok = scIsValidBytes(sk);
  if (ok) {
    limbsFromBytes(DL, sk);
    scFromBytesReduced(ZL, digest);       // z = bits2int(h1) mod n
    scToBytes(H1, ZL);                    // bits2octets(h1)
    for (let i: usize = 0; i < 32; i++) { store<u8>(V + i, 1); store<u8>(K + i, 0); }   // b, c
    drbgMac(K, sk, 0, true); drbgMac(V, 0, -1, true);   // d, e
    drbgMac(K, sk, 1, false); drbgMac(V, 0, -1, true);  // f, g
    for (;;) {
      drbgMac(V, 0, -1, false);           // h.2: T = V (one block: qlen = hlen)
      if (scIsValidBytes(V) && signWithNonce(sig)) break;
      drbgMac(K, 0, 0, false); drbgMac(V, 0, -1, true); // h.3
    }
  }
  p256Wipe();
  return ok;
}

// ---- ECDSA verification (variable time, public inputs) -------------------------------------------------

function verify(pk: usize, pkLen: usize, digest: usize, sig: usize): u32 {
  if (!decodePoint(A, pk, pkLen)) return 0;
  if (!scIsValidBytes(sig) || !scIsValidBytes(sig + 32)) return 0;
  limbsFromBytes(RL, sig);
  limbsFromBytes(SL, sig + 32);
  scFromBytesReduced(ZL, digest);
  scToMont(M0, SL);
  scInvert(M0, M0);                       // w = s^-1
  scToMont(M1, ZL);
  scMul(M1, M1, M0);
  scFromMont(U1, M1);                     // u1 = z w
  scToMont(M1, RL);
  scMul(M1, M1, M0);
  scFromMont(U2, M1);                     // u2 = r w
  scToBytes(XB, U1);
  scToBytes(UB, U2);
  pFromAffine(Q, A);
  doubleScalarMultVartime(P, XB, UB, Q);
  if (pIsIdentity(P)) return 0;
  // x(R) mod n = r, without inverting Z: X = r Z, or X = (r + n) Z when r + n < p
  feFromBytes(F0, sig);
  feMul(F0, F0, P + 2 * FE);
  if (feEqual(P, F0)) return 1;
  let c: i64 = 0;
  for (let i: usize = 0; i < 40; i += 4) {
    const v = <i64>load<i32>(RL + i) + <i64>load<i32>(N_LIMBS + i) + c;
    c = v >> 26;
    store<i32>(F0 + i, <i32>(i < 36 ? v & 0x3ffffff : v));
  }
  if (!limbsLess(F0, P_LIMBS)) return 0;
  feMul(F0, F0, FE_R2);
  feMul(F0, F0, P + 2 * FE);
  return feEqual(P, F0);
}

/** 1 if sig (r ‖ s, 64 bytes) is a valid ECDSA signature of the 32-byte digest under the SEC1 point pk. */
export function p256Verify(pk: usize, pkLen: usize, digest: usize, sig: usize): u32 {
  p256EnsureTables();
  const ok = verify(pk, pkLen, digest, sig);
  p256Wipe();
  return ok;
}
