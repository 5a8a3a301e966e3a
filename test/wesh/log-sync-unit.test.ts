// The pieces of /wesh/log-sync/1.0.0 without a network: WeshLog.entriesNotIn against a naive
// reachability walk, the message codec's strictness, the session proofs and tags, the frame reader's
// limits and the session queue's bounds.
import * as dagCbor from '@ipld/dag-cbor';
import { describe, expect, it } from 'vitest';
import { wasmProvider } from '../../bindings/provider/wasm.js';
import type { Entry, WeshLog } from '../../bindings/wesh/log/index.js';
import { logSyncProof, logSyncSessionTag, logSyncTag } from '../../bindings/wesh/node/log-sync.js';
import { WeshSyncError, decodeMessage, encodeMessage, frameOf, readFrames } from '../../bindings/wesh/node/sync-codec.js';
import { SyncSession, type SyncStream } from '../../bindings/wesh/node/sync-session.js';
import { LOG_ID, cidOf, group, openLog, text } from './log-helpers.js';

const g = group(wasmProvider, 3);

/** Every entry of `log` that is not in `heads` or reachable from them (the slow way). */
function naiveNotIn(log: WeshLog, heads: Entry[]): string[] {
  const seen = new Set<string>();
  const stack = heads.filter((h) => log.has(h.cidBytes)).map((h) => h.k);
  while (stack.length > 0) {
    const k = stack.pop()!;
    if (seen.has(k)) continue;
    seen.add(k);
    const e = [...log].find((x) => x.k === k)!;
    stack.push(...e.nextKeys);
  }
  return [...log].filter((e) => !seen.has(e.k)).map((e) => e.cid.toString());
}

describe('WeshLog.entriesNotIn', () => {
  it('is the set of entries not reachable from the heads, in the total order', async () => {
    const a = await openLog(g);
    for (let i = 0; i < 5; i++) await a.append(text(`root ${i}`));
    const b = await openLog(g);
    await b.join(a);
    const c = await openLog(g);
    await c.join(a);
    for (let i = 0; i < 7; i++) await a.append(text(`a ${i}`));
    for (let i = 0; i < 4; i++) await b.append(text(`b ${i}`));
    for (let i = 0; i < 3; i++) await c.append(text(`c ${i}`));
    await a.join(b); // a now has two heads (a's chain and b's)
    for (let i = 0; i < 2; i++) await a.append(text(`a2 ${i}`));
    for (const peer of [b, c]) {
      const got = a.entriesNotIn(peer.heads.map((e) => e.cid)).map((e) => e.cid.toString());
      expect(got).toEqual(naiveNotIn(a, peer.heads));
      // what the peer lacks, as blocks, joins in one go
      const r = await peer.join(a.entriesNotIn(peer.heads.map((e) => e.cidBytes)).map((e) => ({ cid: e.cidBytes, bytes: e.bytes })));
      expect(r.rejected).toEqual([]);
      expect(r.held).toBe(0);
    }
    // every ancestor heads subset
    for (const e of a) expect(a.entriesNotIn([e.cid]).map((x) => x.cid.toString())).toEqual(naiveNotIn(a, [e]));
  });

  it('empty heads → everything; our heads → nothing; unknown heads and non-CIDs are ignored', async () => {
    const a = await openLog(g);
    for (let i = 0; i < 6; i++) await a.append(text(`x ${i}`));
    expect(a.entriesNotIn([]).map((e) => e.k)).toEqual([...a].map((e) => e.k));
    expect(a.entriesNotIn(a.heads.map((e) => e.cid))).toEqual([]);
    const unknown = cidOf(text('not an entry of this log'));
    expect(a.entriesNotIn([unknown, new Uint8Array(3)]).length).toBe(6);
    expect(a.entriesNotIn([unknown, ...a.heads.map((e) => e.cidBytes)])).toEqual([]);
  });
});

describe('sync messages', () => {
  const tag = new Uint8Array(32).fill(9);
  const cid = cidOf(text('x'));

  it('round-trips the four messages', () => {
    for (const m of [
      { type: 'hello' as const, nonce: tag },
      { type: 'proofs' as const, proofs: [tag, tag] },
      { type: 'heads' as const, tag, heads: [cid] },
      { type: 'blocks' as const, tag, blocks: [text('abc')] },
    ]) expect(decodeMessage(encodeMessage(m))).toEqual(m);
  });

  it('refuses anything but the exact layouts with WeshSyncError(malformed)', () => {
    const bad: unknown[] = [
      { type: 'hi', tags: [] },
      { type: 'hello', nonce: tag, extra: 1 },
      { type: 'hello' },
      { type: 'hello', tags: [tag] }, // the old hello, with stable tags
      { type: 'hello', nonce: tag.subarray(1) },
      { type: 'hello', nonce: [tag] },
      { type: 'proofs', proofs: [] },
      { type: 'proofs', proofs: [tag.subarray(1)] },
      { type: 'proofs', proofs: tag },
      { type: 'proofs', proofs: new Array(4097).fill(tag) },
      { type: 'proofs', proofs: [tag], tag },
      { type: 'heads', tag, heads: [cid.subarray(1)] },
      { type: 'heads', tag: tag.subarray(2), heads: [] },
      { type: 'heads', tag, heads: 'x' },
      { type: 'blocks', tag, blocks: [] },
      { type: 'blocks', tag, blocks: [new Uint8Array(0)] },
      { type: 'blocks', tag, blocks: [1] },
      [1, 2],
      'text',
      { type: 'heads', tag, heads: new Array(1025).fill(cid) },
    ];
    for (const v of bad) expect(() => decodeMessage(dagCbor.encode(v))).toThrow(WeshSyncError);
    const good = encodeMessage({ type: 'heads', tag, heads: [cid] });
    const trailing = new Uint8Array(good.length + 1);
    trailing.set(good);
    for (const body of [trailing, good.subarray(0, good.length - 1), Uint8Array.of(0xff), Uint8Array.of(0xbf, 0xff)]) {
      expect(() => decodeMessage(body)).toThrow(WeshSyncError);
    }
    // the same map with its keys out of canonical order (hand-encoded: "heads" before "tag")
    const heads = dagCbor.encode({ heads: [cid] }).subarray(1);
    const tagField = dagCbor.encode({ tag }).subarray(1);
    const typeField = dagCbor.encode({ type: 'heads' }).subarray(1);
    const reordered = Uint8Array.from([0xa3, ...heads, ...tagField, ...typeField]);
    expect(() => decodeMessage(reordered)).toThrow(WeshSyncError);
    for (let i = 0; i < 2000; i++) {
      const junk = wasmProvider.randomBytes(1 + (i % 64));
      try {
        decodeMessage(junk);
      } catch (e) {
        expect(e).toBeInstanceOf(WeshSyncError);
      }
    }
  });

  it('the local tag is HMAC-SHA256(link key, label ‖ log id) and differs per key and per log', () => {
    const k1 = new Uint8Array(32).fill(1);
    const t = logSyncTag(wasmProvider, k1, LOG_ID);
    const expected = wasmProvider.hmac('SHA-256', k1, text(`wesh/log-sync/tag${LOG_ID}`));
    expect(t).toEqual(expected);
    expect(logSyncTag(wasmProvider, new Uint8Array(32).fill(2), LOG_ID)).not.toEqual(t);
    expect(logSyncTag(wasmProvider, k1, `${LOG_ID}x`)).not.toEqual(t);
    expect(() => logSyncTag(wasmProvider, new Uint8Array(0), LOG_ID)).toThrow(TypeError);
  });

  it('session tags and proofs: the documented HMAC inputs, bound to the key, the log, both nonces (in order) and the peer id', () => {
    const k = new Uint8Array(32).fill(1);
    const d = new Uint8Array(32).fill(0xd0), l = new Uint8Array(32).fill(0x10);
    const pidA = text('peer A multihash'), pidB = text('peer B multihash');
    const id = text(LOG_ID);
    const u32 = Uint8Array.of(0, 0, id.length >> 8, id.length & 0xff);
    const cat = (...xs: Uint8Array[]) => Uint8Array.from(xs.flatMap((x) => [...x]));
    const tag = logSyncSessionTag(wasmProvider, k, LOG_ID, d, l);
    expect(tag).toEqual(wasmProvider.hmac('SHA-256', k, cat(text('wesh/log-sync/session'), u32, id, d, l)));
    const proofA = logSyncProof(wasmProvider, k, LOG_ID, d, l, pidA);
    expect(proofA).toEqual(wasmProvider.hmac('SHA-256', k, cat(text('wesh/log-sync/proof'), u32, id, d, l, pidA)));
    const all = [
      tag, proofA,
      logSyncProof(wasmProvider, k, LOG_ID, d, l, pidB), // another peer: an echo or a relayed proof does not match
      logSyncProof(wasmProvider, k, LOG_ID, l, d, pidA), // the nonces swapped
      logSyncProof(wasmProvider, k, LOG_ID, d, wasmProvider.randomBytes(32), pidA), // another session
      logSyncProof(wasmProvider, new Uint8Array(32).fill(2), LOG_ID, d, l, pidA),
      logSyncProof(wasmProvider, k, `${LOG_ID}x`, d, l, pidA),
      logSyncSessionTag(wasmProvider, k, LOG_ID, l, d),
    ].map((x) => Buffer.from(x).toString('hex'));
    expect(new Set(all).size).toBe(all.length);
    expect(() => logSyncProof(wasmProvider, k, LOG_ID, d, l, new Uint8Array(0))).toThrow(TypeError);
    expect(() => logSyncSessionTag(wasmProvider, k, LOG_ID, d.subarray(1), l)).toThrow(TypeError);
  });
});

describe('sync session queue', () => {
  /** A stream whose sink never pulls (a peer that does not read) and whose source never ends. */
  function stuckStream(): SyncStream {
    return {
      source: { [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<Uint8Array>>(() => undefined) }) },
      sink: () => new Promise<void>(() => undefined),
      close: async () => undefined,
      abort: () => undefined,
    };
  }
  const options = (closed: (WeshSyncError | undefined)[]) => ({
    peer: 'p', outbound: true, maxMessage: 1 << 20, maxQueuedBytes: 1000, maxForcedBytes: 10_000, maxForcedFrames: 50,
    onMessage: () => undefined, onClose: (_s: SyncSession, err?: WeshSyncError) => void closed.push(err),
  });

  it('a replaced or cancelled producer leaves the queue at once (and with it what it holds)', () => {
    const closed: (WeshSyncError | undefined)[] = [];
    const s = new SyncSession(stuckStream(), options(closed));
    s.start();
    const big = () => [new Uint8Array(100_000)][Symbol.iterator]();
    for (let i = 0; i < 10_000; i++) s.sendLazy('catch-up', big());
    expect(s.queuedItems).toBe(1);
    for (let i = 0; i < 1000; i++) s.sendLazy(`log ${i}`, big());
    expect(s.queuedItems).toBe(1001);
    for (let i = 0; i < 1000; i++) s.cancel(`log ${i}`);
    expect(s.queuedItems).toBe(1);
    expect(s.hasLazy('catch-up')).toBe(true);
    expect(closed).toEqual([]);
    void s.close();
  });

  it('ready frames stop at maxQueuedBytes; forced frames have hard caps that close the session', () => {
    const closed: (WeshSyncError | undefined)[] = [];
    const s = new SyncSession(stuckStream(), options(closed));
    s.start();
    let accepted = 0;
    for (let i = 0; i < 100; i++) if (s.send(new Uint8Array(100))) accepted++;
    expect(accepted).toBeLessThanOrEqual(11);
    expect(s.queuedBytes).toBeLessThan(1200);
    let forced = 0;
    for (let i = 0; i < 100; i++) if (s.send(new Uint8Array(10), true)) forced++;
    expect(forced).toBe(50);
    expect(s.closed).toBe(true);
    expect(closed.map((e) => e?.code)).toEqual(['abuse']);
    expect(s.queuedItems).toBe(0);
  });
});

describe('frame reader', () => {
  async function* chunks(...cs: Uint8Array[]) {
    yield* cs;
  }
  const collect = async (src: AsyncIterable<Uint8Array>, max = 1 << 20) => {
    const out: Uint8Array[] = [];
    for await (const f of readFrames(src, max)) out.push(f);
    return out;
  };
  const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof WeshSyncError ? e.code : `other: ${String(e)}`));

  it('reassembles frames split anywhere and several per chunk', async () => {
    const bodies = [text('a'), new Uint8Array(300).fill(7), new Uint8Array(20_000).fill(1)];
    const all = Uint8Array.from(bodies.flatMap((b) => [...frameOf(b)]));
    for (const cut of [1, 2, 3, 150, 301, 305, all.length - 1]) {
      expect(await collect(chunks(all.subarray(0, cut), all.subarray(cut)))).toEqual(bodies);
    }
    const single = [...all].map((x) => Uint8Array.of(x));
    expect(await collect(chunks(...single))).toEqual(bodies);
  });

  it('refuses an oversize length from the header alone, a non-minimal length, an empty frame and truncation', async () => {
    expect(await codeOf(collect(chunks(frameOf(new Uint8Array(1025))), 1024))).toBe('oversize');
    expect(await codeOf(collect(chunks(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x7f)), 1 << 22))).toBe('oversize');
    expect(await codeOf(collect(chunks(Uint8Array.of(0x81, 0x00, 0x00))))).toBe('oversize');
    expect(await codeOf(collect(chunks(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80))))).toBe('oversize');
    expect(await codeOf(collect(chunks(Uint8Array.of(0x00))))).toBe('malformed');
    expect(await codeOf(collect(chunks(Uint8Array.of(0x05, 1, 2))))).toBe('truncated');
    expect(await codeOf(collect(chunks(Uint8Array.of(0x85))))).toBe('truncated');
  });
});
