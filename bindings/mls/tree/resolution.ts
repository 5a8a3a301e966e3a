// Resolution and filtered direct path (RFC 9420 §4.1.1, §4.1.2):
//
// * The resolution of a non-blank node is the node itself followed by its unmerged leaves (as
//   node indices, in the order the node lists them); of a blank leaf, the empty list; of a blank
//   parent, the resolution of its left child followed by that of its right child.
// * The filtered direct path of a leaf is its direct path without each node whose child on the
//   leaf's copath has an empty resolution (unmerged leaves of that child count).

import { copath, directPath, leafToNode, left, level, right } from './math.js';
import type { PublicRatchetTree } from './ratchet-tree.js';

function collect(tree: PublicRatchetTree, x: number, out: number[]): void {
  const node = tree.node(x);
  if (node !== undefined) {
    out.push(x);
    if (node.kind === 'parent') for (const l of node.parent.unmergedLeaves) out.push(2 * l);
    return;
  }
  if (level(x) === 0) return;
  collect(tree, left(x), out);
  collect(tree, right(x), out);
}

/** The resolution of node `x`, as node indices. */
export function resolution(tree: PublicRatchetTree, x: number): number[] {
  const out: number[] = [];
  collect(tree, x, out);
  return out;
}

/** Whether the resolution of node `x` is empty, i.e. its subtree has no non-blank node. */
export function isResolutionEmpty(tree: PublicRatchetTree, x: number): boolean {
  if (tree.node(x) !== undefined) return false;
  if (level(x) === 0) return true;
  return isResolutionEmpty(tree, left(x)) && isResolutionEmpty(tree, right(x));
}

/**
 * The filtered direct path of leaf `leafIndex` with, for each of its nodes, that node's child on
 * the leaf's copath, from the leaf's parent up to the root.
 */
export function filteredDirectPathWithCopath(tree: PublicRatchetTree, leafIndex: number): Array<{ node: number; copathChild: number }> {
  if (tree.leafCount === 1) return [];
  const x = leafToNode(leafIndex);
  const path = directPath(x, tree.leafCount);
  const co = copath(x, tree.leafCount);
  const out: Array<{ node: number; copathChild: number }> = [];
  for (let i = 0; i < path.length; i++) if (!isResolutionEmpty(tree, co[i]!)) out.push({ node: path[i]!, copathChild: co[i]! });
  return out;
}

/** The filtered direct path of leaf `leafIndex`, as node indices from its parent up to the root. */
export function filteredDirectPath(tree: PublicRatchetTree, leafIndex: number): number[] {
  return filteredDirectPathWithCopath(tree, leafIndex).map((e) => e.node);
}

/** The resolution of every node, in array order (one pass from the leaves up). */
export function resolutions(tree: PublicRatchetTree): number[][] {
  const out: number[][] = new Array(tree.nodeCount);
  const fill = (x: number): number[] => {
    const node = tree.node(x);
    let r: number[];
    if (node !== undefined) {
      r = [x];
      if (node.kind === 'parent') for (const l of node.parent.unmergedLeaves) r.push(2 * l);
      if (level(x) > 0) {
        fill(left(x));
        fill(right(x));
      }
    } else if (level(x) === 0) {
      r = [];
    } else {
      r = [...fill(left(x)), ...fill(right(x))];
    }
    out[x] = r;
    return r;
  };
  fill(tree.root);
  return out;
}
