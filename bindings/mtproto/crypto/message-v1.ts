// MTProto 1.0 messages — ONLY for the encrypted_message of auth.bindTempAuthKey (spec §6.1): the
// client encrypts bind_auth_key_inner with the permanent key under the old scheme, and the server
// decrypts it. Nothing else in wirecrypt speaks MTProto 1.0.
//
//   plaintext = random (16) ‖ msg_id (8) ‖ seq_no (4) ‖ message_data_length (4) ‖ message_data
//   msg_key   = SHA-1(plaintext)[4:20]          (before padding)
//   packet    = auth_key_id ‖ msg_key ‖ AES-256-IGE(KDF_v1(auth_key, msg_key, x), plaintext ‖ 0..15 bytes)
//
// In general MTProto 1.0 the first 16 bytes were salt and session_id; for the binding message they
// are random (api/pfs). Decryption follows message.ts: every check feeds one flag, one error.

import { copyInto, copyOf, lengthOf, stable, view } from '../../bytes.js';
import { bytes, bytesOfLength, integer } from '../../errors.js';
import type { CryptoProvider } from '../../provider/types.js';
import { MtprotoError } from '../errors.js';
import { type AuthKey, keyMaterial } from './auth-key.js';
import { equalCt, flag } from '../../compare.js';
import { keyIvV1, type Sender, senderX } from './kdf.js';
import { HEADER_LENGTH } from './padding.js';

export interface MessageV1 {
  /** For auth.bindTempAuthKey: the msg_id of the outer (MTProto 2.0) bindTempAuthKey message. */
  msgId: bigint;
  seqNo: number;
  /** message_data (bind_auth_key_inner, 40 bytes); a multiple of 4. */
  body: Uint8Array;
}

export interface EncryptV1Options {
  from: Sender;
  /** The 16 random leading bytes; default provider.randomBytes(16). */
  random?: Uint8Array;
  /** The 0..15 bytes completing a block; default random bytes of exactly that length. */
  padding?: Uint8Array;
}

function checkParity(msgId: bigint, x: 0 | 8): boolean {
  const low = Number(BigInt.asUintN(2, msgId));
  return x === 0 ? low === 0 : (low & 1) === 1;
}

/** MTProto 1.0 encryption of one message (bindTempAuthKey's encrypted_message only). */
export function encryptMessageV1(provider: CryptoProvider, authKey: AuthKey, message: MessageV1, opts: EncryptV1Options): Uint8Array {
  const fn = 'encryptMessageV1';
  const key = keyMaterial(authKey, fn);
  if (typeof opts !== 'object' || opts === null) throw new TypeError(`${fn}: options must be an object`);
  const x = senderX(opts.from, fn);
  if (typeof message !== 'object' || message === null) throw new TypeError(`${fn}: message must be an object`);
  if (typeof message.msgId !== 'bigint') throw new TypeError(`${fn}: message.msgId must be a bigint`);
  if (message.msgId < -(1n << 63n) || message.msgId >= 1n << 64n) throw new RangeError(`${fn}: message.msgId must fit in 64 bits`);
  if (!checkParity(message.msgId, x)) throw new RangeError(`${fn}: message.msgId has the wrong parity for the sender`);
  const seqNo = integer(message.seqNo, 0, 0x7fffffff, fn, 'message.seqNo');
  const body = stable(bytes(message.body, fn, 'message.body'));
  const bodyLength = lengthOf(body);
  if (bodyLength % 4 !== 0 || bodyLength > 1 << 24) throw new RangeError(`${fn}: message.body length must be a multiple of 4 up to 2^24, got ${bodyLength}`);
  const random = opts.random === undefined ? provider.randomBytes(16) : bytesOfLength(opts.random, 16, fn, 'options.random');

  const unpadded = HEADER_LENGTH + bodyLength;
  const padLength = (16 - (unpadded % 16)) % 16;
  const padding = opts.padding === undefined ? provider.randomBytes(padLength) : bytesOfLength(opts.padding, padLength, fn, 'options.padding');

  const plaintext = new Uint8Array(unpadded + padLength);
  try {
    copyInto(plaintext, random, 0);
    const dv = new DataView(plaintext.buffer);
    dv.setBigInt64(16, BigInt.asIntN(64, message.msgId), true);
    dv.setInt32(24, seqNo, true);
    dv.setInt32(28, bodyLength, true);
    copyInto(plaintext, body, HEADER_LENGTH);
    copyInto(plaintext, padding, unpadded);
    const sha = provider.hash('SHA-1', plaintext.subarray(0, unpadded));
    const msgKey = sha.slice(4, 20);
    sha.fill(0);
    const { key: aesKey, iv } = keyIvV1(provider, key, msgKey, x);
    const ige = provider.aesIge(aesKey);
    try {
      const ciphertext = ige.encrypt(iv, plaintext);
      const packet = new Uint8Array(24 + ciphertext.length);
      packet.set(authKey.id, 0);
      packet.set(msgKey, 8);
      packet.set(ciphertext, 24);
      return packet;
    } finally {
      ige.dispose();
      aesKey.fill(0);
      iv.fill(0);
    }
  } finally {
    plaintext.fill(0);
  }
}

/**
 * MTProto 1.0 decryption (for a server reading bindTempAuthKey's encrypted_message). Throws
 * MtprotoError('message-rejected') for a wrong auth_key_id or msg_key, a length that is not a
 * whole number of blocks, a message_data_length that is negative, not a multiple of 4 or leaves
 * other than 0..15 bytes of padding, or a msg_id of the wrong parity for `from`.
 */
export function decryptMessageV1(provider: CryptoProvider, authKey: AuthKey, packet: Uint8Array, opts: { from: Sender }): MessageV1 {
  const fn = 'decryptMessageV1';
  const key = keyMaterial(authKey, fn);
  if (typeof opts !== 'object' || opts === null) throw new TypeError(`${fn}: options must be an object`);
  const x = senderX(opts.from, fn);
  let input = stable(bytes(packet, fn, 'packet'));
  const n = lengthOf(input);

  // No transport padding here (the packet is a TL bytes value): a partial block is an error.
  let ok = flag(n >= 24 + HEADER_LENGTH) & flag((n - 24) % 16 === 0);
  if (n < 24 + HEADER_LENGTH) {
    const extended = new Uint8Array(24 + HEADER_LENGTH);
    copyInto(extended, input);
    input = extended;
  }
  const ciphertextLength = (lengthOf(input) - 24) & ~15;
  const head = copyOf(view(input, 0, 24));
  const msgKey = head.subarray(8, 24);
  ok &= equalCt(head, authKey.id, 8);

  const { key: aesKey, iv } = keyIvV1(provider, key, msgKey, x);
  const ige = provider.aesIge(aesKey);
  let plaintext: Uint8Array;
  try {
    plaintext = ige.decrypt(iv, view(input, 24, 24 + ciphertextLength));
  } finally {
    ige.dispose();
    aesKey.fill(0);
    iv.fill(0);
  }
  const dv = new DataView(plaintext.buffer);
  const length = dv.getInt32(28, true);
  const padding = ciphertextLength - HEADER_LENGTH - length;
  const lengthOk = flag(length >= 0) & flag((length & 3) === 0) & flag(padding >= 0) & flag(padding <= 15);
  // The hash covers the unpadded plaintext, whose end comes from the length just read; when that
  // length is bad, hash the whole plaintext instead (TDLib does the same) so the work still happens.
  const hashed = lengthOk * (HEADER_LENGTH + length) + (1 - lengthOk) * ciphertextLength;
  const sha = provider.hash('SHA-1', plaintext.subarray(0, hashed));
  ok &= equalCt(sha.subarray(4, 20), msgKey, 16);
  sha.fill(0);
  ok &= lengthOk;
  ok &= flag(checkParity(dv.getBigInt64(16, true), x));
  if (ok !== 1) {
    plaintext.fill(0);
    throw new MtprotoError('message-rejected', 'message rejected');
  }
  const message: MessageV1 = {
    msgId: dv.getBigInt64(16, true),
    seqNo: dv.getInt32(24, true),
    body: plaintext.slice(HEADER_LENGTH, HEADER_LENGTH + length),
  };
  plaintext.fill(0);
  return message;
}
