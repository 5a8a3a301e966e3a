// A libp2p stream as a FrameStream (../handshake/frame-stream.ts): its source read frame by frame
// (at most one frame buffered), its sink fed from a queue, the end of the source as
// WeshError('stream-closed') and a silent peer as WeshError('timeout').

import { WeshError } from '../errors.js';
import type { FrameStream } from '../handshake/frame-stream.js';
import { FrameBuffer } from '../handshake/framing.js';

/** The part of a libp2p Stream used here (chunks are Uint8Array or Uint8ArrayList). */
export interface Libp2pStreamLike {
  source: AsyncIterable<{ subarray(): Uint8Array } | Uint8Array>;
  sink(source: AsyncIterable<Uint8Array>): Promise<void>;
  close(): Promise<void>;
  abort(err: Error): void;
}

/** An async queue the stream's sink drains. */
function queue() {
  const items: Uint8Array[] = [];
  let ended = false;
  let wake: (() => void) | null = null;
  async function* source(): AsyncGenerator<Uint8Array> {
    for (;;) {
      while (items.length > 0) yield items.shift()!;
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
  }
  return { source: source(), push: (b: Uint8Array) => (items.push(b), wake?.()), end: () => ((ended = true), wake?.()) };
}

export function fromLibp2pStream(stream: Libp2pStreamLike, timeoutMs = 30_000): FrameStream {
  const out = queue();
  let sinkError: Error | null = null;
  const sinkDone = stream.sink(out.source).catch((err: Error) => void (sinkError = err));
  const chunks = stream.source[Symbol.asyncIterator]();
  let next: Promise<IteratorResult<{ subarray(): Uint8Array } | Uint8Array>> | null = null;
  const frames = new FrameBuffer();
  let closed = false;

  return {
    async read(): Promise<Uint8Array> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const whole = frames.take();
        if (whole !== null) return whole;
        if (closed) throw new WeshError('stream-closed', 'the peer closed the stream');
        next ??= chunks.next();
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()))));
        let r: IteratorResult<{ subarray(): Uint8Array } | Uint8Array> | 'timeout';
        try {
          r = await Promise.race([next, timeout]);
        } catch (err) {
          closed = true;
          throw new WeshError('stream-closed', `stream failed: ${(err as Error).message}`);
        } finally {
          clearTimeout(timer);
        }
        if (r === 'timeout') throw new WeshError('timeout', `no message within ${timeoutMs} ms`);
        next = null;
        if (r.done) {
          closed = true;
          continue;
        }
        frames.push(r.value instanceof Uint8Array ? r.value : r.value.subarray());
      }
    },
    async write(frameBytes: Uint8Array): Promise<void> {
      if (sinkError) throw new WeshError('stream-closed', `write failed: ${(sinkError as Error).message}`);
      out.push(frameBytes);
    },
    close(): void {
      // the sink ends (closing our side for writing) once the queued frames are sent; then close reading
      out.end();
      void sinkDone.then(() => stream.close()).catch(() => stream.abort(new Error('closed')));
    },
  };
}
