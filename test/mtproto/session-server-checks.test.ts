// ServerSession, the checks and answers of service_messages_about_messages.html beyond those of
// session.test.ts: bad_msg_notification 32 / 33 (seq_no out of msg_id order, checked against the
// nearest messages received before, and inside a container against the entries ahead; msgs_ack
// and the container itself exempt), the state bytes of msgs_state_info with their flags
// (+8 +16 +32 +64 +128), msg_resend_req (held messages re-sent with their msg_ids, msgs_state_info for
// all ids when one cannot be), msg_resend_ans_req and re-sent queries (the answer again, or
// msg_detailed_info when large or no longer held), msgs_all_info both ways, and msg_detailed_info /
// msg_new_detailed_info about unacknowledged messages. ServerSession is driven directly with
// hand-built messages; the encrypted round trip runs on both providers.
import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import type { CryptoProvider } from '../../bindings/index.js';
import { AuthKey } from '../../bindings/mtproto/crypto/auth-key.js';
import { decryptMessage, encryptMessage } from '../../bindings/mtproto/crypto/message.js';
import type { DecryptedMessage, PlaintextMessage } from '../../bindings/mtproto/crypto/message.js';
import { MsgIdGenerator, SeqNoCounter, ServerSession } from '../../bindings/mtproto/session/index.js';
import { type ServiceMessage, decodeService, encodeService } from '../../bindings/mtproto/tl/service.js';
import { TlWriter } from '../../bindings/mtproto/tl/writer.js';
import { forEachProvider } from '../helpers/providers.js';

const T = 1_700_000_000; // a fixed "now", Unix seconds
const SALT = 0x1122334455667788n;
const SESSION = 0x0102030405060708n;
const QUERY = 0x12345678; // an application constructor id (not a service one)
const OPTS = { saltOk: true, salt: SALT, announce: false } as const;

let seed = 7;
function fakeRandom(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
}

/** A client msg_id at second `t` with fraction k (≡ 0 mod 4). */
function cid(t: number, k = 1): bigint {
  return (BigInt(Math.floor(t)) << 32n) | BigInt(4 * k);
}

function query(tag = 0): Uint8Array {
  return new TlWriter(8).int(QUERY).int(tag).finish();
}

const ping = (id: number): Uint8Array => encodeService({ _: 'ping', ping_id: BigInt(id) });
const ack = (ids: bigint[]): Uint8Array => encodeService({ _: 'msgs_ack', msg_ids: ids });

function msg(msgId: bigint, seqNo: number, body: Uint8Array): DecryptedMessage {
  return { salt: SALT, sessionId: SESSION, msgId, seqNo, body };
}

function container(entries: [bigint, number, Uint8Array][]): Uint8Array {
  return encodeService({ _: 'msg_container', messages: entries.map(([msg_id, seqno, body]) => ({ msg_id, seqno, body })) });
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

function open(p: PlaintextMessage): Out[] {
  const top = decodeService(p.body);
  const entries = top?._ === 'msg_container' ? top.messages.map((e) => ({ msgId: e.msg_id, seqNo: e.seqno, body: e.body })) : [{ msgId: p.msgId, seqNo: p.seqNo, body: p.body }];
  return entries.map((e) => ({ ...e, m: decodeService(e.body) }));
}

function drainAll(s: ServerSession, options?: { acksAlone?: boolean }): Out[] {
  const out: Out[] = [];
  for (let p = s.drain(SALT, options); p !== null; p = s.drain(SALT)) out.push(...open(p));
  return out;
}

function only<K extends ServiceMessage['_']>(out: Out[], name: K): Extract<ServiceMessage, { _: K }> & { msgId: bigint; seqNo: number } {
  const found = out.filter((o) => o.m?._ === name);
  expect(found.length, `${name} in ${out.map((o) => o.m?._ ?? 'rpc').join(',')}`).toBe(1);
  return { ...(found[0]!.m as Extract<ServiceMessage, { _: K }>), msgId: found[0]!.msgId, seqNo: found[0]!.seqNo };
}

const rpcResults = (out: Out[]): Out[] => out.filter((o) => o.m?._ === 'rpc_result');
const reqOf = (o: Out): bigint => (o.m as Extract<ServiceMessage, { _: 'rpc_result' }>).req_msg_id;

/** Receives one message and returns the check result, the events and everything queued (acks included). */
async function send(s: ServerSession, m: DecryptedMessage) {
  const r = await s.receive(m, OPTS);
  return { ...r, out: drainAll(s, { acksAlone: true }) };
}

// ---- 32 / 33 ------------------------------------------------------------------------------------

describe('bad_msg_notification 32 / 33: seq_no out of msg_id order', () => {
  it('32: a lower msg_id was received with a higher seq_no; the rejection changes nothing', async () => {
    const s = newServer();
    expect((await send(s, msg(cid(T, 10), 5, query(1)))).result.kind).toBe('accept');
    const bad = cid(T, 11);
    const r = await send(s, msg(bad, 3, query(2)));
    expect(r.result).toEqual({ kind: 'notify', code: 32, msgId: bad, seqNo: 3 });
    expect(r.events).toEqual([]);
    expect(r.out.length).toBe(1);
    const n = only(r.out, 'bad_msg_notification');
    expect([n.bad_msg_id, n.bad_msg_seqno, n.error_code]).toEqual([bad, 3, 32]);
    expect(n.msgId & 3n).toBe(1n); // a response to the client's message
    expect(n.seqNo % 2).toBe(0); // not content-related
    // Nothing of the rejected message was kept: the same msg_id with a fitting seq_no is new.
    const again = await send(s, msg(bad, 7, query(2)));
    expect(again.result.kind).toBe('accept');
    expect(again.events).toEqual([{ kind: 'rpc', msgId: bad, body: query(2) }]);
  });

  it('32 for the same odd seq_no below; the same even seq_no is fine', async () => {
    const s = newServer();
    await send(s, msg(cid(T, 10), 5, query(1)));
    expect((await send(s, msg(cid(T, 11), 5, query(2)))).result).toEqual({ kind: 'notify', code: 32, msgId: cid(T, 11), seqNo: 5 });
    // two non-content-related messages after it share 2n = 6
    expect((await send(s, msg(cid(T, 12), 6, ping(1)))).result.kind).toBe('accept');
    expect((await send(s, msg(cid(T, 13), 6, ping(2)))).result.kind).toBe('accept');
    // and a content-related message then takes 7
    expect((await send(s, msg(cid(T, 14), 7, query(3)))).result.kind).toBe('accept');
    expect((await send(s, msg(cid(T, 15), 6, ping(3)))).result).toEqual({ kind: 'notify', code: 32, msgId: cid(T, 15), seqNo: 6 });
  });

  it('33: a higher msg_id was received with a lower seq_no, or the same odd one', async () => {
    const s = newServer();
    await send(s, msg(cid(T, 20), 5, query(1)));
    expect((await send(s, msg(cid(T, 10), 7, query(2)))).result).toEqual({ kind: 'notify', code: 33, msgId: cid(T, 10), seqNo: 7 });
    expect((await send(s, msg(cid(T, 10), 5, query(2)))).result).toEqual({ kind: 'notify', code: 33, msgId: cid(T, 10), seqNo: 5 });
    const r = await send(s, msg(cid(T, 10), 6, ping(1)));
    expect(only(r.out, 'bad_msg_notification')).toMatchObject({ bad_msg_id: cid(T, 10), bad_msg_seqno: 6, error_code: 33 });
    // what fits below is accepted (a message that arrived late)
    expect((await send(s, msg(cid(T, 10), 3, query(2)))).result.kind).toBe('accept');
    // the same even seq_no above is fine: ping at 6, then a late ping between at 6
    await send(s, msg(cid(T, 30), 6, ping(2)));
    expect((await send(s, msg(cid(T, 25), 6, ping(3)))).result.kind).toBe('accept');
  });

  it('messages arriving out of order are fine as long as each fits between its neighbours', async () => {
    const s = newServer();
    for (const [k, seq] of [[30, 5], [10, 1], [20, 3]] as const) expect((await send(s, msg(cid(T, k), seq, query(k)))).result.kind).toBe('accept');
    // between 10 (1) and 20 (3): 3 would equal the odd seq_no above → 33; between 20 (3) and 30 (5): 3 → 32
    expect((await send(s, msg(cid(T, 15), 3, query(15)))).result).toMatchObject({ code: 33 });
    expect((await send(s, msg(cid(T, 25), 3, query(25)))).result).toMatchObject({ code: 32 });
    // 2 fits between 1 and 3, 4 between 3 and 5; 6 above everything
    expect((await send(s, msg(cid(T, 15), 2, ping(15)))).result.kind).toBe('accept');
    expect((await send(s, msg(cid(T, 25), 4, ping(25)))).result.kind).toBe('accept');
    expect((await send(s, msg(cid(T, 40), 6, ping(40)))).result.kind).toBe('accept');
  });

  it('msgs_ack is exempt: neither checked nor kept for the check (mtcute numbers its acks content-related)', async () => {
    const s = newServer();
    await send(s, msg(cid(T, 10), 5, query(1)));
    expect((await send(s, msg(cid(T, 11), 1, ack([])))).result.kind).toBe('accept'); // lower seq_no, higher msg_id
    expect((await send(s, msg(cid(T, 12), 99, ack([])))).result.kind).toBe('accept');
    // the ack numbered 99 constrains nothing: 7 after it is fine, and the query at 10 still counts
    expect((await send(s, msg(cid(T, 13), 7, query(2)))).result.kind).toBe('accept');
    expect((await send(s, msg(cid(T, 14), 5, query(3)))).result).toEqual({ kind: 'notify', code: 32, msgId: cid(T, 14), seqNo: 5 });
  });

  it('a container: its entries are checked against earlier messages, the container itself neither checked nor kept', async () => {
    const s = newServer();
    await send(s, msg(cid(T, 10), 5, query(1)));
    const r = await send(s, msg(cid(T, 20), 8, container([[cid(T, 11), 3, query(2)]])));
    expect(r.result).toEqual({ kind: 'notify', code: 32, msgId: cid(T, 11), seqNo: 3 });
    expect(only(r.out, 'bad_msg_notification')).toMatchObject({ bad_msg_id: cid(T, 11), bad_msg_seqno: 3, error_code: 32 });
    expect(r.events).toEqual([]);
    // a container numbered 10 holding a ping numbered 6: a query numbered 7 just above it is fine,
    // because the container's own seq_no is not kept
    expect((await send(s, msg(cid(T, 31), 10, container([[cid(T, 30), 6, ping(1)]])))).result.kind).toBe('accept');
    expect((await send(s, msg(cid(T, 32), 7, query(3)))).result.kind).toBe('accept');
  });

  it('a container: each entry is judged against the entries ahead of it, in the container order; rejected as a whole', async () => {
    const a: [bigint, number, Uint8Array] = [cid(T, 25), 9, query(25)];
    const b: [bigint, number, Uint8Array] = [cid(T, 24), 11, query(24)]; // lower msg_id, higher seq_no than a
    const s = newServer();
    const ab = await send(s, msg(cid(T, 30), 12, container([a, b])));
    expect(ab.result).toEqual({ kind: 'notify', code: 33, msgId: cid(T, 24), seqNo: 11 });
    const ba = await send(s, msg(cid(T, 31), 12, container([b, a])));
    expect(ba.result).toEqual({ kind: 'notify', code: 32, msgId: cid(T, 25), seqNo: 9 });
    expect(ba.events).toEqual([]);
    expect(s.isNew).toBe(true);
    // neither entry was recorded: each alone is new and accepted
    expect((await send(s, msg(cid(T, 25), 9, query(25)))).events).toEqual([{ kind: 'rpc', msgId: cid(T, 25), body: query(25) }]);
    expect((await send(s, msg(cid(T, 24), 7, query(24)))).events).toEqual([{ kind: 'rpc', msgId: cid(T, 24), body: query(24) }]);
    // an entry already received (a re-send) is skipped, not judged again
    const resent = await send(s, msg(cid(T, 40), 12, container([[cid(T, 25), 9, query(25)], [cid(T, 39), 11, query(39)]])));
    expect(resent.result.kind).toBe('accept');
    expect(resent.events).toEqual([{ kind: 'rpc', msgId: cid(T, 39), body: query(39) }]);
  });

  it('a seq_no leaves with its msg_id: once the window forgets a message it constrains nothing', async () => {
    const s = newServer();
    await send(s, msg(cid(T, 1), 999, query(1)));
    for (let k = 1; k <= 999; k++) await s.receive(msg(cid(T, 100 + k), 0, ack([])), OPTS);
    drainAll(s);
    // 1000 ids remembered, the query among them: a query numbered 1 above it is 32
    expect((await send(s, msg(cid(T, 2000), 1, query(2)))).result).toMatchObject({ code: 32 });
    await s.receive(msg(cid(T, 1100), 0, ack([])), OPTS); // the window forgets the query
    expect((await send(s, msg(cid(T, 2000), 1, query(2)))).result.kind).toBe('accept');
  });

  it('a well-behaved client (our generators): containers, acks numbered either way, re-sends and reordering all pass', async () => {
    let now = T + 0.5;
    const ids = new MsgIdGenerator('client', () => now);
    const seq = new SeqNoCounter();
    const one = (body: Uint8Array, content: boolean): [bigint, number, Uint8Array] => [ids.next(), seq.next(content), body];
    const packet = (entries: [bigint, number, Uint8Array][]): DecryptedMessage =>
      entries.length === 1 ? msg(...entries[0]!) : msg(ids.next(), seq.next(false), container(entries));
    const s = newServer(() => now);
    const first = [one(query(1), true), one(ping(1), false)];
    const p1 = packet(first);
    const p2 = packet([one(ack([]), true)]); // mtcute: content-related ack
    const p3 = packet([one(query(3), true)]);
    const p4 = packet([one(ack([]), false), one(query(4), true), one(query(5), true)]);
    now += 0.01;
    const p5 = packet([first[0]!, one(query(6), true)]); // the first query again, with its msg_id
    const results: string[] = [];
    for (const p of [p1, p3, p2, p5, p4]) results.push((await s.receive(p, OPTS)).result.kind); // p3 before p2, p5 before p4
    expect(results).toEqual(['accept', 'accept', 'accept', 'accept', 'accept']);
  });
});

// ---- msgs_state_req ---------------------------------------------------------------------------------

describe('msgs_state_req → msgs_state_info: the state byte of each id', () => {
  it('2 / 3 for ids not received, 4 plus +8 +16 +32 +64 +128 for received ones', async () => {
    const s = newServer();
    const [p, q1, q2, q3, q4] = [cid(T, 2), cid(T, 4), cid(T, 6), cid(T, 8), cid(T, 10)];
    await s.receive(msg(p, 0, ping(1)), OPTS);
    await s.receive(msg(q2, 3, query(2)), OPTS);
    await s.receive(msg(q3, 5, query(3)), OPTS);
    await s.receive(msg(q4, 7, query(4)), OPTS);
    s.answer(q3, query(33));
    s.answer(q4, query(44));
    const sent = drainAll(s, { acksAlone: true });
    expect(sent.map((o) => o.m?._)).toEqual(['pong', 'rpc_result', 'rpc_result', 'msgs_ack']);
    expect(only(sent, 'msgs_ack').msg_ids).toEqual([q2]);
    const r4 = rpcResults(sent).find((o) => reqOf(o) === q4)!;
    await s.receive(msg(cid(T, 12), 8, ack([r4.msgId])), OPTS); // the client has q4's answer
    await s.receive(msg(q1, 1, query(1)), OPTS); // late, and not acknowledged yet
    const req = cid(T, 14);
    await s.receive(msg(req, 8, encodeService({ _: 'msgs_state_req', msg_ids: [p, q1, q2, q3, q4, cid(T, 3), cid(T, 100)] })), OPTS);
    const out = drainAll(s);
    const info = only(out, 'msgs_state_info');
    expect(info.req_msg_id).toBe(req);
    expect(Array.from(info.info)).toEqual([
      4 + 16, //           p: received, not content-related
      4 + 32, //           q1: a query, not acknowledged yet, no answer yet
      4 + 8 + 32, //       q2: acknowledged (msgs_ack sent)
      4 + 8 + 32 + 64, //  q3: answered (rpc_result is its acknowledgement)
      4 + 8 + 32 + 64 + 128, // q4: answered, and the client acknowledged that answer
      2, //                between received ids, never received
      3, //                above everything received
    ]);
    expect(info.msgId & 3n).toBe(1n);
    expect(info.seqNo % 2).toBe(0);
    expect(only(out, 'msgs_ack').msg_ids).toEqual([q1]); // q1's ack rides along
  });

  it('1 below a full window; the state of an rpc_drop_answer and of a gzip_packed query', async () => {
    const s = newServer();
    for (let k = 1; k <= 1000; k++) await s.receive(msg(cid(T, 100 + k), 0, ack([])), OPTS);
    const gz = cid(T, 1200);
    await s.receive(msg(gz, 1, encodeService({ _: 'gzip_packed', packed_data: new Uint8Array(gzipSync(query(7))) })), OPTS);
    const drop = cid(T, 1201);
    await s.receive(msg(drop, 3, encodeService({ _: 'rpc_drop_answer', req_msg_id: gz })), OPTS);
    drainAll(s);
    const req = cid(T, 1202);
    await s.receive(msg(req, 4, encodeService({ _: 'msgs_state_req', msg_ids: [cid(T, 50), cid(T, 150), gz, drop] })), OPTS);
    const info = only(drainAll(s), 'msgs_state_info');
    // 1: forgotten (below the window); an ack: 4 + 16; the query inside gzip_packed, dropped while
    // running: 4 + 8 (acknowledged) + 32; rpc_drop_answer, answered with rpc_result: 4 + 8 + 32 + 64
    expect(Array.from(info.info)).toEqual([1, 4 + 16, 4 + 8 + 32, 4 + 8 + 32 + 64]);
  });
});

// ---- msg_resend_req ---------------------------------------------------------------------------------

describe('msg_resend_req', () => {
  /** A session with one answered query: its new_session_created and rpc_result went out. */
  async function answered() {
    const s = newServer();
    const q = cid(T, 1);
    await s.receive(msg(q, 1, query(1)), { saltOk: true, salt: SALT, announce: true });
    s.answer(q, query(9));
    const first = drainAll(s);
    const created = first.find((o) => o.m?._ === 'new_session_created')!;
    const result = rpcResults(first)[0]!;
    expect(s.unackedCount).toBe(2);
    return { s, q, created, result };
  }

  it('everything asked for is held: re-sent with the original msg_ids and seq_nos inside a container, no msgs_state_info', async () => {
    const { s, created, result } = await answered();
    await s.receive(msg(cid(T, 2), 2, encodeService({ _: 'msg_resend_req', msg_ids: [result.msgId, created.msgId] })), OPTS);
    const packet = s.drain(SALT)!;
    expect(decodeService(packet.body)?._).toBe('msg_container');
    const items = open(packet);
    expect(items.map((o) => [o.msgId, o.seqNo])).toEqual([[result.msgId, result.seqNo], [created.msgId, created.seqNo]]);
    expect(items.map((o) => Array.from(o.body))).toEqual([Array.from(result.body), Array.from(created.body)]);
    expect(packet.msgId > created.msgId && packet.msgId > result.msgId).toBe(true);
    expect(packet.seqNo % 2).toBe(0);
    expect(s.drain(SALT)).toBeNull();
  });

  it('an id unknown, of the client\'s parity or already acknowledged: the held ones re-sent, msgs_state_info for all', async () => {
    const { s, q, created, result } = await answered();
    const unknown = cid(T, 999) | 1n;
    const req = cid(T, 2);
    await s.receive(msg(req, 2, encodeService({ _: 'msg_resend_req', msg_ids: [result.msgId, unknown, q] })), OPTS);
    const out = drainAll(s);
    expect(out.map((o) => o.m?._)).toEqual(['rpc_result', 'msgs_state_info']);
    expect([out[0]!.msgId, out[0]!.seqNo]).toEqual([result.msgId, result.seqNo]);
    const info = only(out, 'msgs_state_info');
    expect(info.req_msg_id).toBe(req);
    // as for msgs_state_req: the server's own ids were never received (above every received id),
    // q is the client's answered query
    expect(Array.from(info.info)).toEqual([3, 3, 4 + 8 + 32 + 64]);

    // new_session_created acknowledged: it is forgotten, so asking for it gets msgs_state_info alone
    await s.receive(msg(cid(T, 3), 2, ack([created.msgId])), OPTS);
    await s.receive(msg(cid(T, 4), 2, encodeService({ _: 'msg_resend_req', msg_ids: [created.msgId] })), OPTS);
    const later = drainAll(s);
    expect(later.map((o) => o.m?._)).toEqual(['msgs_state_info']);
    expect(Array.from(only(later, 'msgs_state_info').info)).toEqual([3]);
  });
});

// ---- msg_resend_ans_req, re-sent queries, msg_detailed_info -----------------------------------------

describe('answers asked for again: msg_resend_ans_req and re-sent queries', () => {
  /** q1 small answer, q2 large answer (largeAnswer 64), q3 small answer the client acknowledged, q4 running. */
  async function fourQueries() {
    const s = newServer(undefined, { largeAnswer: 64 });
    const [q1, q2, q3, q4] = [cid(T, 1), cid(T, 2), cid(T, 3), cid(T, 4)];
    await s.receive(msg(cid(T, 5), 8, container([[q1, 1, query(1)], [q2, 3, query(2)], [q3, 5, query(3)], [q4, 7, query(4)]])), OPTS);
    const large = new Uint8Array(100);
    new DataView(large.buffer).setUint32(0, QUERY, true);
    s.answer(q1, query(11));
    s.answer(q2, large);
    s.answer(q3, query(13));
    const sent = drainAll(s, { acksAlone: true });
    const [r1, r2, r3] = [q1, q2, q3].map((q) => rpcResults(sent).find((o) => reqOf(o) === q)!);
    expect([r1!.body.length, r2!.body.length, r3!.body.length]).toEqual([20, 112, 20]);
    expect(only(sent, 'msgs_ack').msg_ids).toEqual([q4]);
    await s.receive(msg(cid(T, 6), 8, ack([r3!.msgId])), OPTS);
    return { s, q1, q2, q3, q4, r1: r1!, r2: r2!, r3: r3! };
  }

  it('msg_resend_ans_req: a small held answer again itself, msg_detailed_info for a large one and an acknowledged one, msgs_state_info for all', async () => {
    const { s, q1, q2, q3, q4, r1, r2, r3 } = await fourQueries();
    const req = cid(T, 7);
    await s.receive(msg(req, 8, encodeService({ _: 'msg_resend_ans_req', msg_ids: [q1, q2, q3, q4, cid(T, 50)] })), OPTS);
    const packet = s.drain(SALT)!;
    expect(s.drain(SALT)).toBeNull();
    const items = open(packet);
    expect(items.map((o) => o.m?._)).toEqual(['rpc_result', 'msg_detailed_info', 'msg_detailed_info', 'msgs_state_info']);
    expect([items[0]!.msgId, items[0]!.seqNo]).toEqual([r1.msgId, r1.seqNo]); // the same message, in a container
    expect(items[1]!.m).toEqual({ _: 'msg_detailed_info', msg_id: q2, answer_msg_id: r2.msgId, bytes: 112, status: 0 });
    expect(items[2]!.m).toEqual({ _: 'msg_detailed_info', msg_id: q3, answer_msg_id: r3.msgId, bytes: 20, status: 0 });
    expect(items[3]!.m).toEqual({
      _: 'msgs_state_info', req_msg_id: req,
      info: Uint8Array.from([4 + 8 + 32 + 64, 4 + 8 + 32 + 64, 4 + 8 + 32 + 64 + 128, 4 + 8 + 32, 3]),
    });
    for (const o of items.slice(1)) {
      expect(o.msgId & 3n).toBe(1n); // responses
      expect(o.seqNo % 2).toBe(0); // not content-related
    }
  });

  it('a query re-sent inside a new container: its held answer again (same msg_id), or msg_detailed_info when large', async () => {
    const { s, q1, q2, q4, r1, r2 } = await fourQueries();
    const q9 = cid(T, 8);
    const r = await s.receive(msg(cid(T, 9), 10, container([[q1, 1, query(1)], [q2, 3, query(2)], [q4, 7, query(4)], [q9, 9, query(9)]])), OPTS);
    expect(r.result.kind).toBe('accept');
    expect(r.events).toEqual([{ kind: 'rpc', msgId: q9, body: query(9) }]); // nothing runs twice
    const items = drainAll(s, { acksAlone: true });
    expect(items.map((o) => o.m?._)).toEqual(['rpc_result', 'msg_detailed_info', 'msgs_ack']);
    expect([items[0]!.msgId, items[0]!.seqNo, reqOf(items[0]!)]).toEqual([r1.msgId, r1.seqNo, q1]);
    expect(items[1]!.m).toEqual({ _: 'msg_detailed_info', msg_id: q2, answer_msg_id: r2.msgId, bytes: 112, status: 0 });
    expect(only(items, 'msgs_ack').msg_ids).toEqual([q9]); // q4 still running: nothing about it
  });

  it('a duplicate msg_id arriving alone (a replayed packet) gets nothing', async () => {
    const { s, q1, q2 } = await fourQueries();
    for (const [q, seq] of [[q1, 1], [q2, 3]] as const) {
      const r = await s.receive(msg(q, seq, query(1)), OPTS);
      expect(r).toEqual({ result: { kind: 'ignore' }, events: [] });
    }
    expect(s.drain(SALT, { acksAlone: true })).toBeNull();
  });
});

// ---- msgs_all_info, msg_(new_)detailed_info on request ----------------------------------------------

describe('voluntary status: msgs_all_info both ways, notices about unacknowledged messages', () => {
  it('sendAllInfo lists what the session remembers except +16 / +128, keeping a query still running', async () => {
    const s = newServer();
    const [p, gz, run, done, known] = [cid(T, 1), cid(T, 2), cid(T, 3), cid(T, 4), cid(T, 5)];
    await s.receive(msg(p, 0, ping(1)), OPTS);
    await s.receive(msg(gz, 0, encodeService({ _: 'gzip_packed', packed_data: new Uint8Array(gzipSync(query(2))) })), OPTS); // not content-related
    await s.receive(msg(run, 1, query(3)), OPTS);
    await s.receive(msg(done, 3, query(4)), OPTS);
    await s.receive(msg(known, 5, query(5)), OPTS);
    s.answer(done, query(44));
    s.answer(known, query(55));
    const sent = drainAll(s);
    expect(only(sent, 'msgs_ack').msg_ids).toEqual([run]); // rode along with the answers
    const rKnown = rpcResults(sent).find((o) => reqOf(o) === known)!;
    await s.receive(msg(cid(T, 6), 6, ack([rKnown.msgId])), OPTS);
    expect(s.sendAllInfo()).toBe(3);
    const out = drainAll(s);
    const all = only(out, 'msgs_all_info');
    // p (+16), known (+128) and the ack (+16) are left out; gz is +16 but a query still running
    expect(all.msg_ids).toEqual([gz, run, done]);
    expect(Array.from(all.info)).toEqual([4 + 16 + 32, 4 + 8 + 32, 4 + 8 + 32 + 64]);
    expect(all.msgId & 3n).toBe(3n); // not a response
    expect(all.seqNo % 2).toBe(0);
    expect(newServer().sendAllInfo()).toBe(0);
  });

  it('msgs_all_info from the client: 4 acknowledges a message of ours, 2 has it re-sent', async () => {
    const s = newServer();
    const [q1, q2] = [cid(T, 1), cid(T, 2)];
    await s.receive(msg(cid(T, 3), 4, container([[q1, 1, query(1)], [q2, 3, query(2)]])), OPTS);
    s.answer(q1, query(11));
    s.answer(q2, query(12));
    const [r1, r2] = rpcResults(drainAll(s));
    expect(s.unackedCount).toBe(2);
    await s.receive(msg(cid(T, 4), 4, encodeService({ _: 'msgs_all_info', msg_ids: [r1!.msgId, r2!.msgId], info: Uint8Array.of(4, 2) })), OPTS);
    expect(s.unackedCount).toBe(1);
    const packet = s.drain(SALT)!;
    expect(decodeService(packet.body)?._).toBe('msg_container');
    expect(open(packet).map((o) => [o.msgId, o.seqNo])).toEqual([[r2!.msgId, r2!.seqNo]]);
    // q1's answer is now known to have arrived: +128
    await s.receive(msg(cid(T, 5), 4, encodeService({ _: 'msgs_state_req', msg_ids: [q1, q2] })), OPTS);
    expect(Array.from(only(drainAll(s), 'msgs_state_info').info)).toEqual([4 + 8 + 32 + 64 + 128, 4 + 8 + 32 + 64]);
  });

  it('announceUnacked: msg_detailed_info for an rpc_result, msg_new_detailed_info for new_session_created, once old enough', async () => {
    let now = T + 0.25;
    const s = newServer(() => now);
    const q = cid(T, 1);
    await s.receive(msg(q, 1, query(1)), { saltOk: true, salt: SALT, announce: true });
    s.answer(q, query(9));
    const sent = drainAll(s);
    const created = sent.find((o) => o.m?._ === 'new_session_created')!;
    const result = rpcResults(sent)[0]!;
    now = T + 5.25;
    expect(s.announceUnacked(10)).toBe(0);
    expect(s.drain(SALT)).toBeNull();
    now = T + 10.25;
    expect(s.announceUnacked(10)).toBe(2);
    const out = drainAll(s);
    expect(out.map((o) => o.m)).toEqual([
      { _: 'msg_new_detailed_info', answer_msg_id: created.msgId, bytes: 28, status: 0 },
      { _: 'msg_detailed_info', msg_id: q, answer_msg_id: result.msgId, bytes: 20, status: 0 },
    ]);
    expect(out.every((o) => (o.msgId & 3n) === 3n && o.seqNo % 2 === 0)).toBe(true);
    expect(s.unackedCount).toBe(2); // a notice is not a re-send: both still wait for their acks
  });
});

// ---- behind real encryption ---------------------------------------------------------------------

forEachProvider((provider: CryptoProvider) => {
  describe('32 / 33 behind real encryption', () => {
    it('the notifications decrypt on the client side with the right codes and ids', async () => {
      const authKey = new AuthKey(provider, provider.randomBytes(256));
      const s = newServer();
      const through = (m: PlaintextMessage): DecryptedMessage => decryptMessage(provider, authKey, encryptMessage(provider, authKey, m, { from: 'client' }), { from: 'client' });
      expect((await s.receive(through(msg(cid(T, 20), 5, query(1))), OPTS)).result.kind).toBe('accept');
      expect((await s.receive(through(msg(cid(T, 21), 3, query(2))), OPTS)).result).toMatchObject({ code: 32 });
      expect((await s.receive(through(msg(cid(T, 19), 7, query(3))), OPTS)).result).toMatchObject({ code: 33 });
      const packet = s.drain(SALT)!;
      const back = decryptMessage(provider, authKey, encryptMessage(provider, authKey, packet, { from: 'server' }), { from: 'server', sessionId: SESSION });
      const notes = open(back).filter((o) => o.m?._ === 'bad_msg_notification').map((o) => o.m);
      expect(notes).toEqual([
        { _: 'bad_msg_notification', bad_msg_id: cid(T, 21), bad_msg_seqno: 3, error_code: 32 },
        { _: 'bad_msg_notification', bad_msg_id: cid(T, 19), bad_msg_seqno: 7, error_code: 33 },
      ]);
      authKey.dispose();
    });
  });
});
