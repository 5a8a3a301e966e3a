// The past epochs a DMLS member keeps (draft-kohbrok-mls-dmls §4, §6 "Security Considerations"):
// without a delivery service that orders commits, a Commit may arrive against an epoch the member
// has already left (two members committed concurrently, or a message was late). To process it the
// member needs that epoch's state and its parent_init PPRF (key-schedule.ts); the store keeps a
// bounded number of them, keyed by dmls_epoch, as a tree of forks.
//
// Open choices of the draft, decided here (also in docs/mls.md, "DMLS"):
//   * how many epochs: at most `maxEpochs` (default 4: the current one and three past ones, as
//     XMTP keeps MAX_PAST_EPOCHS = 3 in libxmtp). The draft only advises deleting old states "as
//     soon as the functional requirements of the application allow it" (§6).
//   * which fork wins: the draft does not say; -00 §5 proposed "the fork with the alphanumerically
//     highest transcript hash wins". wirecrypt takes that rule, applied where the forks diverge:
//     among children of one parent the one with the (bytewise) larger confirmed_transcript_hash
//     wins (ties, which two distinct commits cannot produce, go to the larger dmls_epoch). The
//     current head is found by starting at the winning root and following the winning child down.
//     Every member holding the same epochs therefore picks the same head whatever order the
//     commits arrived in; the transcript hash is public (a delivery service or a server can apply
//     the same rule to PublicMessage commits), unlike dmls_epoch. A committer can grind its commit
//     to win, as it could under any deterministic rule over values it influences.
//   * what is evicted: while more than maxEpochs are held, if several roots are held (siblings
//     whose common parent is gone) the losing one goes, with all its descendants (its fork has
//     lost); otherwise the single root goes. The roots are always siblings, so the rule never has
//     to compare unrelated epochs. An evicted epoch's PPRF is disposed and `onEvict` gets its state
//     so the caller wipes it (its secret tree, its private keys).

import { MlsError } from '../errors.js';
import type { CipherSuite } from '../crypto/cipher-suite.js';
import type { GroupContext } from '../group-context.js';
import { deriveChildInitSecret } from './key-schedule.js';
import type { Pprf } from './pprf.js';

/** XMTP's MAX_PAST_EPOCHS = 3, plus the current epoch. */
export const DEFAULT_MAX_EPOCHS = 4;

/** One kept epoch. The store owns its PPRF from add() on; `state` is the caller's (e.g. a GroupState). */
export interface DmlsEpochEntry<T> {
  readonly dmlsEpoch: Uint8Array;
  /** The parent epoch's dmls_epoch; absent only for the first epoch a store holds (created or joined). */
  readonly parent?: Uint8Array;
  /** The RFC 9420 epoch number (a child's is its parent's + 1). */
  readonly epoch: bigint;
  /** GroupContext.confirmed_transcript_hash of this epoch: what fork resolution compares. */
  readonly confirmedTranscriptHash: Uint8Array;
  /** This epoch's parent_init PPRF (dmlsEpochKeys), from which its children's init secrets come. */
  readonly parentInit: Pprf;
  readonly state: T;
}

export interface DmlsEpochStoreOptions<T> {
  /** The most epochs kept (default DEFAULT_MAX_EPOCHS, at least 1). */
  readonly maxEpochs?: number;
  /** Called with each evicted epoch once its PPRF is disposed: wipe its state here. */
  readonly onEvict?: (entry: DmlsEpochEntry<T>) => void;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * The fork rule: > 0 when `a` wins over its sibling `b` (larger confirmed_transcript_hash, then
 * larger dmls_epoch), < 0 when `b` wins, 0 only for the same epoch.
 */
export function compareForks(a: Pick<DmlsEpochEntry<unknown>, 'confirmedTranscriptHash' | 'dmlsEpoch'>, b: Pick<DmlsEpochEntry<unknown>, 'confirmedTranscriptHash' | 'dmlsEpoch'>): number {
  return compareBytes(a.confirmedTranscriptHash, b.confirmedTranscriptHash) || compareBytes(a.dmlsEpoch, b.dmlsEpoch);
}

const hexOf = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** A bounded tree of kept epochs with a deterministic head (see the module comment). */
export class DmlsEpochStore<T> {
  readonly maxEpochs: number;
  readonly #suite: CipherSuite;
  readonly #onEvict: ((entry: DmlsEpochEntry<T>) => void) | undefined;
  readonly #entries = new Map<string, DmlsEpochEntry<T>>();

  constructor(suite: CipherSuite, options: DmlsEpochStoreOptions<T> = {}) {
    const max = options.maxEpochs ?? DEFAULT_MAX_EPOCHS;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxEpochs must be an integer ≥ 1, not ${max}`);
    this.maxEpochs = max;
    this.#suite = suite;
    this.#onEvict = options.onEvict;
  }

  get size(): number {
    return this.#entries.size;
  }

  has(dmlsEpoch: Uint8Array): boolean {
    return this.#entries.has(hexOf(dmlsEpoch));
  }

  get(dmlsEpoch: Uint8Array): DmlsEpochEntry<T> | undefined {
    return this.#entries.get(hexOf(dmlsEpoch));
  }

  /**
   * Keeps `entry` (the store owns its PPRF from now on), then evicts down to maxEpochs; returns the
   * dmls_epochs evicted (possibly `entry`'s own, if it is a losing fork whose parent is gone).
   * MlsError 'dmls-duplicate-epoch' (already held), 'dmls-unknown-parent' (a parent not held, or
   * none while the store holds epochs), 'dmls-epoch-mismatch' (epoch ≠ parent's + 1); nothing
   * changes then.
   */
  add(entry: DmlsEpochEntry<T>): Uint8Array[] {
    const id = hexOf(entry.dmlsEpoch);
    if (entry.dmlsEpoch.length !== this.#suite.hashLength) throw new RangeError(`dmls_epoch is Nh = ${this.#suite.hashLength} bytes, not ${entry.dmlsEpoch.length}`);
    if (this.#entries.has(id)) throw new MlsError('dmls-duplicate-epoch', `epoch ${id} is held already`);
    if (entry.parent === undefined) {
      if (this.#entries.size > 0) throw new MlsError('dmls-unknown-parent', 'only the first epoch of a store may come without a parent');
    } else {
      const parent = this.get(entry.parent);
      if (parent === undefined) throw new MlsError('dmls-unknown-parent', `the parent epoch ${hexOf(entry.parent)} is not held`);
      if (entry.epoch !== parent.epoch + 1n) throw new MlsError('dmls-epoch-mismatch', `epoch ${entry.epoch} is not its parent's (${parent.epoch}) + 1`);
    }
    this.#entries.set(id, entry);
    const evicted: Uint8Array[] = [];
    while (this.#entries.size > this.maxEpochs) {
      const roots = this.#roots();
      if (roots.length > 1) {
        const loser = roots.reduce((worst, r) => (compareForks(r, worst) < 0 ? r : worst));
        for (const e of [loser, ...this.#descendants(loser)]) this.#evict(e, evicted);
      } else {
        this.#evict(roots[0]!, evicted);
      }
    }
    return evicted;
  }

  /**
   * A store holding exactly `entries` (e.g. restored from a saved state; the store owns their PPRFs
   * from now on), in any order. Unlike add() it takes several roots, which after an eviction keep
   * the parent they name although it is gone. Nothing is evicted. MlsError 'dmls-invalid-store'
   * (and nothing kept: the PPRFs are left to the caller) if the entries are not a store's: more than
   * maxEpochs, a duplicate, a dmls_epoch not Nh bytes, a child whose epoch is not its held
   * parent's + 1, roots that are not siblings (different parents, or more than one without one).
   */
  static restore<T>(suite: CipherSuite, entries: readonly DmlsEpochEntry<T>[], options: DmlsEpochStoreOptions<T> = {}): DmlsEpochStore<T> {
    const store = new DmlsEpochStore<T>(suite, options);
    const bad = (why: string): never => { throw new MlsError('dmls-invalid-store', `not a DMLS epoch store: ${why}`); };
    if (entries.length > store.maxEpochs) bad(`${entries.length} epochs, more than maxEpochs ${store.maxEpochs}`);
    for (const e of entries) {
      if (e.dmlsEpoch.length !== suite.hashLength) bad(`a dmls_epoch of ${e.dmlsEpoch.length} bytes`);
      const id = hexOf(e.dmlsEpoch);
      if (store.#entries.has(id)) bad(`epoch ${id} twice`);
      store.#entries.set(id, e);
    }
    const roots = store.#roots();
    const parents = new Set(roots.map((r) => (r.parent === undefined ? '' : hexOf(r.parent))));
    if (parents.size > 1 || (parents.has('') && roots.length > 1)) bad('its roots are not siblings');
    for (const e of entries) {
      const parent = e.parent === undefined ? undefined : store.get(e.parent);
      if (parent !== undefined && e.epoch !== parent.epoch + 1n) bad(`epoch ${e.epoch} under a parent of epoch ${parent.epoch}`);
    }
    return store;
  }

  /**
   * init_secret_[n] for a Commit against the kept epoch `parent` (key-schedule.ts
   * deriveChildInitSecret: the point is punctured, a second derivation is MlsError
   * 'pprf-punctured'). MlsError 'dmls-unknown-epoch' if `parent` is not held (never was, or evicted).
   */
  deriveChildInitSecret(parent: Uint8Array, confirmation: Uint8Array, childGroupContext: GroupContext | Uint8Array): Uint8Array {
    const entry = this.get(parent);
    if (entry === undefined) throw new MlsError('dmls-unknown-epoch', `epoch ${hexOf(parent)} is not held (too old, or never seen)`);
    return deriveChildInitSecret(this.#suite, entry.parentInit, confirmation, childGroupContext);
  }

  /** The children of a held epoch, winner first. */
  children(dmlsEpoch: Uint8Array): DmlsEpochEntry<T>[] {
    const id = hexOf(dmlsEpoch);
    return [...this.#entries.values()].filter((e) => e.parent !== undefined && hexOf(e.parent) === id).sort((a, b) => compareForks(b, a));
  }

  /** The epoch the fork rule selects: the winning root, then the winning child at every level. Undefined when empty. */
  head(): DmlsEpochEntry<T> | undefined {
    const roots = this.#roots().sort((a, b) => compareForks(b, a));
    let at = roots[0];
    if (at === undefined) return undefined;
    for (let next = this.children(at.dmlsEpoch)[0]; next !== undefined; next = this.children(at.dmlsEpoch)[0]) at = next;
    return at;
  }

  /** Every held epoch in a canonical order (epoch number, then winner first): for tests and diagnostics. */
  entries(): DmlsEpochEntry<T>[] {
    return [...this.#entries.values()].sort((a, b) => (a.epoch < b.epoch ? -1 : a.epoch > b.epoch ? 1 : compareForks(b, a)));
  }

  /** Evicts everything (PPRFs disposed, onEvict called). */
  dispose(): void {
    const evicted: Uint8Array[] = [];
    for (const e of this.entries()) this.#evict(e, evicted);
  }

  #roots(): DmlsEpochEntry<T>[] {
    return [...this.#entries.values()].filter((e) => e.parent === undefined || !this.#entries.has(hexOf(e.parent)));
  }

  #descendants(entry: DmlsEpochEntry<T>): DmlsEpochEntry<T>[] {
    const out: DmlsEpochEntry<T>[] = [];
    for (const c of this.children(entry.dmlsEpoch)) out.push(c, ...this.#descendants(c));
    return out;
  }

  #evict(entry: DmlsEpochEntry<T>, evicted: Uint8Array[]): void {
    this.#entries.delete(hexOf(entry.dmlsEpoch));
    entry.parentInit.dispose();
    evicted.push(entry.dmlsEpoch);
    this.#onEvict?.(entry);
  }
}
