// GroupInfo (RFC 9420 §12.4.3):
//
//   struct { GroupContext group_context; Extension extensions<V>; MAC confirmation_tag;
//            uint32 signer; opaque signature<V>; } GroupInfo;
//   GroupInfoTBS: the same without the signature.
//
// MAC is opaque<V> (§6.1). GroupContext is group-context.ts's codec (it refuses a version other
// than mls10 with MlsError 'unsupported-version').

import type { ByteReader } from '../../codec/reader.js';
import { encode, readVector, writeOpaque, writeVector } from '../../codec/tls.js';
import type { ByteWriter } from '../../codec/writer.js';
import { type Extension, type GroupContext, encodeGroupContext, readExtension, readGroupContext, writeExtension } from '../group-context.js';
import { decodeAll, encodeWith, opaque } from './codec.js';

export interface GroupInfo {
  readonly groupContext: GroupContext;
  readonly extensions: readonly Extension[];
  readonly confirmationTag: Uint8Array;
  /** Leaf index of the member who signed. */
  readonly signer: number;
  readonly signature: Uint8Array;
}

export function readGroupInfo(r: ByteReader): GroupInfo {
  return {
    groupContext: readGroupContext(r),
    extensions: readVector(r, 'group info extensions', readExtension),
    confirmationTag: opaque(r, 'confirmation_tag'),
    signer: r.u32('signer'),
    signature: opaque(r, 'group info signature'),
  };
}

function writeGroupInfoTbs(w: ByteWriter, g: GroupInfo): void {
  w.bytes(encodeGroupContext(g.groupContext));
  writeVector(w, g.extensions, writeExtension);
  writeOpaque(w, g.confirmationTag);
  w.u32(g.signer);
}

export function writeGroupInfo(w: ByteWriter, g: GroupInfo): void {
  writeGroupInfoTbs(w, g);
  writeOpaque(w, g.signature);
}

/** GroupInfoTBS (§12.4.3), the content of SignWithLabel(., "GroupInfoTBS", .). */
export const encodeGroupInfoTbs = (g: GroupInfo): Uint8Array => encode((w) => writeGroupInfoTbs(w, g));
export const decodeGroupInfo = (bytes: Uint8Array): GroupInfo => decodeAll(bytes, 'GroupInfo', readGroupInfo);
export const encodeGroupInfo = (g: GroupInfo): Uint8Array => encodeWith(g, writeGroupInfo);
