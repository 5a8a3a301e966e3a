// A TCP pipe on node:net for the stream transports. Node only: client.ts imports this file
// dynamically, so browser bundles never load node:net.

import { connect } from 'node:net';
import { MtprotoError } from '../errors.js';
import type { Pipe } from './channel.js';

export function openTcp(host: string, port: number, onData: (chunk: Uint8Array) => void, onEnd: (error?: Error) => void): Promise<Pipe> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true });
    let open = false;
    socket.on('connect', () => {
      open = true;
      resolve({
        write: (bytes) => void socket.write(bytes),
        close: () => void socket.destroy(),
      });
    });
    socket.on('data', (chunk: Buffer) => onData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
    socket.on('error', (error) => {
      if (!open) reject(new MtprotoError('connection-failed', `cannot connect to ${host}:${port}: ${error.message}`));
    });
    socket.on('close', () => {
      if (open) onEnd();
    });
  });
}
