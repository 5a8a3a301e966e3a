// MtprotoClient's upkeep on a live server (spec §7): a query whose packet was lost is recovered
// with msgs_state_req and sent again, without a reconnect and without running twice; an idle
// connection keeps sending ping_delay_disconnect; a temporary key is renewed before it expires
// while queries keep flowing, each answered once.
import { type Socket, connect, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CryptoProvider } from '../../bindings/index.js';
import { MtprotoClient } from '../../bindings/mtproto/client/client.js';
import { MtprotoServer } from '../../bindings/mtproto/server/server.js';
import { forEachProvider } from '../helpers/providers.js';
import { ECHO, echoAnswer, echoQuery, rsaPair, tagOfAnswer } from './server-harness.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A TCP proxy that counts the client's writes and can drop the next one (a whole frame on the intermediate transport). */
async function lossyProxy(target: number) {
  let dropNext = false;
  let writes = 0;
  let accepted = 0;
  const sockets = new Set<Socket>();
  const server = createServer((inbound) => {
    accepted++;
    const outbound = connect({ host: '127.0.0.1', port: target });
    sockets.add(inbound).add(outbound);
    inbound.on('data', (chunk) => {
      writes++;
      if (dropNext) dropNext = false;
      else outbound.write(chunk);
    });
    outbound.pipe(inbound);
    for (const s of [inbound, outbound]) s.on('error', () => {}).on('close', () => { inbound.destroy(); outbound.destroy(); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    dropNext: () => { dropNext = true; },
    get writes() { return writes; },
    get connections() { return accepted; },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

forEachProvider((provider: CryptoProvider) => {
  describe('MtprotoClient upkeep', () => {
    let server: MtprotoServer;
    let port: number;
    const calls = new Map<number, number>();
    beforeAll(async () => {
      server = new MtprotoServer({
        provider,
        rsaPrivateKey: rsaPair().privatePem,
        handlers: {
          [ECHO]: (body) => {
            const tag = new DataView(body.buffer, body.byteOffset).getInt32(4, true);
            calls.set(tag, (calls.get(tag) ?? 0) + 1);
            return echoAnswer(body);
          },
        },
      });
      ({ port } = await server.listen({ host: '127.0.0.1', port: 0 }));
    });
    afterAll(async () => { await server.close(); });

    it('a query whose packet was lost is asked about (msgs_state_req) and sent again: answered once, same connection', async () => {
      const proxy = await lossyProxy(port);
      const client = await MtprotoClient.connect({ host: '127.0.0.1', port: proxy.port, rsaPublicKey: rsaPair().publicSpki, transport: 'intermediate', provider, resendAfter: 0.3, pingInterval: 0 });
      try {
        expect(tagOfAnswer(await client.invoke(echoQuery(101)))).toBe(101);
        await sleep(700); // the ack of that answer has gone out alone: the next write is the query
        proxy.dropNext();
        expect(tagOfAnswer(await client.invoke(echoQuery(102)))).toBe(102);
        expect(calls.get(102)).toBe(1);
        expect(proxy.connections).toBe(1);
      } finally {
        await client.close();
        await proxy.close();
      }
    });

    it('an idle connection sends ping_delay_disconnect every pingInterval; with 0 it stays silent', async () => {
      for (const pingInterval of [0.2, 0]) {
        const proxy = await lossyProxy(port);
        const client = await MtprotoClient.connect({ host: '127.0.0.1', port: proxy.port, rsaPublicKey: rsaPair().publicSpki, transport: 'intermediate', provider, pingInterval, resendAfter: 0 });
        try {
          expect(tagOfAnswer(await client.invoke(echoQuery(200)))).toBe(200);
          await sleep(700); // the lone ack is out
          const before = proxy.writes;
          await sleep(1500);
          if (pingInterval > 0) expect(proxy.writes - before).toBeGreaterThanOrEqual(4);
          else expect(proxy.writes - before).toBe(0);
          expect(tagOfAnswer(await client.invoke(echoQuery(201)))).toBe(201);
          expect(proxy.connections).toBe(1);
        } finally {
          await client.close();
          await proxy.close();
        }
      }
    });

    it('a temporary key is replaced before it expires while queries go on, each answered once', async () => {
      const client = await MtprotoClient.connect({
        host: '127.0.0.1', port, rsaPublicKey: rsaPair().publicSpki, transport: 'intermediate', provider,
        tempKeys: true, tempKeyLifetime: 6, tempKeyRenewBefore: 4, pingInterval: 0, // renewed at 2 s; the old key answers for 3 s more
      });
      try {
        const start = Date.now();
        const perm = client.permAuthKeyId;
        const first = client.authKeyId;
        let changedAt: number | undefined;
        for (let i = 0; i < 16; i++) {
          const tag = 300 + i;
          expect(tagOfAnswer(await client.invoke(echoQuery(tag)))).toBe(tag);
          expect(calls.get(tag)).toBe(1);
          if (changedAt === undefined && client.authKeyId !== first) changedAt = Date.now() - start;
          await sleep(250);
        }
        expect(changedAt).toBeDefined();
        expect(changedAt!).toBeLessThan(5900); // replaced before the first key's 6 s ran out
        expect(client.permAuthKeyId).toBe(perm);
      } finally {
        await client.close();
      }
    }, 20_000);
  });
});
