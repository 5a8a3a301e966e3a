// The padding of an MTProto 2.0 plaintext (spec §2.1, §2.5): 12..1024 random bytes bringing the
// plaintext (32-byte header + message_data + padding) to a multiple of 16.
//
// wirecrypt pads like TDLib (td/mtproto/Transport.cpp, do_calc_crypto_size2_basic): the plaintext
// is rounded up to a size bucket — 64, 128, 192, 256, 384, 512, 768, 1024, 1280 bytes, then
// multiples of 448 above 1280 — so a packet's length says less about its content than the
// minimum padding would. The largest padding this yields is 267 bytes below 1280 and 459 above,
// always within 12..1024.

import { lengthOf } from '../../bytes.js';

/** The 32-byte plaintext header: salt, session_id, msg_id, seq_no, message_data_length. */
export const HEADER_LENGTH = 32;
export const MIN_PADDING = 12;
export const MAX_PADDING = 1024;

const BUCKETS = [64, 128, 192, 256, 384, 512, 768, 1024, 1280] as const;
const STEP_ABOVE = 448;

/** The bucket a plaintext of `minimum` bytes (already a multiple of 16) is padded up to. */
function bucket(minimum: number): number {
  for (const size of BUCKETS) if (minimum <= size) return size;
  return 1280 + Math.ceil((minimum - 1280) / STEP_ABOVE) * STEP_ABOVE;
}

/** The number of padding bytes the default policy adds after `bodyLength` bytes of message_data. */
export function paddingLength(bodyLength: number): number {
  const minimum = (HEADER_LENGTH + bodyLength + MIN_PADDING + 15) & ~15;
  return bucket(minimum) - HEADER_LENGTH - bodyLength;
}

/** Whether `padding` bytes after `bodyLength` bytes of message_data make a valid plaintext. */
export function isValidPaddingLength(bodyLength: number, padding: number): boolean {
  return padding >= MIN_PADDING && padding <= MAX_PADDING && (HEADER_LENGTH + bodyLength + padding) % 16 === 0;
}

/** RangeError unless caller-chosen padding bytes fit the rule (for known-answer tests). */
export function checkPadding(bodyLength: number, padding: Uint8Array, fn: string): void {
  const n = lengthOf(padding);
  if (!isValidPaddingLength(bodyLength, n)) {
    throw new RangeError(`${fn}: padding must be ${MIN_PADDING}..${MAX_PADDING} bytes making 32 + body + padding a multiple of 16, got ${n} after a ${bodyLength}-byte body`);
  }
}
