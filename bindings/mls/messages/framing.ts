// Message framing (RFC 9420 §6):
//
//   struct { SenderType sender_type;
//            select (sender_type) { case member: uint32 leaf_index; case external: uint32 sender_index;
//                                   case new_member_commit: case new_member_proposal: struct{}; }; } Sender;
//   struct { opaque group_id<V>; uint64 epoch; Sender sender; opaque authenticated_data<V>;
//            ContentType content_type;
//            select (content_type) { case application: opaque application_data<V>;
//                                    case proposal: Proposal proposal; case commit: Commit commit; }; } FramedContent;
//   struct { opaque signature<V>;
//            select (content_type) { case commit: MAC confirmation_tag; default: struct{}; }; } FramedContentAuthData;  §6.1
//   struct { FramedContent content; FramedContentAuthData auth;
//            select (sender_type) { case member: MAC membership_tag; default: struct{}; }; } PublicMessage;  §6.2
//   struct { opaque group_id<V>; uint64 epoch; ContentType content_type; opaque authenticated_data<V>;
//            opaque encrypted_sender_data<V>; opaque ciphertext<V>; } PrivateMessage;  §6.3
//
// MAC is opaque<V>. SenderType and ContentType are closed uint8 enums: another value leaves the rest
// unframeable and is MlsError 'invalid-sender-type' / 'invalid-content-type'. The structs that are
// only signed, MACed or encrypted (FramedContentTBS, AuthenticatedContent, PrivateMessageContent,
// SenderData) are in framing-inner.ts.

import type { ByteReader } from '../../codec/reader.js';
import { writeOpaque } from '../../codec/tls.js';
import type { ByteWriter } from '../../codec/writer.js';
import { MlsError } from '../errors.js';
import { decodeAll, encodeWith, opaque } from './codec.js';
import { type Commit, readCommit, writeCommit } from './commit.js';
import { ContentType, type ContentTypeName, ProtocolVersion, SenderType, WireFormat, nameOf } from './constants.js';
import { ExactWriter, opaqueLength } from '../framing/exact-writer.js';
import { type Proposal, readProposal, writeProposal } from './proposal.js';

export type Sender =
  | { readonly kind: 'member'; readonly leafIndex: number }
  /** Index into the group's external_senders extension. */
  | { readonly kind: 'external'; readonly senderIndex: number }
  | { readonly kind: 'new_member_proposal' }
  | { readonly kind: 'new_member_commit' };

/** content_type and the field it selects (of FramedContent, and of PrivateMessageContent). */
export type FramedContentBody =
  | { readonly kind: 'application'; readonly applicationData: Uint8Array }
  | { readonly kind: 'proposal'; readonly proposal: Proposal }
  | { readonly kind: 'commit'; readonly commit: Commit };

export interface FramedContent {
  readonly groupId: Uint8Array;
  readonly epoch: bigint;
  readonly sender: Sender;
  readonly authenticatedData: Uint8Array;
  readonly body: FramedContentBody;
}

export interface FramedContentAuthData {
  readonly signature: Uint8Array;
  /** Present exactly when the content is a commit. */
  readonly confirmationTag?: Uint8Array;
}

export interface PublicMessage {
  readonly content: FramedContent;
  readonly auth: FramedContentAuthData;
  /** Present exactly when the sender is a member. */
  readonly membershipTag?: Uint8Array;
}

export interface PrivateMessage {
  readonly groupId: Uint8Array;
  readonly epoch: bigint;
  readonly contentType: ContentTypeName;
  readonly authenticatedData: Uint8Array;
  readonly encryptedSenderData: Uint8Array;
  readonly ciphertext: Uint8Array;
}

export function readSender(r: ByteReader): Sender {
  const type = r.u8('sender_type');
  switch (type) {
    case SenderType.member: return { kind: 'member', leafIndex: r.u32('leaf_index') };
    case SenderType.external: return { kind: 'external', senderIndex: r.u32('sender_index') };
    case SenderType.new_member_proposal: return { kind: 'new_member_proposal' };
    case SenderType.new_member_commit: return { kind: 'new_member_commit' };
    default: throw new MlsError('invalid-sender-type', `sender_type ${type}`);
  }
}

export function writeSender(w: ByteWriter, s: Sender): void {
  w.u8(SenderType[s.kind]);
  if (s.kind === 'member') w.u32(s.leafIndex);
  else if (s.kind === 'external') w.u32(s.senderIndex);
}

export function readContentType(r: ByteReader): ContentTypeName {
  const type = r.u8('content_type');
  const name = nameOf(ContentType, type);
  if (name === undefined) throw new MlsError('invalid-content-type', `content_type ${type}`);
  return name;
}

/** The body selected by `type` (the content_type read before it). */
export function readFramedContentBody(r: ByteReader, type: ContentTypeName): FramedContentBody {
  switch (type) {
    case 'application': return { kind: 'application', applicationData: opaque(r, 'application_data') };
    case 'proposal': return { kind: 'proposal', proposal: readProposal(r) };
    case 'commit': return { kind: 'commit', commit: readCommit(r) };
  }
}

/** The body without its content_type. */
export function writeFramedContentBody(w: ByteWriter, b: FramedContentBody): void {
  if (b.kind === 'application') writeOpaque(w, b.applicationData);
  else if (b.kind === 'proposal') writeProposal(w, b.proposal);
  else writeCommit(w, b.commit);
}

export function readFramedContent(r: ByteReader): FramedContent {
  const groupId = opaque(r, 'group_id');
  const epoch = r.u64('epoch');
  const sender = readSender(r);
  const authenticatedData = opaque(r, 'authenticated_data');
  const body = readFramedContentBody(r, readContentType(r));
  return { groupId, epoch, sender, authenticatedData, body };
}

export function writeFramedContent(w: ByteWriter, c: FramedContent): void {
  writeOpaque(w, c.groupId);
  w.u64(c.epoch);
  writeSender(w, c.sender);
  writeOpaque(w, c.authenticatedData);
  w.u8(ContentType[c.body.kind]);
  writeFramedContentBody(w, c.body);
}

export function readFramedContentAuthData(r: ByteReader, type: ContentTypeName): FramedContentAuthData {
  const signature = opaque(r, 'signature');
  return type === 'commit' ? { signature, confirmationTag: opaque(r, 'confirmation_tag') } : { signature };
}

export function writeFramedContentAuthData(w: ByteWriter, a: FramedContentAuthData, type: ContentTypeName): void {
  if ((type === 'commit') !== (a.confirmationTag !== undefined)) {
    throw new TypeError(`writeFramedContentAuthData: confirmation_tag goes with commit content, not ${type}`);
  }
  writeOpaque(w, a.signature);
  if (a.confirmationTag !== undefined) writeOpaque(w, a.confirmationTag);
}

export function readPublicMessage(r: ByteReader): PublicMessage {
  const content = readFramedContent(r);
  const auth = readFramedContentAuthData(r, content.body.kind);
  if (content.sender.kind !== 'member') return { content, auth };
  return { content, auth, membershipTag: opaque(r, 'membership_tag') };
}

export function writePublicMessage(w: ByteWriter, m: PublicMessage): void {
  if ((m.content.sender.kind === 'member') !== (m.membershipTag !== undefined)) {
    throw new TypeError(`writePublicMessage: membership_tag goes with a member sender, not ${m.content.sender.kind}`);
  }
  writeFramedContent(w, m.content);
  writeFramedContentAuthData(w, m.auth, m.content.body.kind);
  if (m.membershipTag !== undefined) writeOpaque(w, m.membershipTag);
}

export function readPrivateMessage(r: ByteReader): PrivateMessage {
  return {
    groupId: opaque(r, 'group_id'),
    epoch: r.u64('epoch'),
    contentType: readContentType(r),
    authenticatedData: opaque(r, 'authenticated_data'),
    encryptedSenderData: opaque(r, 'encrypted_sender_data'),
    ciphertext: opaque(r, 'ciphertext'),
  };
}

export function writePrivateMessage(w: ByteWriter, m: PrivateMessage): void {
  writeOpaque(w, m.groupId);
  w.u64(m.epoch).u8(ContentType[m.contentType]);
  writeOpaque(w, m.authenticatedData);
  writeOpaque(w, m.encryptedSenderData);
  writeOpaque(w, m.ciphertext);
}

export const decodeFramedContent = (bytes: Uint8Array): FramedContent => decodeAll(bytes, 'FramedContent', readFramedContent);
export const encodeFramedContent = (c: FramedContent): Uint8Array => encodeWith(c, writeFramedContent);
export const decodePublicMessage = (bytes: Uint8Array): PublicMessage => decodeAll(bytes, 'PublicMessage', readPublicMessage);
export const encodePublicMessage = (m: PublicMessage): Uint8Array => encodeWith(m, writePublicMessage);
export const decodePrivateMessage = (bytes: Uint8Array): PrivateMessage => decodeAll(bytes, 'PrivateMessage', readPrivateMessage);
export const encodePrivateMessage = (m: PrivateMessage): Uint8Array => encodeWith(m, writePrivateMessage);

/**
 * The MLSMessage (§6) carrying `m`: version mls10, wire_format mls_private_message, then the
 * PrivateMessage — the same bytes as encodeMlsMessage, written into a buffer of the exact size
 * (every application message sent is one).
 */
export function encodeMlsPrivateMessage(m: PrivateMessage): Uint8Array {
  const size = 4 + opaqueLength(m.groupId.length) + 9 + opaqueLength(m.authenticatedData.length)
    + opaqueLength(m.encryptedSenderData.length) + opaqueLength(m.ciphertext.length);
  const w = new ExactWriter(size).u16(ProtocolVersion.mls10).u16(WireFormat.mls_private_message);
  w.opaque(m.groupId).u64(m.epoch).u8(ContentType[m.contentType]).opaque(m.authenticatedData);
  return w.opaque(m.encryptedSenderData).opaque(m.ciphertext).finish();
}
