// The public state of an MLS ratchet tree (RFC 9420 §4.1.1, §7.1, §7.7, §12.4.3.3): the node array
// in the array layout of Appendix C (leaf L at node 2L, parents at the odd indices), always full —
// 2^d leaves, 2^(d+1) − 1 nodes — as the RFC's trees are.
//
// * The nodes are the immutable Node objects of messages/ratchet-tree.ts; a change replaces a node,
//   never edits one in place. Callers must treat nodes they pass in as frozen as well.
// * Cloning is cheap: the node and hash arrays are cut into chunks of CHUNK entries, a clone shares
//   the chunks with its original (it copies only the list of them, N / 256 entries for N leaves), and
//   a tree that writes into a shared chunk copies that chunk first (copy-on-write). So a change can
//   be tried on a clone and simply dropped when it is rejected, leaving the original as it was
//   (edits.ts does this), and a Commit that changes one path copies the few chunks on that path,
//   not the ≈ 2N entries of the whole tree (at N = 10,000, copying both arrays whole cost a receiver
//   several milliseconds per clone).
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

/** Entries per chunk of the node and hash arrays (a power of two: index = chunk << SHIFT | offset). */
const SHIFT = 9;
const CHUNK = 1 << SHIFT;
const MASK = CHUNK - 1;

/** Nodes x with x >>> SHIFT = i, and their cached tree hashes (undefined: blank / not computed). */
interface Chunk {
  readonly nodes: (Node | undefined)[];
  readonly hashes: (Uint8Array | undefined)[];
}

/** Fresh blank chunks for nodes [from, to), continuing from a chunk boundary. */
function blankChunks(from: number, to: number): Chunk[] {
  const out: Chunk[] = [];
  for (let at = from; at < to; at += CHUNK) {
    const n = Math.min(CHUNK, to - at);
    out.push({ nodes: new Array<Node | undefined>(n).fill(undefined), hashes: new Array<Uint8Array | undefined>(n).fill(undefined) });
  }
  return out;
}

export class PublicRatchetTree {
  /** Full width: 2 · leafCount − 1 entries, in chunks of CHUNK (the last one may be shorter). */
  #chunks: Chunk[];
  /** Whether chunk i is this tree's alone (written in place) or may be shared with a clone (copied before a write). */
  #owned: boolean[];
  #width: number;

  private constructor(readonly suite: CipherSuite, chunks: Chunk[], owned: boolean[], width: number) {
    this.#chunks = chunks;
    this.#owned = owned;
    this.#width = width;
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
    const chunks = blankChunks(0, width);
    for (let i = 0; i < end; i++) {
      const node = nodes[i];
      if (node === undefined) continue;
      if ((node.kind === 'leaf') !== (i % 2 === 0)) {
        throw new MlsError('invalid-ratchet-tree', `node ${i} is a ${node.kind} node at a ${i % 2 === 0 ? 'leaf' : 'parent'} position`);
      }
      chunks[i >>> SHIFT]!.nodes[i & MASK] = node;
    }
    return new PublicRatchetTree(suite, chunks, chunks.map(() => true), width);
  }

  /** The tree of a ratchet_tree extension's data (messages' decodeRatchetTree, then fromNodes). */
  static decode(suite: CipherSuite, bytes: Uint8Array): PublicRatchetTree {
    return PublicRatchetTree.fromNodes(suite, decodeRatchetTree(bytes));
  }

  /** The one-member tree of a new group (§11: the creator at leaf 0). */
  static create(suite: CipherSuite, leaf: LeafNode): PublicRatchetTree {
    return new PublicRatchetTree(suite, [{ nodes: [{ kind: 'leaf', leaf }], hashes: [undefined] }], [true], 1);
  }

  /** The number of leaves, a power of two. */
  get leafCount(): number {
    return (this.#width + 1) / 2;
  }

  /** The number of nodes, 2 · leafCount − 1. */
  get nodeCount(): number {
    return this.#width;
  }

  /** The root's node index. */
  get root(): number {
    return root(this.leafCount);
  }

  #checkNode(x: number, where: string): void {
    if (!Number.isInteger(x) || x < 0 || x >= this.#width) {
      throw new RangeError(`${where}: node ${x} is not in a tree of ${this.#width} nodes`);
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
    return this.#at(x);
  }

  isBlank(x: number): boolean {
    return this.node(x) === undefined;
  }

  /** The LeafNode at leaf `leafIndex`, or undefined if it is blank. RangeError outside the tree. */
  leaf(leafIndex: number): LeafNode | undefined {
    this.#checkLeaf(leafIndex, 'leaf');
    const n = this.#at(2 * leafIndex);
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
    for (let x = 0; x < this.#width; x += 2) if (this.#at(x) !== undefined) out.push(x >>> 1);
    return out;
  }

  /** The leftmost blank leaf, or undefined if every leaf is taken. */
  leftmostBlankLeaf(): number | undefined {
    for (let x = 0; x < this.#width; x += 2) if (this.#at(x) === undefined) return x >>> 1;
    return undefined;
  }

  /** The nodes in array order at full width (a copy). */
  toNodes(): (Node | undefined)[] {
    return this.#chunks.flatMap((c) => c.nodes);
  }

  /** The nodes as a ratchet_tree extension carries them: without trailing blanks (§12.4.3.3). */
  toRatchetTree(): (Node | undefined)[] {
    let end = this.#width;
    while (end > 0 && this.#at(end - 1) === undefined) end--;
    return this.toNodes().slice(0, end);
  }

  /** The ratchet_tree extension data (empty vector only for a tree whose every node is blank). */
  encode(): Uint8Array {
    return encodeRatchetTree(this.toRatchetTree());
  }

  /** An independent tree with the same contents; O(N / CHUNK): the chunks are shared, copy-on-write. */
  clone(): PublicRatchetTree {
    this.#owned.fill(false);
    return new PublicRatchetTree(this.suite, this.#chunks.slice(), this.#chunks.map(() => false), this.#width);
  }

  /** Node x (in range). */
  #at(x: number): Node | undefined {
    return this.#chunks[x >>> SHIFT]!.nodes[x & MASK];
  }

  /** Chunk i, copied first unless this tree owns it. */
  #writable(i: number): Chunk {
    if (this.#owned[i]) return this.#chunks[i]!;
    const c = this.#chunks[i]!;
    const own = { nodes: c.nodes.slice(), hashes: c.hashes.slice() };
    this.#chunks[i] = own;
    this.#owned[i] = true;
    return own;
  }

  /**
   * Forgets x's cached hash, always in a chunk of this tree's own (even if the hash is not cached):
   * _cacheHash relies on a tree that changed x's subtree no longer sharing x's chunk.
   */
  #forgetHash(x: number): void {
    this.#writable(x >>> SHIFT).hashes[x & MASK] = undefined;
  }

  #forget(x: number): void {
    this.#forgetHash(x);
    if (this.#width > 1) for (const p of directPath(x, this.leafCount)) this.#forgetHash(p);
  }

  // Low-level changes. They check positions and kinds only; the RFC's operations built on them
  // (edits.ts) check their preconditions before changing anything.

  /** Sets node `x` (undefined blanks it). TypeError for a leaf at a parent position or vice versa. */
  setNode(x: number, node: Node | undefined): void {
    this.#checkNode(x, 'setNode');
    if (node !== undefined && (node.kind === 'leaf') !== (x % 2 === 0)) {
      throw new TypeError(`setNode: a ${node.kind} node cannot go at ${x % 2 === 0 ? 'leaf' : 'parent'} position ${x}`);
    }
    if (this.#at(x) === node) return;
    this.#writable(x >>> SHIFT).nodes[x & MASK] = node;
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
    if (this.#width === 1) return;
    for (const p of directPath(leafToNode(leafIndex), this.leafCount)) this.setNode(p, undefined);
  }

  /**
   * Doubles the leaf count (§7.7): a new blank root whose left subtree is the current tree and whose
   * right subtree is all blank. MlsError 'tree-full' beyond 2^31 leaves.
   */
  extend(): void {
    const n = this.leafCount;
    if (2 * n > MAX_LEAVES) throw new MlsError('tree-full', `the tree cannot grow beyond ${MAX_LEAVES} leaves`);
    const width = nodeWidth(2 * n);
    const last = this.#chunks.length - 1;
    const partial = this.#width & MASK; // entries of the last chunk, if it is not full
    if (partial !== 0) {
      const c = this.#writable(last);
      const room = Math.min(CHUNK, width - last * CHUNK) - partial;
      for (let i = 0; i < room; i++) {
        c.nodes.push(undefined);
        c.hashes.push(undefined);
      }
    }
    const fresh = blankChunks(this.#chunks.length * CHUNK, width);
    this.#chunks.push(...fresh);
    this.#owned.push(...fresh.map(() => true));
    this.#width = width;
  }

  /**
   * Halves the tree while the root's right subtree has no non-blank leaf (§7.7, §12.1.3), down to
   * one leaf: afterwards the tree has 2^d leaves for the smallest d with 2^d > the rightmost
   * non-blank leaf. The discarded root and right subtree go whether or not they are blank.
   */
  truncate(): void {
    let last = this.#width - 1;
    while (last > 0 && this.#at(last) === undefined) last -= 2;
    // `last` is the rightmost non-blank leaf's node (or 0)
    let n = this.leafCount;
    while (n > 1 && n / 2 > last >>> 1) n /= 2;
    if (n === this.leafCount) return;
    const width = nodeWidth(n);
    const count = Math.ceil(width / CHUNK);
    this.#chunks.length = count;
    this.#owned.length = count;
    const keep = width - (count - 1) * CHUNK; // entries left in the last chunk
    if (this.#chunks[count - 1]!.nodes.length !== keep) {
      const c = this.#writable(count - 1);
      c.nodes.length = keep;
      c.hashes.length = keep;
    }
    this.#width = width;
  }

  /** @internal The cached tree hash of node `x` (tree-hash.ts). */
  _cachedHash(x: number): Uint8Array | undefined {
    return this.#chunks[x >>> SHIFT]!.hashes[x & MASK];
  }

  /**
   * @internal Records the tree hash of node `x` (tree-hash.ts). Needs no copy of a shared chunk:
   * every change under x forgets x's hash through #writable, so trees that still share x's chunk
   * have not changed x's subtree since they were cloned, and the hash is right for each of them.
   */
  _cacheHash(x: number, hash: Uint8Array): void {
    this.#chunks[x >>> SHIFT]!.hashes[x & MASK] = hash;
  }
}
