// Frames over a byte stream: the handshake's transport. A FrameStream reads one delimited message
// at a time (buffering at most one frame, MAX_FRAME bytes), returned whole (length prefix
// included, as the verify… functions take it), and writes frames as the builders return them. fromDuplex adapts a
// Node Duplex (a net.Socket; a libp2p stream can be adapted the same way), turning the end of the
// stream into WeshError('stream-closed') and a silent peer into WeshError('timeout').

import type { Duplex } from 'node:stream';
import { WeshError } from '../errors.js';
import { FrameBuffer } from './framing.js';

export interface FrameStream {
  /** The next frame; rejects with a WeshError ('invalid-frame', 'stream-closed', 'timeout'). */
  read(): Promise<Uint8Array>;
  /** Writes one frame (a builder's output). */
  write(frameBytes: Uint8Array): Promise<void>;
  close(): void;
}

export function fromDuplex(stream: Duplex, timeoutMs = 30_000): FrameStream {
  const frames = new FrameBuffer();
  let ended = false;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  stream.on('data', (chunk: Uint8Array) => {
    frames.push(chunk);
    if (frames.full) stream.pause(); // a peer that floods is cut off
    notify();
  });
  stream.on('end', () => ((ended = true), notify()));
  stream.on('close', () => ((ended = true), notify()));
  stream.on('error', (err) => ((failure = err), notify()));

  return {
    async read(): Promise<Uint8Array> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const whole = frames.take();
        if (whole !== null) {
          stream.resume();
          return whole;
        }
        if (failure) throw new WeshError('stream-closed', `stream failed: ${(failure as Error).message}`);
        if (ended) throw new WeshError('stream-closed', 'the peer closed the stream');
        const left = deadline - Date.now();
        if (left <= 0) throw new WeshError('timeout', `no message within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => ((wake = null), resolve()), left);
          wake = () => (clearTimeout(timer), resolve());
        });
      }
    },
    write(frameBytes: Uint8Array): Promise<void> {
      return new Promise((resolve, reject) => {
        if (ended || stream.destroyed) return reject(new WeshError('stream-closed', 'the stream is closed'));
        stream.write(frameBytes, (err) => (err ? reject(new WeshError('stream-closed', `write failed: ${err.message}`)) : resolve()));
      });
    },
    close(): void {
      stream.end();
      stream.destroy();
    },
  };
}
