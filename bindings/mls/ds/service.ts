// DeliveryService: the MLS delivery service (RFC 9420 §3; what XMTP's nodes do for their clients,
// ../shared/specs/mls.md §12) on node:http and ws, one port. Node only; `ws` is loaded on listen().
//
//   const service = new DeliveryService({ store: new RedisDeliveryStore({ redis: url }) });
//   const { url } = await service.listen({ port: 8080 });
//
// It is the "strongly consistent" DS: it orders each group's handshake and application messages in
// one log and refuses a second Commit for an epoch it has already ordered, so every member applies
// the same Commit. It sees only ciphertext and public framing (inspect.ts says what it checks and
// what it cannot) and keeps what store.ts lists, nothing more. Several processes share one state
// through a shared store; pushes reach subscribers of every process (the store's watch()).
//
// The API (JSON bodies and answers, bytes in base64, epochs as decimal strings; CORS open, so a
// page on another origin can use it):
//   POST /v1/key-packages                 body: KeyPackage bytes (application/octet-stream) → 201 { installation }
//   POST /v1/key-packages/claim           { installations: [hex] } → { keyPackages: [base64 | null] }, one each, consumed
//   POST /v1/groups/<group>/messages      { message, welcome?, welcomeTo?: [hex] } → 201 { seq, epoch }
//   GET  /v1/groups/<group>/messages?after=<seq>&limit=<n>  → { messages: [{ seq, epoch, type, data }], epoch, seq }
//   GET  /v1/welcomes/<installation>?after=<cursor>&limit=<n> → { welcomes: [{ cursor, group, seq, data }] }
//   GET  /v1/ws (WebSocket, subprotocol wirecrypt-ds.v1): subscribe to groups and mailboxes from a
//        cursor; the service pushes everything after it, in order, then each new entry (wire.ts)
// Errors: { error: { code, message, epoch? } } with the status of errors.ts's STATUS_OF.

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import type { CryptoProvider } from '../../provider/types.js';
import { wasmProvider } from '../../provider/wasm.js';
import { DeliveryError, STATUS_OF } from './errors.js';
import { checkKeyPackage, checkWelcome, framingOf } from './inspect.js';
import { MemoryDeliveryStore } from './memory-store.js';
import type { DeliveryStore, LogEntry, StoreChange, WelcomeEntry } from './store.js';
import {
  type ClientRequest, type ServerPush, type WireLogEntry, type WireWelcome, WS_PATH, WS_PROTOCOL, fromBase64, isHexId, toBase64,
} from './wire.js';

export interface DeliveryServiceOptions {
  /** Where state lives; default a MemoryDeliveryStore (this process only). Closed with the service only if created by it. */
  readonly store?: DeliveryStore;
  /** For KeyPackage signatures; default wirecrypt's wasm engine. */
  readonly provider?: CryptoProvider;
  /** Largest request body (bytes, before base64 is undone); default 8 MiB. */
  readonly maxBodyBytes?: number;
  /** Most log entries or Welcomes answered (or pushed) at once; default 500. */
  readonly pageLimit?: number;
  /** The clock (ms since the Unix epoch), for KeyPackage lifetimes; for tests. */
  readonly now?: () => number;
}

export interface DeliveryListenOptions {
  readonly host?: string;
  readonly port?: number;
}

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type',
  'Access-Control-Max-Age': '86400',
};
const MAX_GROUP_ID = 255;
const MAX_INSTALLATION_ID = 256;
const MAX_CLAIM = 1000;
const CURSOR = /^\d{1,20}-\d{1,20}$/;

/** One subscription of one WebSocket: everything after `cursor` has been sent. */
interface Subscription {
  readonly kind: 'group' | 'welcome';
  readonly id: string;
  readonly ws: WebSocket;
  cursor: number | string | undefined;
  busy: boolean;
  again: boolean;
  closed: boolean;
}

export class DeliveryService {
  readonly #store: DeliveryStore;
  readonly #ownsStore: boolean;
  readonly #provider: CryptoProvider;
  readonly #maxBody: number;
  readonly #pageLimit: number;
  readonly #now: () => number;
  readonly #servers: Server[] = [];
  readonly #sockets = new Set<Socket>();
  /** group or mailbox id → the subscriptions to push its changes to (all WebSockets of this process). */
  readonly #subscriptions = new Map<string, Set<Subscription>>();
  #wss: WebSocketServer | undefined;
  #unwatch: Promise<() => void> | undefined;
  #closed = false;

  constructor(options: DeliveryServiceOptions = {}) {
    this.#ownsStore = options.store === undefined;
    this.#store = options.store ?? new MemoryDeliveryStore();
    this.#provider = options.provider ?? wasmProvider;
    this.#maxBody = options.maxBodyBytes ?? 8 << 20;
    this.#pageLimit = options.pageLimit ?? 500;
    this.#now = options.now ?? Date.now;
  }

  /** Starts listening (default 127.0.0.1, a free port); resolves the base URL for DeliveryClient. */
  async listen(options: DeliveryListenOptions = {}): Promise<{ url: string; host: string; port: number }> {
    if (this.#closed) throw new Error('DeliveryService: closed');
    if (this.#wss === undefined) {
      const { WebSocketServer: Wss } = await import('ws');
      this.#wss = new Wss({ noServer: true, maxPayload: 1 << 20, handleProtocols: (p) => (p.has(WS_PROTOCOL) ? WS_PROTOCOL : false) });
    }
    this.#unwatch ??= this.#store.watch((change) => this.#changed(change));
    await this.#unwatch;
    // node:http is loaded here, not at import: 'wirecrypt' carries this class in its mls namespace.
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => this.#request(req, res));
    server.on('upgrade', (req, socket, head) => this.#upgrade(req, socket, head));
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(options.port ?? 0, host, () => resolve()));
    this.#servers.push(server);
    const { port } = server.address() as AddressInfo;
    return { url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, host, port };
  }

  /** Stops listening, closes every connection, and closes the store if the service made it. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const subs of this.#subscriptions.values()) for (const s of subs) s.closed = true;
    this.#subscriptions.clear();
    for (const ws of this.#wss?.clients ?? []) ws.terminate();
    for (const socket of this.#sockets) socket.destroy();
    await Promise.all(this.#servers.map((s) => new Promise((resolve) => s.close(resolve))));
    if (this.#unwatch !== undefined) (await this.#unwatch.catch(() => () => {}))();
    if (this.#ownsStore) await this.#store.close();
  }

  // ---- HTTP ----------------------------------------------------------------------------------------

  #request(req: IncomingMessage, res: ServerResponse): void {
    this.#route(req, res).catch((e: unknown) => {
      const error = e instanceof DeliveryError ? e
        // Anything else is the store's failure (or ours): nothing was acknowledged, the client may retry.
        : new DeliveryError('unavailable', 'the service could not complete the request', { cause: e });
      if (res.headersSent) return void res.destroy();
      const body: Record<string, unknown> = { code: error.code, message: error.message };
      if (error.epoch !== undefined) body.epoch = error.epoch.toString();
      json(res, STATUS_OF[error.code], { error: body });
    });
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://ds');
    const parts = url.pathname.split('/').filter((p) => p !== '');
    const method = req.method ?? 'GET';
    if (method === 'OPTIONS') return void res.writeHead(204, CORS).end();
    if (parts[0] !== 'v1') throw notFound();
    const route = `${method} ${parts.slice(1).map((p, i) => (i === 1 && (parts[1] === 'groups' || parts[1] === 'welcomes') ? ':id' : p)).join('/')}`;
    switch (route) {
      case 'POST key-packages': {
        const checked = checkKeyPackage(await this.#body(req), this.#provider, BigInt(Math.floor(this.#now() / 1000)));
        await this.#store.addKeyPackage(checked.installation, checked.message);
        return json(res, 201, { installation: checked.installation });
      }
      case 'POST key-packages/claim': {
        const { installations } = await this.#json(req);
        if (!Array.isArray(installations) || installations.length > MAX_CLAIM || !installations.every((i) => isHexId(i, MAX_INSTALLATION_ID))) {
          throw new DeliveryError('bad-request', `installations: up to ${MAX_CLAIM} hex ids`);
        }
        // In request order, an empty slot where none is left (as XMTP's nodes answer).
        const keyPackages: (string | null)[] = [];
        for (const i of installations as string[]) {
          const kp = await this.#store.takeKeyPackage(i);
          keyPackages.push(kp === undefined ? null : toBase64(kp));
        }
        return json(res, 200, { keyPackages });
      }
      case 'POST groups/:id/messages':
        return json(res, 201, await this.#publish(groupParam(parts[2]), await this.#json(req)));
      case 'GET groups/:id/messages': {
        const group = groupParam(parts[2]);
        const page = await this.#store.read(group, intParam(url, 'after', 0), this.#limit(url));
        return json(res, 200, { messages: page.entries.map(wireEntry), epoch: page.epoch?.toString() ?? null, seq: page.seq });
      }
      case 'GET welcomes/:id': {
        const installation = parts[2];
        if (!isHexId(installation, MAX_INSTALLATION_ID)) throw new DeliveryError('bad-request', 'the installation id is not hex');
        const after = url.searchParams.get('after') ?? undefined;
        if (after !== undefined && !CURSOR.test(after)) throw new DeliveryError('bad-request', 'after: a mailbox cursor');
        const welcomes = await this.#store.readWelcomes(installation, after, this.#limit(url));
        return json(res, 200, { welcomes: welcomes.map(wireWelcome) });
      }
      default:
        throw notFound();
    }
  }

  /** ?limit=, within 1 … pageLimit. */
  #limit(url: URL): number {
    return Math.max(1, Math.min(intParam(url, 'limit', this.#pageLimit), this.#pageLimit));
  }

  /** A group message (and the Welcome of a Commit), checked against its public framing, then ordered. */
  async #publish(group: string, body: Record<string, unknown>): Promise<{ seq: number; epoch: string }> {
    const message = base64Field(body.message, 'message');
    const framing = framingOf(message);
    if (framing.group !== group) throw new DeliveryError('invalid-message', "the message's group_id is not the group of the URL");
    let welcome: { data: Uint8Array; to: string[] } | undefined;
    if (body.welcome !== undefined) {
      if (framing.type !== 'commit') throw new DeliveryError('invalid-welcome', 'a Welcome travels with the Commit that makes it');
      const data = base64Field(body.welcome, 'welcome');
      checkWelcome(data);
      const to = body.welcomeTo;
      if (!Array.isArray(to) || to.length === 0 || to.length > MAX_CLAIM || !to.every((i) => isHexId(i, MAX_INSTALLATION_ID))) {
        throw new DeliveryError('invalid-welcome', 'welcomeTo: the installations (hex ids) to deliver the Welcome to');
      }
      welcome = { data, to: to as string[] };
    }
    const result = await this.#store.append(group, { epoch: framing.epoch, type: framing.type, data: message }, welcome);
    if (!result.accepted) {
      const why = result.reason === 'epoch-conflict' ? `a Commit for epoch ${framing.epoch} was already accepted`
        : result.reason === 'stale-epoch' ? `epoch ${framing.epoch} has ended` : `the group is at epoch ${result.epoch}, not ${framing.epoch}`;
      throw new DeliveryError(result.reason, `${why}; the group is at epoch ${result.epoch} (seq ${result.seq})`, { epoch: result.epoch });
    }
    return { seq: result.seq, epoch: result.epoch.toString() };
  }

  async #body(req: IncomingMessage): Promise<Uint8Array> {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.#maxBody) throw tooLarge(this.#maxBody);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > this.#maxBody) throw tooLarge(this.#maxBody);
      chunks.push(chunk);
    }
    return new Uint8Array(Buffer.concat(chunks));
  }

  async #json(req: IncomingMessage): Promise<Record<string, unknown>> {
    const text = new TextDecoder().decode(await this.#body(req));
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new DeliveryError('bad-request', 'the body is not JSON');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new DeliveryError('bad-request', 'the body is not a JSON object');
    return value as Record<string, unknown>;
  }

  // ---- WebSocket -----------------------------------------------------------------------------------

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://ds').pathname;
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (this.#wss === undefined || path !== WS_PATH || !protocols.includes(WS_PROTOCOL)) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#websocket(ws));
  }

  #websocket(ws: WebSocket): void {
    const mine = new Map<string, Subscription>(); // key: kind + id
    ws.on('message', (data, isBinary) => {
      let request: ClientRequest;
      try {
        if (isBinary) throw new Error('binary');
        request = JSON.parse(String(data)) as ClientRequest;
      } catch {
        return send(ws, { op: 'error', code: 'bad-request', message: 'requests are JSON text frames' });
      }
      this.#wsRequest(ws, mine, request);
    });
    ws.on('close', () => {
      for (const sub of mine.values()) this.#drop(sub);
      mine.clear();
    });
    ws.on('error', () => ws.terminate());
  }

  #wsRequest(ws: WebSocket, mine: Map<string, Subscription>, r: ClientRequest): void {
    const bad = (message: string) => send(ws, { op: 'error', code: 'bad-request', message });
    switch (r?.op) {
      case 'subscribe':
      case 'subscribe-welcomes': {
        const kind = r.op === 'subscribe' ? 'group' : 'welcome';
        const id = r.op === 'subscribe' ? r.group : r.installation;
        if (!isHexId(id, kind === 'group' ? MAX_GROUP_ID : MAX_INSTALLATION_ID)) return bad(`${kind}: a hex id`);
        const after = r.op === 'subscribe' ? r.after : r.after;
        if (kind === 'group' ? !(Number.isSafeInteger(after) && (after as number) >= 0) : !(after === undefined || (typeof after === 'string' && CURSOR.test(after)))) {
          return bad('after: the last seq (group) or cursor (mailbox) seen');
        }
        const old = mine.get(kind + id);
        if (old !== undefined) this.#drop(old);
        const sub: Subscription = { kind, id, ws, cursor: after, busy: false, again: false, closed: false };
        mine.set(kind + id, sub);
        const key = kind + id;
        let set = this.#subscriptions.get(key);
        if (set === undefined) this.#subscriptions.set(key, set = new Set());
        set.add(sub);
        return void this.#pump(sub);
      }
      case 'unsubscribe':
      case 'unsubscribe-welcomes': {
        const key = (r.op === 'unsubscribe' ? 'group' + r.group : 'welcome' + r.installation);
        const sub = mine.get(key);
        if (sub !== undefined) {
          mine.delete(key);
          this.#drop(sub);
        }
        return;
      }
      default:
        return bad('unknown op');
    }
  }

  #drop(sub: Subscription): void {
    sub.closed = true;
    const key = sub.kind + sub.id;
    const set = this.#subscriptions.get(key);
    set?.delete(sub);
    if (set?.size === 0) this.#subscriptions.delete(key);
  }

  #changed(change: StoreChange): void {
    if (change.kind === 'resync') {
      for (const set of this.#subscriptions.values()) for (const sub of set) void this.#pump(sub);
      return;
    }
    for (const sub of this.#subscriptions.get(change.kind + change.id) ?? []) void this.#pump(sub);
  }

  /**
   * Sends a subscription everything after its cursor, in order, page by page. One pump per
   * subscription runs at a time; a change during a pump makes it read once more, so nothing
   * appended is left unsent and nothing is sent twice.
   */
  async #pump(sub: Subscription): Promise<void> {
    if (sub.busy) {
      sub.again = true;
      return;
    }
    sub.busy = true;
    try {
      do {
        sub.again = false;
        for (;;) {
          if (sub.closed) return;
          if (sub.kind === 'group') {
            const page = await this.#store.read(sub.id, sub.cursor as number, this.#pageLimit);
            if (sub.closed || page.entries.length === 0) break;
            send(sub.ws, { op: 'messages', group: sub.id, messages: page.entries.map(wireEntry) });
            sub.cursor = page.entries.at(-1)!.seq;
            if (page.entries.length < this.#pageLimit) break;
          } else {
            const welcomes = await this.#store.readWelcomes(sub.id, sub.cursor as string | undefined, this.#pageLimit);
            if (sub.closed || welcomes.length === 0) break;
            send(sub.ws, { op: 'welcomes', installation: sub.id, welcomes: welcomes.map(wireWelcome) });
            sub.cursor = welcomes.at(-1)!.cursor;
            if (welcomes.length < this.#pageLimit) break;
          }
        }
      } while (sub.again && !sub.closed);
    } catch {
      // The store failed: say so; the client resubscribes from what it has.
      if (!sub.closed) send(sub.ws, { op: 'error', code: 'unavailable', message: 'the store failed; resubscribe', ...(sub.kind === 'group' ? { group: sub.id } : { installation: sub.id }) });
    } finally {
      sub.busy = false;
    }
  }
}

function send(ws: WebSocket, push: ServerPush): void {
  if (ws.readyState === 1) ws.send(JSON.stringify(push));
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...CORS, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text);
}

function wireEntry(e: LogEntry): WireLogEntry {
  return { seq: e.seq, epoch: e.epoch.toString(), type: e.type, data: toBase64(e.data) };
}

function wireWelcome(w: WelcomeEntry): WireWelcome {
  return { cursor: w.cursor, group: w.group, seq: w.seq, data: toBase64(w.data) };
}

function groupParam(value: string | undefined): string {
  if (!isHexId(value, MAX_GROUP_ID)) throw new DeliveryError('bad-request', 'the group id is not lowercase hex');
  return value;
}

function intParam(url: URL, name: string, fallback: number): number {
  const text = url.searchParams.get(name);
  if (text === null) return fallback;
  const n = Number(text);
  if (!/^\d{1,15}$/.test(text) || !Number.isSafeInteger(n)) throw new DeliveryError('bad-request', `${name}: a non-negative integer`);
  return n;
}

function base64Field(value: unknown, name: string): Uint8Array {
  try {
    return fromBase64(value);
  } catch {
    throw new DeliveryError('bad-request', `${name}: base64 bytes`);
  }
}

const notFound = () => new DeliveryError('not-found', 'no such endpoint');
const tooLarge = (max: number) => new DeliveryError('too-large', `the body is over ${max} bytes`);
