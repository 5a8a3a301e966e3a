// MmtlsClient: requests over the long link (one TCP connection, frames matched by seq) or the
// short link (one HTTP POST per request, 0-RTT once a ticket is held). Node only.
//
// Handshake choice: `mode` is what the client aims for. Without the ticket a PSK mode needs, the
// client runs 1-RTT ECDHE first (as WeChat does at start-up). A 1-RTT ECDHE hello also offers the
// refresh ticket when one is held, so an overloaded server can answer with PSK (spec §2).
//
// A refused ticket is dropped, so the next request runs a full handshake. A refused 0-RTT request
// is sent again at once only with `resendRefusedEarlyData`: the refusal is an alert in clear, which
// a man in the middle can forge after the server ran the request — so only for idempotent requests.

import type { Socket } from 'node:net';
import { concat } from '../../bytes.js';
import { bytes as bytesArg, bytesOfLength } from '../../errors.js';
import { wasmProvider } from '../../provider/wasm.js';
import type { CryptoProvider } from '../../provider/types.js';
import { MmtlsError } from '../errors.js';
import { ClientConnection, type ClientContext } from '../protocol/client-connection.js';
import { ClientTickets } from '../protocol/client-tickets.js';
import { type ConnectionEvents, type HandshakeMode, PeerAlert, isResumed } from '../protocol/connection.js';
import { RecordSplitter, splitRecords } from '../record/record.js';
import { HttpConnection } from './http-connection.js';
import { connectTcp } from './tcp.js';
import { DEFAULT_MAX_FRAME, type Frame, FrameSplitter, REQUEST_CMD, RESPONSE_OFFSET, encodeFrame } from './long-link.js';
import { DEFAULT_URI, encodeDataPart, shortLinkPath } from './short-link.js';

export type ClientMode = HandshakeMode;

export interface MmtlsClientOptions {
  readonly host: string;
  readonly port: number;
  /** The server's ECDSA P-256 verify key, uncompressed SEC1 (65 bytes). */
  readonly verifyKey: Uint8Array;
  /** Short link (HTTP) instead of the long link (TCP). */
  readonly http?: boolean;
  /** Default: '0rtt-psk' on the short link, '1rtt-ecdhe' on the long link. */
  readonly mode?: ClientMode;
  /** Short link: the uri in each request's data part. */
  readonly uri?: string;
  /** Milliseconds a request may take; default 30 000. */
  readonly timeoutMs?: number;
  /**
   * Where tickets are kept. Pass one ClientTickets to several clients to share them (a later client
   * then resumes with PSK); by default each client has its own, wiped on close().
   */
  readonly tickets?: ClientTickets;
  /**
   * When the server refuses a 0-RTT request before running it (unknown or expired ticket, stale
   * clock, replay register down), send it again at once with a full handshake. Default false:
   * the refusal is unauthenticated, so a man in the middle could forge it after the server ran
   * the request, and the request would run twice. Set it only for idempotent requests.
   */
  readonly resendRefusedEarlyData?: boolean;
  readonly provider?: CryptoProvider;
  readonly now?: () => number;
}

export interface HandshakeInfo {
  readonly mode: HandshakeMode;
  readonly resumed: boolean;
}

/** Alerts a server sends only before it runs a 0-RTT request. */
const EARLY_REFUSALS = new Set(['ticket_invalid', 'ticket_expired', 'stale_timestamp', 'overloaded']);
const TICKET_REFUSALS = new Set(['ticket_invalid', 'ticket_expired']);

export class MmtlsClient {
  /** The last completed handshake. */
  lastHandshake: HandshakeInfo | undefined;
  /** The mode of the last first flight sent (it may not have completed). */
  lastAttempt: HandshakeMode | undefined;
  readonly #options: Required<Pick<MmtlsClientOptions, 'host' | 'port' | 'http' | 'uri' | 'timeoutMs' | 'resendRefusedEarlyData'>> & { mode: HandshakeMode };
  readonly #ctx: ClientContext;
  readonly #tickets: ClientTickets;
  readonly #ownsTickets: boolean;
  #link: Promise<LongLink> | undefined;
  /** What close() and a timeout must shut: every open connection of this client. */
  readonly #open = new Set<{ close(): void }>();
  #closed = false;

  constructor(options: MmtlsClientOptions) {
    const fn = 'MmtlsClient';
    if (typeof options !== 'object' || options === null) throw new TypeError(`${fn}: options must be an object`);
    const { host, port, http = false, uri = DEFAULT_URI, timeoutMs = 30_000, resendRefusedEarlyData = false } = options;
    if (typeof host !== 'string' || host === '') throw new TypeError(`${fn}: options.host must be a host name`);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`${fn}: options.port must be in [1, 65535]`);
    const mode = options.mode ?? (http ? '0rtt-psk' : '1rtt-ecdhe');
    if (!['1rtt-ecdhe', '1rtt-psk', '0rtt-psk', '0rtt-ecdhe'].includes(mode)) throw new TypeError(`${fn}: unknown mode ${String(mode)}`);
    const provider = options.provider ?? wasmProvider;
    const verifyKey = bytesOfLength(options.verifyKey, 65, fn, 'verifyKey').slice();
    if (verifyKey[0] !== 4) throw new TypeError(`${fn}: verifyKey must be an uncompressed SEC1 point (0x04 ‖ x ‖ y)`);
    if (options.tickets !== undefined && !(options.tickets instanceof ClientTickets)) throw new TypeError(`${fn}: options.tickets must be a ClientTickets`);
    this.#tickets = options.tickets ?? new ClientTickets();
    this.#ownsTickets = options.tickets === undefined;
    this.#options = { host, port, http, uri, timeoutMs, mode, resendRefusedEarlyData: resendRefusedEarlyData === true };
    this.#ctx = { provider, verifyKey, now: options.now ?? Date.now };
  }

  /** Sends one request; resolves the server's response. */
  async request(body: Uint8Array): Promise<Uint8Array> {
    bytesArg(body, 'MmtlsClient.request', 'body');
    if (this.#closed) throw new Error('MmtlsClient.request: the client is closed');
    const request = body.slice();
    try {
      return await this.#attempt(request, false);
    } catch (e) {
      if (!(e instanceof PeerAlert)) throw e;
      const attempt = this.lastAttempt;
      if (TICKET_REFUSALS.has(e.alert)) this.#tickets.drop(attempt === '0rtt-psk' ? 'access' : 'refresh');
      if (!this.#options.resendRefusedEarlyData || !EARLY_REFUSALS.has(e.alert) || !isZeroRtt(attempt) || this.#closed) throw e;
      if (attempt === '0rtt-psk') this.#tickets.drop('access');
      return this.#attempt(request, true);
    }
  }

  /** One try, bounded by timeoutMs; on timeout, whatever this try opened is closed. */
  async #attempt(body: Uint8Array, fullHandshake: boolean): Promise<Uint8Array> {
    const mine = new Set<{ close(): void }>();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        for (const resource of mine) resource.close();
        reject(new Error(`MmtlsClient.request: no response within ${this.#options.timeoutMs} ms`));
      }, this.#options.timeoutMs);
    });
    try {
      const work = this.#options.http ? this.#shortLink(body, fullHandshake, mine) : this.#longLink(body, fullHandshake, mine);
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  #plan(fullHandshake = false): { mode: HandshakeMode; offerPsk: boolean } {
    const now = this.#ctx.now();
    if (fullHandshake) return { mode: '1rtt-ecdhe', offerPsk: true };
    const want = this.#options.mode;
    if (want === '0rtt-psk' && this.#tickets.usable('access', now)) return { mode: want, offerPsk: false };
    if (want === '1rtt-psk' && this.#tickets.usable('refresh', now)) return { mode: want, offerPsk: false };
    if (want === '0rtt-ecdhe') return { mode: want, offerPsk: false };
    return { mode: '1rtt-ecdhe', offerPsk: true };
  }

  async #longLink(body: Uint8Array, fullHandshake: boolean, mine: Set<{ close(): void }>): Promise<Uint8Array> {
    // One connection at a time: concurrent requests share the one being opened, and only the first
    // to find it broken opens the next.
    const opening = this.#link;
    let link = opening && (await opening.catch(() => undefined));
    if (link === undefined || link.broken) {
      if (link) this.#open.delete(link);
      if (this.#link === opening) this.#link = this.#openLink(fullHandshake);
      link = await this.#link!;
    }
    mine.add(link); // a request that times out takes its connection down with it
    return link.request(body);
  }

  async #openLink(fullHandshake: boolean): Promise<LongLink> {
    const plan = this.#plan(fullHandshake);
    this.lastAttempt = plan.mode;
    const link = await LongLink.open(this.#options.host, this.#options.port, (events) => this.#connection(events), plan, (mode) => this.#completed(mode));
    this.#open.add(link);
    if (this.#closed) link.close();
    return link;
  }

  async #shortLink(body: Uint8Array, fullHandshake: boolean, mine: Set<{ close(): void }>): Promise<Uint8Array> {
    const { host, port, uri } = this.#options;
    const http = await HttpConnection.open(host, port, DEFAULT_MAX_FRAME + 65536);
    const data: Uint8Array[] = [];
    let ended = false;
    const conn = this.#connection({ onData: (c) => data.push(c), onEnd: () => { ended = true; } });
    const resources = { close: () => { conn.dispose(); http.close(); } };
    this.#open.add(resources);
    mine.add(resources);
    if (this.#closed) resources.close();
    // Both POSTs of a 1-RTT exchange go to one path: the server keeps the handshake under it.
    const path = shortLinkPath(this.#ctx.provider.randomBytes(4));
    const exchange = async (out: Uint8Array) => {
      for (const record of splitRecords(await http.post(path, host, out))) conn.receive(record);
    };
    try {
      const plan = this.#plan(fullHandshake);
      this.lastAttempt = plan.mode;
      conn.start(plan.mode, { offerPsk: plan.offerPsk });
      const part = encodeDataPart({ uri, host, body });
      if (!isZeroRtt(plan.mode)) {
        await exchange(conn.takeOutput());
        if (conn.mode === undefined) throw new MmtlsError('unexpected_message', 'the server did not complete the handshake');
      }
      conn.sendApplicationData(part);
      conn.sendEnd();
      await exchange(conn.takeOutput());
      if (!ended || conn.mode === undefined) throw new MmtlsError('unexpected_message', 'the short-link response did not end with end_of_data');
      this.#completed(conn.mode);
      return concat(...data);
    } finally {
      this.#open.delete(resources);
      resources.close();
    }
  }

  #connection(events: ConnectionEvents): ClientConnection {
    return new ClientConnection(this.#ctx, events, this.#tickets);
  }

  #completed(mode: HandshakeMode): void {
    this.lastHandshake = { mode, resumed: isResumed(mode) };
  }

  /**
   * Closes every connection (wiping its keys), including those of requests in flight, which then
   * fail; wipes the tickets unless they were passed in.
   */
  async close(): Promise<void> {
    this.#closed = true;
    for (const resource of this.#open) resource.close();
    this.#open.clear();
    await this.#link?.catch(() => undefined); // a connection still opening is closed as it completes
    if (this.#ownsTickets) this.#tickets.clear();
  }
}

/** One long-link TCP connection: the handshake, then requests matched to responses by seq. */
class LongLink {
  broken = false;
  #seq = 0;
  readonly #pending = new Map<number, { resolve(b: Uint8Array): void; reject(e: Error): void }>();
  readonly #records = new RecordSplitter();
  readonly #frames: FrameSplitter;
  #handshake: { resolve(): void; reject(e: Error): void } | undefined;
  readonly #conn: ClientConnection;

  private constructor(private readonly socket: Socket, makeConn: (events: ConnectionEvents) => ClientConnection, maxFrame: number) {
    this.#frames = new FrameSplitter(maxFrame);
    this.#conn = makeConn({ onData: (chunk) => this.#frames.push(chunk).forEach((f) => this.#answer(f)), onEnd: () => this.#fail(new MmtlsError('close_notify', 'the server ended the long link')) });
    socket.on('data', (chunk: Buffer) => this.#receive(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
    socket.on('close', () => this.#fail(new Error('mmtls long link: the connection closed')));
    socket.on('error', (e) => this.#fail(e));
  }

  /** Connects and sends the first flight; resolves once requests may be sent (at once for 0-RTT). */
  static async open(
    host: string, port: number, makeConn: (events: ConnectionEvents) => ClientConnection, plan: { mode: HandshakeMode; offerPsk: boolean },
    completed: (mode: HandshakeMode) => void,
  ): Promise<LongLink> {
    const socket = await connectTcp(host, port);
    const link = new LongLink(socket, makeConn, DEFAULT_MAX_FRAME + 16);
    const done = new Promise<void>((resolve, reject) => { link.#handshake = { resolve, reject }; });
    done.then(() => completed(link.#conn.mode!), () => {});
    link.#conn.start(plan.mode, { offerPsk: plan.offerPsk });
    link.#flush();
    if (!isZeroRtt(plan.mode)) await done;
    return link;
  }

  request(body: Uint8Array): Promise<Uint8Array> {
    if (this.broken) return Promise.reject(new Error('mmtls long link: the connection is closed'));
    const seq = this.#seq;
    this.#seq = (this.#seq + 1) % 0xffffffff; // 0xFFFFFFFF is the keep-alive's seq
    const answer = new Promise<Uint8Array>((resolve, reject) => this.#pending.set(seq, { resolve, reject }));
    this.#conn.sendApplicationData(encodeFrame({ cmd: REQUEST_CMD, seq, body }));
    this.#flush();
    return answer;
  }

  close(): void {
    this.#fail(new Error('mmtls long link: closed by the client'));
  }

  #receive(chunk: Uint8Array): void {
    try {
      for (const record of this.#records.push(chunk)) {
        this.#conn.receive(record);
        if (this.#conn.established) this.#handshake?.resolve();
        this.#flush();
      }
    } catch (e) {
      this.#fail(e instanceof Error ? e : new Error(String(e)));
    }
  }

  #answer(frame: Frame): void {
    const waiting = this.#pending.get(frame.seq);
    if (waiting === undefined || frame.cmd !== REQUEST_CMD + RESPONSE_OFFSET) {
      throw new MmtlsError('unexpected_message', `a long-link answer (cmd ${frame.cmd}, seq ${frame.seq}) to no request`);
    }
    this.#pending.delete(frame.seq);
    waiting.resolve(frame.body);
  }

  #flush(): void {
    const out = this.#conn.takeOutput();
    if (out.length > 0 && !this.socket.destroyed) this.socket.write(out);
  }

  #fail(e: Error): void {
    if (this.broken) return;
    this.broken = true;
    this.socket.destroy();
    this.#conn.dispose();
    this.#handshake?.reject(e);
    for (const waiting of this.#pending.values()) waiting.reject(e);
    this.#pending.clear();
  }
}

function isZeroRtt(mode: HandshakeMode | undefined): boolean {
  return mode === '0rtt-psk' || mode === '0rtt-ecdhe';
}
