// Ticket keys in Redis, shared by a fleet (Node only). The key of epoch e lives at
// `<prefix>ticket-key:<e>`: the first server that needs it creates it with SET NX PX (so every
// server ends up with the same bytes) and it expires once no live ticket can refer to it. Each
// process caches the keys it has read. The keys sit in Redis in clear: Redis is inside the trust
// boundary of the servers that share it (docs/mmtls.md "Fleet state").

import type { CryptoProvider } from '../../provider/types.js';
import { RedisHandle, prefixOf } from '../../node/redis-handle.js';
import {
  TICKET_KEY_LENGTH, type TicketKey, type TicketKeyStore, epochOf, isLiveEpoch, retainedEpochs, rotationSecondsOf,
} from './ticket-keys.js';

export interface RedisTicketKeysOptions {
  /** An ioredis client (left open on close()) or a redis:// URL (quit on close()). */
  readonly redis: unknown;
  /** Default `wirecrypt:mmtls:`. */
  readonly prefix?: string;
  /** Seconds per epoch; every server of the fleet must use the same value. Default one day. */
  readonly rotationSeconds?: number;
}

export class RedisTicketKeys implements TicketKeyStore {
  readonly rotationSeconds: number;
  readonly #redis: RedisHandle;
  readonly #prefix: string;
  #cache = new Map<number, Uint8Array>();

  constructor(private readonly provider: CryptoProvider, options: RedisTicketKeysOptions) {
    this.#redis = new RedisHandle(options?.redis, 'RedisTicketKeys');
    this.#prefix = prefixOf(options.prefix, 'wirecrypt:mmtls:', 'RedisTicketKeys');
    this.rotationSeconds = rotationSecondsOf(options.rotationSeconds, 'RedisTicketKeys');
  }

  async current(nowSeconds: number): Promise<TicketKey> {
    const id = epochOf(nowSeconds, this.rotationSeconds);
    const cached = this.#cache.get(id);
    if (cached) return { id, key: cached };
    const redis = await this.#redis.get();
    const name = `${this.#prefix}ticket-key:${id}`;
    const ttlMs = retainedEpochs(this.rotationSeconds) * this.rotationSeconds * 1000;
    const random = this.provider.randomBytes(TICKET_KEY_LENGTH);
    const fresh = Buffer.from(random);
    random.fill(0);
    await redis.set(name, fresh, 'PX', ttlMs, 'NX');
    fresh.fill(0);
    const stored = await redis.getBuffer(name);
    if (stored === null || stored.length !== TICKET_KEY_LENGTH) throw new Error(`RedisTicketKeys: ${name} is missing or malformed`);
    return { id, key: this.#remember(id, stored) };
  }

  async lookup(id: number, nowSeconds: number): Promise<Uint8Array | undefined> {
    if (!isLiveEpoch(id, nowSeconds, this.rotationSeconds)) return undefined;
    const cached = this.#cache.get(id);
    if (cached) return cached;
    const stored = await (await this.#redis.get()).getBuffer(`${this.#prefix}ticket-key:${id}`);
    if (stored === null || stored.length !== TICKET_KEY_LENGTH) return undefined;
    return this.#remember(id, stored);
  }

  async close(): Promise<void> {
    for (const key of this.#cache.values()) key.fill(0);
    this.#cache.clear();
    await this.#redis.close();
  }

  #remember(id: number, stored: Buffer): Uint8Array {
    const key = new Uint8Array(stored);
    stored.fill(0);
    this.#cache.set(id, key);
    // Retired keys leave the cache (wiped) as new ones arrive.
    for (const [old, value] of this.#cache) {
      if (old < id - retainedEpochs(this.rotationSeconds)) {
        value.fill(0);
        this.#cache.delete(old);
      }
    }
    return key;
  }
}
