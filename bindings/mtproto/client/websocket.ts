// A WebSocket pipe (spec §8.8): subprotocol "binary", binary messages carrying the obfuscated
// transport's byte stream. The platform's WebSocket in browsers (and Node ≥ 22); the `ws` package in
// older Node, loaded on demand.

import { MtprotoError } from '../errors.js';
import type { Pipe } from './channel.js';

interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

type WebSocketClass = new (url: string, protocols: string | string[]) => WebSocketLike;

async function webSocketClass(): Promise<WebSocketClass> {
  const global = (globalThis as { WebSocket?: WebSocketClass }).WebSocket;
  if (typeof global === 'function') return global;
  const mod = await import('./ws-node.js');
  return mod.WebSocket as unknown as WebSocketClass;
}

export async function openWebSocket(url: string, onData: (chunk: Uint8Array) => void, onEnd: (error?: Error) => void): Promise<Pipe> {
  const WebSocketImpl = await webSocketClass();
  return new Promise((resolve, reject) => {
    const ws = new WebSocketImpl(url, 'binary');
    ws.binaryType = 'arraybuffer';
    let open = false;
    ws.onopen = () => {
      open = true;
      resolve({
        write: (bytes) => ws.send(bytes),
        close: () => ws.close(1000),
      });
    };
    ws.onmessage = (event) => {
      const data = event.data;
      if (data instanceof ArrayBuffer) onData(new Uint8Array(data));
      else if (ArrayBuffer.isView(data)) onData(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    };
    ws.onerror = () => {
      if (!open) reject(new MtprotoError('connection-failed', `cannot open WebSocket ${url}`));
    };
    ws.onclose = (event) => {
      if (!open) {
        reject(new MtprotoError('connection-failed', `WebSocket ${url} closed before opening`));
        return;
      }
      // spec §8.8: the reason is a decimal error code.
      const code = Number.parseInt(String(event.reason ?? '').trim(), 10);
      onEnd(Number.isFinite(code) && code !== 0 ? new MtprotoError('connection-closed', `WebSocket closed with error ${code}`) : undefined);
    };
  });
}
