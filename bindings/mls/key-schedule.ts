// The key schedule (RFC 9420 §8): from the previous epoch's init_secret, this epoch's commit_secret
// and psk_secret, and the new GroupContext, every secret of the epoch.
//
//   joiner_secret  = ExpandWithLabel(Extract(init_secret[n-1], commit_secret), "joiner", GroupContext[n], Nh)
//   member         = Extract(joiner_secret, psk_secret)              (salt = joiner_secret)
//   welcome_secret = DeriveSecret(member, "welcome")
//   epoch_secret   = ExpandWithLabel(member, "epoch", GroupContext[n], Nh)
//   then DeriveSecret(epoch_secret, label) for each secret of Table 4 (§8), and
//   init_secret[n] = DeriveSecret(epoch_secret, "init").
// MLS-Exporter (§8.5) = ExpandWithLabel(DeriveSecret(exporter_secret, label), "exported", Hash(context), L).
// external_pub (§8.3): the HPKE key pair DeriveKeyPair(external_secret).

import { deriveSecret, expandWithLabel, extract, hash } from './crypto/labels.js';
import type { CipherSuite } from './crypto/cipher-suite.js';

export interface EpochSecrets {
  readonly joinerSecret: Uint8Array;
  readonly welcomeSecret: Uint8Array;
  readonly epochSecret: Uint8Array;
  readonly senderDataSecret: Uint8Array;
  readonly encryptionSecret: Uint8Array;
  readonly exporterSecret: Uint8Array;
  readonly externalSecret: Uint8Array;
  readonly confirmationKey: Uint8Array;
  readonly membershipKey: Uint8Array;
  readonly resumptionPsk: Uint8Array;
  readonly epochAuthenticator: Uint8Array;
  readonly initSecret: Uint8Array;
}

/** The joiner secret of §8 (what a Welcome carries). */
export function joinerSecret(suite: CipherSuite, previousInit: Uint8Array, commitSecret: Uint8Array, groupContext: Uint8Array): Uint8Array {
  const prk = extract(suite, previousInit, commitSecret);
  try {
    return expandWithLabel(suite, prk, 'joiner', groupContext, suite.hashLength);
  } finally {
    prk.fill(0);
  }
}

/** Every secret of the epoch from the joiner secret (the path a member joining by Welcome takes). */
export function epochSecretsFromJoiner(suite: CipherSuite, joiner: Uint8Array, pskSecret: Uint8Array, groupContext: Uint8Array): EpochSecrets {
  const member = extract(suite, joiner, pskSecret);
  const welcomeSecret = deriveSecret(suite, member, 'welcome');
  const epochSecret = expandWithLabel(suite, member, 'epoch', groupContext, suite.hashLength);
  member.fill(0);
  const d = (label: string) => deriveSecret(suite, epochSecret, label);
  return {
    joinerSecret: joiner,
    welcomeSecret,
    epochSecret,
    senderDataSecret: d('sender data'),
    encryptionSecret: d('encryption'),
    exporterSecret: d('exporter'),
    externalSecret: d('external'),
    confirmationKey: d('confirm'),
    membershipKey: d('membership'),
    resumptionPsk: d('resumption'),
    epochAuthenticator: d('authentication'),
    initSecret: d('init'),
  };
}

/** The next epoch's secrets from the previous init_secret (a member processing a commit). */
export function nextEpochSecrets(suite: CipherSuite, previousInit: Uint8Array, commitSecret: Uint8Array, pskSecret: Uint8Array, groupContext: Uint8Array): EpochSecrets {
  return epochSecretsFromJoiner(suite, joinerSecret(suite, previousInit, commitSecret, groupContext), pskSecret, groupContext);
}

/** MLS-Exporter(label, context, length), §8.5 (the label may be any bytes). */
export function exportSecret(suite: CipherSuite, exporterSecret: Uint8Array, label: string | Uint8Array, context: Uint8Array, length: number): Uint8Array {
  const derived = expandWithLabel(suite, exporterSecret, label, new Uint8Array(0), suite.hashLength);
  try {
    return expandWithLabel(suite, derived, 'exported', hash(suite, context), length);
  } finally {
    derived.fill(0);
  }
}

/** The external HPKE key pair of the epoch (§8.3), whose public half goes in GroupInfo's external_pub. */
export function externalKeyPair(suite: CipherSuite, externalSecret: Uint8Array): { secretKey: Uint8Array; publicKey: Uint8Array } {
  return suite.hpke.deriveKeyPair(externalSecret);
}

/** Wipes every secret of an epoch (§9.2 deletion). */
export function wipeEpochSecrets(s: EpochSecrets): void {
  for (const v of Object.values(s)) (v as Uint8Array).fill(0);
}

