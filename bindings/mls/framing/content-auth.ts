// Content authentication (RFC 9420 §6.1) and the membership tag (§6.2), shared by the two wire
// formats:
//
//   signature      = SignWithLabel(signature_key, "FramedContentTBS", FramedContentTBS)        §6.1
//   membership_tag = MAC(membership_key, AuthenticatedContentTBM)                             §6.2
//     struct { FramedContentTBS content_tbs; FramedContentAuthData auth; } AuthenticatedContentTBM;
//
// FramedContentTBS carries the wire format, so a signature made for a PublicMessage does not verify
// inside a PrivateMessage and the other way round; it carries the GroupContext for member and
// new_member_commit senders (encodeFramedContentTbs). The confirmation tag of a commit (§6.1, §8.2)
// is not checked here: it needs the next epoch's confirmation_key, which only the commit's
// processing (§12.4.2) derives.
//
// Every refusal of a peer's message is an MlsError whose `code` is one of FramingErrorCode; misuse
// by the caller (a content that does not belong to the group context it is protected under, a
// missing confirmation tag on a commit…) is a TypeError or RangeError.

import { encode } from '../../codec/tls.js';
import { ctEqual } from '../../compare.js';
import type { CipherSuite } from '../crypto/cipher-suite.js';
import type { SigningKey } from '../crypto/labels.js';
import { signLabelPrefix, signLabelled, verifyLabelled, verifyWithLabel } from '../crypto/labels.js';
import { MlsError } from '../errors.js';
import type { GroupContext } from '../group-context.js';
import { WireFormat } from '../messages/constants.js';
import { type FramedContent, type FramedContentAuthData, writeFramedContentAuthData } from '../messages/framing.js';
import { type AuthenticatedContent, encodeFramedContentTbs, encodeSignContent } from '../messages/framing-inner.js';

/**
 * The MlsError codes of message protection:
 * - 'wrong-group', 'wrong-epoch': the message names another group or epoch than the GroupContext given;
 * - 'unknown-sender': no signature key for the sender (a blank or absent leaf, §6.3.2; a non-member
 *   sender nobody resolves);
 * - 'invalid-membership-tag' (§6.2), 'invalid-signature' (§6.1);
 * - 'decryption-failed': either AEAD open of a PrivateMessage failed (sender data or content) — one
 *   code on purpose, so that a forger learns nothing about which part was wrong;
 * - 'invalid-padding' (§6.3.1: padding not all zero), 'malformed-message' (the decrypted SenderData or
 *   PrivateMessageContent does not decode);
 * - 'application-in-public-message': application data is only ever sent as a PrivateMessage (§6);
 * - from the secret tree, unchanged: 'generation-reused', 'generation-expired', 'generation-too-far',
 *   'leaf-out-of-range', 'secret-tree-disposed'.
 */
export type FramingErrorCode =
  | 'wrong-group'
  | 'wrong-epoch'
  | 'unknown-sender'
  | 'invalid-membership-tag'
  | 'invalid-signature'
  | 'decryption-failed'
  | 'invalid-padding'
  | 'malformed-message'
  | 'application-in-public-message';

const FRAMED_CONTENT_TBS = 'FramedContentTBS';
const FRAMED_CONTENT_TBS_PREFIX = signLabelPrefix(FRAMED_CONTENT_TBS);

/** What a confirmation tag is computed from (§8.2's ConfirmedTranscriptHashInput): the content as signed. */
export interface SignedContent {
  readonly wireFormat: number;
  readonly content: FramedContent;
  readonly signature: Uint8Array;
}

/**
 * A commit's confirmation_tag: the bytes, or a function computing them from the signed content
 * (the confirmed transcript hash covers the signature, §8.2, so the tag exists only after signing).
 */
export type ConfirmationTagSource = Uint8Array | ((signed: SignedContent) => Uint8Array);

export interface AuthenticateParams {
  readonly groupContext: GroupContext;
  /** The sender's signature private key (Ed25519 seed, or the P-256 scalar). */
  readonly signatureKey: SigningKey;
  /** Required exactly when the content is a commit. */
  readonly confirmationTag?: ConfirmationTagSource;
}

/** Whether `sender` signs over the GroupContext (§6.1: member and new_member_commit do). */
function signsContext(content: FramedContent): boolean {
  return content.sender.kind === 'member' || content.sender.kind === 'new_member_commit';
}

/** FramedContentTBS of `content` sent as `wireFormat`, with the context where the sender type takes one. */
export function framedContentTbs(wireFormat: number, content: FramedContent, groupContext: GroupContext): Uint8Array {
  return encodeFramedContentTbs(wireFormat, content, signsContext(content) ? groupContext : undefined);
}

/** SignContent for the FramedContentTBS of `content` (§5.1.2, §6.1), encoded in one buffer. */
function signContent(wireFormat: number, content: FramedContent, groupContext: GroupContext): Uint8Array {
  return encodeSignContent(FRAMED_CONTENT_TBS_PREFIX, wireFormat, content, signsContext(content) ? groupContext : undefined);
}

/** Refuses, as a programmer error, content that does not belong to the group context it is protected under. */
export function checkContentMatchesContext(content: FramedContent, groupContext: GroupContext): void {
  if (!ctEqual(content.groupId, groupContext.groupId)) throw new TypeError('the content\'s group_id is not the group context\'s');
  if (content.epoch !== groupContext.epoch) {
    throw new TypeError(`the content's epoch ${content.epoch} is not the group context's (${groupContext.epoch})`);
  }
}

/**
 * Signs `content` for `wireFormat` (§6.1) and, for a commit, attaches its confirmation tag: the
 * AuthenticatedContent both wire formats are made from.
 */
export function authenticateContent(suite: CipherSuite, params: AuthenticateParams, wireFormat: number, content: FramedContent): AuthenticatedContent {
  checkContentMatchesContext(content, params.groupContext);
  const isCommit = content.body.kind === 'commit';
  if (isCommit !== (params.confirmationTag !== undefined)) {
    throw new TypeError(`a confirmation tag goes with commit content, not ${content.body.kind}`);
  }
  const signature = signLabelled(suite, params.signatureKey, signContent(wireFormat, content, params.groupContext));
  const source = params.confirmationTag;
  const auth: FramedContentAuthData = source === undefined
    ? { signature }
    : { signature, confirmationTag: typeof source === 'function' ? source({ wireFormat, content, signature }) : source };
  return { wireFormat, content, auth };
}

/**
 * Whether the signature of `authenticated` verifies under `publicKey` (§6.1). A member signs every
 * message it sends with the same key, so the key is prepared once (verifyWithLabel's repeatedKey).
 */
export function verifyContentSignature(
  suite: CipherSuite, groupContext: GroupContext, authenticated: AuthenticatedContent, publicKey: Uint8Array, tbs?: Uint8Array,
): boolean {
  const { signature } = authenticated.auth;
  if (tbs !== undefined) return verifyWithLabel(suite, publicKey, FRAMED_CONTENT_TBS, tbs, signature, true);
  return verifyLabelled(suite, publicKey, signContent(authenticated.wireFormat, authenticated.content, groupContext), signature, true);
}

/** membership_tag = MAC(membership_key, AuthenticatedContentTBM) (§6.2), for a PublicMessage. */
export function membershipTag(
  suite: CipherSuite, membershipKey: Uint8Array, groupContext: GroupContext, authenticated: AuthenticatedContent,
  tbs = framedContentTbs(authenticated.wireFormat, authenticated.content, groupContext),
): Uint8Array {
  const tbm = encode((w) => {
    w.bytes(tbs);
    writeFramedContentAuthData(w, authenticated.auth, authenticated.content.body.kind);
  });
  return suite.provider.hmac('SHA-256', membershipKey, tbm);
}

/** 'wrong-group' / 'wrong-epoch' for a message that is not of the group and epoch of `groupContext`. */
export function checkGroupAndEpoch(groupId: Uint8Array, epoch: bigint, groupContext: GroupContext): void {
  if (!ctEqual(groupId, groupContext.groupId)) throw new MlsError('wrong-group', 'the message is for another group');
  if (epoch !== groupContext.epoch) {
    throw new MlsError('wrong-epoch', `the message is of epoch ${epoch}; the group context is of epoch ${groupContext.epoch}`);
  }
}

/** The signature check of an unprotected message: 'invalid-signature' if it does not verify. */
export function requireValidSignature(
  suite: CipherSuite, groupContext: GroupContext, authenticated: AuthenticatedContent, publicKey: Uint8Array, tbs?: Uint8Array,
): void {
  if (!verifyContentSignature(suite, groupContext, authenticated, publicKey, tbs)) {
    throw new MlsError('invalid-signature', 'the FramedContentTBS signature does not verify');
  }
}

export const PUBLIC_MESSAGE = WireFormat.mls_public_message;
export const PRIVATE_MESSAGE = WireFormat.mls_private_message;
