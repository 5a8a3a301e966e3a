// Intermediate framing (spec §8.2): the client opens with eeeeeeee; a frame is a 4-byte
// little-endian length, then the payload. The length need not be a multiple of 4 (mtcute parses
// a 5-byte frame, transports.json `mtcute-intermediate-parse`), so neither side insists on it.
//
// Quick ack (§8.5): the client sets the length's top bit to ask; the server's reply is a bare
// 4-byte little-endian word with the top bit set, which cannot be a length (TDLib
// IntermediateTransport::read_from_stream reads it the same way).

import { copyInto } from '../../bytes.js';
import type { Frame } from './codec.js';
import { FramingCodec, type FramingOptions } from './stream.js';

const TOP = 0x80000000;

export class IntermediateCodec extends FramingCodec {
  readonly transport: 'intermediate' | 'padded' = 'intermediate';

  constructor(options: FramingOptions, name = 'IntermediateCodec', tag = Uint8Array.of(0xee, 0xee, 0xee, 0xee)) {
    super(name, tag, options);
  }

  /** Bytes appended after the payload (padded intermediate overrides it). */
  protected padding(): Uint8Array | null {
    return null;
  }

  protected writeFrame(payload: Uint8Array, n: number, quickAck: boolean, reserve: number): Uint8Array {
    const padding = this.padding();
    const length = n + (padding?.length ?? 0);
    const out = new Uint8Array(reserve + 4 + length);
    new DataView(out.buffer).setUint32(reserve, (quickAck ? length | TOP : length) >>> 0, true);
    copyInto(out, payload, reserve + 4);
    if (padding) out.set(padding, reserve + 4 + n);
    return out;
  }

  protected writeQuickAck(value: number): Uint8Array {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, value, true);
    return out;
  }

  protected readFrame(): Frame | null {
    const q = this.queue;
    if (q.length < 4) return null;
    const word = q.uint32le(0);
    const top = word >= TOP;
    if (top && this.role === 'client') {
      q.skip(4);
      return { kind: 'quick-ack', token: word & 0x7fffffff };
    }
    const length = word & 0x7fffffff;
    this.checkLength(length);
    if (q.length < 4 + length) return null;
    q.skip(4);
    return this.packet(q.take(length), top);
  }
}
