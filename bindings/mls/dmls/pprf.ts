// The puncturable PRF of DMLS (draft-kohbrok-mls-dmls §5 "Puncturable pseudorandom function";
// identical text in -00 §4, -01 and -03): the RFC 9420 §9 secret tree, grown to 2^(8·Nh) leaves and
// used as a GGM tree (Goldreich–Goldwasser–Micali). A tree node at depth d is named by the first d
// bits of an input; the root (depth 0) holds the PRF key.
//
//   DeriveFSSecret(secret, input):                           (draft §5; len(secret) = len(input) = Nh)
//     node = secret
//     for i = 0 .. 8·Nh − 1:                                   bit i of input, MSB of byte 0 first
//       left  = ExpandWithLabel(node, "tree", "left",  Nh)     (RFC 9420 §9, the secret tree's children)
//       right = ExpandWithLabel(node, "tree", "right", Nh)
//       node  = bit i ? right : left                           (the other child is the co-path sibling)
//     return DeriveSecret(node, "pprf")
//
// Why this is the secret tree: reading the Nh-byte input as a big-endian leaf index of a tree with
// 2^(8·Nh) leaves, RFC 9420's tree math goes left exactly when the index's next most significant bit
// is 0, so the walk above is the §9 derivation of tree_node_[index]_secret (a test checks this
// against SecretTree for 8 leaves). Open choices of the draft and what this file decided (also in
// docs/mls.md, "DMLS"):
//   * tree size: the draft says "a tree with KDF.Nh leaves", but it also requires len(input) = Nh
//     bytes and uses the input as the leaf index; only 8·Nh levels (2^(8·Nh) leaves) fit both, so
//     that is the reading here (256 levels for SHA-256).
//   * bit order: unspecified; MSB-first of byte 0, bit 1 = right (OpenMLS `pprf/mod.rs` get_bit, and
//     the big-endian leaf-index reading above).
//   * output: DeriveSecret(leaf, "pprf") as the draft says (OpenMLS's Prefix16 PPRF returns the leaf
//     itself; that is a different instance, not DMLS).
//
// State (draft §5: "Storing the original input key thus doesn't harm the forward secrecy of
// (deleted) output keys"): the set of held node secrets, initially only the root. The subtrees of
// the held nodes are disjoint, and together they cover exactly the inputs that are still evaluable:
// an input with no held ancestor (itself included) has been punctured. No list of punctured inputs
// is kept: the absence of an ancestor is the record, and there is nothing to leak.
//   * evaluate(x): the nearest held ancestor A of x is expanded down x's path as §9.2 deletes the
//     secret tree: a parent is consumed (wiped) once both its children exist; each co-path sibling
//     is kept (other inputs under A stay evaluable) and so is x's leaf node secret (x stays
//     evaluable; a later puncture(x) then only wipes that leaf). The output is derived from the leaf
//     each time and belongs to the caller.
//   * puncture(x): the same walk, but the leaf is wiped too. Afterwards no held node is an
//     ancestor of x, so no held secret determines x's leaf: x's output is as good as random to
//     anyone who later steals the state (the GGM argument: each sibling is an independent PRF
//     output of a wiped parent).
//   * take(x): evaluate and puncture in one walk (what DMLS does with an init secret).
// Growth: a walk from depth d adds 8·Nh − d siblings and removes A, so one puncture adds at most
// 8·Nh − 1 secrets (255 × 32 bytes ≈ 8 KiB for SHA-256 suites) and an evaluation at most 8·Nh.
// `maxHeldSecrets` bounds the total; a walk that would pass it is refused ('pprf-state-full')
// before anything changes.
//
// Constant time: the walk's shape (which children are kept) depends on the bits of x, which the
// caller's inputs determine; inputs here are commit identifiers, not long-term secrets. Wiping is
// of the JavaScript copies; the wasm provider's scratch memory is its own concern (docs/wasm.md).

import type { CipherSuite } from '../crypto/cipher-suite.js';
import { deriveSecret, expandWithLabel } from '../crypto/labels.js';
import { MlsError } from '../errors.js';

/** The contexts of the two child derivations (RFC 9420 §9, Figure 25). */
const LEFT = new TextEncoder().encode('left');
const RIGHT = new TextEncoder().encode('right');

/** 16 worst-case punctures' worth of siblings: 16 · 8 · Nh secrets (4,096 × 32 B = 128 KiB for Nh = 32). */
export const DEFAULT_MAX_PUNCTURES = 16;

export interface PprfOptions {
  /**
   * The most node secrets the PPRF may hold (default DEFAULT_MAX_PUNCTURES · 8 · Nh). A puncture
   * adds at most 8·Nh − 1, an evaluation at most 8·Nh; one that would pass the bound is refused
   * with MlsError 'pprf-state-full' and changes nothing.
   */
  readonly maxHeldSecrets?: number;
}

/** One held node: the first `depth` bits of `prefix` name it (the other bits are 0). */
export interface PprfNode {
  readonly depth: number;
  /** Nh bytes; bits at positions ≥ depth are zero. */
  readonly prefix: Uint8Array;
  /** The node secret (Nh bytes). */
  readonly secret: Uint8Array;
}

/** A PPRF's state: its held nodes in canonical order (prefix bytes, then depth). */
export interface PprfState {
  readonly maxHeldSecrets: number;
  readonly nodes: readonly PprfNode[];
}

interface Held {
  readonly depth: number;
  readonly prefix: Uint8Array;
  readonly secret: Uint8Array;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Bit i of x, MSB of byte 0 first (the draft leaves the order open; see the module comment). */
export function bitAt(x: Uint8Array, i: number): number {
  return (x[i >> 3]! >> (7 - (i & 7))) & 1;
}

/** The name of the depth-d node on x's path: d, then the first d bits of x as hex (last byte masked). */
function keyOf(x: Uint8Array, depth: number): string {
  let key = `${depth}:`;
  const full = depth >> 3;
  for (let i = 0; i < full; i++) key += HEX[x[i]!];
  const rest = depth & 7;
  if (rest !== 0) key += HEX[x[full]! & (0xff << (8 - rest)) & 0xff];
  return key;
}

/** x's first `depth` bits, the rest zero. */
function prefixOf(x: Uint8Array, depth: number): Uint8Array {
  const p = new Uint8Array(x.length);
  const full = depth >> 3;
  p.set(x.subarray(0, full));
  const rest = depth & 7;
  if (rest !== 0) p[full] = x[full]! & (0xff << (8 - rest)) & 0xff;
  return p;
}

function compareNodes(a: Held, b: Held): number {
  for (let i = 0; i < a.prefix.length; i++) {
    if (a.prefix[i] !== b.prefix[i]) return a.prefix[i]! - b.prefix[i]!;
  }
  return a.depth - b.depth;
}

/**
 * The GGM puncturable PRF of DMLS (see the module comment). Inputs and the key are Nh bytes
 * (RangeError otherwise: a programmer error). Evaluating a punctured input is MlsError
 * 'pprf-punctured'; any use after dispose() is MlsError 'pprf-disposed'.
 */
export class Pprf {
  /** Input length in bits: 8·Nh, the tree's depth. */
  readonly bits: number;
  readonly maxHeldSecrets: number;
  readonly #suite: CipherSuite;
  readonly #nodes = new Map<string, Held>();
  /** How many held nodes sit at each depth: the ancestor search only looks at depths in use. */
  readonly #atDepth: Int32Array;
  #disposed = false;

  /** Keyed by a copy of `key` (the root's secret); the caller wipes theirs. */
  constructor(suite: CipherSuite, key: Uint8Array, options: PprfOptions = {}) {
    if (key.length !== suite.hashLength) throw new RangeError(`a PPRF key is Nh = ${suite.hashLength} bytes, not ${key.length}`);
    this.#suite = suite;
    this.bits = 8 * suite.hashLength;
    const max = options.maxHeldSecrets ?? DEFAULT_MAX_PUNCTURES * this.bits;
    // A single walk from the root needs 8·Nh secrets; a smaller bound could never evaluate anything.
    if (!Number.isInteger(max) || max < this.bits) throw new RangeError(`maxHeldSecrets must be an integer ≥ 8·Nh = ${this.bits}, not ${max}`);
    this.maxHeldSecrets = max;
    this.#atDepth = new Int32Array(this.bits + 1);
    this.#hold(0, new Uint8Array(suite.hashLength), key.slice());
  }

  /**
   * A PPRF in the state `state` (from toState(), e.g. persisted), holding copies of its secrets.
   * MlsError 'pprf-state' if the state is not one a PPRF can be in (a depth out of range, a
   * prefix with bits past its depth, a wrong length, two nodes of which one is the other's
   * ancestor, more nodes than its bound); nothing is kept then.
   */
  static fromState(suite: CipherSuite, state: PprfState): Pprf {
    const nh = suite.hashLength;
    const bad = (why: string): never => { throw new MlsError('pprf-state', `not a PPRF state: ${why}`); };
    if (!Number.isInteger(state.maxHeldSecrets) || state.maxHeldSecrets < 8 * nh) bad(`maxHeldSecrets ${state.maxHeldSecrets}`);
    if (state.nodes.length > state.maxHeldSecrets) bad(`${state.nodes.length} nodes, bound ${state.maxHeldSecrets}`);
    const keys = new Set<string>();
    const depths = new Set<number>();
    for (const n of state.nodes) {
      if (!Number.isInteger(n.depth) || n.depth < 0 || n.depth > 8 * nh) bad(`depth ${n.depth}`);
      if (n.prefix.length !== nh || n.secret.length !== nh) bad('a prefix or secret is not Nh bytes');
      const key = keyOf(n.prefix, n.depth);
      if (keyOf(n.prefix, 8 * nh) !== keyOf(prefixOf(n.prefix, n.depth), 8 * nh)) bad(`a prefix has bits past its depth ${n.depth}`);
      if (keys.has(key)) bad('a node appears twice');
      keys.add(key);
      depths.add(n.depth);
    }
    // Disjoint subtrees: no node may have a held proper ancestor.
    for (const n of state.nodes) {
      for (const d of depths) if (d < n.depth && keys.has(keyOf(n.prefix, d))) bad('a node is held together with its ancestor');
    }
    const pprf = new Pprf(suite, new Uint8Array(nh), { maxHeldSecrets: state.maxHeldSecrets });
    pprf.#drop(keyOf(new Uint8Array(nh), 0)); // the placeholder root (zeros, no secret)
    for (const n of state.nodes) pprf.#hold(n.depth, n.prefix.slice(), n.secret.slice());
    return pprf;
  }

  /** How many node secrets are held. */
  get size(): number {
    return this.#nodes.size;
  }

  /** True when x has no held ancestor: it was punctured (or the PPRF disposed). */
  isPunctured(x: Uint8Array): boolean {
    this.#checkInput(x);
    return this.#disposed || this.#ancestorOf(x) === undefined;
  }

  /**
   * DeriveFSSecret(key, x) (draft §5): a fresh Nh-byte output the caller owns (and wipes). Keeps x
   * evaluable; caches x's path siblings and leaf (see the module comment).
   */
  evaluate(x: Uint8Array): Uint8Array {
    const leaf = this.#walk(x, 'evaluate');
    return deriveSecret(this.#suite, leaf, 'pprf');
  }

  /**
   * Makes x unevaluable for ever: wipes every held secret on x's path (the nearest held ancestor,
   * each intermediate node, the leaf) and keeps the co-path siblings. False if x was already
   * punctured (nothing changes), true otherwise.
   */
  puncture(x: Uint8Array): boolean {
    this.#checkAlive();
    this.#checkInput(x);
    if (this.#ancestorOf(x) === undefined) return false;
    this.#walk(x, 'puncture');
    return true;
  }

  /** evaluate(x) then puncture(x), in one walk: the output exists only in the caller's hands. */
  take(x: Uint8Array): Uint8Array {
    const leaf = this.#walk(x, 'take');
    try {
      return deriveSecret(this.#suite, leaf, 'pprf');
    } finally {
      leaf.fill(0);
    }
  }

  /**
   * The held nodes in canonical order, as live views of the PPRF's own buffers (for tests that
   * check what a puncture leaves, and that consumed secrets are zeroed): do not keep or change them;
   * toState() gives copies.
   */
  snapshot(): readonly PprfNode[] {
    this.#checkAlive();
    return [...this.#nodes.values()].sort(compareNodes).map((n) => ({ depth: n.depth, prefix: n.prefix.slice(), secret: n.secret }));
  }

  /** A copy of the whole state, secrets included, in canonical order; the caller wipes it (wipePprfState). */
  toState(): PprfState {
    this.#checkAlive();
    const nodes = [...this.#nodes.values()].sort(compareNodes).map((n) => ({ depth: n.depth, prefix: n.prefix.slice(), secret: n.secret.slice() }));
    return { maxHeldSecrets: this.maxHeldSecrets, nodes };
  }

  /** Wipes every held secret; the PPRF cannot be used afterwards. */
  dispose(): void {
    for (const n of this.#nodes.values()) n.secret.fill(0);
    this.#nodes.clear();
    this.#atDepth.fill(0);
    this.#disposed = true;
  }

  // ---- internals --------------------------------------------------------------------------------

  #checkAlive(): void {
    if (this.#disposed) throw new MlsError('pprf-disposed', 'the PPRF was disposed');
  }

  /** Draft §5: "Check if secret and input are of length KDF.Nh". */
  #checkInput(x: Uint8Array): void {
    if (!(x instanceof Uint8Array) || x.length !== this.#suite.hashLength) {
      throw new RangeError(`a PPRF input is Nh = ${this.#suite.hashLength} bytes, not ${x instanceof Uint8Array ? x.length : typeof x}`);
    }
  }

  #hold(depth: number, prefix: Uint8Array, secret: Uint8Array): void {
    this.#nodes.set(keyOf(prefix, depth), { depth, prefix, secret });
    this.#atDepth[depth]!++;
  }

  #drop(key: string): void {
    const n = this.#nodes.get(key)!;
    this.#nodes.delete(key);
    this.#atDepth[n.depth]!--;
  }

  /** The held node whose subtree contains x (at most one: held subtrees are disjoint). */
  #ancestorOf(x: Uint8Array): Held | undefined {
    for (let d = 0; d <= this.bits; d++) {
      if (this.#atDepth[d] === 0) continue;
      const n = this.#nodes.get(keyOf(x, d));
      if (n !== undefined) return n;
    }
    return undefined;
  }

  /**
   * Expands the nearest held ancestor of x down to x's leaf, keeping every co-path sibling and
   * wiping every parent once both its children exist (RFC 9420 §9.2). 'evaluate' keeps the leaf
   * and returns it (still held); 'take' returns it unheld (the caller wipes it); 'puncture' wipes
   * it. Checks everything (input, punctured, bound) before changing anything.
   */
  #walk(x: Uint8Array, mode: 'evaluate' | 'puncture' | 'take'): Uint8Array {
    this.#checkAlive();
    this.#checkInput(x);
    const a = this.#ancestorOf(x);
    if (a === undefined) throw new MlsError('pprf-punctured', 'this PPRF input was punctured: its output can no longer be derived');
    // Siblings added, the ancestor removed, the leaf kept only when evaluating.
    const growth = (this.bits - a.depth) - 1 + (mode === 'evaluate' ? 1 : 0);
    if (this.#nodes.size + growth > this.maxHeldSecrets) {
      throw new MlsError('pprf-state-full', `the PPRF would hold ${this.#nodes.size + growth} secrets, more than its bound ${this.maxHeldSecrets}`);
    }
    if (a.depth === this.bits && mode === 'evaluate') return a.secret; // x's leaf is held already
    this.#drop(keyOf(x, a.depth));
    let node = a.secret;
    for (let i = a.depth; i < this.bits; i++) {
      const left = expandWithLabel(this.#suite, node, 'tree', LEFT, this.#suite.hashLength);
      const right = expandWithLabel(this.#suite, node, 'tree', RIGHT, this.#suite.hashLength);
      node.fill(0); // consumed: both children exist (§9.2)
      const bit = bitAt(x, i);
      // The sibling's name: x's first i bits, then the other bit.
      const sibling = prefixOf(x, i + 1);
      sibling[i >> 3]! ^= 0x80 >> (i & 7);
      this.#hold(i + 1, sibling, bit === 1 ? left : right);
      node = bit === 1 ? right : left;
    }
    if (mode === 'evaluate') {
      this.#hold(this.bits, x.slice(), node);
      return node;
    }
    if (mode === 'take') return node;
    node.fill(0);
    return node;
  }
}

/** Wipes every secret of a state from Pprf.toState(). */
export function wipePprfState(state: PprfState): void {
  for (const n of state.nodes) n.secret.fill(0);
}
