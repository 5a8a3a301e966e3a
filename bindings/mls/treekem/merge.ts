// Merging an UpdatePath's public keys into the tree (RFC 9420 §7.5 "merges UpdatePath into the
// tree", §7.9 parent hashes), shared by the committer (create.ts) and the receivers (apply.ts):
//
//   1. blank every node on the direct path of the sender's leaf;
//   2. each node of the sender's filtered direct path gets its new public key and an empty
//      unmerged_leaves list;
//   3. the parent hashes are computed root to leaf (the root's parent_hash is empty) and set on
//      the path's parent nodes; the value for the leaf is returned, for the committer to put in its
//      new LeafNode and for a receiver to compare with the LeafNode it got.
//
// Always on a clone (O(1), copy-on-write): the given tree is never changed.

import { updatePathParentHashes } from '../tree/parent-hash.js';
import type { PublicRatchetTree } from '../tree/ratchet-tree.js';
import { filteredDirectPathWithCopath, resolution } from '../tree/resolution.js';

const EMPTY = new Uint8Array(0);

export interface MergedPath {
  /** The tree with the path merged; the sender's leaf is still the old one (the caller sets the new one, §7.5 step 4). */
  readonly tree: PublicRatchetTree;
  /** The sender's filtered direct path with each node's copath child, leaf to root. */
  readonly path: ReadonlyArray<{ readonly node: number; readonly copathChild: number }>;
  /** The parent_hash the sender's new LeafNode must carry. */
  readonly leafParentHash: Uint8Array;
}

/** The sender's filtered direct path in `tree`, with copath children (§4.1.2). */
export function senderPath(tree: PublicRatchetTree, sender: number): Array<{ node: number; copathChild: number }> {
  return filteredDirectPathWithCopath(tree, sender);
}

/**
 * Steps 1–3 above on a clone of `tree`, with `path` the sender's filtered direct path in `tree`
 * (senderPath) and `publicKeys[i]` the new key of its i-th node. The caller has checked that there
 * is one key per node.
 */
export function mergePathKeys(
  tree: PublicRatchetTree, sender: number, path: MergedPath['path'], publicKeys: readonly Uint8Array[],
): MergedPath {
  if (publicKeys.length !== path.length) throw new RangeError(`mergePathKeys: ${publicKeys.length} keys for a filtered direct path of ${path.length} nodes`);
  const next = tree.clone();
  next.blankDirectPath(sender);
  path.forEach(({ node }, i) => {
    next.setNode(node, { kind: 'parent', parent: { encryptionKey: publicKeys[i]!, parentHash: EMPTY, unmergedLeaves: [] } });
  });
  const hashes = updatePathParentHashes(next, sender);
  for (const { node, parentHash } of hashes.nodes) {
    const parent = next.parentNode(node)!;
    next.setNode(node, { kind: 'parent', parent: { ...parent, parentHash } });
  }
  return { tree: next, path, leafParentHash: hashes.leaf };
}

/**
 * The nodes a path secret is encrypted to (§7.5, §7.6): the resolution of the copath child, in
 * resolution order, without the leaves of new members added by the same Commit (`excluded`, leaf
 * indices). Sender and receiver compute the same list, which pairs each node with its ciphertext.
 */
export function recipients(tree: PublicRatchetTree, copathChild: number, excluded: ReadonlySet<number>): number[] {
  const res = resolution(tree, copathChild);
  return excluded.size === 0 ? res : res.filter((x) => x % 2 !== 0 || !excluded.has(x >>> 1));
}
