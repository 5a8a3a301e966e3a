// The HTTP transport on the client (spec §8.9): each packet is the body of a POST to /api; the
// answer, if any, is one packet. fetch() exists in browsers and in Node ≥ 18 and keeps connections
// alive. The server holds a request until it has something for the session (or max_wait passes),
// so the client keeps one request outstanding while answers are due (MtprotoClient sends an
// http_wait for that).

import { MtprotoError } from '../errors.js';
import type { Channel, ChannelEvents } from './channel.js';

export class HttpChannel implements Channel {
  readonly kind = 'http';
  readonly padded = false;
  readonly #url: string;
  readonly #events: ChannelEvents;
  readonly #abort = new AbortController();
  #inflight = 0;
  #closed = false;

  constructor(url: string, events: ChannelEvents) {
    this.#url = url;
    this.#events = events;
  }

  get inflight(): number {
    return this.#inflight;
  }

  send(packet: Uint8Array): void {
    if (this.#closed) return;
    this.#inflight++;
    void this.#post(packet);
  }

  async #post(packet: Uint8Array): Promise<void> {
    let status: number;
    let body: Uint8Array;
    try {
      const response = await fetch(this.#url, {
        method: 'POST',
        body: packet as Uint8Array<ArrayBuffer>,
        headers: { 'Content-Type': 'application/octet-stream' },
        signal: this.#abort.signal,
      });
      status = response.status;
      body = new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      this.#inflight--;
      if (this.#closed) return;
      this.close();
      this.#events.closed(new MtprotoError('connection-failed', `POST ${this.#url}: ${(error as Error)?.message ?? String(error)}`));
      return;
    }
    this.#inflight--;
    if (this.#closed) return;
    if (status === 200 || status === 204) {
      if (status === 200 && body.length > 0) this.#events.packet(body);
      this.#events.idle?.();
      return;
    }
    // A transport error travels as the 4-byte −code body (status 404 / 429), spec §8.6.
    const code = body.length === 4 ? -new DataView(body.buffer, body.byteOffset, 4).getInt32(0, true) : status;
    this.#events.transportError(code > 0 ? code : status);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort();
  }
}
