// The record layer's framing (spec §4.1, observed): type (u8) ‖ version (u16 BE, 0xF104) ‖ length
// (u16 BE) ‖ fragment. `RecordSplitter` cuts a byte stream (a TCP connection, an HTTP body) into
// records; it holds at most one record's worth of bytes (plus the chunk being added), and copies
// each byte a constant number of times however the stream is chunked.

import { ByteQueue } from '../../codec/byte-queue.js';
import { MmtlsError } from '../errors.js';

export const VERSION = 0xf104;
export const HEADER_LENGTH = 5;
/** The length field's largest value: one record carries at most this many bytes after the header. */
export const MAX_RECORD_BODY = 0xffff;
/**
 * The largest application-data plaintext a sender puts in one record (the length field's limit
 * less the tag); longer data is fragmented. As large as the field allows because the other mmtls
 * implementations (pymmtls's server, gommtls) read one long-link frame per record.
 */
export const MAX_FRAGMENT = MAX_RECORD_BODY - 16;

export const RecordType = {
  alert: 0x15,
  handshake: 0x16,
  applicationData: 0x17,
  /** A handshake record carrying 0-RTT: the 0-RTT ClientHello and its EncryptedExtensions. */
  earlyHandshake: 0x19,
} as const;
export type RecordTypeCode = (typeof RecordType)[keyof typeof RecordType];

const TYPES = new Set<number>(Object.values(RecordType));

export interface MmtlsRecord {
  readonly type: RecordTypeCode;
  /** The 5-byte header as received (the AAD's tail). */
  readonly header: Uint8Array;
  /** The fragment: plaintext, or ciphertext ‖ tag. */
  readonly body: Uint8Array;
}

export function recordHeader(type: RecordTypeCode, length: number): Uint8Array {
  if (length > MAX_RECORD_BODY) throw new MmtlsError('record_overflow', `record of ${length} bytes exceeds ${MAX_RECORD_BODY}`);
  return Uint8Array.of(type, VERSION >>> 8, VERSION & 0xff, length >>> 8, length & 0xff);
}

/** A plaintext record (ClientHello, ServerHello). */
export function plainRecord(type: RecordTypeCode, fragment: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_LENGTH + fragment.length);
  out.set(recordHeader(type, fragment.length));
  out.set(fragment, HEADER_LENGTH);
  return out;
}

/** Splits a stream into records, checking each header as soon as it is complete. */
export class RecordSplitter {
  readonly #queue = new ByteQueue();

  /** Bytes held that do not yet form a whole record. */
  get buffered(): number {
    return this.#queue.length;
  }

  /** Adds bytes; returns the records now complete (copies, independent of `chunk`). */
  push(chunk: Uint8Array): MmtlsRecord[] {
    this.#queue.push(chunk);
    const records: MmtlsRecord[] = [];
    while (this.#queue.length >= HEADER_LENGTH) {
      const head = this.#queue.peek(HEADER_LENGTH);
      checkHeader(head);
      const length = (head[3]! << 8) | head[4]!;
      if (this.#queue.length < HEADER_LENGTH + length) break;
      const bytes = this.#queue.take(HEADER_LENGTH + length);
      records.push({ type: bytes[0] as RecordTypeCode, header: bytes.subarray(0, HEADER_LENGTH), body: bytes.subarray(HEADER_LENGTH) });
    }
    return records;
  }
}

/** Every record of a complete byte string (an HTTP body); throws on a truncated tail. */
export function splitRecords(bytes: Uint8Array): MmtlsRecord[] {
  const splitter = new RecordSplitter();
  const records = splitter.push(bytes);
  if (splitter.buffered !== 0) throw new MmtlsError('decode_error', `${splitter.buffered} bytes after the last whole record`);
  return records;
}

function checkHeader(head: Uint8Array): void {
  if (!TYPES.has(head[0]!)) throw new MmtlsError('unexpected_message', `unknown record type 0x${head[0]!.toString(16)}`);
  const version = (head[1]! << 8) | head[2]!;
  if (version !== VERSION) throw new MmtlsError('protocol_version', `record version 0x${version.toString(16)}, expected 0xf104`);
}
