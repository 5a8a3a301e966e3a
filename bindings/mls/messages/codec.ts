// Small helpers shared by the MLS message codecs (RFC 9420 §2.1 presentation language): opaque
// fields copied out of the input, vectors of fixed-width integers, and whole-input decoding.

import { ByteReader } from '../../codec/reader.js';
import { encode, readOpaque, readVector, writeVector } from '../../codec/tls.js';
import type { ByteWriter } from '../../codec/writer.js';

/** opaque data<V>, copied so that the value does not keep (or alias) the input alive. */
export function opaque(r: ByteReader, what: string): Uint8Array {
  return readOpaque(r, what).slice();
}

/** uint16 items<V> (versions, cipher suites, extension / proposal / credential types). */
export function readU16List(r: ByteReader, what: string): number[] {
  return readVector(r, what, (v) => v.u16(what));
}

export function writeU16List(w: ByteWriter, items: readonly number[]): void {
  writeVector(w, items, (v, n) => v.u16(n));
}

/** uint32 items<V> (unmerged_leaves). */
export function readU32List(r: ByteReader, what: string): number[] {
  return readVector(r, what, (v) => v.u32(what));
}

export function writeU32List(w: ByteWriter, items: readonly number[]): void {
  writeVector(w, items, (v, n) => v.u32(n));
}

/** Decodes all of `bytes` with `read`; DecodeError if anything is left over. */
export function decodeAll<T>(bytes: Uint8Array, what: string, read: (r: ByteReader) => T): T {
  const r = new ByteReader(bytes);
  const value = read(r);
  r.done(what);
  return value;
}

/** Encodes `value` with `write` into fresh bytes. */
export function encodeWith<T>(value: T, write: (w: ByteWriter, value: T) => void): Uint8Array {
  return encode((w) => write(w, value));
}
