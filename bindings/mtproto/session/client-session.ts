// One MTProto session as the client sees it (spec §3–§4, §7), sans-IO: queries go in through
// invoke() (and ping(), getFutureSalts() …) as promises, drain() gives the plaintext of the next
// packet, receive() takes each decrypted packet and settles the promises. client/client.ts wires it
// to a transport; tests drive it against ServerSession directly.
//
// Rules it follows:
//   msg_ids from its own generator (client ids ≡ 0 mod 4, monotonic, server time = local + offset);
//   seq_no odd for queries, even for acks, containers, http_wait and pings (spec §4.2);
//   received ids: duplicates dropped (but re-acknowledged), the −300 s / +30 s window applied only
//     once the clock offset is known (TDLib's rule, spec §3 item 6);
//   acks of the server's content-related messages ride with the next packet, or alone when the
//     caller asks (acksAlone: a timer, spec §7.2);
//   bad_server_salt → store the salt, send the rejected messages again with new msg_ids;
//   bad_msg_notification 16 / 20 → fix the clock offset (16) and send again; 17 → fix the offset and
//     start a new session (msg_ids cannot go back within one); 32 / 33 → new session; 18, 19, 34, 35,
//     64 → the affected queries fail (they mean a bug on one side);
//   new_session_created → adopt its salt, send again what the server did not get (ids below first_msg_id);
//   rpc_result → the waiting call, unpacking gzip_packed (size-limited) and turning rpc_error into
//     MtprotoRpcError; a bare pong → the waiting ping; future_salts → the waiting call, and the
//     salts are used as their time comes;
//   resendPending() (after a reconnect) puts every unanswered query back, keeping its msg_id and
//     seq_no, inside a new container (spec §7.2), so a server that has it ignores the copy.

import type { Clock } from '../auth/types.js';
import { systemClock } from '../auth/types.js';
import type { DecryptedMessage, PlaintextMessage } from '../crypto/message.js';
import { isMsgIdInTimeWindow, msgIdTime } from '../crypto/msg-id.js';
import { MtprotoError } from '../errors.js';
import { gunzipPacked } from '../tl/gzip.js';
import { type FutureSalt, ID, type ServiceMessage, decodeService, encodeService } from '../tl/service.js';
import { DEFAULT_MAX_GZIP_SIZE, GZIP_THRESHOLD, MAX_CONTAINER_MESSAGES, MAX_MSG_IDS } from './limits.js';
import { MsgIdGenerator } from './msg-id.js';
import { ContainerBudget, type WireMessage, containerBody, leadingId, maybeGzip } from './packing.js';
import { MsgIdWindow } from '../crypto/msg-id.js';
import { MtprotoRpcError } from './rpc-error.js';
import { SeqNoCounter } from './seq-no.js';

/** A query body, or a function building it from its msg_id and session_id (auth.bindTempAuthKey). */
export type QueryBody = Uint8Array | ((msgId: bigint, sessionId: bigint) => Uint8Array);

export interface ClientSessionOptions {
  /** The first server salt (the handshake's, or 0: the server answers bad_server_salt). */
  readonly salt: bigint;
  /** Default: 8 random bytes. */
  readonly sessionId?: bigint;
  /** Seconds to add to the local clock to get the server's (from the handshake). */
  readonly timeOffset?: number;
  /** Whether timeOffset is known (it turns on the −300 s / +30 s check on receipt). Default: timeOffset given. */
  readonly timeSynced?: boolean;
  readonly now?: Clock;
  readonly random: (length: number) => Uint8Array;
  /** Cap on a gzip_packed's decompressed size (default 4 MiB). */
  readonly maxGzipSize?: number;
  /** Pack large queries in gzip_packed (default true). */
  readonly gzip?: boolean;
  /** Called when something was queued and drain() has work. */
  readonly onQueued?: () => void;
  /** Messages from the server that are neither service messages nor results (updates). */
  readonly onUpdate?: (body: Uint8Array) => void;
}

type Kind = 'rpc' | 'ping' | 'future-salts' | 'state' | 'destroy-session' | 'ack' | 'fire';

interface Request {
  readonly kind: Kind;
  readonly body: QueryBody;
  readonly contentRelated: boolean;
  /** For kind 'ack': the ids acknowledged (put back on a re-send). */
  readonly ackIds?: readonly bigint[];
  /** For kind 'destroy-session': the session asked about. */
  readonly target?: bigint;
  msgId?: bigint;
  seqNo?: number;
  /** When it last went out (clock seconds). */
  sentAt?: number;
  acked: boolean;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** How many fire-and-forget messages and containers are remembered for re-sending. */
const RECENT = 512;

const u64 = (id: bigint): bigint => BigInt.asUintN(64, id);
const noop = (): void => {};

export class ClientSession {
  #sessionId: bigint;
  #salt: bigint;
  #msgIds: MsgIdGenerator;
  #seq = new SeqNoCounter();
  #received = new MsgIdWindow();
  #timeSynced: boolean;
  readonly #now: Clock;
  readonly #random: (length: number) => Uint8Array;
  readonly #maxGzip: number;
  readonly #gzip: boolean;
  readonly #onQueued: () => void;
  readonly #onUpdate: (body: Uint8Array) => void;
  #queue: Request[] = [];
  #resend: Request[] = [];
  readonly #sent = new Map<bigint, Request>(); // awaiting an answer
  readonly #recent = new Map<bigint, Request>(); // sent, no answer expected (acks, http_wait …)
  readonly #containers = new Map<bigint, bigint[]>();
  readonly #acks = new Set<bigint>();
  #futureSalts: FutureSalt[] = [];
  #closed: Error | null = null;

  constructor(options: ClientSessionOptions) {
    if (typeof options?.random !== 'function') throw new TypeError('ClientSession: options.random is required');
    if (typeof options.salt !== 'bigint') throw new TypeError('ClientSession: options.salt must be a bigint');
    this.#random = options.random;
    this.#now = options.now ?? systemClock;
    this.#salt = options.salt;
    this.#sessionId = options.sessionId ?? this.#randomLong();
    this.#msgIds = new MsgIdGenerator('client', this.#now);
    if (options.timeOffset !== undefined) this.#msgIds.timeOffset = options.timeOffset;
    this.#timeSynced = options.timeSynced ?? options.timeOffset !== undefined;
    this.#maxGzip = options.maxGzipSize ?? DEFAULT_MAX_GZIP_SIZE;
    this.#gzip = options.gzip ?? true;
    this.#onQueued = options.onQueued ?? noop;
    this.#onUpdate = options.onUpdate ?? noop;
  }

  get sessionId(): bigint {
    return this.#sessionId;
  }

  /** The salt the next packet carries. */
  get salt(): bigint {
    return this.#salt;
  }

  /** Server time − local time, seconds. */
  get timeOffset(): number {
    return this.#msgIds.timeOffset;
  }

  /** Queries sent or queued that have no answer yet (pings and state requests included). */
  get pendingCount(): number {
    let n = this.#sent.size + this.#resend.length;
    for (const r of this.#queue) if (r.kind !== 'ack' && r.kind !== 'fire') n++;
    return n;
  }

  /** Acks of the server's messages not sent yet. */
  get acksPending(): number {
    return this.#acks.size;
  }

  /** Whether drain() has something besides acks. */
  get hasQueued(): boolean {
    return this.#queue.length > 0 || this.#resend.length > 0;
  }

  #randomLong(): bigint {
    const b = this.#random(8);
    return new DataView(b.buffer, b.byteOffset, 8).getBigInt64(0, true);
  }

  // ---- queries -----------------------------------------------------------------------------------

  /**
   * Sends an RPC query (content-related) and resolves with the rpc_result's result (gzip_packed
   * already unpacked), or rejects with MtprotoRpcError for an rpc_error.
   */
  invoke(body: QueryBody): Promise<Uint8Array> {
    if (typeof body !== 'function' && (!(body instanceof Uint8Array) || body.length < 4 || body.length % 4 !== 0)) {
      throw new TypeError('ClientSession.invoke: body must be a serialized TL object (a Uint8Array, a multiple of 4 bytes)');
    }
    if (body instanceof Uint8Array && this.#gzip && body.length >= GZIP_THRESHOLD) {
      const copy = body.slice();
      return maybeGzip(copy).then((packed) => this.#enqueue<Uint8Array>('rpc', packed, true));
    }
    return this.#enqueue<Uint8Array>('rpc', typeof body === 'function' ? body : body.slice(), true);
  }

  /** ping → the pong's ping_id. */
  ping(pingId: bigint = this.#randomLong()): Promise<bigint> {
    return this.#enqueue<bigint>('ping', encodeService({ _: 'ping', ping_id: pingId }), false);
  }

  /** ping_delay_disconnect: the server closes the connection `delay` seconds later unless another comes. */
  pingDelayDisconnect(delay: number, pingId: bigint = this.#randomLong()): Promise<bigint> {
    return this.#enqueue<bigint>('ping', encodeService({ _: 'ping_delay_disconnect', ping_id: pingId, disconnect_delay: delay }), false);
  }

  /** get_future_salts → the salts (also kept, and used as their time comes). */
  getFutureSalts(num: number): Promise<FutureSalt[]> {
    return this.#enqueue<FutureSalt[]>('future-salts', encodeService({ _: 'get_future_salts', num }), false);
  }

  /** msgs_state_req → msgs_state_info's status bytes (spec §7.4). */
  requestState(msgIds: readonly bigint[]): Promise<Uint8Array> {
    return this.#enqueue<Uint8Array>('state', encodeService({ _: 'msgs_state_req', msg_ids: [...msgIds] }), false);
  }

  /** destroy_session (of another session of this key) → whether the server had it. */
  destroySession(sessionId: bigint): Promise<boolean> {
    return this.#enqueue<boolean>('destroy-session', encodeService({ _: 'destroy_session', session_id: sessionId }), false, sessionId);
  }

  /** Queues http_wait for the next packet (HTTP transport, spec §8.9); no answer. */
  httpWait(maxDelay: number, waitAfter: number, maxWait: number): void {
    void this.#enqueue('fire', encodeService({ _: 'http_wait', max_delay: maxDelay, wait_after: waitAfter, max_wait: maxWait }), false);
  }

  #enqueue<T>(kind: Kind, body: QueryBody, contentRelated: boolean, target?: bigint): Promise<T> {
    if (this.#closed) return Promise.reject(this.#closed);
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ kind, body, contentRelated, target, acked: false, resolve: resolve as (v: unknown) => void, reject });
      this.#onQueued();
    });
  }

  // ---- sending -----------------------------------------------------------------------------------

  /**
   * The plaintext of the next packet, or null if nothing is queued. Acks ride along, or go alone
   * with `acksAlone`. Call again until null.
   */
  drain(options: { acksAlone?: boolean } = {}): PlaintextMessage | null {
    const out: WireMessage[] = [];
    const budget = new ContainerBudget(MAX_CONTAINER_MESSAGES - 1);
    let resent = 0;
    while (this.#resend.length > 0 && budget.fits(bodySize(this.#resend[0]!))) {
      const r = this.#resend.shift()!;
      out.push({ msgId: r.msgId!, seqNo: r.seqNo!, body: this.#bodyOf(r) });
      r.sentAt = this.#now();
      this.#sent.set(r.msgId!, r);
      resent++;
    }
    while (this.#queue.length > 0 && budget.fits(bodySize(this.#queue[0]!))) {
      const r = this.#queue.shift()!;
      r.msgId = this.#msgIds.next();
      r.seqNo = this.#seq.next(r.contentRelated);
      out.push({ msgId: r.msgId, seqNo: r.seqNo, body: this.#bodyOf(r) });
      r.sentAt = this.#now();
      this.#track(r);
    }
    if (this.#acks.size > 0 && (out.length > 0 || options.acksAlone)) {
      const ids = [...this.#acks].slice(0, MAX_MSG_IDS);
      for (const id of ids) this.#acks.delete(id);
      const r: Request = { kind: 'ack', body: encodeService({ _: 'msgs_ack', msg_ids: ids }), ackIds: ids, contentRelated: false, acked: false, resolve: noop, reject: noop };
      r.msgId = this.#msgIds.next();
      r.seqNo = this.#seq.next(false);
      out.push({ msgId: r.msgId, seqNo: r.seqNo, body: r.body as Uint8Array });
      this.#track(r);
    }
    if (out.length === 0) return null;
    this.#pickSalt();
    const header = { salt: this.#salt, sessionId: this.#sessionId };
    if (out.length === 1 && resent === 0) return { ...header, ...out[0]! };
    const msgId = this.#msgIds.next();
    this.#remember(this.#containers, msgId, out.map((m) => m.msgId));
    return { ...header, msgId, seqNo: this.#seq.next(false), body: containerBody(out) };
  }

  #bodyOf(r: Request): Uint8Array {
    return typeof r.body === 'function' ? r.body(r.msgId!, this.#sessionId) : r.body;
  }

  #track(r: Request): void {
    if (r.kind === 'ack' || r.kind === 'fire') this.#remember(this.#recent, r.msgId!, r);
    else this.#sent.set(r.msgId!, r);
  }

  #remember<T>(map: Map<bigint, T>, key: bigint, value: T): void {
    map.set(key, value);
    if (map.size > RECENT) map.delete(map.keys().next().value!);
  }

  /** Switches to a future salt whose time has come (service_messages.html, future_salts). */
  #pickSalt(): void {
    if (this.#futureSalts.length === 0) return;
    const now = this.#msgIds.serverNow();
    this.#futureSalts = this.#futureSalts.filter((s) => s.valid_until > now);
    const live = this.#futureSalts.filter((s) => s.valid_since <= now);
    if (live.length > 0) this.#salt = live[live.length - 1]!.salt;
  }

  /**
   * Queries sent at least `ageSeconds` ago that the server has neither acknowledged nor answered:
   * asks for their state with msgs_state_req and sends again, with new msg_ids, those the server
   * says it never received (states 1, 2, 3; spec §7.4 "Request for Message Status"). Resolves how
   * many went out again. A lost packet is thus recovered without waiting for a reconnect.
   */
  async resendUnacknowledged(ageSeconds: number): Promise<number> {
    const now = this.#now();
    const stale = [...this.#sent.values()].filter((r) => r.kind === 'rpc' && !r.acked && r.sentAt !== undefined && now - r.sentAt >= ageSeconds);
    if (stale.length === 0) return 0;
    const ids = stale.slice(0, MAX_MSG_IDS).map((r) => r.msgId!);
    const states = await this.requestState(ids);
    let resent = 0;
    ids.forEach((id, i) => {
      const state = (states[i] ?? 0) & 7;
      if ((state === 1 || state === 2 || state === 3) && this.#sent.has(id)) resent += this.#again(id).length;
    });
    return resent;
  }

  /** After a reconnect: every unanswered query goes out again with its msg_id, in a container. */
  resendPending(): void {
    const pending = [...this.#sent.values()].sort((a, b) => (u64(a.msgId!) < u64(b.msgId!) ? -1 : 1));
    this.#sent.clear();
    this.#resend.push(...pending);
    if (pending.length > 0) this.#onQueued();
  }

  /** Sends the messages of `msgId` (one, or a container's) again with new msg_ids. */
  #again(msgId: bigint): Request[] {
    const ids = this.#containers.get(msgId) ?? [msgId];
    this.#containers.delete(msgId);
    const again: Request[] = [];
    for (const id of ids) {
      const r = this.#sent.get(id) ?? this.#recent.get(id);
      if (r === undefined) continue;
      this.#sent.delete(id);
      this.#recent.delete(id);
      if (r.kind === 'ack') {
        for (const acked of r.ackIds!) this.#acks.add(acked);
        continue;
      }
      r.msgId = undefined;
      r.seqNo = undefined;
      again.push(r);
    }
    this.#queue.unshift(...again);
    if (again.length > 0 || this.#acks.size > 0) this.#onQueued();
    return again;
  }

  #isOurs(msgId: bigint): boolean {
    return this.#sent.has(msgId) || this.#recent.has(msgId) || this.#containers.has(msgId);
  }

  /**
   * A new session (new session_id, seq_no and received ids); every unanswered query is queued
   * again with a new msg_id. `clockWentBack`: msg_ids restart from the (corrected) clock instead of
   * continuing above the last one.
   */
  reset(clockWentBack = false): void {
    const pending = [...this.#resend, ...this.#sent.values()];
    this.#resend = [];
    this.#sent.clear();
    this.#recent.clear();
    this.#containers.clear();
    this.#acks.clear();
    for (const r of pending) {
      r.msgId = undefined;
      r.seqNo = undefined;
    }
    this.#queue.unshift(...pending);
    this.#sessionId = this.#randomLong();
    if (clockWentBack) {
      const offset = this.#msgIds.timeOffset;
      this.#msgIds = new MsgIdGenerator('client', this.#now);
      this.#msgIds.timeOffset = offset;
    }
    this.#seq = new SeqNoCounter();
    this.#received = new MsgIdWindow();
    this.#onQueued();
  }

  /** Every unanswered and queued query, taken out (to move them to another session). */
  takeUnanswered(): { adopt(into: ClientSession): void } {
    const taken = [...this.#resend, ...this.#sent.values(), ...this.#queue.filter((r) => r.kind !== 'ack' && r.kind !== 'fire')];
    this.#resend = [];
    this.#sent.clear();
    this.#queue = [];
    return {
      adopt(into: ClientSession): void {
        into.#adopt(taken);
      },
    };
  }

  #adopt(requests: Request[]): void {
    for (const r of requests) {
      r.msgId = undefined;
      r.seqNo = undefined;
      r.acked = false;
    }
    this.#queue.push(...requests);
    if (requests.length > 0) this.#onQueued();
  }

  /** Rejects everything pending with `error`; later calls reject at once. */
  close(error: Error): void {
    this.#closed = error;
    for (const r of [...this.#queue, ...this.#resend, ...this.#sent.values()]) r.reject(error);
    this.#queue = [];
    this.#resend = [];
    this.#sent.clear();
  }

  // ---- receipt -----------------------------------------------------------------------------------

  /**
   * Takes one decrypted packet from the server (decryptMessage has checked key, msg_key, length,
   * padding, parity and session_id) and acts on it.
   */
  async receive(message: DecryptedMessage): Promise<void> {
    const { msgId, seqNo, body } = message;
    if ((msgId & 1n) === 0n) return;
    if (this.#timeSynced && !isMsgIdInTimeWindow(msgId, this.#msgIds.serverNow())) return;
    if (!this.#fresh(msgId, seqNo)) return;
    if (leadingId(body) === ID.msg_container) {
      let entries;
      try {
        entries = (decodeService(body) as Extract<ServiceMessage, { _: 'msg_container' }>).messages;
      } catch {
        return;
      }
      for (const e of entries) if (this.#fresh(e.msg_id, e.seqno)) await this.#handle(e.msg_id, e.seqno, e.body, 0);
      return;
    }
    await this.#handle(msgId, seqNo, body, 0);
  }

  /** Records a received id: false for a duplicate (re-acknowledged if content-related) or a too-old one. */
  #fresh(msgId: bigint, seqNo: number): boolean {
    const status = this.#received.status(msgId);
    if (status === 'duplicate' && (seqNo & 1) === 1) {
      this.#acks.add(msgId); // our ack was lost: the server re-sent it
      this.#onQueued();
    }
    if (status !== 'new') return false;
    this.#received.accept(msgId);
    return true;
  }

  async #handle(msgId: bigint, seqNo: number, body: Uint8Array, depth: number): Promise<void> {
    if ((seqNo & 1) === 1) this.#acks.add(msgId);
    let m: ServiceMessage | undefined;
    try {
      m = decodeService(body);
    } catch {
      return; // malformed: dropped
    }
    if (m === undefined) {
      if (body.length >= 4) this.#onUpdate(body);
      return;
    }
    switch (m._) {
      case 'rpc_result':
        return this.#onResult(m.req_msg_id, m.result);
      case 'msgs_ack':
        for (const id of m.msg_ids) this.#acked(id);
        return;
      case 'bad_server_salt':
        if (!this.#isOurs(m.bad_msg_id)) return;
        this.#salt = m.new_server_salt;
        this.#futureSalts = [];
        this.#again(m.bad_msg_id);
        return;
      case 'bad_msg_notification':
        return this.#onBadMsg(msgId, m.bad_msg_id, m.error_code);
      case 'new_session_created': {
        this.#salt = m.server_salt;
        const before = [...this.#sent.values()].filter((r) => u64(r.msgId!) < u64(m.first_msg_id));
        for (const r of before) this.#again(r.msgId!);
        return;
      }
      case 'pong':
        return this.#settle(m.msg_id, 'ping', m.ping_id);
      case 'future_salts':
        this.#futureSalts = [...m.salts].sort((a, b) => a.valid_since - b.valid_since);
        return this.#settle(m.req_msg_id, 'future-salts', m.salts);
      case 'msgs_state_info':
        return this.#settle(m.req_msg_id, 'state', m.info);
      case 'msg_detailed_info':
        this.#acked(m.msg_id);
        this.#detailed(m.answer_msg_id);
        return;
      case 'msg_new_detailed_info':
        this.#detailed(m.answer_msg_id);
        return;
      case 'destroy_session_ok':
      case 'destroy_session_none': {
        const r = [...this.#sent.values()].find((x) => x.kind === 'destroy-session' && x.target === m.session_id);
        if (r !== undefined) this.#settle(r.msgId!, 'destroy-session', m._ === 'destroy_session_ok');
        return;
      }
      case 'gzip_packed': {
        if (depth > 0) return;
        let inner: Uint8Array;
        try {
          inner = await gunzipPacked(m.packed_data, this.#maxGzip);
        } catch {
          return;
        }
        if (leadingId(inner) === ID.msg_container) return;
        return this.#handle(msgId, 0, inner, depth + 1);
      }
      default:
        return; // messages a client never gets (ping, msgs_state_req …) or has nothing to do with
    }
  }

  #acked(id: bigint): void {
    for (const member of this.#containers.get(id) ?? [id]) {
      const r = this.#sent.get(member);
      if (r !== undefined) r.acked = true;
    }
  }

  /** msg_(new_)detailed_info: acknowledge an answer we have, ask again for one we do not. */
  #detailed(answerMsgId: bigint): void {
    if (this.#received.status(answerMsgId) === 'duplicate') this.#acks.add(answerMsgId);
    else void this.#enqueue('fire', encodeService({ _: 'msg_resend_req', msg_ids: [answerMsgId] }), false);
    this.#onQueued();
  }

  #settle(msgId: bigint, kind: Kind, value: unknown): void {
    const r = this.#sent.get(msgId);
    if (r === undefined || r.kind !== kind) return;
    this.#sent.delete(msgId);
    r.resolve(value);
  }

  async #onResult(reqMsgId: bigint, result: Uint8Array): Promise<void> {
    const r = this.#sent.get(reqMsgId);
    if (r === undefined || r.kind !== 'rpc') return;
    this.#sent.delete(reqMsgId);
    try {
      let body = result;
      if (leadingId(body) === ID.gzip_packed) {
        const packed = decodeService(body) as Extract<ServiceMessage, { _: 'gzip_packed' }>;
        body = await gunzipPacked(packed.packed_data, this.#maxGzip);
      }
      if (leadingId(body) === ID.rpc_error) {
        const e = decodeService(body) as Extract<ServiceMessage, { _: 'rpc_error' }>;
        r.reject(new MtprotoRpcError(e.error_code, e.error_message));
        return;
      }
      r.resolve(body);
    } catch (error) {
      r.reject(error instanceof Error ? error : new MtprotoError('rpc-result-invalid', String(error)));
    }
  }

  #onBadMsg(notificationId: bigint, badMsgId: bigint, code: number): void {
    if (!this.#isOurs(badMsgId)) return; // spec §4.4: only about a message we recently sent
    switch (code) {
      case 16:
      case 17:
        // The notification's own msg_id carries the server's time (spec §4.4).
        this.#msgIds.timeOffset = msgIdTime(notificationId) - this.#now();
        this.#timeSynced = true;
        if (code === 17) this.reset(true);
        else this.#again(badMsgId);
        return;
      case 20:
        this.#again(badMsgId);
        return;
      case 32:
      case 33:
        this.reset();
        return;
      default: {
        const error = new MtprotoError('bad-msg-notification', `the server refused message ${badMsgId}: bad_msg_notification ${code}`);
        for (const id of this.#containers.get(badMsgId) ?? [badMsgId]) {
          const r = this.#sent.get(id);
          if (r === undefined) continue;
          this.#sent.delete(id);
          r.reject(error);
        }
      }
    }
  }
}

function bodySize(r: Request): number {
  return typeof r.body === 'function' ? 128 : r.body.length;
}
