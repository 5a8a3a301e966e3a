// AES-128/192/256, bitsliced, for the scalar build: constant time by construction (only AND, XOR,
// NOT, shifts and rotations, no table lookups), four blocks per call.
//
// Layout. Four blocks (64 bytes) become eight u64 "planes": plane b holds bit b of every byte, and
// the byte in row r, column c of block k sits at bit p = 16r + 4c + k. Rows are then 16-bit groups,
// so MixColumns reaches row r+1 by rotating a plane 16 bits, and ShiftRows rotates each 16-bit
// group by a multiple of 4 bits. Getting there: the 64 bytes are permuted so that a word/bit
// transposition of eight u64 words (swapmove at distances 1, 2, 4) lands every bit on its p.
//
// SubBytes is the Boyar–Peralta circuit ("A new combinational logic minimization technique with
// applications to cryptology", eprint 2009/191): 32 AND, 77 XOR, 4 XNOR. InvSubBytes runs it
// between two inverse affine maps: InvS(y) = A⁻¹(S(A⁻¹(y) ^ 0x05)) ^ 0x05.
//
// Key state (AES_BITSLICED_KEY bytes): [0, 4) rounds; [64, …) round keys, 8 planes each, every
// round key bitsliced with four copies of itself.

import { wipe } from '../runtime/bytes';

export const AES_BITSLICED_KEY: usize = 64 + 15 * 64;
const KEYS: usize = 64;

// Planes live in these globals between the inline steps of a round; V8 keeps wasm globals in
// memory, so the hot paths below copy them into locals once per call.
const Q: usize = memory.data(64, 16);
const PERMUTED: usize = memory.data(64, 16);

/** Slot of input byte n (= 16 k + 4 c + r) before the transposition: 8 (p mod 8) + p / 8. */
const SLOT: usize = memory.data<u8>([
  0, 2, 4, 6, 32, 34, 36, 38, 1, 3, 5, 7, 33, 35, 37, 39,
  8, 10, 12, 14, 40, 42, 44, 46, 9, 11, 13, 15, 41, 43, 45, 47,
  16, 18, 20, 22, 48, 50, 52, 54, 17, 19, 21, 23, 49, 51, 53, 55,
  24, 26, 28, 30, 56, 58, 60, 62, 25, 27, 29, 31, 57, 59, 61, 63,
]);

/**
 * Exchanges the bits of word `lo` whose bit-in-byte index has bit `shift` set with the bits of word
 * `hi` (= lo + shift) where it is clear: one step of the (word, bit) transposition.
 */
@inline function swapmove(lo: usize, hi: usize, mask: u64, shift: u64): void {
  const x = load<u64>(Q + (lo << 3)), y = load<u64>(Q + (hi << 3));
  const t = ((x >> shift) ^ y) & mask;
  store<u64>(Q + (hi << 3), y ^ t);
  store<u64>(Q + (lo << 3), x ^ (t << shift));
}

/** Transposes (word index, bit-in-byte index) of the eight words in Q. Its own inverse. */
function transpose(): void {
  swapmove(0, 1, 0x5555555555555555, 1); swapmove(2, 3, 0x5555555555555555, 1);
  swapmove(4, 5, 0x5555555555555555, 1); swapmove(6, 7, 0x5555555555555555, 1);
  swapmove(0, 2, 0x3333333333333333, 2); swapmove(1, 3, 0x3333333333333333, 2);
  swapmove(4, 6, 0x3333333333333333, 2); swapmove(5, 7, 0x3333333333333333, 2);
  swapmove(0, 4, 0x0f0f0f0f0f0f0f0f, 4); swapmove(1, 5, 0x0f0f0f0f0f0f0f0f, 4);
  swapmove(2, 6, 0x0f0f0f0f0f0f0f0f, 4); swapmove(3, 7, 0x0f0f0f0f0f0f0f0f, 4);
}

/** 64 bytes at `src` → planes in Q. */
function bitslice(src: usize): void {
  for (let n: usize = 0; n < 64; n++) store<u8>(PERMUTED + <usize>load<u8>(SLOT + n), load<u8>(src + n));
  for (let i: usize = 0; i < 64; i += 8) store<u64>(Q + i, load<u64>(PERMUTED + i));
  transpose();
}

/** Planes in Q → 64 bytes at `dst`. */
function unbitslice(dst: usize): void {
  transpose();
  for (let i: usize = 0; i < 64; i += 8) store<u64>(PERMUTED + i, load<u64>(Q + i));
  for (let n: usize = 0; n < 64; n++) store<u8>(dst + n, load<u8>(PERMUTED + <usize>load<u8>(SLOT + n)));
  wipe(PERMUTED, 64);
}

/** The S-box on every byte of Q (Boyar–Peralta; x0 is bit 7, s7 bit 0). */
function subBytes(): void {
  const x0 = load<u64>(Q, 56), x1 = load<u64>(Q, 48), x2 = load<u64>(Q, 40), x3 = load<u64>(Q, 32);
  const x4 = load<u64>(Q, 24), x5 = load<u64>(Q, 16), x6 = load<u64>(Q, 8), x7 = load<u64>(Q);
  // top linear layer
  const y14 = x3 ^ x5, y13 = x0 ^ x6, y9 = x0 ^ x3, y8 = x0 ^ x5, t0 = x1 ^ x2;
  const y1 = t0 ^ x7, y4 = y1 ^ x3, y12 = y13 ^ y14, y2 = y1 ^ x0, y5 = y1 ^ x6, y3 = y5 ^ y8;
  const t1 = x4 ^ y12, y15 = t1 ^ x5, y20 = t1 ^ x1, y6 = y15 ^ x7, y10 = y15 ^ t0, y11 = y20 ^ y9;
  const y7 = x7 ^ y11, y17 = y10 ^ y11, y19 = y10 ^ y8, y16 = t0 ^ y11, y21 = y13 ^ y16, y18 = x0 ^ y16;
  // nonlinear middle (inversion in GF(2^4)^2)
  const t2 = y12 & y15, t3 = y3 & y6, t4 = t3 ^ t2, t5 = y4 & x7, t6 = t5 ^ t2, t7 = y13 & y16;
  const t8 = y5 & y1, t9 = t8 ^ t7, t10 = y2 & y7, t11 = t10 ^ t7, t12 = y9 & y11, t13 = y14 & y17;
  const t14 = t13 ^ t12, t15 = y8 & y10, t16 = t15 ^ t12, t17 = t4 ^ t14, t18 = t6 ^ t16, t19 = t9 ^ t14;
  const t20 = t11 ^ t16, t21 = t17 ^ y20, t22 = t18 ^ y19, t23 = t19 ^ y21, t24 = t20 ^ y18;
  const t25 = t21 ^ t22, t26 = t21 & t23, t27 = t24 ^ t26, t28 = t25 & t27, t29 = t28 ^ t22;
  const t30 = t23 ^ t24, t31 = t22 ^ t26, t32 = t31 & t30, t33 = t32 ^ t24, t34 = t23 ^ t33;
  const t35 = t27 ^ t33, t36 = t24 & t35, t37 = t36 ^ t34, t38 = t27 ^ t36, t39 = t29 & t38, t40 = t25 ^ t39;
  const t41 = t40 ^ t37, t42 = t29 ^ t33, t43 = t29 ^ t40, t44 = t33 ^ t37, t45 = t42 ^ t41;
  const z0 = t44 & y15, z1 = t37 & y6, z2 = t33 & x7, z3 = t43 & y16, z4 = t40 & y1, z5 = t29 & y7;
  const z6 = t42 & y11, z7 = t45 & y17, z8 = t41 & y10, z9 = t44 & y12, z10 = t37 & y3, z11 = t33 & y4;
  const z12 = t43 & y13, z13 = t40 & y5, z14 = t29 & y2, z15 = t42 & y9, z16 = t45 & y14, z17 = t41 & y8;
  // bottom linear layer
  const t46 = z15 ^ z16, t47 = z10 ^ z11, t48 = z5 ^ z13, t49 = z9 ^ z10, t50 = z2 ^ z12, t51 = z2 ^ z5;
  const t52 = z7 ^ z8, t53 = z0 ^ z3, t54 = z6 ^ z7, t55 = z16 ^ z17, t56 = z12 ^ t48, t57 = t50 ^ t53;
  const t58 = z4 ^ t46, t59 = z3 ^ t54, t60 = t46 ^ t57, t61 = z14 ^ t57, t62 = t52 ^ t58, t63 = t49 ^ t58;
  const t64 = z4 ^ t59, t65 = t61 ^ t62, t66 = z1 ^ t63, t67 = t64 ^ t65;
  const s3 = t53 ^ t66;
  store<u64>(Q, t59 ^ t63, 56); // s0
  store<u64>(Q, t64 ^ ~s3, 48); // s1
  store<u64>(Q, t55 ^ ~t67, 40); // s2
  store<u64>(Q, s3, 32);
  store<u64>(Q, t51 ^ t66, 24); // s4
  store<u64>(Q, t47 ^ t65, 16); // s5
  store<u64>(Q, t56 ^ ~t62, 8); // s6
  store<u64>(Q, t48 ^ ~t60); // s7
}

/** All ones if bit `bit` of the (public) constant c is set. */
@inline function constantPlane(c: u32, bit: u32): u64 {
  return 0 - <u64>((c >> bit) & 1);
}

/** y ↦ A⁻¹(y) on every byte of Q, plus an optional constant c: bit i = y(i+2) ^ y(i+5) ^ y(i+7) ^ c(i). */
function invAffine(c: u32): void {
  const y0 = load<u64>(Q), y1 = load<u64>(Q, 8), y2 = load<u64>(Q, 16), y3 = load<u64>(Q, 24);
  const y4 = load<u64>(Q, 32), y5 = load<u64>(Q, 40), y6 = load<u64>(Q, 48), y7 = load<u64>(Q, 56);
  store<u64>(Q, y2 ^ y5 ^ y7 ^ constantPlane(c, 0));
  store<u64>(Q, y3 ^ y6 ^ y0 ^ constantPlane(c, 1), 8);
  store<u64>(Q, y4 ^ y7 ^ y1 ^ constantPlane(c, 2), 16);
  store<u64>(Q, y5 ^ y0 ^ y2 ^ constantPlane(c, 3), 24);
  store<u64>(Q, y6 ^ y1 ^ y3 ^ constantPlane(c, 4), 32);
  store<u64>(Q, y7 ^ y2 ^ y4 ^ constantPlane(c, 5), 40);
  store<u64>(Q, y0 ^ y3 ^ y5 ^ constantPlane(c, 6), 48);
  store<u64>(Q, y1 ^ y4 ^ y6 ^ constantPlane(c, 7), 56);
}

function invSubBytes(): void {
  invAffine(0x05);
  subBytes();
  invAffine(0x05);
}

// Row r is bits 16r..16r+15; column c of it the nibble at 16r + 4c. ShiftRows moves column c+r
// of row r to column c: rotate row r's 16-bit group right by 4r bits.
@inline function shiftRowsPlane(x: u64): u64 {
  return (x & 0x000000000000ffff)
    | ((x >> 4) & 0x000000000fff0000) | ((x << 12) & 0x00000000f0000000)
    | ((x >> 8) & 0x000000ff00000000) | ((x << 8) & 0x0000ff0000000000)
    | ((x >> 12) & 0x000f000000000000) | ((x << 4) & 0xfff0000000000000);
}
@inline function invShiftRowsPlane(x: u64): u64 {
  return (x & 0x000000000000ffff)
    | ((x << 4) & 0x00000000fff00000) | ((x >> 12) & 0x00000000000f0000)
    | ((x << 8) & 0x0000ff0000000000) | ((x >> 8) & 0x000000ff00000000)
    | ((x << 12) & 0xf000000000000000) | ((x >> 4) & 0x0fff000000000000);
}

function shiftRows(inverse: bool): void {
  for (let i: usize = 0; i < 64; i += 8) {
    const x = load<u64>(Q + i);
    store<u64>(Q + i, inverse ? invShiftRowsPlane(x) : shiftRowsPlane(x));
  }
}

/**
 * MixColumns: out = 2a ^ 3a(r+1) ^ a(r+2) ^ a(r+3) = 2t ^ b ^ rot32(t) with b = rot16(a) (row r+1
 * at row r), t = a ^ b. Doubling moves plane i to i+1 and folds plane 7 into planes 0, 1, 3, 4 (0x1b).
 */
function mixColumns(): void {
  const a0 = load<u64>(Q), a1 = load<u64>(Q, 8), a2 = load<u64>(Q, 16), a3 = load<u64>(Q, 24);
  const a4 = load<u64>(Q, 32), a5 = load<u64>(Q, 40), a6 = load<u64>(Q, 48), a7 = load<u64>(Q, 56);
  const b0 = rotr<u64>(a0, 16), b1 = rotr<u64>(a1, 16), b2 = rotr<u64>(a2, 16), b3 = rotr<u64>(a3, 16);
  const b4 = rotr<u64>(a4, 16), b5 = rotr<u64>(a5, 16), b6 = rotr<u64>(a6, 16), b7 = rotr<u64>(a7, 16);
  const t0 = a0 ^ b0, t1 = a1 ^ b1, t2 = a2 ^ b2, t3 = a3 ^ b3, t4 = a4 ^ b4, t5 = a5 ^ b5, t6 = a6 ^ b6, t7 = a7 ^ b7;
  store<u64>(Q, t7 ^ b0 ^ rotr<u64>(t0, 32));
  store<u64>(Q, t0 ^ t7 ^ b1 ^ rotr<u64>(t1, 32), 8);
  store<u64>(Q, t1 ^ b2 ^ rotr<u64>(t2, 32), 16);
  store<u64>(Q, t2 ^ t7 ^ b3 ^ rotr<u64>(t3, 32), 24);
  store<u64>(Q, t3 ^ t7 ^ b4 ^ rotr<u64>(t4, 32), 32);
  store<u64>(Q, t4 ^ b5 ^ rotr<u64>(t5, 32), 40);
  store<u64>(Q, t5 ^ b6 ^ rotr<u64>(t6, 32), 48);
  store<u64>(Q, t6 ^ b7 ^ rotr<u64>(t7, 32), 56);
}

/** Doubles every byte of Q in GF(2^8). */
function double(): void {
  const a7 = load<u64>(Q, 56);
  store<u64>(Q, load<u64>(Q, 48), 56); store<u64>(Q, load<u64>(Q, 40), 48); store<u64>(Q, load<u64>(Q, 32), 40);
  store<u64>(Q, load<u64>(Q, 24) ^ a7, 32); store<u64>(Q, load<u64>(Q, 16) ^ a7, 24); store<u64>(Q, load<u64>(Q, 8), 16);
  store<u64>(Q, load<u64>(Q) ^ a7, 8); store<u64>(Q, a7);
}

const SAVED: usize = memory.data(64, 16);

/** InvMixColumns = MixColumns ∘ (a ↦ 5a ^ 4a(r+2)) (the factorisation of d(x) = c(x)(4x² + 5)). */
function invMixColumns(): void {
  for (let i: usize = 0; i < 64; i += 8) store<u64>(SAVED + i, load<u64>(Q + i));
  double();
  double(); // Q = 4a
  for (let i: usize = 0; i < 64; i += 8) {
    const four = load<u64>(Q + i);
    store<u64>(Q + i, four ^ load<u64>(SAVED + i) ^ rotr<u64>(four, 32));
  }
  mixColumns();
  wipe(SAVED, 64);
}

@inline function addRoundKey(key: usize): void {
  for (let i: usize = 0; i < 64; i += 8) store<u64>(Q + i, load<u64>(Q + i) ^ load<u64>(key + i));
}

/** Encrypts the four blocks at `src` (64 bytes) to `dst`; they may be equal. */
export function aesBitslicedEncrypt4(ks: usize, src: usize, dst: usize): void {
  const rounds = <usize>load<u32>(ks);
  bitslice(src);
  addRoundKey(ks + KEYS);
  for (let r: usize = 1; r < rounds; r++) {
    subBytes();
    shiftRows(false);
    mixColumns();
    addRoundKey(ks + KEYS + (r << 6));
  }
  subBytes();
  shiftRows(false);
  addRoundKey(ks + KEYS + (rounds << 6));
  unbitslice(dst);
  wipe(Q, 64);
}

/** Decrypts the four blocks at `src` to `dst` (the inverse cipher, FIPS-197 §5.3). */
export function aesBitslicedDecrypt4(ks: usize, src: usize, dst: usize): void {
  const rounds = <usize>load<u32>(ks);
  bitslice(src);
  addRoundKey(ks + KEYS + (rounds << 6));
  for (let r = rounds - 1; r > 0; r--) {
    shiftRows(true);
    invSubBytes();
    addRoundKey(ks + KEYS + (r << 6));
    invMixColumns();
  }
  shiftRows(true);
  invSubBytes();
  addRoundKey(ks + KEYS);
  unbitslice(dst);
  wipe(Q, 64);
}

const GROUP: usize = memory.data(64, 16);

/** The S-box on the four bytes of a word (bitsliced, like everything else here). */
export function aesBitslicedSubWord(w: u32): u32 {
  wipe(GROUP, 64);
  store<u32>(GROUP, w);
  bitslice(GROUP);
  subBytes();
  unbitslice(GROUP);
  wipe(Q, 64);
  const out = load<u32>(GROUP);
  wipe(GROUP, 64);
  return out;
}

/** Key state from the expanded key `w` (aes_key_expansion.ts): the round keys, bitsliced. */
export function aesBitslicedLoadKey(ks: usize, w: usize, rounds: usize): void {
  store<u32>(ks, <u32>rounds);
  for (let r: usize = 0; r <= rounds; r++) {
    for (let k: usize = 0; k < 64; k += 16) {
      store<u64>(GROUP + k, load<u64>(w + (r << 4)));
      store<u64>(GROUP + k + 8, load<u64>(w + (r << 4) + 8));
    }
    bitslice(GROUP);
    for (let i: usize = 0; i < 64; i += 8) store<u64>(ks + KEYS + (r << 6) + i, load<u64>(Q + i));
  }
  wipe(Q, 64);
  wipe(PERMUTED, 64);
  wipe(GROUP, 64);
}
