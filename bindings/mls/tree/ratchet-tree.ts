// The public state of an MLS ratchet tree (RFC 9420 §4.1.1, §7.1, §7.7, §12.4.3.3): the node array
// in the array layout of Appendix C (leaf L at node 2L, parents at the odd indices), always full —
// 2^d leaves, 2^(d+1) − 1 nodes — as the RFC's trees are.
//
// * The nodes are the immutable Node objects of messages/ratchet-tree.ts; a change replaces a node,
//   never edits one in place. Callers must treat nodes they pass in as frozen as well.
// * Cloning is O(1): a clone shares the arrays with its original, and whichever of the two writes
//   first copies them (copy-on-write). So a change can be tried on a clone and simply dropped when
//   it is rejected, leaving the original as it was (edits.ts does this).
// * Tree hashes (§7.8, tree-hash.ts) are cached per node. Replacing a node forgets the cached hash
//   of that node and of its ancestors only, so the next tree hash recomputes only that path.
//   Extending and truncating keep every cached hash that is still meaningful (a subtree's hash
//   depends only on its nodes and leaf indices, and array positions do not move).
// * The tree is bound to one cipher suite: its tree hashes are that suite's.
//
// Shape invariant (§7.7, §12.1.1, §12.1.3): the tree is as small as the RFC's operations leave it —
// with more than one leaf, the root's right subtree holds a non-blank leaf. That is exactly the
// shape a receiver rebuilds from a ratchet_tree extension (§12.4.3.3: trailing blanks are omitted,
// and the tree is extended to the minimal 2^(d+1) − 1 nodes), so decode(encode(t)) is t.

import type { CipherSuite } from '../crypto/cipher-suite.js';
import { MlsError } from '../errors.js';
import type { LeafNode } from '../messages/leaf-node.js';
import { type Node, type ParentNode, type RatchetTree, decodeRatchetTree, encodeRatchetTree } from '../messages/ratchet-tree.js';
import { MAX_LEAVES, directPath, leafToNode, nodeWidth, root } from './math.js';

/** The smallest power of two ≥ n (n ≥ 1). */
function powerOfTwoAtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

export class PublicRatchetTree {
  /** Full width: 2 · leafCount − 1 entries; undefined is a blank node. */
  #nodes: (Node | undefined)[];
  /** Cached tree hash per node (undefined: not computed since the node's subtree last changed). */
  #hashes: (Uint8Array | undefined)[];
  /** Whether the arrays may be shared with a clone (then copied before the next node write). */
  #shared: boolean;

  private constructor(readonly suite: CipherSuite, nodes: (Node | undefined)[], hashes: (Uint8Array | undefined)[], shared: boolean) {
    this.#nodes = nodes;
    this.#hashes = hashes;
    this.#shared = shared;
  }

  /**
   * A tree from nodes in array order (undefined for blank), e.g. a decoded ratchet_tree extension.
   * Trailing blanks are dropped and the tree is extended to the minimal full width (§12.4.3.3).
   * MlsError 'invalid-ratchet-tree' for no non-blank node, a leaf at an odd (parent) position or a
   * parent at an even one, or more than 2^31 leaves.
   */
  static fromNodes(suite: CipherSuite, nodes: RatchetTree): PublicRatchetTree {
    let end = nodes.length;
    while (end > 0 && nodes[end - 1] === undefined) end--;
    if (end === 0) throw new MlsError('invalid-ratchet-tree', 'the ratchet tree has no non-blank node');
    const leafCount = powerOfTwoAtLeast((end + 1) >>> 1 || 1);
    if (leafCount > MAX_LEAVES) throw new MlsError('invalid-ratchet-tree', `the ratchet tree has more than 2^31 leaves`);
    const width = nodeWidth(leafCount);
    const out: (Node | undefined)[] = new Array(width).fill(undefined);
    for (let i = 0; i < end; i++) {
      const node = nodes[i];
      if (node === undefined) continue;
      if ((node.kind === 'leaf') !== (i % 2 === 0)) {
        throw new MlsError('invalid-ratchet-tree', `node ${i} is a ${node.kind} node at a ${i % 2 === 0 ? 'leaf' : 'parent'} position`);
      }
      out[i] = node;
    }
    return new PublicRatchetTree(suite, out, new Array(width).fill(undefined), false);
  }

  /** The tree of a ratchet_tree extension's data (messages' decodeRatchetTree, then fromNodes). */
  static decode(suite: CipherSuite, bytes: Uint8Array): PublicRatchetTree {
    return PublicRatchetTree.fromNodes(suite, decodeRatchetTree(bytes));
  }

  /** The one-member tree of a new group (§11: the creator at leaf 0). */
  static create(suite: CipherSuite, leaf: LeafNode): PublicRatchetTree {
    return new PublicRatchetTree(suite, [{ kind: 'leaf', leaf }], [undefined], false);
  }

  /** The number of leaves, a power of two. */
  get leafCount(): number {
    return (this.#nodes.length + 1) / 2;
  }

  /** The number of nodes, 2 · leafCount − 1. */
  get nodeCount(): number {
    return this.#nodes.length;
  }

  /** The root's node index. */
  get root(): number {
    return root(this.leafCount);
  }

  #checkNode(x: number, where: string): void {
    if (!Number.isInteger(x) || x < 0 || x >= this.#nodes.length) {
      throw new RangeError(`${where}: node ${x} is not in a tree of ${this.#nodes.length} nodes`);
    }
  }

  #checkLeaf(leafIndex: number, where: string): void {
    if (!Number.isInteger(leafIndex) || leafIndex < 0 || leafIndex >= this.leafCount) {
      throw new RangeError(`${where}: leaf ${leafIndex} is not in a tree of ${this.leafCount} leaves`);
    }
  }

  /** Node `x`, or undefined if it is blank. RangeError outside the tree. */
  node(x: number): Node | undefined {
    this.#checkNode(x, 'node');
    return this.#nodes[x];
  }

  isBlank(x: number): boolean {
    return this.node(x) === undefined;
  }

  /** The LeafNode at leaf `leafIndex`, or undefined if it is blank. RangeError outside the tree. */
  leaf(leafIndex: number): LeafNode | undefined {
    this.#checkLeaf(leafIndex, 'leaf');
    const n = this.#nodes[2 * leafIndex];
    return n?.kind === 'leaf' ? n.leaf : undefined;
  }

  /** The ParentNode at node `x`, or undefined if it is blank (or a leaf). */
  parentNode(x: number): ParentNode | undefined {
    const n = this.node(x);
    return n?.kind === 'parent' ? n.parent : undefined;
  }

  /** The leaf indices of the non-blank leaves, in increasing order. */
  members(): number[] {
    const out: number[] = [];
    for (let x = 0; x < this.#nodes.length; x += 2) if (this.#nodes[x] !== undefined) out.push(x >>> 1);
    return out;
  }

  /** The leftmost blank leaf, or undefined if every leaf is taken. */
  leftmostBlankLeaf(): number | undefined {
    for (let x = 0; x < this.#nodes.length; x += 2) if (this.#nodes[x] === undefined) return x >>> 1;
    return undefined;
  }

  /** The nodes in array order at full width (a copy). */
  toNodes(): (Node | undefined)[] {
    return this.#nodes.slice();
  }

  /** The nodes as a ratchet_tree extension carries them: without trailing blanks (§12.4.3.3). */
  toRatchetTree(): (Node | undefined)[] {
    let end = this.#nodes.length;
    while (end > 0 && this.#nodes[end - 1] === undefined) end--;
    return this.#nodes.slice(0, end);
  }

  /** The ratchet_tree extension data (empty vector only for a tree whose every node is blank). */
  encode(): Uint8Array {
    return encodeRatchetTree(this.toRatchetTree());
  }

  /** An independent tree with the same contents; O(1) (copy-on-write). */
  clone(): PublicRatchetTree {
    this.#shared = true;
    return new PublicRatchetTree(this.suite, this.#nodes, this.#hashes, true);
  }

  #own(): void {
    if (!this.#shared) return;
    this.#nodes = this.#nodes.slice();
    this.#hashes = this.#hashes.slice();
    this.#shared = false;
  }

  #forget(x: number): void {
    this.#hashes[x] = undefined;
    if (this.#nodes.length > 1) for (const p of directPath(x, this.leafCount)) this.#hashes[p] = undefined;
  }

  // Low-level changes. They check positions and kinds only; the RFC's operations built on them
  // (edits.ts) check their preconditions before changing anything.

  /** Sets node `x` (undefined blanks it). TypeError for a leaf at a parent position or vice versa. */
  setNode(x: number, node: Node | undefined): void {
    this.#checkNode(x, 'setNode');
    if (node !== undefined && (node.kind === 'leaf') !== (x % 2 === 0)) {
      throw new TypeError(`setNode: a ${node.kind} node cannot go at ${x % 2 === 0 ? 'leaf' : 'parent'} position ${x}`);
    }
    if (this.#nodes[x] === node) return;
    this.#own();
    this.#nodes[x] = node;
    this.#forget(x);
  }

  /** Sets leaf `leafIndex` (undefined blanks it). */
  setLeaf(leafIndex: number, leaf: LeafNode | undefined): void {
    this.#checkLeaf(leafIndex, 'setLeaf');
    this.setNode(leafToNode(leafIndex), leaf === undefined ? undefined : { kind: 'leaf', leaf });
  }

  /** Blanks every node of the direct path of leaf `leafIndex` (§12.1.2, §12.1.3). */
  blankDirectPath(leafIndex: number): void {
    this.#checkLeaf(leafIndex, 'blankDirectPath');
    if (this.#nodes.length === 1) return;
    for (const p of directPath(leafToNode(leafIndex), this.leafCount)) this.setNode(p, undefined);
  }

  /**
   * Doubles the leaf count (§7.7): a new blank root whose left subtree is the current tree and whose
   * right subtree is all blank. MlsError 'tree-full' beyond 2^31 leaves.
   */
  extend(): void {
    const n = this.leafCount;
    if (2 * n > MAX_LEAVES) throw new MlsError('tree-full', `the tree cannot grow beyond ${MAX_LEAVES} leaves`);
    this.#own();
    const width = nodeWidth(2 * n);
    for (let i = this.#nodes.length; i < width; i++) {
      this.#nodes.push(undefined);
      this.#hashes.push(undefined);
    }
  }

  /**
   * Halves the tree while the root's right subtree has no non-blank leaf (§7.7, §12.1.3), down to
   * one leaf: afterwards the tree has 2^d leaves for the smallest d with 2^d > the rightmost
   * non-blank leaf. The discarded root and right subtree go whether or not they are blank.
   */
  truncate(): void {
    let last = this.#nodes.length - 1;
    while (last > 0 && this.#nodes[last] === undefined) last -= 2;
    // `last` is the rightmost non-blank leaf's node (or 0)
    let n = this.leafCount;
    while (n > 1 && n / 2 > last >>> 1) n /= 2;
    if (n === this.leafCount) return;
    this.#own();
    const width = nodeWidth(n);
    this.#nodes.length = width;
    this.#hashes.length = width;
  }

  /** @internal The cached tree hash of node `x` (tree-hash.ts). */
  _cachedHash(x: number): Uint8Array | undefined {
    return this.#hashes[x];
  }

  /**
   * @internal Records the tree hash of node `x` (tree-hash.ts). Needs no copy while shared: trees
   * that share the arrays have the same nodes, so the hash is right for each of them.
   */
  _cacheHash(x: number, hash: Uint8Array): void {
    this.#hashes[x] = hash;
  }
}
