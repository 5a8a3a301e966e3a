// The replicated group log (bindings/wesh/log): append and order, merging divergent replicas, ties,
// missing parents, refused entries, replays. On every provider (test/helpers/providers.ts).
import * as dagCbor from '@ipld/dag-cbor';
import { CID } from 'multiformats/cid';
import { describe, expect, it } from 'vitest';
import { WeshLogError, memoryStore, writersAccess, WeshLog } from '../../bindings/wesh/log/index.js';
import { forEachProvider } from '../helpers/providers.js';
import { LOG_ID, blocksOf, cidOf, cids, craft, group, hex, openLog, text } from './log-helpers.js';

forEachProvider((provider) => {
  describe('append and order', () => {
    it('chains entries, advances the clock and keeps the heads', async () => {
      const g = group(provider);
      const log = await openLog(g);
      const a = await log.append(text('one'));
      const b = await log.append(text('two'));
      const c = await log.append(text('three'));
      expect([a, b, c].map((e) => e.clock.time)).toEqual([1, 2, 3]);
      expect(a.next).toEqual([]);
      expect(b.next.map(String)).toEqual([a.cid.toString()]);
      expect(c.nextBytes.map(hex)).toEqual([hex(b.cidBytes)]);
      expect(log.heads.map((e) => e.cid.toString())).toEqual([c.cid.toString()]);
      expect([...log].map((e) => new TextDecoder().decode(e.payload))).toEqual(['one', 'two', 'three']);
      expect(log.length).toBe(3);
      expect(log.time).toBe(3);
      expect(hex(a.key)).toBe(hex(g.keyPair.publicKey));
      expect(hex(a.clock.id)).toBe(hex(g.keyPair.publicKey));
      expect(a.logId).toBe(LOG_ID);
    });

    it('encodes entries as canonical dag-cbor, addressed by CIDv1 sha2-256', async () => {
      const g = group(provider);
      const log = await openLog(g);
      await log.append(text('one'));
      const e = await log.append(text('two'));
      const full = { v: 1, key: e.key, log: LOG_ID, next: e.next.map((c) => CID.asCID(c)!), clock: { id: e.key, time: 2 }, payload: e.payload, signature: e.signature };
      expect(hex(dagCbor.encode(full))).toBe(hex(e.bytes));
      const { signature: _, ...unsigned } = full;
      expect(hex(dagCbor.encode(unsigned))).toBe(hex(e.unsignedBytes()));
      expect(provider.signature('Ed25519').verify(g.keyPair.publicKey, e.unsignedBytes(), e.signature)).toBe(true);
      expect(hex(e.cidBytes)).toBe(hex(cidOf(e.bytes)));
      expect(e.cid.version).toBe(1);
      expect(e.cid.code).toBe(0x71);
      expect(e.cid.multihash.code).toBe(0x12);
    });

    it('iterates from a point and from a time', async () => {
      const log = await openLog(group(provider));
      const es = [];
      for (let i = 0; i < 5; i++) es.push(await log.append(text(`m${i}`)));
      expect([...log.values({ after: es[1].cid })].map((e) => e.cid.toString())).toEqual(es.slice(2).map((e) => e.cid.toString()));
      expect([...log.values({ after: es[4].cidBytes })]).toEqual([]);
      expect([...log.values({ afterTime: 3 })].map((e) => e.clock.time)).toEqual([4, 5]);
      expect(log.indexOf(es[3].cid)).toBe(3);
      expect(log.at(0)?.cid.toString()).toBe(es[0].cid.toString());
      const other = craft(provider, new Uint8Array(32).fill(1), { time: 9 });
      expect(() => [...log.values({ after: other.cid })]).toThrow(RangeError);
    });

    it('refuses to append without a signing key, and after close', async () => {
      const g = group(provider);
      const reader = await WeshLog.open({ id: LOG_ID, crypto: { verify: g.crypto.verify }, access: writersAccess([g.keyPair.publicKey]) });
      await expect(reader.append(text('x'))).rejects.toMatchObject({ code: 'no-signer' });
      const log = await openLog(g);
      await log.close();
      await expect(log.append(text('x'))).rejects.toMatchObject({ code: 'closed' });
      expect(() => reader.append(new Uint8Array(2 ** 20 + 1))).toThrow(RangeError);
      expect(() => reader.append('x' as unknown as Uint8Array)).toThrow(TypeError);
    });
  });

  describe('merge', () => {
    it('two divergent replicas end with the same order and heads', async () => {
      const g = group(provider);
      const a = await openLog(g);
      const b = await openLog(g);
      const root = await a.append(text('root'));
      await b.join([root]);
      for (let i = 0; i < 4; i++) await a.append(text(`a${i}`));
      for (let i = 0; i < 6; i++) await b.append(text(`b${i}`));
      const ra = await a.join(blocksOf(b));
      const rb = await b.join(blocksOf(a));
      expect(ra.added.length).toBe(6);
      expect(rb.added.length).toBe(4);
      expect(ra.rejected).toEqual([]);
      expect(cids(a)).toEqual(cids(b));
      expect(a.heads.map((e) => e.cid.toString())).toEqual(b.heads.map((e) => e.cid.toString()));
      expect(a.heads.length).toBe(2);
      // the order is (time, writer, CID): times 2..5 tie pairwise, broken by CID bytes
      const list = [...a];
      for (let i = 1; i < list.length; i++) {
        const [p, q] = [list[i - 1], list[i]];
        expect(p.clock.time < q.clock.time || (p.clock.time === q.clock.time && Buffer.compare(p.cidBytes, q.cidBytes) < 0)).toBe(true);
      }
      const next = await a.append(text('after'));
      expect(next.clock.time).toBe(8);
      expect(next.next.length).toBe(2);
      expect(a.heads.length).toBe(1);
    });

    it('orders concurrent entries of equal time by CID bytes, on both sides', async () => {
      const g = group(provider);
      const a = await openLog(g);
      const b = await openLog(g);
      const x = await a.append(text('x'));
      const y = await b.append(text('y'));
      expect(x.clock.time).toBe(y.clock.time);
      await a.join([y]);
      await b.join([x]);
      const expected = [x, y].sort((p, q) => Buffer.compare(p.cidBytes, q.cidBytes)).map((e) => e.cid.toString());
      expect(cids(a)).toEqual(expected);
      expect(cids(b)).toEqual(expected);
    });

    it('orders by writer bytes before CID when writers differ', async () => {
      const g = group(provider, 1);
      const h = group(provider, 2);
      const access = writersAccess([g.keyPair.publicKey, h.keyPair.publicKey]);
      const a = await WeshLog.open({ id: LOG_ID, crypto: g.crypto, access });
      const b = await WeshLog.open({ id: LOG_ID, crypto: h.crypto, access });
      const x = await a.append(text('x'));
      const y = await b.append(text('y'));
      await a.join([y]);
      const byWriter = [x, y].sort((p, q) => Buffer.compare(p.key, q.key)).map((e) => e.cid.toString());
      expect(cids(a)).toEqual(byWriter);
    });

    it('accepts Entry objects of another replica without re-verifying them', async () => {
      const g = group(provider);
      const a = await openLog(g);
      for (let i = 0; i < 3; i++) await a.append(text(`m${i}`));
      let calls = 0;
      const counting = { ...g.crypto, verify: (...args: Parameters<typeof g.crypto.verify>) => (calls++, g.crypto.verify(...args)), verifyBatch: undefined };
      const b = await WeshLog.open({ id: LOG_ID, crypto: counting, access: writersAccess([g.keyPair.publicKey]) });
      const r = await b.join(a);
      expect(r.added.length).toBe(3);
      expect(calls).toBe(0);
      expect(cids(b)).toEqual(cids(a));
    });

    it('is idempotent on replays', async () => {
      const g = group(provider);
      const a = await openLog(g);
      for (let i = 0; i < 3; i++) await a.append(text(`m${i}`));
      const store = memoryStore();
      const b = await openLog(g, { store });
      await b.join(blocksOf(a));
      const before = cids(b);
      let writes = 0;
      const write = store.write.bind(store);
      store.write = (batch) => (writes++, write(batch));
      const again = await b.join(blocksOf(a));
      const raw = await b.join(blocksOf(a).map((x) => x.bytes));
      expect(again).toMatchObject({ added: [], rejected: [], duplicates: 3 });
      expect(raw).toMatchObject({ added: [], rejected: [], duplicates: 3 });
      expect(await b.join([...blocksOf(a), ...blocksOf(a)])).toMatchObject({ duplicates: 6 });
      expect(cids(b)).toEqual(before);
      expect(writes).toBe(0);
    });

    it('notifies subscribers of what each change added', async () => {
      const g = group(provider);
      const a = await openLog(g);
      const seen: string[][] = [];
      const off = a.subscribe((added) => seen.push(added.map((e) => new TextDecoder().decode(e.payload))));
      await a.append(text('m0'));
      const b = await openLog(g);
      await b.append(text('n0'));
      await a.join(blocksOf(b));
      off();
      await a.append(text('m1'));
      expect(seen).toEqual([['m0'], ['n0']]);
    });
  });

  describe('missing parents', () => {
    it('holds an entry until its parent arrives', async () => {
      const g = group(provider);
      const a = await openLog(g);
      const p = await a.append(text('parent'));
      const c1 = await a.append(text('child'));
      const c2 = await a.append(text('grandchild'));
      const b = await openLog(g);
      const r = await b.join([c2, c1].map((e) => e.bytes));
      expect(r.added).toEqual([]);
      expect(r.held).toBe(2);
      expect(r.missing.map(String)).toEqual([p.cid.toString()]);
      expect(b.length).toBe(0);
      expect(b.has(c1.cid)).toBe(false);
      expect(b.missing().map(String)).toEqual([p.cid.toString()]);
      const r2 = await b.join([p.bytes]);
      expect(r2.added.map((e) => e.cid.toString())).toEqual([p, c1, c2].map((e) => e.cid.toString()));
      expect(r2).toMatchObject({ held: 0, missing: [] });
      expect(cids(b)).toEqual(cids(a));
      expect(b.heads.map((e) => e.cid.toString())).toEqual([c2.cid.toString()]);
    });

    it('fetches missing parents through the injected fetch()', async () => {
      const g = group(provider);
      const a = await openLog(g);
      for (let i = 0; i < 20; i++) await a.append(text(`m${i}`));
      const fetched: string[] = [];
      const b = await openLog(g, { fetch: async (cid) => (fetched.push(cid.toString()), a.get(cid)?.bytes) });
      const r = await b.join([a.heads[0]]);
      expect(r.added.length).toBe(20);
      expect(fetched.length).toBe(19);
      expect(cids(b)).toEqual(cids(a));
      // a fetch that answers with the wrong block, or fails, leaves the parent missing
      const c = await openLog(g, { fetch: async (cid) => { if (cid.toString() === a.at(17)!.cid.toString()) throw new Error('down'); return a.at(0)!.bytes; } });
      const r3 = await c.join([a.heads[0]]);
      expect(r3.added).toEqual([]);
      expect(r3.rejected.map((x) => x.error.code)).toContain('cid-mismatch');
      expect(r3.missing.length).toBe(1);
    });

    it('bounds the pending set', async () => {
      const g = group(provider);
      const a = await openLog(g);
      await a.append(text('root'));
      const rest = [];
      for (let i = 0; i < 4; i++) rest.push(await a.append(text(`m${i}`)));
      const b = await openLog(g, { maxPending: 2 });
      const r = await b.join(rest);
      expect(r.held).toBe(2);
      expect(r.rejected.map((x) => x.error.code)).toEqual(['pending-full', 'pending-full']);
      expect(b.pendingCount).toBe(2);
    });
  });

  describe('refused entries are not stored', () => {
    async function refused(b: WeshLog, store: ReturnType<typeof memoryStore>, inputs: Parameters<WeshLog['join']>[0], code: string) {
      const r = await b.join(inputs);
      expect(r.added).toEqual([]);
      expect(r.rejected.map((x) => x.error.code)).toEqual([code]);
      expect(r.rejected[0].error).toBeInstanceOf(WeshLogError);
      expect(b.length).toBe(0);
      expect(b.pendingCount).toBe(0);
      expect(store.blocks.size).toBe(0);
    }
    const setup = async () => {
      const g = group(provider);
      const store = memoryStore();
      return { g, store, b: await openLog(g, { store }) };
    };

    it('forged signature', async () => {
      const { g, store, b } = await setup();
      const e = craft(provider, g.keyPair.secretKey, { time: 1 });
      e.bytes[e.bytes.length - 1] ^= 1;
      await refused(b, store, [e.bytes], 'bad-signature');
    });

    it('unknown writer', async () => {
      const { store, b } = await setup();
      await refused(b, store, [craft(provider, new Uint8Array(32).fill(9), { time: 1 }).bytes], 'unknown-writer');
    });

    it('wrong log id', async () => {
      const { g, store, b } = await setup();
      await refused(b, store, [craft(provider, g.keyPair.secretKey, { time: 1, logId: 'a1b2c3_wesh_group_metadata' }).bytes], 'wrong-log');
    });

    it('tampered payload', async () => {
      const { g, store, b } = await setup();
      const e = craft(provider, g.keyPair.secretKey, { time: 1, payload: text('hello') });
      const i = Buffer.from(e.bytes).indexOf('hello');
      e.bytes[i] ^= 0x20;
      await refused(b, store, [e.bytes], 'bad-signature');
    });

    it('CID mismatch', async () => {
      const { g, store, b } = await setup();
      const e = craft(provider, g.keyPair.secretKey, { time: 1 });
      const other = craft(provider, g.keyPair.secretKey, { time: 2 });
      await refused(b, store, [{ cid: other.cid, bytes: e.bytes }], 'cid-mismatch');
      await refused(b, store, [{ cid: new Uint8Array(36), bytes: e.bytes }], 'bad-cid');
    });

    it('a clock not above its parent, and everything below it', async () => {
      const { g, store, b } = await setup();
      const root = craft(provider, g.keyPair.secretKey, { time: 5 });
      await b.join([root.bytes]);
      const stale = craft(provider, g.keyPair.secretKey, { time: 5, next: [root.cid] });
      const below = craft(provider, g.keyPair.secretKey, { time: 6, next: [stale.cid] });
      const r = await b.join([below.bytes, stale.bytes]);
      expect(r.rejected.map((x) => x.error.code).sort()).toEqual(['clock', 'invalid-parent']);
      expect(b.length).toBe(1);
      expect(store.blocks.size).toBe(1);
      expect(b.pendingCount).toBe(0);
    });

    it('one bad entry does not stop the rest of a batch', async () => {
      const { g, b } = await setup();
      const good = craft(provider, g.keyPair.secretKey, { time: 1 });
      const bad = craft(provider, g.keyPair.secretKey, { time: 1, payload: text('zz') });
      bad.bytes[bad.bytes.length - 3] ^= 4;
      const r = await b.join([bad.bytes, good.bytes, new Uint8Array([1, 2, 3])]);
      expect(r.added.length).toBe(1);
      expect(r.rejected.map((x) => x.error.code).sort()).toEqual(['bad-signature', 'malformed']);
    });
  });
});
