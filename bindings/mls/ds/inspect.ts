// What the delivery service reads of the bytes it is given: a KeyPackage's public parts (to check
// its signatures and name its installation), a group message's public framing (group_id, epoch,
// content type) and that a Welcome is a Welcome. Nothing here needs a key: PublicMessage and
// PrivateMessage both carry group_id, epoch and content_type in the clear (RFC 9420 §6.2, §6.3).
//
// What the service cannot check, and does not pretend to: a PrivateMessage's sender and signature
// (encrypted), a PublicMessage's signature and membership tag (the sender's key and the membership
// key are in group state the service does not have), and whether a Commit is valid for the group.
// Members check all of that when they process the log.

import { DecodeError } from '../../codec/reader.js';
import type { CryptoProvider } from '../../provider/types.js';
import { cipherSuite, isSupportedSuite } from '../crypto/cipher-suite.js';
import { verifyWithLabel } from '../crypto/labels.js';
import { MlsError } from '../errors.js';
import { encodeKeyPackageTbs } from '../messages/key-package.js';
import { decodeMlsMessage, encodeMlsMessage } from '../messages/mls-message.js';
import { verifyLeafNodeSignature } from '../tree/validate.js';
import { decodeKeyPackageBytes } from '../group/key-package-secrets.js';
import { DeliveryError } from './errors.js';
import { MAX_EPOCH } from './store.js';
import { type MessageType, toHex } from './wire.js';

export interface CheckedKeyPackage {
  /** Hex of leaf_node.signature_key: the installation the KeyPackage belongs to. */
  readonly installation: string;
  /** The KeyPackage as an MLSMessage (wire format mls_key_package), as it is handed out. */
  readonly message: Uint8Array;
}

/**
 * A KeyPackage upload, authenticated by the KeyPackage itself (§10.1): protocol version mls10, a
 * supported suite, a key_package leaf whose lifetime includes `nowSeconds`, the leaf's signature
 * and the KeyPackage's signature both valid under leaf_node.signature_key, and init_key ≠
 * encryption_key. Only the holder of that signature key can make one, so the installation named
 * after the key cannot be filled by anyone else. DeliveryError 'invalid-key-package'.
 */
export function checkKeyPackage(bytes: Uint8Array, provider: CryptoProvider, nowSeconds: bigint): CheckedKeyPackage {
  let keyPackage;
  try {
    keyPackage = decodeKeyPackageBytes(bytes);
  } catch (e) {
    throw new DeliveryError('invalid-key-package', `the KeyPackage does not decode: ${(e as Error).message}`);
  }
  const refuse = (why: string): never => { throw new DeliveryError('invalid-key-package', why); };
  if (keyPackage.version !== 1) refuse(`protocol version ${keyPackage.version}, expected mls10 (1)`);
  if (!isSupportedSuite(keyPackage.cipherSuite)) refuse(`cipher suite ${keyPackage.cipherSuite} is not supported`);
  const suite = cipherSuite(keyPackage.cipherSuite, provider);
  const leaf = keyPackage.leafNode;
  if (leaf.source.kind !== 'key_package') refuse(`the leaf node's source is ${leaf.source.kind}, not key_package`);
  if (leaf.source.kind === 'key_package') {
    const { notBefore, notAfter } = leaf.source.lifetime;
    if (nowSeconds < notBefore || nowSeconds > notAfter) refuse(`its lifetime [${notBefore}, ${notAfter}] does not include now (${nowSeconds})`);
  }
  if (toHex(keyPackage.initKey) === toHex(leaf.encryptionKey)) refuse('init_key equals the leaf encryption_key');
  if (!verifyLeafNodeSignature(suite, leaf)) refuse('the leaf node signature does not verify');
  if (!verifyWithLabel(suite, leaf.signatureKey, 'KeyPackageTBS', encodeKeyPackageTbs(keyPackage), keyPackage.signature)) {
    refuse('the KeyPackage signature does not verify');
  }
  return { installation: toHex(leaf.signatureKey), message: encodeMlsMessage({ kind: 'mls_key_package', keyPackage }) };
}

export interface Framing {
  /** Hex of group_id. */
  readonly group: string;
  readonly epoch: bigint;
  readonly type: MessageType;
}

/** The public framing of a PublicMessage or PrivateMessage; DeliveryError 'invalid-message' for anything else. */
export function framingOf(bytes: Uint8Array): Framing {
  const message = decodeOrRefuse(bytes, 'invalid-message');
  let framing: Framing;
  if (message.kind === 'mls_public_message') {
    const c = message.publicMessage.content;
    framing = { group: toHex(c.groupId), epoch: c.epoch, type: c.body.kind };
  } else if (message.kind === 'mls_private_message') {
    const p = message.privateMessage;
    framing = { group: toHex(p.groupId), epoch: p.epoch, type: p.contentType };
  } else {
    throw new DeliveryError('invalid-message', `an MLSMessage of wire format ${message.kind} is not a group message`);
  }
  if (framing.group.length === 0) throw new DeliveryError('invalid-message', 'an empty group_id');
  if (framing.epoch > MAX_EPOCH) throw new DeliveryError('invalid-message', `epoch ${framing.epoch} is beyond what the service orders (2^53 − 2)`);
  return framing;
}

/** Checks that `bytes` is an MLSMessage of wire format mls_welcome; DeliveryError 'invalid-welcome'. */
export function checkWelcome(bytes: Uint8Array): void {
  const message = decodeOrRefuse(bytes, 'invalid-welcome');
  if (message.kind !== 'mls_welcome') throw new DeliveryError('invalid-welcome', `an MLSMessage of wire format ${message.kind}, not a Welcome`);
  if (message.welcome.secrets.length === 0) throw new DeliveryError('invalid-welcome', 'a Welcome for nobody');
}

function decodeOrRefuse(bytes: Uint8Array, code: 'invalid-message' | 'invalid-welcome') {
  try {
    return decodeMlsMessage(bytes);
  } catch (e) {
    if (e instanceof DecodeError || e instanceof MlsError) throw new DeliveryError(code, `the MLSMessage does not decode: ${e.message}`);
    throw e;
  }
}
