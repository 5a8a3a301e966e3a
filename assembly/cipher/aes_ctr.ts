// AES-CTR with a 128-bit big-endian counter (NIST SP 800-38A §6.5, OpenSSL's aes-*-ctr), as a
// stream: any chunk lengths, keystream left over from one call used by the next (MTProto's
// obfuscated2 transport encrypts every frame with one running stream). The counter wraps modulo
// 2^128 like OpenSSL's; it is not secret (it starts from the public IV).
//
// Context (AES_CTR_CTX bytes): [0,16) next counter block | [16,80) keystream | [80,84) bytes of it
// used | [96,160) counter blocks scratch.

import { aesEncrypt4 } from './aes';
import { loadBe64, storeBe64, wipe, xorBytes } from '../runtime/bytes';

export const AES_CTR_CTX: usize = 160;
const KEYSTREAM: usize = 16, USED: usize = 80, BLOCKS: usize = 96;

export function aesCtrInit(ctx: usize, iv: usize): void {
  store<u64>(ctx, load<u64>(iv));
  store<u64>(ctx, load<u64>(iv, 8), 8);
  store<u32>(ctx + USED, 64);
}

/** Next four keystream blocks into ctx's keystream; advances the counter by 4. */
function refill(ctx: usize, ks: usize): void {
  let hi = loadBe64(ctx), lo = loadBe64(ctx + 8);
  for (let k: usize = 0; k < 64; k += 16) {
    storeBe64(ctx + BLOCKS + k, hi);
    storeBe64(ctx + BLOCKS + k + 8, lo);
    lo += 1;
    hi += <u64>(lo == 0);
  }
  storeBe64(ctx, hi);
  storeBe64(ctx + 8, lo);
  aesEncrypt4(ks, ctx + BLOCKS, ctx + KEYSTREAM);
  store<u32>(ctx + USED, 0);
}

/** dst = src ^ keystream for `len` bytes (src and dst may be equal). */
export function aesCtrXor(ctx: usize, ks: usize, src: usize, dst: usize, len: usize): void {
  let used = <usize>load<u32>(ctx + USED);
  while (len != 0) {
    if (used == 64) {
      refill(ctx, ks);
      used = 0;
    }
    const n = min<usize>(64 - used, len);
    xorBytes(dst, src, ctx + KEYSTREAM + used, n);
    src += n; dst += n; len -= n; used += n;
  }
  store<u32>(ctx + USED, <u32>used);
  wipe(ctx + BLOCKS, 64);
}
