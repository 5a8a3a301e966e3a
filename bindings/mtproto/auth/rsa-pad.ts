// RSA_PAD (§5.2): the client's encryption of p_q_inner_data under the server's key, and the
// server's decryption with every check. Also the legacy scheme still sent by GramJS
// (`SHA1(data) + data + padding`, 255 bytes, raw RSA), which Telegram's servers still accept.
//
// Timing: the RSA private-key operation is BigInt modPow (bigint.ts: not constant time, so the
// private exponent is exposed to timing in this layer, as in every JavaScript MTProto peer). What
// follows the exponentiation does the same work for every input until the hash comparison, which
// is constant time, so acceptance is not a padding oracle; in particular the legacy check runs
// whatever the decrypted value looks like, so its leading zero byte does not show in the timing
// (an "is the top byte zero" oracle is exactly what Manger's attack needs).

import { concat } from '../../bytes.js';
import type { CryptoProvider } from '../../provider/types.js';
import { MtprotoError } from '../errors.js';
import { bigIntFromBytesBE, bigIntToBytesBE, modPow } from './bigint.js';
import { ctEqual } from '../../compare.js';
import type { RsaPrivateKey, RsaPublicKey } from './rsa.js';

/** The longest `data` RSA_PAD takes (§5.2). */
export const RSA_PAD_MAX_DATA = 144;
const PADDED = 192;
const ZERO_IV = new Uint8Array(32);
// A client retries temp_key while key_aes_encrypted ≥ n; with a 2048-bit n each try succeeds with
// probability > 1/2, so running out of tries means a broken random source.
const MAX_TEMP_KEY_TRIES = 64;

function xor32(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = a[i] ^ b[i];
  return out;
}

function aesIge(provider: CryptoProvider, key: Uint8Array, run: (c: ReturnType<CryptoProvider['aesIge']>) => Uint8Array): Uint8Array {
  const cipher = provider.aesIge(key);
  try {
    return run(cipher);
  } finally {
    cipher.dispose();
  }
}

/**
 * RSA_PAD(data, key) → encrypted_data (256 bytes). `random(n)` supplies, in this order, the
 * 192 − len(data) padding bytes and then a 32-byte temp_key per attempt.
 */
export function rsaPadEncrypt(
  provider: CryptoProvider,
  key: RsaPublicKey,
  data: Uint8Array,
  random: (length: number) => Uint8Array = (n) => provider.randomBytes(n),
): Uint8Array {
  if (data.length > RSA_PAD_MAX_DATA) throw new RangeError(`rsaPadEncrypt: data must be at most ${RSA_PAD_MAX_DATA} bytes, got ${data.length}`);
  const dataWithPadding = concat(data, random(PADDED - data.length));
  const reversed = dataWithPadding.slice().reverse();
  for (let attempt = 0; attempt < MAX_TEMP_KEY_TRIES; attempt++) {
    const tempKey = random(32);
    const dataWithHash = concat(reversed, provider.hash('SHA-256', concat(tempKey, dataWithPadding)));
    const aesEncrypted = aesIge(provider, tempKey, (c) => c.encrypt(ZERO_IV, dataWithHash));
    const tempKeyXor = xor32(tempKey, provider.hash('SHA-256', aesEncrypted));
    const keyAesEncrypted = bigIntFromBytesBE(concat(tempKeyXor, aesEncrypted));
    tempKey.fill(0);
    if (keyAesEncrypted < key.n) return bigIntToBytesBE(modPow(keyAesEncrypted, key.e, key.n), 256);
  }
  throw new Error('rsaPadEncrypt: no temp_key gave a value below the modulus; is the random source broken?');
}

/**
 * The raw RSA private-key operation, by the CRT: encrypted_data (at most 256 bytes, big-endian,
 * below n) → its 256-byte decryption. MtprotoError('rsa-pad-invalid') for a value ≥ n.
 */
export function rsaDecryptRaw(key: RsaPrivateKey, encrypted: Uint8Array): Uint8Array {
  if (encrypted.length > 256) throw new MtprotoError('rsa-pad-invalid', `encrypted_data is ${encrypted.length} bytes, more than 256`);
  const c = bigIntFromBytesBE(encrypted);
  // §5.2: the client only sends key_aes_encrypted < n, so a ciphertext ≥ n was not made by RSA_PAD.
  if (c >= key.n) throw new MtprotoError('rsa-pad-invalid', 'encrypted_data is not below the RSA modulus');
  const m1 = modPow(c, key.dp, key.p);
  const m2 = modPow(c, key.dq, key.q);
  const h = (key.qInv * (((m1 - m2) % key.p) + key.p)) % key.p;
  return bigIntToBytesBE(m2 + h * key.q, 256);
}

/**
 * Undoes RSA_PAD on a decrypted 256-byte key_aes_encrypted: returns data_with_padding (192 bytes,
 * the TL inner data then the client's padding), or null when the SHA-256 check fails.
 */
export function rsaPadUnwrap(provider: CryptoProvider, keyAesEncrypted: Uint8Array): Uint8Array | null {
  if (keyAesEncrypted.length !== 256) return null;
  const tempKeyXor = keyAesEncrypted.subarray(0, 32);
  const aesEncrypted = keyAesEncrypted.subarray(32);
  const tempKey = xor32(tempKeyXor, provider.hash('SHA-256', aesEncrypted));
  const dataWithHash = aesIge(provider, tempKey, (c) => c.decrypt(ZERO_IV, aesEncrypted));
  const dataWithPadding = dataWithHash.slice(0, PADDED).reverse();
  const ok = ctEqual(dataWithHash.subarray(PADDED), provider.hash('SHA-256', concat(tempKey, dataWithPadding)));
  tempKey.fill(0);
  dataWithHash.fill(0);
  return ok ? dataWithPadding : null;
}

/**
 * The legacy scheme: a 256-byte decryption 00 ‖ SHA1(data) ‖ data ‖ padding (data a whole number of
 * 4-byte words, at most 232 bytes). Returns data, or null. Every candidate length is hashed and
 * compared whatever the input, so the time does not depend on the leading byte or on the length.
 */
export function rsaLegacyUnwrap(provider: CryptoProvider, decrypted: Uint8Array): Uint8Array | null {
  if (decrypted.length !== 256) return null;
  const hash = decrypted.subarray(1, 21);
  let found = 0;
  for (let length = 4; length <= 232; length += 4) {
    const match = ctEqual(provider.hash('SHA-1', decrypted.subarray(21, 21 + length)), hash) ? 1 : 0;
    found |= -match & length & -(found === 0 ? 1 : 0);
  }
  const leadingZero = decrypted[0] === 0 ? 1 : 0;
  return found !== 0 && leadingZero === 1 ? decrypted.slice(21, 21 + found) : null;
}

/** rsaDecryptRaw then rsaPadUnwrap: data_with_padding, or MtprotoError('rsa-pad-invalid'). */
export function rsaPadDecrypt(provider: CryptoProvider, key: RsaPrivateKey, encrypted: Uint8Array): Uint8Array {
  const unwrapped = rsaPadUnwrap(provider, rsaDecryptRaw(key, encrypted));
  if (unwrapped === null) throw new MtprotoError('rsa-pad-invalid', 'RSA_PAD hash check failed');
  return unwrapped;
}
