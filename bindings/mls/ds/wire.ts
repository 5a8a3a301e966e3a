// The JSON shapes of the delivery service's HTTP and WebSocket API, shared by the service and the
// client, with the byte codecs they need. Browser-safe: no Node imports (base64 through btoa/atob,
// which browsers and Node ≥ 16 both have), so the client bundles for a page as it is.
//
// Bytes travel as standard base64, bigints (epochs) as decimal strings, group ids and installation
// ids as lowercase hex in URLs. See docs/mls.md ("Delivery service") for the endpoints.

/** Content types the service orders (read from the message's public framing). */
export type MessageType = 'commit' | 'proposal' | 'application';

/** One entry of a group's log as the API sends it. */
export interface WireLogEntry {
  readonly seq: number;
  readonly epoch: string;
  readonly type: MessageType;
  readonly data: string;
}

export interface WireWelcome {
  /** Opaque, increasing within one mailbox: give it back as `after` to read on from there. */
  readonly cursor: string;
  /** The group (hex) and the log position of the Commit that made the Welcome: the joiner reads on after `seq`. */
  readonly group: string;
  readonly seq: number;
  readonly data: string;
}

/** Server → client over the WebSocket. */
export type ServerPush =
  | { readonly op: 'messages'; readonly group: string; readonly messages: readonly WireLogEntry[] }
  | { readonly op: 'welcomes'; readonly installation: string; readonly welcomes: readonly WireWelcome[] }
  | { readonly op: 'error'; readonly code: string; readonly message: string; readonly group?: string; readonly installation?: string };

/** Client → server over the WebSocket. `after`: the last seq (group) or cursor (mailbox) already seen. */
export type ClientRequest =
  | { readonly op: 'subscribe'; readonly group: string; readonly after: number }
  | { readonly op: 'unsubscribe'; readonly group: string }
  | { readonly op: 'subscribe-welcomes'; readonly installation: string; readonly after?: string }
  | { readonly op: 'unsubscribe-welcomes'; readonly installation: string };

export const WS_PATH = '/v1/ws';
export const WS_PROTOCOL = 'wirecrypt-ds.v1';

const HEX = /^(?:[0-9a-f]{2})+$/;

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Lowercase hex of an even length, non-empty, at most `maxBytes` bytes. */
export function isHexId(value: unknown, maxBytes: number): value is string {
  return typeof value === 'string' && value.length <= 2 * maxBytes && HEX.test(value);
}

export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export { toBase64 } from '../../codec/binary-string.js';

/** Throws TypeError on anything but standard base64. */
export function fromBase64(text: unknown): Uint8Array {
  if (typeof text !== 'string') throw new TypeError('expected a base64 string');
  const s = atob(text); // throws DOMException (InvalidCharacterError) on bad input
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
