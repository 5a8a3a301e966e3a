// The shared stores (issue 10, "Real components"): one conformance suite run against
// MemoryAuthKeyStore, FileAuthKeyStore and RedisAuthKeyStore (a real redis-server, see
// test/helpers/redis.ts), then what only one of them promises: the file store's layout, restart,
// crash and corruption handling, and two processes sharing Redis. Expected values are computed here
// (random keys from node:crypto, salt filtering and ordering written out, the file format's CRC with
// node:zlib); no crypto provider is involved, so the suite does not run per provider.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { build } from 'esbuild';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MtprotoError } from '../../bindings/mtproto/errors.js';
import { FileAuthKeyStore, keyFileName } from '../../bindings/mtproto/server/file-store.js';
import { heldFileName } from '../../bindings/mtproto/server/file-held.js';
import { MemoryAuthKeyStore } from '../../bindings/mtproto/server/memory-store.js';
import { RedisAuthKeyStore } from '../../bindings/mtproto/server/redis-store.js';
import {
  HELD_TTL, MAX_HELD_BYTES, MAX_HELD_BYTES_PER_KEY, MAX_HELD_MESSAGES, MAX_HOLDING_SESSIONS_PER_KEY,
} from '../../bindings/mtproto/server/held.js';
import type { AuthKeyStore, HeldMessage, StoredAuthKey, StoredSalt } from '../../bindings/mtproto/server/store.js';
import { deleteByPrefix, redisUrl, uniquePrefix } from '../helpers/redis.js';

const HERE = dirname(fileURLToPath(import.meta.url));

// ---- helpers -------------------------------------------------------------------------------------

const randomId = (): bigint => randomBytes(8).readBigInt64LE();
const randomKey = (): Uint8Array => new Uint8Array(randomBytes(256));
const nowSeconds = (): number => Date.now() / 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function perm(id = randomId(), key = randomKey()): StoredAuthKey {
  return { id, key, temp: false };
}

function temp(expiresAt: number, id = randomId(), key = randomKey()): StoredAuthKey {
  return { id, key, temp: true, expiresAt };
}

/** Resolves the MtprotoError code `promise` rejects with (fails the test if it resolves or throws something else). */
async function codeOf(promise: Promise<unknown>): Promise<string> {
  const e = await promise.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(MtprotoError);
  return (e as MtprotoError).code;
}

/** The salts a store must answer: not expired at `nowMs`, one entry per (salt, validSince), by validSince then salt. */
function expectedSalts(all: StoredSalt[], nowMs: number): StoredSalt[] {
  const byEntry = new Map<string, StoredSalt>();
  for (const s of all) byEntry.set(`${s.salt}/${s.validSince}`, s);
  return [...byEntry.values()]
    .filter((s) => s.validUntil * 1000 > nowMs)
    .sort((a, b) => a.validSince - b.validSince || (a.salt < b.salt ? -1 : a.salt > b.salt ? 1 : 0));
}

/** A server msg_id (odd: a response) carrying Unix second `seconds`, distinct by `n` within it. */
function serverMsgId(seconds: number, n = 0): bigint {
  return (BigInt(Math.floor(seconds)) << 32n) | BigInt(((n + 1) << 2) | 1);
}

/** A held message made at `seconds`: random body of `length` bytes, seq_no 2n + 1. */
function heldAt(seconds: number, n: number, answers?: bigint, length = 16): HeldMessage {
  const m = { msgId: serverMsgId(seconds, n), seqNo: 2 * n + 1, body: new Uint8Array(randomBytes(length)) };
  return answers === undefined ? m : { ...m, answers };
}

/** Held messages with their bodies as hex: quick to compare (vitest diffs big arrays slowly). */
const flat = (ms: readonly HeldMessage[]) => ms.map((m) => ({ ...m, body: toHex(m.body) }));

/** Deep copies (the caller may wipe what it handed in). */
const copies = (ms: readonly HeldMessage[]): HeldMessage[] => ms.map((m) => ({ ...m, body: m.body.slice() }));

/** A body size of which 5 fit in MAX_HELD_BYTES_PER_KEY and 6 do not (0.75 MiB). */
const BIG = (MAX_HELD_BYTES_PER_KEY / 16) * 3;

/** Claims a new session of `authKeyId` and holds one BIG body made at `seconds` in it; resolves the session. */
async function holdBig(store: AuthKeyStore, authKeyId: bigint, seconds: number): Promise<bigint> {
  const s = randomId();
  await store.claimSession(authKeyId, s);
  await store.holdMessages(authKeyId, s, [heldAt(seconds, 0, undefined, BIG)]);
  return s;
}

/** The ones of `sessions` holding something, in the order given. */
async function holdingSessions(store: AuthKeyStore, authKeyId: bigint, sessions: readonly bigint[]): Promise<bigint[]> {
  const holding: bigint[] = [];
  for (const s of sessions) if ((await store.heldMessages(authKeyId, s)).length > 0) holding.push(s);
  return holding;
}

/** Bytes of bodies `sessions` hold in all. */
async function heldBytes(store: AuthKeyStore, authKeyId: bigint, sessions: readonly bigint[]): Promise<number> {
  let bytes = 0;
  for (const s of sessions) for (const m of await store.heldMessages(authKeyId, s)) bytes += m.body.length;
  return bytes;
}

let sharedClient: Redis | undefined;
async function redisClient(): Promise<Redis> {
  sharedClient ??= new Redis(await redisUrl());
  return sharedClient;
}

interface Harness {
  name: string;
  open(): Promise<{ store: AuthKeyStore; cleanup(): Promise<void> }>;
}

const harnesses: Harness[] = [
  {
    name: 'MemoryAuthKeyStore',
    open: async () => ({ store: new MemoryAuthKeyStore(), cleanup: async () => {} }),
  },
  {
    name: 'FileAuthKeyStore',
    open: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'wirecrypt-store-'));
      return { store: new FileAuthKeyStore({ dir }), cleanup: () => rm(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'RedisAuthKeyStore',
    open: async () => {
      const redis = await redisClient();
      const prefix = uniquePrefix('store');
      return {
        store: new RedisAuthKeyStore({ redis, prefix }),
        cleanup: async () => {
          await deleteByPrefix(redis, prefix);
        },
      };
    },
  },
];

async function withStore(h: Harness, body: (store: AuthKeyStore) => Promise<void>): Promise<void> {
  const { store, cleanup } = await h.open();
  try {
    await body(store);
  } finally {
    await store.close();
    await cleanup();
  }
}

afterAll(async () => {
  await sharedClient?.quit();
});

// ---- the conformance suite -----------------------------------------------------------------------

for (const h of harnesses) {
  describe(`${h.name}: AuthKeyStore contract`, () => {
    it('stores a permanent key and hands out copies', () =>
      withStore(h, async (store) => {
        const k = perm();
        const original = k.key.slice();
        expect(await store.addKey(k)).toBe(true);
        k.key.fill(0xee); // the caller wipes its copy: the stored key must not change
        const got = await store.getKey(k.id);
        expect(got).toStrictEqual({ id: k.id, key: original, temp: false });
        got!.key.fill(0); // nor when a reader wipes what it got
        const again = await store.getKey(k.id);
        expect(again!.key).toStrictEqual(original);
        expect(again!.key).not.toBe(got!.key);
        expect(await store.getKey(k.id + 1n)).toBeUndefined();
      }));

    it('addKey of an existing id resolves false and keeps the first key', () =>
      withStore(h, async (store) => {
        const first = perm();
        const firstBytes = first.key.slice();
        expect(await store.addKey(first)).toBe(true);
        expect(await store.addKey(perm(first.id))).toBe(false);
        expect(await store.addKey(temp(nowSeconds() + 60, first.id))).toBe(false);
        expect((await store.getKey(first.id))!.key).toStrictEqual(firstBytes);
      }));

    it('concurrent addKey of one id: exactly one wins and its key is stored', () =>
      withStore(h, async (store) => {
        const id = randomId();
        const keys = Array.from({ length: 16 }, () => perm(id));
        const copies = keys.map((k) => k.key.slice());
        const results = await Promise.all(keys.map((k) => store.addKey(k)));
        expect(results.filter(Boolean)).toHaveLength(1);
        expect((await store.getKey(id))!.key).toStrictEqual(copies[results.indexOf(true)]);
      }));

    it('ids over the whole signed 64-bit range are distinct keys', () =>
      withStore(h, async (store) => {
        const ids = [-(1n << 63n), -1n, 0n, 1n, (1n << 63n) - 1n, 0x0123456789abcdefn];
        const keys = ids.map((id) => perm(id));
        const copies = keys.map((k) => k.key.slice());
        for (const k of keys) expect(await store.addKey(k)).toBe(true);
        for (const [i, id] of ids.entries()) expect(await store.getKey(id)).toStrictEqual({ id, key: copies[i], temp: false });
      }));

    it('deleteKey removes the key with its salts and sessions', () =>
      withStore(h, async (store) => {
        const k = perm();
        await store.addKey(k);
        const now = Math.floor(nowSeconds());
        await store.addSalts(k.id, [{ validSince: now, validUntil: now + 600, salt: 7n }]);
        expect(await store.claimSession(k.id, 42n)).toBe(true);
        await store.deleteKey(k.id);
        expect(await store.getKey(k.id)).toBeUndefined();
        expect(await store.getSalts(k.id)).toStrictEqual([]);
        expect(await codeOf(store.claimSession(k.id, 42n))).toBe('auth-key-not-found');
        expect(await store.dropSession(k.id, 42n)).toBe(false);
        await store.deleteKey(k.id); // deleting what is absent is not an error
        await store.deleteKey(randomId());
        // The id is free again, and the new key starts with no sessions or salts.
        expect(await store.addKey(perm(k.id))).toBe(true);
        expect(await store.getSalts(k.id)).toStrictEqual([]);
        expect(await store.claimSession(k.id, 42n)).toBe(true);
      }));

    it('temporary keys keep expiresAt and boundTo; bindTempKey checks both keys', () =>
      withStore(h, async (store) => {
        const p = perm();
        const p2 = perm();
        const expiresAt = Math.floor(nowSeconds()) + 3600;
        const t = temp(expiresAt);
        const tBytes = t.key.slice();
        for (const k of [p, p2, t]) expect(await store.addKey(k)).toBe(true);
        expect(await store.getKey(t.id)).toStrictEqual({ id: t.id, key: tBytes, temp: true, expiresAt });

        await store.bindTempKey(t.id, p.id);
        expect(await store.getKey(t.id)).toStrictEqual({ id: t.id, key: tBytes, temp: true, expiresAt, boundTo: p.id });
        await store.bindTempKey(t.id, p.id); // the same binding again is fine
        expect(await codeOf(store.bindTempKey(t.id, p2.id))).toBe('temp-key-already-bound');
        expect((await store.getKey(t.id))!.boundTo).toBe(p.id);

        const t2 = temp(expiresAt + 0.5);
        await store.addKey(t2);
        expect(await codeOf(store.bindTempKey(randomId(), p.id))).toBe('temp-key-not-found');
        expect(await codeOf(store.bindTempKey(p.id, p2.id))).toBe('not-a-temp-key');
        expect(await codeOf(store.bindTempKey(t2.id, randomId()))).toBe('perm-key-not-found');
        expect(await codeOf(store.bindTempKey(t2.id, t.id))).toBe('not-a-perm-key');
        expect((await store.getKey(t2.id))!.boundTo).toBeUndefined();
        await store.bindTempKey(t2.id, p2.id);
        expect((await store.getKey(t2.id))!.boundTo).toBe(p2.id);

        // A key added already bound keeps its binding; a fractional expiresAt is kept exactly.
        const t3: StoredAuthKey = { ...temp(expiresAt + 0.25), boundTo: p.id };
        await store.addKey(t3);
        expect(await store.getKey(t3.id)).toMatchObject({ temp: true, expiresAt: expiresAt + 0.25, boundTo: p.id });
      }));

    it('salts: per key, merged by (salt, validSince), expired ones dropped, sorted', () =>
      withStore(h, async (store) => {
        const a = perm();
        const b = perm();
        await store.addKey(a);
        await store.addKey(b);
        const now = Math.floor(nowSeconds());
        const first: StoredSalt[] = [
          { validSince: now + 1800, validUntil: now + 3600, salt: -(1n << 63n) },
          { validSince: now - 60, validUntil: now + 1800, salt: 0x1122334455667788n },
          { validSince: now - 3600, validUntil: now - 1, salt: 5n }, // already expired
          { validSince: now - 60, validUntil: now + 1800, salt: -5n }, // same start, other salt
        ];
        await store.addSalts(a.id, first);
        expect(await store.getSalts(a.id)).toStrictEqual(expectedSalts(first, Date.now()));
        expect(await store.getSalts(a.id)).toHaveLength(3);
        // The same (salt, validSince) again replaces validUntil; a new one is added.
        const second: StoredSalt[] = [
          { validSince: now - 60, validUntil: now + 900, salt: 0x1122334455667788n },
          { validSince: now + 3600, validUntil: now + 5400, salt: (1n << 63n) - 1n },
        ];
        await store.addSalts(a.id, second);
        expect(await store.getSalts(a.id)).toStrictEqual(expectedSalts([...first, ...second], Date.now()));
        expect(await store.getSalts(b.id)).toStrictEqual([]);
        await store.addSalts(b.id, []);
        expect(await store.getSalts(b.id)).toStrictEqual([]);
        expect(await store.getSalts(randomId())).toStrictEqual([]);
        expect(await codeOf(store.addSalts(randomId(), second))).toBe('auth-key-not-found');
      }));

    it('claimSession is true once per (key, session); dropSession forgets it', () =>
      withStore(h, async (store) => {
        const a = perm();
        const b = perm();
        await store.addKey(a);
        await store.addKey(b);
        const s = randomId();
        expect(await store.claimSession(a.id, s)).toBe(true);
        expect(await store.claimSession(a.id, s)).toBe(false);
        expect(await store.claimSession(b.id, s)).toBe(true); // sessions belong to a key
        expect(await store.claimSession(a.id, s + 1n)).toBe(true);
        expect(await store.dropSession(a.id, s)).toBe(true);
        expect(await store.dropSession(a.id, s)).toBe(false);
        expect(await store.claimSession(b.id, s)).toBe(false); // b's is untouched
        expect(await store.claimSession(a.id, s)).toBe(true); // new again after a drop
        expect(await store.dropSession(randomId(), s)).toBe(false);
        expect(await codeOf(store.claimSession(randomId(), s))).toBe('auth-key-not-found');
        // Many claims of one session at once: exactly one is first.
        const s2 = randomId();
        const results = await Promise.all(Array.from({ length: 20 }, () => store.claimSession(a.id, s2)));
        expect(results.filter(Boolean)).toHaveLength(1);
      }));

    it('temporary keys, their sessions and short-lived salts expire (waits ~1.3 s)', () =>
      withStore(h, async (store) => {
        const p = perm();
        await store.addKey(p);
        const start = nowSeconds();
        const t = temp(start + 1);
        await store.addKey(t);
        await store.bindTempKey(t.id, p.id);
        expect(await store.claimSession(t.id, 1n)).toBe(true);
        await store.addSalts(t.id, [{ validSince: 0, validUntil: Math.floor(start) + 600, salt: 9n }]);
        // validUntil is a whole second 0.3 to 1.3 s away; the other salt lasts.
        const shortUntil = Math.ceil(start + 0.3);
        const longSalt = { validSince: 0, validUntil: Math.floor(start) + 600, salt: 2n };
        await store.addSalts(p.id, [{ validSince: 0, validUntil: shortUntil, salt: 1n }, longSalt]);
        expect(await store.getSalts(p.id)).toHaveLength(2);
        expect((await store.getKey(t.id))!.boundTo).toBe(p.id);

        // An already expired temporary key is accepted and gone at once.
        const past = temp(start - 1);
        expect(await store.addKey(past)).toBe(true);
        expect(await store.getKey(past.id)).toBeUndefined();

        await sleep(Math.max(t.expiresAt!, shortUntil) * 1000 + 150 - Date.now());
        expect(await store.getKey(t.id)).toBeUndefined();
        expect(await store.getSalts(t.id)).toStrictEqual([]);
        expect(await store.getSalts(p.id)).toStrictEqual([longSalt]);
        expect(await codeOf(store.claimSession(t.id, 1n))).toBe('auth-key-not-found');
        expect(await codeOf(store.bindTempKey(t.id, p.id))).toBe('temp-key-not-found');
        expect(await store.getKey(p.id)).toBeDefined();
        // The id is free again, without the old key's session.
        const t2 = temp(nowSeconds() + 60, t.id);
        expect(await store.addKey(t2)).toBe(true);
        expect(await store.claimSession(t.id, 1n)).toBe(true);
        expect((await store.getKey(t.id))!.boundTo).toBeUndefined();
      }));

    it('refuses bad arguments with TypeError / RangeError and changes nothing', () =>
      withStore(h, async (store) => {
        const k = perm();
        await store.addKey(k);
        const any = store as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
        await expect(any.getKey!(1)).rejects.toThrow(TypeError);
        await expect(store.getKey(1n << 63n)).rejects.toThrow(RangeError);
        await expect(store.getKey(-(1n << 63n) - 1n)).rejects.toThrow(RangeError);
        await expect(store.addKey({ id: randomId(), key: new Uint8Array(255), temp: false })).rejects.toThrow(RangeError);
        await expect(store.addKey({ id: randomId(), key: Array(256).fill(0) as unknown as Uint8Array, temp: false })).rejects.toThrow(TypeError);
        await expect(store.addKey({ id: randomId(), key: randomKey(), temp: true })).rejects.toThrow(TypeError);
        await expect(store.addKey({ id: randomId(), key: randomKey(), temp: false, expiresAt: 5 })).rejects.toThrow(TypeError);
        await expect(store.addKey({ id: randomId(), key: randomKey(), temp: false, boundTo: 5n })).rejects.toThrow(TypeError);
        await expect(store.addKey({ id: randomId(), key: randomKey(), temp: true, expiresAt: Number.NaN })).rejects.toThrow(TypeError);
        await expect(store.addKey({ id: randomId(), key: randomKey(), temp: true, expiresAt: -1 })).rejects.toThrow(RangeError);
        const good = { validSince: 1, validUntil: 2 ** 32 - 1, salt: 1n };
        await expect(store.addSalts(k.id, [good, { validSince: 3, validUntil: 2, salt: 1n }])).rejects.toThrow(RangeError);
        await expect(store.addSalts(k.id, [good, { validSince: 1, validUntil: 2 ** 32, salt: 1n }])).rejects.toThrow(RangeError);
        await expect(store.addSalts(k.id, [good, { validSince: 1, validUntil: 2, salt: 1 } as unknown as StoredSalt])).rejects.toThrow(TypeError);
        await expect(any.claimSession!(k.id, 1)).rejects.toThrow(TypeError);
        await expect(any.bindTempKey!(k.id, '1')).rejects.toThrow(TypeError);
        expect(await store.getSalts(k.id)).toStrictEqual([]); // the good salt was not stored either
        expect(await store.claimSession(k.id, 1n)).toBe(true);
      }));

    it('after close() every method rejects', async () => {
      const { store, cleanup } = await h.open();
      try {
        const k = perm();
        await store.addKey(k);
        await store.close();
        await expect(store.getKey(k.id)).rejects.toThrow(/closed/);
        await expect(store.addKey(perm())).rejects.toThrow(/closed/);
        await expect(store.claimSession(k.id, 1n)).rejects.toThrow(/closed/);
        await expect(store.getSalts(k.id)).rejects.toThrow(/closed/);
        await expect(store.dropSession(k.id, 1n)).rejects.toThrow(/closed/);
        await expect(store.deleteKey(k.id)).rejects.toThrow(/closed/);
        await expect(store.holdMessages(k.id, 1n, [heldAt(nowSeconds(), 0)])).rejects.toThrow(/closed/);
        await expect(store.releaseMessages(k.id, 1n, [1n])).rejects.toThrow(/closed/);
        await expect(store.heldMessages(k.id, 1n)).rejects.toThrow(/closed/);
        await store.close(); // twice is fine
      } finally {
        await cleanup();
      }
    });
  });
}

// ---- held messages (held.ts): the same contract for every store ---------------------------------

for (const h of harnesses) {
  describe(`${h.name}: held messages`, () => {
    it('hold, read, release: per session, ascending msg_id, copies both ways, a msg_id held again replaces', () =>
      withStore(h, async (store) => {
        const k = perm();
        await store.addKey(k);
        const [s1, s2] = [randomId(), randomId()];
        await store.claimSession(k.id, s1);
        await store.claimSession(k.id, s2);
        const now = nowSeconds();
        const query = randomId();
        const a = heldAt(now, 3, query), b = heldAt(now, 1), c = heldAt(now - 10, 7, -query, 4);
        const expected = copies([c, b, a]); // ascending msg_id: c is older, b's n is lower than a's
        await store.holdMessages(k.id, s1, [a, b]);
        await store.holdMessages(k.id, s1, [c]);
        for (const m of [a, b, c]) m.body.fill(0); // the caller wipes what it handed in
        expect(await store.heldMessages(k.id, s1)).toStrictEqual(expected);
        expect(await store.heldMessages(k.id, s2)).toStrictEqual([]);
        expect(await store.heldMessages(randomId(), s1)).toStrictEqual([]);
        const got = await store.heldMessages(k.id, s1);
        got[0]!.body.fill(0); // a reader wiping its copy changes nothing
        expect(await store.heldMessages(k.id, s1)).toStrictEqual(expected);

        const replaced = { ...expected[1]!, body: new Uint8Array(randomBytes(8)) };
        await store.holdMessages(k.id, s1, [replaced]);
        expect(await store.heldMessages(k.id, s1)).toStrictEqual([expected[0], replaced, expected[2]]);

        await store.releaseMessages(k.id, s1, [expected[2]!.msgId, serverMsgId(now, 99)]); // unknown ids are ignored
        expect(await store.heldMessages(k.id, s1)).toStrictEqual([expected[0], replaced]);
        await store.releaseMessages(k.id, s2, [expected[0]!.msgId]); // another session's: nothing
        await store.releaseMessages(randomId(), s1, [expected[0]!.msgId]);
        await store.releaseMessages(k.id, s1, []);
        expect(await store.heldMessages(k.id, s1)).toHaveLength(2);
        await store.releaseMessages(k.id, s1, [expected[0]!.msgId, replaced.msgId]);
        expect(await store.heldMessages(k.id, s1)).toStrictEqual([]);
      }));

    it('only a claimed session holds; dropSession and deleteKey drop what it held', () =>
      withStore(h, async (store) => {
        const k = perm();
        await store.addKey(k);
        const s = randomId();
        const now = nowSeconds();
        expect(await codeOf(store.holdMessages(k.id, s, [heldAt(now, 0)]))).toBe('session-not-found');
        expect(await codeOf(store.holdMessages(randomId(), s, [heldAt(now, 0)]))).toBe('auth-key-not-found');
        await store.claimSession(k.id, s);
        await store.holdMessages(k.id, s, [heldAt(now, 0, randomId())]);
        expect(await store.heldMessages(k.id, s)).toHaveLength(1);
        // destroy_session: the session goes with its messages, and holds nothing once dropped.
        expect(await store.dropSession(k.id, s)).toBe(true);
        expect(await store.heldMessages(k.id, s)).toStrictEqual([]);
        expect(await codeOf(store.holdMessages(k.id, s, [heldAt(now, 1)]))).toBe('session-not-found');
        expect(await store.claimSession(k.id, s)).toBe(true); // new again, and empty
        expect(await store.heldMessages(k.id, s)).toStrictEqual([]);
        // destroy_auth_key: a key deleted and an id used again start with nothing held.
        await store.holdMessages(k.id, s, [heldAt(now, 2)]);
        await store.deleteKey(k.id);
        expect(await store.heldMessages(k.id, s)).toStrictEqual([]);
        await store.addKey(perm(k.id));
        await store.claimSession(k.id, s);
        expect(await store.heldMessages(k.id, s)).toStrictEqual([]);
      }));

    it(`messages expire ${HELD_TTL} s after the time in their msg_id; the caps keep the newest`, () =>
      withStore(h, async (store) => {
        const k = perm();
        await store.addKey(k);
        const s = randomId();
        await store.claimSession(k.id, s);
        const now = nowSeconds();
        // A minute either side of the limit, so the seconds this test takes do not matter.
        const expired = heldAt(now - HELD_TTL - 60, 0);
        const live = heldAt(now - HELD_TTL + 60, 1);
        const kept = copies([live]);
        await store.holdMessages(k.id, s, [expired, live]);
        expect(await store.heldMessages(k.id, s)).toStrictEqual(kept);

        // Count: MAX_HELD_MESSAGES + 5 held in two writes: the 5 oldest go.
        const s2 = randomId();
        await store.claimSession(k.id, s2);
        const base = Math.floor(now) - 300; // 8 a second, ascending with i
        const many = Array.from({ length: MAX_HELD_MESSAGES + 5 }, (_, i) => heldAt(base + Math.floor(i / 8), i % 8, undefined, 4));
        const newest = copies(many.slice(5));
        await store.holdMessages(k.id, s2, many.slice(0, 100));
        await store.holdMessages(k.id, s2, many.slice(100));
        expect(flat(await store.heldMessages(k.id, s2))).toStrictEqual(flat(newest));

        // Bytes: three bodies of 0.4 × the cap keep the newest two; a body over the cap alone is
        // not held, and pushes nothing out.
        const s3 = randomId();
        await store.claimSession(k.id, s3);
        const size = Math.floor((MAX_HELD_BYTES * 0.4) / 4) * 4;
        const big = [0, 1, 2].map((n) => heldAt(now, n, undefined, size));
        const lastTwo = copies(big.slice(1));
        await store.holdMessages(k.id, s3, big);
        expect(flat(await store.heldMessages(k.id, s3))).toStrictEqual(flat(lastTwo));
        await store.holdMessages(k.id, s3, [heldAt(now, 5, undefined, MAX_HELD_BYTES + 4)]);
        expect(flat(await store.heldMessages(k.id, s3))).toStrictEqual(flat(lastTwo));
      }));

    it(`per auth key: at most ${MAX_HOLDING_SESSIONS_PER_KEY} holding sessions, the stalest other session let go whole; other keys unaffected`, () =>
      withStore(h, async (store) => {
        const [k, other] = [perm(), perm()];
        await store.addKey(k);
        await store.addKey(other);
        const bystander = randomId();
        await store.claimSession(other.id, bystander);
        const now = Math.floor(nowSeconds());
        const kept = copies([heldAt(now - 200, 0)]);
        await store.holdMessages(other.id, bystander, copies(kept));
        // Sessions 0..19, session i's message made at now − 100 + i: the four stalest go.
        const sessions = Array.from({ length: MAX_HOLDING_SESSIONS_PER_KEY + 4 }, () => randomId());
        for (const [i, s] of sessions.entries()) {
          await store.claimSession(k.id, s);
          await store.holdMessages(k.id, s, [heldAt(now - 100 + i, 0)]);
        }
        expect(await holdingSessions(store, k.id, sessions)).toStrictEqual(sessions.slice(4));
        // The holding session is never the one let go, even when its messages are the oldest.
        await store.holdMessages(k.id, sessions[0]!, [heldAt(now - 150, 0)]);
        expect(await holdingSessions(store, k.id, sessions)).toStrictEqual([sessions[0], ...sessions.slice(5)]);
        expect(await store.heldMessages(other.id, bystander)).toStrictEqual(kept);
      }));

    it(`per auth key: at most ${MAX_HELD_BYTES_PER_KEY} bytes of bodies in all sessions; released, dropped and deleted messages stop counting`, () =>
      withStore(h, async (store) => {
        const [k, other] = [perm(), perm()];
        await store.addKey(k);
        await store.addKey(other);
        const now = Math.floor(nowSeconds());
        const fit = Math.floor(MAX_HELD_BYTES_PER_KEY / BIG); // 5 bodies of 0.75 MiB fit, 6 do not
        const bystander = await holdBig(store, other.id, now - 60);
        // 8 sessions, each one body: only the `fit` newest stay, within the key's cap.
        const sessions: bigint[] = [];
        for (let i = 0; i < 8; i++) sessions.push(await holdBig(store, k.id, now - 100 + i));
        expect(await holdingSessions(store, k.id, sessions)).toStrictEqual(sessions.slice(8 - fit));
        expect(await heldBytes(store, k.id, sessions)).toBeLessThanOrEqual(MAX_HELD_BYTES_PER_KEY);
        expect(await holdingSessions(store, other.id, [bystander])).toStrictEqual([bystander]);

        // Released: that session's bytes no longer count, so one more session fits and nobody goes.
        const live = sessions.slice(8 - fit);
        const [released] = await store.heldMessages(k.id, live[0]!);
        await store.releaseMessages(k.id, live[0]!, [released!.msgId]);
        const s1 = await holdBig(store, k.id, now - 50);
        expect(await holdingSessions(store, k.id, [...live, s1])).toStrictEqual([...live.slice(1), s1]);
        // Dropped (destroy_session): the same.
        expect(await store.dropSession(k.id, live[1]!)).toBe(true);
        const s2 = await holdBig(store, k.id, now - 49);
        expect(await holdingSessions(store, k.id, [...live, s1, s2])).toStrictEqual([...live.slice(2), s1, s2]);
        // Deleted (destroy_auth_key): a key added again under the id starts with nothing counted.
        await store.deleteKey(k.id);
        await store.addKey(perm(k.id));
        const again: bigint[] = [];
        for (let i = 0; i < fit; i++) again.push(await holdBig(store, k.id, now - 200 + i));
        expect(await holdingSessions(store, k.id, again)).toStrictEqual(again);
        expect(await holdingSessions(store, other.id, [bystander])).toStrictEqual([bystander]);
      }));

    it('per auth key: expired messages do not count (waits ~2 s)', () =>
      withStore(h, async (store) => {
        const k = perm();
        await store.addKey(k);
        const now = Math.floor(nowSeconds());
        const fit = Math.floor(MAX_HELD_BYTES_PER_KEY / BIG);
        // `fit` − 1 sessions with a body made a minute ago, then one whose body expires in ≤ 2 s
        // beside a small fresh message (so it is the freshest session, and stays).
        const older: bigint[] = [];
        for (let i = 0; i < fit - 1; i++) older.push(await holdBig(store, k.id, now - 60 + i));
        const expiring = await holdBig(store, k.id, now - HELD_TTL + 2);
        await store.holdMessages(k.id, expiring, [heldAt(now, 0)]);
        expect(await holdingSessions(store, k.id, [...older, expiring])).toStrictEqual([...older, expiring]);
        await sleep((now + 2) * 1000 + 100 - Date.now());
        // Counting the expired body, one more full session would push out the stalest (older[0]).
        const fresh = await holdBig(store, k.id, now);
        expect(await holdingSessions(store, k.id, [...older, expiring, fresh])).toStrictEqual([...older, expiring, fresh]);
        expect(await store.heldMessages(k.id, expiring)).toHaveLength(1);
      }));

    it('refuses bad held messages with TypeError / RangeError and holds nothing of the call', () =>
      withStore(h, async (store) => {
        const k = perm();
        await store.addKey(k);
        const s = randomId();
        await store.claimSession(k.id, s);
        const now = nowSeconds();
        const good = heldAt(now, 0);
        const bad = (m: Partial<HeldMessage>) => [good, { ...heldAt(now, 1), ...m }] as HeldMessage[];
        await expect(store.holdMessages(k.id, s, bad({ msgId: serverMsgId(now) - 1n }))).rejects.toThrow(RangeError); // a client's (even) id
        await expect(store.holdMessages(k.id, s, bad({ seqNo: 2 }))).rejects.toThrow(RangeError); // not content-related
        await expect(store.holdMessages(k.id, s, bad({ seqNo: -1 }))).rejects.toThrow(RangeError);
        await expect(store.holdMessages(k.id, s, bad({ body: new Uint8Array(6) }))).rejects.toThrow(RangeError);
        await expect(store.holdMessages(k.id, s, bad({ body: [0, 0, 0, 0] as unknown as Uint8Array }))).rejects.toThrow(TypeError);
        await expect(store.holdMessages(k.id, s, bad({ answers: 1 as unknown as bigint }))).rejects.toThrow(TypeError);
        await expect(store.holdMessages(k.id, s, {} as unknown as HeldMessage[])).rejects.toThrow(TypeError);
        await expect(store.releaseMessages(k.id, s, [1 as unknown as bigint])).rejects.toThrow(TypeError);
        await expect(store.heldMessages(k.id, 1 as unknown as bigint)).rejects.toThrow(TypeError);
        expect(await store.heldMessages(k.id, s)).toStrictEqual([]);
      }));
  });
}

describe('MemoryAuthKeyStore and FileAuthKeyStore: a simulated clock', () => {
  it('options.now decides expiry of keys and salts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wirecrypt-clock-'));
    let clock = 2_000_000_000.25; // 2033, far from the real time
    const now = () => clock;
    for (const store of [new MemoryAuthKeyStore({ now }), new FileAuthKeyStore({ dir, now })]) {
      clock = 2_000_000_000.25;
      const t = temp(clock + 10);
      const p = perm();
      expect(await store.addKey(t)).toBe(true); // by the real clock it would expire in 2033, by this one in 10 s
      await store.addKey(p);
      await store.addSalts(p.id, [
        { validSince: 0, validUntil: 2_000_000_005, salt: 1n },
        { validSince: 0, validUntil: 2_000_000_020, salt: 2n },
      ]);
      expect(await store.getSalts(p.id)).toHaveLength(2);
      clock = 2_000_000_009.95; // the first salt is gone, the key not yet
      expect(await store.getSalts(p.id)).toStrictEqual([{ validSince: 0, validUntil: 2_000_000_020, salt: 2n }]);
      expect((await store.getKey(t.id))?.expiresAt).toBe(2_000_000_010.25);
      clock = 2_000_000_010.25; // at expiresAt exactly: gone
      expect(await store.getKey(t.id)).toBeUndefined();
      expect(await store.addKey(temp(clock - 1))).toBe(true);
      await store.close();
    }
    expect(() => new MemoryAuthKeyStore({ now: 5 as unknown as () => number })).toThrow(TypeError);
    await rm(dir, { recursive: true, force: true });
  });
});

// ---- child processes -----------------------------------------------------------------------------

// The program a second server process runs: the stores bundled by esbuild (Node 20 cannot import
// .ts), driven by a JSON job on argv, answering JSON on stdout.
const CHILD_SOURCE = `
import { writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { FileAuthKeyStore } from '../../bindings/mtproto/server/file-store.js';
import { RedisAuthKeyStore } from '../../bindings/mtproto/server/redis-store.js';

const job = JSON.parse(process.argv[2]);
const hex = (b) => Buffer.from(b).toString('hex');
const key = (id, keyHex) => ({ id: BigInt(id), key: new Uint8Array(Buffer.from(keyHex, 'hex')), temp: false });
const say = (line) => writeSync(1, line + '\\n');

async function main() {
  if (job.kind === 'redis-share') {
    const store = new RedisAuthKeyStore({ redis: job.url, prefix: job.prefix });
    const parentKey = await store.getKey(BigInt(job.parentId));
    const childAdded = await store.addKey(key(job.childId, job.childKey));
    say('ready');
    const rl = createInterface({ input: process.stdin });
    await new Promise((resolve) => rl.once('line', resolve));
    rl.close();
    const [claims, contested] = await Promise.all([
      Promise.all(job.sessions.map((s) => store.claimSession(BigInt(job.parentId), BigInt(s)))),
      store.addKey(key(job.contestedId, job.contestedKey)),
    ]);
    await store.close();
    say(JSON.stringify({ parentKey: parentKey && hex(parentKey.key), childAdded, claims, contested }));
  } else if (job.kind === 'file-read') {
    const store = new FileAuthKeyStore({ dir: job.dir });
    const k = await store.getKey(BigInt(job.parentId));
    const salts = (await store.getSalts(BigInt(job.parentId))).map((s) => [String(s.salt), s.validSince, s.validUntil]);
    const claimedAgain = await store.claimSession(BigInt(job.parentId), BigInt(job.session));
    const childAdded = await store.addKey(key(job.childId, job.childKey));
    await store.close();
    say(JSON.stringify({ key: k && hex(k.key), temp: k && k.temp, salts, claimedAgain, childAdded }));
  } else if (job.kind === 'file-crash') {
    // Claims sessions until killed; a line is printed only after its claim resolved (durably written).
    const store = new FileAuthKeyStore({ dir: job.dir });
    for (let i = 1; ; i++) {
      await store.claimSession(BigInt(job.id), BigInt(i));
      say(String(i));
    }
  }
}
main().catch((e) => { say('error ' + (e && e.stack || e)); process.exit(1); });
`;

let childDir: string;
let childScript: string;

beforeAll(async () => {
  childDir = await mkdtemp(join(tmpdir(), 'wirecrypt-store-child-'));
  childScript = join(childDir, 'store-child.cjs');
  await build({
    stdin: { contents: CHILD_SOURCE, resolveDir: HERE, sourcefile: 'store-child.ts', loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: childScript,
    logLevel: 'error',
  });
});

afterAll(async () => {
  await rm(childDir, { recursive: true, force: true });
});

/** Runs the child program on `job` to completion and parses its last line. */
function runChild(job: object): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [childScript, JSON.stringify(job)], { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`child failed: ${err.message}\n${stdout}\n${stderr}`));
      resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>);
    });
  });
}

/** Starts the child program; `lines` yields its stdout line by line. */
function startChild(job: object): { child: ChildProcess; lines: AsyncIterator<string> } {
  const child = spawn(process.execPath, [childScript, JSON.stringify(job)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  let partial = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    queue.push(...parts);
    wake?.();
  });
  child.stdout!.on('end', () => { ended = true; wake?.(); });
  const lines: AsyncIterator<string> = {
    async next() {
      while (queue.length === 0 && !ended) await new Promise<void>((r) => { wake = r; });
      wake = undefined;
      return queue.length > 0 ? { value: queue.shift()!, done: false } : { value: undefined, done: true };
    },
  };
  return { child, lines };
}

// ---- the file store ------------------------------------------------------------------------------

/** Writes a key file by the documented format, independently of file-store.ts. */
async function writeKeyFile(dir: string, json: object, name?: string): Promise<string> {
  const body = Buffer.from(`${JSON.stringify(json)}\n`);
  const header = `wirecrypt-auth-key 1 ${crc32(body).toString(16).padStart(8, '0')}\n`;
  const file = name ?? `${BigInt.asUintN(64, BigInt((json as { id: string }).id)).toString(16).padStart(16, '0')}.key`;
  await writeFile(join(dir, file), Buffer.concat([Buffer.from(header), body]), { mode: 0o600 });
  return file;
}

describe('FileAuthKeyStore: durability', () => {
  let dir: string;
  const fresh = async () => {
    dir = await mkdtemp(join(tmpdir(), 'wirecrypt-filestore-'));
    return dir;
  };
  afterAll(async () => {
    // each test's directory is removed by the test; this catches a failed one
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('one 0600 file per key in a 0700 directory, in the documented format', async () => {
    const root = await fresh();
    const sub = join(root, 'keys'); // created by the store
    const store = new FileAuthKeyStore({ dir: sub });
    const keys = [perm(-1n), perm(1n), { ...temp(Math.floor(nowSeconds()) + 600, 0x0123456789abcdefn) }];
    for (const k of keys) await store.addKey({ ...k, key: k.key.slice() });
    await store.claimSession(1n, -7n);
    await store.addSalts(1n, [{ validSince: 10, validUntil: 2 ** 32 - 1, salt: -3n }]);
    await store.bindTempKey(0x0123456789abcdefn, -1n);
    await store.close();
    expect((await readdir(sub)).sort()).toStrictEqual(['0000000000000001.key', '0123456789abcdef.key', 'ffffffffffffffff.key']);
    expect(keyFileName(-1n)).toBe('ffffffffffffffff.key');
    expect((await stat(sub)).mode & 0o777).toBe(0o700);
    for (const f of await readdir(sub)) expect((await stat(join(sub, f))).mode & 0o777).toBe(0o600);

    const text = await readFile(join(sub, '0000000000000001.key'));
    const nl = text.indexOf(0x0a);
    const body = text.subarray(nl + 1);
    expect(text.subarray(0, nl).toString()).toBe(`wirecrypt-auth-key 1 ${crc32(body).toString(16).padStart(8, '0')}`);
    expect(JSON.parse(body.toString())).toStrictEqual({
      id: '1', key: toHex(keys[1]!.key), temp: false, salts: [['-3', 10, 2 ** 32 - 1]], sessions: ['-7'],
    });
    const t = JSON.parse((await readFile(join(sub, '0123456789abcdef.key'))).toString().split('\n')[1]!);
    expect(t).toMatchObject({ id: String(0x0123456789abcdefn), temp: true, expiresAt: keys[2]!.expiresAt, boundTo: '-1' });
    await rm(root, { recursive: true, force: true });
  });

  it('survives a restart: a new instance and a child process read what was written, and the parent sees the child', async () => {
    await fresh();
    const p = perm();
    const pBytes = p.key.slice();
    const t: StoredAuthKey = temp(Math.floor(nowSeconds()) + 600);
    const tBytes = t.key.slice();
    const salt = { validSince: 100, validUntil: Math.floor(nowSeconds()) + 600, salt: 0x7eadbeefn };
    const first = new FileAuthKeyStore({ dir });
    await first.addKey(p);
    await first.addKey(t);
    await first.bindTempKey(t.id, p.id);
    await first.addSalts(p.id, [salt]);
    expect(await first.claimSession(p.id, 99n)).toBe(true);
    await first.close();

    const second = new FileAuthKeyStore({ dir });
    expect(await second.getKey(p.id)).toStrictEqual({ id: p.id, key: pBytes, temp: false });
    expect(await second.getKey(t.id)).toStrictEqual({ id: t.id, key: tBytes, temp: true, expiresAt: t.expiresAt, boundTo: p.id });
    expect(await second.getSalts(p.id)).toStrictEqual([salt]);
    expect(await second.claimSession(p.id, 99n)).toBe(false);
    expect(await second.claimSession(p.id, 100n)).toBe(true);

    const child = perm();
    const out = await runChild({
      kind: 'file-read', dir, parentId: String(p.id), session: '100', childId: String(child.id), childKey: toHex(child.key),
    });
    expect(out).toStrictEqual({
      key: toHex(pBytes), temp: false, salts: [[String(salt.salt), salt.validSince, salt.validUntil]], claimedAgain: false, childAdded: true,
    });
    // The running instance reads the child's key from disk (nothing is cached).
    expect(await second.getKey(child.id)).toStrictEqual({ id: child.id, key: child.key, temp: false });
    expect(await second.addKey(perm(child.id))).toBe(false);
    await second.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a process killed mid-write leaves a readable file with every acknowledged session', async () => {
    await fresh();
    const setup = new FileAuthKeyStore({ dir });
    const k = perm();
    const kBytes = k.key.slice();
    await setup.addKey(k);
    await setup.close();

    const { child, lines } = startChild({ kind: 'file-crash', dir, id: String(k.id) });
    const acknowledged: bigint[] = [];
    while (acknowledged.length < 25) {
      const line = await lines.next();
      if (line.done || !/^\d+$/.test(line.value)) throw new Error(`child: ${line.value}`);
      acknowledged.push(BigInt(line.value));
    }
    child.kill('SIGKILL'); // somewhere in the next claim: reading, writing, fsync or rename
    await new Promise((resolve) => child.once('exit', resolve));
    for (;;) {
      const line = await lines.next();
      if (line.done) break;
      acknowledged.push(BigInt(line.value));
    }

    const after = new FileAuthKeyStore({ dir });
    expect(await after.getKey(k.id)).toStrictEqual({ id: k.id, key: kBytes, temp: false });
    for (const s of acknowledged) expect(await after.claimSession(k.id, s)).toBe(false);
    // Opening removed any temp file the killed process left (its pid is gone).
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toStrictEqual([]);
    await after.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('temp files of a crash are never read and are removed at open unless their writer may still run', async () => {
    await fresh();
    const setup = new FileAuthKeyStore({ dir });
    const k = perm();
    const kBytes = k.key.slice();
    await setup.addKey(k);
    await setup.close();
    // A pid that is certainly gone: a child that has exited.
    const dead = await new Promise<number>((resolve) => {
      const c = spawn(process.execPath, ['-e', '']);
      c.once('exit', () => resolve(c.pid!));
    });
    const name = keyFileName(k.id);
    const other = keyFileName(randomId());
    const full = await readFile(join(dir, name));
    await writeFile(join(dir, `${name}.${dead}.3.tmp`), full.subarray(0, 100)); // half a rewrite of k
    await writeFile(join(dir, `${other}.${dead}.4.tmp`), full); // a whole file never renamed
    await writeFile(join(dir, `${other}.${process.pid}.5.tmp`), 'in flight'); // this process: kept
    await writeFile(join(dir, `${other}.${process.ppid}.6.tmp`), 'old'); // a live pid, but 2 h old
    const twoHoursAgo = new Date(Date.now() - 7200_000);
    await utimes(join(dir, `${other}.${process.ppid}.6.tmp`), twoHoursAgo, twoHoursAgo);
    await writeFile(join(dir, 'notes.txt'), 'not a key file'); // ignored

    const store = new FileAuthKeyStore({ dir });
    expect(await store.getKey(k.id)).toStrictEqual({ id: k.id, key: kBytes, temp: false });
    expect(await store.getKey(BigInt.asIntN(64, BigInt(`0x${other.slice(0, 16)}`)))).toBeUndefined();
    expect((await readdir(dir)).sort()).toStrictEqual([name, `${other}.${process.pid}.5.tmp`, 'notes.txt'].sort());
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a corrupt file rejects with MtprotoError store-corrupt naming the file; deleteKey recovers', async () => {
    await fresh();
    const store = new FileAuthKeyStore({ dir });
    const good = perm();
    await store.addKey({ ...good, key: good.key.slice() });
    const goodFile = await readFile(join(dir, keyFileName(good.id)));
    const goodBody = goodFile.subarray(goodFile.indexOf(0x0a) + 1).toString();
    const goodJson = JSON.parse(goodBody) as Record<string, unknown>;

    const cases: [string, (id: bigint) => Promise<void>, RegExp][] = [
      ['garbage', (id) => writeFile(join(dir, keyFileName(id)), randomBytes(300)), /header/],
      ['truncated', (id) => writeFile(join(dir, keyFileName(id)), goodFile.subarray(0, goodFile.length - 40)), /CRC/],
      ['one flipped digit', async (id) => {
        const bad = Buffer.from(goodFile);
        const at = bad.indexOf(goodJson.key as string) + 10;
        bad[at] = bad[at] === 0x30 ? 0x31 : 0x30;
        await writeFile(join(dir, keyFileName(id)), bad);
      }, /CRC/],
      ['a short key', async (id) => { await writeKeyFile(dir, { ...goodJson, id: String(id), key: '00'.repeat(255) }); }, /key/],
      ['expiresAt on a permanent key', async (id) => { await writeKeyFile(dir, { ...goodJson, id: String(id), expiresAt: 5 }); }, /expiresAt/],
      ['an id out of range', async (id) => { await writeKeyFile(dir, { ...goodJson, id: String(1n << 64n) }, keyFileName(id)); }, /id/],
      ['another key\'s file', async (id) => { await writeKeyFile(dir, goodJson, keyFileName(id)); }, /belongs in/],
      ['a malformed session', async (id) => { await writeKeyFile(dir, { ...goodJson, id: String(id), sessions: [1] }); }, /session/],
    ];
    for (const [label, write, reason] of cases) {
      const id = randomId();
      await write(id);
      for (const op of [store.getKey(id), store.claimSession(id, 1n), store.addKey(perm(id)), store.getSalts(id)]) {
        const e = await op.then(() => undefined, (err: unknown) => err);
        expect(e, label).toBeInstanceOf(MtprotoError);
        expect((e as MtprotoError).code, label).toBe('store-corrupt');
        expect((e as MtprotoError).message, label).toContain(keyFileName(id));
        expect((e as MtprotoError).message, label).toMatch(reason);
      }
      expect(await store.sweep(), label).toBe(0); // skipped, not fatal
      await store.deleteKey(id);
      expect(await store.addKey(perm(id)), label).toBe(true);
    }
    expect(await store.getKey(good.id)).toStrictEqual(good);
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('held messages sit in one file per holding session as documented, survive a restart, and a hold writes only its own session\'s file', async () => {
    const dir = await fresh();
    const store = new FileAuthKeyStore({ dir });
    await store.addKey(perm(1n));
    await store.claimSession(1n, -7n);
    await store.claimSession(1n, 5n);
    const m = heldAt(nowSeconds(), 0, -9n, 8);
    const [mc] = copies([m]);
    await store.holdMessages(1n, -7n, [m]);
    const keyJson = async (): Promise<Record<string, unknown>> => {
      const text = await readFile(join(dir, '0000000000000001.key'));
      return JSON.parse(text.subarray(text.indexOf(0x0a) + 1).toString()) as Record<string, unknown>;
    };
    const fileOf = (session: bigint) => join(dir, heldFileName(1n, session));
    expect(heldFileName(1n, -7n)).toBe('0000000000000001.fffffffffffffff9.held');
    expect((await keyJson()).holding).toStrictEqual(['-7']);
    expect((await keyJson())).not.toHaveProperty('held');
    const [line1, line2, line3, rest] = (await readFile(fileOf(-7n))).toString().split('\n');
    expect(rest).toBe('');
    const crc = (line: string) => crc32(Buffer.from(`${line}\n`)).toString(16).padStart(8, '0');
    expect(line1).toBe(`wirecrypt-held 1 ${crc(line2!)} ${crc(line3!)}`);
    expect(JSON.parse(line2!)).toStrictEqual({ authKeyId: '1', session: '-7', messages: [[String(mc!.msgId), 1, '-9', 8]] });
    expect(JSON.parse(line3!)).toStrictEqual([Buffer.from(mc!.body).toString('base64')]);
    expect((await stat(fileOf(-7n))).mode & 0o777).toBe(0o600);

    // Session 5's first hold lists it in the key file; its next holds write its own file only.
    await store.holdMessages(1n, 5n, [heldAt(nowSeconds(), 0)]);
    expect((await keyJson()).holding).toStrictEqual(['-7', '5']);
    const snapshot = async (file: string) => ({ ino: (await stat(file)).ino, bytes: toHex(await readFile(file)) });
    const [keyBefore, otherBefore, ownBefore] = await Promise.all([snapshot(join(dir, '0000000000000001.key')), snapshot(fileOf(-7n)), snapshot(fileOf(5n))]);
    await store.holdMessages(1n, 5n, [heldAt(nowSeconds(), 1)]);
    expect(await snapshot(join(dir, '0000000000000001.key'))).toStrictEqual(keyBefore);
    expect(await snapshot(fileOf(-7n))).toStrictEqual(otherBefore);
    expect((await snapshot(fileOf(5n))).ino).not.toBe(ownBefore.ino); // replaced by a rename
    expect(await store.heldMessages(1n, 5n)).toHaveLength(2);
    await store.close();

    // A restart reads them; releasing everything removes the session's file, not the key file.
    const again = new FileAuthKeyStore({ dir });
    expect(await again.heldMessages(1n, -7n)).toStrictEqual([mc]);
    await again.releaseMessages(1n, -7n, [mc!.msgId]);
    await expect(stat(fileOf(-7n))).rejects.toThrow();
    expect(await snapshot(join(dir, '0000000000000001.key'))).toStrictEqual(keyBefore);
    // dropSession removes the file and unlists the session; deleteKey removes every file of the key.
    expect(await again.dropSession(1n, 5n)).toBe(true);
    await expect(stat(fileOf(5n))).rejects.toThrow();
    expect((await keyJson()).holding).toStrictEqual(['-7']);
    await again.claimSession(1n, 6n);
    await again.holdMessages(1n, 6n, [heldAt(nowSeconds(), 0)]);
    expect((await keyJson()).holding).toStrictEqual(['6']); // -7 (nothing left) pruned as the list grew
    await again.deleteKey(1n);
    expect(await readdir(dir)).toStrictEqual([]);
    await again.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('held files: corruption is reported, an unlisted file is never read, sweep() removes leftovers and expired ones', async () => {
    const dir = await fresh();
    let clock = 2_000_000_000;
    const store = new FileAuthKeyStore({ dir, now: () => clock });
    await store.addKey(perm(2n));
    for (const s of [5n, 6n, 7n]) await store.claimSession(2n, s);
    await store.holdMessages(2n, 5n, [heldAt(clock, 0)]);
    await store.holdMessages(2n, 6n, [heldAt(clock - 10, 0)]);
    // A flipped byte in line 3 is caught by its CRC; in line 2 by the other one (also for the caps).
    const file5 = join(dir, heldFileName(2n, 5n));
    const good = await readFile(file5);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 3] ^= 1;
    await writeFile(file5, flipped);
    expect(await codeOf(store.heldMessages(2n, 5n))).toBe('store-corrupt');
    const flipped2 = Buffer.from(good);
    flipped2[good.indexOf(0x0a) + 5] ^= 1;
    await writeFile(file5, flipped2);
    expect(await codeOf(store.heldMessages(2n, 5n))).toBe('store-corrupt');
    expect(await codeOf(store.holdMessages(2n, 6n, [heldAt(clock, 1)]))).toBe('store-corrupt'); // the caps read 5's line 2
    await writeFile(file5, good);
    // Another session's file does not pass for this one's.
    await writeFile(join(dir, heldFileName(2n, 7n)), good);
    expect(await store.heldMessages(2n, 7n)).toStrictEqual([]); // 7 is not listed: its file is not read
    await writeFile(join(dir, heldFileName(2n, 6n)), good); // says session 5 inside
    expect(await codeOf(store.heldMessages(2n, 6n))).toBe('store-corrupt');
    // dropSession recovers a session; an orphan (7: never listed) and a file of a missing key go at sweep().
    expect(await store.dropSession(2n, 6n)).toBe(true);
    await writeFile(join(dir, heldFileName(3n, 1n)), good);
    expect(await store.sweep()).toBe(0);
    expect((await readdir(dir)).sort()).toStrictEqual([keyFileName(2n), heldFileName(2n, 5n)].sort());
    // Expired: still listed but gone at sweep(); and not counted meanwhile.
    clock += HELD_TTL + 1;
    expect(await store.heldMessages(2n, 5n)).toStrictEqual([]);
    await store.sweep();
    expect(await readdir(dir)).toStrictEqual([keyFileName(2n)]);
    // A key file of the earlier layout (held messages inside it) is read, its `held` ignored.
    await writeKeyFile(dir, { id: '4', key: toHex(randomKey()), temp: false, salts: [], sessions: ['5'], held: { '5': [] } });
    expect(await store.heldMessages(4n, 5n)).toStrictEqual([]);
    await writeKeyFile(dir, { id: '4', key: toHex(randomKey()), temp: false, salts: [], sessions: ['5'], holding: ['6'] });
    expect(await codeOf(store.heldMessages(4n, 5n))).toBe('store-corrupt'); // lists a session never claimed
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('sweep() removes the files of expired temporary keys only', async () => {
    await fresh();
    const store = new FileAuthKeyStore({ dir });
    const live = temp(nowSeconds() + 600);
    await store.addKey({ ...live, key: live.key.slice() });
    const expired = await writeKeyFile(dir, {
      id: String(randomId()), key: toHex(randomKey()), temp: true, expiresAt: nowSeconds() - 1, salts: [], sessions: [],
    });
    expect((await readdir(dir)).sort()).toStrictEqual([keyFileName(live.id), expired].sort());
    expect(await store.sweep()).toBe(1);
    expect(await readdir(dir)).toStrictEqual([keyFileName(live.id)]);
    expect(await store.getKey(live.id)).toStrictEqual(live);
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('concurrent updates of one key are serialized: no claim or salt is lost', async () => {
    await fresh();
    const store = new FileAuthKeyStore({ dir });
    const k = perm();
    await store.addKey(k);
    const now = Math.floor(nowSeconds());
    const salts = Array.from({ length: 10 }, (_, i) => ({ validSince: now + i, validUntil: now + 600, salt: BigInt(i) }));
    const results = await Promise.all([
      ...Array.from({ length: 40 }, (_, i) => store.claimSession(k.id, BigInt(i))),
      ...salts.map((s) => store.addSalts(k.id, [s]).then(() => true)),
      // readers between the writes see a whole file
      ...Array.from({ length: 20 }, () => store.getKey(k.id).then((got) => got !== undefined)),
    ]);
    expect(results.every(Boolean)).toBe(true);
    expect(await store.getSalts(k.id)).toStrictEqual(salts);
    for (let i = 0; i < 40; i++) expect(await store.claimSession(k.id, BigInt(i))).toBe(false);
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('addKey is exclusive between instances (as between processes): link() refuses an existing file', async () => {
    await fresh();
    const stores = [new FileAuthKeyStore({ dir }), new FileAuthKeyStore({ dir })]; // separate locks
    for (let round = 0; round < 10; round++) {
      const id = randomId();
      const keys = Array.from({ length: 8 }, () => perm(id));
      const copies = keys.map((k) => k.key.slice());
      const results = await Promise.all(keys.map((k, i) => stores[i % 2]!.addKey(k)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await stores[1]!.getKey(id))!.key).toStrictEqual(copies[results.indexOf(true)]);
    }
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toStrictEqual([]);
    for (const s of stores) await s.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('an unwritable directory makes operations reject, not crash', async () => {
    if (process.getuid?.() === 0) {
      // root ignores file modes; check the error path with a path that is a file instead
      const root = await fresh();
      await writeFile(join(root, 'file'), '');
      const store = new FileAuthKeyStore({ dir: join(root, 'file') });
      await expect(store.addKey(perm())).rejects.toThrow(/EEXIST|ENOTDIR/);
      await store.close();
      await rm(root, { recursive: true, force: true });
      return;
    }
    const root = await fresh();
    await chmod(root, 0o500);
    const store = new FileAuthKeyStore({ dir: join(root, 'sub') });
    await expect(store.addKey(perm())).rejects.toThrow(/EACCES/);
    await store.close();
    await chmod(root, 0o700);
    await rm(root, { recursive: true, force: true });
  });
});

// ---- the Redis store -----------------------------------------------------------------------------

describe('RedisAuthKeyStore: the fleet', () => {
  it('lays keys out under the prefix as binary hashes, with PEXPIREAT on temporary keys', async () => {
    const redis = await redisClient();
    const prefix = uniquePrefix('layout');
    const store = new RedisAuthKeyStore({ redis, prefix });
    try {
      const every = Uint8Array.from({ length: 256 }, (_, i) => i); // all byte values, invalid UTF-8 included
      const p = perm(-2n, every.slice());
      const expiresAt = Math.floor(nowSeconds()) + 120.5;
      const t = temp(expiresAt, 0x00ff00ff00ff00ffn);
      await store.addKey(p);
      await store.addKey(t);
      await store.claimSession(t.id, 5n);
      await store.addSalts(t.id, [{ validSince: 0, validUntil: Math.floor(expiresAt) + 3600, salt: 1n }]);
      const until = Math.floor(nowSeconds()) + 900;
      await store.addSalts(p.id, [{ validSince: 0, validUntil: until, salt: 1n }, { validSince: 0, validUntil: until - 60, salt: 2n }]);
      await store.claimSession(p.id, 6n);

      const pk = `${prefix}{fffffffffffffffe}`;
      const tk = `${prefix}{00ff00ff00ff00ff}`;
      expect((await redis.keys(`${prefix}*`)).sort()).toStrictEqual(
        [`${pk}:key`, `${pk}:salts`, `${pk}:sessions`, `${tk}:key`, `${tk}:salts`, `${tk}:sessions`].sort(),
      );
      const fields = await redis.hgetallBuffer(`${pk}:key`);
      expect(new Uint8Array(fields.key!)).toStrictEqual(every);
      expect(fields.temp!.toString()).toBe('0');
      expect((await store.getKey(p.id))!.key).toStrictEqual(every);

      const ms = Math.ceil(expiresAt * 1000);
      expect(await redis.call('PEXPIRETIME', `${tk}:key`)).toBe(ms);
      expect(await redis.call('PEXPIRETIME', `${tk}:sessions`)).toBe(ms);
      expect(await redis.call('PEXPIRETIME', `${tk}:salts`)).toBe(ms); // the key goes before its salt would
      expect(await redis.call('PEXPIRETIME', `${pk}:key`)).toBe(-1);
      expect(await redis.call('PEXPIRETIME', `${pk}:sessions`)).toBe(-1);
      expect(await redis.call('PEXPIRETIME', `${pk}:salts`)).toBe(until * 1000);
      const session = Buffer.alloc(8);
      session.writeBigInt64BE(6n);
      expect(await redis.sismember(`${pk}:sessions`, session)).toBe(1);

      // Redis itself drops a temporary key with its sessions and salts at expiresAt.
      const short = temp(nowSeconds() + 0.2, 0x77n);
      await store.addKey(short);
      await store.claimSession(short.id, 1n);
      await store.addSalts(short.id, [{ validSince: 0, validUntil: Math.floor(nowSeconds()) + 60, salt: 1n }]);
      const sk = `${prefix}{0000000000000077}`;
      expect(await redis.exists(`${sk}:key`, `${sk}:sessions`, `${sk}:salts`)).toBe(3);
      await sleep(short.expiresAt! * 1000 + 100 - Date.now());
      expect(await redis.exists(`${sk}:key`, `${sk}:sessions`, `${sk}:salts`)).toBe(0);

      // A hash that is not what the store writes is reported, not returned.
      const bad = `${prefix}{0000000000000005}:key`;
      await redis.hset(bad, 'key', Buffer.alloc(100), 'temp', '0');
      expect(await codeOf(store.getKey(5n))).toBe('store-corrupt');
      await redis.hset(bad, 'key', Buffer.alloc(256), 'temp', '1');
      expect(await codeOf(store.getKey(5n))).toBe('store-corrupt'); // temporary without expiresAt
      await redis.hset(bad, 'temp', 'x');
      expect(await codeOf(store.getKey(5n))).toBe('store-corrupt');
    } finally {
      await store.close();
      await deleteByPrefix(redis, prefix);
    }
  });

  it('held messages: a binary hash per session, expiring HELD_TTL after its newest msg_id and never after its key', async () => {
    const redis = await redisClient();
    const prefix = uniquePrefix('held');
    const store = new RedisAuthKeyStore({ redis, prefix });
    try {
      const now = Math.floor(nowSeconds());
      const p = perm(-2n);
      await store.addKey(p);
      await store.claimSession(p.id, -3n);
      const a = heldAt(now - 5, 0, -7n, 8);
      const b = heldAt(now, 1);
      const [ac, bc] = copies([a, b]);
      await store.holdMessages(p.id, -3n, [a]);
      await store.holdMessages(p.id, -3n, [b]);
      const pk = `${prefix}{fffffffffffffffe}`;
      const hk = `${pk}:held:fffffffffffffffd`;
      expect((await redis.keys(`${prefix}*`)).sort()).toStrictEqual([`${pk}:key`, `${pk}:sessions`, `${pk}:holding`, hk].sort());
      // The holding index: the session's body bytes, expiring with its latest held hash.
      expect(await redis.hgetall(`${pk}:holding`)).toStrictEqual({ fffffffffffffffd: '24' });
      expect(await redis.call('PEXPIRETIME', `${pk}:holding`)).toBe((now + HELD_TTL) * 1000);
      const fields = await redis.hgetallBuffer(hk);
      const field = (id: bigint) => id.toString(16).padStart(16, '0');
      expect(Object.keys(fields).sort()).toStrictEqual([field(ac!.msgId), field(bc!.msgId)].sort());
      const va = fields[field(ac!.msgId)]!;
      expect([va.readUInt32BE(0), va[4], va.readBigInt64BE(5)]).toStrictEqual([1, 1, -7n]);
      expect(new Uint8Array(va.subarray(13))).toStrictEqual(ac!.body);
      const vb = fields[field(bc!.msgId)]!;
      expect([vb.readUInt32BE(0), vb[4], vb.readBigInt64BE(5), vb.length]).toStrictEqual([3, 0, 0n, 13 + 16]);
      expect(await redis.call('PEXPIRETIME', hk)).toBe((now + HELD_TTL) * 1000);

      // A temporary key's held messages go with it.
      const t = temp(now + 60.5, 0x77n);
      await store.addKey(t);
      await store.claimSession(t.id, 1n);
      await store.holdMessages(t.id, 1n, [heldAt(now, 0)]);
      expect(await redis.call('PEXPIRETIME', `${prefix}{0000000000000077}:held:0000000000000001`)).toBe(Math.ceil(t.expiresAt! * 1000));

      // releaseMessages takes the freed bytes off the index; dropSession and deleteKey remove the
      // hashes and their index entries.
      await store.releaseMessages(p.id, -3n, [ac!.msgId]);
      expect(await redis.hgetall(`${pk}:holding`)).toStrictEqual({ fffffffffffffffd: '16' });
      await store.claimSession(p.id, 4n);
      await store.holdMessages(p.id, 4n, [heldAt(now, 0)]);
      expect(await redis.hgetall(`${pk}:holding`)).toStrictEqual({ fffffffffffffffd: '16', '0000000000000004': '16' });
      expect(await store.dropSession(p.id, -3n)).toBe(true);
      expect(await redis.exists(hk)).toBe(0);
      expect(await redis.hgetall(`${pk}:holding`)).toStrictEqual({ '0000000000000004': '16' });
      expect(await redis.exists(`${pk}:held:0000000000000004`)).toBe(1);
      await store.deleteKey(p.id);
      expect(await redis.exists(`${pk}:held:0000000000000004`)).toBe(0);
      expect(await redis.exists(`${pk}:holding`)).toBe(0);

      // A hash that is not what the store writes is reported, not returned.
      await store.addKey(perm(-2n));
      await store.claimSession(-2n, 4n);
      await redis.hset(`${pk}:held:0000000000000004`, 'zz', Buffer.alloc(20));
      expect(await codeOf(store.heldMessages(-2n, 4n))).toBe('store-corrupt');
    } finally {
      await store.close();
      await deleteByPrefix(redis, prefix);
    }
  });

  it('a URL makes the store open its own connection and quit it on close; a client passed in stays open', async () => {
    const redis = await redisClient();
    const prefix = uniquePrefix('conn');
    const name = `wirecrypt-store-test-${process.pid}-${Date.now()}`;
    const url = new URL(await redisUrl());
    url.searchParams.set('connectionName', name);
    const connections = async () => (await redis.client('LIST') as string).split('\n').filter((l) => l.includes(` name=${name} `)).length;
    const owned = new RedisAuthKeyStore({ redis: url.toString(), prefix });
    const k = perm();
    try {
      expect(await owned.addKey({ ...k, key: k.key.slice() })).toBe(true);
      expect(await connections()).toBe(1);
      await owned.close();
      for (let i = 0; i < 50 && (await connections()) > 0; i++) await sleep(20);
      expect(await connections()).toBe(0);

      const shared = new RedisAuthKeyStore({ redis, prefix });
      expect(await shared.getKey(k.id)).toStrictEqual(k);
      await shared.close();
      expect(await redis.ping()).toBe('PONG');
      await expect(shared.getKey(k.id)).rejects.toThrow(TypeError);
    } finally {
      await deleteByPrefix(redis, prefix);
    }
  });

  it('two processes share keys and sessions: every session is new exactly once across the fleet', async () => {
    const redis = await redisClient();
    const prefix = uniquePrefix('fleet');
    const store = new RedisAuthKeyStore({ redis: await redisUrl(), prefix });
    try {
      const parentKey = perm();
      const parentBytes = parentKey.key.slice();
      await store.addKey(parentKey);
      const childKey = perm();
      const contestedId = randomId();
      const contested = [perm(contestedId), perm(contestedId)];
      const contestedBytes = contested.map((c) => c.key.slice());
      const sessions = Array.from({ length: 60 }, (_, i) => BigInt(i) - 30n);

      const { child, lines } = startChild({
        kind: 'redis-share', url: await redisUrl(), prefix, parentId: String(parentKey.id),
        childId: String(childKey.id), childKey: toHex(childKey.key), sessions: sessions.map(String),
        contestedId: String(contestedId), contestedKey: toHex(contested[1]!.key),
      });
      expect((await lines.next()).value).toBe('ready');
      child.stdin!.end('go\n');
      const [mine, mineContested] = await Promise.all([
        Promise.all(sessions.map((s) => store.claimSession(parentKey.id, s))),
        store.addKey(contested[0]!),
      ]);
      const out = JSON.parse((await lines.next()).value as string) as {
        parentKey: string; childAdded: boolean; claims: boolean[]; contested: boolean;
      };
      await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)));

      expect(out.parentKey).toBe(toHex(parentBytes)); // the child read the parent's key
      expect(out.childAdded).toBe(true);
      expect(await store.getKey(childKey.id)).toStrictEqual(childKey); // the parent sees the child's
      expect(out.claims).toHaveLength(sessions.length);
      for (let i = 0; i < sessions.length; i++) expect(Number(mine[i]) + Number(out.claims[i])).toBe(1);
      expect(Number(mineContested) + Number(out.contested)).toBe(1);
      expect((await store.getKey(contestedId))!.key).toStrictEqual(contestedBytes[mineContested ? 0 : 1]);
    } finally {
      await store.close();
      await deleteByPrefix(redis, prefix);
    }
  });
});
