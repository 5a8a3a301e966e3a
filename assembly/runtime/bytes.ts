// Small byte helpers shared by every primitive. Big-endian because SHA-1/SHA-2 and GCM are.

@inline export function loadBe32(p: usize): u32 {
  return bswap<u32>(load<u32>(p));
}

@inline export function storeBe32(p: usize, v: u32): void {
  store<u32>(p, bswap<u32>(v));
}

@inline export function loadBe64(p: usize): u64 {
  return bswap<u64>(load<u64>(p));
}

@inline export function storeBe64(p: usize, v: u64): void {
  store<u64>(p, bswap<u64>(v));
}

// V8 compiles memory.copy / memory.fill to calls into C, which cost more than the work for the
// few dozen bytes that hashing and HMAC move at a time; short runs use word loops instead.
const SHORT: usize = 256;

/** Copies `len` bytes; the ranges must not overlap unless dst <= src. */
export function copy(dst: usize, src: usize, len: usize): void {
  if (len > SHORT) {
    memory.copy(dst, src, len);
    return;
  }
  let i: usize = 0;
  for (; i + 8 <= len; i += 8) store<u64>(dst + i, load<u64>(src + i));
  for (; i < len; i++) store<u8>(dst + i, load<u8>(src + i));
}

/** Zeroes `len` bytes. Stores to linear memory are never elided: the memory is exported. */
export function wipe(p: usize, len: usize): void {
  if (len > SHORT) {
    memory.fill(p, 0, len);
    return;
  }
  let i: usize = 0;
  for (; i + 8 <= len; i += 8) store<u64>(p + i, 0);
  for (; i < len; i++) store<u8>(p + i, 0);
}

/** dst = src ^ ks for `len` bytes (a keystream XOR; dst may equal src). Words first, then bytes. */
@inline export function xorBytes(dst: usize, src: usize, ks: usize, len: usize): void {
  let i: usize = 0;
  for (; i + 8 <= len; i += 8) store<u64>(dst + i, load<u64>(src + i) ^ load<u64>(ks + i));
  for (; i < len; i++) store<u8>(dst + i, load<u8>(src + i) ^ load<u8>(ks + i));
}

/** 1 if the `len` bytes at a and b are equal, else 0, in time independent of their contents. */
export function ctEqual(a: usize, b: usize, len: usize): u32 {
  let diff: u32 = 0;
  for (let i: usize = 0; i < len; i++) diff |= load<u8>(a + i) ^ load<u8>(b + i);
  return (diff - 1) >>> 31;
}
