// Salsa20/20 and HSalsa20 (Bernstein, "Salsa20 specification" and "Extending the Salsa20 nonce"),
// for XSalsa20-Poly1305 (NaCl secretbox). ARX only: constant time by construction. Four or eight
// blocks at once in the SIMD build, in the same column layout as chacha20_lanes.ts.
//
// State (64 bytes, native-order words): 0, 5, 10, 15 constants; 1-4 and 11-14 key; 6-7 nonce;
// 8-9 the 64-bit block counter (little-endian).

import { wipe, xorBytes } from '../runtime/bytes';
import { rotlv } from '../runtime/simd';
import { xorTransposed } from './chacha20_lanes';

const SIGMA0: u32 = 0x61707865, SIGMA1: u32 = 0x3320646e, SIGMA2: u32 = 0x79622d32, SIGMA3: u32 = 0x6b206574;

function setKey(state: usize, key: usize): void {
  store<u32>(state, SIGMA0); store<u32>(state, SIGMA1, 20); store<u32>(state, SIGMA2, 40); store<u32>(state, SIGMA3, 60);
  for (let i: usize = 0; i < 16; i += 4) {
    store<u32>(state + 4 + i, load<u32>(key + i));
    store<u32>(state + 44 + i, load<u32>(key + 16 + i));
  }
}

/** Sets up `state` from a 32-byte key and an 8-byte nonce, counter 0. */
export function salsaInit(state: usize, key: usize, nonce8: usize): void {
  setKey(state, key);
  store<u64>(state + 24, load<u64>(nonce8));
  store<u64>(state + 32, 0);
}

@inline function permute(state: usize, out: usize, feedForward: bool): void {
  let x0 = load<u32>(state), x1 = load<u32>(state, 4), x2 = load<u32>(state, 8), x3 = load<u32>(state, 12);
  let x4 = load<u32>(state, 16), x5 = load<u32>(state, 20), x6 = load<u32>(state, 24), x7 = load<u32>(state, 28);
  let x8 = load<u32>(state, 32), x9 = load<u32>(state, 36), x10 = load<u32>(state, 40), x11 = load<u32>(state, 44);
  let x12 = load<u32>(state, 48), x13 = load<u32>(state, 52), x14 = load<u32>(state, 56), x15 = load<u32>(state, 60);
  for (let r = 0; r < 10; r++) {
    // column round: quarterround(y0, y1, y2, y3) = y1 ^= (y0+y3)<<<7, y2 ^= (y1+y0)<<<9, y3 ^= (y2+y1)<<<13, y0 ^= (y3+y2)<<<18
    x4 ^= rotl<u32>(x0 + x12, 7); x8 ^= rotl<u32>(x4 + x0, 9); x12 ^= rotl<u32>(x8 + x4, 13); x0 ^= rotl<u32>(x12 + x8, 18);
    x9 ^= rotl<u32>(x5 + x1, 7); x13 ^= rotl<u32>(x9 + x5, 9); x1 ^= rotl<u32>(x13 + x9, 13); x5 ^= rotl<u32>(x1 + x13, 18);
    x14 ^= rotl<u32>(x10 + x6, 7); x2 ^= rotl<u32>(x14 + x10, 9); x6 ^= rotl<u32>(x2 + x14, 13); x10 ^= rotl<u32>(x6 + x2, 18);
    x3 ^= rotl<u32>(x15 + x11, 7); x7 ^= rotl<u32>(x3 + x15, 9); x11 ^= rotl<u32>(x7 + x3, 13); x15 ^= rotl<u32>(x11 + x7, 18);
    // row round
    x1 ^= rotl<u32>(x0 + x3, 7); x2 ^= rotl<u32>(x1 + x0, 9); x3 ^= rotl<u32>(x2 + x1, 13); x0 ^= rotl<u32>(x3 + x2, 18);
    x6 ^= rotl<u32>(x5 + x4, 7); x7 ^= rotl<u32>(x6 + x5, 9); x4 ^= rotl<u32>(x7 + x6, 13); x5 ^= rotl<u32>(x4 + x7, 18);
    x11 ^= rotl<u32>(x10 + x9, 7); x8 ^= rotl<u32>(x11 + x10, 9); x9 ^= rotl<u32>(x8 + x11, 13); x10 ^= rotl<u32>(x9 + x8, 18);
    x12 ^= rotl<u32>(x15 + x14, 7); x13 ^= rotl<u32>(x12 + x15, 9); x14 ^= rotl<u32>(x13 + x12, 13); x15 ^= rotl<u32>(x14 + x13, 18);
  }
  if (feedForward) {
    store<u32>(out, x0 + load<u32>(state)); store<u32>(out, x1 + load<u32>(state, 4), 4);
    store<u32>(out, x2 + load<u32>(state, 8), 8); store<u32>(out, x3 + load<u32>(state, 12), 12);
    store<u32>(out, x4 + load<u32>(state, 16), 16); store<u32>(out, x5 + load<u32>(state, 20), 20);
    store<u32>(out, x6 + load<u32>(state, 24), 24); store<u32>(out, x7 + load<u32>(state, 28), 28);
    store<u32>(out, x8 + load<u32>(state, 32), 32); store<u32>(out, x9 + load<u32>(state, 36), 36);
    store<u32>(out, x10 + load<u32>(state, 40), 40); store<u32>(out, x11 + load<u32>(state, 44), 44);
    store<u32>(out, x12 + load<u32>(state, 48), 48); store<u32>(out, x13 + load<u32>(state, 52), 52);
    store<u32>(out, x14 + load<u32>(state, 56), 56); store<u32>(out, x15 + load<u32>(state, 60), 60);
  } else {
    // HSalsa20 output: words 0, 5, 10, 15, 6, 7, 8, 9
    store<u32>(out, x0); store<u32>(out, x5, 4); store<u32>(out, x10, 8); store<u32>(out, x15, 12);
    store<u32>(out, x6, 16); store<u32>(out, x7, 20); store<u32>(out, x8, 24); store<u32>(out, x9, 28);
  }
}

/** HSalsa20: a 32-byte subkey from a key and a 16-byte input (the first 16 bytes of an XSalsa20 nonce). */
export function hsalsa20(key: usize, input16: usize, out: usize, scratch: usize): void {
  setKey(scratch, key);
  for (let i: usize = 0; i < 16; i += 4) store<u32>(scratch + 24 + i, load<u32>(input16 + i));
  permute(scratch, out, false);
}

/** Writes the 64-byte keystream block for the state's counter to `out`. Does not advance. */
export function salsaBlock(state: usize, out: usize): void {
  permute(state, out, true);
}

/** Words 8 and 9 (the 64-bit block counter) of the four blocks from the state's counter + `first`. */
@inline function counterLo(state: usize, first: i32): v128 {
  return i32x4.add(v128.load32_splat(state, 32), i32x4(first, first + 1, first + 2, first + 3));
}
@inline function counterHi(state: usize, lo: v128): v128 {
  // carry into the high word in lanes where the low word wrapped
  return i32x4.sub(v128.load32_splat(state, 36), i32x4.lt_u(lo, v128.load32_splat(state, 32)));
}

/** XORs four keystream blocks (counters c..c+3) into 256 bytes. */
function xor4(state: usize, src: usize, dst: usize): void {
  let x0 = v128.load32_splat(state), x1 = v128.load32_splat(state, 4), x2 = v128.load32_splat(state, 8), x3 = v128.load32_splat(state, 12);
  let x4 = v128.load32_splat(state, 16), x5 = v128.load32_splat(state, 20), x6 = v128.load32_splat(state, 24), x7 = v128.load32_splat(state, 28);
  let x8 = counterLo(state, 0), x9 = counterHi(state, x8);
  let x10 = v128.load32_splat(state, 40), x11 = v128.load32_splat(state, 44), x12 = v128.load32_splat(state, 48), x13 = v128.load32_splat(state, 52);
  let x14 = v128.load32_splat(state, 56), x15 = v128.load32_splat(state, 60);
  for (let r = 0; r < 10; r++) {
    x4 = v128.xor(x4, rotlv(i32x4.add(x0, x12), 7)); x8 = v128.xor(x8, rotlv(i32x4.add(x4, x0), 9));
    x12 = v128.xor(x12, rotlv(i32x4.add(x8, x4), 13)); x0 = v128.xor(x0, rotlv(i32x4.add(x12, x8), 18));
    x9 = v128.xor(x9, rotlv(i32x4.add(x5, x1), 7)); x13 = v128.xor(x13, rotlv(i32x4.add(x9, x5), 9));
    x1 = v128.xor(x1, rotlv(i32x4.add(x13, x9), 13)); x5 = v128.xor(x5, rotlv(i32x4.add(x1, x13), 18));
    x14 = v128.xor(x14, rotlv(i32x4.add(x10, x6), 7)); x2 = v128.xor(x2, rotlv(i32x4.add(x14, x10), 9));
    x6 = v128.xor(x6, rotlv(i32x4.add(x2, x14), 13)); x10 = v128.xor(x10, rotlv(i32x4.add(x6, x2), 18));
    x3 = v128.xor(x3, rotlv(i32x4.add(x15, x11), 7)); x7 = v128.xor(x7, rotlv(i32x4.add(x3, x15), 9));
    x11 = v128.xor(x11, rotlv(i32x4.add(x7, x3), 13)); x15 = v128.xor(x15, rotlv(i32x4.add(x11, x7), 18));
    x1 = v128.xor(x1, rotlv(i32x4.add(x0, x3), 7)); x2 = v128.xor(x2, rotlv(i32x4.add(x1, x0), 9));
    x3 = v128.xor(x3, rotlv(i32x4.add(x2, x1), 13)); x0 = v128.xor(x0, rotlv(i32x4.add(x3, x2), 18));
    x6 = v128.xor(x6, rotlv(i32x4.add(x5, x4), 7)); x7 = v128.xor(x7, rotlv(i32x4.add(x6, x5), 9));
    x4 = v128.xor(x4, rotlv(i32x4.add(x7, x6), 13)); x5 = v128.xor(x5, rotlv(i32x4.add(x4, x7), 18));
    x11 = v128.xor(x11, rotlv(i32x4.add(x10, x9), 7)); x8 = v128.xor(x8, rotlv(i32x4.add(x11, x10), 9));
    x9 = v128.xor(x9, rotlv(i32x4.add(x8, x11), 13)); x10 = v128.xor(x10, rotlv(i32x4.add(x9, x8), 18));
    x12 = v128.xor(x12, rotlv(i32x4.add(x15, x14), 7)); x13 = v128.xor(x13, rotlv(i32x4.add(x12, x15), 9));
    x14 = v128.xor(x14, rotlv(i32x4.add(x13, x12), 13)); x15 = v128.xor(x15, rotlv(i32x4.add(x14, x13), 18));
  }
  xorFed(x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15, state, 0, src, dst);
}

/** The feed-forward of four blocks from counter + `first` (input words reloaded) and their XOR into 256 bytes src → dst. */
@inline function xorFed(
  x0: v128, x1: v128, x2: v128, x3: v128, x4: v128, x5: v128, x6: v128, x7: v128,
  x8: v128, x9: v128, x10: v128, x11: v128, x12: v128, x13: v128, x14: v128, x15: v128,
  state: usize, first: i32, src: usize, dst: usize,
): void {
  const lo = counterLo(state, first);
  xorTransposed(i32x4.add(x0, v128.load32_splat(state)), i32x4.add(x1, v128.load32_splat(state, 4)),
    i32x4.add(x2, v128.load32_splat(state, 8)), i32x4.add(x3, v128.load32_splat(state, 12)), src, dst);
  xorTransposed(i32x4.add(x4, v128.load32_splat(state, 16)), i32x4.add(x5, v128.load32_splat(state, 20)),
    i32x4.add(x6, v128.load32_splat(state, 24)), i32x4.add(x7, v128.load32_splat(state, 28)), src + 16, dst + 16);
  xorTransposed(i32x4.add(x8, lo), i32x4.add(x9, counterHi(state, lo)),
    i32x4.add(x10, v128.load32_splat(state, 40)), i32x4.add(x11, v128.load32_splat(state, 44)), src + 32, dst + 32);
  xorTransposed(i32x4.add(x12, v128.load32_splat(state, 48)), i32x4.add(x13, v128.load32_splat(state, 52)),
    i32x4.add(x14, v128.load32_splat(state, 56)), i32x4.add(x15, v128.load32_splat(state, 60)), src + 48, dst + 48);
}

/**
 * Eight blocks (512 bytes) in two groups of four whose rounds are interleaved statement by
 * statement: a group's four quarter rounds are chains of SIMD operations of 2 cycles' latency on
 * the AMD EPYC of docs/engine.md, and the second group's chains fill the gaps between the first's
 * (as chacha20_lanes.ts xor8).
 */
function xor8(state: usize, src: usize, dst: usize): void {
  let x0 = v128.load32_splat(state), x1 = v128.load32_splat(state, 4), x2 = v128.load32_splat(state, 8), x3 = v128.load32_splat(state, 12);
  let x4 = v128.load32_splat(state, 16), x5 = v128.load32_splat(state, 20), x6 = v128.load32_splat(state, 24), x7 = v128.load32_splat(state, 28);
  let x8 = counterLo(state, 0), x9 = counterHi(state, x8), x10 = v128.load32_splat(state, 40), x11 = v128.load32_splat(state, 44);
  let x12 = v128.load32_splat(state, 48), x13 = v128.load32_splat(state, 52), x14 = v128.load32_splat(state, 56), x15 = v128.load32_splat(state, 60);
  let y0 = x0, y1 = x1, y2 = x2, y3 = x3, y4 = x4, y5 = x5, y6 = x6, y7 = x7;
  let y8 = counterLo(state, 4), y9 = counterHi(state, y8), y10 = x10, y11 = x11, y12 = x12, y13 = x13, y14 = x14, y15 = x15;
  for (let r = 0; r < 10; r++) {
    x4 = v128.xor(x4, rotlv(i32x4.add(x0, x12), 7)); y4 = v128.xor(y4, rotlv(i32x4.add(y0, y12), 7));
    x8 = v128.xor(x8, rotlv(i32x4.add(x4, x0), 9)); y8 = v128.xor(y8, rotlv(i32x4.add(y4, y0), 9));
    x12 = v128.xor(x12, rotlv(i32x4.add(x8, x4), 13)); y12 = v128.xor(y12, rotlv(i32x4.add(y8, y4), 13));
    x0 = v128.xor(x0, rotlv(i32x4.add(x12, x8), 18)); y0 = v128.xor(y0, rotlv(i32x4.add(y12, y8), 18));
    x9 = v128.xor(x9, rotlv(i32x4.add(x5, x1), 7)); y9 = v128.xor(y9, rotlv(i32x4.add(y5, y1), 7));
    x13 = v128.xor(x13, rotlv(i32x4.add(x9, x5), 9)); y13 = v128.xor(y13, rotlv(i32x4.add(y9, y5), 9));
    x1 = v128.xor(x1, rotlv(i32x4.add(x13, x9), 13)); y1 = v128.xor(y1, rotlv(i32x4.add(y13, y9), 13));
    x5 = v128.xor(x5, rotlv(i32x4.add(x1, x13), 18)); y5 = v128.xor(y5, rotlv(i32x4.add(y1, y13), 18));
    x14 = v128.xor(x14, rotlv(i32x4.add(x10, x6), 7)); y14 = v128.xor(y14, rotlv(i32x4.add(y10, y6), 7));
    x2 = v128.xor(x2, rotlv(i32x4.add(x14, x10), 9)); y2 = v128.xor(y2, rotlv(i32x4.add(y14, y10), 9));
    x6 = v128.xor(x6, rotlv(i32x4.add(x2, x14), 13)); y6 = v128.xor(y6, rotlv(i32x4.add(y2, y14), 13));
    x10 = v128.xor(x10, rotlv(i32x4.add(x6, x2), 18)); y10 = v128.xor(y10, rotlv(i32x4.add(y6, y2), 18));
    x3 = v128.xor(x3, rotlv(i32x4.add(x15, x11), 7)); y3 = v128.xor(y3, rotlv(i32x4.add(y15, y11), 7));
    x7 = v128.xor(x7, rotlv(i32x4.add(x3, x15), 9)); y7 = v128.xor(y7, rotlv(i32x4.add(y3, y15), 9));
    x11 = v128.xor(x11, rotlv(i32x4.add(x7, x3), 13)); y11 = v128.xor(y11, rotlv(i32x4.add(y7, y3), 13));
    x15 = v128.xor(x15, rotlv(i32x4.add(x11, x7), 18)); y15 = v128.xor(y15, rotlv(i32x4.add(y11, y7), 18));
    x1 = v128.xor(x1, rotlv(i32x4.add(x0, x3), 7)); y1 = v128.xor(y1, rotlv(i32x4.add(y0, y3), 7));
    x2 = v128.xor(x2, rotlv(i32x4.add(x1, x0), 9)); y2 = v128.xor(y2, rotlv(i32x4.add(y1, y0), 9));
    x3 = v128.xor(x3, rotlv(i32x4.add(x2, x1), 13)); y3 = v128.xor(y3, rotlv(i32x4.add(y2, y1), 13));
    x0 = v128.xor(x0, rotlv(i32x4.add(x3, x2), 18)); y0 = v128.xor(y0, rotlv(i32x4.add(y3, y2), 18));
    x6 = v128.xor(x6, rotlv(i32x4.add(x5, x4), 7)); y6 = v128.xor(y6, rotlv(i32x4.add(y5, y4), 7));
    x7 = v128.xor(x7, rotlv(i32x4.add(x6, x5), 9)); y7 = v128.xor(y7, rotlv(i32x4.add(y6, y5), 9));
    x4 = v128.xor(x4, rotlv(i32x4.add(x7, x6), 13)); y4 = v128.xor(y4, rotlv(i32x4.add(y7, y6), 13));
    x5 = v128.xor(x5, rotlv(i32x4.add(x4, x7), 18)); y5 = v128.xor(y5, rotlv(i32x4.add(y4, y7), 18));
    x11 = v128.xor(x11, rotlv(i32x4.add(x10, x9), 7)); y11 = v128.xor(y11, rotlv(i32x4.add(y10, y9), 7));
    x8 = v128.xor(x8, rotlv(i32x4.add(x11, x10), 9)); y8 = v128.xor(y8, rotlv(i32x4.add(y11, y10), 9));
    x9 = v128.xor(x9, rotlv(i32x4.add(x8, x11), 13)); y9 = v128.xor(y9, rotlv(i32x4.add(y8, y11), 13));
    x10 = v128.xor(x10, rotlv(i32x4.add(x9, x8), 18)); y10 = v128.xor(y10, rotlv(i32x4.add(y9, y8), 18));
    x12 = v128.xor(x12, rotlv(i32x4.add(x15, x14), 7)); y12 = v128.xor(y12, rotlv(i32x4.add(y15, y14), 7));
    x13 = v128.xor(x13, rotlv(i32x4.add(x12, x15), 9)); y13 = v128.xor(y13, rotlv(i32x4.add(y12, y15), 9));
    x14 = v128.xor(x14, rotlv(i32x4.add(x13, x12), 13)); y14 = v128.xor(y14, rotlv(i32x4.add(y13, y12), 13));
    x15 = v128.xor(x15, rotlv(i32x4.add(x14, x13), 18)); y15 = v128.xor(y15, rotlv(i32x4.add(y14, y13), 18));
  }
  xorFed(x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15, state, 0, src, dst);
  xorFed(y0, y1, y2, y3, y4, y5, y6, y7, y8, y9, y10, y11, y12, y13, y14, y15, state, 4, src + 256, dst + 256);
}

const BLOCK: usize = memory.data(64, 16);
const ZEROS: usize = memory.data(256, 16);

/** SIMD build: four keystream blocks (counters c..c+3) to `out` (256 bytes), without advancing. */
export function salsaKeystream4(state: usize, out: usize): void {
  xor4(state, ZEROS, out);
}

/**
 * XORs the keystream from the state's counter into `len` bytes (src → dst, may be equal) and
 * advances the 64-bit counter by the blocks used, a final partial block included.
 */
export function salsaXor(state: usize, src: usize, dst: usize, len: usize): void {
  let counter = load<u64>(state, 32);
  if (ASC_FEATURE_SIMD) {
    for (; len >= 512; len -= 512, src += 512, dst += 512) {
      xor8(state, src, dst);
      counter += 8;
      store<u64>(state, counter, 32);
    }
    for (; len >= 256; len -= 256, src += 256, dst += 256) {
      xor4(state, src, dst);
      counter += 4;
      store<u64>(state, counter, 32);
    }
  }
  for (; len != 0; ) {
    permute(state, BLOCK, true);
    store<u64>(state, ++counter, 32);
    const n = min<usize>(len, 64);
    xorBytes(dst, src, BLOCK, n);
    len -= n; src += n; dst += n;
  }
  wipe(BLOCK, 64);
}
