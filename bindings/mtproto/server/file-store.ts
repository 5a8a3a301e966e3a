// A durable AuthKeyStore (issue 10, "Real components"): auth keys, their salts and sessions survive
// a process restart, so a client keeps its key when the server is stopped and started again.
// Node only (node:fs).
//
// Layout: one file per auth key in `dir`, named by the id as 16 lowercase hex digits of its
// unsigned 64-bit form (`ffffffffffffffff.key` for id -1). The file holds everything about that key
// (the key, temp/expiresAt/boundTo, its salts, its sessions, which sessions hold messages), so
// every operation but those on held messages touches exactly one file and is atomic by construction:
//
//   line 1  `wirecrypt-auth-key 1 <crc32 of the rest, 8 hex digits>`
//   rest    JSON {"id":"<decimal>","key":"<512 hex>","temp":bool,"expiresAt"?:number,"boundTo"?:"<decimal>",
//                 "salts":[["<salt decimal>",validSince,validUntil],…],"sessions":["<decimal>",…],
//                 "holding"?:["<session decimal>",…]}
//
// Held messages (held.ts) sit in one file per holding session beside the key file,
// `<key hex>.<session hex>.held` (both ids as in key file names), so a hold or a release rewrites
// (and fsyncs) only that session's messages, never the whole key's:
//
//   line 1  `wirecrypt-held 1 <crc32 of line 2 with its newline> <crc32 of line 3 with its newline>`
//   line 2  JSON {"authKeyId":"<decimal>","session":"<decimal>",
//                 "messages":[["<msg_id decimal>",seqNo,"<req_msg_id decimal>"|null,<body bytes>],…]}
//   line 3  JSON ["<body base64>",…] (the bodies, in the order of line 2)
//
// Line 2 has its own CRC so the per-key caps can be checked from lines 1 and 2 of the other
// sessions' files (msg_ids and sizes: their unexpired bytes and newest msg_id) without reading
// their bodies. `holding` in the key file lists the sessions that may have a held file; a held file
// of a session not listed there is never read. So that this stays true across a crash, a session is
// listed before its first held file is written, and its file is removed before it is unlisted. A
// session that released everything (its file removed) stays listed until a later hold of the key
// prunes it; a key's list is pruned and capped to MAX_HOLDING_SESSIONS_PER_KEY whenever it grows,
// the only time the key file is rewritten for held messages (besides dropSession / deleteKey).
// `holding` is left out when empty. Held bodies are answers, kept in the clear like the key (0600).
//
// The held files' format is in file-held.ts; atomic writes and the directory's cleanup in
// store-files.ts.
//
// Writes are atomic: the new content goes to `<name>.<pid>.<n>.tmp` in the same directory (mode
// 0600), is fsynced, then renamed over the key file (addKey uses link(), which fails if the file
// exists, so "add if absent" holds even between processes), and the directory is fsynced so the
// rename itself survives a crash. A reader therefore sees the old file or the new one, never a
// half-written one. Temp files left by a crash are never read; they are removed at open when the
// process that wrote them is gone (its pid is in the name) or when they are over an hour old.
//
// Concurrency: operations on one key are serialized inside the process (a promise chain per file).
// Several processes may read one directory and add keys to it, but updates (salts, sessions,
// bindings) from two processes at once can lose one of them: for a fleet use redis-store.ts.
//
// Corruption (a bad header, CRC mismatch, malformed JSON, a field of the wrong shape, an id that does
// not match the file name) is reported, never guessed around: every operation on that id rejects with
// MtprotoError('store-corrupt') naming the file and the reason, except deleteKey, which removes the
// file (the way to recover). sweep() skips corrupt files. Files whose names do not follow the pattern
// are ignored.
//
// Each claimSession / addSalts rewrites the key's file (a few hundred bytes plus 20 per session): fine
// for the handful of sessions a client opens per key. holdMessages and releaseMessages rewrite the
// session's held file (at most MAX_HELD_BYTES of bodies) and read lines 1–2 of the key's other held
// files (at most MAX_HOLDING_SESSIONS_PER_KEY − 1): a server on this store writes (and fsyncs) one
// session's file once per answer and once per acknowledgement, the price of answers that survive a
// restart. Evicting another session for the per-key caps removes its file, never rewrites it.

import { readdir } from 'node:fs/promises';
import { crc32 } from '../transport/crc32.js';
import {
  checkedKey, checkedSalts, clockOption, closedStore, copyKey, int64, isExpired, saltEntryId, saltExpired, sortSalts, storeErrors,
} from './memory-store.js';
import { type HoldingSession, capHeld, checkedHeld, checkedMsgIds, holdingOf, keyEvictions } from './held.js';
import type { AuthKeyStore, HeldMessage, StoredAuthKey, StoredSalt } from './store.js';
import { corrupt, decimal64, fromHex, hex16, isUint32, openDir, readIfPresent, removeFile, toHex, writeAtomic } from './store-files.js';
import { HELD_FILE, encodeHeld, heldFileName, heldFilesOf, readHeld, readHeldSummary, removeHeldFiles } from './file-held.js';

export interface FileAuthKeyStoreOptions {
  /** The directory holding the key files; created (mode 0700) if missing. */
  readonly dir: string;
  /** The clock that decides expiry, in Unix seconds; default the system clock (as MemoryAuthKeyStore). */
  readonly now?: () => number;
}

/** What one key file holds. */
interface KeyRecord {
  key: StoredAuthKey;
  salts: StoredSalt[];
  sessions: bigint[];
  /** Sessions that may have a held file (claimed sessions only). */
  holding: bigint[];
}

const HEADER = 'wirecrypt-auth-key 1 ';
const KEY_FILE = /^([0-9a-f]{16})\.key$/;
/** addKey calls between two background sweeps of expired temporary keys. */
const SWEEP_EVERY = 1024;

/** The file name of auth key `id`: its unsigned 64-bit form in 16 hex digits. */
export function keyFileName(id: bigint): string {
  return `${hex16(id)}.key`;
}

export class FileAuthKeyStore implements AuthKeyStore {
  readonly #dir: string;
  readonly #ready: Promise<void>;
  /** The tail of each file's operation chain; removed when the chain drains. */
  readonly #locks = new Map<string, Promise<unknown>>();
  #closed = false;
  #addsSinceSweep = 0;
  #sweeping: Promise<unknown> | undefined;
  readonly #now: () => number;

  constructor(options: FileAuthKeyStoreOptions) {
    if (typeof options !== 'object' || options === null || typeof options.dir !== 'string' || options.dir === '') {
      throw new TypeError('FileAuthKeyStore: options.dir must be a non-empty string');
    }
    this.#dir = options.dir;
    this.#now = clockOption(options, 'FileAuthKeyStore');
    this.#ready = openDir(this.#dir);
    this.#ready.catch(() => {}); // reported by the first operation, not as an unhandled rejection
  }

  async getKey(id: bigint): Promise<StoredAuthKey | undefined> {
    const name = keyFileName(int64(id, 'getKey', 'id'));
    return this.#withRecord('getKey', name, async (record) => record && copyKey(record.key));
  }

  async addKey(key: StoredAuthKey): Promise<boolean> {
    const k = checkedKey(key, 'addKey');
    const name = keyFileName(k.id);
    const added = await this.#withRecord('addKey', name, async (existing) => {
      if (existing) return false;
      // Already expired: accepted and forgotten at once, as the other stores do.
      if (isExpired(k, this.#nowMs())) return true;
      return writeAtomic(this.#dir, name, encode({ key: k, salts: [], sessions: [], holding: [] }), true);
    }).finally(() => k.key.fill(0));
    if (added && k.temp && ++this.#addsSinceSweep >= SWEEP_EVERY) {
      this.#addsSinceSweep = 0;
      // Housekeeping: a failure here (say a corrupt file) is reported by the operations on that key.
      this.#sweeping ??= this.sweep().catch(() => 0).finally(() => { this.#sweeping = undefined; });
    }
    return added;
  }

  async bindTempKey(tempId: bigint, permId: bigint): Promise<void> {
    int64(tempId, 'bindTempKey', 'tempId');
    int64(permId, 'bindTempKey', 'permId');
    const name = keyFileName(tempId);
    await this.#withRecord('bindTempKey', name, async (temp) => {
      if (!temp) throw storeErrors.unknownTemp(tempId);
      if (!temp.key.temp) throw storeErrors.notTemp(tempId);
      // The permanent key's file is only read (an atomic read), so no second lock is taken and two
      // binds can never wait on each other.
      const perm = await readRecord(this.#dir, keyFileName(permId));
      if (!perm) throw storeErrors.unknownPerm(permId);
      wipeRecord(perm);
      if (perm.key.temp) throw storeErrors.notPerm(permId);
      const bound = temp.key.boundTo;
      if (bound !== undefined && bound !== permId) throw storeErrors.alreadyBound(tempId, bound);
      if (bound === permId) return;
      await writeAtomic(this.#dir, name, encode({ ...temp, key: { ...temp.key, boundTo: permId } }), false);
    });
  }

  async deleteKey(id: bigint): Promise<void> {
    int64(id, 'deleteKey', 'id');
    const name = keyFileName(id);
    await this.#op('deleteKey', name, async () => {
      // A corrupt key file does not say which sessions hold: then every held file of the key goes.
      const record = await readRecord(this.#dir, name).catch(() => undefined);
      if (record) wipeRecord(record);
      await removeKeyFiles(this.#dir, id, record?.holding ?? await heldFilesOf(this.#dir, id));
    });
  }

  async getSalts(authKeyId: bigint): Promise<StoredSalt[]> {
    const name = keyFileName(int64(authKeyId, 'getSalts', 'authKeyId'));
    return this.#withRecord('getSalts', name, async (record) => {
      const now = this.#nowMs();
      return sortSalts(record ? record.salts.filter((s) => !saltExpired(s, now)) : []);
    });
  }

  async addSalts(authKeyId: bigint, salts: readonly StoredSalt[]): Promise<void> {
    int64(authKeyId, 'addSalts', 'authKeyId');
    const checked = checkedSalts(salts, 'addSalts');
    const name = keyFileName(authKeyId);
    await this.#withRecord('addSalts', name, async (record) => {
      if (!record) throw storeErrors.unknownKey('addSalts', authKeyId);
      const now = this.#nowMs();
      const merged = new Map<string, StoredSalt>();
      for (const s of [...record.salts, ...checked]) if (!saltExpired(s, now)) merged.set(saltEntryId(s), s);
      await writeAtomic(this.#dir, name, encode({ ...record, salts: [...merged.values()] }), false);
    });
  }

  async claimSession(authKeyId: bigint, sessionId: bigint): Promise<boolean> {
    int64(authKeyId, 'claimSession', 'authKeyId');
    int64(sessionId, 'claimSession', 'sessionId');
    const name = keyFileName(authKeyId);
    return this.#withRecord('claimSession', name, async (record) => {
      if (!record) throw storeErrors.unknownKey('claimSession', authKeyId);
      if (record.sessions.includes(sessionId)) return false;
      await writeAtomic(this.#dir, name, encode({ ...record, sessions: [...record.sessions, sessionId] }), false);
      return true;
    });
  }

  async dropSession(authKeyId: bigint, sessionId: bigint): Promise<boolean> {
    int64(authKeyId, 'dropSession', 'authKeyId');
    int64(sessionId, 'dropSession', 'sessionId');
    const name = keyFileName(authKeyId);
    return this.#withRecord('dropSession', name, async (record) => {
      if (!record || !record.sessions.includes(sessionId)) return false;
      await removeFile(this.#dir, heldFileName(authKeyId, sessionId)); // before it is unlisted (see the top)
      const others = (s: bigint) => s !== sessionId;
      await writeAtomic(this.#dir, name, encode({ ...record, sessions: record.sessions.filter(others), holding: record.holding.filter(others) }), false);
      return true;
    });
  }

  async holdMessages(authKeyId: bigint, sessionId: bigint, messages: readonly HeldMessage[]): Promise<void> {
    int64(authKeyId, 'holdMessages', 'authKeyId');
    int64(sessionId, 'holdMessages', 'sessionId');
    const checked = checkedHeld(messages, 'holdMessages');
    const name = keyFileName(authKeyId);
    await this.#withRecord('holdMessages', name, async (record) => {
      if (!record) throw storeErrors.unknownKey('holdMessages', authKeyId);
      if (!record.sessions.includes(sessionId)) throw storeErrors.unknownSession('holdMessages', authKeyId, sessionId);
      const byId = new Map((await this.#ownHeld(record, sessionId)).map((m) => [m.msgId, m]));
      for (const m of checked) byId.set(m.msgId, m);
      const { kept, dropped } = capHeld([...byId.values()], this.#nowMs());
      try {
        await this.#capKey(name, record, sessionId, kept);
      } finally {
        for (const m of [...kept, ...dropped]) m.body.fill(0);
      }
    }).finally(() => {
      for (const m of checked) m.body.fill(0);
    });
  }

  async releaseMessages(authKeyId: bigint, sessionId: bigint, msgIds: readonly bigint[]): Promise<void> {
    int64(authKeyId, 'releaseMessages', 'authKeyId');
    int64(sessionId, 'releaseMessages', 'sessionId');
    const ids = new Set(checkedMsgIds(msgIds, 'releaseMessages'));
    const name = keyFileName(authKeyId);
    await this.#withRecord('releaseMessages', name, async (record) => {
      const held = record ? await this.#ownHeld(record, sessionId) : [];
      try {
        if (!held.some((m) => ids.has(m.msgId))) return; // nothing to write
        const { kept } = capHeld(held.filter((m) => !ids.has(m.msgId)), this.#nowMs());
        const file = heldFileName(authKeyId, sessionId);
        // All released: the file goes, the session stays listed until a hold prunes it (no key rewrite).
        if (kept.length === 0) await removeFile(this.#dir, file);
        else await writeAtomic(this.#dir, file, encodeHeld(authKeyId, sessionId, kept), false);
      } finally {
        for (const m of held) m.body.fill(0);
      }
    });
  }

  async heldMessages(authKeyId: bigint, sessionId: bigint): Promise<HeldMessage[]> {
    int64(authKeyId, 'heldMessages', 'authKeyId');
    int64(sessionId, 'heldMessages', 'sessionId');
    const name = keyFileName(authKeyId);
    // Expired messages are left out, not removed: a read does not rewrite the file.
    return this.#withRecord('heldMessages', name, async (record) => {
      const { kept, dropped } = capHeld(record ? await this.#ownHeld(record, sessionId) : [], this.#nowMs());
      for (const m of dropped) m.body.fill(0);
      return kept;
    });
  }

  /** What `sessionId` holds as its file says, [] if it is not listed in `holding` (a file of it is not its). */
  async #ownHeld(record: KeyRecord, sessionId: bigint): Promise<HeldMessage[]> {
    if (!record.holding.includes(sessionId)) return [];
    return (await readHeld(this.#dir, heldFileName(record.key.id, sessionId), record.key.id, sessionId)) ?? [];
  }

  /**
   * Stores `kept` as what `sessionId` holds, within the per-key caps (held.ts keyEvictions): the other
   * listed sessions are judged by lines 1–2 of their files; those with nothing unexpired, and those
   * the caps evict, lose their files (removed before they are unlisted), and the key file is
   * rewritten only if the list changed (the session listed before its file is first written).
   */
  async #capKey(name: string, record: KeyRecord, sessionId: bigint, kept: HeldMessage[]): Promise<void> {
    const id = record.key.id;
    const now = this.#nowMs();
    const others: HoldingSession[] = [];
    const gone: bigint[] = [];
    for (const session of record.holding) {
      if (session === sessionId) continue;
      const summary = await readHeldSummary(this.#dir, heldFileName(id, session), id, session);
      const holding = summary && holdingOf(session, summary, now);
      if (holding) others.push(holding);
      else gone.push(session);
    }
    const ownBytes = kept.reduce((n, m) => n + m.body.length, 0);
    gone.push(...keyEvictions(ownBytes, others));
    if (kept.length === 0) gone.push(sessionId);
    await removeHeldFiles(this.#dir, id, gone);
    const holding = record.holding.filter((s) => !gone.includes(s));
    if (kept.length > 0 && !holding.includes(sessionId)) holding.push(sessionId);
    if (holding.length !== record.holding.length || holding.some((s, i) => s !== record.holding[i])) {
      await writeAtomic(this.#dir, name, encode({ ...record, holding }), false);
    }
    if (kept.length > 0) await writeAtomic(this.#dir, heldFileName(id, sessionId), encodeHeld(id, sessionId, kept), false);
  }

  /**
   * Removes the files of expired temporary keys (with their held files) and resolves how many keys
   * went; also held files whose messages have all expired or that their key does not list. Runs by
   * itself every 1024 temporary keys added; a server may also call it periodically. Corrupt files
   * are skipped.
   */
  async sweep(): Promise<number> {
    if (this.#closed) throw closedStore('sweep');
    await this.#ready;
    let removed = 0;
    for (const file of await readdir(this.#dir)) {
      if (!KEY_FILE.test(file)) continue;
      await this.#op('sweep', file, async () => {
        const record = await readRecord(this.#dir, file).catch(() => undefined);
        if (!record) return;
        wipeRecord(record);
        if (isExpired(record.key, this.#nowMs())) {
          await removeKeyFiles(this.#dir, record.key.id, record.holding);
          removed++;
        }
      });
    }
    for (const file of await readdir(this.#dir)) {
      const m = HELD_FILE.exec(file);
      if (m) await this.#op('sweep', `${m[1]}.key`, () => this.#sweepHeld(file, BigInt.asIntN(64, BigInt(`0x${m[1]}`)), BigInt.asIntN(64, BigInt(`0x${m[2]}`))));
    }
    return removed;
  }

  /**
   * Removes a held file that no hold will prune: its key is gone or does not list it (a crash's or a
   * corrupt key's leftover, never read), or everything in it has expired. Corrupt files are skipped.
   */
  async #sweepHeld(file: string, authKeyId: bigint, sessionId: bigint): Promise<void> {
    const record = await readRecord(this.#dir, keyFileName(authKeyId)).then((r) => r ?? null, () => undefined);
    if (record === undefined) return; // a corrupt key file: deleteKey removes it with its held files
    if (record) wipeRecord(record);
    if (record && record.holding.includes(sessionId)) {
      const summary = await readHeldSummary(this.#dir, file, authKeyId, sessionId).catch(() => null);
      if (summary === null || (summary && holdingOf(sessionId, summary, this.#nowMs()))) return;
    }
    await removeFile(this.#dir, file);
  }

  /** Waits for the operations in flight; the store refuses new ones. Nothing stays open between operations. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#locks.values(), this.#sweeping]);
  }

  #nowMs(): number {
    return this.#now() * 1000;
  }

  /** Runs `fn` after every earlier operation on the same file (and after the directory is open). */
  async #op<T>(fn: string, name: string, body: () => Promise<T>): Promise<T> {
    if (this.#closed) throw closedStore(fn);
    const previous = this.#locks.get(name) ?? this.#ready;
    const run = previous.then(() => {}, () => {}).then(async () => {
      await this.#ready;
      return body();
    });
    const tail = run.then(() => {}, () => {});
    this.#locks.set(name, tail);
    void tail.then(() => {
      if (this.#locks.get(name) === tail) this.#locks.delete(name);
    });
    return run;
  }

  /**
   * #op with the record in `name` read first: undefined if absent or an expired temporary key
   * (whose file is removed here: the lazy expiry). The record's key bytes are wiped afterwards.
   */
  #withRecord<T>(fn: string, name: string, body: (record: KeyRecord | undefined) => Promise<T>): Promise<T> {
    return this.#op(fn, name, async () => {
      const record = await readRecord(this.#dir, name);
      try {
        if (record && isExpired(record.key, this.#nowMs())) {
          await removeKeyFiles(this.#dir, record.key.id, record.holding);
          return await body(undefined);
        }
        return await body(record);
      } finally {
        if (record) wipeRecord(record);
      }
    });
  }
}

// ---- the directory ------------------------------------------------------------------------------

/** Removes a key's file after its held files (so no held file outlives the list naming it). */
async function removeKeyFiles(dir: string, authKeyId: bigint, holding: readonly bigint[]): Promise<void> {
  await removeHeldFiles(dir, authKeyId, holding);
  await removeFile(dir, keyFileName(authKeyId));
}

/** Wipes what a record read from a file holds in the clear: the key. */
function wipeRecord(record: KeyRecord): void {
  record.key.key.fill(0);
}

// ---- the file format ----------------------------------------------------------------------------

function encode(record: KeyRecord): Uint8Array {
  const { key } = record;
  const json: Record<string, unknown> = { id: String(key.id), key: toHex(key.key), temp: key.temp };
  if (key.expiresAt !== undefined) json.expiresAt = key.expiresAt;
  if (key.boundTo !== undefined) json.boundTo = String(key.boundTo);
  json.salts = record.salts.map((s) => [String(s.salt), s.validSince, s.validUntil]);
  json.sessions = record.sessions.map(String);
  if (record.holding.length > 0) json.holding = record.holding.map(String);
  const body = new TextEncoder().encode(`${JSON.stringify(json)}\n`);
  const header = new TextEncoder().encode(`${HEADER}${crc32(body).toString(16).padStart(8, '0')}\n`);
  const out = new Uint8Array(header.length + body.length);
  out.set(header);
  out.set(body, header.length);
  body.fill(0);
  return out;
}

/** Reads and checks `dir/name`; undefined if there is no such file. */
async function readRecord(dir: string, name: string): Promise<KeyRecord | undefined> {
  const data = await readIfPresent(dir, name);
  if (data === undefined) return undefined;
  try {
    return decode(data, name);
  } finally {
    data.fill(0);
  }
}

function decode(data: Uint8Array, name: string): KeyRecord {
  const newline = data.indexOf(0x0a);
  const header = new TextDecoder().decode(data.subarray(0, Math.max(newline, 0)));
  if (newline < 0 || !header.startsWith(HEADER) || !/^[0-9a-f]{8}$/.test(header.slice(HEADER.length))) {
    throw corrupt(name, 'no valid header line');
  }
  const body = data.subarray(newline + 1);
  if (crc32(body) !== Number.parseInt(header.slice(HEADER.length), 16)) throw corrupt(name, 'CRC-32 mismatch');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw corrupt(name, 'malformed JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw corrupt(name, 'not a JSON object');
  const j = json as Record<string, unknown>;
  const id = decimal64(j.id, name, 'id');
  if (keyFileName(id) !== name) throw corrupt(name, `holds auth key ${id}, which belongs in ${keyFileName(id)}`);
  if (typeof j.key !== 'string' || !/^[0-9a-f]{512}$/.test(j.key)) throw corrupt(name, 'key is not 512 hex digits');
  if (typeof j.temp !== 'boolean') throw corrupt(name, 'temp is not a boolean');
  if (j.temp !== (j.expiresAt !== undefined)) throw corrupt(name, 'expiresAt must be present exactly on temporary keys');
  if (j.expiresAt !== undefined && (typeof j.expiresAt !== 'number' || !Number.isFinite(j.expiresAt) || j.expiresAt < 0)) {
    throw corrupt(name, 'expiresAt is not a Unix time');
  }
  if (!j.temp && j.boundTo !== undefined) throw corrupt(name, 'a permanent key with boundTo');
  const boundTo = j.boundTo === undefined ? undefined : decimal64(j.boundTo, name, 'boundTo');
  if (!Array.isArray(j.salts)) throw corrupt(name, 'salts is not an array');
  const salts = j.salts.map((s: unknown): StoredSalt => {
    if (!Array.isArray(s) || s.length !== 3 || !isUint32(s[1]) || !isUint32(s[2])) throw corrupt(name, 'a malformed salt');
    return { salt: decimal64(s[0], name, 'salt'), validSince: s[1], validUntil: s[2] };
  });
  if (!Array.isArray(j.sessions)) throw corrupt(name, 'sessions is not an array');
  const sessions = j.sessions.map((s: unknown) => decimal64(s, name, 'a session id'));
  // A `held` member (held messages inside the key file, the earlier layout) is ignored: they lived
  // HELD_TTL seconds and the next write of the file drops it.
  const holding = decodeHolding(j.holding, sessions, name);
  const key = fromHex(j.key);
  const stored: StoredAuthKey = !j.temp
    ? { id, key, temp: false }
    : boundTo === undefined
      ? { id, key, temp: true, expiresAt: j.expiresAt as number }
      : { id, key, temp: true, expiresAt: j.expiresAt as number, boundTo };
  return { key: stored, salts, sessions, holding };
}

/** The `holding` member: absent, or claimed sessions. */
function decodeHolding(value: unknown, sessions: readonly bigint[], name: string): bigint[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw corrupt(name, 'holding is not an array');
  return value.map((s: unknown) => {
    const sessionId = decimal64(s, name, 'a holding session id');
    if (!sessions.includes(sessionId)) throw corrupt(name, `holding lists session ${sessionId}, which is not in sessions`);
    return sessionId;
  });
}
