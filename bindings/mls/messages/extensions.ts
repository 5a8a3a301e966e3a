// The extension_data of the extensions RFC 9420 defines (§17.3); the ratchet_tree extension is
// ratchet-tree.ts. An Extension itself ({ type, data }, group-context.ts) keeps its data opaque,
// so unknown and GREASE extensions (§13.5) round-trip untouched; these decode a known one's data.
//
//   opaque application_id<V>;                                                             §5.3.3
//   struct { ExtensionType extension_types<V>; ProposalType proposal_types<V>;
//            CredentialType credential_types<V>; } RequiredCapabilities;                 §11.1
//   struct { HPKEPublicKey external_pub; } ExternalPub;                                  §12.4.3.2
//   struct { SignaturePublicKey signature_key; Credential credential; } ExternalSender;
//   ExternalSender external_senders<V>;                                                  §12.1.8.1

import type { ByteReader } from '../../codec/reader.js';
import { readVector, writeOpaque, writeVector } from '../../codec/tls.js';
import type { ByteWriter } from '../../codec/writer.js';
import { decodeAll, encodeWith, opaque, readU16List, writeU16List } from './codec.js';
import { type Credential, readCredential, writeCredential } from './credential.js';

export interface RequiredCapabilities {
  readonly extensionTypes: readonly number[];
  readonly proposalTypes: readonly number[];
  readonly credentialTypes: readonly number[];
}

export interface ExternalSender {
  readonly signatureKey: Uint8Array;
  readonly credential: Credential;
}

export function readRequiredCapabilities(r: ByteReader): RequiredCapabilities {
  return {
    extensionTypes: readU16List(r, 'extension_types'),
    proposalTypes: readU16List(r, 'proposal_types'),
    credentialTypes: readU16List(r, 'credential_types'),
  };
}

export function writeRequiredCapabilities(w: ByteWriter, c: RequiredCapabilities): void {
  writeU16List(w, c.extensionTypes);
  writeU16List(w, c.proposalTypes);
  writeU16List(w, c.credentialTypes);
}

export function readExternalSender(r: ByteReader): ExternalSender {
  return { signatureKey: opaque(r, 'signature_key'), credential: readCredential(r) };
}

export function writeExternalSender(w: ByteWriter, s: ExternalSender): void {
  writeOpaque(w, s.signatureKey);
  writeCredential(w, s.credential);
}

export const decodeApplicationId = (data: Uint8Array): Uint8Array => decodeAll(data, 'application_id', (r) => opaque(r, 'application_id'));
export const encodeApplicationId = (id: Uint8Array): Uint8Array => encodeWith(id, (w, v) => void writeOpaque(w, v));
export const decodeRequiredCapabilities = (data: Uint8Array): RequiredCapabilities =>
  decodeAll(data, 'required_capabilities', readRequiredCapabilities);
export const encodeRequiredCapabilities = (c: RequiredCapabilities): Uint8Array => encodeWith(c, writeRequiredCapabilities);
/** ExternalPub: the group's external HPKE public key. */
export const decodeExternalPub = (data: Uint8Array): Uint8Array => decodeAll(data, 'external_pub', (r) => opaque(r, 'external_pub'));
export const encodeExternalPub = (key: Uint8Array): Uint8Array => encodeWith(key, (w, v) => void writeOpaque(w, v));
export const decodeExternalSenders = (data: Uint8Array): ExternalSender[] =>
  decodeAll(data, 'external_senders', (r) => readVector(r, 'external_senders', readExternalSender));
export const encodeExternalSenders = (senders: readonly ExternalSender[]): Uint8Array =>
  encodeWith(senders, (w, v) => void writeVector(w, v, writeExternalSender));
