// Where a log keeps its blocks. A store holds two kinds of record: blocks by CID, and one heads record
// (the concatenated CIDs of the heads). Every change is one atomic write — the blocks an append or a
// join adds together with the new heads record — and write() resolves only once it is durable, so an
// append that resolved survives a crash. The log never trusts what it loads: each block is hashed
// against its key and strictly decoded, and the heads are recomputed (see log.ts, open()).

import { CID_LENGTH, isEntryCid } from './cid.js';
import { binaryKey, keyBytes } from './keys.js';

export interface StoredBlock {
  readonly cid: Uint8Array;
  readonly bytes: Uint8Array;
}

export interface StoreWrite {
  readonly put: readonly StoredBlock[];
  /** The new heads record (encodeHeads). */
  readonly heads: Uint8Array;
  /** Blocks to delete (found corrupt on open). */
  readonly del?: readonly Uint8Array[];
}

export interface LogStore {
  /** Every block record (keys as stored: possibly not even a CID after a torn write) and the heads record. */
  load(): Promise<{ blocks: StoredBlock[]; heads: Uint8Array | undefined }>;
  /** Applies `batch` atomically; resolves once it is durable. */
  write(batch: StoreWrite): Promise<void>;
  close(): Promise<void>;
}

/** The heads record: the heads' CID bytes, concatenated. */
export function encodeHeads(cids: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(cids.length * CID_LENGTH);
  cids.forEach((c, i) => out.set(c, i * CID_LENGTH));
  return out;
}

/** The CID keys of a heads record, or undefined if it is not one (torn). */
export function decodeHeads(record: Uint8Array): string[] | undefined {
  if (record.length % CID_LENGTH !== 0) return undefined;
  const out: string[] = [];
  for (let i = 0; i < record.length; i += CID_LENGTH) {
    const c = record.subarray(i, i + CID_LENGTH);
    if (!isEntryCid(c)) return undefined;
    out.push(binaryKey(c));
  }
  return out;
}

/**
 * A store in memory (tests, short-lived replicas): a journal of the batches written, in order, so a
 * write costs O(1) whatever its size (the log never modifies a block after creating it, so the
 * journal keeps the arrays it is given); load() replays it and returns copies.
 */
export class MemoryStore implements LogStore {
  #journal: StoreWrite[] = [];

  /** The blocks the journal holds now (binary CID key → bytes); tests read it. */
  get blocks(): Map<string, Uint8Array> {
    const out = new Map<string, Uint8Array>();
    for (const w of this.#journal) {
      for (const b of w.put) out.set(binaryKey(b.cid), b.bytes);
      for (const c of w.del ?? []) out.delete(binaryKey(c));
    }
    return out;
  }

  get heads(): Uint8Array | undefined {
    return this.#journal.at(-1)?.heads;
  }

  async load(): Promise<{ blocks: StoredBlock[]; heads: Uint8Array | undefined }> {
    const blocks = [...this.blocks].map(([k, v]) => ({ cid: keyBytes(k), bytes: v.slice() }));
    const heads = this.heads?.slice();
    this.#journal = [{ put: blocks.map((b) => ({ cid: b.cid, bytes: b.bytes.slice() })), heads: heads ?? new Uint8Array(0) }];
    return { blocks, heads };
  }

  async write(batch: StoreWrite): Promise<void> {
    this.#journal.push({ put: batch.put, heads: batch.heads.slice(), del: batch.del });
  }

  async close(): Promise<void> {}
}

export function memoryStore(): MemoryStore {
  return new MemoryStore();
}
