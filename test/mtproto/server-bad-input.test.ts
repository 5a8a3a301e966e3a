// Bad input against a live MtprotoServer (spec §3, §7.3, §8.6) while a well-behaved client keeps
// working on the same server: garbage and unknown transports, HTTP on a port without HTTP, a TLS
// ClientHello, truncated and oversize frames, a bad CRC, an unknown auth_key_id (−404, then close),
// tampered and replayed ciphertext (silence), msg_id out of the window (16), malformed containers
// (64), a container over the limit (−429, then close), malformed plain messages and handshake
// bodies, quick acks. Raw sockets send exactly the bytes under test and read exactly what comes back.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CryptoProvider } from '../../bindings/index.js';
import { encodePlainMessage } from '../../bindings/mtproto/auth/plain-message.js';
import { MtprotoClient } from '../../bindings/mtproto/client/client.js';
import { AuthKey } from '../../bindings/mtproto/crypto/auth-key.js';
import { encryptMessage, encryptMessageWithQuickAck } from '../../bindings/mtproto/crypto/message.js';
import { MtprotoServer } from '../../bindings/mtproto/server/server.js';
import { ID, type ServiceMessage, decodeService, encodeService } from '../../bindings/mtproto/tl/service.js';
import { TlWriter } from '../../bindings/mtproto/tl/writer.js';
import { crc32 } from '../helpers/tdlib.js';
import { forEachProvider } from '../helpers/providers.js';
import { ECHO, RawClient, echoAnswer, echoQuery, rsaPair, tagOfAnswer } from './server-harness.js';

/** A raw client with a key, its salt learnt, ready to send hand-made messages. */
async function keyed(provider: CryptoProvider, port: number) {
  const raw = await RawClient.connect(provider, port);
  const { key } = await raw.handshake(provider, rsaPair().publicSpki);
  const sessionId = 0x5e5510n;
  const msgIds = { t: Math.floor(Date.now() / 1000), k: 1 };
  const nextId = (): bigint => (BigInt(msgIds.t) << 32n) | BigInt(4 * msgIds.k++);
  // learn the scheduled salt: salt 0 is refused with bad_server_salt (spec §4.3)
  raw.sendEncrypted(provider, key, { salt: 0n, sessionId, msgId: nextId(), seqNo: 0, body: encodeService({ _: 'ping', ping_id: 1n }) });
  const bad = decodeService((await raw.nextMessage(provider, key)).body) as Extract<ServiceMessage, { _: 'bad_server_salt' }>;
  expect(bad._).toBe('bad_server_salt');
  const salt = bad.new_server_salt;
  return {
    raw, key, salt, sessionId, nextId,
    send: (body: Uint8Array, seqNo = 1, msgId = nextId()) => {
      raw.sendEncrypted(provider, key, { salt, sessionId, msgId, seqNo, body });
      return msgId;
    },
    /** The next decrypted message's body items (containers opened). */
    async read(): Promise<ServiceMessage[]> {
      const m = await raw.nextMessage(provider, key);
      const top = decodeService(m.body);
      if (top?._ !== 'msg_container') return [top!];
      return top.messages.map((e) => decodeService(e.body) ?? ({ _: 'rpc' } as unknown as ServiceMessage));
    },
    /** Items read until one named `name` arrives (new_session_created and acks may come first). */
    async readUntil(name: string): Promise<ServiceMessage[]> {
      const all: ServiceMessage[] = [];
      while (!all.some((m) => m._ === name)) all.push(...(await this.read()));
      return all;
    },
  };
}

async function closes(raw: RawClient): Promise<boolean> {
  await raw.until(() => raw.closed, 5000).catch(() => {});
  return raw.closed;
}

forEachProvider((provider: CryptoProvider) => {
  describe('MtprotoServer under bad input', () => {
    let server: MtprotoServer;
    let port: number;
    let witness: MtprotoClient;
    const calls = new Map<number, number>();
    let witnessLoop: Promise<number>;
    let stop = false;

    beforeAll(async () => {
      server = new MtprotoServer({
        provider,
        rsaPrivateKey: rsaPair().privatePem,
        handlers: {
          [ECHO]: (b) => {
            const tag = new DataView(b.buffer, b.byteOffset).getInt32(4, true);
            calls.set(tag, (calls.get(tag) ?? 0) + 1);
            return echoAnswer(b);
          },
        },
      });
      ({ port } = await server.listen({ host: '127.0.0.1', port: 0 })); // no HTTP on this one
      witness = await MtprotoClient.connect({ host: '127.0.0.1', port, rsaPublicKey: rsaPair().publicSpki, transport: 'abridged', provider });
      // The witness keeps querying through every test below.
      witnessLoop = (async () => {
        let n = 0;
        while (!stop) {
          expect(tagOfAnswer(await witness.invoke(echoQuery(n)))).toBe(n);
          n++;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        return n;
      })();
    });

    afterAll(async () => {
      stop = true;
      const n = await witnessLoop;
      expect(n).toBeGreaterThan(10);
      await witness.close();
      await server.close();
    });

    it('garbage, a TLS ClientHello and HTTP (not served here) are closed', async () => {
      for (const head of [
        provider.randomBytes(64).map((b, i) => (i === 0 ? 0x11 : b)), // decrypts to no known obfuscation tag
        Uint8Array.of(0x16, 0x03, 0x01, 0x02, 0x00, 0x10, 0x00, 0x00),
        new TextEncoder().encode('POST /api HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n'),
      ]) {
        const raw = await RawClient.connect(provider, port);
        raw.write(head);
        expect(await closes(raw)).toBe(true);
        expect(raw.frames).toEqual([]);
      }
    });

    it('a truncated frame then a hang-up, and a dribble of bytes: nothing breaks', async () => {
      const raw = await RawClient.connect(provider, port);
      raw.write(Uint8Array.of(0xee, 0xee, 0xee, 0xee, 0xe8, 0x03, 0x00, 0x00, 1, 2, 3)); // announces 1000 bytes, sends 3
      await new Promise((resolve) => setTimeout(resolve, 50));
      raw.close();
      const slow = connect({ host: '127.0.0.1', port });
      await new Promise((resolve) => slow.once('connect', resolve));
      for (const b of [0xee, 0xee, 0xee]) slow.write(Uint8Array.of(b)); // not even a whole tag
      await new Promise((resolve) => setTimeout(resolve, 50));
      slow.destroy();
    });

    it('an oversize length is refused before anything is buffered: closed', async () => {
      const raw = await RawClient.connect(provider, port);
      raw.write(Uint8Array.of(0xee, 0xee, 0xee, 0xee, 0xff, 0xff, 0xff, 0x7f));
      expect(await closes(raw)).toBe(true);
    });

    it('a bad CRC on the full transport: closed', async () => {
      const raw = await RawClient.connect(provider, port, { transport: 'full', role: 'client' });
      const frame = raw.codec.encode(encodePlainMessage(4n << 32n, new TlWriter().int(0xbe7e8ef1).raw(new Uint8Array(16)).finish()));
      frame[frame.length - 1]! ^= 0xff;
      // check the test's own CRC reading: the last four bytes were crc32(length ‖ seq ‖ payload)
      const fixed = frame.slice();
      fixed[fixed.length - 1]! ^= 0xff;
      expect(new DataView(fixed.buffer).getUint32(fixed.length - 4, true)).toBe(crc32(fixed.subarray(0, fixed.length - 4)));
      raw.write(frame);
      expect(await closes(raw)).toBe(true);
    });

    it('an unknown auth_key_id: transport error −404, then closed', async () => {
      const raw = await RawClient.connect(provider, port);
      const stranger = new AuthKey(provider, provider.randomBytes(256));
      raw.sendEncrypted(provider, stranger, { salt: 0n, sessionId: 1n, msgId: BigInt(Math.floor(Date.now() / 1000)) << 32n | 4n, seqNo: 1, body: echoQuery(1) });
      expect(await raw.next()).toEqual({ kind: 'transport-error', code: 404 });
      expect(await closes(raw)).toBe(true);
      stranger.dispose();
      // and a packet too short to hold a key id
      const short = await RawClient.connect(provider, port);
      short.sendFrame(Uint8Array.of(1, 2, 3, 4));
      expect(await closes(short)).toBe(true);
    });

    it('tampered ciphertext is dropped silently; the connection and the session carry on', async () => {
      const c = await keyed(provider, port);
      try {
        for (const at of [0, 8, 30, 60]) {
          const packet = encryptMessage(provider, c.key, { salt: c.salt, sessionId: c.sessionId, msgId: c.nextId(), seqNo: 1, body: echoQuery(1) }, { from: 'client' });
          packet[at]! ^= 0x01;
          c.raw.sendFrame(packet);
        }
        // a tampered auth_key_id (byte 0) names an unknown key: that one alone gets −404 … so it is
        // checked last, on its own connection. Here: nothing comes back for the three others.
        const frame = await c.raw.next(300).catch(() => undefined);
        expect(frame).toEqual({ kind: 'transport-error', code: 404 });
      } finally {
        c.raw.close();
      }
      const d = await keyed(provider, port);
      try {
        for (const at of [8, 30, 60, 100]) {
          const packet = encryptMessage(provider, d.key, { salt: d.salt, sessionId: d.sessionId, msgId: d.nextId(), seqNo: 1, body: echoQuery(1) }, { from: 'client' });
          packet[Math.min(at, packet.length - 1)]! ^= 0x01;
          d.raw.sendFrame(packet);
        }
        await expect(d.raw.next(300)).rejects.toThrow(/timed out/);
        expect(d.raw.closed).toBe(false);
        d.send(encodeService({ _: 'ping', ping_id: 77n }), 0);
        const items = await d.readUntil('pong');
        expect(items.find((m) => m._ === 'pong')).toMatchObject({ ping_id: 77n });
      } finally {
        d.raw.close();
      }
    });

    it('a replayed packet gets no second answer; msg_id out of the window gets bad_msg_notification 16', async () => {
      const c = await keyed(provider, port);
      try {
        const packet = encryptMessage(provider, c.key, { salt: c.salt, sessionId: c.sessionId, msgId: c.nextId(), seqNo: 1, body: echoQuery(-3) }, { from: 'client' });
        c.raw.sendFrame(packet);
        const first = await c.readUntil('rpc_result');
        expect(first.map((m) => m._)).toContain('rpc_result');
        c.raw.sendFrame(packet);
        await expect(c.raw.next(300)).rejects.toThrow(/timed out/);
        expect(calls.get(-3)).toBe(1);
        const old = (BigInt(Math.floor(Date.now() / 1000) - 400) << 32n) | 4n;
        c.send(echoQuery(4), 1, old);
        const [note] = await c.read();
        expect(note).toMatchObject({ _: 'bad_msg_notification', bad_msg_id: old, error_code: 16 });
      } finally {
        c.raw.close();
      }
    });

    it('malformed TL: a broken container gets 64, a truncated service message is dropped', async () => {
      const c = await keyed(provider, port);
      try {
        const cid = c.nextId();
        c.send(new TlWriter().int(ID.msg_container).int(2).long(c.nextId()).int(1).int(8).raw(echoQuery(1)).finish(), 2, cid);
        const [note] = await c.read();
        expect(note).toMatchObject({ _: 'bad_msg_notification', bad_msg_id: cid, error_code: 64 });
        c.send(new TlWriter().int(ID.ping).int(1).finish(), 0); // ping_id cut short
        c.send(encodeService({ _: 'ping', ping_id: 5n }), 0);
        const items = await c.readUntil('pong');
        expect(items.filter((m) => m._ === 'pong')).toEqual([{ _: 'pong', msg_id: expect.any(BigInt), ping_id: 5n }]);
      } finally {
        c.raw.close();
      }
    });

    it('a container of 1025 messages: transport error −429, then closed', async () => {
      const c = await keyed(provider, port);
      const w = new TlWriter().int(ID.msg_container).int(1025);
      const ids = Array.from({ length: 1025 }, () => c.nextId());
      for (const id of ids) w.long(id).int(0).int(12).raw(encodeService({ _: 'msgs_ack', msg_ids: [] }));
      c.send(w.finish(), 0);
      expect(await c.raw.next()).toEqual({ kind: 'transport-error', code: 429 });
      expect(await closes(c.raw)).toBe(true);
    });

    it('malformed plain messages are closed; a handshake body the server does not know gets −404', async () => {
      const raw = await RawClient.connect(provider, port);
      const plain = encodePlainMessage(4n << 32n, echoQuery(1));
      new DataView(plain.buffer).setInt32(16, 1000, true); // length beyond the packet
      raw.sendFrame(plain);
      expect(await closes(raw)).toBe(true);
      const raw2 = await RawClient.connect(provider, port);
      raw2.sendFrame(encodePlainMessage(4n << 32n, echoQuery(1)));
      expect(await raw2.next()).toEqual({ kind: 'transport-error', code: 404 });
      expect(await closes(raw2)).toBe(true);
    });

    it('quick ack: the token is the first 4 bytes of msg_key_large with the top bit (spec §8.5)', async () => {
      const c = await keyed(provider, port);
      try {
        const { packet, quickAck } = encryptMessageWithQuickAck(provider, c.key, { salt: c.salt, sessionId: c.sessionId, msgId: c.nextId(), seqNo: 1, body: echoQuery(8) }, { from: 'client' });
        c.raw.sendFrame(packet, true);
        expect(await c.raw.next()).toEqual({ kind: 'quick-ack', token: quickAck & 0x7fffffff });
        expect((await c.readUntil('rpc_result')).map((m) => m._)).toContain('rpc_result');
      } finally {
        c.raw.close();
      }
    });

    it('ping_delay_disconnect: the server closes the connection when the delay passes without another', async () => {
      const c = await keyed(provider, port);
      const t0 = Date.now();
      c.send(encodeService({ _: 'ping_delay_disconnect', ping_id: 3n, disconnect_delay: 1 }), 1);
      expect((await c.readUntil('pong')).find((m) => m._ === 'pong')).toMatchObject({ ping_id: 3n });
      expect(await closes(c.raw)).toBe(true);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    });

    it('every test above left the server serving', async () => {
      expect(tagOfAnswer(await witness.invoke(echoQuery(424242)))).toBe(424242);
      const fresh = await MtprotoClient.connect({ host: '127.0.0.1', port, rsaPublicKey: rsaPair().publicSpki, transport: 'full', provider });
      expect(tagOfAnswer(await fresh.invoke(echoQuery(1)))).toBe(1);
      await fresh.close();
    });
  });
});
