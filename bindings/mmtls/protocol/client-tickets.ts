// The tickets a client keeps from its last full handshake (spec §5.5): the access ticket (type 1,
// 7 days) with PSK_ACCESS for 0-RTT, and the refresh ticket (type 2, 30 days) with PSK_REFRESH
// for 1-RTT PSK. The PSKs are secrets: clear() wipes them.

import type { SessionTicket } from '../handshake/session-ticket.js';

export interface HeldTicket {
  readonly ticket: SessionTicket;
  readonly psk: Uint8Array;
  /** Local time (ms) after which the client stops offering it. */
  readonly expiresAt: number;
}

export class ClientTickets {
  access: HeldTicket | undefined;
  refresh: HeldTicket | undefined;

  /** A usable ticket of that kind at `now`, dropping (and wiping) an expired one. */
  usable(kind: 'access' | 'refresh', now: number): HeldTicket | undefined {
    const held = this[kind];
    if (held !== undefined && held.expiresAt <= now) this.drop(kind);
    return this[kind];
  }

  replace(kind: 'access' | 'refresh', held: HeldTicket): void {
    this.drop(kind);
    this[kind] = held;
  }

  drop(kind: 'access' | 'refresh'): void {
    this[kind]?.psk.fill(0);
    this[kind] = undefined;
  }

  clear(): void {
    this.drop('access');
    this.drop('refresh');
  }
}
