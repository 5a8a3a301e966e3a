// Message envelopes and out-of-store (push) envelopes (reference §9; weshnet
// secret_store_messages.go sealPayload / sealEnvelope, secret_store.go).
//
//   EncryptedMessage{plaintext, protocol_metadata = {}}
//   MessageHeaders{counter, device_pk, sig = Sign_device(EncryptedMessage bytes), metadata}
//   MessageEnvelope{message_headers = secretbox(MessageHeaders, nonce, key = group secret),
//                   message = secretbox(EncryptedMessage, uint64_be(counter) ‖ 0^16, key = message key),
//                   nonce = 24 random bytes}
// The headers say which device and counter, so which message key; the device's signature covers the
// EncryptedMessage bytes, and is checked after the message opens, before anything is returned.

import { create } from '@bufbuild/protobuf';
import { bytes } from '../../errors.js';
import type { CryptoProvider } from '../../provider/types.js';
import { verifyCached } from '../../provider/verifier-cache.js';
import { WeshError } from '../errors.js';
import { decode, encode } from '../proto/codec.js';
import {
  EncryptedMessageSchema, MessageEnvelopeSchema, MessageHeadersSchema, OutOfStoreMessageEnvelopeSchema, OutOfStoreMessageSchema,
  ProtocolMetadataSchema,
} from '../proto/gen/protocoltypes_pb.js';
import { type WeshSigner, peerKey, signerOf } from './keys.js';
import { openSealed, seal } from './seal.js';

/** The largest MessageEnvelope this layer decodes. */
export const MAX_ENVELOPE_BYTES = 4 * 1024 * 1024;

export function payloadNonce(counter: bigint): Uint8Array {
  const nonce = new Uint8Array(24);
  new DataView(nonce.buffer).setBigUint64(0, BigInt.asUintN(64, counter));
  return nonce;
}

export interface MessageSealInput {
  readonly groupSecret: Uint8Array;
  /** The message key of `counter` (from the device's chain). */
  readonly messageKey: Uint8Array;
  readonly counter: bigint;
  /** The sending device: its Ed25519 secret key, or a prepared signer (prepareSigner; faster for many messages). */
  readonly device: Uint8Array | WeshSigner;
  readonly plaintext: Uint8Array;
  /** MessageHeaders.metadata (written in key order). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** The headers nonce (24 bytes); random when absent. Fix it only in tests. */
  readonly nonce?: Uint8Array;
}

export interface SealedMessage {
  readonly envelope: Uint8Array;
  readonly encryptedMessage: Uint8Array;
  readonly headers: Uint8Array;
  readonly sig: Uint8Array;
}

export function sealMessageEnvelope(provider: CryptoProvider, input: MessageSealInput): SealedMessage {
  const device = signerOf(provider, input.device);
  const encryptedMessage = encode(EncryptedMessageSchema, {
    plaintext: bytes(input.plaintext, 'wesh.sealMessageEnvelope', 'plaintext'),
    protocolMetadata: create(ProtocolMetadataSchema),
  });
  const sig = device.sign(encryptedMessage);
  const metadata = Object.fromEntries(Object.entries(input.metadata ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const headers = encode(MessageHeadersSchema, { counter: input.counter, devicePk: device.publicKey, sig, metadata });
  const nonce = input.nonce ?? provider.randomBytes(24);
  const envelope = encode(MessageEnvelopeSchema, {
    messageHeaders: seal(provider, input.groupSecret, nonce, headers),
    message: seal(provider, input.messageKey, payloadNonce(input.counter), encryptedMessage),
    nonce,
  });
  return { envelope, encryptedMessage, headers, sig };
}

export interface MessageHeaders {
  readonly counter: bigint;
  readonly devicePublicKey: Uint8Array;
  readonly sig: Uint8Array;
  readonly metadata: Readonly<Record<string, string>>;
}

/** The headers of an envelope (opened with the group secret), and the sealed message they describe. */
export function openMessageHeaders(provider: CryptoProvider, groupSecret: Uint8Array, envelope: Uint8Array): { headers: MessageHeaders; message: Uint8Array; nonce: Uint8Array } {
  const env = decode(MessageEnvelopeSchema, envelope, MAX_ENVELOPE_BYTES);
  if (env.nonce.length !== 24) throw new WeshError('invalid-protobuf', 'MessageEnvelope.nonce must be 24 bytes');
  const h = decode(MessageHeadersSchema, openSealed(provider, groupSecret, env.nonce, env.messageHeaders, 'message headers'));
  const headers = { counter: h.counter, devicePublicKey: peerKey(h.devicePk, 'MessageHeaders.device_pk'), sig: h.sig, metadata: h.metadata };
  return { headers, message: env.message, nonce: env.nonce };
}

/** The EncryptedMessage bytes inside a sealed message (its signature not yet checked). */
export function openPayload(provider: CryptoProvider, headers: MessageHeaders, message: Uint8Array, messageKey: Uint8Array): Uint8Array {
  return openSealed(provider, messageKey, payloadNonce(headers.counter), message, 'message');
}

/** The plaintext of EncryptedMessage bytes whose signature has been checked. */
export function plaintextOf(encryptedMessage: Uint8Array): Uint8Array {
  return decode(EncryptedMessageSchema, encryptedMessage).plaintext;
}

/**
 * The plaintext of a sealed message, given its headers and the message key of (device, counter).
 * WeshError('authentication-failed') if it does not open, 'bad-signature' if the device's signature
 * over the EncryptedMessage fails; no plaintext in either case.
 */
export function openMessage(provider: CryptoProvider, headers: MessageHeaders, message: Uint8Array, messageKey: Uint8Array): Uint8Array {
  const encryptedMessage = openPayload(provider, headers, message, messageKey);
  // A device signs every message it sends with one key: checked through a prepared key (verifier-cache.ts).
  if (!verifyCached(provider.signature('Ed25519'), headers.devicePublicKey, encryptedMessage, headers.sig)) {
    encryptedMessage.fill(0);
    throw new WeshError('bad-signature', 'the device signature over the message does not verify');
  }
  return plaintextOf(encryptedMessage);
}

export type OpenedMessage = { readonly plaintext: Uint8Array; readonly headers: MessageHeaders } | { readonly error: WeshError };

/**
 * Many envelopes at once, as a device receives them from its group's log: each is opened as by
 * openMessageEnvelope, and the device signatures of all of them are checked in one batch (Ed25519
 * batch verification, about twice as fast per signature). One result per envelope, in order: a
 * plaintext, or the WeshError that refused it (the others are unaffected). A messageKeyFor that
 * throws a WeshError refuses that envelope only.
 */
export function openMessageEnvelopes(
  provider: CryptoProvider,
  groupSecret: Uint8Array,
  envelopes: readonly Uint8Array[],
  messageKeyFor: (devicePublicKey: Uint8Array, counter: bigint) => Uint8Array,
): OpenedMessage[] {
  const results: OpenedMessage[] = [];
  const pending: { index: number; headers: MessageHeaders; encryptedMessage: Uint8Array }[] = [];
  envelopes.forEach((envelope, index) => {
    try {
      const { headers, message } = openMessageHeaders(provider, groupSecret, envelope);
      const encryptedMessage = openPayload(provider, headers, message, messageKeyFor(headers.devicePublicKey, headers.counter));
      pending.push({ index, headers, encryptedMessage });
    } catch (err) {
      if (!(err instanceof WeshError)) throw err;
      results[index] = { error: err };
    }
  });
  const verdicts = provider.signature('Ed25519').verifyBatch(pending.map((p) => ({ publicKey: p.headers.devicePublicKey, message: p.encryptedMessage, signature: p.headers.sig })));
  pending.forEach((p, i) => {
    if (!verdicts[i]) {
      p.encryptedMessage.fill(0);
      results[p.index] = { error: new WeshError('bad-signature', 'the device signature over the message does not verify') };
      return;
    }
    try {
      results[p.index] = { plaintext: plaintextOf(p.encryptedMessage), headers: p.headers };
    } catch (err) {
      if (!(err instanceof WeshError)) throw err;
      results[p.index] = { error: err };
    }
  });
  return results;
}

/** Both steps at once, the message key looked up by (device, counter). */
export function openMessageEnvelope(
  provider: CryptoProvider,
  groupSecret: Uint8Array,
  envelope: Uint8Array,
  messageKeyFor: (devicePublicKey: Uint8Array, counter: bigint) => Uint8Array,
): { plaintext: Uint8Array; headers: MessageHeaders } {
  const { headers, message } = openMessageHeaders(provider, groupSecret, envelope);
  return { plaintext: openMessage(provider, headers, message, messageKeyFor(headers.devicePublicKey, headers.counter)), headers };
}

// ---- out of store (push notifications) ---------------------------------------------------------

export interface OutOfStoreInput {
  readonly groupSecret: Uint8Array;
  /** The CID of the message's log entry. */
  readonly cid: Uint8Array;
  /** The MessageEnvelope that entry carries. */
  readonly envelope: Uint8Array;
  /** The envelope's headers (from sealMessageEnvelope or openMessageHeaders). */
  readonly headers: MessageHeaders;
  /** groupReference() of (device, counter). */
  readonly groupReference: Uint8Array;
  readonly flags?: number;
  readonly nonce?: Uint8Array;
}

/** OutOfStoreMessageEnvelope{nonce, box = secretbox(OutOfStoreMessage, nonce, group secret), group_reference}. */
export function sealOutOfStoreEnvelope(provider: CryptoProvider, input: OutOfStoreInput): Uint8Array {
  const env = decode(MessageEnvelopeSchema, input.envelope, MAX_ENVELOPE_BYTES);
  const message = encode(OutOfStoreMessageSchema, {
    cid: input.cid,
    devicePk: input.headers.devicePublicKey,
    counter: input.headers.counter,
    sig: input.headers.sig,
    flags: input.flags ?? 0,
    encryptedPayload: env.message,
    nonce: env.nonce,
  });
  const nonce = input.nonce ?? provider.randomBytes(24);
  return encode(OutOfStoreMessageEnvelopeSchema, { nonce, box: seal(provider, input.groupSecret, nonce, message), groupReference: input.groupReference });
}

/** The group reference of an out-of-store envelope: what a receiver looks up before it knows the group. */
export function outOfStoreReference(envelope: Uint8Array): Uint8Array {
  return decode(OutOfStoreMessageEnvelopeSchema, envelope, MAX_ENVELOPE_BYTES).groupReference;
}

/** Opens an out-of-store envelope with the group secret its reference led to. */
export function openOutOfStoreEnvelope(provider: CryptoProvider, groupSecret: Uint8Array, envelope: Uint8Array) {
  const env = decode(OutOfStoreMessageEnvelopeSchema, envelope, MAX_ENVELOPE_BYTES);
  if (env.nonce.length !== 24) throw new WeshError('invalid-protobuf', 'OutOfStoreMessageEnvelope.nonce must be 24 bytes');
  const m = decode(OutOfStoreMessageSchema, openSealed(provider, groupSecret, env.nonce, env.box, 'out-of-store envelope'));
  return {
    cid: m.cid,
    headers: { counter: m.counter, devicePublicKey: peerKey(m.devicePk, 'OutOfStoreMessage.device_pk'), sig: m.sig, metadata: {} } as MessageHeaders,
    message: m.encryptedPayload,
    flags: m.flags,
  };
}
