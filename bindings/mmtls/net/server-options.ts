import type { HandshakeMode } from '../protocol/connection.js';

export interface RequestInfo {
  readonly transport: 'long' | 'short';
  readonly mode: HandshakeMode;
  /** Whether the session was resumed from a ticket (any PSK mode). */
  readonly resumed: boolean;
  /**
   * Whether the request came as 0-RTT early data. Early data can be replayed within the replay
   * window if the strike register is lost, and a man in the middle can make a client resend it
   * (docs/mmtls.md §6): a handler should run only idempotent requests from it.
   */
  readonly early: boolean;
  /** Short link only: the uri and host of the request's data part. */
  readonly uri?: string;
  readonly host?: string;
}

export type RequestHandler = (request: Uint8Array, info: RequestInfo) => Uint8Array | Promise<Uint8Array>;
