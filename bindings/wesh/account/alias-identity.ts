// Alias identity between accounts (crypto/alias.ts; reference §12, §14 #3–4): what an account puts
// in its contact groups and multi-member groups, and how it recognises its contacts' members.

import type { CryptoProvider } from '../../provider/types.js';
import { aliasDisclosure, verifyAliasDisclosure } from '../crypto/alias.js';
import type { WeshGroup } from '../group/group.js';
import { decode, encode } from '../proto/codec.js';
import { ContactAliasKeyAddedSchema, EventType, MultiMemberGroupAliasResolverAddedSchema } from '../proto/gen/protocoltypes_pb.js';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Tells a contact our alias key (ContactAliasKeyAdded), once per device and contact group. */
export async function sendAliasKey(provider: CryptoProvider, group: WeshGroup, devicePublicKey: Uint8Array, aliasSecret: Uint8Array): Promise<void> {
  if (group.events().some((e) => e.eventType === EventType.EventTypeContactAliasKeyAdded && same(e.signerPublicKey, devicePublicKey))) return;
  const aliasPk = provider.signature('Ed25519').publicKey(aliasSecret);
  await group.appendEvent(EventType.EventTypeContactAliasKeyAdded, encode(ContactAliasKeyAddedSchema, { devicePk: devicePublicKey, aliasPk }));
}

/** The alias key a contact sent in our contact group (signed by a device of its account), if any yet. */
export function contactAliasKey(group: WeshGroup, contactPublicKey: Uint8Array): Uint8Array | undefined {
  const theirDevices = new Set(group.members().get(hex(contactPublicKey)) ?? []);
  for (const e of group.events()) {
    if (e.eventType !== EventType.EventTypeContactAliasKeyAdded || !theirDevices.has(hex(e.signerPublicKey))) continue;
    const { aliasPk } = decode(ContactAliasKeyAddedSchema, e.payload);
    if (aliasPk.length === 32) return aliasPk;
  }
  return undefined;
}

/** Posts MultiMemberGroupAliasResolverAdded, so that our contacts recognise our member in `group`. */
export async function discloseIdentity(provider: CryptoProvider, group: WeshGroup, devicePublicKey: Uint8Array, aliasSecret: Uint8Array): Promise<void> {
  const { resolver, proof } = aliasDisclosure(provider, aliasSecret, group.info.publicKey);
  await group.appendEvent(EventType.EventTypeMultiMemberGroupAliasResolverAdded, encode(MultiMemberGroupAliasResolverAddedSchema, {
    devicePk: devicePublicKey, aliasResolver: resolver, aliasProof: proof,
  }));
}

/** Members that disclosed themselves and whose alias key is one of `aliases`: member key (hex) → contact account key. */
export function identifyMembers(provider: CryptoProvider, group: WeshGroup, aliases: readonly (readonly [Uint8Array, Uint8Array])[]): Map<string, Uint8Array> {
  const memberOf = new Map<string, string>();
  for (const [member, devices] of group.members()) for (const d of devices) memberOf.set(d, member);
  const found = new Map<string, Uint8Array>();
  for (const e of group.events()) {
    if (e.eventType !== EventType.EventTypeMultiMemberGroupAliasResolverAdded) continue;
    const member = memberOf.get(hex(e.signerPublicKey));
    if (!member) continue;
    const { aliasResolver, aliasProof } = decode(MultiMemberGroupAliasResolverAddedSchema, e.payload);
    for (const [contact, aliasPk] of aliases) {
      if (verifyAliasDisclosure(provider, aliasPk, group.info.publicKey, aliasResolver, aliasProof)) found.set(member, contact);
    }
  }
  return found;
}
