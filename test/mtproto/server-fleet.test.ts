// Unacknowledged answers follow an MTProto session across a fleet (server/held.ts, docs/mtproto.md
// "Server and client"): two MtprotoServer processes (children, the sources bundled with esbuild)
// share one real Redis through RedisAuthKeyStore, and a raw client (server-harness.ts RawClient:
// it sends exactly the messages the test says, so it acknowledges only what the test says) moves
// between them over real sockets. The handler counts its calls in Redis (INCR) and puts the counts
// and the name of the process that ran it into its answer, so "ran once across the fleet" is read
// from the answers themselves: a later query's total would be higher had anything run in between.
// On both providers: the children use the provider the test process uses. First, the session's side
// of it without any IO (ServerSession with holdOutgoing): nothing content-related goes out before
// it is held, acknowledgements come back to be released, restore() takes over a held answer.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CryptoProvider } from '../../bindings/index.js';
import { engineInfo, wasmProvider } from '../../bindings/index.js';
import { referenceProvider } from '../../bindings/provider/reference.js';
import type { AuthKey } from '../../bindings/mtproto/crypto/auth-key.js';
import { type DecryptedMessage, decryptMessage, encryptMessage } from '../../bindings/mtproto/crypto/message.js';
import { msgIdTime } from '../../bindings/mtproto/crypto/msg-id.js';
import { HELD_TTL } from '../../bindings/mtproto/server/held.js';
import { MemoryAuthKeyStore } from '../../bindings/mtproto/server/memory-store.js';
import { RedisAuthKeyStore } from '../../bindings/mtproto/server/redis-store.js';
import { MtprotoServer } from '../../bindings/mtproto/server/server.js';
import { MsgIdGenerator } from '../../bindings/mtproto/session/msg-id.js';
import { ServerSession } from '../../bindings/mtproto/session/server-session.js';
import { type ServiceMessage, decodeService, encodeService } from '../../bindings/mtproto/tl/service.js';
import { TlReader } from '../../bindings/mtproto/tl/reader.js';
import { TlWriter } from '../../bindings/mtproto/tl/writer.js';
import { wasmAsFile } from '../helpers/ds-bundle.js';
import { CHILD_NODE_FLAGS } from '../helpers/builds.js';
import { forEachProvider } from '../helpers/providers.js';
import { deleteByPrefix, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { RawClient, rsaPair } from './server-harness.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** counted#0c0a0b0d tag:int = Counted: the handler INCRs `calls:<tag>` and `calls` in Redis. */
const COUNTED = 0x0c0a0b0d;

// ---- the server processes --------------------------------------------------------------------------

// A fleet member: MtprotoServer on RedisAuthKeyStore with the counting handler. Prints {"port"}
// once listening; stops (closing server, store and Redis connection) when its stdin ends.
const SERVER_SOURCE = `
import { Redis } from 'ioredis';
import { init, wasmProvider } from '../../bindings/index.js';
import { referenceProvider } from '../../bindings/provider/reference.js';
import { MtprotoServer } from '../../bindings/mtproto/server/server.js';
import { RedisAuthKeyStore } from '../../bindings/mtproto/server/redis-store.js';
import { TlReader } from '../../bindings/mtproto/tl/reader.js';
import { TlWriter } from '../../bindings/mtproto/tl/writer.js';

const job = JSON.parse(process.argv[2]);
let provider = referenceProvider;
if (job.provider !== 'reference') {
  init({ wasm: job.provider });
  provider = wasmProvider;
}
const counter = new Redis(job.url);
const store = new RedisAuthKeyStore({ redis: job.url, prefix: job.prefix });
const server = new MtprotoServer({
  provider,
  rsaPrivateKey: job.rsa,
  authKeyStore: store,
  handlers: {
    [${COUNTED}]: async (body) => {
      const r = new TlReader(body);
      r.uint();
      const tag = r.int();
      const [mine, all] = await Promise.all([counter.incr(job.prefix + 'calls:' + tag), counter.incr(job.prefix + 'calls')]);
      return new TlWriter().int(${COUNTED}).int(tag).int(mine).int(all).string(job.name).finish();
    },
  },
});
server.listen({ host: '127.0.0.1', port: 0, http: true }).then(({ port }) => {
  console.log(JSON.stringify({ port }));
  process.stdin.on('end', async () => {
    await server.close();
    await store.close();
    counter.disconnect();
    process.exit(0);
  }).resume();
}, (e) => { console.error(e); process.exit(1); });
`;

let bundleDir: string;
let bundle: string;

beforeAll(async () => {
  bundleDir = await mkdtemp(join(tmpdir(), 'wirecrypt-fleet-'));
  bundle = join(bundleDir, 'fleet-server.cjs');
  await build({
    stdin: { contents: SERVER_SOURCE, resolveDir: HERE, sourcefile: 'fleet-server.ts', loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: bundle,
    logLevel: 'error',
    plugins: [wasmAsFile],
    external: ['bufferutil', 'utf-8-validate'], // ws's optional add-ons
  });
});

afterAll(async () => {
  await rm(bundleDir, { recursive: true, force: true });
});

interface ServerProcess {
  readonly name: string;
  readonly port: number;
  stop(): Promise<void>;
}

async function startServer(name: string, job: { url: string; prefix: string; provider: string }): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, [...CHILD_NODE_FLAGS, bundle, JSON.stringify({ ...job, name, rsa: rsaPair().privatePem })], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').once('data', (line: string) => resolve((JSON.parse(line) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`server process ${name} exited (${code})`)));
  });
  return {
    name,
    port,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.stdin!.end();
    }),
  };
}

// ---- the client side ---------------------------------------------------------------------------------

/** One message from the server, containers opened. */
interface Received {
  readonly msgId: bigint;
  readonly seqNo: number;
  readonly body: Uint8Array;
  readonly m: ServiceMessage | undefined;
}

function open(message: DecryptedMessage): Received[] {
  const m = decodeService(message.body);
  if (m?._ === 'msg_container') return m.messages.flatMap((e) => open({ ...message, msgId: e.msg_id, seqNo: e.seqno, body: e.body }));
  return [{ msgId: message.msgId, seqNo: message.seqNo, body: message.body, m }];
}

/** An answer of the counting handler. */
function counted(result: Uint8Array): { tag: number; mine: number; all: number; by: string } {
  const r = new TlReader(result);
  expect(r.uint()).toBe(COUNTED);
  return { tag: r.int(), mine: r.int(), all: r.int(), by: r.string() };
}

const query = (tag: number) => new TlWriter().int(COUNTED).int(tag).finish();

/**
 * A client of one auth key and one session on one connection, numbering its messages itself
 * (spec §4.1, §4.2) and acknowledging nothing unless told.
 */
class Peer {
  readonly received: Received[] = [];
  #contentSent = 0;

  constructor(
    readonly provider: CryptoProvider,
    readonly raw: RawClient,
    readonly key: AuthKey,
    readonly salt: bigint,
    readonly sessionId: bigint,
    readonly ids: MsgIdGenerator,
  ) {}

  seq(contentRelated: boolean): number {
    return contentRelated ? 2 * this.#contentSent++ + 1 : 2 * this.#contentSent;
  }

  send(body: Uint8Array, contentRelated: boolean, msgId = this.ids.next(), salt = this.salt): bigint {
    this.raw.sendEncrypted(this.provider, this.key, { salt, sessionId: this.sessionId, msgId, seqNo: this.seq(contentRelated), body });
    return msgId;
  }

  /** A container of messages sent before, with their own msg_ids and seq_nos (a client's re-send). */
  resend(entries: { msgId: bigint; seqNo: number; body: Uint8Array }[]): void {
    const body = encodeService({ _: 'msg_container', messages: entries.map((e) => ({ msg_id: e.msgId, seqno: e.seqNo, body: e.body })) });
    this.raw.sendEncrypted(this.provider, this.key, { salt: this.salt, sessionId: this.sessionId, msgId: this.ids.next(), seqNo: this.seq(false), body });
  }

  /** Reads until `done` holds for a received message; returns that message. */
  async until(done: (r: Received) => boolean): Promise<Received> {
    for (;;) {
      const batch = open(await this.raw.nextMessage(this.provider, this.key));
      this.received.push(...batch);
      const hit = batch.find(done);
      if (hit !== undefined) return hit;
    }
  }

  async rpcResult(reqMsgId: bigint): Promise<Received & { m: Extract<ServiceMessage, { _: 'rpc_result' }> }> {
    return (await this.until((r) => r.m?._ === 'rpc_result' && r.m.req_msg_id === reqMsgId)) as Received & { m: Extract<ServiceMessage, { _: 'rpc_result' }> };
  }

  /** ping, then everything up to its pong: whatever the server had to send by then has come. */
  async settle(): Promise<void> {
    const pingId = randomBytes(8).readBigInt64LE();
    this.send(encodeService({ _: 'ping', ping_id: pingId }), false);
    await this.until((r) => r.m?._ === 'pong' && r.m.ping_id === pingId);
  }

  /** The same key and session on a new connection to `port`. */
  async moveTo(port: number): Promise<Peer> {
    this.raw.close();
    const raw = await RawClient.connect(this.provider, port);
    const peer = new Peer(this.provider, raw, this.key, this.salt, this.sessionId, this.ids);
    peer.#contentSent = this.#contentSent;
    return peer;
  }

  /** Another session of the same key on a new connection to `port`. */
  async newSession(port: number): Promise<Peer> {
    return new Peer(this.provider, await RawClient.connect(this.provider, port), this.key, this.salt, randomBytes(8).readBigInt64LE(), this.ids);
  }

  static async create(provider: CryptoProvider, port: number): Promise<Peer> {
    const raw = await RawClient.connect(provider, port);
    const { result, key } = await raw.handshake(provider, rsaPair().publicSpki);
    return new Peer(provider, raw, key, result.serverSalt, randomBytes(8).readBigInt64LE(), new MsgIdGenerator('client'));
  }
}

/** Polls `condition` (the store is written asynchronously to the messages that cause it). */
async function eventually(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within 10 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// ---- the session, sans IO -------------------------------------------------------------------------------

describe('ServerSession with holdOutgoing (no IO)', () => {
  const SALT = 0x1234n;
  const newSession = (holdOutgoing = true) => new ServerSession({
    authKeyId: 7n, sessionId: 9n, msgIds: new MsgIdGenerator('server'), random: (n) => new Uint8Array(randomBytes(n)), holdOutgoing,
  });
  const clientIds = () => new MsgIdGenerator('client');
  const opened = (m: ReturnType<ServerSession['drain']>) => (m === null ? [] : open(m));

  it('content-related messages wait for held(); what the client acknowledges comes out of takeReleased()', async () => {
    const s = newSession();
    const ids = clientIds();
    const q = ids.next();
    const { events } = await s.receive({ salt: SALT, sessionId: 9n, msgId: q, seqNo: 1, body: query(1) }, { saltOk: true, salt: SALT });
    expect(events).toMatchObject([{ kind: 'rpc', msgId: q }]);
    s.answer(q, query(100));
    expect([s.hasOutgoing(true), s.drain(SALT, { acksAlone: true })]).toStrictEqual([false, null]); // the answer acknowledges q
    const staged = s.stage();
    expect(staged.map((m) => [m.seqNo, m.answers, decodeService(m.body)?._])).toStrictEqual([[1, undefined, 'new_session_created'], [3, q, 'rpc_result']]);
    expect(s.stage()).toStrictEqual([]); // staged once
    expect(s.drain(SALT)).toBeNull();
    s.held(staged);
    const out = opened(s.drain(SALT));
    expect(out.map((m) => [m.msgId, m.seqNo])).toStrictEqual(staged.map((m) => [m.msgId, m.seqNo])); // as staged
    expect(out.map((m) => m.body)).toStrictEqual(staged.map((m) => m.body));
    expect(s.takeReleased()).toStrictEqual([]);
    await s.receive({ salt: SALT, sessionId: 9n, msgId: ids.next(), seqNo: 2, body: encodeService({ _: 'msgs_ack', msg_ids: staged.map((m) => m.msgId) }) }, { saltOk: true, salt: SALT });
    expect(s.takeReleased()).toStrictEqual(staged.map((m) => m.msgId));
    expect(s.takeReleased()).toStrictEqual([]);
    expect(s.unackedCount).toBe(0);

    // Without holdOutgoing nothing waits and nothing is staged.
    const plain = newSession(false);
    await plain.receive({ salt: SALT, sessionId: 9n, msgId: clientIds().next(), seqNo: 1, body: query(1) }, { saltOk: true, salt: SALT });
    expect(plain.stage()).toStrictEqual([]);
    expect(opened(plain.drain(SALT)).map((m) => decodeService(m.body)?._)).toContain('new_session_created');
  });

  it('a rejected message stages nothing: its bad_server_salt goes out at once', async () => {
    const s = newSession();
    await s.receive({ salt: 5n, sessionId: 9n, msgId: clientIds().next(), seqNo: 1, body: query(1) }, { saltOk: false, salt: SALT });
    expect(s.stage()).toStrictEqual([]);
    expect(opened(s.drain(SALT)).map((m) => decodeService(m.body)?._)).toStrictEqual(['bad_server_salt']);
    expect(s.isNew).toBe(true);
  });

  it('restore(): held messages go out again with their msg_ids, and the query re-sent is answered from them', async () => {
    const first = newSession();
    const ids = clientIds();
    const q = ids.next();
    await first.receive({ salt: SALT, sessionId: 9n, msgId: q, seqNo: 1, body: query(1) }, { saltOk: true, salt: SALT });
    first.answer(q, query(100));
    const held = first.stage(); // what another process stored

    const s = newSession();
    s.restore(held);
    const { events } = await s.receive({
      salt: SALT, sessionId: 9n, msgId: ids.next(), seqNo: 2,
      body: encodeService({ _: 'msg_container', messages: [{ msg_id: q, seqno: 1, body: query(1) }] }),
    }, { saltOk: true, salt: SALT, announce: false });
    expect(events).toStrictEqual([]); // not handed out again
    const out = opened(s.drain(SALT));
    expect(out.map((m) => [m.msgId, m.seqNo])).toStrictEqual(held.map((m) => [m.msgId, m.seqNo])); // once each
    // New content-related messages number on after the restored ones.
    s.send(query(200));
    const staged = s.stage();
    expect(staged.map((m) => m.seqNo)).toStrictEqual([5]);
    // Restoring again what the session has — sent, or staged but not sent yet (the store got it
    // first) — adds nothing and re-sends nothing: the staged message goes out once (an HTTP session
    // restores on every request; a new connection re-sends the unacknowledged through attach()).
    s.restore([...held, ...staged]);
    s.held(staged);
    const sent: bigint[] = [];
    for (let m = s.drain(SALT); m !== null; m = s.drain(SALT)) sent.push(...opened(m).map((e) => e.msgId));
    expect(sent).toStrictEqual(staged.map((m) => m.msgId));
  });
});

// ---- the server option -------------------------------------------------------------------------------

describe('ServerSession restore() with a clock behind the one that held', () => {
  it('the container re-sending held messages, and what follows, have greater msg_ids (spec §4.1)', async () => {
    const SALT = 0x1234n;
    const make = (skew: number) => new ServerSession({
      authKeyId: 7n, sessionId: 9n, msgIds: new MsgIdGenerator('server', () => Date.now() / 1000 + skew),
      random: (n) => new Uint8Array(randomBytes(n)), holdOutgoing: true,
    });
    const ahead = make(5);
    const ids = new MsgIdGenerator('client');
    const q = ids.next();
    await ahead.receive({ salt: SALT, sessionId: 9n, msgId: q, seqNo: 1, body: query(1) }, { saltOk: true, salt: SALT });
    ahead.answer(q, query(100));
    const held = ahead.stage();

    const behind = make(0);
    behind.restore(held);
    const packet = behind.drain(SALT)!;
    const inner = open(packet).map((m) => m.msgId);
    expect(inner.sort()).toStrictEqual(held.map((m) => m.msgId).sort());
    const top = (xs: bigint[]) => xs.reduce((a, b) => (BigInt.asUintN(64, a) > BigInt.asUintN(64, b) ? a : b));
    expect(BigInt.asUintN(64, packet.msgId) > BigInt.asUintN(64, top(inner))).toBe(true);
    behind.send(query(2));
    behind.held(behind.stage());
    const next = behind.drain(SALT)!;
    expect(BigInt.asUintN(64, next.msgId) > BigInt.asUintN(64, packet.msgId)).toBe(true);
  });
});

describe('MtprotoServer holdUnacknowledged', () => {
  it('holds in a store it is given when told to (not by default: a memory store is not shared); refuses a non-boolean', async () => {
    expect(() => new MtprotoServer({ rsaPrivateKey: rsaPair().privatePem, handlers: {}, holdUnacknowledged: 1 as unknown as boolean })).toThrow(TypeError);
    for (const hold of [undefined, true, false]) {
      const store = new MemoryAuthKeyStore();
      const server = new MtprotoServer({
        provider: wasmProvider, rsaPrivateKey: rsaPair().privatePem, authKeyStore: store, ...(hold !== undefined && { holdUnacknowledged: hold }),
        handlers: { [COUNTED]: () => new TlWriter().int(COUNTED).finish() },
      });
      const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
      try {
        const peer = await Peer.create(wasmProvider, port);
        await peer.rpcResult(peer.send(query(1), true));
        expect((await store.heldMessages(peer.key.idLong, peer.sessionId)).length).toBe(hold === true ? 2 : 0);
        peer.raw.close();
      } finally {
        await server.close();
        await store.close();
      }
    }
  });
});

// ---- the scenarios -------------------------------------------------------------------------------------

forEachProvider((provider: CryptoProvider) => {
  describe('a session moves between two server processes sharing Redis', () => {
    let redis: Redis;
    let prefix: string;
    let store: RedisAuthKeyStore; // the test's view of what the fleet shares
    let a: ServerProcess;
    let b: ServerProcess;

    beforeAll(async () => {
      const url = await redisUrl();
      redis = new Redis(url);
      prefix = uniquePrefix('fleet');
      store = new RedisAuthKeyStore({ redis, prefix });
      const job = { url, prefix, provider: provider === referenceProvider ? 'reference' : engineInfo().build };
      [a, b] = await Promise.all([startServer('A', job), startServer('B', job)]);
    });

    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      await store?.close();
      if (redis) {
        await deleteByPrefix(redis, prefix);
        redis.disconnect();
      }
    });

    it('an answer A sent and the client never acknowledged comes from B, once, and the handler ran once in the fleet', async () => {
      const onA = await Peer.create(provider, a.port);
      const body = query(1);
      const q1 = onA.send(body, true);
      const r1 = await onA.rpcResult(q1);
      expect(counted(r1.m.result)).toStrictEqual({ tag: 1, mine: 1, all: expect.any(Number), by: 'A' });
      const created = onA.received.find((r) => r.m?._ === 'new_session_created')!;
      expect(created).toBeDefined();

      // A held both content-related messages in Redis before they went out (so they are there
      // now), in a hash that expires HELD_TTL after the newest.
      const held = await store.heldMessages(onA.key.idLong, onA.sessionId);
      expect(held.map((m) => m.msgId).sort()).toStrictEqual([created.msgId, r1.msgId].sort());
      expect(held.find((m) => m.msgId === r1.msgId)).toStrictEqual({ msgId: r1.msgId, seqNo: r1.seqNo, body: r1.body, answers: q1 });
      const hash = `${prefix}{${BigInt.asUintN(64, onA.key.idLong).toString(16).padStart(16, '0')}}:held:${BigInt.asUintN(64, onA.sessionId).toString(16).padStart(16, '0')}`;
      expect(await redis.call('PEXPIRETIME', hash)).toBe((Math.max(msgIdTime(r1.msgId), msgIdTime(created.msgId)) + HELD_TTL) * 1000);

      // The connection drops before any msgs_ack. The client comes back on B.
      const onB = await onA.moveTo(b.port);
      // First a packet B must reject (a salt no process issued): it is told so, and nothing moves.
      onB.send(encodeService({ _: 'ping', ping_id: 1n }), false, undefined, onA.salt ^ 0x5a5an);
      await onB.until((r) => r.m?._ === 'bad_server_salt');
      expect(onB.received.filter((r) => r.m?._ !== 'bad_server_salt')).toStrictEqual([]);
      expect(await store.heldMessages(onA.key.idLong, onA.sessionId)).toHaveLength(2);

      // Then the query again, in a new container, as a client re-sends what it has no answer to.
      onB.resend([{ msgId: q1, seqNo: 1, body }]);
      const again = await onB.rpcResult(q1);
      expect(again.msgId).toBe(r1.msgId); // A's answer, as it was: same msg_id, seq_no, bytes
      expect(again.seqNo).toBe(r1.seqNo);
      expect(again.body).toStrictEqual(r1.body);

      // A new query on B: answered by B, and the total count says nothing ran in between.
      const q2 = onB.send(query(2), true);
      const r2 = await onB.rpcResult(q2);
      const first = counted(r1.m.result);
      expect(counted(r2.m.result)).toStrictEqual({ tag: 2, mine: 1, all: first.all + 1, by: 'B' });
      expect(await redis.get(`${prefix}calls:1`)).toBe('1');

      // Exactly once: one rpc_result for q1, no second new_session_created (B knew the session),
      // and new seq_nos on B go on after A's.
      expect(onB.received.filter((r) => r.m?._ === 'rpc_result' && r.m.req_msg_id === q1)).toHaveLength(1);
      expect(onB.received.filter((r) => r.m?._ === 'new_session_created').map((r) => r.msgId)).toStrictEqual([created.msgId]);
      const r2seq = onB.received.find((r) => r.msgId === r2.msgId)!.seqNo;
      expect(r2seq).toBeGreaterThan(r1.seqNo);

      // The client acknowledges on B: B releases them from the store.
      onB.send(encodeService({ _: 'msgs_ack', msg_ids: [created.msgId, r1.msgId, r2.msgId] }), false);
      await eventually(async () => (await store.heldMessages(onA.key.idLong, onA.sessionId)).length === 0, 'B released the acknowledged messages');
      onB.raw.close();
    });

    it('B sends what A held as soon as it takes the session over; msg_resend_req and msgs_state_req are answered from it', async () => {
      const onA = await Peer.create(provider, a.port);
      const body = query(10);
      const q = onA.send(body, true);
      const r = await onA.rpcResult(q);
      const onB = await onA.moveTo(b.port);
      // Nothing re-sent by the client at all: B sends what the session holds when it takes over.
      await onB.settle();
      expect(onB.received.filter((m) => m.msgId === r.msgId)).toHaveLength(1);
      // Asked for explicitly: again; and the query's state is "received, answered" (4 + 8 + 32 + 64).
      onB.send(encodeService({ _: 'msg_resend_req', msg_ids: [r.msgId] }), false);
      await onB.settle();
      expect(onB.received.filter((m) => m.msgId === r.msgId)).toHaveLength(2);
      onB.send(encodeService({ _: 'msgs_state_req', msg_ids: [q] }), false);
      const info = await onB.until((m) => m.m?._ === 'msgs_state_info');
      expect(info.m).toMatchObject({ _: 'msgs_state_info', info: Uint8Array.of(4 | 8 | 32 | 64) });
      expect(await redis.get(`${prefix}calls:10`)).toBe('1');
      onB.raw.close();
    });

    it('back on A after B: A answers a re-sent query from what B held instead of running it again', async () => {
      const onA = await Peer.create(provider, a.port);
      await onA.settle(); // A now has the session, and keeps it after the connection closes
      const onB = await onA.moveTo(b.port);
      const body = query(5);
      const q = onB.send(body, true);
      const r = await onB.rpcResult(q);
      const before = counted(r.m.result);
      expect(before).toMatchObject({ tag: 5, mine: 1, by: 'B' });

      const back = await onB.moveTo(a.port);
      back.resend([{ msgId: q, seqNo: 1, body }]); // the first content-related message of the session
      const again = await back.rpcResult(q);
      expect([again.msgId, again.body]).toStrictEqual([r.msgId, r.body]);
      const q2 = back.send(query(6), true);
      expect(counted((await back.rpcResult(q2)).m.result)).toStrictEqual({ tag: 6, mine: 1, all: before.all + 1, by: 'A' });
      expect(back.received.filter((m) => m.m?._ === 'rpc_result' && m.m.req_msg_id === q)).toHaveLength(1);
      back.raw.close();
    });

    it('back on A on a new connection while its first one to A is still open: answered from what B held', async () => {
      const onA = await Peer.create(provider, a.port);
      await onA.settle(); // A serves the session on this connection, which stays open
      const onB = new Peer(provider, await RawClient.connect(provider, b.port), onA.key, onA.salt, onA.sessionId, onA.ids);
      const body = query(7);
      const q = onB.send(body, true);
      const r = await onB.rpcResult(q);
      const before = counted(r.m.result);
      expect(before).toMatchObject({ tag: 7, mine: 1, by: 'B' });

      const back = await onB.moveTo(a.port); // a second connection to A; the first is still open
      expect(onA.raw.closed).toBe(false);
      back.resend([{ msgId: q, seqNo: 1, body }]);
      const again = await back.rpcResult(q);
      expect([again.msgId, again.body]).toStrictEqual([r.msgId, r.body]);
      expect(await redis.get(`${prefix}calls:7`)).toBe('1');
      for (const p of [onA, back]) p.raw.close();
    });

    it('over HTTP, every request may reach any process: a query B answered is answered from it by A', async () => {
      const onA = await Peer.create(provider, a.port); // an auth key and a salt
      onA.raw.close();
      const sessionId = randomBytes(8).readBigInt64LE();
      let contentSent = 0;
      const post = async (port: number, entries: { msgId: bigint; seqNo: number; body: Uint8Array }[]): Promise<Received[]> => {
        const wait = { msgId: onA.ids.next(), seqNo: 2 * contentSent, body: encodeService({ _: 'http_wait', max_delay: 0, wait_after: 0, max_wait: 300 }) };
        const body = encodeService({ _: 'msg_container', messages: [...entries, wait].map((e) => ({ msg_id: e.msgId, seqno: e.seqNo, body: e.body })) });
        const packet = encryptMessage(provider, onA.key, { salt: onA.salt, sessionId, msgId: onA.ids.next(), seqNo: 2 * contentSent, body }, { from: 'client' });
        const response = await fetch(`http://127.0.0.1:${port}/api`, { method: 'POST', body: packet });
        expect(response.status).toBe(200);
        return open(decryptMessage(provider, onA.key, new Uint8Array(await response.arrayBuffer()), { from: 'server', sessionId }));
      };
      const ping = { msgId: onA.ids.next(), seqNo: 0, body: encodeService({ _: 'ping', ping_id: 3n }) };
      expect((await post(a.port, [ping])).map((m) => m.m?._)).toContain('pong'); // A has the session (an HTTP sink)
      const body = query(8);
      const q = { msgId: onA.ids.next(), seqNo: 2 * contentSent++ + 1, body };
      // An HTTP answer carries what is ready (the query's answer waits for the handler and the
      // hold): long-poll until it comes.
      const answerOf = async (port: number, entries: typeof q[]) => {
        for (let i = 0; i < 40; i++) {
          const found = (await post(port, i === 0 ? entries : [])).filter((m) => m.m?._ === 'rpc_result');
          if (found.length > 0) return found;
        }
        throw new Error('no rpc_result over HTTP');
      };
      const r = (await answerOf(b.port, [q]))[0]!;
      expect(counted((r.m as Extract<ServiceMessage, { _: 'rpc_result' }>).result)).toMatchObject({ tag: 8, mine: 1, by: 'B' });
      const again = await answerOf(a.port, [q]);
      expect(again.map((m) => [m.msgId, m.body])).toStrictEqual([[r.msgId, r.body]]);
      expect(await redis.get(`${prefix}calls:8`)).toBe('1');
    });

    it('an answer the client acknowledged on A is not sent again by B', async () => {
      const onA = await Peer.create(provider, a.port);
      const q = onA.send(query(3), true);
      const r = await onA.rpcResult(q);
      const created = onA.received.find((m) => m.m?._ === 'new_session_created')!;
      onA.send(encodeService({ _: 'msgs_ack', msg_ids: [created.msgId, r.msgId] }), false);
      await eventually(async () => (await store.heldMessages(onA.key.idLong, onA.sessionId)).length === 0, 'A released the acknowledged messages');

      const onB = await onA.moveTo(b.port);
      await onB.settle();
      expect(onB.received.map((m) => m.m?._)).toStrictEqual(['pong']);
      expect(await redis.get(`${prefix}calls:3`)).toBe('1');
      onB.raw.close();
    });

    it('destroy_session drops what the session held: B starts it afresh', async () => {
      const onA = await Peer.create(provider, a.port);
      const q = onA.send(query(4), true);
      const r = await onA.rpcResult(q);
      expect(await store.heldMessages(onA.key.idLong, onA.sessionId)).toHaveLength(2);
      // Another session of the key destroys it (service_messages.html: a client destroys another session).
      const other = await onA.newSession(a.port);
      other.send(encodeService({ _: 'destroy_session', session_id: onA.sessionId }), false);
      const done = await other.until((m) => m.m?._ === 'destroy_session_ok' || m.m?._ === 'destroy_session_none');
      expect(done.m).toStrictEqual({ _: 'destroy_session_ok', session_id: onA.sessionId });
      expect(await store.heldMessages(onA.key.idLong, onA.sessionId)).toStrictEqual([]);

      const onB = await onA.moveTo(b.port);
      await onB.settle();
      expect(onB.received.some((m) => m.msgId === r.msgId)).toBe(false);
      expect(onB.received.map((m) => m.m?._).sort()).toStrictEqual(['new_session_created', 'pong'].sort());
      other.raw.close();
      onB.raw.close();
    });
  });
});
