// Log storage: reopening from a memory or LevelDB store with the same heads and order, torn writes
// detected and dropped on open (heads recomputed), durability of a resolved append.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryStore, openLevelStore } from '../../bindings/wesh/log/index.js';
import { forEachProvider } from '../helpers/providers.js';
import { blocksOf, cids, group, openLog, text } from './log-helpers.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'wesh-log-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const heads = (log: { heads: { cid: { toString(): string } }[] }) => log.heads.map((e) => e.cid.toString());

forEachProvider((provider) => {
  it('reopens from a memory store', async () => {
    const g = group(provider);
    const store = memoryStore();
    const a = await openLog(g, { store });
    for (let i = 0; i < 5; i++) await a.append(text(`m${i}`));
    const b = await openLog(g, { store, verifyOnOpen: true });
    expect(cids(b)).toEqual(cids(a));
    expect(heads(b)).toEqual(heads(a));
    expect(b.openReport).toEqual({ dropped: 0, headsRepaired: false, held: 0 });
  });

  describe('LevelDB', () => {
    it('reopens with the same heads and order, and continues the clock', async () => {
      const g = group(provider);
      const dir = tempDir();
      const a = await openLog(g, { store: await openLevelStore(dir) });
      const other = await openLog(g);
      await a.append(text('root'));
      for (let i = 0; i < 3; i++) await other.append(text(`o${i}`));
      for (let i = 0; i < 4; i++) await a.append(text(`a${i}`));
      await a.join(blocksOf(other));
      const order = cids(a);
      const h = heads(a);
      expect(h.length).toBe(2);
      await a.close();
      const b = await openLog(g, { store: await openLevelStore(dir) });
      expect(cids(b)).toEqual(order);
      expect(heads(b)).toEqual(h);
      expect(b.openReport).toEqual({ dropped: 0, headsRepaired: false, held: 0 });
      const next = await b.append(text('after restart'));
      expect(next.clock.time).toBe(6);
      expect(next.next.length).toBe(2);
      await b.close();
    });

    it('keeps several logs apart in one database with prefixes', async () => {
      const g = group(provider);
      const dir = tempDir();
      const s1 = await openLevelStore(dir, { prefix: 'log-one/' });
      const a = await openLog(g, { store: s1 });
      await a.append(text('one'));
      await a.close();
      const s2 = await openLevelStore(dir, { prefix: 'log-two/' });
      const b = await openLog(g, { store: s2 });
      expect(b.length).toBe(0);
      await b.close();
    });

    it('an append is on disk when it resolves', async () => {
      const g = group(provider);
      const dir = tempDir();
      const store = await openLevelStore(dir);
      const a = await openLog(g, { store });
      const e = await a.append(text('durable'));
      await store.close(); // no further write from the log; what is there was written by append
      const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
      const key = new Uint8Array([0x62, ...e.cidBytes]);
      expect(Buffer.from((await db.get(key))!).equals(Buffer.from(e.bytes))).toBe(true);
      expect(Buffer.from((await db.get(new Uint8Array([0x68])))!).equals(Buffer.from(e.cidBytes))).toBe(true);
      await db.close();
    });

    it('drops torn writes on open and recomputes the heads', async () => {
      const g = group(provider);
      const dir = tempDir();
      const a = await openLog(g, { store: await openLevelStore(dir) });
      const es = [];
      for (let i = 0; i < 6; i++) es.push(await a.append(text(`m${i}`)));
      await a.close();
      const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
      // the last block truncated (a torn append), garbage under a made-up CID key, a truncated key,
      // and a heads record cut in the middle of a CID
      await db.put(new Uint8Array([0x62, ...es[5].cidBytes]), es[5].bytes.subarray(0, 40));
      const fake = es[0].cidBytes.slice();
      fake[10] ^= 0xff;
      await db.put(new Uint8Array([0x62, ...fake]), new Uint8Array(300).fill(0xa7));
      await db.put(new Uint8Array([0x62, ...es[1].cidBytes.subarray(0, 20)]), es[1].bytes);
      await db.put(new Uint8Array([0x68]), es[5].cidBytes.subarray(0, 30));
      await db.close();

      const b = await openLog(g, { store: await openLevelStore(dir) });
      expect(b.openReport).toEqual({ dropped: 3, headsRepaired: true, held: 0 });
      expect(cids(b)).toEqual(es.slice(0, 5).map((e) => e.cid.toString()));
      expect(heads(b)).toEqual([es[4].cid.toString()]);
      // repaired on disk: a second open finds nothing wrong
      await b.close();
      const c = await openLog(g, { store: await openLevelStore(dir) });
      expect(c.openReport).toEqual({ dropped: 0, headsRepaired: false, held: 0 });
      // and the lost entry can come back from a peer
      await c.join([es[5]]);
      expect(heads(c)).toEqual([es[5].cid.toString()]);
      await c.close();
    });

    it('keeps stored entries whose parent was torn, held until the parent comes back', async () => {
      const g = group(provider);
      const dir = tempDir();
      const a = await openLog(g, { store: await openLevelStore(dir) });
      const es = [];
      for (let i = 0; i < 4; i++) es.push(await a.append(text(`m${i}`)));
      await a.close();
      const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
      await db.put(new Uint8Array([0x62, ...es[1].cidBytes]), new Uint8Array(0));
      await db.close();
      const b = await openLog(g, { store: await openLevelStore(dir) });
      expect(b.openReport).toEqual({ dropped: 1, headsRepaired: true, held: 2 });
      expect(cids(b)).toEqual([es[0].cid.toString()]);
      expect(b.missing().map(String)).toEqual([es[1].cid.toString()]);
      const r = await b.join([es[1].bytes]);
      expect(r.added.length).toBe(3);
      expect(cids(b)).toEqual(es.map((e) => e.cid.toString()));
      await b.close();
    });
  });
});
