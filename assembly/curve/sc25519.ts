// Arithmetic modulo L = 2^252 + c, c = 27742317777372353535851937790883648493, the order of the
// Ed25519 base point (RFC 8032 §5.1). Numbers are 21-bit limbs held in i64; reduction folds limb k
// (weight 2^(21k), k ≥ 12) into limbs k-12 .. k-7 using 2^252 ≡ -c (mod L), where -c has the signed
// 21-bit digits FOLD below. Folds run in rounds with signed carries in between, so no i64 overflows
// (bounds in the comments), and a final masked addition of L makes the result canonical.
// Constant time: no branch or index depends on the scalars.

const FOLD_0: i64 = 666643, FOLD_1: i64 = 470296, FOLD_2: i64 = 654183;
const FOLD_3: i64 = -997805, FOLD_4: i64 = 136657, FOLD_5: i64 = -683901;
// c in unsigned 21-bit limbs (the rest of L's limbs are 0 up to limb 12, which is 1)
const C_LIMBS: usize = memory.data<i64>([1430509, 1626855, 1442968, 997804, 1960495, 683900]);

const S: usize = memory.data(26 * 8, 16); // limbs s0..s25
@inline function s(k: usize): i64 { return load<i64>(S + (k << 3)); }
@inline function set(k: usize, v: i64): void { store<i64>(S + (k << 3), v); }

/** Folds limb k (k ≥ 12) into limbs k-12 .. k-7. */
@inline function fold(k: usize): void {
  const v = s(k);
  set(k - 12, s(k - 12) + v * FOLD_0);
  set(k - 11, s(k - 11) + v * FOLD_1);
  set(k - 10, s(k - 10) + v * FOLD_2);
  set(k - 9, s(k - 9) + v * FOLD_3);
  set(k - 8, s(k - 8) + v * FOLD_4);
  set(k - 7, s(k - 7) + v * FOLD_5);
  set(k, 0);
}

/** Signed rounding carries from limbs from..to-1 into the next limb: afterwards |s_k| ≤ 2^20. */
@inline function carryRound(from: usize, to: usize): void {
  for (let k = from; k < to; k++) {
    const c = (s(k) + (1 << 20)) >> 21;
    set(k + 1, s(k + 1) + c);
    set(k, s(k) - (c << 21));
  }
}

/** Floor carries: afterwards 0 ≤ s_k < 2^21 for from ≤ k < to. */
@inline function carryFloor(from: usize, to: usize): void {
  for (let k = from; k < to; k++) {
    const c = s(k) >> 21;
    set(k + 1, s(k + 1) + c);
    set(k, s(k) - (c << 21));
  }
}

/** Reduces the value in limbs s0..s24 (each below 2^47 in magnitude) mod L into 32 bytes at `out`. */
function reduce(out: usize): void {
  carryRound(0, 24);                       // |s0..s23| ≤ 2^20, s24 small
  for (let k: usize = 24; k >= 18; k--) fold(k); // targets ≤ 17; each gains < 7·2^20·2^20 = 2^43
  carryRound(0, 18);                       // |s0..s17| ≤ 2^20, |s18| < 2^23
  for (let k: usize = 18; k >= 12; k--) fold(k); // targets ≤ 11, < 2^44
  carryRound(0, 12);                       // s12 small
  fold(12);
  carryRound(0, 12);                       // |s12| ≤ 2
  fold(12);
  // now |value| < 2^251 + 2^126: floor carries leave s12 = 0 (value ≥ 0) or -1 (value < 0)
  carryFloor(0, 12);
  const negative = s(12); // 0 or -1, used as a mask
  for (let k: usize = 0; k < 6; k++) set(k, s(k) + (load<i64>(C_LIMBS + (k << 3)) & negative));
  set(12, s(12) + (1 & negative));         // + 2^252: together, + L where the value was negative
  carryFloor(0, 12);
  // pack twelve 21-bit limbs (252 bits) little-endian
  let acc: u64 = 0;
  let bits: u32 = 0;
  let o = out;
  for (let k: usize = 0; k < 12; k++) {
    acc |= <u64>s(k) << bits;
    bits += 21;
    while (bits >= 8) {
      store<u8>(o++, <u8>acc);
      acc >>= 8;
      bits -= 8;
    }
  }
  store<u8>(o, <u8>acc);
  memory.fill(S, 0, 26 * 8); // (large enough that V8's call overhead does not matter)
}

/** Limb k (21 bits) of a little-endian byte string at p, for k whose bits lie inside `len` bytes. */
@inline function limb(p: usize, k: usize, len: usize): i64 {
  const bit = k * 21;
  const byte = bit >> 3;
  let v: u64 = 0;
  for (let i: usize = 0; i < 4 && byte + i < len; i++) v |= <u64>load<u8>(p + byte + i) << (i << 3);
  return <i64>((v >> (bit & 7)) & 0x1fffff);
}

/** out = the 64-byte little-endian number at `wide` mod L (32 bytes). */
export function scReduce(out: usize, wide: usize): void {
  for (let k: usize = 0; k < 25; k++) set(k, limb(wide, k, 64)); // limb 24 holds the top 8 bits
  set(25, 0);
  reduce(out);
}

const A: usize = memory.data(13 * 8, 16);
const B: usize = memory.data(13 * 8, 16);

/** out = (a · b + c) mod L; a, b, c are 32-byte little-endian numbers (any values below 2^256). */
export function scMulAdd(out: usize, a: usize, b: usize, c: usize): void {
  for (let k: usize = 0; k < 13; k++) {
    store<i64>(A + (k << 3), limb(a, k, 32));
    store<i64>(B + (k << 3), limb(b, k, 32));
  }
  for (let k: usize = 0; k < 26; k++) set(k, k < 13 ? limb(c, k, 32) : 0);
  // schoolbook: 13 × 13 products of 21-bit limbs, each < 2^42, at most 13 per limb: < 2^46
  for (let i: usize = 0; i < 13; i++) {
    const ai = load<i64>(A + (i << 3));
    for (let j: usize = 0; j < 13; j++) set(i + j, s(i + j) + ai * load<i64>(B + (j << 3)));
  }
  memory.fill(A, 0, 13 * 8);
  memory.fill(B, 0, 13 * 8);
  reduce(out);
}

// L, little-endian
const L_BYTES: usize = memory.data<u8>([
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
]);

/** 1 if the 32-byte little-endian s is below L (canonical), else 0. Constant time: s - L's borrow. */
export function scIsCanonical(sc: usize): u32 {
  let borrow: i32 = 0;
  for (let i: usize = 0; i < 32; i++) borrow = (<i32>load<u8>(sc + i) - <i32>load<u8>(L_BYTES + i) + borrow) >> 8;
  return <u32>(borrow & 1);
}
