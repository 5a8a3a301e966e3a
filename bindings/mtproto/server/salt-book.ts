// The salts of one auth key, cached in memory over the AuthKeyStore (spec §4.3; the schedule is in
// ../session/salts.ts). Checking a salt is synchronous against the cache; a salt the cache does not
// know makes it reload from the store once (another process of the fleet may have issued it), at
// most once a second so a client sending bad salts cannot hammer the store.

import type { Clock } from '../auth/types.js';
import { SALT_PERIOD, acceptsSalt, currentSalt, futureSalts, liveSalts, missingSalts, slotStart } from '../session/salts.js';
import type { AuthKeyStore, StoredSalt } from './store.js';

/** Slots kept issued ahead: the current one and the next (the next becomes current with no store round trip). */
const AHEAD = 2;
const RELOAD_INTERVAL = 1;

export class SaltBook {
  readonly #store: AuthKeyStore;
  readonly #authKeyId: bigint;
  readonly #random: (n: number) => Uint8Array;
  readonly #now: Clock;
  #salts: StoredSalt[] = [];
  #reloadedAt = Number.NEGATIVE_INFINITY;
  #filling: Promise<void> | null = null;

  constructor(store: AuthKeyStore, authKeyId: bigint, random: (n: number) => Uint8Array, now: Clock) {
    this.#store = store;
    this.#authKeyId = authKeyId;
    this.#random = random;
    this.#now = now;
  }

  /** Whether `salt` is accepted now, reloading from the store on a miss (rate-limited). */
  async accepts(salt: bigint): Promise<boolean> {
    const now = this.#now();
    if (acceptsSalt(this.#salts, salt, now)) return true;
    if (now - this.#reloadedAt < RELOAD_INTERVAL) return false;
    await this.#reload();
    return acceptsSalt(this.#salts, salt, now);
  }

  /** The salt to send and to announce now, issuing salts if the schedule ran out. */
  async current(): Promise<bigint> {
    const now = this.#now();
    const known = currentSalt(this.#salts, now);
    if (known !== undefined) {
      // Issue the next slot ahead of time, in the background, so the switch costs no round trip.
      if (this.#horizon() < slotStart(now) + SALT_PERIOD && this.#filling === null) void this.#fill(AHEAD).catch(() => {});
      return known.salt;
    }
    await this.#fill(AHEAD);
    return currentSalt(this.#salts, now)?.salt ?? 0n;
  }

  /** The latest valid_since issued. */
  #horizon(): number {
    let h = Number.NEGATIVE_INFINITY;
    for (const x of this.#salts) if (x.validSince > h) h = x.validSince;
    return h;
  }

  /** The last current salt known, without waiting (for answers queued between two messages). */
  currentSync(): bigint {
    return currentSalt(this.#salts, this.#now())?.salt ?? 0n;
  }

  /** `num` salts from now on, issuing them as needed (get_future_salts, 1..64). */
  async future(num: number): Promise<StoredSalt[]> {
    await this.#fill(num);
    return futureSalts(this.#salts, this.#now(), num);
  }

  async #reload(): Promise<void> {
    this.#reloadedAt = this.#now();
    this.#salts = liveSalts(await this.#store.getSalts(this.#authKeyId), this.#now());
  }

  /** Makes sure `count` slots from now have a salt in the store and in the cache. */
  #fill(count: number): Promise<void> {
    const run = async (): Promise<void> => {
      const now = this.#now();
      if (this.#reloadedAt === Number.NEGATIVE_INFINITY) await this.#reload();
      const missing = missingSalts(this.#salts, now, count, this.#random);
      if (missing.length === 0) return;
      await this.#store.addSalts(this.#authKeyId, missing);
      await this.#reload(); // converge with what other processes added meanwhile
    };
    // One fill at a time: a second caller waits for the first, then finds nothing missing.
    const next = (this.#filling ?? Promise.resolve()).then(run);
    const settled: Promise<void> = next.catch(() => {}).then(() => {
      if (this.#filling === settled) this.#filling = null;
    });
    this.#filling = settled;
    return next;
  }
}
