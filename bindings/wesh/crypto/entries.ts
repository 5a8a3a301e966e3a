// Metadata-log entries (reference §7; weshnet store_metadata.go, events.go, events_sig_checkers.go,
// secretstore/chain_key.go).
//
//   GroupEnvelope{nonce = 24 random bytes, event = secretbox(GroupMetadata, nonce, key = group secret)}
//   GroupMetadata{event_type, payload = the event's bytes, sig, protocol_metadata = {}}
// sig is the sending device's Ed25519 signature over the payload bytes, except for
// InitialMemberAnnounced (302), which the group key signs.
//
// A device's chain key reaches each member as a secret entry:
//   GroupDeviceChainKeyAdded{device_pk, dest_member_pk,
//     payload = box(DeviceChainKey{chain_key, counter}, nonce = group_pk[0..24],
//                   to = mont(dest member key), from = mont(sender device key))}
// The nonce is fixed per group (reference §14 #6): a device must never box a different chain key
// to the same member under the same device key.

import { ctEqual } from '../../compare.js';
import { bytes } from '../../errors.js';
import type { CryptoProvider } from '../../provider/types.js';
import { WeshError } from '../errors.js';
import { decode, encode } from '../proto/codec.js';
import {
  DeviceChainKeySchema, EventType, GroupDeviceChainKeyAddedSchema, GroupEnvelopeSchema, GroupMemberDeviceAddedSchema,
  GroupMetadataSchema, ProtocolMetadataSchema,
} from '../proto/gen/protocoltypes_pb.js';
import { create } from '@bufbuild/protobuf';
import { type WeshSigner, peerKey, signerOf } from './keys.js';
import { openSealed, seal } from './seal.js';

/** The largest GroupEnvelope / GroupMetadata this layer decodes. */
export const MAX_METADATA_BYTES = 64 * 1024;

export interface SecretEntryInput {
  /** The sending device's Ed25519 secret key (seed, or seed ‖ public). */
  readonly senderDeviceSecret: Uint8Array;
  /** The receiving member's Ed25519 public key. */
  readonly destMemberPublic: Uint8Array;
  readonly groupPublicKey: Uint8Array;
  readonly chainKey: Uint8Array;
  readonly counter: bigint;
}

/** The GroupDeviceChainKeyAdded event carrying a device's chain key to one member. */
export function sealSecretEntry(provider: CryptoProvider, input: SecretEntryInput): { event: Uint8Array; payload: Uint8Array } {
  const devicePk = provider.signature('Ed25519').publicKey(input.senderDeviceSecret);
  const plaintext = encode(DeviceChainKeySchema, { chainKey: bytes(input.chainKey, 'wesh.sealSecretEntry', 'chainKey'), counter: input.counter });
  const payload = boxSeal(provider, input.senderDeviceSecret, peerKey(input.destMemberPublic, 'destMemberPublic'), chainKeyNonce(input.groupPublicKey), plaintext);
  plaintext.fill(0);
  const event = encode(GroupDeviceChainKeyAddedSchema, { devicePk, destMemberPk: input.destMemberPublic, payload });
  return { event, payload };
}

export interface SecretEntryOpenInput {
  /** Our member Ed25519 secret key. */
  readonly memberSecret: Uint8Array;
  /** The GroupDeviceChainKeyAdded event's bytes. */
  readonly event: Uint8Array;
  readonly groupPublicKey: Uint8Array;
}

/**
 * The chain key a device sent us. WeshError('unexpected-message') if the entry is for another
 * member, 'authentication-failed' if the box does not open, 'invalid-protobuf' / 'invalid-key' for
 * malformed contents.
 */
export function openSecretEntry(provider: CryptoProvider, input: SecretEntryOpenInput): { devicePublicKey: Uint8Array; chainKey: Uint8Array; counter: bigint } {
  const e = decode(GroupDeviceChainKeyAddedSchema, input.event, MAX_METADATA_BYTES);
  const devicePublicKey = peerKey(e.devicePk, 'GroupDeviceChainKeyAdded.device_pk');
  const ours = provider.signature('Ed25519').publicKey(input.memberSecret);
  if (!ctEqual(e.destMemberPk, ours)) throw new WeshError('unexpected-message', 'secret entry for another member');
  const plaintext = boxOpen(provider, input.memberSecret, devicePublicKey, chainKeyNonce(input.groupPublicKey), e.payload);
  try {
    const key = decode(DeviceChainKeySchema, plaintext);
    if (key.chainKey.length !== 32) throw new WeshError('invalid-key', 'DeviceChainKey.chain_key must be 32 bytes');
    return { devicePublicKey, chainKey: key.chainKey.slice(), counter: key.counter };
  } finally {
    plaintext.fill(0);
  }
}

function chainKeyNonce(groupPublicKey: Uint8Array): Uint8Array {
  return peerKey(groupPublicKey, 'groupPublicKey').slice(0, 24);
}

/** NaCl box.Seal with Ed25519 keys converted to X25519. */
function boxSeal(provider: CryptoProvider, senderEdSecret: Uint8Array, recipientEdPublic: Uint8Array, nonce: Uint8Array, message: Uint8Array): Uint8Array {
  const key = boxKey(provider, senderEdSecret, recipientEdPublic);
  try {
    return seal(provider, key, nonce, message);
  } finally {
    key.fill(0);
  }
}

function boxOpen(provider: CryptoProvider, recipientEdSecret: Uint8Array, senderEdPublic: Uint8Array, nonce: Uint8Array, boxed: Uint8Array): Uint8Array {
  const key = boxKey(provider, recipientEdSecret, senderEdPublic);
  try {
    return openSealed(provider, key, nonce, boxed, 'secret entry');
  } finally {
    key.fill(0);
  }
}

function boxKey(provider: CryptoProvider, edSecret: Uint8Array, edPublic: Uint8Array): Uint8Array {
  const sk = provider.ed25519ToX25519.secretKey(edSecret);
  try {
    return provider.boxBeforenm(sk, provider.ed25519ToX25519.publicKey(edPublic));
  } catch (err) {
    throw new WeshError('invalid-key', `unusable key in a box: ${(err as Error).message}`);
  } finally {
    sk.fill(0);
  }
}

/** GroupMemberDeviceAdded{member_pk, device_pk, member_sig = Sign_member(device_pk)}: the event bytes. */
export function memberDeviceAddedEvent(provider: CryptoProvider, memberSecret: Uint8Array, devicePublicKey: Uint8Array): Uint8Array {
  const sign = provider.signature('Ed25519');
  return encode(GroupMemberDeviceAddedSchema, {
    memberPk: sign.publicKey(memberSecret),
    devicePk: peerKey(devicePublicKey, 'devicePublicKey'),
    memberSig: sign.sign(memberSecret, devicePublicKey),
  });
}

/** A GroupMemberDeviceAdded event, checked: both keys 32 bytes and member_sig valid. */
export function openMemberDeviceAdded(provider: CryptoProvider, event: Uint8Array): { memberPublicKey: Uint8Array; devicePublicKey: Uint8Array } {
  const e = decode(GroupMemberDeviceAddedSchema, event, MAX_METADATA_BYTES);
  const memberPublicKey = peerKey(e.memberPk, 'GroupMemberDeviceAdded.member_pk');
  const devicePublicKey = peerKey(e.devicePk, 'GroupMemberDeviceAdded.device_pk');
  if (!provider.signature('Ed25519').verify(memberPublicKey, devicePublicKey, e.memberSig)) throw new WeshError('bad-signature', 'member_sig does not verify');
  return { memberPublicKey, devicePublicKey };
}

export interface GroupEnvelopeInput {
  readonly groupSecret: Uint8Array;
  readonly eventType: EventType;
  /** The event's protobuf bytes (GroupMetadata.payload). */
  readonly event: Uint8Array;
  /** The signer: the sending device's key (or prepared signer), or the group key for InitialMemberAnnounced. */
  readonly signer: Uint8Array | WeshSigner;
  /** The envelope nonce (24 bytes); random when absent. Fix it only in tests. */
  readonly nonce?: Uint8Array;
}

/** A GroupEnvelope around one signed metadata event: the envelope and the GroupMetadata inside it. */
export function sealGroupEnvelope(provider: CryptoProvider, input: GroupEnvelopeInput): { envelope: Uint8Array; metadata: Uint8Array } {
  const payload = bytes(input.event, 'wesh.sealGroupEnvelope', 'event');
  const metadata = encode(GroupMetadataSchema, {
    eventType: input.eventType,
    payload,
    sig: signerOf(provider, input.signer).sign(payload),
    protocolMetadata: create(ProtocolMetadataSchema),
  });
  const nonce = input.nonce ?? provider.randomBytes(24);
  const event = seal(provider, input.groupSecret, nonce, metadata);
  return { envelope: encode(GroupEnvelopeSchema, { nonce, event }), metadata };
}

/**
 * The event of a GroupEnvelope, opened with the group secret. The signature is NOT checked here:
 * whose key signs depends on the event (verifyGroupMetadata does it once the signer is known).
 * WeshError('authentication-failed') if the envelope does not open.
 */
export function openGroupEnvelope(provider: CryptoProvider, groupSecret: Uint8Array, envelope: Uint8Array): { eventType: EventType; payload: Uint8Array; sig: Uint8Array } {
  const env = decode(GroupEnvelopeSchema, envelope, MAX_METADATA_BYTES);
  if (env.nonce.length !== 24) throw new WeshError('invalid-protobuf', 'GroupEnvelope.nonce must be 24 bytes');
  const plaintext = openSealed(provider, groupSecret, env.nonce, env.event, 'group envelope');
  const m = decode(GroupMetadataSchema, plaintext, MAX_METADATA_BYTES);
  return { eventType: m.eventType, payload: m.payload, sig: m.sig };
}

/** True when `sig` is `signerPublicKey`'s signature over the event payload. */
export function verifyGroupMetadata(provider: CryptoProvider, signerPublicKey: Uint8Array, payload: Uint8Array, sig: Uint8Array): boolean {
  return provider.signature('Ed25519').verify(peerKey(signerPublicKey, 'signerPublicKey'), payload, sig);
}

