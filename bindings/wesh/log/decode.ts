// The strict entry decoder: a parser for exactly the one canonical dag-cbor layout of entry.ts, byte
// by byte, so that anything else — an unknown or missing field, a field of the wrong type, a field
// out of order, a non-minimal length, an indefinite item, a float, trailing bytes, a truncated block,
// a link that is not an entry CID — is refused with a WeshLogError before any object is built. It
// accepts exactly the blocks @ipld/dag-cbor's encoder produces for valid entries (the tests check
// this both ways on random and mutated inputs), and it is several times faster than decoding into a
// generic object and re-encoding to check canonicity, which matters when a merge brings 50,000
// entries at once. Nothing here verifies the signature or the CID: decodeEntry() is given the CID
// bytes, computed by its caller from these same bytes.

import { CID_LENGTH, isEntryCid } from './cid.js';
import { Entry } from './entry.js';
import { WeshLogError, type WeshLogErrorCode } from './errors.js';
import { binaryKey, orderKey } from './keys.js';
import { type LogLimits, maxBlockSize } from './limits.js';

const MAX_TIME = Number.MAX_SAFE_INTEGER;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

// The fixed bytes of the layout: each key with its text header (0x60 | length).
const KEY_V = Uint8Array.of(0x61, ...ascii('v'));
const KEY_KEY = Uint8Array.of(0x63, ...ascii('key'));
const KEY_LOG = Uint8Array.of(0x63, ...ascii('log'));
const KEY_NEXT = Uint8Array.of(0x64, ...ascii('next'));
const KEY_CLOCK = Uint8Array.of(0x65, ...ascii('clock'));
const KEY_ID = Uint8Array.of(0x62, ...ascii('id'));
const KEY_TIME = Uint8Array.of(0x64, ...ascii('time'));
const KEY_PAYLOAD = Uint8Array.of(0x67, ...ascii('payload'));
const KEY_SIGNATURE = Uint8Array.of(0x69, ...ascii('signature'));
/** Tag 42 (CID), bytes(37), the identity multibase prefix 0x00. */
const LINK_HEAD = Uint8Array.of(0xd8, 0x2a, 0x58, 0x25, 0x00);

const MAJOR_UINT = 0;
const MAJOR_BYTES = 2;
const MAJOR_TEXT = 3;
const MAJOR_ARRAY = 4;
const MAJOR_MAP = 5;

function fail(code: WeshLogErrorCode, message: string): never {
  throw new WeshLogError(code, message);
}

class Reader {
  pos = 0;
  constructor(readonly b: Uint8Array) {}

  need(n: number, what: string): void {
    if (n > this.b.length - this.pos) fail('malformed', `${what}: truncated`);
  }

  /** The fixed bytes `lit` (a key, a header), or 'malformed' naming what was expected. */
  literal(lit: Uint8Array, what: string): void {
    this.need(lit.length, what);
    const b = this.b;
    const p = this.pos;
    for (let i = 0; i < lit.length; i++) if (b[p + i] !== lit[i]) fail('malformed', `expected ${what}`);
    this.pos = p + lit.length;
  }

  /** A head of major type `major` with its argument, refusing non-minimal and indefinite forms. */
  head(major: number, what: string): number {
    this.need(1, what);
    const b = this.b;
    const first = b[this.pos++];
    if (first >> 5 !== major) fail('malformed', `${what}: wrong type`);
    const info = first & 31;
    if (info < 24) return info;
    let v: number;
    if (info === 24) {
      this.need(1, what);
      v = b[this.pos];
      this.pos += 1;
      if (v < 24) fail('non-canonical', `${what}: length not minimally encoded`);
    } else if (info === 25) {
      this.need(2, what);
      v = (b[this.pos] << 8) | b[this.pos + 1];
      this.pos += 2;
      if (v < 0x100) fail('non-canonical', `${what}: length not minimally encoded`);
    } else if (info === 26) {
      this.need(4, what);
      v = ((b[this.pos] << 24) | (b[this.pos + 1] << 16) | (b[this.pos + 2] << 8) | b[this.pos + 3]) >>> 0;
      this.pos += 4;
      if (v < 0x1_0000) fail('non-canonical', `${what}: length not minimally encoded`);
    } else if (info === 27) {
      this.need(8, what);
      const p = this.pos;
      const hi = ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
      const lo = ((b[p + 4] << 24) | (b[p + 5] << 16) | (b[p + 6] << 8) | b[p + 7]) >>> 0;
      this.pos += 8;
      if (hi === 0) fail('non-canonical', `${what}: length not minimally encoded`);
      if (hi > 0x1f_ffff) fail(major === MAJOR_UINT ? 'clock' : 'oversize', `${what}: above 2^53 - 1`);
      v = hi * 0x1_0000_0000 + lo;
    } else if (info === 31) {
      fail('non-canonical', `${what}: indefinite length`);
    } else {
      fail('malformed', `${what}: reserved additional information`);
    }
    return v;
  }

  /** A byte string of exactly `length` bytes (a subarray of the block). */
  fixedBytes(length: number, what: string): Uint8Array {
    const n = this.head(MAJOR_BYTES, what);
    if (n !== length) fail('malformed', `${what}: must be ${length} bytes, got ${n}`);
    return this.take(n, what);
  }

  take(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

/**
 * Decodes the block `bytes` whose CID bytes are `cidBytes` (computed by the caller from `bytes`).
 * Throws WeshLogError only. The Entry's fields are views of `bytes`: pass a private copy.
 */
export function decodeEntry(bytes: Uint8Array, cidBytes: Uint8Array, limits: LogLimits): Entry {
  if (bytes.length > maxBlockSize(limits)) fail('oversize', `block of ${bytes.length} bytes`);
  const r = new Reader(bytes);
  const fields = r.head(MAJOR_MAP, 'entry');
  if (fields !== 7) fail('malformed', `entry: a map of 7 fields expected, got ${fields}`);

  r.literal(KEY_V, 'field v');
  if (r.head(MAJOR_UINT, 'v') !== 1) fail('malformed', 'v: unknown entry version');

  r.literal(KEY_KEY, 'field key');
  const key = r.fixedBytes(32, 'key');

  r.literal(KEY_LOG, 'field log');
  const logLength = r.head(MAJOR_TEXT, 'log');
  if (logLength > limits.maxLogId) fail('oversize', `log id of ${logLength} bytes`);
  let logId: string;
  try {
    logId = utf8.decode(r.take(logLength, 'log'));
  } catch (e) {
    if (e instanceof WeshLogError) throw e;
    fail('malformed', 'log: not UTF-8');
  }

  r.literal(KEY_NEXT, 'field next');
  const count = r.head(MAJOR_ARRAY, 'next');
  if (count > limits.maxNext) fail('oversize', `${count} parents`);
  const nextBytes: Uint8Array[] = new Array(count);
  const nextKeys: string[] = new Array(count);
  for (let i = 0; i < count; i++) {
    r.literal(LINK_HEAD, 'next: a CID link');
    const link = r.take(CID_LENGTH, 'next');
    if (!isEntryCid(link)) fail('bad-cid', 'next: not a CIDv1 dag-cbor sha2-256 link');
    const k = binaryKey(link);
    if (i > 0 && k <= nextKeys[i - 1]) fail('non-canonical', 'next: links not sorted or repeated');
    nextBytes[i] = link;
    nextKeys[i] = k;
  }

  r.literal(KEY_CLOCK, 'field clock');
  if (r.head(MAJOR_MAP, 'clock') !== 2) fail('malformed', 'clock: a map of 2 fields expected');
  r.literal(KEY_ID, 'field clock.id');
  const id = r.fixedBytes(32, 'clock.id');
  r.literal(KEY_TIME, 'field clock.time');
  const time = r.head(MAJOR_UINT, 'clock.time');
  if (time < 1 || time > MAX_TIME) fail('clock', `clock.time ${time} out of [1, 2^53 - 1]`);
  for (let i = 0; i < 32; i++) if (id[i] !== key[i]) fail('malformed', 'clock.id differs from key');

  r.literal(KEY_PAYLOAD, 'field payload');
  const payloadLength = r.head(MAJOR_BYTES, 'payload');
  if (payloadLength > limits.maxPayload) fail('oversize', `payload of ${payloadLength} bytes`);
  const payload = r.take(payloadLength, 'payload');

  r.literal(KEY_SIGNATURE, 'field signature');
  const signature = r.fixedBytes(64, 'signature');
  if (r.pos !== bytes.length) fail('malformed', `${bytes.length - r.pos} bytes after the entry`);

  const k = binaryKey(cidBytes);
  return new Entry(cidBytes, bytes, logId!, key, { id: key, time }, payload, nextBytes, signature, k, orderKey(time, writerKey(key), k), nextKeys);
}

// A group's entries all carry the same writer key: its binary string is made once and reused.
let lastWriter = new Uint8Array(0);
let lastWriterKey = '';
function writerKey(key: Uint8Array): string {
  let same = key.length === lastWriter.length;
  for (let i = 0; same && i < key.length; i++) same = key[i] === lastWriter[i];
  if (!same) {
    lastWriter = key.slice();
    lastWriterKey = binaryKey(key);
  }
  return lastWriterKey;
}
