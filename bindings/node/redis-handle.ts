// One Redis connection for a store shared by a fleet of servers (Node only). Accepts an ioredis
// client (used, and left open on close()) or a redis:// URL (connected on first use and quit on
// close()). ioredis is imported on first use, not at module load: it takes tens of milliseconds to
// load, and most users never open a Redis store.

import type { Redis } from 'ioredis';

export class RedisHandle {
  readonly #redis: Promise<Redis>;
  readonly #owned: boolean;
  #closed = false;

  constructor(redis: unknown, private readonly fn: string) {
    if (typeof redis === 'string') {
      this.#redis = import('ioredis').then(({ Redis: Client }) => new Client(redis));
      this.#owned = true;
    } else if (typeof redis === 'object' && redis !== null && typeof (redis as Redis).call === 'function') {
      this.#redis = Promise.resolve(redis as Redis);
      this.#owned = false;
    } else {
      throw new TypeError(`${fn}: options.redis must be an ioredis client or a redis:// URL`);
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  async get(): Promise<Redis> {
    if (this.#closed) throw new Error(`${this.fn}: the store is closed`);
    return this.#redis;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#owned) return;
    const redis = await this.#redis;
    await redis.quit().catch(() => redis.disconnect());
  }
}

/** A key prefix must be a string; braces are kept out so callers may add their own hash tags. */
export function prefixOf(value: unknown, fallback: string, fn: string): string {
  const prefix = value ?? fallback;
  if (typeof prefix !== 'string' || /[{}]/.test(prefix)) throw new TypeError(`${fn}: options.prefix must be a string without { or }`);
  return prefix;
}
