// SHA-512, FIPS 180-4 §6.4 (Ed25519 and HMAC-SHA512 use it). Straight-line on the data.

import { loadBe64, storeBe64 } from '../runtime/bytes';

// §4.2.3: the first 64 bits of the fractional parts of the cube roots of the first 80 primes.
const K: usize = memory.data<u64>([
  0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc, 0x3956c25bf348b538,
  0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118, 0xd807aa98a3030242, 0x12835b0145706fbe,
  0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2, 0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235,
  0xc19bf174cf692694, 0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
  0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5, 0x983e5152ee66dfab,
  0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4, 0xc6e00bf33da88fc2, 0xd5a79147930aa725,
  0x06ca6351e003826f, 0x142929670a0e6e70, 0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed,
  0x53380d139d95b3df, 0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
  0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30, 0xd192e819d6ef5218,
  0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8, 0x19a4c116b8d2d0c8, 0x1e376c085141ab53,
  0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8, 0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373,
  0x682e6ff3d6b2b8a3, 0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
  0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b, 0xca273eceea26619c,
  0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178, 0x06f067aa72176fba, 0x0a637dc5a2c898a6,
  0x113f9804bef90dae, 0x1b710b35131c471b, 0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc,
  0x431d67c49c100d4c, 0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
]);

// W[t] + K[t] for the 80 rounds of the current block (§6.4.2 steps 1 and 3, the additions hoisted).
const WK: usize = memory.data(640, 16);

@inline function bigSigma0(x: u64): u64 { return rotr<u64>(x, 28) ^ rotr<u64>(x, 34) ^ rotr<u64>(x, 39); }
@inline function bigSigma1(x: u64): u64 { return rotr<u64>(x, 14) ^ rotr<u64>(x, 18) ^ rotr<u64>(x, 41); }
@inline function smallSigma0(x: u64): u64 { return rotr<u64>(x, 1) ^ rotr<u64>(x, 8) ^ (x >>> 7); }
@inline function smallSigma1(x: u64): u64 { return rotr<u64>(x, 19) ^ rotr<u64>(x, 61) ^ (x >>> 6); }
@inline function ch(x: u64, y: u64, z: u64): u64 { return z ^ (x & (y ^ z)); }

@inline function putWk(t: usize, w: u64): void {
  store<u64>(WK + (t << 3), w + load<u64>(K + (t << 3)));
}

/**
 * Scalar schedule (§6.4.2 step 1), sixteen locals as a rolling window:
 * W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16], written out as W[t] + K[t].
 */
function scheduleScalar(data: usize): void {
  let w0 = loadBe64(data), w1 = loadBe64(data + 8), w2 = loadBe64(data + 16), w3 = loadBe64(data + 24);
  let w4 = loadBe64(data + 32), w5 = loadBe64(data + 40), w6 = loadBe64(data + 48), w7 = loadBe64(data + 56);
  let w8 = loadBe64(data + 64), w9 = loadBe64(data + 72), w10 = loadBe64(data + 80), w11 = loadBe64(data + 88);
  let w12 = loadBe64(data + 96), w13 = loadBe64(data + 104), w14 = loadBe64(data + 112), w15 = loadBe64(data + 120);
  for (let t: usize = 0; ; t += 16) {
    putWk(t, w0); putWk(t + 1, w1); putWk(t + 2, w2); putWk(t + 3, w3);
    putWk(t + 4, w4); putWk(t + 5, w5); putWk(t + 6, w6); putWk(t + 7, w7);
    putWk(t + 8, w8); putWk(t + 9, w9); putWk(t + 10, w10); putWk(t + 11, w11);
    putWk(t + 12, w12); putWk(t + 13, w13); putWk(t + 14, w14); putWk(t + 15, w15);
    if (t == 64) break;
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
  return v128.or(i64x2.shr_u(x, n), i64x2.shl(x, 64 - n));
}
@inline function smallSigma0v(x: v128): v128 { return v128.xor(v128.xor(rotrv(x, 1), rotrv(x, 8)), i64x2.shr_u(x, 7)); }
@inline function smallSigma1v(x: v128): v128 { return v128.xor(v128.xor(rotrv(x, 19), rotrv(x, 61)), i64x2.shr_u(x, 6)); }
@inline function loadBe64x2(p: usize): v128 {
  return i8x16.swizzle(v128.load(p), i8x16(7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8));
}

/**
 * The same schedule two words at a time. With two lanes, W[t..t+1] needs σ1(W[t-2..t-1]), which is
 * complete, so no lane fix-up is needed. x0..x7 hold W[t-16..t-1].
 */
function scheduleSimd(data: usize): void {
  let x0 = loadBe64x2(data), x1 = loadBe64x2(data + 16), x2 = loadBe64x2(data + 32), x3 = loadBe64x2(data + 48);
  let x4 = loadBe64x2(data + 64), x5 = loadBe64x2(data + 80), x6 = loadBe64x2(data + 96), x7 = loadBe64x2(data + 112);
  v128.store(WK, i64x2.add(x0, v128.load(K)));
  v128.store(WK, i64x2.add(x1, v128.load(K, 16)), 16);
  v128.store(WK, i64x2.add(x2, v128.load(K, 32)), 32);
  v128.store(WK, i64x2.add(x3, v128.load(K, 48)), 48);
  v128.store(WK, i64x2.add(x4, v128.load(K, 64)), 64);
  v128.store(WK, i64x2.add(x5, v128.load(K, 80)), 80);
  v128.store(WK, i64x2.add(x6, v128.load(K, 96)), 96);
  v128.store(WK, i64x2.add(x7, v128.load(K, 112)), 112);
  for (let t: usize = 128; t < 640; t += 16) {
    const w15 = i8x16.shuffle(x0, x1, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23);
    const w7 = i8x16.shuffle(x4, x5, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23);
    const w = i64x2.add(i64x2.add(smallSigma1v(x7), w7), i64x2.add(smallSigma0v(w15), x0));
    x0 = x1; x1 = x2; x2 = x3; x3 = x4; x4 = x5; x5 = x6; x6 = x7; x7 = w;
    v128.store(WK + t, i64x2.add(w, v128.load(K + t)));
  }
}

/** Writes H(0) (§5.3.5) to `state` (8 words, native order). */
export function sha512InitState(state: usize): void {
  store<u64>(state, 0x6a09e667f3bcc908); store<u64>(state, 0xbb67ae8584caa73b, 8);
  store<u64>(state, 0x3c6ef372fe94f82b, 16); store<u64>(state, 0xa54ff53a5f1d36f1, 24);
  store<u64>(state, 0x510e527fade682d1, 32); store<u64>(state, 0x9b05688c2b3e6c1f, 40);
  store<u64>(state, 0x1f83d9abfb41bd6b, 48); store<u64>(state, 0x5be0cd19137e2179, 56);
}

/**
 * Compresses `blocks` consecutive 128-byte blocks at `data` into `state` (§6.4.2), structured as
 * SHA-256: schedule (with K added) first, chaining value re-read from memory, renamed variables.
 */
export function sha512Compress(state: usize, data: usize, blocks: usize): void {
  for (let n: usize = 0; n < blocks; n++, data += 128) {
    if (ASC_FEATURE_SIMD) scheduleSimd(data);
    else scheduleScalar(data);
    let a = load<u64>(state), b = load<u64>(state, 8), c = load<u64>(state, 16), d = load<u64>(state, 24);
    let e = load<u64>(state, 32), f = load<u64>(state, 40), g = load<u64>(state, 48), h = load<u64>(state, 56);
    // Maj(a, b, c) = b ^ ((a ^ b) & (b ^ c)); a ^ b of one round is b ^ c of the next, so x and y carry it.
    let y = b ^ c, x: u64;
    for (let p = WK; p < WK + 640; p += 64) {
      h += bigSigma1(e) + ch(e, f, g) + load<u64>(p);     d += h; x = a ^ b; h += bigSigma0(a) + (b ^ (x & y));
      g += bigSigma1(d) + ch(d, e, f) + load<u64>(p, 8); c += g; y = h ^ a; g += bigSigma0(h) + (a ^ (y & x));
      f += bigSigma1(c) + ch(c, d, e) + load<u64>(p, 16); b += f; x = g ^ h; f += bigSigma0(g) + (h ^ (x & y));
      e += bigSigma1(b) + ch(b, c, d) + load<u64>(p, 24); a += e; y = f ^ g; e += bigSigma0(f) + (g ^ (y & x));
      d += bigSigma1(a) + ch(a, b, c) + load<u64>(p, 32); h += d; x = e ^ f; d += bigSigma0(e) + (f ^ (x & y));
      c += bigSigma1(h) + ch(h, a, b) + load<u64>(p, 40); g += c; y = d ^ e; c += bigSigma0(d) + (e ^ (y & x));
      b += bigSigma1(g) + ch(g, h, a) + load<u64>(p, 48); f += b; x = c ^ d; b += bigSigma0(c) + (d ^ (x & y));
      a += bigSigma1(f) + ch(f, g, h) + load<u64>(p, 56); e += a; y = b ^ c; a += bigSigma0(b) + (c ^ (y & x));
    }
    store<u64>(state, load<u64>(state) + a); store<u64>(state, load<u64>(state, 8) + b, 8);
    store<u64>(state, load<u64>(state, 16) + c, 16); store<u64>(state, load<u64>(state, 24) + d, 24);
    store<u64>(state, load<u64>(state, 32) + e, 32); store<u64>(state, load<u64>(state, 40) + f, 40);
    store<u64>(state, load<u64>(state, 48) + g, 48); store<u64>(state, load<u64>(state, 56) + h, 56);
  }
}

/**
 * Zeroes the schedule of the last block compressed (W[t] + K[t]: the block itself is recoverable
 * from it). Every caller that compressed secret-derived data calls this before returning.
 */
export function sha512WipeScratch(): void {
  memory.fill(WK, 0, 640);
}

/** Writes the 64-byte digest (big-endian words) from `state`. */
export function sha512WriteDigest(state: usize, out: usize): void {
  for (let i: usize = 0; i < 64; i += 8) storeBe64(out + i, load<u64>(state + i));
}
