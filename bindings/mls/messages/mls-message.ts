// MLSMessage, the envelope of everything MLS sends (RFC 9420 §6, wire formats §17.2):
//
//   struct { ProtocolVersion version = mls10; WireFormat wire_format;
//            select (wire_format) { case mls_public_message: PublicMessage public_message;
//              case mls_private_message: PrivateMessage private_message; case mls_welcome: Welcome welcome;
//              case mls_group_info: GroupInfo group_info; case mls_key_package: KeyPackage key_package; }; } MLSMessage;
//
// A version other than mls10 is MlsError 'unsupported-version'; a wire format outside the five
// (private-use ones included: their body has no framing) is MlsError 'unsupported-wire-format'.

import type { ByteReader } from '../../codec/reader.js';
import type { ByteWriter } from '../../codec/writer.js';
import { MlsError } from '../errors.js';
import { decodeAll, encodeWith } from './codec.js';
import { ProtocolVersion, WireFormat, type WireFormatName, nameOf } from './constants.js';
import { type PrivateMessage, type PublicMessage, readPrivateMessage, readPublicMessage, writePrivateMessage, writePublicMessage } from './framing.js';
import { type GroupInfo, readGroupInfo, writeGroupInfo } from './group-info.js';
import { type KeyPackage, readKeyPackage, writeKeyPackage } from './key-package.js';
import { type Welcome, readWelcome, writeWelcome } from './welcome.js';

export type MlsMessage =
  | { readonly kind: 'mls_public_message'; readonly publicMessage: PublicMessage }
  | { readonly kind: 'mls_private_message'; readonly privateMessage: PrivateMessage }
  | { readonly kind: 'mls_welcome'; readonly welcome: Welcome }
  | { readonly kind: 'mls_group_info'; readonly groupInfo: GroupInfo }
  | { readonly kind: 'mls_key_package'; readonly keyPackage: KeyPackage };

export function readMlsMessage(r: ByteReader): MlsMessage {
  const version = r.u16('version');
  if (version !== ProtocolVersion.mls10) throw new MlsError('unsupported-version', `protocol version ${version}, expected mls10 (1)`);
  const code = r.u16('wire_format');
  const kind: WireFormatName | undefined = nameOf(WireFormat, code);
  switch (kind) {
    case 'mls_public_message': return { kind, publicMessage: readPublicMessage(r) };
    case 'mls_private_message': return { kind, privateMessage: readPrivateMessage(r) };
    case 'mls_welcome': return { kind, welcome: readWelcome(r) };
    case 'mls_group_info': return { kind, groupInfo: readGroupInfo(r) };
    case 'mls_key_package': return { kind, keyPackage: readKeyPackage(r) };
    case undefined: throw new MlsError('unsupported-wire-format', `wire_format ${code}`);
  }
}

export function writeMlsMessage(w: ByteWriter, m: MlsMessage): void {
  w.u16(ProtocolVersion.mls10).u16(WireFormat[m.kind]);
  switch (m.kind) {
    case 'mls_public_message': return writePublicMessage(w, m.publicMessage);
    case 'mls_private_message': return writePrivateMessage(w, m.privateMessage);
    case 'mls_welcome': return writeWelcome(w, m.welcome);
    case 'mls_group_info': return writeGroupInfo(w, m.groupInfo);
    case 'mls_key_package': return writeKeyPackage(w, m.keyPackage);
  }
}

export const decodeMlsMessage = (bytes: Uint8Array): MlsMessage => decodeAll(bytes, 'MLSMessage', readMlsMessage);
export const encodeMlsMessage = (m: MlsMessage): Uint8Array => encodeWith(m, writeMlsMessage);
