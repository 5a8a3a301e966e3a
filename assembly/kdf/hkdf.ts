// HKDF-Expand, RFC 5869 §2.3, over any hash descriptor (Extract, §2.2, is one HMAC and needs no code
// of its own). Uses one static HMAC context, wiped before returning.

import { hashOf } from '../hash/descriptors';
import { hmacCtxLen, hmacFinal, hmacInit, hmacReset, hmacUpdate, hmacWipe } from '../mac/hmac';
import { copy, wipe } from '../runtime/bytes';

// Large enough for HMAC-SHA512 (128 + 128 + 128 bytes).
const CTX: usize = memory.data(384, 16);
const T: usize = memory.data(64, 16);
const COUNTER: usize = memory.data(16, 16);

/**
 * §2.3: T(i) = HMAC-Hash(PRK, T(i-1) | info | i), OKM = first `len` bytes of T(1) | T(2) | ….
 * Precondition (checked by the bindings): len <= 255 * HashLen. `out` may overlap nothing else.
 */
export function hkdfExpand<H>(prk: usize, prkLen: usize, info: usize, infoLen: usize, out: usize, len: usize): void {
  const hashLen = hashOf<H>().digestLen;
  hmacInit<H>(CTX, prk, prkLen);
  let done: usize = 0;
  for (let i: u32 = 1; done < len; i++) {
    if (i > 1) {
      hmacReset<H>(CTX);
      hmacUpdate<H>(CTX, T, hashLen);
    }
    hmacUpdate<H>(CTX, info, infoLen);
    store<u8>(COUNTER, <u8>i);
    hmacUpdate<H>(CTX, COUNTER, 1);
    hmacFinal<H>(CTX, T);
    const take = min(hashLen, len - done);
    copy(out + done, T, take);
    done += take;
  }
  hmacWipe<H>(CTX);
  wipe(T, 64);
  wipe(COUNTER, 16);
}
