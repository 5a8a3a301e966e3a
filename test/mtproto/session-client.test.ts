// ClientSession against ServerSession through real encryption (encryptMessage / decryptMessage,
// both providers), no sockets: results and rpc_error, bad_server_salt (salt 0 at the start) and
// the re-send with a new msg_id, bad_msg_notification 16 / 17 / 20 / 32 / 35, acks, duplicates,
// re-sends after a reconnect keeping msg_ids, new_session_created, ping/pong, future salts, state
// requests, destroy_session, gzip_packed both ways with its size limit, the receive time window,
// and auth.bindTempAuthKey's proof (built and checked, plus every mismatch).
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { CryptoProvider } from '../../bindings/index.js';
import { AuthKey } from '../../bindings/mtproto/crypto/auth-key.js';
import { decryptMessage, encryptMessage } from '../../bindings/mtproto/crypto/message.js';
import { encryptMessageV1 } from '../../bindings/mtproto/crypto/message-v1.js';
import { MtprotoError } from '../../bindings/mtproto/errors.js';
import {
  ClientSession, MsgIdGenerator, MtprotoRpcError, type ServerEvent, ServerSession, acceptsSalt, bindTempAuthKeyBody,
  verifyBindTempAuthKey,
} from '../../bindings/mtproto/session/index.js';
import type { StoredSalt } from '../../bindings/mtproto/server/store.js';
import { ID, type ServiceMessage, decodeService, encodeService } from '../../bindings/mtproto/tl/service.js';
import { TlReader } from '../../bindings/mtproto/tl/reader.js';
import { TlWriter } from '../../bindings/mtproto/tl/writer.js';
import { forEachProvider } from '../helpers/providers.js';

const T = 1_700_000_000;
const SALT = -0x5566778899aabbn;
const QUERY = 0x12345678;

function query(tag: number, length = 8): Uint8Array {
  const w = new TlWriter(length).int(QUERY).int(tag);
  for (let i = 8; i < length; i += 4) w.int(0x01020304);
  return w.finish();
}

function tagOf(body: Uint8Array): number {
  const r = new TlReader(body);
  r.uint();
  return r.int();
}

interface Harness {
  client: ClientSession;
  authKey: AuthKey;
  sessions: Map<bigint, ServerSession>;
  rpcs: Extract<ServerEvent, { kind: 'rpc' }>[];
  events: ServerEvent[];
  notes: (ServiceMessage | undefined)[];
  up(options?: { acksAlone?: boolean }): Promise<{ kind: string; session: ServerSession } | null>;
  down(session?: ServerSession, options?: { acksAlone?: boolean }): Promise<number>;
  server(): ServerSession;
  setServerTime(t: number): void;
  setClientTime(t: number): void;
}

function harness(provider: CryptoProvider, options: { salt?: bigint; clientTime?: number; timeOffset?: number; maxGzipSize?: number } = {}): Harness {
  let serverTime = T + 0.5;
  let clientTime = options.clientTime ?? T + 0.5;
  const authKey = new AuthKey(provider, provider.randomBytes(256));
  const salts: StoredSalt[] = [{ validSince: T - 1000, validUntil: T + 3000, salt: SALT }];
  const serverIds = new MsgIdGenerator('server', () => serverTime);
  const sessions = new Map<bigint, ServerSession>();
  const rpcs: Extract<ServerEvent, { kind: 'rpc' }>[] = [];
  const events: ServerEvent[] = [];
  const notes: (ServiceMessage | undefined)[] = [];
  const client = new ClientSession({
    salt: options.salt ?? SALT,
    timeOffset: options.timeOffset,
    now: () => clientTime,
    random: (n) => provider.randomBytes(n),
    maxGzipSize: options.maxGzipSize,
  });
  let last: ServerSession | null = null;
  return {
    client, authKey, sessions, rpcs, events, notes,
    async up(drain) {
      const m = client.drain(drain);
      if (m === null) return null;
      const packet = encryptMessage(provider, authKey, m, { from: 'client' });
      const d = decryptMessage(provider, authKey, packet, { from: 'client' });
      let s = sessions.get(d.sessionId);
      if (s === undefined) {
        s = new ServerSession({ authKeyId: authKey.idLong, sessionId: d.sessionId, msgIds: serverIds, now: () => serverTime, random: (n) => provider.randomBytes(n) });
        sessions.set(d.sessionId, s);
      }
      last = s;
      const r = await s.receive(d, { saltOk: acceptsSalt(salts, d.salt, serverTime), salt: SALT });
      for (const e of r.events) {
        events.push(e);
        if (e.kind === 'rpc') rpcs.push(e);
      }
      return { kind: r.result.kind, session: s };
    },
    async down(session = last!, drain) {
      let n = 0;
      for (let m = session.drain(SALT, drain); m !== null; m = session.drain(SALT)) {
        const top = decodeService(m.body);
        for (const body of top?._ === 'msg_container' ? top.messages.map((e) => e.body) : [m.body]) notes.push(decodeService(body));
        const packet = encryptMessage(provider, authKey, m, { from: 'server' });
        await client.receive(decryptMessage(provider, authKey, packet, { from: 'server', sessionId: client.sessionId }));
        n++;
      }
      return n;
    },
    server: () => last!,
    setServerTime: (t) => void (serverTime = t),
    setClientTime: (t) => void (clientTime = t),
  };
}

/** Waits until `condition` holds (invoke of a large body gzips asynchronously). */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
  expect(condition()).toBe(true);
}

forEachProvider((provider: CryptoProvider) => {
  describe('ClientSession ↔ ServerSession', () => {
    it('a query: odd seq_no, msg_id ≡ 0 mod 4; the rpc_result resolves it; rpc_error rejects with MtprotoRpcError', async () => {
      const h = harness(provider, { timeOffset: 0 });
      const ok = h.client.invoke(query(1));
      const bad = h.client.invoke(query(2));
      expect((await h.up())!.kind).toBe('accept');
      expect(h.rpcs.map((e) => tagOf(e.body))).toEqual([1, 2]);
      expect(h.rpcs.every((e) => e.msgId % 4n === 0n)).toBe(true);
      const s = h.server();
      s.answer(h.rpcs[0]!.msgId, query(100));
      s.answerError(h.rpcs[1]!.msgId, 400, 'PEER_ID_INVALID');
      await h.down();
      expect(tagOf(await ok)).toBe(100);
      const error = await bad.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MtprotoRpcError);
      expect(error).toMatchObject({ code: 400, message: 'PEER_ID_INVALID' });
      expect(h.client.pendingCount).toBe(0);
      // new_session_created and both results were content-related: acknowledged with the next packet
      expect(h.client.acksPending).toBe(3);
      expect(s.unackedCount).toBe(3);
      await h.up({ acksAlone: true });
      expect(s.unackedCount).toBe(0);
      expect(h.client.acksPending).toBe(0);
    });

    it('salt 0: bad_server_salt, the client takes the new salt and sends again with a new msg_id; one execution', async () => {
      const h = harness(provider, { salt: 0n });
      const p = h.client.invoke(query(7));
      expect((await h.up())!.kind).toBe('bad-salt');
      expect(h.rpcs).toEqual([]);
      await h.down();
      const note = h.notes.find((n) => n?._ === 'bad_server_salt') as Extract<ServiceMessage, { _: 'bad_server_salt' }>;
      expect(note.new_server_salt).toBe(SALT);
      expect(h.client.salt).toBe(SALT);
      expect((await h.up())!.kind).toBe('accept');
      expect(h.rpcs.length).toBe(1);
      expect(h.rpcs[0]!.msgId).not.toBe(note.bad_msg_id);
      h.server().answer(h.rpcs[0]!.msgId, query(8));
      await h.down();
      expect(tagOf(await p)).toBe(8);
    });

    it('16: a clock 400 s behind is corrected from the notification msg_id, and the query goes again', async () => {
      const h = harness(provider, { clientTime: T - 400 });
      const p = h.client.invoke(query(1));
      expect((await h.up())!.kind).toBe('notify');
      await h.down();
      expect(h.client.timeOffset).toBeGreaterThanOrEqual(399);
      expect(h.client.timeOffset).toBeLessThanOrEqual(401);
      expect((await h.up())!.kind).toBe('accept');
      h.server().answer(h.rpcs[0]!.msgId, query(2));
      await h.down();
      expect(tagOf(await p)).toBe(2);
    });

    it('17: a clock 100 s ahead: corrected, and a new session (msg_ids cannot go back within one)', async () => {
      const h = harness(provider, { clientTime: T + 100 });
      const first = h.client.sessionId;
      const p = h.client.invoke(query(1));
      expect((await h.up())!.kind).toBe('notify');
      await h.down();
      expect(h.client.sessionId).not.toBe(first);
      expect(Math.round(h.client.timeOffset)).toBe(-100);
      expect((await h.up())!.kind).toBe('accept');
      expect(h.sessions.size).toBe(2);
      h.server().answer(h.rpcs[0]!.msgId, query(3));
      await h.down();
      expect(tagOf(await p)).toBe(3);
    });

    it('20 → sent again with a new msg_id; 32 → a new session; 35 → the query fails (a bug on one side)', async () => {
      for (const code of [20, 32, 35]) {
        const h = harness(provider);
        const p = h.client.invoke(query(1));
        const result = p.catch((e: unknown) => e);
        const m = h.client.drain()!;
        const first = h.client.sessionId;
        // the server's notification, built here field by field
        const s = new ServerSession({ authKeyId: 1n, sessionId: first, msgIds: new MsgIdGenerator('server', () => T + 0.5), now: () => T + 0.5, random: (n) => provider.randomBytes(n) });
        s.send(encodeService({ _: 'bad_msg_notification', bad_msg_id: m.msgId, bad_msg_seqno: m.seqNo, error_code: code }), false);
        const out = s.drain(SALT)!;
        await h.client.receive(decryptMessage(provider, h.authKey, encryptMessage(provider, h.authKey, out, { from: 'server' }), { from: 'server' }));
        if (code === 35) {
          const error = await result;
          expect(error).toBeInstanceOf(MtprotoError);
          expect((error as MtprotoError).code).toBe('bad-msg-notification');
          continue;
        }
        const again = h.client.drain()!;
        expect(again.msgId).not.toBe(m.msgId);
        expect(h.client.sessionId === first).toBe(code === 20);
        expect(tagOf(again.body)).toBe(1);
      }
    });

    it('a notification about a message the client never sent is ignored (spec §4.4)', async () => {
      const h = harness(provider);
      h.client.invoke(query(1)).catch(() => {});
      h.client.drain();
      const s = new ServerSession({ authKeyId: 1n, sessionId: h.client.sessionId, msgIds: new MsgIdGenerator('server', () => T + 0.5), now: () => T + 0.5, random: (n) => provider.randomBytes(n) });
      s.send(encodeService({ _: 'bad_server_salt', bad_msg_id: 12345n * 4n, bad_msg_seqno: 1, error_code: 48, new_server_salt: 99n }), false);
      await h.client.receive(decryptMessage(provider, h.authKey, encryptMessage(provider, h.authKey, s.drain(SALT)!, { from: 'server' }), { from: 'server' }));
      expect(h.client.salt).toBe(SALT);
      expect(h.client.hasQueued).toBe(false);
    });

    it('a re-sent answer is a duplicate: ignored, but acknowledged again', async () => {
      const h = harness(provider);
      let settled = 0;
      const p = h.client.invoke(query(1)).then((r) => (settled++, r));
      await h.up();
      const s = h.server();
      s.answer(h.rpcs[0]!.msgId, query(2));
      await h.down();
      expect(tagOf(await p)).toBe(2);
      expect(h.client.drain({ acksAlone: true })).not.toBeNull(); // the packet with the acks is lost
      expect(s.unackedCount).toBe(2); // new_session_created and rpc_result
      s.resendUnacked();
      await h.down(s);
      expect(settled).toBe(1);
      expect(h.client.acksPending).toBe(2);
      await h.up({ acksAlone: true });
      expect(s.unackedCount).toBe(0);
    });

    it('after a reconnect, unanswered queries go again with their msg_ids in a container; the server ignores copies', async () => {
      const h = harness(provider);
      const p1 = h.client.invoke(query(1));
      await h.up();
      const s = h.server();
      const firstId = h.rpcs[0]!.msgId;
      h.client.resendPending();
      const p2 = h.client.invoke(query(2));
      const m = h.client.drain()!;
      const top = decodeService(m.body) as Extract<ServiceMessage, { _: 'msg_container' }>;
      expect(top._).toBe('msg_container');
      expect(top.messages.map((e) => e.msg_id)).toContain(firstId);
      // feed it to the server: the copy of query 1 is skipped, query 2 is new
      const d = decryptMessage(provider, h.authKey, encryptMessage(provider, h.authKey, m, { from: 'client' }), { from: 'client' });
      const r = await s.receive(d, { saltOk: true, salt: SALT });
      expect(r.events.map((e) => (e.kind === 'rpc' ? tagOf(e.body) : e.kind))).toEqual([2]);
      for (const e of [h.rpcs[0]!, ...r.events]) if (e.kind === 'rpc') s.answer(e.msgId, query(10 + tagOf(e.body)));
      await h.down(s);
      expect([tagOf(await p1), tagOf(await p2)]).toEqual([11, 12]);
    });

    it('a restarted server (new session state) runs the re-sent query once; first_msg_id keeps the client from sending it a third time', async () => {
      const h = harness(provider);
      const p = h.client.invoke(query(5));
      await h.up();
      h.sessions.clear(); // the server forgot everything
      h.rpcs.length = 0;
      h.client.resendPending();
      await h.up();
      expect(h.rpcs.map((e) => tagOf(e.body))).toEqual([5]);
      await h.down();
      expect(h.notes.some((n) => n?._ === 'new_session_created')).toBe(true);
      expect(h.client.hasQueued).toBe(false);
      h.server().answer(h.rpcs[0]!.msgId, query(6));
      await h.down();
      expect(tagOf(await p)).toBe(6);
    });

    it('new_session_created: queries sent before first_msg_id go again with new msg_ids', async () => {
      const h = harness(provider);
      const p = h.client.invoke(query(1));
      const lost = h.client.drain()!; // never reached the server
      const s = new ServerSession({ authKeyId: 1n, sessionId: h.client.sessionId, msgIds: new MsgIdGenerator('server', () => T + 0.5), now: () => T + 0.5, random: (n) => provider.randomBytes(n) });
      s.send(encodeService({ _: 'new_session_created', first_msg_id: lost.msgId + 4n, unique_id: 1n, server_salt: 77n }));
      await h.client.receive(decryptMessage(provider, h.authKey, encryptMessage(provider, h.authKey, s.drain(SALT)!, { from: 'server' }), { from: 'server' }));
      expect(h.client.salt).toBe(77n);
      const again = h.client.drain()!;
      const top = decodeService(again.body) as Extract<ServiceMessage, { _: 'msg_container' }>;
      const q = top.messages.find((e) => new TlReader(e.body).uint() === QUERY)!;
      expect(q.msg_id).not.toBe(lost.msgId);
      expect(top.messages.some((e) => decodeService(e.body)?._ === 'msgs_ack')).toBe(true); // new_session_created acked
      void p.catch(() => {});
    });

    it('ping → pong resolves with the ping_id; future salts resolve and are used when their time comes', async () => {
      const h = harness(provider);
      const pong = h.client.ping(0x1234n);
      const salts = h.client.getFutureSalts(2);
      await h.up();
      expect(h.events.map((e) => e.kind)).toEqual(['future-salts']);
      const fs = h.events[0] as Extract<ServerEvent, { kind: 'future-salts' }>;
      h.server().answerFutureSalts(fs.msgId, T, [
        { valid_since: T - 10, valid_until: T + 1800, salt: SALT },
        { valid_since: T + 1800, valid_until: T + 3600, salt: 4242n },
      ]);
      await h.down();
      expect(await pong).toBe(0x1234n);
      expect((await salts).map((x) => x.salt)).toEqual([SALT, 4242n]);
      h.setClientTime(T + 1801);
      void h.client.invoke(query(1)).catch(() => {});
      expect(h.client.drain()!.salt).toBe(4242n);
    });

    it('msgs_state_req resolves with the status bytes; destroy_session with whether it existed', async () => {
      const h = harness(provider);
      const p1 = h.client.invoke(query(1));
      await h.up();
      const known = h.rpcs[0]!.msgId;
      const state = h.client.requestState([known, known + 400n]);
      const destroyed = h.client.destroySession(99n);
      await h.up();
      const d = h.events.find((e) => e.kind === 'destroy-session') as Extract<ServerEvent, { kind: 'destroy-session' }>;
      h.server().answerDestroySession(d.msgId, 99n, true);
      await h.down();
      expect(Array.from(await state)).toEqual([4 + 32, 3]); // received, and an RPC query being processed
      expect(await destroyed).toBe(true);
      void p1.catch(() => {});
    });

    it('gzip_packed: a large query is packed (the server unpacks the same bytes), a packed result is unpacked', async () => {
      const h = harness(provider);
      const big = query(1, 4096);
      const p = h.client.invoke(big);
      await until(() => h.client.hasQueued);
      const m = h.client.drain()!;
      expect(new TlReader(m.body).uint()).toBe(ID.gzip_packed);
      expect(m.body.length).toBeLessThan(1024);
      const d = decryptMessage(provider, h.authKey, encryptMessage(provider, h.authKey, m, { from: 'client' }), { from: 'client' });
      const s = new ServerSession({ authKeyId: 1n, sessionId: d.sessionId, msgIds: new MsgIdGenerator('server', () => T + 0.5), now: () => T + 0.5, random: (n) => provider.randomBytes(n) });
      const r = await s.receive(d, { saltOk: true, salt: SALT, announce: false });
      const rpc = r.events[0] as Extract<ServerEvent, { kind: 'rpc' }>;
      expect(Array.from(rpc.body)).toEqual(Array.from(big));
      const result = query(9, 8192);
      s.answer(rpc.msgId, encodeService({ _: 'gzip_packed', packed_data: new Uint8Array(gzipSync(result)) }));
      const out = s.drain(SALT)!;
      await h.client.receive(decryptMessage(provider, h.authKey, encryptMessage(provider, h.authKey, out, { from: 'server' }), { from: 'server' }));
      expect(Array.from(await p)).toEqual(Array.from(result));
    });

    it('gzip_packed result over the size limit rejects the call; an rpc_error inside gzip_packed still rejects with it', async () => {
      const h = harness(provider, { maxGzipSize: 1024 });
      const p1 = h.client.invoke(query(1)).catch((e: unknown) => e);
      const p2 = h.client.invoke(query(2)).catch((e: unknown) => e);
      await h.up();
      const s = h.server();
      s.answer(h.rpcs[0]!.msgId, encodeService({ _: 'gzip_packed', packed_data: new Uint8Array(gzipSync(new Uint8Array(1 << 20))) }));
      const err = encodeService({ _: 'rpc_error', error_code: 500, error_message: 'X'.repeat(600) });
      s.answer(h.rpcs[1]!.msgId, encodeService({ _: 'gzip_packed', packed_data: new Uint8Array(gzipSync(err)) }));
      await h.down();
      const e1 = await p1;
      expect(e1).toBeInstanceOf(MtprotoError);
      expect((e1 as MtprotoError).code).toBe('gzip-too-large');
      expect(await p2).toMatchObject({ code: 500, message: 'X'.repeat(600) });
    });

    it('once the clock is synced, a server message outside −300 s / +30 s is dropped', async () => {
      const h = harness(provider, { timeOffset: 0 });
      const p = h.client.invoke(query(1));
      await h.up();
      const s = h.server();
      h.setServerTime(T + 400); // the server's answer carries a time 400 s ahead of the client's view
      s.answer(h.rpcs[0]!.msgId, query(2));
      await h.down(s);
      expect(h.client.pendingCount).toBe(1);
      h.setServerTime(T + 10);
      void p.catch(() => {});
    });

    it('close() rejects everything pending and later calls', async () => {
      const h = harness(provider);
      const p = h.client.invoke(query(1)).catch((e: unknown) => e);
      h.client.drain();
      h.client.close(new MtprotoError('client-closed', 'bye'));
      expect(await p).toMatchObject({ code: 'client-closed' });
      await expect(h.client.invoke(query(2))).rejects.toMatchObject({ code: 'client-closed' });
    });
  });

  describe('auth.bindTempAuthKey proof (spec §6.1)', () => {
    const perm = new AuthKey(provider, provider.randomBytes(256));
    const temp = new AuthKey(provider, provider.randomBytes(256));
    const msgId = (BigInt(T) << 32n) | 8n;
    const sessionId = 0x77665544n;
    const outer = { msgId, sessionId, tempAuthKeyId: temp.idLong };

    function request(body: Uint8Array): Extract<ServiceMessage, { _: 'auth.bindTempAuthKey' }> {
      return decodeService(body) as Extract<ServiceMessage, { _: 'auth.bindTempAuthKey' }>;
    }

    it('the proof the client builds checks out, and has the layout of spec §6.1', () => {
      const body = bindTempAuthKeyBody(provider, perm, temp, 42n, T + 86400, msgId, sessionId);
      const r = request(body);
      expect(r).toMatchObject({ perm_auth_key_id: perm.idLong, nonce: 42n, expires_at: T + 86400 });
      // perm_auth_key_id (8) + msg_key (16) + 80 bytes of IGE: 72 plaintext bytes padded to a block
      expect(r.encrypted_message.length).toBe(104);
      expect(verifyBindTempAuthKey(provider, r, outer, perm)).toBe(true);
    });

    it('every mismatch is refused', () => {
      const good = request(bindTempAuthKeyBody(provider, perm, temp, 42n, T + 86400, msgId, sessionId));
      const other = new AuthKey(provider, provider.randomBytes(256));
      expect(verifyBindTempAuthKey(provider, good, { ...outer, msgId: msgId + 4n }, perm)).toBe(false);
      expect(verifyBindTempAuthKey(provider, good, { ...outer, sessionId: sessionId + 1n }, perm)).toBe(false);
      expect(verifyBindTempAuthKey(provider, good, { ...outer, tempAuthKeyId: other.idLong }, perm)).toBe(false);
      expect(verifyBindTempAuthKey(provider, good, outer, other)).toBe(false);
      expect(verifyBindTempAuthKey(provider, { ...good, nonce: 43n }, outer, perm)).toBe(false);
      expect(verifyBindTempAuthKey(provider, { ...good, expires_at: T }, outer, perm)).toBe(false);
      const tampered = good.encrypted_message.slice();
      tampered[50]! ^= 1;
      expect(verifyBindTempAuthKey(provider, { ...good, encrypted_message: tampered }, outer, perm)).toBe(false);
      // an inner message with seq_no ≠ 0, built here with encryptMessageV1
      const inner = encodeService({ _: 'bind_auth_key_inner', nonce: 42n, temp_auth_key_id: temp.idLong, perm_auth_key_id: perm.idLong, temp_session_id: sessionId, expires_at: T + 86400 });
      const seq1 = encryptMessageV1(provider, perm, { msgId, seqNo: 1, body: inner }, { from: 'client' });
      expect(verifyBindTempAuthKey(provider, { ...good, encrypted_message: seq1 }, outer, perm)).toBe(false);
      const seq0 = encryptMessageV1(provider, perm, { msgId, seqNo: 0, body: inner }, { from: 'client' });
      expect(verifyBindTempAuthKey(provider, { ...good, encrypted_message: seq0 }, outer, perm)).toBe(true);
      // an inner message that is not bind_auth_key_inner
      const wrong = encryptMessageV1(provider, perm, { msgId, seqNo: 0, body: encodeService({ _: 'ping', ping_id: 1n }) }, { from: 'client' });
      expect(verifyBindTempAuthKey(provider, { ...good, encrypted_message: wrong }, outer, perm)).toBe(false);
    });
  });
});
