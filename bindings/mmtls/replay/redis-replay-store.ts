// The strike register in Redis, one for a whole fleet (Node only): a claim is
// `SET <prefix>replay:<key> 1 NX PX <ttl>`, atomic on the server, so of two servers that see the
// same 0-RTT hello at once exactly one accepts it.

import { RedisHandle, prefixOf } from '../../node/redis-handle.js';
import type { ReplayStore } from './replay-store.js';

export interface RedisReplayStoreOptions {
  /** An ioredis client (left open on close()) or a redis:// URL (quit on close()). */
  readonly redis: unknown;
  /** Default `wirecrypt:mmtls:`. */
  readonly prefix?: string;
}

export class RedisReplayStore implements ReplayStore {
  readonly #redis: RedisHandle;
  readonly #prefix: string;

  constructor(options: RedisReplayStoreOptions) {
    this.#redis = new RedisHandle(options?.redis, 'RedisReplayStore');
    this.#prefix = prefixOf(options.prefix, 'wirecrypt:mmtls:', 'RedisReplayStore');
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    const redis = await this.#redis.get();
    const answer = await redis.set(`${this.#prefix}replay:${key}`, '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX');
    return answer === 'OK';
  }

  async close(): Promise<void> {
    await this.#redis.close();
  }
}
