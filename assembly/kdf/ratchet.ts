// Symmetric chain ratchet (the Wesh/Signal step), many steps per call, for 1 chain or 4 at once:
//   PRK = HKDF-Extract(salt, chainKey)          = HMAC(salt, chainKey)
//   OKM = HKDF-Expand(PRK, info, 64)             = T(1) | T(2), T(1) = HMAC(PRK, info | 1),
//                                                   T(2) = HMAC(PRK, T(1) | info | 2)
//   nextChainKey = T(1), messageKey = T(2)
//
// Word domain. With 32-byte chain keys, every block a step hashes is a 32-byte digest, a constant
// string (info and padding) or both, so blocks are assembled from 32-bit words and digests never
// round-trip through bytes or the streaming buffer: a step is exactly its 6 + n1 + n2 compressions
// (n1, n2 from blocksFor; 9 for a 23- to 54-byte info such as Wesh's 32-byte group key) plus a few
// 32-byte copies. The salt's HMAC pad states and the padded info blocks are computed once per call.
//
// Lanes. All arrays below are lane-interleaved: word t of lane l sits at base + 4 (t * lanes + l).
// OneLane drives the scalar-round compressor; FourLanes drives the v128 multi-buffer compressor
// (SIMD build), advancing four independent chains in lockstep. The step logic is written once.

import { Sha256 } from '../hash/descriptors';
import { mdCtxLen } from '../hash/md';
import { sha256CompressWords } from '../hash/sha256';
import { sha256x4CompressWords, sha256x4WipeScratch } from '../hash/sha256_x4';
import { hmacInit, hmacWipe } from '../mac/hmac';
import { copy, loadBe32, storeBe32, storeBe64, wipe } from '../runtime/bytes';

const IPAD: u32 = 0x36363636;
const OPAD: u32 = 0x5c5c5c5c;
/** Bytes per lane in the caller's table: chainKey (32 B, in/out), salt, saltLen, info, keysOut. */
export const RATCHET_ROW: usize = 20;

@final class OneLane {
  @inline get lanes(): usize { return 1; }
  @inline compress(state: usize, block: usize): void { sha256CompressWords(state, block); }
}

@final class FourLanes {
  @inline get lanes(): usize { return 4; }
  @inline compress(state: usize, block: usize): void { sha256x4CompressWords(state, block); }
}

// H(0) of SHA-256 (FIPS 180-4 §5.3.3), as constant data so that no call leaves it behind as scratch.
const IV: usize = memory.data<u32>([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/** SHA-256 blocks for a message of `len` bytes after one 64-byte HMAC pad block (padding included). */
@inline function blocksFor(len: usize): usize {
  return (len + 9 + 63) >> 6;
}

/** Size of the work area for `infoLen` and `lanes`; the bindings allocate it. */
export function ratchetWorkLen(infoLen: usize, lanes: usize): usize {
  const n1 = blocksFor(infoLen + 1);
  const n2 = blocksFor(32 + infoLen + 1);
  return (8 * 6 + 16 * 2 + 16 * (n1 + n2)) * 4 * lanes + max(n1, n2) * 64 + 384;
}

/** Writes the padded bytes of an HMAC inner message (after the pad block) as words of lane `l`. */
function scatterMessage(dst: usize, bytes: usize, len: usize, blocks: usize, lanes: usize, l: usize): void {
  const padded = blocks << 6;
  wipe(bytes + len, padded - len);
  store<u8>(bytes + len, 0x80);
  storeBe64(bytes + padded - 8, <u64>(64 + len) << 3);
  for (let t: usize = 0; t < (padded >> 2); t++) store<u32>(dst + ((t * lanes + l) << 2), loadBe32(bytes + (t << 2)));
}

function ratchet<L>(table: usize, infoLen: usize, steps: usize, work: usize): void {
  const lanes = changetype<L>(0).lanes;
  const word = lanes << 2;
  const vec8 = word * 8;
  const vec16 = word * 16;
  const n1 = blocksFor(infoLen + 1);
  const n2 = blocksFor(32 + infoLen + 1);
  const saltI = work, saltO = saltI + vec8, prkI = saltO + vec8, prkO = prkI + vec8;
  const state = prkO + vec8, chain = state + vec8, digestBlock = chain + vec8, keyBlock = digestBlock + vec16;
  const info1 = keyBlock + vec16, info2 = info1 + n1 * vec16, bytes = info2 + n2 * vec16;
  const hctx = bytes + max(n1, n2) * 64;

  // Per-lane setup: salt pad states, chain key words, padded info | 1 and T(1) | info | 2 blocks.
  for (let l: usize = 0; l < lanes; l++) {
    const row = table + l * RATCHET_ROW;
    hmacInit<Sha256>(hctx, <usize>load<u32>(row, 4), <usize>load<u32>(row, 8));
    const info = <usize>load<u32>(row, 12);
    for (let t: usize = 0; t < 8; t++) {
      const at = (t * lanes + l) << 2;
      store<u32>(saltI + at, load<u32>(hctx + mdCtxLen<Sha256>() + (t << 2)));
      store<u32>(saltO + at, load<u32>(hctx + mdCtxLen<Sha256>() + 64 + (t << 2)));
      store<u32>(chain + at, loadBe32(<usize>load<u32>(row) + (t << 2)));
    }
    copy(bytes, info, infoLen);
    store<u8>(bytes + infoLen, 1);
    scatterMessage(info1, bytes, infoLen + 1, n1, lanes, l);
    wipe(bytes, 32);
    copy(bytes + 32, info, infoLen);
    store<u8>(bytes + 32 + infoLen, 2);
    scatterMessage(info2, bytes, 32 + infoLen + 1, n2, lanes, l);
  }
  hmacWipe<Sha256>(hctx);
  // A 32-byte digest after a pad block: words 8..15 are the same for every use.
  for (let l: usize = 0; l < lanes; l++) {
    store<u32>(digestBlock + ((8 * lanes + l) << 2), 0x80000000);
    store<u32>(digestBlock + ((15 * lanes + l) << 2), (64 + 32) << 3);
  }

  const h = changetype<L>(0);
  for (let s: usize = 0; s < steps; s++) {
    // PRK = HMAC(salt, chainKey)
    copy(state, saltI, vec8); copy(digestBlock, chain, vec8); h.compress(state, digestBlock);
    copy(digestBlock, state, vec8); copy(state, saltO, vec8); h.compress(state, digestBlock);
    // HMAC pad states of PRK (a 32-byte key, zero-padded to the block)
    for (let i: usize = 0; i < vec8; i += 4) store<u32>(keyBlock + i, load<u32>(state + i) ^ IPAD);
    for (let i: usize = vec8; i < vec16; i += 4) store<u32>(keyBlock + i, IPAD);
    for (let t: usize = 0; t < 8; t++) for (let l: usize = 0; l < lanes; l++) store<u32>(prkI + ((t * lanes + l) << 2), load<u32>(IV + (t << 2)));
    copy(prkO, prkI, vec8);
    h.compress(prkI, keyBlock);
    for (let i: usize = 0; i < vec16; i += 4) store<u32>(keyBlock + i, load<u32>(keyBlock + i) ^ (IPAD ^ OPAD));
    h.compress(prkO, keyBlock);
    // T(1) = HMAC(PRK, info | 1): the next chain key, and the head of T(2)'s message
    copy(state, prkI, vec8);
    for (let b: usize = 0; b < n1; b++) h.compress(state, info1 + b * vec16);
    copy(digestBlock, state, vec8); copy(state, prkO, vec8); h.compress(state, digestBlock);
    copy(chain, state, vec8); copy(info2, state, vec8);
    // T(2) = HMAC(PRK, T(1) | info | 2): the message key
    copy(state, prkI, vec8);
    for (let b: usize = 0; b < n2; b++) h.compress(state, info2 + b * vec16);
    copy(digestBlock, state, vec8); copy(state, prkO, vec8); h.compress(state, digestBlock);
    for (let l: usize = 0; l < lanes; l++) {
      const out = <usize>load<u32>(table + l * RATCHET_ROW, 16) + (s << 5);
      for (let t: usize = 0; t < 8; t++) storeBe32(out + (t << 2), load<u32>(state + ((t * lanes + l) << 2)));
    }
  }
  for (let l: usize = 0; l < lanes; l++) {
    const ck = <usize>load<u32>(table + l * RATCHET_ROW);
    for (let t: usize = 0; t < 8; t++) storeBe32(ck + (t << 2), load<u32>(chain + ((t * lanes + l) << 2)));
  }
  wipe(work, ratchetWorkLen(infoLen, lanes));
}

/**
 * Advances `lanes` chains (1, or 4 in the SIMD build) by `steps` steps. `table` holds one
 * RATCHET_ROW per lane: [chainKey ptr (32 bytes, overwritten with the final chain key), salt ptr,
 * salt length, info ptr, keysOut ptr (steps * 32 bytes)]. All lanes share `infoLen`. `work` is
 * ratchetWorkLen(infoLen, lanes) bytes and is left zeroed. No region may overlap another.
 */
export function ratchetSha256(table: usize, lanes: usize, infoLen: usize, steps: usize, work: usize): void {
  if (ASC_FEATURE_SIMD) {
    if (lanes == 4) {
      ratchet<FourLanes>(table, infoLen, steps, work);
      sha256x4WipeScratch();
      return;
    }
  }
  ratchet<OneLane>(table, infoLen, steps, work);
}
