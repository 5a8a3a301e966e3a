// What MtprotoClient sends packets through: a Channel. A stream channel frames packets with an
// MTProto transport codec over a byte pipe (TCP in Node, WebSocket anywhere); an HTTP channel
// POSTs each packet (http.ts). Every kind reports the same events.

import type { FrameCodec } from '../transport/codec.js';
import { MtprotoError } from '../errors.js';

export interface ChannelEvents {
  /** A packet (plain or encrypted) from the server. */
  packet(payload: Uint8Array): void;
  /** A transport error (spec §8.6): 404, 429, 444 … */
  transportError(code: number): void;
  /** The channel is gone (the peer closed it, or it failed); not called after close(). */
  closed(error?: Error): void;
  /** HTTP: a request got its answer (the client may need to poll again). */
  idle?(): void;
}

export interface Channel {
  readonly kind: 'stream' | 'http';
  /** Whether plain messages may carry 0..15 bytes of transport padding (padded intermediate). */
  readonly padded: boolean;
  send(packet: Uint8Array): void;
  /** HTTP: requests waiting for their answer. Streams: 0. */
  readonly inflight: number;
  close(): void;
}

/** A byte pipe: a TCP socket or a WebSocket. */
export interface Pipe {
  write(bytes: Uint8Array): void;
  close(): void;
}

/** Frames packets with `codec` over `pipe`; call data() with what the pipe reads. */
export class StreamChannel implements Channel {
  readonly kind = 'stream';
  readonly inflight = 0;
  readonly padded: boolean;
  readonly #codec: FrameCodec;
  readonly #events: ChannelEvents;
  #pipe: Pipe | null = null;
  #closed = false;

  constructor(codec: FrameCodec, events: ChannelEvents, padded: boolean) {
    this.#codec = codec;
    this.#events = events;
    this.padded = padded;
  }

  /** The pipe, once open. */
  attach(pipe: Pipe): void {
    this.#pipe = pipe;
  }

  data(chunk: Uint8Array): void {
    if (this.#closed) return;
    let frames;
    try {
      frames = this.#codec.push(chunk);
    } catch (error) {
      this.#fail(error instanceof Error ? error : new MtprotoError('transport-failed', String(error)));
      return;
    }
    for (const frame of frames) {
      if (this.#closed) return;
      if (frame.kind === 'packet') this.#events.packet(frame.payload);
      else if (frame.kind === 'transport-error') this.#events.transportError(frame.code);
    }
  }

  send(packet: Uint8Array): void {
    if (this.#closed || this.#pipe === null) return;
    this.#pipe.write(this.#codec.encode(packet));
  }

  /** The pipe closed under us. */
  ended(error?: Error): void {
    if (this.#closed) return;
    this.#fail(error ?? new MtprotoError('connection-closed', 'the server closed the connection'));
  }

  #fail(error: Error): void {
    this.#shut();
    this.#events.closed(error);
  }

  close(): void {
    this.#shut();
  }

  #shut(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pipe?.close();
    this.#codec.dispose();
  }
}
