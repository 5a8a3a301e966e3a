// GroupChannel: one Group (group/group.ts) connected to its log at the delivery service. It feeds
// the group every entry of the log in the service's order, publishes the member's own Commits and
// messages, and keeps the rule of RFC 9420 §12.4.1 — a member's own Commit takes effect only once
// the service has accepted it — so every member goes through the same epochs.
//
//   const channel = client.attach(group, { cursor, onMessage, onRemoved });
//   await channel.commit({ update: true });              // published; applied once accepted
//   await channel.add([installation]);                   // claims KeyPackages, commits, sends the Welcome
//   await channel.send(bytes('hello'));                  // encrypted at the current epoch, published
//   await channel.catchUp();                             // everything after the cursor, in order
//
// Ordering. Every operation and every pushed batch runs one at a time, in arrival order. The
// channel's cursor is the last seq the group has processed; entries at or before it are skipped,
// so pushes and catch-ups may overlap without processing anything twice.
//
// Own messages. The service sends a member its own messages back, and a member cannot process its
// own Commit or its own PrivateMessages. The channel remembers the bytes it published and, when
// they come back in the log, applies its pending Commit (applyPendingCommit, at exactly its place
// in the order) or skips the message. Matching by bytes, not by the seq the service answered, also
// covers an answer lost on the way: the log says whether the Commit was accepted.
//
// A Commit refused because another member's Commit took the epoch ('epoch-conflict'): the pending
// Commit is discarded, the winner is fetched and processed, and the caller retries on the new
// epoch — commit() does so itself up to `retries` times. An application message refused as
// 'stale-epoch' (a Commit was ordered before it) is re-encrypted at the new epoch and sent again.
//
// A message the group refuses (a forged or broken message in the log; the service cannot check
// signatures) is reported to onError and skipped. A Commit that removes this member ends the
// channel: onRemoved is called and nothing more is processed.

import type { CommitRequest, ProcessResult } from '../group/group.js';
import type { DeliveryClient, LogMessage, Subscription } from './client.js';
import { DeliveryError } from './errors.js';
import { toBase64, toHex } from './wire.js';

/** What the channel uses of a Group (group/group.ts), so this module needs no MLS code at run time. */
export interface GroupLike {
  readonly groupId: Uint8Array;
  readonly epoch: bigint;
  process(bytes: Uint8Array): ProcessResult;
  commit(request?: CommitRequest): { commit: Uint8Array; welcome?: Uint8Array; groupInfo: Uint8Array };
  applyPendingCommit(): unknown;
  discardPendingCommit(): void;
  encrypt(plaintext: Uint8Array, aad?: Uint8Array): Uint8Array;
}

export interface GroupChannelOptions {
  /**
   * The last seq of the log this group has processed: 0 for a group created here and never
   * published, the Welcome's `seq` for a joiner, the saved cursor for a restored group.
   */
  readonly cursor?: number;
  /** Subscribe for pushes over the WebSocket (default true); otherwise call catchUp(). */
  readonly live?: boolean;
  /** Each entry of another member the group processed, with what process() returned. */
  readonly onMessage?: (result: ProcessResult, message: LogMessage) => void;
  /** An entry the group refused (skipped); the error is the group's (MlsError) or a DeliveryError. */
  readonly onError?: (error: unknown, message: LogMessage) => void;
  /** This member was removed from the group: the channel has stopped. */
  readonly onRemoved?: (message: LogMessage) => void;
}

export interface CommitOptions {
  /** The installations whose KeyPackages the Commit adds, in the order of `request.add`: they get the Welcome. */
  readonly welcomeTo?: readonly string[];
  /** How many times to rebuild and republish after losing the epoch to another Commit (default 3). */
  readonly retries?: number;
}

const PAGE = 500;

export class GroupChannel {
  readonly #client: DeliveryClient;
  readonly #group: GroupLike;
  readonly #groupHex: string;
  readonly #options: GroupChannelOptions;
  #cursor: number;
  /** base64 of what this member published and has not yet seen in the log → what it is. */
  readonly #own = new Map<string, 'commit' | 'message'>();
  #queue: Promise<unknown> = Promise.resolve();
  #subscription: Subscription | undefined;
  #removed = false;
  #closed = false;
  readonly #waiters: { seq: number; resolve: () => void }[] = [];

  /** @internal Use DeliveryClient.attach. */
  constructor(client: DeliveryClient, group: GroupLike, options: GroupChannelOptions) {
    this.#client = client;
    this.#group = group;
    this.#groupHex = toHex(group.groupId);
    this.#options = options;
    this.#cursor = options.cursor ?? 0;
    if (options.live ?? true) {
      this.#subscription = client.subscribe(this.#groupHex, this.#cursor, (messages) => void this.#locked(() => this.#pushed(messages)).catch(() => {}));
    }
  }

  get group(): GroupLike {
    return this.#group;
  }

  /** The last seq of the log the group has processed; save it with group.save() to resume there. */
  get cursor(): number {
    return this.#cursor;
  }

  /** Whether a Commit removed this member (the channel has stopped). */
  get removed(): boolean {
    return this.#removed;
  }

  /** Fetches and processes everything after the cursor, in order, up to the end of the log. */
  catchUp(): Promise<void> {
    return this.#locked(() => this.#catchUp());
  }

  /** Resolves once the group has processed the log up to `seq` (by pushes, or catchUp). */
  waitFor(seq: number): Promise<void> {
    if (this.#cursor >= seq || this.#removed) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ seq, resolve }));
  }

  /**
   * Builds a Commit with group.commit(request), publishes it (with its Welcome to `welcomeTo`), and
   * resolves once the group is in the new epoch. After losing the epoch to another Commit it
   * processes the winner and builds the Commit again, up to `retries` times; then DeliveryError
   * 'epoch-conflict'.
   */
  commit(request: CommitRequest = {}, options: CommitOptions = {}): Promise<{ seq: number; epoch: bigint }> {
    return this.#locked(async () => {
      const retries = options.retries ?? 3;
      for (let attempt = 0; ; attempt++) {
        await this.#catchUp(); // build on the newest epoch the service has
        const created = this.#group.commit(request);
        try {
          return await this.#publishCommit(created, options.welcomeTo);
        } catch (e) {
          if (!(e instanceof DeliveryError) || e.code !== 'epoch-conflict' || attempt >= retries) throw e;
        }
      }
    });
  }

  /**
   * Publishes a Commit the caller made with group.commit() (pending in the group): on acceptance
   * the group applies it at its place in the log and this resolves in the new epoch; on
   * 'epoch-conflict' the Commit is discarded, the winner processed, and the error rethrown for the
   * caller to retry. On a network failure the Commit stays pending: the next catch-up applies it if
   * the service did accept it, or processes the Commit that won instead (which discards it).
   */
  publishCommit(created: { commit: Uint8Array; welcome?: Uint8Array }, welcomeTo?: readonly string[]): Promise<{ seq: number; epoch: bigint }> {
    return this.#locked(() => this.#publishCommit(created, welcomeTo));
  }

  /**
   * Claims one KeyPackage of each installation and commits their Adds (with `request`), delivering
   * the Welcome to them. Resolves the installations added (those that had a KeyPackage left).
   */
  async add(installations: readonly string[], request: Omit<CommitRequest, 'add'> = {}, options: Omit<CommitOptions, 'welcomeTo'> = {}): Promise<{ seq: number; epoch: bigint; added: string[] }> {
    const keyPackages = await this.#client.claimKeyPackages(installations);
    const added = installations.filter((_, i) => keyPackages[i] !== undefined);
    if (added.length === 0) throw new DeliveryError('not-found', 'none of the installations has a KeyPackage left');
    const add = keyPackages.filter((kp): kp is Uint8Array => kp !== undefined);
    const result = await this.commit({ ...request, add }, { ...options, welcomeTo: added });
    return { ...result, added };
  }

  /** Encrypts `plaintext` at the current epoch and publishes it; re-encrypts after a Commit that got in first. */
  send(plaintext: Uint8Array, aad?: Uint8Array, retries = 3): Promise<{ seq: number }> {
    return this.#locked(async () => {
      for (let attempt = 0; ; attempt++) {
        this.#open();
        const message = this.#group.encrypt(plaintext, aad);
        const key = toBase64(message);
        this.#own.set(key, 'message');
        try {
          const { seq } = await this.#client.publish(this.#groupHex, message);
          return { seq };
        } catch (e) {
          if (e instanceof DeliveryError && (e.code === 'stale-epoch' || e.code === 'epoch-conflict' || e.code === 'epoch-ahead' || e.code === 'invalid-message')) this.#own.delete(key);
          if (!(e instanceof DeliveryError) || e.code !== 'stale-epoch' || attempt >= retries) throw e;
          await this.#catchUp();
        }
      }
    });
  }

  /** Stops pushes; the group is the caller's (save or dispose it). */
  close(): void {
    this.#closed = true;
    this.#subscription?.close();
    this.#subscription = undefined;
    for (const w of this.#waiters.splice(0)) w.resolve();
  }

  // ---- under the lock ----------------------------------------------------------------------------

  /** Runs `task` after every task queued before it (one at a time, in order). */
  #locked<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => {});
    return run;
  }

  #open(): void {
    if (this.#closed) throw new DeliveryError('closed', 'the channel is closed');
    if (this.#removed) throw new DeliveryError('closed', 'this member was removed from the group');
  }

  async #publishCommit(created: { commit: Uint8Array; welcome?: Uint8Array }, welcomeTo?: readonly string[]): Promise<{ seq: number; epoch: bigint }> {
    this.#open();
    if (created.welcome !== undefined && (welcomeTo === undefined || welcomeTo.length === 0)) {
      this.#group.discardPendingCommit();
      throw new TypeError('publishCommit: a Commit with a Welcome needs welcomeTo (the installations it adds)');
    }
    const key = toBase64(created.commit);
    this.#own.set(key, 'commit');
    let accepted: { seq: number; epoch: bigint };
    try {
      accepted = await this.#client.publish(this.#groupHex, created.commit, created.welcome !== undefined ? { data: created.welcome, to: welcomeTo! } : undefined);
    } catch (e) {
      if (e instanceof DeliveryError && (e.code === 'epoch-conflict' || e.code === 'stale-epoch' || e.code === 'epoch-ahead' || e.code === 'invalid-message' || e.code === 'invalid-welcome')) {
        // Refused for certain: forget it, and take in the Commit that won (if any).
        this.#own.delete(key);
        this.#group.discardPendingCommit();
        await this.#catchUp().catch(() => {});
      }
      throw e;
    }
    // Process the log up to our Commit: entries of this epoch ordered before it, then the Commit
    // itself (applied, not processed), and whatever came after.
    await this.#catchUp();
    if (this.#own.has(key)) throw new DeliveryError('protocol', `the service accepted the Commit at seq ${accepted.seq} but its log does not hold it`);
    return accepted;
  }

  async #catchUp(): Promise<void> {
    if (this.#removed) return;
    for (;;) {
      const page = await this.#client.messages(this.#groupHex, this.#cursor, PAGE);
      if (!this.#applyAll(page.messages)) {
        // The service answered entries after the cursor but not the one right after it: its log
        // lost entries (trimmed by hand?). Processing on would fork this member; stop and say so.
        throw new DeliveryError('protocol', `the log has no entry ${this.#cursor + 1}: it does not follow on from this member's cursor`);
      }
      if (this.#removed || page.messages.length === 0 || this.#cursor >= page.seq) return;
    }
  }

  /** A pushed batch; should it not follow on from the cursor (it always does, unless the service errs), fetch what is missing. */
  async #pushed(messages: readonly LogMessage[]): Promise<void> {
    if (!this.#applyAll(messages)) await this.#catchUp();
  }

  /** Applies the entries that follow on from the cursor; false if one was missing before an entry (nothing after the gap is applied). */
  #applyAll(messages: readonly LogMessage[]): boolean {
    let complete = true;
    for (const m of messages) {
      if (this.#removed || this.#closed) break;
      if (m.seq <= this.#cursor) continue; // seen (a push and a catch-up overlapped)
      if (m.seq !== this.#cursor + 1) {
        complete = false;
        break;
      }
      this.#apply(m);
      this.#cursor = m.seq;
    }
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const w = this.#waiters[i]!;
      if (w.seq <= this.#cursor || this.#removed || this.#closed) {
        this.#waiters.splice(i, 1);
        w.resolve();
      }
    }
    return complete;
  }

  #apply(m: LogMessage): void {
    const own = this.#own.get(m.encoded);
    if (own !== undefined) {
      this.#own.delete(m.encoded);
      if (own === 'commit') this.#group.applyPendingCommit();
      return;
    }
    let result: ProcessResult;
    try {
      result = this.#group.process(m.data);
    } catch (e) {
      if ((e as { code?: unknown }).code === 'removed-from-group') {
        this.#removed = true;
        this.#subscription?.close();
        this.#subscription = undefined;
        this.#options.onRemoved?.(m);
        return;
      }
      this.#options.onError?.(e, m);
      return;
    }
    this.#options.onMessage?.(result, m);
  }
}
