// MTProto 2.0 encrypted messages (spec §2, §3).
//
//   packet    = auth_key_id (8) ‖ msg_key (16) ‖ AES-256-IGE(aes_key, aes_iv, plaintext)
//   plaintext = salt (8) ‖ session_id (8) ‖ msg_id (8) ‖ seq_no (4) ‖ message_data_length (4)
//               ‖ message_data ‖ padding (12..1024, total ≡ 0 mod 16)
//
// decryptMessage applies the receipt checks that need only the key (spec §3 items 1, 2, 4, and
// item 3 when given the session id): auth_key_id, msg_key recomputed and compared in constant time,
// the length and padding bounds, msg_id parity for the direction. Every check runs on every packet
// and feeds one 0/1 flag that is tested once, at the end, so a failure of any kind costs the same
// work (IGE decryption and the msg_key hash always run) and throws the same error,
// MtprotoError('message-rejected'), with no detail: no oracle on which check failed. Plaintext
// buffers are wiped before throwing, and nothing is returned on failure.
//
// Duplicate msg_ids and the −300 s / +30 s window are session state: see msg-id.ts.

import { copyInto, copyOf, lengthOf, stable, view } from '../../bytes.js';
import { bytes, integer } from '../../errors.js';
import type { CryptoProvider, MtprotoSealed } from '../../provider/types.js';
import { MtprotoError } from '../errors.js';
import { type AuthKey, keyMaterial } from './auth-key.js';
import { equalCt, flag } from '../../compare.js';
import { type Sender, senderX } from './kdf.js';
import { HEADER_LENGTH, MAX_PADDING, MIN_PADDING, checkPadding, paddingLength } from './padding.js';
import { quickAckFromMsgKeyLarge } from './quick-ack.js';

/** The inner message: what encryptMessage serializes and decryptMessage returns. */
export interface PlaintextMessage {
  salt: bigint;
  sessionId: bigint;
  msgId: bigint;
  seqNo: number;
  /** message_data; its length must be a multiple of 4. */
  body: Uint8Array;
}

/** decryptMessage's result; the 64-bit fields are signed, as TlReader.long() reads them. */
export type DecryptedMessage = PlaintextMessage;

export interface EncryptOptions {
  from: Sender;
  /** 'random' (the default): the bucket policy of padding.ts with provider.randomBytes. Exact
   * bytes: for known-answer tests; RangeError unless 12..1024 bytes completing a multiple of 16. */
  padding?: Uint8Array | 'random';
}

export interface DecryptOptions {
  from: Sender;
  /** If given, a different session_id is rejected with the same error as every other check. */
  sessionId?: bigint;
  /** Default true. false skips the msg_id parity rule — only for replaying recorded vectors that
   * ignore it (mtcute's fixtures use an even server msg_id); never in a session. */
  msgIdParity?: boolean;
}

/** AUTH_KEY_ID (8) + MSG_KEY (16). */
const OUTER_HEADER = 24;
/** The shortest valid plaintext: header and 12 bytes of padding, rounded up to a block (48). */
const MIN_CIPHERTEXT = (HEADER_LENGTH + MIN_PADDING + 15) & ~15;
/** message_data_length is an int32 and the whole plaintext one allocation. */
const MAX_BODY = 0x7fffffff - HEADER_LENGTH - MAX_PADDING;

const sender = (x: 0 | 8): Sender => (x === 0 ? 'client' : 'server');

function rejected(): MtprotoError {
  return new MtprotoError('message-rejected', 'message rejected');
}

function int64(value: unknown, fn: string, param: string): bigint {
  if (typeof value !== 'bigint') throw new TypeError(`${fn}: ${param} must be a bigint, got ${typeof value}`);
  if (value < -(1n << 63n) || value >= 1n << 64n) throw new RangeError(`${fn}: ${param} must fit in 64 bits, got ${value}`);
  return BigInt.asIntN(64, value);
}

function options(value: unknown, fn: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) throw new TypeError(`${fn}: options must be an object with from: 'client' | 'server'`);
  return value as Record<string, unknown>;
}

/** Programmer errors in an outgoing message: TypeError / RangeError naming the field. */
function checkMessage(message: unknown, x: 0 | 8, fn: string) {
  if (typeof message !== 'object' || message === null) throw new TypeError(`${fn}: message must be an object`);
  const m = message as Record<string, unknown>;
  const salt = int64(m.salt, fn, 'message.salt');
  const sessionId = int64(m.sessionId, fn, 'message.sessionId');
  const msgId = int64(m.msgId, fn, 'message.msgId');
  const seqNo = integer(m.seqNo, 0, 0x7fffffff, fn, 'message.seqNo');
  const body = stable(bytes(m.body, fn, 'message.body'));
  const n = lengthOf(body);
  if (n % 4 !== 0 || n > MAX_BODY) throw new RangeError(`${fn}: message.body length must be a multiple of 4 up to ${MAX_BODY}, got ${n}`);
  // spec §4.1: client msg_ids are divisible by 4, server msg_ids are odd (1 or 3 mod 4)
  const low = Number(BigInt.asUintN(2, msgId));
  if (x === 0 ? low !== 0 : (low & 1) !== 1) {
    throw new RangeError(`${fn}: message.msgId ${msgId} breaks the ${x === 0 ? 'client (≡ 0 mod 4)' : 'server (odd)'} rule`);
  }
  return { salt, sessionId, msgId, seqNo, body };
}

/**
 * Encrypts a serialized, padded plaintext (spec §2.3, §2.4: msg_key, KDF and AES-256-IGE in one
 * provider call) into auth_key_id ‖ msg_key ‖ ciphertext. Wipes `plaintext`.
 */
function seal(provider: CryptoProvider, authKey: AuthKey, key: Uint8Array, plaintext: Uint8Array, from: Sender) {
  let sealed: MtprotoSealed;
  try {
    sealed = provider.mtprotoSeal(key, from, plaintext);
  } finally {
    plaintext.fill(0);
  }
  const { msgKeyLarge: large, ciphertext } = sealed;
  const quickAck = quickAckFromMsgKeyLarge(large);
  const packet = new Uint8Array(OUTER_HEADER + ciphertext.length);
  packet.set(authKey.id, 0);
  packet.set(large.subarray(8, 24), 8);
  packet.set(ciphertext, OUTER_HEADER);
  large.fill(0);
  return { packet, quickAck };
}

/** encryptMessage, and the quick-ack token (spec §8.5) of the packet it returns. */
export function encryptMessageWithQuickAck(
  provider: CryptoProvider, authKey: AuthKey, message: PlaintextMessage, opts: EncryptOptions,
): { packet: Uint8Array; quickAck: number } {
  const fn = 'encryptMessage';
  const key = keyMaterial(authKey, fn);
  const o = options(opts, fn);
  const x = senderX(o.from, fn);
  const m = checkMessage(message, x, fn);
  const bodyLength = lengthOf(m.body);

  let padding: Uint8Array;
  if (o.padding === undefined || o.padding === 'random') {
    padding = provider.randomBytes(paddingLength(bodyLength));
  } else {
    padding = stable(bytes(o.padding, fn, 'options.padding'));
    checkPadding(bodyLength, padding, fn);
  }

  // plaintext = header ‖ body ‖ padding
  const plaintext = new Uint8Array(HEADER_LENGTH + bodyLength + lengthOf(padding));
  const dv = new DataView(plaintext.buffer);
  dv.setBigInt64(0, m.salt, true);
  dv.setBigInt64(8, m.sessionId, true);
  dv.setBigInt64(16, m.msgId, true);
  dv.setInt32(24, m.seqNo, true);
  dv.setInt32(28, bodyLength, true);
  copyInto(plaintext, m.body, HEADER_LENGTH);
  copyInto(plaintext, padding, HEADER_LENGTH + bodyLength);
  return seal(provider, authKey, key, plaintext, sender(x));
}

/**
 * Serializes `message` (32-byte header, body, padding) and encrypts it with `authKey` as sent by
 * `from`: returns auth_key_id ‖ msg_key ‖ ciphertext. TypeError / RangeError for a malformed
 * message (body not a multiple of 4, msg_id of the wrong parity for the sender, bad padding).
 */
export function encryptMessage(provider: CryptoProvider, authKey: AuthKey, message: PlaintextMessage, opts: EncryptOptions): Uint8Array {
  return encryptMessageWithQuickAck(provider, authKey, message, opts).packet;
}

/**
 * Encrypts an already serialized and padded plaintext (any content, length a multiple of 16),
 * without looking inside: for known-answer vectors over raw plaintexts and for tests that need a
 * correctly keyed packet around a malformed message.
 */
export function sealPlaintext(provider: CryptoProvider, authKey: AuthKey, plaintext: Uint8Array, opts: { from: Sender }): Uint8Array {
  const fn = 'sealPlaintext';
  const key = keyMaterial(authKey, fn);
  const x = senderX(options(opts, fn).from, fn);
  const n = lengthOf(bytes(plaintext, fn, 'plaintext'));
  if (n === 0 || n % 16 !== 0) throw new RangeError(`${fn}: plaintext length must be a positive multiple of 16, got ${n}`);
  return seal(provider, authKey, key, copyOf(plaintext), sender(x)).packet;
}

/** decryptMessage, and the quick-ack token of the message (valid only when it did not throw). */
export function decryptMessageWithQuickAck(
  provider: CryptoProvider, authKey: AuthKey, packet: Uint8Array, opts: DecryptOptions,
): { message: DecryptedMessage; quickAck: number } {
  const fn = 'decryptMessage';
  const key = keyMaterial(authKey, fn);
  const o = options(opts, fn);
  const x = senderX(o.from, fn);
  const expectedSession = o.sessionId === undefined ? undefined : int64(o.sessionId, fn, 'options.sessionId');
  if (o.msgIdParity !== undefined && typeof o.msgIdParity !== 'boolean') throw new TypeError(`${fn}: options.msgIdParity must be a boolean`);
  const checkParity = o.msgIdParity !== false;
  let input = stable(bytes(packet, fn, 'packet'));

  // From here on nothing branches on what the peer sent until `ok` is tested.
  // A packet too short to hold a minimal message still goes through every step, zero-extended.
  let ok = flag(lengthOf(input) >= OUTER_HEADER + MIN_CIPHERTEXT);
  if (ok === 0) {
    const extended = new Uint8Array(OUTER_HEADER + MIN_CIPHERTEXT);
    copyInto(extended, input);
    input = extended;
  }
  // A padded-intermediate frame may carry 0..15 extra bytes (spec §8.3): IGE sees whole blocks only.
  const ciphertextLength = (lengthOf(input) - OUTER_HEADER) & ~15;
  const head = copyOf(view(input, 0, OUTER_HEADER));
  const msgKey = head.subarray(8, 24);
  ok &= equalCt(head, authKey.id, 8);

  const { msgKeyLarge: large, plaintext } = provider.mtprotoOpen(key, sender(x), msgKey, view(input, OUTER_HEADER, OUTER_HEADER + ciphertextLength));
  ok &= equalCt(large.subarray(8, 24), msgKey, 16);
  const quickAck = quickAckFromMsgKeyLarge(large);
  large.fill(0);

  const dv = new DataView(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
  const length = dv.getInt32(28, true);
  const paddingBytes = ciphertextLength - HEADER_LENGTH - length;
  ok &= flag(length >= 0) & flag((length & 3) === 0) & flag(paddingBytes >= MIN_PADDING) & flag(paddingBytes <= MAX_PADDING);
  // spec §3 item 4: from the server msg_id is odd; from the client it is divisible by 4
  const lowByte = plaintext[16]!;
  const parityOk = x === 8 ? lowByte & 1 : flag((lowByte & 3) === 0);
  ok &= checkParity ? parityOk : 1;
  const sessionId = dv.getBigInt64(8, true);
  ok &= expectedSession === undefined ? 1 : flag(sessionId === expectedSession);

  if (ok !== 1) {
    plaintext.fill(0);
    throw rejected();
  }
  const message: DecryptedMessage = {
    salt: dv.getBigInt64(0, true),
    sessionId,
    msgId: dv.getBigInt64(16, true),
    seqNo: dv.getInt32(24, true),
    body: plaintext.slice(HEADER_LENGTH, HEADER_LENGTH + length),
  };
  plaintext.fill(0);
  return { message, quickAck };
}

/**
 * Decrypts a packet sent by `from` and returns the inner message, or throws
 * MtprotoError('message-rejected') — the same error, after the same work, whatever was wrong.
 * TypeError only for programmer errors (not an AuthKey, bad options, packet not a Uint8Array).
 */
export function decryptMessage(provider: CryptoProvider, authKey: AuthKey, packet: Uint8Array, opts: DecryptOptions): DecryptedMessage {
  return decryptMessageWithQuickAck(provider, authKey, packet, opts).message;
}
