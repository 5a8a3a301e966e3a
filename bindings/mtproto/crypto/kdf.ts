// Message key derivation.
//
// MTProto 2.0 (spec §2.3): msg_key_large = SHA-256(auth_key[88+x : 120+x] ‖ plaintext), msg_key =
// msg_key_large[8:24]; aes_key and aes_iv from two SHA-256 of msg_key with auth_key[x : x+36] and
// auth_key[40+x : 76+x]. x = 0 for messages the client sends, 8 for messages the server sends.
//
// MTProto 1.0 (spec §6.2) is here ONLY for auth.bindTempAuthKey's encrypted_message (message-v1.ts).
//
// The handshake's tmp_aes_key / tmp_aes_iv (spec §5.1 step 7) are derived from the nonces, not from
// an auth key, and live here too because they are a KDF of the same shape.

import { concat, lengthOf, view } from '../../bytes.js';
import { bytes, bytesOfLength } from '../../errors.js';
import type { CryptoProvider, MtprotoSender } from '../../provider/types.js';
import { type AuthKey, keyMaterial } from './auth-key.js';
import { mtprotoKeyIv, senderX } from '../../provider/mtproto-message.js';

/** Who sent the message: it selects x (client → server: 0, server → client: 8). */
export type Sender = MtprotoSender;

export interface AesKeyIv {
  /** 32-byte AES-256 key. */
  key: Uint8Array;
  /** 32-byte IGE iv (c0 ‖ m0, spec §2.4). */
  iv: Uint8Array;
}

export { senderX };

/** SHA-`name` of the concatenation; the concatenation (it holds key bytes) is wiped. */
function hashOf(provider: CryptoProvider, name: 'SHA-1' | 'SHA-256', parts: readonly Uint8Array[]): Uint8Array {
  const buf = concat(...parts);
  try {
    return provider.hash(name, buf);
  } finally {
    buf.fill(0);
  }
}

/**
 * SHA-256(auth_key[88+x : 120+x] ‖ plaintext) (spec §2.3): msg_key is bytes 8..24 of it and the
 * quick-ack token comes from bytes 0..4 (spec §8.5). `plaintext` includes the padding.
 */
export function msgKeyLarge(provider: CryptoProvider, authKey: AuthKey, plaintext: Uint8Array, from: Sender): Uint8Array {
  const fn = 'msgKeyLarge';
  const x = senderX(from, fn);
  const key = keyMaterial(authKey, fn);
  return hashOf(provider, 'SHA-256', [key.subarray(88 + x, 120 + x), bytes(plaintext, fn, 'plaintext')]);
}

/** msg_key = msgKeyLarge(…)[8:24] (spec §2.3). */
export function msgKey(provider: CryptoProvider, authKey: AuthKey, plaintext: Uint8Array, from: Sender): Uint8Array {
  const large = msgKeyLarge(provider, authKey, plaintext, from);
  const out = large.slice(8, 24);
  large.fill(0);
  return out;
}

/** MTProto 2.0 aes_key / aes_iv for a 16-byte msg_key (spec §2.3). The caller wipes both. */
export function messageKeyIv(provider: CryptoProvider, authKey: AuthKey, msgKey: Uint8Array, from: Sender): AesKeyIv {
  const fn = 'messageKeyIv';
  const x = senderX(from, fn);
  bytesOfLength(msgKey, 16, fn, 'msgKey');
  // the derivation mtprotoSeal / mtprotoOpen use inside, over this provider's SHA-256
  return mtprotoKeyIv((data) => provider.hash('SHA-256', data), keyMaterial(authKey, fn), msgKey, x);
}

/**
 * MTProto 1.0 aes_key / aes_iv (description_v1, spec §6.2) — ONLY for the encrypted_message of
 * auth.bindTempAuthKey. The caller wipes both.
 */
export function messageKeyIvV1(provider: CryptoProvider, authKey: AuthKey, msgKey: Uint8Array, from: Sender): AesKeyIv {
  const fn = 'messageKeyIvV1';
  const x = senderX(from, fn);
  bytesOfLength(msgKey, 16, fn, 'msgKey');
  return keyIvV1(provider, keyMaterial(authKey, fn), msgKey, x);
}

export function keyIvV1(provider: CryptoProvider, key: Uint8Array, msgKey: Uint8Array, x: 0 | 8): AesKeyIv {
  const a = hashOf(provider, 'SHA-1', [msgKey, key.subarray(x, x + 32)]);
  const b = hashOf(provider, 'SHA-1', [key.subarray(32 + x, 48 + x), msgKey, key.subarray(48 + x, 64 + x)]);
  const c = hashOf(provider, 'SHA-1', [key.subarray(64 + x, 96 + x), msgKey]);
  const d = hashOf(provider, 'SHA-1', [msgKey, key.subarray(96 + x, 128 + x)]);
  // aes_key = a[0:8] ‖ b[8:20] ‖ c[4:16]; aes_iv = a[8:20] ‖ b[0:8] ‖ c[16:20] ‖ d[0:8]
  const aesKey = concat(a.subarray(0, 8), b.subarray(8, 20), c.subarray(4, 16));
  const aesIv = concat(a.subarray(8, 20), b.subarray(0, 8), c.subarray(16, 20), d.subarray(0, 8));
  for (const h of [a, b, c, d]) h.fill(0);
  return { key: aesKey, iv: aesIv };
}

/**
 * The handshake's temporary key and iv for server_DH_params_ok.encrypted_answer and
 * set_client_DH_params.encrypted_data (spec §5.1 step 7):
 * key = SHA1(new_nonce ‖ server_nonce) ‖ SHA1(server_nonce ‖ new_nonce)[0:12],
 * iv = SHA1(server_nonce ‖ new_nonce)[12:20] ‖ SHA1(new_nonce ‖ new_nonce) ‖ new_nonce[0:4].
 */
export function handshakeKeyIv(provider: CryptoProvider, serverNonce: Uint8Array, newNonce: Uint8Array): AesKeyIv {
  const fn = 'handshakeKeyIv';
  bytesOfLength(serverNonce, 16, fn, 'serverNonce');
  // 32 bytes in the protocol; mtcute's unit vector uses 16, and the formula does not care
  bytes(newNonce, fn, 'newNonce');
  if (lengthOf(newNonce) < 4) throw new RangeError(`${fn}: newNonce must be at least 4 bytes, got ${lengthOf(newNonce)}`);
  const ns = hashOf(provider, 'SHA-1', [newNonce, serverNonce]);
  const sn = hashOf(provider, 'SHA-1', [serverNonce, newNonce]);
  const nn = hashOf(provider, 'SHA-1', [newNonce, newNonce]);
  const key = concat(ns, sn.subarray(0, 12));
  const iv = concat(sn.subarray(12, 20), nn, view(newNonce, 0, 4));
  for (const h of [ns, sn, nn]) h.fill(0);
  return { key, iv };
}
