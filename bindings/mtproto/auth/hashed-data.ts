// The encrypted inner objects of steps 6 and 7 (§5.1): answer_with_hash and data_with_hash are
// SHA1(object) ‖ object ‖ 0..15 random bytes (to a multiple of 16), under AES-256-IGE with
// tmp_aes_key / tmp_aes_iv. The reader finds the object's length by parsing it, as the
// specification requires, and then checks the padding length and the hash (in constant time).

import type { CryptoProvider } from '../../provider/types.js';
import { MtprotoError, TlError } from '../errors.js';
import { TlReader } from '../tl/reader.js';
import { ctEqual } from '../../compare.js';

/** SHA1(data) ‖ data ‖ padding, encrypted. `random(n)` supplies the 0..15 padding bytes. */
export function sealWithHash(
  provider: CryptoProvider,
  key: Uint8Array,
  iv: Uint8Array,
  data: Uint8Array,
  random: (length: number) => Uint8Array,
): Uint8Array {
  const unpadded = 20 + data.length;
  const padding = (16 - (unpadded % 16)) % 16;
  const plain = new Uint8Array(unpadded + padding);
  plain.set(provider.hash('SHA-1', data));
  plain.set(data, 20);
  if (padding > 0) plain.set(random(padding), unpadded);
  const cipher = provider.aesIge(key);
  try {
    return cipher.encrypt(iv, plain);
  } finally {
    cipher.dispose();
  }
}

/**
 * Decrypts and returns the object `read` parses, after checking that 0..15 bytes follow it and
 * that the SHA-1 in front matches. Every failure, including a parse error inside the decrypted
 * bytes, is MtprotoError('handshake-bad-hash'): without new_nonce nobody can produce a valid one.
 */
export function openWithHash<T>(
  provider: CryptoProvider,
  key: Uint8Array,
  iv: Uint8Array,
  encrypted: Uint8Array,
  read: (r: TlReader) => T,
  what: string,
): T {
  if (encrypted.length < 32 || encrypted.length % 16 !== 0) throw new MtprotoError('handshake-bad-hash', `${what}: encrypted length ${encrypted.length} is not a multiple of 16 above 16`);
  const cipher = provider.aesIge(key);
  let plain: Uint8Array;
  try {
    plain = cipher.decrypt(iv, encrypted);
  } finally {
    cipher.dispose();
  }
  const r = new TlReader(plain.subarray(20));
  let value: T;
  try {
    value = read(r);
  } catch (error) {
    if (error instanceof TlError) throw new MtprotoError('handshake-bad-hash', `${what}: decrypted data does not parse (${error.message})`);
    throw error;
  }
  const length = r.offset;
  if (r.remaining > 15) throw new MtprotoError('handshake-bad-hash', `${what}: ${r.remaining} bytes of padding, more than 15`);
  if (!ctEqual(plain.subarray(0, 20), provider.hash('SHA-1', plain.subarray(20, 20 + length)))) {
    throw new MtprotoError('handshake-bad-hash', `${what}: SHA-1 mismatch`);
  }
  return value;
}
