// AES-128/192/256 by vector permutes (SIMD build): constant time without tables indexed by secret
// bytes in memory. Every S-box is computed for all 16 state bytes at once by nibble lookups with
// i8x16.swizzle (a byte shuffle whose timing does not depend on its indices) in a GF(16)-tower
// representation of the state; scripts/gen-aes-vperm.mjs derives the tables and explains the
// construction (after Hamburg, CHES 2009). ShiftRows and the column rotations of MixColumns are
// constant byte shuffles. One block takes the round chain's latency; the 4-block functions run four
// independent chains so the core overlaps them (CTR, GCM, and many-block IGE-free modes).
//
// Key state (AES_VPERM_KEY bytes): [0, 4) rounds; [16, 256) encryption round keys; [256, 496)
// decryption round keys (equivalent inverse cipher, FIPS-197 §5.3.5), each in its cipher encoding
// with the affine constants folded in.

import {
  DB9, DBB, DBD, DBE, DBO, DEC_IN, ENC_IN, INV, SB1, SB2, SBO, T_OVER_K, TOWER_05, TOWER_63,
} from './aes_vperm_tables';
import { wipe } from '../runtime/bytes';

export const AES_VPERM_KEY: usize = 512;
const ENC: usize = 16;
const DEC: usize = 256;

// The byte shuffle of every lookup and permutation. Its indices are always in [0, 15] (nibbles,
// permutation masks) or [128, 143] (the INV and T_OVER_K tables' 0x80, "infinity", possibly XORed
// with a nibble), and for those two ranges i8x16.relaxed_swizzle is defined to equal i8x16.swizzle:
// the lane, or 0. The relaxed-SIMD build uses it because V8 lowers it to one vpshufb, while a
// strict swizzle first saturates its indices with vpaddusb, on the round's critical path.
@inline function shuffle(x: v128, idx: v128): v128 {
  return ASC_FEATURE_RELAXED_SIMD ? i8x16.relaxed_swizzle(x, idx) : i8x16.swizzle(x, idx);
}
@inline function swz(table: usize, idx: v128): v128 {
  return shuffle(v128.load(table), idx);
}
@inline function swzHi(table: usize, idx: v128): v128 {
  return shuffle(v128.load(table, 16), idx);
}

// Nibbles of every byte. The high one shifts 16-bit lanes and masks: V8 lowers i8x16.shr_u to the
// same shift plus a mask it rebuilds at every use, while this mask is one constant it keeps.
@inline function lo(x: v128): v128 { return v128.and(x, i8x16.splat(15)); }
@inline function hi(x: v128): v128 { return v128.and(i16x8.shr_u(x, 4), i8x16.splat(15)); }

/** A GF(2)-linear byte map given as (low nibble, high nibble) tables. */
@inline function linear(table: usize, x: v128): v128 {
  return v128.xor(swz(table, lo(x)), swzHi(table, hi(x)));
}

// Byte b of the state is row b % 4 of column b / 4, so a column is one 32-bit lane and rotating a
// column's rows (rot_k: row r takes row r + k) is rotating the lane.
@inline function rot1(x: v128): v128 { return v128.or(i32x4.shr_u(x, 8), i32x4.shl(x, 24)); }
@inline function rot2(x: v128): v128 { return i8x16.shuffle(x, x, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13); }
@inline function rot3(x: v128): v128 { return v128.or(i32x4.shl(x, 8), i32x4.shr_u(x, 24)); }

// ShiftRows is folded into MixColumns: MC(SR(s)) = P0(2s) ^ P1(2s) ^ P1(s) ^ P2(s) ^ P3(s) with
// P_k = rot_k ∘ SR, each a single byte permutation. The permutations are independent of each other,
// so the round's critical path no longer waits for ShiftRows. Likewise InvMixColumns ∘ InvShiftRows
// with Q_k = rot_k ∘ InvSR. The masks are swizzle indices (V8 rebuilds an i8x16.shuffle's mask at
// every use; a swizzle reads it from a register).
const P: usize = memory.data<u8>([
  0, 5, 10, 15, 4, 9, 14, 3, 8, 13, 2, 7, 12, 1, 6, 11,
  5, 10, 15, 0, 9, 14, 3, 4, 13, 2, 7, 8, 1, 6, 11, 12,
  10, 15, 0, 5, 14, 3, 4, 9, 2, 7, 8, 13, 6, 11, 12, 1,
  15, 0, 5, 10, 3, 4, 9, 14, 7, 8, 13, 2, 11, 12, 1, 6,
], 16);
const Q: usize = memory.data<u8>([
  0, 13, 10, 7, 4, 1, 14, 11, 8, 5, 2, 15, 12, 9, 6, 3,
  13, 10, 7, 0, 1, 14, 11, 4, 5, 2, 15, 8, 9, 6, 3, 12,
  10, 7, 0, 13, 14, 11, 4, 1, 2, 15, 8, 5, 6, 3, 12, 9,
  7, 0, 13, 10, 11, 4, 1, 14, 15, 8, 5, 2, 3, 12, 9, 6,
], 16);
@inline function perm(masks: usize, k: usize, x: v128): v128 {
  return shuffle(x, v128.load(masks + (k << 4)));
}

// The two indices of the inversion (see the generator): io = 1/(1/i + t/k) + j, jo = 1/(1/j + t/k) + i.
// Lookups by io and jo then give any linear function of the inverse: out(T) = T_lo[io] ^ T_hi[jo].
// Both are computed where they are used so that everything stays in registers; Binaryen's CSE
// shares their common subexpressions (i, j, t/k).
@inline function tOverK(x: v128): v128 {
  return swz(T_OVER_K, v128.xor(hi(x), lo(x)));
}
@inline function ioOf(x: v128): v128 {
  return v128.xor(swz(INV, v128.xor(swz(INV, hi(x)), tOverK(x))), lo(x));
}
@inline function joOf(x: v128): v128 {
  return v128.xor(swz(INV, v128.xor(swz(INV, lo(x)), tOverK(x))), hi(x));
}
@inline function out(table: usize, io: v128, jo: v128): v128 {
  return v128.xor(swz(table, io), swzHi(table, jo));
}

/** One middle encryption round: SubBytes, ShiftRows, MixColumns, AddRoundKey. */
@inline function encRound(x: v128, key: usize): v128 {
  const io = ioOf(x), jo = joOf(x);
  const s = out(SB1, io, jo);
  const s2 = out(SB2, io, jo);
  const t = v128.xor(perm(P, 0, s2), v128.load(key));
  return v128.xor(v128.xor(t, perm(P, 1, v128.xor(s2, s))), v128.xor(perm(P, 2, s), perm(P, 3, s)));
}
@inline function encLast(x: v128, key: usize): v128 {
  return v128.xor(perm(P, 0, out(SBO, ioOf(x), joOf(x))), v128.load(key));
}
@inline function encFirst(block: v128, ks: usize): v128 {
  return v128.xor(linear(ENC_IN, block), v128.load(ks + ENC));
}

/** One middle decryption round: InvShiftRows, InvSubBytes, InvMixColumns, AddRoundKey. */
@inline function decRound(x: v128, key: usize): v128 {
  const io = ioOf(x), jo = joOf(x);
  // InvMixColumns(InvShiftRows(v)): 14·v, 11·v, 13·v, 9·v through Q0..Q3
  const a = v128.xor(perm(Q, 0, out(DBE, io, jo)), v128.load(key));
  return v128.xor(v128.xor(a, perm(Q, 1, out(DBB, io, jo))), v128.xor(perm(Q, 2, out(DBD, io, jo)), perm(Q, 3, out(DB9, io, jo))));
}
@inline function decLast(x: v128, key: usize): v128 {
  return v128.xor(perm(Q, 0, out(DBO, ioOf(x), joOf(x))), v128.load(key));
}
@inline function decFirst(block: v128, ks: usize): v128 {
  return v128.xor(linear(DEC_IN, block), v128.load(ks + DEC));
}

@inline export function aesVpermEncrypt(ks: usize, block: v128): v128 {
  const rounds = <usize>load<u32>(ks);
  let x = encFirst(block, ks);
  let key = ks + ENC + 16;
  for (const end = ks + ENC + (rounds << 4); key < end; key += 16) x = encRound(x, key);
  return encLast(x, key);
}

@inline export function aesVpermDecrypt(ks: usize, block: v128): v128 {
  const rounds = <usize>load<u32>(ks);
  let x = decFirst(block, ks);
  let key = ks + DEC + 16;
  for (const end = ks + DEC + (rounds << 4); key < end; key += 16) x = decRound(x, key);
  return decLast(x, key);
}

/** Four independent blocks (64 bytes, src → dst, may alias): the same rounds, interleaved. */
export function aesVpermEncrypt4(ks: usize, src: usize, dst: usize): void {
  const rounds = <usize>load<u32>(ks);
  let x0 = encFirst(v128.load(src), ks), x1 = encFirst(v128.load(src, 16), ks);
  let x2 = encFirst(v128.load(src, 32), ks), x3 = encFirst(v128.load(src, 48), ks);
  let key = ks + ENC + 16;
  for (const end = ks + ENC + (rounds << 4); key < end; key += 16) {
    x0 = encRound(x0, key); x1 = encRound(x1, key); x2 = encRound(x2, key); x3 = encRound(x3, key);
  }
  v128.store(dst, encLast(x0, key)); v128.store(dst, encLast(x1, key), 16);
  v128.store(dst, encLast(x2, key), 32); v128.store(dst, encLast(x3, key), 48);
}

// ---- key schedule (FIPS-197 §5.2), constant time: SubWord is the same swizzle S-box -------------

/** The AES S-box on all 16 bytes. */
@inline function subBytes(x: v128): v128 {
  const y = linear(ENC_IN, x);
  return v128.xor(out(SBO, ioOf(y), joOf(y)), i8x16.splat(0x63));
}

/** GF(2^8) doubling of every byte, by mask instead of branch. */
@inline function xtime(x: v128): v128 {
  return v128.xor(i8x16.shl(x, 1), v128.and(i8x16.lt_s(x, i8x16.splat(0)), i8x16.splat(0x1b)));
}

@inline function invMixColumns(x: v128): v128 {
  const x2 = xtime(x), x4 = xtime(x2), x8 = xtime(x4);
  const x9 = v128.xor(x8, x), x11 = v128.xor(x9, x2), x13 = v128.xor(x9, x4), x14 = v128.xor(v128.xor(x8, x4), x2);
  return v128.xor(v128.xor(x14, rot1(x11)), v128.xor(rot2(x13), rot3(x9)));
}

/** The S-box on the four bytes of a word. */
export function aesVpermSubWord(w: u32): u32 {
  return i32x4.extract_lane(subBytes(i32x4.splat(w)), 0);
}

/** Key state from the expanded key `w` (aes_key_expansion.ts): tower-field round keys for both directions. */
export function aesVpermLoadKey(ks: usize, w: usize, rounds: usize): void {
  store<u32>(ks, <u32>rounds);
  const c63 = i8x16.splat(TOWER_63);
  const c05 = i8x16.splat(TOWER_05);
  for (let r: usize = 0; r <= rounds; r++) {
    const k = v128.load(w + (r << 4));
    // encryption: tower(K0); tower(Kr) ^ tower(0x63) in the middle; Kr ^ 0x63 last
    const enc = r == 0 ? linear(ENC_IN, k) : r == rounds ? v128.xor(k, i8x16.splat(0x63)) : v128.xor(linear(ENC_IN, k), c63);
    v128.store(ks + ENC + (r << 4), enc);
    // decryption, rounds in reverse: D(K_Nr) ^ c05 first, D(InvMixColumns(Kr)) ^ c05, K0 last
    const d = rounds - r;
    const dec = r == rounds ? v128.xor(linear(DEC_IN, k), c05)
      : r == 0 ? k
      : v128.xor(linear(DEC_IN, invMixColumns(k)), c05);
    v128.store(ks + DEC + (d << 4), dec);
  }
}
