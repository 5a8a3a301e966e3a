// The symmetric crypto of an MLS PrivateMessage (RFC 9420 §6.3) in one call per step, with no key
// object made and disposed per message: every message has its own content key (the secret tree's)
// and its own sender-data key.
//
//   aeadOnceSeal / aeadOnceOpen   one-shot AEAD under a key given with the call (§6.3.1, the content)
//   senderDataSeal / senderDataOpen (§6.3.2), SHA-256 suites (Nh = 32):
//     sample            = ciphertext[0 .. min(Nh, |ciphertext|))
//     sender_data_key   = ExpandWithLabel(sender_data_secret, "key",   sample, Nk)
//     sender_data_nonce = ExpandWithLabel(sender_data_secret, "nonce", sample, Nn = 12)
//     encrypted_sender_data = AEAD.Seal(sender_data_key, sender_data_nonce, SenderDataAAD, SenderData)
//   ExpandWithLabel(s, label, ctx, L ≤ 32) = HMAC(s, KDFLabel ‖ 0x01)[0 .. L) (HKDF-Expand's first
//   block), KDFLabel = uint16 L ‖ varint ‖ "MLS 1.0 " label ‖ varint |ctx| ‖ ctx; the sample is at most
//   32 bytes, so its varint is the one byte |ctx|.
//
// AEAD ids are HPKE's (RFC 9180 §7.3): 1 AES-128-GCM, 2 AES-256-GCM, 3 ChaCha20-Poly1305; the nonce
// is 12 bytes. Constant time: branches depend only on the AEAD id and lengths (public); the tag
// comparison is the AEADs' own constant-time one. Memory: the derived key and nonce, the HMAC
// context, the AES/GHASH key state and the AEAD context are zeroed before every return.

import { Sha256 } from '../hash/descriptors';
import { hmacFinal, hmacInit, hmacUpdate, hmacWipe } from '../mac/hmac';
import { GCM_CTX, GCM_KEY_STATE, gcmOpen, gcmSeal, gcmSetKey } from '../aead/gcm';
import { CHACHA_AEAD_CTX, chachaAeadOpen, chachaAeadSeal } from '../aead/chacha20poly1305';
import { wipe } from '../runtime/bytes';

export const MLS_AEAD_AES128GCM: u32 = 1;
export const MLS_AEAD_AES256GCM: u32 = 2;
export const MLS_AEAD_CHACHA20POLY1305: u32 = 3;

const HMAC_CTX: usize = memory.data(320, 16); // hmacCtxLen<Sha256>()
const DIGEST: usize = memory.data(32, 16);
const KEY: usize = memory.data(32, 16);
const NONCE: usize = memory.data(16, 16);
const GCM_SCRATCH: usize = memory.data(16, 16);
const AEAD_KEY_STATE: usize = memory.data(<i32>GCM_KEY_STATE, 16);
const AEAD_CTX_LEN: usize = GCM_CTX > CHACHA_AEAD_CTX ? GCM_CTX : CHACHA_AEAD_CTX;
const AEAD_CTX: usize = memory.data(<i32>AEAD_CTX_LEN, 16);

// KDFLabel up to the context: [L_hi, L_lo, varint n, "MLS 1.0 " label]; L is filled in per call.
const KEY_LABEL: usize = memory.data<u8>([0, 0, 11, 0x4d, 0x4c, 0x53, 0x20, 0x31, 0x2e, 0x30, 0x20, 0x6b, 0x65, 0x79]);
const KEY_LABEL_LEN: usize = 14;
const NONCE_LABEL: usize = memory.data<u8>([0, 12, 13, 0x4d, 0x4c, 0x53, 0x20, 0x31, 0x2e, 0x30, 0x20, 0x6e, 0x6f, 0x6e, 0x63, 0x65]);
const NONCE_LABEL_LEN: usize = 16;
const TAIL: usize = memory.data(2, 16); // [varint |sample|, 0x01]

@inline function keyLength(aead: u32): usize {
  // The bindings check both; a caller of the raw ABI that passes anything else traps here rather
  // than running an AEAD it did not ask for.
  if (aead - 1 > 2) unreachable();
  return aead == MLS_AEAD_AES128GCM ? 16 : 32;
}

function wipeAll(): void {
  wipe(DIGEST, 32);
  wipe(KEY, 32);
  wipe(NONCE, 16);
  wipe(GCM_SCRATCH, 16);
  wipe(AEAD_KEY_STATE, GCM_KEY_STATE);
  wipe(AEAD_CTX, AEAD_CTX_LEN);
  hmacWipe<Sha256>(HMAC_CTX);
}

function seal(aead: u32, key: usize, nonce: usize, aad: usize, aadLen: usize, buf: usize, len: usize): void {
  if (aead == MLS_AEAD_CHACHA20POLY1305) {
    chachaAeadSeal(AEAD_CTX, key, nonce, false, aad, aadLen, buf, len);
  } else {
    gcmSetKey(AEAD_KEY_STATE, key, keyLength(aead), GCM_SCRATCH);
    gcmSeal(AEAD_CTX, AEAD_KEY_STATE, nonce, 12, aad, aadLen, buf, len);
  }
}

function open(aead: u32, key: usize, nonce: usize, aad: usize, aadLen: usize, buf: usize, len: usize): u32 {
  if (aead == MLS_AEAD_CHACHA20POLY1305) return chachaAeadOpen(AEAD_CTX, key, nonce, false, aad, aadLen, buf, len);
  gcmSetKey(AEAD_KEY_STATE, key, keyLength(aead), GCM_SCRATCH);
  return gcmOpen(AEAD_CTX, AEAD_KEY_STATE, nonce, 12, aad, aadLen, buf, len);
}

/**
 * Seals `len` bytes at `buf` in place (ciphertext ‖ 16-byte tag: `buf` holds len + 16) under the
 * key at `key` (16 or 32 bytes, by `aead`) and the 12-byte nonce at `nonce`.
 */
export function aeadOnceSeal(aead: u32, key: usize, nonce: usize, aad: usize, aadLen: usize, buf: usize, len: usize): void {
  seal(aead, key, nonce, aad, aadLen, buf, len);
  wipeAll();
}

/**
 * Opens `len` bytes of ciphertext at `buf`, followed by the tag: 1 with the plaintext in `buf`, or 0
 * (tag mismatch) with `buf` unchanged.
 */
export function aeadOnceOpen(aead: u32, key: usize, nonce: usize, aad: usize, aadLen: usize, buf: usize, len: usize): u32 {
  const ok = open(aead, key, nonce, aad, aadLen, buf, len);
  wipeAll();
  return ok;
}

/** sender_data_key to KEY and sender_data_nonce to NONCE from the 32-byte secret and the sample (≤ 32 bytes). */
function senderDataKeyNonce(aead: u32, secret: usize, sample: usize, sampleLen: usize): void {
  const nk = keyLength(aead);
  if (sampleLen > 32) unreachable(); // the sample's varint is one byte (see above)
  store<u8>(KEY_LABEL + 1, <u8>nk);
  store<u8>(TAIL, <u8>sampleLen);
  store<u8>(TAIL + 1, 1);
  hmacInit<Sha256>(HMAC_CTX, secret, 32);
  hmacUpdate<Sha256>(HMAC_CTX, KEY_LABEL, KEY_LABEL_LEN);
  hmacUpdate<Sha256>(HMAC_CTX, TAIL, 1);
  hmacUpdate<Sha256>(HMAC_CTX, sample, sampleLen);
  hmacUpdate<Sha256>(HMAC_CTX, TAIL + 1, 1);
  hmacFinal<Sha256>(HMAC_CTX, DIGEST); // leaves the context keyed for the next derivation
  memory.copy(KEY, DIGEST, nk);
  hmacUpdate<Sha256>(HMAC_CTX, NONCE_LABEL, NONCE_LABEL_LEN);
  hmacUpdate<Sha256>(HMAC_CTX, TAIL, 1);
  hmacUpdate<Sha256>(HMAC_CTX, sample, sampleLen);
  hmacUpdate<Sha256>(HMAC_CTX, TAIL + 1, 1);
  hmacFinal<Sha256>(HMAC_CTX, DIGEST);
  memory.copy(NONCE, DIGEST, 12);
}

/**
 * Seals the SenderData of `len` bytes at `buf` in place (+ 16-byte tag) under the sender-data key
 * and nonce of the 32-byte `secret` and the sample (`sampleLen` ≤ 32 bytes at `sample`).
 */
export function senderDataSeal(aead: u32, secret: usize, sample: usize, sampleLen: usize, aad: usize, aadLen: usize, buf: usize, len: usize): void {
  senderDataKeyNonce(aead, secret, sample, sampleLen);
  seal(aead, KEY, NONCE, aad, aadLen, buf, len);
  wipeAll();
}

/** Opens encrypted sender data (`len` bytes then the tag at `buf`): 1 with the plaintext in `buf`, or 0. */
export function senderDataOpen(aead: u32, secret: usize, sample: usize, sampleLen: usize, aad: usize, aadLen: usize, buf: usize, len: usize): u32 {
  senderDataKeyNonce(aead, secret, sample, sampleLen);
  const ok = open(aead, KEY, NONCE, aad, aadLen, buf, len);
  wipeAll();
  return ok;
}
