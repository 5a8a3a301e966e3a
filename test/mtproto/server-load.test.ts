// Load (issue 10, Tests): 200 concurrent clients × 100 RPCs each against one MtprotoServer over
// loopback (half abridged, half intermediate), wasm provider only. Every reply arrives exactly
// once, to the client and call that sent it, and every handler ran exactly once. The clients share
// one permanent key (as the connections of one app would), each in its own session, so the test
// measures the session layer rather than 200 BigInt handshakes.
import { describe, expect, it } from 'vitest';
import { wasmProvider } from '../../bindings/provider/wasm.js';
import { MtprotoClient } from '../../bindings/mtproto/client/client.js';
import { MtprotoServer } from '../../bindings/mtproto/server/server.js';
import { TlWriter } from '../../bindings/mtproto/tl/writer.js';
import { ECHO, echoAnswer, rsaPair } from './server-harness.js';

const CLIENTS = 200;
const CALLS = 100;

describe('load: 200 clients × 100 RPCs', () => {
  it('every reply arrives exactly once, to its caller', async () => {
    const ran = new Map<string, number>();
    const server = new MtprotoServer({
      provider: wasmProvider,
      rsaPrivateKey: rsaPair().privatePem,
      handlers: {
        [ECHO]: (body) => {
          const v = new DataView(body.buffer, body.byteOffset);
          const key = `${v.getInt32(4, true)}/${v.getInt32(8, true)}`;
          ran.set(key, (ran.get(key) ?? 0) + 1);
          return echoAnswer(body);
        },
      },
    });
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    const first = await MtprotoClient.connect({ host: '127.0.0.1', port, rsaPublicKey: rsaPair().publicSpki, transport: 'intermediate' });
    const authKey = first.exportAuthKey();
    await first.close();
    const started = performance.now();
    const clients = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => MtprotoClient.connect({
      host: '127.0.0.1', port, rsaPublicKey: rsaPair().publicSpki, transport: i % 2 === 0 ? 'abridged' : 'intermediate', authKey,
    })));
    expect(new Set(clients.map((c) => c.sessionId)).size).toBe(CLIENTS);
    const received = new Map<string, number>();
    try {
      await Promise.all(clients.map(async (client, c) => {
        for (let k = 0; k < CALLS; k++) {
          // echo client:int call:int salt:int, answered with the bytes after the id reversed
          const query = new TlWriter(16).int(ECHO).int(c).int(k).int((c * 7919 + k) | 0).finish();
          const answer = await client.invoke(query);
          expect(Array.from(answer)).toEqual(Array.from(echoAnswer(query)));
          const key = `${c}/${k}`;
          received.set(key, (received.get(key) ?? 0) + 1);
        }
      }));
      const seconds = (performance.now() - started) / 1000;
      expect(received.size).toBe(CLIENTS * CALLS);
      expect([...received.values()].every((n) => n === 1)).toBe(true);
      expect(ran.size).toBe(CLIENTS * CALLS);
      expect([...ran.values()].every((n) => n === 1)).toBe(true);
      expect(server.keysCreated).toBe(1);
      expect(seconds).toBeLessThan(30);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await server.close();
    }
  });
});
