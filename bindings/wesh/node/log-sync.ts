// Replication of WeshLogs between js-libp2p peers: /wesh/log-sync/2.0.0 (weshnet replicates its
// OrbitDB logs with heads over pubsub and blocks over bitswap, spec §10; this is wirecrypt's own
// protocol over one direct stream per pair of peers; the wire format is in sync-codec.ts).
//
// A log is never named on the wire by anything stable: a peer must prove, in this session, that it
// holds the log's link key before we send anything about that log. One long-lived stream per peer,
// opened by the side that dialled (automatically when identify shows the peer speaks the protocol,
// or through connect()); if both sides open one at once, both keep the stream opened by the smaller
// peer id. On it (messages in sync-codec.ts; HMAC = HMAC-SHA256 of the crypto provider, keyed with
// the log's link key; id = UTF-8 log id; u32 = 4-byte big-endian length; D/L = the nonces of the side
// that opened the stream (dialer) and of the other (listener); pid(X) = X's peer id multihash bytes):
//
//   1. each side sends hello {nonce}: 32 fresh random bytes, nothing else (first message, once);
//   2. once both nonces are known, for each of its logs a side computes
//        sessionTag = HMAC(linkKey, "wesh/log-sync/session" ‖ u32 ‖ id ‖ D ‖ L)
//        proof(X)   = HMAC(linkKey, "wesh/log-sync/proof"   ‖ u32 ‖ id ‖ D ‖ L ‖ pid(X))
//      and sends proofs {proofs: [proof(self) of each log]}, sorted (a log added later: proofs
//      {[its proof]} to every open session). A log is shared with the session only when the peer
//      sent proof(peer) for it, pid(peer) taken from the Noise-authenticated connection: a relay
//      cannot pass on someone else's proofs, an echo of ours does not match, and a peer without the
//      link key learns nothing but how many logs we hold. Fresh nonces make every proof and tag
//      unlinkable across sessions;
//   3. for a shared log each side sends heads {tag: sessionTag, heads}: its heads and a logarithmic
//      sample of older entries (#sendHeads);
//   4. on heads, each sends blocks {tag: sessionTag, blocks}: every entry of the log that is not one
//      of those entries or their ancestor (WeshLog.entriesNotIn: one backward scan), parents first,
//      chunked under the message limit and encoded lazily as the stream drains — one round trip per
//      catch-up. At most one catch-up per (session, log) is outstanding: heads that arrive while one
//      is still being sent replace each other and are answered (one scan) once it has drained; more
//      than maxHeadsWhilePending of them close the session ('abuse'). Heads for a log we did not send
//      heads for yet are answered with ours;
//   5. blocks are join()ed: the log checks CIDs, layout, writer and signatures and stores nothing it
//      refuses (maxRefusedBlocks refused blocks close the session, 'abuse'); a join that leaves
//      parents missing sends our heads again (once per new set of missing parents), which makes the
//      peer send what we lack;
//   6. what each append or join adds to a log is pushed to every other peer sharing it (not back to
//      the peer it came from), so changes flow through peers that relay them.
//
// heads/blocks whose tag is not the session tag of a shared log are ignored (counted). Memory per
// peer is bounded: pushes beyond maxQueuedBytes are dropped (when its queue drains, the peer gets our
// current heads' blocks, finds their parents missing and asks, step 5); our heads are one lazy item
// per log, computed when sent; a catch-up is one lazy producer per log; our control frames (hello,
// proofs) have hard caps that close the session. Anything a peer sends that does not parse closes
// that stream with a WeshSyncError (reported to onError). Nothing a peer sends throws out of a
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
  BLOCK_OVERHEAD, BLOCKS_OVERHEAD, DEFAULT_MAX_MESSAGE, LOG_SYNC_PROTOCOL, MAX_BLOCKS, MAX_HEADS, MAX_PROOFS, NONCE_LENGTH, type SyncMessage,
  WeshSyncError, encodeMessage, frameOf,
} from './sync-codec.js';
import { type SyncStream, SyncSession } from './sync-session.js';

export { LOG_SYNC_PROTOCOL, WeshSyncError, type WeshSyncErrorCode, type SyncMessage } from './sync-codec.js';

const utf8 = new TextEncoder();
const TAG_LABEL = utf8.encode('wesh/log-sync/tag');
const SESSION_LABEL = utf8.encode('wesh/log-sync/session');
const PROOF_LABEL = utf8.encode('wesh/log-sync/proof');

/**
 * HMAC-SHA256(linkKey, "wesh/log-sync/tag" ‖ UTF-8 log id): a local, stable identifier of a (link
 * key, log) pair, used to refuse a second registration of the same pair. Never sent: on the wire a
 * log only appears under per-session proofs and tags (logSyncProof, logSyncSessionTag).
 */
export function logSyncTag(provider: CryptoProvider, linkKey: Uint8Array, logId: string): Uint8Array {
  checkKey(linkKey, logId, 'logSyncTag');
  const id = utf8.encode(logId);
  const msg = new Uint8Array(TAG_LABEL.length + id.length);
  msg.set(TAG_LABEL);
  msg.set(id, TAG_LABEL.length);
  return provider.hmac('SHA-256', linkKey, msg);
}

/** sessionTag = HMAC-SHA256(linkKey, "wesh/log-sync/session" ‖ u32be(len id) ‖ id ‖ nonceDialer ‖ nonceListener). */
export function logSyncSessionTag(provider: CryptoProvider, linkKey: Uint8Array, logId: string, nonceDialer: Uint8Array, nonceListener: Uint8Array): Uint8Array {
  checkKey(linkKey, logId, 'logSyncSessionTag');
  return provider.hmac('SHA-256', linkKey, sessionInput(SESSION_LABEL, logId, nonceDialer, nonceListener, new Uint8Array(0)));
}

/**
 * proof(X) = HMAC-SHA256(linkKey, "wesh/log-sync/proof" ‖ u32be(len id) ‖ id ‖ nonceDialer ‖
 * nonceListener ‖ peer id bytes of X (its multihash)).
 */
export function logSyncProof(
  provider: CryptoProvider, linkKey: Uint8Array, logId: string, nonceDialer: Uint8Array, nonceListener: Uint8Array, peerId: Uint8Array,
): Uint8Array {
  checkKey(linkKey, logId, 'logSyncProof');
  if (!(peerId instanceof Uint8Array) || peerId.length === 0) throw new TypeError('logSyncProof: peerId must be a non-empty Uint8Array');
  return provider.hmac('SHA-256', linkKey, sessionInput(PROOF_LABEL, logId, nonceDialer, nonceListener, peerId));
}

function checkKey(linkKey: Uint8Array, logId: string, fn: string): void {
  if (!(linkKey instanceof Uint8Array) || linkKey.length === 0) throw new TypeError(`${fn}: linkKey must be a non-empty Uint8Array`);
  if (typeof logId !== 'string') throw new TypeError(`${fn}: logId must be a string`);
}

function sessionInput(label: Uint8Array, logId: string, d: Uint8Array, l: Uint8Array, tail: Uint8Array): Uint8Array {
  if (!(d instanceof Uint8Array) || d.length !== NONCE_LENGTH || !(l instanceof Uint8Array) || l.length !== NONCE_LENGTH) {
    throw new TypeError('log-sync: nonces must be 32-byte Uint8Arrays');
  }
  const id = utf8.encode(logId);
  const msg = new Uint8Array(label.length + 4 + id.length + 2 * NONCE_LENGTH + tail.length);
  let o = 0;
  msg.set(label, o);
  o += label.length;
  new DataView(msg.buffer).setUint32(o, id.length);
  o += 4;
  msg.set(id, o);
  o += id.length;
  msg.set(d, o);
  o += NONCE_LENGTH;
  msg.set(l, o);
  o += NONCE_LENGTH;
  msg.set(tail, o);
  return msg;
}

export interface LogSyncOptions {
  /** Computes the proofs and tags (HMAC-SHA256) and the nonces. */
  readonly provider: CryptoProvider;
  /** Largest message either way, in bytes (default 4 MiB); a peer's larger frame closes its stream. */
  readonly maxMessage?: number;
  /** Target size of one blocks message (default 1 MiB, at most maxMessage). */
  readonly chunkBytes?: number;
  /** Bytes of pushed frames queued per peer before further pushes are dropped (default 16 MiB). */
  readonly maxQueuedBytes?: number;
  /** Received blocks a log refuses (bad signature, wrong log, unknown writer, ...) before the session is closed (default 64). */
  readonly maxRefusedBlocks?: number;
  /** Heads for one log received while our catch-up of that log is still being sent, before the session is closed (default 64). */
  readonly maxHeadsWhilePending?: number;
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
  /** Sessions we closed because the peer exceeded a limit (refused blocks, heads flood, ...). */
  sessionsClosedForAbuse: number;
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
  /** heads / blocks messages under a tag that is not a shared log's session tag. */
  ignored: number;
  /** Pushes dropped because a peer's queue was full. */
  dropped: number;
  /** Heads received while a catch-up of the same log was pending (answered once it drained). */
  headsDeferred: number;
  /** Now, over the open sessions: bytes of ready frames queued, and queued items (frames and lazy producers). */
  queuedBytes: number;
  queuedItems: number;
  /** The most bytes / items one session's queue ever held. */
  peakQueuedBytes: number;
  peakQueuedItems: number;
}

interface Registered {
  readonly log: WeshLog;
  readonly linkKey: Uint8Array;
  /** This sync's key for the log (local only). */
  readonly k: string;
  /** logSyncTag of (link key, log id), to refuse a duplicate registration. */
  readonly local: string;
  readonly unsubscribe: () => void;
  /** Entries added since the last push flush. */
  outbox: Entry[];
}

/** What a session knows of the proofs and tags (log-sync's state; the queue is SyncSession's). */
interface PeerState {
  readonly nonce: Uint8Array;
  readonly remoteId: Uint8Array;
  peerNonce: Uint8Array | null;
  /** reg.k → session tag, session tag key → reg.k, expected peer proof key → reg.k, reg.k → that key. */
  readonly tagOf: Map<string, Uint8Array>;
  readonly byTag: Map<string, string>;
  readonly expect: Map<string, string>;
  readonly expectOf: Map<string, string>;
  /** Every proof the peer sent (a log we add later may match one). */
  readonly proved: Set<string>;
  refused: number;
  /** Per log, the newest heads received while a catch-up was pending, and how many such heads. */
  readonly pendingHeads: Map<string, Uint8Array[]>;
  readonly deferred: Map<string, number>;
}

/** Most proofs one session accepts from a peer in all (each log it holds is one). */
const MAX_PROOFS_PER_SESSION = 4 * MAX_PROOFS;
const catchUpKey = (k: string) => `c:${k}`;
const headsKey = (k: string) => `h:${k}`;
const resendKey = (k: string) => `p:${k}`;
/** Offset of the 32-byte tag in a heads or blocks body: map(3) "tag" bytes(32) come first. */
const TAG_PREFIX = Uint8Array.of(0xa3, 0x63, 0x74, 0x61, 0x67, 0x58, 0x20);

type DialTarget = PeerId | Multiaddr | Multiaddr[];

export class LogSync {
  readonly #node: Libp2p;
  readonly #provider: CryptoProvider;
  readonly #maxMessage: number;
  readonly #chunkBytes: number;
  readonly #maxQueued: number;
  readonly #maxRefused: number;
  readonly #maxDeferred: number;
  readonly #onError: LogSyncOptions['onError'];
  readonly #autoConnect: boolean;
  #started = false;
  #topology: string | undefined;
  #closed = false;
  #nextK = 0;
  readonly #byK = new Map<string, Registered>();
  readonly #byLocal = new Map<string, Registered>();
  readonly #byLog = new Map<WeshLog, Registered>();
  readonly #sessions = new Map<string, SyncSession>();
  readonly #opening = new Map<string, Promise<SyncSession>>();
  readonly #all = new Set<SyncSession>();
  readonly #state = new WeakMap<SyncSession, PeerState>();
  /** The session each received entry came from (it is not pushed back there). */
  readonly #origin = new WeakMap<Entry, SyncSession>();
  #flush: ReturnType<typeof setImmediate> | null = null;
  #peakBytes = 0;
  #peakItems = 0;
  readonly #stats: Omit<LogSyncStats, 'queuedBytes' | 'queuedItems' | 'peakQueuedBytes' | 'peakQueuedItems'> = {
    sessionsOpened: 0, sessionErrors: 0, sessionsClosedForAbuse: 0, messagesReceived: 0, blocksSent: 0, blocksReceived: 0, added: 0, rejected: 0,
    duplicates: 0, ignored: 0, dropped: 0, headsDeferred: 0,
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
    this.#maxRefused = positive(o.maxRefusedBlocks ?? 64, 'maxRefusedBlocks');
    this.#maxDeferred = positive(o.maxHeadsWhilePending ?? 64, 'maxHeadsWhilePending');
    this.#autoConnect = o.autoConnect !== false;
    this.#onError = o.onError;
  }

  /** Handles the log-sync protocol on the node and (autoConnect) opens it on outbound connections. */
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

  /** A copy of the counters, with the queues of the open sessions. */
  get stats(): LogSyncStats {
    let queuedBytes = 0, queuedItems = 0, peakQueuedBytes = this.#peakBytes, peakQueuedItems = this.#peakItems;
    for (const s of this.#all) {
      queuedBytes += s.queuedBytes;
      queuedItems += s.queuedItems;
      peakQueuedBytes = Math.max(peakQueuedBytes, s.peakBytes);
      peakQueuedItems = Math.max(peakQueuedItems, s.peakItems);
    }
    return { ...this.#stats, queuedBytes, queuedItems, peakQueuedBytes, peakQueuedItems };
  }

  /** Peers with an open session. */
  peers(): string[] {
    return [...this.#sessions.keys()];
  }

  /** Peers that have proved they replicate `log` too. */
  sharedWith(log: WeshLog): string[] {
    const reg = this.#byLog.get(log);
    if (!reg) return [];
    return [...this.#sessions.values()].filter((s) => s.shared.has(reg.k)).map((s) => s.peer);
  }

  /**
   * Replicates `log` with the peers that prove they hold `linkKey` (the group's link key) too, and
   * sends its proof to every connected peer. RangeError if the log, or another log with the same id
   * and link key, is already registered.
   */
  addLog(log: WeshLog, linkKey: Uint8Array): void {
    this.#assertOpen();
    if (this.#byLog.has(log)) throw new RangeError('LogSync.addLog: this log is already replicated');
    const local = binaryKey(logSyncTag(this.#provider, linkKey, log.id));
    if (this.#byLocal.has(local)) throw new RangeError('LogSync.addLog: another log has the same id and link key');
    const reg: Registered = { log, linkKey: linkKey.slice(), k: String(this.#nextK++), local, outbox: [], unsubscribe: () => undefined };
    (reg as { unsubscribe: () => void }).unsubscribe = log.subscribe((added) => this.#onAdded(reg, added));
    this.#byK.set(reg.k, reg);
    this.#byLocal.set(local, reg);
    this.#byLog.set(log, reg);
    for (const s of this.#all) {
      const st = this.#state.get(s);
      if (!st?.peerNonce || s.closed) continue;
      const { proof, proved } = this.#bind(s, st, reg);
      s.send(encodeMessage({ type: 'proofs', proofs: [proof] }), true);
      if (proved) this.#share(s, reg);
    }
  }

  /** Stops replicating `log` (its messages are ignored from now on). Returns whether it was replicated. */
  removeLog(log: WeshLog): boolean {
    const reg = this.#byLog.get(log);
    if (!reg) return false;
    reg.unsubscribe();
    reg.outbox = [];
    this.#byLog.delete(log);
    this.#byK.delete(reg.k);
    this.#byLocal.delete(reg.local);
    for (const s of this.#all) {
      s.shared.delete(reg.k);
      s.headsSent.delete(reg.k);
      s.asked.delete(reg.k);
      s.behind.delete(reg.k);
      for (const key of [catchUpKey(reg.k), headsKey(reg.k), resendKey(reg.k)]) s.cancel(key);
      const st = this.#state.get(s);
      if (!st) continue;
      const tag = st.tagOf.get(reg.k);
      if (tag) st.byTag.delete(binaryKey(tag));
      st.tagOf.delete(reg.k);
      const proof = st.expectOf.get(reg.k);
      if (proof !== undefined) st.expect.delete(proof);
      st.expectOf.delete(reg.k);
      st.pendingHeads.delete(reg.k);
      st.deferred.delete(reg.k);
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
    this.#byK.clear();
    this.#byLocal.clear();
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
      return this.#adopt(stream, connection.remotePeer, true);
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
    this.#adopt(stream, connection.remotePeer, false);
  }

  /**
   * A new session. If one is already open with this peer, the stream opened by the smaller peer id
   * wins on both sides (so two streams opened at once resolve the same way everywhere); a second
   * stream from the same opener loses to the first.
   */
  #adopt(stream: Stream, remote: PeerId, outbound: boolean): SyncSession {
    const peer = remote.toString();
    const s = new SyncSession(stream as unknown as SyncStream, {
      peer,
      outbound,
      maxMessage: this.#maxMessage,
      maxQueuedBytes: this.#maxQueued,
      onMessage: (session, m) => this.#onMessage(session, m),
      onDrain: (session) => this.#onDrain(session),
      onProducerDone: (session, key) => this.#onProducerDone(session, key),
      onClose: (session, err) => this.#onClose(session, err),
    });
    const st: PeerState = {
      nonce: this.#provider.randomBytes(NONCE_LENGTH), remoteId: remote.toMultihash().bytes, peerNonce: null,
      tagOf: new Map(), byTag: new Map(), expect: new Map(), expectOf: new Map(), proved: new Set(), refused: 0,
      pendingHeads: new Map(), deferred: new Map(),
    };
    this.#state.set(s, st);
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
    s.send(encodeMessage({ type: 'hello', nonce: st.nonce }), true);
    return s;
  }

  #onClose(s: SyncSession, err?: WeshSyncError): void {
    this.#all.delete(s);
    this.#peakBytes = Math.max(this.#peakBytes, s.peakBytes);
    this.#peakItems = Math.max(this.#peakItems, s.peakItems);
    if (this.#sessions.get(s.peer) === s) this.#sessions.delete(s.peer);
    if (err && !this.#closed) {
      this.#stats.sessionErrors++;
      if (err.code === 'abuse') this.#stats.sessionsClosedForAbuse++;
      this.#report(err, s.peer);
    }
  }

  #abuse(s: SyncSession, why: string): void {
    void s.close(new WeshSyncError('abuse', why));
  }

  /**
   * Computes the session tag and both proofs of `reg` for this session (both nonces known), records
   * the tag and the proof expected from the peer; returns our proof and whether the peer already
   * sent its own.
   */
  #bind(s: SyncSession, st: PeerState, reg: Registered): { proof: Uint8Array; proved: boolean } {
    const [d, l] = s.outbound ? [st.nonce, st.peerNonce!] : [st.peerNonce!, st.nonce];
    const id = reg.log.id;
    const tag = logSyncSessionTag(this.#provider, reg.linkKey, id, d, l);
    const theirs = binaryKey(logSyncProof(this.#provider, reg.linkKey, id, d, l, st.remoteId));
    const proof = logSyncProof(this.#provider, reg.linkKey, id, d, l, this.#node.peerId.toMultihash().bytes);
    st.tagOf.set(reg.k, tag);
    st.byTag.set(binaryKey(tag), reg.k);
    st.expect.set(theirs, reg.k);
    st.expectOf.set(reg.k, theirs);
    return { proof, proved: st.proved.has(theirs) };
  }

  /** The peer proved it holds `reg`'s link key: the log is shared with this session. */
  #share(s: SyncSession, reg: Registered): void {
    if (s.shared.has(reg.k)) return;
    s.shared.add(reg.k);
    this.#sendHeads(s, reg);
  }

  // ---- messages ------------------------------------------------------------------------------------

  async #onMessage(s: SyncSession, m: SyncMessage): Promise<void> {
    this.#stats.messagesReceived++;
    const st = this.#state.get(s)!;
    if (m.type === 'hello') {
      if (st.peerNonce) return this.#abuse(s, 'a second hello');
      st.peerNonce = m.nonce;
      const proofs: Uint8Array[] = [];
      for (const reg of this.#byK.values()) proofs.push(this.#bind(s, st, reg).proof);
      proofs.sort((a, b) => Buffer.compare(a, b)); // nothing told by position
      for (let i = 0; i < proofs.length; i += MAX_PROOFS) s.send(encodeMessage({ type: 'proofs', proofs: proofs.slice(i, i + MAX_PROOFS) }), true);
      return;
    }
    if (!st.peerNonce) return this.#abuse(s, `${m.type} before hello`);
    if (m.type === 'proofs') {
      if (st.proved.size + m.proofs.length > MAX_PROOFS_PER_SESSION) return this.#abuse(s, 'too many proofs');
      for (const p of m.proofs) {
        const key = binaryKey(p);
        st.proved.add(key);
        const k = st.expect.get(key);
        const reg = k === undefined ? undefined : this.#byK.get(k);
        if (reg) this.#share(s, reg);
      }
      return;
    }
    const k = st.byTag.get(binaryKey(m.tag));
    const reg = k === undefined ? undefined : this.#byK.get(k);
    if (!reg || !s.shared.has(reg.k)) {
      this.#stats.ignored++;
      return;
    }
    if (m.type === 'heads') {
      if (s.hasLazy(catchUpKey(reg.k))) {
        // one catch-up per log at a time: the newest heads wait for it to drain
        this.#stats.headsDeferred++;
        const n = (st.deferred.get(reg.k) ?? 0) + 1;
        if (n > this.#maxDeferred) return this.#abuse(s, 'heads keep coming while a catch-up is pending');
        st.deferred.set(reg.k, n);
        st.pendingHeads.set(reg.k, m.heads);
      } else {
        this.#catchUp(s, st, reg, m.heads);
      }
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
    // blocks the peer should not have sent (forged, of another log, of an unknown writer, ...)
    for (const x of r.rejected) {
      const code = (x.error as WeshLogError | undefined)?.code;
      if (code !== 'pending-full' && code !== 'closed') st.refused++;
    }
    if (st.refused >= this.#maxRefused) return this.#abuse(s, `${st.refused} refused blocks`);
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
      const key = binaryKey(cid.bytes);
      if (!asked.has(key)) {
        asked.add(key);
        fresh = true;
      }
    }
    if (fresh && this.#byK.get(reg.k) === reg) {
      s.headsSent.delete(reg.k);
      this.#sendHeads(s, reg);
    }
  }

  /** Queues every entry the peer lacks according to `heads` (one scan), encoded as the stream drains. */
  #catchUp(s: SyncSession, st: PeerState, reg: Registered, heads: readonly Uint8Array[]): void {
    st.deferred.delete(reg.k);
    const tag = st.tagOf.get(reg.k);
    if (!tag) return;
    const lacking = reg.log.entriesNotIn(heads);
    if (lacking.length > 0) s.sendLazy(catchUpKey(reg.k), this.#blockFrames(tag, lacking));
  }

  /** A catch-up drained: heads received meanwhile are answered now. */
  #onProducerDone(s: SyncSession, key: string): void {
    if (!key.startsWith('c:')) return;
    const k = key.slice(2);
    const st = this.#state.get(s);
    if (!st) return;
    st.deferred.delete(k);
    const heads = st.pendingHeads.get(k);
    if (!heads) return;
    st.pendingHeads.delete(k);
    const reg = this.#byK.get(k);
    if (reg && s.shared.has(k)) this.#catchUp(s, st, reg, heads);
  }

  /**
   * Our heads of `reg`'s log, followed by a sample of older entries: those 1, 2, 3, … entries before
   * the newest in the total order, the gap growing by a quarter each step, and the oldest entry —
   * ~60 CIDs for a million entries. When the peer's log has diverged from ours, it does not know our
   * heads, but it knows the sampled entries of the common part, so its catch-up resends at most about
   * a quarter of what we appended since the logs diverged (instead of the whole common part).
   * Queued as one lazy item per log (a second request while one waits changes nothing), computed when
   * the stream takes it.
   */
  #sendHeads(s: SyncSession, reg: Registered): void {
    s.headsSent.add(reg.k);
    const key = headsKey(reg.k);
    if (s.hasLazy(key)) return;
    const st = this.#state.get(s)!;
    const self = this;
    s.sendLazy(key, (function* () {
      const tag = st.tagOf.get(reg.k);
      if (!tag || self.#byK.get(reg.k) !== reg) return;
      yield frameOf(encodeMessage({ type: 'heads', tag, heads: headsSample(reg.log) }));
    })());
  }

  /**
   * Framed blocks messages for `entries` (in order), each at most chunkBytes (or one block alone when
   * it is larger, if it fits maxMessage), produced one at a time as the stream drains.
   */
  *#blockFrames(tag: Uint8Array, entries: readonly Entry[]): Generator<Uint8Array, void, undefined> {
    const budget = this.#chunkBytes - BLOCKS_OVERHEAD;
    let batch: Uint8Array[] = [];
    let size = 0;
    const flush = () => {
      const f = frameOf(encodeMessage({ type: 'blocks', tag, blocks: batch }));
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
    if (this.#closed || this.#byK.get(reg.k) !== reg) return;
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
      let everything: Uint8Array[] | undefined; // the frames of all the entries under a blank tag, encoded once
      for (const s of this.#sessions.values()) {
        if (!s.shared.has(reg.k) || s.behind.has(reg.k)) continue;
        const tag = this.#state.get(s)?.tagOf.get(reg.k);
        if (!tag) continue;
        const list = entries.filter((e) => this.#origin.get(e) !== s);
        if (list.length === 0) continue;
        const frames = list.length === entries.length
          ? (everything ??= [...this.#blockFrames(new Uint8Array(32), entries)]).map((f) => retag(f, tag))
          : this.#blockFrames(tag, list);
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
    const keys = [...s.behind];
    s.behind.clear();
    const st = this.#state.get(s);
    for (const k of keys) {
      const reg = this.#byK.get(k);
      const tag = st?.tagOf.get(k);
      if (reg && tag && s.shared.has(k)) s.sendLazy(resendKey(k), this.#blockFrames(tag, reg.log.heads));
    }
  }
}

/** Our heads, then the logarithmic sample of older entries (see #sendHeads), as CID bytes. */
function headsSample(log: WeshLog): Uint8Array[] {
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
  return have;
}

/** A copy of a framed heads/blocks message with its 32-byte tag replaced. */
function retag(frame: Uint8Array, tag: Uint8Array): Uint8Array {
  let h = 0;
  while (frame[h] & 0x80) h++;
  h++; // the uvarint length
  for (let i = 0; i < TAG_PREFIX.length; i++) if (frame[h + i] !== TAG_PREFIX[i]) throw new Error('log-sync: unexpected message layout');
  const out = frame.slice();
  out.set(tag, h + TAG_PREFIX.length);
  return out;
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
