// AES for the modes: one interface, two constant-time cores chosen per build.
//   SIMD build: vector permutes (aes_vperm.ts) — fast on single blocks (IGE) and, interleaved, on four.
//   Scalar build: bitsliced (aes_bitsliced.ts) — four blocks per call; single blocks use one slot.
// Measured on the SIMD build: vperm 4-block AES-256 ≈ 3× the u64 bitsliced core, so the SIMD build
// uses vperm everywhere (see the README's benchmark notes).

import { AES_BITSLICED_KEY, aesBitslicedDecrypt4, aesBitslicedEncrypt4, aesBitslicedLoadKey } from './aes_bitsliced';
import { aesExpandKey } from './aes_key_expansion';
import { AES_VPERM_KEY, aesVpermDecrypt, aesVpermEncrypt, aesVpermEncrypt4, aesVpermLoadKey } from './aes_vperm';
import { wipe } from '../runtime/bytes';

/** Bytes of key state either core needs (the larger of the two). */
export const AES_KEY_STATE: usize = AES_BITSLICED_KEY > AES_VPERM_KEY ? AES_BITSLICED_KEY : AES_VPERM_KEY;

const ONE: usize = memory.data(64, 16);

/** The expanded key words, wiped after every key setup. */
const W: usize = memory.data(240, 16);

/** Expands a 16-, 24- or 32-byte key into the build's core's key state. */
export function aesSetKey(ks: usize, key: usize, keyLen: usize): void {
  const rounds = aesExpandKey(W, key, keyLen);
  if (ASC_FEATURE_SIMD) aesVpermLoadKey(ks, W, rounds);
  else aesBitslicedLoadKey(ks, W, rounds);
  wipe(W, 240);
}

/** Encrypts four blocks (64 bytes) src → dst; they may alias. */
export function aesEncrypt4(ks: usize, src: usize, dst: usize): void {
  if (ASC_FEATURE_SIMD) aesVpermEncrypt4(ks, src, dst);
  else aesBitslicedEncrypt4(ks, src, dst);
}

/** Scalar build: one block through slot 0 of a four-block bitsliced call. */
function bitslicedOne(ks: usize, src: usize, dst: usize, decrypt: bool): void {
  store<u64>(ONE, load<u64>(src)); store<u64>(ONE, load<u64>(src, 8), 8);
  if (decrypt) aesBitslicedDecrypt4(ks, ONE, ONE);
  else aesBitslicedEncrypt4(ks, ONE, ONE);
  store<u64>(dst, load<u64>(ONE)); store<u64>(dst, load<u64>(ONE, 8), 8);
  wipe(ONE, 64);
}

/** Encrypts one block src → dst; they may alias. */
export function aesEncrypt1(ks: usize, src: usize, dst: usize): void {
  if (ASC_FEATURE_SIMD) v128.store(dst, aesVpermEncrypt(ks, v128.load(src)));
  else bitslicedOne(ks, src, dst, false);
}

/** Decrypts one block src → dst; they may alias. */
export function aesDecrypt1(ks: usize, src: usize, dst: usize): void {
  if (ASC_FEATURE_SIMD) v128.store(dst, aesVpermDecrypt(ks, v128.load(src)));
  else bitslicedOne(ks, src, dst, true);
}
