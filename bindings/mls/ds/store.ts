// What the delivery service keeps, behind one interface so that a fleet of service processes can
// share it (redis-store.ts) or one process can keep it in memory (memory-store.ts). Every method is
// atomic from the caller's point of view, and a method that resolves has made its write durable in
// the backend: the service acknowledges a request only after that.
//
// What is stored, and nothing else (the service never holds a key, a plaintext or a member list):
//   * key packages: per installation (hex of the KeyPackage's signature key) a FIFO of KeyPackage
//     bytes, each handed out once, capped and expiring;
//   * per group (hex of group_id): the next Commit's epoch, the last sequence number, and the log —
//     each accepted MLSMessage (ciphertext for PrivateMessage) with its seq, epoch and content type;
//   * per installation: a mailbox of Welcomes (bytes, the group, the seq of the Commit that made
//     them), trimmed by age and count.

import type { MessageType } from './wire.js';

export interface LogEntry {
  readonly seq: number;
  readonly epoch: bigint;
  readonly type: MessageType;
  readonly data: Uint8Array;
}

export interface WelcomeEntry {
  readonly cursor: string;
  readonly group: string;
  readonly seq: number;
  readonly data: Uint8Array;
}

export interface AppendMessage {
  /** The epoch in the message's framing. */
  readonly epoch: bigint;
  readonly type: MessageType;
  readonly data: Uint8Array;
}

/** A Welcome to deliver with a Commit, to the mailbox of each installation in `to`, only if the Commit is accepted. */
export interface AppendWelcome {
  readonly data: Uint8Array;
  readonly to: readonly string[];
}

export type AppendResult =
  | { readonly accepted: true; readonly seq: number; readonly epoch: bigint }
  /** `epoch`: the service's current epoch for the group; `seq`: its last seq. */
  | { readonly accepted: false; readonly reason: 'epoch-conflict' | 'stale-epoch' | 'epoch-ahead'; readonly epoch: bigint; readonly seq: number };

export interface GroupLogPage {
  readonly entries: readonly LogEntry[];
  /** The next Commit's epoch (undefined: the group has no log yet). */
  readonly epoch: bigint | undefined;
  /** The last seq of the log (0 when empty). */
  readonly seq: number;
}

/** What changed, for the service processes that push to subscribers. 'resync': re-read everything (a notification may have been missed). */
export type StoreChange = { readonly kind: 'group'; readonly id: string } | { readonly kind: 'welcome'; readonly id: string } | { readonly kind: 'resync' };

export interface DeliveryStore {
  /** Adds a verified KeyPackage to an installation's FIFO (the oldest go beyond the cap). */
  addKeyPackage(installation: string, keyPackage: Uint8Array): Promise<void>;
  /** Removes and returns the oldest KeyPackage of an installation: each is handed out once, even across processes. */
  takeKeyPackage(installation: string): Promise<Uint8Array | undefined>;
  /**
   * Appends a message to a group's log if its epoch is the group's current one (the first message
   * of an unknown group sets it). A Commit moves the group to the next epoch in the same atomic
   * step, so the first Commit for an epoch wins and every later one is refused ('epoch-conflict').
   * The Welcome, if any, lands in its mailboxes in that same step, or not at all.
   */
  append(group: string, message: AppendMessage, welcome?: AppendWelcome): Promise<AppendResult>;
  /** Entries with seq > after, in order, at most `limit`. */
  read(group: string, after: number, limit: number): Promise<GroupLogPage>;
  /** Welcomes after `after` (undefined: from the oldest kept), in order, at most `limit`. */
  readWelcomes(installation: string, after: string | undefined, limit: number): Promise<WelcomeEntry[]>;
  /** Calls `listener` on every change made by any process sharing the store; resolves the unsubscribe function. */
  watch(listener: (change: StoreChange) => void): Promise<() => void>;
  /** Releases connections; the store is unusable afterwards. */
  close(): Promise<void>;
}

export interface StoreLimits {
  /** KeyPackages kept per installation (default 64; the oldest go first). */
  readonly maxKeyPackages?: number;
  /** An unclaimed KeyPackage is dropped after this long (default 90 days, in ms). */
  readonly keyPackageTtlMs?: number;
  /** Welcomes kept per mailbox (default 256). */
  readonly maxWelcomes?: number;
  /** A Welcome is dropped after this long (default 30 days, in ms). */
  readonly welcomeTtlMs?: number;
}

export const DEFAULT_LIMITS: Required<StoreLimits> = {
  maxKeyPackages: 64,
  keyPackageTtlMs: 90 * 86_400_000,
  maxWelcomes: 256,
  welcomeTtlMs: 30 * 86_400_000,
};

/** The outcome of an append against a group's (epoch, seq), shared by the backends that decide in JavaScript. */
export function decideAppend(current: bigint | undefined, message: AppendMessage): 'ok' | 'epoch-conflict' | 'stale-epoch' | 'epoch-ahead' {
  if (current === undefined || message.epoch === current) return 'ok';
  if (message.epoch > current) return 'epoch-ahead';
  return message.type === 'commit' ? 'epoch-conflict' : 'stale-epoch';
}

/** Largest epoch the stores accept: Lua's numbers are doubles, so the Redis scripts compare exactly only below 2^53. */
export const MAX_EPOCH = (1n << 53n) - 2n;
