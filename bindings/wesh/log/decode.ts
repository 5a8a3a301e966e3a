// The strict entry decoder: a parser for exactly the one canonical dag-cbor layout of entry.ts, byte
// by byte, so that anything else — an unknown or missing field, a field of the wrong type, a field
// out of order, a non-minimal length, an indefinite item, a float, trailing bytes, a truncated block,
// a link that is not an entry CID — is refused with a WeshLogError before any object is built. It
// accepts exactly the blocks @ipld/dag-cbor's encoder produces for valid entries (the tests check
// this both ways on random and mutated inputs), and it is several times faster than decoding into a
// generic object and re-encoding to check canonicity, which matters when a merge brings 50,000
// entries at once. Nothing here verifies the signature or the CID: decodeEntry() is given the CID
// bytes, computed by its caller from these same bytes.

import { CID_LENGTH, DAG_CBOR, SHA2_256, sameCidAt } from './cid.js';
import { Entry, SIGNATURE_LENGTH } from './entry.js';
import { WeshLogError, type WeshLogErrorCode } from './errors.js';
import { binaryKey, binaryKeyAt } from './keys.js';
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

/** Whether bytes[at, at + 36) is an entry CID (cid.ts isEntryCid, in place). */
function isEntryCidAt(b: Uint8Array, at: number): boolean {
  return b[at] === 0x01 && b[at + 1] === DAG_CBOR && b[at + 2] === SHA2_256 && b[at + 3] === 0x20;
}

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

  /** `n` bytes: returns where they start (no view is made: the entry makes the ones it keeps lazily). */
  skip(n: number, what: string): number {
    this.need(n, what);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  /** A byte string of exactly `length` bytes: returns where its bytes start. */
  skipFixed(length: number, what: string): number {
    const n = this.head(MAJOR_BYTES, what);
    if (n !== length) fail('malformed', `${what}: must be ${length} bytes, got ${n}`);
    return this.skip(n, what);
  }
}

/**
 * Decodes the block `bytes` whose CID bytes are `cidBytes` (computed by the caller from `bytes`;
 * `cidKey`, their binary string, when the caller has it already). Throws WeshLogError only. The
 * Entry's fields are views of `bytes`: pass a private copy.
 *
 * @internal `previous`, the entry decoded just before (a batch), is likely a parent: blocks sent in order
 * follow a chain of appends. A link to it reuses its key string instead of making an equal one, so
 * 50,000 entries keep one key string each, not two, and settle() finds the parent by identity.
 */
export function decodeEntry(bytes: Uint8Array, cidBytes: Uint8Array, limits: LogLimits, cidKey?: string, previous?: Entry): Entry {
  if (bytes.length > maxBlockSize(limits)) fail('oversize', `block of ${bytes.length} bytes`);
  const r = new Reader(bytes);
  const fields = r.head(MAJOR_MAP, 'entry');
  if (fields !== 7) fail('malformed', `entry: a map of 7 fields expected, got ${fields}`);

  r.literal(KEY_V, 'field v');
  if (r.head(MAJOR_UINT, 'v') !== 1) fail('malformed', 'v: unknown entry version');

  r.literal(KEY_KEY, 'field key');
  const keyAt = r.skipFixed(32, 'key'); // (always entry.ts KEY_AT: all before it has a fixed length)

  r.literal(KEY_LOG, 'field log');
  const logLength = r.head(MAJOR_TEXT, 'log');
  if (logLength > limits.maxLogId) fail('oversize', `log id of ${logLength} bytes`);
  const logId = logIdOf(bytes, r.skip(logLength, 'log'), logLength);

  r.literal(KEY_NEXT, 'field next');
  const count = r.head(MAJOR_ARRAY, 'next');
  if (count > limits.maxNext) fail('oversize', `${count} parents`);
  const nextKeys: string[] = new Array(count);
  const linksAt = r.pos; // link i's CID bytes are at linksAt + i · LINK + LINK_HEAD.length (Entry.nextBytes)
  for (let i = 0; i < count; i++) {
    r.literal(LINK_HEAD, 'next: a CID link');
    const at = r.skip(CID_LENGTH, 'next');
    if (!isEntryCidAt(bytes, at)) fail('bad-cid', 'next: not a CIDv1 dag-cbor sha2-256 link');
    const k = previous !== undefined && sameCidAt(previous.cidBytes, bytes, at) ? previous.k : binaryKeyAt(bytes, at, at + CID_LENGTH);
    if (i > 0 && k <= nextKeys[i - 1]) fail('non-canonical', 'next: links not sorted or repeated');
    nextKeys[i] = k;
  }

  r.literal(KEY_CLOCK, 'field clock');
  if (r.head(MAJOR_MAP, 'clock') !== 2) fail('malformed', 'clock: a map of 2 fields expected');
  r.literal(KEY_ID, 'field clock.id');
  const idAt = r.skipFixed(32, 'clock.id');
  r.literal(KEY_TIME, 'field clock.time');
  const time = r.head(MAJOR_UINT, 'clock.time');
  if (time < 1 || time > MAX_TIME) fail('clock', `clock.time ${time} out of [1, 2^53 - 1]`);
  for (let i = 0; i < 32; i++) if (bytes[idAt + i] !== bytes[keyAt + i]) fail('malformed', 'clock.id differs from key');

  r.literal(KEY_PAYLOAD, 'field payload');
  const payloadLength = r.head(MAJOR_BYTES, 'payload');
  if (payloadLength > limits.maxPayload) fail('oversize', `payload of ${payloadLength} bytes`);
  const payloadAt = r.skip(payloadLength, 'payload');

  r.literal(KEY_SIGNATURE, 'field signature');
  r.skipFixed(SIGNATURE_LENGTH, 'signature');
  if (r.pos !== bytes.length) fail('malformed', `${bytes.length - r.pos} bytes after the entry`);

  const k = cidKey ?? binaryKey(cidBytes);
  return new Entry(cidBytes, bytes, logId, time, payloadAt, payloadLength, linksAt, k, writerKey(bytes, keyAt), nextKeys);
}

// A group's entries all carry the same writer key and log id: the key's binary string and the
// decoded log id are made once and reused (fewer objects per entry when a merge brings 50,000).
// The bytes they were made from are private copies, compared in place.
let lastWriter = new Uint8Array(32);
let lastWriterKey = binaryKey(lastWriter);
/** A copy of lastWriter handed to the checks (writerKeyOf); never compared with by writerKey(). */
let sharedWriter = lastWriter.slice();
let lastLogBytes = new Uint8Array(0);
let lastLogId = '';

/** The binary string of the writer key at `bytes[at, at + 32)`. */
function writerKey(bytes: Uint8Array, at: number): string {
  const w = lastWriter;
  let same = true;
  for (let i = 0; same && i < 32; i++) same = bytes[at + i] === w[i];
  if (!same) {
    lastWriter = bytes.slice(at, at + 32);
    lastWriterKey = binaryKey(lastWriter);
    sharedWriter = lastWriter.slice();
  }
  return lastWriterKey;
}

/**
 * The writer key of `e` for the access check and the signature check: one array shared by the
 * entries of the last writer decoded (nearly all of a merge: a group has one writer key), else
 * `e.key`. A view per entry costs 100 bytes of heap (50,000 in a merge). The shared array is checked
 * at each call, so that an access controller or verifier that wrote into it cannot make a later
 * check see a wrong key: it is then replaced.
 */
export function writerKeyOf(e: Entry): Uint8Array {
  if (e.writer !== lastWriterKey) return e.key;
  const w = sharedWriter;
  const original = lastWriter;
  for (let i = 0; i < 32; i++) if (w[i] !== original[i]) return (sharedWriter = original.slice());
  return w;
}

/** The log id at `bytes[at, at + length)` (strict UTF-8), or 'malformed'. */
function logIdOf(bytes: Uint8Array, at: number, length: number): string {
  const last = lastLogBytes;
  let same = length === last.length;
  for (let i = 0; same && i < length; i++) same = bytes[at + i] === last[i];
  if (same) return lastLogId;
  const b = bytes.slice(at, at + length);
  let id: string;
  try {
    id = utf8.decode(b);
  } catch {
    fail('malformed', 'log: not UTF-8');
  }
  lastLogBytes = b;
  lastLogId = id;
  return id;
}
