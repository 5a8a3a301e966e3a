// AES-IGE (Infinite Garble Extension) in the convention of MTProto and OpenSSL: the 32-byte IV is
// y0 | x0 (a previous ciphertext block, then a previous plaintext block), and
//   encrypt: y_i = E(x_i ^ y_{i-1}) ^ x_{i-1}        decrypt: x_i = D(y_i ^ x_{i-1}) ^ y_{i-1}
// Both directions are sequential, so they run on the single-block core. The IV is updated to the
// last blocks, so a long message can be processed in chunks. Lengths are multiples of 16 (checked
// by the bindings). src and dst may be equal.

import { aesDecrypt1, aesEncrypt1 } from './aes';
import { aesVpermDecrypt, aesVpermEncrypt } from './aes_vperm';
import { wipe } from '../runtime/bytes';

const T: usize = memory.data(16, 16);

export function aesIgeEncrypt(ks: usize, iv: usize, src: usize, dst: usize, len: usize): void {
  if (ASC_FEATURE_SIMD) {
    let y = v128.load(iv), x = v128.load(iv, 16);
    for (let off: usize = 0; off < len; off += 16) {
      const m = v128.load(src + off);
      y = v128.xor(aesVpermEncrypt(ks, v128.xor(m, y)), x);
      x = m;
      v128.store(dst + off, y);
    }
    v128.store(iv, y);
    v128.store(iv, x, 16);
  } else {
    for (let off: usize = 0; off < len; off += 16) {
      const m0 = load<u64>(src + off), m1 = load<u64>(src + off, 8);
      store<u64>(T, m0 ^ load<u64>(iv)); store<u64>(T, m1 ^ load<u64>(iv, 8), 8);
      aesEncrypt1(ks, T, T);
      store<u64>(iv, load<u64>(T) ^ load<u64>(iv, 16)); store<u64>(iv, load<u64>(T, 8) ^ load<u64>(iv, 24), 8);
      store<u64>(iv, m0, 16); store<u64>(iv, m1, 24);
      store<u64>(dst + off, load<u64>(iv)); store<u64>(dst + off, load<u64>(iv, 8), 8);
    }
    wipe(T, 16);
  }
}

export function aesIgeDecrypt(ks: usize, iv: usize, src: usize, dst: usize, len: usize): void {
  if (ASC_FEATURE_SIMD) {
    let y = v128.load(iv), x = v128.load(iv, 16);
    for (let off: usize = 0; off < len; off += 16) {
      const c = v128.load(src + off);
      x = v128.xor(aesVpermDecrypt(ks, v128.xor(c, x)), y);
      y = c;
      v128.store(dst + off, x);
    }
    v128.store(iv, y);
    v128.store(iv, x, 16);
  } else {
    for (let off: usize = 0; off < len; off += 16) {
      const c0 = load<u64>(src + off), c1 = load<u64>(src + off, 8);
      store<u64>(T, c0 ^ load<u64>(iv, 16)); store<u64>(T, c1 ^ load<u64>(iv, 24), 8);
      aesDecrypt1(ks, T, T);
      store<u64>(iv, load<u64>(T) ^ load<u64>(iv), 16); store<u64>(iv, load<u64>(T, 8) ^ load<u64>(iv, 8), 24);
      store<u64>(iv, c0); store<u64>(iv, c1, 8);
      store<u64>(dst + off, load<u64>(iv, 16)); store<u64>(dst + off, load<u64>(iv, 24), 8);
    }
    wipe(T, 16);
  }
}
