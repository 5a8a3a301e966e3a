// Symmetric chain ratchet (the Wesh/Signal step), many steps per call:
//   PRK = HKDF-Extract(salt, chainKey)
//   OKM = HKDF-Expand(PRK, info, 64)
//   nextChainKey = OKM[0..32], messageKey = OKM[32..64]
// The salt's HMAC pad states are computed once for all steps; each step then costs 9 SHA-256
// compressions (2 extract, 2 PRK pads, 2 for T(1), 3 for T(2) whose input is 65+ bytes).

import { Sha256 } from '../hash/descriptors';
import { hmacFinal, hmacInit, hmacReset, hmacUpdate, hmacWipe } from '../mac/hmac';
import { wipe } from '../runtime/bytes';

// HMAC contexts: 384 bytes covers hmacCtxLen of every hash (SHA-256 needs 320).
const SALT_CTX: usize = memory.data(384, 16);
const PRK_CTX: usize = memory.data(384, 16);
const PRK: usize = memory.data(32, 16);
const ONE: usize = memory.data<u8>([1]);
const TWO: usize = memory.data<u8>([2]);

/**
 * Runs `steps` steps from the chain key at `chainKey` (`chainKeyLen` bytes; later steps use the
 * 32-byte derived key). Message key i goes to `keysOut + 32 i`; the final chain key to `chainKeyOut`.
 * `chainKeyOut` may equal `chainKey` (steps == 0 then writes nothing); neither may overlap `keysOut`.
 */
export function ratchetSha256(
  chainKey: usize, chainKeyLen: usize, salt: usize, saltLen: usize, info: usize, infoLen: usize,
  steps: usize, keysOut: usize, chainKeyOut: usize,
): void {
  hmacInit<Sha256>(SALT_CTX, salt, saltLen);
  let ck = chainKey;
  let ckLen = chainKeyLen;
  for (let s: usize = 0; s < steps; s++) {
    const mk = keysOut + (s << 5);
    hmacUpdate<Sha256>(SALT_CTX, ck, ckLen);
    hmacFinal<Sha256>(SALT_CTX, PRK); // resets SALT_CTX for the next step
    hmacInit<Sha256>(PRK_CTX, PRK, 32);
    hmacUpdate<Sha256>(PRK_CTX, info, infoLen);
    hmacUpdate<Sha256>(PRK_CTX, ONE, 1);
    hmacFinal<Sha256>(PRK_CTX, chainKeyOut); // T(1) = next chain key
    hmacUpdate<Sha256>(PRK_CTX, chainKeyOut, 32);
    hmacUpdate<Sha256>(PRK_CTX, info, infoLen);
    hmacUpdate<Sha256>(PRK_CTX, TWO, 1);
    hmacFinal<Sha256>(PRK_CTX, mk); // T(2) = message key
    ck = chainKeyOut;
    ckLen = 32;
  }
  hmacWipe<Sha256>(SALT_CTX);
  hmacWipe<Sha256>(PRK_CTX);
  wipe(PRK, 32);
}
