// The replicated group log (spec §10): a grow-only DAG of signed, content-addressed entries, shown
// in one total order that every replica computes alike — Lamport time, then writer id bytes, then
// CID bytes (ties are common: all members of a Wesh group write under one key, §14 #9). Two replicas
// that have exchanged their entries hold exactly the same ordered list.
//
// Network-agnostic: a transport hands received blocks to join() and sends heads / blocks it reads
// here; a missing parent is held and reported (missing()), or fetched through the injected fetch().
// Operations that change the log (append, join) run one at a time, and each resolves only after its
// store write is durable; the in-memory state changes only after that write succeeded.

import type { CID } from 'multiformats/cid';
import { bytes as checkBytes } from '../../errors.js';
import type { AccessController } from './access.js';
import { cidBytesFrom, cidBytesOf, digests, isEntryCid, toCid } from './cid.js';
import type { LogCrypto } from './crypto.js';
import { decodeEntry } from './decode.js';
import { encodeUnsigned, signedBlock } from './encode.js';
import { type Entry, markVerified } from './entry.js';
import { WeshLogError } from './errors.js';
import { type JoinInput, type Rejection, intake } from './intake.js';
import { binaryKey, keyBytes } from './keys.js';
import { type LogLimits, limitsOf } from './limits.js';
import { afterTime, byOrder, lowerBound, mergeInto } from './order.js';
import { PendingSet, type Settled, settle } from './pending.js';
import { type LogStore, decodeHeads, encodeHeads, memoryStore } from './store.js';

export interface WeshLogOptions {
  /** The log id, e.g. `<hex group pk>_wesh_group_messages`; every entry names it. */
  readonly id: string;
  readonly crypto: LogCrypto;
  readonly access: AccessController;
  /** Default: a new memory store. */
  readonly store?: LogStore;
  /** Fetches a block by CID (a network layer plugs in here); undefined when nobody has it. */
  readonly fetch?: (cid: CID) => Promise<Uint8Array | undefined> | Uint8Array | undefined;
  readonly limits?: Partial<LogLimits>;
  /** Re-verify every signature when reopening the store (default false: the store holds only verified entries). */
  readonly verifyOnOpen?: boolean;
}

export interface JoinResult {
  /** Entries that entered the log, parents before children. */
  readonly added: Entry[];
  readonly rejected: Rejection[];
  /** Inputs the log already held (replays are no-ops). */
  readonly duplicates: number;
  /** Entries held for missing parents after this join (the whole pending set). */
  readonly held: number;
  /** Parents nobody has given us yet. */
  readonly missing: CID[];
}

/** What opening found wrong in the store and repaired. */
export interface OpenReport {
  /** Block records dropped: not a CID key, bytes not matching it, undecodable, or refused. */
  readonly dropped: number;
  /** Whether the stored heads record differed from the recomputed heads (and was rewritten). */
  readonly headsRepaired: boolean;
  /** Stored entries whose parents are missing (kept in the store, held). */
  readonly held: number;
}

export interface IterateOptions {
  /** Start after this entry (RangeError if the log does not hold it). */
  readonly after?: CID | Uint8Array;
  /** Start at the first entry whose Lamport time is above this. */
  readonly afterTime?: number;
}

const MAX_TIME = Number.MAX_SAFE_INTEGER;

export class WeshLog {
  readonly id: string;
  readonly limits: LogLimits;
  #crypto: LogCrypto;
  #access: AccessController;
  #store: LogStore;
  #fetch: WeshLogOptions['fetch'];
  #index = new Map<string, Entry>();
  #ordered: Entry[] = [];
  #heads = new Map<string, Entry>();
  #pending: PendingSet;
  #time = 0;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  #listeners = new Set<(added: readonly Entry[]) => void>();
  #report: OpenReport = { dropped: 0, headsRepaired: false, held: 0 };

  private constructor(o: WeshLogOptions) {
    if (typeof o.id !== 'string') throw new TypeError('WeshLog.open: id must be a string');
    this.limits = limitsOf(o.limits);
    if (new TextEncoder().encode(o.id).length > this.limits.maxLogId) throw new RangeError('WeshLog.open: id longer than limits.maxLogId');
    if (typeof o.crypto?.verify !== 'function') throw new TypeError('WeshLog.open: crypto.verify must be a function');
    if (typeof o.access?.canWrite !== 'function') throw new TypeError('WeshLog.open: access.canWrite must be a function');
    this.id = o.id;
    this.#crypto = o.crypto;
    this.#access = o.access;
    this.#store = o.store ?? memoryStore();
    this.#fetch = o.fetch;
    this.#pending = new PendingSet(this.limits.maxPending);
  }

  /** Opens a log on its store (default: a new memory store), reloading and checking what it holds. */
  static async open(options: WeshLogOptions): Promise<WeshLog> {
    const log = new WeshLog(options);
    await log.#load(options.verifyOnOpen === true);
    return log;
  }

  /** What open() found wrong in the store (torn writes) and repaired. */
  get openReport(): OpenReport {
    return this.#report;
  }

  get length(): number {
    return this.#ordered.length;
  }

  /** The current Lamport time: the highest time of any entry in the log. */
  get time(): number {
    return this.#time;
  }

  /** The heads (entries no other entry names as parent), in the total order. */
  get heads(): Entry[] {
    return [...this.#heads.values()].sort(byOrder);
  }

  /** How many entries wait for parents. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Parents that held entries wait for and that nobody has given us. */
  missing(): CID[] {
    return this.#pending.missing().map((k) => toCid(keyBytes(k)));
  }

  has(cid: CID | Uint8Array): boolean {
    return this.#index.has(binaryKey(cidBytesFrom(cid)));
  }

  get(cid: CID | Uint8Array): Entry | undefined {
    return this.#index.get(binaryKey(cidBytesFrom(cid)));
  }

  /** The entry's position in the total order, or -1. */
  indexOf(cid: CID | Uint8Array): number {
    const e = this.get(cid);
    return e ? lowerBound(this.#ordered, e) : -1;
  }

  /** The entry at `index` in the total order. */
  at(index: number): Entry | undefined {
    return this.#ordered[index];
  }

  [Symbol.iterator](): Iterator<Entry> {
    return this.values();
  }

  /**
   * The entries in the total order, from a snapshot taken now (later merges do not disturb it). With
   * `after` / `afterTime`, from that point ("messages since"); note that a later merge may add entries
   * before that point (concurrent writes from a partition), which a reader who remembers a position
   * will only see by iterating again from earlier.
   */
  *values(options: IterateOptions = {}): Generator<Entry, void, undefined> {
    const list = this.#ordered;
    const end = list.length;
    let i = 0;
    if (options.after !== undefined) {
      const e = this.get(options.after);
      if (!e) throw new RangeError('WeshLog.values: `after` is not an entry of this log');
      i = lowerBound(list, e) + 1;
    }
    if (options.afterTime !== undefined) {
      const t = options.afterTime;
      if (typeof t !== 'number' || !Number.isInteger(t) || t < 0) throw new RangeError('WeshLog.values: afterTime must be a non-negative integer');
      if (t >= MAX_TIME) return;
      i = Math.max(i, afterTime(list, t));
    }
    for (; i < end; i++) yield list[i];
  }

  /** Calls `listener` with the entries each append or join adds (after they are durable). Returns the unsubscribe. */
  subscribe(listener: (added: readonly Entry[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Appends `payload` (the sealed envelope) as a new entry: next = the current heads, time =
   * max(own time, heads' times) + 1, signed with the crypto's key. Resolves once durable.
   */
  append(payload: Uint8Array): Promise<Entry> {
    const p = checkBytes(payload, 'WeshLog.append', 'payload');
    if (p.length > this.limits.maxPayload) throw new RangeError(`WeshLog.append: payload of ${p.length} bytes above limits.maxPayload`);
    const { sign, publicKey } = this.#crypto;
    if (typeof sign !== 'function' || !(publicKey instanceof Uint8Array) || publicKey.length !== 32) {
      return Promise.reject(new WeshLogError('no-signer', 'append needs crypto.sign and a 32-byte crypto.publicKey'));
    }
    const payloadCopy = p.slice();
    return this.#locked(async () => {
      let time = this.#time;
      for (const h of this.#heads.values()) if (h.time > time) time = h.time;
      if (time >= MAX_TIME) throw new WeshLogError('clock', 'Lamport time exhausted');
      const next = [...this.#heads.keys()].sort().map(keyBytes);
      if (next.length > this.limits.maxNext) next.length = this.limits.maxNext; // keep the limit; the rest stay heads
      const unsigned = encodeUnsigned({ key: publicKey, logId: this.id, next, time: time + 1, payload: payloadCopy });
      const block = signedBlock(unsigned, sign.call(this.#crypto, unsigned));
      const [digest] = await digests([block], this.#crypto.sha256Many);
      const entry = decodeEntry(block, cidBytesOf(digest), this.limits);
      if (!this.#access.canWrite(entry.key, entry)) throw new WeshLogError('unknown-writer', 'this replica\'s key may not write to the log');
      markVerified(entry);
      await this.#commit({ accepted: [entry], refused: [], held: [], childless: [entry], parentsInLog: [...entry.nextKeys] }, []);
      return entry;
    });
  }

  /**
   * Merges entries received from another replica (blocks, { cid, bytes } pairs, or Entry objects of
   * another log in this process). Each is checked — CID, strict decoding, log id, writer, signature
   * (batched), clock above its parents — before anything is stored; a bad entry is reported in
   * `rejected` and does not stop the others. Entries whose parents are missing are held (bounded)
   * and fetched through the injected fetch() if any. Replays are counted as duplicates.
   */
  async join(inputs: Iterable<JoinInput>): Promise<JoinResult> {
    const list = [...inputs];
    const total = { added: [] as Entry[], rejected: [] as Rejection[], duplicates: 0 };
    const add = (r: { added: Entry[]; rejected: Rejection[]; duplicates: number }) => {
      // (indexed loops, as in #commit)
      for (let i = 0; i < r.added.length; i++) total.added.push(r.added[i]);
      for (let i = 0; i < r.rejected.length; i++) total.rejected.push(r.rejected[i]);
      total.duplicates += r.duplicates;
    };
    add(await this.#locked(() => this.#joinRound(list)));
    const fetch = this.#fetch;
    if (fetch) {
      let budget = this.limits.maxFetch;
      const tried = new Set<string>();
      while (budget > 0 && !this.#closed) {
        const want = this.#pending.missing().filter((k) => !tried.has(k)).slice(0, budget);
        if (want.length === 0) break;
        budget -= want.length;
        for (const k of want) tried.add(k);
        const got = await Promise.all(want.map(async (k) => {
          const cid = keyBytes(k);
          try {
            const bytes = await fetch(toCid(cid));
            return bytes instanceof Uint8Array ? { cid, bytes } : undefined;
          } catch {
            return undefined; // a failed fetch is a parent still missing
          }
        }));
        const blocks = got.filter((b) => b !== undefined);
        if (blocks.length === 0) break;
        add(await this.#locked(() => this.#joinRound(blocks)));
      }
    }
    return { ...total, held: this.#pending.size, missing: this.missing() };
  }

  /**
   * The entries of this log that are neither `heads` nor ancestors of them — what a replica whose
   * heads are `heads` lacks — in the total order, so parents come before children and one join()
   * takes them all. `heads` may be any entries the replica holds (a replica holds every ancestor of
   * what it holds), e.g. its heads plus a sample of older entries, which narrows the answer when its
   * heads are unknown here. Heads this log does not hold (and anything that is not an entry CID) are ignored:
   * such a replica has entries we lack, and we cannot tell which of ours they cover, so the result
   * may include entries it already holds (a duplicate costs the receiver one hash). Held (pending)
   * entries are never included.
   *
   * One backward scan of the ordered array from the newest entry. Every visited entry carries a mark
   * — reachable from `heads` ("theirs") or so far only from our own heads ("ours") — which it passes
   * to its parents ("theirs" wins). A parent's Lamport time is below its children's, so it sorts
   * before all of them and its mark is final when the scan reaches it. The scan stops as soon as no
   * unvisited entry is marked "ours": every older entry is then an ancestor of `heads` (it is an
   * ancestor of one of our heads, and the path to it crosses the frontier at a "theirs" entry).
   * Cost: O(d) map operations for a replica d entries behind, O(n) for a fresh one; no hashing.
   */
  entriesNotIn(heads: Iterable<CID | Uint8Array>): Entry[] {
    const THEIRS = 1;
    const OURS = 2;
    const mark = new Map<string, number>();
    for (const h of heads) {
      const b = h instanceof Uint8Array ? h : (h as CID | undefined)?.bytes;
      if (!(b instanceof Uint8Array) || !isEntryCid(b)) continue;
      const k = binaryKey(b);
      if (this.#index.has(k)) mark.set(k, THEIRS);
    }
    let ours = 0;
    for (const k of this.#heads.keys()) {
      if (!mark.has(k)) {
        mark.set(k, OURS);
        ours++;
      }
    }
    const out: Entry[] = [];
    const list = this.#ordered;
    for (let i = list.length - 1; i >= 0 && ours > 0; i--) {
      const e = list[i];
      const m = mark.get(e.k);
      if (m === undefined) continue; // not reached (cannot happen: every entry has a child or is a head)
      mark.delete(e.k);
      if (m === OURS) {
        ours--;
        out.push(e);
        for (const p of e.nextKeys) {
          if (!mark.has(p)) {
            mark.set(p, OURS);
            ours++;
          }
        }
      } else {
        for (const p of e.nextKeys) {
          const pm = mark.get(p);
          if (pm === OURS) ours--;
          if (pm !== THEIRS) mark.set(p, THEIRS);
        }
      }
    }
    return out.reverse();
  }

  /** Closes the store; the log refuses further changes. */
  close(): Promise<void> {
    return this.#locked(async () => {
      if (this.#closed) return;
      this.#closed = true;
      this.#listeners.clear();
      await this.#store.close();
    });
  }

  // ---- internals ----------------------------------------------------------------------------------

  #locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => {
      if (this.#closed) throw new WeshLogError('closed', 'the log is closed');
      return fn();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #known = (k: string) => this.#index.has(k) || (this.#pending.size !== 0 && this.#pending.has(k));
  #lookup = (k: string) => this.#index.get(k);

  async #joinRound(inputs: readonly JoinInput[]): Promise<{ added: Entry[]; rejected: Rejection[]; duplicates: number }> {
    const got = await intake(inputs, { logId: this.id, crypto: this.#crypto, access: this.#access, limits: this.limits, known: this.#known, verify: true });
    // (with nothing held, as in most merges, no key list and no copy of the fresh entries)
    const held = this.#pending.size === 0 ? [] : this.#pending.dependentsOf(got.fresh.map((e) => e.k));
    const candidates = held.length === 0 ? got.fresh : got.fresh.concat(held);
    const settled = settle(candidates, this.#lookup);
    const rejected = got.rejected.concat(settled.refused.map(({ entry, error }) => ({ cid: entry.cid, error })));
    const full = await this.#commit(settled, got.fresh);
    for (const e of full) rejected.push({ cid: e.cid, error: new WeshLogError('pending-full', 'too many entries waiting for parents') });
    return { added: settled.accepted, rejected, duplicates: got.duplicates };
  }

  /**
   * Writes the accepted entries and the new heads in one durable batch, then updates memory: index,
   * heads, order, clock, pending set. Returns the held entries that did not fit in the pending set.
   */
  async #commit(s: Settled, fresh: readonly Entry[]): Promise<Entry[]> {
    // Indexed loops over the accepted entries (50,000 in a large merge): this runs once per join,
    // mostly before it is optimized, where a for-of allocates an iterator result per element.
    const accepted = s.accepted;
    // the heads: those of the log that no accepted entry names, and the accepted entries no accepted
    // entry names (settle() found both; an accepted chain of 50,000 adds one head, not 50,000 set + delete)
    const heads = new Map(this.#heads);
    for (let i = 0; i < s.parentsInLog.length; i++) heads.delete(s.parentsInLog[i]);
    for (let i = 0; i < s.childless.length; i++) heads.set(s.childless[i].k, s.childless[i]);
    if (s.accepted.length > 0) {
      await this.#store.write({ put: s.accepted.map((e) => ({ cid: e.cidBytes, bytes: e.bytes })), heads: encodeHeads(headsBytes(heads)) });
    }
    for (let i = 0; i < accepted.length; i++) {
      const e = accepted[i];
      this.#index.set(e.k, e);
      this.#pending.release(e);
      this.#pending.arrived(e.k);
      if (e.time > this.#time) this.#time = e.time;
    }
    this.#heads = heads;
    this.#ordered = mergeInto(this.#ordered, s.accepted, true);
    for (const { entry } of s.refused) this.#pending.release(entry);
    const full: Entry[] = [];
    if (s.held.length > 0) {
      const freshKeys = new Set(fresh.map((e) => e.k));
      for (const e of s.held) if (freshKeys.has(e.k) && !this.#pending.hold(e, (k) => this.#index.has(k))) full.push(e);
    }
    if (s.accepted.length > 0) for (const l of this.#listeners) l(s.accepted);
    return full;
  }

  /** Reloads the store: every block hashed against its key and decoded; bad ones dropped; heads recomputed. */
  async #load(verify: boolean): Promise<void> {
    const { blocks, heads: storedHeads } = await this.#store.load();
    const drop: Uint8Array[] = [];
    const good = blocks.filter((b) => {
      if (isEntryCid(b.cid)) return true;
      drop.push(b.cid);
      return false;
    });
    const got = await intake(good.map((b) => ({ cid: b.cid, bytes: b.bytes })), {
      logId: this.id, crypto: this.#crypto, access: this.#access, limits: this.limits, known: () => false, verify,
    });
    for (const r of got.rejected) if (r.cid) drop.push(r.cid.bytes);
    const settled = settle(got.fresh, this.#lookup);
    for (const { entry } of settled.refused) drop.push(entry.cidBytes);
    for (const e of settled.accepted) {
      this.#index.set(e.k, e);
      if (e.time > this.#time) this.#time = e.time;
    }
    for (const e of settled.childless) this.#heads.set(e.k, e); // (the log was empty: no parentsInLog)
    this.#ordered = mergeInto([], settled.accepted, true);
    for (const e of settled.held) this.#pending.hold(e, (k) => this.#index.has(k));
    const stored = storedHeads ? decodeHeads(storedHeads) : [];
    const same = stored !== undefined && stored.length === this.#heads.size && stored.every((k) => this.#heads.has(k));
    if (!same || drop.length > 0) await this.#store.write({ put: [], heads: encodeHeads(headsBytes(this.#heads)), del: drop });
    this.#report = { dropped: drop.length, headsRepaired: !same, held: settled.held.length };
  }
}

function headsBytes(heads: Map<string, Entry>): Uint8Array[] {
  return [...heads.keys()].sort().map(keyBytes);
}
