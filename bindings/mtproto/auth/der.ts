// A minimal, strict DER reader (X.690 §10) for the RSA key structures of rsa.ts — enough to run in
// browsers without node:crypto. Strict means: single-byte tags, definite minimal lengths, minimal
// INTEGER encodings, BIT STRINGs with no unused bits, and nothing after the outer structure.
// Everything it refuses throws MtprotoError('rsa-bad-key').

import { MtprotoError } from '../errors.js';
import { bigIntFromBytesBE } from './bigint.js';

export const TAG_INTEGER = 0x02;
export const TAG_BIT_STRING = 0x03;
export const TAG_OCTET_STRING = 0x04;
export const TAG_NULL = 0x05;
export const TAG_OID = 0x06;
export const TAG_SEQUENCE = 0x30;

function bad(message: string): never {
  throw new MtprotoError('rsa-bad-key', `der: ${message}`);
}

export class DerReader {
  readonly #buf: Uint8Array;
  #pos: number;
  readonly #end: number;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.#buf = buf;
    this.#pos = start;
    this.#end = end;
  }

  get done(): boolean {
    return this.#pos === this.#end;
  }

  /** The tag of the next element, or undefined at the end. */
  peekTag(): number | undefined {
    return this.done ? undefined : this.#buf[this.#pos];
  }

  /** Reads one element's header and returns its content range, checking the tag. */
  #element(tag: number): { start: number; end: number } {
    if (this.#pos >= this.#end) bad(`expected tag 0x${tag.toString(16)}, found the end`);
    const found = this.#buf[this.#pos++];
    if (found !== tag) bad(`expected tag 0x${tag.toString(16)}, found 0x${found.toString(16)}`);
    if (this.#pos >= this.#end) bad('truncated length');
    let length = this.#buf[this.#pos++];
    if (length === 0x80) bad('indefinite length');
    if (length > 0x80) {
      const count = length & 0x7f;
      if (count > 3) bad('length too large');
      if (this.#pos + count > this.#end) bad('truncated length');
      if (this.#buf[this.#pos] === 0) bad('non-minimal length');
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + this.#buf[this.#pos++];
      if (length < 0x80) bad('non-minimal length');
    }
    const start = this.#pos;
    if (start + length > this.#end) bad('content runs past its container');
    this.#pos = start + length;
    return { start, end: start + length };
  }

  sequence(): DerReader {
    const { start, end } = this.#element(TAG_SEQUENCE);
    return new DerReader(this.#buf, start, end);
  }

  /** A non-negative INTEGER, minimally encoded. */
  unsignedInteger(): bigint {
    const { start, end } = this.#element(TAG_INTEGER);
    if (end === start) bad('empty INTEGER');
    const b = this.#buf;
    if (end - start > 1 && ((b[start] === 0 && b[start + 1] < 0x80) || (b[start] === 0xff && b[start + 1] >= 0x80))) bad('non-minimal INTEGER');
    if (b[start] & 0x80) bad('negative INTEGER');
    return bigIntFromBytesBE(b.subarray(start, end));
  }

  /** An OBJECT IDENTIFIER's content bytes (compared against known encodings by the caller). */
  oid(): Uint8Array {
    const { start, end } = this.#element(TAG_OID);
    if (end === start) bad('empty OID');
    return this.#buf.subarray(start, end);
  }

  null(): void {
    const { start, end } = this.#element(TAG_NULL);
    if (end !== start) bad('NULL with content');
  }

  /** A BIT STRING with no unused bits: its bytes after the unused-bits octet. */
  bitString(): Uint8Array {
    const { start, end } = this.#element(TAG_BIT_STRING);
    if (end === start || this.#buf[start] !== 0) bad('BIT STRING with unused bits');
    return this.#buf.subarray(start + 1, end);
  }

  octetString(): Uint8Array {
    const { start, end } = this.#element(TAG_OCTET_STRING);
    return this.#buf.subarray(start, end);
  }

  /** Skips one element of the given tag (PKCS#8 attributes). */
  skip(tag: number): void {
    this.#element(tag);
  }

  /** Throws unless every byte was read. */
  end(): void {
    if (!this.done) bad(`${this.#end - this.#pos} unexpected trailing bytes`);
  }
}
