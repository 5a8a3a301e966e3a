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
//   seq_no out of msg_id order (service_messages_about_messages.html): a message received before
//     with a lower msg_id and a higher seq_no, or the same odd one → 32; with a higher msg_id and a
//     lower seq_no, or the same odd one → 33. The session keeps the seq_no of every message still
//     in its msg_id window (ReceivedWindow below) and compares a new message with its nearest
//     neighbours in msg_id order, which is enough because what it keeps is itself in order.
//     Exempt, neither checked nor kept for the check: msgs_ack (as for 34 / 35 — mtcute numbers its
//     acks content-related and resets its whole session on any notification; its numbering was
//     in order in the interop runs, GramJS's and our client's too, so this is caution, not a
//     tolerance a peer needs) and the container itself (not content-related; its entries are
//     checked, in their order inside it, against what came before and the entries ahead of them).
// A container is accepted or rejected as a whole; entries already received (a peer's re-send) are
// skipped inside an accepted container.
//
// What the session answers itself: ping (a bare pong carrying the ping's msg_id, never inside
// rpc_result), ping_delay_disconnect (pong + an event), msgs_ack, rpc_drop_answer, gzip_packed
// (unpacked, size-limited), and the service messages about messages
// (service_messages_about_messages.html):
//   msgs_state_req      → msgs_state_info, one byte per id: 1 / 2 / 3 / 4 from the window, and for
//                         a received message +8 acknowledged by the server (msgs_ack sent, or an
//                         answer that acknowledges it), +16 not content-related, +32 an RPC query
//                         (one answered with rpc_result), +64 its rpc_result generated, +128 the
//                         client acknowledged that rpc_result (so it knows its query arrived)
//   msg_resend_req      → the messages asked for, if still unacknowledged, again with their msg_ids
//                         inside a container; if any id is the client's own (parity), unknown or
//                         forgotten, msgs_state_info for all of them as well
//   msg_resend_ans_req  → the answers to the queries named, as for a query re-sent (below), and
//                         msgs_state_info for all of them
//   a query re-sent     → its answer again if the server still holds it and it is smaller than
//     inside a new        `largeAnswer`, else msg_detailed_info (the client asks for it with
//     container           msg_resend_req if it lacks it); nothing while no answer has gone out.
//                         A duplicate msg_id arriving alone (not in a new container) is what a
//                         replayed packet looks like: it is dropped without any answer
//   msgs_all_info       → the client's states of our messages: 4 acknowledges, 2 / 3 re-send
// and, on the caller's request, msgs_all_info (sendAllInfo) and msg_detailed_info /
// msg_new_detailed_info about unacknowledged messages (announceUnacked). What it hands to the
// caller as events: RPC queries (auth.bindTempAuthKey included), get_future_salts,
// destroy_session, destroy_auth_key, http_wait.
//
// Outgoing: every content-related message (rpc_result, new_session_created) stays in `unacked`
// until the client acknowledges it; resendUnacked() queues them again, with their original msg_ids
// inside a fresh container (spec §7.2: never re-send alone with the same msg_id), when the session
// moves to a new connection. Acks of the client's content-related messages ride along in the next
// packet (an rpc_result acknowledges its query by itself).
//
// Holding (option holdOutgoing; server/core.ts turns it on, server/held.ts has the why): a fleet of
// server processes keeps each content-related message in the shared store from before it first
// goes out until the client acknowledges it, so the session can move to another process with its
// unacknowledged answers. The order is what makes that safe: stage() gives queued content-related
// messages their msg_id and seq_no and hands them to the caller, which stores them and then calls
// held(); until then they (and what is queued behind them) do not go out. So a client never holds
// a message the store lacks — its acknowledgement, and the release it causes, always come after
// the hold (nothing held forever but by a failed write, which the store's expiry bounds). Acks
// come back out of takeReleased() for the caller to release; restore() takes over what another
// process held.

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
import type { HeldMessage } from '../server/store.js';

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
  /**
   * Answers of at least this many bytes are not re-sent unasked when a query comes again (a
   * duplicate msg_id, msg_resend_ans_req): msg_detailed_info announces them instead (default 16 KiB).
   */
  readonly largeAnswer?: number;
  /**
   * Content-related messages wait in the queue until the caller has stored them: stage() hands
   * them out, held() lets them go; acknowledged ones come out of takeReleased() (see the header).
   * Default false: they go out at once.
   */
  readonly holdOutgoing?: boolean;
}

/** Default ServerSessionOptions.largeAnswer. */
export const DEFAULT_LARGE_ANSWER = 16 * 1024;

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
  /** An rpc_result: the msg_id of the client's query it answers. */
  readonly answers?: bigint;
  /** Holding: the msg_id and seq_no stage() gave it (it keeps them when it goes out). */
  staged?: { readonly msgId: bigint; readonly seqNo: number };
}

/** A content-related message sent and not acknowledged yet. */
interface Sent extends WireMessage {
  /** An rpc_result: the query it answers. */
  readonly answers?: bigint;
  /** When it first went out (the session clock, seconds). */
  readonly sentAt: number;
}

/** What the session knows of one message of the client's while its msg_id is in the window. */
interface Received {
  /** Unsigned, as the window orders ids. */
  readonly id: bigint;
  readonly seqNo: number;
  /** Whether it takes part in the seq_no order checks (32 / 33): not msgs_ack, not a container. */
  readonly ordered: boolean;
  /** An RPC query, answered with rpc_result (state flag +32). */
  query: boolean;
  /** The server acknowledged it: msgs_ack sent, or an answer that acknowledges it (+8). */
  acked: boolean;
  /** Its rpc_result was generated (+64). */
  answered: boolean;
  /** That rpc_result as it went out. */
  answer?: { readonly msgId: bigint; readonly bytes: number };
  /** The client acknowledged that rpc_result, so it knows the query arrived (+128). */
  known: boolean;
}

/**
 * The session's msg_id window (crypto/msg-id.ts) with a record per remembered id: its seq_no for
 * the order checks and what the state bytes of msgs_state_info need. The records are exactly the
 * ids the window remembers (one is dropped when the window forgets its lowest id), ascending.
 */
class ReceivedWindow extends MsgIdWindow {
  readonly #records: Received[] = [];

  /** The index of the first record with an id ≥ id (unsigned). */
  #index(id: bigint): number {
    return lowerBound(this.#records, id);
  }

  override accept(msgId: bigint): boolean {
    return this.acceptMessage(msgId, 0, false);
  }

  /** Remembers a message (see MsgIdWindow.accept) with its seq_no. */
  acceptMessage(msgId: bigint, seqNo: number, ordered: boolean): boolean {
    if (!super.accept(msgId)) return false;
    const id = u64(msgId);
    this.#records.splice(this.#index(id), 0, { id, seqNo, ordered, query: false, acked: false, answered: false, known: false });
    // A full window forgot its lowest id: forget its record too.
    if (!this.has(this.#records[0]!.id)) this.#records.shift();
    return true;
  }

  /** The record of a remembered id. */
  get(msgId: bigint): Received | undefined {
    const id = u64(msgId);
    const r = this.#records[this.#index(id)];
    return r?.id === id ? r : undefined;
  }

  /** The seq_nos of the nearest ordered messages below and above msgId in msg_id order. */
  neighbours(msgId: bigint): [below: number | undefined, above: number | undefined] {
    const records = this.#records;
    const id = u64(msgId);
    const i = this.#index(id);
    let below: number | undefined;
    let above: number | undefined;
    for (let j = i - 1; j >= 0 && below === undefined; j--) if (records[j]!.ordered) below = records[j]!.seqNo;
    for (let j = records[i]?.id === id ? i + 1 : i; j < records.length && above === undefined; j++) if (records[j]!.ordered) above = records[j]!.seqNo;
    return [below, above];
  }

  /** Every record, ascending msg_id. */
  get records(): readonly Received[] {
    return this.#records;
  }
}

/** rpc_answer_unknown / rpc_answer_dropped_running, serialized once. */
const ANSWER_UNKNOWN = encodeService({ _: 'rpc_answer_unknown' });
const ANSWER_DROPPED_RUNNING = encodeService({ _: 'rpc_answer_dropped_running' });

const ANY_SEQ = new Set<number>([ID.msgs_ack, ID.gzip_packed]);
const NON_CONTENT = new Set<number>([ID.msg_container, ID.msg_copy]);
/** Exempt from the seq_no order checks (32 / 33); see the header. */
const UNORDERED = new Set<number>([ID.msgs_ack, ID.msg_container]);

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
  readonly #largeAnswer: number;
  readonly #holding: boolean;
  readonly #staging = new Set<bigint>(); // staged content-related messages not held yet
  #released: bigint[] = []; // held messages acknowledged (or forgotten) since takeReleased()
  readonly #received = new ReceivedWindow();
  readonly #seq = new SeqNoCounter();
  #started = false;
  #queue: Pending[] = [];
  #resend: WireMessage[] = [];
  readonly #unacked = new Map<bigint, Sent>();
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
    this.#largeAnswer = options.largeAnswer ?? DEFAULT_LARGE_ANSWER;
    this.#holding = options.holdOutgoing ?? false;
  }

  /** True until a first message is accepted (the caller then asks the store whether to announce). */
  get isNew(): boolean {
    return !this.#started;
  }

  /** Whether drain() would return something (acks alone count only with `acks`). */
  hasOutgoing(acks = false): boolean {
    return (this.#queue.length > 0 && this.#ready(this.#queue[0]!)) || this.#resend.length > 0 || (acks && this.#acks.size > 0);
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
      const problem = seqParityProblem(body, seqNo) ?? this.#orderProblem(msgId, seqNo, body);
      return problem === undefined ? { kind: 'accept' } : notify(problem);
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
    // seq_no order, once the container is known to be well formed: each new entry, in its place in
    // the container, against what was received before and against the entries ahead of it.
    const judged: { id: bigint; seqNo: number }[] = []; // ordered entries so far, ascending msg_id
    for (const e of entries) {
      if (this.#received.status(e.msg_id) !== 'new') continue; // a re-send, skipped on receipt
      const order = this.#orderProblem(e.msg_id, e.seqno, e.body, judged);
      if (order !== undefined) return notify(order, e.msg_id, e.seqno);
      if (isOrdered(e.body)) {
        const id = u64(e.msg_id);
        judged.splice(lowerBound(judged, id), 0, { id, seqNo: e.seqno });
      }
    }
    return { kind: 'accept' };
  }

  /**
   * 32 / 33 for a new message whose seq_no does not fit between its neighbours in msg_id order:
   * those the session remembers and, for a container's entry, the entries ahead of it (`judged`,
   * ascending unsigned msg_id).
   */
  #orderProblem(msgId: bigint, seqNo: number, body: Uint8Array, judged: readonly { id: bigint; seqNo: number }[] = []): number | undefined {
    if (!isOrdered(body)) return undefined;
    const id = u64(msgId);
    const [below, above] = this.#received.neighbours(id);
    const i = lowerBound(judged, id);
    return seqOrderProblem(seqNo, [below, judged[i - 1]?.seqNo], [above, judged[i]?.seqNo]);
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
    this.#received.acceptMessage(msgId, seqNo, isOrdered(body));
    let work: WireMessage[] = [{ msgId, seqNo, body }];
    if (leadingId(body) === ID.msg_container) {
      const entries = (decodeService(body) as Extract<ServiceMessage, { _: 'msg_container' }>).messages;
      work = [];
      for (const e of entries) {
        const status = this.#received.status(e.msg_id);
        if (status !== 'new') {
          // A re-sent entry we already have (or too old to tell): not processed again, but a query
          // re-sent may be missing its answer. (Only inside a new container, which only the key's
          // holder can make: a duplicate arriving alone is what a replayed packet looks like, and
          // gets nothing.)
          if (status === 'duplicate') this.#answerAgain(e.msg_id);
          continue;
        }
        this.#received.acceptMessage(e.msg_id, e.seqno, isOrdered(e.body));
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
      const record = this.#received.get(msgId);
      if (record !== undefined) record.query = true;
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
        for (const acked of m.msg_ids) this.#clientAcked(acked);
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
      case 'msg_resend_req': {
        // service_messages_about_messages.html: the messages asked for go out again; "if at least
        // one message with requested msg_id does not exist or has already been forgotten, or has
        // been sent by the requesting party (known from parity), MsgsStateInfo is returned for all
        // messages requested as if the MsgResendReq query had been a MsgsStateReq query as well."
        let missing = false;
        for (const wanted of m.msg_ids) {
          const sent = (wanted & 3n) === 0n ? undefined : this.#unacked.get(wanted);
          if (sent === undefined) missing = true;
          else this.#queueResend(sent);
        }
        if (missing) this.#stateInfo(msgId, m.msg_ids);
        break;
      }
      case 'msg_resend_ans_req':
        // "re-sending answers to the requested messages … MsgsStateInfo is returned for all
        // messages requested as if the MsgResendReq query had been a MsgsStateReq query as well."
        for (const query of m.msg_ids) this.#answerAgain(query);
        this.#stateInfo(msgId, m.msg_ids);
        break;
      case 'msgs_all_info':
        // The client's view of our messages: 4 (received) acknowledges one, 2 / 3 (certainly not
        // received) has it re-sent, inside a container as always.
        m.msg_ids.forEach((id, i) => {
          const state = m.info[i]! & 7;
          if (state === 4) this.#clientAcked(id);
          else if (state === 2 || state === 3) {
            const sent = this.#unacked.get(id);
            if (sent !== undefined) this.#queueResend(sent);
          }
        });
        break;
      case 'rpc_drop_answer': {
        const running = this.#calls.delete(m.req_msg_id);
        if (running) this.#dropped.add(m.req_msg_id);
        this.#rpcResult(msgId, running ? ANSWER_DROPPED_RUNNING : ANSWER_UNKNOWN);
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
    const info = Uint8Array.from(ids, (id) => this.#stateByte(id));
    this.#push(encodeService({ _: 'msgs_state_info', req_msg_id: reqMsgId, info }), false, 'response');
  }

  /** The msgs_state_info byte of a msg_id of the client's (see the header). */
  #stateByte(msgId: bigint): number {
    const state = this.#received.stateOf(msgId);
    const r = state === 4 ? this.#received.get(msgId) : undefined;
    if (r === undefined) return state;
    let b = 4;
    if ((r.seqNo & 1) === 0) b |= 16;
    else if (r.acked) b |= 8;
    if (r.query) b |= 32;
    if (r.answered) b |= 64;
    if (r.known) b |= 128;
    return b;
  }

  /**
   * A query of the client's came again (a duplicate msg_id, msg_resend_ans_req): its answer again
   * if the server still holds it and it is small, else msg_detailed_info ("normally used by the
   * server to respond to the receipt of a duplicate msg_id, especially if a response to the message
   * has already been generated and the response is large. If the response is small, the server may
   * re-send the answer itself instead"). Nothing while its answer has not gone out: it will.
   */
  #answerAgain(queryId: bigint): void {
    const answer = this.#received.get(queryId)?.answer;
    if (answer === undefined) return;
    const held = this.#unacked.get(answer.msgId);
    if (held !== undefined && answer.bytes < this.#largeAnswer) return this.#queueResend(held);
    this.#push(encodeService({ _: 'msg_detailed_info', msg_id: queryId, answer_msg_id: answer.msgId, bytes: answer.bytes, status: 0 }), false, 'response');
  }

  #queueResend(m: WireMessage): void {
    if (!this.#resend.includes(m)) this.#resend.push(m);
  }

  /** The client acknowledged a message of ours. */
  #clientAcked(msgId: bigint): void {
    const sent = this.#unacked.get(msgId);
    if (sent === undefined) return;
    this.#unacked.delete(msgId);
    if (this.#holding) this.#released.push(msgId);
    if (sent.answers === undefined) return;
    const record = this.#received.get(sent.answers);
    if (record !== undefined) record.known = true;
  }

  /** The server acknowledged a message of the client's (an ack, or an answer that is one). */
  #acknowledged(msgId: bigint): void {
    this.#acks.delete(msgId);
    const record = this.#received.get(msgId);
    if (record !== undefined) record.acked = true;
  }

  // ---- answers -----------------------------------------------------------------------------------

  /** Answers an RPC query with its result (already serialized, possibly gzip_packed). */
  answer(reqMsgId: bigint, result: Uint8Array): void {
    if (this.#dropped.delete(reqMsgId)) return; // the client asked us to drop it
    this.#calls.delete(reqMsgId);
    this.#rpcResult(reqMsgId, result);
  }

  #rpcResult(reqMsgId: bigint, result: Uint8Array): void {
    this.#acknowledged(reqMsgId); // rpc_result acknowledges the query
    const record = this.#received.get(reqMsgId);
    if (record !== undefined) record.query = record.answered = true;
    this.#queue.push({ body: encodeService({ _: 'rpc_result', req_msg_id: reqMsgId, result }), contentRelated: true, kind: 'response', answers: reqMsgId });
  }

  /** Answers an RPC query with rpc_error. */
  answerError(reqMsgId: bigint, code: number, message: string): void {
    this.answer(reqMsgId, encodeService({ _: 'rpc_error', error_code: code, error_message: message }));
  }

  /** Answers get_future_salts (a bare future_salts, which is also its acknowledgement). */
  answerFutureSalts(reqMsgId: bigint, now: number, salts: readonly FutureSalt[]): void {
    this.#acknowledged(reqMsgId);
    this.#push(encodeService({ _: 'future_salts', req_msg_id: reqMsgId, now, salts: [...salts] }), false, 'response');
  }

  /** Answers destroy_session. */
  answerDestroySession(reqMsgId: bigint, sessionId: bigint, destroyed: boolean): void {
    this.#acknowledged(reqMsgId);
    this.#push(encodeService({ _: destroyed ? 'destroy_session_ok' : 'destroy_session_none', session_id: sessionId }), false, 'response');
  }

  /** Answers destroy_auth_key. */
  answerDestroyAuthKey(reqMsgId: bigint, outcome: 'ok' | 'none' | 'fail'): void {
    this.#acknowledged(reqMsgId);
    this.#push(encodeService({ _: `destroy_auth_key_${outcome}` }), false, 'response');
  }

  /** Queues a message the server sends on its own (an update); content-related by default. */
  send(body: Uint8Array, contentRelated = true): void {
    this.#push(body, contentRelated, 'other');
  }

  #push(body: Uint8Array, contentRelated: boolean, kind: ServerMsgKind): void {
    this.#queue.push({ body, contentRelated, kind });
  }

  /**
   * Queues msgs_all_info (voluntary, service_messages_about_messages.html): the state byte of every
   * message of the client's the session remembers, except those flagged +128 or +16 — unless
   * flagged +32 without +64 (a query still running). Returns how many ids it lists (0: nothing
   * queued).
   */
  sendAllInfo(): number {
    const ids: bigint[] = [];
    const info: number[] = [];
    for (const r of this.#received.records) {
      const b = this.#stateByte(r.id);
      const running = (b & 32) !== 0 && (b & 64) === 0;
      if ((b & (128 | 16)) !== 0 && !running) continue;
      ids.push(BigInt.asIntN(64, r.id));
      info.push(b);
    }
    if (ids.length === 0) return 0;
    this.#push(encodeService({ _: 'msgs_all_info', msg_ids: ids, info: Uint8Array.from(info) }), false, 'other');
    return ids.length;
  }

  /**
   * Queues, for every content-related message sent at least `minAge` seconds ago and still not
   * acknowledged, a notice in place of sending it again (service_messages_about_messages.html):
   * msg_detailed_info for an rpc_result (with its query's msg_id), msg_new_detailed_info for a
   * message not in response to a query (new_session_created, send()). A client that lacks the
   * message asks for it with msg_resend_req. Returns how many notices were queued. Opt-in: GramJS
   * 2.26 acknowledges answer_msg_id on either notice without checking that it has the message, so
   * it would lose what it lacked.
   */
  announceUnacked(minAge = 0): number {
    const now = this.#now();
    let n = 0;
    for (const m of this.#unacked.values()) {
      if (now - m.sentAt < minAge) continue;
      this.#push(m.answers !== undefined
        ? encodeService({ _: 'msg_detailed_info', msg_id: m.answers, answer_msg_id: m.msgId, bytes: m.body.length, status: 0 })
        : encodeService({ _: 'msg_new_detailed_info', answer_msg_id: m.msgId, bytes: m.body.length, status: 0 }), false, 'other');
      n++;
    }
    return n;
  }

  // ---- holding (see the header) -------------------------------------------------------------------

  /**
   * Gives every content-related message queued since the last call its msg_id and seq_no — and
   * the messages queued ahead of it too, so the queue keeps going out in msg_id order — and
   * returns those content-related messages for the caller to store. They go out once held() names
   * them. Nothing without holdOutgoing.
   */
  stage(): HeldMessage[] {
    if (!this.#holding) return [];
    let last = -1;
    this.#queue.forEach((p, i) => {
      if (p.contentRelated && p.staged === undefined) last = i;
    });
    const out: HeldMessage[] = [];
    for (const p of this.#queue.slice(0, last + 1)) {
      if (p.staged !== undefined) continue;
      const staged = { msgId: this.#msgIds.next(p.kind), seqNo: this.#seq.next(p.contentRelated) };
      p.staged = staged;
      if (!p.contentRelated) continue;
      this.#staging.add(staged.msgId);
      out.push(p.answers === undefined ? { ...staged, body: p.body } : { ...staged, body: p.body, answers: p.answers });
    }
    return out;
  }

  /** The store has these staged messages (or gave up trying): they may go out. */
  held(messages: readonly { readonly msgId: bigint }[]): void {
    for (const m of messages) this.#staging.delete(m.msgId);
  }

  /**
   * The msg_ids of held messages the client acknowledged (or that the session forgot past
   * maxUnacked) since the last call: the caller releases them from the store.
   */
  takeReleased(): bigint[] {
    return this.#released.splice(0);
  }

  /**
   * Takes over what another process of the fleet held for this session: each message becomes
   * unacknowledged here with its own msg_id and seq_no and is queued to go out again inside a
   * container (as resendUnacked); an rpc_result also marks its query received and answered
   * (msgs_state_info 4 + 8 + 32 + 64), so the query re-sent in a new container is answered from it
   * (see "a query re-sent" in the header) instead of reaching the caller as a new RPC. Messages
   * the session already has are skipped, so a session that comes back from elsewhere may restore
   * again (and when nothing is new, nothing is re-sent); a query id the msg_id window has already
   * forgotten is not marked.
   */
  restore(messages: readonly HeldMessage[]): void {
    // Staged here and not sent yet (the store may have it before held() is called): it goes out
    // from the queue, once.
    const queued = new Set(this.#queue.map((p) => p.staged?.msgId));
    let added = 0;
    for (const h of messages) {
      if (this.#unacked.has(h.msgId) || queued.has(h.msgId)) continue;
      added++;
      const sent: Sent = { msgId: h.msgId, seqNo: h.seqNo, body: h.body, sentAt: msgIdTime(h.msgId), ...(h.answers !== undefined && { answers: h.answers }) };
      this.#remember(sent);
      // New messages number on from the restored ones: seq_no (spec §4.2), and msg_id even if this
      // process's clock is behind the one that sent them (the re-sending container's msg_id must
      // be the greater, spec §4.1).
      this.#seq.skipPast(h.seqNo);
      this.#msgIds.advancePast(h.msgId);
      if (h.answers !== undefined) {
        // The query's seq_no is not known; odd (a query) and exempt from the order checks.
        this.#received.acceptMessage(h.answers, 1, false);
        const record = this.#received.get(h.answers);
        if (record !== undefined) {
          record.query = record.acked = record.answered = true;
          record.answer = { msgId: h.msgId, bytes: h.body.length };
        }
      }
    }
    // Nothing new (the session was here all along, as an HTTP session checking on every request
    // usually was): nothing to send again.
    if (added > 0) this.resendUnacked();
  }

  /** Whether a queued message may go out now (holding: not before held()). */
  #ready(p: Pending): boolean {
    return !this.#holding || !p.contentRelated || (p.staged !== undefined && !this.#staging.has(p.staged.msgId));
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
    while (this.#queue.length > 0 && this.#ready(this.#queue[0]!) && budget.fits(this.#queue[0]!.body.length)) {
      const p = this.#queue.shift()!;
      const m = p.staged !== undefined
        ? { msgId: p.staged.msgId, seqNo: p.staged.seqNo, body: p.body }
        : { msgId: this.#msgIds.next(p.kind), seqNo: this.#seq.next(p.contentRelated), body: p.body };
      if (p.contentRelated) this.#remember({ ...m, answers: p.answers, sentAt: this.#now() });
      if (p.answers !== undefined) {
        const record = this.#received.get(p.answers);
        if (record !== undefined) record.answer = { msgId: m.msgId, bytes: m.body.length };
      }
      out.push(m);
    }
    if (this.#acks.size > 0 && (out.length > 0 || options.acksAlone)) {
      const ids = [...this.#acks].slice(0, MAX_MSG_IDS);
      for (const id of ids) this.#acknowledged(id);
      out.push({ msgId: this.#msgIds.next('other'), seqNo: this.#seq.next(false), body: encodeService({ _: 'msgs_ack', msg_ids: ids }) });
    }
    if (out.length === 0 && !options.emptyContainer) return null;
    const header = { salt, sessionId: this.sessionId };
    if (out.length === 1 && resent === 0) return { ...header, ...out[0]! };
    // Several messages, a re-sent one (never alone with its old msg_id), or an empty container
    // (HTTP long poll that timed out, spec §8.9).
    return { ...header, msgId: this.#msgIds.next('other'), seqNo: this.#seq.next(false), body: containerBody(out) };
  }

  #remember(m: Sent): void {
    this.#unacked.set(m.msgId, m);
    if (this.#unacked.size <= this.#maxUnacked) return;
    const oldest = this.#unacked.keys().next().value!;
    this.#unacked.delete(oldest);
    if (this.#holding) this.#released.push(oldest); // forgotten here: no use holding it elsewhere
  }
}

/** Whether a message takes part in the seq_no order checks (32 / 33). */
function isOrdered(body: Uint8Array): boolean {
  const id = leadingId(body);
  return id === undefined || !UNORDERED.has(id);
}

/**
 * 32 when a message below in msg_id order has a higher seq_no, or the same odd one; 33 when one
 * above has a lower seq_no, or the same odd one; undefined if neither (absent neighbours: undefined).
 */
function seqOrderProblem(seqNo: number, below: readonly (number | undefined)[], above: readonly (number | undefined)[]): 32 | 33 | undefined {
  const odd = (seqNo & 1) === 1;
  for (const b of below) if (b !== undefined && (b > seqNo || (b === seqNo && odd))) return 32;
  for (const a of above) if (a !== undefined && (a < seqNo || (a === seqNo && odd))) return 33;
  return undefined;
}

/** The index of the first item with an id ≥ id in a list ascending by (unsigned) id. */
function lowerBound(items: readonly { id: bigint }[], id: bigint): number {
  let lo = 0, hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (items[mid]!.id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
