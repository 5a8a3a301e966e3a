// Parent hashes (RFC 9420 §7.9, §7.9.1, §7.9.2):
//
//   struct { HPKEPublicKey encryption_key; opaque parent_hash<V>;
//            opaque original_sibling_tree_hash<V>; } ParentHashInput;
//
// The parent hash of P with copath child S is Hash(ParentHashInput) with P's encryption_key and
// parent_hash, and the tree hash of S in the tree where each of P.unmerged_leaves is blanked and
// removed from every parent's unmerged_leaves. A node D (a commit-source leaf or a parent) carries
// in its parent_hash field the parent hash of the next node P of its filtered direct path.
//
// §7.9.2: D's parent hash is valid with respect to P, with C the child of P above (or equal to) D
// and S the other child, when D is a descendant of P, D.parent_hash is the parent hash of P with
// copath child S, and D is in the resolution of C with P's unmerged leaves under C being exactly
// the rest of that resolution. The tree is parent-hash valid when every non-blank parent P chains
// back to a leaf this way; this module checks it "top down": each non-blank parent must have
// exactly one descendant whose parent hash is valid with respect to it (a chain then follows
// downwards, each step to a strictly lower node, until it reaches a leaf).

import { encode, writeOpaque } from '../../codec/tls.js';
import { ctEqual } from '../../compare.js';
import { hash } from '../crypto/labels.js';
import type { Node, ParentNode } from '../messages/ratchet-tree.js';
import { left, level, right } from './math.js';
import type { PublicRatchetTree } from './ratchet-tree.js';
import { filteredDirectPathWithCopath, resolutions } from './resolution.js';
import { originalTreeHash } from './tree-hash.js';

const EMPTY: Uint8Array = new Uint8Array(0);

/** The first and last node index of the subtree under node x. */
function nodeRange(x: number): [number, number] {
  const span = 2 ** level(x) - 1;
  return [x - span, x + span];
}

function inSubtree(x: number, d: number): boolean {
  const [first, last] = nodeRange(x);
  return d >= first && d <= last;
}

/** ParentHashInput (§7.9). */
export function encodeParentHashInput(encryptionKey: Uint8Array, parentHash: Uint8Array, originalSiblingTreeHash: Uint8Array): Uint8Array {
  return encode((w) => {
    writeOpaque(w, encryptionKey);
    writeOpaque(w, parentHash);
    writeOpaque(w, originalSiblingTreeHash);
  });
}

/**
 * Whether every parent's unmerged leaves lie in its own subtree (as §12.4.3.1 requires and the
 * RFC's operations keep). When they do, original sibling tree hashes can reuse cached subtree hashes.
 */
export function unmergedLeavesAreDescendants(tree: PublicRatchetTree): boolean {
  for (let x = 1; x < tree.nodeCount; x += 2) {
    const p = tree.parentNode(x);
    if (p === undefined) continue;
    for (const l of p.unmergedLeaves) if (!inSubtree(x, 2 * l)) return false;
  }
  return true;
}

function requireParent(tree: PublicRatchetTree, p: number, where: string): ParentNode {
  const parent = tree.parentNode(p);
  if (parent === undefined) throw new RangeError(`${where}: node ${p} is not a non-blank parent node`);
  return parent;
}

/** original_sibling_tree_hash for parent P and its child S (§7.9). */
export function originalSiblingTreeHash(tree: PublicRatchetTree, p: number, s: number, unmergedAreDescendants = unmergedLeavesAreDescendants(tree)): Uint8Array {
  const parent = requireParent(tree, p, 'originalSiblingTreeHash');
  if (s !== left(p) && s !== right(p)) throw new RangeError(`originalSiblingTreeHash: node ${s} is not a child of node ${p}`);
  return originalTreeHash(tree, s, parent.unmergedLeaves, unmergedAreDescendants).slice();
}

/** The parent hash of non-blank parent P with copath child S (one of P's children). */
export function parentHash(tree: PublicRatchetTree, p: number, s: number, unmergedAreDescendants = unmergedLeavesAreDescendants(tree)): Uint8Array {
  const parent = requireParent(tree, p, 'parentHash');
  if (s !== left(p) && s !== right(p)) throw new RangeError(`parentHash: node ${s} is not a child of node ${p}`);
  const sibling = originalTreeHash(tree, s, parent.unmergedLeaves, unmergedAreDescendants);
  return hash(tree.suite, encodeParentHashInput(parent.encryptionKey, parent.parentHash, sibling));
}

/** The parent_hash field of a node: a parent's, or a commit-source leaf's; undefined for others. */
export function parentHashField(node: Node | undefined): Uint8Array | undefined {
  if (node === undefined) return undefined;
  if (node.kind === 'parent') return node.parent.parentHash;
  return node.leaf.source.kind === 'commit' ? node.leaf.source.parentHash : undefined;
}

/**
 * The one node D of `resC` (the resolution of C) that is not among `unmergedUnderC` (P's unmerged
 * leaves under C, as node indices), if the rest of `resC` is exactly those leaves; else undefined.
 */
function soleExtra(resC: readonly number[], unmergedUnderC: number[]): number | undefined {
  if (resC.length !== unmergedUnderC.length + 1) return undefined;
  const a = [...resC].sort((x, y) => x - y);
  const b = unmergedUnderC.sort((x, y) => x - y);
  let extra: number | undefined;
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    if (j < b.length && a[i] === b[j]) {
      j++;
    } else {
      if (extra !== undefined) return undefined;
      extra = a[i];
    }
  }
  return j === b.length ? extra : undefined;
}

/**
 * The descendants D of non-blank parent `p` whose parent hash is valid with respect to it (§7.9.2),
 * given every node's resolution. In a parent-hash valid tree there is exactly one.
 */
function validDescendants(tree: PublicRatchetTree, p: number, res: readonly (readonly number[])[], unmergedAreDescendants: boolean): number[] {
  const parent = requireParent(tree, p, 'validDescendants');
  const out: number[] = [];
  for (const [c, s] of [[left(p), right(p)], [right(p), left(p)]] as const) {
    const under = parent.unmergedLeaves.map((l) => 2 * l).filter((d) => inSubtree(c, d));
    const d = soleExtra(res[c]!, under);
    if (d === undefined || !inSubtree(c, d)) continue;
    const field = parentHashField(tree.node(d));
    if (field === undefined || field.length !== tree.suite.hashLength) continue;
    if (ctEqual(field, parentHash(tree, p, s, unmergedAreDescendants))) out.push(d);
  }
  return out;
}

/**
 * Whether D's parent hash is valid with respect to P (§7.9.2): D a descendant of non-blank parent
 * P, D in the resolution of P's child C above it with P's unmerged leaves under C the rest of that
 * resolution, and D's parent_hash the parent hash of P with copath child S (C's sibling).
 */
export function isParentHashValidWith(tree: PublicRatchetTree, d: number, p: number): boolean {
  if (tree.parentNode(p) === undefined || d === p || !inSubtree(p, d)) return false;
  const res = resolutions(tree);
  return validDescendants(tree, p, res, unmergedLeavesAreDescendants(tree)).includes(d);
}

/**
 * The non-blank parent nodes that are not parent-hash valid (§7.9.2), in increasing order: those
 * without exactly one descendant whose parent hash is valid with respect to them. Empty for a
 * parent-hash valid tree.
 */
export function parentHashProblems(tree: PublicRatchetTree): number[] {
  const res = resolutions(tree);
  const descendants = unmergedLeavesAreDescendants(tree);
  const bad: number[] = [];
  for (let p = 1; p < tree.nodeCount; p += 2) {
    if (tree.parentNode(p) === undefined) continue;
    if (validDescendants(tree, p, res, descendants).length !== 1) bad.push(p);
  }
  return bad;
}

/** Whether the tree is parent-hash valid (§7.9.2): every non-blank parent node chains back to a leaf. */
export function isParentHashValid(tree: PublicRatchetTree): boolean {
  return parentHashProblems(tree).length === 0;
}

/**
 * The parent_hash values of an UpdatePath from leaf `leafIndex` (§7.5, §7.9), computed from the root
 * down over the leaf's filtered direct path in a tree that already holds the path's new encryption
 * keys (and the path's new unmerged_leaves, normally empty): for each node of the filtered direct
 * path (leaf to root), the value of its parent_hash field, and the value for the leaf's.
 */
export function updatePathParentHashes(tree: PublicRatchetTree, leafIndex: number): { nodes: Array<{ node: number; parentHash: Uint8Array }>; leaf: Uint8Array } {
  const path = filteredDirectPathWithCopath(tree, leafIndex);
  const descendants = unmergedLeavesAreDescendants(tree);
  const nodes: Array<{ node: number; parentHash: Uint8Array }> = new Array(path.length);
  let above = EMPTY; // the parent hash of the node above; empty above the root
  for (let i = path.length - 1; i >= 0; i--) {
    const { node, copathChild } = path[i]!;
    const parent = requireParent(tree, node, 'updatePathParentHashes');
    nodes[i] = { node, parentHash: above };
    const sibling = originalTreeHash(tree, copathChild, parent.unmergedLeaves, descendants);
    above = hash(tree.suite, encodeParentHashInput(parent.encryptionKey, above, sibling));
  }
  return { nodes, leaf: above };
}
