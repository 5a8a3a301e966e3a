// A DeliveryStore in this process's memory: one service process, gone when it exits. The rules
// (epochs, caps, expiry) are the Redis store's, so the two pass one contract suite
// (test/mls/ds.test.ts). Everything is synchronous underneath, so each method is atomic.

import {
  type AppendMessage, type AppendResult, type AppendWelcome, DEFAULT_LIMITS, type DeliveryStore, type GroupLogPage,
  type LogEntry, type StoreChange, type StoreLimits, type WelcomeEntry, decideAppend,
} from './store.js';

interface GroupLog {
  epoch: bigint;
  entries: LogEntry[];
}

interface Stored<T> {
  readonly value: T;
  readonly at: number;
}

export interface MemoryDeliveryStoreOptions extends StoreLimits {
  /** The clock (ms since the Unix epoch), for expiry; for tests. */
  readonly now?: () => number;
}

export class MemoryDeliveryStore implements DeliveryStore {
  readonly #limits: Required<StoreLimits>;
  readonly #now: () => number;
  readonly #keyPackages = new Map<string, Stored<Uint8Array>[]>();
  readonly #groups = new Map<string, GroupLog>();
  readonly #mailboxes = new Map<string, Stored<WelcomeEntry>[]>();
  readonly #listeners = new Set<(change: StoreChange) => void>();
  /** Mailbox cursors look like the Redis store's stream ids (ms-n), increasing across the process. */
  #lastCursor = { ms: 0, n: 0 };
  #closed = false;

  constructor(options: MemoryDeliveryStoreOptions = {}) {
    const { now, ...limits } = options;
    this.#limits = { ...DEFAULT_LIMITS, ...definedOnly(limits) };
    this.#now = now ?? Date.now;
  }

  async addKeyPackage(installation: string, keyPackage: Uint8Array): Promise<void> {
    this.#open();
    const list = this.#live(this.#keyPackages.get(installation) ?? [], this.#limits.keyPackageTtlMs);
    list.push({ value: keyPackage.slice(), at: this.#now() });
    while (list.length > this.#limits.maxKeyPackages) list.shift();
    this.#keyPackages.set(installation, list);
  }

  async takeKeyPackage(installation: string): Promise<Uint8Array | undefined> {
    this.#open();
    const list = this.#live(this.#keyPackages.get(installation) ?? [], this.#limits.keyPackageTtlMs);
    const first = list.shift();
    if (list.length === 0) this.#keyPackages.delete(installation);
    else this.#keyPackages.set(installation, list);
    return first?.value;
  }

  async append(group: string, message: AppendMessage, welcome?: AppendWelcome): Promise<AppendResult> {
    this.#open();
    const log = this.#groups.get(group);
    const seq = log?.entries.length ?? 0;
    const decision = decideAppend(log?.epoch, message);
    if (decision !== 'ok') return { accepted: false, reason: decision, epoch: log!.epoch, seq };
    const entry: LogEntry = { seq: seq + 1, epoch: message.epoch, type: message.type, data: message.data.slice() };
    const epoch = message.type === 'commit' ? message.epoch + 1n : message.epoch;
    if (log === undefined) this.#groups.set(group, { epoch, entries: [entry] });
    else {
      log.entries.push(entry);
      log.epoch = epoch;
    }
    const changes: StoreChange[] = [{ kind: 'group', id: group }];
    for (const installation of new Set(welcome?.to ?? [])) {
      const box = this.#live(this.#mailboxes.get(installation) ?? [], this.#limits.welcomeTtlMs);
      box.push({ value: { cursor: this.#nextCursor(), group, seq: entry.seq, data: welcome!.data.slice() }, at: this.#now() });
      while (box.length > this.#limits.maxWelcomes) box.shift();
      this.#mailboxes.set(installation, box);
      changes.push({ kind: 'welcome', id: installation });
    }
    queueMicrotask(() => { for (const c of changes) this.#emit(c); });
    return { accepted: true, seq: entry.seq, epoch };
  }

  async read(group: string, after: number, limit: number): Promise<GroupLogPage> {
    this.#open();
    const log = this.#groups.get(group);
    if (log === undefined) return { entries: [], epoch: undefined, seq: 0 };
    // seq n is entries[n - 1]: the log is never trimmed.
    const entries = log.entries.slice(Math.max(0, after), Math.max(0, after) + limit).map(copyEntry);
    return { entries, epoch: log.epoch, seq: log.entries.length };
  }

  async readWelcomes(installation: string, after: string | undefined, limit: number): Promise<WelcomeEntry[]> {
    this.#open();
    const box = this.#live(this.#mailboxes.get(installation) ?? [], this.#limits.welcomeTtlMs);
    const from = after === undefined ? undefined : cursorKey(after);
    return box
      .filter((w) => from === undefined || compareCursor(cursorKey(w.value.cursor), from) > 0)
      .slice(0, limit)
      .map(({ value: w }) => ({ ...w, data: w.data.slice() }));
  }

  async watch(listener: (change: StoreChange) => void): Promise<() => void> {
    this.#open();
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    this.#keyPackages.clear();
    this.#groups.clear();
    this.#mailboxes.clear();
  }

  #emit(change: StoreChange): void {
    for (const l of this.#listeners) l(change);
  }

  #open(): void {
    if (this.#closed) throw new Error('MemoryDeliveryStore: the store is closed');
  }

  /** The entries younger than `ttl`, dropping the others in place. */
  #live<T>(list: Stored<T>[], ttl: number): Stored<T>[] {
    const oldest = this.#now() - ttl;
    while (list.length > 0 && list[0]!.at <= oldest) list.shift();
    return list;
  }

  #nextCursor(): string {
    const ms = this.#now();
    this.#lastCursor = ms > this.#lastCursor.ms ? { ms, n: 0 } : { ms: this.#lastCursor.ms, n: this.#lastCursor.n + 1 };
    return `${this.#lastCursor.ms}-${this.#lastCursor.n}`;
  }
}

function copyEntry(e: LogEntry): LogEntry {
  return { ...e, data: e.data.slice() };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A mailbox cursor ("ms-n", as Redis stream ids) as two numbers; anything else sorts first. */
export function cursorKey(cursor: string): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(cursor);
  return m === null ? [-1, -1] : [Number(m[1]), Number(m[2])];
}

export function compareCursor(a: [number, number], b: [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}
