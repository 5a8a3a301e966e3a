// What every framing codec shares (abridged, intermediate, padded, full): argument checks, the
// client's one-time tag, the decode loop over a ByteQueue, the sticky failure and dispose(). A
// subclass only says how one frame is written and how one is read (codec.ts describes the contract).

import { bytes, finished, integer } from '../../errors.js';
import { copyInto, lengthOf } from '../../bytes.js';
import { MtprotoError } from '../errors.js';
import {
  type CodecOptions, type EncodeOptions, type Frame, type FrameCodec, type FramingName, type Role,
  checkMaxFrameLength, checkRole,
} from './codec.js';
import { ByteQueue } from './queue.js';

/** Options of the four framings. */
export interface FramingOptions extends CodecOptions {
  /**
   * Client only: whether the first encode() starts with the transport's tag (default true). False
   * when an outer layer carries the tag instead (obfuscated2 puts it in its header).
   */
  sendTag?: boolean;
}

export abstract class FramingCodec implements FrameCodec {
  abstract readonly transport: FramingName;
  readonly role: Role;
  readonly maxFrameLength: number;
  readonly quickAckReplies: boolean = true;
  protected readonly queue = new ByteQueue();
  readonly #name: string;
  #tag: Uint8Array | null;
  #failure: MtprotoError | null = null;
  #disposed = false;

  protected constructor(name: string, tag: Uint8Array, options: FramingOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError(`${name}: options must be an object`);
    this.#name = name;
    this.role = checkRole(options.role, name);
    this.maxFrameLength = checkMaxFrameLength(options.maxFrameLength, name);
    if (options.sendTag !== undefined && typeof options.sendTag !== 'boolean') throw new TypeError(`${name}: sendTag must be a boolean`);
    this.#tag = this.role === 'client' && options.sendTag !== false && tag.length > 0 ? tag : null;
  }

  /** Writes the frame for `payload` (n bytes) into a new array, leaving `reserve` bytes free in front. */
  protected abstract writeFrame(payload: Uint8Array, n: number, quickAck: boolean, reserve: number): Uint8Array;
  /** The quick-ack reply for `value` (top bit already set). */
  protected abstract writeQuickAck(value: number): Uint8Array;
  /** Reads one frame off the queue, or returns null (consuming nothing) until enough bytes arrived. */
  protected abstract readFrame(): Frame | null;

  /** The transport error as a frame: a 4-byte packet holding −code (padded overrides: no padding). */
  protected writeTransportError(errorPayload: Uint8Array): Uint8Array {
    return this.writeFrame(errorPayload, 4, false, 0);
  }

  encode(payload: Uint8Array, options?: EncodeOptions): Uint8Array {
    const fn = `${this.#name}.encode`;
    this.#live(fn);
    bytes(payload, fn, 'payload');
    const quickAck = options?.quickAck ?? false;
    if (typeof quickAck !== 'boolean') throw new TypeError(`${fn}: quickAck must be a boolean`);
    if (quickAck && this.role === 'server') throw new TypeError(`${fn}: only a client asks for quick acks (the server sends encodeQuickAck())`);
    const n = lengthOf(payload);
    if (n > this.maxFrameLength) throw new RangeError(`${fn}: payload of ${n} bytes is above maxFrameLength ${this.maxFrameLength}`);
    const tag = this.#tag;
    const out = this.writeFrame(payload, n, quickAck, tag?.length ?? 0);
    if (tag) {
      copyInto(out, tag, 0);
      this.#tag = null;
    }
    return out;
  }

  encodeQuickAck(token: number): Uint8Array {
    const fn = `${this.#name}.encodeQuickAck`;
    this.#live(fn);
    this.#serverOnly(fn);
    if (!this.quickAckReplies) throw new TypeError(`${fn}: the ${this.transport} transport has no quick-ack reply`);
    return this.writeQuickAck((integer(token, 0, 0xffffffff, fn, 'token') | 0x80000000) >>> 0);
  }

  encodeTransportError(code: number): Uint8Array {
    const fn = `${this.#name}.encodeTransportError`;
    this.#live(fn);
    this.#serverOnly(fn);
    integer(code, 1, 0x7fffffff, fn, 'code');
    const payload = new Uint8Array(4);
    new DataView(payload.buffer).setInt32(0, -code, true);
    return this.writeTransportError(payload);
  }

  push(chunk: Uint8Array): Frame[] {
    const fn = `${this.#name}.push`;
    this.#live(fn);
    bytes(chunk, fn, 'chunk');
    if (this.#failure) throw this.#failure;
    this.queue.push(chunk, false);
    const frames: Frame[] = [];
    try {
      for (let frame = this.readFrame(); frame; frame = this.readFrame()) frames.push(frame);
    } catch (error) {
      if (error instanceof MtprotoError) {
        this.#failure = error;
        this.queue.clear();
      }
      throw error;
    } finally {
      this.queue.own();
    }
    return frames;
  }

  dispose(): void {
    this.#disposed = true;
    this.queue.clear();
  }

  /** What the server gets for a payload, and what the client gets (a short negative one is an error). */
  protected packet(payload: Uint8Array, quickAck: boolean): Frame {
    if (this.role === 'client') {
      const error = transportErrorCode(payload);
      if (error !== null) return { kind: 'transport-error', code: error };
    }
    return { kind: 'packet', payload, quickAck };
  }

  /** Refuses an announced length above the cap, before a byte is buffered for it. */
  protected checkLength(length: number): void {
    if (length > this.maxFrameLength) {
      throw new MtprotoError('frame-too-large', `${this.transport}: announced frame of ${length} bytes is above the limit of ${this.maxFrameLength}`);
    }
  }

  #live(fn: string): void {
    if (this.#disposed) finished(fn, 'disposed');
  }

  #serverOnly(fn: string): void {
    if (this.role !== 'server') throw new TypeError(`${fn}: only the server sends this`);
  }
}

/**
 * The transport error a payload carries, or null: spec §8.6 says a 4-byte packet holding a negative
 * int32; TDLib (Transport::read) takes any payload under 16 bytes whose first int32 is negative,
 * which also covers padded intermediate's 0..15 padding bytes. No MTProto packet is that short.
 */
export function transportErrorCode(payload: Uint8Array): number | null {
  if (payload.length < 4 || payload.length >= 16) return null;
  const value = payload[0] | (payload[1] << 8) | (payload[2] << 16) | (payload[3] << 24);
  return value < 0 ? -value : null;
}
