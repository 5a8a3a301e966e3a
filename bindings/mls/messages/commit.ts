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

import { type ByteReader, DecodeError } from '../../codec/reader.js';
import { readOpaque, readOptional, readVector, varintLength, writeOpaque, writeOptional, writeVector } from '../../codec/tls.js';
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

// A Commit's UpdatePath in a group whose copath is blank holds about one HPKECiphertext per member
// (§7.6): ~10,000 at N = 10,000, about 1 MB. A receiver opens one of them, and encodes the Commit
// again three times — FramedContentTBS for the signature, AuthenticatedContentTBM for the
// membership tag (§6.1, §6.2), ConfirmedTranscriptHashInput (§8.2). Decoding every ciphertext into
// two arrays (20,000 objects) and writing them back two small writes each cost more than the
// hashing, and the garbage made the collector run during the Commit. So a decoded
// encrypted_path_secret vector stays packed:
//   * it is copied out of the input once and checked right away (every length a minimal varint,
//     the items filling the vector exactly: the same DecodeErrors as decoding it item by item);
//   * the number of ciphertexts and the j-th one (views into the packed copy) come from
//     ciphertextCount / ciphertextAt without unpacking the rest;
//   * encoding the node again writes the packed copy in one piece;
//   * the encryptedPathSecret array is made on first access (a getter, own and enumerable, so the
//     node compares and spreads like a plain one) of views into the packed copy; from then on
//     the encoder writes the copy in one piece only while the array still holds exactly those
//     views (an element replaced, added or removed falls back to writing item by item; bytes
//     changed in place are in the copy too).
// The decoder accepts minimal encodings only (codec/tls.ts), so the copy is exactly what writing
// the items one by one gives.
interface Packed {
  readonly body: Uint8Array;
  readonly count: number;
  items?: HpkeCiphertext[];
}
const packedNodes = new WeakMap<UpdatePathNode, Packed>();
/** Arrays unpacked from a packed copy, with that copy. */
const unpackedArrays = new WeakMap<readonly HpkeCiphertext[], Uint8Array>();

/** A minimal varint length at body[at] (codec/tls.ts's rules) and where it ends, as [length, next]. */
function varintAt(body: Uint8Array, at: number, what: string): [number, number] {
  if (at >= body.length) throw new DecodeError(`${what} length: needs 1 bytes, 0 left`);
  const first = body[at]!;
  const prefix = first >> 6;
  if (prefix === 0) return [first, at + 1];
  if (prefix === 3) throw new DecodeError(`${what}: length prefix 0b11 is reserved`);
  const size = prefix === 1 ? 2 : 4;
  if (at + size > body.length) throw new DecodeError(`${what} length: needs ${size} bytes, ${body.length - at} left`);
  let v = first & 0x3f;
  for (let i = 1; i < size; i++) v = v * 256 + body[at + i]!;
  if (v < (size === 2 ? 0x40 : 0x4000)) throw new DecodeError(`${what}: length ${v} is not minimally encoded`);
  return [v, at + size];
}

/** The end of the opaque field at body[at], checked to lie inside the body. */
function skipOpaque(body: Uint8Array, at: number, what: string): number {
  const [n, start] = varintAt(body, at, what);
  if (n > body.length - start) throw new DecodeError(`${what}: needs ${n} bytes, ${body.length - start} left`);
  return start + n;
}

/** The number of HPKECiphertexts in a packed vector body; DecodeError if the body is not exactly a sequence of them. */
function countCiphertexts(body: Uint8Array): number {
  let count = 0;
  for (let at = 0; at < body.length; count++) at = skipOpaque(body, skipOpaque(body, at, 'kem_output'), 'ciphertext');
  return count;
}

/** The HPKECiphertext at byte `at` of a checked body, as views into it, and where the next one starts. */
function ciphertextIn(body: Uint8Array, at: number): [HpkeCiphertext, number] {
  const [kemLength, kemStart] = varintAt(body, at, 'kem_output');
  const [ctLength, ctStart] = varintAt(body, kemStart + kemLength, 'ciphertext');
  const item = { kemOutput: body.subarray(kemStart, kemStart + kemLength), ciphertext: body.subarray(ctStart, ctStart + ctLength) };
  return [item, ctStart + ctLength];
}

function unpack(body: Uint8Array): HpkeCiphertext[] {
  const out: HpkeCiphertext[] = [];
  for (let at = 0; at < body.length;) {
    const [item, next] = ciphertextIn(body, at);
    out.push(item);
    at = next;
  }
  unpackedArrays.set(out, body);
  return out;
}

/** The number of ciphertexts of an UpdatePathNode, without unpacking a decoded one. */
export function ciphertextCount(node: UpdatePathNode): number {
  const p = packedNodes.get(node);
  return p !== undefined && p.items === undefined ? p.count : node.encryptedPathSecret.length;
}

/** Ciphertext j of an UpdatePathNode (0 ≤ j < ciphertextCount), without unpacking the others of a decoded one. */
export function ciphertextAt(node: UpdatePathNode, j: number): HpkeCiphertext {
  const p = packedNodes.get(node);
  if (p === undefined || p.items !== undefined) return node.encryptedPathSecret[j]!;
  if (!Number.isInteger(j) || j < 0 || j >= p.count) throw new RangeError(`ciphertextAt: ${j} is not below ${p.count}`);
  let at = 0;
  for (let i = 0; i < j; i++) at = skipOpaque(p.body, skipOpaque(p.body, at, 'kem_output'), 'ciphertext');
  return ciphertextIn(p.body, at)[0];
}

/** The packed copy `items` were unpacked from if they are still exactly its views, else undefined. */
function unchangedBody(items: readonly HpkeCiphertext[]): Uint8Array | undefined {
  const body = unpackedArrays.get(items);
  if (body === undefined) return undefined;
  let at = 0;
  for (let i = 0; i < items.length; i++) { // indexed: a for-of here allocated an iterator result per item
    const c = items[i]!;
    if (!viewAt(c.kemOutput, body, at)) return undefined;
    at += varintLength(c.kemOutput.length) + c.kemOutput.length;
    if (!viewAt(c.ciphertext, body, at)) return undefined;
    at += varintLength(c.ciphertext.length) + c.ciphertext.length;
  }
  return at === body.length ? body : undefined;
}

/** Whether `v` is the view of `body` at `offset` (after its varint), i.e. the field unpacked there. */
function viewAt(v: Uint8Array, body: Uint8Array, offset: number): boolean {
  return v.buffer === body.buffer && v.byteOffset === body.byteOffset + offset + varintLength(v.length);
}

export function readUpdatePathNode(r: ByteReader): UpdatePathNode {
  const encryptionKey = opaque(r, 'encryption_key');
  const body = readOpaque(r, 'encrypted_path_secret').slice();
  const p: Packed = { body, count: countCiphertexts(body) };
  const node: UpdatePathNode = {
    encryptionKey,
    get encryptedPathSecret(): readonly HpkeCiphertext[] {
      return (p.items ??= unpack(p.body));
    },
  };
  packedNodes.set(node, p);
  return node;
}

export function writeUpdatePathNode(w: ByteWriter, n: UpdatePathNode): void {
  writeOpaque(w, n.encryptionKey);
  const p = packedNodes.get(n);
  const body = p !== undefined && p.items === undefined ? p.body : unchangedBody(n.encryptedPathSecret);
  if (body !== undefined) writeOpaque(w, body);
  else writeVector(w, n.encryptedPathSecret, writeHpkeCiphertext);
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
