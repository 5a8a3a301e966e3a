// AES-GCM, NIST SP 800-38D: CTR encryption with a 32-bit counter (inc32) from J0 + 1, and
// tag = E(K, J0) ^ GHASH(H, A | pad | C | pad | [len(A)]64 | [len(C)]64). J0 = IV | 0^31 | 1 for
// 96-bit IVs, else GHASH(IV | pad | 0^64 | [len(IV)]64) (§7.1 step 2). Constant time throughout.
//
// Streaming like chacha20poly1305.ts: init → aad* → encrypt* → finish, or init → aad* → absorb* →
// verify → decrypt*. Encrypt/decrypt chunks are multiples of 64 bytes except the last.
//
// Key state (GCM_KEY_STATE): the AES key state, then the GHASH key.
// Context (GCM_CTX): [0,16) J0 | [16,32) counter block | [32,48) Y | [48,56) len(A) | [56,64) len(C)
//   | [64,80) partial GHASH block | [80,84) its fill | [84,88) AAD padded? | [96,160) keystream |
//   [160,224) counter blocks.

import { AES_KEY_STATE, aesEncrypt1, aesEncrypt4, aesSetKey } from '../cipher/aes';
import { GHASH_KEY, ghashBlocks, ghashKey } from '../mac/ghash';
import { ctEqual, loadBe32, storeBe32, storeBe64, wipe } from '../runtime/bytes';

export const GCM_KEY_STATE: usize = AES_KEY_STATE + GHASH_KEY;
export const GCM_CTX: usize = 256;
const J0: usize = 0, COUNTER: usize = 16, Y: usize = 32, AAD_LEN: usize = 48, CT_LEN: usize = 56;
const BUF: usize = 64, FILL: usize = 80, PADDED: usize = 84, KEYSTREAM: usize = 96, BLOCKS: usize = 160;
const SLICE: usize = 4096;

@inline function ghashKeyOf(ks: usize): usize { return ks + AES_KEY_STATE; }

export function gcmSetKey(ks: usize, key: usize, keyLen: usize, scratch: usize): void {
  aesSetKey(ks, key, keyLen);
  wipe(scratch, 16);
  aesEncrypt1(ks, scratch, scratch); // H = E(K, 0^128)
  ghashKey(ghashKeyOf(ks), scratch);
  wipe(scratch, 16);
}

/** GHASH over `len` bytes with buffering of a partial block. */
function absorb(ctx: usize, ks: usize, data: usize, len: usize): void {
  let fill = <usize>load<u32>(ctx + FILL);
  if (fill != 0) {
    const take = min<usize>(16 - fill, len);
    for (let i: usize = 0; i < take; i++) store<u8>(ctx + BUF + fill + i, load<u8>(data + i));
    fill += take; data += take; len -= take;
    if (fill < 16) {
      store<u32>(ctx + FILL, <u32>fill);
      return;
    }
    ghashBlocks(ghashKeyOf(ks), ctx + Y, ctx + BUF, 1);
  }
  const full = len >> 4;
  ghashBlocks(ghashKeyOf(ks), ctx + Y, data, full);
  data += full << 4;
  len &= 15;
  for (let i: usize = 0; i < len; i++) store<u8>(ctx + BUF + i, load<u8>(data + i));
  store<u32>(ctx + FILL, <u32>len);
}

/** Zero-pads a buffered partial block into GHASH. */
function pad(ctx: usize, ks: usize): void {
  const fill = <usize>load<u32>(ctx + FILL);
  if (fill == 0) return;
  wipe(ctx + BUF + fill, 16 - fill);
  ghashBlocks(ghashKeyOf(ks), ctx + Y, ctx + BUF, 1);
  store<u32>(ctx + FILL, 0);
}

export function gcmInit(ctx: usize, ks: usize, nonce: usize, nonceLen: usize): void {
  wipe(ctx, GCM_CTX);
  if (nonceLen == 12) {
    for (let i: usize = 0; i < 12; i++) store<u8>(ctx + J0 + i, load<u8>(nonce + i));
    storeBe32(ctx + J0 + 12, 1);
  } else {
    absorb(ctx, ks, nonce, nonceLen);
    pad(ctx, ks);
    const lengths = ctx + BLOCKS;
    store<u64>(lengths, 0);
    storeBe64(lengths + 8, <u64>nonceLen << 3);
    ghashBlocks(ghashKeyOf(ks), ctx + Y, lengths, 1);
    storeBe64(ctx + J0, load<u64>(ctx + Y));
    storeBe64(ctx + J0 + 8, load<u64>(ctx + Y, 8));
    wipe(ctx + Y, 16);
    wipe(lengths, 16);
  }
  for (let i: usize = 0; i < 16; i += 8) store<u64>(ctx + COUNTER + i, load<u64>(ctx + J0 + i));
  storeBe32(ctx + COUNTER + 12, loadBe32(ctx + J0 + 12) + 1);
}

export function gcmAad(ctx: usize, ks: usize, aad: usize, len: usize): void {
  absorb(ctx, ks, aad, len);
  store<u64>(ctx + AAD_LEN, load<u64>(ctx + AAD_LEN) + len);
}

@inline function startCiphertext(ctx: usize, ks: usize, len: usize): void {
  if (load<u32>(ctx + PADDED) == 0) {
    pad(ctx, ks);
    store<u32>(ctx + PADDED, 1);
  }
  store<u64>(ctx + CT_LEN, load<u64>(ctx + CT_LEN) + len);
}

/** XORs the inc32 keystream into `len` bytes in place, four blocks per AES call. */
function ctr32(ctx: usize, ks: usize, buf: usize, len: usize): void {
  const blocks = ctx + BLOCKS, keystream = ctx + KEYSTREAM;
  let counter = loadBe32(ctx + COUNTER + 12);
  for (let k: usize = 0; k < 64; k += 16) {
    store<u64>(blocks + k, load<u64>(ctx + COUNTER));
    store<u32>(blocks + k + 8, load<u32>(ctx + COUNTER + 8));
  }
  for (let off: usize = 0; off < len; off += 64) {
    for (let k: usize = 0; k < 4; k++) storeBe32(blocks + (k << 4) + 12, counter + <u32>k);
    counter += 4;
    aesEncrypt4(ks, blocks, keystream);
    const n = min<usize>(64, len - off);
    if (n == 64) {
      for (let i: usize = 0; i < 64; i += 8) store<u64>(buf + off + i, load<u64>(buf + off + i) ^ load<u64>(keystream + i));
    } else {
      for (let i: usize = 0; i < n; i++) store<u8>(buf + off + i, load<u8>(buf + off + i) ^ load<u8>(keystream + i));
    }
  }
  storeBe32(ctx + COUNTER + 12, counter);
  wipe(keystream, 64);
}

export function gcmEncrypt(ctx: usize, ks: usize, buf: usize, len: usize): void {
  startCiphertext(ctx, ks, len);
  for (let off: usize = 0; off < len; off += SLICE) {
    const n = min(SLICE, len - off);
    ctr32(ctx, ks, buf + off, n);
    absorb(ctx, ks, buf + off, n);
  }
}

export function gcmAbsorb(ctx: usize, ks: usize, ct: usize, len: usize): void {
  startCiphertext(ctx, ks, len);
  absorb(ctx, ks, ct, len);
}

export function gcmDecrypt(ctx: usize, ks: usize, buf: usize, len: usize): void {
  ctr32(ctx, ks, buf, len);
}

export function gcmFinish(ctx: usize, ks: usize, tag: usize): void {
  startCiphertext(ctx, ks, 0);
  pad(ctx, ks);
  const lengths = ctx + BLOCKS;
  storeBe64(lengths, load<u64>(ctx + AAD_LEN) << 3);
  storeBe64(lengths + 8, load<u64>(ctx + CT_LEN) << 3);
  ghashBlocks(ghashKeyOf(ks), ctx + Y, lengths, 1);
  aesEncrypt1(ks, ctx + J0, ctx + KEYSTREAM);
  storeBe64(tag, load<u64>(ctx + Y) ^ bswap<u64>(load<u64>(ctx + KEYSTREAM)));
  storeBe64(tag + 8, load<u64>(ctx + Y, 8) ^ bswap<u64>(load<u64>(ctx + KEYSTREAM, 8)));
  wipe(ctx + Y, 16);
  wipe(ctx + KEYSTREAM, 64);
}

export function gcmVerify(ctx: usize, ks: usize, tag: usize): u32 {
  const expected = ctx + BLOCKS + 16;
  gcmFinish(ctx, ks, expected);
  const ok = ctEqual(expected, tag, 16);
  wipe(expected, 16);
  return ok;
}

export function gcmSeal(ctx: usize, ks: usize, nonce: usize, nonceLen: usize, aad: usize, aadLen: usize, buf: usize, len: usize): void {
  gcmInit(ctx, ks, nonce, nonceLen);
  gcmAad(ctx, ks, aad, aadLen);
  gcmEncrypt(ctx, ks, buf, len);
  gcmFinish(ctx, ks, buf + len);
  wipe(ctx, GCM_CTX);
}

export function gcmOpen(ctx: usize, ks: usize, nonce: usize, nonceLen: usize, aad: usize, aadLen: usize, buf: usize, len: usize): u32 {
  gcmInit(ctx, ks, nonce, nonceLen);
  gcmAad(ctx, ks, aad, aadLen);
  gcmAbsorb(ctx, ks, buf, len);
  const ok = gcmVerify(ctx, ks, buf + len);
  if (ok) gcmDecrypt(ctx, ks, buf, len);
  wipe(ctx, GCM_CTX);
  return ok;
}
