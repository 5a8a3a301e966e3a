// SHA-256, FIPS 180-4 §6.2. Straight-line on the data: no branch or memory index depends on it.

import { loadBe32, storeBe32 } from '../runtime/bytes';

// §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes.
export const K: usize = memory.data<u32>([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

@inline function bigSigma0(x: u32): u32 { return rotr<u32>(x, 2) ^ rotr<u32>(x, 13) ^ rotr<u32>(x, 22); }
@inline function bigSigma1(x: u32): u32 { return rotr<u32>(x, 6) ^ rotr<u32>(x, 11) ^ rotr<u32>(x, 25); }
@inline function smallSigma0(x: u32): u32 { return rotr<u32>(x, 7) ^ rotr<u32>(x, 18) ^ (x >>> 3); }
@inline function smallSigma1(x: u32): u32 { return rotr<u32>(x, 17) ^ rotr<u32>(x, 19) ^ (x >>> 10); }
@inline function ch(x: u32, y: u32, z: u32): u32 { return z ^ (x & (y ^ z)); }

/** Writes the initial hash value H(0) (§5.3.3) to `state` (8 words, native order). */
export function sha256InitState(state: usize): void {
  store<u32>(state, 0x6a09e667); store<u32>(state, 0xbb67ae85, 4);
  store<u32>(state, 0x3c6ef372, 8); store<u32>(state, 0xa54ff53a, 12);
  store<u32>(state, 0x510e527f, 16); store<u32>(state, 0x9b05688c, 20);
  store<u32>(state, 0x1f83d9ab, 24); store<u32>(state, 0x5be0cd19, 28);
}

// W[t] + K[t] for the 64 rounds of the current block (§6.2.2 steps 1 and 3, the additions hoisted).
const WK: usize = memory.data(256, 16);
@inline function putWk(t: usize, w: u32): void {
  store<u32>(WK + (t << 2), w + load<u32>(K + (t << 2)));
}

/** Word t of a block: big-endian bytes (messages), or native-order words (blocks built from digests). */
@inline function word(p: usize, bytes: bool): u32 {
  return bytes ? loadBe32(p) : load<u32>(p);
}

/**
 * Scalar message schedule (§6.2.2 step 1) with sixteen locals as a rolling window:
 * W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16], written out as W[t] + K[t].
 */
@inline function scheduleScalar(data: usize, bytes: bool): void {
  let w0 = word(data, bytes), w1 = word(data + 4, bytes), w2 = word(data + 8, bytes), w3 = word(data + 12, bytes);
  let w4 = word(data + 16, bytes), w5 = word(data + 20, bytes), w6 = word(data + 24, bytes), w7 = word(data + 28, bytes);
  let w8 = word(data + 32, bytes), w9 = word(data + 36, bytes), w10 = word(data + 40, bytes), w11 = word(data + 44, bytes);
  let w12 = word(data + 48, bytes), w13 = word(data + 52, bytes), w14 = word(data + 56, bytes), w15 = word(data + 60, bytes);
  for (let t: usize = 0; ; t += 16) {
    putWk(t, w0); putWk(t + 1, w1); putWk(t + 2, w2); putWk(t + 3, w3);
    putWk(t + 4, w4); putWk(t + 5, w5); putWk(t + 6, w6); putWk(t + 7, w7);
    putWk(t + 8, w8); putWk(t + 9, w9); putWk(t + 10, w10); putWk(t + 11, w11);
    putWk(t + 12, w12); putWk(t + 13, w13); putWk(t + 14, w14); putWk(t + 15, w15);
    if (t == 48) break;
    w0 += smallSigma1(w14) + w9 + smallSigma0(w1);   w1 += smallSigma1(w15) + w10 + smallSigma0(w2);
    w2 += smallSigma1(w0) + w11 + smallSigma0(w3);   w3 += smallSigma1(w1) + w12 + smallSigma0(w4);
    w4 += smallSigma1(w2) + w13 + smallSigma0(w5);   w5 += smallSigma1(w3) + w14 + smallSigma0(w6);
    w6 += smallSigma1(w4) + w15 + smallSigma0(w7);   w7 += smallSigma1(w5) + w0 + smallSigma0(w8);
    w8 += smallSigma1(w6) + w1 + smallSigma0(w9);    w9 += smallSigma1(w7) + w2 + smallSigma0(w10);
    w10 += smallSigma1(w8) + w3 + smallSigma0(w11);  w11 += smallSigma1(w9) + w4 + smallSigma0(w12);
    w12 += smallSigma1(w10) + w5 + smallSigma0(w13); w13 += smallSigma1(w11) + w6 + smallSigma0(w14);
    w14 += smallSigma1(w12) + w7 + smallSigma0(w15); w15 += smallSigma1(w13) + w8 + smallSigma0(w0);
  }
}

@inline function rotrv(x: v128, n: i32): v128 {
  return v128.or(i32x4.shr_u(x, n), i32x4.shl(x, 32 - n));
}
@inline function smallSigma0v(x: v128): v128 { return v128.xor(v128.xor(rotrv(x, 7), rotrv(x, 18)), i32x4.shr_u(x, 3)); }
@inline function smallSigma1v(x: v128): v128 { return v128.xor(v128.xor(rotrv(x, 17), rotrv(x, 19)), i32x4.shr_u(x, 10)); }
@inline function words4(p: usize, bytes: bool): v128 {
  const v = v128.load(p);
  return bytes ? i8x16.swizzle(v, i8x16(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12)) : v;
}

/**
 * The same schedule four words at a time. W[t..t+3] needs σ1 of W[t-2..t+1], whose upper half is
 * being computed, so σ1 is applied twice: to W[t-2], W[t-1] for lanes 0-1, then to the new lanes 0-1
 * for lanes 2-3 (the usual SSE formulation).
 */
@inline function scheduleSimd(data: usize, bytes: bool): void {
  const zero = i32x4.splat(0);
  let x0 = words4(data, bytes), x1 = words4(data + 16, bytes), x2 = words4(data + 32, bytes), x3 = words4(data + 48, bytes);
  v128.store(WK, i32x4.add(x0, v128.load(K)));
  v128.store(WK, i32x4.add(x1, v128.load(K + 16)), 16);
  v128.store(WK, i32x4.add(x2, v128.load(K + 32)), 32);
  v128.store(WK, i32x4.add(x3, v128.load(K + 48)), 48);
  for (let t: usize = 64; t < 256; t += 16) {
    const w15 = i8x16.shuffle(x0, x1, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19);
    const w7 = i8x16.shuffle(x2, x3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19);
    let s = i32x4.add(i32x4.add(x0, w7), smallSigma0v(w15));
    const lo = i8x16.shuffle(x3, zero, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23);
    s = i32x4.add(s, smallSigma1v(lo));
    const hi = i8x16.shuffle(zero, s, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
    s = i32x4.add(s, smallSigma1v(hi));
    x0 = x1; x1 = x2; x2 = x3; x3 = s;
    v128.store(WK + t, i32x4.add(s, v128.load(K + t)));
  }
}

/**
 * The 64 rounds of §6.2.2 step 3 over WK, added into `state`. The schedule (with K added) is
 * computed first, into WK, and the chaining value is re-read from memory at the end, so the rounds
 * keep only the eight working variables live and V8's register allocator does not spill. The
 * variables are renamed round by round, not shifted.
 */
@inline function rounds(state: usize): void {
  let a = load<u32>(state), b = load<u32>(state, 4), c = load<u32>(state, 8), d = load<u32>(state, 12);
  let e = load<u32>(state, 16), f = load<u32>(state, 20), g = load<u32>(state, 24), h = load<u32>(state, 28);
  // Maj(a, b, c) = b ^ ((a ^ b) & (b ^ c)); a ^ b of one round is b ^ c of the next, so x and y carry it.
  let y = b ^ c, x: u32;
  for (let p = WK; p < WK + 256; p += 32) {
    h += bigSigma1(e) + ch(e, f, g) + load<u32>(p);     d += h; x = a ^ b; h += bigSigma0(a) + (b ^ (x & y));
    g += bigSigma1(d) + ch(d, e, f) + load<u32>(p, 4); c += g; y = h ^ a; g += bigSigma0(h) + (a ^ (y & x));
    f += bigSigma1(c) + ch(c, d, e) + load<u32>(p, 8); b += f; x = g ^ h; f += bigSigma0(g) + (h ^ (x & y));
    e += bigSigma1(b) + ch(b, c, d) + load<u32>(p, 12); a += e; y = f ^ g; e += bigSigma0(f) + (g ^ (y & x));
    d += bigSigma1(a) + ch(a, b, c) + load<u32>(p, 16); h += d; x = e ^ f; d += bigSigma0(e) + (f ^ (x & y));
    c += bigSigma1(h) + ch(h, a, b) + load<u32>(p, 20); g += c; y = d ^ e; c += bigSigma0(d) + (e ^ (y & x));
    b += bigSigma1(g) + ch(g, h, a) + load<u32>(p, 24); f += b; x = c ^ d; b += bigSigma0(c) + (d ^ (x & y));
    a += bigSigma1(f) + ch(f, g, h) + load<u32>(p, 28); e += a; y = b ^ c; a += bigSigma0(b) + (c ^ (y & x));
  }
  store<u32>(state, load<u32>(state) + a); store<u32>(state, load<u32>(state, 4) + b, 4);
  store<u32>(state, load<u32>(state, 8) + c, 8); store<u32>(state, load<u32>(state, 12) + d, 12);
  store<u32>(state, load<u32>(state, 16) + e, 16); store<u32>(state, load<u32>(state, 20) + f, 20);
  store<u32>(state, load<u32>(state, 24) + g, 24); store<u32>(state, load<u32>(state, 28) + h, 28);
}

@inline function compressOne(state: usize, data: usize, bytes: bool): void {
  if (ASC_FEATURE_SIMD) scheduleSimd(data, bytes);
  else scheduleScalar(data, bytes);
  rounds(state);
}

/** Compresses `blocks` consecutive 64-byte message blocks at `data` into `state` (§6.2.2). */
export function sha256Compress(state: usize, data: usize, blocks: usize): void {
  for (let n: usize = 0; n < blocks; n++, data += 64) compressOne(state, data, true);
}

/** Compresses one block given as 16 native-order words (for blocks assembled from digests). */
export function sha256CompressWords(state: usize, words: usize): void {
  compressOne(state, words, false);
}

/**
 * Zeroes the schedule of the last block compressed (W[t] + K[t]: the block itself is recoverable
 * from it). Every caller that compressed secret-derived data calls this before returning.
 */
export function sha256WipeScratch(): void {
  memory.fill(WK, 0, 256);
}

/** Writes the 32-byte digest (big-endian words) from `state`. */
export function sha256WriteDigest(state: usize, out: usize): void {
  for (let i: usize = 0; i < 32; i += 4) storeBe32(out + i, load<u32>(state + i));
}
