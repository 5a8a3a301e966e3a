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

import { type ByteReader, DecodeError } from '../../codec/reader.js';
import { encode } from '../../codec/tls.js';
import type { ByteWriter } from '../../codec/writer.js';
import { MlsError } from '../errors.js';
import { type GroupContext, groupContextBytes } from '../group-context.js';
import { ExactWriter, opaqueLength } from '../framing/exact-writer.js';
import { decodeAll, encodeWith } from './codec.js';
import { ContentType, type ContentTypeName, ProtocolVersion, SenderType } from './constants.js';
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
  return encodeSignContent(undefined, wireFormat, content, context);
}

/**
 * SignContent for FramedContentTBS (§5.1.2, §6.1): `labelPrefix` (opaque label<V>, see
 * signLabelPrefix) ‖ opaque content<V> = FramedContentTBS, in one buffer; with `labelPrefix`
 * undefined, the FramedContentTBS alone. Application content (every message of a conversation) is
 * written into a buffer of its exact size; a proposal or commit goes through the general writer.
 */
export function encodeSignContent(labelPrefix: Uint8Array | undefined, wireFormat: number, content: FramedContent, context?: GroupContext): Uint8Array {
  const needsContext = content.sender.kind === 'member' || content.sender.kind === 'new_member_commit';
  if (needsContext !== (context !== undefined)) {
    throw new TypeError(`encodeFramedContentTbs: the group context goes with member and new_member_commit senders, not ${content.sender.kind}`);
  }
  const contextBytes = context === undefined ? undefined : groupContextBytes(context);
  const body = content.body;
  if (body.kind !== 'application') {
    const tbs = encode((w) => {
      w.u16(ProtocolVersion.mls10).u16(wireFormat);
      writeFramedContent(w, content);
      if (contextBytes !== undefined) w.bytes(contextBytes);
    });
    if (labelPrefix === undefined) return tbs;
    const out = new ExactWriter(labelPrefix.length + opaqueLength(tbs.length));
    return out.bytes(labelPrefix).opaque(tbs).finish();
  }
  const sender = content.sender;
  const tbsLength = 4 + opaqueLength(content.groupId.length) + 8 + (sender.kind === 'member' || sender.kind === 'external' ? 5 : 1)
    + opaqueLength(content.authenticatedData.length) + 1 + opaqueLength(body.applicationData.length) + (contextBytes?.length ?? 0);
  const w = new ExactWriter(labelPrefix === undefined ? tbsLength : labelPrefix.length + opaqueLength(tbsLength));
  if (labelPrefix !== undefined) {
    w.bytes(labelPrefix).varint(tbsLength);
  }
  w.u16(ProtocolVersion.mls10).u16(wireFormat).opaque(content.groupId).u64(content.epoch).u8(SenderType[sender.kind]);
  if (sender.kind === 'member') w.u32(sender.leafIndex);
  else if (sender.kind === 'external') w.u32(sender.senderIndex);
  w.opaque(content.authenticatedData).u8(ContentType.application).opaque(body.applicationData);
  if (contextBytes !== undefined) w.bytes(contextBytes);
  return w.finish();
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
  const w = new ExactWriter(opaqueLength(groupId.length) + 9 + opaqueLength(authenticatedData.length));
  return w.opaque(groupId).u64(epoch).u8(ContentType[type]).opaque(authenticatedData).finish();
}

export function readSenderData(r: ByteReader): SenderData {
  return { leafIndex: r.u32('leaf_index'), generation: r.u32('generation'), reuseGuard: r.bytesOf(4, 'reuse_guard').slice() };
}

export function writeSenderData(w: ByteWriter, s: SenderData): void {
  if (s.reuseGuard.length !== 4) throw new RangeError(`writeSenderData: reuse_guard is ${s.reuseGuard.length} bytes, not 4`);
  w.u32(s.leafIndex).u32(s.generation).bytes(s.reuseGuard);
}

export function encodeSenderDataAad(groupId: Uint8Array, epoch: bigint, type: ContentTypeName): Uint8Array {
  return new ExactWriter(opaqueLength(groupId.length) + 9).opaque(groupId).u64(epoch).u8(ContentType[type]).finish();
}

export const decodeAuthenticatedContent = (bytes: Uint8Array): AuthenticatedContent =>
  decodeAll(bytes, 'AuthenticatedContent', readAuthenticatedContent);
export const encodeAuthenticatedContent = (a: AuthenticatedContent): Uint8Array => encodeWith(a, writeAuthenticatedContent);
export const decodePrivateMessageContent = (bytes: Uint8Array, type: ContentTypeName): PrivateMessageContent =>
  decodeAll(bytes, 'PrivateMessageContent', (r) => readPrivateMessageContent(r, type));

/** PrivateMessageContent; application content (the common case) is written into a buffer of its exact size. */
export function encodePrivateMessageContent(c: PrivateMessageContent): Uint8Array {
  const { body, auth, paddingLength } = c;
  if (body.kind !== 'application' || auth.confirmationTag !== undefined) return encodeWith(c, writePrivateMessageContent);
  const w = new ExactWriter(opaqueLength(body.applicationData.length) + opaqueLength(auth.signature.length) + paddingLength);
  w.opaque(body.applicationData).opaque(auth.signature);
  w.at += paddingLength; // zero padding: the buffer starts zeroed
  return w.finish();
}

/** uint32 leaf_index ‖ uint32 generation ‖ opaque reuse_guard[4]. */
const SENDER_DATA_LENGTH = 12;

/** SenderData is exactly 12 bytes: read in place (every received message decodes one). */
export function decodeSenderData(bytes: Uint8Array): SenderData {
  if (bytes.length !== SENDER_DATA_LENGTH) throw new DecodeError(`SenderData: ${bytes.length} bytes, expected ${SENDER_DATA_LENGTH}`);
  const u32 = (at: number) => ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
  return { leafIndex: u32(0), generation: u32(4), reuseGuard: bytes.slice(8, 12) };
}

export function encodeSenderData(s: SenderData): Uint8Array {
  if (s.reuseGuard.length !== 4) throw new RangeError(`writeSenderData: reuse_guard is ${s.reuseGuard.length} bytes, not 4`);
  return new ExactWriter(SENDER_DATA_LENGTH).u32(s.leafIndex).u32(s.generation).bytes(s.reuseGuard).finish();
}
