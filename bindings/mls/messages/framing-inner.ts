// The framing structs that are signed, MACed or encrypted rather than sent (RFC 9420 §6.1–§6.3.2):
//
//   struct { ProtocolVersion version = mls10; WireFormat wire_format; FramedContent content;
//            select (content.sender.sender_type) { case member: case new_member_commit: GroupContext context;
//                                                  default: struct{}; }; } FramedContentTBS;          §6.1
//   struct { WireFormat wire_format; FramedContent content; FramedContentAuthData auth; } AuthenticatedContent;  §6.1
//   struct { select (PrivateMessage.content_type) { … the FramedContent body … };
//            FramedContentAuthData auth; opaque padding[length_of_padding]; } PrivateMessageContent;     §6.3.1
//   struct { opaque group_id<V>; uint64 epoch; ContentType content_type; opaque authenticated_data<V>; } PrivateContentAAD;
//   struct { uint32 leaf_index; uint32 generation; opaque reuse_guard[4]; } SenderData;                 §6.3.2
//   struct { opaque group_id<V>; uint64 epoch; ContentType content_type; } SenderDataAAD;
//
// §6.3.1: the padding MUST be all zero bytes — anything else is MlsError 'invalid-padding'.

import type { ByteReader } from '../../codec/reader.js';
import { encode, writeOpaque } from '../../codec/tls.js';
import type { ByteWriter } from '../../codec/writer.js';
import { MlsError } from '../errors.js';
import { type GroupContext, encodeGroupContext } from '../group-context.js';
import { decodeAll, encodeWith } from './codec.js';
import { ContentType, type ContentTypeName, ProtocolVersion } from './constants.js';
import {
  type FramedContent, type FramedContentAuthData, type FramedContentBody, readFramedContent, readFramedContentAuthData,
  readFramedContentBody, writeFramedContent, writeFramedContentAuthData, writeFramedContentBody,
} from './framing.js';

export interface AuthenticatedContent {
  readonly wireFormat: number;
  readonly content: FramedContent;
  readonly auth: FramedContentAuthData;
}

export interface PrivateMessageContent {
  /** Its kind is the PrivateMessage's content_type. */
  readonly body: FramedContentBody;
  readonly auth: FramedContentAuthData;
  /** Number of zero bytes after auth. */
  readonly paddingLength: number;
}

export interface SenderData {
  readonly leafIndex: number;
  readonly generation: number;
  /** 4 bytes. */
  readonly reuseGuard: Uint8Array;
}

/** FramedContentTBS: `context` is required for a member or new_member_commit sender, refused otherwise. */
export function encodeFramedContentTbs(wireFormat: number, content: FramedContent, context?: GroupContext): Uint8Array {
  const needsContext = content.sender.kind === 'member' || content.sender.kind === 'new_member_commit';
  if (needsContext !== (context !== undefined)) {
    throw new TypeError(`encodeFramedContentTbs: the group context goes with member and new_member_commit senders, not ${content.sender.kind}`);
  }
  return encode((w) => {
    w.u16(ProtocolVersion.mls10).u16(wireFormat);
    writeFramedContent(w, content);
    if (context !== undefined) w.bytes(encodeGroupContext(context));
  });
}

export function readAuthenticatedContent(r: ByteReader): AuthenticatedContent {
  const wireFormat = r.u16('wire_format');
  const content = readFramedContent(r);
  return { wireFormat, content, auth: readFramedContentAuthData(r, content.body.kind) };
}

export function writeAuthenticatedContent(w: ByteWriter, a: AuthenticatedContent): void {
  w.u16(a.wireFormat);
  writeFramedContent(w, a.content);
  writeFramedContentAuthData(w, a.auth, a.content.body.kind);
}

/** PrivateMessageContent of the given content_type; it runs to the end of `r` (padding included). */
export function readPrivateMessageContent(r: ByteReader, type: ContentTypeName): PrivateMessageContent {
  const body = readFramedContentBody(r, type);
  const auth = readFramedContentAuthData(r, type);
  const padding = r.bytesOf(r.remaining, 'padding');
  if (padding.some((b) => b !== 0)) throw new MlsError('invalid-padding', 'PrivateMessageContent padding is not all zero');
  return { body, auth, paddingLength: padding.length };
}

export function writePrivateMessageContent(w: ByteWriter, c: PrivateMessageContent): void {
  writeFramedContentBody(w, c.body);
  writeFramedContentAuthData(w, c.auth, c.body.kind);
  w.bytes(new Uint8Array(c.paddingLength));
}

export function encodePrivateContentAad(groupId: Uint8Array, epoch: bigint, type: ContentTypeName, authenticatedData: Uint8Array): Uint8Array {
  return encode((w) => {
    writeOpaque(w, groupId);
    w.u64(epoch).u8(ContentType[type]);
    writeOpaque(w, authenticatedData);
  });
}

export function readSenderData(r: ByteReader): SenderData {
  return { leafIndex: r.u32('leaf_index'), generation: r.u32('generation'), reuseGuard: r.bytesOf(4, 'reuse_guard').slice() };
}

export function writeSenderData(w: ByteWriter, s: SenderData): void {
  if (s.reuseGuard.length !== 4) throw new RangeError(`writeSenderData: reuse_guard is ${s.reuseGuard.length} bytes, not 4`);
  w.u32(s.leafIndex).u32(s.generation).bytes(s.reuseGuard);
}

export function encodeSenderDataAad(groupId: Uint8Array, epoch: bigint, type: ContentTypeName): Uint8Array {
  return encode((w) => {
    writeOpaque(w, groupId);
    w.u64(epoch).u8(ContentType[type]);
  });
}

export const decodeAuthenticatedContent = (bytes: Uint8Array): AuthenticatedContent =>
  decodeAll(bytes, 'AuthenticatedContent', readAuthenticatedContent);
export const encodeAuthenticatedContent = (a: AuthenticatedContent): Uint8Array => encodeWith(a, writeAuthenticatedContent);
export const decodePrivateMessageContent = (bytes: Uint8Array, type: ContentTypeName): PrivateMessageContent =>
  decodeAll(bytes, 'PrivateMessageContent', (r) => readPrivateMessageContent(r, type));
export const encodePrivateMessageContent = (c: PrivateMessageContent): Uint8Array => encodeWith(c, writePrivateMessageContent);
export const decodeSenderData = (bytes: Uint8Array): SenderData => decodeAll(bytes, 'SenderData', readSenderData);
export const encodeSenderData = (s: SenderData): Uint8Array => encodeWith(s, writeSenderData);
