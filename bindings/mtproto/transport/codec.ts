// The common shape of the MTProto transports (spec §8): sans-IO codecs that turn payloads (MTProto
// packets) into bytes for a stream, and bytes from a stream, in chunks of any size, into frames.
// They never touch a socket: node:net, ws, a browser WebSocket or a test feed them.
//
// Roles. The client and the server of one transport differ, so a codec is built for one role:
// * the client sends the transport's tag (or obfuscation header) before its first frame; the
//   server never sends one (the server's tag was consumed by detectTransport());
// * a client may ask for a quick ack (quickAck on encode); the server sees it on the packet;
// * only the server sends quick-ack replies and transport errors, and only the client reads them.
//
// Errors. A payload the caller gets wrong is a TypeError / RangeError (bindings/errors.ts). Bytes
// the peer gets wrong are an MtprotoError with a stable code:
//   'frame-too-large'    an announced length above maxFrameLength (refused before any allocation)
//   'frame-bad-length'   a length the transport cannot carry (full: < 12 or not a multiple of 4)
//   'frame-bad-crc'      full: the CRC-32 trailer does not match
//   'frame-bad-seqno'    full: the sequence number is not the next one
//   'transport-unknown'  obfuscated2 / detection: not a transport this server speaks
// A codec that threw stays failed: every later push() rethrows the same error (its state is lost,
// the connection must close), and the frames decoded earlier in the failing push() are not returned.
// Its encoder keeps working, so a server can still send a transport error before closing.

import { integer } from '../../errors.js';

/** What a decoder produces. */
export type Frame =
  /** A payload (an MTProto packet); `quickAck`: the client asked for a quick ack (server role only). */
  | { readonly kind: 'packet'; readonly payload: Uint8Array; readonly quickAck: boolean }
  /** A quick-ack reply (client role): the low 31 bits of the value the server sent (spec §8.5). */
  | { readonly kind: 'quick-ack'; readonly token: number }
  /** A transport error (client role): the positive code, e.g. 404, 429, 444 (spec §8.6). */
  | { readonly kind: 'transport-error'; readonly code: number };

export type Role = 'client' | 'server';

/** The framings; 'padded' is padded intermediate. */
export type FramingName = 'abridged' | 'intermediate' | 'padded' | 'full';

/** A framing, or obfuscated2 around abridged, intermediate or padded. */
export type TransportName = FramingName | 'obfuscated';

export interface EncodeOptions {
  /** Client only: ask the server for a quick ack of this packet (the top bit of the length). */
  quickAck?: boolean;
}

/** One direction-pair of one connection's framing; not reusable across connections. */
export interface FrameCodec {
  readonly transport: TransportName;
  readonly role: Role;
  /** The cap on payloads read (and written), in bytes. */
  readonly maxFrameLength: number;
  /** Whether encodeQuickAck() exists on this transport (server role; not on full: see full.ts). */
  readonly quickAckReplies: boolean;
  /** The bytes to write for one payload (the client's first call also carries the tag or header). */
  encode(payload: Uint8Array, options?: EncodeOptions): Uint8Array;
  /** Server only: a quick-ack reply carrying `token` (an unsigned 32-bit value; its top bit is set on the wire). */
  encodeQuickAck(token: number): Uint8Array;
  /** Server only: a transport error, `code` positive (404, 429, 444), sent as a 4-byte packet −code. */
  encodeTransportError(code: number): Uint8Array;
  /** Feeds received bytes; returns the frames they complete, in order, keeping any partial frame. */
  push(chunk: Uint8Array): Frame[];
  /** Releases keys and buffered bytes; the codec is unusable afterwards. */
  dispose(): void;
}

/** Options every codec takes. */
export interface CodecOptions {
  role: Role;
  /**
   * The largest payload accepted from the peer (and encoded), in bytes; an announced length above
   * it is refused with 'frame-too-large' before anything is buffered for it. Default 16 MiB.
   */
  maxFrameLength?: number;
}

export const DEFAULT_MAX_FRAME_LENGTH = 16 * 1024 * 1024;

export function checkRole(value: unknown, fn: string): Role {
  if (value !== 'client' && value !== 'server') throw new TypeError(`${fn}: role must be 'client' or 'server', got ${String(value)}`);
  return value;
}

export function checkMaxFrameLength(value: unknown, fn: string): number {
  return value === undefined ? DEFAULT_MAX_FRAME_LENGTH : integer(value, 0, 0x7fffffff, fn, 'maxFrameLength');
}
