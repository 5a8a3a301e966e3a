// The wasm ABI: every export takes byte offsets into linear memory (usize) and plain integers.
// No managed objects and no i64 cross the boundary. Preconditions are documented per function and
// enforced by the TypeScript bindings (bindings/), which validate every argument before calling in.
// Contexts are caller-allocated memory of the size given by the exported *_CTX_LEN globals.

import './runtime/abort'; // the target of --use abort=…, which makes every abort a trap
import { Sha1, Sha256, Sha512 } from './hash/descriptors';
import { mdCtxLen, mdDigest, mdFinal, mdInit, mdUpdate, mdWipe } from './hash/md';
import { sha512WipeScratch } from './hash/sha512';
import {
  HMAC_SHA3_CTX, SHA3_CTX, hkdfSha3Expand, hmacSha3Final, hmacSha3Init, hmacSha3Update, hmacSha3Wipe, sha3Digest,
  sha3Final, sha3Init, sha3Update, sha3Wipe,
} from './hash/sha3';
import { hmacCtxLen, hmacFinal, hmacInit, hmacUpdateWiped, hmacWipe } from './mac/hmac';
import { hkdfExpand } from './kdf/hkdf';
import {
  CHACHA_AEAD_CTX, chachaAeadAad, chachaAeadAbsorb, chachaAeadDecrypt, chachaAeadEncrypt, chachaAeadFinish,
  chachaAeadInit, chachaAeadOpen, chachaAeadSeal, chachaAeadVerify,
} from './aead/chacha20poly1305';
import {
  SECRETBOX_CTX, secretboxAbsorb, secretboxDecrypt, secretboxEncrypt, secretboxFinish, secretboxInit,
  secretboxOpen, secretboxSeal, secretboxVerify,
} from './aead/secretbox';
import { chachaInit, chachaXor, hchacha20 } from './cipher/chacha20';
import { hsalsa20 } from './cipher/salsa20';
import { POLY1305_CTX, poly1305Finish, poly1305Init, poly1305Update } from './mac/poly1305';
import { AES_KEY_STATE, aesSetKey } from './cipher/aes';
import { AES_CTR_CTX, aesCtrInit, aesCtrXor } from './cipher/aes_ctr';
import { aesIgeDecrypt, aesIgeEncrypt } from './cipher/aes_ige';
import { mtprotoOpen, mtprotoSeal } from './mtproto/message';
import {
  GCM_CTX, GCM_KEY_STATE, gcmAad, gcmAbsorb, gcmDecrypt, gcmEncrypt, gcmFinish, gcmInit, gcmOpen, gcmSeal,
  gcmSetKey, gcmVerify,
} from './aead/gcm';
import { boxBeforenm, x25519, x25519Base } from './curve/x25519';
import { ED25519_VERIFIER, ed25519VerifierAbsorb, ed25519VerifierFinish, ed25519VerifierPrepare, ed25519VerifierStart } from './curve/ed25519_verifier';
import {
  ED25519_SIGNING_KEY, ed25519BatchScratch, ed25519Absorb, ed25519Expand, ed25519PublicKey, ed25519PublicToX25519,
  ed25519SecretToX25519, ed25519SignCommit, ed25519SignFinish, ed25519SignStart, ed25519VerifyBatch, ed25519VerifyFinish,
  ed25519VerifyStart, ed25519Wipe,
} from './curve/ed25519';
import { wipe } from './runtime/bytes';
import { FE, feToBytes } from './curve/fe25519';
import { P3 } from './curve/ge25519';
import { decodeX4, decodeX4WipeScratch } from './curve/ge25519_decode_x4';

/** First byte after the module's static data; the bindings manage memory from here up. */
export function heap_base(): usize {
  return __heap_base;
}

// ---- hashes: init / update / final on a caller context, and a one-shot digest; final and digest
// leave the context zeroed -------------------------------------------------------------------------

export const SHA1_CTX_LEN = <i32>mdCtxLen<Sha1>();
export const SHA256_CTX_LEN = <i32>mdCtxLen<Sha256>();
export const SHA512_CTX_LEN = <i32>mdCtxLen<Sha512>();

export function sha1_init(ctx: usize): void { mdInit<Sha1>(ctx); }
export function sha1_update(ctx: usize, data: usize, len: usize): void { mdUpdate<Sha1>(ctx, data, len); }
export function sha1_final(ctx: usize, out: usize): void { mdFinal<Sha1>(ctx, out); mdWipe<Sha1>(ctx); }
export function sha1_digest(ctx: usize, data: usize, len: usize, out: usize): void { mdDigest<Sha1>(ctx, data, len, out); }

export function sha256_init(ctx: usize): void { mdInit<Sha256>(ctx); }
export function sha256_update(ctx: usize, data: usize, len: usize): void { mdUpdate<Sha256>(ctx, data, len); }
export function sha256_final(ctx: usize, out: usize): void { mdFinal<Sha256>(ctx, out); mdWipe<Sha256>(ctx); }
export function sha256_digest(ctx: usize, data: usize, len: usize, out: usize): void { mdDigest<Sha256>(ctx, data, len, out); }
/** `count` digests in one call (MLS tree hashes of a tree level): inputs back to back at `data`, their u32 lengths at `lens`, digests to `out`. */
export function sha256_many(ctx: usize, data: usize, lens: usize, count: u32, out: usize): void {
  let p = data;
  for (let i: u32 = 0; i < count; i++) {
    const n = <usize>load<u32>(lens + (<usize>i << 2));
    mdDigest<Sha256>(ctx, p, n, out + (<usize>i << 5));
    p += n;
  }
}

export function sha512_init(ctx: usize): void { mdInit<Sha512>(ctx); }
export function sha512_update(ctx: usize, data: usize, len: usize): void { mdUpdate<Sha512>(ctx, data, len); }
export function sha512_final(ctx: usize, out: usize): void { mdFinal<Sha512>(ctx, out); mdWipe<Sha512>(ctx); }
export function sha512_digest(ctx: usize, data: usize, len: usize, out: usize): void { mdDigest<Sha512>(ctx, data, len, out); }
/** Zeroes the SHA-512 schedule of the last block hashed (after hashing a secret); SHA-1 and SHA-256 keep theirs in locals. */
export function hash_wipe_scratch(): void { sha512WipeScratch(); }

// SHA3-256 (FIPS 202), same contract as the hashes above; Keccak keeps no scratch in memory.
export const SHA3_256_CTX_LEN = <i32>SHA3_CTX;
export function sha3_256_init(ctx: usize): void { sha3Init(ctx); }
export function sha3_256_update(ctx: usize, data: usize, len: usize): void { sha3Update(ctx, data, len); }
export function sha3_256_final(ctx: usize, out: usize): void { sha3Final(ctx, out); sha3Wipe(ctx); }
export function sha3_256_digest(ctx: usize, data: usize, len: usize, out: usize): void { sha3Digest(ctx, data, len, out); }

// ---- HMAC: init(key) once, then update / final any number of times; wipe forgets the key -------

export const HMAC_SHA1_CTX_LEN = <i32>hmacCtxLen<Sha1>();
export const HMAC_SHA256_CTX_LEN = <i32>hmacCtxLen<Sha256>();
export const HMAC_SHA512_CTX_LEN = <i32>hmacCtxLen<Sha512>();

export function hmac_sha1_init(ctx: usize, key: usize, keyLen: usize): void { hmacInit<Sha1>(ctx, key, keyLen); }
export function hmac_sha1_update(ctx: usize, data: usize, len: usize): void { hmacUpdateWiped<Sha1>(ctx, data, len); }
export function hmac_sha1_final(ctx: usize, out: usize): void { hmacFinal<Sha1>(ctx, out); }
export function hmac_sha1_wipe(ctx: usize): void { hmacWipe<Sha1>(ctx); }

export function hmac_sha256_init(ctx: usize, key: usize, keyLen: usize): void { hmacInit<Sha256>(ctx, key, keyLen); }
export function hmac_sha256_update(ctx: usize, data: usize, len: usize): void { hmacUpdateWiped<Sha256>(ctx, data, len); }
export function hmac_sha256_final(ctx: usize, out: usize): void { hmacFinal<Sha256>(ctx, out); }
export function hmac_sha256_wipe(ctx: usize): void { hmacWipe<Sha256>(ctx); }

export function hmac_sha512_init(ctx: usize, key: usize, keyLen: usize): void { hmacInit<Sha512>(ctx, key, keyLen); }
export function hmac_sha512_update(ctx: usize, data: usize, len: usize): void { hmacUpdateWiped<Sha512>(ctx, data, len); }
export function hmac_sha512_final(ctx: usize, out: usize): void { hmacFinal<Sha512>(ctx, out); }
export function hmac_sha512_wipe(ctx: usize): void { hmacWipe<Sha512>(ctx); }

// HMAC-SHA3-256: block size 136 (hash/sha3.ts carries its own HMAC: a sponge does not fit mac/hmac.ts)
export const HMAC_SHA3_256_CTX_LEN = <i32>HMAC_SHA3_CTX;
export function hmac_sha3_256_init(ctx: usize, key: usize, keyLen: usize): void { hmacSha3Init(ctx, key, keyLen); }
export function hmac_sha3_256_update(ctx: usize, data: usize, len: usize): void { hmacSha3Update(ctx, data, len); }
export function hmac_sha3_256_final(ctx: usize, out: usize): void { hmacSha3Final(ctx, out); }
export function hmac_sha3_256_wipe(ctx: usize): void { hmacSha3Wipe(ctx); }

// ---- HKDF-Expand (RFC 5869 §2.3; Extract is plain HMAC); precondition: len <= 255 * HashLen ---

export function hkdf_sha256_expand(prk: usize, prkLen: usize, info: usize, infoLen: usize, out: usize, len: usize): void {
  hkdfExpand<Sha256>(prk, prkLen, info, infoLen, out, len);
}
export function hkdf_sha512_expand(prk: usize, prkLen: usize, info: usize, infoLen: usize, out: usize, len: usize): void {
  hkdfExpand<Sha512>(prk, prkLen, info, infoLen, out, len);
}
export function hkdf_sha3_256_expand(prk: usize, prkLen: usize, info: usize, infoLen: usize, out: usize, len: usize): void {
  hkdfSha3Expand(prk, prkLen, info, infoLen, out, len);
}

// ---- chain ratchet: 1 chain, or 4 chains in lockstep on the SIMD build -------------------------

export { ratchetSha256 as ratchet_sha256, ratchetWorkLen as ratchet_work_len } from './kdf/ratchet';
/** 4 in the SIMD build (multi-buffer SHA-256), 1 in the scalar build. */
export const RATCHET_MAX_LANES: i32 = ASC_FEATURE_SIMD ? 4 : 1;

// ---- TreeKEM path derivation (RFC 9420 §7.4): path secrets, node key pairs and the next secret ----
// kem: 0 = X25519 (public keys 32 bytes) or 1 = P-256 (65 bytes, uncompressed); start 32
// bytes; outputs length × 32 (path secrets), length × 32 (secret keys), length × pkLen, and 32
// (next). 1, or 0 if a P-256 DeriveKeyPair found no candidate (outputs then unspecified).

export { treekemPath as treekem_path } from './kdf/treekem_path';

// ---- MLS secret-tree ratchet (RFC 9420 §9.1): count generations from `first` --------------------
// start 32 bytes; writes count × keyLen keys, count × nonceLen nonces and the 32-byte next secret.

export { mlsRatchet as mls_ratchet } from './kdf/mls_ratchet';

// ---- HPKE (RFC 9180) Base-mode Seal to many recipients, HKDF-SHA256 (MLS UpdatePath / Welcome) ----
// kem: 0x0020 X25519 or 0x0010 P-256; aead: 1 AES-128-GCM, 2 AES-256-GCM, 3 ChaCha20-Poly1305.
// table: HPKE_SEAL_ROW-byte rows [pkR, ikm (32 B, zeroed), enc out, buf (pt → ct ‖ tag), ptLen].
// 0, or i + 1 for the first refused recipient key, or 0xffffffff (P-256 DeriveKeyPairError).

export { hpkeSealBase as hpke_seal_base } from './hpke/seal_many';

// ---- MLS PrivateMessage (RFC 9420 §6.3): one-shot AEAD and sender data ---------------------------
// aead: 1 AES-128-GCM, 2 AES-256-GCM, 3 ChaCha20-Poly1305; 12-byte nonce; buf holds len + 16 bytes.
// Sender data: 32-byte sender_data_secret, sample ≤ 32 bytes. Opens return 1, or 0 with buf unchanged.

export {
  aeadOnceSeal as mls_aead_seal, aeadOnceOpen as mls_aead_open, senderDataSeal as mls_sender_data_seal,
  senderDataOpen as mls_sender_data_open,
} from './mls/private_message';

// ---- ChaCha20-Poly1305 / XChaCha20-Poly1305 (RFC 8439, draft-irtf-cfrg-xchacha) ------------------
// Streaming: init → aad* → encrypt* → finish, or init → aad* → absorb* → verify → decrypt*.
// Chunks of encrypt/decrypt are multiples of 64 bytes except the last. `xchacha` is 0 or 1.

export const CHACHA_AEAD_CTX_LEN = <i32>CHACHA_AEAD_CTX;
export function chacha_aead_init(ctx: usize, key: usize, nonce: usize, xchacha: u32): void { chachaAeadInit(ctx, key, nonce, xchacha != 0); }
export function chacha_aead_aad(ctx: usize, aad: usize, len: usize): void { chachaAeadAad(ctx, aad, len); }
export function chacha_aead_encrypt(ctx: usize, buf: usize, len: usize): void { chachaAeadEncrypt(ctx, buf, len); }
export function chacha_aead_absorb(ctx: usize, ct: usize, len: usize): void { chachaAeadAbsorb(ctx, ct, len); }
export function chacha_aead_decrypt(ctx: usize, buf: usize, len: usize): void { chachaAeadDecrypt(ctx, buf, len); }
export function chacha_aead_finish(ctx: usize, tag: usize): void { chachaAeadFinish(ctx, tag); }
export function chacha_aead_verify(ctx: usize, tag: usize): u32 { return chachaAeadVerify(ctx, tag); }
export function chacha_aead_wipe(ctx: usize): void { wipe(ctx, CHACHA_AEAD_CTX); }
/** `buf` = plaintext (len) then 16 bytes for the tag; encrypted in place. */
export function chacha_aead_seal(ctx: usize, key: usize, nonce: usize, xchacha: u32, aad: usize, aadLen: usize, buf: usize, len: usize): void {
  chachaAeadSeal(ctx, key, nonce, xchacha != 0, aad, aadLen, buf, len);
}
/** `buf` = ciphertext (len) then tag; 1 with the plaintext in place, or 0 with `buf` unchanged. */
export function chacha_aead_open(ctx: usize, key: usize, nonce: usize, xchacha: u32, aad: usize, aadLen: usize, buf: usize, len: usize): u32 {
  return chachaAeadOpen(ctx, key, nonce, xchacha != 0, aad, aadLen, buf, len);
}

// ---- XSalsa20-Poly1305 secretbox (NaCl; output = tag | ciphertext) -------------------------------
// Streaming as above; the first encrypt/decrypt chunk is 32 bytes short of a multiple of 64.

export const SECRETBOX_CTX_LEN = <i32>SECRETBOX_CTX;
export function secretbox_init(ctx: usize, key: usize, nonce: usize): void { secretboxInit(ctx, key, nonce); }
export function secretbox_encrypt(ctx: usize, buf: usize, len: usize): void { secretboxEncrypt(ctx, buf, len); }
export function secretbox_absorb(ctx: usize, ct: usize, len: usize): void { secretboxAbsorb(ctx, ct, len); }
export function secretbox_decrypt(ctx: usize, buf: usize, len: usize): void { secretboxDecrypt(ctx, buf, len); }
export function secretbox_finish(ctx: usize, tag: usize): void { secretboxFinish(ctx, tag); }
export function secretbox_verify(ctx: usize, tag: usize): u32 { return secretboxVerify(ctx, tag); }
export function secretbox_wipe(ctx: usize): void { wipe(ctx, SECRETBOX_CTX); }
/** `box` = 16 bytes for the tag, then the message (len), encrypted in place. */
export function secretbox_seal(ctx: usize, key: usize, nonce: usize, box: usize, len: usize): void { secretboxSeal(ctx, key, nonce, box, len); }
export function secretbox_open(ctx: usize, key: usize, nonce: usize, box: usize, len: usize): u32 { return secretboxOpen(ctx, key, nonce, box, len); }

// ---- raw primitives, for known-answer tests of the building blocks (RFC 8439 appendix A, the
// XChaCha and XSalsa subkey derivations) --------------------------------------------------------

/**
 * XORs the ChaCha20 keystream (key 32 B, nonce 12 B, starting block counter) into buf in place and
 * returns 1; returns 0 and leaves buf as it was when the 32-bit block counter would wrap (RFC 8439
 * §2.3: the counter must not wrap; the AEAD bindings cap their messages so that it cannot).
 */
export function chacha20_xor(key: usize, counter: u32, nonce: usize, buf: usize, len: usize): u32 {
  if (<u64>counter + ((<u64>len + 63) >> 6) > 0x1_0000_0000) return 0;
  chachaInit(RAW_STATE, key, counter, nonce);
  chachaXor(RAW_STATE, buf, buf, len);
  wipe(RAW_STATE, 64);
  return 1;
}
export function poly1305_mac(key: usize, msg: usize, len: usize, tag: usize): void {
  poly1305Init(RAW_POLY, key);
  poly1305Update(RAW_POLY, msg, len);
  poly1305Finish(RAW_POLY, tag); // wipes RAW_POLY
}
export function hchacha20_subkey(key: usize, nonce16: usize, out: usize): void {
  hchacha20(key, nonce16, out, RAW_STATE);
  wipe(RAW_STATE, 64);
}
export function hsalsa20_subkey(key: usize, input16: usize, out: usize): void {
  hsalsa20(key, input16, out, RAW_STATE);
  wipe(RAW_STATE, 64);
}
const RAW_STATE: usize = memory.data(64, 16);
const RAW_POLY: usize = memory.data(<i32>POLY1305_CTX, 16);

// ---- AES (vector-permute core on the SIMD build, bitsliced on the scalar build) -------------------

export const AES_KEY_STATE_LEN = <i32>AES_KEY_STATE;
export function aes_set_key(ks: usize, key: usize, keyLen: usize): void { aesSetKey(ks, key, keyLen); }

/** CTR with a 128-bit big-endian counter, streaming with any chunk lengths. */
export const AES_CTR_CTX_LEN = <i32>AES_CTR_CTX;
export function aes_ctr_init(ctx: usize, iv: usize): void { aesCtrInit(ctx, iv); }
export function aes_ctr_xor(ctx: usize, ks: usize, src: usize, dst: usize, len: usize): void { aesCtrXor(ctx, ks, src, dst, len); }

/** IGE (iv = y0 | x0, updated in place); len is a multiple of 16. */
export function aes_ige_encrypt(ks: usize, iv: usize, src: usize, dst: usize, len: usize): void { aesIgeEncrypt(ks, iv, src, dst, len); }
export function aes_ige_decrypt(ks: usize, iv: usize, src: usize, dst: usize, len: usize): void { aesIgeDecrypt(ks, iv, src, dst, len); }

/** MTProto 2.0 message crypto in place (msg_key, KDF, AES-256-IGE; assembly/mtproto/message.ts): auth key 256 bytes, x 0 or 8, len a positive multiple of 16, large 32 bytes out. */
export function mtproto_seal(authKey: usize, x: usize, buf: usize, len: usize, large: usize): void { mtprotoSeal(authKey, x, buf, len, large); }
export function mtproto_open(authKey: usize, x: usize, msgKey: usize, buf: usize, len: usize, large: usize): void { mtprotoOpen(authKey, x, msgKey, buf, len, large); }

// ---- Ed25519 verification under a prepared key (assembly/curve/ed25519_verifier.ts) ----------------

export const ED25519_VERIFIER_LEN = <i32>ED25519_VERIFIER;
/** Prepares a 32-byte public key into `prep` (ED25519_VERIFIER_LEN bytes): 0 usable, 1 not a point, 2 small order. */
export function ed25519_verifier_prepare(prep: usize, pk: usize): u32 { return ed25519VerifierPrepare(prep, pk); }
/** 0: invalid whatever the message; 1: absorb the message, then ed25519_verifier_finish. */
export function ed25519_verifier_start(prep: usize, sig: usize): u32 { return ed25519VerifierStart(prep, sig); }
export function ed25519_verifier_absorb(msg: usize, len: usize): void { ed25519VerifierAbsorb(msg, len); }
export function ed25519_verifier_finish(prep: usize, sig: usize): u32 { return ed25519VerifierFinish(prep, sig); }

// ---- AES-GCM (SP 800-38D); streaming as for ChaCha20-Poly1305 ------------------------------------

export const GCM_KEY_STATE_LEN = <i32>GCM_KEY_STATE;
export const GCM_CTX_LEN = <i32>GCM_CTX;
/** `scratch`: 16 bytes, left zeroed. */
export function gcm_set_key(ks: usize, key: usize, keyLen: usize, scratch: usize): void { gcmSetKey(ks, key, keyLen, scratch); }
export function gcm_init(ctx: usize, ks: usize, nonce: usize, nonceLen: usize): void { gcmInit(ctx, ks, nonce, nonceLen); }
export function gcm_aad(ctx: usize, ks: usize, aad: usize, len: usize): void { gcmAad(ctx, ks, aad, len); }
export function gcm_encrypt(ctx: usize, ks: usize, buf: usize, len: usize): void { gcmEncrypt(ctx, ks, buf, len); }
export function gcm_absorb(ctx: usize, ks: usize, ct: usize, len: usize): void { gcmAbsorb(ctx, ks, ct, len); }
export function gcm_decrypt(ctx: usize, ks: usize, buf: usize, len: usize): void { gcmDecrypt(ctx, ks, buf, len); }
export function gcm_finish(ctx: usize, ks: usize, tag: usize): void { gcmFinish(ctx, ks, tag); }
export function gcm_verify(ctx: usize, ks: usize, tag: usize): u32 { return gcmVerify(ctx, ks, tag); }
export function gcm_wipe(ctx: usize): void { wipe(ctx, GCM_CTX); }
export function gcm_seal(ctx: usize, ks: usize, nonce: usize, nonceLen: usize, aad: usize, aadLen: usize, buf: usize, len: usize): void {
  gcmSeal(ctx, ks, nonce, nonceLen, aad, aadLen, buf, len);
}
export function gcm_open(ctx: usize, ks: usize, nonce: usize, nonceLen: usize, aad: usize, aadLen: usize, buf: usize, len: usize): u32 {
  return gcmOpen(ctx, ks, nonce, nonceLen, aad, aadLen, buf, len);
}

// ---- Curve25519: X25519 (RFC 7748), Ed25519 (RFC 8032), NaCl box ---------------------------------

export function x25519_scalarmult(out: usize, scalar: usize, point: usize): void { x25519(out, scalar, point); }
export function x25519_base(out: usize, scalar: usize): void { x25519Base(out, scalar); }
/** 1 and the key, or 0 when the X25519 output is all zero. */
export function box_beforenm(key: usize, secret: usize, peer: usize): u32 { return boxBeforenm(key, secret, peer); }
export function ed25519_public_key(out: usize, seed: usize): void { ed25519PublicKey(out, seed); }
// Signing streams the message twice: sign_start(key) → absorb* → sign_commit(key, sig) → absorb* →
// sign_finish(key, sig); `key` is the 96-byte expansion of the seed (ed25519_expand). ed25519_wipe
// clears the scratch of a signature abandoned half-way. Verifying streams it once:
// verify_start(pk, sig) (0: invalid, stop) → absorb* → verify_finish(sig).
export const ED25519_SIGNING_KEY_LEN = <i32>ED25519_SIGNING_KEY;
export function ed25519_expand(key: usize, seed: usize): void { ed25519Expand(key, seed); }
export function ed25519_sign_start(key: usize): void { ed25519SignStart(key); }
export function ed25519_absorb(msg: usize, len: usize): void { ed25519Absorb(msg, len); }
export function ed25519_sign_commit(key: usize, sig: usize): void { ed25519SignCommit(key, sig); }
export function ed25519_sign_finish(key: usize, sig: usize): void { ed25519SignFinish(key, sig); }
export function ed25519_wipe(): void { ed25519Wipe(); }
export function ed25519_verify_start(pk: usize, sig: usize): u32 { return ed25519VerifyStart(pk, sig); }
export function ed25519_verify_finish(sig: usize): u32 { return ed25519VerifyFinish(sig); }
export function ed25519_batch_scratch(count: usize): usize { return ed25519BatchScratch(count); }
export function ed25519_verify_batch(table: usize, count: usize, randoms: usize, scratch: usize, results: usize): void {
  ed25519VerifyBatch(table, count, randoms, scratch, results);
}
export function ed25519_secret_to_x25519(out: usize, seed: usize): void { ed25519SecretToX25519(out, seed); }
/**
 * Test access to batch verification's four-lane point decoding: the encodings at s, s + 32, s + 64,
 * s + 96 → affine x ‖ y (canonical, 64 bytes each) at out; returns the mask of those that decoded.
 */
export function ed25519_decode_x4(out: usize, s: usize): u32 {
  const mask = decodeX4(DECODED, s, s + 32, s + 64, s + 96);
  for (let j: usize = 0; j < 4; j++) {
    feToBytes(out + 64 * j, DECODED + j * P3);
    feToBytes(out + 64 * j + 32, DECODED + j * P3 + FE);
  }
  wipe(DECODED, 4 * P3);
  decodeX4WipeScratch();
  return mask;
}
const DECODED: usize = memory.data(4 * <i32>P3, 16);

/** 0: done; 1: the key does not decode; 2: it has small order. */
export function ed25519_public_to_x25519(out: usize, pk: usize): u32 { return ed25519PublicToX25519(out, pk); }
/**
 * Where B's tables live (BASE, then ODD, then ODD_HI: 384 points of 120 bytes), built if they were
 * not yet: the first call that reads them builds them (for the tests, which check them).
 */
export { ed25519Tables as ed25519_tables } from './curve/ed25519_base_tables';

// ---- P-256 (SEC 1, FIPS 186-5 ECDSA-SHA256 with RFC 6979 nonces): constant time except verify ----
// Secret keys: 32 bytes big-endian in [1, n - 1]; points: SEC1, 33 or 65 bytes; digests 32 bytes.
// Every call zeroes all P-256 scratch before returning.
//   p256_public_key(out65, sk) → 1, or 0 if sk is not in [1, n - 1] (nothing written)
//   p256_ecdh(out32, sk, peer, peerLen) → 0 done, 1 peer not a point on the curve, 2 invalid sk
//   p256_decode_point(out65, point, len) → 1 and the uncompressed form, or 0 if not a point
//   p256_sign(sig64, sk, digest) → 1 and r ‖ s (low S), or 0 if invalid sk
//   p256_verify(pk, pkLen, digest, sig64) → 1 if valid (either S), else 0
//   p256_tables() → where the base-point tables live (the comb, then the odd multiples), built if
//     they were not yet: the first call that needs them builds them (for the tests, which check them)
export { p256Tables as p256_tables } from './curve/p256/base_tables';
export {
  p256PublicKey as p256_public_key, p256Ecdh as p256_ecdh, p256DecodePoint as p256_decode_point, p256Sign as p256_sign,
  p256Verify as p256_verify,
} from './curve/p256/p256';

// ---- the modular inversions (curve/divsteps.ts), for the tests that check them --------------------
//   invert_for_tests(out32, x32, modulus) → x^-1 (0 for 0) mod P-256's p (0) or n (1), big-endian,
//     or mod 2^255 - 19 (2), little-endian; x below the modulus
export { invertForTests as invert_for_tests } from './curve/invert_for_tests';
