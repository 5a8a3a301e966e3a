// AES key expansion (FIPS-197 §5.2), shared by both cores. SubWord is the build's core's constant-time
// S-box, called directly (through a function pointer it is not inlined: +20 % key setup measured).
// Branches and the round constant depend only on the key length and the word index, never on key
// bytes. Words are u32 loaded little-endian, so RotWord is a rotation right by 8.

import { aesBitslicedSubWord } from './aes_bitsliced';
import { aesVpermSubWord } from './aes_vperm';

@inline function subWord(x: u32): u32 {
  return ASC_FEATURE_SIMD ? aesVpermSubWord(x) : aesBitslicedSubWord(x);
}

/** Expands a 16-, 24- or 32-byte key into `w` (4·(rounds + 1) words); returns the round count. */
export function aesExpandKey(w: usize, key: usize, keyLen: usize): usize {
  const nk = keyLen >> 2;
  const rounds = nk + 6;
  const words = (rounds + 1) << 2;
  for (let i: usize = 0; i < nk; i++) store<u32>(w + (i << 2), load<u32>(key + (i << 2)));
  let rcon: u32 = 1;
  for (let i = nk; i < words; i++) {
    let temp = load<u32>(w + ((i - 1) << 2));
    if (i % nk == 0) {
      temp = subWord(rotr<u32>(temp, 8)) ^ rcon;
      rcon = (rcon << 1) ^ (0x11b & -(rcon >> 7));
    } else if (nk > 6 && i % nk == 4) {
      temp = subWord(temp);
    }
    store<u32>(w + (i << 2), load<u32>(w + ((i - nk) << 2)) ^ temp);
  }
  return rounds;
}
