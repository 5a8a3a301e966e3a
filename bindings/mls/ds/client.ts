// DeliveryClient: the delivery service's API for an application, in Node and in browsers. It uses
// the global fetch and WebSocket when present (browsers, Node ≥ 22); Node 20 has fetch but no
// WebSocket, so there pass one: `new DeliveryClient({ url, WebSocket: (await import('ws')).WebSocket })`.
// No Node module is imported here, nor anything that runs MLS: the client moves bytes, and
// channel.ts feeds them to a Group the application made.
//
//   const client = new DeliveryClient({ url });
//   const installation = await client.uploadKeyPackage(keyPackage);       // hex of its signature key
//   const [kp] = await client.claimKeyPackages([installation]);            // each handed out once
//   const channel = client.attach(group, { cursor });                      // channel.ts
//   const welcome = await client.nextWelcome(installation);                // { data, group, seq, … }
//
// Subscriptions share one WebSocket, opened on first use and reopened (with every subscription
// resumed from the last entry it delivered) when it drops, so a handler sees each entry once, in order.

import { DeliveryError, isDeliveryErrorCode } from './errors.js';
import { GroupChannel, type GroupChannelOptions, type GroupLike } from './channel.js';
import {
  type ClientRequest, type MessageType, type ServerPush, type WireLogEntry, type WireWelcome, WS_PATH, WS_PROTOCOL,
  fromBase64, toBase64, toHex,
} from './wire.js';

/** What the client needs of a WebSocket: the browser's, Node 22's, or the `ws` package's. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
}
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

export interface DeliveryClientOptions {
  /** The service's base URL, http(s)://host:port (DeliveryService.listen() resolves it). */
  readonly url: string;
  /** Default: globalThis.fetch. */
  readonly fetch?: typeof fetch;
  /** Default: globalThis.WebSocket (absent in Node 20: pass the `ws` package's). */
  readonly WebSocket?: WebSocketConstructor;
  /** Wait before reopening a dropped WebSocket (ms); default 250. */
  readonly reconnectDelayMs?: number;
}

/** One entry of a group's log. */
export interface LogMessage {
  readonly seq: number;
  readonly epoch: bigint;
  readonly type: MessageType;
  readonly data: Uint8Array;
  /** data in base64, as it came (channel.ts recognises its own messages by it). */
  readonly encoded: string;
}

export interface WelcomeMessage {
  readonly cursor: string;
  /** The group's id (hex) and the log position of the Commit that made this Welcome: attach with `cursor: seq`. */
  readonly group: string;
  readonly seq: number;
  readonly data: Uint8Array;
}

export interface Subscription {
  close(): void;
}

interface Watch {
  readonly kind: 'group' | 'welcome';
  readonly id: string;
  after: number | string | undefined;
  readonly deliver: (entries: never[]) => void;
}

export class DeliveryClient {
  readonly #base: string;
  readonly #fetch: typeof fetch;
  readonly #WebSocket: WebSocketConstructor | undefined;
  readonly #reconnectDelay: number;
  readonly #watches = new Map<string, Watch>();
  #ws: WebSocketLike | undefined;
  #reconnect: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(options: DeliveryClientOptions) {
    this.#base = options.url.replace(/\/+$/, '');
    const f = options.fetch ?? globalThis.fetch;
    if (typeof f !== 'function') throw new TypeError('DeliveryClient: no fetch; pass options.fetch');
    this.#fetch = f.bind(globalThis);
    this.#WebSocket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    this.#reconnectDelay = options.reconnectDelayMs ?? 250;
  }

  /** Uploads a KeyPackage (MLSMessage bytes); resolves its installation id (hex of its signature key). */
  async uploadKeyPackage(keyPackage: Uint8Array): Promise<string> {
    const answer = await this.#call('POST', '/v1/key-packages', keyPackage);
    return stringField(answer, 'installation');
  }

  /** One KeyPackage per installation, in order; undefined where the installation has none left. */
  async claimKeyPackages(installations: readonly string[]): Promise<(Uint8Array | undefined)[]> {
    const answer = await this.#call('POST', '/v1/key-packages/claim', { installations });
    const list = (answer as { keyPackages?: unknown }).keyPackages;
    if (!Array.isArray(list) || list.length !== installations.length) throw protocol('keyPackages');
    return list.map((kp) => (kp === null ? undefined : bytesOf(kp)));
  }

  /**
   * Publishes one group message (MLSMessage bytes), with the Welcome of a Commit for the
   * installations in `welcome.to`. Resolves its position in the log and the group's epoch after it.
   * DeliveryError 'epoch-conflict' (another Commit took the epoch), 'stale-epoch', 'epoch-ahead', ….
   */
  async publish(groupId: Uint8Array | string, message: Uint8Array, welcome?: { readonly data: Uint8Array; readonly to: readonly string[] }): Promise<{ seq: number; epoch: bigint }> {
    const body: Record<string, unknown> = { message: toBase64(message) };
    if (welcome !== undefined) {
      body.welcome = toBase64(welcome.data);
      body.welcomeTo = welcome.to;
    }
    const answer = await this.#call('POST', `/v1/groups/${groupHex(groupId)}/messages`, body) as { seq?: unknown; epoch?: unknown };
    return { seq: seqOf(answer.seq), epoch: epochOf(answer.epoch) };
  }

  /** The log after `after` (a page; ask again from the last seq for more), the group's epoch and its last seq. */
  async messages(groupId: Uint8Array | string, after = 0, limit?: number): Promise<{ messages: LogMessage[]; epoch: bigint | undefined; seq: number }> {
    const query = `after=${after}${limit !== undefined ? `&limit=${limit}` : ''}`;
    const answer = await this.#call('GET', `/v1/groups/${groupHex(groupId)}/messages?${query}`) as { messages?: unknown; epoch?: unknown; seq?: unknown };
    if (!Array.isArray(answer.messages)) throw protocol('messages');
    return { messages: answer.messages.map(logMessage), epoch: answer.epoch === null ? undefined : epochOf(answer.epoch), seq: seqOf(answer.seq) };
  }

  /** The Welcomes in an installation's mailbox after `after` (a cursor of an earlier WelcomeMessage). */
  async welcomes(installation: string, after?: string, limit?: number): Promise<WelcomeMessage[]> {
    const params = [after !== undefined ? `after=${encodeURIComponent(after)}` : '', limit !== undefined ? `limit=${limit}` : ''].filter((p) => p !== '');
    const answer = await this.#call('GET', `/v1/welcomes/${installation}${params.length > 0 ? `?${params.join('&')}` : ''}`) as { welcomes?: unknown };
    if (!Array.isArray(answer.welcomes)) throw protocol('welcomes');
    return answer.welcomes.map(welcomeMessage);
  }

  /** The first Welcome after `after` in the mailbox: at once if there is one, else when it arrives (pushed). */
  async nextWelcome(installation: string, options: { readonly after?: string; readonly timeoutMs?: number } = {}): Promise<WelcomeMessage> {
    const [first] = await this.welcomes(installation, options.after, 1);
    if (first !== undefined) return first;
    return new Promise((resolve, reject) => {
      const timer = options.timeoutMs === undefined ? undefined
        : setTimeout(() => { sub.close(); reject(new DeliveryError('network', `no Welcome within ${options.timeoutMs} ms`)); }, options.timeoutMs);
      const sub = this.subscribeWelcomes(installation, options.after, (welcomes) => {
        sub.close();
        if (timer !== undefined) clearTimeout(timer);
        resolve(welcomes[0]!);
      });
    });
  }

  /** Pushes every log entry after `after`, in order, to `onMessages`, then each new one, until closed. */
  subscribe(groupId: Uint8Array | string, after: number, onMessages: (messages: LogMessage[]) => void): Subscription {
    return this.#watch({ kind: 'group', id: groupHex(groupId), after, deliver: onMessages as (e: never[]) => void });
  }

  /** Pushes every Welcome after `after` in an installation's mailbox, in order, then each new one. */
  subscribeWelcomes(installation: string, after: string | undefined, onWelcomes: (welcomes: WelcomeMessage[]) => void): Subscription {
    return this.#watch({ kind: 'welcome', id: installation, after, deliver: onWelcomes as (e: never[]) => void });
  }

  /** Connects a Group to its log (channel.ts): publish commits and messages, receive the others'. */
  attach(group: GroupLike, options: GroupChannelOptions = {}): GroupChannel {
    return new GroupChannel(this, group, options);
  }

  /** Closes the WebSocket and every subscription; HTTP calls after this fail with 'closed'. */
  close(): void {
    this.#closed = true;
    this.#watches.clear();
    if (this.#reconnect !== undefined) clearTimeout(this.#reconnect);
    const ws = this.#ws;
    this.#ws = undefined;
    if (ws !== undefined) {
      ws.onclose = ws.onmessage = ws.onerror = ws.onopen = null;
      try { ws.close(1000); } catch { /* already closed */ }
    }
  }

  // ---- HTTP ----------------------------------------------------------------------------------------

  async #call(method: 'GET' | 'POST', path: string, body?: Uint8Array | object): Promise<unknown> {
    if (this.#closed) throw new DeliveryError('closed', 'the client is closed');
    let response: Response;
    try {
      response = await this.#fetch(this.#base + path, {
        method,
        ...(body instanceof Uint8Array ? { body: body as BodyInit, headers: { 'Content-Type': 'application/octet-stream' } }
          : body !== undefined ? { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } } : {}),
      });
    } catch (e) {
      throw new DeliveryError('network', `${method} ${path}: ${(e as Error).message}`, { cause: e });
    }
    let answer: unknown;
    try {
      answer = await response.json();
    } catch (e) {
      throw new DeliveryError(response.ok ? 'protocol' : 'network', `${method} ${path}: HTTP ${response.status} without a JSON answer`, { cause: e });
    }
    if (response.ok) return answer;
    const error = (answer as { error?: { code?: unknown; message?: unknown; epoch?: unknown } }).error;
    const code = isDeliveryErrorCode(error?.code) ? error.code : 'protocol';
    const epoch = typeof error?.epoch === 'string' && /^\d+$/.test(error.epoch) ? BigInt(error.epoch) : undefined;
    throw new DeliveryError(code, String(error?.message ?? `HTTP ${response.status}`), epoch !== undefined ? { epoch } : {});
  }

  // ---- WebSocket -----------------------------------------------------------------------------------

  #watch(watch: Watch): Subscription {
    if (this.#closed) throw new DeliveryError('closed', 'the client is closed');
    if (this.#WebSocket === undefined) throw new TypeError('DeliveryClient: no WebSocket; pass options.WebSocket (in Node 20: the ws package)');
    const key = watch.kind + watch.id;
    if (this.#watches.has(key)) throw new TypeError(`DeliveryClient: already subscribed to ${watch.kind} ${watch.id}`);
    this.#watches.set(key, watch);
    this.#request(subscribeRequest(watch));
    return {
      close: () => {
        if (this.#watches.get(key) !== watch) return;
        this.#watches.delete(key);
        this.#request(watch.kind === 'group' ? { op: 'unsubscribe', group: watch.id } : { op: 'unsubscribe-welcomes', installation: watch.id });
      },
    };
  }

  /** Sends now if the socket is open; otherwise the (re)opened socket resubscribes everything anyway. */
  #request(request: ClientRequest): void {
    const ws = this.#socket();
    if (ws.readyState === 1) ws.send(JSON.stringify(request));
  }

  #socket(): WebSocketLike {
    if (this.#ws !== undefined) return this.#ws;
    const ws = new this.#WebSocket!(this.#base.replace(/^http/, 'ws') + WS_PATH, WS_PROTOCOL);
    this.#ws = ws;
    ws.onopen = () => {
      for (const w of this.#watches.values()) ws.send(JSON.stringify(subscribeRequest(w)));
    };
    ws.onmessage = (event) => this.#push(event.data);
    ws.onerror = () => {}; // onclose follows
    ws.onclose = () => {
      if (this.#ws !== ws) return;
      this.#ws = undefined;
      if (this.#closed || this.#watches.size === 0) return;
      this.#reconnect = setTimeout(() => {
        this.#reconnect = undefined;
        if (!this.#closed && this.#watches.size > 0) this.#socket();
      }, this.#reconnectDelay);
    };
    return ws;
  }

  #push(data: unknown): void {
    let push: ServerPush;
    try {
      push = JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data as Uint8Array)) as ServerPush;
    } catch {
      return; // not JSON: not from a delivery service; ignored
    }
    try {
      this.#deliver(push);
    } catch (e) {
      // A malformed push would be the service's bug; dropping the socket makes every watch resume
      // from its last good entry.
      if (!(e instanceof DeliveryError)) throw e;
      this.#ws?.close(4000, e.code);
    }
  }

  #deliver(push: ServerPush): void {
    if (push.op === 'messages') {
      const watch = this.#watches.get('group' + push.group);
      if (watch === undefined) return;
      // After a resubscription the service may resend what was delivered: keep only what is new.
      const fresh = push.messages.map(logMessage).filter((m) => m.seq > (watch.after as number));
      if (fresh.length === 0) return;
      watch.after = fresh.at(-1)!.seq;
      (watch.deliver as (m: LogMessage[]) => void)(fresh);
    } else if (push.op === 'welcomes') {
      const watch = this.#watches.get('welcome' + push.installation);
      if (watch === undefined) return;
      const fresh = push.welcomes.map(welcomeMessage).filter((w) => watch.after === undefined || cursorAfter(w.cursor, watch.after as string));
      if (fresh.length === 0) return;
      watch.after = fresh.at(-1)!.cursor;
      (watch.deliver as (w: WelcomeMessage[]) => void)(fresh);
    } else if (push.op === 'error' && (push.group !== undefined || push.installation !== undefined)) {
      // The service could not read for us: resubscribe from where we are, after a pause.
      const watch = this.#watches.get(push.group !== undefined ? 'group' + push.group : 'welcome' + push.installation);
      if (watch !== undefined) setTimeout(() => { if (this.#watches.get(watch.kind + watch.id) === watch) this.#request(subscribeRequest(watch)); }, this.#reconnectDelay);
    }
  }
}

function subscribeRequest(w: Watch): ClientRequest {
  return w.kind === 'group'
    ? { op: 'subscribe', group: w.id, after: w.after as number }
    : { op: 'subscribe-welcomes', installation: w.id, ...(w.after !== undefined ? { after: w.after as string } : {}) };
}

function cursorAfter(a: string, b: string): boolean {
  const [am, an] = a.split('-').map(Number) as [number, number];
  const [bm, bn] = b.split('-').map(Number) as [number, number];
  return am > bm || (am === bm && an > bn);
}

function groupHex(groupId: Uint8Array | string): string {
  return typeof groupId === 'string' ? groupId : toHex(groupId);
}

const protocol = (what: string) => new DeliveryError('protocol', `the service's answer has no valid ${what}`);

function stringField(answer: unknown, name: string): string {
  const v = (answer as Record<string, unknown>)[name];
  if (typeof v !== 'string') throw protocol(name);
  return v;
}

function seqOf(v: unknown): number {
  if (!Number.isSafeInteger(v) || (v as number) < 0) throw protocol('seq');
  return v as number;
}

function epochOf(v: unknown): bigint {
  if (typeof v !== 'string' || !/^\d+$/.test(v)) throw protocol('epoch');
  return BigInt(v);
}

function bytesOf(v: unknown): Uint8Array {
  try {
    return fromBase64(v);
  } catch {
    throw protocol('base64 data');
  }
}

function logMessage(e: WireLogEntry): LogMessage {
  const type = e.type;
  if (type !== 'commit' && type !== 'proposal' && type !== 'application') throw protocol('type');
  return { seq: seqOf(e.seq), epoch: epochOf(e.epoch), type, data: bytesOf(e.data), encoded: e.data };
}

function welcomeMessage(w: WireWelcome): WelcomeMessage {
  if (typeof w.cursor !== 'string' || typeof w.group !== 'string') throw protocol('welcome');
  return { cursor: w.cursor, group: w.group, seq: seqOf(w.seq), data: bytesOf(w.data) };
}
