// Short-link requests on the server (spec §7.2, §8.2). One POST carries a whole 0-RTT exchange:
// ClientHello, EncryptedExtensions, data, end_of_data in; ServerHello, Finished, data, end_of_data
// out. A 1-RTT handshake over the short link (designed: WeChat's first short-link hello has no PSK
// to use) takes two POSTs on one keep-alive connection: the ClientHello, answered with the
// server's flight; then the client Finished with the request, answered with the response. The
// half-done handshake is kept per socket and dropped with it.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
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
}

export class ShortLinkServer {
  #pending = new WeakMap<Socket, Exchange>();

  constructor(private readonly ctx: ServerContext, private readonly handler: RequestHandler, private readonly maxBody: number) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || !SHORT_LINK_PATH.test(req.url ?? '')) {
      res.writeHead(404, { Connection: 'close' }).end();
      return;
    }
    const body = await readBody(req, this.maxBody);
    if (body === undefined) {
      res.writeHead(413, { Connection: 'close' }).end();
      return;
    }
    const socket = req.socket;
    const exchange = this.#pending.get(socket) ?? this.#exchange();
    this.#pending.delete(socket);
    const { conn } = exchange;
    try {
      for (const record of splitRecords(body)) await conn.receive(record);
      if (conn.mode === undefined) {
        // 1-RTT: the server's flight now, the request on the next POST of this connection.
        this.#pending.set(socket, exchange);
        socket.once('close', () => conn.dispose());
        return reply(res, conn.takeOutput(), false);
      }
      if (!exchange.ended) throw new MmtlsError('unexpected_message', 'a short-link request must end with end_of_data');
      const request = decodeDataPart(concat(...exchange.data));
      const response = await this.handler(request.body, { transport: 'short', mode: conn.mode, resumed: isResumed(conn.mode), uri: request.uri, host: request.host });
      if (!(response instanceof Uint8Array)) throw new MmtlsError('internal_error', 'the handler did not return a Uint8Array');
      conn.sendApplicationData(response);
      conn.sendEnd();
      reply(res, conn.takeOutput(), false);
    } catch (e) {
      if (!(e instanceof PeerAlert)) conn.sendAlert(e instanceof MmtlsError ? e.alert : 'internal_error');
      reply(res, conn.takeOutput(), true);
    } finally {
      if (!this.#pending.has(socket)) conn.dispose();
    }
  }

  #exchange(): Exchange {
    const exchange: Exchange = {
      data: [],
      ended: false,
      conn: new ServerConnection(this.ctx, { onData: (c) => exchange.data.push(c), onEnd: () => { exchange.ended = true; } }),
    };
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
