// Tree hashes (RFC 9420 §7.8):
//
//   struct { NodeType node_type;
//            select (node_type) { case leaf: LeafNodeHashInput leaf_node;
//                                 case parent: ParentNodeHashInput parent_node; }; } TreeHashInput;
//   struct { uint32 leaf_index; optional<LeafNode> leaf_node; } LeafNodeHashInput;
//   struct { optional<ParentNode> parent_node; opaque left_hash<V>; opaque right_hash<V>; } ParentNodeHashInput;
//
// tree_hash(node) = Hash(TreeHashInput(node)), computed from the leaves up. Hashes are cached in the
// tree per node; a change to a node forgets the cache along its direct path only (ratchet-tree.ts),
// so after an edit the root hash costs one hash per level of the changed paths.
//
// originalTreeHash is the variant §7.9 needs for the original_sibling_tree_hash of a parent hash:
// the tree hash of a subtree in which some leaves are blanked and removed from every parent's
// unmerged_leaves. Subtrees that these changes do not reach reuse the cached hashes (§7.9: "a
// subtree hash can be reused as long as the intersection of the parent's unmerged leaves with the
// subtree is the same").

import { encode, writeOpaque, writeOptional } from '../../codec/tls.js';
import { hash } from '../crypto/labels.js';
import { NodeType } from '../messages/constants.js';
import { type LeafNode, writeLeafNode } from '../messages/leaf-node.js';
import { type ParentNode, writeParentNode } from '../messages/ratchet-tree.js';
import { left, level, right } from './math.js';
import type { PublicRatchetTree } from './ratchet-tree.js';

/** TreeHashInput for leaf `leafIndex` (blank if `leaf` is undefined). */
export function encodeLeafTreeHashInput(leafIndex: number, leaf: LeafNode | undefined): Uint8Array {
  return encode((w) => {
    w.u8(NodeType.leaf).u32(leafIndex);
    writeOptional(w, leaf, writeLeafNode);
  });
}

/** TreeHashInput for a parent node (blank if `parent` is undefined) with its children's tree hashes. */
export function encodeParentTreeHashInput(parent: ParentNode | undefined, leftHash: Uint8Array, rightHash: Uint8Array): Uint8Array {
  return encode((w) => {
    w.u8(NodeType.parent);
    writeOptional(w, parent, writeParentNode);
    writeOpaque(w, leftHash);
    writeOpaque(w, rightHash);
  });
}

/** The cached array itself: callers inside the tree layer must not modify it. */
export function treeHashInternal(tree: PublicRatchetTree, x: number): Uint8Array {
  const cached = tree._cachedHash(x);
  if (cached !== undefined) return cached;
  fillHashes(tree, x);
  return tree._cachedHash(x)!;
}

/**
 * Computes every hash missing under node x, level by level from the leaves: a level's hashes depend
 * only on the level below, so each level is one batched provider call (hashMany) — a whole tree on
 * join, only the changed path after a commit (the rest is cached).
 */
function fillHashes(tree: PublicRatchetTree, x: number): void {
  const byLevel: number[][] = [];
  const stack = [x];
  while (stack.length > 0) {
    const y = stack.pop()!;
    if (tree._cachedHash(y) !== undefined) continue;
    const k = level(y);
    (byLevel[k] ??= []).push(y);
    if (k > 0) stack.push(left(y), right(y));
  }
  byLevel.forEach((xs, k) => {
    const inputs = xs.map((y) => {
      const node = tree.node(y);
      if (k === 0) return encodeLeafTreeHashInput(y >>> 1, node?.kind === 'leaf' ? node.leaf : undefined);
      return encodeParentTreeHashInput(node?.kind === 'parent' ? node.parent : undefined, tree._cachedHash(left(y))!, tree._cachedHash(right(y))!);
    });
    const hashes = tree.suite.provider.hashMany('SHA-256', inputs); // suites 1-3: SHA-256
    xs.forEach((y, i) => tree._cacheHash(y, hashes[i]!));
  });
}

/** The tree hash of node `x` (default: the root, i.e. the tree hash of the whole tree). */
export function treeHash(tree: PublicRatchetTree, x: number = tree.root): Uint8Array {
  return treeHashInternal(tree, x).slice();
}

/** The tree hash of every node, in array order. */
export function treeHashes(tree: PublicRatchetTree): Uint8Array[] {
  treeHashInternal(tree, tree.root);
  const out: Uint8Array[] = [];
  for (let x = 0; x < tree.nodeCount; x++) out.push(treeHash(tree, x));
  return out;
}

/** The leaf range [first, last] under node x (level k covers 2^k leaves). */
function leafRange(x: number): [number, number] {
  const k = level(x);
  const first = (x - (2 ** k - 1)) / 2;
  return [first, first + 2 ** k - 1];
}

/** Whether sorted `leaves` has an entry in [first, last] (binary search). */
function anyInRange(leaves: readonly number[], first: number, last: number): boolean {
  let lo = 0, hi = leaves.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (leaves[mid]! < first) lo = mid + 1;
    else hi = mid;
  }
  return lo < leaves.length && leaves[lo]! <= last;
}

function originalHash(tree: PublicRatchetTree, x: number, excluded: ReadonlySet<number>, sorted: readonly number[], descendants: boolean): Uint8Array {
  if (descendants) {
    const [first, last] = leafRange(x);
    if (!anyInRange(sorted, first, last)) return treeHashInternal(tree, x);
  }
  const node = tree.node(x);
  if (level(x) === 0) {
    const leaf = node?.kind === 'leaf' && !excluded.has(x >>> 1) ? node.leaf : undefined;
    return hash(tree.suite, encodeLeafTreeHashInput(x >>> 1, leaf));
  }
  let parent = node?.kind === 'parent' ? node.parent : undefined;
  if (parent !== undefined && parent.unmergedLeaves.some((l) => excluded.has(l))) {
    parent = { ...parent, unmergedLeaves: parent.unmergedLeaves.filter((l) => !excluded.has(l)) };
  }
  const l = originalHash(tree, left(x), excluded, sorted, descendants);
  const r = originalHash(tree, right(x), excluded, sorted, descendants);
  return hash(tree.suite, encodeParentTreeHashInput(parent, l, r));
}

/**
 * The tree hash of node `x` in the tree modified as §7.9 says for original_sibling_tree_hash: each
 * leaf in `excluded` (leaf indices) blanked and removed from the unmerged_leaves of every parent.
 * With `unmergedAreDescendants` (every parent's unmerged leaves lie in its own subtree, which
 * validate.ts checks and the RFC's operations keep), a subtree holding no excluded leaf is
 * unchanged and its cached hash is used, so the cost is one hash per node on the excluded leaves'
 * paths inside the subtree; otherwise the whole subtree is rehashed. The result may be the cached
 * array: do not modify it.
 */
export function originalTreeHash(tree: PublicRatchetTree, x: number, excluded: Iterable<number>, unmergedAreDescendants = true): Uint8Array {
  const set = new Set(excluded);
  if (set.size === 0) return treeHashInternal(tree, x);
  const sorted = [...set].sort((a, b) => a - b);
  return originalHash(tree, x, set, sorted, unmergedAreDescendants);
}
