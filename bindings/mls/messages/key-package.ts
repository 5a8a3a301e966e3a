// KeyPackage (RFC 9420 §10):
//
//   struct { ProtocolVersion version; CipherSuite cipher_suite; HPKEPublicKey init_key;
//            LeafNode leaf_node; Extension extensions<V>; opaque signature<V>; } KeyPackage;
//   KeyPackageTBS: the same without the signature.
//
// version and cipher_suite are kept as read (checking them is §10.1 validation, not decoding).

import type { ByteReader } from '../../codec/reader.js';
import { encode, readVector, writeOpaque, writeVector } from '../../codec/tls.js';
import type { ByteWriter } from '../../codec/writer.js';
import { type Extension, readExtension, writeExtension } from '../group-context.js';
import { decodeAll, encodeWith, opaque } from './codec.js';
import { type LeafNode, readLeafNode, writeLeafNode } from './leaf-node.js';

export interface KeyPackage {
  readonly version: number;
  readonly cipherSuite: number;
  readonly initKey: Uint8Array;
  readonly leafNode: LeafNode;
  readonly extensions: readonly Extension[];
  readonly signature: Uint8Array;
}

export function readKeyPackage(r: ByteReader): KeyPackage {
  return {
    version: r.u16('key package version'),
    cipherSuite: r.u16('key package cipher_suite'),
    initKey: opaque(r, 'init_key'),
    leafNode: readLeafNode(r),
    extensions: readVector(r, 'key package extensions', readExtension),
    signature: opaque(r, 'key package signature'),
  };
}

function writeKeyPackageTbs(w: ByteWriter, k: KeyPackage): void {
  w.u16(k.version).u16(k.cipherSuite);
  writeOpaque(w, k.initKey);
  writeLeafNode(w, k.leafNode);
  writeVector(w, k.extensions, writeExtension);
}

export function writeKeyPackage(w: ByteWriter, k: KeyPackage): void {
  writeKeyPackageTbs(w, k);
  writeOpaque(w, k.signature);
}

/** KeyPackageTBS (§10), the content of SignWithLabel(., "KeyPackageTBS", .). */
export const encodeKeyPackageTbs = (k: KeyPackage): Uint8Array => encode((w) => writeKeyPackageTbs(w, k));
export const decodeKeyPackage = (bytes: Uint8Array): KeyPackage => decodeAll(bytes, 'KeyPackage', readKeyPackage);
export const encodeKeyPackage = (k: KeyPackage): Uint8Array => encodeWith(k, writeKeyPackage);
