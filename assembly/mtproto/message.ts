// MTProto 2.0 message crypto in one call (spec §2.3, §2.4), the hot path of every MTProto packet:
//
//   msg_key_large = SHA-256(auth_key[88+x : 120+x] ‖ plaintext)      msg_key = msg_key_large[8:24]
//   a = SHA-256(msg_key ‖ auth_key[x : x+36])      b = SHA-256(auth_key[40+x : 76+x] ‖ msg_key)
//   aes_key = a[0:8] ‖ b[8:24] ‖ a[24:32]          aes_iv = b[0:8] ‖ a[8:24] ‖ b[24:32]
//   ciphertext = AES-256-IGE(aes_key, aes_iv, plaintext)
//
// x = 0 for messages the client sends, 8 for the server's. Seal hashes the plaintext and then
// encrypts it; open decrypts with the msg_key it is given and then hashes what came out, so that the
// caller can compare msg_key_large[8:24] with it (in constant time, bindings/mtproto/crypto/message.ts).
// Done as separate provider calls (three hashes, a key schedule, IGE) this cost about five times the
// arithmetic at 100-byte messages; one call leaves only the copies in and out.
//
// Constant time: no branch or index depends on the key, the message or the derived keys; lengths are
// public. Memory: the hash context, a, b, aes_key, aes_iv and the AES key schedule are zeroed before
// returning; the buffers passed in are the caller's to wipe.

import { Sha256 } from '../hash/descriptors';
import { mdFinal, mdInit, mdUpdate, mdWipe } from '../hash/md';
import { AES_KEY_STATE, aesSetKey } from '../cipher/aes';
import { aesIgeDecrypt, aesIgeEncrypt } from '../cipher/aes_ige';
import { copy, wipe } from '../runtime/bytes';

// mdCtxLen<Sha256>() = 128 + 64 (context header and one block).
const HASH_CTX: usize = memory.data(192, 16);
const A: usize = memory.data(32, 16);
const B: usize = memory.data(32, 16);
const AES_KEY: usize = memory.data(32, 16);
const AES_IV: usize = memory.data(32, 16);
const SCHEDULE: usize = memory.data(<i32>AES_KEY_STATE, 16);

/** out = SHA-256(p ‖ q). */
function sha256Of2(p: usize, pLen: usize, q: usize, qLen: usize, out: usize): void {
  mdInit<Sha256>(HASH_CTX);
  mdUpdate<Sha256>(HASH_CTX, p, pLen);
  mdUpdate<Sha256>(HASH_CTX, q, qLen);
  mdFinal<Sha256>(HASH_CTX, out);
}

/** The AES-256 key schedule and iv for `msgKey` (16 bytes), from the 256-byte `authKey`. */
function deriveKeyIv(authKey: usize, x: usize, msgKey: usize): void {
  sha256Of2(msgKey, 16, authKey + x, 36, A);
  sha256Of2(authKey + 40 + x, 36, msgKey, 16, B);
  copy(AES_KEY, A, 8); copy(AES_KEY + 8, B + 8, 16); copy(AES_KEY + 24, A + 24, 8);
  copy(AES_IV, B, 8); copy(AES_IV + 8, A + 8, 16); copy(AES_IV + 24, B + 24, 8);
  aesSetKey(SCHEDULE, AES_KEY, 32);
}

function wipeAll(): void {
  mdWipe<Sha256>(HASH_CTX);
  wipe(A, 32); wipe(B, 32); wipe(AES_KEY, 32); wipe(AES_IV, 32);
  wipe(SCHEDULE, AES_KEY_STATE);
}

/**
 * Encrypts `len` bytes at `buf` in place (len a positive multiple of 16) under the 256-byte auth key
 * at `authKey`, as sent by side `x` (0 or 8); writes msg_key_large (32 bytes) to `large`.
 */
export function mtprotoSeal(authKey: usize, x: usize, buf: usize, len: usize, large: usize): void {
  sha256Of2(authKey + 88 + x, 32, buf, len, large);
  deriveKeyIv(authKey, x, large + 8);
  aesIgeEncrypt(SCHEDULE, AES_IV, buf, buf, len);
  wipeAll();
}

/**
 * Decrypts `len` bytes at `buf` in place with the keys of the 16-byte `msgKey`, then writes
 * SHA-256(auth_key[88+x : 120+x] ‖ plaintext) to `large` (the caller compares its bytes 8..24 with
 * msgKey).
 */
export function mtprotoOpen(authKey: usize, x: usize, msgKey: usize, buf: usize, len: usize, large: usize): void {
  deriveKeyIv(authKey, x, msgKey);
  aesIgeDecrypt(SCHEDULE, AES_IV, buf, buf, len);
  sha256Of2(authKey + 88 + x, 32, buf, len, large);
  wipeAll();
}
