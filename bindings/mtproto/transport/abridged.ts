// Abridged framing (spec §8.1): the client opens with the byte 0xef; a frame is its length in
// 4-byte words, in one byte (0x00..0x7e) or as 0x7f plus three little-endian bytes, then the payload.
//
// Quick ack (§8.5, §11): a client sets the 0x80 bit of the first length byte to ask for one (the
// reading of "the highest-order bit" for abridged that TDLib-era clients use; no published vector).
// The server's reply is 4 bytes with the top bit set, byte-swapped (big-endian), so its first byte
// on the wire has the 0x80 bit that no server length byte ever has.

import { copyInto } from '../../bytes.js';
import type { Frame } from './codec.js';
import { FramingCodec, type FramingOptions } from './stream.js';

const TAG = Uint8Array.of(0xef);
const EXTENDED = 0x7f;
const MAX_WORDS = 0xffffff;

export class AbridgedCodec extends FramingCodec {
  readonly transport = 'abridged';

  constructor(options: FramingOptions) {
    super('AbridgedCodec', TAG, options);
  }

  protected writeFrame(payload: Uint8Array, n: number, quickAck: boolean, reserve: number): Uint8Array {
    if (n % 4 !== 0) throw new RangeError(`AbridgedCodec.encode: payload length ${n} is not a multiple of 4`);
    const words = n / 4;
    if (words > MAX_WORDS) throw new RangeError(`AbridgedCodec.encode: payload of ${n} bytes is above the abridged maximum`);
    const flag = quickAck ? 0x80 : 0;
    const header = words < EXTENDED ? 1 : 4;
    const out = new Uint8Array(reserve + header + n);
    if (header === 1) out[reserve] = words | flag;
    else out.set([EXTENDED | flag, words & 0xff, (words >>> 8) & 0xff, words >>> 16], reserve);
    copyInto(out, payload, reserve + header);
    return out;
  }

  protected writeQuickAck(value: number): Uint8Array {
    return Uint8Array.of(value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
  }

  protected readFrame(): Frame | null {
    const q = this.queue;
    if (q.length < 1) return null;
    const first = q.byteAt(0);
    if (first & 0x80 && this.role === 'client') {
      if (q.length < 4) return null;
      const value = ((first << 24) | (q.byteAt(1) << 16) | (q.byteAt(2) << 8) | q.byteAt(3)) >>> 0;
      q.skip(4);
      return { kind: 'quick-ack', token: value & 0x7fffffff };
    }
    let words = first & 0x7f;
    let header = 1;
    if (words === EXTENDED) {
      if (q.length < 4) return null;
      words = q.byteAt(1) | (q.byteAt(2) << 8) | (q.byteAt(3) << 16);
      header = 4;
    }
    const length = words * 4;
    this.checkLength(length);
    if (q.length < header + length) return null;
    q.skip(header);
    return this.packet(q.take(length), (first & 0x80) !== 0);
  }
}
