// An AuthKeyStore for one process (issue 10, "Real components"): plain Maps, nothing survives the
// process. Keys go in and out as copies, so no caller can change a stored key or see another
// caller's wipe. Expired temporary keys (spec §6: the server may drop them at expiry) and expired
// salts (§4.3) are dropped lazily, when read, plus an amortized sweep so keys nobody asks for again
// do not pile up.
//
// Held messages (held.ts) are a map per session; expired ones are left out on read, dropped by a
// sweep every 1024 holds, and their bodies wiped whenever the store lets go of them. The per-key
// caps are checked on each hold against the key's other holding sessions (at most
// MAX_HOLDING_SESSIONS_PER_KEY of them, since the caps evict the rest).
//
// This file also holds the argument checks and the little semantics every store shares (what
// "expired" means, which errors), so file-store.ts and redis-store.ts behave exactly like this one.

import { copyOf } from '../../bytes.js';
import { bytesOfLength, integer } from '../../errors.js';
import { MtprotoError } from '../errors.js';
import type { AuthKeyStore, HeldMessage, StoredAuthKey, StoredSalt } from './store.js';
import {
  type HoldingSession, MAX_HELD_BYTES, MAX_HELD_MESSAGES, capHeld, checkedHeld, checkedMsgIds, copyHeld, heldExpired, holdingOf, keyEvictions,
} from './held.js';

// ---- shared semantics ---------------------------------------------------------------------------

/** Auth keys are 256 bytes (spec §5: g_ab left-padded to 256 bytes). */
export const AUTH_KEY_LENGTH = 256;

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
/** The largest Unix time a Date can hold, in seconds: a bound that keeps expiresAt * 1000 an exact integer. */
const MAX_UNIX_SECONDS = 8.64e12;

/** A signed 64-bit integer as TL reads a long (auth_key_id, session_id, salt). */
export function int64(value: unknown, fn: string, param: string): bigint {
  if (typeof value !== 'bigint') throw new TypeError(`${fn}: ${param} must be a bigint, got ${typeof value}`);
  if (value < INT64_MIN || value > INT64_MAX) throw new RangeError(`${fn}: ${param} must be a signed 64-bit integer, got ${value}`);
  return value;
}

/**
 * Validates a key handed to addKey and returns a private copy. Rules: `temp` is a boolean;
 * `expiresAt` (Unix seconds, fractions allowed) is present exactly when `temp` is; `boundTo` only on
 * a temp key (a permanent key is never bound, spec §6).
 */
export function checkedKey(value: unknown, fn: string): StoredAuthKey {
  if (typeof value !== 'object' || value === null) throw new TypeError(`${fn}: key must be a StoredAuthKey object`);
  const k = value as Partial<StoredAuthKey>;
  const id = int64(k.id, fn, 'key.id');
  const key = copyOf(bytesOfLength(k.key, AUTH_KEY_LENGTH, fn, 'key.key'));
  if (typeof k.temp !== 'boolean') throw new TypeError(`${fn}: key.temp must be a boolean`);
  if (!k.temp) {
    if (k.expiresAt !== undefined) throw new TypeError(`${fn}: key.expiresAt is only for temporary keys`);
    if (k.boundTo !== undefined) throw new TypeError(`${fn}: key.boundTo is only for temporary keys`);
    return { id, key, temp: false };
  }
  const expiresAt = unixSeconds(k.expiresAt, fn, 'key.expiresAt');
  if (k.boundTo === undefined) return { id, key, temp: true, expiresAt };
  return { id, key, temp: true, expiresAt, boundTo: int64(k.boundTo, fn, 'key.boundTo') };
}

function unixSeconds(value: unknown, fn: string, param: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`${fn}: ${param} must be a finite number (Unix seconds)`);
  if (value < 0 || value > MAX_UNIX_SECONDS) throw new RangeError(`${fn}: ${param} must be in [0, ${MAX_UNIX_SECONDS}], got ${value}`);
  return value;
}

/**
 * Validates salts handed to addSalts and returns copies. validSince and validUntil are TL ints
 * (future_salt, spec §4.3) holding Unix seconds, so integers in [0, 2^32 - 1], with since <= until.
 */
export function checkedSalts(value: unknown, fn: string): StoredSalt[] {
  if (!Array.isArray(value)) throw new TypeError(`${fn}: salts must be an array`);
  return value.map((s: unknown, i) => {
    if (typeof s !== 'object' || s === null) throw new TypeError(`${fn}: salts[${i}] must be a StoredSalt object`);
    const { validSince, validUntil, salt } = s as Partial<StoredSalt>;
    const since = integer(validSince, 0, 0xffffffff, fn, `salts[${i}].validSince`);
    const until = integer(validUntil, 0, 0xffffffff, fn, `salts[${i}].validUntil`);
    if (since > until) throw new RangeError(`${fn}: salts[${i}].validSince (${since}) is after validUntil (${until})`);
    return { validSince: since, validUntil: until, salt: int64(salt, fn, `salts[${i}].salt`) };
  });
}

/** A temporary key is gone from the moment its expiresAt is reached (every store uses this rule). */
export function isExpired(key: StoredAuthKey, nowMs: number): boolean {
  return key.temp && key.expiresAt !== undefined && nowMs >= key.expiresAt * 1000;
}

/** A salt is kept until validUntil (store.ts): from that second on it is dropped. */
export function saltExpired(salt: StoredSalt, nowMs: number): boolean {
  return nowMs >= salt.validUntil * 1000;
}

/**
 * Two salt entries are the same entry when salt and validSince agree; adding it again replaces
 * validUntil. (future_salts may repeat a salt the client already has, with the same interval.)
 */
export function saltEntryId(salt: StoredSalt): string {
  return `${salt.salt}/${salt.validSince}`;
}

/** A fresh copy of a stored key (the bytes too), for handing out. */
export function copyKey(k: StoredAuthKey): StoredAuthKey {
  const key = copyOf(k.key);
  if (!k.temp) return { id: k.id, key, temp: false };
  if (k.boundTo === undefined) return { id: k.id, key, temp: true, expiresAt: k.expiresAt };
  return { id: k.id, key, temp: true, expiresAt: k.expiresAt, boundTo: k.boundTo };
}

/** Salts in a stable order (validSince, then salt), so every store answers alike. */
export function sortSalts(salts: StoredSalt[]): StoredSalt[] {
  return salts.sort((a, b) => a.validSince - b.validSince || (a.salt < b.salt ? -1 : a.salt > b.salt ? 1 : 0));
}

/** The store errors every implementation throws (MtprotoError codes). */
export const storeErrors = {
  /** addSalts / claimSession on an auth key the store does not hold (never added, deleted or expired). */
  unknownKey: (fn: string, id: bigint) => new MtprotoError('auth-key-not-found', `${fn}: no auth key ${id} in the store`),
  /** holdMessages on a session never claimed, or dropped (destroy_session). */
  unknownSession: (fn: string, authKeyId: bigint, sessionId: bigint) =>
    new MtprotoError('session-not-found', `${fn}: auth key ${authKeyId} has no session ${sessionId} in the store`),
  /** bindTempKey: the temporary key is absent or expired. */
  unknownTemp: (id: bigint) => new MtprotoError('temp-key-not-found', `bindTempKey: no temporary key ${id} in the store`),
  /** bindTempKey: the permanent key is absent. */
  unknownPerm: (id: bigint) => new MtprotoError('perm-key-not-found', `bindTempKey: no permanent key ${id} in the store`),
  /** bindTempKey: tempId names a permanent key. */
  notTemp: (id: bigint) => new MtprotoError('not-a-temp-key', `bindTempKey: auth key ${id} is not a temporary key`),
  /** bindTempKey: permId names a temporary key. */
  notPerm: (id: bigint) => new MtprotoError('not-a-perm-key', `bindTempKey: auth key ${id} is not a permanent key`),
  /**
   * bindTempKey: the temporary key is already bound to another permanent key (the store's form of
   * the rpc_error TEMP_AUTH_KEY_ALREADY_BOUND, spec §6.3). Binding again to the same key is a no-op.
   */
  alreadyBound: (tempId: bigint, boundTo: bigint) =>
    new MtprotoError('temp-key-already-bound', `bindTempKey: temporary key ${tempId} is already bound to ${boundTo}`),
};

/** The `now` option of a store (Unix seconds), checked; the system clock if absent. */
export function clockOption(options: unknown, fn: string): () => number {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${fn}: options must be an object`);
  const { now } = options as { now?: unknown };
  if (now === undefined) return () => Date.now() / 1000;
  if (typeof now !== 'function') throw new TypeError(`${fn}: options.now must be a function returning Unix seconds`);
  return now as () => number;
}

/** Thrown by every method of a closed store. */
export function closedStore(fn: string): TypeError {
  return new TypeError(`${fn}: the store was closed; create a new one`);
}

// ---- the in-memory store ------------------------------------------------------------------------

interface Entry {
  key: StoredAuthKey;
  salts: Map<string, StoredSalt>;
  sessions: Set<bigint>;
  /** Held messages by session, then by msg_id; only claimed sessions have an entry here. */
  held: Map<bigint, Map<bigint, HeldMessage>>;
}

/** Held messages are swept for expiry once per this many holds. */
const SWEEP_HELD_EVERY = 1024;

/** The amortized sweep runs when the map has doubled since the last one (and holds at least this many). */
const SWEEP_MIN_SIZE = 1024;

export interface MemoryAuthKeyStoreOptions {
  /**
   * The clock that decides expiry, in Unix seconds (fractions allowed); default the system clock.
   * A server under test with a simulated clock passes the same one here.
   */
  readonly now?: () => number;
}

export class MemoryAuthKeyStore implements AuthKeyStore {
  #entries: Map<bigint, Entry> | undefined = new Map();
  #sizeAfterSweep = 0;
  #holdsSinceSweep = 0;
  readonly #now: () => number;

  constructor(options: MemoryAuthKeyStoreOptions = {}) {
    this.#now = clockOption(options, 'MemoryAuthKeyStore');
  }

  async getKey(id: bigint): Promise<StoredAuthKey | undefined> {
    const entry = this.#live(int64(id, 'getKey', 'id'), 'getKey');
    return entry && copyKey(entry.key);
  }

  async addKey(key: StoredAuthKey): Promise<boolean> {
    const k = checkedKey(key, 'addKey');
    if (this.#live(k.id, 'addKey')) {
      k.key.fill(0);
      return false;
    }
    // A key that is already expired is accepted and immediately forgotten, as Redis does with an
    // expiry in the past: the answer does not depend on the store.
    if (isExpired(k, this.#nowMs())) {
      k.key.fill(0);
      return true;
    }
    const entries = this.#map('addKey');
    entries.set(k.id, { key: k, salts: new Map(), sessions: new Set(), held: new Map() });
    if (entries.size >= SWEEP_MIN_SIZE && entries.size >= 2 * this.#sizeAfterSweep) this.#sweep(entries);
    return true;
  }

  async bindTempKey(tempId: bigint, permId: bigint): Promise<void> {
    int64(tempId, 'bindTempKey', 'tempId');
    int64(permId, 'bindTempKey', 'permId');
    const temp = this.#live(tempId, 'bindTempKey');
    if (!temp) throw storeErrors.unknownTemp(tempId);
    if (!temp.key.temp) throw storeErrors.notTemp(tempId);
    const perm = this.#live(permId, 'bindTempKey');
    if (!perm) throw storeErrors.unknownPerm(permId);
    if (perm.key.temp) throw storeErrors.notPerm(permId);
    const bound = temp.key.boundTo;
    if (bound !== undefined && bound !== permId) throw storeErrors.alreadyBound(tempId, bound);
    temp.key = { ...temp.key, boundTo: permId };
  }

  async deleteKey(id: bigint): Promise<void> {
    int64(id, 'deleteKey', 'id');
    const entries = this.#map('deleteKey');
    const entry = entries.get(id);
    if (entry) wipeEntry(entry);
    entries.delete(id);
  }

  async getSalts(authKeyId: bigint): Promise<StoredSalt[]> {
    const entry = this.#live(int64(authKeyId, 'getSalts', 'authKeyId'), 'getSalts');
    if (!entry) return [];
    dropExpiredSalts(entry.salts, this.#nowMs());
    return sortSalts([...entry.salts.values()].map((s) => ({ ...s })));
  }

  async addSalts(authKeyId: bigint, salts: readonly StoredSalt[]): Promise<void> {
    int64(authKeyId, 'addSalts', 'authKeyId');
    const checked = checkedSalts(salts, 'addSalts');
    const entry = this.#live(authKeyId, 'addSalts');
    if (!entry) throw storeErrors.unknownKey('addSalts', authKeyId);
    const now = this.#nowMs();
    for (const s of checked) if (!saltExpired(s, now)) entry.salts.set(saltEntryId(s), s);
    dropExpiredSalts(entry.salts, now);
  }

  async claimSession(authKeyId: bigint, sessionId: bigint): Promise<boolean> {
    int64(authKeyId, 'claimSession', 'authKeyId');
    int64(sessionId, 'claimSession', 'sessionId');
    const entry = this.#live(authKeyId, 'claimSession');
    if (!entry) throw storeErrors.unknownKey('claimSession', authKeyId);
    if (entry.sessions.has(sessionId)) return false;
    entry.sessions.add(sessionId);
    return true;
  }

  async dropSession(authKeyId: bigint, sessionId: bigint): Promise<boolean> {
    int64(authKeyId, 'dropSession', 'authKeyId');
    int64(sessionId, 'dropSession', 'sessionId');
    const entry = this.#live(authKeyId, 'dropSession');
    if (!entry) return false;
    dropHeldSession(entry, sessionId);
    return entry.sessions.delete(sessionId);
  }

  async holdMessages(authKeyId: bigint, sessionId: bigint, messages: readonly HeldMessage[]): Promise<void> {
    int64(authKeyId, 'holdMessages', 'authKeyId');
    int64(sessionId, 'holdMessages', 'sessionId');
    const checked = checkedHeld(messages, 'holdMessages');
    const entry = this.#live(authKeyId, 'holdMessages');
    if (!entry || !entry.sessions.has(sessionId)) {
      wipeHeld(checked);
      throw entry ? storeErrors.unknownSession('holdMessages', authKeyId, sessionId) : storeErrors.unknownKey('holdMessages', authKeyId);
    }
    if (++this.#holdsSinceSweep >= SWEEP_HELD_EVERY) this.#sweepHeld();
    const held = entry.held.get(sessionId) ?? new Map<bigint, HeldMessage>();
    entry.held.set(sessionId, held);
    for (const m of checked) {
      wipeHeld([held.get(m.msgId)]);
      held.set(m.msgId, m);
    }
    // The caps, by the same rule as every store (capHeld); sorting only when one is exceeded or a
    // body alone is too large. Expired messages are left out on read.
    let bytes = 0;
    for (const m of held.values()) bytes += m.body.length;
    if (held.size > MAX_HELD_MESSAGES || bytes > MAX_HELD_BYTES) {
      const { kept, dropped } = capHeld([...held.values()], this.#nowMs());
      wipeHeld(dropped);
      if (kept.length === 0) entry.held.delete(sessionId);
      else entry.held.set(sessionId, new Map(kept.map((m) => [m.msgId, m])));
    }
    this.#capKey(entry, sessionId);
  }

  /** The per-key caps (held.ts keyEvictions) after a hold into `sessionId`: other sessions let go of whole. */
  #capKey(entry: Entry, sessionId: bigint): void {
    const now = this.#nowMs();
    const own = entry.held.get(sessionId);
    const ownBytes = own ? (holdingOf(sessionId, own.values(), now)?.bytes ?? 0) : 0;
    const others: HoldingSession[] = [];
    for (const [session, held] of entry.held) {
      if (session === sessionId) continue;
      const holding = holdingOf(session, held.values(), now);
      if (holding) others.push(holding);
      else dropHeldSession(entry, session); // only expired (or nothing) left: it counts for nothing
    }
    for (const session of keyEvictions(ownBytes, others)) dropHeldSession(entry, session);
  }

  async releaseMessages(authKeyId: bigint, sessionId: bigint, msgIds: readonly bigint[]): Promise<void> {
    int64(authKeyId, 'releaseMessages', 'authKeyId');
    int64(sessionId, 'releaseMessages', 'sessionId');
    const ids = checkedMsgIds(msgIds, 'releaseMessages');
    const entry = this.#live(authKeyId, 'releaseMessages');
    const held = entry?.held.get(sessionId);
    if (!entry || !held) return;
    for (const id of ids) {
      wipeHeld([held.get(id)]);
      held.delete(id);
    }
    if (held.size === 0) entry.held.delete(sessionId); // no longer a holding session
  }

  async heldMessages(authKeyId: bigint, sessionId: bigint): Promise<HeldMessage[]> {
    int64(authKeyId, 'heldMessages', 'authKeyId');
    int64(sessionId, 'heldMessages', 'sessionId');
    const held = this.#live(authKeyId, 'heldMessages')?.held.get(sessionId);
    if (!held) return [];
    const { kept, dropped } = capHeld([...held.values()], this.#nowMs());
    for (const m of dropped) {
      m.body.fill(0);
      held.delete(m.msgId); // expired: the lazy expiry
    }
    return kept.map(copyHeld);
  }

  async close(): Promise<void> {
    const entries = this.#entries;
    if (!entries) return;
    for (const e of entries.values()) wipeEntry(e);
    entries.clear();
    this.#entries = undefined;
  }

  #nowMs(): number {
    return this.#now() * 1000;
  }

  #map(fn: string): Map<bigint, Entry> {
    if (!this.#entries) throw closedStore(fn);
    return this.#entries;
  }

  /** The entry of `id` unless absent or expired (an expired one is dropped here: the lazy expiry). */
  #live(id: bigint, fn: string): Entry | undefined {
    const entries = this.#map(fn);
    const entry = entries.get(id);
    if (entry && isExpired(entry.key, this.#nowMs())) {
      wipeEntry(entry);
      entries.delete(id);
      return undefined;
    }
    return entry;
  }

  /**
   * Drops expired held messages everywhere: a session whose client went away is never read again,
   * so the lazy expiry on read would keep its messages as long as its key.
   */
  #sweepHeld(): void {
    this.#holdsSinceSweep = 0;
    const now = this.#nowMs();
    for (const entry of this.#map('holdMessages').values()) {
      for (const [sessionId, held] of entry.held) {
        for (const [id, m] of held) {
          if (!heldExpired(id, now)) continue;
          m.body.fill(0);
          held.delete(id);
        }
        if (held.size === 0) entry.held.delete(sessionId);
      }
    }
  }

  #sweep(entries: Map<bigint, Entry>): void {
    const now = this.#nowMs();
    for (const [id, e] of entries) {
      if (isExpired(e.key, now)) {
        wipeEntry(e);
        entries.delete(id);
      }
    }
    this.#sizeAfterSweep = entries.size;
  }
}

/** Wipes what an entry holds in the clear: the key and every held body. */
function wipeEntry(entry: Entry): void {
  entry.key.key.fill(0);
  for (const held of entry.held.values()) wipeHeld(held.values());
  entry.held.clear();
}

/** Lets go of everything a session holds (its bodies wiped). */
function dropHeldSession(entry: Entry, sessionId: bigint): void {
  wipeHeld(entry.held.get(sessionId)?.values());
  entry.held.delete(sessionId);
}

function wipeHeld(messages: Iterable<HeldMessage | undefined> | undefined): void {
  for (const m of messages ?? []) m?.body.fill(0);
}

function dropExpiredSalts(salts: Map<string, StoredSalt>, nowMs: number): void {
  for (const [id, s] of salts) if (saltExpired(s, nowMs)) salts.delete(id);
}
