// Merkle–Damgård streaming (buffering, padding, length encoding; FIPS 180-4 §5.1) shared by SHA-1,
// SHA-256 and SHA-512. Branches depend only on lengths, which are public.
//
// Context layout (MD_CTX_LEN = 128 + blockLen bytes, 8-byte aligned):
//   [0, 64)    chaining state, native-order words
//   [64, 72)   total bytes absorbed (u64; messages are limited to 2^61 bytes by the bindings)
//   [72, 76)   bytes waiting in the block buffer
//   [128, …)   block buffer

import { hashOf } from './descriptors';
import { copy, storeBe64, wipe } from '../runtime/bytes';

const TOTAL: usize = 64;
const FILL: usize = 72;
const BUF: usize = 128;

@inline export function mdCtxLen<H>(): usize {
  return BUF + hashOf<H>().blockLen;
}

export function mdInit<H>(ctx: usize): void {
  hashOf<H>().initState(ctx);
  store<u64>(ctx + TOTAL, 0);
  store<u32>(ctx + FILL, 0);
}

/** Starts a context from a precomputed chaining state that has absorbed `absorbed` bytes (HMAC pads). */
export function mdResume<H>(ctx: usize, state: usize, absorbed: u64): void {
  copy(ctx, state, hashOf<H>().digestLen);
  store<u64>(ctx + TOTAL, absorbed);
  store<u32>(ctx + FILL, 0);
}

export function mdUpdate<H>(ctx: usize, data: usize, len: usize): void {
  const h = hashOf<H>();
  const block = h.blockLen;
  store<u64>(ctx + TOTAL, load<u64>(ctx + TOTAL) + <u64>len);
  let fill = <usize>load<u32>(ctx + FILL);
  if (fill != 0) {
    const take = min(block - fill, len);
    copy(ctx + BUF + fill, data, take);
    fill += take;
    data += take;
    len -= take;
    if (fill < block) {
      store<u32>(ctx + FILL, <u32>fill);
      return;
    }
    h.compress(ctx, ctx + BUF, 1);
  }
  const full = len / block;
  if (full != 0) h.compress(ctx, data, full);
  const rest = len - full * block;
  copy(ctx + BUF, data + full * block, rest);
  store<u32>(ctx + FILL, <u32>rest);
}

/**
 * Pads and writes the digest to `out`. The context still holds the chaining state and the last
 * block: callers wipe it when done (mdWipe), which lets HMAC and the ratchet wipe once per call
 * instead of once per block.
 */
export function mdFinal<H>(ctx: usize, out: usize): void {
  const h = hashOf<H>();
  const block = h.blockLen;
  const buf = ctx + BUF;
  const total = load<u64>(ctx + TOTAL);
  let fill = <usize>load<u32>(ctx + FILL);
  store<u8>(buf + fill, 0x80);
  fill++;
  if (fill > block - h.lengthLen) {
    wipe(buf + fill, block - fill);
    h.compress(ctx, buf, 1);
    fill = 0;
  }
  wipe(buf + fill, block - 8 - fill);
  // The bit length: SHA-512's 128-bit field gets its high word from the top bits of `total`.
  if (h.lengthLen == 16) storeBe64(buf + block - 16, total >>> 61);
  storeBe64(buf + block - 8, total << 3);
  h.compress(ctx, buf, 1);
  h.writeDigest(ctx, out);
}

export function mdWipe<H>(ctx: usize): void {
  wipe(ctx, mdCtxLen<H>());
}

/** One-shot digest through the caller's context memory, which is left zeroed. */
export function mdDigest<H>(ctx: usize, data: usize, len: usize, out: usize): void {
  mdInit<H>(ctx);
  mdUpdate<H>(ctx, data, len);
  mdFinal<H>(ctx, out);
  mdWipe<H>(ctx);
}
