// Load (issue 11): 500 concurrent clients against one server, half on the long link with 1-RTT
// ECDHE and half on the short link with 0-RTT PSK, plus 0-RTT requests sent twice at once. Every
// response arrives exactly once, and of each doubled request exactly one is answered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MmtlsClient } from '../../bindings/mmtls/net/client.js';
import { encodeDataPart } from '../../bindings/mmtls/net/short-link.js';
import { ClientConnection } from '../../bindings/mmtls/protocol/client-connection.js';
import { ClientTickets } from '../../bindings/mmtls/protocol/client-tickets.js';
import { RecordType } from '../../bindings/mmtls/record/record.js';
import { wasmProvider } from '../../bindings/provider/wasm.js';
import { type TestServer, expectedAnswer, plainAlertOf, rawPost, splitRecords, startServer } from './harness.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('mmtls under load', () => {
  let t: TestServer;
  beforeAll(async () => { t = await startServer(wasmProvider); });
  afterAll(async () => { await t.server.close(); });

  it('500 concurrent clients, 1-RTT and 0-RTT mixed, and 100 doubled 0-RTT requests', async () => {
    const tickets = new ClientTickets();
    const warm = new MmtlsClient({ host: '127.0.0.1', port: t.longPort, verifyKey: t.verifyKey, tickets });
    await warm.request(bytes('warm'));
    await warm.close();

    const clients = Array.from({ length: 500 }, (_, i) => {
      const http = i % 2 === 1;
      return new MmtlsClient({
        host: '127.0.0.1', port: http ? t.shortPort : t.longPort, verifyKey: t.verifyKey, http, tickets, mode: http ? '0rtt-psk' : '1rtt-ecdhe',
      });
    });
    const doubled = Array.from({ length: 100 }, (_, i) => {
      const conn = new ClientConnection({ provider: wasmProvider, verifyKey: t.verifyKey, now: Date.now }, { onData() {}, onEnd() {} }, tickets);
      conn.start('0rtt-psk');
      conn.sendApplicationData(encodeDataPart({ uri: '/x', host: 'h', body: bytes(`doubled ${i}`) }));
      conn.sendEnd();
      const body = conn.takeOutput();
      conn.dispose();
      return body;
    });
    const before = t.seen.length;
    const [answers, replays] = await Promise.all([
      Promise.all(clients.map((c, i) => c.request(bytes(`client ${i}`)))),
      Promise.all(doubled.map((body) => Promise.all([rawPost(t.shortPort, body), rawPost(t.shortPort, body)]))),
    ]);
    answers.forEach((a, i) => {
      const http = i % 2 === 1;
      expect(a).toEqual(expectedAnswer(bytes(`client ${i}`), { transport: http ? 'short' : 'long', mode: http ? '0rtt-psk' : '1rtt-ecdhe' }));
      expect(clients[i]!.lastHandshake!.mode).toBe(http ? '0rtt-psk' : '1rtt-ecdhe');
    });
    for (const pair of replays) {
      const outcomes = pair.map((body) => {
        const records = splitRecords(body);
        return records.some((r) => r.type === RecordType.applicationData) ? 'answered' : plainAlertOf(records);
      });
      expect(outcomes.sort()).toEqual(['answered', 'replay_detected']);
    }
    expect(t.seen.length - before).toBe(500 + 100); // every request ran exactly once
    await Promise.all(clients.map((c) => c.close()));
  }, 120_000);
});
