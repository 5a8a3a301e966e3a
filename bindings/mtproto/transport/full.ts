// Full framing (spec §8.4): no tag; a frame is
//   length (4, LE: 12 + payload) | seq (4, LE: this direction's frame counter from 0) | payload | crc32 (4, LE)
// with CRC-32 (IEEE, crc32.ts) over length, seq and payload. Payloads are multiples of 4, so a
// length that is not is refused, as is one under 12.
//
// Quick ack: a client asks with the length's top bit (§8.5). Replies: no peer defines one for this
// transport (TDLib, the only quick-ack user, has no full transport), while a word with the top bit
// set where a length belongs is what GramJS and Telethon read as a bare transport error (they
// observed Telegram sending −429 unframed). So a client reads such a word as a transport error, and
// a server has no encodeQuickAck() here; its own transport errors go out as framed 4-byte packets
// (§8.6), which both of those clients also accept.

import { copyInto } from '../../bytes.js';
import { MtprotoError } from '../errors.js';
import type { Frame } from './codec.js';
import { crc32 } from './crc32.js';
import { FramingCodec, type FramingOptions } from './stream.js';

const OVERHEAD = 12;
const TOP = 0x80000000;

export class FullCodec extends FramingCodec {
  readonly transport = 'full';
  override readonly quickAckReplies = false;
  #sendSeq = 0;
  #receiveSeq = 0;

  constructor(options: FramingOptions) {
    super('FullCodec', new Uint8Array(0), options);
  }

  protected writeFrame(payload: Uint8Array, n: number, quickAck: boolean, reserve: number): Uint8Array {
    if (n % 4 !== 0) throw new RangeError(`FullCodec.encode: payload length ${n} is not a multiple of 4`);
    const length = n + OVERHEAD;
    const out = new Uint8Array(reserve + length);
    const view = new DataView(out.buffer);
    view.setUint32(reserve, (quickAck ? length | TOP : length) >>> 0, true);
    view.setUint32(reserve + 4, this.#sendSeq, true);
    copyInto(out, payload, reserve + 8);
    view.setUint32(reserve + 8 + n, crc32(out.subarray(reserve, reserve + 8 + n)), true);
    this.#sendSeq = (this.#sendSeq + 1) >>> 0;
    return out;
  }

  protected writeQuickAck(): Uint8Array {
    throw new TypeError('FullCodec.encodeQuickAck: the full transport has no quick-ack reply'); // unreachable: quickAckReplies
  }

  protected readFrame(): Frame | null {
    const q = this.queue;
    if (q.length < 4) return null;
    const word = q.uint32le(0);
    const top = word >= TOP;
    if (top && this.role === 'client') {
      q.skip(4);
      return { kind: 'transport-error', code: -(word | 0) };
    }
    const length = word & 0x7fffffff;
    if (length < OVERHEAD || length % 4 !== 0) {
      throw new MtprotoError('frame-bad-length', `full: frame length ${length} is under ${OVERHEAD} or not a multiple of 4`);
    }
    this.checkLength(length - OVERHEAD);
    if (q.length < length) return null;
    const header = q.take(8);
    const payload = q.take(length - OVERHEAD);
    const trailer = q.take(4);
    const expected = crc32(payload, crc32(header));
    const got = (trailer[0] | (trailer[1] << 8) | (trailer[2] << 16) | (trailer[3] << 24)) >>> 0;
    if (got !== expected) throw new MtprotoError('frame-bad-crc', `full: bad crc, expected ${expected}, got ${got}`);
    const seq = (header[4] | (header[5] << 8) | (header[6] << 16) | (header[7] << 24)) >>> 0;
    if (seq !== this.#receiveSeq) throw new MtprotoError('frame-bad-seqno', `full: bad seqno, expected ${this.#receiveSeq}, got ${seq}`);
    this.#receiveSeq = (this.#receiveSeq + 1) >>> 0;
    return this.packet(payload, top);
  }
}
