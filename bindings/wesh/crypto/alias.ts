// Alias identity (reference §12, §14 #3–4). In a multi-member group a member appears under a key
// derived for that group alone, so other members cannot tell who it is. A member may tell its
// contacts: it posts MultiMemberGroupAliasResolverAdded{device_pk, alias_resolver, alias_proof}, and a
// contact who knows its alias public key (sent in their contact group as ContactAliasKeyAdded)
// recognises the resolver and checks the proof. weshnet sends nil for both and, in
// ContactAliasKeyAdded, the account key instead of the alias key (bugs §14 #3–4); wirecrypt sends
// the alias key and, where weshnet leaves a TODO, uses (version 1 of this choice):
//   alias_resolver = HMAC-SHA256(key = alias public key, msg = group public key)
//   alias_proof    = Ed25519 signature by the alias key over alias_resolver
// Nil resolvers and proofs (weshnet's) are accepted and simply identify no one.

import { bytes } from '../../errors.js';
import type { CryptoProvider } from '../../provider/types.js';
import { peerKey } from './keys.js';

export function aliasResolver(provider: CryptoProvider, aliasPublicKey: Uint8Array, groupPublicKey: Uint8Array): Uint8Array {
  return provider.hmac('SHA-256', peerKey(aliasPublicKey, 'aliasPublicKey'), peerKey(groupPublicKey, 'groupPublicKey'));
}

/** The resolver and proof this account's alias key gives for a group. */
export function aliasDisclosure(provider: CryptoProvider, aliasSecret: Uint8Array, groupPublicKey: Uint8Array): { resolver: Uint8Array; proof: Uint8Array } {
  const sign = provider.signature('Ed25519');
  const resolver = aliasResolver(provider, sign.publicKey(bytes(aliasSecret, 'wesh.aliasDisclosure', 'aliasSecret')), groupPublicKey);
  return { resolver, proof: sign.sign(aliasSecret, resolver) };
}

/** Whether (resolver, proof) is the disclosure of the alias key `aliasPublicKey` in the group. */
export function verifyAliasDisclosure(provider: CryptoProvider, aliasPublicKey: Uint8Array, groupPublicKey: Uint8Array, resolver: Uint8Array, proof: Uint8Array): boolean {
  const expected = aliasResolver(provider, aliasPublicKey, groupPublicKey);
  if (resolver.length !== expected.length || !expected.every((b, i) => b === resolver[i])) return false;
  return provider.signature('Ed25519').verify(aliasPublicKey, resolver, proof);
}
