// Long-link application framing (spec §8.1, observed: the "mars" header inside 0x17 records):
//   u32 BE total length (16 + body) ‖ u16 0x0010 (header length) ‖ u16 0x0001 ‖ u32 cmd ‖ u32 seq ‖ body
// The records carry a byte stream; frames may span records and records may hold several frames.
// Keep-alive (observed): cmd 6 (noop) with seq 0xFFFFFFFF and no body, answered with cmd
// 1,000,000,006: a response's cmd is the request's + 10^9. Requests carry cmd REQUEST_CMD
// (designed: WeChat's business command numbers are out of scope; the body is opaque bytes).

import { ByteQueue } from '../../codec/byte-queue.js';
import { ByteReader } from '../../codec/reader.js';
import { ByteWriter } from '../../codec/writer.js';
import { MmtlsError, decoding } from '../errors.js';

export const FRAME_HEADER_LENGTH = 16;
export const NOOP_CMD = 6;
export const NOOP_SEQ = 0xffffffff;
export const RESPONSE_OFFSET = 1_000_000_000;
/** The cmd of an application request (designed). */
export const REQUEST_CMD = 1;
export const DEFAULT_MAX_FRAME = 16 * 1024 * 1024;

export interface Frame {
  readonly cmd: number;
  readonly seq: number;
  readonly body: Uint8Array;
}

export function encodeFrame({ cmd, seq, body }: Frame): Uint8Array {
  return new ByteWriter().u32(FRAME_HEADER_LENGTH + body.length).u16(FRAME_HEADER_LENGTH).u16(1).u32(cmd).u32(seq).bytes(body).finish();
}

/** Collects a long link's decrypted byte stream and cuts it into frames. */
export class FrameSplitter {
  readonly #queue = new ByteQueue();

  constructor(private readonly maxFrame = DEFAULT_MAX_FRAME) {}

  /** Bytes held that do not yet form a whole frame. */
  get buffered(): number {
    return this.#queue.length;
  }

  push(chunk: Uint8Array): Frame[] {
    this.#queue.push(chunk);
    const frames: Frame[] = [];
    while (this.#queue.length >= FRAME_HEADER_LENGTH) {
      const total = decoding('long-link frame', () => {
        const r = new ByteReader(this.#queue.peek(FRAME_HEADER_LENGTH));
        const length = r.u32('frame length');
        if (length < FRAME_HEADER_LENGTH || length > this.maxFrame) throw new MmtlsError('decode_error', `long-link frame of ${length} bytes (limit ${this.maxFrame})`);
        if (r.u16('frame header length') !== FRAME_HEADER_LENGTH) throw new MmtlsError('decode_error', 'long-link frame header length must be 16');
        if (r.u16('frame version') !== 1) throw new MmtlsError('decode_error', 'long-link frame version must be 1');
        return length;
      });
      if (this.#queue.length < total) break;
      const frame = this.#queue.take(total);
      const r = new ByteReader(frame, 8);
      frames.push({ cmd: r.u32('cmd'), seq: r.u32('seq'), body: frame.subarray(FRAME_HEADER_LENGTH) });
    }
    return frames;
  }
}
