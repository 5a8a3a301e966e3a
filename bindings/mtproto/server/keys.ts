// What one server process holds in memory for the keys it is serving: each auth key as an AuthKey
// (its bytes in one place, wiped by dispose()), its binding, its salt book and its live sessions.
// The AuthKeyStore is the source of truth; this is a cache loaded on the first packet of a key and
// dropped when the key has been idle a while, or when the server closes.
//
//   store (memory / file / Redis)       keys, bindings, salts, which sessions the fleet has seen,
//                                        each session's unacknowledged messages (held.ts)
//   KeyRegistry (this process)          AuthKey objects, SaltBook caches, ServerSession state machines
//                                        (received ids, outgoing queue, unacknowledged messages — a
//                                        copy of what the store holds, loaded when a session arrives)
//                                        and the connection each session currently answers on

import type { CryptoProvider } from '../../provider/types.js';
import type { Clock } from '../auth/types.js';
import { AuthKey } from '../crypto/auth-key.js';
import { MtprotoError } from '../errors.js';
import type { ServerSession } from '../session/server-session.js';
import { SaltBook } from './salt-book.js';
import type { AuthKeyStore, StoredAuthKey } from './store.js';

/** Where a session's outgoing messages go: a stream connection, or the parked HTTP requests. */
export interface Sink {
  /** Something was queued on `handle.session`: send it when possible. */
  wake(handle: SessionHandle): void;
  /** Whether this sink can still deliver (an open connection). */
  readonly live: boolean;
}

export interface SessionHandle {
  readonly key: KeyEntry;
  readonly session: ServerSession;
  sink: Sink | null;
  lastUsed: number;
}

export interface KeyEntry {
  readonly id: bigint;
  readonly authKey: AuthKey;
  readonly temp: boolean;
  /** Temporary keys: Unix seconds at which the key is gone. */
  readonly expiresAt?: number;
  /** Temporary keys: the permanent key it is bound to. */
  boundTo?: bigint;
  readonly salts: SaltBook;
  readonly sessions: Map<bigint, SessionHandle>;
  lastUsed: number;
}

/** A key unused this long (seconds, no session with a live connection) leaves the cache. */
const IDLE = 15 * 60;

export class KeyRegistry {
  readonly #provider: CryptoProvider;
  readonly #store: AuthKeyStore;
  readonly #now: Clock;
  readonly #entries = new Map<bigint, KeyEntry>();
  readonly #loading = new Map<bigint, Promise<KeyEntry | undefined>>();
  #closed = false;

  constructor(provider: CryptoProvider, store: AuthKeyStore, now: Clock) {
    this.#provider = provider;
    this.#store = store;
    this.#now = now;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Whether `id` is cached (a new key's id must not collide, spec §5.1 step 10). */
  has(id: bigint): boolean {
    return this.#entries.has(id);
  }

  /** The key `id`, from the cache or the store; undefined if unknown or an expired temporary key. */
  async get(id: bigint): Promise<KeyEntry | undefined> {
    const cached = this.#entries.get(id);
    if (cached !== undefined) {
      if (this.#expired(cached)) {
        this.evict(id);
        return undefined;
      }
      cached.lastUsed = this.#now();
      return cached;
    }
    let loading = this.#loading.get(id);
    if (loading === undefined) {
      loading = this.#load(id).finally(() => this.#loading.delete(id));
      this.#loading.set(id, loading);
    }
    return loading;
  }

  async #load(id: bigint): Promise<KeyEntry | undefined> {
    const stored = await this.#store.getKey(id);
    if (stored === undefined || this.#closed) {
      stored?.key.fill(0);
      return undefined;
    }
    const raced = this.#entries.get(id);
    if (raced !== undefined) {
      stored.key.fill(0);
      return raced;
    }
    const entry = this.#entry(stored);
    stored.key.fill(0);
    if (this.#expired(entry)) {
      entry.authKey.dispose();
      return undefined;
    }
    this.#entries.set(id, entry);
    return entry;
  }

  #entry(stored: StoredAuthKey): KeyEntry {
    const authKey = new AuthKey(this.#provider, stored.key);
    if (authKey.idLong !== stored.id) {
      authKey.dispose();
      throw new MtprotoError('store-corrupt', `the store holds key ${stored.id} under the wrong id`);
    }
    return {
      id: stored.id,
      authKey,
      temp: stored.temp,
      ...(stored.expiresAt !== undefined && { expiresAt: stored.expiresAt }),
      ...(stored.boundTo !== undefined && { boundTo: stored.boundTo }),
      salts: new SaltBook(this.#store, stored.id, (n) => this.#provider.randomBytes(n), this.#now),
      sessions: new Map(),
      lastUsed: this.#now(),
    };
  }

  /**
   * Stores a key a handshake just created and caches it; false if its id is taken (the caller
   * fails the handshake). The caller wipes `key` afterwards.
   */
  async add(key: { id: bigint; key: Uint8Array; temp: boolean; expiresAt?: number }): Promise<boolean> {
    const stored: StoredAuthKey = key.temp
      ? { id: key.id, key: key.key, temp: true, expiresAt: key.expiresAt! }
      : { id: key.id, key: key.key, temp: false };
    if (this.#entries.has(key.id) || !(await this.#store.addKey(stored))) return false;
    if (this.#closed) return false;
    this.#entries.set(key.id, this.#entry(stored));
    return true;
  }

  /** Re-reads the binding of a temporary key (another process of the fleet may have bound it). */
  async refreshBinding(entry: KeyEntry): Promise<void> {
    const stored = await this.#store.getKey(entry.id);
    stored?.key.fill(0);
    if (stored?.boundTo !== undefined) entry.boundTo = stored.boundTo;
  }

  /** Drops a key from the cache (not from the store), wiping its bytes. */
  evict(id: bigint): void {
    const entry = this.#entries.get(id);
    if (entry === undefined) return;
    this.#entries.delete(id);
    entry.sessions.clear();
    entry.authKey.dispose();
  }

  /** Forgets idle sessions and keys (called from a timer). */
  sweep(): void {
    const now = this.#now();
    for (const [id, entry] of this.#entries) {
      for (const [sid, h] of entry.sessions) {
        if (now - h.lastUsed > IDLE && !h.sink?.live && h.session.openCalls === 0) entry.sessions.delete(sid);
      }
      if (this.#expired(entry) || (entry.sessions.size === 0 && now - entry.lastUsed > IDLE)) this.evict(id);
    }
  }

  /** Every key wiped and forgotten; later loads find nothing. */
  close(): void {
    this.#closed = true;
    for (const id of [...this.#entries.keys()]) this.evict(id);
  }

  #expired(entry: KeyEntry): boolean {
    return entry.temp && entry.expiresAt !== undefined && this.#now() >= entry.expiresAt;
  }
}
