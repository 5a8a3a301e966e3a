// Frames over a byte stream: the handshake's transport. A FrameStream reads one delimited message
// at a time (buffering at most one frame, MAX_FRAME bytes), returned whole (length prefix
// included, as the verify… functions take it), and writes frames as the builders return them. fromDuplex adapts a
// Node Duplex (a net.Socket; a libp2p stream can be adapted the same way), turning the end of the
// stream into WeshError('stream-closed') and a silent peer into WeshError('timeout').

import type { Duplex } from 'node:stream';
import { WeshError } from '../errors.js';
import { MAX_FRAME, readFrame } from './framing.js';

export interface FrameStream {
  /** The next frame; rejects with a WeshError ('invalid-frame', 'stream-closed', 'timeout'). */
  read(): Promise<Uint8Array>;
  /** Writes one frame (a builder's output). */
  write(frameBytes: Uint8Array): Promise<void>;
  close(): void;
}

export function fromDuplex(stream: Duplex, timeoutMs = 30_000): FrameStream {
  let buffered = new Uint8Array(0);
  let ended = false;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  stream.on('data', (chunk: Uint8Array) => {
    const next = new Uint8Array(buffered.length + chunk.length);
    next.set(buffered);
    next.set(chunk, buffered.length);
    buffered = next;
    // never hold more than one frame and its length: a peer that floods is cut off
    if (buffered.length > MAX_FRAME + 2) stream.pause();
    notify();
  });
  stream.on('end', () => ((ended = true), notify()));
  stream.on('close', () => ((ended = true), notify()));
  stream.on('error', (err) => ((failure = err), notify()));

  return {
    async read(): Promise<Uint8Array> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const f = readFrame(buffered);
        if (f !== null) {
          const whole = buffered.slice(0, f.used);
          buffered = buffered.slice(f.used);
          stream.resume();
          return whole;
        }
        if (buffered.length > MAX_FRAME + 2) throw new WeshError('invalid-frame', 'frame over the limit');
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
