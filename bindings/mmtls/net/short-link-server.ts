// Short-link requests on the server (spec §7.2, §8.2). One POST carries a whole 0-RTT exchange:
// ClientHello, EncryptedExtensions, data, end_of_data in; ServerHello, Finished, data, end_of_data
// out. A 1-RTT handshake over the short link (designed: WeChat's first short-link hello has no PSK
// to use) takes two POSTs to the same /mmtls/<hex> path: the ClientHello, answered with the
// server's flight; then the client Finished with the request, answered with the response. The
// half-done handshake is kept under its path (not its socket: a proxy may mix clients on one
// upstream connection), for at most pendingTimeoutMs, and at most maxPending of them at once.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { concat } from '../../bytes.js';
import { MmtlsError } from '../errors.js';
import { PeerAlert, isResumed } from '../protocol/connection.js';
import { ServerConnection } from '../protocol/server-connection.js';
import type { ServerContext } from '../protocol/server-context.js';
import { splitRecords } from '../record/record.js';
import { SHORT_LINK_PATH, decodeDataPart } from './short-link.js';
import type { RequestHandler } from './server-options.js';

interface Exchange {
  readonly conn: ServerConnection;
  readonly data: Uint8Array[];
  ended: boolean;
  timer?: NodeJS.Timeout;
}

export interface ShortLinkLimits {
  readonly maxBody: number;
  readonly maxPending: number;
  readonly pendingTimeoutMs: number;
}

export class ShortLinkServer {
  readonly #pending = new Map<string, Exchange>();

  constructor(private readonly ctx: ServerContext, private readonly handler: RequestHandler, private readonly limits: ShortLinkLimits) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? '';
    if (req.method !== 'POST' || !SHORT_LINK_PATH.test(path)) {
      res.writeHead(404, { Connection: 'close' }).end();
      return;
    }
    const body = await readBody(req, this.limits.maxBody);
    if (body === undefined) {
      res.writeHead(413, { Connection: 'close' }).end();
      return;
    }
    const exchange = this.#take(path) ?? this.#exchange();
    const { conn } = exchange;
    let keep = false;
    try {
      for (const record of splitRecords(body)) await conn.receive(record);
      if (conn.awaitingClientFinished) {
        // 1-RTT: the server's flight now, the request on the next POST to this path.
        if (this.#pending.size >= this.limits.maxPending) throw new MmtlsError('overloaded', 'too many short-link handshakes in progress');
        this.#keep(path, exchange);
        keep = true;
        return reply(res, conn.takeOutput(), false);
      }
      // Everything else must be complete in this one body: a 0-RTT flight is never split over POSTs.
      if (!exchange.ended || conn.mode === undefined) throw new MmtlsError('unexpected_message', 'a short-link request must end with end_of_data');
      const request = decodeDataPart(concat(...exchange.data));
      const mode = conn.mode;
      const early = mode === '0rtt-psk' || mode === '0rtt-ecdhe';
      const response = await this.handler(request.body, { transport: 'short', mode, resumed: isResumed(mode), early, uri: request.uri, host: request.host });
      if (!(response instanceof Uint8Array)) throw new MmtlsError('internal_error', 'the handler did not return a Uint8Array');
      conn.sendApplicationData(response);
      conn.sendEnd();
      reply(res, conn.takeOutput(), false);
    } catch (e) {
      if (!(e instanceof PeerAlert)) conn.sendAlert(e instanceof MmtlsError ? e.alert : 'internal_error');
      reply(res, conn.takeOutput(), true);
    } finally {
      if (!keep) conn.dispose();
    }
  }

  /** Drops (and wipes) every half-done handshake. */
  close(): void {
    for (const path of [...this.#pending.keys()]) this.#take(path)?.conn.dispose();
  }

  #exchange(): Exchange {
    const exchange: Exchange = {
      data: [],
      ended: false,
      conn: new ServerConnection(this.ctx, { onData: (c) => exchange.data.push(c), onEnd: () => { exchange.ended = true; } }),
    };
    return exchange;
  }

  #keep(path: string, exchange: Exchange): void {
    this.#take(path)?.conn.dispose(); // a stale handshake under the same path goes
    exchange.timer = setTimeout(() => this.#take(path)?.conn.dispose(), this.limits.pendingTimeoutMs);
    exchange.timer.unref();
    this.#pending.set(path, exchange);
  }

  #take(path: string): Exchange | undefined {
    const exchange = this.#pending.get(path);
    if (exchange === undefined) return undefined;
    this.#pending.delete(path);
    clearTimeout(exchange.timer);
    return exchange;
  }
}

function reply(res: ServerResponse, body: Uint8Array, close: boolean): void {
  res.writeHead(200, {
    'Content-Type': 'application/octet-stream',
    'Content-Length': body.length,
    Connection: close ? 'close' : 'Keep-Alive',
  });
  res.end(body);
}

async function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array | undefined> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return undefined;
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of req) {
    n += (chunk as Buffer).length;
    if (n > limit) return undefined;
    parts.push(chunk as Buffer);
  }
  const all = Buffer.concat(parts);
  return new Uint8Array(all.buffer, all.byteOffset, all.length);
}
