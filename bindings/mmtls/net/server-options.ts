import type { HandshakeMode } from '../protocol/connection.js';

export interface RequestInfo {
  readonly transport: 'long' | 'short';
  readonly mode: HandshakeMode;
  /** Whether the session was resumed from a ticket (any PSK mode). */
  readonly resumed: boolean;
  /** Short link only: the uri and host of the request's data part. */
  readonly uri?: string;
  readonly host?: string;
}

export type RequestHandler = (request: Uint8Array, info: RequestInfo) => Uint8Array | Promise<Uint8Array>;
