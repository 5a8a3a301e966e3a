// Unencrypted messages (§2.1), used only while an auth key is being created:
//   auth_key_id = 0 (int64) | message_id (int64) | message_data_length (int32) | message_data
// The handshake state machines deal in message_data; this wraps and unwraps it.

import { bytes as checkBytes } from '../../errors.js';
import { MtprotoError } from '../errors.js';

export const PLAIN_HEADER_LENGTH = 20;

export interface PlainMessage {
  readonly msgId: bigint;
  readonly body: Uint8Array;
}

export interface DecodePlainOptions {
  /**
   * Who sent the message, to check msg_id's low bits (§4.1): a client's msg_id is divisible by 4,
   * a server's is odd (1 or 3 mod 4). Unchecked when omitted.
   */
  readonly from?: 'client' | 'server';
  /**
   * Accept 0..15 bytes after message_data: the random tail of the padded intermediate transport
   * (§8.3), which the transport cannot strip from an unencrypted message. Off by default.
   */
  readonly transportPadding?: boolean;
}

/** auth_key_id 0 ‖ msg_id ‖ length ‖ body. The body must be a whole number of 4-byte words. */
export function encodePlainMessage(msgId: bigint, body: Uint8Array): Uint8Array {
  checkBytes(body, 'encodePlainMessage', 'body');
  if (typeof msgId !== 'bigint' || msgId <= 0n || msgId >= 1n << 63n) throw new RangeError('encodePlainMessage: msgId must be a positive int64');
  if (body.length % 4 !== 0) throw new RangeError(`encodePlainMessage: body length ${body.length} is not a multiple of 4`);
  const out = new Uint8Array(PLAIN_HEADER_LENGTH + body.length);
  const view = new DataView(out.buffer);
  view.setBigUint64(8, msgId, true);
  view.setUint32(16, body.length, true);
  out.set(body, PLAIN_HEADER_LENGTH);
  return out;
}

/**
 * The msg_id and body of an unencrypted message, after checking auth_key_id = 0, a positive
 * msg_id (with the parity `from` asks for), and a length field that is a multiple of 4 and matches
 * the packet exactly (or up to 15 bytes less with `transportPadding`). MtprotoError codes
 * 'plain-bad-auth-key-id', 'plain-bad-msg-id', 'plain-bad-length'.
 */
export function decodePlainMessage(packet: Uint8Array, options: DecodePlainOptions = {}): PlainMessage {
  checkBytes(packet, 'decodePlainMessage', 'packet');
  if (packet.length < PLAIN_HEADER_LENGTH) throw new MtprotoError('plain-bad-length', `unencrypted message of ${packet.length} bytes is shorter than its header`);
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  if (view.getBigUint64(0, true) !== 0n) throw new MtprotoError('plain-bad-auth-key-id', 'unencrypted message with a non-zero auth_key_id');
  const msgId = view.getBigInt64(8, true);
  if (msgId <= 0n) throw new MtprotoError('plain-bad-msg-id', 'msg_id must be positive');
  const low = Number(msgId & 3n);
  if (options.from === 'client' && low !== 0) throw new MtprotoError('plain-bad-msg-id', 'a client msg_id must be divisible by 4');
  if (options.from === 'server' && low % 2 !== 1) throw new MtprotoError('plain-bad-msg-id', 'a server msg_id must be odd');
  const length = view.getInt32(16, true);
  const available = packet.length - PLAIN_HEADER_LENGTH;
  const slack = options.transportPadding ? 15 : 0;
  if (length < 0 || length % 4 !== 0 || length > available || available - length > slack) {
    throw new MtprotoError('plain-bad-length', `message_data_length ${length} does not match the ${available} bytes that follow`);
  }
  return { msgId, body: packet.slice(PLAIN_HEADER_LENGTH, PLAIN_HEADER_LENGTH + length) };
}
