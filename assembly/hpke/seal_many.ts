// HPKE (RFC 9180) Base-mode single-shot Seal to many recipients under one info and aad, in one
// call: the UpdatePath and Welcome encryptions of MLS (RFC 9420 §5.1.3 EncryptWithLabel).
// KDF HKDF-SHA256; KEM DHKEM(X25519, HKDF-SHA256) (kem_id 0x0020) or DHKEM(P-256, HKDF-SHA256)
// (0x0010); AEAD AES-128-GCM (aead_id 1), AES-256-GCM (2) or ChaCha20-Poly1305 (3).
//
// Once per call, with suite_id = "HPKE" ‖ kem_id ‖ kdf_id ‖ aead_id (§5.1):
//   psk_id_hash = LabeledExtract("", "psk_id_hash", "")
//   info_hash   = LabeledExtract("", "info_hash", info)          (or given by the caller)
//   key_schedule_context = 0x00 (mode_base) ‖ psk_id_hash ‖ info_hash
// and for each recipient pkR, with the KEM's suite_id "KEM" ‖ kem_id (§4.1):
//   skE, pkE      = DeriveKeyPair(ikm)     (ikm: 32 fresh random bytes — GenerateKeyPair; §7.1.3)
//   dh            = DH(skE, pkR)           (X25519: an all-zero result is refused; P-256: x of skE·pkR)
//   enc           = pkE
//   eae_prk       = LabeledExtract("", "eae_prk", dh)
//   shared_secret = LabeledExpand(eae_prk, "shared_secret", enc ‖ pkR, 32)
//   secret        = LabeledExtract(shared_secret, "secret", "")                      (psk = "")
//   key           = LabeledExpand(secret, "key", key_schedule_context, Nk)
//   base_nonce    = LabeledExpand(secret, "base_nonce", key_schedule_context, 12)
//   ciphertext    = Seal(key, base_nonce, aad, pt)                  (seq 0: the nonce is base_nonce)
// The exporter secret is not derived: a single-shot Seal never uses it. Every LabeledExpand here
// asks for at most 32 bytes, so HKDF-Expand is the single block HMAC(prk, info ‖ 0x01).
//
// Constant time: the branches depend on the suite, on lengths and on whether a recipient's public
// key was refused (public facts); the one exception is P-256's DeriveKeyPair rejection loop (see
// assembly/kdf/treekem_path.ts), whose timing reveals nothing about the key finally used.
//
// Memory: the ikm inputs are zeroed as soon as they are used; the ephemeral secret keys, DH
// outputs, PRKs, shared secrets, key-schedule secrets, AEAD keys, nonces and all scratch (HMAC
// contexts, AES/GHASH key state, AEAD context) are zeroed before returning, on every path.

import { Sha256 } from '../hash/descriptors';
import { hmacFinal, hmacInit, hmacUpdate, hmacWipe } from '../mac/hmac';
import { x25519 } from '../curve/x25519';
import { P256_STATUS_OK, p256Ecdh } from '../curve/p256/p256';
import { GCM_CTX, GCM_KEY_STATE, gcmSeal, gcmSetKey } from '../aead/gcm';
import { CHACHA_AEAD_CTX, chachaAeadSeal } from '../aead/chacha20poly1305';
import { TREEKEM_P256, TREEKEM_X25519, dhkemDeriveKeyPair } from '../kdf/treekem_path';
import { wipe } from '../runtime/bytes';

export const HPKE_KEM_P256: u32 = 0x0010;
export const HPKE_KEM_X25519: u32 = 0x0020;
export const HPKE_AEAD_AES128GCM: u32 = 1;
export const HPKE_AEAD_AES256GCM: u32 = 2;
export const HPKE_AEAD_CHACHA20POLY1305: u32 = 3;
/** Bytes per row of the recipient table: [pkR ptr, ikm ptr, enc ptr, buf ptr, plaintext length], u32 each. */
export const HPKE_SEAL_ROW: usize = 20;
/** hpkeSealBase's result when a P-256 DeriveKeyPair found no valid candidate (probability about 2^-8192). */
export const HPKE_DERIVE_KEY_PAIR_ERROR: u32 = 0xffffffff;

// Labels (RFC 9180 §4, §5.1).
const HPKE_V1: usize = memory.data<u8>([0x48, 0x50, 0x4b, 0x45, 0x2d, 0x76, 0x31]);
const L_EAE_PRK: usize = memory.data<u8>([0x65, 0x61, 0x65, 0x5f, 0x70, 0x72, 0x6b]);
const L_SHARED_SECRET: usize = memory.data<u8>([0x73, 0x68, 0x61, 0x72, 0x65, 0x64, 0x5f, 0x73, 0x65, 0x63, 0x72, 0x65, 0x74]);
const L_PSK_ID_HASH: usize = memory.data<u8>([0x70, 0x73, 0x6b, 0x5f, 0x69, 0x64, 0x5f, 0x68, 0x61, 0x73, 0x68]);
const L_INFO_HASH: usize = memory.data<u8>([0x69, 0x6e, 0x66, 0x6f, 0x5f, 0x68, 0x61, 0x73, 0x68]);
const L_SECRET: usize = memory.data<u8>([0x73, 0x65, 0x63, 0x72, 0x65, 0x74]);
const L_KEY: usize = memory.data<u8>([0x6b, 0x65, 0x79]);
const L_BASE_NONCE: usize = memory.data<u8>([0x62, 0x61, 0x73, 0x65, 0x5f, 0x6e, 0x6f, 0x6e, 0x63, 0x65]);
const ONE: usize = memory.data<u8>([0x01]);

// Scratch, all zero between calls. IDS: [0, 5) "KEM" ‖ kem_id, [8, 18) "HPKE" ‖ kem_id ‖ kdf_id ‖
// aead_id, [24, 26) I2OSP(32, 2), [26, 28) I2OSP(Nk, 2), [28, 30) I2OSP(12, 2).
const IDS: usize = memory.data(32, 16);
const KEM_ID: usize = IDS, HPKE_ID: usize = IDS + 8, LEN_32: usize = IDS + 24, LEN_NK: usize = IDS + 26, LEN_NN: usize = IDS + 28;
const SCHEDULE_CONTEXT: usize = memory.data(80, 16); // 0x00 ‖ psk_id_hash ‖ info_hash: 65 bytes
const SK: usize = memory.data(32, 16);
const DH: usize = memory.data(32, 16);
const PRK: usize = memory.data(32, 16);
const SHARED: usize = memory.data(32, 16);
const SECRET: usize = memory.data(32, 16);
const KEY: usize = memory.data(32, 16);
const NONCE: usize = memory.data(32, 16);
const GCM_SCRATCH: usize = memory.data(16, 16);
const HMAC_CTX_LEN: usize = 320; // hmacCtxLen<Sha256>()
const EXTRACT_CTX: usize = memory.data(<i32>HMAC_CTX_LEN, 16); // keyed with the empty salt
const KEYED_CTX: usize = memory.data(<i32>HMAC_CTX_LEN, 16);
const AEAD_KEY_STATE: usize = memory.data(<i32>GCM_KEY_STATE, 16);
const AEAD_CTX_LEN: usize = GCM_CTX > CHACHA_AEAD_CTX ? GCM_CTX : CHACHA_AEAD_CTX;
const AEAD_CTX: usize = memory.data(<i32>AEAD_CTX_LEN, 16);

@inline function putU16(p: usize, v: u32): void {
  store<u8>(p, <u8>(v >> 8));
  store<u8>(p + 1, <u8>v);
}

/** "HPKE-v1" ‖ suite_id ‖ label into the running HMAC (the LabeledExtract / LabeledExpand prefix after any length). */
@inline function labeled(ctx: usize, suiteId: usize, suiteIdLen: usize, label: usize, labelLen: usize): void {
  hmacUpdate<Sha256>(ctx, HPKE_V1, 7);
  hmacUpdate<Sha256>(ctx, suiteId, suiteIdLen);
  hmacUpdate<Sha256>(ctx, label, labelLen);
}

function wipeAll(): void {
  wipe(IDS, 32);
  wipe(SCHEDULE_CONTEXT, 80);
  wipe(SK, 32);
  wipe(DH, 32);
  wipe(PRK, 32);
  wipe(SHARED, 32);
  wipe(SECRET, 32);
  wipe(KEY, 32);
  wipe(NONCE, 32);
  wipe(GCM_SCRATCH, 16);
  hmacWipe<Sha256>(EXTRACT_CTX);
  hmacWipe<Sha256>(KEYED_CTX);
  wipe(AEAD_KEY_STATE, GCM_KEY_STATE);
  wipe(AEAD_CTX, AEAD_CTX_LEN);
}

/**
 * Seals `count` messages (see the top of this file). `table` holds one HPKE_SEAL_ROW row per
 * recipient: pkR (32 bytes for X25519, 65 uncompressed for P-256), ikm (32 bytes, zeroed here once
 * used), enc (Nenc bytes written: 32 or 65), buf (the plaintext of `len` bytes, replaced by the
 * ciphertext and followed by the 16-byte tag: len + 16 bytes) and len. With `hashInfo` 1, info_hash
 * is computed from `info` (infoLen bytes) and written to `infoHash` (32 bytes); with 0, `infoHash`
 * already holds it (a later batch of the same call) and `info` is not read.
 *
 * Returns 0 when every message is sealed; i + 1 when recipient i's public key is refused (X25519:
 * the DH output is all zero; P-256: not a point on the curve), the first such, stopping there; or
 * HPKE_DERIVE_KEY_PAIR_ERROR. After a non-zero result the output areas are unspecified (the caller
 * wipes and discards them).
 *
 * Preconditions (checked by the bindings): kem is HPKE_KEM_X25519 or HPKE_KEM_P256, aead one of the
 * HPKE_AEAD_* ids; no area overlaps another except as stated (buf in place).
 */
export function hpkeSealBase(
  kem: u32, aead: u32, count: u32, table: usize, info: usize, infoLen: usize, infoHash: usize, hashInfo: u32, aad: usize, aadLen: usize,
): u32 {
  const p256 = kem == HPKE_KEM_P256;
  const pkLen: usize = p256 ? 65 : 32;
  const nk: u32 = aead == HPKE_AEAD_AES128GCM ? 16 : 32;
  // suite ids and lengths
  store<u8>(KEM_ID, 0x4b); store<u8>(KEM_ID + 1, 0x45); store<u8>(KEM_ID + 2, 0x4d);
  putU16(KEM_ID + 3, kem);
  store<u8>(HPKE_ID, 0x48); store<u8>(HPKE_ID + 1, 0x50); store<u8>(HPKE_ID + 2, 0x4b); store<u8>(HPKE_ID + 3, 0x45);
  putU16(HPKE_ID + 4, kem);
  putU16(HPKE_ID + 6, 0x0001); // HKDF-SHA256
  putU16(HPKE_ID + 8, aead);
  putU16(LEN_32, 32);
  putU16(LEN_NK, nk);
  putU16(LEN_NN, 12);

  // key_schedule_context = mode_base ‖ psk_id_hash ‖ info_hash
  hmacInit<Sha256>(EXTRACT_CTX, 0, 0);
  labeled(EXTRACT_CTX, HPKE_ID, 10, L_PSK_ID_HASH, 11);
  hmacFinal<Sha256>(EXTRACT_CTX, SCHEDULE_CONTEXT + 1);
  if (hashInfo != 0) {
    labeled(EXTRACT_CTX, HPKE_ID, 10, L_INFO_HASH, 9);
    hmacUpdate<Sha256>(EXTRACT_CTX, info, infoLen);
    hmacFinal<Sha256>(EXTRACT_CTX, infoHash);
  }
  for (let i: usize = 0; i < 32; i += 8) store<u64>(SCHEDULE_CONTEXT + 33 + i, load<u64>(infoHash + i));

  let status: u32 = 0;
  for (let i: u32 = 0; i < count; i++) {
    const row = table + <usize>i * HPKE_SEAL_ROW;
    const pk = <usize>load<u32>(row), ikm = <usize>load<u32>(row, 4), enc = <usize>load<u32>(row, 8);
    const buf = <usize>load<u32>(row, 12), len = <usize>load<u32>(row, 16);

    // Encap: the ephemeral key pair, then DH
    const derived = dhkemDeriveKeyPair(p256 ? TREEKEM_P256 : TREEKEM_X25519, ikm, SK, enc);
    wipe(ikm, 32);
    if (derived == 0) {
      status = HPKE_DERIVE_KEY_PAIR_ERROR;
      break;
    }
    let refused = false;
    if (p256) {
      refused = p256Ecdh(DH, SK, pk, 65) != P256_STATUS_OK;
    } else {
      x25519(DH, SK, pk);
      let acc: u64 = 0;
      for (let k: usize = 0; k < 32; k += 8) acc |= load<u64>(DH + k);
      refused = acc == 0; // small-order pkR (RFC 7748 §6.1): public
    }
    wipe(SK, 32);
    if (refused) {
      status = i + 1;
      break;
    }
    // ExtractAndExpand(dh, enc ‖ pkR)
    labeled(EXTRACT_CTX, KEM_ID, 5, L_EAE_PRK, 7);
    hmacUpdate<Sha256>(EXTRACT_CTX, DH, 32);
    hmacFinal<Sha256>(EXTRACT_CTX, PRK);
    wipe(DH, 32);
    hmacInit<Sha256>(KEYED_CTX, PRK, 32);
    hmacUpdate<Sha256>(KEYED_CTX, LEN_32, 2);
    labeled(KEYED_CTX, KEM_ID, 5, L_SHARED_SECRET, 13);
    hmacUpdate<Sha256>(KEYED_CTX, enc, pkLen);
    hmacUpdate<Sha256>(KEYED_CTX, pk, pkLen);
    hmacUpdate<Sha256>(KEYED_CTX, ONE, 1);
    hmacFinal<Sha256>(KEYED_CTX, SHARED);
    // KeyScheduleS, mode_base, psk = ""
    hmacInit<Sha256>(KEYED_CTX, SHARED, 32);
    labeled(KEYED_CTX, HPKE_ID, 10, L_SECRET, 6);
    hmacFinal<Sha256>(KEYED_CTX, SECRET);
    hmacInit<Sha256>(KEYED_CTX, SECRET, 32);
    hmacUpdate<Sha256>(KEYED_CTX, LEN_NK, 2);
    labeled(KEYED_CTX, HPKE_ID, 10, L_KEY, 3);
    hmacUpdate<Sha256>(KEYED_CTX, SCHEDULE_CONTEXT, 65);
    hmacUpdate<Sha256>(KEYED_CTX, ONE, 1);
    hmacFinal<Sha256>(KEYED_CTX, KEY);
    hmacUpdate<Sha256>(KEYED_CTX, LEN_NN, 2);
    labeled(KEYED_CTX, HPKE_ID, 10, L_BASE_NONCE, 10);
    hmacUpdate<Sha256>(KEYED_CTX, SCHEDULE_CONTEXT, 65);
    hmacUpdate<Sha256>(KEYED_CTX, ONE, 1);
    hmacFinal<Sha256>(KEYED_CTX, NONCE);
    // Seal with seq 0: nonce = base_nonce
    if (aead == HPKE_AEAD_CHACHA20POLY1305) {
      chachaAeadSeal(AEAD_CTX, KEY, NONCE, false, aad, aadLen, buf, len);
    } else {
      gcmSetKey(AEAD_KEY_STATE, KEY, nk, GCM_SCRATCH);
      gcmSeal(AEAD_CTX, AEAD_KEY_STATE, NONCE, 12, aad, aadLen, buf, len);
    }
  }
  wipeAll();
  return status;
}
