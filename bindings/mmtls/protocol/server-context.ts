// What every connection of one server shares: keys, ticket keys, the strike register, the clock
// and the overload switch.

import type { CryptoProvider } from '../../provider/types.js';
import type { ReplayStore } from '../replay/replay-store.js';
import type { TicketKeyStore } from '../ticket/ticket-keys.js';

export interface ServerContext {
  readonly provider: CryptoProvider;
  /** The ECDSA P-256 signing key (32-byte scalar). */
  readonly signingKey: Uint8Array;
  readonly ticketKeys: TicketKeyStore;
  readonly replayStore: ReplayStore;
  /** 0-RTT timestamps more than this many seconds from the server's clock are refused. */
  readonly replayWindowSeconds: number;
  /** True while the server refuses new ECDHE handshakes (PSK resumption only). */
  overloaded(): boolean;
  /** Milliseconds since the epoch. */
  now(): number;
}

export const DEFAULT_REPLAY_WINDOW_SECONDS = 30;
