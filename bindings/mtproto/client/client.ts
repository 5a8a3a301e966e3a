// MtprotoClient (issue 10, "Real components"): an MTProto 2.0 client over every transport — TCP
// (abridged, intermediate, padded, full, obfuscated2; Node only), HTTP (fetch) and WebSocket
// (browsers and Node).
//
//   const client = await MtprotoClient.connect({ host, port, rsaPublicKey, transport: 'intermediate' });
//   const result = await client.invoke(requestBytes); // rpc_error → MtprotoRpcError
//   await client.close();
//
// connect() creates a permanent auth key (or reuses `authKey`), and with `tempKeys` a temporary
// key too, binds it with auth.bindTempAuthKey (spec §6) and sends every query under it. The
// session logic is session/client-session.ts; this file wires it to a channel: framing,
// encryption, the handshake over plain messages, polling over HTTP, acks on a timer, and
// reconnecting. A connection that drops while queries wait is reopened and the queries go out
// again in the same session (the server ignores copies it already has, spec §7.2). Transport
// error −404 means the server lost the key: a new one is made (a new temporary key if the
// permanent one is still known), bound, and the waiting queries move to the new session.
//
// Upkeep on an open connection (spec §7): an idle TCP / WebSocket connection sends
// ping_delay_disconnect every `pingInterval` seconds (as Telegram's apps do: the server closes a
// connection whose client stopped pinging); queries neither acknowledged nor answered after
// `resendAfter` seconds are asked about with msgs_state_req and sent again if the server never
// got them; and a temporary key is replaced `tempKeyRenewBefore` seconds before it expires — the
// new key is created and bound while the old one still answers what was sent under it.

import type { CryptoProvider } from '../../provider/types.js';
import { wasmProvider } from '../../provider/wasm.js';
import { ClientHandshake } from '../auth/client-handshake.js';
import { decodePlainMessage, encodePlainMessage } from '../auth/plain-message.js';
import { type RsaPublicKey, parseRsaPublicKey } from '../auth/rsa.js';
import type { AuthKeyResult, Clock } from '../auth/types.js';
import { systemClock } from '../auth/types.js';
import { AuthKey } from '../crypto/auth-key.js';
import { decryptMessage, encryptMessage } from '../crypto/message.js';
import { MtprotoError } from '../errors.js';
import { bindTempAuthKeyBody } from '../session/bind.js';
import { ClientSession } from '../session/client-session.js';
import { MsgIdGenerator } from '../session/msg-id.js';
import { MtprotoRpcError } from '../session/rpc-error.js';
import type { FutureSalt } from '../tl/service.js';
import { BOOL_TRUE } from '../tl/writer.js';
import { createFrameCodec } from '../transport/index.js';
import type { ObfuscatedInner } from '../transport/obfuscated.js';
import { type Channel, type ChannelEvents, type Pipe, StreamChannel } from './channel.js';
import { HttpChannel } from './http.js';

export { MtprotoRpcError } from '../session/rpc-error.js';

export type ClientTransport = 'abridged' | 'intermediate' | 'padded' | 'full' | 'obfuscated' | 'http' | 'websocket';

export interface MtprotoClientOptions {
  readonly host: string;
  readonly port: number;
  /** The server's RSA public key(s): PEM (PKCS#1 "RSA PUBLIC KEY" or SPKI "PUBLIC KEY") or parsed. */
  readonly rsaPublicKey: string | RsaPublicKey | readonly (string | RsaPublicKey)[];
  readonly transport: ClientTransport;
  /** Use a temporary key bound to the permanent one for every query (PFS, spec §6). */
  readonly tempKeys?: boolean;
  /** Default wasmProvider. */
  readonly provider?: CryptoProvider;
  /** A permanent key from an earlier connection (exportAuthKey()), instead of creating one. */
  readonly authKey?: Uint8Array;
  /** The DC id sent in p_q_inner_data_dc (default 2). */
  readonly dc?: number;
  /** Seconds a temporary key lives (default 86400). */
  readonly tempKeyLifetime?: number;
  /** The framing inside obfuscated2 ('obfuscated' and 'websocket'; default 'intermediate'). */
  readonly obfuscatedInner?: ObfuscatedInner;
  /** URL path for 'http' (default '/api') and 'websocket' (default '/apiws'). */
  readonly path?: string;
  /** Reopen a dropped connection while queries wait (default true). */
  readonly reconnect?: boolean;
  /** Milliseconds for each handshake answer (default 30000). */
  readonly handshakeTimeout?: number;
  /** Seconds of idleness before a ping_delay_disconnect (TCP and WebSocket; default 60; 0: never). */
  readonly pingInterval?: number;
  /** Seconds after which an unacknowledged query is asked about and re-sent if lost (default 10; 0: never). */
  readonly resendAfter?: number;
  /** Seconds before a temporary key expires at which a new one replaces it (default: a tenth of its lifetime, at most 300). */
  readonly tempKeyRenewBefore?: number;
  readonly now?: Clock;
}

/** Runs `fn` once the current macrotask and its microtasks are done (setImmediate; a 0 ms timer in browsers). */
const afterThisTask: (fn: () => void) => void = typeof setImmediate === 'function' ? (fn) => void setImmediate(fn) : (fn) => void setTimeout(fn, 0);

/** Delays between reconnection attempts (ms); after the last, waiting queries fail. */
const BACKOFF = [0, 50, 100, 200, 400, 800, 1600, 3200];
/** Acks wait this long for a query to ride with (ms), spec §7.2. */
const ACK_DELAY = 500;
/** http_wait of the client's long poll (spec §8.9): answer at once, hold up to 25 s. */
const POLL = { maxDelay: 0, waitAfter: 0, maxWait: 25_000 } as const;

export class MtprotoClient {
  readonly #provider: CryptoProvider;
  readonly #options: MtprotoClientOptions;
  readonly #rsaKeys: readonly RsaPublicKey[];
  readonly #now: Clock;
  readonly #plainIds: MsgIdGenerator;
  #channel: Channel | null = null;
  #perm: AuthKey | null = null;
  #temp: AuthKey | null = null;
  #session: ClientSession | null = null;
  #timeOffset: number | undefined;
  #plainWaiter: { resolve(body: Uint8Array): void; reject(error: Error): void } | null = null;
  readonly #closeListeners = new Set<(error: Error) => void>();
  #receiving: Promise<void> = Promise.resolve();
  #ready: Promise<void> = Promise.resolve();
  #lostKey = false;
  #connecting: Promise<void> | null = null;
  #attempt = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  #ackTimer: ReturnType<typeof setTimeout> | null = null;
  #pingTimer: ReturnType<typeof setTimeout> | null = null;
  #resendTimer: ReturnType<typeof setInterval> | null = null;
  #renewTimer: ReturnType<typeof setTimeout> | null = null;
  /** The previous temporary key and its session, kept after a renewal until its answers are in. */
  #retiring: { key: AuthKey; session: ClientSession; timer: ReturnType<typeof setTimeout>; replaced: boolean } | null = null;
  #flushScheduled = false;
  #closed = false;

  private constructor(options: MtprotoClientOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('MtprotoClient.connect: options must be an object');
    const transports: readonly ClientTransport[] = ['abridged', 'intermediate', 'padded', 'full', 'obfuscated', 'http', 'websocket'];
    if (!transports.includes(options.transport)) throw new TypeError(`MtprotoClient.connect: unknown transport ${String(options.transport)}`);
    if (typeof options.host !== 'string' || !Number.isInteger(options.port)) throw new TypeError('MtprotoClient.connect: host and port are required');
    this.#provider = options.provider ?? wasmProvider;
    this.#options = options;
    this.#now = options.now ?? systemClock;
    this.#plainIds = new MsgIdGenerator('client', this.#now);
    const keys = Array.isArray(options.rsaPublicKey) ? options.rsaPublicKey : [options.rsaPublicKey];
    this.#rsaKeys = keys.map((k: string | RsaPublicKey) => (typeof k === 'string' ? parseRsaPublicKey(this.#provider, k) : k));
    if (options.authKey !== undefined) this.#perm = new AuthKey(this.#provider, options.authKey);
  }

  /** Connects, creates (or reuses) the keys, binds the temporary key if asked; ready to invoke. */
  static async connect(options: MtprotoClientOptions): Promise<MtprotoClient> {
    const client = new MtprotoClient(options);
    try {
      await client.#openChannel();
      await client.#establish(null);
      client.#startResendTimer();
    } catch (error) {
      await client.close();
      throw error;
    }
    return client;
  }

  /** The auth key queries go under (the temporary one with tempKeys), as a TL long. */
  get authKeyId(): bigint {
    const key = this.#temp ?? this.#perm;
    if (key === null) throw new TypeError('MtprotoClient.authKeyId: no key (closed?)');
    return key.idLong;
  }

  /** The permanent key's id. */
  get permAuthKeyId(): bigint {
    if (this.#perm === null) throw new TypeError('MtprotoClient.permAuthKeyId: no key (closed?)');
    return this.#perm.idLong;
  }

  get sessionId(): bigint {
    if (this.#session === null) throw new TypeError('MtprotoClient.sessionId: no session (closed?)');
    return this.#session.sessionId;
  }

  /** A copy of the permanent key, to reconnect later with `authKey` (keep it secret; wipe it after). */
  exportAuthKey(): Uint8Array {
    if (this.#perm === null) throw new TypeError('MtprotoClient.exportAuthKey: no key (closed?)');
    return this.#perm.export();
  }

  /**
   * Sends a query (a serialized TL object, constructor id first) and resolves with the rpc_result's
   * result. Rejects with MtprotoRpcError for rpc_error, MtprotoError when the client closes or
   * cannot reconnect.
   */
  async invoke(request: Uint8Array): Promise<Uint8Array> {
    return (await this.#sessionReady()).invoke(request);
  }

  /** ping → the ping_id the server echoed in its pong. */
  async ping(pingId?: bigint): Promise<bigint> {
    return (await this.#sessionReady()).ping(pingId);
  }

  /** get_future_salts (spec §7.1). */
  async getFutureSalts(num: number): Promise<FutureSalt[]> {
    return (await this.#sessionReady()).getFutureSalts(num);
  }

  /** destroy_session for another session of this key → whether the server had it. */
  async destroySession(sessionId: bigint): Promise<boolean> {
    return (await this.#sessionReady()).destroySession(sessionId);
  }

  async #sessionReady(): Promise<ClientSession> {
    if (this.#closed) throw closedError();
    await this.#ready;
    if (this.#closed || this.#session === null) throw closedError();
    return this.#session;
  }

  // ---- channels -----------------------------------------------------------------------------------

  async #openChannel(): Promise<void> {
    const o = this.#options;
    let current: Channel | null = null;
    const events: ChannelEvents = {
      packet: (payload) => {
        if (this.#channel === current) this.#onPacket(payload);
      },
      transportError: (code) => {
        if (this.#channel === current) this.#onTransportError(code);
      },
      closed: (error) => {
        if (this.#channel === current) this.#onClosed(error);
      },
      idle: () => {
        if (this.#channel === current) this.#scheduleFlush();
      },
    };
    if (o.transport === 'http') {
      current = new HttpChannel(`http://${hostPart(o.host)}:${o.port}${o.path ?? '/api'}`, events);
      this.#channel = current;
      return;
    }
    const inner = o.obfuscatedInner ?? 'intermediate';
    const obfuscated = o.transport === 'obfuscated' || o.transport === 'websocket';
    const codec = obfuscated
      ? createFrameCodec(this.#provider, { transport: 'obfuscated', role: 'client', inner })
      : createFrameCodec(this.#provider, { transport: o.transport as 'abridged' | 'intermediate' | 'padded' | 'full', role: 'client' });
    const padded = obfuscated ? inner === 'padded' : o.transport === 'padded';
    const channel = new StreamChannel(codec, events, padded);
    current = channel;
    let pipe: Pipe;
    try {
      if (o.transport === 'websocket') {
        const { openWebSocket } = await import('./websocket.js');
        pipe = await openWebSocket(`ws://${hostPart(o.host)}:${o.port}${o.path ?? '/apiws'}`, (d) => channel.data(d), (e) => channel.ended(e));
      } else {
        const { openTcp } = await import('./tcp.js').catch(() => {
          throw new MtprotoError('transport-unsupported', `the ${o.transport} transport needs node:net; use 'websocket' or 'http' here`);
        });
        pipe = await openTcp(o.host, o.port, (d) => channel.data(d), (e) => channel.ended(e));
      }
    } catch (error) {
      codec.dispose();
      throw error;
    }
    if (this.#closed) {
      pipe.close();
      codec.dispose();
      throw closedError();
    }
    channel.attach(pipe);
    this.#channel = channel;
  }

  #onPacket(payload: Uint8Array): void {
    this.#attempt = 0; // the server answers: the connection works (an accepted-then-dropped one does not count)
    if (payload.length >= 8 && payload.subarray(0, 8).every((b) => b === 0)) {
      const waiter = this.#plainWaiter;
      if (waiter === null) return;
      try {
        waiter.resolve(decodePlainMessage(payload, { from: 'server', transportPadding: this.#channel?.padded ?? false }).body);
      } catch (error) {
        waiter.reject(error as Error);
      }
      return;
    }
    this.#receiving = this.#receiving.then(() => this.#onEncrypted(payload)).catch(() => {});
  }

  async #onEncrypted(payload: Uint8Array): Promise<void> {
    // After a key renewal the old key's answers still come in: the packet's auth_key_id says which.
    const retiring = this.#retiring;
    const old = retiring !== null && payload.length >= 8 && equalIds(payload, retiring.key.id);
    const session = old ? retiring.session : this.#session;
    const key = old ? retiring.key : this.#temp ?? this.#perm;
    if (session === null || key === null || key.disposed) return;
    let message;
    try {
      message = decryptMessage(this.#provider, key, payload, { from: 'server', sessionId: session.sessionId });
    } catch {
      return; // spec §3 item 7: dropped silently
    }
    await session.receive(message);
    if (old && retiring.replaced && session.pendingCount === 0) this.#retire();
    this.#scheduleFlush();
  }

  #onTransportError(code: number): void {
    const error = new MtprotoError('transport-error', `the server sent transport error -${code}`);
    if (this.#plainWaiter !== null) {
      this.#plainWaiter.reject(error);
      return;
    }
    // −404: the server does not know the key (spec §6: e.g. a temporary key dropped before expiry).
    if (code === 404) this.#lostKey = true;
    this.#dropChannel(error);
  }

  #dropChannel(error: Error): void {
    const channel = this.#channel;
    if (channel === null) return;
    channel.close();
    this.#onClosed(error);
  }

  #onClosed(error?: Error): void {
    this.#channel = null;
    const reason = error ?? new MtprotoError('connection-closed', 'the connection closed');
    this.#plainWaiter?.reject(reason);
    for (const listener of [...this.#closeListeners]) listener(reason);
    if (this.#closed) return;
    if (this.#options.reconnect === false) {
      this.#session?.close(reason);
      return;
    }
    if ((this.#session?.pendingCount ?? 0) > 0 || this.#lostKey) this.#reconnectSoon();
  }

  #reconnectSoon(): void {
    if (this.#closed || this.#connecting !== null || this.#reconnectTimer !== null || this.#channel !== null) return;
    if (this.#attempt >= BACKOFF.length) {
      this.#attempt = 0;
      this.#session?.close(new MtprotoError('connection-failed', 'cannot reconnect to the server'));
      return;
    }
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      void this.#reconnect();
    }, BACKOFF[this.#attempt++]);
  }

  async #reconnect(): Promise<void> {
    const run = async (): Promise<void> => {
      await this.#openChannel();
      if (this.#lostKey) await this.#rekey();
      else this.#session?.resendPending();
    };
    this.#connecting = run();
    try {
      await this.#connecting;
    } catch {
      this.#channel?.close();
      this.#channel = null;
      this.#connecting = null;
      this.#reconnectSoon();
      return;
    } finally {
      this.#connecting = null;
    }
    this.#scheduleFlush();
  }

  // ---- keys and sessions ------------------------------------------------------------------------

  /**
   * Creates what is missing (permanent key, temporary key, session, binding); the queries still
   * waiting in `previous` move to the new session once it is ready.
   */
  async #establish(previous: ClientSession | null): Promise<void> {
    let salt = 0n;
    if (this.#perm === null) {
      const perm = await this.#handshake();
      this.#perm = this.#adopt(perm);
      salt = perm.serverSalt;
    }
    if (this.#options.tempKeys) {
      const lifetime = this.#options.tempKeyLifetime ?? 86_400;
      const temp = await this.#handshake(lifetime);
      this.#temp?.dispose();
      this.#temp = this.#adopt(temp);
      const session = this.#newSession(temp.serverSalt);
      if (!(await this.#bind(session, temp.expiresAt!))) {
        // The server does not know our permanent key: make a new one and bind again.
        this.#perm?.dispose();
        this.#perm = this.#adopt(await this.#handshake());
        if (!(await this.#bind(session, temp.expiresAt!))) throw new MtprotoError('bind-failed', 'auth.bindTempAuthKey was refused');
      }
      this.#scheduleRenewal(temp.expiresAt!);
    } else {
      this.#newSession(salt);
    }
    if (previous !== null) {
      previous.takeUnanswered().adopt(this.#session!);
      previous.close(new MtprotoError('session-replaced', 'the session was replaced'));
    }
  }

  /** After −404: a new temporary key (or a new permanent key without PFS), then the same queries. */
  async #rekey(): Promise<void> {
    this.#lostKey = false;
    let release!: () => void;
    this.#ready = new Promise((resolve) => (release = resolve));
    const previous = this.#session;
    this.#session = null; // nothing goes out until the new key is bound
    try {
      if (this.#temp !== null) {
        this.#temp.dispose();
        this.#temp = null;
      } else {
        this.#perm?.dispose();
        this.#perm = null;
      }
      await this.#establish(previous);
    } catch (error) {
      // Try again on the next connection, with the same waiting queries.
      this.#lostKey = true;
      (this.#session as ClientSession | null)?.close(error as Error);
      this.#session = previous;
      throw error;
    } finally {
      release();
    }
  }

  #adopt(result: AuthKeyResult): AuthKey {
    const key = new AuthKey(this.#provider, result.authKey);
    result.authKey.fill(0);
    this.#timeOffset = result.timeOffset;
    return key;
  }

  #newSession(salt: bigint): ClientSession {
    this.#session = new ClientSession({
      salt,
      timeOffset: this.#timeOffset,
      now: this.#now,
      random: (n) => this.#provider.randomBytes(n),
      onQueued: () => this.#scheduleFlush(),
    });
    return this.#session;
  }

  /** auth.bindTempAuthKey in `session`; false if the server refused the proof. */
  async #bind(session: ClientSession, expiresAt: number): Promise<boolean> {
    const perm = this.#perm!;
    const temp = this.#temp!;
    const nonceBytes = this.#provider.randomBytes(8);
    const nonce = new DataView(nonceBytes.buffer, nonceBytes.byteOffset, 8).getBigInt64(0, true);
    try {
      const answer = await this.#whileOpen(session.invoke((msgId, sessionId) => bindTempAuthKeyBody(this.#provider, perm, temp, nonce, expiresAt, msgId, sessionId)));
      if (answer.length !== 4 || new DataView(answer.buffer, answer.byteOffset, 4).getUint32(0, true) !== BOOL_TRUE) {
        throw new MtprotoError('bind-failed', 'auth.bindTempAuthKey did not answer boolTrue');
      }
      return true;
    } catch (error) {
      if (error instanceof MtprotoRpcError && error.message === 'ENCRYPTED_MESSAGE_INVALID') return false;
      throw error;
    }
  }

  /** `promise`, or a rejection if the connection drops or the handshake timeout passes first. */
  #whileOpen<T>(promise: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => done(() => reject(new MtprotoError('handshake-timeout', 'the server did not answer'))), this.#options.handshakeTimeout ?? 30_000);
      const onClose = (error: Error): void => done(() => reject(error));
      const done = (fn: () => void): void => {
        clearTimeout(timer);
        this.#closeListeners.delete(onClose);
        fn();
      };
      this.#closeListeners.add(onClose);
      promise.then((v) => done(() => resolve(v)), (e) => done(() => reject(e)));
    });
  }

  /** One auth-key creation over plain messages (spec §5); `temp`: a temporary key for that many seconds. */
  async #handshake(temp?: number): Promise<AuthKeyResult> {
    const handshake = new ClientHandshake(this.#provider, {
      rsaKeys: this.#rsaKeys,
      dc: this.#options.dc ?? 2,
      now: this.#now,
      ...(temp !== undefined && { temp: { expiresIn: temp } }),
    });
    let body = handshake.start();
    for (;;) {
      const step = handshake.receive(await this.#exchangePlain(body));
      if (step.done !== undefined) return step.done;
      body = step.send!;
    }
  }

  #exchangePlain(body: Uint8Array): Promise<Uint8Array> {
    const channel = this.#channel;
    if (channel === null) return Promise.reject(new MtprotoError('connection-closed', 'no connection'));
    return new Promise<Uint8Array>((resolve, reject) => {
      const timer = setTimeout(() => settle(() => reject(new MtprotoError('handshake-timeout', 'the server did not answer'))), this.#options.handshakeTimeout ?? 30_000);
      const settle = (fn: () => void): void => {
        clearTimeout(timer);
        this.#plainWaiter = null;
        fn();
      };
      this.#plainWaiter = { resolve: (b) => settle(() => resolve(b)), reject: (e) => settle(() => reject(e)) };
      channel.send(encodePlainMessage(this.#plainIds.next(), body));
    });
  }

  // ---- sending ------------------------------------------------------------------------------------

  #scheduleFlush(): void {
    if (this.#flushScheduled || this.#closed) return;
    this.#flushScheduled = true;
    // After the current macrotask, not its microtasks: queries that callers issue as earlier answers
    // resolve (each await is a few microtask hops) then go out in one container and one write.
    afterThisTask(() => {
      this.#flushScheduled = false;
      this.#flush(false);
    });
  }

  #flush(acksAlone: boolean): void {
    const session = this.#session;
    const key = this.#temp ?? this.#perm;
    if (this.#closed || session === null || key === null) return;
    const channel = this.#channel;
    if (channel === null) {
      if (session.hasQueued) this.#reconnectSoon();
      return;
    }
    if (channel.kind === 'http' && channel.inflight === 0 && session.pendingCount > 0 && !session.hasQueued) {
      session.httpWait(POLL.maxDelay, POLL.waitAfter, POLL.maxWait); // keep one request parked for the answers
    }
    let sent = false;
    for (let m = session.drain({ acksAlone }); m !== null; m = session.drain()) {
      channel.send(encryptMessage(this.#provider, key, m, { from: 'client' }));
      sent = true;
    }
    const retiring = this.#retiring; // its acks still go out, under its own key
    if (retiring !== null && !retiring.key.disposed) {
      for (let m = retiring.session.drain({ acksAlone }); m !== null; m = retiring.session.drain()) {
        channel.send(encryptMessage(this.#provider, retiring.key, m, { from: 'client' }));
      }
    }
    if (sent && channel.kind !== 'http') this.#armPing();
    if (session.acksPending > 0 && this.#ackTimer === null) {
      this.#ackTimer = setTimeout(() => {
        this.#ackTimer = null;
        this.#flush(true);
      }, ACK_DELAY);
    }
  }

  // ---- upkeep: pings, lost queries, key renewal ---------------------------------------------------

  /** ping_delay_disconnect once the connection has been quiet for pingInterval seconds. */
  #armPing(): void {
    const interval = this.#options.pingInterval ?? 60;
    if (interval <= 0) return;
    if (this.#pingTimer !== null) clearTimeout(this.#pingTimer);
    this.#pingTimer = unref(setTimeout(() => {
      this.#pingTimer = null;
      if (this.#closed || this.#session === null || this.#channel === null) return;
      // The server may close the connection if the next ping is later than this (Telegram's apps: 60 s / 75 s).
      this.#session.pingDelayDisconnect(Math.ceil(interval * 1.25)).catch(() => {});
    }, interval * 1000));
  }

  #startResendTimer(): void {
    const after = this.#options.resendAfter ?? 10;
    if (after <= 0) return;
    this.#resendTimer = unref(setInterval(() => {
      const session = this.#session;
      if (this.#closed || session === null || this.#channel === null) return;
      session.resendUnacknowledged(after).catch(() => {});
    }, after * 1000));
  }

  /** A timer that replaces the temporary key `tempKeyRenewBefore` seconds before `expiresAt`. */
  #scheduleRenewal(expiresAt: number): void {
    if (this.#renewTimer !== null) clearTimeout(this.#renewTimer);
    const before = this.#renewBefore();
    const delay = Math.max(0, (expiresAt - before - this.#now()) * 1000);
    this.#renewTimer = unref(setTimeout(() => {
      this.#renewTimer = null;
      this.#renewTempKey().catch(() => {
        // The connection may be down: try again soon; an expired key ends in −404 and a rekey.
        if (!this.#closed) this.#scheduleRenewal(this.#now() + before + 5);
      });
    }, delay));
  }

  #renewBefore(): number {
    return this.#options.tempKeyRenewBefore ?? Math.min(300, (this.#options.tempKeyLifetime ?? 86_400) / 10);
  }

  /**
   * A new temporary key, bound, becomes the one queries go under; the old key and its session stay
   * until every query sent under them has its answer (or the old key expires), so nothing is sent
   * twice.
   */
  async #renewTempKey(): Promise<void> {
    if (this.#closed || this.#channel === null || this.#connecting !== null || this.#retiring !== null) throw new Error('not now');
    const oldKey = this.#temp!;
    const oldSession = this.#session!;
    const result = await this.#handshake(this.#options.tempKeyLifetime ?? 86_400);
    let release!: () => void;
    this.#ready = new Promise((resolve) => (release = resolve));
    // The old pair is set aside before the new key takes over, so the answers that arrive under it
    // while the new key is being bound still reach the old session.
    const grace = Math.max(0, this.#renewBefore() * 1000 - 1000); // retired a second before the old key expires
    const retiring = { key: oldKey, session: oldSession, timer: unref(setTimeout(() => this.#retire(), grace)), replaced: false };
    this.#retiring = retiring;
    try {
      this.#temp = this.#adopt(result);
      const session = this.#newSession(result.serverSalt);
      if (!(await this.#bind(session, result.expiresAt!))) throw new MtprotoError('bind-failed', 'auth.bindTempAuthKey was refused');
    } catch (error) {
      clearTimeout(retiring.timer);
      this.#retiring = null;
      this.#temp?.dispose();
      this.#session?.close(error as Error);
      this.#temp = oldKey;
      this.#session = oldSession;
      throw error;
    } finally {
      release();
    }
    retiring.replaced = true; // from now on the old pair goes as soon as its last answer is in
    if (oldSession.pendingCount === 0) this.#retire();
    this.#scheduleRenewal(result.expiresAt!);
    this.#scheduleFlush();
  }

  /** Drops the previous key; queries it still has unanswered move to the current session. */
  #retire(): void {
    const retiring = this.#retiring;
    if (retiring === null) return;
    this.#retiring = null;
    clearTimeout(retiring.timer);
    if (this.#session !== null && retiring.session.pendingCount > 0) retiring.session.takeUnanswered().adopt(this.#session);
    retiring.session.close(new MtprotoError('session-replaced', 'the temporary key was renewed'));
    retiring.key.dispose();
  }

  /** Closes the connection, fails what is pending, wipes the keys. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of [this.#reconnectTimer, this.#ackTimer, this.#pingTimer, this.#renewTimer]) if (timer !== null) clearTimeout(timer);
    if (this.#resendTimer !== null) clearInterval(this.#resendTimer);
    this.#retire();
    this.#channel?.close();
    this.#channel = null;
    this.#plainWaiter?.reject(closedError());
    for (const listener of [...this.#closeListeners]) listener(closedError());
    this.#session?.close(closedError());
    await this.#connecting?.catch(() => {});
    this.#perm?.dispose();
    this.#temp?.dispose();
  }
}

function closedError(): MtprotoError {
  return new MtprotoError('client-closed', 'the client was closed');
}

/** Lets a timer not keep the Node process alive (browsers have no unref). */
function unref<T>(timer: T): T {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

function equalIds(packet: Uint8Array, id: Uint8Array): boolean {
  for (let i = 0; i < 8; i++) if (packet[i] !== id[i]) return false;
  return true;
}

function hostPart(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
