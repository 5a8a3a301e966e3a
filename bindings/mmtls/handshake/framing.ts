// Handshake message framing (spec §5.1, observed): u32 BE length (type + body) ‖ u8 type ‖ body, one
// message per record. The transcript is the concatenation of these messages, length prefix
// included, in their decrypted form. Inside bodies the version is written little-endian: 04 f1.

import { ByteReader } from '../../codec/reader.js';
import { MmtlsError, decoding } from '../errors.js';

export const HandshakeType = {
  clientHello: 0x01,
  serverHello: 0x02,
  newSessionTicket: 0x04,
  encryptedExtensions: 0x08,
  certificateVerify: 0x0f,
  finished: 0x14,
} as const;
export type HandshakeTypeCode = (typeof HandshakeType)[keyof typeof HandshakeType];

/** The protocol version as handshake bodies write it (0xF104 little-endian). */
export const BODY_VERSION = 0xf104;

/** Checks a message's framing and type; returns a reader over its body. */
export function openMessage(message: Uint8Array, type: HandshakeTypeCode, what: string): ByteReader {
  return decoding(what, () => {
    const r = new ByteReader(message);
    const length = r.u32(`${what} length`);
    if (length !== message.length - 4) throw new MmtlsError('decode_error', `${what}: length ${length} does not match the ${message.length - 4} bytes present`);
    const got = r.u8(`${what} type`);
    if (got !== type) throw new MmtlsError('unexpected_message', `expected ${what} (type 0x${type.toString(16)}), got type 0x${got.toString(16)}`);
    return r;
  });
}

/** The type byte of a framed message, or -1 if it is too short to have one. */
export function messageType(message: Uint8Array): number {
  return message.length >= 5 ? message[4]! : -1;
}

/** Reads the little-endian body version and refuses anything but 0xF104. */
export function readBodyVersion(r: ByteReader, what: string): void {
  const version = r.u8(`${what} version`) | (r.u8(`${what} version`) << 8);
  if (version !== BODY_VERSION) throw new MmtlsError('protocol_version', `${what}: version 0x${version.toString(16)}, expected 0xf104`);
}
