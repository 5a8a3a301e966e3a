// MmtlsServer: one set of keys, tickets and replay register behind any number of listeners — a
// long-link TCP port and a short-link HTTP port, say (Node only).

import type { Server as HttpServer } from 'node:http';
import type { Server as NetServer, Socket } from 'node:net';
import { bytesOfLength } from '../../errors.js';
import { wasmProvider } from '../../provider/wasm.js';
import type { CryptoProvider } from '../../provider/types.js';
import { DEFAULT_REPLAY_WINDOW_SECONDS, type ServerContext } from '../protocol/server-context.js';
import { MemoryReplayStore, type ReplayStore } from '../replay/replay-store.js';
import { MemoryTicketKeys, type TicketKeyStore } from '../ticket/ticket-keys.js';
import { DEFAULT_MAX_FRAME } from './long-link.js';
import { serveLongLink } from './long-link-server.js';
import type { RequestHandler } from './server-options.js';
import { ShortLinkServer } from './short-link-server.js';

export interface MmtlsServerOptions {
  /** The ECDSA P-256 signing key: a 32-byte scalar (generateServerKeys().signingKey). */
  readonly signingKey: Uint8Array;
  readonly handler: RequestHandler;
  /** The 0-RTT strike register; default a MemoryReplayStore (one process). */
  readonly replayStore?: ReplayStore;
  /** Ticket keys; default MemoryTicketKeys (tickets open on this process only). */
  readonly ticketKeys?: TicketKeyStore;
  /** Refuse new ECDHE handshakes (PSK resumption only): a fixed answer or one asked per handshake. */
  readonly overload?: boolean | (() => boolean);
  /** 0-RTT timestamps further than this from the server clock are refused. Default 30 s. */
  readonly replayWindowSeconds?: number;
  /** Largest request (long-link frame or short-link body). Default 16 MiB. */
  readonly maxRequestBytes?: number;
  /** A long-link connection must complete its handshake within this time. Default 10 s. */
  readonly handshakeTimeoutMs?: number;
  /** A long-link connection idle this long is closed. Default 5 min. */
  readonly idleTimeoutMs?: number;
  /** Short link: half-done 1-RTT handshakes kept at once (beyond it, `overloaded`). Default 10,000. */
  readonly maxPendingHandshakes?: number;
  /** Default: wirecrypt's wasm engine. */
  readonly provider?: CryptoProvider;
  /** The clock (ms since the epoch); for tests. */
  readonly now?: () => number;
}

export interface MmtlsListenOptions {
  readonly host?: string;
  readonly port?: number;
  /** Short link (HTTP POST /mmtls/…) instead of the long link (raw TCP). */
  readonly http?: boolean;
}

export class MmtlsServer {
  /** Set to true to refuse new ECDHE handshakes; PSK resumption goes on. */
  overloaded: boolean;
  readonly #ctx: ServerContext;
  readonly #handler: RequestHandler;
  readonly #maxRequest: number;
  readonly #limits: { handshakeTimeoutMs: number; idleTimeoutMs: number; maxPendingHandshakes: number };
  readonly #listeners: (NetServer | HttpServer)[] = [];
  readonly #sockets = new Set<Socket>();
  readonly #shortLinks: ShortLinkServer[] = [];
  readonly #ownsStores: boolean[];
  #closed = false;

  constructor(options: MmtlsServerOptions) {
    const fn = 'MmtlsServer';
    if (typeof options !== 'object' || options === null) throw new TypeError(`${fn}: options must be an object`);
    if (typeof options.handler !== 'function') throw new TypeError(`${fn}: options.handler must be a function`);
    const provider = options.provider ?? wasmProvider;
    const signingKey = bytesOfLength(options.signingKey, 32, fn, 'signingKey').slice();
    provider.signature('P-256').publicKey(signingKey); // refuses a scalar outside [1, n - 1] now, not at the first handshake
    const window = options.replayWindowSeconds ?? DEFAULT_REPLAY_WINDOW_SECONDS;
    if (!Number.isInteger(window) || window < 1 || window > 3600) throw new RangeError(`${fn}: replayWindowSeconds must be an integer in [1, 3600]`);
    this.#maxRequest = options.maxRequestBytes ?? DEFAULT_MAX_FRAME;
    if (!Number.isInteger(this.#maxRequest) || this.#maxRequest < 1) throw new RangeError(`${fn}: maxRequestBytes must be a positive integer`);
    const positive = (v: number | undefined, fallback: number, name: string) => {
      const x = v ?? fallback;
      if (!Number.isInteger(x) || x < 1) throw new RangeError(`${fn}: ${name} must be a positive integer`);
      return x;
    };
    this.#limits = {
      handshakeTimeoutMs: positive(options.handshakeTimeoutMs, 10_000, 'handshakeTimeoutMs'),
      idleTimeoutMs: positive(options.idleTimeoutMs, 300_000, 'idleTimeoutMs'),
      maxPendingHandshakes: positive(options.maxPendingHandshakes, 10_000, 'maxPendingHandshakes'),
    };
    const overload = options.overload;
    const now = options.now ?? Date.now;
    this.overloaded = overload === true;
    this.#handler = options.handler;
    this.#ownsStores = [options.replayStore === undefined, options.ticketKeys === undefined];
    this.#ctx = {
      provider,
      signingKey,
      ticketKeys: options.ticketKeys ?? new MemoryTicketKeys(provider),
      replayStore: options.replayStore ?? new MemoryReplayStore(now),
      replayWindowSeconds: window,
      overloaded: typeof overload === 'function' ? () => this.overloaded || overload() : () => this.overloaded,
      now,
    };
  }

  /** Starts one more listener; resolves the port it got. */
  async listen(options: MmtlsListenOptions = {}): Promise<{ port: number }> {
    if (this.#closed) throw new Error('MmtlsServer.listen: the server is closed');
    const { host = '127.0.0.1', port = 0, http = false } = options;
    let listener: NetServer | HttpServer;
    // Imported here, not at load: 'wirecrypt' carries mmtls as a namespace, and most users never listen.
    if (http) {
      const { createServer: createHttpServer } = await import('node:http');
      const shortLink = new ShortLinkServer(this.#ctx, this.#handler, {
        maxBody: this.#maxRequest + 65536, maxPending: this.#limits.maxPendingHandshakes, pendingTimeoutMs: this.#limits.handshakeTimeoutMs,
      });
      this.#shortLinks.push(shortLink);
      listener = createHttpServer({ keepAliveTimeout: 30_000 }, (req, res) => {
        shortLink.handle(req, res).catch(() => res.destroy());
      });
    } else {
      const { createServer: createNetServer } = await import('node:net');
      const limits = { maxFrame: this.#maxRequest + 16, handshakeTimeoutMs: this.#limits.handshakeTimeoutMs, idleTimeoutMs: this.#limits.idleTimeoutMs };
      listener = createNetServer((socket) => serveLongLink(socket, this.#ctx, this.#handler, limits));
    }
    listener.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => listener.once('error', reject).listen(port, host, () => resolve()));
    this.#listeners.push(listener);
    return { port: (listener.address() as { port: number }).port };
  }

  /** Stops every listener, closes every connection (wiping its keys) and the stores it created. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const stopped = this.#listeners.map((l) => new Promise((resolve) => l.close(resolve)));
    for (const socket of this.#sockets) socket.destroy();
    for (const shortLink of this.#shortLinks) shortLink.close();
    await Promise.all(stopped);
    if (this.#ownsStores[0]) await this.#ctx.replayStore.close();
    if (this.#ownsStores[1]) await this.#ctx.ticketKeys.close();
    this.#ctx.signingKey.fill(0);
  }
}
