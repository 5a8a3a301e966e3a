// MtprotoServer (issue 10, "Real components"): an MTProto 2.0 server on node:net, node:http and
// ws, with the application's RPC handlers. Node only.
//
//   const server = new MtprotoServer({ rsaPrivateKey, handlers: { [0x12345678]: (body, ctx) => result } });
//   const { port } = await server.listen({ host: '127.0.0.1', port: 0, http: true });
//   …
//   await server.close();
//
// One TCP port serves every TCP transport (abridged, intermediate, padded intermediate, full,
// obfuscated2 over the first three), told apart by their first bytes (spec §8, detectTransport);
// with `http: true` the same port also serves HTTP POST /api and WebSocket /apiws (an HTTP request
// is recognised by its first bytes and handed to node:http).
//
// The server answers itself: auth-key creation (permanent and temporary keys), every service
// message, salts (bad_server_salt, get_future_salts), auth.bindTempAuthKey, destroy_session and
// destroy_auth_key. Everything else is an RPC query for handlers[constructor id]:
//   no handler                 → rpc_error 400 METHOD_INVALID
//   handler throws MtprotoRpcError(code, message) → rpc_error code message
//   handler throws anything else → rpc_error 500 INTERNAL
//   unbound temporary key      → rpc_error 401 AUTH_KEY_PERM_EMPTY (api/pfs)
// Keys, bindings, salts, the sessions announced and their unacknowledged messages live in the
// AuthKeyStore (default: in memory); the rest of the session state (received ids, queues) lives in
// this process (see keys.ts, core.ts).

import { type Server as HttpServer, createServer as createHttpServer } from 'node:http';
import { type Server as NetServer, type Socket, createServer as createNetServer } from 'node:net';
import type { CryptoProvider } from '../../provider/types.js';
import { wasmProvider } from '../../provider/wasm.js';
import type { Clock } from '../auth/types.js';
import { systemClock } from '../auth/types.js';
import type { RsaPrivateKey } from '../auth/rsa.js';
import { DEFAULT_MAX_FRAME_LENGTH } from '../transport/codec.js';
import { StreamConnection } from './connection.js';
import { type RpcHandler, ServerCore } from './core.js';
import type { HttpEndpoint } from './http.js';
import { MemoryAuthKeyStore } from './memory-store.js';
import type { AuthKeyStore } from './store.js';

export type { RpcContext, RpcHandler } from './core.js';
export { MtprotoRpcError } from '../session/rpc-error.js';

export interface MtprotoServerOptions {
  /** The server's RSA private key(s), PEM (PKCS#1 or PKCS#8), 2048-bit; every fingerprint is offered. */
  readonly rsaPrivateKey: string | RsaPrivateKey | readonly (string | RsaPrivateKey)[];
  /** RPC handlers by constructor id. */
  readonly handlers: Readonly<Record<number, RpcHandler>>;
  /** Where keys, salts and sessions are kept (default: a MemoryAuthKeyStore of this server's own). */
  readonly authKeyStore?: AuthKeyStore;
  /** Default wasmProvider. */
  readonly provider?: CryptoProvider;
  /** Largest packet accepted, bytes (default 16 MiB). */
  readonly maxFrameLength?: number;
  /** Cap on a gzip_packed's decompressed size (default 4 MiB). */
  readonly maxGzipSize?: number;
  /**
   * Keep each session's unacknowledged messages in `authKeyStore` from before they first go out
   * until acknowledged, so they follow the session to another process of the fleet (or across a
   * restart, with FileAuthKeyStore) — see held.ts. Costs one store write per batch of answers and
   * one per acknowledgement (with FileAuthKeyStore an fsynced rewrite each). Default: true for a
   * store other processes read (`sharedAcrossProcesses`: RedisAuthKeyStore), false otherwise; a
   * server's own in-memory store never holds (no other process can read it).
   */
  readonly holdUnacknowledged?: boolean;
  /** Unix seconds; for tests. */
  readonly now?: Clock;
}

export interface ListenOptions {
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Also serve HTTP POST /api and WebSocket /apiws on this port. */
  readonly http?: boolean;
}

const SWEEP_INTERVAL = 60_000;

export class MtprotoServer {
  readonly #core: ServerCore;
  readonly #ownStore: boolean;
  readonly #maxFrameLength: number;
  readonly #open = new Set<() => void>();
  #net: NetServer | null = null;
  #http: HttpServer | null = null;
  #endpoint: HttpEndpoint | null = null;
  #sweep: ReturnType<typeof setInterval> | null = null;
  #closed = false;

  constructor(options: MtprotoServerOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('MtprotoServer: options must be an object');
    const provider = options.provider ?? wasmProvider;
    this.#ownStore = options.authKeyStore === undefined;
    const { holdUnacknowledged } = options;
    if (holdUnacknowledged !== undefined && typeof holdUnacknowledged !== 'boolean') throw new TypeError('MtprotoServer: holdUnacknowledged must be a boolean');
    this.#maxFrameLength = options.maxFrameLength ?? DEFAULT_MAX_FRAME_LENGTH;
    this.#core = new ServerCore({
      provider,
      rsaPrivateKey: options.rsaPrivateKey,
      handlers: options.handlers,
      store: options.authKeyStore ?? new MemoryAuthKeyStore(),
      now: options.now ?? systemClock,
      maxGzipSize: options.maxGzipSize,
      // Held messages are for other processes (held.ts); none can read a store made here.
      holdOutgoing: !this.#ownStore && (holdUnacknowledged ?? options.authKeyStore?.sharedAcrossProcesses === true),
    });
  }

  /** Auth keys created by handshakes on this server since it started. */
  get keysCreated(): number {
    return this.#core.keysCreated;
  }

  /** Open connections (TCP and WebSocket). */
  get connections(): number {
    return this.#open.size;
  }

  /** Starts listening; resolves with the port (the chosen one when `port` was 0). */
  async listen(options: ListenOptions): Promise<{ port: number }> {
    if (this.#closed) throw new TypeError('MtprotoServer.listen: the server was closed');
    if (this.#net !== null) throw new TypeError('MtprotoServer.listen: already listening');
    if (options.http) {
      // Loaded here: it pulls in `ws`, which a TCP-only server (and every other user of wirecrypt)
      // should not pay for at import.
      const { HttpEndpoint } = await import('./http.js');
      const endpoint = new HttpEndpoint(this.#core, { maxFrameLength: this.#maxFrameLength, track: (close) => this.#track(close) });
      const http = createHttpServer((req, res) => endpoint.request(req, res));
      http.on('upgrade', (req, socket, head) => endpoint.upgrade(req, socket, head));
      http.on('clientError', (_error, socket) => socket.destroy());
      http.requestTimeout = 0; // long polls may last max_wait
      this.#endpoint = endpoint;
      this.#http = http;
    }
    const net = createNetServer((socket) => this.#socket(socket));
    this.#net = net;
    await new Promise<void>((resolve, reject) => {
      net.once('error', reject);
      net.listen(options.port, options.host, () => {
        net.off('error', reject);
        resolve();
      });
    });
    this.#sweep = setInterval(() => this.#core.keys.sweep(), SWEEP_INTERVAL);
    this.#sweep.unref();
    const address = net.address();
    return { port: typeof address === 'object' && address !== null ? address.port : options.port };
  }

  #track(close: () => void): () => void {
    this.#open.add(close);
    return () => this.#open.delete(close);
  }

  #socket(socket: Socket): void {
    socket.setNoDelay(true);
    const untrack = this.#track(() => socket.destroy());
    const http = this.#http;
    const connection = new StreamConnection(this.#core, {
      write: (bytes) => void socket.write(bytes),
      end: () => void socket.end(),
    }, {
      kind: 'tcp',
      maxFrameLength: this.#maxFrameLength,
      onHttp: http === null ? undefined : (head) => {
        // Hand the socket, with the bytes already read, to node:http (spec §8.9 on the same port).
        socket.off('data', onData);
        socket.off('close', onClose);
        socket.pause();
        socket.unshift(Buffer.from(head.buffer, head.byteOffset, head.byteLength));
        http.emit('connection', socket);
        socket.resume();
      },
    });
    const onData = (chunk: Buffer): void => connection.data(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    const onClose = (): void => connection.closed();
    socket.on('data', onData);
    socket.on('close', () => untrack());
    socket.on('close', onClose);
    socket.on('error', () => socket.destroy());
  }

  /** Stops listening, closes every connection, wipes every key from memory. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#sweep !== null) clearInterval(this.#sweep);
    const net = this.#net;
    const http = this.#http;
    const closing = net === null ? Promise.resolve() : new Promise<void>((resolve) => net.close(() => resolve()));
    this.#endpoint?.close();
    for (const close of [...this.#open]) close();
    this.#open.clear();
    http?.closeAllConnections();
    http?.close();
    await closing;
    this.#core.close();
    if (this.#ownStore) await this.#core.store.close();
  }
}
