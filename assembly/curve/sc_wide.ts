// Unreduced sums of products for batch verification: Σ z_i S_i and Σ z_i h_i with 128-bit z_i, S_i
// below 2^256 and h_i the 512-bit SHA-512 digests (k_i = h_i mod L, so z_i k_i ≡ z_i h_i mod L).
// Accumulating exact integers in 32-bit limbs and reducing mod L once per sum replaces, per
// signature, a reduction of h_i and two multiply-then-reduce steps (sc25519.ts scReduce, scMulAdd:
// 21-bit limbs with about 150 products and long carry chains each) by 4 × 8 products of 32-bit
// limbs and 4 × 16 for the digest. Integers are little-endian arrays of u32 limbs in linear memory.
//
// Bounds: a product z_i · x has at most 128 + 512 bits; a batch has fewer than 2^32 signatures, so
// the sums of up to WIDE_S (16 limbs, 512 bits: 384 + 32 < 512) and WIDE_H (24 limbs, 768 bits: 640 +
// 32 < 768) never overflow. Variable time is not needed but not avoided either: the operands (z_i,
// signatures, digests of public data) are public in the sense of msm.ts.

import { scReduce } from './sc25519';

/** Limbs of the Σ z_i S_i accumulator and of the Σ z_i h_i accumulator. */
export const WIDE_S: usize = 16, WIDE_H: usize = 24;

const PIECE: usize = memory.data(64, 16);

/** acc (accLimbs u32) += z (4 u32 limbs) · x (xLimbs u32 limbs). */
export function wideMulAdd(acc: usize, accLimbs: usize, z: usize, x: usize, xLimbs: usize): void {
  for (let i: usize = 0; i < 4; i++) {
    const zi = <u64>load<u32>(z + (i << 2));
    let carry: u64 = 0;
    let j: usize = 0;
    for (; j < xLimbs; j++) {
      const p = acc + ((i + j) << 2);
      // (2^32 - 1)^2 + 2 (2^32 - 1) = 2^64 - 1: no overflow
      const t = <u64>load<u32>(p) + zi * <u64>load<u32>(x + (j << 2)) + carry;
      store<u32>(p, <u32>t);
      carry = t >> 32;
    }
    for (let k = i + j; k < accLimbs && carry != 0; k++) {
      const p = acc + (k << 2);
      const t = <u64>load<u32>(p) + carry;
      store<u32>(p, <u32>t);
      carry = t >> 32;
    }
  }
}

/**
 * out (32 bytes) = the integer at `w` (limbs u32 limbs, a multiple of 8) mod L, by Horner's rule on
 * 256-bit pieces from the top: r = (r · 2^256 + piece) mod L, each step one 512-bit scReduce.
 */
export function wideReduce(out: usize, w: usize, limbs: usize): void {
  memory.fill(PIECE + 32, 0, 32);
  for (let k = <isize>limbs - 8; k >= 0; k -= 8) {
    memory.copy(PIECE, w + (<usize>k << 2), 32);
    scReduce(PIECE + 32, PIECE);
  }
  memory.copy(out, PIECE + 32, 32);
  memory.fill(PIECE, 0, 64);
}
