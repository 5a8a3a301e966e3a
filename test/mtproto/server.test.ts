// MtprotoServer and MtprotoClient over real loopback sockets, on both providers: every transport
// (abridged, intermediate, padded, full, obfuscated2 over each inner framing, HTTP, WebSocket over
// each inner framing) with and without temporary keys; what handlers see (ctx) and how their errors
// come back (METHOD_INVALID, INTERNAL, MtprotoRpcError as thrown); gzip_packed both ways on the
// wire; ping, future salts, destroy_session; auth.bindTempAuthKey's errors and an unbound
// temporary key (AUTH_KEY_PERM_EMPTY), driven by a raw client that sends exactly what the test says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CryptoProvider } from '../../bindings/index.js';
import { type ClientTransport, MtprotoClient } from '../../bindings/mtproto/client/client.js';
import { bindTempAuthKeyBody } from '../../bindings/mtproto/session/bind.js';
import { MtprotoRpcError, type RpcContext, MtprotoServer } from '../../bindings/mtproto/server/server.js';
import { SALT_LIFETIME } from '../../bindings/mtproto/session/salts.js';
import type { ObfuscatedInner } from '../../bindings/mtproto/transport/obfuscated.js';
import { TlReader } from '../../bindings/mtproto/tl/reader.js';
import { TlWriter } from '../../bindings/mtproto/tl/writer.js';
import { forEachProvider } from '../helpers/providers.js';
import { ECHO, RawClient, echoAnswer, echoQuery, pumpedSession, rsaPair, tagOfAnswer } from './server-harness.js';

const FAIL = 0x0badf00d; // throws a plain Error
const RPC_FAIL = 0x0badf00e; // throws MtprotoRpcError(420, 'FLOOD_WAIT_7')
const BAD_RESULT = 0x0badf00f; // returns a non-TL value
const WRAP = 0x0a0b0c0d; // wrap#0a0b0c0d query:!X = X: dispatches the inner query
const CTX = 0x0c0c0c0c; // answers with the context it saw
const BIG = 0x0b160000; // answers 64 KiB of a repeated pattern

const VARIANTS: { transport: ClientTransport; inner?: ObfuscatedInner }[] = [
  { transport: 'abridged' },
  { transport: 'intermediate' },
  { transport: 'padded' },
  { transport: 'full' },
  { transport: 'obfuscated', inner: 'abridged' },
  { transport: 'obfuscated', inner: 'intermediate' },
  { transport: 'obfuscated', inner: 'padded' },
  { transport: 'http' },
  { transport: 'websocket', inner: 'abridged' },
  { transport: 'websocket', inner: 'intermediate' },
  { transport: 'websocket', inner: 'padded' },
];

function bigResult(): Uint8Array {
  const out = new Uint8Array(64 * 1024);
  new DataView(out.buffer).setUint32(0, BIG, true);
  for (let i = 4; i < out.length; i++) out[i] = (i * 7) & 0x3f;
  return out;
}

function serve(provider: CryptoProvider, seen: { bodies: Uint8Array[] } = { bodies: [] }): MtprotoServer {
  return new MtprotoServer({
    provider,
    rsaPrivateKey: rsaPair().privatePem,
    handlers: {
      [ECHO]: (body) => {
        seen.bodies.push(body);
        return echoAnswer(body);
      },
      [FAIL]: () => {
        throw new Error('boom');
      },
      [RPC_FAIL]: async () => {
        throw new MtprotoRpcError(420, 'FLOOD_WAIT_7');
      },
      [BAD_RESULT]: () => 'not bytes' as unknown as Uint8Array,
      [WRAP]: (body, ctx) => ctx.dispatch(body.subarray(4)),
      [CTX]: (_body, ctx: RpcContext) => new TlWriter().int(CTX).long(ctx.authKeyId).long(ctx.permAuthKeyId).long(ctx.sessionId).long(ctx.msgId).string(ctx.transport).finish(),
      [BIG]: () => bigResult(),
    },
  });
}

function readCtx(answer: Uint8Array) {
  const r = new TlReader(answer);
  expect(r.uint()).toBe(CTX);
  return { authKeyId: r.long(), permAuthKeyId: r.long(), sessionId: r.long(), msgId: r.long(), transport: r.string() };
}

forEachProvider((provider: CryptoProvider) => {
  describe('MtprotoServer ↔ MtprotoClient over loopback', () => {
    let server: MtprotoServer;
    let port: number;
    const seen = { bodies: [] as Uint8Array[] };

    beforeAll(async () => {
      server = serve(provider, seen);
      ({ port } = await server.listen({ host: '127.0.0.1', port: 0, http: true }));
    });
    afterAll(async () => {
      await server.close();
    });

    for (const { transport, inner } of VARIANTS) {
      for (const tempKeys of [false, true]) {
        it(`${transport}${inner ? ` (${inner} inside)` : ''}${tempKeys ? ', temporary keys' : ''}: queries, concurrency, ctx`, async () => {
          const created = server.keysCreated;
          const rsaPublicKey = transport === 'full' ? rsaPair().publicPkcs1 : rsaPair().publicSpki;
          const client = await MtprotoClient.connect({ host: '127.0.0.1', port, rsaPublicKey, transport, tempKeys, provider, obfuscatedInner: inner });
          try {
            expect(server.keysCreated - created).toBe(tempKeys ? 2 : 1);
            const q = echoQuery(1);
            expect(Array.from(await client.invoke(q))).toEqual(Array.from(echoAnswer(q)));
            const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => client.invoke(echoQuery(100 + i))));
            expect(answers.map(tagOfAnswer)).toEqual(Array.from({ length: 20 }, (_, i) => 100 + i));
            const ctx = readCtx(await client.invoke(new TlWriter().int(CTX).finish()));
            expect(ctx.authKeyId).toBe(client.authKeyId);
            expect(ctx.permAuthKeyId).toBe(client.permAuthKeyId);
            expect(ctx.authKeyId === ctx.permAuthKeyId).toBe(!tempKeys);
            expect(ctx.sessionId).toBe(client.sessionId);
            expect(ctx.msgId % 4n).toBe(0n);
            expect(ctx.transport).toBe(transport);
          } finally {
            await client.close();
          }
        });
      }
    }

    it('handler errors: no handler → 400 METHOD_INVALID, a throw → 500 INTERNAL, MtprotoRpcError as thrown, a non-TL result → 500', async () => {
      const client = await MtprotoClient.connect({ host: '127.0.0.1', port, rsaPublicKey: rsaPair().publicSpki, transport: 'intermediate', provider });
      try {
        const call = (id: number) => client.invoke(new TlWriter().int(id).finish()).catch((e: unknown) => e);
        expect(await call(0x7777_7777)).toMatchObject({ name: 'MtprotoRpcError', code: 400, message: 'METHOD_INVALID' });
        expect(await call(FAIL)).toMatchObject({ code: 500, message: 'INTERNAL' });
        const flood = await call(RPC_FAIL);
        expect(flood).toBeInstanceOf(MtprotoRpcError);
        expect(flood).toMatchObject({ code: 420, message: 'FLOOD_WAIT_7' });
        expect(await call(BAD_RESULT)).toMatchObject({ code: 500, message: 'INTERNAL' });
        // the session carries on
        expect(tagOfAnswer(await client.invoke(echoQuery(5)))).toBe(5);
        // a wrapper's handler dispatches the inner query with the same context
        const inner = echoQuery(6);
        const wrapped = new TlWriter().int(WRAP).raw(inner).finish();
        expect(Array.from(await client.invoke(wrapped))).toEqual(Array.from(echoAnswer(inner)));
        const wrappedUnknown = new TlWriter().int(WRAP).int(0x7777_7777).finish();
        expect(await client.invoke(wrappedUnknown).catch((e: unknown) => e)).toMatchObject({ code: 400, message: 'METHOD_INVALID' });
      } finally {
        await client.close();
      }
    });

    it('gzip_packed on the wire both ways: a 64 KiB query reaches the handler intact, a 64 KiB result comes back intact', async () => {
      for (const transport of ['abridged', 'http'] as const) {
        const client = await MtprotoClient.connect({ host: '127.0.0.1', port, rsaPublicKey: rsaPair().publicSpki, transport, provider });
        try {
          const q = echoQuery(9, 64 * 1024);
          const before = seen.bodies.length;
          expect(Array.from(await client.invoke(q))).toEqual(Array.from(echoAnswer(q)));
          expect(Array.from(seen.bodies[before]!)).toEqual(Array.from(q));
          expect(Array.from(await client.invoke(new TlWriter().int(BIG).finish()))).toEqual(Array.from(bigResult()));
        } finally {
          await client.close();
        }
      }
    });

    it('ping → pong, get_future_salts (an hour each, a new one every 30 min), destroy_session of another session', async () => {
      const a = await MtprotoClient.connect({ host: '127.0.0.1', port, rsaPublicKey: rsaPair().publicSpki, transport: 'intermediate', provider });
      const b = await MtprotoClient.connect({ host: '127.0.0.1', port, rsaPublicKey: rsaPair().publicSpki, transport: 'intermediate', provider, authKey: a.exportAuthKey() });
      try {
        expect(await a.ping(0x5a5an)).toBe(0x5a5an);
        const salts = await a.getFutureSalts(3);
        expect(salts.length).toBe(3);
        expect(salts.map((s) => s.valid_until - s.valid_since)).toEqual([SALT_LIFETIME, SALT_LIFETIME, SALT_LIFETIME]);
        expect(salts[1]!.valid_since - salts[0]!.valid_since).toBe(1800);
        const now = Date.now() / 1000;
        expect(salts[0]!.valid_since <= now && now < salts[0]!.valid_until).toBe(true);
        expect(new Set(salts.map((s) => s.salt)).size).toBe(3);
        // the same key: b shares the salts
        expect((await b.getFutureSalts(1))[0]!.salt).toBe(salts[0]!.salt);
        await b.invoke(echoQuery(1));
        expect(await a.destroySession(b.sessionId)).toBe(true);
        expect(await a.destroySession(b.sessionId)).toBe(false);
        expect(await a.destroySession(a.sessionId)).toBe(false); // its own: undefined by the spec, refused here
      } finally {
        await a.close();
        await b.close();
      }
    });

    describe('auth.bindTempAuthKey and temporary keys (api/pfs)', () => {
      it('an unbound temporary key gets 401 AUTH_KEY_PERM_EMPTY; once bound, queries run with permAuthKeyId', async () => {
        const raw = await RawClient.connect(provider, port);
        try {
          const perm = await raw.handshake(provider, rsaPair().publicSpki);
          const stranger = (await raw.handshake(provider, rsaPair().publicSpki)).key; // another permanent key
          const temp = await raw.handshake(provider, rsaPair().publicSpki, 3600);
          // (from here on the connection belongs to the session)
          const session = pumpedSession(raw, provider, temp.key, temp.result.serverSalt);
          expect(await session.invoke(echoQuery(1)).catch((e: unknown) => e)).toMatchObject({ code: 401, message: 'AUTH_KEY_PERM_EMPTY' });
          // a proof for another msg_id than the message carrying it
          const forged = await session.invoke((msgId, sid) => bindTempAuthKeyBody(provider, perm.key, temp.key, 1n, temp.result.expiresAt!, msgId + 4n, sid)).catch((e: unknown) => e);
          expect(forged).toMatchObject({ code: 400, message: 'ENCRYPTED_MESSAGE_INVALID' });
          const bound = await session.invoke((msgId, sid) => bindTempAuthKeyBody(provider, perm.key, temp.key, 2n, temp.result.expiresAt!, msgId, sid));
          expect(new DataView(bound.buffer, bound.byteOffset).getUint32(0, true)).toBe(0x997275b5);
          // binding again to the same key is fine; to another permanent key is refused
          const again = await session.invoke((msgId, sid) => bindTempAuthKeyBody(provider, perm.key, temp.key, 3n, temp.result.expiresAt!, msgId, sid));
          expect(new DataView(again.buffer, again.byteOffset).getUint32(0, true)).toBe(0x997275b5);
          const other = await session.invoke((msgId, sid) => bindTempAuthKeyBody(provider, stranger, temp.key, 4n, temp.result.expiresAt!, msgId, sid)).catch((e: unknown) => e);
          expect(other).toMatchObject({ code: 400, message: 'TEMP_AUTH_KEY_ALREADY_BOUND' });
          const ctx = readCtx(await session.invoke(new TlWriter().int(CTX).finish()));
          expect([ctx.authKeyId, ctx.permAuthKeyId]).toEqual([temp.key.idLong, perm.key.idLong]);
          stranger.dispose();
        } finally {
          raw.close();
        }
      });

      it('binding from a permanent key is TEMP_AUTH_KEY_EMPTY', async () => {
        const raw = await RawClient.connect(provider, port);
        try {
          const perm = await raw.handshake(provider, rsaPair().publicSpki);
          const perm2 = await raw.handshake(provider, rsaPair().publicSpki);
          const session = pumpedSession(raw, provider, perm2.key, perm2.result.serverSalt);
          const error = await session.invoke((msgId, sid) => bindTempAuthKeyBody(provider, perm.key, perm2.key, 1n, 2_000_000_000, msgId, sid)).catch((e: unknown) => e);
          expect(error).toMatchObject({ code: 400, message: 'TEMP_AUTH_KEY_EMPTY' });
        } finally {
          raw.close();
        }
      });
    });
  });
});
