// How Add, Update and Remove proposals change the ratchet tree (RFC 9420 §12.1.1–§12.1.3, §7.7),
// and applying a Commit's list of them in the order of §12.3.
//
// * Add: the new leaf goes to the leftmost blank leaf, or, if there is none, the tree is extended
//   (doubled) and it goes to the leftmost new leaf; every non-blank parent on the new leaf's direct
//   path lists the leaf in its unmerged_leaves (kept in increasing order, §7.1).
// * Update: the sender's leaf is replaced and its direct path blanked.
// * Remove: the leaf is blanked, its direct path blanked, and the tree truncated while the root's
//   right subtree has no non-blank leaf.
//
// addLeaf, updateLeaf and removeLeaf change the tree in place, but check everything they check
// before they change anything: when they throw, the tree is as it was. applyProposals works on a
// clone (O(1), copy-on-write) and returns it, so a list rejected halfway leaves the caller's tree
// untouched. These functions check structure only (positions, blank leaves, leaf_node_source); the
// §7.3 validation of the new leaves (signatures, keys, capabilities) is validate.ts's
// validateLeafNode, which the caller runs against the group's context.
//
// Errors: MlsError 'leaf-out-of-range', 'blank-leaf', 'invalid-leaf-node' (wrong
// leaf_node_source), 'tree-full' (beyond 2^31 leaves), 'invalid-proposal' (an Update given to
// applyProposals without its sender).

import { MlsError } from '../errors.js';
import type { LeafNode } from '../messages/leaf-node.js';
import type { Proposal } from '../messages/proposal.js';
import { MAX_LEAVES, directPath, leafToNode } from './math.js';
import type { PublicRatchetTree } from './ratchet-tree.js';

function requireMember(tree: PublicRatchetTree, leafIndex: number, what: string): void {
  if (!Number.isInteger(leafIndex) || leafIndex < 0 || leafIndex >= tree.leafCount) {
    throw new MlsError('leaf-out-of-range', `${what}: leaf ${leafIndex} is outside the tree's ${tree.leafCount} leaves`);
  }
  if (tree.leaf(leafIndex) === undefined) throw new MlsError('blank-leaf', `${what}: leaf ${leafIndex} is blank`);
}

function requireSource(leaf: LeafNode, source: LeafNode['source']['kind'], what: string): void {
  if (leaf.source.kind !== source) throw new MlsError('invalid-leaf-node', `${what}: leaf_node_source is ${leaf.source.kind}, not ${source}`);
}

/** `list` with `value` inserted in increasing order (unchanged if already present). */
function insertSorted(list: readonly number[], value: number): number[] {
  const out = [...list];
  let i = out.length;
  while (i > 0 && out[i - 1]! > value) i--;
  if (i > 0 && out[i - 1] === value) return out;
  out.splice(i, 0, value);
  return out;
}

/**
 * Adds `leaf` (the leaf_node of an Add's KeyPackage) to the tree (§12.1.1) and returns its leaf
 * index. MlsError 'invalid-leaf-node' unless its leaf_node_source is key_package, 'tree-full' if
 * the tree would exceed 2^31 leaves.
 */
export function addLeaf(tree: PublicRatchetTree, leaf: LeafNode): number {
  requireSource(leaf, 'key_package', 'Add');
  let index = tree.leftmostBlankLeaf();
  if (index === undefined) {
    if (2 * tree.leafCount > MAX_LEAVES) throw new MlsError('tree-full', `the tree cannot grow beyond ${MAX_LEAVES} leaves`);
    index = tree.leafCount;
    tree.extend();
  }
  if (tree.leafCount > 1) {
    for (const p of directPath(leafToNode(index), tree.leafCount)) {
      const parent = tree.parentNode(p);
      if (parent !== undefined) tree.setNode(p, { kind: 'parent', parent: { ...parent, unmergedLeaves: insertSorted(parent.unmergedLeaves, index) } });
    }
  }
  tree.setLeaf(index, leaf);
  return index;
}

/**
 * Applies an Update from member `sender` (§12.1.2): replaces its leaf with `leaf` and blanks its
 * direct path. MlsError 'leaf-out-of-range' / 'blank-leaf' unless the sender is a member,
 * 'invalid-leaf-node' unless the leaf's leaf_node_source is update.
 */
export function updateLeaf(tree: PublicRatchetTree, sender: number, leaf: LeafNode): void {
  requireMember(tree, sender, 'Update');
  requireSource(leaf, 'update', 'Update');
  tree.setLeaf(sender, leaf);
  tree.blankDirectPath(sender);
}

/**
 * Applies a Remove of leaf `removed` (§12.1.3): blanks the leaf and its direct path, then truncates
 * the tree. MlsError 'leaf-out-of-range' / 'blank-leaf' unless the leaf is a member.
 */
export function removeLeaf(tree: PublicRatchetTree, removed: number): void {
  requireMember(tree, removed, 'Remove');
  tree.setLeaf(removed, undefined);
  tree.blankDirectPath(removed);
  tree.truncate();
}

/** A proposal with the leaf index of the member that sent it (needed for an Update). */
export interface ProposalWithSender {
  readonly proposal: Proposal;
  /** The proposer's leaf index; required for an Update. */
  readonly sender?: number;
}

/**
 * Applies the tree part of a Commit's proposal list (§12.3): every Update, then every Remove, then
 * every Add in list order; other proposal types do not change the tree and are skipped. Works on a
 * clone: returns the new tree and the leaf indices the Adds got (in list order), and leaves `tree`
 * unchanged, also when it throws (see the module comment for the errors). The list-level rules of
 * §12.2 (no two Updates/Removes of one leaf, no Update by the committer, …) are the caller's.
 */
export function applyProposals(tree: PublicRatchetTree, proposals: readonly ProposalWithSender[]): { tree: PublicRatchetTree; added: number[] } {
  const next = tree.clone();
  for (const { proposal, sender } of proposals) {
    if (proposal.kind !== 'update') continue;
    if (sender === undefined) throw new MlsError('invalid-proposal', 'an Update needs the leaf index of its sender');
    updateLeaf(next, sender, proposal.leafNode);
  }
  for (const { proposal } of proposals) if (proposal.kind === 'remove') removeLeaf(next, proposal.removed);
  const added: number[] = [];
  for (const { proposal } of proposals) if (proposal.kind === 'add') added.push(addLeaf(next, proposal.keyPackage.leafNode));
  return { tree: next, added };
}
