// MmtlsServer and MmtlsClient over real loopback sockets: every mode on the long link (TCP) and the
// short link (HTTP), fragmentation, overload, and what a client sees when the server refuses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MmtlsError } from '../../bindings/mmtls/errors.js';
import { MmtlsClient } from '../../bindings/mmtls/net/client.js';
import { ClientTickets } from '../../bindings/mmtls/protocol/client-tickets.js';
import type { HandshakeMode } from '../../bindings/mmtls/protocol/connection.js';
import { forEachProvider } from '../helpers/providers.js';
import { type TestServer, expectedAnswer, startServer } from './harness.js';

const bytes = (s: string) => new TextEncoder().encode(s);

forEachProvider((provider) => {
  describe('MmtlsServer ↔ MmtlsClient on loopback', () => {
    let t: TestServer;
    beforeAll(async () => { t = await startServer(provider); });
    afterAll(async () => { await t.server.close(); });

    const client = (http: boolean, mode?: HandshakeMode, tickets?: ClientTickets) =>
      new MmtlsClient({ host: '127.0.0.1', port: http ? t.shortPort : t.longPort, verifyKey: t.verifyKey, http, provider, ...(mode && { mode }), ...(tickets && { tickets }) });

    for (const http of [false, true]) {
      const transport = http ? 'short' : 'long';
      it(`${transport} link: 1-RTT ECDHE first, then each PSK mode with the tickets it issued`, async () => {
        const tickets = new ClientTickets();
        const first = client(http, '1rtt-ecdhe', tickets);
        const request = bytes(`hello ${transport}`);
        expect(await first.request(request)).toEqual(expectedAnswer(request, { transport, mode: '1rtt-ecdhe' }));
        expect(first.lastHandshake).toEqual({ mode: '1rtt-ecdhe', resumed: false });
        expect(t.seen.at(-1)).toMatchObject({ transport, mode: '1rtt-ecdhe', resumed: false });
        await first.close();
        expect(tickets.access).toBeDefined();
        for (const mode of ['1rtt-psk', '0rtt-psk', '0rtt-ecdhe'] as const) {
          const resumed = client(http, mode, tickets);
          for (const n of [1, 2]) {
            const r = bytes(`${mode} #${n}`);
            expect(await resumed.request(r)).toEqual(expectedAnswer(r, { transport, mode }));
            // early data: every 0-RTT request, except on a long link once the ECDH-ECDHE client Finished
            // has moved the client to its application key
            const early = mode === '0rtt-psk' || (mode === '0rtt-ecdhe' && (http || n === 1));
            expect(t.seen.at(-1)!.early, `${mode} #${n}`).toBe(early);
          }
          const resumedFlag = mode !== '0rtt-ecdhe'; // 0-RTT ECDH-ECDHE needs no ticket
          expect(resumed.lastHandshake).toEqual({ mode, resumed: resumedFlag });
          expect(t.seen.at(-1)).toMatchObject({ transport, mode, resumed: resumedFlag });
          await resumed.close();
        }
      });

      it(`${transport} link: requests larger than a record are fragmented and reassembled`, async () => {
        const c = client(http);
        const big = provider.randomBytes(200_000);
        // Buffer.compare: vitest's deep equality is slow on large arrays
        expect(Buffer.compare(await c.request(big), expectedAnswer(big, { transport, mode: '1rtt-ecdhe' }))).toBe(0);
        expect(await c.request(new Uint8Array(0))).toEqual(expectedAnswer(new Uint8Array(0), { transport, mode: http ? '0rtt-psk' : '1rtt-ecdhe' }));
        await c.close();
      });

      it(`${transport} link: a wrong verify key fails the handshake with decrypt_error and the server carries on`, async () => {
        const other = provider.signature('P-256').generateKeyPair().publicKey;
        const bad = new MmtlsClient({ host: '127.0.0.1', port: http ? t.shortPort : t.longPort, verifyKey: other, http, provider, mode: '1rtt-ecdhe' });
        const error = await bad.request(bytes('x')).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(MmtlsError);
        expect((error as MmtlsError).alert).toBe('decrypt_error');
        await bad.close();
        const good = client(http);
        expect(await good.request(bytes('y'))).toEqual(expectedAnswer(bytes('y'), { transport, mode: '1rtt-ecdhe' }));
        await good.close();
      });
    }

    it('long link: concurrent requests on one connection each get their own answer', async () => {
      const c = client(false);
      const requests = Array.from({ length: 50 }, (_, i) => bytes(`request ${i}`));
      const answers = await Promise.all(requests.map((r) => c.request(r)));
      answers.forEach((a, i) => expect(a).toEqual(expectedAnswer(requests[i]!, { transport: 'long', mode: '1rtt-ecdhe' })));
      await c.close();
    });

    it('overload: ECDHE offers with a refresh ticket get PSK, without one the overloaded alert; 0-RTT goes on', async () => {
      const tickets = new ClientTickets();
      const warm = client(false, '1rtt-ecdhe', tickets);
      await warm.request(bytes('warm'));
      await warm.close();
      t.server.overloaded = true;
      try {
        const degraded = client(false, '1rtt-ecdhe', tickets);
        expect(await degraded.request(bytes('d'))).toEqual(expectedAnswer(bytes('d'), { transport: 'long', mode: '1rtt-psk' }));
        expect(degraded.lastHandshake).toEqual({ mode: '1rtt-psk', resumed: true });
        await degraded.close();
        // refused like ECDHE; resent at once (the option), and the refresh ticket gets PSK
        const ecdh = new MmtlsClient({ host: '127.0.0.1', port: t.shortPort, verifyKey: t.verifyKey, http: true, provider, mode: '0rtt-ecdhe', tickets, resendRefusedEarlyData: true });
        expect(await ecdh.request(bytes('f'))).toEqual(expectedAnswer(bytes('f'), { transport: 'short', mode: '1rtt-psk' }));
        expect(ecdh.lastAttempt).toBe('1rtt-ecdhe');
        await ecdh.close();
        const early = client(true, '0rtt-psk', tickets);
        expect(await early.request(bytes('e'))).toEqual(expectedAnswer(bytes('e'), { transport: 'short', mode: '0rtt-psk' }));
        await early.close();
        for (const http of [false, true]) {
          const refused = client(http, '1rtt-ecdhe');
          await expect(refused.request(bytes('r'))).rejects.toMatchObject({ name: 'PeerAlert', alert: 'overloaded' });
          await refused.close();
        }
      } finally {
        t.server.overloaded = false;
      }
    });
  });
});
