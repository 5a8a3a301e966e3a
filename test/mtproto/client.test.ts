// MtprotoClient against live servers, on both providers: a connection cut in the middle of a query
// (the query goes again, runs once, its answer arrives once), a cut while idle, a server stopped
// and restarted on the same port with the file store (keys, bindings and salts survive: no new
// handshake) or with a fresh memory store (−404: the client makes new keys and the waiting query
// still completes), a temporary key the server lost, resuming with an exported key, errors at
// connect, close(), and the WebSocket path through a browser-style global WebSocket.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { CryptoProvider } from '../../bindings/index.js';
import { MtprotoClient } from '../../bindings/mtproto/client/client.js';
import { MtprotoError } from '../../bindings/mtproto/errors.js';
import { FileAuthKeyStore } from '../../bindings/mtproto/server/file-store.js';
import { MtprotoServer } from '../../bindings/mtproto/server/server.js';
import type { AuthKeyStore } from '../../bindings/mtproto/server/store.js';
import { forEachProvider } from '../helpers/providers.js';
import { ECHO, echoAnswer, echoQuery, rsaPair, tagOfAnswer, tcpProxy } from './server-harness.js';

const SLOW = 0x5105105; // waits until the test releases it

interface Served {
  server: MtprotoServer;
  port: number;
  calls: Map<number, number>;
  release(): void;
}

async function serve(provider: CryptoProvider, options: { port?: number; store?: AuthKeyStore; http?: boolean } = {}): Promise<Served> {
  const calls = new Map<number, number>();
  let release!: () => void;
  let gate = new Promise<void>((resolve) => (release = resolve));
  const count = (body: Uint8Array): number => {
    const tag = new DataView(body.buffer, body.byteOffset).getInt32(4, true);
    calls.set(tag, (calls.get(tag) ?? 0) + 1);
    return tag;
  };
  const server = new MtprotoServer({
    provider,
    rsaPrivateKey: rsaPair().privatePem,
    authKeyStore: options.store,
    handlers: {
      [ECHO]: (body) => (count(body), echoAnswer(body)),
      [SLOW]: async (body) => {
        count(body);
        await gate;
        return echoAnswer(body);
      },
    },
  });
  const { port } = await server.listen({ host: '127.0.0.1', port: options.port ?? 0, http: options.http });
  return {
    server,
    port,
    calls,
    release: () => {
      release();
      gate = new Promise<void>((resolve) => (release = resolve));
    },
  };
}

function slowQuery(tag: number): Uint8Array {
  const q = echoQuery(tag);
  new DataView(q.buffer).setUint32(0, SLOW, true);
  return q;
}

const until = async (condition: () => boolean, ms = 5000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

forEachProvider((provider: CryptoProvider) => {
  describe('MtprotoClient: reconnecting', () => {
    let s: Served;
    beforeAll(async () => {
      s = await serve(provider);
    });
    afterAll(async () => {
      await s.server.close();
    });

    for (const tempKeys of [false, true]) {
      it(`a cut in the middle of a query: re-sent on a new connection, run once, answered once${tempKeys ? ' (temporary keys)' : ''}`, async () => {
        const proxy = await tcpProxy(() => s.port);
        const client = await MtprotoClient.connect({ host: '127.0.0.1', port: proxy.port, rsaPublicKey: rsaPair().publicSpki, transport: 'intermediate', provider, tempKeys });
        try {
          const tag = tempKeys ? 2001 : 1001;
          let answers = 0;
          const pending = client.invoke(slowQuery(tag)).then((a) => (answers++, a));
          await until(() => s.calls.get(tag) === 1);
          proxy.cut();
          await until(() => proxy.connections >= 2); // the client came back for its query
          await new Promise((resolve) => setTimeout(resolve, 50));
          s.release();
          expect(tagOfAnswer(await pending)).toBe(tag);
          await new Promise((resolve) => setTimeout(resolve, 100));
          expect(answers).toBe(1);
          expect(s.calls.get(tag)).toBe(1);
          expect(tagOfAnswer(await client.invoke(echoQuery(tag + 1)))).toBe(tag + 1);
        } finally {
          await client.close();
          await proxy.close();
        }
      });
    }

    it('the answer ready while the client is away is delivered when it comes back', async () => {
      let refuse = false;
      const proxy = await tcpProxy(() => (refuse ? 1 : s.port)); // port 1: nothing listens
      const client = await MtprotoClient.connect({ host: '127.0.0.1', port: proxy.port, rsaPublicKey: rsaPair().publicSpki, transport: 'abridged', provider });
      try {
        const pending = client.invoke(slowQuery(3001));
        await until(() => s.calls.get(3001) === 1);
        refuse = true;
        proxy.cut();
        s.release(); // the result is queued with no connection to go to
        await new Promise((resolve) => setTimeout(resolve, 150));
        refuse = false;
        expect(tagOfAnswer(await pending)).toBe(3001);
        expect(s.calls.get(3001)).toBe(1);
      } finally {
        await client.close();
        await proxy.close();
      }
    });

    it('a cut while idle: the next query reconnects', async () => {
      const proxy = await tcpProxy(() => s.port);
      const client = await MtprotoClient.connect({ host: '127.0.0.1', port: proxy.port, rsaPublicKey: rsaPair().publicSpki, transport: 'full', provider });
      try {
        await client.invoke(echoQuery(1));
        proxy.cut();
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(tagOfAnswer(await client.invoke(echoQuery(2)))).toBe(2);
        expect(proxy.connections).toBe(2);
      } finally {
        await client.close();
        await proxy.close();
      }
    });
  });

  describe('MtprotoClient: server restarts', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'wirecrypt-mtproto-'));
    });
    afterAll(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    for (const tempKeys of [false, true]) {
      it(`the file store keeps keys${tempKeys ? ', bindings' : ''} and salts: no new handshake after a restart${tempKeys ? ' (temporary keys)' : ''}`, async () => {
        const storeDir = join(dir, `keep-${tempKeys}`);
        const first = await serve(provider, { store: new FileAuthKeyStore({ dir: storeDir }) });
        const client = await MtprotoClient.connect({ host: '127.0.0.1', port: first.port, rsaPublicKey: rsaPair().publicSpki, transport: 'intermediate', provider, tempKeys });
        try {
          await client.invoke(echoQuery(1));
          const ids = [client.authKeyId, client.permAuthKeyId];
          await first.server.close();
          const second = await serve(provider, { port: first.port, store: new FileAuthKeyStore({ dir: storeDir }) });
          try {
            expect(tagOfAnswer(await client.invoke(echoQuery(2)))).toBe(2);
            expect(second.server.keysCreated).toBe(0);
            expect([client.authKeyId, client.permAuthKeyId]).toEqual(ids);
            expect(second.calls.get(2)).toBe(1);
          } finally {
            await second.server.close();
          }
        } finally {
          await client.close();
        }
      });

      it(`a fresh memory store: −404, new keys, and the waiting query completes${tempKeys ? ' (temporary keys)' : ''}`, async () => {
        const first = await serve(provider);
        const client = await MtprotoClient.connect({ host: '127.0.0.1', port: first.port, rsaPublicKey: rsaPair().publicSpki, transport: 'abridged', provider, tempKeys });
        try {
          await client.invoke(echoQuery(1));
          const perm = client.permAuthKeyId;
          await first.server.close();
          const second = await serve(provider, { port: first.port });
          try {
            expect(tagOfAnswer(await client.invoke(echoQuery(2)))).toBe(2);
            expect(second.server.keysCreated).toBe(tempKeys ? 2 : 1);
            expect(client.permAuthKeyId).not.toBe(perm);
            expect(second.calls.get(2)).toBe(1);
          } finally {
            await second.server.close();
          }
        } finally {
          await client.close();
        }
      });
    }

    it('a temporary key the server lost (spec §6): a new one, bound to the same permanent key', async () => {
      const storeDir = join(dir, 'lost-temp');
      const store = new FileAuthKeyStore({ dir: storeDir });
      const first = await serve(provider, { store });
      const client = await MtprotoClient.connect({ host: '127.0.0.1', port: first.port, rsaPublicKey: rsaPair().publicSpki, transport: 'padded', provider, tempKeys: true });
      try {
        await client.invoke(echoQuery(1));
        const [temp, perm] = [client.authKeyId, client.permAuthKeyId];
        await first.server.close();
        await store.deleteKey(temp);
        await store.close();
        const second = await serve(provider, { port: first.port, store: new FileAuthKeyStore({ dir: storeDir }) });
        try {
          expect(tagOfAnswer(await client.invoke(echoQuery(2)))).toBe(2);
          expect(second.server.keysCreated).toBe(1);
          expect(client.permAuthKeyId).toBe(perm);
          expect(client.authKeyId).not.toBe(temp);
        } finally {
          await second.server.close();
        }
      } finally {
        await client.close();
      }
    });
  });

  describe('MtprotoClient: connecting and closing', () => {
    let s: Served;
    beforeAll(async () => {
      s = await serve(provider, { http: true });
    });
    afterAll(async () => {
      await s.server.close();
    });

    it('resumes with an exported key: no handshake, the salt learnt from bad_server_salt', async () => {
      const a = await MtprotoClient.connect({ host: '127.0.0.1', port: s.port, rsaPublicKey: rsaPair().publicSpki, transport: 'intermediate', provider });
      const key = a.exportAuthKey();
      await a.close();
      const created = s.server.keysCreated;
      const b = await MtprotoClient.connect({ host: '127.0.0.1', port: s.port, rsaPublicKey: rsaPair().publicSpki, transport: 'http', provider, authKey: key });
      try {
        expect(tagOfAnswer(await b.invoke(echoQuery(7)))).toBe(7);
        expect(s.server.keysCreated).toBe(created);
        expect(b.exportAuthKey()).toEqual(key);
      } finally {
        await b.close();
      }
    });

    it('close() rejects waiting queries and later calls; keys are wiped', async () => {
      const c = await MtprotoClient.connect({ host: '127.0.0.1', port: s.port, rsaPublicKey: rsaPair().publicSpki, transport: 'intermediate', provider });
      const pending = c.invoke(slowQuery(4001)).catch((e: unknown) => e);
      await until(() => s.calls.get(4001) === 1);
      await c.close();
      expect(await pending).toMatchObject({ code: 'client-closed' });
      await expect(c.invoke(echoQuery(1))).rejects.toMatchObject({ code: 'client-closed' });
      expect(() => c.exportAuthKey()).toThrow(TypeError);
      s.release();
    });

    it('errors at connect: nothing listening, a server key the client does not trust, a bad transport name', async () => {
      const nothing = await MtprotoClient.connect({ host: '127.0.0.1', port: 1, rsaPublicKey: rsaPair().publicSpki, transport: 'abridged', provider }).catch((e: unknown) => e);
      expect(nothing).toBeInstanceOf(MtprotoError);
      expect((nothing as MtprotoError).code).toBe('connection-failed');
      // a different key: its fingerprint is not in resPQ
      const { generateKeyPairSync } = await import('node:crypto');
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'pkcs1', format: 'pem' }) as string;
      const untrusted = await MtprotoClient.connect({ host: '127.0.0.1', port: s.port, rsaPublicKey: other, transport: 'intermediate', provider }).catch((e: unknown) => e);
      expect((untrusted as MtprotoError).code).toBe('rsa-unknown-fingerprint');
      await expect(MtprotoClient.connect({ host: '127.0.0.1', port: s.port, rsaPublicKey: rsaPair().publicSpki, transport: 'tcp' as never, provider })).rejects.toThrow(TypeError);
    });

    it('the WebSocket transport through a browser-style global WebSocket', async () => {
      const g = globalThis as { WebSocket?: unknown };
      const saved = g.WebSocket;
      g.WebSocket = WebSocket;
      try {
        const c = await MtprotoClient.connect({ host: '127.0.0.1', port: s.port, rsaPublicKey: rsaPair().publicSpki, transport: 'websocket', provider });
        expect(tagOfAnswer(await c.invoke(echoQuery(11)))).toBe(11);
        await c.close();
      } finally {
        g.WebSocket = saved;
      }
    });
  });
});
