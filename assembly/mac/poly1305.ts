// Poly1305, RFC 8439 §2.5, with five 26-bit limbs and 64-bit products (the donna-32 layout): wasm
// has i64 multiplies but no 64×64→128, so 26-bit limbs keep every product and sum in a u64.
// Straight-line on the data; the final reduction selects with a mask, not a branch.
//
// Scalar on both builds, on purpose: a four-lane version (blocks 4j..4j+3 in i32x4 lanes, r^4 per
// group, i64x2.extmul products) was written and measured no faster, because V8 11.3 lowers each
// extmul to two unpacks plus pmuludq and spills the 14 live vectors. Long inputs take four blocks
// per carry chain instead (blocksFour, below).
//
// Context layout (POLY1305_CTX bytes):
//   [0, 20)   r0..r4         [20, 36)  5·r1..5·r4     [40, 60)  h0..h4
//   [60, 76)  s (the second half of the key)            [76, 80)  bytes buffered
//   [80, 96)  partial block
//   [96, 216) r², r³, r⁴ in r's layout (40 bytes each), for the four-block loop
//   [216, 220) 1 once those powers are computed

import { wipe } from '../runtime/bytes';

export const POLY1305_CTX: usize = 224;
const POW2: usize = 96, POW3: usize = 136, POW4: usize = 176, POWERS_READY: usize = 216;
const M26: u32 = 0x3ffffff;

export function poly1305Init(ctx: usize, key: usize): void {
  const t0 = load<u32>(key), t1 = load<u32>(key, 4), t2 = load<u32>(key, 8), t3 = load<u32>(key, 12);
  // r is clamped (§2.5: r &= 0x0ffffffc0ffffffc0ffffffc0fffffff) while being split into limbs.
  const r0 = t0 & 0x3ffffff;
  const r1 = ((t0 >>> 26) | (t1 << 6)) & 0x3ffff03;
  const r2 = ((t1 >>> 20) | (t2 << 12)) & 0x3ffc0ff;
  const r3 = ((t2 >>> 14) | (t3 << 18)) & 0x3f03fff;
  const r4 = (t3 >>> 8) & 0x00fffff;
  store<u32>(ctx, r0); store<u32>(ctx, r1, 4); store<u32>(ctx, r2, 8); store<u32>(ctx, r3, 12); store<u32>(ctx, r4, 16);
  store<u32>(ctx, r1 * 5, 20); store<u32>(ctx, r2 * 5, 24); store<u32>(ctx, r3 * 5, 28); store<u32>(ctx, r4 * 5, 32);
  wipe(ctx + 40, 20);
  for (let i: usize = 0; i < 16; i += 4) store<u32>(ctx + 60 + i, load<u32>(key + 16 + i));
  store<u32>(ctx, 0, 76);
  // Powers left by a stream abandoned before its finish belong to another key: wiped here, since
  // a short message computes none and poly1305Finish would then not wipe them either.
  wipePowers(ctx);
}

/** h = (h + m) · r mod 2^130 - 5 for each 16-byte block; `hibit` is 2^128 in limb 4 (0 for the padded final block). */
function blocksSerial(ctx: usize, m: usize, count: usize, hibit: u32): void {
  const r0 = <u64>load<u32>(ctx), r1 = <u64>load<u32>(ctx, 4), r2 = <u64>load<u32>(ctx, 8), r3 = <u64>load<u32>(ctx, 12), r4 = <u64>load<u32>(ctx, 16);
  const s1 = <u64>load<u32>(ctx, 20), s2 = <u64>load<u32>(ctx, 24), s3 = <u64>load<u32>(ctx, 28), s4 = <u64>load<u32>(ctx, 32);
  let h0 = load<u32>(ctx, 40), h1 = load<u32>(ctx, 44), h2 = load<u32>(ctx, 48), h3 = load<u32>(ctx, 52), h4 = load<u32>(ctx, 56);
  for (let n: usize = 0; n < count; n++, m += 16) {
    const m0 = load<u32>(m), m1 = load<u32>(m, 4), m2 = load<u32>(m, 8), m3 = load<u32>(m, 12);
    h0 += m0 & M26;
    h1 += ((m0 >>> 26) | (m1 << 6)) & M26;
    h2 += ((m1 >>> 20) | (m2 << 12)) & M26;
    h3 += ((m2 >>> 14) | (m3 << 18)) & M26;
    h4 += (m3 >>> 8) | hibit;
    // Limb i of h·r, with 2^130 ≡ 5 folding the high limbs back (the s = 5r terms).
    const d0 = <u64>h0 * r0 + <u64>h1 * s4 + <u64>h2 * s3 + <u64>h3 * s2 + <u64>h4 * s1;
    let d1 = <u64>h0 * r1 + <u64>h1 * r0 + <u64>h2 * s4 + <u64>h3 * s3 + <u64>h4 * s2;
    let d2 = <u64>h0 * r2 + <u64>h1 * r1 + <u64>h2 * r0 + <u64>h3 * s4 + <u64>h4 * s3;
    let d3 = <u64>h0 * r3 + <u64>h1 * r2 + <u64>h2 * r1 + <u64>h3 * r0 + <u64>h4 * s4;
    let d4 = <u64>h0 * r4 + <u64>h1 * r3 + <u64>h2 * r2 + <u64>h3 * r1 + <u64>h4 * r0;
    d1 += d0 >> 26; h0 = <u32>d0 & M26;
    d2 += d1 >> 26; h1 = <u32>d1 & M26;
    d3 += d2 >> 26; h2 = <u32>d2 & M26;
    d4 += d3 >> 26; h3 = <u32>d3 & M26;
    h0 += <u32>(d4 >> 26) * 5; h4 = <u32>d4 & M26;
    h1 += h0 >>> 26; h0 &= M26;
  }
  store<u32>(ctx, h0, 40); store<u32>(ctx, h1, 44); store<u32>(ctx, h2, 48); store<u32>(ctx, h3, 52); store<u32>(ctx, h4, 56);
}

// ---- Four blocks per carry chain -----------------------------------------------------------------
// (((h + m1)·r + m2)·r + m3)·r + m4)·r = (h + m1)·r⁴ + m2·r³ + m3·r² + m4·r: the same 25 products
// a block, but one carry chain per four blocks instead of four, and four independent sets of
// products instead of one chain through them. The serial loop above is bound by that chain on a
// core that issues more than one 64-bit multiply per cycle (the AMD EPYC of docs/engine.md: above 2).
// Bounds (an interval analysis over any mix of serial and four-block steps, largest clamped r and
// message limbs): after a carry h's limbs are below 2^26 + 110, a block's below 2^26 (limb 4: 2^25),
// a power's below 2^26 + 25 (5·limb < 2^28.33); so a product is below 2^55.4, a column of twenty
// with its carry-in below 2^58.5, and the carry out of limb 4 below 2^30.5 (5 times that needs 64 bits).

/** Bits 26i to 26i + 25 of the 16-byte block at m, i < 4 (wasm loads need no alignment). */
@inline function limb(m: usize, i: i32): u64 {
  return <u64>((load<u32>(m + <usize>((26 * i) >> 3)) >>> <u32>((26 * i) & 7)) & M26);
}
/** Bits 104-127 plus 2^128 (a full block's 1 byte). */
@inline function limb4(m: usize): u64 {
  return <u64>((load<u32>(m, 12) >>> 8) | (1 << 24));
}

// Column k of x · P for a power P stored at p in r's layout: limbs at p, 5·limbs 1-4 at p + 20.
@inline function L(p: usize, i: usize): u64 { return <u64>load<u32>(p + (i << 2)); }
@inline function S(p: usize, i: usize): u64 { return <u64>load<u32>(p + 16 + (i << 2)); }
@inline function col0(p: usize, x0: u64, x1: u64, x2: u64, x3: u64, x4: u64): u64 { return x0 * L(p, 0) + x1 * S(p, 4) + x2 * S(p, 3) + x3 * S(p, 2) + x4 * S(p, 1); }
@inline function col1(p: usize, x0: u64, x1: u64, x2: u64, x3: u64, x4: u64): u64 { return x0 * L(p, 1) + x1 * L(p, 0) + x2 * S(p, 4) + x3 * S(p, 3) + x4 * S(p, 2); }
@inline function col2(p: usize, x0: u64, x1: u64, x2: u64, x3: u64, x4: u64): u64 { return x0 * L(p, 2) + x1 * L(p, 1) + x2 * L(p, 0) + x3 * S(p, 4) + x4 * S(p, 3); }
@inline function col3(p: usize, x0: u64, x1: u64, x2: u64, x3: u64, x4: u64): u64 { return x0 * L(p, 3) + x1 * L(p, 2) + x2 * L(p, 1) + x3 * L(p, 0) + x4 * S(p, 4); }
@inline function col4(p: usize, x0: u64, x1: u64, x2: u64, x3: u64, x4: u64): u64 { return x0 * L(p, 4) + x1 * L(p, 3) + x2 * L(p, 2) + x3 * L(p, 1) + x4 * L(p, 0); }

/** dst = a · b (mod 2^130 - 5) in r's layout (limbs, then 5·limbs 1-4), for the powers of r. */
function mulPower(dst: usize, a: usize, b: usize): void {
  const x0 = L(a, 0), x1 = L(a, 1), x2 = L(a, 2), x3 = L(a, 3), x4 = L(a, 4);
  const d0 = col0(b, x0, x1, x2, x3, x4);
  let d1 = col1(b, x0, x1, x2, x3, x4), d2 = col2(b, x0, x1, x2, x3, x4), d3 = col3(b, x0, x1, x2, x3, x4), d4 = col4(b, x0, x1, x2, x3, x4);
  d1 += d0 >> 26; d2 += d1 >> 26; d3 += d2 >> 26; d4 += d3 >> 26;
  let h0 = (d0 & M26) + (d4 >> 26) * 5;
  const h1 = (d1 & M26) + (h0 >> 26); h0 &= M26;
  const h2 = d2 & M26, h3 = d3 & M26, h4 = d4 & M26;
  store<u32>(dst, <u32>h0); store<u32>(dst, <u32>h1, 4); store<u32>(dst, <u32>h2, 8); store<u32>(dst, <u32>h3, 12); store<u32>(dst, <u32>h4, 16);
  store<u32>(dst, <u32>(h1 * 5), 20); store<u32>(dst, <u32>(h2 * 5), 24); store<u32>(dst, <u32>(h3 * 5), 28); store<u32>(dst, <u32>(h4 * 5), 32);
}

/** Wipes r², r³, r⁴ and the flag if they were computed (with the flag clear, nothing of a key is there). */
@inline function wipePowers(ctx: usize): void {
  if (load<u32>(ctx, POWERS_READY)) wipe(ctx + POW2, POLY1305_CTX - POW2);
}

/** r², r³, r⁴ into the context, once per key (public lengths decide whether they are needed). */
function preparePowers(ctx: usize): void {
  if (load<u32>(ctx, POWERS_READY)) return;
  mulPower(ctx + POW2, ctx, ctx);
  mulPower(ctx + POW3, ctx + POW2, ctx);
  mulPower(ctx + POW4, ctx + POW2, ctx + POW2);
  store<u32>(ctx, 1, POWERS_READY);
}

// The column sums pass through memory between the four products: written as one expression, V8
// (11.3) loads all 80 limbs of a group at its top and spills them (500 stack accesses; 45 % slower
// than the serial loop); the stores keep each product's loads next to it. D is secret: wiped after.
const D: usize = memory.data(40, 16);

/** D = x · P (`first`) or D += x · P. */
@inline function accumulate(p: usize, x0: u64, x1: u64, x2: u64, x3: u64, x4: u64, first: bool): void {
  if (first) {
    store<u64>(D, col0(p, x0, x1, x2, x3, x4)); store<u64>(D, col1(p, x0, x1, x2, x3, x4), 8);
    store<u64>(D, col2(p, x0, x1, x2, x3, x4), 16); store<u64>(D, col3(p, x0, x1, x2, x3, x4), 24);
    store<u64>(D, col4(p, x0, x1, x2, x3, x4), 32);
  } else {
    store<u64>(D, load<u64>(D) + col0(p, x0, x1, x2, x3, x4)); store<u64>(D, load<u64>(D, 8) + col1(p, x0, x1, x2, x3, x4), 8);
    store<u64>(D, load<u64>(D, 16) + col2(p, x0, x1, x2, x3, x4), 16); store<u64>(D, load<u64>(D, 24) + col3(p, x0, x1, x2, x3, x4), 24);
    store<u64>(D, load<u64>(D, 32) + col4(p, x0, x1, x2, x3, x4), 32);
  }
}

@inline function accumulateBlock(p: usize, b: usize): void {
  accumulate(p, limb(b, 0), limb(b, 1), limb(b, 2), limb(b, 3), limb4(b), false);
}

/** `groups` groups of four full blocks from m. */
function blocksFour(ctx: usize, m: usize, groups: usize): void {
  preparePowers(ctx);
  let h0 = L(ctx, 10), h1 = L(ctx, 11), h2 = L(ctx, 12), h3 = L(ctx, 13), h4 = L(ctx, 14);
  for (let g: usize = 0; g < groups; g++, m += 64) {
    accumulate(ctx + POW4, h0 + limb(m, 0), h1 + limb(m, 1), h2 + limb(m, 2), h3 + limb(m, 3), h4 + limb4(m), true);
    accumulateBlock(ctx + POW3, m + 16);
    accumulateBlock(ctx + POW2, m + 32);
    accumulateBlock(ctx, m + 48);
    const d0 = load<u64>(D);
    let d1 = load<u64>(D, 8), d2 = load<u64>(D, 16), d3 = load<u64>(D, 24), d4 = load<u64>(D, 32);
    d1 += d0 >> 26; d2 += d1 >> 26; d3 += d2 >> 26; d4 += d3 >> 26;
    h0 = (d0 & M26) + (d4 >> 26) * 5;
    h1 = (d1 & M26) + (h0 >> 26); h0 &= M26;
    h2 = d2 & M26; h3 = d3 & M26; h4 = d4 & M26;
  }
  store<u32>(ctx, <u32>h0, 40); store<u32>(ctx, <u32>h1, 44); store<u32>(ctx, <u32>h2, 48); store<u32>(ctx, <u32>h3, 52); store<u32>(ctx, <u32>h4, 56);
  wipe(D, 40);
}

// Below 32 blocks computing the powers (three multiplications) costs more than the four-block loop
// saves (A/B in one process, AMD EPYC, four-block path vs serial: 128 bytes 27 % slower, 512 bytes
// 6 % faster, 1 KiB 15 %, 16 KiB 20 %).
const FOUR_FROM: usize = 32;

/** Full blocks; four at a time from FOUR_FROM on, or once the powers exist (the padded final block, hibit 0, is one). */
function blocks(ctx: usize, m: usize, count: usize, hibit: u32): void {
  if (hibit != 0 && (count >= FOUR_FROM || (count >= 4 && load<u32>(ctx, POWERS_READY)))) {
    blocksFour(ctx, m, count >> 2);
    m += (count & ~3) << 4;
    count &= 3;
  }
  if (count != 0) blocksSerial(ctx, m, count, hibit);
}

export function poly1305Update(ctx: usize, m: usize, len: usize): void {
  const buf = ctx + 80;
  let fill = <usize>load<u32>(ctx, 76);
  if (fill != 0) {
    const take = min<usize>(16 - fill, len);
    for (let i: usize = 0; i < take; i++) store<u8>(buf + fill + i, load<u8>(m + i));
    fill += take; m += take; len -= take;
    if (fill < 16) {
      store<u32>(ctx, <u32>fill, 76);
      return;
    }
    blocks(ctx, buf, 1, 1 << 24);
    fill = 0;
  }
  const full = len >> 4;
  if (full != 0) blocks(ctx, m, full, 1 << 24);
  m += full << 4;
  len &= 15;
  for (let i: usize = 0; i < len; i++) store<u8>(buf + i, load<u8>(m + i));
  store<u32>(ctx, <u32>len, 76);
}

/** Zero-pads the buffered bytes to a 16-byte block (the pad16 of the AEAD construction, §2.8). */
export function poly1305Pad16(ctx: usize): void {
  const fill = <usize>load<u32>(ctx, 76);
  if (fill == 0) return;
  wipe(ctx + 80 + fill, 16 - fill);
  blocks(ctx, ctx + 80, 1, 1 << 24);
  store<u32>(ctx, 0, 76);
}

/** Writes the 16-byte tag and wipes the context (the powers only if they were computed: short messages stay cheap). */
export function poly1305Finish(ctx: usize, tag: usize): void {
  const fill = <usize>load<u32>(ctx, 76);
  if (fill != 0) {
    // §2.5.1: the final partial block gets a 1 byte appended instead of the 2^128 bit.
    store<u8>(ctx + 80 + fill, 1);
    wipe(ctx + 81 + fill, 15 - fill);
    blocks(ctx, ctx + 80, 1, 0);
  }
  let h0 = load<u32>(ctx, 40), h1 = load<u32>(ctx, 44), h2 = load<u32>(ctx, 48), h3 = load<u32>(ctx, 52), h4 = load<u32>(ctx, 56);
  // full carry
  h2 += h1 >>> 26; h1 &= M26;
  h3 += h2 >>> 26; h2 &= M26;
  h4 += h3 >>> 26; h3 &= M26;
  h0 += (h4 >>> 26) * 5; h4 &= M26;
  h1 += h0 >>> 26; h0 &= M26;
  // g = h + 5 - 2^130; keep g if it did not borrow (h >= p), else h — selected by mask
  let g0 = h0 + 5; let c = g0 >>> 26; g0 &= M26;
  let g1 = h1 + c; c = g1 >>> 26; g1 &= M26;
  let g2 = h2 + c; c = g2 >>> 26; g2 &= M26;
  let g3 = h3 + c; c = g3 >>> 26; g3 &= M26;
  const g4 = h4 + c - (1 << 26);
  const useG = (g4 >>> 31) - 1; // all ones when g4 did not go negative
  h0 = (h0 & ~useG) | (g0 & useG);
  h1 = (h1 & ~useG) | (g1 & useG);
  h2 = (h2 & ~useG) | (g2 & useG);
  h3 = (h3 & ~useG) | (g3 & useG);
  h4 = (h4 & ~useG) | (g4 & useG);
  // h mod 2^128, plus s
  const w0 = <u64>(h0 | (h1 << 26));
  const w1 = <u64>((h1 >>> 6) | (h2 << 20));
  const w2 = <u64>((h2 >>> 12) | (h3 << 14));
  const w3 = <u64>((h3 >>> 18) | (h4 << 8));
  let f: u64 = w0 + <u64>load<u32>(ctx, 60); store<u32>(tag, <u32>f);
  f = w1 + <u64>load<u32>(ctx, 64) + (f >> 32); store<u32>(tag, <u32>f, 4);
  f = w2 + <u64>load<u32>(ctx, 68) + (f >> 32); store<u32>(tag, <u32>f, 8);
  f = w3 + <u64>load<u32>(ctx, 72) + (f >> 32); store<u32>(tag, <u32>f, 12);
  wipePowers(ctx);
  wipe(ctx, POW2);
}
