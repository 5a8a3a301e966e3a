// The TLS presentation language as MLS uses it (RFC 9420 §2.1): fixed-width integers (ByteReader /
// ByteWriter), variable-size vectors with a QUIC-style variable-length integer in front
// (opaque data<V>, T items<V>), and optional<T> (a presence byte). Decoding refuses a length that
// is not minimally encoded or that uses the reserved 0b11 prefix, and any vector that overruns
// its container, with DecodeError naming the field.

import { ByteReader, DecodeError } from './reader.js';
import { ByteWriter } from './writer.js';

/** The largest length a varint can carry: 2^30 − 1. */
export const MAX_VARINT = 0x3fffffff;

/** RFC 9420 §2.1.2: 2-bit prefix 00 → 1 byte (6 bits), 01 → 2 bytes (14), 10 → 4 bytes (30); minimal only. */
export function readVarint(r: ByteReader, what: string): number {
  const first = r.u8(`${what} length`);
  const prefix = first >> 6;
  if (prefix === 0) return first;
  if (prefix === 1) {
    const v = ((first & 0x3f) << 8) | r.u8(`${what} length`);
    if (v < 0x40) throw new DecodeError(`${what}: length ${v} is not minimally encoded`);
    return v;
  }
  if (prefix === 2) {
    const v = (((first & 0x3f) << 24) | (r.u8(`${what} length`) << 16) | r.u16(`${what} length`)) >>> 0;
    if (v < 0x4000) throw new DecodeError(`${what}: length ${v} is not minimally encoded`);
    return v;
  }
  throw new DecodeError(`${what}: length prefix 0b11 is reserved`);
}

/** Bytes of the minimal varint that encodes `n` (RangeError outside [0, 2^30)). */
export function varintLength(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > MAX_VARINT) throw new RangeError(`varint: ${n} is not in [0, 2^30)`);
  return n < 0x40 ? 1 : n < 0x4000 ? 2 : 4;
}

/** The minimal varint encoding of `n` (1, 2 or 4 bytes). */
function varintBytes(n: number): number[] {
  if (!Number.isInteger(n) || n < 0 || n > MAX_VARINT) throw new RangeError(`writeVarint: ${n} is not in [0, 2^30)`);
  if (n < 0x40) return [n];
  if (n < 0x4000) return [0x40 | (n >>> 8), n & 0xff];
  return [0x80 | (n >>> 24), (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

export function writeVarint(w: ByteWriter, n: number): ByteWriter {
  for (const b of varintBytes(n)) w.u8(b);
  return w;
}

/** opaque data<V>: a view into the input. */
export function readOpaque(r: ByteReader, what: string): Uint8Array {
  return r.bytesOf(readVarint(r, what), what);
}

export function writeOpaque(w: ByteWriter, data: Uint8Array): ByteWriter {
  return writeVarint(w, data.length).bytes(data);
}

/** T items<V>: a varint byte length, then items until exactly that many bytes are consumed. */
export function readVector<T>(r: ByteReader, what: string, item: (r: ByteReader) => T): T[] {
  const body = r.sub(readVarint(r, what), what);
  const out: T[] = [];
  while (body.remaining > 0) out.push(item(body));
  return out;
}

export function writeVector<T>(w: ByteWriter, items: readonly T[], item: (w: ByteWriter, value: T) => void): ByteWriter {
  // Written in place: 4 bytes held for the varint, the items after them, then the length put in front.
  return w.prefixed(4, (body) => { for (const value of items) item(body, value); }, varintBytes);
}

/** optional<T>: 0 (absent) or 1 then the value; any other presence byte is malformed. */
export function readOptional<T>(r: ByteReader, what: string, item: (r: ByteReader) => T): T | undefined {
  const present = r.u8(`${what} presence`);
  if (present === 0) return undefined;
  if (present !== 1) throw new DecodeError(`${what}: presence byte ${present}, expected 0 or 1`);
  return item(r);
}

export function writeOptional<T>(w: ByteWriter, value: T | undefined, item: (w: ByteWriter, value: T) => void): ByteWriter {
  if (value === undefined) return w.u8(0);
  w.u8(1);
  item(w, value);
  return w;
}

/** Encodes with `write` into a fresh writer and returns the bytes (for structs used as hash or KDF input). */
export function encode(write: (w: ByteWriter) => void): Uint8Array {
  const w = new ByteWriter();
  write(w);
  return w.finish();
}
