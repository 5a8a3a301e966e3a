// The shortcuts of a large merge (intake.ts, pending.ts settle, log.ts commit) checked against plain
// definitions: the heads are the entries no entry names as parent, the order is (time, writer, CID),
// a block repeated anywhere in a batch is one duplicate, the access check sees the right writer key
// even when it writes into it, and batches longer than one hashing / verification chunk (4,096) lose
// nothing at the chunk edges.
import { expect, it } from 'vitest';
import { wasmProvider } from '../../bindings/index.js';
import { type Entry, WeshLog, writersAccess } from '../../bindings/wesh/log/index.js';
import { forEachProvider } from '../helpers/providers.js';
import { LOG_ID, blocksOf, cidOf, craft, group, hex, openLog, text } from './log-helpers.js';

const byOrder = (p: Entry, q: Entry) => p.clock.time - q.clock.time || Buffer.compare(p.key, q.key) || Buffer.compare(p.cidBytes, q.cidBytes);

/** The heads by definition: entries of `log` that no entry of `log` names, in the total order. */
function headsOf(log: WeshLog): string[] {
  const named = new Set<string>();
  for (const e of log) for (const p of e.next) named.add(p.toString());
  return [...log].filter((e) => !named.has(e.cid.toString())).sort(byOrder).map((e) => e.cid.toString());
}

function expectConsistent(log: WeshLog): void {
  const list = [...log];
  expect(list.map((e) => e.cid.toString())).toEqual(list.slice().sort(byOrder).map((e) => e.cid.toString()));
  expect(log.heads.map((e) => e.cid.toString())).toEqual(headsOf(log));
}

/** A fisher-yates shuffle with a fixed linear congruential generator. */
function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const out = xs.slice();
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

forEachProvider((provider) => {
  it('heads and order after joining many concurrent chains in any order match their definitions', async () => {
    const g = group(provider);
    // 12 replicas append concurrently from one root, meeting twice: in the total order a parent is
    // usually about 12 entries before its child (further than settle() looks before it maps)
    const root = await openLog(g);
    await root.append(text('root'));
    const replicas = await Promise.all(Array.from({ length: 12 }, () => openLog(g)));
    for (const r of replicas) await r.join([...root]);
    for (let phase = 0; phase < 3; phase++) {
      for (let i = 0; i < 4; i++) for (const [w, r] of replicas.entries()) await r.append(text(`${phase}:${w}:${i}`));
      if (phase < 2) for (const r of replicas) await r.join(replicas.flatMap((o) => blocksOf(o)));
    }
    const all = new Map<string, { cid: Uint8Array; bytes: Uint8Array }>();
    for (const r of replicas) for (const b of blocksOf(r)) all.set(hex(b.cid), b);
    const blocks = [...all.values()];
    expect(blocks.length).toBe(1 + 12 * 4 * 3);

    const inOrder = await openLog(g);
    const r1 = await inOrder.join(blocks.map((b) => ({ cid: b.cid, bytes: b.bytes })).sort((p, q) => byOrder(entryOf(replicas, p.cid), entryOf(replicas, q.cid))));
    expect(r1).toMatchObject({ rejected: [], duplicates: 0, held: 0 });
    expect(r1.added.length).toBe(blocks.length);
    expectConsistent(inOrder);

    for (const seed of [1, 2, 3]) {
      const log = await openLog(g);
      const order = shuffled(blocks, seed);
      // in three parts: the first ones often wait for parents (held), and settle with the later ones
      for (const part of [order.slice(0, 50), order.slice(50, 100), order.slice(100)]) {
        const r = await log.join(part.map((b) => b.bytes));
        expect(r.rejected).toEqual([]);
        expectConsistent(log);
      }
      expect(log.pendingCount).toBe(0);
      expect([...log].map((e) => e.cid.toString())).toEqual([...inOrder].map((e) => e.cid.toString()));
    }
  });

  it('counts a block repeated anywhere in a batch as one duplicate, and a refused one as refused once', async () => {
    const g = group(provider);
    const a = await openLog(g);
    for (let i = 0; i < 6; i++) await a.append(text(`m${i}`));
    const b = blocksOf(a);
    const log = await openLog(g);
    // in order with a repeat right after (b[1]), then out of order (b[0], b[3] again)
    const r = await log.join([b[0], b[1], b[1], b[2], b[3], b[0], b[4], b[3], b[5]].map((x) => x.bytes));
    expect(r).toMatchObject({ rejected: [], duplicates: 3 });
    expect(r.added.length).toBe(6);
    const other = craft(provider, g.keyPair.secretKey, { logId: 'other_log', time: 1 });
    const r2 = await (await openLog(g)).join([other.bytes, b[0].bytes, other.bytes]);
    expect(r2.rejected.map((x) => x.error.code)).toEqual(['wrong-log']);
    expect(r2.duplicates).toBe(1);
    expect(r2.added.length).toBe(1);
  });

  it('hands the access check the writer key even when the check writes into it', async () => {
    const g = group(provider);
    const a = await openLog(g);
    for (let i = 0; i < 5; i++) await a.append(text(`m${i}`));
    const pk = g.keyPair.publicKey;
    const seen: string[] = [];
    const access = {
      canWrite(key: Uint8Array) {
        seen.push(hex(key));
        const ok = hex(key) === hex(pk);
        key.fill(0); // a careless controller
        return ok;
      },
    };
    const log = await WeshLog.open({ id: LOG_ID, crypto: g.crypto, access });
    const r = await log.join(blocksOf(a).map((b) => ({ cid: b.cid, bytes: b.bytes })));
    expect(r.rejected).toEqual([]);
    expect(r.added.length).toBe(5);
    expect(seen).toEqual(Array(5).fill(hex(pk)));
    for (const e of log) {
      expect(hex(e.key)).toBe(hex(pk));
      expect(hex(cidOf(e.bytes))).toBe(hex(e.cidBytes)); // the blocks are intact
    }
  });

  it('entry.key is a view of the block, the same object at each read, and clock.id', async () => {
    const g = group(provider);
    const a = await openLog(g);
    await a.append(text('x'));
    const log = await openLog(g);
    await log.join(blocksOf(a).map((b) => b.bytes));
    const e = log.at(0)!;
    expect(hex(e.key)).toBe(hex(g.keyPair.publicKey));
    expect(e.key).toBe(e.key);
    expect(e.key.buffer).toBe(e.bytes.buffer);
    expect(e.key.byteOffset).toBe(e.bytes.byteOffset + 10);
    expect(e.clock.id).toBe(e.key);
  });
});

/** The entry with CID bytes `cid` among the replicas. */
function entryOf(replicas: readonly WeshLog[], cid: Uint8Array): Entry {
  for (const r of replicas) {
    const e = r.get(cid);
    if (e) return e;
  }
  throw new Error('no such entry');
}

it('a batch longer than one chunk (4,096): mismatches, repeats and bad signatures at the chunk edges', async () => {
  const g = group(wasmProvider);
  const a = await openLog(g);
  for (let i = 0; i < 4100; i++) await a.append(text(`m${i}`));
  const blocks = blocksOf(a).map((b) => ({ cid: b.cid, bytes: b.bytes }));
  const inputs: { cid?: Uint8Array; bytes: Uint8Array }[] = blocks.slice();
  // a block announced under the wrong CID at the last place of the first chunk, a repeat at the
  // first place of the second, and a block whose signature does not verify at the very end
  const wrong = inputs[4095].cid!.slice();
  wrong[35] ^= 1;
  inputs.splice(4095, 0, { cid: wrong, bytes: blocks[4094].bytes });
  inputs.splice(4096, 0, { bytes: blocks[17].bytes });
  const forged = craft(wasmProvider, new Uint8Array(32).fill(9), { time: 1, key: g.keyPair.publicKey });
  inputs.push(forged);
  const log = await openLog(g);
  const r = await log.join(inputs);
  expect(r.rejected.map((x) => x.error.code).sort()).toEqual(['bad-signature', 'cid-mismatch']);
  expect(r.duplicates).toBe(1);
  expect(r.added.length).toBe(4100);
  expect(log.length).toBe(4100);
  expect(log.heads.map((e) => e.cid.toString())).toEqual(a.heads.map((e) => e.cid.toString()));
  // and entries handed over as objects (verified in this process) to a third log
  const third = await openLog(g);
  const r3 = await third.join([...log]);
  expect(r3).toMatchObject({ rejected: [], duplicates: 0 });
  expect(third.length).toBe(4100);
}, 60_000);
