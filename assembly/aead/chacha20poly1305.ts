// ChaCha20-Poly1305 (RFC 8439 §2.8) and XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03 §2.3):
//   otk = ChaCha20 block 0; ciphertext = plaintext ^ keystream from block 1;
//   tag = Poly1305(otk, aad | pad16 | ciphertext | pad16 | le64(len aad) | le64(len ciphertext)).
// XChaCha20 first derives subkey = HChaCha20(key, nonce[0..16]) and uses nonce' = 0^4 | nonce[16..24].
//
// Streaming over a caller context, so the bindings can feed messages larger than their I/O window:
// init → aad* → encrypt* → finish, or, to open, init → aad* → absorb* (MAC the ciphertext) →
// verify → decrypt* (only after a successful verify). Encrypt and decrypt chunks must be multiples
// of 64 bytes except the last. The one-shot seal/open below compose them.
//
// Context layout (CHACHA_AEAD_CTX bytes):
//   [0, 64)    ChaCha20 state          [64, 288)  Poly1305 context (POLY1305_CTX)
//   [288, 296) AAD length              [296, 304) ciphertext length
//   [304, 308) AAD padded yet?         [320, 384) scratch (subkey, nonce', tag)

import { chachaBlock, chachaInit, chachaKeystream4, chachaXor, hchacha20 } from '../cipher/chacha20';
import { POLY1305_CTX, poly1305Finish, poly1305Init, poly1305Pad16, poly1305Update } from '../mac/poly1305';
import { ctEqual, wipe, xorBytes } from '../runtime/bytes';

const POLY: usize = 64;
const AAD_LEN: usize = POLY + POLY1305_CTX; // 288
const CT_LEN: usize = AAD_LEN + 8;
const PADDED: usize = CT_LEN + 8;
const SCRATCH: usize = PADDED + 16; // 320, 64 bytes
export const CHACHA_AEAD_CTX: usize = SCRATCH + 64;
// Interleave encryption and MAC in slices that stay in L1.
const SLICE: usize = 4096;

/** `xchacha` selects a 24-byte nonce (XChaCha20); otherwise the nonce is 12 bytes. */
export function chachaAeadInit(ctx: usize, key: usize, nonce: usize, xchacha: bool): void {
  setupCipher(ctx, key, nonce, xchacha);
  const otk = ctx + SCRATCH;
  chachaBlock(ctx, otk);
  poly1305Init(ctx + POLY, otk);
  wipe(ctx + SCRATCH, 64);
  store<u32>(ctx, 1, 48);
  store<u64>(ctx + AAD_LEN, 0);
  store<u64>(ctx + CT_LEN, 0);
  store<u32>(ctx + PADDED, 0);
}

export function chachaAeadAad(ctx: usize, aad: usize, len: usize): void {
  poly1305Update(ctx + POLY, aad, len);
  store<u64>(ctx + AAD_LEN, load<u64>(ctx + AAD_LEN) + len);
}

@inline function startCiphertext(ctx: usize, len: usize): void {
  if (load<u32>(ctx + PADDED) == 0) {
    poly1305Pad16(ctx + POLY);
    store<u32>(ctx + PADDED, 1);
  }
  store<u64>(ctx + CT_LEN, load<u64>(ctx + CT_LEN) + len);
}

/** Encrypts `len` bytes in place and MACs the ciphertext. */
export function chachaAeadEncrypt(ctx: usize, buf: usize, len: usize): void {
  startCiphertext(ctx, len);
  for (let off: usize = 0; off < len; off += SLICE) {
    const n = min(SLICE, len - off);
    chachaXor(ctx, buf + off, buf + off, n);
    poly1305Update(ctx + POLY, buf + off, n);
  }
}

/** Opening, pass 1: MACs `len` bytes of ciphertext without decrypting them. */
export function chachaAeadAbsorb(ctx: usize, ct: usize, len: usize): void {
  startCiphertext(ctx, len);
  poly1305Update(ctx + POLY, ct, len);
}

/** Opening, pass 2 (after verify succeeded): decrypts `len` bytes in place. */
export function chachaAeadDecrypt(ctx: usize, buf: usize, len: usize): void {
  chachaXor(ctx, buf, buf, len);
}

/** Writes the 16-byte tag; the MAC state is wiped (the cipher state remains for decrypt). */
export function chachaAeadFinish(ctx: usize, tag: usize): void {
  startCiphertext(ctx, 0);
  poly1305Pad16(ctx + POLY);
  const lengths = ctx + SCRATCH;
  store<u64>(lengths, load<u64>(ctx + AAD_LEN));
  store<u64>(lengths + 8, load<u64>(ctx + CT_LEN));
  poly1305Update(ctx + POLY, lengths, 16);
  poly1305Finish(ctx + POLY, tag);
  wipe(lengths, 16);
}

/** 1 if `tag` matches, compared in constant time; 0 otherwise. */
export function chachaAeadVerify(ctx: usize, tag: usize): u32 {
  const expected = ctx + SCRATCH + 32;
  chachaAeadFinish(ctx, expected);
  const ok = ctEqual(expected, tag, 16);
  wipe(expected, 16);
  return ok;
}

/** Wipes the context once chachaAeadFinish (or Verify) has wiped the Poly1305 part (a 384-byte wipe costs a call into V8's memset). */
@inline function wipeFinished(ctx: usize): void {
  wipe(ctx, POLY);
  wipe(ctx + AAD_LEN, CHACHA_AEAD_CTX - AAD_LEN);
}

// Messages up to SHORT bytes take keystream blocks 0-3 from one 4-way call (SIMD build):
// block 0 keys Poly1305, blocks 1-3 cover the message. Up to 64 bytes, blocks 0 and 1 come from
// two scalar blocks instead: the 4-way call is bound by its quarter rounds' latency (2 cycles a
// SIMD operation here) and costs about two scalar blocks, so for two blocks it only adds its
// transposition (64-byte seal 14 % and seal + open 16 % faster, A/B in one process on the AMD EPYC of
// docs/engine.md).
const SHORT: usize = 192;
const KEYSTREAM: usize = memory.data(256, 16);

/** Sets up the cipher state for `nonce` (deriving the XChaCha20 subkey), counter 0. */
function setupCipher(ctx: usize, key: usize, nonce: usize, xchacha: bool): void {
  if (xchacha) {
    const subkey = ctx + SCRATCH, nonce12 = ctx + SCRATCH + 32;
    hchacha20(key, nonce, subkey, ctx);
    store<u32>(nonce12, 0);
    store<u64>(nonce12 + 4, load<u64>(nonce + 16));
    chachaInit(ctx, subkey, 0, nonce12);
    wipe(subkey, 32);
  } else {
    chachaInit(ctx, key, 0, nonce);
  }
}

/** Short-message start: Poly1305 keyed from block 0, blocks 1-3 (or only 1, for `len` ≤ 64) kept in KEYSTREAM. */
function initShort(ctx: usize, key: usize, nonce: usize, xchacha: bool, len: usize): void {
  setupCipher(ctx, key, nonce, xchacha);
  if (len <= 64) {
    chachaBlock(ctx, KEYSTREAM);
    store<u32>(ctx, 1, 48);
    chachaBlock(ctx, KEYSTREAM + 64);
  } else chachaKeystream4(ctx, KEYSTREAM);
  poly1305Init(ctx + POLY, KEYSTREAM);
  store<u64>(ctx + AAD_LEN, 0);
  store<u64>(ctx + CT_LEN, 0);
  store<u32>(ctx + PADDED, 0);
}

@inline function xorShort(buf: usize, len: usize): void {
  xorBytes(buf, buf, KEYSTREAM + 64, len);
}

/** One-shot seal: `buf` holds `len` bytes of plaintext, replaced by ciphertext followed by the tag. */
export function chachaAeadSeal(ctx: usize, key: usize, nonce: usize, xchacha: bool, aad: usize, aadLen: usize, buf: usize, len: usize): void {
  if (ASC_FEATURE_SIMD && len <= SHORT) {
    initShort(ctx, key, nonce, xchacha, len);
    chachaAeadAad(ctx, aad, aadLen);
    xorShort(buf, len);
    chachaAeadAbsorb(ctx, buf, len);
    wipe(KEYSTREAM, 256);
  } else {
    chachaAeadInit(ctx, key, nonce, xchacha);
    chachaAeadAad(ctx, aad, aadLen);
    chachaAeadEncrypt(ctx, buf, len);
  }
  chachaAeadFinish(ctx, buf + len);
  wipeFinished(ctx);
}

/**
 * One-shot open: `buf` holds `len` bytes of ciphertext followed by the tag. Returns 1 and leaves
 * the plaintext in `buf` if the tag verifies; otherwise returns 0 and `buf` is unchanged. The whole
 * ciphertext is MACed before any of it is decrypted, as in gcm.ts and secretbox.ts, so no
 * unauthenticated plaintext is ever written and a forged message costs one Poly1305 pass.
 * (Decrypting while MACing, and encrypting back when the tag failed, measured 2-4 % faster for
 * valid 16 KiB messages on AMD EPYC once ChaCha20 ran eight blocks at once, and 3.5x dearer for
 * forged ones.)
 */
export function chachaAeadOpen(ctx: usize, key: usize, nonce: usize, xchacha: bool, aad: usize, aadLen: usize, buf: usize, len: usize): u32 {
  const short = ASC_FEATURE_SIMD && len <= SHORT;
  if (short) initShort(ctx, key, nonce, xchacha, len);
  else chachaAeadInit(ctx, key, nonce, xchacha);
  chachaAeadAad(ctx, aad, aadLen);
  chachaAeadAbsorb(ctx, buf, len);
  const ok = chachaAeadVerify(ctx, buf + len);
  if (ok) {
    if (short) xorShort(buf, len);
    else chachaAeadDecrypt(ctx, buf, len);
  }
  wipe(KEYSTREAM, 256);
  wipeFinished(ctx);
  return ok;
}
