// The handshake stream's framing (weshnet pkg/protoio): each message is its protobuf bytes preceded
// by their length as an unsigned LEB128 varint; the reader refuses a frame longer than 2,048 bytes.

import { bytes } from '../../errors.js';
import { WeshError } from '../errors.js';

/** weshnet's reader limit for one handshake message. */
export const MAX_FRAME = 2048;

export function frame(message: Uint8Array): Uint8Array {
  bytes(message, 'wesh.frame', 'message');
  if (message.length > MAX_FRAME) throw new RangeError(`wesh.frame: ${message.length} bytes, over the limit of ${MAX_FRAME}`);
  const head: number[] = [];
  let n = message.length;
  do {
    head.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n >>>= 7;
  } while (n > 0);
  const out = new Uint8Array(head.length + message.length);
  out.set(head);
  out.set(message, head.length);
  return out;
}

/**
 * The first frame of `data`: its message and the number of bytes it took, or null when `data` does
 * not yet hold a whole frame. WeshError('invalid-frame') for a length over MAX_FRAME or a varint
 * longer than a 2,048-byte length needs (two bytes), so a hostile stream cannot make us buffer more.
 */
export function readFrame(data: Uint8Array): { message: Uint8Array; used: number } | null {
  let length = 0;
  for (let i = 0; ; i++) {
    if (i === data.length) return null;
    if (i === 2) throw new WeshError('invalid-frame', 'frame length varint longer than 2 bytes');
    length |= (data[i] & 0x7f) << (7 * i);
    if ((data[i] & 0x80) === 0) {
      if (i > 0 && data[i] === 0) throw new WeshError('invalid-frame', 'non-minimal frame length');
      if (length > MAX_FRAME) throw new WeshError('invalid-frame', `frame of ${length} bytes, over the limit of ${MAX_FRAME}`);
      const start = i + 1;
      if (data.length < start + length) return null;
      return { message: data.subarray(start, start + length), used: start + length };
    }
  }
}

/** The message of a buffer that must hold exactly one frame. */
export function unframe(data: Uint8Array): Uint8Array {
  const f = readFrame(data);
  if (f === null) throw new WeshError('invalid-frame', 'truncated frame');
  if (f.used !== data.length) throw new WeshError('invalid-frame', `${data.length - f.used} bytes after the frame`);
  return f.message;
}

/**
 * The bytes a stream has delivered, taken a whole frame at a time (length prefix included, as the
 * verify… functions take it). It never needs more than one frame and its length: `full` says a peer
 * is flooding, and take() refuses what can no longer be a frame.
 */
export class FrameBuffer {
  #bytes = new Uint8Array(0);

  push(chunk: Uint8Array): void {
    const grown = new Uint8Array(this.#bytes.length + chunk.length);
    grown.set(this.#bytes);
    grown.set(chunk, this.#bytes.length);
    this.#bytes = grown;
  }

  get full(): boolean {
    return this.#bytes.length > MAX_FRAME + 2;
  }

  /** The next whole frame, or null until one has arrived; WeshError('invalid-frame') for a bad one. */
  take(): Uint8Array | null {
    const f = readFrame(this.#bytes);
    if (f !== null) {
      const whole = this.#bytes.slice(0, f.used);
      this.#bytes = this.#bytes.slice(f.used);
      return whole;
    }
    if (this.full) throw new WeshError('invalid-frame', 'frame over the limit');
    return null;
  }
}
