// The HTTP transport (spec §8.9) and the WebSocket endpoint (§8.8) of MtprotoServer, on node:http
// and ws. Node only.
//
// POST /api: the body is one packet, no framing. A plain message (auth_key_id = 0) is a handshake
// step, answered at once; handshakes are told apart by their nonce (every client handshake message
// starts with constructor ‖ nonce), since consecutive requests may come over different
// connections. An encrypted packet binds the request to its session: the answer is the session's
// next packet, sent when it is the request's turn (oldest parked first) — after max_delay once
// something is queued, at the latest after max_wait with an empty container; wait_after restarts the
// delay while messages keep coming. Defaults without http_wait: 0, 0, 25000 ms.
// Errors: unknown auth key → status 404 with the 4-byte −404 body; a packet that fails decryption →
// the connection is closed without an answer; anything else malformed → 400.
//
// GET /apiws with Upgrade: websocket and subprotocol "binary": a StreamConnection over binary
// messages, which must speak obfuscated2. The close code is always 1000, the reason a decimal error.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodePlainMessage, encodePlainMessage } from '../auth/plain-message.js';
import type { ServerHandshake } from '../auth/server-handshake.js';
import { MtprotoError } from '../errors.js';
import { StreamConnection } from './connection.js';
import type { HttpWait, Origin, ServerCore } from './core.js';
import type { SessionHandle, Sink } from './keys.js';

const DEFAULT_WAIT: HttpWait = { maxDelay: 0, waitAfter: 0, maxWait: 25_000 };
/** Handshakes idle this long are forgotten (ms); the server answers −404 and the client restarts. */
const HANDSHAKE_TTL = 5 * 60_000;
const MAX_HANDSHAKES = 10_000;

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type',
  'Access-Control-Max-Age': '86400',
};

export interface HttpEndpointOptions {
  readonly maxFrameLength: number;
  /** Connections to close with the server. */
  readonly track: (close: () => void) => () => void;
}

export class HttpEndpoint {
  readonly #core: ServerCore;
  readonly #options: HttpEndpointOptions;
  readonly #handshakes = new Map<string, { handshake: ServerHandshake; at: number }>();
  readonly #wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => (protocols.has('binary') ? 'binary' : false) });

  constructor(core: ServerCore, options: HttpEndpointOptions) {
    this.#core = core;
    this.#options = options;
  }

  /** node:http 'request' listener. */
  request(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'OPTIONS') return void res.writeHead(204, CORS).end();
    if (path !== '/api' || req.method !== 'POST') return void res.writeHead(404, CORS).end();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > this.#options.maxFrameLength + 64) {
        res.writeHead(413, { ...CORS, Connection: 'close' }).end();
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (res.writableEnded) return;
      const body = new Uint8Array(Buffer.concat(chunks));
      this.#packet(body, req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500, CORS).end();
      });
    });
  }

  async #packet(body: Uint8Array, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (body.length < 8) return void res.writeHead(400, CORS).end();
    if (body.subarray(0, 8).every((b) => b === 0)) return this.#plain(body, res);
    const exchange = new HttpExchange(req, res);
    await this.#core.handleEncrypted(exchange, body);
    if (exchange.done || exchange.handle === null) return;
    const handle = exchange.handle;
    let sink: HttpSink;
    if (handle.sink instanceof HttpSink) {
      sink = handle.sink;
    } else {
      sink = new HttpSink(this.#core, handle);
      handle.sink = sink;
    }
    sink.park(res, exchange.wait ?? DEFAULT_WAIT);
  }

  /** One handshake step over HTTP. */
  #plain(packet: Uint8Array, res: ServerResponse): void {
    const fail = (code: number): void => void res.writeHead(404, { ...CORS, 'Content-Type': 'application/octet-stream' }).end(transportErrorBody(code));
    let body: Uint8Array;
    try {
      body = decodePlainMessage(packet, { from: 'client' }).body;
    } catch {
      return void res.writeHead(400, CORS).end();
    }
    if (body.length < 20) return fail(404);
    const nonce = hex(body.subarray(4, 20));
    this.#expireHandshakes();
    const known = this.#handshakes.get(nonce);
    const handshake = known?.handshake ?? this.#core.newHandshake();
    let step;
    try {
      step = handshake.receive(body);
    } catch (error) {
      if (known === undefined) return fail(404);
      return fail(error instanceof MtprotoError && error.code === 'handshake-wrong-dc' ? 444 : 404);
    }
    if (step.done !== undefined) this.#handshakes.delete(nonce);
    else if (this.#handshakes.size < MAX_HANDSHAKES) this.#handshakes.set(nonce, { handshake, at: Date.now() });
    const answer = async (): Promise<void> => {
      if (step.done !== undefined && !(await this.#core.registerKey(step.done))) return fail(404);
      const out = encodePlainMessage(this.#core.msgIds.next('response'), step.send);
      res.writeHead(200, { ...CORS, 'Content-Type': 'application/octet-stream', 'Content-Length': out.length }).end(out);
    };
    void answer().catch(() => fail(404));
  }

  #expireHandshakes(): void {
    const now = Date.now();
    for (const [nonce, h] of this.#handshakes) if (now - h.at > HANDSHAKE_TTL) this.#handshakes.delete(nonce);
  }

  /** node:http 'upgrade' listener: WebSocket on /apiws with the "binary" subprotocol. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '').split('?')[0];
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (path !== '/apiws' || !protocols.includes('binary')) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws: WebSocket) => this.#websocket(ws));
  }

  #websocket(ws: WebSocket): void {
    const connection = new StreamConnection(this.#core, {
      write: (bytes) => ws.send(bytes),
      end: (reason) => ws.close(1000, reason ?? '0'),
    }, { kind: 'websocket', maxFrameLength: this.#options.maxFrameLength });
    const untrack = this.#options.track(() => {
      connection.close();
      ws.terminate();
    });
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return connection.close('400');
      connection.data(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    });
    ws.on('close', () => {
      untrack();
      connection.closed();
    });
    ws.on('error', () => ws.terminate());
  }

  /** Forgets the handshakes and closes the WebSocket endpoint (parked requests close with their sockets). */
  close(): void {
    this.#handshakes.clear();
    this.#wss.close();
  }
}

/** The Origin of one POST: where the core's verdict about the packet goes. */
class HttpExchange implements Origin {
  readonly transport = 'http';
  handle: SessionHandle | null = null;
  wait: HttpWait | undefined;
  done = false;

  constructor(readonly req: IncomingMessage, readonly res: ServerResponse) {}

  transportError(code: number): void {
    this.done = true;
    this.res.writeHead(code === 404 ? 404 : 429, { ...CORS, 'Content-Type': 'application/octet-stream' }).end(transportErrorBody(code));
  }

  drop(): void {
    this.done = true;
    this.req.socket.destroy();
  }

  attach(handle: SessionHandle): void {
    this.handle = handle;
  }

  httpWait(wait: HttpWait): void {
    this.wait = wait; // several in one packet: the last wins (spec §8.9)
  }
}

interface Parked {
  readonly res: ServerResponse;
  readonly wait: HttpWait;
  readonly deadline: ReturnType<typeof setTimeout>;
  delay: ReturnType<typeof setTimeout> | null;
}

/** A session's parked requests: its Sink while it is served over HTTP. */
class HttpSink implements Sink {
  readonly #core: ServerCore;
  readonly #handle: SessionHandle;
  #parked: Parked[] = [];

  constructor(core: ServerCore, handle: SessionHandle) {
    this.#core = core;
    this.#handle = handle;
  }

  get live(): boolean {
    return this.#parked.length > 0;
  }

  park(res: ServerResponse, wait: HttpWait): void {
    const maxWait = clamp(wait.maxWait, 0, 60_000);
    const p: Parked = {
      res,
      wait,
      delay: null,
      deadline: setTimeout(() => this.#answer(p, true), maxWait),
    };
    res.on('close', () => this.#unpark(p));
    this.#parked.push(p);
    this.wake(this.#handle);
  }

  wake(handle: SessionHandle): void {
    const p = this.#parked[0];
    if (p === undefined || handle !== this.#handle || !handle.session.hasOutgoing(true)) return;
    // max_delay: wait this long once something is queued; wait_after: restart while more comes.
    const delay = Math.max(clamp(p.wait.maxDelay, 0, 60_000), clamp(p.wait.waitAfter, 0, 60_000));
    if (p.delay !== null) {
      if (p.wait.waitAfter <= 0) return;
      clearTimeout(p.delay);
    }
    p.delay = setTimeout(() => this.#answer(p, false), delay);
  }

  #answer(p: Parked, timedOut: boolean): void {
    this.#unpark(p);
    if (p.res.writableEnded || p.res.destroyed) return;
    const packet = this.#core.nextPacket(this.#handle, { acksAlone: true, emptyContainer: timedOut });
    if (packet === null) {
      p.res.writeHead(204, CORS).end();
    } else {
      p.res.writeHead(200, { ...CORS, 'Content-Type': 'application/octet-stream', 'Content-Length': packet.length }).end(packet);
    }
    // Whatever did not fit goes to the next parked request.
    if (this.#handle.session.hasOutgoing(true)) this.wake(this.#handle);
  }

  #unpark(p: Parked): void {
    clearTimeout(p.deadline);
    if (p.delay !== null) clearTimeout(p.delay);
    this.#parked = this.#parked.filter((x) => x !== p);
  }
}

function clamp(value: number, min: number, max: number): number {
  return Number.isFinite(value) ? Math.min(Math.max(value, min), max) : min;
}

function transportErrorBody(code: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, -code, true);
  return out;
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
