// PublicMessage protection (RFC 9420 §6.2): content signed (§6.1) and, for a member sender, MACed
// with the epoch's membership_key so that a non-member cannot pass off a message as a member's.
//
//   struct { FramedContent content; FramedContentAuthData auth;
//            select (sender_type) { case member: MAC membership_tag; default: struct{}; }; } PublicMessage;
//
// Receiving checks, in order: group and epoch, content type (never application), the sender's
// signature key, the membership tag (constant-time comparison), the signature. The confirmation
// tag of a commit is the commit processing's to check (it needs the next epoch's key).

import { ctEqual } from '../../compare.js';
import type { CipherSuite } from '../crypto/cipher-suite.js';
import { MlsError } from '../errors.js';
import type { GroupContext } from '../group-context.js';
import type { FramedContent, PublicMessage, Sender } from '../messages/framing.js';
import type { AuthenticatedContent } from '../messages/framing-inner.js';
import {
  type AuthenticateParams, PUBLIC_MESSAGE, authenticateContent, checkGroupAndEpoch, framedContentTbs, membershipTag, requireValidSignature,
} from './content-auth.js';

export interface ProtectPublicParams extends AuthenticateParams {
  /** The epoch's membership_key (§8); required for a member sender, unused for the others. */
  readonly membershipKey?: Uint8Array;
  readonly content: FramedContent;
}

export interface UnprotectPublicParams {
  readonly groupContext: GroupContext;
  /** The epoch's membership_key (§8). */
  readonly membershipKey: Uint8Array;
  /** The signature public key of the member at `leafIndex`, or undefined for a blank or absent leaf. */
  readonly signaturePublicKeyOf: (leafIndex: number) => Uint8Array | undefined;
  /**
   * The signature public key of a non-member sender (§6.1: an external sender's from the
   * external_senders extension, a new member's from its KeyPackage or its commit's path leaf).
   * Without it, messages from non-members are refused as 'unknown-sender'.
   */
  readonly nonMemberSignaturePublicKey?: (sender: Exclude<Sender, { kind: 'member' }>, content: FramedContent) => Uint8Array | undefined;
}

/** Wraps signed content into a PublicMessage, adding the membership tag for a member sender (§6.2). */
export function toPublicMessage(
  suite: CipherSuite,
  params: { readonly groupContext: GroupContext; readonly membershipKey?: Uint8Array },
  authenticated: AuthenticatedContent,
): PublicMessage {
  if (authenticated.wireFormat !== PUBLIC_MESSAGE) throw new TypeError(`content signed for wire format ${authenticated.wireFormat}, not mls_public_message`);
  const { content, auth } = authenticated;
  if (content.body.kind === 'application') throw new TypeError('application data is sent as a PrivateMessage (RFC 9420 §6), never as a PublicMessage');
  if (content.sender.kind !== 'member') return { content, auth };
  if (params.membershipKey === undefined) throw new TypeError('a member sender\'s PublicMessage needs the membership key');
  return { content, auth, membershipTag: membershipTag(suite, params.membershipKey, params.groupContext, authenticated) };
}

/** Signs `params.content` and frames it as a PublicMessage (§6.1, §6.2). */
export function protectPublic(suite: CipherSuite, params: ProtectPublicParams): PublicMessage {
  if (params.content.body.kind === 'application') throw new TypeError('application data is sent as a PrivateMessage (RFC 9420 §6), never as a PublicMessage');
  return toPublicMessage(suite, params, authenticateContent(suite, params, PUBLIC_MESSAGE, params.content));
}

/**
 * Verifies a PublicMessage of the epoch of `params.groupContext` and returns its content as
 * AuthenticatedContent; MlsError 'wrong-group', 'wrong-epoch', 'application-in-public-message',
 * 'unknown-sender', 'invalid-membership-tag' or 'invalid-signature' otherwise.
 */
export function unprotectPublic(suite: CipherSuite, params: UnprotectPublicParams, message: PublicMessage): AuthenticatedContent {
  const { content, auth } = message;
  checkGroupAndEpoch(content.groupId, content.epoch, params.groupContext);
  if (content.body.kind === 'application') {
    throw new MlsError('application-in-public-message', 'application data must come as a PrivateMessage (RFC 9420 §6)');
  }
  const sender = content.sender;
  const publicKey = sender.kind === 'member'
    ? params.signaturePublicKeyOf(sender.leafIndex)
    : params.nonMemberSignaturePublicKey?.(sender, content);
  if (publicKey === undefined) throw new MlsError('unknown-sender', `no signature key for the ${describe(sender)}`);

  const authenticated: AuthenticatedContent = { wireFormat: PUBLIC_MESSAGE, content, auth };
  const tbs = framedContentTbs(PUBLIC_MESSAGE, content, params.groupContext); // covered by the tag and the signature
  if (sender.kind === 'member') {
    // The decoder guarantees the tag's presence for a member sender; a hand-built message may lack it.
    const tag = message.membershipTag;
    const expected = membershipTag(suite, params.membershipKey, params.groupContext, authenticated, tbs);
    if (tag === undefined || !ctEqual(tag, expected)) throw new MlsError('invalid-membership-tag', 'the membership tag does not verify');
  } else if (message.membershipTag !== undefined) {
    throw new MlsError('invalid-membership-tag', `a ${sender.kind} sender's PublicMessage carries no membership tag`);
  }
  requireValidSignature(suite, params.groupContext, authenticated, publicKey, tbs);
  return authenticated;
}

function describe(sender: Sender): string {
  switch (sender.kind) {
    case 'member': return `member at leaf ${sender.leafIndex}`;
    case 'external': return `external sender ${sender.senderIndex}`;
    default: return `${sender.kind} sender`;
  }
}
