// The ratchet tree's nodes and the ratchet_tree extension (RFC 9420 §7.1, §12.4.3.3):
//
//   struct { HPKEPublicKey encryption_key; opaque parent_hash<V>; uint32 unmerged_leaves<V>; } ParentNode;
//   struct { NodeType node_type;
//            select (node_type) { case leaf: LeafNode leaf_node; case parent: ParentNode parent_node; }; } Node;
//   optional<Node> ratchet_tree<V>;
//
// The tree lists the nodes in array order (leaf L at 2L), a blank as an absent optional. §12.4.3.3:
// the sender MUST NOT include blank nodes after the last non-blank one, and the receiver MUST check
// that the last node is non-blank — decodeRatchetTree refuses an empty tree, a trailing blank, or a
// leaf at an odd (parent) position or a parent at an even one (MlsError 'invalid-ratchet-tree');
// extending to 2^(d+1) − 1 nodes and validating the tree (§7.3 leaves, §7.9.2 parent hashes, §12.4.3.1)
// are the tree layer's business.

import type { ByteReader } from '../../codec/reader.js';
import { readOptional, readVector, writeOpaque, writeOptional, writeVector } from '../../codec/tls.js';
import type { ByteWriter } from '../../codec/writer.js';
import { MlsError } from '../errors.js';
import { decodeAll, encodeWith, opaque, readU32List, writeU32List } from './codec.js';
import { NodeType } from './constants.js';
import { type LeafNode, readLeafNode, writeLeafNode } from './leaf-node.js';

export interface ParentNode {
  readonly encryptionKey: Uint8Array;
  readonly parentHash: Uint8Array;
  /** Leaf indices (not node indices). */
  readonly unmergedLeaves: readonly number[];
}

export type Node =
  | { readonly kind: 'leaf'; readonly leaf: LeafNode }
  | { readonly kind: 'parent'; readonly parent: ParentNode };

/** Nodes in array order; undefined is a blank node. */
export type RatchetTree = readonly (Node | undefined)[];

export function readParentNode(r: ByteReader): ParentNode {
  return {
    encryptionKey: opaque(r, 'encryption_key'),
    parentHash: opaque(r, 'parent_hash'),
    unmergedLeaves: readU32List(r, 'unmerged_leaves'),
  };
}

export function writeParentNode(w: ByteWriter, p: ParentNode): void {
  writeOpaque(w, p.encryptionKey);
  writeOpaque(w, p.parentHash);
  writeU32List(w, p.unmergedLeaves);
}

export function readNode(r: ByteReader): Node {
  const type = r.u8('node_type');
  if (type === NodeType.leaf) return { kind: 'leaf', leaf: readLeafNode(r) };
  if (type === NodeType.parent) return { kind: 'parent', parent: readParentNode(r) };
  throw new MlsError('invalid-node-type', `node_type ${type}`);
}

export function writeNode(w: ByteWriter, n: Node): void {
  w.u8(NodeType[n.kind]);
  if (n.kind === 'leaf') writeLeafNode(w, n.leaf);
  else writeParentNode(w, n.parent);
}

/** optional<Node> ratchet_tree<V>, checked as §12.4.3.3 requires (see above). */
export function readRatchetTree(r: ByteReader): RatchetTree {
  const nodes = readVector(r, 'ratchet_tree', (v) => readOptional(v, 'node', readNode));
  if (nodes.length === 0) throw new MlsError('invalid-ratchet-tree', 'ratchet_tree has no nodes');
  if (nodes[nodes.length - 1] === undefined) throw new MlsError('invalid-ratchet-tree', 'ratchet_tree ends with a blank node');
  nodes.forEach((node, i) => {
    if (node !== undefined && (node.kind === 'leaf') !== (i % 2 === 0)) {
      throw new MlsError('invalid-ratchet-tree', `ratchet_tree node ${i} is a ${node.kind} node at a ${i % 2 === 0 ? 'leaf' : 'parent'} position`);
    }
  });
  return nodes;
}

export function writeRatchetTree(w: ByteWriter, tree: RatchetTree): void {
  writeVector(w, tree, (v, n) => writeOptional(v, n, writeNode));
}

/** The extension_data of a ratchet_tree extension (type 2). */
export const decodeRatchetTree = (bytes: Uint8Array): RatchetTree => decodeAll(bytes, 'ratchet_tree', readRatchetTree);
export const encodeRatchetTree = (tree: RatchetTree): Uint8Array => encodeWith(tree, writeRatchetTree);
export const decodeNode = (bytes: Uint8Array): Node => decodeAll(bytes, 'Node', readNode);
export const encodeNode = (n: Node): Uint8Array => encodeWith(n, writeNode);
