// Replication of WeshLogs between js-libp2p peers: /wesh/log-sync/1.0.0 (weshnet replicates its
// OrbitDB logs with heads over pubsub and blocks over bitswap, spec §10; this is wirecrypt's own
// protocol over one direct stream per pair of peers; the wire format is in sync-codec.ts).
//
// A log is offered under a tag, not its id: tag = HMAC-SHA256(key = the group's link key,
// "wesh/log-sync/tag" ‖ log id), computed by the crypto provider, so a peer learns only which logs
// it shares with us. One long-lived stream per peer, opened by the side that dialled (automatically
// when identify shows the peer speaks the protocol, or through connect()); if both sides open one at
// once, both keep the stream opened by the smaller peer id. On it (messages in sync-codec.ts):
//
//   1. each side sends hello {tags} with the tags of every log it replicates;
//   2. for a tag it holds too, each sends heads {tag, heads}: its heads and a logarithmic sample of
//      older entries (#sendHeads); a peer without the link key therefore gets our tags — opaque
//      HMACs — and never our heads or blocks;
//   3. on heads, each sends blocks {tag, blocks}: every entry of the log that is not one of those
//      entries or their ancestor (WeshLog.entriesNotIn: one backward scan), parents first, chunked
//      under the message limit and encoded lazily as the stream drains — one round trip per
//      catch-up, not one per entry. Heads for a tag we have but did not send heads for yet are
//      answered with ours, so a log registered later on one side is exchanged both ways;
//   4. blocks are join()ed: the log checks CIDs, layout, writer and signatures and stores nothing it
//      refuses; a join that leaves parents missing sends our heads again (once per new set of
//      missing parents), which makes the peer send what we lack;
//   5. what each append or join adds to a log is pushed to every other peer sharing it (not back
//      to the peer it came from), so changes flow through peers that relay them.
//
// Pushes beyond a per-peer queue bound (a peer that does not read) are dropped; when its queue
// drains, the peer gets our current heads' blocks, finds their parents missing and asks (step 4).
// Anything a peer sends that does not parse closes that stream with a WeshSyncError (reported to
// onError); messages for tags we do not hold are ignored. Nothing a peer sends throws out of a
// handler.

import type { Connection, PeerId, Stream } from '@libp2p/interface';
import type { Multiaddr } from '@multiformats/multiaddr';
import type { Libp2p } from 'libp2p';
import type { CryptoProvider } from '../../provider/types.js';
import type { Entry } from '../log/entry.js';
import { WeshLogError } from '../log/errors.js';
import { binaryKey } from '../log/keys.js';
import type { WeshLog } from '../log/log.js';
import {
  BLOCK_OVERHEAD, BLOCKS_OVERHEAD, DEFAULT_MAX_MESSAGE, LOG_SYNC_PROTOCOL, MAX_BLOCKS, MAX_HEADS, type SyncMessage,
  WeshSyncError, encodeMessage, frameOf,
} from './sync-codec.js';
import { type SyncStream, SyncSession } from './sync-session.js';

export { LOG_SYNC_PROTOCOL, WeshSyncError, type WeshSyncErrorCode, type SyncMessage } from './sync-codec.js';

const TAG_LABEL = new TextEncoder().encode('wesh/log-sync/tag');

/** The tag a log is offered under: HMAC-SHA256(linkKey, "wesh/log-sync/tag" ‖ UTF-8 log id). */
export function logSyncTag(provider: CryptoProvider, linkKey: Uint8Array, logId: string): Uint8Array {
  if (!(linkKey instanceof Uint8Array) || linkKey.length === 0) throw new TypeError('logSyncTag: linkKey must be a non-empty Uint8Array');
  if (typeof logId !== 'string') throw new TypeError('logSyncTag: logId must be a string');
  const id = new TextEncoder().encode(logId);
  const msg = new Uint8Array(TAG_LABEL.length + id.length);
  msg.set(TAG_LABEL);
  msg.set(id, TAG_LABEL.length);
  return provider.hmac('SHA-256', linkKey, msg);
}

export interface LogSyncOptions {
  /** Computes the tags (HMAC-SHA256). */
  readonly provider: CryptoProvider;
  /** Largest message either way, in bytes (default 4 MiB); a peer's larger frame closes its stream. */
  readonly maxMessage?: number;
  /** Target size of one blocks message (default 1 MiB, at most maxMessage). */
  readonly chunkBytes?: number;
  /** Bytes of pushed frames queued per peer before further pushes are dropped (default 16 MiB). */
  readonly maxQueuedBytes?: number;
  /** Open a stream on every outbound connection to a peer that speaks the protocol (default true). */
  readonly autoConnect?: boolean;
  /** Errors of a session (a peer's bad frame, a reset stream, a failed dial in autoConnect). */
  readonly onError?: (err: Error, peer: string) => void;
}

export interface LogSyncStats {
  /** Sessions opened so far (both directions). */
  sessionsOpened: number;
  /** Sessions that ended on an error. */
  sessionErrors: number;
  messagesReceived: number;
  /** Blocks encoded for sending (catch-ups and pushes). */
  blocksSent: number;
  blocksReceived: number;
  /** Received blocks that entered a log. */
  added: number;
  /** Received blocks a log refused (bad signature, wrong log, bad CID, ...). */
  rejected: number;
  /** Received blocks a log already held. */
  duplicates: number;
  /** Messages for tags we do not replicate. */
  ignored: number;
  /** Pushes dropped because a peer's queue was full. */
  dropped: number;
}

interface Registered {
  readonly log: WeshLog;
  readonly tag: Uint8Array;
  readonly k: string;
  readonly unsubscribe: () => void;
  /** Entries added since the last push flush. */
  outbox: Entry[];
}

type DialTarget = PeerId | Multiaddr | Multiaddr[];

export class LogSync {
  readonly #node: Libp2p;
  readonly #provider: CryptoProvider;
  readonly #maxMessage: number;
  readonly #chunkBytes: number;
  readonly #maxQueued: number;
  readonly #onError: LogSyncOptions['onError'];
  readonly #autoConnect: boolean;
  #started = false;
  #topology: string | undefined;
  #closed = false;
  readonly #byTag = new Map<string, Registered>();
  readonly #byLog = new Map<WeshLog, Registered>();
  readonly #sessions = new Map<string, SyncSession>();
  readonly #opening = new Map<string, Promise<SyncSession>>();
  readonly #all = new Set<SyncSession>();
  /** The session each received entry came from (it is not pushed back there). */
  readonly #origin = new WeakMap<Entry, SyncSession>();
  #flush: ReturnType<typeof setImmediate> | null = null;
  readonly #stats: LogSyncStats = {
    sessionsOpened: 0, sessionErrors: 0, messagesReceived: 0, blocksSent: 0, blocksReceived: 0, added: 0, rejected: 0, duplicates: 0, ignored: 0, dropped: 0,
  };

  /**
   * A sync on `node` (a CryptoProvider alone is `{ provider }`); nothing happens until start().
   */
  constructor(node: Libp2p, options: LogSyncOptions | CryptoProvider) {
    const o: LogSyncOptions = 'provider' in options && typeof (options as LogSyncOptions).provider?.hmac === 'function'
      ? (options as LogSyncOptions)
      : { provider: options as CryptoProvider };
    if (typeof o.provider?.hmac !== 'function') throw new TypeError('LogSync: options.provider must be a CryptoProvider');
    this.#node = node;
    this.#provider = o.provider;
    this.#maxMessage = positive(o.maxMessage ?? DEFAULT_MAX_MESSAGE, 'maxMessage');
    this.#chunkBytes = Math.min(positive(o.chunkBytes ?? 1 << 20, 'chunkBytes'), this.#maxMessage);
    this.#maxQueued = positive(o.maxQueuedBytes ?? 16 << 20, 'maxQueuedBytes');
    this.#autoConnect = o.autoConnect !== false;
    this.#onError = o.onError;
  }

  /** Handles /wesh/log-sync/1.0.0 on the node and (autoConnect) opens it on outbound connections. */
  async start(): Promise<void> {
    this.#assertOpen();
    if (this.#started) return;
    this.#started = true;
    await this.#node.handle(LOG_SYNC_PROTOCOL, ({ stream, connection }) => this.#inbound(stream, connection), { maxInboundStreams: 4 });
    if (this.#autoConnect) {
      this.#topology = await this.#node.register(LOG_SYNC_PROTOCOL, {
        onConnect: (peerId, connection) => {
          if (connection.direction !== 'outbound' || this.#closed) return;
          this.#open(connection).catch((err: Error) => this.#report(err, peerId.toString()));
        },
      });
    }
  }

  /** A copy of the counters. */
  get stats(): LogSyncStats {
    return { ...this.#stats };
  }

  /** Peers with an open session. */
  peers(): string[] {
    return [...this.#sessions.keys()];
  }

  /** Peers that have shown they replicate `log` too. */
  sharedWith(log: WeshLog): string[] {
    const reg = this.#byLog.get(log);
    if (!reg) return [];
    return [...this.#sessions.values()].filter((s) => s.shared.has(reg.k)).map((s) => s.peer);
  }

  /**
   * Replicates `log` under the tag derived from `linkKey` (the group's link key) and offers it to
   * every connected peer. Returns the tag. RangeError if the log, or another log with the same tag,
   * is already registered.
   */
  addLog(log: WeshLog, linkKey: Uint8Array): Uint8Array {
    this.#assertOpen();
    if (this.#byLog.has(log)) throw new RangeError('LogSync.addLog: this log is already replicated');
    const tag = logSyncTag(this.#provider, linkKey, log.id);
    const k = binaryKey(tag);
    if (this.#byTag.has(k)) throw new RangeError('LogSync.addLog: another log has the same tag');
    const reg: Registered = { log, tag, k, outbox: [], unsubscribe: () => undefined };
    (reg as { unsubscribe: () => void }).unsubscribe = log.subscribe((added) => this.#onAdded(reg, added));
    this.#byTag.set(k, reg);
    this.#byLog.set(log, reg);
    const hello = encodeMessage({ type: 'hello', tags: [tag] });
    for (const s of this.#sessions.values()) s.send(hello, true);
    return tag.slice();
  }

  /** Stops replicating `log` (its messages are ignored from now on). Returns whether it was replicated. */
  removeLog(log: WeshLog): boolean {
    const reg = this.#byLog.get(log);
    if (!reg) return false;
    reg.unsubscribe();
    reg.outbox = [];
    this.#byLog.delete(log);
    this.#byTag.delete(reg.k);
    for (const s of this.#all) {
      s.shared.delete(reg.k);
      s.headsSent.delete(reg.k);
      s.asked.delete(reg.k);
      s.behind.delete(reg.k);
      s.cancel(reg.k);
    }
    return true;
  }

  /**
   * Dials `target` (a multiaddr or peer id) and opens the sync stream on that connection (or
   * returns the session already open). Resolves with the peer id once our hello is queued.
   */
  async connect(target: DialTarget): Promise<string> {
    this.#assertOpen();
    const connection = await this.#node.dial(target);
    const s = await this.#open(connection);
    return s.peer;
  }

  /** Closes every session, unregisters the protocol and stops listening to the logs (which stay open). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#flush) clearImmediate(this.#flush);
    this.#flush = null;
    for (const reg of this.#byLog.values()) reg.unsubscribe();
    this.#byLog.clear();
    this.#byTag.clear();
    if (this.#topology !== undefined) this.#node.unregister(this.#topology);
    if (this.#started) await this.#node.unhandle(LOG_SYNC_PROTOCOL).catch(() => undefined);
    await Promise.all([...this.#opening.values()].map((p) => p.catch(() => undefined)));
    await Promise.all([...this.#all].map((s) => s.close()));
  }

  // ---- sessions ------------------------------------------------------------------------------------

  #assertOpen(): void {
    if (this.#closed) throw new WeshSyncError('closed', 'the sync is closed');
  }

  #report(err: Error, peer: string): void {
    try {
      this.#onError?.(err, peer);
    } catch {
      // a throwing callback must not break the session
    }
  }

  #open(connection: Connection): Promise<SyncSession> {
    const peer = connection.remotePeer.toString();
    const live = this.#sessions.get(peer);
    if (live && !live.closed) return Promise.resolve(live);
    const pending = this.#opening.get(peer);
    if (pending) return pending;
    const opening = (async () => {
      const stream = await connection.newStream(LOG_SYNC_PROTOCOL);
      if (this.#closed) {
        stream.abort(new WeshSyncError('closed', 'the sync is closed'));
        throw new WeshSyncError('closed', 'the sync is closed');
      }
      return this.#adopt(stream, peer, true);
    })();
    this.#opening.set(peer, opening);
    const forget = () => void (this.#opening.get(peer) === opening && this.#opening.delete(peer));
    opening.then(forget, forget);
    return opening;
  }

  #inbound(stream: Stream, connection: Connection): void {
    if (this.#closed) {
      stream.abort(new WeshSyncError('closed', 'the sync is closed'));
      return;
    }
    this.#adopt(stream, connection.remotePeer.toString(), false);
  }

  /**
   * A new session. If one is already open with this peer, the stream opened by the smaller peer id
   * wins on both sides (so two streams opened at once resolve the same way everywhere); a second
   * stream from the same opener loses to the first.
   */
  #adopt(stream: Stream, peer: string, outbound: boolean): SyncSession {
    const s = new SyncSession(stream as unknown as SyncStream, {
      peer,
      outbound,
      maxMessage: this.#maxMessage,
      maxQueuedBytes: this.#maxQueued,
      onMessage: (session, m) => this.#onMessage(session, m),
      onDrain: (session) => this.#onDrain(session),
      onClose: (session, err) => this.#onClose(session, err),
    });
    this.#all.add(s);
    this.#stats.sessionsOpened++;
    const live = this.#sessions.get(peer);
    if (live && !live.closed) {
      const us = this.#node.peerId.toString();
      const openerOf = (x: SyncSession) => (x.outbound ? us : peer);
      const newWins = live.outbound !== s.outbound && openerOf(s) < openerOf(live);
      if (!newWins) {
        s.start();
        void s.close();
        return live;
      }
      this.#sessions.set(peer, s);
      void live.close();
    } else {
      this.#sessions.set(peer, s);
    }
    s.start();
    s.send(encodeMessage({ type: 'hello', tags: [...this.#byTag.values()].map((r) => r.tag) }), true);
    return s;
  }

  #onClose(s: SyncSession, err?: WeshSyncError): void {
    this.#all.delete(s);
    if (this.#sessions.get(s.peer) === s) this.#sessions.delete(s.peer);
    if (err && !this.#closed) {
      this.#stats.sessionErrors++;
      this.#report(err, s.peer);
    }
  }

  // ---- messages ------------------------------------------------------------------------------------

  async #onMessage(s: SyncSession, m: SyncMessage): Promise<void> {
    this.#stats.messagesReceived++;
    if (m.type === 'hello') {
      for (const tag of m.tags) {
        const reg = this.#byTag.get(binaryKey(tag));
        if (!reg) continue;
        s.shared.add(reg.k);
        this.#sendHeads(s, reg);
      }
      return;
    }
    const reg = this.#byTag.get(binaryKey(m.tag));
    if (!reg) {
      this.#stats.ignored++;
      return;
    }
    s.shared.add(reg.k);
    if (m.type === 'heads') {
      const lacking = reg.log.entriesNotIn(m.heads);
      if (lacking.length > 0) s.sendLazy(reg.k, this.#blockFrames(reg, lacking));
      if (!s.headsSent.has(reg.k)) this.#sendHeads(s, reg);
      return;
    }
    // blocks
    this.#stats.blocksReceived += m.blocks.length;
    let r;
    try {
      r = await reg.log.join(m.blocks);
    } catch (err) {
      if (err instanceof WeshLogError && err.code === 'closed') return; // the log was closed meanwhile
      throw new WeshSyncError('malformed', `join failed: ${(err as Error).message}`);
    }
    this.#stats.added += r.added.length;
    this.#stats.rejected += r.rejected.length;
    this.#stats.duplicates += r.duplicates;
    for (const e of r.added) this.#origin.set(e, s);
    if (r.missing.length === 0) {
      s.asked.delete(reg.k);
      return;
    }
    // parents we lack: ask this peer (it holds every ancestor of what it sent) by sending our heads,
    // once per new missing parent
    let asked = s.asked.get(reg.k);
    if (!asked) s.asked.set(reg.k, (asked = new Set()));
    let fresh = false;
    for (const cid of r.missing) {
      const k = binaryKey(cid.bytes);
      if (!asked.has(k)) {
        asked.add(k);
        fresh = true;
      }
    }
    if (fresh && this.#byTag.get(reg.k) === reg) this.#sendHeads(s, reg);
  }

  /**
   * Our heads of `reg`'s log, followed by a sample of older entries: those 1, 2, 3, … entries before
   * the newest in the total order, the gap growing by a quarter each step, and the oldest entry —
   * ~60 CIDs for a million entries. When the peer's log has diverged from ours, it does not know our
   * heads, but it knows the sampled entries of the common part, so its catch-up resends at most about
   * a quarter of what we appended since the logs diverged (instead of the whole common part).
   */
  #sendHeads(s: SyncSession, reg: Registered): void {
    const log = reg.log;
    const heads = log.heads;
    if (heads.length > MAX_HEADS) heads.length = MAX_HEADS; // the peer may then send a few we have
    const have = heads.map((e) => e.cidBytes);
    const seen = new Set(heads.map((e) => e.k));
    const n = log.length;
    const sample = (e: Entry | undefined) => {
      if (e && !seen.has(e.k) && have.length < MAX_HEADS) {
        seen.add(e.k);
        have.push(e.cidBytes);
      }
    };
    for (let d = 1; d < n; d = Math.max(d + 1, Math.floor(d * 1.25))) sample(log.at(n - 1 - d));
    sample(log.at(0));
    s.headsSent.add(reg.k);
    s.send(encodeMessage({ type: 'heads', tag: reg.tag, heads: have }), true);
  }

  /**
   * Framed blocks messages for `entries` (in order), each at most chunkBytes (or one block alone when
   * it is larger, if it fits maxMessage), produced one at a time as the stream drains.
   */
  *#blockFrames(reg: Registered, entries: readonly Entry[]): Generator<Uint8Array, void, undefined> {
    const budget = this.#chunkBytes - BLOCKS_OVERHEAD;
    let batch: Uint8Array[] = [];
    let size = 0;
    const flush = () => {
      const f = frameOf(encodeMessage({ type: 'blocks', tag: reg.tag, blocks: batch }));
      this.#stats.blocksSent += batch.length;
      batch = [];
      size = 0;
      return f;
    };
    for (const e of entries) {
      const n = e.bytes.length + BLOCK_OVERHEAD;
      if (n > this.#maxMessage - BLOCKS_OVERHEAD) continue; // cannot be sent under the limit
      if (batch.length > 0 && (size + n > budget || batch.length >= MAX_BLOCKS)) yield flush();
      batch.push(e.bytes);
      size += n;
    }
    if (batch.length > 0) yield flush();
  }

  // ---- pushes --------------------------------------------------------------------------------------

  #onAdded(reg: Registered, added: readonly Entry[]): void {
    if (this.#closed || this.#byTag.get(reg.k) !== reg) return;
    let anyone = false;
    for (const s of this.#sessions.values()) if (s.shared.has(reg.k)) anyone = true;
    if (!anyone) return; // a peer that shows up later gets them with its catch-up
    for (const e of added) reg.outbox.push(e);
    // after the join that added them has returned, so that their origin is known
    this.#flush ??= setImmediate(() => this.#pushAll());
  }

  #pushAll(): void {
    this.#flush = null;
    if (this.#closed) return;
    for (const reg of this.#byLog.values()) {
      if (reg.outbox.length === 0) continue;
      const entries = reg.outbox;
      reg.outbox = [];
      let everything: Uint8Array[] | undefined; // the frames of all the entries, encoded once
      for (const s of this.#sessions.values()) {
        if (!s.shared.has(reg.k) || s.behind.has(reg.k)) continue;
        const list = entries.filter((e) => this.#origin.get(e) !== s);
        if (list.length === 0) continue;
        const frames = list.length === entries.length ? (everything ??= [...this.#blockFrames(reg, entries)]) : this.#blockFrames(reg, list);
        for (const f of frames) {
          if (!s.sendFrame(f)) {
            this.#stats.dropped++;
            s.behind.add(reg.k);
            break;
          }
        }
      }
    }
  }

  /** A peer whose pushes were dropped gets our heads' blocks; their missing parents make it ask. */
  #onDrain(s: SyncSession): void {
    if (s.behind.size === 0) return;
    const tags = [...s.behind];
    s.behind.clear();
    for (const k of tags) {
      const reg = this.#byTag.get(k);
      if (reg && s.shared.has(k)) s.sendLazy(k, this.#blockFrames(reg, reg.log.heads));
    }
  }
}

/** A started LogSync on `node`. */
export async function startLogSync(node: Libp2p, options: LogSyncOptions): Promise<LogSync> {
  const sync = new LogSync(node, options);
  await sync.start();
  return sync;
}

function positive(v: number, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new RangeError(`LogSync: options.${name} must be a positive integer`);
  return v;
}
