// LeafNode and what it carries (RFC 9420 §7.2):
//
//   struct { ProtocolVersion versions<V>; CipherSuite cipher_suites<V>; ExtensionType extensions<V>;
//            ProposalType proposals<V>; CredentialType credentials<V>; } Capabilities;
//   struct { uint64 not_before; uint64 not_after; } Lifetime;
//   struct { HPKEPublicKey encryption_key; SignaturePublicKey signature_key; Credential credential;
//            Capabilities capabilities; LeafNodeSource leaf_node_source;
//            select (leaf_node_source) { case key_package: Lifetime lifetime; case update: struct{};
//                                        case commit: opaque parent_hash<V>; };
//            Extension extensions<V>; opaque signature<V>; } LeafNode;
//   LeafNodeTBS: the same without the signature, then for update and commit
//            opaque group_id<V>; uint32 leaf_index;
//
// HPKEPublicKey and SignaturePublicKey are opaque<V> (§5.1.1). Capabilities lists keep every
// value, GREASE included (§13.5); extensions stay opaque (group-context.ts).

import type { ByteReader } from '../../codec/reader.js';
import { encode, readVector, writeOpaque, writeVector } from '../../codec/tls.js';
import type { ByteWriter } from '../../codec/writer.js';
import { MlsError } from '../errors.js';
import { type Extension, readExtension, writeExtension } from '../group-context.js';
import { decodeAll, encodeWith, opaque, readU16List, writeU16List } from './codec.js';
import { LeafNodeSource } from './constants.js';
import { type Credential, readCredential, writeCredential } from './credential.js';

export interface Capabilities {
  readonly versions: readonly number[];
  readonly cipherSuites: readonly number[];
  readonly extensions: readonly number[];
  readonly proposals: readonly number[];
  readonly credentials: readonly number[];
}

export interface Lifetime {
  readonly notBefore: bigint;
  readonly notAfter: bigint;
}

/** leaf_node_source and the field it selects. */
export type LeafNodeSourceData =
  | { readonly kind: 'key_package'; readonly lifetime: Lifetime }
  | { readonly kind: 'update' }
  | { readonly kind: 'commit'; readonly parentHash: Uint8Array };

export interface LeafNode {
  readonly encryptionKey: Uint8Array;
  readonly signatureKey: Uint8Array;
  readonly credential: Credential;
  readonly capabilities: Capabilities;
  readonly source: LeafNodeSourceData;
  readonly extensions: readonly Extension[];
  readonly signature: Uint8Array;
}

export function readCapabilities(r: ByteReader): Capabilities {
  return {
    versions: readU16List(r, 'capabilities.versions'),
    cipherSuites: readU16List(r, 'capabilities.cipher_suites'),
    extensions: readU16List(r, 'capabilities.extensions'),
    proposals: readU16List(r, 'capabilities.proposals'),
    credentials: readU16List(r, 'capabilities.credentials'),
  };
}

export function writeCapabilities(w: ByteWriter, c: Capabilities): void {
  for (const list of [c.versions, c.cipherSuites, c.extensions, c.proposals, c.credentials]) writeU16List(w, list);
}

export function readLifetime(r: ByteReader): Lifetime {
  return { notBefore: r.u64('lifetime.not_before'), notAfter: r.u64('lifetime.not_after') };
}

export function writeLifetime(w: ByteWriter, l: Lifetime): void {
  w.u64(l.notBefore).u64(l.notAfter);
}

function readSource(r: ByteReader): LeafNodeSourceData {
  const source = r.u8('leaf_node_source');
  switch (source) {
    case LeafNodeSource.key_package: return { kind: 'key_package', lifetime: readLifetime(r) };
    case LeafNodeSource.update: return { kind: 'update' };
    case LeafNodeSource.commit: return { kind: 'commit', parentHash: opaque(r, 'parent_hash') };
    default: throw new MlsError('invalid-leaf-node-source', `leaf_node_source ${source}`);
  }
}

function writeSource(w: ByteWriter, s: LeafNodeSourceData): void {
  w.u8(LeafNodeSource[s.kind]);
  if (s.kind === 'key_package') writeLifetime(w, s.lifetime);
  else if (s.kind === 'commit') writeOpaque(w, s.parentHash);
}

export function readLeafNode(r: ByteReader): LeafNode {
  return {
    encryptionKey: opaque(r, 'encryption_key'),
    signatureKey: opaque(r, 'signature_key'),
    credential: readCredential(r),
    capabilities: readCapabilities(r),
    source: readSource(r),
    extensions: readVector(r, 'leaf node extensions', readExtension),
    signature: opaque(r, 'leaf node signature'),
  };
}

/** Everything LeafNodeTBS and LeafNode share: the fields before the signature. */
function writeLeafNodeBody(w: ByteWriter, n: LeafNode): void {
  writeOpaque(w, n.encryptionKey);
  writeOpaque(w, n.signatureKey);
  writeCredential(w, n.credential);
  writeCapabilities(w, n.capabilities);
  writeSource(w, n.source);
  writeVector(w, n.extensions, writeExtension);
}

export function writeLeafNode(w: ByteWriter, n: LeafNode): void {
  writeLeafNodeBody(w, n);
  writeOpaque(w, n.signature);
}

/**
 * LeafNodeTBS (§7.2), the content of the leaf's SignWithLabel(., "LeafNodeTBS", .). A leaf from an
 * update or commit is bound to its group and position: `group` is required for those sources.
 */
export function encodeLeafNodeTbs(n: LeafNode, group?: { readonly groupId: Uint8Array; readonly leafIndex: number }): Uint8Array {
  return encode((w) => {
    writeLeafNodeBody(w, n);
    if (n.source.kind === 'key_package') return;
    if (group === undefined) throw new TypeError(`encodeLeafNodeTbs: a ${n.source.kind} leaf needs its group_id and leaf_index`);
    writeOpaque(w, group.groupId);
    w.u32(group.leafIndex);
  });
}

export const decodeLeafNode = (bytes: Uint8Array): LeafNode => decodeAll(bytes, 'LeafNode', readLeafNode);
export const encodeLeafNode = (n: LeafNode): Uint8Array => encodeWith(n, writeLeafNode);
export const decodeCapabilities = (bytes: Uint8Array): Capabilities => decodeAll(bytes, 'Capabilities', readCapabilities);
export const encodeCapabilities = (c: Capabilities): Uint8Array => encodeWith(c, writeCapabilities);
