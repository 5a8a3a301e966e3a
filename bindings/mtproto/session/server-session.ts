// One MTProto session as the server sees it (spec §3–§4, §7), sans-IO: decrypted messages go in
// through check() and receive(), queued answers come out of drain() as the plaintext of the next
// packet. No sockets, no store, no timers — the clock is injected — so every rule is unit-testable;
// server/core.ts wires it to connections, handlers and the AuthKeyStore.
//
// Receipt checks (check(): pure, so a rejected message leaves the session as it was):
//   msg_id not divisible by 4                      → bad_msg_notification 18
//   msg_id more than 300 s old / 30 s ahead        → 16 / 17      (spec §3 item 6)
//   msg_id seen before                             → dropped; 19 for a container
//   msg_id below the 1000 remembered, window full  → 20
//   salt not accepted for the key                  → bad_server_salt (48) with the current salt
//   container: odd seq_no → 34; an entry with a bad id, an id ≥ the container's, a seq_no above
//     the container's, a repeated id, or malformed TL → 64; more than 1024 entries → 'flood'
//     (the caller answers transport error −429 and closes)
//   an RPC query with an even seq_no → 35; msg_container / msg_copy with an odd one → 34
//     (msgs_ack and gzip_packed are not checked: mtcute sends its acks content-related and
//     gzip_packed may carry a query, spec §11)
// A container is accepted or rejected as a whole; entries already received (a peer's re-send) are
// skipped inside an accepted container.
//
// What the session answers itself: ping (a bare pong carrying the ping's msg_id, never inside
// rpc_result), ping_delay_disconnect (pong + an event), msgs_ack, msgs_state_req, msg_resend_req,
// rpc_drop_answer, gzip_packed (unpacked, size-limited). What it hands to the caller as events:
// RPC queries (auth.bindTempAuthKey included), get_future_salts, destroy_session,
// destroy_auth_key, http_wait.
//
// Outgoing: every content-related message (rpc_result, new_session_created) stays in `unacked`
// until the client acknowledges it; resendUnacked() queues them again, with their original msg_ids
// inside a fresh container (spec §7.2: never re-send alone with the same msg_id), when the session
// moves to a new connection. Acks of the client's content-related messages ride along in the next
// packet (an rpc_result acknowledges its query by itself).

import type { Clock } from '../auth/types.js';
import { systemClock } from '../auth/types.js';
import type { DecryptedMessage, PlaintextMessage } from '../crypto/message.js';
import { MSG_ID_MAX_AGE, MSG_ID_MAX_AHEAD, msgIdTime } from '../crypto/msg-id.js';
import { MtprotoError, TlError } from '../errors.js';
import { gunzipPacked } from '../tl/gzip.js';
import { type FutureSalt, ID, type MessageEntry, type ServiceMessage, decodeService, encodeService, isServiceConstructor } from '../tl/service.js';
import { DEFAULT_MAX_GZIP_SIZE, DEFAULT_MAX_UNACKED, MAX_CONTAINER_MESSAGES, MAX_MSG_IDS } from './limits.js';
import type { MsgIdGenerator, ServerMsgKind } from './msg-id.js';
import { ContainerBudget, type WireMessage, containerBody, leadingId, secondWord } from './packing.js';
import { MsgIdWindow } from '../crypto/msg-id.js';
import { SeqNoCounter } from './seq-no.js';

export interface ServerSessionOptions {
  readonly authKeyId: bigint;
  readonly sessionId: bigint;
  /** The server's msg_id generator (role 'server'); may be shared by every session. */
  readonly msgIds: MsgIdGenerator;
  /** Unix seconds (default Date.now() / 1000). */
  readonly now?: Clock;
  /** Random bytes (new_session_created's unique_id). */
  readonly random: (length: number) => Uint8Array;
  /** Cap on a gzip_packed's decompressed size (default 4 MiB). */
  readonly maxGzipSize?: number;
  /** Content-related messages kept for re-sending (default 1024; the oldest are forgotten). */
  readonly maxUnacked?: number;
}

/** What check() decided about a message. */
export type CheckResult =
  | { readonly kind: 'accept' }
  /** A duplicate: drop without an answer. */
  | { readonly kind: 'ignore' }
  /** Answer bad_msg_notification `code` about the message `msgId` (the checked one, or an entry). */
  | { readonly kind: 'notify'; readonly code: number; readonly msgId: bigint; readonly seqNo: number }
  /** Answer bad_server_salt. */
  | { readonly kind: 'bad-salt' }
  /** A container beyond the limits: transport error −429 and close (spec §8.6). */
  | { readonly kind: 'flood' };

/** Work for the caller, from receive(). */
export type ServerEvent =
  /** An RPC query (not a service message): answer with answer() / answerError(). */
  | { readonly kind: 'rpc'; readonly msgId: bigint; readonly body: Uint8Array }
  | { readonly kind: 'future-salts'; readonly msgId: bigint; readonly num: number }
  | { readonly kind: 'destroy-session'; readonly msgId: bigint; readonly sessionId: bigint }
  | { readonly kind: 'destroy-auth-key'; readonly msgId: bigint }
  | { readonly kind: 'http-wait'; readonly maxDelay: number; readonly waitAfter: number; readonly maxWait: number }
  /** ping_delay_disconnect: close the connection this many seconds from now unless another comes. */
  | { readonly kind: 'disconnect-delay'; readonly seconds: number };

export interface ReceiveOptions {
  /** Whether the message's salt is accepted for the key (see session/salts.ts). */
  readonly saltOk: boolean;
  /** The current server salt (bad_server_salt, new_session_created). */
  readonly salt: bigint;
  /**
   * For the first accepted message: whether to announce the session with new_session_created
   * (the store says whether the fleet has seen it). Default true.
   */
  readonly announce?: boolean;
}

interface Pending {
  readonly body: Uint8Array;
  readonly contentRelated: boolean;
  readonly kind: ServerMsgKind;
}

/** rpc_answer_unknown / rpc_answer_dropped_running, serialized once. */
const ANSWER_UNKNOWN = encodeService({ _: 'rpc_answer_unknown' });
const ANSWER_DROPPED_RUNNING = encodeService({ _: 'rpc_answer_dropped_running' });

const ANY_SEQ = new Set<number>([ID.msgs_ack, ID.gzip_packed]);
const NON_CONTENT = new Set<number>([ID.msg_container, ID.msg_copy]);

/** Unsigned comparison of two msg_ids (they order by time). */
const u64 = (id: bigint): bigint => BigInt.asUintN(64, id);

export class ServerSession {
  readonly authKeyId: bigint;
  readonly sessionId: bigint;
  readonly #msgIds: MsgIdGenerator;
  readonly #now: Clock;
  readonly #random: (length: number) => Uint8Array;
  readonly #maxGzip: number;
  readonly #maxUnacked: number;
  readonly #received = new MsgIdWindow();
  readonly #seq = new SeqNoCounter();
  #started = false;
  #queue: Pending[] = [];
  #resend: WireMessage[] = [];
  readonly #unacked = new Map<bigint, WireMessage>();
  readonly #acks = new Set<bigint>();
  readonly #calls = new Set<bigint>(); // RPC queries handed out and not answered yet
  readonly #dropped = new Set<bigint>(); // … whose answer the client dropped (rpc_drop_answer)

  constructor(options: ServerSessionOptions) {
    this.authKeyId = options.authKeyId;
    this.sessionId = options.sessionId;
    this.#msgIds = options.msgIds;
    this.#now = options.now ?? systemClock;
    this.#random = options.random;
    this.#maxGzip = options.maxGzipSize ?? DEFAULT_MAX_GZIP_SIZE;
    this.#maxUnacked = options.maxUnacked ?? DEFAULT_MAX_UNACKED;
  }

  /** True until a first message is accepted (the caller then asks the store whether to announce). */
  get isNew(): boolean {
    return !this.#started;
  }

  /** Whether drain() would return something (acks alone count only with `acks`). */
  hasOutgoing(acks = false): boolean {
    return this.#queue.length > 0 || this.#resend.length > 0 || (acks && this.#acks.size > 0);
  }

  /** Content-related messages sent and not acknowledged yet. */
  get unackedCount(): number {
    return this.#unacked.size;
  }

  /** RPC queries handed out by receive() and not answered yet. */
  get openCalls(): number {
    return this.#calls.size;
  }

  // ---- receipt ---------------------------------------------------------------------------------

  /** The receipt checks of the header above, without changing anything. */
  check(message: DecryptedMessage, saltOk: boolean): CheckResult {
    const { msgId, seqNo, body } = message;
    const notify = (code: number, id = msgId, seq = seqNo): CheckResult => ({ kind: 'notify', code, msgId: id, seqNo: seq });
    const idProblem = this.#idProblem(msgId);
    if (idProblem !== undefined) return notify(idProblem);
    const isContainer = leadingId(body) === ID.msg_container;
    const status = this.#received.status(msgId);
    if (status === 'duplicate') return isContainer ? notify(19) : { kind: 'ignore' };
    if (status === 'too-old') return notify(20);
    if (!saltOk) return { kind: 'bad-salt' };
    if (!isContainer) {
      const parity = seqParityProblem(body, seqNo);
      return parity === undefined ? { kind: 'accept' } : notify(parity);
    }
    const count = secondWord(body);
    if (count !== undefined && (count > MAX_CONTAINER_MESSAGES || count < 0)) return { kind: 'flood' };
    if ((seqNo & 1) === 1) return notify(34);
    let entries: readonly MessageEntry[];
    try {
      entries = (decodeService(body) as Extract<ServiceMessage, { _: 'msg_container' }>).messages;
    } catch {
      return notify(64);
    }
    const seen = new Set<bigint>();
    for (const e of entries) {
      if ((e.msg_id & 3n) !== 0n || u64(e.msg_id) >= u64(msgId) || e.seqno > seqNo || seen.has(e.msg_id)) return notify(64);
      seen.add(e.msg_id);
      const time = this.#timeProblem(e.msg_id);
      if (time !== undefined) return notify(time);
      const parity = seqParityProblem(e.body, e.seqno);
      if (parity !== undefined) return notify(parity, e.msg_id, e.seqno);
    }
    return { kind: 'accept' };
  }

  #idProblem(msgId: bigint): number | undefined {
    if ((msgId & 3n) !== 0n) return 18;
    return this.#timeProblem(msgId);
  }

  #timeProblem(msgId: bigint): number | undefined {
    const t = msgIdTime(msgId);
    const now = this.#now();
    if (t < now - MSG_ID_MAX_AGE) return 16;
    if (t > now + MSG_ID_MAX_AHEAD) return 17;
    return undefined;
  }

  /**
   * Checks a message and acts on it: a rejected one queues its bad_msg_notification or
   * bad_server_salt (and changes nothing else); an accepted one is recorded, answered where the
   * session answers itself, and turned into events for the rest. Malformed service messages inside
   * an accepted message are dropped.
   */
  async receive(message: DecryptedMessage, options: ReceiveOptions): Promise<{ result: CheckResult; events: ServerEvent[] }> {
    const result = this.check(message, options.saltOk);
    const events: ServerEvent[] = [];
    if (result.kind === 'notify') {
      this.#push(encodeService({ _: 'bad_msg_notification', bad_msg_id: result.msgId, bad_msg_seqno: result.seqNo, error_code: result.code }), false, 'response');
    } else if (result.kind === 'bad-salt') {
      this.#push(encodeService({ _: 'bad_server_salt', bad_msg_id: message.msgId, bad_msg_seqno: message.seqNo, error_code: 48, new_server_salt: options.salt }), false, 'response');
    }
    if (result.kind !== 'accept') return { result, events };

    // Accepted: record every id now, before any await, so a message racing in is judged against it.
    const { msgId, seqNo, body } = message;
    this.#received.accept(msgId);
    let work: WireMessage[] = [{ msgId, seqNo, body }];
    if (leadingId(body) === ID.msg_container) {
      const entries = (decodeService(body) as Extract<ServiceMessage, { _: 'msg_container' }>).messages;
      work = [];
      for (const e of entries) {
        if (this.#received.status(e.msg_id) !== 'new') continue; // a re-sent entry we already have
        this.#received.accept(e.msg_id);
        work.push({ msgId: e.msg_id, seqNo: e.seqno, body: e.body });
      }
    }
    if (!this.#started) {
      this.#started = true;
      if (options.announce !== false) {
        // first_msg_id: the oldest message of this first packet, so a client re-sending what it
        // sent before knows which of those the server has (spec §4.5).
        const first = work.reduce((min, m) => (u64(m.msgId) < u64(min) ? m.msgId : min), work[0]?.msgId ?? msgId);
        const uniqueId = new DataView(this.#random(8).buffer).getBigInt64(0, true);
        this.#push(encodeService({ _: 'new_session_created', first_msg_id: first, unique_id: uniqueId, server_salt: options.salt }), true, 'other');
      }
    }
    for (const m of work) await this.#handle(m.msgId, m.seqNo, m.body, events, 0);
    return { result, events };
  }

  async #handle(msgId: bigint, seqNo: number, body: Uint8Array, events: ServerEvent[], depth: number): Promise<void> {
    if ((seqNo & 1) === 1) this.#acks.add(msgId);
    const id = leadingId(body);
    if (id === undefined) return;
    if (!isServiceConstructor(id) || id === ID['auth.bindTempAuthKey']) {
      this.#calls.add(msgId);
      events.push({ kind: 'rpc', msgId, body });
      return;
    }
    let m: ServiceMessage;
    try {
      m = decodeService(body)!;
    } catch (error) {
      if (error instanceof TlError) return; // malformed service message: dropped
      throw error;
    }
    switch (m._) {
      case 'msgs_ack':
        for (const acked of m.msg_ids) this.#unacked.delete(acked);
        break;
      case 'ping':
        this.#push(encodeService({ _: 'pong', msg_id: msgId, ping_id: m.ping_id }), false, 'response');
        break;
      case 'ping_delay_disconnect':
        this.#push(encodeService({ _: 'pong', msg_id: msgId, ping_id: m.ping_id }), false, 'response');
        events.push({ kind: 'disconnect-delay', seconds: m.disconnect_delay });
        break;
      case 'get_future_salts':
        events.push({ kind: 'future-salts', msgId, num: m.num });
        break;
      case 'msgs_state_req':
        this.#stateInfo(msgId, m.msg_ids);
        break;
      case 'msg_resend_req':
      case 'msg_resend_ans_req': {
        const unknown: bigint[] = [];
        for (const wanted of m.msg_ids) {
          const sent = this.#unacked.get(wanted);
          if (sent !== undefined && !this.#resend.includes(sent)) this.#resend.push(sent);
          else if (sent === undefined) unknown.push(wanted);
        }
        // service_messages_about_messages.html: ids we cannot re-send are answered as a state request.
        if (unknown.length > 0) this.#stateInfo(msgId, unknown);
        break;
      }
      case 'rpc_drop_answer': {
        const running = this.#calls.delete(m.req_msg_id);
        if (running) this.#dropped.add(m.req_msg_id);
        this.#acks.delete(msgId);
        this.#push(encodeService({ _: 'rpc_result', req_msg_id: msgId, result: running ? ANSWER_DROPPED_RUNNING : ANSWER_UNKNOWN }), true, 'response');
        break;
      }
      case 'destroy_session':
        events.push({ kind: 'destroy-session', msgId, sessionId: m.session_id });
        break;
      case 'destroy_auth_key':
        events.push({ kind: 'destroy-auth-key', msgId });
        break;
      case 'http_wait':
        events.push({ kind: 'http-wait', maxDelay: m.max_delay, waitAfter: m.wait_after, maxWait: m.max_wait });
        break;
      case 'gzip_packed': {
        if (depth > 0) return; // gzip_packed in gzip_packed: nobody sends it
        let inner: Uint8Array;
        try {
          inner = await gunzipPacked(m.packed_data, this.#maxGzip);
        } catch (error) {
          // Corrupt or oversized. It may have held a query the client now waits for, so answer its
          // msg_id with rpc_error (a client ignores an answer to a message that was not a query).
          const tooLarge = error instanceof MtprotoError && error.code === 'gzip-too-large';
          this.answerError(msgId, 400, tooLarge ? 'GZIP_TOO_LARGE' : 'GZIP_INVALID');
          return;
        }
        if (leadingId(inner) === ID.msg_container) return; // a container is never packed
        await this.#handle(msgId, seqNo, inner, events, depth + 1);
        break;
      }
      default:
        // Messages only a server sends (rpc_result, pong, bad_msg_notification …), msg_copy and
        // stray containers: nothing to do.
        break;
    }
  }

  #stateInfo(reqMsgId: bigint, ids: readonly bigint[]): void {
    const info = Uint8Array.from(ids, (id) => this.#received.stateOf(id));
    this.#push(encodeService({ _: 'msgs_state_info', req_msg_id: reqMsgId, info }), false, 'response');
  }

  // ---- answers -----------------------------------------------------------------------------------

  /** Answers an RPC query with its result (already serialized, possibly gzip_packed). */
  answer(reqMsgId: bigint, result: Uint8Array): void {
    if (this.#dropped.delete(reqMsgId)) return; // the client asked us to drop it
    this.#calls.delete(reqMsgId);
    this.#acks.delete(reqMsgId); // rpc_result acknowledges the query
    this.#push(encodeService({ _: 'rpc_result', req_msg_id: reqMsgId, result }), true, 'response');
  }

  /** Answers an RPC query with rpc_error. */
  answerError(reqMsgId: bigint, code: number, message: string): void {
    this.answer(reqMsgId, encodeService({ _: 'rpc_error', error_code: code, error_message: message }));
  }

  /** Answers get_future_salts (a bare future_salts, which is also its acknowledgement). */
  answerFutureSalts(reqMsgId: bigint, now: number, salts: readonly FutureSalt[]): void {
    this.#acks.delete(reqMsgId);
    this.#push(encodeService({ _: 'future_salts', req_msg_id: reqMsgId, now, salts: [...salts] }), false, 'response');
  }

  /** Answers destroy_session. */
  answerDestroySession(reqMsgId: bigint, sessionId: bigint, destroyed: boolean): void {
    this.#acks.delete(reqMsgId);
    this.#push(encodeService({ _: destroyed ? 'destroy_session_ok' : 'destroy_session_none', session_id: sessionId }), false, 'response');
  }

  /** Answers destroy_auth_key. */
  answerDestroyAuthKey(reqMsgId: bigint, outcome: 'ok' | 'none' | 'fail'): void {
    this.#acks.delete(reqMsgId);
    this.#push(encodeService({ _: `destroy_auth_key_${outcome}` }), false, 'response');
  }

  /** Queues a message the server sends on its own (an update); content-related by default. */
  send(body: Uint8Array, contentRelated = true): void {
    this.#push(body, contentRelated, 'other');
  }

  #push(body: Uint8Array, contentRelated: boolean, kind: ServerMsgKind): void {
    this.#queue.push({ body, contentRelated, kind });
  }

  // ---- sending -----------------------------------------------------------------------------------

  /** Queues every unacknowledged content-related message again (a new connection took over). */
  resendUnacked(): void {
    const queued = new Set(this.#resend);
    for (const m of this.#unacked.values()) if (!queued.has(m)) this.#resend.push(m);
    this.#resend.sort((a, b) => (u64(a.msgId) < u64(b.msgId) ? -1 : 1));
  }

  /**
   * The plaintext of the next packet, or null when nothing is queued. Acks go out with other
   * messages, or alone when `acksAlone` (an HTTP answer, a timer). Call again until null: one packet
   * carries at most one container's worth.
   */
  drain(salt: bigint, options: { acksAlone?: boolean; emptyContainer?: boolean } = {}): PlaintextMessage | null {
    const out: WireMessage[] = [];
    const budget = new ContainerBudget(MAX_CONTAINER_MESSAGES - 1); // one place kept for the acks
    let resent = 0;
    while (this.#resend.length > 0 && budget.fits(this.#resend[0]!.body.length)) {
      out.push(this.#resend.shift()!);
      resent++;
    }
    while (this.#queue.length > 0 && budget.fits(this.#queue[0]!.body.length)) {
      const p = this.#queue.shift()!;
      const m = { msgId: this.#msgIds.next(p.kind), seqNo: this.#seq.next(p.contentRelated), body: p.body };
      if (p.contentRelated) this.#remember(m);
      out.push(m);
    }
    if (this.#acks.size > 0 && (out.length > 0 || options.acksAlone)) {
      const ids = [...this.#acks].slice(0, MAX_MSG_IDS);
      for (const id of ids) this.#acks.delete(id);
      out.push({ msgId: this.#msgIds.next('other'), seqNo: this.#seq.next(false), body: encodeService({ _: 'msgs_ack', msg_ids: ids }) });
    }
    if (out.length === 0 && !options.emptyContainer) return null;
    const header = { salt, sessionId: this.sessionId };
    if (out.length === 1 && resent === 0) return { ...header, ...out[0]! };
    // Several messages, a re-sent one (never alone with its old msg_id), or an empty container
    // (HTTP long poll that timed out, spec §8.9).
    return { ...header, msgId: this.#msgIds.next('other'), seqNo: this.#seq.next(false), body: containerBody(out) };
  }

  #remember(m: WireMessage): void {
    this.#unacked.set(m.msgId, m);
    if (this.#unacked.size > this.#maxUnacked) this.#unacked.delete(this.#unacked.keys().next().value!);
  }
}

/** bad_msg_notification 34 / 35 for a message's seq_no parity, or undefined. */
function seqParityProblem(body: Uint8Array, seqNo: number): number | undefined {
  const id = leadingId(body);
  if (id === undefined || ANY_SEQ.has(id)) return undefined;
  const odd = (seqNo & 1) === 1;
  if (NON_CONTENT.has(id)) return odd ? 34 : undefined;
  const query = !isServiceConstructor(id) || id === ID['auth.bindTempAuthKey'];
  return query && !odd ? 35 : undefined;
}
