// One /wesh/log-sync/1.0.0 stream with one peer (log-sync.ts holds the protocol logic): frames in,
// decoded strictly and handed to the sync one at a time; frames out through a queue the stream's
// sink drains. The queue holds ready frames (bounded in bytes: a push beyond the bound is refused and
// the caller notes the peer is behind) and lazy producers (a catch-up is encoded chunk by chunk as
// the sink pulls, so a large log is never encoded at once; a newer catch-up of the same log replaces
// one not yet finished). Any error — a bad frame, a malformed message, a reset — closes this stream
// only, and is reported once through onClose; nothing throws out of the session.

import type { SyncMessage } from './sync-codec.js';
import { type Chunk, WeshSyncError, decodeMessage, frameOf, readFrames } from './sync-codec.js';

/** The part of a libp2p Stream a session uses. */
export interface SyncStream {
  source: AsyncIterable<Chunk>;
  sink(source: AsyncIterable<Uint8Array>): Promise<void>;
  close(options?: { signal?: AbortSignal }): Promise<void>;
  abort(err: Error): void;
}

export interface SessionOptions {
  /** The remote peer id (string). */
  readonly peer: string;
  /** Whether we opened the stream. */
  readonly outbound: boolean;
  readonly maxMessage: number;
  readonly maxQueuedBytes: number;
  /** Handles one decoded message; the session awaits it before reading the next. */
  onMessage(session: SyncSession, message: SyncMessage): Promise<void> | void;
  /** Called when the outgoing queue becomes empty. */
  onDrain?(session: SyncSession): void;
  /** Called once when the session ends; `err` when it ended on an error (ours or the peer's). */
  onClose(session: SyncSession, err?: WeshSyncError): void;
}

interface Producer {
  readonly key: string;
  readonly frames: Iterator<Uint8Array>;
  cancelled: boolean;
}

const GRACEFUL_CLOSE_MS = 2_000;

export class SyncSession {
  readonly peer: string;
  readonly outbound: boolean;
  /** Tags (binary strings) of the logs this peer has shown it replicates too. */
  readonly shared = new Set<string>();
  /** Tags we sent our heads for on this session. */
  readonly headsSent = new Set<string>();
  /** Per tag, the missing parents we already asked this peer for (by sending our heads). */
  readonly asked = new Map<string, Set<string>>();
  /** Tags whose pushes were dropped because the queue was full. */
  readonly behind = new Set<string>();
  #o: SessionOptions;
  #stream: SyncStream;
  #items: (Uint8Array | Producer)[] = [];
  #queued = 0;
  #ended = false;
  #wake: (() => void) | null = null;
  #closed = false;
  #done: Promise<void> = Promise.resolve();
  #sinkDone: Promise<void> = Promise.resolve();

  constructor(stream: SyncStream, options: SessionOptions) {
    this.#stream = stream;
    this.#o = options;
    this.peer = options.peer;
    this.outbound = options.outbound;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Bytes of ready frames waiting to be sent. */
  get queuedBytes(): number {
    return this.#queued;
  }

  /** Starts the sink and the read loop. */
  start(): void {
    this.#sinkDone = this.#stream.sink(this.#drain()).catch((err: Error) => {
      this.#fail(new WeshSyncError('stream-failed', `write failed: ${err?.message ?? String(err)}`));
    });
    this.#done = this.#readLoop();
  }

  /**
   * Queues one message. Returns false (and queues nothing) when the ready frames already exceed
   * maxQueuedBytes, unless `force` (small control messages); also false once closed.
   */
  send(body: Uint8Array, force = false): boolean {
    return this.sendFrame(frameOf(body), force);
  }

  /** send() of an already framed message. */
  sendFrame(f: Uint8Array, force = false): boolean {
    if (this.#closed || this.#ended) return false;
    if (!force && this.#queued > this.#o.maxQueuedBytes) return false;
    this.#items.push(f);
    this.#queued += f.length;
    this.#wake?.();
    return true;
  }

  /** Queues a lazy producer of frames (already framed); replaces an unfinished one with the same key. */
  sendLazy(key: string, frames: Iterator<Uint8Array>): void {
    if (this.#closed || this.#ended) return;
    this.cancel(key);
    this.#items.push({ key, frames, cancelled: false });
    this.#wake?.();
  }

  /** Drops an unfinished producer (e.g. of a log no longer replicated). */
  cancel(key: string): void {
    for (const it of this.#items) if (!(it instanceof Uint8Array) && it.key === key) it.cancelled = true;
  }

  /**
   * Ends the session: `err` aborts the stream (the peer sees a reset); without it, the queued frames
   * are dropped, our side is closed for writing and the stream closed gracefully (aborted if that
   * takes more than 2 s). Resolves when the stream is done.
   */
  close(err?: WeshSyncError): Promise<void> {
    if (this.#closed) return this.#done.then(() => undefined, () => undefined);
    this.#closed = true;
    this.#items = [];
    this.#queued = 0;
    this.#ended = true;
    this.#wake?.();
    if (err) {
      try {
        this.#stream.abort(err);
      } catch {
        // already gone
      }
    }
    this.#o.onClose(this, err);
    return err ? Promise.resolve() : this.#closeGracefully();
  }

  async #closeGracefully(): Promise<void> {
    const ac = new AbortController();
    const aborted = new Promise<never>((_, reject) => ac.signal.addEventListener('abort', () => reject(new Error('timeout')), { once: true }));
    aborted.catch(() => undefined);
    const timer = setTimeout(() => ac.abort(), GRACEFUL_CLOSE_MS);
    try {
      // the sink may be stuck on a peer that does not read: the same deadline covers it
      await Promise.race([this.#sinkDone, aborted]);
      await this.#stream.close({ signal: ac.signal });
    } catch {
      try {
        this.#stream.abort(new Error('log-sync: close timed out'));
      } catch {
        // already gone
      }
    } finally {
      clearTimeout(timer);
    }
  }

  #fail(err: WeshSyncError): void {
    if (!this.#closed) void this.close(err);
  }

  async *#drain(): AsyncGenerator<Uint8Array, void, undefined> {
    for (;;) {
      while (this.#items.length > 0) {
        const it = this.#items[0];
        if (it instanceof Uint8Array) {
          this.#items.shift();
          this.#queued -= it.length;
          yield it;
          continue;
        }
        let r: IteratorResult<Uint8Array>;
        try {
          r = it.cancelled ? { done: true, value: undefined } : it.frames.next();
        } catch {
          r = { done: true, value: undefined }; // a producer that fails just stops
        }
        if (r.done) this.#items.shift();
        else yield r.value;
      }
      if (this.#ended) return;
      this.#o.onDrain?.(this);
      if (this.#items.length > 0) continue;
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = null;
    }
  }

  async #readLoop(): Promise<void> {
    try {
      for await (const body of readFrames(this.#stream.source, this.#o.maxMessage)) {
        if (this.#closed) return;
        const message = decodeMessage(body);
        await this.#o.onMessage(this, message);
        if (this.#closed) return;
      }
      // the peer closed its side: close ours
      if (!this.#closed) await this.close();
    } catch (err) {
      if (this.#closed) return;
      this.#fail(err instanceof WeshSyncError ? err : new WeshSyncError('stream-failed', `read failed: ${(err as Error)?.message ?? String(err)}`));
    }
  }
}
