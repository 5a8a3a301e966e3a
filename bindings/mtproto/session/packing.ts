// Outgoing messages on their way into one encrypted packet (spec §2.1, §7.1): one message goes
// alone; several go in a msg_container whose msg_id is newer than all of theirs and whose seq_no
// is taken after theirs (non-content-related). gzip_packed wraps a large body when it pays off.

import { gzipPacked } from '../tl/gzip.js';
import { encodeService } from '../tl/service.js';
import { CONTAINER_ENTRY_OVERHEAD, GZIP_THRESHOLD, MAX_CONTAINER_BYTES, MAX_CONTAINER_MESSAGES } from './limits.js';

/** A message with its header fields, as it sits in a container or alone in a packet. */
export interface WireMessage {
  readonly msgId: bigint;
  readonly seqNo: number;
  readonly body: Uint8Array;
}

/** Serializes a msg_container of `messages` (its own msg_id and seq_no are the caller's). */
export function containerBody(messages: readonly WireMessage[]): Uint8Array {
  return encodeService({ _: 'msg_container', messages: messages.map((m) => ({ msg_id: m.msgId, seqno: m.seqNo, body: m.body })) });
}

/**
 * Counts what goes into one container: at most `maxMessages` entries and MAX_CONTAINER_BYTES of
 * bodies, except that the first entry always fits (a large message then travels alone).
 */
export class ContainerBudget {
  #count = 0;
  #bytes = 0;

  constructor(readonly maxMessages: number = MAX_CONTAINER_MESSAGES) {}

  get count(): number {
    return this.#count;
  }

  /** Whether a body of `size` bytes still fits; if so it is counted. */
  fits(size: number): boolean {
    if (this.#count >= this.maxMessages) return false;
    const bytes = this.#bytes + size + CONTAINER_ENTRY_OVERHEAD;
    if (this.#count > 0 && bytes > MAX_CONTAINER_BYTES) return false;
    this.#count++;
    this.#bytes = bytes;
    return true;
  }
}

/** The leading constructor id of a body of at least 4 bytes (else undefined). */
export function leadingId(body: Uint8Array): number | undefined {
  if (body.length < 4) return undefined;
  return (body[0]! | (body[1]! << 8) | (body[2]! << 16) | (body[3]! << 24)) >>> 0;
}

/** The int32 after the constructor id (a container's message count) without decoding the rest. */
export function secondWord(body: Uint8Array): number | undefined {
  if (body.length < 8) return undefined;
  return body[4]! | (body[5]! << 8) | (body[6]! << 16) | (body[7]! << 24);
}

/**
 * `body` wrapped in gzip_packed when it is at least GZIP_THRESHOLD bytes and packing saves at least
 * 10 % (mtcute's rule), else `body` itself.
 */
export async function maybeGzip(body: Uint8Array): Promise<Uint8Array> {
  if (body.length < GZIP_THRESHOLD || typeof CompressionStream !== 'function') return body;
  const packed = await gzipPacked(body);
  const wrapped = encodeService({ _: 'gzip_packed', packed_data: packed });
  return wrapped.length <= body.length * 0.9 ? wrapped : body;
}
