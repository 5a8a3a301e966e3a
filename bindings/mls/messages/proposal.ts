// Proposals (RFC 9420 §12.1):
//
//   struct { ProposalType proposal_type;
//            select (proposal_type) { case add: Add; case update: Update; case remove: Remove;
//              case psk: PreSharedKey; case reinit: ReInit; case external_init: ExternalInit;
//              case group_context_extensions: GroupContextExtensions; }; } Proposal;
//   Add { KeyPackage key_package; }                 §12.1.1
//   Update { LeafNode leaf_node; }                  §12.1.2
//   Remove { uint32 removed; }                      §12.1.3
//   PreSharedKey { PreSharedKeyID psk; }            §12.1.4
//   ReInit { opaque group_id<V>; ProtocolVersion version; CipherSuite cipher_suite;
//            Extension extensions<V>; }             §12.1.5
//   ExternalInit { opaque kem_output<V>; }          §12.1.6
//   GroupContextExtensions { Extension extensions<V>; }   §12.1.7
//
// Other proposal types have no framing in the RFC (§13.2, §17.4: new ones come with their own
// definitions; §13.5 forbids GREASE in proposal_type). As OpenMLS does for custom proposals, one is
// read as a single opaque<V> body and kept as bytes, so that it re-encodes byte-identically;
// whether the type is supported is for the caller (§12.2) to decide.

import type { ByteReader } from '../../codec/reader.js';
import { readVector, writeOpaque, writeVector } from '../../codec/tls.js';
import type { ByteWriter } from '../../codec/writer.js';
import { type Extension, readExtension, writeExtension } from '../group-context.js';
import { type PreSharedKeyId, readPskId, writePskId } from '../psk.js';
import { decodeAll, encodeWith, opaque } from './codec.js';
import { ProposalType } from './constants.js';
import { type KeyPackage, readKeyPackage, writeKeyPackage } from './key-package.js';
import { type LeafNode, readLeafNode, writeLeafNode } from './leaf-node.js';

export interface Add { readonly keyPackage: KeyPackage }
export interface Update { readonly leafNode: LeafNode }
export interface Remove { readonly removed: number }
export interface PreSharedKey { readonly psk: PreSharedKeyId }
export interface ReInit {
  readonly groupId: Uint8Array;
  readonly version: number;
  readonly cipherSuite: number;
  readonly extensions: readonly Extension[];
}
export interface ExternalInit { readonly kemOutput: Uint8Array }
export interface GroupContextExtensions { readonly extensions: readonly Extension[] }

export type Proposal =
  | ({ readonly kind: 'add' } & Add)
  | ({ readonly kind: 'update' } & Update)
  | ({ readonly kind: 'remove' } & Remove)
  | ({ readonly kind: 'psk' } & PreSharedKey)
  | ({ readonly kind: 'reinit' } & ReInit)
  | ({ readonly kind: 'external_init' } & ExternalInit)
  | ({ readonly kind: 'group_context_extensions' } & GroupContextExtensions)
  /** A proposal type this codec does not know: its body, without the length prefix. */
  | { readonly kind: 'unknown'; readonly proposalType: number; readonly data: Uint8Array };

const extensions = (r: ByteReader) => readVector(r, 'extensions', readExtension);

export const readAdd = (r: ByteReader): Add => ({ keyPackage: readKeyPackage(r) });
export const writeAdd = (w: ByteWriter, p: Add): void => writeKeyPackage(w, p.keyPackage);
export const readUpdate = (r: ByteReader): Update => ({ leafNode: readLeafNode(r) });
export const writeUpdate = (w: ByteWriter, p: Update): void => writeLeafNode(w, p.leafNode);
export const readRemove = (r: ByteReader): Remove => ({ removed: r.u32('removed') });
export const writeRemove = (w: ByteWriter, p: Remove): void => void w.u32(p.removed);
export const readPreSharedKey = (r: ByteReader): PreSharedKey => ({ psk: readPskId(r) });
export const writePreSharedKey = (w: ByteWriter, p: PreSharedKey): void => writePskId(w, p.psk);
export const readReInit = (r: ByteReader): ReInit => ({
  groupId: opaque(r, 'reinit group_id'),
  version: r.u16('reinit version'),
  cipherSuite: r.u16('reinit cipher_suite'),
  extensions: extensions(r),
});
export function writeReInit(w: ByteWriter, p: ReInit): void {
  writeOpaque(w, p.groupId);
  w.u16(p.version).u16(p.cipherSuite);
  writeVector(w, p.extensions, writeExtension);
}
export const readExternalInit = (r: ByteReader): ExternalInit => ({ kemOutput: opaque(r, 'kem_output') });
export const writeExternalInit = (w: ByteWriter, p: ExternalInit): void => void writeOpaque(w, p.kemOutput);
export const readGroupContextExtensions = (r: ByteReader): GroupContextExtensions => ({ extensions: extensions(r) });
export const writeGroupContextExtensions = (w: ByteWriter, p: GroupContextExtensions): void => void writeVector(w, p.extensions, writeExtension);

/** The uint16 proposal_type of `p`. */
export function proposalTypeOf(p: Proposal): number {
  return p.kind === 'unknown' ? p.proposalType : ProposalType[p.kind];
}

export function readProposal(r: ByteReader): Proposal {
  const type = r.u16('proposal_type');
  switch (type) {
    case ProposalType.add: return { kind: 'add', ...readAdd(r) };
    case ProposalType.update: return { kind: 'update', ...readUpdate(r) };
    case ProposalType.remove: return { kind: 'remove', ...readRemove(r) };
    case ProposalType.psk: return { kind: 'psk', ...readPreSharedKey(r) };
    case ProposalType.reinit: return { kind: 'reinit', ...readReInit(r) };
    case ProposalType.external_init: return { kind: 'external_init', ...readExternalInit(r) };
    case ProposalType.group_context_extensions: return { kind: 'group_context_extensions', ...readGroupContextExtensions(r) };
    default: return { kind: 'unknown', proposalType: type, data: opaque(r, 'proposal body') };
  }
}

export function writeProposal(w: ByteWriter, p: Proposal): void {
  const type = proposalTypeOf(p);
  if (p.kind === 'unknown' && (Object.values(ProposalType) as number[]).includes(type)) {
    throw new TypeError(`writeProposal: proposal type ${type} must use its own kind`);
  }
  w.u16(type);
  switch (p.kind) {
    case 'add': return writeAdd(w, p);
    case 'update': return writeUpdate(w, p);
    case 'remove': return writeRemove(w, p);
    case 'psk': return writePreSharedKey(w, p);
    case 'reinit': return writeReInit(w, p);
    case 'external_init': return writeExternalInit(w, p);
    case 'group_context_extensions': return writeGroupContextExtensions(w, p);
    case 'unknown': return void writeOpaque(w, p.data);
  }
}

export const decodeProposal = (bytes: Uint8Array): Proposal => decodeAll(bytes, 'Proposal', readProposal);
export const encodeProposal = (p: Proposal): Uint8Array => encodeWith(p, writeProposal);

// The bare proposal bodies (as the conformance vectors carry them).
export const decodeAdd = (b: Uint8Array): Add => decodeAll(b, 'Add', readAdd);
export const encodeAdd = (p: Add): Uint8Array => encodeWith(p, writeAdd);
export const decodeUpdate = (b: Uint8Array): Update => decodeAll(b, 'Update', readUpdate);
export const encodeUpdate = (p: Update): Uint8Array => encodeWith(p, writeUpdate);
export const decodeRemove = (b: Uint8Array): Remove => decodeAll(b, 'Remove', readRemove);
export const encodeRemove = (p: Remove): Uint8Array => encodeWith(p, writeRemove);
export const decodePreSharedKey = (b: Uint8Array): PreSharedKey => decodeAll(b, 'PreSharedKey', readPreSharedKey);
export const encodePreSharedKey = (p: PreSharedKey): Uint8Array => encodeWith(p, writePreSharedKey);
export const decodeReInit = (b: Uint8Array): ReInit => decodeAll(b, 'ReInit', readReInit);
export const encodeReInit = (p: ReInit): Uint8Array => encodeWith(p, writeReInit);
export const decodeExternalInit = (b: Uint8Array): ExternalInit => decodeAll(b, 'ExternalInit', readExternalInit);
export const encodeExternalInit = (p: ExternalInit): Uint8Array => encodeWith(p, writeExternalInit);
export const decodeGroupContextExtensions = (b: Uint8Array): GroupContextExtensions =>
  decodeAll(b, 'GroupContextExtensions', readGroupContextExtensions);
export const encodeGroupContextExtensions = (p: GroupContextExtensions): Uint8Array => encodeWith(p, writeGroupContextExtensions);
