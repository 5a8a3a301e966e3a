// SHA-1, FIPS 180-4 §6.1. Needed by MTProto (auth key id, MTProto 1.0 msg_key, key derivation);
// not collision resistant, never use it for anything new. Straight-line on the data.

import { loadBe32, storeBe32 } from '../runtime/bytes';

/** Writes H(0) (§5.3.1) to `state` (5 words, native order). */
export function sha1InitState(state: usize): void {
  store<u32>(state, 0x67452301); store<u32>(state, 0xefcdab89, 4); store<u32>(state, 0x98badcfe, 8);
  store<u32>(state, 0x10325476, 12); store<u32>(state, 0xc3d2e1f0, 16);
}

/**
 * Compresses `blocks` consecutive 64-byte blocks at `data` into `state` (§6.1.2), all 80 rounds
 * unrolled, the schedule computed in place in a rolling window of sixteen locals.
 * Round t: T = ROTL5(a) + f(b, c, d) + e + K + W[t], b = ROTL30(b), with the variables renamed.
 */
export function sha1Compress(state: usize, data: usize, blocks: usize): void {
  for (let n: usize = 0; n < blocks; n++, data += 64) {
    let a = load<u32>(state), b = load<u32>(state, 4), c = load<u32>(state, 8);
    let d = load<u32>(state, 12), e = load<u32>(state, 16);
    let w0 = loadBe32(data);
    e += rotl<u32>(a, 5) + (d ^ (b & (c ^ d))) + 0x5a827999 + w0; b = rotl<u32>(b, 30);
    let w1 = loadBe32(data + 4);
    d += rotl<u32>(e, 5) + (c ^ (a & (b ^ c))) + 0x5a827999 + w1; a = rotl<u32>(a, 30);
    let w2 = loadBe32(data + 8);
    c += rotl<u32>(d, 5) + (b ^ (e & (a ^ b))) + 0x5a827999 + w2; e = rotl<u32>(e, 30);
    let w3 = loadBe32(data + 12);
    b += rotl<u32>(c, 5) + (a ^ (d & (e ^ a))) + 0x5a827999 + w3; d = rotl<u32>(d, 30);
    let w4 = loadBe32(data + 16);
    a += rotl<u32>(b, 5) + (e ^ (c & (d ^ e))) + 0x5a827999 + w4; c = rotl<u32>(c, 30);
    let w5 = loadBe32(data + 20);
    e += rotl<u32>(a, 5) + (d ^ (b & (c ^ d))) + 0x5a827999 + w5; b = rotl<u32>(b, 30);
    let w6 = loadBe32(data + 24);
    d += rotl<u32>(e, 5) + (c ^ (a & (b ^ c))) + 0x5a827999 + w6; a = rotl<u32>(a, 30);
    let w7 = loadBe32(data + 28);
    c += rotl<u32>(d, 5) + (b ^ (e & (a ^ b))) + 0x5a827999 + w7; e = rotl<u32>(e, 30);
    let w8 = loadBe32(data + 32);
    b += rotl<u32>(c, 5) + (a ^ (d & (e ^ a))) + 0x5a827999 + w8; d = rotl<u32>(d, 30);
    let w9 = loadBe32(data + 36);
    a += rotl<u32>(b, 5) + (e ^ (c & (d ^ e))) + 0x5a827999 + w9; c = rotl<u32>(c, 30);
    let w10 = loadBe32(data + 40);
    e += rotl<u32>(a, 5) + (d ^ (b & (c ^ d))) + 0x5a827999 + w10; b = rotl<u32>(b, 30);
    let w11 = loadBe32(data + 44);
    d += rotl<u32>(e, 5) + (c ^ (a & (b ^ c))) + 0x5a827999 + w11; a = rotl<u32>(a, 30);
    let w12 = loadBe32(data + 48);
    c += rotl<u32>(d, 5) + (b ^ (e & (a ^ b))) + 0x5a827999 + w12; e = rotl<u32>(e, 30);
    let w13 = loadBe32(data + 52);
    b += rotl<u32>(c, 5) + (a ^ (d & (e ^ a))) + 0x5a827999 + w13; d = rotl<u32>(d, 30);
    let w14 = loadBe32(data + 56);
    a += rotl<u32>(b, 5) + (e ^ (c & (d ^ e))) + 0x5a827999 + w14; c = rotl<u32>(c, 30);
    let w15 = loadBe32(data + 60);
    e += rotl<u32>(a, 5) + (d ^ (b & (c ^ d))) + 0x5a827999 + w15; b = rotl<u32>(b, 30);
    w0 = rotl<u32>(w13 ^ w8 ^ w2 ^ w0, 1);
    d += rotl<u32>(e, 5) + (c ^ (a & (b ^ c))) + 0x5a827999 + w0; a = rotl<u32>(a, 30);
    w1 = rotl<u32>(w14 ^ w9 ^ w3 ^ w1, 1);
    c += rotl<u32>(d, 5) + (b ^ (e & (a ^ b))) + 0x5a827999 + w1; e = rotl<u32>(e, 30);
    w2 = rotl<u32>(w15 ^ w10 ^ w4 ^ w2, 1);
    b += rotl<u32>(c, 5) + (a ^ (d & (e ^ a))) + 0x5a827999 + w2; d = rotl<u32>(d, 30);
    w3 = rotl<u32>(w0 ^ w11 ^ w5 ^ w3, 1);
    a += rotl<u32>(b, 5) + (e ^ (c & (d ^ e))) + 0x5a827999 + w3; c = rotl<u32>(c, 30);
    w4 = rotl<u32>(w1 ^ w12 ^ w6 ^ w4, 1);
    e += rotl<u32>(a, 5) + (b ^ c ^ d) + 0x6ed9eba1 + w4; b = rotl<u32>(b, 30);
    w5 = rotl<u32>(w2 ^ w13 ^ w7 ^ w5, 1);
    d += rotl<u32>(e, 5) + (a ^ b ^ c) + 0x6ed9eba1 + w5; a = rotl<u32>(a, 30);
    w6 = rotl<u32>(w3 ^ w14 ^ w8 ^ w6, 1);
    c += rotl<u32>(d, 5) + (e ^ a ^ b) + 0x6ed9eba1 + w6; e = rotl<u32>(e, 30);
    w7 = rotl<u32>(w4 ^ w15 ^ w9 ^ w7, 1);
    b += rotl<u32>(c, 5) + (d ^ e ^ a) + 0x6ed9eba1 + w7; d = rotl<u32>(d, 30);
    w8 = rotl<u32>(w5 ^ w0 ^ w10 ^ w8, 1);
    a += rotl<u32>(b, 5) + (c ^ d ^ e) + 0x6ed9eba1 + w8; c = rotl<u32>(c, 30);
    w9 = rotl<u32>(w6 ^ w1 ^ w11 ^ w9, 1);
    e += rotl<u32>(a, 5) + (b ^ c ^ d) + 0x6ed9eba1 + w9; b = rotl<u32>(b, 30);
    w10 = rotl<u32>(w7 ^ w2 ^ w12 ^ w10, 1);
    d += rotl<u32>(e, 5) + (a ^ b ^ c) + 0x6ed9eba1 + w10; a = rotl<u32>(a, 30);
    w11 = rotl<u32>(w8 ^ w3 ^ w13 ^ w11, 1);
    c += rotl<u32>(d, 5) + (e ^ a ^ b) + 0x6ed9eba1 + w11; e = rotl<u32>(e, 30);
    w12 = rotl<u32>(w9 ^ w4 ^ w14 ^ w12, 1);
    b += rotl<u32>(c, 5) + (d ^ e ^ a) + 0x6ed9eba1 + w12; d = rotl<u32>(d, 30);
    w13 = rotl<u32>(w10 ^ w5 ^ w15 ^ w13, 1);
    a += rotl<u32>(b, 5) + (c ^ d ^ e) + 0x6ed9eba1 + w13; c = rotl<u32>(c, 30);
    w14 = rotl<u32>(w11 ^ w6 ^ w0 ^ w14, 1);
    e += rotl<u32>(a, 5) + (b ^ c ^ d) + 0x6ed9eba1 + w14; b = rotl<u32>(b, 30);
    w15 = rotl<u32>(w12 ^ w7 ^ w1 ^ w15, 1);
    d += rotl<u32>(e, 5) + (a ^ b ^ c) + 0x6ed9eba1 + w15; a = rotl<u32>(a, 30);
    w0 = rotl<u32>(w13 ^ w8 ^ w2 ^ w0, 1);
    c += rotl<u32>(d, 5) + (e ^ a ^ b) + 0x6ed9eba1 + w0; e = rotl<u32>(e, 30);
    w1 = rotl<u32>(w14 ^ w9 ^ w3 ^ w1, 1);
    b += rotl<u32>(c, 5) + (d ^ e ^ a) + 0x6ed9eba1 + w1; d = rotl<u32>(d, 30);
    w2 = rotl<u32>(w15 ^ w10 ^ w4 ^ w2, 1);
    a += rotl<u32>(b, 5) + (c ^ d ^ e) + 0x6ed9eba1 + w2; c = rotl<u32>(c, 30);
    w3 = rotl<u32>(w0 ^ w11 ^ w5 ^ w3, 1);
    e += rotl<u32>(a, 5) + (b ^ c ^ d) + 0x6ed9eba1 + w3; b = rotl<u32>(b, 30);
    w4 = rotl<u32>(w1 ^ w12 ^ w6 ^ w4, 1);
    d += rotl<u32>(e, 5) + (a ^ b ^ c) + 0x6ed9eba1 + w4; a = rotl<u32>(a, 30);
    w5 = rotl<u32>(w2 ^ w13 ^ w7 ^ w5, 1);
    c += rotl<u32>(d, 5) + (e ^ a ^ b) + 0x6ed9eba1 + w5; e = rotl<u32>(e, 30);
    w6 = rotl<u32>(w3 ^ w14 ^ w8 ^ w6, 1);
    b += rotl<u32>(c, 5) + (d ^ e ^ a) + 0x6ed9eba1 + w6; d = rotl<u32>(d, 30);
    w7 = rotl<u32>(w4 ^ w15 ^ w9 ^ w7, 1);
    a += rotl<u32>(b, 5) + (c ^ d ^ e) + 0x6ed9eba1 + w7; c = rotl<u32>(c, 30);
    w8 = rotl<u32>(w5 ^ w0 ^ w10 ^ w8, 1);
    e += rotl<u32>(a, 5) + ((b & c) | (d & (b | c))) + 0x8f1bbcdc + w8; b = rotl<u32>(b, 30);
    w9 = rotl<u32>(w6 ^ w1 ^ w11 ^ w9, 1);
    d += rotl<u32>(e, 5) + ((a & b) | (c & (a | b))) + 0x8f1bbcdc + w9; a = rotl<u32>(a, 30);
    w10 = rotl<u32>(w7 ^ w2 ^ w12 ^ w10, 1);
    c += rotl<u32>(d, 5) + ((e & a) | (b & (e | a))) + 0x8f1bbcdc + w10; e = rotl<u32>(e, 30);
    w11 = rotl<u32>(w8 ^ w3 ^ w13 ^ w11, 1);
    b += rotl<u32>(c, 5) + ((d & e) | (a & (d | e))) + 0x8f1bbcdc + w11; d = rotl<u32>(d, 30);
    w12 = rotl<u32>(w9 ^ w4 ^ w14 ^ w12, 1);
    a += rotl<u32>(b, 5) + ((c & d) | (e & (c | d))) + 0x8f1bbcdc + w12; c = rotl<u32>(c, 30);
    w13 = rotl<u32>(w10 ^ w5 ^ w15 ^ w13, 1);
    e += rotl<u32>(a, 5) + ((b & c) | (d & (b | c))) + 0x8f1bbcdc + w13; b = rotl<u32>(b, 30);
    w14 = rotl<u32>(w11 ^ w6 ^ w0 ^ w14, 1);
    d += rotl<u32>(e, 5) + ((a & b) | (c & (a | b))) + 0x8f1bbcdc + w14; a = rotl<u32>(a, 30);
    w15 = rotl<u32>(w12 ^ w7 ^ w1 ^ w15, 1);
    c += rotl<u32>(d, 5) + ((e & a) | (b & (e | a))) + 0x8f1bbcdc + w15; e = rotl<u32>(e, 30);
    w0 = rotl<u32>(w13 ^ w8 ^ w2 ^ w0, 1);
    b += rotl<u32>(c, 5) + ((d & e) | (a & (d | e))) + 0x8f1bbcdc + w0; d = rotl<u32>(d, 30);
    w1 = rotl<u32>(w14 ^ w9 ^ w3 ^ w1, 1);
    a += rotl<u32>(b, 5) + ((c & d) | (e & (c | d))) + 0x8f1bbcdc + w1; c = rotl<u32>(c, 30);
    w2 = rotl<u32>(w15 ^ w10 ^ w4 ^ w2, 1);
    e += rotl<u32>(a, 5) + ((b & c) | (d & (b | c))) + 0x8f1bbcdc + w2; b = rotl<u32>(b, 30);
    w3 = rotl<u32>(w0 ^ w11 ^ w5 ^ w3, 1);
    d += rotl<u32>(e, 5) + ((a & b) | (c & (a | b))) + 0x8f1bbcdc + w3; a = rotl<u32>(a, 30);
    w4 = rotl<u32>(w1 ^ w12 ^ w6 ^ w4, 1);
    c += rotl<u32>(d, 5) + ((e & a) | (b & (e | a))) + 0x8f1bbcdc + w4; e = rotl<u32>(e, 30);
    w5 = rotl<u32>(w2 ^ w13 ^ w7 ^ w5, 1);
    b += rotl<u32>(c, 5) + ((d & e) | (a & (d | e))) + 0x8f1bbcdc + w5; d = rotl<u32>(d, 30);
    w6 = rotl<u32>(w3 ^ w14 ^ w8 ^ w6, 1);
    a += rotl<u32>(b, 5) + ((c & d) | (e & (c | d))) + 0x8f1bbcdc + w6; c = rotl<u32>(c, 30);
    w7 = rotl<u32>(w4 ^ w15 ^ w9 ^ w7, 1);
    e += rotl<u32>(a, 5) + ((b & c) | (d & (b | c))) + 0x8f1bbcdc + w7; b = rotl<u32>(b, 30);
    w8 = rotl<u32>(w5 ^ w0 ^ w10 ^ w8, 1);
    d += rotl<u32>(e, 5) + ((a & b) | (c & (a | b))) + 0x8f1bbcdc + w8; a = rotl<u32>(a, 30);
    w9 = rotl<u32>(w6 ^ w1 ^ w11 ^ w9, 1);
    c += rotl<u32>(d, 5) + ((e & a) | (b & (e | a))) + 0x8f1bbcdc + w9; e = rotl<u32>(e, 30);
    w10 = rotl<u32>(w7 ^ w2 ^ w12 ^ w10, 1);
    b += rotl<u32>(c, 5) + ((d & e) | (a & (d | e))) + 0x8f1bbcdc + w10; d = rotl<u32>(d, 30);
    w11 = rotl<u32>(w8 ^ w3 ^ w13 ^ w11, 1);
    a += rotl<u32>(b, 5) + ((c & d) | (e & (c | d))) + 0x8f1bbcdc + w11; c = rotl<u32>(c, 30);
    w12 = rotl<u32>(w9 ^ w4 ^ w14 ^ w12, 1);
    e += rotl<u32>(a, 5) + (b ^ c ^ d) + 0xca62c1d6 + w12; b = rotl<u32>(b, 30);
    w13 = rotl<u32>(w10 ^ w5 ^ w15 ^ w13, 1);
    d += rotl<u32>(e, 5) + (a ^ b ^ c) + 0xca62c1d6 + w13; a = rotl<u32>(a, 30);
    w14 = rotl<u32>(w11 ^ w6 ^ w0 ^ w14, 1);
    c += rotl<u32>(d, 5) + (e ^ a ^ b) + 0xca62c1d6 + w14; e = rotl<u32>(e, 30);
    w15 = rotl<u32>(w12 ^ w7 ^ w1 ^ w15, 1);
    b += rotl<u32>(c, 5) + (d ^ e ^ a) + 0xca62c1d6 + w15; d = rotl<u32>(d, 30);
    w0 = rotl<u32>(w13 ^ w8 ^ w2 ^ w0, 1);
    a += rotl<u32>(b, 5) + (c ^ d ^ e) + 0xca62c1d6 + w0; c = rotl<u32>(c, 30);
    w1 = rotl<u32>(w14 ^ w9 ^ w3 ^ w1, 1);
    e += rotl<u32>(a, 5) + (b ^ c ^ d) + 0xca62c1d6 + w1; b = rotl<u32>(b, 30);
    w2 = rotl<u32>(w15 ^ w10 ^ w4 ^ w2, 1);
    d += rotl<u32>(e, 5) + (a ^ b ^ c) + 0xca62c1d6 + w2; a = rotl<u32>(a, 30);
    w3 = rotl<u32>(w0 ^ w11 ^ w5 ^ w3, 1);
    c += rotl<u32>(d, 5) + (e ^ a ^ b) + 0xca62c1d6 + w3; e = rotl<u32>(e, 30);
    w4 = rotl<u32>(w1 ^ w12 ^ w6 ^ w4, 1);
    b += rotl<u32>(c, 5) + (d ^ e ^ a) + 0xca62c1d6 + w4; d = rotl<u32>(d, 30);
    w5 = rotl<u32>(w2 ^ w13 ^ w7 ^ w5, 1);
    a += rotl<u32>(b, 5) + (c ^ d ^ e) + 0xca62c1d6 + w5; c = rotl<u32>(c, 30);
    w6 = rotl<u32>(w3 ^ w14 ^ w8 ^ w6, 1);
    e += rotl<u32>(a, 5) + (b ^ c ^ d) + 0xca62c1d6 + w6; b = rotl<u32>(b, 30);
    w7 = rotl<u32>(w4 ^ w15 ^ w9 ^ w7, 1);
    d += rotl<u32>(e, 5) + (a ^ b ^ c) + 0xca62c1d6 + w7; a = rotl<u32>(a, 30);
    w8 = rotl<u32>(w5 ^ w0 ^ w10 ^ w8, 1);
    c += rotl<u32>(d, 5) + (e ^ a ^ b) + 0xca62c1d6 + w8; e = rotl<u32>(e, 30);
    w9 = rotl<u32>(w6 ^ w1 ^ w11 ^ w9, 1);
    b += rotl<u32>(c, 5) + (d ^ e ^ a) + 0xca62c1d6 + w9; d = rotl<u32>(d, 30);
    w10 = rotl<u32>(w7 ^ w2 ^ w12 ^ w10, 1);
    a += rotl<u32>(b, 5) + (c ^ d ^ e) + 0xca62c1d6 + w10; c = rotl<u32>(c, 30);
    w11 = rotl<u32>(w8 ^ w3 ^ w13 ^ w11, 1);
    e += rotl<u32>(a, 5) + (b ^ c ^ d) + 0xca62c1d6 + w11; b = rotl<u32>(b, 30);
    w12 = rotl<u32>(w9 ^ w4 ^ w14 ^ w12, 1);
    d += rotl<u32>(e, 5) + (a ^ b ^ c) + 0xca62c1d6 + w12; a = rotl<u32>(a, 30);
    w13 = rotl<u32>(w10 ^ w5 ^ w15 ^ w13, 1);
    c += rotl<u32>(d, 5) + (e ^ a ^ b) + 0xca62c1d6 + w13; e = rotl<u32>(e, 30);
    w14 = rotl<u32>(w11 ^ w6 ^ w0 ^ w14, 1);
    b += rotl<u32>(c, 5) + (d ^ e ^ a) + 0xca62c1d6 + w14; d = rotl<u32>(d, 30);
    w15 = rotl<u32>(w12 ^ w7 ^ w1 ^ w15, 1);
    a += rotl<u32>(b, 5) + (c ^ d ^ e) + 0xca62c1d6 + w15; c = rotl<u32>(c, 30);
    store<u32>(state, load<u32>(state) + a); store<u32>(state, load<u32>(state, 4) + b, 4);
    store<u32>(state, load<u32>(state, 8) + c, 8); store<u32>(state, load<u32>(state, 12) + d, 12);
    store<u32>(state, load<u32>(state, 16) + e, 16);
  }
}

/** Writes the 20-byte digest (big-endian words) from `state`. */
export function sha1WriteDigest(state: usize, out: usize): void {
  for (let i: usize = 0; i < 20; i += 4) storeBe32(out + i, load<u32>(state + i));
}
