// Values derived from a new auth key and the handshake nonces (§2.2, §4.3, §5.1 step 10).

import type { CryptoProvider } from '../../provider/types.js';
import { int64FromBytesLE } from './bigint.js';

/** auth_key_id = SHA1(auth_key)[12:20], the 64 lower-order bits (§2.2). */
export function authKeyId(provider: CryptoProvider, authKey: Uint8Array): Uint8Array {
  return provider.hash('SHA-1', authKey).slice(12, 20);
}

/** auth_key_aux_hash = SHA1(auth_key)[0:8], the 64 higher-order bits; also the next retry_id. */
export function authKeyAuxHash(provider: CryptoProvider, authKey: Uint8Array): Uint8Array {
  return provider.hash('SHA-1', authKey).slice(0, 8);
}

/** new_nonce_hashN = SHA1(new_nonce + byte(N) + auth_key_aux_hash)[4:20], N = 1 (ok), 2 (retry), 3 (fail). */
export function newNonceHash(provider: CryptoProvider, newNonce: Uint8Array, n: 1 | 2 | 3, auxHash: Uint8Array): Uint8Array {
  const input = new Uint8Array(newNonce.length + 1 + auxHash.length);
  input.set(newNonce);
  input[newNonce.length] = n;
  input.set(auxHash, newNonce.length + 1);
  return provider.hash('SHA-1', input).slice(4, 20);
}

/** server_DH_params_fail's new_nonce_hash: the 128 lower-order bits of SHA1(new_nonce). */
export function newNonceHashOfFail(provider: CryptoProvider, newNonce: Uint8Array): Uint8Array {
  return provider.hash('SHA-1', newNonce).slice(4, 20);
}

/**
 * The initial server salt, new_nonce[0:8] XOR server_nonce[0:8] (§4.3), as the TL long a message
 * header carries (signed 64-bit, from the 8 bytes read little-endian).
 */
export function initialServerSalt(newNonce: Uint8Array, serverNonce: Uint8Array): bigint {
  const salt = new Uint8Array(8);
  for (let i = 0; i < 8; i++) salt[i] = newNonce[i] ^ serverNonce[i];
  return int64FromBytesLE(salt);
}
