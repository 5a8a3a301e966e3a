// The secret tree and its sender ratchets (RFC 9420 §9), and the sender-data key and nonce
// (RFC 9420 §6.3.2): where every key and nonce of a PrivateMessage comes from.
//
//   tree_node_[root]_secret   = encryption_secret                                      (§9)
//   tree_node_[left(N)]_secret  = ExpandWithLabel(tree_node_[N]_secret, "tree", "left",  Nh)
//   tree_node_[right(N)]_secret = ExpandWithLabel(tree_node_[N]_secret, "tree", "right", Nh)
//   handshake_ratchet_secret_[N]_[0]   = DeriveSecret(tree_node_[N]_secret, "handshake")  (leaf N)
//   application_ratchet_secret_[N]_[0] = DeriveSecret(tree_node_[N]_secret, "application")
//   ratchet_key_[N]_[j]      = DeriveTreeSecret(ratchet_secret_[N]_[j], "key",    j, Nk)  (§9.1)
//   ratchet_nonce_[N]_[j]    = DeriveTreeSecret(ratchet_secret_[N]_[j], "nonce",  j, Nn)
//   ratchet_secret_[N]_[j+1] = DeriveTreeSecret(ratchet_secret_[N]_[j], "secret", j, Nh)
//   (the steps from one generation to another are one provider call, secretTreeRatchet: in wasm, a
//   whole run of generations without leaving it)
//
// (DeriveSecret(s, label) is ExpandWithLabel(s, label, "", Nh), which is what §9 writes.)
//
// Deletion (§9.2): a value is consumed once it has been used to encrypt or decrypt, or once a value
// derived from it has been consumed, and must then be deleted at once. The tree is derived lazily,
// on the path from the deepest secret still held down to the leaf asked for, and every secret is
// wiped (fill(0)) as soon as everything it is needed for has been derived from it: a parent node
// once both its children exist, a leaf node once its two ratchet roots exist, a ratchet secret once
// its key, nonce and successor exist. A key and nonce handed out belong to the caller from then on
// (wipe them after the one encryption or decryption they are for); the tree keeps no reference.
//
// Out-of-order receipt (§15.3 "Delayed and Reordered Application Messages"): the keys of skipped
// generations are kept, up to `maxSkipped` per ratchet (the oldest go first), and a ratchet is moved
// at most `maxForward` generations past its next one, so that a peer cannot make a receiver derive
// billions of keys. Every request is checked in full before anything changes, so a refused request
// leaves the tree as it was.
//
// Saving (group/persist.ts): toState() copies out everything the tree holds — the node secrets not
// yet consumed, and per leaf whose ratchets exist the two ratchets' next generation, floor, current
// ratchet secret and held skipped keys — and fromState() rebuilds a tree that behaves exactly as the
// saved one would have, after checking that the state is one a tree can be in (MlsError
// 'secret-tree-state' otherwise).

import type { CipherSuite } from './crypto/cipher-suite.js';
import { RATCHET_MAX_STEPS_PER_CALL } from '../provider/types.js';
import { deriveSecret, expandWithLabel } from './crypto/labels.js';
import { MlsError } from './errors.js';
import { left, level, right, root } from './tree/math.js';

/** Which of a leaf's two sender ratchets (§9): handshake (proposals, commits) or application. */
export type RatchetType = 'handshake' | 'application';

export interface KeyNonce {
  readonly key: Uint8Array;
  readonly nonce: Uint8Array;
}

/** A key whose generation is spent only by commit(); discard() gives it back. */
export interface TentativeKey extends KeyNonce {
  commit(): void;
  discard(): void;
}

export interface GenerationKey extends KeyNonce {
  readonly generation: number;
}

export interface SecretTreeOptions {
  /** How many generations past a ratchet's next one a received generation may be (default 1000). */
  readonly maxForward?: number;
  /** How many keys of skipped generations a ratchet keeps for late messages (default 1000). */
  readonly maxSkipped?: number;
}

/** What a ratchet currently holds: no secrets, only generation numbers (for tests and diagnostics). */
export interface RatchetState {
  /** The lowest generation not derived yet: the next one keyForSend returns. */
  readonly nextGeneration: number;
  /** The skipped generations whose key and nonce are still held, ascending. */
  readonly skippedGenerations: readonly number[];
}

/** One held key of a skipped generation, in a saved ratchet. */
export interface SkippedKeyState extends KeyNonce {
  readonly generation: number;
}

/** A sender ratchet's full state, secrets included (SecretTree.toState / fromState). */
export interface RatchetSecretState {
  /** The lowest generation not derived yet, in [0, 2^32] (2^32: every uint32 generation was used). */
  readonly nextGeneration: number;
  /** Below this every generation is gone (consumed or dropped unused); floor ≤ every skipped ≤ next. */
  readonly floorGeneration: number;
  /** ratchet_secret_[N]_[nextGeneration] (Nh bytes). */
  readonly secret: Uint8Array;
  /** The held keys of skipped generations, strictly ascending, at most maxSkipped of them. */
  readonly skipped: readonly SkippedKeyState[];
}

/** A leaf whose node secret has been turned into its two ratchets. */
export interface LeafRatchetState {
  readonly leaf: number;
  readonly handshake: RatchetSecretState;
  readonly application: RatchetSecretState;
}

/**
 * A secret tree's full state, secrets included: what SecretTree.toState() returns and
 * SecretTree.fromState() takes. Lists are in ascending order (nodes by node index, leaves by leaf
 * index), so equal trees give equal states.
 */
export interface SecretTreeState {
  readonly nLeaves: number;
  readonly maxForward: number;
  readonly maxSkipped: number;
  /** tree_node_[node]_secret of the nodes held (derived and not yet consumed). */
  readonly nodes: readonly { readonly node: number; readonly secret: Uint8Array }[];
  readonly leaves: readonly LeafRatchetState[];
}

/** Wipes (fills with zeros) every secret of a state from SecretTree.toState(). */
export function wipeSecretTreeState(state: SecretTreeState): void {
  for (const n of state.nodes) n.secret.fill(0);
  for (const l of state.leaves) {
    for (const r of [l.handshake, l.application]) {
      r.secret.fill(0);
      for (const k of r.skipped) wipeKeyNonce(k);
    }
  }
}

export const DEFAULT_MAX_FORWARD = 1000;
export const DEFAULT_MAX_SKIPPED = 1000;

/** Generations are uint32 (§6.3.2 SenderData.generation, §9.1 "big endian uint32"). */
const MAX_GENERATION = 0xffffffff;

/** The contexts of the two child derivations (§9, Figure 25). */
const LEFT = new TextEncoder().encode('left');
const RIGHT = new TextEncoder().encode('right');

interface Limits {
  readonly maxForward: number;
  readonly maxSkipped: number;
}

interface Step extends KeyNonce {
  readonly secret: Uint8Array;
}

/** derive()'s skipped keys when there are none (never written to). */
const NOTHING_SKIPPED: ReadonlyArray<[number, KeyNonce]> = Object.freeze([]);

function wipeKeyNonce(k: KeyNonce): void {
  k.key.fill(0);
  k.nonce.fill(0);
}

/**
 * A sender ratchet (§9.1) as a receiver or sender sees it: the secret of generation `next`, the
 * held keys of skipped generations below it, and `floor`, below which every key is gone unused
 * (dropped to respect maxSkipped). A generation in [floor, next) that is not held was consumed.
 */
class SenderRatchet {
  private secret: Uint8Array;
  private next = 0;
  private floor = 0;
  private readonly skipped = new Map<number, KeyNonce>(); // insertion order is ascending generation

  constructor(private readonly suite: CipherSuite, secret: Uint8Array) {
    this.secret = secret;
  }

  state(): RatchetState {
    return { nextGeneration: this.next, skippedGenerations: [...this.skipped.keys()] };
  }

  /** A copy of everything the ratchet holds (skipped keys ascending). */
  toState(): RatchetSecretState {
    const skipped = [...this.skipped].sort(([a], [b]) => a - b).map(([generation, k]) => ({ generation, key: k.key.slice(), nonce: k.nonce.slice() }));
    return { nextGeneration: this.next, floorGeneration: this.floor, secret: this.secret.slice(), skipped };
  }

  /** A ratchet holding copies of a state's secrets; the state must have passed checkRatchetState. */
  static restore(suite: CipherSuite, s: RatchetSecretState): SenderRatchet {
    const r = new SenderRatchet(suite, s.secret.slice());
    r.next = s.nextGeneration;
    r.floor = s.floorGeneration;
    // Ascending, as commit() relies on (the oldest skipped key is evicted first).
    for (const k of s.skipped) r.skipped.set(k.generation, { key: k.key.slice(), nonce: k.nonce.slice() });
    return r;
  }

  /** The next unused generation, for encrypting (§6.3.1: the sender picks an unused generation). */
  send(): GenerationKey {
    if (this.next > MAX_GENERATION) throw new MlsError('generation-exhausted', 'the sender ratchet has used every uint32 generation');
    const generation = this.next;
    const { key, nonce } = this.advanceTo(generation, 0);
    return { generation, key, nonce };
  }

  /** The key and nonce of `generation` for decrypting; refuses without changing anything. */
  receive(generation: number, limits: Limits): KeyNonce {
    checkReceivable(this, generation, limits);
    if (generation < this.next) return this.takeSkipped(generation);
    return this.advanceTo(generation, limits.maxSkipped);
  }

  /** Read by checkReceivable. */
  get nextGeneration(): number { return this.next; }
  get floorGeneration(): number { return this.floor; }
  holds(generation: number): boolean { return this.skipped.has(generation); }

  /** A held skipped key leaves the ratchet for good: it is consumed by the caller (§9.2). */
  private takeSkipped(generation: number): KeyNonce {
    const k = this.skipped.get(generation)!;
    this.skipped.delete(generation);
    return k;
  }

  /**
   * Steps from `next` to `target` (target ≥ next), keeping the keys of at most `keep` of the
   * skipped generations, and returns target's key and nonce.
   */
  private advanceTo(target: number, keep: number): KeyNonce {
    const { fresh, last } = this.derive(target, keep);
    this.commit(target, last.secret, fresh, keep);
    return { key: last.key, nonce: last.nonce };
  }

  /**
   * Derives the steps from `next` to `target` into temporaries, changing nothing: a failure part-way,
   * or a caller that never commits, leaves the ratchet as it was.
   */
  private derive(target: number, keep: number): { fresh: ReadonlyArray<[number, KeyNonce]>; last: Step } {
    const { suite } = this;
    if (target === this.next) {
      // The usual case, in order: one step, nothing skipped.
      const steps = suite.provider.secretTreeRatchet(this.secret, target, 1, suite.keyLength, suite.nonceLength);
      return { fresh: NOTHING_SKIPPED, last: { key: steps.keys[0]!, nonce: steps.nonces[0]!, secret: steps.next } };
    }
    const fresh: Array<[number, KeyNonce]> = [];
    let current = this.secret;
    let last: KeyNonce | undefined;
    try {
      // Generations next … target, up to RATCHET_MAX_STEPS_PER_CALL per provider call (§9.1).
      for (let j = this.next; j <= target;) {
        const count = Math.min(target - j + 1, RATCHET_MAX_STEPS_PER_CALL);
        const steps = suite.provider.secretTreeRatchet(current, j, count, suite.keyLength, suite.nonceLength);
        if (current !== this.secret) current.fill(0); // an intermediate ratchet secret, consumed (§9.2)
        current = steps.next;
        for (let i = 0; i < count; i++, j++) {
          const k: KeyNonce = { key: steps.keys[i]!, nonce: steps.nonces[i]! };
          if (j === target) last = k;
          else if (target - j <= keep) fresh.push([j, k]);
          else wipeKeyNonce(k); // would be dropped at once for maxSkipped: never stored
        }
      }
    } catch (e) {
      if (current !== this.secret) current.fill(0);
      for (const [, k] of fresh) wipeKeyNonce(k);
      throw e;
    }
    return { fresh, last: { ...last!, secret: current } };
  }

  /**
   * receive() in two steps: the key and nonce now, the ratchet moved (and the key consumed) only on
   * commit(); discard() drops what was derived. For a receiver that must authenticate the message
   * before the generation counts as used (§6.3.2: a forged message must not burn a member's key).
   * Commit or discard before any other call on this ratchet.
   */
  receiveTentatively(generation: number, limits: Limits): TentativeKey {
    checkReceivable(this, generation, limits);
    let settled = false;
    const once = (fn: () => void) => () => {
      if (settled) return;
      settled = true;
      fn();
    };
    if (generation < this.next) {
      const held = this.skipped.get(generation)!;
      return { key: held.key.slice(), nonce: held.nonce.slice(), commit: once(() => wipeKeyNonce(this.takeSkipped(generation))), discard: once(() => {}) };
    }
    const { fresh, last } = this.derive(generation, limits.maxSkipped);
    return {
      key: last.key.slice(),
      nonce: last.nonce.slice(),
      commit: once(() => {
        this.commit(generation, last.secret, fresh, limits.maxSkipped);
        wipeKeyNonce(last);
      }),
      discard: once(() => {
        last.secret.fill(0);
        wipeKeyNonce(last);
        for (const [, k] of fresh) wipeKeyNonce(k);
      }),
    };
  }

  /** Moves the ratchet to target + 1 and stores the skipped keys, evicting the oldest past `keep`. */
  private commit(target: number, secret: Uint8Array, fresh: ReadonlyArray<[number, KeyNonce]>, keep: number): void {
    if (target - this.next > keep) this.floor = Math.max(this.floor, target - keep);
    this.secret.fill(0); // ratchet_secret_[next]: its key, nonce and successor exist, so it is consumed (§9.2)
    this.secret = secret;
    this.next = target + 1;
    for (const [j, s] of fresh) this.skipped.set(j, { key: s.key, nonce: s.nonce });
    for (const [j, k] of this.skipped) {
      if (this.skipped.size <= keep) break;
      wipeKeyNonce(k);
      this.skipped.delete(j);
      this.floor = Math.max(this.floor, j + 1);
    }
  }

  wipe(): void {
    this.secret.fill(0);
    for (const k of this.skipped.values()) wipeKeyNonce(k);
    this.skipped.clear();
  }
}

/** The parts of a ratchet's state a receive request is checked against. */
interface ReceiveView {
  readonly nextGeneration: number;
  readonly floorGeneration: number;
  holds(generation: number): boolean;
}

/** A ratchet nothing has been derived from yet. */
const UNTOUCHED: ReceiveView = { nextGeneration: 0, floorGeneration: 0, holds: () => false };

/**
 * Refuses a generation that cannot be served: one already consumed ('generation-reused'), one whose
 * key was dropped unused to respect maxSkipped ('generation-expired'; a consumed generation below
 * the same floor is reported this way too, as the two are no longer told apart), or one more than
 * maxForward past the ratchet's next generation ('generation-too-far', §15.3).
 */
function checkReceivable(r: ReceiveView, generation: number, limits: Limits): void {
  if (generation >= r.nextGeneration) {
    const ahead = generation - r.nextGeneration;
    if (ahead > limits.maxForward) {
      throw new MlsError('generation-too-far', `generation ${generation} is ${ahead} past the next expected one (${r.nextGeneration}); at most ${limits.maxForward} is allowed`);
    }
    return;
  }
  if (r.holds(generation)) return;
  if (generation < r.floorGeneration) {
    throw new MlsError('generation-expired', `the key of generation ${generation} is no longer held (keys below ${r.floorGeneration} were discarded)`);
  }
  throw new MlsError('generation-reused', `generation ${generation} was already used and its key deleted`);
}

interface LeafRatchets {
  readonly handshake: SenderRatchet;
  readonly application: SenderRatchet;
}

function checkGeneration(generation: number): void {
  if (!Number.isInteger(generation) || generation < 0 || generation > MAX_GENERATION) {
    throw new RangeError(`generation ${generation} is not a uint32`);
  }
}

function checkType(type: RatchetType): void {
  if (type !== 'handshake' && type !== 'application') throw new TypeError(`ratchet type ${String(type)} is neither 'handshake' nor 'application'`);
}

function checkLimit(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} ${value} is not a non-negative integer`);
  return value;
}

function badState(message: string): never {
  throw new MlsError('secret-tree-state', message);
}

const isUint = (v: unknown, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;

function checkBytes(v: unknown, length: number, what: string): void {
  if (!(v instanceof Uint8Array) || v.length !== length) badState(`${what} is not ${length} bytes`);
}

/** That `s` is a state a ratchet can be in (see RatchetSecretState). */
function checkRatchetState(suite: CipherSuite, s: RatchetSecretState, limits: Limits, where: string): void {
  if (!isUint(s.nextGeneration, MAX_GENERATION + 1)) badState(`${where}: next generation ${s.nextGeneration} is not in [0, 2^32]`);
  if (!isUint(s.floorGeneration, s.nextGeneration)) badState(`${where}: floor ${s.floorGeneration} is not in [0, next generation ${s.nextGeneration}]`);
  checkBytes(s.secret, suite.hashLength, `${where}: the ratchet secret`);
  if (s.skipped.length > limits.maxSkipped) badState(`${where}: ${s.skipped.length} skipped keys, more than maxSkipped = ${limits.maxSkipped}`);
  let previous = -1;
  for (const k of s.skipped) {
    if (!isUint(k.generation, MAX_GENERATION) || k.generation <= previous || k.generation < s.floorGeneration || k.generation >= s.nextGeneration) {
      badState(`${where}: skipped generation ${k.generation} is out of order or outside [floor ${s.floorGeneration}, next ${s.nextGeneration})`);
    }
    previous = k.generation;
    checkBytes(k.key, suite.keyLength, `${where}: the key of generation ${k.generation}`);
    checkBytes(k.nonce, suite.nonceLength, `${where}: the nonce of generation ${k.generation}`);
  }
}

/**
 * That `s` is a state a tree can be in: every leaf's secret is held exactly once, either by one
 * held node on its path from the root or by the leaf's ratchets — i.e. the held nodes and the
 * ratchet leaves' nodes are disjoint subtrees which together cover every leaf.
 */
function checkTreeState(suite: CipherSuite, s: SecretTreeState): void {
  const n = s.nLeaves;
  if (!isUint(n, 2 ** 31) || n < 1 || (n & (n - 1)) !== 0) badState(`a secret tree has a power-of-two number of leaves, not ${n}`);
  if (!isUint(s.maxForward, Number.MAX_SAFE_INTEGER) || !isUint(s.maxSkipped, Number.MAX_SAFE_INTEGER)) badState('maxForward and maxSkipped must be non-negative integers');
  const limits: Limits = { maxForward: s.maxForward, maxSkipped: s.maxSkipped };
  const spans: Array<{ readonly node: number; readonly first: number; readonly last: number; readonly leaves: number }> = [];
  const span = (x: number) => {
    const half = 2 ** level(x) - 1; // a level-l node's subtree is the nodes [x − (2^l − 1), x + (2^l − 1)]
    return { node: x, first: x - half, last: x + half, leaves: half + 1 };
  };
  let previous = -1;
  for (const { node, secret } of s.nodes) {
    if (!isUint(node, 2 * n - 2) || node <= previous) badState(`held node ${node} is out of order or outside a ${n}-leaf tree`);
    previous = node;
    checkBytes(secret, suite.hashLength, `the secret of node ${node}`);
    spans.push(span(node));
  }
  previous = -1;
  for (const l of s.leaves) {
    if (!isUint(l.leaf, n - 1) || l.leaf <= previous) badState(`ratchet leaf ${l.leaf} is out of order or outside a ${n}-leaf tree`);
    previous = l.leaf;
    checkRatchetState(suite, l.handshake, limits, `leaf ${l.leaf} handshake`);
    checkRatchetState(suite, l.application, limits, `leaf ${l.leaf} application`);
    spans.push(span(2 * l.leaf));
  }
  spans.sort((a, b) => a.first - b.first);
  let covered = 0;
  let end = -1;
  for (const sp of spans) {
    if (sp.first <= end) badState(`node ${sp.node}'s secret overlaps another held secret`);
    end = sp.last;
    covered += sp.leaves;
  }
  if (covered !== n) badState(`the held secrets cover ${covered} of the tree's ${n} leaves`);
}

/**
 * The secret tree of one epoch (§9), built from that epoch's encryption_secret (§8) over the
 * ratchet tree's leaf count, which RFC 9420 keeps a power of two (§7.8).
 */
export class SecretTree {
  readonly nLeaves: number;
  private readonly suite: CipherSuite;
  private readonly limits: Limits;
  /** tree_node_[N]_secret of the nodes derived and not yet consumed, by node index. */
  private readonly nodes = new Map<number, Uint8Array>();
  /** The ratchets of the leaves whose node secret has been turned into them, by leaf index. */
  private readonly ratchets = new Map<number, LeafRatchets>();
  private disposed = false;

  /** Keeps its own copy of `encryptionSecret`; the caller wipes theirs when its key schedule is done with it. */
  constructor(suite: CipherSuite, encryptionSecret: Uint8Array, nLeaves: number, options: SecretTreeOptions = {}) {
    if (encryptionSecret.length !== suite.hashLength) {
      throw new RangeError(`encryption_secret is ${encryptionSecret.length} bytes; suite ${suite.id} needs Nh = ${suite.hashLength}`);
    }
    // §7.8: the ratchet tree always has 2^k leaves; any other count would give secrets no peer derives.
    if (!Number.isInteger(nLeaves) || nLeaves < 1 || nLeaves > 2 ** 31 || (nLeaves & (nLeaves - 1)) !== 0) {
      throw new RangeError(`a secret tree has a power-of-two number of leaves (RFC 9420 §7.8), not ${nLeaves}`);
    }
    this.suite = suite;
    this.nLeaves = nLeaves;
    this.limits = {
      maxForward: checkLimit(options.maxForward ?? DEFAULT_MAX_FORWARD, 'maxForward'),
      maxSkipped: checkLimit(options.maxSkipped ?? DEFAULT_MAX_SKIPPED, 'maxSkipped'),
    };
    this.nodes.set(root(nLeaves), Uint8Array.from(encryptionSecret));
  }

  /**
   * A tree in the state `state` (from toState(), e.g. of a saved group): it holds copies of the
   * state's secrets (the caller wipes the state when done with it) and behaves exactly as the tree
   * the state was taken from. MlsError 'secret-tree-state' if the state is not one a tree can be
   * in (see checkTreeState, checkRatchetState), nothing kept.
   */
  static fromState(suite: CipherSuite, state: SecretTreeState): SecretTree {
    checkTreeState(suite, state);
    // The constructor's root secret is a placeholder (zeros, no secret) replaced by the state's nodes.
    const tree = new SecretTree(suite, new Uint8Array(suite.hashLength), state.nLeaves, { maxForward: state.maxForward, maxSkipped: state.maxSkipped });
    tree.nodes.clear();
    for (const { node, secret } of state.nodes) tree.nodes.set(node, secret.slice());
    for (const l of state.leaves) {
      tree.ratchets.set(l.leaf, { handshake: SenderRatchet.restore(suite, l.handshake), application: SenderRatchet.restore(suite, l.application) });
    }
    return tree;
  }

  /**
   * A copy of the tree's whole state, secrets included, in a canonical order (see SecretTreeState):
   * the caller owns it and wipes it (wipeSecretTreeState). Changes nothing.
   */
  toState(): SecretTreeState {
    this.checkAlive();
    const nodes = [...this.nodes].sort(([a], [b]) => a - b).map(([node, secret]) => ({ node, secret: secret.slice() }));
    const leaves = [...this.ratchets].sort(([a], [b]) => a - b)
      .map(([leaf, r]) => ({ leaf, handshake: r.handshake.toState(), application: r.application.toState() }));
    return { nLeaves: this.nLeaves, maxForward: this.limits.maxForward, maxSkipped: this.limits.maxSkipped, nodes, leaves };
  }

  /** The next generation of `leaf`'s ratchet, with its key and nonce, for encrypting (§6.3.1, §9.1). */
  keyForSend(leaf: number, type: RatchetType): GenerationKey {
    this.checkRequest(leaf, type);
    return this.leafRatchets(leaf)[type].send();
  }

  /**
   * The key and nonce of `generation` of `leaf`'s ratchet, for decrypting (§9.1), out of order
   * within the limits (§15.3). MlsError 'generation-reused', 'generation-expired' or
   * 'generation-too-far' (see checkReceivable), or 'leaf-out-of-range', leave the tree unchanged.
   */
  keyForReceive(leaf: number, type: RatchetType, generation: number): KeyNonce {
    this.checkRequest(leaf, type);
    checkGeneration(generation);
    // Checked before the leaf's ratchets are derived, so that a refusal derives and deletes nothing.
    checkReceivable(this.ratchets.get(leaf)?.[type] ?? UNTOUCHED, generation, this.limits);
    return this.leafRatchets(leaf)[type].receive(generation, this.limits);
  }

  /**
   * keyForReceive in two steps (see SenderRatchet.receiveTentatively): the generation is consumed
   * only by commit(), once the message has authenticated; discard() leaves the ratchet as it was.
   */
  keyForReceiveTentatively(leaf: number, type: RatchetType, generation: number): TentativeKey {
    this.checkRequest(leaf, type);
    checkGeneration(generation);
    checkReceivable(this.ratchets.get(leaf)?.[type] ?? UNTOUCHED, generation, this.limits);
    if (this.ratchets.has(leaf)) return this.ratchets.get(leaf)![type].receiveTentatively(generation, this.limits);
    // The leaf's first message: its ratchets are derived on the side, so that discard() leaves the
    // tree exactly as it was (no node split); commit() derives them in the tree for good.
    const detached = this.detachedLeafRatchets(leaf);
    const tentative = detached[type].receiveTentatively(generation, this.limits);
    let settled = false;
    const settle = (keep: boolean) => {
      if (settled) return;
      settled = true;
      tentative.discard();
      detached.handshake.wipe();
      detached.application.wipe();
      if (keep) wipeKeyNonce(this.keyForReceive(leaf, type, generation));
    };
    return { key: tentative.key, nonce: tentative.nonce, commit: () => settle(true), discard: () => settle(false) };
  }

  /** The ratchets leafRatchets(leaf) would create, derived from the held ancestor without changing the tree. */
  private detachedLeafRatchets(leaf: number): LeafRatchets {
    const target = 2 * leaf;
    let x = root(this.nLeaves);
    while (!this.nodes.has(x)) {
      if (x === target) throw new MlsError('secret-tree-state', `node ${target}'s secret is neither held nor derivable`);
      x = target < x ? left(x) : right(x, this.nLeaves);
    }
    let secret: Uint8Array = this.nodes.get(x)!.slice();
    try {
      while (x !== target) {
        const goLeft = target < x;
        const child = expandWithLabel(this.suite, secret, 'tree', goLeft ? LEFT : RIGHT, this.suite.hashLength);
        secret.fill(0);
        secret = child;
        x = goLeft ? left(x) : right(x, this.nLeaves);
      }
      const handshake = deriveSecret(this.suite, secret, 'handshake');
      return { handshake: new SenderRatchet(this.suite, handshake), application: new SenderRatchet(this.suite, deriveSecret(this.suite, secret, 'application')) };
    } finally {
      secret.fill(0);
    }
  }

  /** Where `leaf`'s ratchet stands; derives nothing. */
  ratchetState(leaf: number, type: RatchetType): RatchetState {
    this.checkRequest(leaf, type);
    return this.ratchets.get(leaf)?.[type].state() ?? { nextGeneration: 0, skippedGenerations: [] };
  }

  /** The nodes whose tree_node secret is currently held, ascending (for tests of §9.2). */
  heldNodeSecrets(): number[] {
    this.checkAlive();
    return [...this.nodes.keys()].sort((a, b) => a - b);
  }

  /** Wipes every secret the tree holds; any later call throws MlsError('secret-tree-disposed'). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const secret of this.nodes.values()) secret.fill(0);
    this.nodes.clear();
    for (const r of this.ratchets.values()) {
      r.handshake.wipe();
      r.application.wipe();
    }
    this.ratchets.clear();
  }

  private checkAlive(): void {
    if (this.disposed) throw new MlsError('secret-tree-disposed', 'this secret tree has been disposed');
  }

  /** A leaf index comes from a peer's SenderData (§6.3.2), so one outside the tree is an MlsError. */
  private checkRequest(leaf: number, type: RatchetType): void {
    this.checkAlive();
    checkType(type);
    if (!Number.isInteger(leaf) || leaf < 0) throw new RangeError(`leaf index ${leaf} is not a non-negative integer`);
    if (leaf >= this.nLeaves) throw new MlsError('leaf-out-of-range', `leaf ${leaf} is outside a ${this.nLeaves}-leaf tree`);
  }

  /** The leaf's ratchets, deriving the tree down to it and the ratchet roots the first time (§9). */
  private leafRatchets(leaf: number): LeafRatchets {
    const existing = this.ratchets.get(leaf);
    if (existing) return existing;
    const node = this.deriveNodeSecret(2 * leaf); // leaf i is node 2i (§4.1, Appendix C)
    let handshake: Uint8Array | undefined;
    try {
      handshake = deriveSecret(this.suite, node, 'handshake');
      const application = deriveSecret(this.suite, node, 'application');
      const r = { handshake: new SenderRatchet(this.suite, handshake), application: new SenderRatchet(this.suite, application) };
      this.ratchets.set(leaf, r);
    } catch (e) {
      handshake?.fill(0);
      throw e;
    }
    // The leaf's node secret has given everything it is for: consumed (§9.2).
    node.fill(0);
    this.nodes.delete(2 * leaf);
    return this.ratchets.get(leaf)!;
  }

  /**
   * tree_node_[target]_secret, splitting every held node on the way down from the root (§9). Each
   * node on the path either holds its secret or was split already; exactly one of them holds it.
   */
  private deriveNodeSecret(target: number): Uint8Array {
    let x = root(this.nLeaves);
    while (x !== target) {
      if (this.nodes.has(x)) this.split(x);
      x = target < x ? left(x) : right(x, this.nLeaves);
    }
    const secret = this.nodes.get(target);
    if (secret === undefined) throw new MlsError('secret-tree-state', `node ${target}'s secret is neither held nor derivable`);
    return secret;
  }

  /** Replaces a parent's secret by its two children's (§9, Figure 25); the parent is consumed (§9.2). */
  private split(x: number): void {
    const secret = this.nodes.get(x)!;
    const l = expandWithLabel(this.suite, secret, 'tree', LEFT, this.suite.hashLength);
    let r: Uint8Array;
    try {
      r = expandWithLabel(this.suite, secret, 'tree', RIGHT, this.suite.hashLength);
    } catch (e) {
      l.fill(0);
      throw e;
    }
    this.nodes.set(left(x), l);
    this.nodes.set(right(x, this.nLeaves), r);
    secret.fill(0);
    this.nodes.delete(x);
  }
}
