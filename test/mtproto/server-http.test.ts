// The HTTP transport and the WebSocket endpoint of MtprotoServer (spec §8.8, §8.9), by hand:
// POST /api with hand-encrypted packets to see http_wait's long poll (an empty container after
// max_wait, an answer held for max_delay), −404 for an unknown key, a tampered packet closing the
// connection, CORS; WebSocket without the "binary" subprotocol, and without obfuscation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { CryptoProvider } from '../../bindings/index.js';
import { MtprotoClient } from '../../bindings/mtproto/client/client.js';
import { AuthKey } from '../../bindings/mtproto/crypto/auth-key.js';
import { decryptMessage, encryptMessage } from '../../bindings/mtproto/crypto/message.js';
import { MtprotoServer } from '../../bindings/mtproto/server/server.js';
import { type ServiceMessage, decodeService, encodeService } from '../../bindings/mtproto/tl/service.js';
import { IntermediateCodec } from '../../bindings/mtproto/transport/intermediate.js';
import { forEachProvider } from '../helpers/providers.js';
import { ECHO, echoAnswer, echoQuery, rsaPair } from './server-harness.js';

async function post(port: number, body: Uint8Array, path = '/api'): Promise<{ status: number; body: Uint8Array; ms: number; headers: Headers }> {
  const t0 = performance.now();
  const r = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', body: body as Uint8Array<ArrayBuffer> });
  return { status: r.status, body: new Uint8Array(await r.arrayBuffer()), ms: performance.now() - t0, headers: r.headers };
}

forEachProvider((provider: CryptoProvider) => {
  describe('HTTP transport and WebSocket endpoint', () => {
    let server: MtprotoServer;
    let port: number;

    beforeAll(async () => {
      server = new MtprotoServer({ provider, rsaPrivateKey: rsaPair().privatePem, handlers: { [ECHO]: (b) => echoAnswer(b) } });
      ({ port } = await server.listen({ host: '127.0.0.1', port: 0, http: true }));
    });
    afterAll(async () => {
      await server.close();
    });

    it('http_wait: answered at once when something is queued, an empty container after max_wait, an answer held for max_delay', async () => {
      const client = await MtprotoClient.connect({ host: '127.0.0.1', port, rsaPublicKey: rsaPair().publicSpki, transport: 'http', provider });
      const key = new AuthKey(provider, client.exportAuthKey());
      const salt = (await client.getFutureSalts(1))[0]!.salt;
      await client.close();
      const sessionId = 0x4854545000n;
      let k = 1;
      const t = Math.floor(Date.now() / 1000);
      const id = (): bigint => (BigInt(t) << 32n) | BigInt(4 * k++);
      const send = async (messages: { body: Uint8Array; seqNo: number }[]) => {
        const entries = messages.map((m) => ({ msg_id: id(), seqno: m.seqNo, body: m.body }));
        const body = entries.length === 1 ? entries[0]!.body : encodeService({ _: 'msg_container', messages: entries });
        const msgId = entries.length === 1 ? entries[0]!.msg_id : id();
        const seqNo = entries.length === 1 ? entries[0]!.seqno : (Math.max(...entries.map((e) => e.seqno)) + 1) & ~1;
        const r = await post(port, encryptMessage(provider, key, { salt, sessionId, msgId, seqNo, body }, { from: 'client' }));
        expect(r.status).toBe(200);
        const m = decryptMessage(provider, key, r.body, { from: 'server', sessionId });
        const top = decodeService(m.body);
        const items = top?._ === 'msg_container' ? top.messages.map((e) => decodeService(e.body) ?? ({ _: 'result' } as unknown as ServiceMessage)) : [top!];
        return { ...r, items, top };
      };
      const wait = (maxDelay: number, maxWait: number, seqNo = 0) => ({ body: encodeService({ _: 'http_wait', max_delay: maxDelay, wait_after: 0, max_wait: maxWait }), seqNo });

      const first = await send([{ body: encodeService({ _: 'ping', ping_id: 9n }), seqNo: 0 }, wait(0, 5000)]);
      expect(first.items.map((m) => m._).sort()).toEqual(['new_session_created', 'pong']);
      expect(first.ms).toBeLessThan(2000);

      const empty = await send([wait(0, 300)]);
      expect(empty.top).toEqual({ _: 'msg_container', messages: [] });
      expect(empty.ms).toBeGreaterThanOrEqual(250);

      const held = await send([{ body: echoQuery(3), seqNo: 1 }, wait(250, 5000, 2)]); // after a content-related message: 2n = 2
      const result = held.items.find((m) => m._ === 'rpc_result') as Extract<ServiceMessage, { _: 'rpc_result' }>;
      expect(Array.from(result.result)).toEqual(Array.from(echoAnswer(echoQuery(3))));
      expect(held.ms).toBeGreaterThanOrEqual(200);
      key.dispose();
    });

    it('an unknown key: status 404 with the 4-byte −404 body; a tampered packet: the connection is closed', async () => {
      const stranger = new AuthKey(provider, provider.randomBytes(256));
      const msgId = BigInt(Math.floor(Date.now() / 1000)) << 32n | 4n;
      const r = await post(port, encryptMessage(provider, stranger, { salt: 0n, sessionId: 1n, msgId, seqNo: 1, body: echoQuery(1) }, { from: 'client' }));
      expect(r.status).toBe(404);
      expect(new DataView(r.body.buffer).getInt32(0, true)).toBe(-404);
      stranger.dispose();

      const client = await MtprotoClient.connect({ host: '127.0.0.1', port, rsaPublicKey: rsaPair().publicSpki, transport: 'http', provider });
      const key = new AuthKey(provider, client.exportAuthKey());
      await client.close();
      const packet = encryptMessage(provider, key, { salt: 0n, sessionId: 1n, msgId, seqNo: 1, body: echoQuery(1) }, { from: 'client' });
      packet[40]! ^= 1;
      await expect(post(port, packet)).rejects.toThrow();
      key.dispose();
    });

    it('CORS preflight, and only POST /api', async () => {
      const pre = await fetch(`http://127.0.0.1:${port}/api`, { method: 'OPTIONS' });
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe('*');
      expect((await fetch(`http://127.0.0.1:${port}/api`)).status).toBe(404);
      expect((await post(port, new Uint8Array(8), '/other')).status).toBe(404);
      expect((await post(port, Uint8Array.of(1, 2))).status).toBe(400);
    });

    it('WebSocket: refused without the "binary" subprotocol; closed (reason 404) without obfuscation', async () => {
      const noProtocol = new WebSocket(`ws://127.0.0.1:${port}/apiws`);
      await expect(new Promise((resolve, reject) => {
        noProtocol.on('open', resolve);
        noProtocol.on('error', reject);
      })).rejects.toThrow();

      const plain = new WebSocket(`ws://127.0.0.1:${port}/apiws`, 'binary');
      await new Promise((resolve, reject) => {
        plain.on('open', resolve);
        plain.on('error', reject);
      });
      expect(plain.protocol).toBe('binary');
      const closed = new Promise<{ code: number; reason: string }>((resolve) => plain.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
      plain.send(new IntermediateCodec({ role: 'client' }).encode(new Uint8Array(24)));
      expect(await closed).toEqual({ code: 1000, reason: '404' });
    });
  });
});
