// TreeKEM path derivation, RFC 9420 §7.4, for the three SHA-256 cipher suites, the whole chain in
// one call:
//
//   for i in 0 .. length - 1:
//     path_secret[i]          (path_secret[0] = start)
//     node_secret             = DeriveSecret(path_secret[i], "node")
//     sk[i], pk[i]            = DHKEM.DeriveKeyPair(node_secret)                 (RFC 9180 §7.1.3)
//     path_secret[i + 1]      = DeriveSecret(path_secret[i], "path")
//   next                      = path_secret[length]   (start itself for length 0)
//
// DeriveSecret(s, label) = ExpandWithLabel(s, label, "", 32) (RFC 9420 §8) is one HMAC-SHA256 block:
// HKDF-Expand(s, KDFLabel, 32) = HMAC(s, KDFLabel ‖ 0x01) with KDFLabel = uint16 32 ‖ varint 12 ‖
// "MLS 1.0 " ‖ label ‖ varint 0 — constant bytes below. DeriveKeyPair with suite_id = "KEM" ‖ kem_id:
//   dkp_prk = LabeledExtract("", "dkp_prk", ikm) = HMAC(key "", "HPKE-v1" ‖ suite_id ‖ "dkp_prk" ‖ ikm)
//   X25519 (kem_id 0x0020): sk = LabeledExpand(dkp_prk, "sk", "", 32); pk = X25519(sk, 9)
//   P-256  (kem_id 0x0010): sk = LabeledExpand(dkp_prk, "candidate", I2OSP(counter, 1), 32) for
//                           counter = 0, 1, …, the first in [1, n - 1] (bitmask 0xff: no masking);
//                           pk = 04 ‖ x ‖ y of sk · G (uncompressed SEC1, 65 bytes)
// The secret keys are returned as DeriveKeyPair returns them (X25519: unclamped; clamping happens
// inside the scalar multiplication), so they equal bindings/hpke/dhkem.ts's byte for byte.
//
// Constant time: no branch and no memory index depends on a secret. The one exception is P-256's
// rejection sampling (RFC 9180 §7.1.3): whether a candidate lies in [1, n - 1] decides whether the
// next candidate is drawn. That is the standard rejection loop: a candidate is rejected with
// probability about 2^-32, and a rejected candidate is discarded, so the timing reveals nothing
// about the key finally used. The validity test itself (scIsValidBytes) is constant time.
//
// Memory: the node secrets, dkp_prk and every HMAC context are zeroed before returning; the
// scalar multiplications zero their own scratch (x25519Base, p256PublicKey). The outputs are the
// caller's to wipe.

import { Sha256 } from '../hash/descriptors';
import { hmacFinal, hmacInit, hmacUpdate, hmacWipe } from '../mac/hmac';
import { x25519Base } from '../curve/x25519';
import { p256PublicKey, p256Wipe } from '../curve/p256/p256';
import { scIsValidBytes } from '../curve/p256/scalar';
import { copy, wipe } from '../runtime/bytes';

export const TREEKEM_X25519: u32 = 0;
export const TREEKEM_P256: u32 = 1;

// KDFLabel ‖ 0x01 of DeriveSecret(·, "node") and DeriveSecret(·, "path"): 00 20 | 0c "MLS 1.0 node" | 00 | 01.
const NODE_INFO: usize = memory.data<u8>([0x00, 0x20, 0x0c, 0x4d, 0x4c, 0x53, 0x20, 0x31, 0x2e, 0x30, 0x20, 0x6e, 0x6f, 0x64, 0x65, 0x00, 0x01]);
const PATH_INFO: usize = memory.data<u8>([0x00, 0x20, 0x0c, 0x4d, 0x4c, 0x53, 0x20, 0x31, 0x2e, 0x30, 0x20, 0x70, 0x61, 0x74, 0x68, 0x00, 0x01]);
const DERIVE_INFO_LEN: usize = 17;
// "HPKE-v1" ‖ "KEM" ‖ kem_id ‖ "dkp_prk" (the LabeledExtract prefix of the ikm), per KEM.
const X25519_DKP: usize = memory.data<u8>([0x48, 0x50, 0x4b, 0x45, 0x2d, 0x76, 0x31, 0x4b, 0x45, 0x4d, 0x00, 0x20, 0x64, 0x6b, 0x70, 0x5f, 0x70, 0x72, 0x6b]);
const P256_DKP: usize = memory.data<u8>([0x48, 0x50, 0x4b, 0x45, 0x2d, 0x76, 0x31, 0x4b, 0x45, 0x4d, 0x00, 0x10, 0x64, 0x6b, 0x70, 0x5f, 0x70, 0x72, 0x6b]);
const DKP_LEN: usize = 19;
// LabeledExpand(dkp_prk, "sk", "", 32)'s info ‖ 0x01: I2OSP(32, 2) ‖ "HPKE-v1" ‖ "KEM" 00 20 ‖ "sk" ‖ 01.
const X25519_SK_INFO: usize = memory.data<u8>([0x00, 0x20, 0x48, 0x50, 0x4b, 0x45, 0x2d, 0x76, 0x31, 0x4b, 0x45, 0x4d, 0x00, 0x20, 0x73, 0x6b, 0x01]);
const X25519_SK_INFO_LEN: usize = 17;
// LabeledExpand(dkp_prk, "candidate", I2OSP(counter, 1), 32)'s info up to the counter:
// I2OSP(32, 2) ‖ "HPKE-v1" ‖ "KEM" 00 10 ‖ "candidate"; then counter, then HKDF's 01.
const P256_CANDIDATE_INFO: usize = memory.data<u8>([0x00, 0x20, 0x48, 0x50, 0x4b, 0x45, 0x2d, 0x76, 0x31, 0x4b, 0x45, 0x4d, 0x00, 0x10, 0x63, 0x61, 0x6e, 0x64, 0x69, 0x64, 0x61, 0x74, 0x65]);
const P256_CANDIDATE_INFO_LEN: usize = 23;

// Three HMAC-SHA256 contexts (hmacCtxLen<Sha256>() = 320 bytes each): keyed with the current path
// secret, with the empty salt of LabeledExtract, and with dkp_prk.
const HMAC_CTX_LEN: usize = 320;
const PATH_CTX: usize = memory.data(<i32>HMAC_CTX_LEN, 16);
const EXTRACT_CTX: usize = memory.data(<i32>HMAC_CTX_LEN, 16);
const PRK_CTX: usize = memory.data(<i32>HMAC_CTX_LEN, 16);
// The current path secret, the node secret, dkp_prk, and the counter ‖ 01 suffix of a candidate's info.
const SECRET: usize = memory.data(32, 16);
const NODE: usize = memory.data(32, 16);
const PRK: usize = memory.data(32, 16);
const SUFFIX: usize = memory.data(16, 16);

/** X25519 DeriveKeyPair(NODE): sk (32 bytes) and pk (32 bytes). */
function deriveX25519(sk: usize, pk: usize): void {
  hmacUpdate<Sha256>(EXTRACT_CTX, X25519_DKP, DKP_LEN);
  hmacUpdate<Sha256>(EXTRACT_CTX, NODE, 32);
  hmacFinal<Sha256>(EXTRACT_CTX, PRK);
  hmacInit<Sha256>(PRK_CTX, PRK, 32);
  hmacUpdate<Sha256>(PRK_CTX, X25519_SK_INFO, X25519_SK_INFO_LEN);
  hmacFinal<Sha256>(PRK_CTX, sk);
  x25519Base(pk, sk);
}

/** P-256 DeriveKeyPair(NODE): sk (32 bytes) and pk (65 bytes); 0 if no candidate of 256 is in range. */
function deriveP256(sk: usize, pk: usize): u32 {
  hmacUpdate<Sha256>(EXTRACT_CTX, P256_DKP, DKP_LEN);
  hmacUpdate<Sha256>(EXTRACT_CTX, NODE, 32);
  hmacFinal<Sha256>(EXTRACT_CTX, PRK);
  hmacInit<Sha256>(PRK_CTX, PRK, 32);
  store<u8>(SUFFIX + 1, 0x01);
  for (let counter: u32 = 0; counter < 256; counter++) {
    store<u8>(SUFFIX, <u8>counter);
    hmacUpdate<Sha256>(PRK_CTX, P256_CANDIDATE_INFO, P256_CANDIDATE_INFO_LEN);
    hmacUpdate<Sha256>(PRK_CTX, SUFFIX, 2);
    hmacFinal<Sha256>(PRK_CTX, sk);
    // Rejection sampling (RFC 9180 §7.1.3): branching on whether the candidate is in [1, n - 1]
    // reveals only that a discarded candidate was out of range (probability about 2^-32 each).
    if (scIsValidBytes(sk)) return p256PublicKey(pk, sk);   // always 1 here; wipes the P-256 scratch
  }
  // DeriveKeyPairError (probability about 2^-8192)
  wipe(sk, 32);
  p256Wipe();
  return 0;
}

/**
 * Runs the chain of `length` steps from the 32-byte path secret `start` (see the top of this file).
 * Writes `length` path secrets (32 bytes each, the first a copy of start) to `pathSecrets`, their
 * node secret keys (32 bytes each) to `secretKeys`, their public keys (32 bytes each for
 * TREEKEM_X25519, 65 for TREEKEM_P256) to `publicKeys`, and the path secret after the last to
 * `next` (32 bytes). Returns 1, or 0 if P-256's DeriveKeyPair found no valid candidate (every
 * output area is then unspecified and the caller wipes it).
 * Preconditions (checked by the bindings): kem is TREEKEM_X25519 or TREEKEM_P256; no output area
 * overlaps another or `start` (start is only read, first thing).
 */
export function treekemPath(kem: u32, start: usize, length: usize, pathSecrets: usize, secretKeys: usize, publicKeys: usize, next: usize): u32 {
  const pkLen: usize = kem == TREEKEM_P256 ? 65 : 32;
  copy(SECRET, start, 32);
  hmacInit<Sha256>(EXTRACT_CTX, 0, 0);   // LabeledExtract's salt is empty: a key of zero bytes
  let ok: u32 = 1;
  for (let i: usize = 0; i < length; i++) {
    copy(pathSecrets + (i << 5), SECRET, 32);
    hmacInit<Sha256>(PATH_CTX, SECRET, 32);
    hmacUpdate<Sha256>(PATH_CTX, NODE_INFO, DERIVE_INFO_LEN);
    hmacFinal<Sha256>(PATH_CTX, NODE);
    hmacUpdate<Sha256>(PATH_CTX, PATH_INFO, DERIVE_INFO_LEN);
    hmacFinal<Sha256>(PATH_CTX, SECRET);
    if (kem == TREEKEM_P256) ok &= deriveP256(secretKeys + (i << 5), publicKeys + i * pkLen);
    else deriveX25519(secretKeys + (i << 5), publicKeys + i * pkLen);
    wipe(NODE, 32);
    wipe(PRK, 32);
  }
  copy(next, SECRET, 32);
  wipe(SECRET, 32);
  wipe(NODE, 32);
  wipe(PRK, 32);
  wipe(SUFFIX, 16);
  hmacWipe<Sha256>(PATH_CTX);
  hmacWipe<Sha256>(EXTRACT_CTX);
  hmacWipe<Sha256>(PRK_CTX);
  return ok;
}

/**
 * DHKEM(X25519 | P-256, HKDF-SHA256).DeriveKeyPair(ikm) (RFC 9180 §7.1.3) for a 32-byte `ikm`, on
 * this file's scratch (for HPKE's ephemeral keys, assembly/hpke/seal_many.ts): sk (32 bytes) and pk
 * (32 bytes for TREEKEM_X25519, 65 for TREEKEM_P256). Returns 1, or 0 if P-256 found no valid
 * candidate (sk then zeroed). `ikm` is only read; every scratch area is zeroed before returning.
 */
export function dhkemDeriveKeyPair(kem: u32, ikm: usize, sk: usize, pk: usize): u32 {
  copy(NODE, ikm, 32);
  hmacInit<Sha256>(EXTRACT_CTX, 0, 0);
  let ok: u32 = 1;
  if (kem == TREEKEM_P256) ok = deriveP256(sk, pk);
  else deriveX25519(sk, pk);
  wipe(NODE, 32);
  wipe(PRK, 32);
  wipe(SUFFIX, 16);
  hmacWipe<Sha256>(EXTRACT_CTX);
  hmacWipe<Sha256>(PRK_CTX);
  return ok;
}
