// The LevelDB store, on classic-level (an optional dependency, imported only when this store is
// opened, so users of the engine alone need not install it). Layout, under an optional key prefix
// (several logs can share one database):
//
//   prefix ‖ 'b' ‖ CID bytes (36)  →  the block
//   prefix ‖ 'h'                   →  the heads record (store.ts encodeHeads)
//
// An append or join is one LevelDB batch (blocks + heads), written with sync: true by default, so it
// is on disk when write() resolves. LevelDB's own write-ahead log checksums its records; what it cannot
// catch (a block written under the wrong key, a truncated value, garbage from outside) the log catches
// on open by hashing every block against its key.

import { WeshLogError } from './errors.js';
import type { LogStore, StoreWrite, StoredBlock } from './store.js';

export interface LevelStoreOptions {
  /** Key prefix (e.g. the log id), for several logs in one database. Default: none. */
  readonly prefix?: string;
  /** fsync every write (default true): an append resolves only once durable. */
  readonly sync?: boolean;
}

interface Db {
  open(): Promise<void>;
  close(): Promise<void>;
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  batch(ops: { type: 'put' | 'del'; key: Uint8Array; value?: Uint8Array }[], options: { sync: boolean }): Promise<void>;
  iterator(options: { gte: Uint8Array; lt: Uint8Array }): AsyncIterable<[Uint8Array, Uint8Array]>;
}

/** A LevelDB store at `location` (a directory), opened now; close() it (the log's close() does). */
export async function openLevelStore(location: string, options: LevelStoreOptions = {}): Promise<LogStore> {
  let ClassicLevel: new (location: string, options: object) => Db;
  try {
    ({ ClassicLevel } = (await import('classic-level')) as unknown as { ClassicLevel: typeof ClassicLevel });
  } catch {
    throw new WeshLogError('store-unavailable', 'the LevelDB store needs the optional dependency classic-level');
  }
  const db = new ClassicLevel(location, { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  return new LevelStore(db, new TextEncoder().encode(options.prefix ?? ''), options.sync ?? true);
}

class LevelStore implements LogStore {
  readonly #blockPrefix: Uint8Array;
  readonly #headsKey: Uint8Array;
  constructor(readonly db: Db, prefix: Uint8Array, readonly sync: boolean) {
    this.#blockPrefix = withByte(prefix, 0x62); // 'b'
    this.#headsKey = withByte(prefix, 0x68); // 'h'
  }

  async load(): Promise<{ blocks: StoredBlock[]; heads: Uint8Array | undefined }> {
    const p = this.#blockPrefix;
    const end = p.slice();
    end[end.length - 1]++;
    const blocks: StoredBlock[] = [];
    for await (const [key, value] of this.db.iterator({ gte: p, lt: end })) blocks.push({ cid: key.slice(p.length), bytes: value });
    return { blocks, heads: await this.db.get(this.#headsKey) };
  }

  async write(batch: StoreWrite): Promise<void> {
    const ops: { type: 'put' | 'del'; key: Uint8Array; value?: Uint8Array }[] = [];
    for (const b of batch.put) ops.push({ type: 'put', key: withBytes(this.#blockPrefix, b.cid), value: b.bytes });
    for (const c of batch.del ?? []) ops.push({ type: 'del', key: withBytes(this.#blockPrefix, c) });
    ops.push({ type: 'put', key: this.#headsKey, value: batch.heads });
    await this.db.batch(ops, { sync: this.sync });
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

function withByte(prefix: Uint8Array, b: number): Uint8Array {
  const out = new Uint8Array(prefix.length + 1);
  out.set(prefix);
  out[prefix.length] = b;
  return out;
}

function withBytes(prefix: Uint8Array, tail: Uint8Array): Uint8Array {
  const out = new Uint8Array(prefix.length + tail.length);
  out.set(prefix);
  out.set(tail, prefix.length);
  return out;
}
