// PrivateMessage protection (RFC 9420 §6.3): content and its signature encrypted under the sender's
// ratchet key of the generation used (§6.3.1), and the sender data — who sent it, with which
// generation — encrypted under a key drawn from the epoch's sender_data_secret and a sample of the
// content ciphertext (§6.3.2).
//
//   content:     ciphertext = AEAD.Seal(key, nonce ⊕ (reuse_guard ‖ 0…), PrivateContentAAD, PrivateMessageContent)
//                  key, nonce = the secret tree's (leaf, handshake | application, generation)
//   sender data: encrypted_sender_data = AEAD.Seal(sender_data_key, sender_data_nonce, SenderDataAAD, SenderData)
//                  sender_data_key/nonce = ExpandWithLabel(sender_data_secret, "key"/"nonce", ciphertext[0..Nh-1], Nk/Nn)
//
// Each key is used once, so both AEADs are one-shot provider calls (aeadSeal / aeadOpen), and the
// sender data's key derivation and AEAD are one call (mlsSenderDataSeal / mlsSenderDataOpen): no
// AEAD object is made per message.
//
// The reuse guard is four fresh random bytes XORed into the first four bytes of the nonce, so that a
// sender that lost its ratchet state does not reuse a key/nonce pair (§6.3.1). The padding of
// PrivateMessageContent must be all zero bytes; the receiver checks it (§6.3.1).
//
// Receiving, in order: group and epoch; the sender data (decrypted, decoded); the sender's leaf must
// hold a member (§6.3.2: "identifies a non-blank node"); the generation must be receivable (the
// secret tree refuses a reused, expired or too-far one without changing anything); then the key is
// taken, the content decrypted, its padding checked and its signature verified. Everything refused
// before the key is taken leaves the secret tree exactly as it was. Both AEAD failures are the one
// MlsError 'decryption-failed'. No plaintext is returned or kept when anything fails: the decrypted
// buffers are zeroed on the way out.
//
// The generation is spent only once the message has authenticated: the key comes from
// SecretTree.keyForReceiveTentatively and is committed after the signature verifies, discarded on
// any failure. A network attacker who alters a member's ciphertext past its first Nh bytes (the
// sample, so the sender data still opens) thus cannot burn that member's generation: the genuine
// message, arriving later, still opens.

import { AuthenticationError } from '../../errors.js';
import { DecodeError } from '../../codec/reader.js';
import type { CipherSuite } from '../crypto/cipher-suite.js';
import { MlsError } from '../errors.js';
import type { GroupContext } from '../group-context.js';
import type { ContentTypeName } from '../messages/constants.js';
import type { FramedContent, PrivateMessage } from '../messages/framing.js';
import {
  type AuthenticatedContent, type SenderData, decodePrivateMessageContent, decodeSenderData, encodePrivateContentAad,
  encodePrivateMessageContent, encodeSenderData, encodeSenderDataAad,
} from '../messages/framing-inner.js';
import type { KeyNonce, RatchetType, SecretTree, TentativeKey } from '../secret-tree.js';
import { type AuthenticateParams, PRIVATE_MESSAGE, authenticateContent, checkGroupAndEpoch, requireValidSignature } from './content-auth.js';

export interface PrivateEncryptionParams {
  /** The epoch's secret tree (§9); the sender's ratchet moves on by one generation per message. */
  readonly secretTree: SecretTree;
  /** The epoch's sender_data_secret (§8). */
  readonly senderDataSecret: Uint8Array;
  /** Zero bytes appended to PrivateMessageContent to hide the content's length (default 0). */
  readonly paddingLength?: number;
}

export interface ProtectPrivateParams extends AuthenticateParams, PrivateEncryptionParams {
  /** Its sender must be a member (§6.3.2). */
  readonly content: FramedContent;
}

export interface UnprotectPrivateParams {
  readonly groupContext: GroupContext;
  readonly secretTree: SecretTree;
  readonly senderDataSecret: Uint8Array;
  /** The signature public key of the member at `leafIndex`, or undefined for a blank or absent leaf. */
  readonly signaturePublicKeyOf: (leafIndex: number) => Uint8Array | undefined;
}

const REUSE_GUARD_LENGTH = 4;

/** Proposals and commits use the handshake ratchet, application data the application ratchet (§9). */
function ratchetOf(type: ContentTypeName): RatchetType {
  return type === 'application' ? 'application' : 'handshake';
}

/** nonce ⊕ (reuse_guard ‖ 0…), in place (§6.3.1). */
function guardNonce(nonce: Uint8Array, reuseGuard: Uint8Array): void {
  for (let i = 0; i < REUSE_GUARD_LENGTH; i++) nonce[i] ^= reuseGuard[i]!;
}

function wipe(k: KeyNonce): void {
  k.key.fill(0);
  k.nonce.fill(0);
}

/** A key used once: sealed in one provider call, without an AEAD object. */
function seal(suite: CipherSuite, k: KeyNonce, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  return suite.provider.aeadSeal(suite.aead, k.key, k.nonce, plaintext, aad);
}

/** The plaintext, or MlsError 'decryption-failed' (whichever of the two AEADs it was). */
function decrypting(open: () => Uint8Array): Uint8Array {
  try {
    return open();
  } catch (e) {
    if (e instanceof AuthenticationError) throw new MlsError('decryption-failed', 'the PrivateMessage does not decrypt');
    throw e;
  }
}

/** A decoding failure of something that decrypted is MlsError 'malformed-message'; MlsErrors (invalid-padding…) pass. */
function decodeDecrypted<T>(what: string, decode: () => T): T {
  try {
    return decode();
  } catch (e) {
    if (e instanceof DecodeError) throw new MlsError('malformed-message', `the decrypted ${what} does not decode: ${e.message}`);
    throw e;
  }
}

/**
 * The key and nonce of the sender's generation, taken tentatively: the generation is spent by
 * commit() once the message is accepted, and given back by discard() (see the header).
 */
function takeReceiveKey(tree: SecretTree, senderData: SenderData, type: RatchetType): TentativeKey {
  return tree.keyForReceiveTentatively(senderData.leafIndex, type, senderData.generation);
}

/** Encrypts signed content as a PrivateMessage (§6.3.1, §6.3.2), using the sender's next generation. */
export function toPrivateMessage(suite: CipherSuite, params: PrivateEncryptionParams, authenticated: AuthenticatedContent): PrivateMessage {
  const { content, auth } = authenticated;
  if (authenticated.wireFormat !== PRIVATE_MESSAGE) throw new TypeError(`content signed for wire format ${authenticated.wireFormat}, not mls_private_message`);
  if (content.sender.kind !== 'member') throw new TypeError(`a PrivateMessage is sent by a member, not a ${content.sender.kind} sender (RFC 9420 §6.3.2)`);
  const paddingLength = params.paddingLength ?? 0;
  if (!Number.isInteger(paddingLength) || paddingLength < 0) throw new RangeError(`paddingLength ${paddingLength} is not a non-negative integer`);

  const contentType = content.body.kind;
  const leafIndex = content.sender.leafIndex;
  // Everything that can fail without spending a generation comes first.
  const plaintext = encodePrivateMessageContent({ body: content.body, auth, paddingLength });
  const contentAad = encodePrivateContentAad(content.groupId, content.epoch, contentType, content.authenticatedData);
  const reuseGuard = suite.provider.randomBytes(REUSE_GUARD_LENGTH);

  let ciphertext: Uint8Array;
  let generation: number;
  try {
    const k = params.secretTree.keyForSend(leafIndex, ratchetOf(contentType));
    generation = k.generation;
    try {
      guardNonce(k.nonce, reuseGuard);
      ciphertext = seal(suite, k, plaintext, contentAad);
    } finally {
      wipe(k);
    }
  } finally {
    plaintext.fill(0);
  }

  // §6.3.2: key and nonce from sender_data_secret and the ciphertext's sample, then the seal: one provider call.
  const senderData = encodeSenderData({ leafIndex, generation, reuseGuard });
  let encryptedSenderData: Uint8Array;
  try {
    encryptedSenderData = suite.provider.mlsSenderDataSeal(
      suite.aead, params.senderDataSecret, ciphertext, senderData, encodeSenderDataAad(content.groupId, content.epoch, contentType));
  } finally {
    senderData.fill(0);
  }
  return { groupId: content.groupId, epoch: content.epoch, contentType, authenticatedData: content.authenticatedData, encryptedSenderData, ciphertext };
}

/** Signs `params.content` and encrypts it as a PrivateMessage (§6.1, §6.3). */
export function protectPrivate(suite: CipherSuite, params: ProtectPrivateParams): PrivateMessage {
  if (params.content.sender.kind !== 'member') {
    throw new TypeError(`a PrivateMessage is sent by a member, not a ${params.content.sender.kind} sender (RFC 9420 §6.3.2)`);
  }
  return toPrivateMessage(suite, params, authenticateContent(suite, params, PRIVATE_MESSAGE, params.content));
}

/** Decrypts and decodes the SenderData (§6.3.2); 'decryption-failed' or 'malformed-message'. */
function openSenderData(suite: CipherSuite, senderDataSecret: Uint8Array, message: PrivateMessage): SenderData {
  const aad = encodeSenderDataAad(message.groupId, message.epoch, message.contentType);
  const bytes = decrypting(() => suite.provider.mlsSenderDataOpen(suite.aead, senderDataSecret, message.ciphertext, message.encryptedSenderData, aad));
  try {
    return decodeDecrypted('SenderData', () => decodeSenderData(bytes));
  } finally {
    bytes.fill(0);
  }
}

/**
 * Decrypts and verifies a PrivateMessage of the epoch of `params.groupContext` and returns its
 * content as AuthenticatedContent. MlsError 'wrong-group', 'wrong-epoch', 'decryption-failed',
 * 'malformed-message', 'unknown-sender', 'invalid-padding', 'invalid-signature', or the secret
 * tree's 'generation-reused' / 'generation-expired' / 'generation-too-far' / 'leaf-out-of-range'.
 */
export function unprotectPrivate(suite: CipherSuite, params: UnprotectPrivateParams, message: PrivateMessage): AuthenticatedContent {
  const pending = unprotectPrivateDeferred(suite, params, message);
  pending.commit(); // authenticated: the generation is spent now (§9.2)
  return pending.authenticated;
}

/**
 * Authenticated content whose generation is not spent yet: commit() spends it, discard() gives it
 * back (the first of the two calls counts; the other is then a no-op). Settle it before any other
 * use of the secret tree's ratchet it came from.
 */
export interface PendingContent {
  readonly authenticated: AuthenticatedContent;
  commit(): void;
  discard(): void;
}

/**
 * unprotectPrivate, with the generation's spending left to the caller: for a receiver that accepts
 * the message only after further checks (a Commit: §12.4.2), so that a message refused by those
 * checks does not burn the sender's generation. Same errors as unprotectPrivate; on an error
 * nothing is spent.
 */
export function unprotectPrivateDeferred(suite: CipherSuite, params: UnprotectPrivateParams, message: PrivateMessage): PendingContent {
  checkGroupAndEpoch(message.groupId, message.epoch, params.groupContext);
  const senderData = openSenderData(suite, params.senderDataSecret, message);
  const publicKey = params.signaturePublicKeyOf(senderData.leafIndex);
  if (publicKey === undefined) throw new MlsError('unknown-sender', `no member at leaf ${senderData.leafIndex}`);

  const contentType = message.contentType;
  const k = takeReceiveKey(params.secretTree, senderData, ratchetOf(contentType));
  let plaintext: Uint8Array;
  try {
    guardNonce(k.nonce, senderData.reuseGuard);
    const aad = encodePrivateContentAad(message.groupId, message.epoch, contentType, message.authenticatedData);
    plaintext = decrypting(() => suite.provider.aeadOpen(suite.aead, k.key, k.nonce, message.ciphertext, aad));
  } catch (e) {
    k.discard();
    throw e;
  } finally {
    wipe(k);
  }
  let authenticated: AuthenticatedContent;
  try {
    // The decoded fields are copies of the plaintext (the codecs copy every opaque), so it can be wiped.
    const { body, auth } = decodeDecrypted('PrivateMessageContent', () => decodePrivateMessageContent(plaintext, contentType));
    const content: FramedContent = {
      groupId: message.groupId,
      epoch: message.epoch,
      sender: { kind: 'member', leafIndex: senderData.leafIndex },
      authenticatedData: message.authenticatedData,
      body,
    };
    authenticated = { wireFormat: PRIVATE_MESSAGE, content, auth };
    requireValidSignature(suite, params.groupContext, authenticated, publicKey);
  } catch (e) {
    k.discard();
    throw e;
  } finally {
    plaintext.fill(0);
  }
  return { authenticated, commit: () => k.commit(), discard: () => k.discard() };
}
