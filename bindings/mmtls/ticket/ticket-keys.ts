// Ticket keys (spec §9.3, designed): AES-128-GCM keys that only servers hold, one per rotation
// epoch. The key of epoch e = floor(now / period) seals new tickets; the keys of the epochs a
// ticket can still be alive in open them, so tickets keep working across a rotation. A key's id is
// its epoch number, written in front of every ticket.
//
// `MemoryTicketKeys` keeps them in one process. `RedisTicketKeys` (redis-ticket-keys.ts) keeps
// them in Redis, so every server of a fleet seals and opens with the same keys: a ticket issued by
// one opens on another.

import type { CryptoProvider } from '../../provider/types.js';
import { REFRESH_LIFETIME } from '../handshake/session-ticket.js';

export const TICKET_KEY_LENGTH = 16;
export const DEFAULT_ROTATION_SECONDS = 86400;

export interface TicketKey {
  readonly id: number;
  readonly key: Uint8Array;
}

export interface TicketKeyStore {
  /** Seconds per epoch. */
  readonly rotationSeconds: number;
  /** The key that seals tickets at `nowSeconds` (created on first use). */
  current(nowSeconds: number): Promise<TicketKey>;
  /** The key of epoch `id` if it exists and may still open tickets at `nowSeconds`. */
  lookup(id: number, nowSeconds: number): Promise<Uint8Array | undefined>;
  /** Forgets (and wipes) what it holds in this process. */
  close(): Promise<void>;
}

/** Epochs whose tickets may still be alive: the longest lifetime (30 days) plus the current one. */
export function retainedEpochs(rotationSeconds: number): number {
  return Math.ceil(REFRESH_LIFETIME / rotationSeconds) + 1;
}

export function epochOf(nowSeconds: number, rotationSeconds: number): number {
  return Math.floor(nowSeconds / rotationSeconds);
}

export function isLiveEpoch(id: number, nowSeconds: number, rotationSeconds: number): boolean {
  const current = epochOf(nowSeconds, rotationSeconds);
  return id <= current && id > current - retainedEpochs(rotationSeconds);
}

export class MemoryTicketKeys implements TicketKeyStore {
  readonly rotationSeconds: number;
  #keys = new Map<number, Uint8Array>();

  constructor(private readonly provider: CryptoProvider, options: { rotationSeconds?: number } = {}) {
    this.rotationSeconds = rotationSecondsOf(options.rotationSeconds, 'MemoryTicketKeys');
  }

  async current(nowSeconds: number): Promise<TicketKey> {
    const id = epochOf(nowSeconds, this.rotationSeconds);
    let key = this.#keys.get(id);
    if (key === undefined) {
      key = this.provider.randomBytes(TICKET_KEY_LENGTH);
      this.#keys.set(id, key);
      this.#prune(nowSeconds);
    }
    return { id, key };
  }

  async lookup(id: number, nowSeconds: number): Promise<Uint8Array | undefined> {
    return isLiveEpoch(id, nowSeconds, this.rotationSeconds) ? this.#keys.get(id) : undefined;
  }

  async close(): Promise<void> {
    for (const key of this.#keys.values()) key.fill(0);
    this.#keys.clear();
  }

  #prune(nowSeconds: number): void {
    for (const [id, key] of this.#keys) {
      if (!isLiveEpoch(id, nowSeconds, this.rotationSeconds) && id < epochOf(nowSeconds, this.rotationSeconds)) {
        key.fill(0);
        this.#keys.delete(id);
      }
    }
  }
}

export function rotationSecondsOf(value: number | undefined, fn: string): number {
  const v = value ?? DEFAULT_ROTATION_SECONDS;
  if (!Number.isInteger(v) || v < 1 || v > REFRESH_LIFETIME) throw new RangeError(`${fn}: rotationSeconds must be an integer in [1, ${REFRESH_LIFETIME}]`);
  return v;
}
