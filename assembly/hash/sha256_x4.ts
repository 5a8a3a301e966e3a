// Four independent SHA-256 compressions at once, one per i32x4 lane (multi-buffer SHA-256). Lane l
// of every v128 belongs to message l, so all four run the same instruction stream; nothing crosses
// lanes. SIMD build only. Used where a protocol has many independent chains to advance (the batched
// ratchet); a single chain is faster on the scalar-round compressor in sha256.ts.
//
// Layout: a state is 8 v128 (word i of the four lanes in v128 i); a block is 16 v128 of native-order
// words, lane-interleaved the same way.

import { K } from './sha256';

// W[t] for the four lanes (§6.2.2 step 1), 64 v128.
const W: usize = memory.data(1024, 16);

@inline function rotr(x: v128, n: i32): v128 {
  return v128.or(i32x4.shr_u(x, n), i32x4.shl(x, 32 - n));
}
@inline function bigSigma0(x: v128): v128 { return v128.xor(v128.xor(rotr(x, 2), rotr(x, 13)), rotr(x, 22)); }
@inline function bigSigma1(x: v128): v128 { return v128.xor(v128.xor(rotr(x, 6), rotr(x, 11)), rotr(x, 25)); }
@inline function smallSigma0(x: v128): v128 { return v128.xor(v128.xor(rotr(x, 7), rotr(x, 18)), i32x4.shr_u(x, 3)); }
@inline function smallSigma1(x: v128): v128 { return v128.xor(v128.xor(rotr(x, 17), rotr(x, 19)), i32x4.shr_u(x, 10)); }
// Ch(e, f, g) picks f where e is 1; Maj(a, b, c) is c where a and b differ, else a.
@inline function ch(e: v128, f: v128, g: v128): v128 { return v128.bitselect(f, g, e); }
@inline function maj(a: v128, b: v128, c: v128): v128 { return v128.bitselect(c, a, v128.xor(a, b)); }
@inline function kw(t: usize): v128 {
  return i32x4.add(v128.load(W + (t << 4)), v128.load32_splat(K + (t << 2)));
}

/** Zeroes the four schedules of the last compression (they hold the blocks, recoverably). */
export function sha256x4WipeScratch(): void {
  memory.fill(W, 0, 1024);
}

/** Compresses one block per lane: `states` (8 v128) absorb `words` (16 v128). */
export function sha256x4CompressWords(states: usize, words: usize): void {
  for (let t: usize = 0; t < 256; t += 16) v128.store(W + t, v128.load(words + t));
  for (let t: usize = 256; t < 1024; t += 16) {
    const p = W + t;
    v128.store(p, i32x4.add(
      i32x4.add(smallSigma1(v128.load(p - 32)), v128.load(p - 112)),
      i32x4.add(smallSigma0(v128.load(p - 240)), v128.load(p - 256)),
    ));
  }
  let a = v128.load(states), b = v128.load(states, 16), c = v128.load(states, 32), d = v128.load(states, 48);
  let e = v128.load(states, 64), f = v128.load(states, 80), g = v128.load(states, 96), h = v128.load(states, 112);
  for (let t: usize = 0; t < 64; t += 8) {
    h = i32x4.add(h, i32x4.add(i32x4.add(bigSigma1(e), ch(e, f, g)), kw(t)));
    d = i32x4.add(d, h); h = i32x4.add(h, i32x4.add(bigSigma0(a), maj(a, b, c)));
    g = i32x4.add(g, i32x4.add(i32x4.add(bigSigma1(d), ch(d, e, f)), kw(t + 1)));
    c = i32x4.add(c, g); g = i32x4.add(g, i32x4.add(bigSigma0(h), maj(h, a, b)));
    f = i32x4.add(f, i32x4.add(i32x4.add(bigSigma1(c), ch(c, d, e)), kw(t + 2)));
    b = i32x4.add(b, f); f = i32x4.add(f, i32x4.add(bigSigma0(g), maj(g, h, a)));
    e = i32x4.add(e, i32x4.add(i32x4.add(bigSigma1(b), ch(b, c, d)), kw(t + 3)));
    a = i32x4.add(a, e); e = i32x4.add(e, i32x4.add(bigSigma0(f), maj(f, g, h)));
    d = i32x4.add(d, i32x4.add(i32x4.add(bigSigma1(a), ch(a, b, c)), kw(t + 4)));
    h = i32x4.add(h, d); d = i32x4.add(d, i32x4.add(bigSigma0(e), maj(e, f, g)));
    c = i32x4.add(c, i32x4.add(i32x4.add(bigSigma1(h), ch(h, a, b)), kw(t + 5)));
    g = i32x4.add(g, c); c = i32x4.add(c, i32x4.add(bigSigma0(d), maj(d, e, f)));
    b = i32x4.add(b, i32x4.add(i32x4.add(bigSigma1(g), ch(g, h, a)), kw(t + 6)));
    f = i32x4.add(f, b); b = i32x4.add(b, i32x4.add(bigSigma0(c), maj(c, d, e)));
    a = i32x4.add(a, i32x4.add(i32x4.add(bigSigma1(f), ch(f, g, h)), kw(t + 7)));
    e = i32x4.add(e, a); a = i32x4.add(a, i32x4.add(bigSigma0(b), maj(b, c, d)));
  }
  v128.store(states, i32x4.add(v128.load(states), a));
  v128.store(states, i32x4.add(v128.load(states, 16), b), 16);
  v128.store(states, i32x4.add(v128.load(states, 32), c), 32);
  v128.store(states, i32x4.add(v128.load(states, 48), d), 48);
  v128.store(states, i32x4.add(v128.load(states, 64), e), 64);
  v128.store(states, i32x4.add(v128.load(states, 80), f), 80);
  v128.store(states, i32x4.add(v128.load(states, 96), g), 96);
  v128.store(states, i32x4.add(v128.load(states, 112), h), 112);
}
