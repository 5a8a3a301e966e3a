// A writer into a buffer whose final size is computed beforehand, for the structs every application
// message encodes (FramedContentTBS, PrivateMessageContent, the two AADs, the MLSMessage): one
// allocation of the exact size, no growth and no copy out, where the general ByteWriter starts at
// 256 bytes and copies its result once more. The encodings are the same bytes as the general
// codecs' (RFC 9420 §2.1: big-endian integers, opaque<V> with a minimal QUIC-style varint length);
// the tests compare the two.

import { varintLength } from '../../codec/tls.js';

/** Bytes of opaque<V> holding `n` bytes. */
export const opaqueLength = (n: number): number => varintLength(n) + n;

export class ExactWriter {
  readonly out: Uint8Array;
  at = 0;

  constructor(size: number) {
    this.out = new Uint8Array(size);
  }

  u8(v: number): this {
    fits(v, 0xff, 'u8');
    this.out[this.at++] = v;
    return this;
  }

  u16(v: number): this {
    fits(v, 0xffff, 'u16');
    this.out[this.at++] = v >>> 8;
    this.out[this.at++] = v;
    return this;
  }

  u32(v: number): this {
    if (v >>> 0 !== v) throw new RangeError(`${v} does not fit a u32`);
    const o = this.out;
    o[this.at++] = v >>> 24;
    o[this.at++] = v >>> 16;
    o[this.at++] = v >>> 8;
    o[this.at++] = v;
    return this;
  }

  /** A uint64 epoch (RFC 9420 §6: uint64); RangeError outside [0, 2^64). */
  u64(v: bigint): this {
    if (v < 0n || v > 0xffffffffffffffffn) throw new RangeError(`${v} does not fit a u64`);
    return this.u32(Number(v >> 32n)).u32(Number(v & 0xffffffffn));
  }

  bytes(v: Uint8Array): this {
    this.out.set(v, this.at);
    this.at += v.length;
    return this;
  }

  /** The minimal varint length prefix of an opaque<V> of `n` bytes. */
  varint(n: number): this {
    const length = varintLength(n);
    if (length === 1) return this.u8(n);
    if (length === 2) return this.u16(0x4000 | n);
    return this.u32((0x80000000 | n) >>> 0);
  }

  /** opaque<V>: the minimal varint length, then the bytes. */
  opaque(v: Uint8Array): this {
    return this.varint(v.length).bytes(v);
  }

  /** The buffer, after checking that exactly its size was written (an encoder's size computation is wrong otherwise). */
  finish(): Uint8Array {
    if (this.at !== this.out.length) throw new Error(`wirecrypt internal error: ${this.at} bytes written into ${this.out.length}`);
    return this.out;
  }
}

/** As the general ByteWriter: a value that does not fit its field is a RangeError, never truncated. */
function fits(v: number, max: number, field: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`ExactWriter: ${v} does not fit a ${field}`);
}
