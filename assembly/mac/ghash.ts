// GHASH (NIST SP 800-38D §6.4) without table lookups or carry-less multiply instructions: the
// integer-multiply technique of BearSSL's ghash_ctmul64 (also RustCrypto polyval/soft64), written
// here from its description. Constant time: only multiplies, shifts and bitwise operations.
//
// bmul64 returns the low 64 bits of a carry-less 64×64 product: each operand is split into four
// "holey" parts (bits ≡ i mod 4), whose ordinary products keep the carries inside the holes; the
// high 64 bits come from the same routine on bit-reversed operands (rev(a)·rev(b) = rev(a·b) >> 1).
// A 128×128 product is three such 64×64 products (Karatsuba), then it is shifted left one bit (GCM's
// bits are reflected) and reduced modulo x^128 + x^7 + x^2 + x + 1.
//
// Four blocks at a time use aggregated reduction: Y' = (Y ^ X1)·H^4 ^ X2·H^3 ^ X3·H^2 ^ X4·H.
// Everything before the reduction (the products, Karatsuba's middle term, the bit reversals) is
// linear, so the four unreduced products are XOR-accumulated and reduced once.
//
// Key layout (GHASH_KEY bytes): for H, H^2, H^3, H^4 in turn (48 bytes each): (h1, h0), h2 = h0 ^ h1,
// and their bit reversals, six u64. State: Y as (y1, y0), big-endian halves in native u64.

import { loadBe64, storeBe64, wipe } from '../runtime/bytes';

export const GHASH_KEY: usize = 4 * 48;

@inline function bmul64(x: u64, y: u64): u64 {
  const x0 = x & 0x1111111111111111, x1 = x & 0x2222222222222222, x2 = x & 0x4444444444444444, x3 = x & 0x8888888888888888;
  const y0 = y & 0x1111111111111111, y1 = y & 0x2222222222222222, y2 = y & 0x4444444444444444, y3 = y & 0x8888888888888888;
  const z0 = (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
  const z1 = (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
  const z2 = (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
  const z3 = (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);
  return (z0 & 0x1111111111111111) | (z1 & 0x2222222222222222) | (z2 & 0x4444444444444444) | (z3 & 0x8888888888888888);
}

@inline function rev64(x: u64): u64 {
  x = ((x >> 1) & 0x5555555555555555) | ((x & 0x5555555555555555) << 1);
  x = ((x >> 2) & 0x3333333333333333) | ((x & 0x3333333333333333) << 2);
  x = ((x >> 4) & 0x0f0f0f0f0f0f0f0f) | ((x & 0x0f0f0f0f0f0f0f0f) << 4);
  x = ((x >> 8) & 0x00ff00ff00ff00ff) | ((x & 0x00ff00ff00ff00ff) << 8);
  x = ((x >> 16) & 0x0000ffff0000ffff) | ((x & 0x0000ffff0000ffff) << 16);
  return rotr<u64>(x, 32);
}

function setPower(key: usize, h1: u64, h0: u64): void {
  const h2 = h0 ^ h1;
  store<u64>(key, h1); store<u64>(key, h0, 8); store<u64>(key, h2, 16);
  store<u64>(key, rev64(h1), 24); store<u64>(key, rev64(h0), 32); store<u64>(key, rev64(h2), 40);
}

// Accumulators of the unreduced products: z0, z1, z2 and the bit-reversed z0h, z1h, z2h.
const ACC: usize = memory.data(96, 16); // [0, 48) accumulators, [64, 80) key-setup scratch

/** Adds (y1, y0) · (the power at `p`) to ACC, unreduced. */
@inline function accumulate(p: usize, y1: u64, y0: u64): void {
  const y1r = rev64(y1), y0r = rev64(y0);
  store<u64>(ACC, load<u64>(ACC) ^ bmul64(y0, load<u64>(p, 8)));
  store<u64>(ACC, load<u64>(ACC, 8) ^ bmul64(y1, load<u64>(p)), 8);
  store<u64>(ACC, load<u64>(ACC, 16) ^ bmul64(y0 ^ y1, load<u64>(p, 16)), 16);
  store<u64>(ACC, load<u64>(ACC, 24) ^ bmul64(y0r, load<u64>(p, 32)), 24);
  store<u64>(ACC, load<u64>(ACC, 32) ^ bmul64(y1r, load<u64>(p, 24)), 32);
  store<u64>(ACC, load<u64>(ACC, 40) ^ bmul64(y0r ^ y1r, load<u64>(p, 40)), 40);
}

/** Reduces ACC into Y (at y), clearing ACC. */
function reduce(y: usize): void {
  const z0 = load<u64>(ACC), z1 = load<u64>(ACC, 8);
  let z2 = load<u64>(ACC, 16);
  let z0h = load<u64>(ACC, 24), z1h = load<u64>(ACC, 32), z2h = load<u64>(ACC, 40);
  // Karatsuba's middle term, then the high halves of the 64×64 products from the reversed ones
  z2 ^= z0 ^ z1;
  z2h ^= z0h ^ z1h;
  z0h = rev64(z0h) >> 1;
  z1h = rev64(z1h) >> 1;
  z2h = rev64(z2h) >> 1;
  // the 256-bit product v3:v2:v1:v0, shifted left one bit for the reflected representation
  let v0 = z0, v1 = z0h ^ z2, v2 = z1 ^ z2h, v3 = z1h;
  v3 = (v3 << 1) | (v2 >> 63);
  v2 = (v2 << 1) | (v1 >> 63);
  v1 = (v1 << 1) | (v0 >> 63);
  v0 <<= 1;
  // reduce the high-degree half (v1, v0) into (v3, v2): x^128 = x^7 + x^2 + x + 1
  v2 ^= v0 ^ (v0 >> 1) ^ (v0 >> 2) ^ (v0 >> 7);
  v1 ^= (v0 << 63) ^ (v0 << 62) ^ (v0 << 57);
  v3 ^= v1 ^ (v1 >> 1) ^ (v1 >> 2) ^ (v1 >> 7);
  v2 ^= (v1 << 63) ^ (v1 << 62) ^ (v1 << 57);
  store<u64>(y, v3);
  store<u64>(y, v2, 8);
  wipe(ACC, 48);
}

/** Precomputes the key (H, H^2, H^3, H^4) from the 16-byte hash subkey H = E(K, 0^128). */
export function ghashKey(key: usize, h: usize): void {
  const h1 = loadBe64(h), h0 = loadBe64(h + 8);
  setPower(key, h1, h0);
  const y = ACC + 64; // scratch for the powers, H^k as (y1, y0)
  store<u64>(y, h1);
  store<u64>(y, h0, 8);
  for (let k: usize = 1; k < 4; k++) {
    accumulate(key, load<u64>(y), load<u64>(y, 8)); // H^(k+1) = H^k · H
    reduce(y);
    setPower(key + k * 48, load<u64>(y), load<u64>(y, 8));
  }
  wipe(y, 16);
}

/** Y = (Y ^ X) · H for each of `blocks` 16-byte blocks at `data`. */
export function ghashBlocks(key: usize, y: usize, data: usize, blocks: usize): void {
  for (; blocks >= 4; blocks -= 4, data += 64) {
    accumulate(key + 144, load<u64>(y) ^ loadBe64(data), load<u64>(y, 8) ^ loadBe64(data + 8));
    accumulate(key + 96, loadBe64(data + 16), loadBe64(data + 24));
    accumulate(key + 48, loadBe64(data + 32), loadBe64(data + 40));
    accumulate(key, loadBe64(data + 48), loadBe64(data + 56));
    reduce(y);
  }
  for (; blocks != 0; blocks--, data += 16) {
    accumulate(key, load<u64>(y) ^ loadBe64(data), load<u64>(y, 8) ^ loadBe64(data + 8));
    reduce(y);
  }
}
