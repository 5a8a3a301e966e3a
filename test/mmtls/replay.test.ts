// 0-RTT refusals over the short link: a replayed request, an expired ticket, a clock outside the
// window, a forged ticket, a tampered record. Each is refused before the handler runs, with its
// alert; the ones a client can recover from are retried with a full handshake.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MmtlsClient } from '../../bindings/mmtls/net/client.js';
import { encodeDataPart } from '../../bindings/mmtls/net/short-link.js';
import { ClientConnection } from '../../bindings/mmtls/protocol/client-connection.js';
import { ClientTickets } from '../../bindings/mmtls/protocol/client-tickets.js';
import { RecordType } from '../../bindings/mmtls/record/record.js';
import { forEachProvider } from '../helpers/providers.js';
import { type TestServer, expectedAnswer, plainAlertOf, rawPost, splitRecords, startServer } from './harness.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const DAY = 86_400_000;

forEachProvider((provider) => {
  describe('mmtls 0-RTT refusals', () => {
    let t: TestServer;
    let clock = Date.now();
    beforeAll(async () => { t = await startServer(provider, { now: () => clock }); });
    afterAll(async () => { await t.server.close(); });

    async function ticketsFromHandshake(): Promise<ClientTickets> {
      const tickets = new ClientTickets();
      const c = new MmtlsClient({ host: '127.0.0.1', port: t.longPort, verifyKey: t.verifyKey, provider, tickets, now: () => clock });
      await c.request(bytes('warm-up'));
      await c.close();
      return tickets;
    }

    /** The body of one 0-RTT POST, built by hand so a test can send it twice. */
    function zeroRttBody(tickets: ClientTickets, request: Uint8Array): Uint8Array {
      const conn = new ClientConnection({ provider, verifyKey: t.verifyKey, now: () => clock }, { onData() {}, onEnd() {} }, tickets);
      conn.start('0rtt-psk');
      conn.sendApplicationData(encodeDataPart({ uri: '/cgi-bin/test', host: 'localhost', body: request }));
      conn.sendEnd();
      const out = conn.takeOutput();
      conn.dispose();
      return out;
    }

    it('answers a 0-RTT request once and refuses its replay with replay_detected, before the handler', async () => {
      const tickets = await ticketsFromHandshake();
      const body = zeroRttBody(tickets, bytes('pay once'));
      const first = splitRecords(await rawPost(t.shortPort, body));
      expect(first.map((r) => r.type)).toEqual([RecordType.handshake, RecordType.handshake, RecordType.applicationData, RecordType.alert]);
      const handled = t.seen.length;
      const replay = splitRecords(await rawPost(t.shortPort, body));
      expect(plainAlertOf(replay)).toBe('replay_detected');
      expect(t.seen.length).toBe(handled);
    });

    it('refuses an expired access ticket (ticket_expired); the client drops it and runs 1-RTT ECDHE next', async () => {
      const tickets = await ticketsFromHandshake();
      clock += 8 * DAY; // past the 7-day access lifetime, on both clocks
      try {
        const held = tickets.access!;
        tickets.replace('access', { ...held, psk: held.psk.slice(), expiresAt: Infinity }); // a client that does not check
        expect(plainAlertOf(splitRecords(await rawPost(t.shortPort, zeroRttBody(tickets, bytes('late')))))).toBe('ticket_expired');
        // By default the refusal reaches the caller and the ticket is dropped: the next request runs 1-RTT.
        const c = new MmtlsClient({ host: '127.0.0.1', port: t.shortPort, verifyKey: t.verifyKey, http: true, provider, tickets, now: () => clock });
        const handled = t.seen.length;
        await expect(c.request(bytes('refused'))).rejects.toMatchObject({ name: 'PeerAlert', alert: 'ticket_expired' });
        expect(t.seen.length).toBe(handled);
        expect(tickets.access).toBeUndefined();
        const r = bytes('after expiry');
        expect(await c.request(r)).toEqual(expectedAnswer(r, { transport: 'short', mode: '1rtt-ecdhe' }));
        expect(c.lastHandshake).toEqual({ mode: '1rtt-ecdhe', resumed: false });
        await c.close();
      } finally {
        clock -= 8 * DAY;
      }
    });

    it('refuses a 0-RTT hello whose timestamp is outside the window (stale_timestamp)', async () => {
      const tickets = await ticketsFromHandshake();
      const body = zeroRttBody(tickets, bytes('skewed'));
      clock += 31_000;
      try {
        expect(plainAlertOf(splitRecords(await rawPost(t.shortPort, body)))).toBe('stale_timestamp');
      } finally {
        clock -= 31_000;
      }
    });

    it('refuses a forged or altered ticket (ticket_invalid); with resendRefusedEarlyData the client resends at once', async () => {
      const tickets = await ticketsFromHandshake();
      const held = tickets.access!;
      const forged = held.ticket.ticket.slice();
      forged[forged.length - 1]! ^= 1;
      tickets.replace('access', { ...held, psk: held.psk.slice(), ticket: { ...held.ticket, ticket: forged } });
      expect(plainAlertOf(splitRecords(await rawPost(t.shortPort, zeroRttBody(tickets, bytes('forged')))))).toBe('ticket_invalid');
      const c = new MmtlsClient({ host: '127.0.0.1', port: t.shortPort, verifyKey: t.verifyKey, http: true, provider, tickets, now: () => clock, resendRefusedEarlyData: true });
      expect(await c.request(bytes('ok'))).toEqual(expectedAnswer(bytes('ok'), { transport: 'short', mode: '1rtt-ecdhe' }));
      expect(c.lastAttempt).toBe('1rtt-ecdhe');
      await c.close();
    });

    it('a short-link POST must carry a whole exchange: an empty one or a 0-RTT hello alone is refused', async () => {
      expect(plainAlertOf(splitRecords(await rawPost(t.shortPort, new Uint8Array(0))))).toBe('unexpected_message');
      const tickets = await ticketsFromHandshake();
      const hello = splitRecords(zeroRttBody(tickets, bytes('split')))[0]!;
      const handled = t.seen.length;
      const answer = await rawPost(t.shortPort, new Uint8Array([...hello.header, ...hello.body]));
      expect(splitRecords(answer).map((r) => r.type)).toEqual([RecordType.alert]);
      expect(t.seen.length).toBe(handled);
    });

    it('a tampered early-data record gets bad_record_mac and reaches no handler', async () => {
      const tickets = await ticketsFromHandshake();
      const records = splitRecords(zeroRttBody(tickets, bytes('tamper me')));
      const handled = t.seen.length;
      const data = records[2]!;
      const tampered = new Uint8Array([...data.header, ...data.body]);
      tampered[tampered.length - 20]! ^= 0x80;
      const body = new Uint8Array([...records[0]!.header, ...records[0]!.body, ...records[1]!.header, ...records[1]!.body, ...tampered, ...records[3]!.header, ...records[3]!.body]);
      const answer = splitRecords(await rawPost(t.shortPort, body));
      // The server had answered SH + Finished before the data record failed; its alert is sealed.
      expect(answer.map((r) => r.type)).toEqual([RecordType.handshake, RecordType.handshake, RecordType.alert]);
      expect(t.seen.length).toBe(handled);
      expect(answer.at(-1)!.body.length).toBe(7 + 16);
    });
  });

  describe('with the replay register down', () => {
    let t: TestServer;
    const failing = { claim: () => Promise.reject(new Error('register unreachable')), close: async () => {} };
    beforeAll(async () => { t = await startServer(provider, { replayStore: failing }); });
    afterAll(async () => { await t.server.close(); });

    it('refuses 0-RTT (nobody can tell a replay) and the client falls back to a full handshake', async () => {
      const tickets = new ClientTickets();
      const c = new MmtlsClient({ host: '127.0.0.1', port: t.shortPort, verifyKey: t.verifyKey, http: true, provider, tickets, resendRefusedEarlyData: true });
      expect(await c.request(bytes('one'))).toEqual(expectedAnswer(bytes('one'), { transport: 'short', mode: '1rtt-ecdhe' }));
      expect(tickets.access).toBeDefined();
      expect(await c.request(bytes('two'))).toEqual(expectedAnswer(bytes('two'), { transport: 'short', mode: '1rtt-ecdhe' }));
      expect(t.seen.map((s) => s.mode)).toEqual(['1rtt-ecdhe', '1rtt-ecdhe']); // the refused 0-RTT attempt never ran
      await c.close();
    });
  });
});
