// Inversion modulo a 256-bit odd prime in constant time, by Bernstein and Yang's divsteps ("Fast
// constant-time gcd computation and modular inversion", TCHES 2019, eprint 2019/266), with the
// half-integer δ of libsecp256k1's analysis (doc/safegcd_implementation.md there): starting from
// δ = 1/2, 590 divsteps take any odd f and any g below 2^256 to g = 0, f = ±gcd(f, g). They run here
// in 20 batches of 30 (600). Used for P-256's p and n (p256/field.ts, p256/scalar.ts) and for
// 2^255 - 19 (fe25519.ts).
//
// Why not Fermat (x^(M - 2)): that is about 255 squarings and 11 to 50 multiplications (P-256 here:
// 8.7 µs mod p, 16 µs mod n). A divstep is a dozen 32-bit operations on the low words, and each batch
// of 30 is applied to the full values with 72 64-bit multiplications: about 3 µs in all.
//
// Representation: nine signed 30-bit limbs in i64 slots (limbs 0..7 in [0, 2^30), limb 8 signed),
// 270 bits. Invariants, for the input x and the modulus M: d·x ≡ f and e·x ≡ g (mod M), from f = M,
// g = x, d = 0, e = 1; each batch divides f and g by 2^30 exactly, and d and e by 2^30 mod M (adding
// the multiple of M that clears their low 30 bits). At the end g = 0 and f = ±1, so x^-1 = ±d. d and
// e are never reduced: a batch adds less than M to max(|d|, |e|), so after 20 |d| < 21·M < 2^261,
// and the callers' own reduction (a Montgomery multiplication, or ref10's carries) brings it back.
//
// Usage: load the value (canonical, in [0, M)) with a loader, divstepsInvert, read the result with a
// store, and wipe (divstepsWipe) with the caller's other scratch.
//
// Constant time: every loop has a fixed count and the divsteps use masks, not branches; no branch or
// address depends on the value inverted.

import { wipe } from '../runtime/bytes';

const M30: i64 = 0x3fffffff;
const M26: i64 = 0x3ffffff;

// A modulus: its nine 30-bit limbs, then -M^-1 mod 2^30.
/** P-256's p = 2^256 - 2^224 + 2^192 + 2^96 - 1; -p^-1 ≡ 1 (mod 2^30) since p ≡ -1 (mod 2^96). */
export const MOD_P256: usize = memory.data<i64>([1073741823, 1073741823, 1073741823, 63, 0, 0, 4096, 1073725440, 65535, 1], 8);
/** P-256's n, the order of G. */
export const MOD_P256_N: usize = memory.data<i64>([1013130577, 250030859, 830072911, 968797033, 1073741756, 1073741823, 4095, 1073725440, 65535, 771800143], 8);
/** 2^255 - 19. */
export const MOD_25519: usize = memory.data<i64>([1073741805, 1073741823, 1073741823, 1073741823, 1073741823, 1073741823, 1073741823, 1073741823, 32767, 678152731], 8);

const L: usize = 72;                            // nine i64 limbs
const SCRATCH_LEN: usize = 4 * L + 40;
const SCRATCH: usize = memory.data(<i32>SCRATCH_LEN, 8);
const F: usize = SCRATCH, G: usize = F + L, D: usize = G + L, E: usize = D + L;
const BYTES: usize = E + L;                     // 40 bytes: a little-endian value, zero-padded

/** Zeroes the divsteps' state (it is derived from the value inverted). */
export function divstepsWipe(): void {
  wipe(SCRATCH, SCRATCH_LEN);
}

@inline function limb(a: usize, i: usize): i64 { return load<i64>(a + (i << 3)); }

/** The value to invert, from ten plain 26-bit limbs (each in [0, 2^26), value below 2^256). */
export function divstepsLoadLimbs26(x: usize): void {
  let acc: i64 = 0, bits: i64 = 0, j: usize = 0;
  for (let i: usize = 0; i < 10; i++) {
    acc |= <i64>load<i32>(x + (i << 2)) << bits;
    bits += 26;
    if (bits >= 30 && j < 8) { store<i64>(G + (j << 3), acc & M30); acc >>= 30; bits -= 30; j++; }
  }
  store<i64>(G + 64, acc);
}

/** The value to invert, from 32 little-endian bytes (below 2^256). */
export function divstepsLoadBytes(s: usize): void {
  memory.copy(BYTES, s, 32);
  store<u64>(BYTES + 32, 0);
  for (let i: usize = 0; i < 9; i++) {
    const bit = i * 30;
    store<i64>(G + (i << 3), <i64>(load<u64>(BYTES + (bit >> 3)) >> <u64>(bit & 7)) & M30);
  }
}

/** The result as ten normalised 26-bit limbs (0..8 in [0, 2^26), limb 9 signed; |value| < 2^261). */
export function divstepsStoreLimbs26(h: usize): void {
  let acc: i64 = 0, bits: i64 = 0, j: usize = 0;
  for (let i: usize = 0; i < 9; i++) {
    acc |= limb(D, i) << bits;
    bits += 30;
    while (bits >= 26 && j < 9) { store<i32>(h + (j << 2), <i32>(acc & M26)); acc >>= 26; bits -= 26; j++; }
  }
  store<i32>(h + 36, <i32>acc);
}

/** The result as 40 little-endian bytes, two's complement (|value| < 2^261, sign-extended). */
export function divstepsStoreBytes(out: usize): void {
  let acc: i64 = 0, bits: i64 = 0, j: usize = 0;
  for (let i: usize = 0; i < 9; i++) {
    const x = limb(D, i);
    acc |= x << bits;
    if (bits + 30 >= 64) { store<i64>(out + (j << 3), acc); j++; acc = x >> (64 - bits); bits -= 34; }
    else bits += 30;
  }
  store<i64>(out + (j << 3), acc);
}

/** D = G^-1 mod M (0 for 0), normalised, |D| < 2^261, for the value G in [0, M) of a loader. */
export function divstepsInvert(mod: usize): void {
  for (let i: usize = 0; i < 9; i++) {
    store<i64>(F + (i << 3), limb(mod, i));
    store<i64>(D + (i << 3), 0);
    store<i64>(E + (i << 3), <i64>(i == 0));
  }
  let zeta: i32 = -1;                                   // ζ = -(δ + 1/2), δ = 1/2
  for (let batch = 0; batch < 20; batch++) {
    // 30 divsteps on the low words: 2^30·(f', g') = (u f + v g, q f + r g)
    let f = <i32>limb(F, 0), g = <i32>limb(G, 0);
    let u: i32 = 1, v: i32 = 0, q: i32 = 0, r: i32 = 1;
    for (let k = 0; k < 30; k++) {
      const c1 = zeta >> 31;                            // δ > 0
      const c2 = -(g & 1);                              // g odd
      // g += ±f where g is odd (-f where δ > 0); the rows likewise
      g += ((f ^ c1) - c1) & c2;
      q += ((u ^ c1) - c1) & c2;
      r += ((v ^ c1) - c1) & c2;
      // where δ > 0 and g was odd, f takes g's old value (f + (g - f)) and δ becomes 1 - δ
      const swap = c1 & c2;
      zeta = (zeta ^ swap) - 1;
      f += g & swap;
      u += q & swap;
      v += r & swap;
      // g is even now: halve it, and double the f row instead of dividing the g row
      g >>= 1;
      u <<= 1;
      v <<= 1;
    }
    applyMatrix(<i64>u, <i64>v, <i64>q, <i64>r, mod);
  }
  // x^-1 = d·sign(f), renormalised
  const sign = (limb(F, 8) >> 63) << 1 | 1;             // -1 or 1
  let c: i64 = 0;
  for (let i: usize = 0; i < 9; i++) {
    const x = limb(D, i) * sign + c;
    store<i64>(D + (i << 3), i < 8 ? x & M30 : x);
    c = x >> 30;
  }
}

/**
 * (f, g) = (u f + v g, q f + r g) / 2^30 exactly, and (d, e) = (u d + v e, q d + r e) / 2^30 mod M,
 * each with the multiple of M that clears its low 30 bits. |u| + |v| and |q| + |r| are at most
 * 2^30, so every column (three products below 2^60 and a carry) fits in an i64.
 */
function applyMatrix(u: i64, v: i64, q: i64, r: i64, mod: usize): void {
  const negInv = limb(mod, 9);
  const f0 = limb(F, 0), g0 = limb(G, 0), d0 = limb(D, 0), e0 = limb(E, 0), m0 = limb(mod, 0);
  let cf = u * f0 + v * g0, cg = q * f0 + r * g0;
  let cd = u * d0 + v * e0, ce = q * d0 + r * e0;
  const md = ((cd & M30) * negInv) & M30, me = ((ce & M30) * negInv) & M30;
  cd += md * m0; ce += me * m0;
  cf >>= 30; cg >>= 30; cd >>= 30; ce >>= 30;
  for (let i: usize = 1; i < 9; i++) {
    const fi = limb(F, i), gi = limb(G, i), di = limb(D, i), ei = limb(E, i), mi = limb(mod, i);
    cf += u * fi + v * gi; cg += q * fi + r * gi;
    cd += u * di + v * ei + md * mi; ce += q * di + r * ei + me * mi;
    const o = (i - 1) << 3;
    store<i64>(F + o, cf & M30); store<i64>(G + o, cg & M30);
    store<i64>(D + o, cd & M30); store<i64>(E + o, ce & M30);
    cf >>= 30; cg >>= 30; cd >>= 30; ce >>= 30;
  }
  store<i64>(F + 64, cf); store<i64>(G + 64, cg); store<i64>(D + 64, cd); store<i64>(E + 64, ce);
}
