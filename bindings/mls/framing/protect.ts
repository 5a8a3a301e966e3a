// MLS message protection (RFC 9420 §6): turning FramedContent into a PublicMessage or a
// PrivateMessage and back. This module is the entry point; the pieces are
//   content-auth.ts     §6.1 signature over FramedContentTBS, §6.2 membership tag, shared checks
//   public-message.ts   §6.2 PublicMessage
//   private-message.ts  §6.3 PrivateMessage: content encryption (§6.3.1), sender data (§6.3.2)
//
// Sending:   protectPublic(suite, { groupContext, signatureKey, membershipKey, content, confirmationTag? })
//            protectPrivate(suite, { groupContext, signatureKey, secretTree, senderDataSecret, content, paddingLength?, confirmationTag? })
// Receiving: unprotectPublic(suite, { groupContext, membershipKey, signaturePublicKeyOf }, publicMessage)
//            unprotectPrivate(suite, { groupContext, secretTree, senderDataSecret, signaturePublicKeyOf }, privateMessage)
//            both → AuthenticatedContent, or MlsError with a FramingErrorCode (or a secret-tree code).
// Lower level, for the group layer: authenticateContent (sign once, e.g. to compute the commit's
// confirmation tag in between), then toPublicMessage / toPrivateMessage.

export {
  type AuthenticateParams, type ConfirmationTagSource, type FramingErrorCode, type SignedContent,
  authenticateContent, framedContentTbs, membershipTag, verifyContentSignature,
} from './content-auth.js';
export { type ProtectPublicParams, type UnprotectPublicParams, protectPublic, toPublicMessage, unprotectPublic } from './public-message.js';
export {
  type PendingContent, type PrivateEncryptionParams, type ProtectPrivateParams, type UnprotectPrivateParams, protectPrivate, toPrivateMessage,
  unprotectPrivate, unprotectPrivateDeferred,
} from './private-message.js';

import type { CipherSuite } from '../crypto/cipher-suite.js';
import type { AuthenticatedContent } from '../messages/framing-inner.js';
import type { MlsMessage } from '../messages/mls-message.js';
import { type UnprotectPublicParams, unprotectPublic } from './public-message.js';
import { type PendingContent, type UnprotectPrivateParams, unprotectPrivate, unprotectPrivateDeferred } from './private-message.js';

export type UnprotectParams = UnprotectPublicParams & UnprotectPrivateParams;

/**
 * Unprotects an MLSMessage carrying a PublicMessage or a PrivateMessage; any other wire format
 * (Welcome, GroupInfo, KeyPackage) is a TypeError: it is not framed content.
 */
export function unprotect(suite: CipherSuite, params: UnprotectParams, message: MlsMessage): AuthenticatedContent {
  switch (message.kind) {
    case 'mls_public_message': return unprotectPublic(suite, params, message.publicMessage);
    case 'mls_private_message': return unprotectPrivate(suite, params, message.privateMessage);
    default: throw new TypeError(`an MLSMessage of wire format ${message.kind} carries no framed content`);
  }
}

/**
 * unprotect, with a PrivateMessage's generation spent only by the returned commit() (discard()
 * gives it back); for a PublicMessage both are no-ops. For a receiver that accepts the content only
 * after further checks, e.g. a Commit's (§12.4.2).
 */
export function unprotectDeferred(suite: CipherSuite, params: UnprotectParams, message: MlsMessage): PendingContent {
  switch (message.kind) {
    case 'mls_public_message': {
      const authenticated = unprotectPublic(suite, params, message.publicMessage);
      return { authenticated, commit: () => {}, discard: () => {} };
    }
    case 'mls_private_message': return unprotectPrivateDeferred(suite, params, message.privateMessage);
    default: throw new TypeError(`an MLSMessage of wire format ${message.kind} carries no framed content`);
  }
}
