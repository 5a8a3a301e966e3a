// The sans-IO session layer, server side and the parts both sides share (spec §3, §4, §7): msg_id
// and seq_no generation, the received-id window, the salt schedule, and ServerSession — every
// bad_msg_notification code (16, 17, 18, 19, 20, 34, 35, 48 as bad_server_salt, 64), the −429
// container limit, new_session_created, ping → bare pong, ping_delay_disconnect, acks, re-sends,
// msgs_state_req / msg_resend_req, rpc_drop_answer, gzip_packed with its size limit, http_wait,
// future salts and destroy_session events. Messages are built and read back field by field in the
// test (TlWriter / TlReader, node:zlib for gzip); the encrypted round trips run on both providers.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { CryptoProvider } from '../../bindings/index.js';
import { AuthKey } from '../../bindings/mtproto/crypto/auth-key.js';
import { decryptMessage, encryptMessage } from '../../bindings/mtproto/crypto/message.js';
import type { DecryptedMessage, PlaintextMessage } from '../../bindings/mtproto/crypto/message.js';
import {
  ContainerBudget, MsgIdGenerator, SALT_LIFETIME, SALT_PERIOD, SeqNoCounter, ServerSession, acceptsSalt,
  currentSalt, futureSalts, isContentRelated, liveSalts, missingSalts, slotStart,
} from '../../bindings/mtproto/session/index.js';
import { MsgIdWindow } from '../../bindings/mtproto/crypto/msg-id.js';
import { ID, type ServiceMessage, decodeService, encodeService } from '../../bindings/mtproto/tl/service.js';
import { TlReader } from '../../bindings/mtproto/tl/reader.js';
import { TlWriter } from '../../bindings/mtproto/tl/writer.js';
import { forEachProvider } from '../helpers/providers.js';

const T = 1_700_000_000; // a fixed "now", Unix seconds
const SALT = 0x1122334455667788n;
const SESSION = 0x0102030405060708n;
const QUERY = 0x12345678; // an application constructor id (not a service one)

let seed = 1;
/** Deterministic "random" bytes for the state machines (their randomness is not under test here). */
function fakeRandom(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
}

/** A client msg_id at second `t` with fraction k (≡ 0 mod 4, non-zero low word). */
function cid(t: number, k = 1): bigint {
  return (BigInt(Math.floor(t)) << 32n) | BigInt(4 * k);
}

function query(tag = 0): Uint8Array {
  return new TlWriter(8).int(QUERY).int(tag).finish();
}

function msg(msgId: bigint, seqNo: number, body: Uint8Array, salt = SALT, sessionId = SESSION): DecryptedMessage {
  return { salt, sessionId, msgId, seqNo, body };
}

function container(entries: { msgId: bigint; seqNo: number; body: Uint8Array }[]): Uint8Array {
  return encodeService({ _: 'msg_container', messages: entries.map((e) => ({ msg_id: e.msgId, seqno: e.seqNo, body: e.body })) });
}

function newServer(now = (): number => T + 0.25, extra: Partial<ConstructorParameters<typeof ServerSession>[0]> = {}): ServerSession {
  return new ServerSession({ authKeyId: 77n, sessionId: SESSION, msgIds: new MsgIdGenerator('server', now), now, random: fakeRandom, ...extra });
}

interface Out {
  msgId: bigint;
  seqNo: number;
  body: Uint8Array;
  m: ServiceMessage | undefined;
}

/** Everything a drained packet carries, containers opened, each body decoded where it is a service message. */
function open(p: PlaintextMessage | null): { top: PlaintextMessage | null; items: Out[] } {
  if (p === null) return { top: null, items: [] };
  const top = decodeService(p.body);
  const entries = top?._ === 'msg_container' ? top.messages.map((e) => ({ msgId: e.msg_id, seqNo: e.seqno, body: e.body })) : [{ msgId: p.msgId, seqNo: p.seqNo, body: p.body }];
  return { top: p, items: entries.map((e) => ({ ...e, m: decodeService(e.body) })) };
}

function drainAll(server: ServerSession, options?: { acksAlone?: boolean }): Out[] {
  const out: Out[] = [];
  for (let p = server.drain(SALT, options); p !== null; p = server.drain(SALT)) out.push(...open(p).items);
  return out;
}

/** Sends one message, returns the receive result and what the server queued because of it. */
async function send(server: ServerSession, m: DecryptedMessage, saltOk = true, announce = true) {
  const r = await server.receive(m, { saltOk, salt: SALT, announce });
  return { ...r, out: drainAll(server, { acksAlone: true }) };
}

function only<K extends ServiceMessage['_']>(out: Out[], name: K): Extract<ServiceMessage, { _: K }> & { msgId: bigint; seqNo: number } {
  const found = out.filter((o) => o.m?._ === name);
  expect(found.length, `${name} in ${out.map((o) => o.m?._ ?? 'rpc').join(',')}`).toBe(1);
  return { ...(found[0]!.m as Extract<ServiceMessage, { _: K }>), msgId: found[0]!.msgId, seqNo: found[0]!.seqNo };
}

// ---- msg_id and seq_no ----------------------------------------------------------------------------

describe('MsgIdGenerator (spec §4.1)', () => {
  it('client ids: divisible by 4, second in the upper word, fraction in the lower, never 0 there', () => {
    let now = T + 0.5;
    const g = new MsgIdGenerator('client', () => now);
    const id = g.next();
    expect(id % 4n).toBe(0n);
    expect(id >> 32n).toBe(BigInt(T));
    expect(Number(id & 0xffffffffn)).toBe(0.5 * 2 ** 32);
    now = T; // an exact second: the low word would be 0, and the previous id is larger anyway
    const fresh = new MsgIdGenerator('client', () => now).next();
    expect(fresh).toBe((BigInt(T) << 32n) | 4n);
  });

  it('server ids: 1 mod 4 for responses, 3 mod 4 otherwise, one increasing sequence', () => {
    const g = new MsgIdGenerator('server', () => T + 0.1);
    const ids = [g.next('response'), g.next('other'), g.next('response'), g.next()];
    expect(ids.map((id) => Number(id & 3n))).toEqual([1, 3, 1, 3]);
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
  });

  it('strictly increasing under a frozen clock and a clock going back', () => {
    let now = T + 0.75;
    const g = new MsgIdGenerator('client', () => now);
    const ids = [g.next(), g.next()];
    now = T - 10;
    ids.push(g.next(), g.next());
    for (let i = 1; i < ids.length; i++) expect(ids[i]! - ids[i - 1]!).toBe(4n);
  });

  it('adds the time offset (server time − local time)', () => {
    const g = new MsgIdGenerator('client', () => T);
    g.timeOffset = 120;
    expect(g.next() >> 32n).toBe(BigInt(T + 120));
    expect(g.serverNow()).toBe(T + 120);
    expect(() => g.next('x' as never)).toThrow(TypeError);
    expect(() => new MsgIdGenerator('peer' as never)).toThrow(TypeError);
  });
});

describe('SeqNoCounter (spec §4.2)', () => {
  it('2n + 1 for content-related messages (then n grows), 2n for the others', () => {
    const s = new SeqNoCounter();
    expect([s.next(false), s.next(true), s.next(false), s.next(true), s.next(true), s.next(false)]).toEqual([0, 1, 2, 3, 5, 6]);
    expect(s.count).toBe(3);
    expect(isContentRelated(5)).toBe(true);
    expect(isContentRelated(6)).toBe(false);
  });
});

describe('MsgIdWindow as the session uses it (spec §3 item 5, §7.4)', () => {
  it('new, duplicate, and too-old once full; status() changes nothing', () => {
    const w = new MsgIdWindow(3);
    expect(w.status(cid(T, 5))).toBe('new');
    expect(w.size).toBe(0);
    for (const k of [5, 6, 7]) w.accept(cid(T, k));
    expect(w.status(cid(T, 6))).toBe('duplicate');
    expect(w.status(cid(T, 4))).toBe('too-old'); // below all three, window full
    w.accept(cid(T, 8)); // 5 is forgotten
    expect(w.status(cid(T, 5))).toBe('too-old');
    expect(w.status(cid(T, 9))).toBe('new');
  });

  it('state bytes: 1 below the window, 2 not received inside it, 3 above, 4 received', () => {
    const w = new MsgIdWindow(3);
    for (const k of [10, 12, 14]) w.accept(cid(T, k));
    expect([w.stateOf(cid(T, 9)), w.stateOf(cid(T, 11)), w.stateOf(cid(T, 15)), w.stateOf(cid(T, 12))]).toEqual([1, 2, 3, 4]);
    expect(new MsgIdWindow().stateOf(cid(T))).toBe(3);
  });
});

// ---- salts ------------------------------------------------------------------------------------------

describe('salt schedule (spec §4.3)', () => {
  const now = 1_700_001_000; // slot start: 1_700_001_000 − (1_700_001_000 mod 1800)
  const slot = now - (now % 1800);

  it('a salt per 30-minute slot, each accepted for an hour (30 min overlap)', () => {
    expect(SALT_PERIOD).toBe(1800);
    expect(SALT_LIFETIME).toBe(3600);
    expect(slotStart(now)).toBe(slot);
    const added = missingSalts([], now, 3, fakeRandom);
    expect(added.map((s) => s.validSince)).toEqual([slot, slot + 1800, slot + 3600]);
    expect(added.every((s) => s.validUntil === s.validSince + 3600)).toBe(true);
    expect(new Set(added.map((s) => s.salt)).size).toBe(3);
    // nothing missing any more; one more slot is filled when asked for four
    expect(missingSalts(added, now, 3, fakeRandom)).toEqual([]);
    expect(missingSalts(added, now, 4, fakeRandom).map((s) => s.validSince)).toEqual([slot + 5400]);
    const [first, second] = added;
    expect(acceptsSalt(added, first!.salt, slot)).toBe(true);
    expect(acceptsSalt(added, first!.salt, slot + 3599)).toBe(true); // the old salt during the overlap
    expect(acceptsSalt(added, first!.salt, slot + 3600)).toBe(false);
    expect(acceptsSalt(added, second!.salt, slot + 1800 - 30)).toBe(true); // a client clock 30 s ahead
    expect(acceptsSalt(added, second!.salt, slot + 1800 - 31)).toBe(false);
    expect(acceptsSalt(added, 0n, now)).toBe(false);
  });

  it('the current salt is the newest valid one; a doubly filled slot resolves the same everywhere', () => {
    const a = { validSince: slot, validUntil: slot + 3600, salt: 5n };
    const b = { validSince: slot + 1800, validUntil: slot + 5400, salt: 9n };
    const b2 = { validSince: slot + 1800, validUntil: slot + 5400, salt: -3n };
    expect(currentSalt([a, b], slot + 100)).toBe(a);
    expect(currentSalt([a, b], slot + 1800)).toBe(b);
    expect(currentSalt([b, a, b2], slot + 1900)).toBe(b2);
    expect(currentSalt([a], slot + 3600)).toBeUndefined();
    expect(futureSalts([b, a, b2], slot + 10, 5)).toEqual([a, b2]);
    expect(futureSalts([b, a, b2], slot + 1810, 5)).toEqual([b2]);
    expect(liveSalts([a, b], slot + 3600)).toEqual([b]);
  });
});

describe('ContainerBudget', () => {
  it('at most the message count and 512 KiB of bodies, but always the first', () => {
    const b = new ContainerBudget(3);
    expect([b.fits(10), b.fits(10), b.fits(10), b.fits(10)]).toEqual([true, true, true, false]);
    const big = new ContainerBudget();
    expect(big.fits(600 * 1024)).toBe(true); // alone
    expect(big.fits(4)).toBe(false);
    const two = new ContainerBudget();
    expect(two.fits(300 * 1024)).toBe(true);
    expect(two.fits(300 * 1024)).toBe(false);
  });
});

// ---- ServerSession: receipt checks -----------------------------------------------------------------

describe('ServerSession receipt checks (spec §3, §7.3)', () => {
  it('18: a client msg_id not divisible by 4', async () => {
    const s = newServer();
    const bad = cid(T) | 2n;
    const { result, events, out } = await send(s, msg(bad, 1, query()));
    expect(result).toEqual({ kind: 'notify', code: 18, msgId: bad, seqNo: 1 });
    expect(events).toEqual([]);
    const n = only(out, 'bad_msg_notification');
    expect([n.bad_msg_id, n.bad_msg_seqno, n.error_code]).toEqual([bad, 1, 18]);
    expect(n.msgId & 3n).toBe(1n); // an answer to the client's message
    expect(n.seqNo % 2).toBe(0); // not content-related
    expect(s.isNew).toBe(true);
  });

  it('16 / 17: more than 300 s old or 30 s ahead; the bounds themselves pass', async () => {
    const now = T + 0.5;
    for (const [t, code] of [[T - 301, 16], [T + 31, 17], [T - 299, 0], [T + 30, 0]] as const) {
      const s = newServer(() => now);
      const id = cid(t);
      const { result, out } = await send(s, msg(id, 1, query()));
      if (code === 0) {
        expect(result.kind).toBe('accept');
      } else {
        expect(result).toMatchObject({ kind: 'notify', code });
        const n = only(out, 'bad_msg_notification');
        expect(n.error_code).toBe(code);
        // The notification's own msg_id carries the server's time (the client resyncs from it).
        expect(n.msgId >> 32n).toBe(BigInt(T));
      }
    }
  });

  it('a repeated msg_id is dropped silently; a repeated container id is 19', async () => {
    const s = newServer();
    const id = cid(T, 1);
    expect((await send(s, msg(id, 1, query()))).result.kind).toBe('accept');
    const again = await send(s, msg(id, 1, query()));
    expect(again.result.kind).toBe('ignore');
    expect(again.events).toEqual([]);
    expect(again.out).toEqual([]);

    const c = cid(T, 10);
    const body = container([{ msgId: cid(T, 9), seqNo: 3, body: query() }]);
    expect((await send(s, msg(c, 4, body))).result.kind).toBe('accept');
    const dup = await send(s, msg(c, 4, body));
    expect(dup.result).toMatchObject({ kind: 'notify', code: 19 });
    expect(only(dup.out, 'bad_msg_notification').error_code).toBe(19);
  });

  it('20: below the 1000 remembered ids once the window is full', async () => {
    const s = newServer();
    const ack = encodeService({ _: 'msgs_ack', msg_ids: [] });
    for (let k = 1; k <= 1000; k++) await s.receive(msg(cid(T, 100 + k), 0, ack), { saltOk: true, salt: SALT });
    drainAll(s);
    const { result, out } = await send(s, msg(cid(T, 50), 0, ack));
    expect(result).toMatchObject({ kind: 'notify', code: 20 });
    expect(only(out, 'bad_msg_notification').bad_msg_id).toBe(cid(T, 50));
    expect((await send(s, msg(cid(T, 2000), 0, ack))).result.kind).toBe('accept');
  });

  it('48: an unknown salt gets bad_server_salt with the current salt, and changes nothing', async () => {
    const s = newServer();
    const id = cid(T, 1);
    const rejected = await send(s, msg(id, 1, query(), 0n), false);
    expect(rejected.result.kind).toBe('bad-salt');
    expect(rejected.events).toEqual([]);
    const b = only(rejected.out, 'bad_server_salt');
    expect([b.bad_msg_id, b.bad_msg_seqno, b.error_code, b.new_server_salt]).toEqual([id, 1, 48, SALT]);
    expect(b.msgId & 3n).toBe(1n);
    // The same msg_id is still new, and the session was not started by the rejected message.
    expect(s.isNew).toBe(true);
    const accepted = await send(s, msg(id, 1, query()));
    expect(accepted.result.kind).toBe('accept');
    expect(accepted.events).toEqual([{ kind: 'rpc', msgId: id, body: query() }]);
    expect(only(accepted.out, 'new_session_created').first_msg_id).toBe(id);
  });

  it('34 / 35: seq_no parity of containers, msg_copy and queries; acks and gzip_packed are not checked', async () => {
    const s = newServer();
    const odd = await send(s, msg(cid(T, 2), 5, container([{ msgId: cid(T, 1), seqNo: 3, body: query() }])));
    expect(odd.result).toMatchObject({ kind: 'notify', code: 34 });
    const copy = encodeService({ _: 'msg_copy', orig_message: { msg_id: cid(T, 1), seqno: 1, body: query() } });
    expect((await send(s, msg(cid(T, 3), 1, copy))).result).toMatchObject({ kind: 'notify', code: 34 });
    const even = await send(s, msg(cid(T, 4), 2, query()));
    expect(even.result).toMatchObject({ kind: 'notify', code: 35 });
    expect(only(even.out, 'bad_msg_notification').bad_msg_seqno).toBe(2);
    // a query inside a container with an even seq_no: 35 names the entry
    const inner = await send(s, msg(cid(T, 6), 4, container([{ msgId: cid(T, 5), seqNo: 2, body: query() }])));
    expect(inner.result).toEqual({ kind: 'notify', code: 35, msgId: cid(T, 5), seqNo: 2 });
    expect(s.isNew).toBe(true);
    // mtcute marks its msgs_ack content-related; a gzip_packed query is odd; both pass
    const ack = encodeService({ _: 'msgs_ack', msg_ids: [] });
    expect((await send(s, msg(cid(T, 7), 1, ack))).result.kind).toBe('accept');
    const gz = encodeService({ _: 'gzip_packed', packed_data: new Uint8Array(gzipSync(query())) });
    expect((await send(s, msg(cid(T, 8), 2, gz))).result.kind).toBe('accept');
  });

  it('64: every malformed container, judged as a whole', async () => {
    const c = cid(T, 100);
    const ok = { msgId: cid(T, 1), seqNo: 1, body: query() };
    const cases: [string, Uint8Array][] = [
      ['entry id not divisible by 4', container([ok, { msgId: cid(T, 2) | 1n, seqNo: 3, body: query() }])],
      ['entry id not below the container id', container([{ ...ok, msgId: c }])],
      ['entry id above the container id', container([{ ...ok, msgId: cid(T, 101) }])],
      ['entry seq_no above the container seq_no', container([{ ...ok, seqNo: 7 }])],
      ['repeated entry id', container([ok, { ...ok, seqNo: 3 }])],
      ['nested container', new TlWriter().int(ID.msg_container).int(1).long(cid(T, 3)).int(0).int(8).int(ID.msg_container).int(0).finish()],
      ['count larger than the entries', new TlWriter().int(ID.msg_container).int(2).long(cid(T, 1)).int(1).int(8).raw(query()).finish()],
      ['truncated entry body', new TlWriter().int(ID.msg_container).int(1).long(cid(T, 1)).int(1).int(12).raw(query()).finish()],
    ];
    for (const [what, body] of cases) {
      const s = newServer();
      const r = await send(s, msg(c, 6, body));
      expect(r.result, what).toMatchObject({ kind: 'notify', code: 64, msgId: c });
      expect(r.events, what).toEqual([]);
      expect(only(r.out, 'bad_msg_notification').error_code).toBe(64);
      // nothing of the container was recorded: its first entry is still new
      expect((await send(s, msg(cid(T, 1), 1, query()))).result.kind, what).toBe('accept');
    }
  });

  it('16 / 17 for an entry out of the time window rejects the container', async () => {
    const s = newServer();
    const r = await send(s, msg(cid(T, 2), 2, container([{ msgId: cid(T - 400, 1), seqNo: 1, body: query() }])));
    expect(r.result).toMatchObject({ kind: 'notify', code: 16, msgId: cid(T, 2) });
  });

  it('a container of more than 1024 entries is a flood (transport error −429 for the caller)', async () => {
    const s = newServer();
    const body = new TlWriter().int(ID.msg_container).int(1025).finish();
    const r = await send(s, msg(cid(T, 2), 2, body));
    expect(r.result).toEqual({ kind: 'flood' });
    expect(r.out).toEqual([]);
  });
});

// ---- ServerSession: what it answers ----------------------------------------------------------------

describe('ServerSession answers (spec §7)', () => {
  it('new_session_created once, on the first accepted message, content-related; not when the fleet knew the session', async () => {
    const s = newServer();
    const first = cid(T, 3);
    const r = await send(s, msg(cid(T, 5), 4, container([{ msgId: first, seqNo: 1, body: query(1) }, { msgId: cid(T, 4), seqNo: 3, body: query(2) }])));
    const created = only(r.out, 'new_session_created');
    expect(created.first_msg_id).toBe(first); // the oldest message of the first packet
    expect(created.server_salt).toBe(SALT);
    expect(created.seqNo % 2).toBe(1);
    expect(created.msgId & 3n).toBe(3n);
    expect(r.events.map((e) => e.kind)).toEqual(['rpc', 'rpc']);
    expect(s.unackedCount).toBe(1);
    const later = await send(s, msg(cid(T, 6), 5, query()));
    expect(later.out.filter((o) => o.m?._ === 'new_session_created')).toEqual([]);

    const known = newServer();
    const quiet = await send(known, msg(cid(T, 1), 1, query()), true, false);
    expect(quiet.out.filter((o) => o.m?._ === 'new_session_created')).toEqual([]);
  });

  it('ping → a bare pong carrying the ping msg_id (never rpc_result), ping_delay_disconnect → pong + event', async () => {
    const s = newServer();
    const pingId = 0x0badc0ffee0ddf00dn;
    const ping = cid(T, 1);
    const r = await send(s, msg(ping, 0, encodeService({ _: 'ping', ping_id: BigInt.asIntN(64, pingId) })), true, false);
    expect(r.events).toEqual([]);
    expect(r.out.length).toBe(1);
    const pong = r.out[0]!;
    expect(pong.m).toEqual({ _: 'pong', msg_id: ping, ping_id: BigInt.asIntN(64, pingId) });
    expect(new TlReader(pong.body).uint()).toBe(ID.pong); // the message itself, not rpc_result
    expect(pong.msgId & 3n).toBe(1n);
    expect(pong.seqNo % 2).toBe(0);

    const pdd = cid(T, 2);
    const d = await send(s, msg(pdd, 1, encodeService({ _: 'ping_delay_disconnect', ping_id: 7n, disconnect_delay: 75 })));
    expect(d.events).toEqual([{ kind: 'disconnect-delay', seconds: 75 }]);
    expect(only(d.out, 'pong')).toMatchObject({ msg_id: pdd, ping_id: 7n });
    // ping_delay_disconnect was sent content-related (GramJS, mtcute do): it is acknowledged
    expect(only(d.out, 'msgs_ack').msg_ids).toEqual([pdd]);
  });

  it('RPC queries become events; answer() sends rpc_result (acknowledging the query), answerError() rpc_error', async () => {
    const s = newServer();
    const q1 = cid(T, 1);
    const q2 = cid(T, 2);
    const r = await send(s, msg(cid(T, 3), 4, container([{ msgId: q1, seqNo: 1, body: query(1) }, { msgId: q2, seqNo: 3, body: query(2) }])), true, false);
    expect(r.events).toEqual([{ kind: 'rpc', msgId: q1, body: query(1) }, { kind: 'rpc', msgId: q2, body: query(2) }]);
    // Not answered yet: acks alone when asked for
    expect(only(r.out, 'msgs_ack').msg_ids).toEqual([q1, q2]);
    expect(s.openCalls).toBe(2);
    s.answer(q1, Uint8Array.of(1, 0, 0, 0));
    s.answerError(q2, 420, 'FLOOD_WAIT_3');
    const out = drainAll(s);
    const results = out.filter((o) => o.m?._ === 'rpc_result').map((o) => o.m as Extract<ServiceMessage, { _: 'rpc_result' }>);
    expect(results.map((x) => x.req_msg_id)).toEqual([q1, q2]);
    expect(Array.from(results[0]!.result)).toEqual([1, 0, 0, 0]);
    expect(decodeService(results[1]!.result)).toEqual({ _: 'rpc_error', error_code: 420, error_message: 'FLOOD_WAIT_3' });
    expect(out.every((o) => o.m?._ !== 'rpc_result' || (o.seqNo % 2 === 1 && (o.msgId & 3n) === 1n))).toBe(true);
    expect(out.filter((o) => o.m?._ === 'msgs_ack')).toEqual([]);
    expect(s.openCalls).toBe(0);
  });

  it('an answered query needs no separate ack; acks wait for company unless acksAlone', async () => {
    const s = newServer();
    const q = cid(T, 1);
    await s.receive(msg(q, 1, query()), { saltOk: true, salt: SALT, announce: false });
    expect(s.drain(SALT)).toBeNull(); // an ack alone waits
    expect(s.hasOutgoing()).toBe(false);
    expect(s.hasOutgoing(true)).toBe(true);
    s.answer(q, query(9));
    const out = drainAll(s);
    expect(out.map((o) => o.m?._)).toEqual(['rpc_result']);
  });

  it('msgs_ack clears unacknowledged messages; resendUnacked re-sends the rest with their ids, in a container', async () => {
    const s = newServer();
    const [q1, q2] = [cid(T, 1), cid(T, 2)];
    await s.receive(msg(cid(T, 3), 4, container([{ msgId: q1, seqNo: 1, body: query(1) }, { msgId: q2, seqNo: 3, body: query(2) }])), { saltOk: true, salt: SALT, announce: false });
    s.answer(q1, query(11));
    s.answer(q2, query(12));
    const sent = drainAll(s).filter((o) => o.m?._ === 'rpc_result');
    expect(s.unackedCount).toBe(2);
    await s.receive(msg(cid(T, 4), 0, encodeService({ _: 'msgs_ack', msg_ids: [sent[0]!.msgId] })), { saltOk: true, salt: SALT });
    expect(s.unackedCount).toBe(1);
    s.resendUnacked();
    const packet = s.drain(SALT)!;
    const { items } = open(packet);
    expect(decodeService(packet.body)?._).toBe('msg_container'); // never alone with its old msg_id
    expect(items.map((o) => [o.msgId, o.seqNo])).toEqual([[sent[1]!.msgId, sent[1]!.seqNo]]);
    expect(packet.msgId > sent[1]!.msgId).toBe(true);
    expect(packet.seqNo % 2).toBe(0);
  });

  it('msgs_state_req → msgs_state_info with one status byte per id', async () => {
    const s = newServer();
    for (const k of [10, 12]) await s.receive(msg(cid(T, k), 0, encodeService({ _: 'msgs_ack', msg_ids: [] })), { saltOk: true, salt: SALT });
    drainAll(s);
    const req = cid(T, 20);
    const r = await send(s, msg(req, 1, encodeService({ _: 'msgs_state_req', msg_ids: [cid(T, 10), cid(T, 11), cid(T, 30)] })));
    const info = only(r.out, 'msgs_state_info');
    expect(info.req_msg_id).toBe(req);
    expect(Array.from(info.info)).toEqual([4 + 16, 2, 3]); // an ack: received, not content-related
    expect(info.msgId & 3n).toBe(1n);
  });

  it('msg_resend_req re-sends what is unacknowledged and, as one id is unknown, answers all of them like msgs_state_req', async () => {
    const s = newServer();
    const q = cid(T, 1);
    await s.receive(msg(q, 1, query()), { saltOk: true, salt: SALT, announce: false });
    s.answer(q, query(5));
    const result = drainAll(s).find((o) => o.m?._ === 'rpc_result')!;
    const unknown = cid(T, 999) | 1n;
    const r = await send(s, msg(cid(T, 2), 2, encodeService({ _: 'msg_resend_req', msg_ids: [result.msgId, unknown] })));
    const again = r.out.find((o) => o.msgId === result.msgId)!;
    expect(again.m).toMatchObject({ _: 'rpc_result', req_msg_id: q });
    expect(Array.from(only(r.out, 'msgs_state_info').info)).toEqual([3, 3]); // server ids: above every received id
  });

  it('rpc_drop_answer: dropped_running for a running query (its answer is then discarded), unknown otherwise', async () => {
    const s = newServer();
    const q = cid(T, 1);
    await s.receive(msg(q, 1, query()), { saltOk: true, salt: SALT, announce: false });
    const drop = cid(T, 2);
    const r = await send(s, msg(drop, 3, encodeService({ _: 'rpc_drop_answer', req_msg_id: q })));
    const res = only(r.out, 'rpc_result');
    expect(res.req_msg_id).toBe(drop);
    expect(decodeService(res.result)?._).toBe('rpc_answer_dropped_running');
    s.answer(q, query(1));
    expect(drainAll(s)).toEqual([]);
    const r2 = await send(s, msg(cid(T, 3), 5, encodeService({ _: 'rpc_drop_answer', req_msg_id: q })));
    expect(decodeService(only(r2.out, 'rpc_result').result)?._).toBe('rpc_answer_unknown');
  });

  it('gzip_packed queries are unpacked (node:zlib packed them); a bomb over the limit and corrupt data are answered with rpc_error', async () => {
    const s = newServer(undefined, { maxGzipSize: 4096 });
    const big = new Uint8Array(2048);
    new DataView(big.buffer).setUint32(0, QUERY, true);
    const q = cid(T, 1);
    const r = await send(s, msg(q, 1, encodeService({ _: 'gzip_packed', packed_data: new Uint8Array(gzipSync(big)) })), true, false);
    expect(r.events).toEqual([{ kind: 'rpc', msgId: q, body: big }]);
    const bomb = new Uint8Array(1 << 20);
    new DataView(bomb.buffer).setUint32(0, QUERY, true);
    const r2 = await send(s, msg(cid(T, 2), 3, encodeService({ _: 'gzip_packed', packed_data: new Uint8Array(gzipSync(bomb)) })));
    expect(r2.result.kind).toBe('accept');
    expect(r2.events).toEqual([]);
    const tooLarge = only(r2.out, 'rpc_result');
    expect(tooLarge.req_msg_id).toBe(cid(T, 2));
    expect(decodeService(tooLarge.result)).toEqual({ _: 'rpc_error', error_code: 400, error_message: 'GZIP_TOO_LARGE' });
    const r3 = await send(s, msg(cid(T, 3), 5, encodeService({ _: 'gzip_packed', packed_data: Uint8Array.of(1, 2, 3, 4) })));
    expect(r3.events).toEqual([]);
    expect(decodeService(only(r3.out, 'rpc_result').result)).toEqual({ _: 'rpc_error', error_code: 400, error_message: 'GZIP_INVALID' });
  });

  it('get_future_salts, destroy_session, destroy_auth_key and http_wait are handed to the caller and answered through it', async () => {
    const s = newServer();
    const [a, b, c, d] = [cid(T, 1), cid(T, 2), cid(T, 3), cid(T, 4)];
    const r = await s.receive(msg(cid(T, 5), 8, container([
      { msgId: a, seqNo: 1, body: encodeService({ _: 'get_future_salts', num: 3 }) },
      { msgId: b, seqNo: 3, body: encodeService({ _: 'destroy_session', session_id: 42n }) },
      { msgId: c, seqNo: 5, body: encodeService({ _: 'http_wait', max_delay: 10, wait_after: 20, max_wait: 30 }) },
      { msgId: d, seqNo: 7, body: encodeService({ _: 'destroy_auth_key' }) },
    ])), { saltOk: true, salt: SALT, announce: false });
    expect(r.events).toEqual([
      { kind: 'future-salts', msgId: a, num: 3 },
      { kind: 'destroy-session', msgId: b, sessionId: 42n },
      { kind: 'http-wait', maxDelay: 10, waitAfter: 20, maxWait: 30 },
      { kind: 'destroy-auth-key', msgId: d },
    ]);
    s.answerFutureSalts(a, T, [{ valid_since: T, valid_until: T + 3600, salt: 1n }]);
    s.answerDestroySession(b, 42n, false);
    s.answerDestroyAuthKey(d, 'ok');
    const out = drainAll(s);
    expect(only(out, 'future_salts')).toMatchObject({ req_msg_id: a, now: T, salts: [{ valid_since: T, valid_until: T + 3600, salt: 1n }] });
    expect(only(out, 'destroy_session_none').session_id).toBe(42n);
    expect(only(out, 'destroy_auth_key_ok')._).toBe('destroy_auth_key_ok');
    // future_salts acknowledges get_future_salts; the others were acked explicitly
    expect(only(out, 'msgs_ack').msg_ids).toEqual([c]);
  });

  it('a malformed service message inside an accepted message is dropped, the rest still processed', async () => {
    const s = newServer();
    const broken = new TlWriter().int(ID.ping).int(1).finish(); // ping_id truncated
    const r = await send(s, msg(cid(T, 3), 2, container([{ msgId: cid(T, 1), seqNo: 0, body: broken }, { msgId: cid(T, 2), seqNo: 1, body: query() }])), true, false);
    expect(r.result.kind).toBe('accept');
    expect(r.events.map((e) => e.kind)).toEqual(['rpc']);
  });

  it('splits more than a container worth of answers over several packets, each within the limits', async () => {
    const s = newServer();
    for (let k = 0; k < 1500; k++) s.send(query(k), false);
    const packets: PlaintextMessage[] = [];
    for (let p = s.drain(SALT); p !== null; p = s.drain(SALT)) packets.push(p);
    expect(packets.length).toBe(2);
    const counts = packets.map((p) => open(p).items.length);
    expect(counts).toEqual([1023, 477]);
    const ids = packets.flatMap((p) => open(p).items.map((o) => o.msgId));
    expect(new Set(ids).size).toBe(1500);
    for (const p of packets) for (const o of open(p).items) expect(o.msgId < p.msgId).toBe(true);
  });

  it('an empty container on request (an HTTP long poll that timed out)', () => {
    const s = newServer();
    const p = s.drain(SALT, { emptyContainer: true })!;
    expect(decodeService(p.body)).toEqual({ _: 'msg_container', messages: [] });
    expect(p.msgId & 3n).toBe(3n);
  });
});

// ---- encrypted round trips, on both providers ------------------------------------------------------

forEachProvider((provider: CryptoProvider) => {
  describe('ServerSession behind real encryption', () => {
    it('decrypts, checks and answers; the answer decrypts on the client side with the server x', async () => {
      const authKey = new AuthKey(provider, provider.randomBytes(256));
      const s = newServer(() => T + 0.25);
      const q = cid(T, 1);
      const packet = encryptMessage(provider, authKey, { salt: SALT, sessionId: SESSION, msgId: q, seqNo: 1, body: query(3) }, { from: 'client' });
      const received = decryptMessage(provider, authKey, packet, { from: 'client' });
      const { events } = await s.receive(received, { saltOk: true, salt: SALT });
      expect(events).toEqual([{ kind: 'rpc', msgId: q, body: query(3) }]);
      s.answer(q, query(4));
      const out = s.drain(SALT)!;
      const answer = decryptMessage(provider, authKey, encryptMessage(provider, authKey, out, { from: 'server' }), { from: 'server', sessionId: SESSION });
      const items = open(answer).items;
      expect(items.map((o) => o.m?._)).toEqual(['new_session_created', 'rpc_result']);
      expect(Array.from((items[1]!.m as Extract<ServiceMessage, { _: 'rpc_result' }>).result)).toEqual(Array.from(query(4)));
      authKey.dispose();
    });
  });
});
