// Array-based tree math for MLS ratchet trees (RFC 9420 §4.1 "Ratchet Tree Terminology", §7.1
// "Ratchet Tree Node Contents" for the array layout, Appendix C "Array-Based Trees"). Nodes are
// numbered in order of an in-order traversal: leaf i is node 2i, and a node's level is the number of
// trailing 1 bits of its index (leaves are the even nodes, level 0). Everything here is index
// arithmetic on numbers; the tree's contents live elsewhere.
//
// RFC 9420 trees always have a power-of-two number of leaves (§7.8: a tree grows by doubling and is
// truncated back to a power of two), and its Appendix C code assumes that: its parent() can step
// outside a tree of any other size. The functions here accept any positive leaf count and treat a
// tree of n leaves as the left-balanced tree the array describes (the left subtree of every node is
// full; the right one may be truncated): parent steps over indices beyond the width and right()
// descends back into it. For a power of two this is exactly the RFC's math (the test vectors cover
// 1, 2, 4, … 512 leaves); for other sizes it is the draft-era definition (draft-ietf-mls-protocol
// up to -12, "parent_step" / "while p >= node_width(n)").
//
// Sizes: a tree has at most MAX_LEAVES = 2^31 leaves, so node indices fit in 32 unsigned bits
// (width ≤ 2^32 − 1, largest index 2^32 − 2). JS bit operators work on signed 32-bit integers, so
// every result that may reach bit 31 is brought back to an unsigned number with `>>> 0`, and right
// shifts are the unsigned `>>>`. Misuse (a non-integer or out-of-range index, the children of a
// leaf, the parent or sibling of the root) throws a RangeError naming the problem.

/** The most leaves a tree may have: node indices then stay below 2^32 − 1. */
export const MAX_LEAVES = 2 ** 31;

/** The largest node index of the largest tree (its width less one). */
const MAX_NODE = 2 ** 32 - 2;

/** `x` as a node index: an integer in [0, 2^32 − 2]. */
function checkNode(x: number, where: string): void {
  if (!Number.isInteger(x) || x < 0 || x > MAX_NODE) throw new RangeError(`${where}: node index ${x} is not an integer in [0, 2^32 − 2]`);
}

/** `n` as a leaf count: an integer in [1, 2^31]. */
function checkLeaves(n: number, where: string): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_LEAVES) throw new RangeError(`${where}: leaf count ${n} is not an integer in [1, 2^31]`);
}

/** `x` as a node of the tree of `n` leaves (both checked). */
function checkNodeInTree(x: number, n: number, where: string): void {
  checkLeaves(n, where);
  checkNode(x, where);
  const width = nodeWidth(n);
  if (x >= width) throw new RangeError(`${where}: node ${x} is outside a ${n}-leaf tree (width ${width})`);
}

/** floor(log2(x)) for 0 < x < 2^32; 0 for x = 0, as in Appendix C's log2. */
function log2(x: number): number {
  return x === 0 ? 0 : 31 - Math.clz32(x);
}

/**
 * The level of node `x` (Appendix C `level`): 0 for leaves, otherwise the number of trailing 1 bits
 * of `x` — the height of the subtree `x` is the root of. `~x & (x + 1)` isolates the lowest 0 bit of
 * `x`; its position is the count of 1 bits below it (at most 31, since x ≤ 2^32 − 2).
 */
export function level(x: number): number {
  checkNode(x, 'level');
  return 31 - Math.clz32((~x & (x + 1)) >>> 0);
}

/** Whether node `x` is a leaf (§4.1: leaves are the even nodes, §7.1's array layout). */
export function isLeaf(x: number): boolean {
  checkNode(x, 'isLeaf');
  return (x & 1) === 0;
}

/** The node index of leaf `leafIndex` (§7.1: leaf i sits at node 2i). */
export function leafToNode(leafIndex: number): number {
  if (!Number.isInteger(leafIndex) || leafIndex < 0 || leafIndex >= MAX_LEAVES) {
    throw new RangeError(`leafToNode: leaf index ${leafIndex} is not an integer in [0, 2^31 − 1]`);
  }
  return leafIndex * 2;
}

/** The leaf index of leaf node `x` (the inverse of leafToNode); a parent node has none. */
export function nodeToLeaf(x: number): number {
  checkNode(x, 'nodeToLeaf');
  if ((x & 1) !== 0) throw new RangeError(`nodeToLeaf: node ${x} is a parent node, not a leaf`);
  return x >>> 1;
}

/**
 * The number of nodes of a tree of `nLeaves` leaves (Appendix C `node_width`): 2n − 1, and 0 for
 * the empty tree.
 */
export function nodeWidth(nLeaves: number): number {
  if (nLeaves === 0) return 0;
  checkLeaves(nLeaves, 'nodeWidth');
  return 2 * (nLeaves - 1) + 1;
}

/**
 * The root of a tree of `nLeaves` leaves (Appendix C `root`): 2^k − 1 for the largest 2^k ≤ width,
 * i.e. the node above the largest full left subtree. An empty tree has no root.
 */
export function root(nLeaves: number): number {
  checkLeaves(nLeaves, 'root');
  return (2 ** log2(nodeWidth(nLeaves))) - 1;
}

/**
 * The left child of parent node `x` (Appendix C `left`): clear the bit just below its trailing 1s,
 * x ^ 2^(k−1). The left subtree of a node is always full, so this child is in every tree that
 * holds `x`; with `nLeaves`, `x` is also checked to be in that tree. A leaf has no children.
 */
export function left(x: number, nLeaves?: number): number {
  if (nLeaves !== undefined) checkNodeInTree(x, nLeaves, 'left');
  const k = level(x);
  if (k === 0) throw new RangeError(`left: node ${x} is a leaf and has no children`);
  return (x ^ (1 << (k - 1))) >>> 0;
}

/**
 * The right child of parent node `x`. Without `nLeaves`: the child in a full tree (Appendix C
 * `right`: x ^ (3 · 2^(k−1)), i.e. x + 2^(k−1)). With `nLeaves`: the child in the left-balanced tree
 * of that many leaves, which for a truncated right subtree is reached by stepping left from the
 * full-tree child until back inside the width (equal to the full-tree child when `nLeaves` is a
 * power of two). A leaf has no children.
 */
export function right(x: number, nLeaves?: number): number {
  if (nLeaves !== undefined) checkNodeInTree(x, nLeaves, 'right');
  const k = level(x);
  if (k === 0) throw new RangeError(`right: node ${x} is a leaf and has no children`);
  let r = (x ^ (3 << (k - 1))) >>> 0;
  if (nLeaves !== undefined) {
    const width = nodeWidth(nLeaves);
    while (r >= width) r = left(r); // r > x ≥ a leaf's index, so r is a parent node here
  }
  return r;
}

/**
 * The parent of `x` in an unbounded full tree (Appendix C's body of `parent`): set bit k (the
 * lowest 0 bit) and clear or keep bit k+1 so that the result is x ± 2^k, whichever lies above x at
 * level k+1. `k + 1` ≤ 31 for every index below MAX_NODE that is not the root of the largest tree.
 */
function parentStep(x: number): number {
  const k = level(x);
  const b = (x >>> (k + 1)) & 1;
  return ((x | (1 << k)) ^ (b << (k + 1))) >>> 0;
}

/**
 * The parent of node `x` in the tree of `nLeaves` leaves (Appendix C `parent`, which is parentStep
 * for a power-of-two count; for other counts ancestors beyond the width are skipped). The root has
 * no parent.
 */
export function parent(x: number, nLeaves: number): number {
  checkNodeInTree(x, nLeaves, 'parent');
  const r = root(nLeaves);
  if (x === r) throw new RangeError(`parent: node ${x} is the root of a ${nLeaves}-leaf tree and has no parent`);
  const width = nodeWidth(nLeaves);
  let p = parentStep(x);
  while (p >= width) p = parentStep(p); // only in a tree whose leaf count is not a power of two
  return p;
}

/**
 * The other child of `x`'s parent (§4.1 "sibling"; Appendix C `sibling`). The root has no sibling.
 */
export function sibling(x: number, nLeaves: number): number {
  checkNodeInTree(x, nLeaves, 'sibling');
  if (x === root(nLeaves)) throw new RangeError(`sibling: node ${x} is the root of a ${nLeaves}-leaf tree and has no sibling`);
  const p = parent(x, nLeaves);
  return x < p ? right(p, nLeaves) : left(p);
}

/**
 * The direct path of `x` (§4.1: its parent, the parent's parent, … up to and including the root;
 * Appendix C `direct_path`). Empty for the root.
 */
export function directPath(x: number, nLeaves: number): number[] {
  checkNodeInTree(x, nLeaves, 'directPath');
  const r = root(nLeaves);
  const path: number[] = [];
  while (x !== r) {
    x = parent(x, nLeaves);
    path.push(x);
  }
  return path;
}

/**
 * The copath of `x` (§4.1: the sibling of `x` and of every node of its direct path but the root;
 * Appendix C `copath`), in the direct path's order. Empty for the root.
 */
export function copath(x: number, nLeaves: number): number[] {
  checkNodeInTree(x, nLeaves, 'copath');
  const path = directPath(x, nLeaves);
  const out: number[] = [];
  let node = x;
  for (const p of path) {
    out.push(sibling(node, nLeaves));
    node = p;
  }
  return out;
}

/**
 * The lowest common ancestor of nodes `a` and `b` (Appendix C `common_ancestor_direct`): the node
 * whose subtree holds both — `a` or `b` itself when one is below the other. Otherwise, if the
 * highest bit in which `a` and `b` differ is bit k−1, it is the level-(k−1) node with their common
 * higher bits: that prefix, a 0, then k−1 ones, i.e. prefix · 2^k + 2^(k−1) − 1. It needs no leaf
 * count: the common ancestor of two nodes of a left-balanced tree lies between them (or is one of
 * them), so it is in that tree too, and it is on both direct paths.
 */
export function commonAncestor(a: number, b: number): number {
  checkNode(a, 'commonAncestor');
  checkNode(b, 'commonAncestor');
  // One is in the other's subtree: nodes of x's subtree (level kx) agree with x above bit kx.
  const la = level(a) + 1, lb = level(b) + 1;
  if (la <= lb && shiftRight(a, lb) === shiftRight(b, lb)) return b;
  if (lb <= la && shiftRight(a, la) === shiftRight(b, la)) return a;
  // Otherwise strip low bits until the indices agree; k ≥ 1 bits differ.
  let x = a, y = b, k = 0;
  while (x !== y) {
    x >>>= 1;
    y >>>= 1;
    k++;
  }
  return x * 2 ** k + 2 ** (k - 1) - 1;
}

/** x >>> s for 0 ≤ s ≤ 32 (JS masks the shift count to 5 bits, so x >>> 32 would be x). */
function shiftRight(x: number, s: number): number {
  return s >= 32 ? 0 : x >>> s;
}
