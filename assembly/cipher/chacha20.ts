// ChaCha20, RFC 8439 §2.3-2.4, and HChaCha20 (draft-irtf-cfrg-xchacha §2.2). ARX only: constant
// time by construction. The SIMD build computes four or eight blocks at once, one per i32x4 lane
// (chacha20_lanes.ts); the scalar build runs one block at a time.
//
// State (64 bytes, native-order words, the layout of §2.3): 0-3 constants, 4-11 key, 12 block
// counter, 13-15 nonce. Only word 12 changes between blocks.

import { wipe, xorBytes } from '../runtime/bytes';
import { xor4, xor8 } from './chacha20_lanes';

const SIGMA0: u32 = 0x61707865; // "expa"
const SIGMA1: u32 = 0x3320646e; // "nd 3"
const SIGMA2: u32 = 0x79622d32; // "2-by"
const SIGMA3: u32 = 0x6b206574; // "te k"

/** Sets up `state` from a 32-byte key, a counter and a 12-byte nonce (§2.3). */
export function chachaInit(state: usize, key: usize, counter: u32, nonce: usize): void {
  store<u32>(state, SIGMA0); store<u32>(state, SIGMA1, 4); store<u32>(state, SIGMA2, 8); store<u32>(state, SIGMA3, 12);
  for (let i: usize = 0; i < 32; i += 8) store<u64>(state + 16 + i, load<u64>(key + i));
  store<u32>(state, counter, 48);
  store<u32>(state, load<u32>(nonce), 52); store<u32>(state, load<u32>(nonce, 4), 56); store<u32>(state, load<u32>(nonce, 8), 60);
}

// One block, scalar: 20 rounds over sixteen locals; `feedForward` adds the input (ChaCha20) or not
// (HChaCha20, which outputs words 0-3 and 12-15 of the permuted state).
@inline function permute(state: usize, out: usize, feedForward: bool): void {
  let x0 = load<u32>(state), x1 = load<u32>(state, 4), x2 = load<u32>(state, 8), x3 = load<u32>(state, 12);
  let x4 = load<u32>(state, 16), x5 = load<u32>(state, 20), x6 = load<u32>(state, 24), x7 = load<u32>(state, 28);
  let x8 = load<u32>(state, 32), x9 = load<u32>(state, 36), x10 = load<u32>(state, 40), x11 = load<u32>(state, 44);
  let x12 = load<u32>(state, 48), x13 = load<u32>(state, 52), x14 = load<u32>(state, 56), x15 = load<u32>(state, 60);
  for (let r = 0; r < 10; r++) {
    // column round (§2.2.1 quarter rounds on columns), then diagonal round
    x0 += x4; x12 = rotl<u32>(x12 ^ x0, 16); x8 += x12; x4 = rotl<u32>(x4 ^ x8, 12);
    x0 += x4; x12 = rotl<u32>(x12 ^ x0, 8); x8 += x12; x4 = rotl<u32>(x4 ^ x8, 7);
    x1 += x5; x13 = rotl<u32>(x13 ^ x1, 16); x9 += x13; x5 = rotl<u32>(x5 ^ x9, 12);
    x1 += x5; x13 = rotl<u32>(x13 ^ x1, 8); x9 += x13; x5 = rotl<u32>(x5 ^ x9, 7);
    x2 += x6; x14 = rotl<u32>(x14 ^ x2, 16); x10 += x14; x6 = rotl<u32>(x6 ^ x10, 12);
    x2 += x6; x14 = rotl<u32>(x14 ^ x2, 8); x10 += x14; x6 = rotl<u32>(x6 ^ x10, 7);
    x3 += x7; x15 = rotl<u32>(x15 ^ x3, 16); x11 += x15; x7 = rotl<u32>(x7 ^ x11, 12);
    x3 += x7; x15 = rotl<u32>(x15 ^ x3, 8); x11 += x15; x7 = rotl<u32>(x7 ^ x11, 7);
    x0 += x5; x15 = rotl<u32>(x15 ^ x0, 16); x10 += x15; x5 = rotl<u32>(x5 ^ x10, 12);
    x0 += x5; x15 = rotl<u32>(x15 ^ x0, 8); x10 += x15; x5 = rotl<u32>(x5 ^ x10, 7);
    x1 += x6; x12 = rotl<u32>(x12 ^ x1, 16); x11 += x12; x6 = rotl<u32>(x6 ^ x11, 12);
    x1 += x6; x12 = rotl<u32>(x12 ^ x1, 8); x11 += x12; x6 = rotl<u32>(x6 ^ x11, 7);
    x2 += x7; x13 = rotl<u32>(x13 ^ x2, 16); x8 += x13; x7 = rotl<u32>(x7 ^ x8, 12);
    x2 += x7; x13 = rotl<u32>(x13 ^ x2, 8); x8 += x13; x7 = rotl<u32>(x7 ^ x8, 7);
    x3 += x4; x14 = rotl<u32>(x14 ^ x3, 16); x9 += x14; x4 = rotl<u32>(x4 ^ x9, 12);
    x3 += x4; x14 = rotl<u32>(x14 ^ x3, 8); x9 += x14; x4 = rotl<u32>(x4 ^ x9, 7);
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
    store<u32>(out, x0); store<u32>(out, x1, 4); store<u32>(out, x2, 8); store<u32>(out, x3, 12);
    store<u32>(out, x12, 16); store<u32>(out, x13, 20); store<u32>(out, x14, 24); store<u32>(out, x15, 28);
  }
}

/** Writes the 64-byte keystream block for the state's counter to `out` (§2.3). Does not advance. */
export function chachaBlock(state: usize, out: usize): void {
  permute(state, out, true);
}

/** HChaCha20: a 32-byte subkey from a key and the first 16 bytes of an XChaCha20 nonce. */
export function hchacha20(key: usize, nonce16: usize, out: usize, scratch: usize): void {
  store<u32>(scratch, SIGMA0); store<u32>(scratch, SIGMA1, 4); store<u32>(scratch, SIGMA2, 8); store<u32>(scratch, SIGMA3, 12);
  for (let i: usize = 0; i < 32; i += 8) store<u64>(scratch + 16 + i, load<u64>(key + i));
  for (let i: usize = 0; i < 16; i += 8) store<u64>(scratch + 48 + i, load<u64>(nonce16 + i));
  permute(scratch, out, false);
}

// ---- many blocks at once (SIMD build; the kernels are in chacha20_lanes.ts) --------------------

const BLOCK: usize = memory.data(64, 16);
const ZEROS: usize = memory.data(256, 16);

/**
 * SIMD build: writes four keystream blocks (counters c..c+3) to `out` (256 bytes) without advancing.
 * One 4-way call costs little more than one scalar block, so short messages take their Poly1305
 * key and their first three blocks from it.
 */
export function chachaKeystream4(state: usize, out: usize): void {
  xor4(state, ZEROS, out);
}

/**
 * XORs the keystream starting at the state's counter into `len` bytes (src → dst; they may be the
 * same) and advances the counter by the blocks used, a final partial block included. The caller
 * guarantees the counter does not pass 2^32 - 1 (RFC 8439 §2.3: the counter must not wrap).
 */
export function chachaXor(state: usize, src: usize, dst: usize, len: usize): void {
  let counter = load<u32>(state, 48);
  if (ASC_FEATURE_SIMD) {
    for (; len >= 512; len -= 512, src += 512, dst += 512) {
      xor8(state, src, dst);
      counter += 8;
      store<u32>(state, counter, 48);
    }
    for (; len >= 256; len -= 256, src += 256, dst += 256) {
      xor4(state, src, dst);
      counter += 4;
      store<u32>(state, counter, 48);
    }
  }
  for (; len != 0; ) {
    permute(state, BLOCK, true);
    store<u32>(state, ++counter, 48);
    const n = min<usize>(len, 64);
    xorBytes(dst, src, BLOCK, n);
    len -= n; src += n; dst += n;
  }
  wipe(BLOCK, 64);
}
