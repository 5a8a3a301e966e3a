// Four point decodings at once (RFC 8032 §5.1.3, the rules of decode() in ge25519.ts): the
// exponentiation at the heart of each, (u v^7)^((p-5)/8), runs four at a time on the SIMD build
// (fe25519_x4.ts), the rest of each decoding as in decode(). Batch verification decodes every
// signature's R this way. Public data only (signature encodings), like decode().

import { FE } from './fe25519';
import { pow22523X4 } from './fe25519_x4';
import { P3, decodeFinish, decodeStart } from './ge25519';
import { wipe } from '../runtime/bytes';

const X4: usize = 4 * FE;
const U: usize = memory.data(4 * <i32>X4, 16), V: usize = U + X4, V3: usize = V + X4, W: usize = V3 + X4;

@inline function pick(j: usize, s0: usize, s1: usize, s2: usize, s3: usize): usize {
  return j == 0 ? s0 : j == 1 ? s1 : j == 2 ? s2 : s3;
}

/**
 * Decodes the 32-byte encodings at s0 … s3 into the P3 points at p + j·P3. Returns a mask: bit j set
 * when encoding j decoded (decode() would return 1); a point whose bit is clear holds no meaning.
 */
export function decodeX4(p: usize, s0: usize, s1: usize, s2: usize, s3: usize): u32 {
  let started: u32 = 0;
  for (let j: usize = 0; j < 4; j++) {
    const s = pick(j, s0, s1, s2, s3);
    const pj = p + j * P3, w = W + j * FE;
    if (decodeStart(pj, s, U + j * FE, V + j * FE, V3 + j * FE)) {
      started |= 1 << <u32>j;
      memory.copy(w, pj, FE);              // X = u v^7, the base
    } else {
      memory.fill(w, 0, FE);               // (y refused: zero, a valid input whose result is unused)
    }
  }
  pow22523X4(W, W);
  let ok: u32 = 0;
  for (let j: usize = 0; j < 4; j++) {
    if (!(started & (1 << <u32>j))) continue;
    const s = pick(j, s0, s1, s2, s3);
    const pj = p + j * P3;
    memory.copy(pj, W + j * FE, FE);
    ok |= decodeFinish(pj, s, U + j * FE, V + j * FE, V3 + j * FE) << <u32>j;
  }
  return ok;
}

export function decodeX4WipeScratch(): void {
  wipe(U, 4 * X4);
}
