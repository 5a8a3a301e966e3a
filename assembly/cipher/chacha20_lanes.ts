// ChaCha20's SIMD kernels (RFC 8439 §2.3): four or eight blocks at once, one block per i32x4 lane
// ("column" layout: v128 i holds state word i of four blocks), transposed back into block order at
// the end. ARX and data-independent shuffles only: constant time by construction. chacha20.ts
// chooses between the kernels; salsa20.ts shares the transposition.

import { rotlv } from '../runtime/simd';

// Rotations by 16 and 8 move whole bytes, so each is one byte shuffle: one instruction on the
// quarter round's dependency chain where pshuflw + pshufhw, or two shifts and an or, are two (every
// SIMD operation has a latency of 2 cycles on the AMD EPYC of docs/engine.md). In xor8 this took
// ChaCha20 from 0.76-0.89 to 0.65-0.72 ns per byte. The masks are v128 constants given to a strict
// i8x16.swizzle: V8 sees that every index is in [0, 15] and emits a lone vpshufb, keeping the mask in
// a register (an i8x16.shuffle's mask it rebuilds at every use). A mask loaded from memory costs the
// strict swizzle a saturating add per rotation; the constant made the SIMD build's keystream 3-5 %
// faster (A/B, Node 20 and 22), and the relaxed build's i8x16.relaxed_swizzle measured the same.
@inline function rotl16(x: v128): v128 { return i8x16.swizzle(x, i8x16(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13)); }
@inline function rotl8(x: v128): v128 { return i8x16.swizzle(x, i8x16(3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14)); }
@inline function rotl12(x: v128): v128 { return rotlv(x, 12); }
@inline function rotl7(x: v128): v128 { return rotlv(x, 7); }

/** Transposes words (a, b, c, d) of four lanes into four 16-byte rows, 64 bytes apart, XORed into src → dst. */
@inline export function xorTransposed(a: v128, b: v128, c: v128, d: v128, src: usize, dst: usize): void {
  const ab0 = i32x4.shuffle(a, b, 0, 4, 1, 5), ab1 = i32x4.shuffle(a, b, 2, 6, 3, 7);
  const cd0 = i32x4.shuffle(c, d, 0, 4, 1, 5), cd1 = i32x4.shuffle(c, d, 2, 6, 3, 7);
  v128.store(dst, v128.xor(v128.load(src), i64x2.shuffle(ab0, cd0, 0, 2)));
  v128.store(dst, v128.xor(v128.load(src, 64), i64x2.shuffle(ab0, cd0, 1, 3)), 64);
  v128.store(dst, v128.xor(v128.load(src, 128), i64x2.shuffle(ab1, cd1, 0, 2)), 128);
  v128.store(dst, v128.xor(v128.load(src, 192), i64x2.shuffle(ab1, cd1, 1, 3)), 192);
}

/** Word i of the state in every lane, the counter (word 12) plus `first` + lane. */
@inline function splatWord(state: usize, i: usize, first: i32): v128 {
  const w = v128.load32_splat(state + (i << 2));
  return i == 12 ? i32x4.add(w, i32x4(first, first + 1, first + 2, first + 3)) : w;
}

/**
 * The feed-forward (the input words reloaded rather than kept live through the rounds: x64 has
 * sixteen vector registers and the rounds need them) and the XOR of four blocks, whose counters
 * start at the state's counter + `first`, into 256 bytes src → dst.
 */
@inline function xorFed(
  x0: v128, x1: v128, x2: v128, x3: v128, x4: v128, x5: v128, x6: v128, x7: v128,
  x8: v128, x9: v128, x10: v128, x11: v128, x12: v128, x13: v128, x14: v128, x15: v128,
  state: usize, first: i32, src: usize, dst: usize,
): void {
  xorTransposed(i32x4.add(x0, splatWord(state, 0, first)), i32x4.add(x1, splatWord(state, 1, first)),
    i32x4.add(x2, splatWord(state, 2, first)), i32x4.add(x3, splatWord(state, 3, first)), src, dst);
  xorTransposed(i32x4.add(x4, splatWord(state, 4, first)), i32x4.add(x5, splatWord(state, 5, first)),
    i32x4.add(x6, splatWord(state, 6, first)), i32x4.add(x7, splatWord(state, 7, first)), src + 16, dst + 16);
  xorTransposed(i32x4.add(x8, splatWord(state, 8, first)), i32x4.add(x9, splatWord(state, 9, first)),
    i32x4.add(x10, splatWord(state, 10, first)), i32x4.add(x11, splatWord(state, 11, first)), src + 32, dst + 32);
  xorTransposed(i32x4.add(x12, splatWord(state, 12, first)), i32x4.add(x13, splatWord(state, 13, first)),
    i32x4.add(x14, splatWord(state, 14, first)), i32x4.add(x15, splatWord(state, 15, first)), src + 48, dst + 48);
}

/**
 * XORs four consecutive keystream blocks (counters c..c+3, c = the state's counter) into 256 bytes:
 * out = in ^ keystream. The caller advances the counter.
 */
export function xor4(state: usize, src: usize, dst: usize): void {
  let x0 = splatWord(state, 0, 0), x1 = splatWord(state, 1, 0), x2 = splatWord(state, 2, 0), x3 = splatWord(state, 3, 0);
  let x4 = splatWord(state, 4, 0), x5 = splatWord(state, 5, 0), x6 = splatWord(state, 6, 0), x7 = splatWord(state, 7, 0);
  let x8 = splatWord(state, 8, 0), x9 = splatWord(state, 9, 0), x10 = splatWord(state, 10, 0), x11 = splatWord(state, 11, 0);
  let x12 = splatWord(state, 12, 0), x13 = splatWord(state, 13, 0), x14 = splatWord(state, 14, 0), x15 = splatWord(state, 15, 0);
  for (let r = 0; r < 10; r++) {
    x0 = i32x4.add(x0, x4); x12 = rotl16(v128.xor(x12, x0)); x8 = i32x4.add(x8, x12); x4 = rotl12(v128.xor(x4, x8));
    x0 = i32x4.add(x0, x4); x12 = rotl8(v128.xor(x12, x0)); x8 = i32x4.add(x8, x12); x4 = rotl7(v128.xor(x4, x8));
    x1 = i32x4.add(x1, x5); x13 = rotl16(v128.xor(x13, x1)); x9 = i32x4.add(x9, x13); x5 = rotl12(v128.xor(x5, x9));
    x1 = i32x4.add(x1, x5); x13 = rotl8(v128.xor(x13, x1)); x9 = i32x4.add(x9, x13); x5 = rotl7(v128.xor(x5, x9));
    x2 = i32x4.add(x2, x6); x14 = rotl16(v128.xor(x14, x2)); x10 = i32x4.add(x10, x14); x6 = rotl12(v128.xor(x6, x10));
    x2 = i32x4.add(x2, x6); x14 = rotl8(v128.xor(x14, x2)); x10 = i32x4.add(x10, x14); x6 = rotl7(v128.xor(x6, x10));
    x3 = i32x4.add(x3, x7); x15 = rotl16(v128.xor(x15, x3)); x11 = i32x4.add(x11, x15); x7 = rotl12(v128.xor(x7, x11));
    x3 = i32x4.add(x3, x7); x15 = rotl8(v128.xor(x15, x3)); x11 = i32x4.add(x11, x15); x7 = rotl7(v128.xor(x7, x11));
    x0 = i32x4.add(x0, x5); x15 = rotl16(v128.xor(x15, x0)); x10 = i32x4.add(x10, x15); x5 = rotl12(v128.xor(x5, x10));
    x0 = i32x4.add(x0, x5); x15 = rotl8(v128.xor(x15, x0)); x10 = i32x4.add(x10, x15); x5 = rotl7(v128.xor(x5, x10));
    x1 = i32x4.add(x1, x6); x12 = rotl16(v128.xor(x12, x1)); x11 = i32x4.add(x11, x12); x6 = rotl12(v128.xor(x6, x11));
    x1 = i32x4.add(x1, x6); x12 = rotl8(v128.xor(x12, x1)); x11 = i32x4.add(x11, x12); x6 = rotl7(v128.xor(x6, x11));
    x2 = i32x4.add(x2, x7); x13 = rotl16(v128.xor(x13, x2)); x8 = i32x4.add(x8, x13); x7 = rotl12(v128.xor(x7, x8));
    x2 = i32x4.add(x2, x7); x13 = rotl8(v128.xor(x13, x2)); x8 = i32x4.add(x8, x13); x7 = rotl7(v128.xor(x7, x8));
    x3 = i32x4.add(x3, x4); x14 = rotl16(v128.xor(x14, x3)); x9 = i32x4.add(x9, x14); x4 = rotl12(v128.xor(x4, x9));
    x3 = i32x4.add(x3, x4); x14 = rotl8(v128.xor(x14, x3)); x9 = i32x4.add(x9, x14); x4 = rotl7(v128.xor(x4, x9));
  }
  xorFed(x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15, state, 0, src, dst);
}

/**
 * XORs eight keystream blocks (counters c..c+7) into 512 bytes: two groups of four blocks whose
 * rounds are interleaved statement by statement. A column or diagonal round of four blocks is four
 * independent quarter-round chains, each 14 operations deep at 2 cycles an operation on the AMD
 * EPYC of docs/engine.md, while the core could issue more than four operations a step; the second
 * group's chains fill those gaps (ChaCha20 alone 1.17x xor4's speed there), although the 32 state
 * vectors do not fit in x64's sixteen registers and V8 spills some every round.
 */
export function xor8(state: usize, src: usize, dst: usize): void {
  let x0 = splatWord(state, 0, 0), x1 = splatWord(state, 1, 0), x2 = splatWord(state, 2, 0), x3 = splatWord(state, 3, 0);
  let x4 = splatWord(state, 4, 0), x5 = splatWord(state, 5, 0), x6 = splatWord(state, 6, 0), x7 = splatWord(state, 7, 0);
  let x8 = splatWord(state, 8, 0), x9 = splatWord(state, 9, 0), x10 = splatWord(state, 10, 0), x11 = splatWord(state, 11, 0);
  let x12 = splatWord(state, 12, 0), x13 = splatWord(state, 13, 0), x14 = splatWord(state, 14, 0), x15 = splatWord(state, 15, 0);
  let y0 = x0, y1 = x1, y2 = x2, y3 = x3, y4 = x4, y5 = x5, y6 = x6, y7 = x7, y8 = x8, y9 = x9, y10 = x10, y11 = x11;
  let y12 = splatWord(state, 12, 4), y13 = x13, y14 = x14, y15 = x15;
  for (let r = 0; r < 10; r++) {
    // columns
    x0 = i32x4.add(x0, x4); y0 = i32x4.add(y0, y4); x12 = rotl16(v128.xor(x12, x0)); y12 = rotl16(v128.xor(y12, y0));
    x8 = i32x4.add(x8, x12); y8 = i32x4.add(y8, y12); x4 = rotl12(v128.xor(x4, x8)); y4 = rotl12(v128.xor(y4, y8));
    x0 = i32x4.add(x0, x4); y0 = i32x4.add(y0, y4); x12 = rotl8(v128.xor(x12, x0)); y12 = rotl8(v128.xor(y12, y0));
    x8 = i32x4.add(x8, x12); y8 = i32x4.add(y8, y12); x4 = rotl7(v128.xor(x4, x8)); y4 = rotl7(v128.xor(y4, y8));
    x1 = i32x4.add(x1, x5); y1 = i32x4.add(y1, y5); x13 = rotl16(v128.xor(x13, x1)); y13 = rotl16(v128.xor(y13, y1));
    x9 = i32x4.add(x9, x13); y9 = i32x4.add(y9, y13); x5 = rotl12(v128.xor(x5, x9)); y5 = rotl12(v128.xor(y5, y9));
    x1 = i32x4.add(x1, x5); y1 = i32x4.add(y1, y5); x13 = rotl8(v128.xor(x13, x1)); y13 = rotl8(v128.xor(y13, y1));
    x9 = i32x4.add(x9, x13); y9 = i32x4.add(y9, y13); x5 = rotl7(v128.xor(x5, x9)); y5 = rotl7(v128.xor(y5, y9));
    x2 = i32x4.add(x2, x6); y2 = i32x4.add(y2, y6); x14 = rotl16(v128.xor(x14, x2)); y14 = rotl16(v128.xor(y14, y2));
    x10 = i32x4.add(x10, x14); y10 = i32x4.add(y10, y14); x6 = rotl12(v128.xor(x6, x10)); y6 = rotl12(v128.xor(y6, y10));
    x2 = i32x4.add(x2, x6); y2 = i32x4.add(y2, y6); x14 = rotl8(v128.xor(x14, x2)); y14 = rotl8(v128.xor(y14, y2));
    x10 = i32x4.add(x10, x14); y10 = i32x4.add(y10, y14); x6 = rotl7(v128.xor(x6, x10)); y6 = rotl7(v128.xor(y6, y10));
    x3 = i32x4.add(x3, x7); y3 = i32x4.add(y3, y7); x15 = rotl16(v128.xor(x15, x3)); y15 = rotl16(v128.xor(y15, y3));
    x11 = i32x4.add(x11, x15); y11 = i32x4.add(y11, y15); x7 = rotl12(v128.xor(x7, x11)); y7 = rotl12(v128.xor(y7, y11));
    x3 = i32x4.add(x3, x7); y3 = i32x4.add(y3, y7); x15 = rotl8(v128.xor(x15, x3)); y15 = rotl8(v128.xor(y15, y3));
    x11 = i32x4.add(x11, x15); y11 = i32x4.add(y11, y15); x7 = rotl7(v128.xor(x7, x11)); y7 = rotl7(v128.xor(y7, y11));
    // diagonals
    x0 = i32x4.add(x0, x5); y0 = i32x4.add(y0, y5); x15 = rotl16(v128.xor(x15, x0)); y15 = rotl16(v128.xor(y15, y0));
    x10 = i32x4.add(x10, x15); y10 = i32x4.add(y10, y15); x5 = rotl12(v128.xor(x5, x10)); y5 = rotl12(v128.xor(y5, y10));
    x0 = i32x4.add(x0, x5); y0 = i32x4.add(y0, y5); x15 = rotl8(v128.xor(x15, x0)); y15 = rotl8(v128.xor(y15, y0));
    x10 = i32x4.add(x10, x15); y10 = i32x4.add(y10, y15); x5 = rotl7(v128.xor(x5, x10)); y5 = rotl7(v128.xor(y5, y10));
    x1 = i32x4.add(x1, x6); y1 = i32x4.add(y1, y6); x12 = rotl16(v128.xor(x12, x1)); y12 = rotl16(v128.xor(y12, y1));
    x11 = i32x4.add(x11, x12); y11 = i32x4.add(y11, y12); x6 = rotl12(v128.xor(x6, x11)); y6 = rotl12(v128.xor(y6, y11));
    x1 = i32x4.add(x1, x6); y1 = i32x4.add(y1, y6); x12 = rotl8(v128.xor(x12, x1)); y12 = rotl8(v128.xor(y12, y1));
    x11 = i32x4.add(x11, x12); y11 = i32x4.add(y11, y12); x6 = rotl7(v128.xor(x6, x11)); y6 = rotl7(v128.xor(y6, y11));
    x2 = i32x4.add(x2, x7); y2 = i32x4.add(y2, y7); x13 = rotl16(v128.xor(x13, x2)); y13 = rotl16(v128.xor(y13, y2));
    x8 = i32x4.add(x8, x13); y8 = i32x4.add(y8, y13); x7 = rotl12(v128.xor(x7, x8)); y7 = rotl12(v128.xor(y7, y8));
    x2 = i32x4.add(x2, x7); y2 = i32x4.add(y2, y7); x13 = rotl8(v128.xor(x13, x2)); y13 = rotl8(v128.xor(y13, y2));
    x8 = i32x4.add(x8, x13); y8 = i32x4.add(y8, y13); x7 = rotl7(v128.xor(x7, x8)); y7 = rotl7(v128.xor(y7, y8));
    x3 = i32x4.add(x3, x4); y3 = i32x4.add(y3, y4); x14 = rotl16(v128.xor(x14, x3)); y14 = rotl16(v128.xor(y14, y3));
    x9 = i32x4.add(x9, x14); y9 = i32x4.add(y9, y14); x4 = rotl12(v128.xor(x4, x9)); y4 = rotl12(v128.xor(y4, y9));
    x3 = i32x4.add(x3, x4); y3 = i32x4.add(y3, y4); x14 = rotl8(v128.xor(x14, x3)); y14 = rotl8(v128.xor(y14, y3));
    x9 = i32x4.add(x9, x14); y9 = i32x4.add(y9, y14); x4 = rotl7(v128.xor(x4, x9)); y4 = rotl7(v128.xor(y4, y9));
  }
  xorFed(x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15, state, 0, src, dst);
  xorFed(y0, y1, y2, y3, y4, y5, y6, y7, y8, y9, y10, y11, y12, y13, y14, y15, state, 4, src + 256, dst + 256);
}

