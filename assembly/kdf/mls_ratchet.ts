// An MLS secret-tree ratchet (RFC 9420 §9.1) over many generations in one call, for the SHA-256
// suites (Nh = 32):
//
//   for j = first … first + count − 1:
//     key[j]      = DeriveTreeSecret(secret[j], "key",   j, Nk)
//     nonce[j]    = DeriveTreeSecret(secret[j], "nonce", j, Nn)
//     secret[j+1] = DeriveTreeSecret(secret[j], "secret", j, Nh)
//   next = secret[first + count]
//
// DeriveTreeSecret(s, label, j, L) = ExpandWithLabel(s, label, uint32 j, L) = HKDF-Expand(s, KDFLabel, L)
// with KDFLabel = uint16 L ‖ varint ‖ "MLS 1.0 " label ‖ varint 4 ‖ uint32 j; for L ≤ 32 that is the
// first L bytes of HMAC(s, KDFLabel ‖ 0x01). The three derivations of a step share one HMAC key, so
// the context is keyed once per generation.
//
// Constant time: nothing branches on or indexes by a secret; `count`, the lengths and the
// generations are public. Memory: every ratchet secret but the last output is wiped here as soon as
// its successor exists (§9.2), with the HMAC context and the scratch block.

import { Sha256 } from '../hash/descriptors';
import { hmacFinal, hmacInit, hmacUpdate, hmacWipe } from '../mac/hmac';
import { copy, wipe } from '../runtime/bytes';

const CTX: usize = memory.data(320, 16); // hmacCtxLen<Sha256>()
const SECRET: usize = memory.data(32, 16);
const DIGEST: usize = memory.data(32, 16);
// One KDFLabel ‖ 0x01 per label, the length and the generation filled in per call / step:
// [L_hi, L_lo, varint n, "MLS 1.0 " label, 0x04, j (4 bytes), 0x01]
const KEY_INFO: usize = memory.data<u8>([0, 0, 11, 0x4d, 0x4c, 0x53, 0x20, 0x31, 0x2e, 0x30, 0x20, 0x6b, 0x65, 0x79, 4, 0, 0, 0, 0, 1]);
const NONCE_INFO: usize = memory.data<u8>([0, 0, 13, 0x4d, 0x4c, 0x53, 0x20, 0x31, 0x2e, 0x30, 0x20, 0x6e, 0x6f, 0x6e, 0x63, 0x65, 4, 0, 0, 0, 0, 1]);
const SECRET_INFO: usize = memory.data<u8>([0, 32, 14, 0x4d, 0x4c, 0x53, 0x20, 0x31, 0x2e, 0x30, 0x20, 0x73, 0x65, 0x63, 0x72, 0x65, 0x74, 4, 0, 0, 0, 0, 1]);
const KEY_INFO_LEN: usize = 20;
const NONCE_INFO_LEN: usize = 22;
const SECRET_INFO_LEN: usize = 23;

/** Writes generation j (big endian) into an info block whose uint32 sits 5 bytes before its end. */
@inline function setGeneration(info: usize, len: usize, j: u32): void {
  const at = info + len - 5;
  store<u8>(at, <u8>(j >>> 24));
  store<u8>(at + 1, <u8>(j >>> 16));
  store<u8>(at + 2, <u8>(j >>> 8));
  store<u8>(at + 3, <u8>j);
}

/** The first `len` bytes of HMAC(CTX's key, info) into `out`. */
@inline function derive(info: usize, infoLen: usize, out: usize, len: usize): void {
  hmacUpdate<Sha256>(CTX, info, infoLen);
  hmacFinal<Sha256>(CTX, DIGEST);
  copy(out, DIGEST, len);
}

/**
 * Runs `count` steps from the 32-byte ratchet secret `start` at generation `first` (see the top of
 * this file): keys (keyLen bytes each) to `keys`, nonces (nonceLen bytes each) to `nonces`, and the
 * secret after the last step to `next`. Preconditions (checked by the bindings): keyLen, nonceLen in
 * [1, 32]; first + count ≤ 2^32; no output overlaps another or `start` (read first).
 */
export function mlsRatchet(start: usize, first: u32, count: u32, keyLen: u32, nonceLen: u32, keys: usize, nonces: usize, next: usize): void {
  store<u8>(KEY_INFO, <u8>(keyLen >>> 8));
  store<u8>(KEY_INFO + 1, <u8>keyLen);
  store<u8>(NONCE_INFO, <u8>(nonceLen >>> 8));
  store<u8>(NONCE_INFO + 1, <u8>nonceLen);
  copy(SECRET, start, 32);
  for (let i: u32 = 0; i < count; i++) {
    const j = first + i;
    setGeneration(KEY_INFO, KEY_INFO_LEN, j);
    setGeneration(NONCE_INFO, NONCE_INFO_LEN, j);
    setGeneration(SECRET_INFO, SECRET_INFO_LEN, j);
    hmacInit<Sha256>(CTX, SECRET, 32);
    derive(KEY_INFO, KEY_INFO_LEN, keys + <usize>i * keyLen, keyLen);
    derive(NONCE_INFO, NONCE_INFO_LEN, nonces + <usize>i * nonceLen, nonceLen);
    derive(SECRET_INFO, SECRET_INFO_LEN, SECRET, 32); // secret[j] consumed: its successor replaces it
  }
  copy(next, SECRET, 32);
  wipe(SECRET, 32);
  wipe(DIGEST, 32);
  hmacWipe<Sha256>(CTX);
}
