// The messages of /wesh/log-sync/1.0.0 (log-sync.ts) and their framing.
//
// Frame: uvarint(length) ‖ body, the length minimal and at most `maxMessage` (default 4 MiB); the
// reader refuses an over-long length from its header alone, before buffering anything. Body: one
// dag-cbor map, canonical (keys sorted by length then bytes), with exactly these fields:
//
//   { type: "hello",  nonce: bytes(32) }                  a fresh random nonce (first message, once)
//   { type: "proofs", proofs: [bytes(32)] }               proofs that we hold the link key of some
//                                                         logs, bound to this session and our peer id
//                                                         (sorted; see log-sync.ts)
//   { type: "heads",  tag: bytes(32), heads: [CID bytes] } our heads of one log (tag: its session
//                                                         tag), then a sample of older entries we hold
//                                                         (36-byte entry CIDs)
//   { type: "blocks", tag: bytes(32), blocks: [bytes] }   entry blocks, parents before children
//
// Decoding is strict: the body must decode with @ipld/dag-cbor and re-encode to the same bytes,
// carry exactly the fields of its type with the right types and sizes, and stay within the count
// limits. Anything else is WeshSyncError('malformed'); nothing else escapes the decoder.

import * as dagCbor from '@ipld/dag-cbor';
import { isEntryCid } from '../log/cid.js';

export const LOG_SYNC_PROTOCOL = '/wesh/log-sync/2.0.0';
/** Largest frame body either side accepts (a block is at most ~1.1 MiB with the log's default limits). */
export const DEFAULT_MAX_MESSAGE = 4 << 20;
export const TAG_LENGTH = 32;
export const NONCE_LENGTH = 32;
/** Most proofs in one proofs message, heads in one heads message, blocks in one blocks message. */
export const MAX_PROOFS = 4096;
export const MAX_HEADS = 1024;
export const MAX_BLOCKS = 1 << 16;

export type WeshSyncErrorCode =
  | 'malformed'     // a body that is not one of the four messages, exactly
  | 'oversize'      // a frame length above the limit, or a non-minimal / over-long length header
  | 'truncated'     // the stream ended inside a frame
  | 'stream-failed' // the stream was reset or failed under us
  | 'abuse'         // the peer exceeded a limit (refused blocks, heads while a catch-up is pending,
                    // proofs, queued control frames) or broke the message order (hello first, once)
  | 'closed';       // the sync (or the session) was closed

export class WeshSyncError extends Error {
  readonly code: WeshSyncErrorCode;
  constructor(code: WeshSyncErrorCode, message: string) {
    super(`wesh log-sync: ${message}`);
    this.name = 'WeshSyncError';
    this.code = code;
  }
}

export type SyncMessage =
  | { readonly type: 'hello'; readonly nonce: Uint8Array }
  | { readonly type: 'proofs'; readonly proofs: Uint8Array[] }
  | { readonly type: 'heads'; readonly tag: Uint8Array; readonly heads: Uint8Array[] }
  | { readonly type: 'blocks'; readonly tag: Uint8Array; readonly blocks: Uint8Array[] };

export function encodeMessage(m: SyncMessage): Uint8Array {
  return dagCbor.encode(m);
}

/** uvarint(body.length) ‖ body, in one buffer. */
export function frameOf(body: Uint8Array): Uint8Array {
  let n = body.length;
  let h = 1;
  for (let v = n; v >= 0x80; v = Math.floor(v / 128)) h++;
  const out = new Uint8Array(h + body.length);
  let i = 0;
  while (n >= 0x80) {
    out[i++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  out[i++] = n;
  out.set(body, i);
  return out;
}

/** Bytes of dag-cbor overhead a blocks message adds around its blocks, at most (map, keys, tag, array header). */
export const BLOCKS_OVERHEAD = 64;
/** Bytes one block adds to a blocks message besides its own: its byte-string header, at most. */
export const BLOCK_OVERHEAD = 9;

const malformed = (why: string) => new WeshSyncError('malformed', why);

function byteList(v: unknown, max: number, what: string, check: (b: Uint8Array) => boolean): Uint8Array[] {
  if (!Array.isArray(v)) throw malformed(`${what} is not an array`);
  if (v.length > max) throw malformed(`more than ${max} ${what}`);
  for (const b of v) if (!(b instanceof Uint8Array) || !check(b)) throw malformed(`a bad item in ${what}`);
  return v as Uint8Array[];
}

function tagOf(v: unknown): Uint8Array {
  if (!(v instanceof Uint8Array) || v.length !== TAG_LENGTH) throw malformed('tag is not 32 bytes');
  return v;
}

const isTag = (b: Uint8Array) => b.length === TAG_LENGTH;
const nonEmpty = (b: Uint8Array) => b.length > 0;

/** The message in `body` (a frame's body), strictly; WeshSyncError('malformed') for anything else. */
export function decodeMessage(body: Uint8Array): SyncMessage {
  let v: unknown;
  try {
    v = dagCbor.decode(body);
  } catch (err) {
    throw malformed(`not dag-cbor (${(err as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) throw malformed('not a map');
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  let m: SyncMessage;
  switch (o.type) {
    case 'hello':
      if (keys.length !== 2 || !('nonce' in o)) throw malformed('hello must have exactly type and nonce');
      if (!(o.nonce instanceof Uint8Array) || o.nonce.length !== NONCE_LENGTH) throw malformed('nonce is not 32 bytes');
      m = { type: 'hello', nonce: o.nonce };
      break;
    case 'proofs':
      if (keys.length !== 2 || !('proofs' in o)) throw malformed('proofs must have exactly type and proofs');
      m = { type: 'proofs', proofs: byteList(o.proofs, MAX_PROOFS, 'proofs', isTag) };
      if (m.proofs.length === 0) throw malformed('an empty proofs message');
      break;
    case 'heads':
      if (keys.length !== 3 || !('tag' in o) || !('heads' in o)) throw malformed('heads must have exactly type, tag and heads');
      m = { type: 'heads', tag: tagOf(o.tag), heads: byteList(o.heads, MAX_HEADS, 'heads', isEntryCid) };
      break;
    case 'blocks':
      if (keys.length !== 3 || !('tag' in o) || !('blocks' in o)) throw malformed('blocks must have exactly type, tag and blocks');
      m = { type: 'blocks', tag: tagOf(o.tag), blocks: byteList(o.blocks, MAX_BLOCKS, 'blocks', nonEmpty) };
      if (m.blocks.length === 0) throw malformed('an empty blocks message');
      break;
    default:
      throw malformed('unknown message type');
  }
  // canonical: the one encoding of this value (dag-cbor's decoder already refuses non-minimal
  // integers, indefinite lengths, duplicate keys and undefined; this also catches key order)
  const again = dagCbor.encode(m);
  if (again.length !== body.length || Buffer.compare(again, body) !== 0) throw malformed('not the canonical encoding');
  return m;
}

/** A chunk as a libp2p stream's source yields it (Uint8Array or Uint8ArrayList). */
export type Chunk = Uint8Array | { subarray(): Uint8Array };

/**
 * The frame bodies of `source`, each copied into a buffer of its own exact size (no re-concatenation
 * as chunks arrive: the length header says how much to allocate, after it was checked against
 * `maxMessage`). Pulls the next chunk only when the consumer asks for the next frame (backpressure).
 * Throws WeshSyncError: 'oversize' (length above the limit, non-minimal or longer than needed),
 * 'malformed' (an empty frame), 'truncated' (the stream ended inside a frame).
 */
export async function* readFrames(source: AsyncIterable<Chunk>, maxMessage: number): AsyncGenerator<Uint8Array, void, undefined> {
  let len = 0;
  let scale = 1;
  let headerBytes = 0;
  let body: Uint8Array | null = null;
  let filled = 0;
  for await (const c of source) {
    const chunk = c instanceof Uint8Array ? c : c.subarray();
    let i = 0;
    while (i < chunk.length) {
      if (body === null) {
        const b = chunk[i++];
        headerBytes++;
        len += (b & 0x7f) * scale;
        scale *= 128;
        if (len > maxMessage) throw new WeshSyncError('oversize', `a frame of ${len} bytes or more, above the limit of ${maxMessage}`);
        if (b & 0x80) {
          if (headerBytes >= 8) throw new WeshSyncError('oversize', 'a frame length header longer than 8 bytes');
          continue;
        }
        if (headerBytes > 1 && b === 0) throw new WeshSyncError('oversize', 'a non-minimal frame length');
        if (len === 0) throw new WeshSyncError('malformed', 'an empty frame');
        body = new Uint8Array(len);
        filled = 0;
        len = 0;
        scale = 1;
        headerBytes = 0;
      } else {
        const n = Math.min(body.length - filled, chunk.length - i);
        body.set(chunk.subarray(i, i + n), filled);
        filled += n;
        i += n;
        if (filled === body.length) {
          const done = body;
          body = null;
          yield done;
        }
      }
    }
  }
  if (body !== null || headerBytes > 0) throw new WeshSyncError('truncated', 'the stream ended inside a frame');
}
