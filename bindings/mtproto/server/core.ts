// The transport-independent heart of MtprotoServer: auth-key creation over plain messages, the
// handling of every encrypted packet (key lookup, decryption, salt, session checks, service
// messages), RPC dispatch to the application's handlers, auth.bindTempAuthKey, get_future_salts,
// destroy_session and destroy_auth_key. Stream connections (connection.ts) and HTTP (http.ts) hand
// packets to it through the Origin interface and receive their answers through a Sink.
//
// Unacknowledged messages follow a session across the fleet (held.ts): every content-related
// message is written to the store before it first goes out (wake(): session.stage(), then
// store.holdMessages, then session.held()), released from it when the client acknowledges it, and
// a process that sets up a session the fleet already knows (claimSession → false), or sees a session
// come back whose connection here had closed (it may have been served elsewhere meanwhile), loads
// what the store holds for it into the session (session.restore) before handling the packet, so it
// goes out again with its original msg_ids and a query re-sent is answered from it, not by the
// handler again. A store that fails a hold (or takes over HOLD_TIMEOUT) does not stop the message:
// it goes out, held by this process only. Off (CoreOptions.holdOutgoing) for a store no other
// process can read.
//
// Peer errors never escape: an unknown auth_key_id is answered with transport error −404 (then the
// origin closes), a packet that fails decryption is dropped silently (spec §3 item 7: no oracle on
// which check failed), a rejected message gets its bad_msg_notification (session/server-session.ts),
// a container over the limits gets −429. Handler errors become rpc_error: an MtprotoRpcError as
// thrown, anything else 500 INTERNAL; an unknown constructor gets 400 METHOD_INVALID.

import type { CryptoProvider } from '../../provider/types.js';
import type { AuthKeyResult, Clock } from '../auth/types.js';
import { type RsaPrivateKey, parseRsaPrivateKey } from '../auth/rsa.js';
import { ServerHandshake } from '../auth/server-handshake.js';
import { encryptMessage, decryptMessageWithQuickAck } from '../crypto/message.js';
import type { PlaintextMessage } from '../crypto/message.js';
import { MtprotoError } from '../errors.js';
import { ID, type ServiceMessage, decodeService } from '../tl/service.js';
import { MsgIdGenerator } from '../session/msg-id.js';
import { leadingId, maybeGzip } from '../session/packing.js';
import { MtprotoRpcError, RPC_ERRORS } from '../session/rpc-error.js';
import { verifyBindTempAuthKey } from '../session/bind.js';
import { type ServerEvent, ServerSession } from '../session/server-session.js';
import { KeyRegistry, type KeyEntry, type SessionHandle, type Sink } from './keys.js';
import type { AuthKeyStore, HeldMessage } from './store.js';
import { SALT_PERIOD, slotStart } from '../session/salts.js';

/** What a handler learns about the query it answers. */
export interface RpcContext {
  /** The auth key the query came with (a temporary key when the client uses PFS). */
  readonly authKeyId: bigint;
  /** The permanent key: authKeyId itself, or the key a temporary key is bound to. */
  readonly permAuthKeyId: bigint;
  readonly sessionId: bigint;
  /** The query's msg_id. */
  readonly msgId: bigint;
  /** 'abridged', 'intermediate', 'padded', 'full', 'obfuscated', 'http' or 'websocket'. */
  readonly transport: string;
  /**
   * Runs the handler of another serialized query with this context and returns its result: for
   * wrappers such as invokeWithLayer / initConnection, whose handler unwraps the inner query.
   */
  dispatch(body: Uint8Array): Promise<Uint8Array>;
}

/** An RPC handler: the query body (constructor id first) in, the serialized result out. */
export type RpcHandler = (body: Uint8Array, ctx: RpcContext) => Uint8Array | Promise<Uint8Array>;

export interface HttpWait {
  readonly maxDelay: number;
  readonly waitAfter: number;
  readonly maxWait: number;
}

/** Where a packet came from: what the core needs of a connection or an HTTP exchange. */
export interface Origin {
  readonly transport: string;
  /** Answers transport error −code (spec §8.6) and closes. */
  transportError(code: number): void;
  /** A packet that failed decryption: nothing is answered (HTTP closes the exchange). */
  drop(): void;
  /** The packet's session; `accepted` says whether its message passed the checks. */
  attach(handle: SessionHandle, accepted: boolean): void;
  /**
   * Whether the session is already bound to this origin's connection (a stream connection it has
   * served). When not — a new connection, or any HTTP request, which a load balancer may send to
   * any process — the session may have been served elsewhere meanwhile, and the fleet's held
   * messages are read again before its packet is handled.
   */
  servesAlready?(handle: SessionHandle): boolean;
  quickAck?(token: number): void;
  httpWait?(wait: HttpWait): void;
  disconnectAfter?(seconds: number): void;
}

export interface CoreOptions {
  readonly provider: CryptoProvider;
  readonly rsaPrivateKey: string | RsaPrivateKey | readonly (string | RsaPrivateKey)[];
  readonly handlers: Readonly<Record<number, RpcHandler>>;
  readonly store: AuthKeyStore;
  readonly now: Clock;
  readonly maxGzipSize?: number;
  /**
   * Whether sessions' unacknowledged messages are kept in the store so they follow a session to
   * another process (default true). MtprotoServer turns it off for the store it makes itself: no
   * other process can read that one, so holding would only copy every answer.
   */
  readonly holdOutgoing?: boolean;
}

const MAX_DISPATCH_DEPTH = 8;

/**
 * Milliseconds a session's answers wait for the store to hold them: past this (a store that hangs
 * rather than fails, say Redis away while its client queues commands) they go out unheld. Should
 * the hold land after the client's acknowledgement, the message stays held until it expires
 * (held.ts: HELD_TTL).
 */
const HOLD_TIMEOUT = 1000;

export class ServerCore {
  readonly provider: CryptoProvider;
  readonly store: AuthKeyStore;
  readonly keys: KeyRegistry;
  readonly msgIds: MsgIdGenerator;
  readonly now: Clock;
  readonly #rsaKeys: readonly RsaPrivateKey[];
  readonly #handlers: ReadonlyMap<number, RpcHandler>;
  readonly #maxGzip: number | undefined;
  readonly #hold: boolean;
  /** Sessions with a hold in flight, and what was staged meanwhile (it goes in the next write). */
  readonly #holding = new WeakMap<SessionHandle, HeldMessage[]>();
  /** Keys created by handshakes on this process (for tests and stats). */
  keysCreated = 0;

  constructor(options: CoreOptions) {
    this.provider = options.provider;
    this.store = options.store;
    this.now = options.now;
    this.keys = new KeyRegistry(options.provider, options.store, options.now);
    this.msgIds = new MsgIdGenerator('server', options.now);
    const keys = Array.isArray(options.rsaPrivateKey) ? options.rsaPrivateKey : [options.rsaPrivateKey];
    if (keys.length === 0) throw new TypeError('MtprotoServer: rsaPrivateKey is required');
    this.#rsaKeys = keys.map((k: string | RsaPrivateKey) => (typeof k === 'string' ? parseRsaPrivateKey(options.provider, k) : k));
    if (typeof options.handlers !== 'object' || options.handlers === null) throw new TypeError('MtprotoServer: handlers must be an object { [constructorId]: handler }');
    const handlers = new Map<number, RpcHandler>();
    for (const [key, handler] of Object.entries(options.handlers)) {
      const id = Number(key);
      if (!Number.isInteger(id) || id < -0x80000000 || id > 0xffffffff) throw new TypeError(`MtprotoServer: handler key ${key} is not a constructor id`);
      if (typeof handler !== 'function') throw new TypeError(`MtprotoServer: handler for ${key} is not a function`);
      handlers.set(id >>> 0, handler);
    }
    this.#handlers = handlers;
    this.#maxGzip = options.maxGzipSize;
    this.#hold = options.holdOutgoing ?? true;
  }

  // ---- auth-key creation --------------------------------------------------------------------------

  /** A handshake state machine for one connection (or one HTTP client, keyed by its nonce). */
  newHandshake(): ServerHandshake {
    return new ServerHandshake(this.provider, {
      rsaPrivateKey: this.#rsaKeys,
      now: this.now,
      isAuthKeyIdTaken: (id) => this.keys.has(new DataView(id.buffer, id.byteOffset, 8).getBigInt64(0, true)),
    });
  }

  /** Stores a key a handshake created (before dh_gen_ok goes out); false if the id collided. */
  async registerKey(result: AuthKeyResult): Promise<boolean> {
    const id = new DataView(result.authKeyId.buffer, result.authKeyId.byteOffset, 8).getBigInt64(0, true);
    try {
      const added = await this.keys.add({ id, key: result.authKey, temp: result.temp, ...(result.temp && { expiresAt: result.expiresAt }) });
      if (added) {
        this.keysCreated++;
        // §4.3: the first salt is new_nonce[0:8] XOR server_nonce[0:8], and a client may use it at
        // once (mtcute sends auth.bindTempAuthKey under it and does not resend it after
        // bad_server_salt). Accepted for one salt period; dated just before the current slot so the
        // schedule's own salt stays the one the server announces.
        const now = Math.floor(this.now());
        await this.store.addSalts(id, [{ salt: result.serverSalt, validSince: slotStart(now) - 1, validUntil: now + SALT_PERIOD }]);
      }
      return added;
    } finally {
      result.authKey.fill(0);
    }
  }

  // ---- encrypted packets --------------------------------------------------------------------------

  /** Handles one encrypted packet (auth_key_id ≠ 0). Never throws for anything the peer sent. */
  async handleEncrypted(origin: Origin, packet: Uint8Array, quickAck = false): Promise<void> {
    if (packet.length < 8) return origin.transportError(404);
    const id = new DataView(packet.buffer, packet.byteOffset, 8).getBigInt64(0, true);
    const key = await this.keys.get(id);
    if (key === undefined) return origin.transportError(404);
    let decrypted;
    try {
      // Parity is checked by the session, which answers bad_msg_notification 18 for it.
      decrypted = decryptMessageWithQuickAck(this.provider, key.authKey, packet, { from: 'client', msgIdParity: false });
    } catch (error) {
      if (error instanceof MtprotoError || (error instanceof TypeError && key.authKey.disposed)) return origin.drop();
      throw error;
    }
    const { message } = decrypted;
    if (quickAck) origin.quickAck?.(decrypted.quickAck);
    const saltOk = await key.salts.accepts(message.salt);
    const salt = await key.salts.current();
    let handle = key.sessions.get(message.sessionId);
    if (handle === undefined) {
      const session = new ServerSession({
        authKeyId: id, sessionId: message.sessionId, msgIds: this.msgIds, now: this.now,
        random: (n) => this.provider.randomBytes(n), maxGzipSize: this.#maxGzip, holdOutgoing: this.#hold,
      });
      handle = { key, session, sink: null, lastUsed: this.now() };
    }
    let announce = true;
    // Store work happens only for a message that passes the checks, so a rejected one changes
    // nothing here either.
    const { isNew } = handle.session;
    // Not through the connection it is bound to here: it may have been served elsewhere meanwhile.
    const returning = this.#hold && !isNew && origin.servesAlready?.(handle) !== true;
    if ((isNew || returning) && handle.session.check(message, saltOk).kind === 'accept') {
      // Whether the fleet has seen this session (a client moving between processes keeps it).
      if (isNew) announce = await this.store.claimSession(id, message.sessionId).catch(() => true);
      // A known session may have left answers the client never acknowledged in another process
      // (or in this one, before a move away and back): they are this session's now. A failed read
      // loses them, as before they were shared.
      if (this.#hold && (!announce || returning)) handle.session.restore(await this.store.heldMessages(id, message.sessionId).catch(() => []));
    }
    if (!key.sessions.has(message.sessionId)) key.sessions.set(message.sessionId, handle);
    handle.lastUsed = this.now();
    const { result, events } = await handle.session.receive(message, { saltOk, salt, announce });
    if (result.kind === 'flood') return origin.transportError(429);
    origin.attach(handle, result.kind === 'accept');
    for (const event of events) this.#event(key, handle, event, origin);
    this.wake(handle);
  }

  /**
   * Asks the session's sink to send what is queued — after storing its new content-related
   * messages (they wait in the session until held), and releases what the client acknowledged.
   */
  wake(handle: SessionHandle): void {
    const { key, session } = handle;
    const released = session.takeReleased();
    if (released.length > 0) void this.store.releaseMessages(key.id, session.sessionId, released).catch(() => {});
    const fresh = session.stage();
    if (fresh.length > 0) this.#holdMessages(handle, fresh);
    handle.sink?.wake(handle);
  }

  /**
   * Writes staged messages to the store, one write per session at a time: what is staged while
   * one is in flight goes in the next, so under load one write carries many answers. (They could
   * not go out sooner anyway: a session sends nothing past its first message not yet held.)
   */
  #holdMessages(handle: SessionHandle, messages: HeldMessage[]): void {
    const waiting = this.#holding.get(handle);
    if (waiting !== undefined) {
      waiting.push(...messages);
      return;
    }
    this.#holding.set(handle, []);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, HOLD_TIMEOUT);
      timer.unref?.();
    });
    const hold = this.store.holdMessages(handle.key.id, handle.session.sessionId, messages).catch(() => {});
    void Promise.race([hold, timeout]).then(() => {
      clearTimeout(timer);
      handle.session.held(messages);
      const next = this.#holding.get(handle)!;
      this.#holding.delete(handle);
      if (next.length > 0) this.#holdMessages(handle, next);
      handle.sink?.wake(handle);
    });
  }

  /** The next packet of a session, encrypted, or null (the sink frames and writes it). */
  nextPacket(handle: SessionHandle, options: { acksAlone?: boolean; emptyContainer?: boolean } = {}): Uint8Array | null {
    if (handle.key.authKey.disposed) return null;
    const message: PlaintextMessage | null = handle.session.drain(handle.key.salts.currentSync(), options);
    if (message === null) return null;
    return encryptMessage(this.provider, handle.key.authKey, message, { from: 'server' });
  }

  #event(key: KeyEntry, handle: SessionHandle, event: ServerEvent, origin: Origin): void {
    switch (event.kind) {
      case 'rpc':
        void this.#rpc(key, handle, event.msgId, event.body, origin.transport);
        return;
      case 'future-salts':
        void this.#futureSalts(key, handle, event.msgId, event.num);
        return;
      case 'destroy-session':
        void this.#destroySession(key, handle, event.msgId, event.sessionId);
        return;
      case 'destroy-auth-key':
        void this.#destroyAuthKey(key, handle, event.msgId);
        return;
      case 'http-wait':
        origin.httpWait?.(event);
        return;
      case 'disconnect-delay':
        origin.disconnectAfter?.(event.seconds);
        return;
    }
  }

  async #rpc(key: KeyEntry, handle: SessionHandle, msgId: bigint, body: Uint8Array, transport: string): Promise<void> {
    try {
      const result = await this.#dispatch(key, handle, msgId, body, transport, 0);
      handle.session.answer(msgId, await maybeGzip(result));
    } catch (error) {
      const [code, text] = error instanceof MtprotoRpcError ? [error.code, error.message] : RPC_ERRORS.internal;
      handle.session.answerError(msgId, code, text);
    }
    this.wake(handle);
  }

  async #dispatch(key: KeyEntry, handle: SessionHandle, msgId: bigint, body: Uint8Array, transport: string, depth: number): Promise<Uint8Array> {
    const id = leadingId(body);
    if (id === ID['auth.bindTempAuthKey'] && depth === 0) return this.#bind(key, handle, msgId, body);
    if (key.temp && key.boundTo === undefined) {
      await this.keys.refreshBinding(key);
      // api/pfs: an unbound temporary key may only bind itself.
      if (key.boundTo === undefined) throw new MtprotoRpcError(...RPC_ERRORS.authKeyPermEmpty);
    }
    const handler = id === undefined ? undefined : this.#handlers.get(id);
    if (handler === undefined || depth > MAX_DISPATCH_DEPTH) throw new MtprotoRpcError(...RPC_ERRORS.methodInvalid);
    const ctx: RpcContext = {
      authKeyId: key.id,
      permAuthKeyId: key.boundTo ?? key.id,
      sessionId: handle.session.sessionId,
      msgId,
      transport,
      dispatch: (inner) => this.#dispatch(key, handle, msgId, inner, transport, depth + 1),
    };
    const result = await handler(body, ctx);
    if (!(result instanceof Uint8Array) || result.length < 4 || result.length % 4 !== 0) {
      throw new Error(`handler for 0x${id!.toString(16)} returned no serialized TL object`);
    }
    return result;
  }

  /** auth.bindTempAuthKey (spec §6, api/pfs), answered by the server itself. */
  async #bind(key: KeyEntry, handle: SessionHandle, msgId: bigint, body: Uint8Array): Promise<Uint8Array> {
    let request: ServiceMessage | undefined;
    try {
      request = decodeService(body);
    } catch {
      request = undefined;
    }
    if (request?._ !== 'auth.bindTempAuthKey') throw new MtprotoRpcError(...RPC_ERRORS.encryptedMessageInvalid);
    if (!key.temp) throw new MtprotoRpcError(...RPC_ERRORS.tempAuthKeyEmpty);
    const perm = await this.keys.get(request.perm_auth_key_id);
    const outer = { msgId, sessionId: handle.session.sessionId, tempAuthKeyId: key.id };
    if (perm === undefined || perm.temp || !verifyBindTempAuthKey(this.provider, request, outer, perm.authKey)) {
      throw new MtprotoRpcError(...RPC_ERRORS.encryptedMessageInvalid);
    }
    if (key.boundTo !== undefined && key.boundTo !== perm.id) throw new MtprotoRpcError(...RPC_ERRORS.tempAuthKeyAlreadyBound);
    try {
      await this.store.bindTempKey(key.id, perm.id);
    } catch (error) {
      if (error instanceof MtprotoError && error.code === 'temp-key-already-bound') throw new MtprotoRpcError(...RPC_ERRORS.tempAuthKeyAlreadyBound);
      throw error;
    }
    key.boundTo = perm.id;
    return Uint8Array.of(0xb5, 0x75, 0x72, 0x99); // boolTrue#997275b5
  }

  async #futureSalts(key: KeyEntry, handle: SessionHandle, msgId: bigint, num: number): Promise<void> {
    const count = Math.min(Math.max(num, 1), 64);
    try {
      const salts = await key.salts.future(count);
      handle.session.answerFutureSalts(msgId, Math.floor(this.now()), salts.map((s) => ({ valid_since: s.validSince, valid_until: s.validUntil, salt: s.salt })));
    } catch {
      return; // the store failed: the client asks again
    }
    this.wake(handle);
  }

  async #destroySession(key: KeyEntry, handle: SessionHandle, msgId: bigint, sessionId: bigint): Promise<void> {
    let destroyed = false;
    // service_messages.html: a client destroys *another* session of its key.
    if (sessionId !== handle.session.sessionId) {
      destroyed = key.sessions.delete(sessionId);
      destroyed = (await this.store.dropSession(key.id, sessionId).catch(() => false)) || destroyed;
    }
    handle.session.answerDestroySession(msgId, sessionId, destroyed);
    this.wake(handle);
  }

  async #destroyAuthKey(key: KeyEntry, handle: SessionHandle, msgId: bigint): Promise<void> {
    let outcome: 'ok' | 'fail' = 'ok';
    try {
      await this.store.deleteKey(key.id);
    } catch {
      outcome = 'fail';
    }
    handle.session.answerDestroyAuthKey(msgId, outcome);
    this.wake(handle);
    // The answer is encrypted with the key, so it is forgotten only once the answer has gone out.
    if (outcome === 'ok') setTimeout(() => this.keys.evict(key.id), 1000).unref?.();
  }

  /** Releases every key (wiped) and forgets every session. */
  close(): void {
    this.keys.close();
  }
}

export type { Sink, SessionHandle };
