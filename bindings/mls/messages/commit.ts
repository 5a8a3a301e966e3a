// Commit and UpdatePath (RFC 9420 §12.4, §7.6):
//
//   struct { ProposalOrRefType type;
//            select (type) { case proposal: Proposal proposal; case reference: ProposalRef reference; }; } ProposalOrRef;
//   struct { ProposalOrRef proposals<V>; optional<UpdatePath> path; } Commit;
//   struct { opaque kem_output<V>; opaque ciphertext<V>; } HPKECiphertext;
//   struct { HPKEPublicKey encryption_key; HPKECiphertext encrypted_path_secret<V>; } UpdatePathNode;
//   struct { LeafNode leaf_node; UpdatePathNode nodes<V>; } UpdatePath;
//
// ProposalRef is a HashReference, opaque<V> (§5.2).

import type { ByteReader } from '../../codec/reader.js';
import { readOptional, readVector, writeOpaque, writeOptional, writeVector } from '../../codec/tls.js';
import type { ByteWriter } from '../../codec/writer.js';
import type { HpkeCiphertext } from '../crypto/labels.js';
import { MlsError } from '../errors.js';
import { decodeAll, encodeWith, opaque } from './codec.js';
import { ProposalOrRefType } from './constants.js';
import { type LeafNode, readLeafNode, writeLeafNode } from './leaf-node.js';
import { type Proposal, readProposal, writeProposal } from './proposal.js';

/** HPKECiphertext (§7.6) is labels.ts's HpkeCiphertext, the shape EncryptWithLabel returns. */
export type { HpkeCiphertext };

export type ProposalOrRef =
  | { readonly kind: 'proposal'; readonly proposal: Proposal }
  | { readonly kind: 'reference'; readonly reference: Uint8Array };

export interface UpdatePathNode {
  readonly encryptionKey: Uint8Array;
  /** One per node of the copath node's resolution, minus the exclusions (§7.6). */
  readonly encryptedPathSecret: readonly HpkeCiphertext[];
}

export interface UpdatePath {
  readonly leafNode: LeafNode;
  readonly nodes: readonly UpdatePathNode[];
}

export interface Commit {
  readonly proposals: readonly ProposalOrRef[];
  readonly path?: UpdatePath;
}

export function readHpkeCiphertext(r: ByteReader): HpkeCiphertext {
  return { kemOutput: opaque(r, 'kem_output'), ciphertext: opaque(r, 'ciphertext') };
}

export function writeHpkeCiphertext(w: ByteWriter, c: HpkeCiphertext): void {
  writeOpaque(w, c.kemOutput);
  writeOpaque(w, c.ciphertext);
}

export function readUpdatePathNode(r: ByteReader): UpdatePathNode {
  return { encryptionKey: opaque(r, 'encryption_key'), encryptedPathSecret: readVector(r, 'encrypted_path_secret', readHpkeCiphertext) };
}

export function writeUpdatePathNode(w: ByteWriter, n: UpdatePathNode): void {
  writeOpaque(w, n.encryptionKey);
  writeVector(w, n.encryptedPathSecret, writeHpkeCiphertext);
}

export function readUpdatePath(r: ByteReader): UpdatePath {
  return { leafNode: readLeafNode(r), nodes: readVector(r, 'update path nodes', readUpdatePathNode) };
}

export function writeUpdatePath(w: ByteWriter, p: UpdatePath): void {
  writeLeafNode(w, p.leafNode);
  writeVector(w, p.nodes, writeUpdatePathNode);
}

export function readProposalOrRef(r: ByteReader): ProposalOrRef {
  const type = r.u8('ProposalOrRef type');
  if (type === ProposalOrRefType.proposal) return { kind: 'proposal', proposal: readProposal(r) };
  if (type === ProposalOrRefType.reference) return { kind: 'reference', reference: opaque(r, 'proposal reference') };
  throw new MlsError('invalid-proposal-or-ref-type', `ProposalOrRef type ${type}`);
}

export function writeProposalOrRef(w: ByteWriter, p: ProposalOrRef): void {
  w.u8(ProposalOrRefType[p.kind]);
  if (p.kind === 'proposal') writeProposal(w, p.proposal);
  else writeOpaque(w, p.reference);
}

export function readCommit(r: ByteReader): Commit {
  const proposals = readVector(r, 'commit proposals', readProposalOrRef);
  const path = readOptional(r, 'commit path', readUpdatePath);
  return path === undefined ? { proposals } : { proposals, path };
}

export function writeCommit(w: ByteWriter, c: Commit): void {
  writeVector(w, c.proposals, writeProposalOrRef);
  writeOptional(w, c.path, writeUpdatePath);
}

export const decodeCommit = (bytes: Uint8Array): Commit => decodeAll(bytes, 'Commit', readCommit);
export const encodeCommit = (c: Commit): Uint8Array => encodeWith(c, writeCommit);
export const decodeUpdatePath = (bytes: Uint8Array): UpdatePath => decodeAll(bytes, 'UpdatePath', readUpdatePath);
export const encodeUpdatePath = (p: UpdatePath): Uint8Array => encodeWith(p, writeUpdatePath);
