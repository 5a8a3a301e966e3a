// 0-RTT replay protection (spec §9.5, designed). A 0-RTT ClientHello is accepted only if its
// timestamp is within ±window of the server's clock, and only once: the server claims
// SHA-256(ClientHello) in a strike register that remembers claims for twice the window, which
// covers every moment the timestamp check would still let the same hello through. The register is
// behind this interface so a fleet can share one (RedisReplayStore) — a replay sent to another
// server of the fleet is refused too.

export interface ReplayStore {
  /** Records `key` for `ttlMs`; resolves true if it was new, false if it had been claimed. */
  claim(key: string, ttlMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** A strike register in one process. Expired claims are swept as new ones arrive. */
export class MemoryReplayStore implements ReplayStore {
  #seen = new Map<string, number>();
  #lastSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async claim(key: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    if (now - this.#lastSweep > 1000) this.#sweep(now);
    const until = this.#seen.get(key);
    if (until !== undefined && until > now) return false;
    this.#seen.set(key, now + ttlMs);
    return true;
  }

  /** Claims currently held (for tests and metrics). */
  get size(): number {
    return this.#seen.size;
  }

  async close(): Promise<void> {
    this.#seen.clear();
  }

  #sweep(now: number): void {
    this.#lastSweep = now;
    for (const [key, until] of this.#seen) if (until <= now) this.#seen.delete(key);
  }
}
