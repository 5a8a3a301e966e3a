// One /wesh/log-sync stream with one peer (log-sync.ts holds the protocol logic): frames in,
// decoded strictly and handed to the sync one at a time; frames out through a queue the stream's
// sink drains, in order. The queue holds ready frames and lazy producers (a catch-up is encoded chunk
// by chunk as the sink pulls, so a large log is never encoded at once). Bounds, so that a peer that
// does not read costs us a bounded amount of memory:
//   - ready frames: at most maxQueuedBytes, beyond which a push is refused (the caller notes the peer
//     is behind); "forced" frames (our control messages) bypass that bound but have their own hard
//     bounds (maxForcedBytes, maxForcedFrames), beyond which the session is closed ('abuse');
//   - producers: at most one per key (sendLazy replaces an unfinished one, which is unlinked from
//     the queue at once, O(1), with everything it holds); the sync keys them per log.
// Any error — a bad frame, a malformed message, a reset, a limit — closes this stream only, and is
// reported once through onClose; nothing throws out of the session.

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
  /** Forced frames queued at once, in bytes and in number, beyond which the session is closed. */
  readonly maxForcedBytes?: number;
  readonly maxForcedFrames?: number;
  /** Handles one decoded message; the session awaits it before reading the next. */
  onMessage(session: SyncSession, message: SyncMessage): Promise<void> | void;
  /** Called when the outgoing queue becomes empty. */
  onDrain?(session: SyncSession): void;
  /** Called when the producer under `key` has yielded its last frame (not when replaced or cancelled). */
  onProducerDone?(session: SyncSession, key: string): void;
  /** Called once when the session ends; `err` when it ended on an error (ours or the peer's). */
  onClose(session: SyncSession, err?: WeshSyncError): void;
}

/** A queue node: a ready frame or a producer, doubly linked so that a producer is unlinked in O(1). */
interface Item {
  frame: Uint8Array | null;
  forced: boolean;
  key: string | null;
  frames: Iterator<Uint8Array> | null;
  prev: Item | null;
  next: Item | null;
}

const GRACEFUL_CLOSE_MS = 2_000;
export const DEFAULT_MAX_FORCED_BYTES = 8 << 20;
export const DEFAULT_MAX_FORCED_FRAMES = 16_384;

export class SyncSession {
  readonly peer: string;
  readonly outbound: boolean;
  /** Keys (log-sync's per-log keys) of the logs this peer has proved it replicates too. */
  readonly shared = new Set<string>();
  /** Logs we sent our heads for on this session. */
  readonly headsSent = new Set<string>();
  /** Per log, the missing parents we already asked this peer for (by sending our heads). */
  readonly asked = new Map<string, Set<string>>();
  /** Logs whose pushes were dropped because the queue was full. */
  readonly behind = new Set<string>();
  #o: SessionOptions;
  #stream: SyncStream;
  #head: Item | null = null;
  #tail: Item | null = null;
  readonly #producers = new Map<string, Item>();
  #count = 0;
  #queued = 0;
  #forcedBytes = 0;
  #forcedFrames = 0;
  #peakItems = 0;
  #peakBytes = 0;
  readonly #maxForcedBytes: number;
  readonly #maxForcedFrames: number;
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
    this.#maxForcedBytes = options.maxForcedBytes ?? DEFAULT_MAX_FORCED_BYTES;
    this.#maxForcedFrames = options.maxForcedFrames ?? DEFAULT_MAX_FORCED_FRAMES;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Bytes of ready frames waiting to be sent. */
  get queuedBytes(): number {
    return this.#queued;
  }

  /** Items (ready frames and producers) waiting in the queue. */
  get queuedItems(): number {
    return this.#count;
  }

  /** The most items / bytes the queue ever held at once. */
  get peakItems(): number {
    return this.#peakItems;
  }

  get peakBytes(): number {
    return this.#peakBytes;
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
   * maxQueuedBytes, unless `force` (our control messages, under their own hard bound: exceeding it
   * closes the session); also false once closed.
   */
  send(body: Uint8Array, force = false): boolean {
    return this.sendFrame(frameOf(body), force);
  }

  /** send() of an already framed message. */
  sendFrame(f: Uint8Array, force = false): boolean {
    if (this.#closed || this.#ended) return false;
    if (force) {
      if (this.#forcedBytes + f.length > this.#maxForcedBytes || this.#forcedFrames + 1 > this.#maxForcedFrames) {
        this.#fail(new WeshSyncError('abuse', 'too many control frames queued for a peer that does not read'));
        return false;
      }
      this.#forcedBytes += f.length;
      this.#forcedFrames++;
    } else if (this.#queued > this.#o.maxQueuedBytes) return false;
    this.#append({ frame: f, forced: force, key: null, frames: null, prev: null, next: null });
    this.#queued += f.length;
    if (this.#queued > this.#peakBytes) this.#peakBytes = this.#queued;
    this.#wake?.();
    return true;
  }

  /** Queues a lazy producer of frames (already framed); replaces (and drops) an unfinished one with the same key. */
  sendLazy(key: string, frames: Iterator<Uint8Array>): void {
    if (this.#closed || this.#ended) return;
    this.cancel(key);
    const it: Item = { frame: null, forced: false, key, frames, prev: null, next: null };
    this.#producers.set(key, it);
    this.#append(it);
    this.#wake?.();
  }

  /** Whether a producer is queued under `key`. */
  hasLazy(key: string): boolean {
    return this.#producers.has(key);
  }

  /** Drops an unfinished producer (e.g. of a log no longer replicated), in O(1). */
  cancel(key: string): void {
    const it = this.#producers.get(key);
    if (!it) return;
    this.#producers.delete(key);
    this.#unlink(it);
    it.frames = null;
  }

  #append(it: Item): void {
    it.prev = this.#tail;
    if (this.#tail) this.#tail.next = it;
    else this.#head = it;
    this.#tail = it;
    this.#count++;
    if (this.#count > this.#peakItems) this.#peakItems = this.#count;
  }

  #unlink(it: Item): void {
    if (it.prev) it.prev.next = it.next;
    else if (this.#head === it) this.#head = it.next;
    if (it.next) it.next.prev = it.prev;
    else if (this.#tail === it) this.#tail = it.prev;
    it.prev = it.next = null;
    this.#count--;
  }

  /**
   * Ends the session: `err` aborts the stream (the peer sees a reset); without it, the queued frames
   * are dropped, our side is closed for writing and the stream closed gracefully (aborted if that
   * takes more than 2 s). Resolves when the stream is done.
   */
  close(err?: WeshSyncError): Promise<void> {
    if (this.#closed) return this.#done.then(() => undefined, () => undefined);
    this.#closed = true;
    this.#head = this.#tail = null;
    this.#producers.clear();
    this.#count = 0;
    this.#queued = 0;
    this.#forcedBytes = this.#forcedFrames = 0;
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
      while (this.#head !== null) {
        const it = this.#head;
        if (it.frame !== null) {
          this.#unlink(it);
          this.#queued -= it.frame.length;
          if (it.forced) {
            this.#forcedBytes -= it.frame.length;
            this.#forcedFrames--;
          }
          yield it.frame;
          continue;
        }
        let r: IteratorResult<Uint8Array>;
        try {
          r = it.frames ? it.frames.next() : { done: true, value: undefined };
        } catch {
          r = { done: true, value: undefined }; // a producer that fails just stops
        }
        if (this.#head !== it) continue; // replaced or cancelled meanwhile (or the session closed)
        if (!r.done) {
          yield r.value;
          continue;
        }
        this.#unlink(it);
        const key = it.key!;
        const natural = it.frames !== null;
        it.frames = null;
        if (this.#producers.get(key) === it) this.#producers.delete(key);
        if (natural && !this.#closed) this.#o.onProducerDone?.(this, key);
      }
      if (this.#ended) return;
      this.#o.onDrain?.(this);
      if (this.#head !== null) continue;
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
