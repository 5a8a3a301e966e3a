// A minimal HTTP/1.1 client connection for the short link (Node only): WeChat's request head
// byte for byte (short-link.ts), one request at a time on one keep-alive socket, responses read by
// Content-Length. Nothing else of HTTP is needed here: no chunked bodies, no redirects.

import type { Socket } from 'node:net';
import { concat } from '../../bytes.js';
import { ByteQueue } from '../../codec/byte-queue.js';
import { requestHead } from './short-link.js';
import { connectTcp } from './tcp.js';

const HEAD_END = Uint8Array.of(13, 10, 13, 10);
const MAX_HEAD = 16 * 1024;

export class HttpConnection {
  #socket: Socket;
  readonly #queue = new ByteQueue();
  #waiter: (() => void) | undefined;
  #error: Error | undefined;

  private constructor(socket: Socket, private readonly maxBody: number) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#queue.push(chunk);
      this.#wake();
    });
    socket.on('close', () => this.#fail(new Error('mmtls short link: the server closed the connection')));
    socket.on('error', (e) => this.#fail(e));
  }

  static async open(host: string, port: number, maxBody: number): Promise<HttpConnection> {
    return new HttpConnection(await connectTcp(host, port), maxBody);
  }

  /** POSTs `body` to `path`; resolves the response body of a 200 answer. */
  async post(path: string, hostHeader: string, body: Uint8Array): Promise<Uint8Array> {
    this.#socket.write(concat(Buffer.from(requestHead(path, hostHeader, body.length), 'latin1'), body));
    let headEnd: number;
    while ((headEnd = this.#queue.indexOf(HEAD_END)) < 0) {
      if (this.#queue.length > MAX_HEAD) throw new Error('mmtls short link: response head too long');
      await this.#wait();
    }
    const head = Buffer.from(this.#queue.take(headEnd + HEAD_END.length)).toString('latin1').split('\r\n');
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(head[0] ?? '');
    if (status === null) throw new Error('mmtls short link: malformed HTTP response');
    const lengthLine = head.find((line) => /^content-length:/i.test(line));
    const length = lengthLine === undefined ? NaN : Number(lengthLine.slice(lengthLine.indexOf(':') + 1).trim());
    if (!Number.isSafeInteger(length) || length < 0 || length > this.maxBody) throw new Error('mmtls short link: missing or oversize Content-Length');
    while (this.#queue.length < length) await this.#wait();
    const out = this.#queue.take(length);
    if (status[1] !== '200') throw new Error(`mmtls short link: HTTP ${status[1]}`);
    return out;
  }

  close(): void {
    this.#socket.destroy();
  }

  #wait(): Promise<void> {
    if (this.#error) return Promise.reject(this.#error);
    return new Promise((resolve) => { this.#waiter = resolve; });
  }

  #wake(): void {
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.();
  }

  #fail(e: Error): void {
    this.#error ??= e;
    const w = this.#waiter;
    this.#waiter = undefined;
    if (w) w(); // the waiting loop re-checks and #wait() now rejects
  }
}
