// Helpers for the loopback tests of MmtlsServer / MmtlsClient: a server on both links with a
// handler whose answer the test can compute, and raw clients that send exactly the bytes a test
// wants (a captured 0-RTT POST sent twice, a tampered record) and read exactly what comes back.

import { type Socket, connect } from 'node:net';
import type { CryptoProvider } from '../../bindings/provider/types.js';
import { generateServerKeys } from '../../bindings/mmtls/keys.js';
import { MmtlsServer, type MmtlsServerOptions } from '../../bindings/mmtls/net/server.js';
import type { RequestInfo } from '../../bindings/mmtls/net/server-options.js';
import { requestHead, shortLinkPath } from '../../bindings/mmtls/net/short-link.js';
import { decodeAlert } from '../../bindings/mmtls/record/alert.js';
import { type MmtlsRecord, RecordType, splitRecords } from '../../bindings/mmtls/record/record.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The handler's answer: "<transport>/<mode>:" then the request reversed. */
export function expectedAnswer(request: Uint8Array, info: Pick<RequestInfo, 'transport' | 'mode'>): Uint8Array {
  const head = encoder.encode(`${info.transport}/${info.mode}:`);
  const out = new Uint8Array(head.length + request.length);
  out.set(head);
  out.set(request.slice().reverse(), head.length);
  return out;
}

export function text(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

export interface TestServer {
  readonly server: MmtlsServer;
  readonly verifyKey: Uint8Array;
  readonly signingKey: Uint8Array;
  readonly longPort: number;
  readonly shortPort: number;
  readonly seen: RequestInfo[];
}

export async function startServer(provider: CryptoProvider, options: Partial<MmtlsServerOptions> = {}): Promise<TestServer> {
  const keys = generateServerKeys(provider);
  const seen: RequestInfo[] = [];
  const server = new MmtlsServer({
    signingKey: keys.signingKey.slice(),
    provider,
    handler: (request, info) => {
      seen.push(info);
      return expectedAnswer(request, info);
    },
    ...options,
  });
  const { port: longPort } = await server.listen();
  const { port: shortPort } = await server.listen({ http: true });
  return { server, verifyKey: keys.verifyKey, signingKey: keys.signingKey, longPort, shortPort, seen };
}

/** One raw HTTP/1.1 POST of `body` on a fresh connection; resolves the response body. */
export async function rawPost(port: number, body: Uint8Array): Promise<Uint8Array> {
  const socket = connect({ host: '127.0.0.1', port });
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(Buffer.concat([Buffer.from(requestHead(shortLinkPath(new Uint8Array(4)), 'localhost', body.length), 'latin1'), body]));
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    const check = () => {
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length: *(\d+)/i.exec(all.subarray(0, end).toString('latin1'))?.[1]);
      if (all.length >= end + 4 + length) {
        socket.destroy();
        resolve(new Uint8Array(all.subarray(end + 4, end + 4 + length)));
      }
    };
    socket.on('data', check);
    socket.once('close', check);
  });
}

/** A raw TCP connection: write bytes, collect everything until the server closes. */
export class RawLongLink {
  readonly #socket: Socket;
  readonly #chunks: Buffer[] = [];
  readonly closed: Promise<void>;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (c: Buffer) => this.#chunks.push(c));
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static async open(port: number): Promise<RawLongLink> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new RawLongLink(socket);
  }

  write(bytes: Uint8Array): void {
    this.#socket.write(bytes);
  }

  received(): Uint8Array {
    return new Uint8Array(Buffer.concat(this.#chunks));
  }

  destroy(): void {
    this.#socket.destroy();
  }
}

/** The alert a server sent in clear (before it had keys), from a response's records. */
export function plainAlertOf(records: MmtlsRecord[]): string | undefined {
  const alert = records.find((r) => r.type === RecordType.alert);
  return alert && decodeAlert(alert.body).name;
}

export { splitRecords };
