// Replication of WeshLogs over /wesh/log-sync/1.0.0 between real js-libp2p peers on 127.0.0.1
// (TCP + Noise + Yamux + identify), wasm provider: divergent logs converge in one round trip,
// appends propagate, a partition heals through a relaying peer, a peer without the link key gets
// nothing (not by echoing our proofs, not by relaying between two members, and what it sees is
// different in every session), a hostile peer's garbage, oversize frames and forged blocks change
// nothing and refused blocks end its session, a peer that floods heads and does not read costs a
// bounded queue and is disconnected, and a LevelDB-backed replica keeps what it received.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Libp2p } from 'libp2p';
import type { Multiaddr } from '@multiformats/multiaddr';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { wasmProvider } from '../../bindings/provider/wasm.js';
import { type WeshLog, openLevelStore } from '../../bindings/wesh/log/index.js';
import { LOG_SYNC_PROTOCOL, LogSync, type SyncMessage, WeshSyncError, logSyncProof, logSyncSessionTag } from '../../bindings/wesh/node/log-sync.js';
import { createPeer } from '../../bindings/wesh/node/peer.js';
import { type Chunk, decodeMessage, encodeMessage, frameOf, readFrames } from '../../bindings/wesh/node/sync-codec.js';
import { LOG_ID, cids, craft, group, openLog, text } from './log-helpers.js';
import { until } from './wait.js';

const g = group(wasmProvider, 5);
const LINK_KEY = new Uint8Array(32).fill(0x4b);

interface Node {
  node: Libp2p;
  sync: LogSync;
  errors: Error[];
}

const started: Node[] = [];
const logs: WeshLog[] = [];

async function node(options: { autoConnect?: boolean } = {}): Promise<Node> {
  const n = await createPeer();
  const errors: Error[] = [];
  const sync = new LogSync(n, { provider: wasmProvider, onError: (e) => void errors.push(e), autoConnect: options.autoConnect });
  await sync.start();
  const x = { node: n, sync, errors };
  started.push(x);
  return x;
}

async function log(): Promise<WeshLog> {
  const l = await openLog(g);
  logs.push(l);
  return l;
}

/** Polls `check` every 10 ms until it holds; fails after `ms`. */
/** A pushable async iterable (a sink source we can feed over time). */
function pushable() {
  const queue: Uint8Array[] = [];
  let wake: (() => void) | null = null;
  let ended = false;
  return {
    push(...xs: Uint8Array[]) {
      queue.push(...xs);
      wake?.();
    },
    end() {
      ended = true;
      wake?.();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        while (queue.length > 0) yield queue.shift()!;
        if (ended) return;
        await new Promise<void>((r) => (wake = r));
        wake = null;
      }
    },
  };
}

/**
 * A raw session from `from` (a bare libp2p peer, no LogSync) to `to`, speaking the frames itself:
 * reads the victim's hello, then keeps reading into `received` (unless `read` is false: then it
 * never reads again); `send` queues messages; `proof` / `tag` are what a holder of `linkKey` computes.
 */
async function rawSession(from: Libp2p, to: Multiaddr, options: { read?: boolean; nonce?: Uint8Array } = {}) {
  const stream = await from.dialProtocol(to, LOG_SYNC_PROTOCOL);
  const out = pushable();
  void stream.sink(out).catch(() => undefined);
  const frames = readFrames(stream.source as AsyncIterable<Chunk>, 8 << 20)[Symbol.asyncIterator]();
  const first = await frames.next();
  const hello = decodeMessage(first.value as Uint8Array);
  if (hello.type !== 'hello') throw new Error('the first message is not hello');
  const nonce = options.nonce ?? wasmProvider.randomBytes(32);
  const received: SyncMessage[] = [hello];
  let ended = false;
  if (options.read !== false) {
    void (async () => {
      try {
        for (;;) {
          const r = await frames.next();
          if (r.done) break;
          received.push(decodeMessage(r.value));
        }
      } catch {
        // reset
      }
      ended = true;
    })();
  }
  const me = from.peerId.toMultihash().bytes;
  return {
    received, theirNonce: hello.nonce, nonce,
    get ended() {
      return ended;
    },
    send: (...ms: SyncMessage[]) => out.push(...ms.map((m) => frameOf(encodeMessage(m)))),
    hello: () => out.push(frameOf(encodeMessage({ type: 'hello', nonce }))),
    proof: (linkKey: Uint8Array, logId = LOG_ID) => logSyncProof(wasmProvider, linkKey, logId, nonce, hello.nonce, me),
    tag: (linkKey: Uint8Array, logId = LOG_ID) => logSyncSessionTag(wasmProvider, linkKey, logId, nonce, hello.nonce),
    end: () => out.end(),
  };
}

/** Every 32-byte byte string inside decoded messages. */
function bytes32(ms: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (v instanceof Uint8Array) {
      if (v.length === 32) out.push(Buffer.from(v).toString('hex'));
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(ms);
  return out;
}

const sameAs = (a: WeshLog, b: WeshLog) => a.length === b.length && cids(a).join() === cids(b).join();
const headsOf = (l: WeshLog) => l.heads.map((e) => e.cid.toString());

afterEach(async () => {
  await Promise.all(started.splice(0).map(async (x) => {
    await x.sync.close();
    await x.node.stop();
  }));
  await Promise.all(logs.splice(0).map((l) => l.close()));
});
afterAll(async () => {
  await Promise.all(started.map((x) => x.node.stop()));
});

describe('log-sync between two peers', () => {
  it('divergent logs connect and end with identical ordered entries and heads, in one round trip', async () => {
    const [a, b] = [await node(), await node()];
    const la = await log(), lb = await log();
    for (let i = 0; i < 10; i++) await la.append(text(`common ${i}`));
    await lb.join(la);
    for (let i = 0; i < 20; i++) await la.append(text(`a ${i}`));
    for (let i = 0; i < 25; i++) await lb.append(text(`b ${i}`));
    a.sync.addLog(la, LINK_KEY);
    b.sync.addLog(lb, LINK_KEY);
    await a.sync.connect(b.node.getMultiaddrs()[0]);
    await until(() => la.length === 55 && lb.length === 55, 'both logs to hold 55 entries');
    expect(cids(la)).toEqual(cids(lb));
    expect(headsOf(la)).toEqual(headsOf(lb));
    expect(la.heads).toHaveLength(2);
    // one round trip: each side sent what the other lacked; the heads' sample of older entries keeps
    // the resent common part small (the peer's heads alone are unknown after a divergence)
    expect(a.sync.stats.blocksSent).toBeGreaterThanOrEqual(20);
    expect(a.sync.stats.blocksSent).toBeLessThanOrEqual(20 + 25 / 4 + 1);
    expect(b.sync.stats.blocksSent).toBeGreaterThanOrEqual(25);
    expect(b.sync.stats.blocksSent).toBeLessThanOrEqual(25 + 20 / 4 + 1);
    expect(b.sync.stats.duplicates).toBe(a.sync.stats.blocksSent - 20);
    expect(a.sync.stats.duplicates).toBe(b.sync.stats.blocksSent - 25);
    expect(a.sync.stats.messagesReceived + b.sync.stats.messagesReceived).toBe(8); // hello, proofs, heads, blocks each way
    expect(a.sync.peers()).toEqual([b.node.peerId.toString()]);
    expect(b.sync.sharedWith(lb)).toEqual([a.node.peerId.toString()]);
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  it('appends after the connection propagate both ways (stream opened by identify on dial)', async () => {
    const [a, b] = [await node(), await node()];
    const la = await log(), lb = await log();
    a.sync.addLog(la, LINK_KEY);
    b.sync.addLog(lb, LINK_KEY);
    await a.node.dial(b.node.getMultiaddrs()[0]); // autoConnect: the dialler opens the stream
    await until(() => a.sync.sharedWith(la).length === 1 && b.sync.sharedWith(lb).length === 1, 'the log to be shared');
    for (let i = 0; i < 5; i++) await la.append(text(`a ${i}`));
    await until(() => lb.length === 5, 'b to receive a\'s appends');
    const tasks = [];
    for (let i = 0; i < 5; i++) tasks.push(lb.append(text(`b ${i}`)), la.append(text(`a' ${i}`)));
    await Promise.all(tasks);
    await until(() => la.length === 15 && lb.length === 15, 'both to hold 15');
    expect(cids(la)).toEqual(cids(lb));
    expect(headsOf(la)).toEqual(headsOf(lb));
    // a log registered later is exchanged too
    const la2 = await openLog(g, { id: `${LOG_ID}-2` }), lb2 = await openLog(g, { id: `${LOG_ID}-2` });
    logs.push(la2, lb2);
    await la2.append(text('second log'));
    await lb2.append(text('second log, other side'));
    a.sync.addLog(la2, LINK_KEY);
    b.sync.addLog(lb2, LINK_KEY);
    await until(() => la2.length === 2 && lb2.length === 2, 'the second log to sync');
    expect(cids(la2)).toEqual(cids(lb2));
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  it('streams opened by both sides at once settle on one (the smaller opener\'s) and sync', async () => {
    const [a, b] = [await node({ autoConnect: false }), await node({ autoConnect: false })];
    const la = await log(), lb = await log();
    await la.append(text('a'));
    await lb.append(text('b'));
    a.sync.addLog(la, LINK_KEY);
    b.sync.addLog(lb, LINK_KEY);
    await Promise.all([a.sync.connect(b.node.getMultiaddrs()[0]), b.sync.connect(a.node.getMultiaddrs()[0])]);
    await until(() => la.length === 2 && lb.length === 2, 'both to hold 2');
    await until(() => a.sync.peers().length === 1 && b.sync.peers().length === 1, 'one session each');
    expect(a.sync.stats.sessionsOpened).toBe(2); // ours and theirs; one was closed on both sides
    expect(b.sync.stats.sessionsOpened).toBe(2);
    for (let i = 0; i < 5; i++) await la.append(text(`more ${i}`));
    await until(() => lb.length === 7, 'b to hold 7');
    expect(cids(la)).toEqual(cids(lb));
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  it('a peer whose queue is full misses pushes, then catches up through heads once it drains', async () => {
    const a = await (async () => {
      const n = await createPeer();
      const errors: Error[] = [];
      const sync = new LogSync(n, { provider: wasmProvider, onError: (e) => void errors.push(e), maxQueuedBytes: 1, chunkBytes: 2048 });
      await sync.start();
      const x = { node: n, sync, errors };
      started.push(x);
      return x;
    })();
    const b = await node();
    const la = await log(), lb = await log();
    a.sync.addLog(la, LINK_KEY);
    b.sync.addLog(lb, LINK_KEY);
    await b.sync.connect(a.node.getMultiaddrs()[0]);
    await until(() => a.sync.sharedWith(la).length === 1, 'the log to be shared');
    await Promise.all(Array.from({ length: 60 }, (_, i) => la.append(text(`burst ${i}`))));
    await until(() => lb.length === 60, 'b to catch up');
    expect(cids(lb)).toEqual(cids(la));
    expect(a.sync.stats.dropped).toBeGreaterThan(0);
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  it('sync.close() ends the sessions on both sides and leaves the node working', async () => {
    const [a, b] = [await node(), await node()];
    const la = await log(), lb = await log();
    a.sync.addLog(la, LINK_KEY);
    b.sync.addLog(lb, LINK_KEY);
    await a.sync.connect(b.node.getMultiaddrs()[0]);
    await la.append(text('one'));
    await until(() => lb.length === 1, 'b to receive');
    await a.sync.close();
    expect(a.sync.peers()).toEqual([]);
    await until(() => b.sync.peers().length === 0, 'b to see the session end');
    await la.append(text('after close'));
    await expect(a.sync.connect(b.node.getMultiaddrs()[0])).rejects.toBeInstanceOf(WeshSyncError);
    expect(lb.length).toBe(1);
    expect([...a.errors, ...b.errors]).toEqual([]);
  });
});

describe('log-sync with three peers', () => {
  it('a partition heals through a relay: C appends offline, reconnects to B only, all converge', async () => {
    const [a, b, c] = [await node(), await node(), await node()];
    const [la, lb, lc] = [await log(), await log(), await log()];
    a.sync.addLog(la, LINK_KEY);
    b.sync.addLog(lb, LINK_KEY);
    c.sync.addLog(lc, LINK_KEY);
    await a.sync.connect(b.node.getMultiaddrs()[0]);
    await c.sync.connect(b.node.getMultiaddrs()[0]);
    await la.append(text('root'));
    await until(() => lb.length === 1 && lc.length === 1, 'the root to reach everyone');
    // partition: C leaves
    await c.node.hangUp(b.node.peerId);
    await until(() => c.sync.peers().length === 0 && b.sync.peers().length === 1, 'C to be disconnected');
    for (let i = 0; i < 8; i++) {
      await la.append(text(`a ${i}`));
      await lb.append(text(`b ${i}`));
      await lc.append(text(`c ${i}`));
    }
    await until(() => la.length === 17 && lb.length === 17, 'A and B to exchange');
    expect(lc.length).toBe(9);
    // C comes back, to B only
    await c.sync.connect(b.node.getMultiaddrs()[0]);
    await until(() => [la, lb, lc].every((l) => l.length === 25), 'all three to hold 25');
    expect(cids(la)).toEqual(cids(lb));
    expect(cids(lc)).toEqual(cids(lb));
    expect(headsOf(lc)).toEqual(headsOf(la));
    expect(a.sync.peers()).toEqual([b.node.peerId.toString()]);
    for (const x of [a, b, c]) expect(x.sync.stats.rejected).toBe(0);
  });
});

describe('log-sync and outsiders', () => {
  it('a peer without the link key gets nothing (no heads, no blocks for unmatched tags)', async () => {
    const [a, m] = [await node(), await node()];
    const la = await log(), lm = await log();
    for (let i = 0; i < 5; i++) await la.append(text(`secret ${i}`));
    a.sync.addLog(la, LINK_KEY);
    m.sync.addLog(lm, new Uint8Array(32).fill(0x99)); // same log id and writer, another link key
    // a control log both know, to know when the exchange is over
    const ca = await openLog(g, { id: 'control' }), cm = await openLog(g, { id: 'control' });
    logs.push(ca, cm);
    await ca.append(text('control'));
    a.sync.addLog(ca, LINK_KEY);
    m.sync.addLog(cm, LINK_KEY);
    await m.sync.connect(a.node.getMultiaddrs()[0]);
    await until(() => cm.length === 1, 'the control log to sync');
    await cm.append(text('control back'));
    await until(() => ca.length === 2, 'the control log to sync back');
    await la.append(text('secret after'));
    await ca.append(text('control 3'));
    await until(() => cm.length === 3, 'the control push');
    expect(lm.length).toBe(0);
    expect(a.sync.stats.blocksSent).toBe(2); // the two control entries
    expect(a.sync.sharedWith(la)).toEqual([]);
    expect(m.sync.sharedWith(lm)).toEqual([]);
    expect(m.sync.stats.ignored).toBe(0); // not even heads for the secret log
  });

  it('garbage, oversize frames and forged blocks from a hostile peer: nothing stored, the peer keeps working', async () => {
    const [a, b] = [await node(), await node()];
    const la = await log(), lb = await log();
    a.sync.addLog(la, LINK_KEY);
    b.sync.addLog(lb, LINK_KEY);
    await la.append(text('genuine'));
    const evil = await createPeer();
    try {
      const send = async (frames: Uint8Array[]) => {
        const stream = await evil.dialProtocol(a.node.getMultiaddrs()[0], LOG_SYNC_PROTOCOL);
        await stream.sink((async function* () {
          yield* frames;
        })()).catch(() => undefined);
        return stream;
      };
      // 1. a frame whose body is not a message
      await send([frameOf(wasmProvider.randomBytes(100))]);
      await until(() => a.errors.some((e) => (e as WeshSyncError).code === 'malformed'), 'a to refuse garbage');
      // 2. a frame announcing 64 MiB
      await send([Uint8Array.of(0x80, 0x80, 0x80, 0x20), new Uint8Array(1000)]);
      await until(() => a.errors.some((e) => (e as WeshSyncError).code === 'oversize'), 'a to refuse an oversize frame');
      // 3. a message before hello, and a second hello
      const abuses = () => a.errors.filter((e) => (e as WeshSyncError).code === 'abuse').length;
      await send([frameOf(encodeMessage({ type: 'proofs', proofs: [new Uint8Array(32)] }))]);
      await until(() => abuses() === 1, 'a to refuse proofs before hello');
      await send([frameOf(encodeMessage({ type: 'hello', nonce: new Uint8Array(32) })), frameOf(encodeMessage({ type: 'hello', nonce: new Uint8Array(32) }))]);
      await until(() => abuses() === 2, 'a to refuse a second hello');
      // 4. from a peer that holds the link key: blocks signed by another key, with a broken
      //    signature, of another log, and bytes that are no entry
      const other = group(wasmProvider, 77);
      const forged = craft(wasmProvider, other.keyPair.secretKey, { time: 1, key: g.keyPair.publicKey, payload: text('forged') });
      const tampered = craft(wasmProvider, g.keyPair.secretKey, { time: 1, payload: text('tampered') });
      tampered.bytes[tampered.bytes.length - 1] ^= 1;
      const wrongLog = craft(wasmProvider, g.keyPair.secretKey, { time: 1, logId: 'another log' });
      const child = craft(wasmProvider, g.keyPair.secretKey, { time: 2, next: [forged.cid] });
      const blocks = [forged.bytes, tampered.bytes, wrongLog.bytes, text('not an entry'), child.bytes];
      const x = await rawSession(evil, a.node.getMultiaddrs()[0]);
      x.hello();
      x.send({ type: 'proofs', proofs: [x.proof(LINK_KEY)] });
      await until(() => a.sync.sharedWith(la).length === 1, 'the log to be shared with the key holder');
      x.send({ type: 'blocks', tag: x.tag(LINK_KEY), blocks });
      await until(() => a.sync.stats.rejected >= 4, 'a to reject the forged blocks');
      expect(la.length).toBe(1);
      expect(cids(la)).toHaveLength(1);
      expect(la.pendingCount).toBeLessThanOrEqual(1); // the child of a refused block may wait, never enters
      // 5. heads / blocks under a tag that is not this session's tag of a shared log are ignored
      //    (among them the tag of another session)
      const ignored = a.sync.stats.ignored;
      x.send({ type: 'blocks', tag: new Uint8Array(32), blocks: [child.bytes] });
      x.send({ type: 'heads', tag: logSyncSessionTag(wasmProvider, LINK_KEY, LOG_ID, wasmProvider.randomBytes(32), x.theirNonce), heads: [] });
      await until(() => a.sync.stats.ignored >= ignored + 2, 'a to ignore unknown tags');
      expect(x.ended).toBe(false); // a few refused blocks do not end the session
      x.end();
      // the honest peer is unaffected
      await b.sync.connect(a.node.getMultiaddrs()[0]);
      await until(() => lb.length === 1, 'b to get the genuine entry');
      await lb.append(text('from b'));
      await until(() => la.length === 2, 'a to get b\'s append');
      expect(cids(la)).toEqual(cids(lb));
      expect(a.errors.every((e) => e instanceof WeshSyncError)).toBe(true);
    } finally {
      await evil.stop();
    }
  });
});

describe('log-sync proofs: the log stays with those who hold its link key', () => {
  it('a peer that echoes every frame back gets no heads and no blocks, and sees different values in every session', async () => {
    const a = await node();
    const la = await log();
    for (let i = 0; i < 5; i++) await la.append(text(`secret ${i}`));
    a.sync.addLog(la, LINK_KEY);
    const evil = await createPeer();
    try {
      const seen: SyncMessage[][] = [];
      for (let round = 0; round < 2; round++) {
        // a pure echo: everything a sends comes back, as is (with the old stable tags, this was
        // enough to download every log)
        const stream = await evil.dialProtocol(a.node.getMultiaddrs()[0], LOG_SYNC_PROTOCOL);
        const got: SyncMessage[] = [];
        const echo = pushable();
        void stream.sink(echo).catch(() => undefined);
        void (async () => {
          try {
            for await (const body of readFrames(stream.source as AsyncIterable<Chunk>, 8 << 20)) {
              got.push(decodeMessage(body));
              echo.push(frameOf(body));
            }
          } catch {
            // reset
          }
        })();
        await until(() => got.length >= 2, 'hello and proofs');
        await new Promise((r) => setTimeout(r, 300));
        expect(got.map((m) => m.type)).toEqual(['hello', 'proofs']);
        expect(a.sync.sharedWith(la)).toEqual([]);
        seen.push(got);
        echo.end();
        await stream.close().catch(() => undefined);
      }
      expect(a.sync.stats.blocksSent).toBe(0);
      // nothing stable: no 32-byte value of the first session appears in the second
      const first = new Set(bytes32(seen[0]));
      expect(first.size).toBeGreaterThan(0);
      expect(bytes32(seen[1]).filter((v) => first.has(v))).toEqual([]);
    } finally {
      await evil.stop();
    }
  });

  it('a relay between two members (forwarding every frame both ways) learns nothing and makes them share nothing', async () => {
    const [a, b] = [await node({ autoConnect: false }), await node({ autoConnect: false })];
    const la = await log(), lb = await log();
    await la.append(text('a secret'));
    await lb.append(text('b secret'));
    a.sync.addLog(la, LINK_KEY);
    b.sync.addLog(lb, LINK_KEY);
    const relay = await createPeer();
    const seen: SyncMessage[] = [];
    try {
      // a dials the relay, which dials b: both sessions get the same two nonces (a's as the
      // dialer's, b's as the listener's), so only the peer id in the proof tells them apart
      const tap = (source: AsyncIterable<Chunk>, sink: { sink(s: AsyncIterable<Uint8Array>): Promise<void> }) => {
        const out = pushable();
        void sink.sink(out).catch(() => undefined);
        void (async () => {
          try {
            for await (const body of readFrames(source, 8 << 20)) {
              seen.push(decodeMessage(body));
              out.push(frameOf(body));
            }
          } catch {
            // reset
          }
          out.end();
        })();
      };
      await relay.handle(LOG_SYNC_PROTOCOL, async ({ stream: fromA }) => {
        const toB = await relay.dialProtocol(b.node.getMultiaddrs()[0], LOG_SYNC_PROTOCOL);
        tap(fromA.source as AsyncIterable<Chunk>, toB);
        tap(toB.source as AsyncIterable<Chunk>, fromA);
      });
      await a.sync.connect(relay.getMultiaddrs()[0]);
      await until(() => seen.filter((m) => m.type === 'proofs').length >= 2, 'both sides\' proofs through the relay');
      await new Promise((r) => setTimeout(r, 500));
      expect(seen.map((m) => m.type).sort()).toEqual(['hello', 'hello', 'proofs', 'proofs']);
      expect(a.sync.sharedWith(la)).toEqual([]);
      expect(b.sync.sharedWith(lb)).toEqual([]);
      expect([la.length, lb.length]).toEqual([1, 1]);
      // while a direct session shares the log at once
      await a.sync.connect(b.node.getMultiaddrs()[0]);
      await until(() => la.length === 2 && lb.length === 2, 'a and b to sync directly');
    } finally {
      await relay.stop();
    }
  });

  it('a peer whose blocks keep being refused is disconnected (maxRefusedBlocks)', async () => {
    const a = await node();
    const la = await log();
    a.sync.addLog(la, LINK_KEY);
    const evil = await createPeer();
    try {
      const x = await rawSession(evil, a.node.getMultiaddrs()[0]);
      x.hello();
      x.send({ type: 'proofs', proofs: [x.proof(LINK_KEY)] });
      await until(() => a.sync.sharedWith(la).length === 1, 'the log to be shared');
      const other = group(wasmProvider, 78);
      // blocks signed by a key that is not a writer of the log, 16 per message
      for (let m = 0; m < 8 && !x.ended; m++) {
        const blocks = Array.from({ length: 16 }, (_, i) => craft(wasmProvider, other.keyPair.secretKey, { time: 1, key: other.keyPair.publicKey, payload: text(`forged ${m} ${i}`) }).bytes);
        x.send({ type: 'blocks', tag: x.tag(LINK_KEY), blocks });
        await new Promise((r) => setTimeout(r, 50));
      }
      await until(() => x.ended, 'the session to be closed');
      expect(a.sync.stats.sessionsClosedForAbuse).toBe(1);
      expect(a.sync.stats.rejected).toBeGreaterThanOrEqual(64);
      expect(a.sync.stats.rejected).toBeLessThan(128); // it stopped reading once over the limit
      expect(a.errors.map((e) => (e as WeshSyncError).code)).toEqual(['abuse']);
      expect(la.length).toBe(0);
    } finally {
      await evil.stop();
    }
  });

  it('a key holder that floods heads and does not read: the queue stays bounded, the session is closed', async () => {
    const a = await node();
    const la = await log();
    for (let i = 0; i < 1500; i++) await la.append(new Uint8Array(200).fill(i & 0xff));
    a.sync.addLog(la, LINK_KEY);
    const evil = await createPeer();
    try {
      const x = await rawSession(evil, a.node.getMultiaddrs()[0], { read: false });
      x.hello();
      x.send({ type: 'proofs', proofs: [x.proof(LINK_KEY)] });
      await until(() => a.sync.sharedWith(la).length === 1, 'the log to be shared');
      // heads [] = "I have nothing": each one would be a catch-up of the whole log
      let peakItems = 0, peakBytes = 0;
      const sample = setInterval(() => {
        const st = a.sync.stats;
        peakItems = Math.max(peakItems, st.queuedItems);
        peakBytes = Math.max(peakBytes, st.queuedBytes);
      }, 1);
      try {
        for (let i = 0; i < 2000 && a.sync.peers().length > 0; i += 100) {
          for (let j = 0; j < 100; j++) x.send({ type: 'heads', tag: x.tag(LINK_KEY), heads: [] });
          await new Promise((r) => setTimeout(r, 20));
        }
        await until(() => a.sync.peers().length === 0, 'the session to be closed');
      } finally {
        clearInterval(sample);
      }
      const st = a.sync.stats;
      expect(st.sessionsClosedForAbuse).toBe(1);
      expect(a.errors.map((e) => (e as WeshSyncError).code)).toEqual(['abuse']);
      expect(st.headsDeferred).toBeGreaterThanOrEqual(64);
      // at most: our heads, one catch-up (lazy), a few control frames
      expect(Math.max(peakItems, st.peakQueuedItems)).toBeLessThanOrEqual(4);
      expect(Math.max(peakBytes, st.peakQueuedBytes)).toBeLessThan(64 << 10);
    } finally {
      await evil.stop();
    }
  });
});

describe('log-sync on LevelDB', () => {
  it('a replica on LevelDB receives 300 entries and holds them after reopening', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wesh-log-sync-'));
    try {
      const [a, b] = [await node(), await node()];
      const la = await log();
      for (let i = 0; i < 300; i++) await la.append(text(`entry ${i}`));
      const lb = await openLog(g, { store: await openLevelStore(join(dir, 'b')) });
      a.sync.addLog(la, LINK_KEY);
      b.sync.addLog(lb, LINK_KEY);
      await b.sync.connect(a.node.getMultiaddrs()[0]);
      await until(() => lb.length === 300, 'b to hold 300');
      b.sync.removeLog(lb);
      await lb.close();
      const again = await openLog(g, { store: await openLevelStore(join(dir, 'b')) });
      logs.push(again);
      expect(again.length).toBe(300);
      expect(cids(again)).toEqual(cids(la));
      expect(again.openReport.dropped).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
