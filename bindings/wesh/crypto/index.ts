// wesh.crypto: Wesh's cryptography as pure functions over bytes, every random input injectable, so
// that a known answer can be checked from outside the protocol machinery. weshCrypto(provider)
// binds them to a crypto provider; `crypto` (the namespace's default) is bound to the wasm engine.

import type { CryptoProvider } from '../../provider/types.js';
import * as hs from '../handshake/messages.js';
import * as alias from './alias.js';
import * as entries from './entries.js';
import * as groups from './groups.js';
import * as keys from './keys.js';
import * as messages from './messages.js';
import * as ratchet from './ratchet.js';
import * as rendezvous from './rendezvous.js';

type Bound<F> = F extends (provider: CryptoProvider, ...args: infer A) => infer R ? (...args: A) => R : never;
const bind = <F extends (provider: CryptoProvider, ...args: never[]) => unknown>(p: CryptoProvider, f: F) => ((...args: never[]) => f(p, ...args)) as Bound<F>;

export function weshCrypto(provider: CryptoProvider) {
  return Object.freeze({
    provider,
    marshalPublicKey: keys.marshalPublicKey,
    unmarshalPublicKey: keys.unmarshalPublicKey,
    prepareSigner: bind(provider, keys.prepareSigner),
    rendezvousPoint: bind(provider, rendezvous.rendezvousPoint),
    activeRendezvousPoints: bind(provider, rendezvous.activePoints),
    periodStart: rendezvous.periodStart,
    contactRequestTopic: rendezvous.contactRequestTopic,
    contactGroup: bind(provider, groups.contactGroup),
    accountGroup: bind(provider, groups.accountGroup),
    createMultiMemberGroup: bind(provider, groups.createMultiMemberGroup),
    openGroup: bind(provider, groups.openGroup),
    memberKeyForGroup: bind(provider, groups.memberKeyForGroup),
    groupDerivedKeys: bind(provider, groups.groupDerivedKeys),
    groupReference: bind(provider, groups.groupReference),
    aliasResolver: bind(provider, alias.aliasResolver),
    aliasDisclosure: bind(provider, alias.aliasDisclosure),
    verifyAliasDisclosure: bind(provider, alias.verifyAliasDisclosure),
    ratchetStep: bind(provider, ratchet.ratchetStep),
    ratchet: bind(provider, ratchet.ratchet),
    sealSecretEntry: bind(provider, entries.sealSecretEntry),
    openSecretEntry: bind(provider, entries.openSecretEntry),
    memberDeviceAddedEvent: bind(provider, entries.memberDeviceAddedEvent),
    openMemberDeviceAdded: bind(provider, entries.openMemberDeviceAdded),
    sealGroupEnvelope: bind(provider, entries.sealGroupEnvelope),
    openGroupEnvelope: bind(provider, entries.openGroupEnvelope),
    verifyGroupMetadata: bind(provider, entries.verifyGroupMetadata),
    sealMessageEnvelope: bind(provider, messages.sealMessageEnvelope),
    openMessageHeaders: bind(provider, messages.openMessageHeaders),
    openMessage: bind(provider, messages.openMessage),
    openMessageEnvelope: bind(provider, messages.openMessageEnvelope),
    openMessageEnvelopes: bind(provider, messages.openMessageEnvelopes),
    sealOutOfStoreEnvelope: bind(provider, messages.sealOutOfStoreEnvelope),
    openOutOfStoreEnvelope: bind(provider, messages.openOutOfStoreEnvelope),
    outOfStoreReference: messages.outOfStoreReference,
    handshake: Object.freeze({
      requesterHello: hs.requesterHello,
      verifyRequesterHello: hs.verifyRequesterHello,
      responderHello: hs.responderHello,
      verifyResponderHello: hs.verifyResponderHello,
      requesterAuthenticate: bind(provider, hs.requesterAuthenticate),
      verifyRequesterAuthenticate: bind(provider, hs.verifyRequesterAuthenticate),
      responderAccept: bind(provider, hs.responderAccept),
      verifyResponderAccept: bind(provider, hs.verifyResponderAccept),
      requesterAcknowledge: hs.requesterAcknowledge,
      verifyRequesterAcknowledge: hs.verifyRequesterAcknowledge,
    }),
  });
}

export type WeshCrypto = ReturnType<typeof weshCrypto>;
