// SHA3-256, FIPS 202: Keccak-f[1600] (§3.3, §3.4), the sponge (§4) with rate 136 bytes and the
// SHA-3 domain suffix 01 (§6.1, padded as the byte 0x06 … 0x80, §B.2), and HMAC-SHA3-256 and
// HKDF-SHA3-256 on top of it (RFC 2104 with the block size B = 136 of NIST SP 800-224 / FIPS 202
// Table 3; RFC 5869 §2.3). Wesh derives its link keys and push references with HKDF-SHA3-256.
//
// Constant time: Keccak-f is only XOR, AND, NOT and rotations by constant amounts on 64-bit lanes.
// It has no table indexed by data (the one table, the round constants, is indexed by the public
// round number) and no branch on data, so it is naturally constant time, as is everything here:
// branches and loop counts depend only on lengths, which are public. The permutation keeps its
// working state in locals; the only memory holding secret-derived bytes is the context and the
// static scratch below, which the HMAC and HKDF calls wipe before returning.
//
// The generic Merkle–Damgård code (md.ts, mac/hmac.ts, kdf/hkdf.ts) does not fit a sponge: there is
// no length padding, the chaining state is 200 bytes rather than at most 64, and the block is 136
// bytes. So SHA-3 carries its own streaming, HMAC and HKDF-Expand here, with the same shape and the
// same wiping rules as those files.
//
// Context layout (SHA3_CTX = 208 bytes, 8-byte aligned):
//   [0, 200)    the state A: lane (x, y) at byte 8 · (x + 5y), little-endian (§3.1.2, §B.1), so
//               message bytes are XORed straight into it
//   [200, 204)  bytes of the current block already absorbed (0 … 135)

import { copy, wipe } from '../runtime/bytes';

/** Rate r / 8 of SHA3-256 (c = 512): bytes absorbed per permutation. */
export const SHA3_256_RATE: usize = 136;
export const SHA3_256_DIGEST: usize = 32;
const STATE: usize = 200;
const FILL: usize = 200;
export const SHA3_CTX: usize = 208;

// §3.2.5: the 24 round constants RC[i] (computed with Algorithm 5, rc(t)).
const RC: usize = memory.data<u64>([
  0x0000000000000001, 0x0000000000008082, 0x800000000000808a, 0x8000000080008000, 0x000000000000808b,
  0x0000000080000001, 0x8000000080008081, 0x8000000000008009, 0x000000000000008a, 0x0000000000000088,
  0x0000000080008009, 0x000000008000000a, 0x000000008000808b, 0x800000000000008b, 0x8000000000008089,
  0x8000000000008003, 0x8000000000008002, 0x8000000000000080, 0x000000000000800a, 0x800000008000000a,
  0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
]);

// 136 zero bytes: absorbing them is a bare permutation (sha3Final's last block is already in the state).
const ZERO_BLOCK: usize = memory.data(136, 16);

/**
 * For each of `blocks` consecutive 136-byte blocks at `data`: XOR it into the first 17 lanes of the
 * state, then apply Keccak-f[1600] (§3.3, 24 rounds of Rnd = ι ∘ χ ∘ π ∘ ρ ∘ θ). The state stays in
 * locals from the first block to the last.
 *
 * A round reads lanes a0..a24 and writes e0..e24, the next reads e and writes a (two rounds per loop
 * iteration, so nothing is copied). θ first (c: column parities, d: what each column gets XORed
 * with); then each output plane y: ρ (the rotation offsets of §3.2.2, Table 2) and π (§3.2.3: lane
 * (x, y) moves to (y, 2x + 3y)) bring its five input lanes into b0..b4, and χ (§3.2.4) with ι
 * (§3.2.5, on lane (0, 0) only) writes the plane.
 *
 * Lane complementing (Bertoni et al., "Keccak implementation overview" §2.2): inside the loop the
 * six lanes 1, 7, 8, 14, 17 and 22 are held complemented (NOT on load and on store). θ, ρ, π and ι
 * are XORs and rotations, so they carry the complements through; χ's A ⊕ (¬B ∧ C) is then written
 * per lane with whichever of AND / OR and operand complements gives the right (complemented or not)
 * result, which needs 6 NOTs per round instead of 25 (wasm has no and-not). The set was found by
 * exhaustive search over sets of up to 7 lanes; each χ line was derived mechanically from it, and
 * every length 0 … 300 and the NIST examples are checked against node:crypto (test/kat/sha3.test.ts).
 * Measured ≈ 10-20 % faster than the plain form on this machine.
 */
export function keccakAbsorb(state: usize, data: usize, blocks: usize): void {
  let a0 = load<u64>(state), a1 = ~load<u64>(state, 8), a2 = load<u64>(state, 16), a3 = load<u64>(state, 24), a4 = load<u64>(state, 32);
  let a5 = load<u64>(state, 40), a6 = load<u64>(state, 48), a7 = ~load<u64>(state, 56), a8 = ~load<u64>(state, 64), a9 = load<u64>(state, 72);
  let a10 = load<u64>(state, 80), a11 = load<u64>(state, 88), a12 = load<u64>(state, 96), a13 = load<u64>(state, 104), a14 = ~load<u64>(state, 112);
  let a15 = load<u64>(state, 120), a16 = load<u64>(state, 128), a17 = ~load<u64>(state, 136), a18 = load<u64>(state, 144), a19 = load<u64>(state, 152);
  let a20 = load<u64>(state, 160), a21 = load<u64>(state, 168), a22 = ~load<u64>(state, 176), a23 = load<u64>(state, 184), a24 = load<u64>(state, 192);
  let e0: u64, e1: u64, e2: u64, e3: u64, e4: u64, e5: u64, e6: u64, e7: u64, e8: u64, e9: u64, e10: u64, e11: u64, e12: u64;
  let e13: u64, e14: u64, e15: u64, e16: u64, e17: u64, e18: u64, e19: u64, e20: u64, e21: u64, e22: u64, e23: u64, e24: u64;
  let b0: u64, b1: u64, b2: u64, b3: u64, b4: u64, c0: u64, c1: u64, c2: u64, c3: u64, c4: u64, d0: u64, d1: u64, d2: u64, d3: u64, d4: u64;
  for (let n: usize = 0; n < blocks; n++, data += 136) {
    a0 ^= load<u64>(data); a1 ^= load<u64>(data, 8); a2 ^= load<u64>(data, 16); a3 ^= load<u64>(data, 24);
    a4 ^= load<u64>(data, 32); a5 ^= load<u64>(data, 40); a6 ^= load<u64>(data, 48); a7 ^= load<u64>(data, 56);
    a8 ^= load<u64>(data, 64); a9 ^= load<u64>(data, 72); a10 ^= load<u64>(data, 80); a11 ^= load<u64>(data, 88);
    a12 ^= load<u64>(data, 96); a13 ^= load<u64>(data, 104); a14 ^= load<u64>(data, 112); a15 ^= load<u64>(data, 120);
    a16 ^= load<u64>(data, 128);
    for (let p = RC; p < RC + 192; p += 16) {
    // θ
    c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20;
    c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21;
    c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22;
    c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23;
    c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24;
    d0 = c4 ^ rotl<u64>(c1, 1); d1 = c0 ^ rotl<u64>(c2, 1); d2 = c1 ^ rotl<u64>(c3, 1); d3 = c2 ^ rotl<u64>(c4, 1); d4 = c3 ^ rotl<u64>(c0, 1);
    // plane 0: ρ and π into b0..b4, then χ and ι
    b0 = a0 ^ d0; b1 = rotl<u64>(a6 ^ d1, 44); b2 = rotl<u64>(a12 ^ d2, 43); b3 = rotl<u64>(a18 ^ d3, 21); b4 = rotl<u64>(a24 ^ d4, 14);
    e0 = b0 ^ (b1 & b2) ^ load<u64>(p, 0);
    e1 = b1 ^ (~b2 & b3);
    e2 = ~b2 ^ (b3 | b4);
    e3 = b3 ^ (b4 & b0);
    e4 = b4 ^ (b0 | b1);
    // plane 1: ρ and π into b0..b4, then χ
    b0 = rotl<u64>(a3 ^ d3, 28); b1 = rotl<u64>(a9 ^ d4, 20); b2 = rotl<u64>(a10 ^ d0, 3); b3 = rotl<u64>(a16 ^ d1, 45); b4 = rotl<u64>(a22 ^ d2, 61);
    e5 = b0 ^ (b1 & b2);
    e6 = b1 ^ (b2 | b3);
    e7 = b2 ^ (~b3 | b4);
    e8 = b3 ^ (b4 & b0);
    e9 = b4 ^ (b0 | b1);
    // plane 2: ρ and π into b0..b4, then χ
    b0 = rotl<u64>(a1 ^ d1, 1); b1 = rotl<u64>(a7 ^ d2, 6); b2 = rotl<u64>(a13 ^ d3, 25); b3 = rotl<u64>(a19 ^ d4, 8); b4 = rotl<u64>(a20 ^ d0, 18);
    e10 = b0 ^ (b1 & b2);
    e11 = b1 ^ (b2 | b3);
    e12 = b2 ^ (b3 & b4);
    e13 = b3 ^ (b4 | ~b0);
    e14 = b4 ^ (b0 | b1);
    // plane 3: ρ and π into b0..b4, then χ
    b0 = rotl<u64>(a4 ^ d4, 27); b1 = rotl<u64>(a5 ^ d0, 36); b2 = rotl<u64>(a11 ^ d1, 10); b3 = rotl<u64>(a17 ^ d2, 15); b4 = rotl<u64>(a23 ^ d3, 56);
    e15 = b0 ^ (b1 | b2);
    e16 = b1 ^ (b2 & ~b3);
    e17 = b2 ^ (b3 & b4);
    e18 = b3 ^ (b4 | b0);
    e19 = b4 ^ (b0 & b1);
    // plane 4: ρ and π into b0..b4, then χ
    b0 = rotl<u64>(a2 ^ d2, 62); b1 = rotl<u64>(a8 ^ d3, 55); b2 = rotl<u64>(a14 ^ d4, 39); b3 = rotl<u64>(a15 ^ d0, 41); b4 = rotl<u64>(a21 ^ d1, 2);
    e20 = b0 ^ (b1 & b2);
    e21 = b1 ^ (b2 | ~b3);
    e22 = b2 ^ (b3 | b4);
    e23 = b3 ^ (b4 & b0);
    e24 = b4 ^ (b0 | b1);
    // θ
    c0 = e0 ^ e5 ^ e10 ^ e15 ^ e20;
    c1 = e1 ^ e6 ^ e11 ^ e16 ^ e21;
    c2 = e2 ^ e7 ^ e12 ^ e17 ^ e22;
    c3 = e3 ^ e8 ^ e13 ^ e18 ^ e23;
    c4 = e4 ^ e9 ^ e14 ^ e19 ^ e24;
    d0 = c4 ^ rotl<u64>(c1, 1); d1 = c0 ^ rotl<u64>(c2, 1); d2 = c1 ^ rotl<u64>(c3, 1); d3 = c2 ^ rotl<u64>(c4, 1); d4 = c3 ^ rotl<u64>(c0, 1);
    // plane 0: ρ and π into b0..b4, then χ and ι
    b0 = e0 ^ d0; b1 = rotl<u64>(e6 ^ d1, 44); b2 = rotl<u64>(e12 ^ d2, 43); b3 = rotl<u64>(e18 ^ d3, 21); b4 = rotl<u64>(e24 ^ d4, 14);
    a0 = b0 ^ (b1 & b2) ^ load<u64>(p, 8);
    a1 = b1 ^ (~b2 & b3);
    a2 = ~b2 ^ (b3 | b4);
    a3 = b3 ^ (b4 & b0);
    a4 = b4 ^ (b0 | b1);
    // plane 1: ρ and π into b0..b4, then χ
    b0 = rotl<u64>(e3 ^ d3, 28); b1 = rotl<u64>(e9 ^ d4, 20); b2 = rotl<u64>(e10 ^ d0, 3); b3 = rotl<u64>(e16 ^ d1, 45); b4 = rotl<u64>(e22 ^ d2, 61);
    a5 = b0 ^ (b1 & b2);
    a6 = b1 ^ (b2 | b3);
    a7 = b2 ^ (~b3 | b4);
    a8 = b3 ^ (b4 & b0);
    a9 = b4 ^ (b0 | b1);
    // plane 2: ρ and π into b0..b4, then χ
    b0 = rotl<u64>(e1 ^ d1, 1); b1 = rotl<u64>(e7 ^ d2, 6); b2 = rotl<u64>(e13 ^ d3, 25); b3 = rotl<u64>(e19 ^ d4, 8); b4 = rotl<u64>(e20 ^ d0, 18);
    a10 = b0 ^ (b1 & b2);
    a11 = b1 ^ (b2 | b3);
    a12 = b2 ^ (b3 & b4);
    a13 = b3 ^ (b4 | ~b0);
    a14 = b4 ^ (b0 | b1);
    // plane 3: ρ and π into b0..b4, then χ
    b0 = rotl<u64>(e4 ^ d4, 27); b1 = rotl<u64>(e5 ^ d0, 36); b2 = rotl<u64>(e11 ^ d1, 10); b3 = rotl<u64>(e17 ^ d2, 15); b4 = rotl<u64>(e23 ^ d3, 56);
    a15 = b0 ^ (b1 | b2);
    a16 = b1 ^ (b2 & ~b3);
    a17 = b2 ^ (b3 & b4);
    a18 = b3 ^ (b4 | b0);
    a19 = b4 ^ (b0 & b1);
    // plane 4: ρ and π into b0..b4, then χ
    b0 = rotl<u64>(e2 ^ d2, 62); b1 = rotl<u64>(e8 ^ d3, 55); b2 = rotl<u64>(e14 ^ d4, 39); b3 = rotl<u64>(e15 ^ d0, 41); b4 = rotl<u64>(e21 ^ d1, 2);
    a20 = b0 ^ (b1 & b2);
    a21 = b1 ^ (b2 | ~b3);
    a22 = b2 ^ (b3 | b4);
    a23 = b3 ^ (b4 & b0);
    a24 = b4 ^ (b0 | b1);
    }
  }
  store<u64>(state, a0); store<u64>(state, ~a1, 8); store<u64>(state, a2, 16); store<u64>(state, a3, 24); store<u64>(state, a4, 32);
  store<u64>(state, a5, 40); store<u64>(state, a6, 48); store<u64>(state, ~a7, 56); store<u64>(state, ~a8, 64); store<u64>(state, a9, 72);
  store<u64>(state, a10, 80); store<u64>(state, a11, 88); store<u64>(state, a12, 96); store<u64>(state, a13, 104); store<u64>(state, ~a14, 112);
  store<u64>(state, a15, 120); store<u64>(state, a16, 128); store<u64>(state, ~a17, 136); store<u64>(state, a18, 144); store<u64>(state, a19, 152);
  store<u64>(state, a20, 160); store<u64>(state, a21, 168); store<u64>(state, ~a22, 176); store<u64>(state, a23, 184); store<u64>(state, a24, 192);
}

/** Keccak-f[1600] on the state at `state` (the sponge's f). */
@inline function keccakF(state: usize): void {
  keccakAbsorb(state, ZERO_BLOCK, 1);
}

/** state ^= data for `len` bytes (any alignment). */
function xorInto(state: usize, data: usize, len: usize): void {
  let i: usize = 0;
  for (; i + 8 <= len; i += 8) store<u64>(state + i, load<u64>(state + i) ^ load<u64>(data + i));
  for (; i < len; i++) store<u8>(state + i, load<u8>(state + i) ^ load<u8>(data + i));
}

// ---- the sponge (§4), SHA3-256 = KECCAK[512](M ‖ 01, 256) (§6.1) --------------------------------

/** The all-zero state S = 0^b (§4 step 5). */
export function sha3Init(ctx: usize): void {
  wipe(ctx, SHA3_CTX);
}

export function sha3Update(ctx: usize, data: usize, len: usize): void {
  let fill = <usize>load<u32>(ctx + FILL);
  if (fill != 0) {
    const take = min(SHA3_256_RATE - fill, len);
    xorInto(ctx + fill, data, take);
    fill += take;
    data += take;
    len -= take;
    if (fill < SHA3_256_RATE) {
      store<u32>(ctx + FILL, <u32>fill);
      return;
    }
    keccakF(ctx);
  }
  const full = len / SHA3_256_RATE;
  if (full != 0) keccakAbsorb(ctx, data, full);
  const rest = len - full * SHA3_256_RATE;
  xorInto(ctx, data + full * SHA3_256_RATE, rest);
  store<u32>(ctx + FILL, <u32>rest);
}

/**
 * Pads (M ‖ 01 ‖ pad10*1: the bytes 0x06 … 0x80, or 0x86 when a single byte remains, §B.2), applies
 * the last permutation and writes the 32-byte digest (d < r: one squeeze, §4 steps 7-10). The state
 * stays in the context: callers wipe it when done.
 */
export function sha3Final(ctx: usize, out: usize): void {
  const fill = <usize>load<u32>(ctx + FILL);
  store<u8>(ctx + fill, load<u8>(ctx + fill) ^ 0x06);
  store<u8>(ctx + SHA3_256_RATE - 1, load<u8>(ctx + SHA3_256_RATE - 1) ^ 0x80);
  keccakF(ctx);
  copy(out, ctx, SHA3_256_DIGEST);
}

export function sha3Wipe(ctx: usize): void {
  wipe(ctx, SHA3_CTX);
}

/** One-shot digest through the caller's context memory, which is left zeroed. */
export function sha3Digest(ctx: usize, data: usize, len: usize, out: usize): void {
  sha3Init(ctx);
  sha3Update(ctx, data, len);
  sha3Final(ctx, out);
  sha3Wipe(ctx);
}

// ---- HMAC-SHA3-256 (RFC 2104 / FIPS 198-1 with B = 136, L = 32) -----------------------------------
// As mac/hmac.ts: the key is absorbed once, and the states after the (K ⊕ ipad) and (K ⊕ opad)
// blocks are kept, so a message costs its own blocks plus one outer permutation.
//
// Context layout (HMAC_SHA3_CTX = 608 bytes):
//   [0, 208)      the running inner sponge (a SHA3 context)
//   [208, 408)    the state after K ⊕ ipad
//   [408, 608)    the state after K ⊕ opad

const IPAD: usize = SHA3_CTX;
const OPAD: usize = SHA3_CTX + STATE;
export const HMAC_SHA3_CTX: usize = SHA3_CTX + 2 * STATE;

// Key block and inner digest scratch; wiped before every return.
const KEY_BLOCK: usize = memory.data(136, 16);
const INNER: usize = memory.data(32, 16);

export function hmacSha3Init(ctx: usize, key: usize, keyLen: usize): void {
  // RFC 2104 §2: a key longer than B is replaced by its hash; shorter keys are zero-padded to B.
  if (keyLen > SHA3_256_RATE) {
    sha3Digest(ctx, key, keyLen, KEY_BLOCK);
    keyLen = SHA3_256_DIGEST;
  } else {
    copy(KEY_BLOCK, key, keyLen);
  }
  wipe(KEY_BLOCK + keyLen, SHA3_256_RATE - keyLen);
  for (let i: usize = 0; i < SHA3_256_RATE; i += 8) store<u64>(KEY_BLOCK + i, load<u64>(KEY_BLOCK + i) ^ 0x3636363636363636);
  wipe(ctx + IPAD, STATE);
  keccakAbsorb(ctx + IPAD, KEY_BLOCK, 1);
  for (let i: usize = 0; i < SHA3_256_RATE; i += 8) store<u64>(KEY_BLOCK + i, load<u64>(KEY_BLOCK + i) ^ 0x6a6a6a6a6a6a6a6a);
  wipe(ctx + OPAD, STATE);
  keccakAbsorb(ctx + OPAD, KEY_BLOCK, 1);
  wipe(KEY_BLOCK, SHA3_256_RATE);
  hmacSha3Reset(ctx);
}

/** Starts a new message under the context's key. */
export function hmacSha3Reset(ctx: usize): void {
  copy(ctx, ctx + IPAD, STATE);
  store<u32>(ctx + FILL, 0);
}

export function hmacSha3Update(ctx: usize, data: usize, len: usize): void {
  sha3Update(ctx, data, len);
}

/** Writes the 32-byte tag to `out` (which may alias nothing in `ctx`) and resets for the next message. */
export function hmacSha3Final(ctx: usize, out: usize): void {
  sha3Final(ctx, INNER);
  copy(ctx, ctx + OPAD, STATE);
  store<u32>(ctx + FILL, 0);
  sha3Update(ctx, INNER, SHA3_256_DIGEST);
  sha3Final(ctx, out);
  wipe(INNER, SHA3_256_DIGEST);
  hmacSha3Reset(ctx);
}

/** Forgets the key: the whole context is zeroed. */
export function hmacSha3Wipe(ctx: usize): void {
  wipe(ctx, HMAC_SHA3_CTX);
}

// ---- HKDF-SHA3-256 Expand (RFC 5869 §2.3; Extract, §2.2, is one HMAC) ------------------------------

const HKDF_CTX: usize = memory.data(<i32>HMAC_SHA3_CTX, 16);
const T: usize = memory.data(32, 16);
const COUNTER: usize = memory.data(16, 16);

/**
 * T(i) = HMAC-SHA3-256(PRK, T(i-1) ‖ info ‖ i), OKM = the first `len` bytes of T(1) ‖ T(2) ‖ ….
 * Precondition (checked by the bindings): len <= 255 · 32. `out` may overlap nothing else. The
 * static context and scratch are wiped before returning.
 */
export function hkdfSha3Expand(prk: usize, prkLen: usize, info: usize, infoLen: usize, out: usize, len: usize): void {
  hmacSha3Init(HKDF_CTX, prk, prkLen);
  let done: usize = 0;
  for (let i: u32 = 1; done < len; i++) {
    if (i > 1) sha3Update(HKDF_CTX, T, SHA3_256_DIGEST);
    sha3Update(HKDF_CTX, info, infoLen);
    store<u8>(COUNTER, <u8>i);
    sha3Update(HKDF_CTX, COUNTER, 1);
    hmacSha3Final(HKDF_CTX, T);
    const take = min(SHA3_256_DIGEST, len - done);
    copy(out + done, T, take);
    done += take;
  }
  hmacSha3Wipe(HKDF_CTX);
  wipe(T, SHA3_256_DIGEST);
  wipe(COUNTER, 16);
}
