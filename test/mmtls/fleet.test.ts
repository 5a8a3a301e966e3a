// Fleet state in a real Redis (issue 11): the strike register and the ticket keys shared by two
// server processes — a ticket issued by one opens on the other, and a 0-RTT request replayed to
// either is refused. The second server is a child process running the built package (dist/).
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MmtlsClient } from '../../bindings/mmtls/net/client.js';
import { encodeDataPart } from '../../bindings/mmtls/net/short-link.js';
import { ClientConnection } from '../../bindings/mmtls/protocol/client-connection.js';
import { ClientTickets } from '../../bindings/mmtls/protocol/client-tickets.js';
import { RecordType } from '../../bindings/mmtls/record/record.js';
import { RedisReplayStore } from '../../bindings/mmtls/replay/redis-replay-store.js';
import { RedisTicketKeys } from '../../bindings/mmtls/ticket/redis-ticket-keys.js';
import { wasmProvider } from '../../bindings/provider/wasm.js';
import { deleteByPrefix, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { type TestServer, expectedAnswer, plainAlertOf, rawPost, splitRecords, startServer } from './harness.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const DIST = join(HERE, '../../dist/mmtls.js');
const bytes = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

// The second server: same signing key, same Redis prefix; prints its ports, runs until stdin ends.
const CHILD = `
const { MmtlsServer, RedisReplayStore, RedisTicketKeys } = await import(process.argv[1]);
const { wasmProvider } = await import(new URL('./index.js', 'file://' + process.argv[1]).href);
const job = JSON.parse(process.argv[2]);
const server = new MmtlsServer({
  signingKey: Uint8Array.from(Buffer.from(job.signingKey, 'hex')),
  replayStore: new RedisReplayStore({ redis: job.redis, prefix: job.prefix }),
  ticketKeys: new RedisTicketKeys(wasmProvider, { redis: job.redis, prefix: job.prefix }),
  handler: (request, info) => {
    const head = new TextEncoder().encode(info.transport + '/' + info.mode + ':');
    return Uint8Array.from([...head, ...request.slice().reverse()]);
  },
});
const long = await server.listen();
const short = await server.listen({ http: true });
console.log(JSON.stringify({ long: long.port, short: short.port }));
process.stdin.on('end', async () => { await server.close(); process.exit(0); }).resume();
`;

describe('mmtls fleet state in Redis', () => {
  let url: string;
  let prefix: string;
  let redis: Redis;
  beforeAll(async () => {
    url = await redisUrl();
    prefix = uniquePrefix('mmtls');
    redis = new Redis(url);
  });
  afterAll(async () => {
    await deleteByPrefix(redis, prefix);
    redis.disconnect();
  });

  it('RedisReplayStore: a claim succeeds once, and again after its TTL', async () => {
    const store = new RedisReplayStore({ redis: url, prefix });
    expect(await store.claim('a', 200)).toBe(true);
    expect(await store.claim('a', 200)).toBe(false);
    expect(await store.claim('b', 200)).toBe(true);
    expect(Number(await redis.pttl(`${prefix}replay:a`))).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(await store.claim('a', 200)).toBe(true);
    await store.close();
  });

  it('RedisTicketKeys: two stores agree on each epoch key; old epochs open until retired', async () => {
    const day = 86400;
    const a = new RedisTicketKeys(wasmProvider, { redis: url, prefix, rotationSeconds: day });
    const b = new RedisTicketKeys(wasmProvider, { redis, prefix, rotationSeconds: day });
    const now = 2_000_000_000;
    const ka = await a.current(now);
    const kb = await b.current(now);
    expect(kb.id).toBe(ka.id);
    expect(hex(kb.key)).toBe(hex(ka.key));
    const next = await b.current(now + day);
    expect(next.id).toBe(ka.id + 1);
    expect(hex(next.key)).not.toBe(hex(ka.key));
    expect(hex((await a.lookup(ka.id, now + 30 * day))!)).toBe(hex(ka.key)); // 30 days: a refresh ticket may live that long
    expect(await a.lookup(ka.id, now + 32 * day)).toBeUndefined();
    expect(await a.lookup(ka.id + 5, now)).toBeUndefined(); // a future epoch is never looked up
    await a.close();
    await b.close();
    expect(redis.status).toBe('ready'); // a client passed in stays open
  });

  describe('two server processes', () => {
    let local: TestServer;
    let child: ChildProcess;
    let remote: { long: number; short: number };
    beforeAll(async () => {
      const keys = wasmProvider.signature('P-256').generateKeyPair();
      local = await startServer(wasmProvider, {
        signingKey: keys.secretKey,
        replayStore: new RedisReplayStore({ redis: url, prefix }),
        ticketKeys: new RedisTicketKeys(wasmProvider, { redis: url, prefix }),
      });
      (local as { verifyKey: Uint8Array }).verifyKey = keys.publicKey;
      child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, DIST, JSON.stringify({ signingKey: hex(keys.secretKey), redis: url, prefix })], { stdio: ['pipe', 'pipe', 'inherit'] });
      remote = await new Promise((resolve, reject) => {
        child.stdout!.setEncoding('utf8').once('data', (line: string) => resolve(JSON.parse(line)));
        child.once('exit', (code) => reject(new Error(`the second server exited (${code})`)));
      });
    }, 30_000);
    afterAll(async () => {
      child.stdin!.end();
      await new Promise((r) => child.once('exit', r));
      await local.server.close();
    });

    it('a ticket from one server opens on the other, and a replay to either is refused', async () => {
      const tickets = new ClientTickets();
      const first = new MmtlsClient({ host: '127.0.0.1', port: local.longPort, verifyKey: local.verifyKey, tickets });
      await first.request(bytes('hello local'));
      await first.close();

      const conn = new ClientConnection({ provider: wasmProvider, verifyKey: local.verifyKey, now: Date.now }, { onData() {}, onEnd() {} }, tickets);
      conn.start('0rtt-psk');
      conn.sendApplicationData(encodeDataPart({ uri: '/x', host: 'h', body: bytes('once') }));
      conn.sendEnd();
      const body = conn.takeOutput();
      conn.dispose();
      const answered = splitRecords(await rawPost(remote.short, body));
      expect(answered.map((r) => r.type)).toEqual([RecordType.handshake, RecordType.handshake, RecordType.applicationData, RecordType.alert]);
      expect(plainAlertOf(splitRecords(await rawPost(local.shortPort, body)))).toBe('replay_detected');
      expect(plainAlertOf(splitRecords(await rawPost(remote.short, body)))).toBe('replay_detected');

      const resumed = new MmtlsClient({ host: '127.0.0.1', port: remote.short, verifyKey: local.verifyKey, http: true, tickets });
      expect(await resumed.request(bytes('0rtt'))).toEqual(expectedAnswer(bytes('0rtt'), { transport: 'short', mode: '0rtt-psk' }));
      await resumed.close();
      const psk = new MmtlsClient({ host: '127.0.0.1', port: remote.long, verifyKey: local.verifyKey, mode: '1rtt-psk', tickets });
      expect(await psk.request(bytes('psk'))).toEqual(expectedAnswer(bytes('psk'), { transport: 'long', mode: '1rtt-psk' }));
      await psk.close();
    });
  });
});
