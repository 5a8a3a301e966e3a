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
//
// Automatic post-compromise security (option `selfUpdate`, issue 13). The channel counts the
// application messages this member sent and received (or only sent: `count: 'sent'`) and the time
// since this member's leaf was last updated; once `afterMessages` or `afterMs` is reached it updates
// its leaf: 'commit' mode commits { update: true } through commit() (so a lost epoch is retried like
// any Commit), 'propose' mode publishes an Update proposal for the next member's Commit to carry
// (once per epoch: proposed again only if an epoch ends without it). Both counters restart when the
// leaf is updated: by this member's own Commit with a path (one made through commit(), whatever
// asked for it — `update: true`, a Remove, a received Update…; a Commit published with
// publishCommit() is not inspected and restarts nothing), or by another member's Commit that
// carries this member's Update (`updated` holds its leaf). The clock starts when the channel is
// attached (the channel cannot know how old a joiner's KeyPackage leaf is). The timer is unref'd
// (it never keeps a Node process alive) and stops with close() or removal. A failed automatic update
// goes to onError with no log message and is tried again at the next message or after `afterMs`.

import type { CommitRequest, ProcessResult, ProposalRequest } from '../group/group.js';
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
  /** This member's leaf (needed by `selfUpdate`). */
  readonly leafIndex?: number;
  /** A proposal by reference (needed by `selfUpdate` in 'propose' mode). */
  propose?(request: ProposalRequest, wireFormat?: 'public' | 'private'): Uint8Array;
}

/** Automatic post-compromise security: update this member's leaf after so many messages or so much time. */
export interface SelfUpdateOptions {
  /** Update once this many application messages (see `count`) went by since the leaf was last updated. */
  readonly afterMessages?: number;
  /** Update once this many milliseconds passed since the leaf was last updated (or the channel was attached). */
  readonly afterMs?: number;
  /**
   * 'commit' (default): commit { update: true } (a full-path update) through commit(), retried on a
   * lost epoch. 'propose': publish an Update proposal (§12.1.2) for another member's Commit to carry.
   */
  readonly mode?: 'commit' | 'propose';
  /** Which messages count: 'all' (default) those this member sent and those it received; 'sent' only its own. */
  readonly count?: 'all' | 'sent';
  /** Retries of an automatic Commit after losing the epoch (default: CommitOptions' default, 3). */
  readonly retries?: number;
  /** This member's leaf was updated (the counters restarted). */
  readonly onUpdated?: (event: SelfUpdateEvent) => void;
}

export interface SelfUpdateEvent {
  /** 'commit': this member's own Commit with a path; 'proposal': another member's Commit carried its Update. */
  readonly by: 'commit' | 'proposal';
  /** Whether the automatic self-update made it (or the application's own Commit). */
  readonly automatic: boolean;
  /** The epoch entered and the log entry of the Commit. */
  readonly epoch: bigint;
  readonly seq: number;
  /** What the counters held when they restarted. */
  readonly messages: number;
  readonly elapsedMs: number;
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
  /**
   * An entry the group refused (skipped), with that entry; or an automatic self-update that failed
   * (message undefined; it is tried again later). The error is the group's (MlsError) or a DeliveryError.
   */
  readonly onError?: (error: unknown, message: LogMessage | undefined) => void;
  /** This member was removed from the group: the channel has stopped. */
  readonly onRemoved?: (message: LogMessage) => void;
  /** Update this member's leaf automatically (post-compromise security); see SelfUpdateOptions. */
  readonly selfUpdate?: SelfUpdateOptions;
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
  // ---- selfUpdate ----
  readonly #selfUpdate: SelfUpdateOptions | undefined;
  /** Own Commits (base64, as in #own) that carry a path, i.e. update this member's leaf → made by the automatic self-update? */
  readonly #rekeys = new Map<string, boolean>();
  /** Kinds of the proposals received in epoch #proposalsEpoch (a Commit of ours refers to them: do they force a path?). */
  #proposalsEpoch: bigint | undefined;
  readonly #proposalKinds = new Set<string>();
  #messages = 0;
  #updatedAt = 0;
  #selfUpdating = false;
  /** The epoch of the Update proposal the automatic self-update published ('propose' mode). */
  #proposedEpoch: bigint | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** @internal Use DeliveryClient.attach. */
  constructor(client: DeliveryClient, group: GroupLike, options: GroupChannelOptions) {
    this.#client = client;
    this.#group = group;
    this.#groupHex = toHex(group.groupId);
    this.#options = options;
    this.#cursor = options.cursor ?? 0;
    this.#selfUpdate = options.selfUpdate === undefined ? undefined : checkSelfUpdate(options.selfUpdate, group);
    if (this.#selfUpdate !== undefined) {
      this.#updatedAt = Date.now();
      if (this.#selfUpdate.afterMs !== undefined) this.#arm(this.#selfUpdate.afterMs);
    }
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

  /**
   * With `selfUpdate`: the messages counted and the milliseconds elapsed since this member's leaf was
   * last updated, and whether an automatic update is under way (or, in 'propose' mode, proposed in this epoch).
   */
  get selfUpdateStatus(): { messages: number; elapsedMs: number; pending: boolean } | undefined {
    if (this.#selfUpdate === undefined) return undefined;
    return {
      messages: this.#messages,
      elapsedMs: Date.now() - this.#updatedAt,
      pending: this.#selfUpdating || (this.#proposedEpoch !== undefined && this.#proposedEpoch === this.#group.epoch),
    };
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
    return this.#locked(() => this.#commit(request, options, false));
  }

  /**
   * Publishes a Commit the caller made with group.commit() (pending in the group): on acceptance
   * the group applies it at its place in the log and this resolves in the new epoch; on
   * 'epoch-conflict' the Commit is discarded, the winner processed, and the error rethrown for the
   * caller to retry. On a network failure the Commit stays pending: the next catch-up applies it if
   * the service did accept it, or processes the Commit that won instead (which discards it).
   */
  publishCommit(created: { commit: Uint8Array; welcome?: Uint8Array }, welcomeTo?: readonly string[]): Promise<{ seq: number; epoch: bigint }> {
    return this.#locked(() => this.#publishCommit(created, welcomeTo, undefined));
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
          this.#counted();
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
    this.#disarm();
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

  async #commit(request: CommitRequest, options: CommitOptions, automatic: boolean): Promise<{ seq: number; epoch: bigint }> {
    const retries = options.retries ?? 3;
    for (let attempt = 0; ; attempt++) {
      await this.#catchUp(); // build on the newest epoch the service has
      this.#open();
      const rekeys = this.#pathRequired(request);
      const created = this.#group.commit(request);
      try {
        return await this.#publishCommit(created, options.welcomeTo, rekeys ? automatic : undefined);
      } catch (e) {
        if (!(e instanceof DeliveryError) || e.code !== 'epoch-conflict' || attempt >= retries) throw e;
      }
    }
  }

  /**
   * Whether group.commit(request) carries a path (§12.4: unless every proposal, by value or by
   * reference, is an Add, a PreSharedKey or a ReInit), i.e. updates this member's leaf. By reference:
   * those this channel processed in this epoch (this member's own Updates are left out by the group).
   */
  #pathRequired(request: CommitRequest): boolean {
    if (request.update === true) return true;
    if (request.reinit !== undefined) return false; // a ReInit stands alone
    const kinds = [
      ...(request.add ?? []).map(() => 'add'),
      ...(request.remove ?? []).map(() => 'remove'),
      ...(request.psks ?? []).map(() => 'psk'),
      ...(request.resume !== undefined ? ['psk'] : []),
      ...(request.extensions !== undefined ? ['group_context_extensions'] : []),
      ...(this.#proposalsEpoch === this.#group.epoch ? this.#proposalKinds : []),
    ];
    return kinds.length === 0 || kinds.some((k) => k !== 'add' && k !== 'psk' && k !== 'reinit');
  }

  /** `rekeys`: the Commit updates this member's leaf (made by the automatic self-update: true). */
  async #publishCommit(created: { commit: Uint8Array; welcome?: Uint8Array }, welcomeTo: readonly string[] | undefined, rekeys: boolean | undefined): Promise<{ seq: number; epoch: bigint }> {
    this.#open();
    if (created.welcome !== undefined && (welcomeTo === undefined || welcomeTo.length === 0)) {
      this.#group.discardPendingCommit();
      throw new TypeError('publishCommit: a Commit with a Welcome needs welcomeTo (the installations it adds)');
    }
    const key = toBase64(created.commit);
    this.#own.set(key, 'commit');
    if (rekeys !== undefined) this.#rekeys.set(key, rekeys);
    let accepted: { seq: number; epoch: bigint };
    try {
      accepted = await this.#client.publish(this.#groupHex, created.commit, created.welcome !== undefined ? { data: created.welcome, to: welcomeTo! } : undefined);
    } catch (e) {
      if (e instanceof DeliveryError && (e.code === 'epoch-conflict' || e.code === 'stale-epoch' || e.code === 'epoch-ahead' || e.code === 'invalid-message' || e.code === 'invalid-welcome')) {
        // Refused for certain: forget it, and take in the Commit that won (if any).
        this.#own.delete(key);
        this.#rekeys.delete(key);
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
    let applied = false;
    for (const m of messages) {
      if (this.#removed || this.#closed) break;
      if (m.seq <= this.#cursor) continue; // seen (a push and a catch-up overlapped)
      if (m.seq !== this.#cursor + 1) {
        complete = false;
        break;
      }
      this.#apply(m);
      this.#cursor = m.seq;
      applied = true;
    }
    if (applied) this.#check();
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
      if (own === 'commit') {
        this.#group.applyPendingCommit();
        const automatic = this.#rekeys.get(m.encoded);
        if (automatic !== undefined) {
          this.#rekeys.delete(m.encoded);
          this.#leafUpdated('commit', automatic, m);
        }
      }
      return;
    }
    let result: ProcessResult;
    try {
      result = this.#group.process(m.data);
    } catch (e) {
      if ((e as { code?: unknown }).code === 'removed-from-group') {
        this.#removed = true;
        this.#disarm();
        this.#subscription?.close();
        this.#subscription = undefined;
        this.#options.onRemoved?.(m);
        return;
      }
      this.#options.onError?.(e, m);
      return;
    }
    if (this.#selfUpdate !== undefined) {
      if (result.kind === 'application') {
        if (this.#selfUpdate.count !== 'sent') this.#counted();
      } else if (result.kind === 'proposal') {
        if (this.#proposalsEpoch !== this.#group.epoch) {
          this.#proposalsEpoch = this.#group.epoch;
          this.#proposalKinds.clear();
        }
        this.#proposalKinds.add(result.proposal.kind);
      } else if (result.kind === 'commit' && result.updated.includes(this.#group.leafIndex!)) {
        this.#leafUpdated('proposal', this.#proposedEpoch === result.epoch - 1n, m);
      }
    }
    this.#options.onMessage?.(result, m);
  }

  // ---- selfUpdate ----------------------------------------------------------------------------------

  /** One application message sent or received. */
  #counted(): void {
    if (this.#selfUpdate === undefined) return;
    this.#messages++;
    this.#check();
  }

  /** This member's leaf was updated at entry `m`: the counters restart. */
  #leafUpdated(by: 'commit' | 'proposal', automatic: boolean, m: LogMessage): void {
    const options = this.#selfUpdate;
    if (options === undefined) return;
    const now = Date.now();
    const event: SelfUpdateEvent = { by, automatic, epoch: this.#group.epoch, seq: m.seq, messages: this.#messages, elapsedMs: now - this.#updatedAt };
    this.#messages = 0;
    this.#updatedAt = now;
    this.#proposedEpoch = undefined;
    if (options.afterMs !== undefined) this.#arm(options.afterMs);
    try {
      options.onUpdated?.(event);
    } catch (e) {
      // The entry is processed (the group is in its epoch): a throwing callback must not undo that.
      this.#options.onError?.(e, m);
    }
  }

  /** Starts the automatic update if a threshold is reached and none is under way. Never throws. */
  #check(): void {
    const options = this.#selfUpdate;
    if (options === undefined || this.#selfUpdating || this.#closed || this.#removed) return;
    if (!this.#due()) return;
    this.#selfUpdating = true;
    // Queued behind whatever runs now (this may be called under the lock): never awaited here.
    const run = this.#locked(async () => {
      await this.#catchUp();
      if (!this.#due()) return; // the leaf was updated meanwhile (e.g. the application's own Commit)
      if (options.mode === 'propose') await this.#proposeUpdate(options.retries ?? 3);
      else await this.#commit({ update: true }, options.retries !== undefined ? { retries: options.retries } : {}, true);
    });
    run.then(
      () => {
        this.#selfUpdating = false;
        // Nothing was due after all, or an Update waits for a Commit: keep the clock running.
        if (options.afterMs !== undefined && this.#timer === undefined) this.#arm(this.#updatedAt + options.afterMs - Date.now());
      },
      (e: unknown) => {
        this.#selfUpdating = false;
        if (this.#closed || this.#removed) return; // stopped meanwhile: nothing to report
        if (options.afterMs !== undefined) this.#arm(options.afterMs); // try again later
        this.#options.onError?.(e, undefined);
      },
    );
  }

  /** A threshold is reached, and (in 'propose' mode) no Update of ours is waiting in this epoch. */
  #due(): boolean {
    const options = this.#selfUpdate;
    if (options === undefined || this.#closed || this.#removed) return false;
    if (options.mode === 'propose' && this.#proposedEpoch === this.#group.epoch) return false; // wait for a Commit to carry it
    return (options.afterMessages !== undefined && this.#messages >= options.afterMessages)
      || (options.afterMs !== undefined && Date.now() - this.#updatedAt >= options.afterMs);
  }

  /** Publishes an Update proposal of this member's leaf at the current epoch (again after 'stale-epoch'). */
  async #proposeUpdate(retries: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      await this.#catchUp();
      this.#open();
      const epoch = this.#group.epoch;
      if (this.#proposedEpoch === epoch) return;
      const message = this.#group.propose!({ update: true });
      const key = toBase64(message);
      this.#own.set(key, 'message');
      try {
        await this.#client.publish(this.#groupHex, message);
        this.#proposedEpoch = epoch;
        return;
      } catch (e) {
        if (e instanceof DeliveryError && (e.code === 'stale-epoch' || e.code === 'epoch-conflict' || e.code === 'epoch-ahead' || e.code === 'invalid-message')) this.#own.delete(key);
        if (!(e instanceof DeliveryError) || e.code !== 'stale-epoch' || attempt >= retries) throw e;
      }
    }
  }

  #arm(delayMs: number): void {
    this.#disarm();
    if (this.#closed || this.#removed) return;
    const timer = setTimeout(() => {
      this.#timer = undefined;
      const options = this.#selfUpdate!;
      const left = this.#updatedAt + options.afterMs! - Date.now();
      if (left > 0) this.#arm(left);
      else this.#check();
    }, Math.max(0, delayMs));
    (timer as { unref?: () => void }).unref?.(); // Node: never keeps the process alive
    this.#timer = timer;
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

function checkSelfUpdate(options: SelfUpdateOptions, group: GroupLike): SelfUpdateOptions {
  const { afterMessages, afterMs, mode, count } = options;
  if (afterMessages === undefined && afterMs === undefined) throw new TypeError('selfUpdate: give afterMessages, afterMs or both');
  if (afterMessages !== undefined && !(Number.isSafeInteger(afterMessages) && afterMessages > 0)) throw new RangeError('selfUpdate.afterMessages: a positive integer');
  if (afterMs !== undefined && !(Number.isFinite(afterMs) && afterMs > 0)) throw new RangeError('selfUpdate.afterMs: a positive number of milliseconds');
  if (mode !== undefined && mode !== 'commit' && mode !== 'propose') throw new TypeError("selfUpdate.mode: 'commit' or 'propose'");
  if (count !== undefined && count !== 'all' && count !== 'sent') throw new TypeError("selfUpdate.count: 'all' or 'sent'");
  if (options.retries !== undefined && !(Number.isSafeInteger(options.retries) && options.retries >= 0)) throw new RangeError('selfUpdate.retries: a non-negative integer');
  if (typeof group.leafIndex !== 'number') throw new TypeError('selfUpdate: the group has no leafIndex');
  if (mode === 'propose' && typeof group.propose !== 'function') throw new TypeError("selfUpdate: mode 'propose' needs group.propose");
  return { ...options };
}
