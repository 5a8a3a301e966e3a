// The MLS delivery service (issue 13, "Delivery service"): the storage contract run against the
// memory store and the Redis store (a real redis-server, test/helpers/redis.ts), then the service's
// HTTP API over loopback — KeyPackage uploads authenticated by their own signatures, each claimed
// once; framing checks; typed errors — and that the client side bundles for a browser. The group
// scenarios (fifty joins, concurrent commits, catch-up, removal, restore, two processes) are in
// ds-scenarios.test.ts. Suite 3, the wasm provider.
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryClient, type WebSocketConstructor } from '../../bindings/mls/ds/index.js';
import { DeliveryError } from '../../bindings/mls/ds/errors.js';
import { MemoryDeliveryStore } from '../../bindings/mls/ds/memory-store.js';
import { RedisDeliveryStore } from '../../bindings/mls/ds/redis-store.js';
import { DeliveryService } from '../../bindings/mls/ds/service.js';
import type { DeliveryStore, StoreChange } from '../../bindings/mls/ds/store.js';
import { toHex } from '../../bindings/mls/ds/wire.js';
import { createGroup, createKeyPackage } from '../../bindings/mls/index.js';
import { decodeMlsMessage, encodeMlsMessage } from '../../bindings/mls/messages/mls-message.js';
import { dsBrowserBundle } from '../helpers/ds-bundle.js';
import { deleteByPrefix, redisUrl, uniquePrefix } from '../helpers/redis.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const e = await promise.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(DeliveryError);
  return (e as DeliveryError).code;
}

// ---- the storage contract ---------------------------------------------------------------------------

interface Backend {
  readonly name: string;
  /** A fresh, empty store; `now` is its clock. Two calls with `shared` give two handles on one state. */
  make(now?: () => number, shared?: string): Promise<DeliveryStore>;
}

const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);
const msg = (epoch: number, type: 'commit' | 'proposal' | 'application', tag = '') => ({ epoch: BigInt(epoch), type, data: bytes(`${type}@${epoch}${tag}`) });

function contract(backend: Backend): void {
  describe(`storage contract: ${backend.name}`, () => {
    const stores: DeliveryStore[] = [];
    const make = async (now?: () => number, shared?: string) => {
      const s = await backend.make(now, shared);
      stores.push(s);
      return s;
    };
    afterAll(async () => {
      for (const s of stores) await s.close();
    });

    it('KeyPackages: FIFO per installation, each handed out once, bytes intact', async () => {
      const s = await make();
      await s.addKeyPackage('aa', ALL_BYTES);
      await s.addKeyPackage('aa', bytes('second'));
      await s.addKeyPackage('bb', bytes('other'));
      expect(hex((await s.takeKeyPackage('aa'))!)).toBe(hex(ALL_BYTES));
      expect(new TextDecoder().decode(await s.takeKeyPackage('aa'))).toBe('second');
      expect(await s.takeKeyPackage('aa')).toBeUndefined();
      expect(new TextDecoder().decode(await s.takeKeyPackage('bb'))).toBe('other');
      expect(await s.takeKeyPackage('cc')).toBeUndefined();
    });

    it('KeyPackages: twenty concurrent claims of one get it exactly once', async () => {
      const s = await make();
      await s.addKeyPackage('aa', bytes('only'));
      const got = await Promise.all(Array.from({ length: 20 }, () => s.takeKeyPackage('aa')));
      expect(got.filter((k) => k !== undefined)).toHaveLength(1);
    });

    it('KeyPackages: the oldest go beyond the cap, and expire after their TTL', async () => {
      let t = 1_800_000_000_000;
      const s = await make(() => t);
      for (let i = 0; i < 70; i++) await s.addKeyPackage('aa', bytes(`kp${i}`)); // default cap 64
      expect(new TextDecoder().decode(await s.takeKeyPackage('aa'))).toBe('kp6');
      await s.addKeyPackage('bb', bytes('old'));
      t += 91 * 86_400_000; // past the default 90 days
      await s.addKeyPackage('bb', bytes('new'));
      expect(new TextDecoder().decode(await s.takeKeyPackage('bb'))).toBe('new');
      expect(await s.takeKeyPackage('bb')).toBeUndefined();
    });

    it('a log: the first message sets the epoch; a Commit moves it; seqs count from 1', async () => {
      const s = await make();
      expect(await s.read('g1', 0, 10)).toEqual({ entries: [], epoch: undefined, seq: 0 });
      expect(await s.append('g1', msg(5, 'application'))).toEqual({ accepted: true, seq: 1, epoch: 5n });
      expect(await s.append('g1', msg(5, 'proposal'))).toEqual({ accepted: true, seq: 2, epoch: 5n });
      expect(await s.append('g1', msg(5, 'commit'))).toEqual({ accepted: true, seq: 3, epoch: 6n });
      expect(await s.append('g1', msg(6, 'application'))).toEqual({ accepted: true, seq: 4, epoch: 6n });
      const page = await s.read('g1', 0, 10);
      expect(page.epoch).toBe(6n);
      expect(page.seq).toBe(4);
      expect(page.entries.map((e) => [e.seq, e.epoch, e.type, new TextDecoder().decode(e.data)])).toEqual([
        [1, 5n, 'application', 'application@5'], [2, 5n, 'proposal', 'proposal@5'], [3, 5n, 'commit', 'commit@5'], [4, 6n, 'application', 'application@6'],
      ]);
      expect((await s.read('g1', 2, 1)).entries.map((e) => e.seq)).toEqual([3]);
      expect((await s.read('g1', 4, 10)).entries).toEqual([]);
      expect((await s.read('g2', 0, 10)).epoch).toBeUndefined();
    });

    it('a second Commit for an epoch is refused, as are old and future epochs; nothing is written', async () => {
      const s = await make();
      await s.append('g', msg(0, 'commit', 'a'));
      expect(await s.append('g', msg(0, 'commit', 'b'))).toEqual({ accepted: false, reason: 'epoch-conflict', epoch: 1n, seq: 1 });
      expect(await s.append('g', msg(0, 'application'))).toEqual({ accepted: false, reason: 'stale-epoch', epoch: 1n, seq: 1 });
      expect(await s.append('g', msg(0, 'proposal'))).toEqual({ accepted: false, reason: 'stale-epoch', epoch: 1n, seq: 1 });
      expect(await s.append('g', msg(2, 'commit'))).toEqual({ accepted: false, reason: 'epoch-ahead', epoch: 1n, seq: 1 });
      expect(await s.append('g', msg(7, 'application'))).toEqual({ accepted: false, reason: 'epoch-ahead', epoch: 1n, seq: 1 });
      const page = await s.read('g', 0, 10);
      expect(page.entries.map((e) => new TextDecoder().decode(e.data))).toEqual(['commit@0a']);
    });

    it('first Commit wins among thirty concurrent ones, on two handles of one store', async () => {
      const prefix = backend.name === 'redis' ? uniquePrefix('ds-race') : undefined;
      const a = await make(undefined, prefix);
      const b = prefix === undefined ? a : await make(undefined, prefix);
      await a.append('race', msg(3, 'commit', 'first'));
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).append('race', msg(4, 'commit', `#${i}`))));
      const won = results.filter((r) => r.accepted);
      expect(won).toHaveLength(1);
      expect(won[0]).toMatchObject({ seq: 2, epoch: 5n });
      for (const r of results) if (!r.accepted) expect(r).toMatchObject({ reason: 'epoch-conflict', epoch: 5n, seq: 2 });
      expect((await b.read('race', 0, 10)).entries).toHaveLength(2);
    });

    it('a Welcome lands in its mailboxes only with an accepted Commit; cursors move on', async () => {
      const s = await make();
      expect(await s.readWelcomes('i1', undefined, 10)).toEqual([]);
      await s.append('g', msg(0, 'commit'), { data: ALL_BYTES, to: ['i1', 'i2', 'i1'] });
      expect(await s.append('g', msg(0, 'commit', 'late'), { data: bytes('lost'), to: ['i1'] })).toMatchObject({ accepted: false });
      await s.append('g', msg(1, 'commit'), { data: bytes('w2'), to: ['i1'] });
      const box = await s.readWelcomes('i1', undefined, 10);
      expect(box.map((w) => [w.group, w.seq])).toEqual([['g', 1], ['g', 2]]);
      expect(hex(box[0]!.data)).toBe(hex(ALL_BYTES));
      expect(await s.readWelcomes('i1', box[0]!.cursor, 10)).toEqual([box[1]]);
      expect(await s.readWelcomes('i1', box[1]!.cursor, 10)).toEqual([]);
      expect(await s.readWelcomes('i1', undefined, 1)).toEqual([box[0]]);
      expect((await s.readWelcomes('i2', undefined, 10)).map((w) => w.seq)).toEqual([1]);
    });

    it('Welcomes expire after their TTL', async () => {
      const day = 86_400_000;
      let t = Date.now();
      const s = await make(() => t);
      await s.append('g', msg(0, 'commit'), { data: bytes('w'), to: ['i9'] });
      expect(await s.readWelcomes('i9', undefined, 10)).toHaveLength(1);
      t += 31 * day;
      expect(await s.readWelcomes('i9', undefined, 10)).toEqual([]);
    });

    it('watch() tells of every change, from any handle', async () => {
      const prefix = backend.name === 'redis' ? uniquePrefix('ds-watch') : undefined;
      const a = await make(undefined, prefix);
      const b = prefix === undefined ? a : await make(undefined, prefix);
      const seen: StoreChange[] = [];
      const stop = await a.watch((c) => seen.push(c));
      await b.append('gw', msg(0, 'commit'), { data: bytes('w'), to: ['iw'] });
      for (let i = 0; i < 100 && seen.length < 2; i++) await sleep(10);
      expect(seen).toEqual(expect.arrayContaining([{ kind: 'group', id: 'gw' }, { kind: 'welcome', id: 'iw' }]));
      stop();
    });
  });
}

contract({ name: 'memory', make: async (now) => new MemoryDeliveryStore(now !== undefined ? { now } : {}) });

describe('with Redis', () => {
  let url: string;
  let redis: Redis;
  const prefixes: string[] = [];
  beforeAll(async () => {
    url = await redisUrl();
    redis = new Redis(url);
  });
  afterAll(async () => {
    for (const p of prefixes) await deleteByPrefix(redis, p);
    redis.disconnect();
  });
  contract({
    name: 'redis',
    make: async (now, shared) => {
      const prefix = shared ?? uniquePrefix('ds');
      prefixes.push(prefix);
      return new RedisDeliveryStore({ redis: url, prefix, ...(now !== undefined ? { now } : {}) });
    },
  });

  it('Redis layout: the log is a stream with seq ids, the group head a hash', async () => {
    const prefix = uniquePrefix('ds-layout');
    prefixes.push(prefix);
    const s = new RedisDeliveryStore({ redis, prefix });
    await s.append('ab', msg(0, 'commit'));
    await s.append('ab', msg(1, 'application'));
    expect(await redis.xlen(`${prefix}g:ab`)).toBe(2);
    expect((await redis.xrange(`${prefix}g:ab`, '-', '+')).map(([id]) => id)).toEqual(['1-0', '2-0']);
    expect(await redis.hgetall(`${prefix}gm:ab`)).toEqual({ epoch: '1', seq: '2' });
    await s.close();
    expect(redis.status).toBe('ready'); // a client passed in stays open
  });
});

// ---- the service's API ------------------------------------------------------------------------------

describe('a Redis-backed service restarted', () => {
  it('loses nothing acknowledged, and a subscribed client resumes from its cursor', async () => {
    const url = await redisUrl();
    const redis = new Redis(url);
    const prefix = uniquePrefix('ds-restart');
    const firstStore = new RedisDeliveryStore({ redis: url, prefix });
    const first = new DeliveryService({ store: firstStore });
    const { port, url: base } = await first.listen();
    const client = new DeliveryClient({ url: base, WebSocket: WebSocket as unknown as WebSocketConstructor, reconnectDelayMs: 50 });
    const group = createGroup({ identity: bytes('grace') });
    const seen: number[] = [];
    let wake = () => {};
    client.subscribe(group.groupId, 0, (messages) => {
      for (const m of messages) seen.push(m.seq);
      wake();
    });
    const until = (n: number) => new Promise<void>((resolve) => {
      wake = () => { if (seen.length >= n) resolve(); };
      wake();
    });
    const acked: number[] = [];
    for (let i = 0; i < 3; i++) acked.push((await client.publish(group.groupId, group.encrypt(bytes(`m${i}`)))).seq);
    await until(3);
    await first.close();
    await firstStore.close(); // a store passed in stays the caller's
    const secondStore = new RedisDeliveryStore({ redis: url, prefix });
    const second = new DeliveryService({ store: secondStore });
    await second.listen({ port }); // same address: the client's WebSocket reconnects to it
    expect((await client.messages(group.groupId)).messages.map((m) => m.seq)).toEqual(acked);
    for (let i = 3; i < 5; i++) acked.push((await client.publish(group.groupId, group.encrypt(bytes(`m${i}`)))).seq);
    await until(5);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    client.close();
    await second.close();
    await secondStore.close();
    await deleteByPrefix(redis, prefix);
    redis.disconnect();
  });
});

describe('DeliveryService API', () => {
  let service: DeliveryService;
  let base: string;
  let client: DeliveryClient;
  beforeAll(async () => {
    service = new DeliveryService();
    base = (await service.listen()).url;
    client = new DeliveryClient({ url: base, WebSocket: WebSocket as unknown as WebSocketConstructor });
  });
  afterAll(async () => {
    client.close();
    await service.close();
  });

  it('a KeyPackage upload names its installation by its signature key; claims hand each out once, in order', async () => {
    const a = createKeyPackage({ identity: bytes('alice') });
    const a2 = createKeyPackage({ identity: bytes('alice'), signatureKey: a.secrets.keys().signaturePrivateKey });
    const b = createKeyPackage({ identity: bytes('bob') });
    const ia = await client.uploadKeyPackage(a.keyPackage);
    expect(ia).toBe(hex(a.secrets.keyPackage.leafNode.signatureKey));
    expect(await client.uploadKeyPackage(a2.keyPackage)).toBe(ia);
    const ib = await client.uploadKeyPackage(b.keyPackage);
    const claimed = await client.claimKeyPackages([ib, ia, 'ff', ia, ia]);
    expect(claimed.map((k) => (k === undefined ? undefined : hex(k)))).toEqual([hex(b.keyPackage), hex(a.keyPackage), undefined, hex(a2.keyPackage), undefined]);
  });

  it('an upload is refused unless the KeyPackage authenticates itself', async () => {
    const { keyPackage } = createKeyPackage({ identity: bytes('carol') });
    const tampered = keyPackage.slice();
    tampered[tampered.length - 1]! ^= 1; // the KeyPackage signature
    expect(await codeOf(client.uploadKeyPackage(tampered))).toBe('invalid-key-package');
    // Another installation's key in the leaf: both signatures then fail under it.
    const m = decodeMlsMessage(keyPackage);
    const other = createKeyPackage({ identity: bytes('mallory') });
    if (m.kind !== 'mls_key_package') throw new Error('unreachable');
    const swapped = encodeMlsMessage({ kind: 'mls_key_package', keyPackage: { ...m.keyPackage, leafNode: { ...m.keyPackage.leafNode, signatureKey: other.secrets.keyPackage.leafNode.signatureKey } } });
    expect(await codeOf(client.uploadKeyPackage(swapped))).toBe('invalid-key-package');
    expect(await codeOf(client.uploadKeyPackage(bytes('not a key package')))).toBe('invalid-key-package');
    const expired = createKeyPackage({ identity: bytes('dave'), lifetime: { notBefore: 0n, notAfter: 1000n } });
    expect(await codeOf(client.uploadKeyPackage(expired.keyPackage))).toBe('invalid-key-package');
  });

  it('group messages: public framing checked, nothing else accepted', async () => {
    const group = createGroup({ identity: bytes('erin') });
    const { commit } = group.commit({ update: true });
    const other = toHex(new Uint8Array(32).fill(7));
    expect(await codeOf(client.publish(other, commit))).toBe('invalid-message');
    expect(await codeOf(client.publish(group.groupId, createKeyPackage({ identity: bytes('x') }).keyPackage))).toBe('invalid-message');
    expect(await codeOf(client.publish(group.groupId, bytes('garbage')))).toBe('invalid-message');
    expect(await codeOf(client.publish(group.groupId, commit, { data: bytes('no welcome'), to: ['aa'] }))).toBe('invalid-welcome');
    const app = group.encrypt(bytes('hi'));
    expect(await codeOf(client.publish(group.groupId, app, { data: bytes('x'), to: ['aa'] }))).toBe('invalid-welcome');
    expect(await client.publish(group.groupId, commit)).toEqual({ seq: 1, epoch: 1n });
    const e = await client.publish(group.groupId, commit).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DeliveryError);
    expect((e as DeliveryError).code).toBe('epoch-conflict');
    expect((e as DeliveryError).epoch).toBe(1n);
    expect(await codeOf(client.publish(group.groupId, app))).toBe('stale-epoch');
    const log = await client.messages(group.groupId);
    expect(log.messages.map((m) => [m.seq, m.epoch, m.type, hex(m.data)])).toEqual([[1, 0n, 'commit', hex(commit)]]);
    expect(log.epoch).toBe(1n);
  });

  it('malformed requests get typed errors', async () => {
    const post = (path: string, body: string) => fetch(base + path, { method: 'POST', body });
    const bad = await post('/v1/key-packages/claim', '{nope');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('bad-request');
    expect((await fetch(`${base}/v1/nothing`)).status).toBe(404);
    expect((await fetch(`${base}/v1/groups/XYZ/messages`)).status).toBe(400);
    expect((await fetch(`${base}/v1/groups/ab/messages?after=-1`)).status).toBe(400);
    expect((await fetch(`${base}/v1/welcomes/ab?after=zz`)).status).toBe(400);
    const small = new DeliveryService({ maxBodyBytes: 1000 });
    const { url } = await small.listen();
    const big = await fetch(`${url}/v1/key-packages`, { method: 'POST', body: new Uint8Array(5000) as BodyInit });
    expect(big.status).toBe(413);
    expect(await codeOf(new DeliveryClient({ url }).uploadKeyPackage(new Uint8Array(5000)))).toBe('too-large');
    await small.close();
    expect(await codeOf(new DeliveryClient({ url }).claimKeyPackages(['aa']))).toBe('network');
    const options = await fetch(`${base}/v1/key-packages`, { method: 'OPTIONS' });
    expect(options.status).toBe(204);
    expect(options.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('a WebSocket subscription pushes the log from a cursor, in order, then each new entry', async () => {
    const group = createGroup({ identity: bytes('frank') });
    const sent: Uint8Array[] = [];
    for (let i = 0; i < 3; i++) {
      const m = group.encrypt(bytes(`m${i}`));
      sent.push(m);
      await client.publish(group.groupId, m);
    }
    const seen: number[] = [];
    const done = new Promise<void>((resolve) => {
      const sub = client.subscribe(group.groupId, 1, (messages) => {
        for (const m of messages) seen.push(m.seq);
        if (seen.length === 3) {
          sub.close();
          resolve();
        }
      });
    });
    await sleep(50);
    const m = group.encrypt(bytes('m3'));
    await client.publish(group.groupId, m);
    await done;
    expect(seen).toEqual([2, 3, 4]);
  });
});

describe('DeliveryClient in a browser bundle', () => {
  it('bundles for the browser platform with no Node module', async () => {
    const text = await dsBrowserBundle();
    expect(text).not.toMatch(/from ["']node:|require\(["']node:/);
    expect(text).not.toMatch(/(?:from\s*|require\()["'](?:ws|ioredis)["']/);
    expect(text).toContain('WebSocket');
    expect(text.length).toBeLessThan(40_000); // bytes only: no MLS and no engine inside
  });
});
