// A minimal HTTP/1.1 client connection for the short link (Node only): WeChat's request head
// byte for byte (short-link.ts), one request at a time on one keep-alive socket, responses read by
// Content-Length. Nothing else of HTTP is needed here: no chunked bodies, no redirects.

import type { Socket } from 'node:net';
import { concat } from '../../bytes.js';
import { requestHead } from './short-link.js';
import { connectTcp } from './tcp.js';

const HEAD_END = Buffer.from('\r\n\r\n');
const MAX_HEAD = 16 * 1024;

export class HttpConnection {
  #socket: Socket;
  #buffer: Buffer = Buffer.alloc(0);
  #waiter: (() => void) | undefined;
  #error: Error | undefined;

  private constructor(socket: Socket, private readonly maxBody: number) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
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
    while ((headEnd = this.#buffer.indexOf(HEAD_END)) < 0) {
      if (this.#buffer.length > MAX_HEAD) throw new Error('mmtls short link: response head too long');
      await this.#wait();
    }
    const head = this.#buffer.subarray(0, headEnd).toString('latin1').split('\r\n');
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(head[0] ?? '');
    if (status === null) throw new Error('mmtls short link: malformed HTTP response');
    const lengthLine = head.find((line) => /^content-length:/i.test(line));
    const length = lengthLine === undefined ? NaN : Number(lengthLine.slice(lengthLine.indexOf(':') + 1).trim());
    if (!Number.isSafeInteger(length) || length < 0 || length > this.maxBody) throw new Error('mmtls short link: missing or oversize Content-Length');
    const start = headEnd + HEAD_END.length;
    while (this.#buffer.length < start + length) await this.#wait();
    const out = new Uint8Array(this.#buffer.subarray(start, start + length));
    this.#buffer = this.#buffer.subarray(start + length);
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
