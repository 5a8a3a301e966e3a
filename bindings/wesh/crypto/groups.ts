// Groups and the keys derived from them (reference §3, §6, §9).
//
// A Group{public_key, secret, secret_sig, group_type, sign_pub, link_key, link_key_sig} is enough
// to join. Its secret is both the secretbox key of metadata events and message headers and the
// Ed25519 seed of the log-signing key every member shares (reference §6.4, §14 #5: kept, because
// the bytes depend on it; nothing new is derived from it except through HKDF with its own label).

import { bytes } from '../../errors.js';
import type { CryptoProvider } from '../../provider/types.js';
import { GroupSchema, GroupType } from '../proto/gen/protocoltypes_pb.js';
import { decode, encode } from '../proto/codec.js';
import { WeshError } from '../errors.js';
import { edwardsDh, keyPairFromSeed, peerKey } from './keys.js';

const EMPTY = new Uint8Array(0);
const utf8 = (s: string) => new TextEncoder().encode(s);

export interface ContactGroup {
  /** The Ed25519 seed of the group key (never on the wire; both contacts derive it). */
  readonly groupSeed: Uint8Array;
  /** Group.public_key. */
  readonly publicKey: Uint8Array;
  /** Group.secret. */
  readonly secret: Uint8Array;
  /** Group.sign_pub: the public key of the log-signing key whose seed is the secret. */
  readonly signingPublicKey: Uint8Array;
  /** The Group message (group_type = contact). */
  readonly group: Uint8Array;
}

/**
 * The contact group of two accounts (weshnet getKeysForGroupOfContact), the same from either side:
 *   s   = X25519(mont(our account key), mont(their account public key))
 *   IKM = s ‖ Ed25519 public key of seed s                        (libp2p's Raw() of that key)
 *   OKM = HKDF-SHA256(IKM, salt = none, info = none, 64)
 *   group seed = OKM[0..32] (→ public_key), secret = OKM[32..64]
 */
export function contactGroup(provider: CryptoProvider, ourAccountSecret: Uint8Array, theirAccountPublic: Uint8Array): ContactGroup {
  const s = edwardsDh(provider, ourAccountSecret, peerKey(theirAccountPublic, 'theirAccountPublic'));
  const { secretKey: ikm } = keyPairFromSeed(provider, s);
  const prk = provider.hkdfExtract('SHA-256', EMPTY, ikm);
  const okm = provider.hkdfExpand('SHA-256', prk, EMPTY, 64);
  s.fill(0);
  ikm.fill(0);
  prk.fill(0);
  const groupSeed = okm.slice(0, 32);
  const secret = okm.slice(32);
  okm.fill(0);
  const sign = provider.signature('Ed25519');
  const publicKey = sign.publicKey(groupSeed);
  const signingPublicKey = sign.publicKey(secret);
  const group = encode(GroupSchema, { publicKey, secret, groupType: GroupType.GroupTypeContact, signPub: signingPublicKey });
  return { groupSeed, publicKey, secret, signingPublicKey, group };
}

export interface GroupDerivedKeys {
  /** HKDF-SHA3-256(secret, info = public key)[0..32]: seeds group rendezvous points, seals entry links and heads. */
  readonly linkKey: Uint8Array;
  /** HKDF-SHA3-256(secret, info = "push_secret_ref")[0..32]: the root of out-of-store group references. */
  readonly outOfStoreSecret: Uint8Array;
}

export function groupDerivedKeys(provider: CryptoProvider, publicKey: Uint8Array, secret: Uint8Array): GroupDerivedKeys {
  return {
    linkKey: hkdfSha3(provider, bytes(secret, 'wesh.groupDerivedKeys', 'secret'), bytes(publicKey, 'wesh.groupDerivedKeys', 'publicKey')),
    outOfStoreSecret: hkdfSha3(provider, secret, utf8('push_secret_ref')),
  };
}

/**
 * The out-of-store (push) reference of one message: HKDF-SHA3-256(outOfStoreSecret, info =
 * device public key ‖ uint64_be(counter))[0..32]. A receiver maps it back to (group, device, counter).
 */
export function groupReference(provider: CryptoProvider, outOfStoreSecret: Uint8Array, devicePublicKey: Uint8Array, counter: bigint): Uint8Array {
  const info = new Uint8Array(bytes(devicePublicKey, 'wesh.groupReference', 'devicePublicKey').length + 8);
  info.set(devicePublicKey);
  new DataView(info.buffer).setBigUint64(devicePublicKey.length, BigInt.asUintN(64, counter));
  return hkdfSha3(provider, outOfStoreSecret, info);
}

/** HKDF-SHA3-256 with no salt (HashLen zero bytes), 32 bytes out. */
function hkdfSha3(provider: CryptoProvider, ikm: Uint8Array, info: Uint8Array): Uint8Array {
  const prk = provider.hkdfExtract('SHA3-256', EMPTY, ikm);
  try {
    return provider.hkdfExpand('SHA3-256', prk, info, 32);
  } finally {
    prk.fill(0);
  }
}

/**
 * A multi-member group member's key for one group (weshnet memberDeviceForGroup): the Ed25519 key
 * whose seed is X25519(mont(alias key), mont(group public key)). Deterministic, so two devices of
 * one account join a group as the same member without talking to each other first.
 */
export function memberKeyForGroup(provider: CryptoProvider, aliasSecret: Uint8Array, groupPublicKey: Uint8Array): { secretKey: Uint8Array; publicKey: Uint8Array } {
  const seed = edwardsDh(provider, aliasSecret, peerKey(groupPublicKey, 'groupPublicKey'));
  try {
    return keyPairFromSeed(provider, seed);
  } finally {
    seed.fill(0);
  }
}

export interface NewGroup {
  /** The Group message to share with invitees. */
  readonly group: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly secret: Uint8Array;
  /** The group key's secret half (seed ‖ public): the creator signs the initial member announcement with it. */
  readonly groupSecretKey: Uint8Array;
}

/**
 * A new multi-member group (weshnet NewGroupMultiMember): a random group key, a random signing seed
 * as the secret, secret_sig = Sign_group(secret), the link key and link_key_sig = Sign_group(link key).
 * `seeds` fixes the two random seeds (tests only).
 */
export function createMultiMemberGroup(provider: CryptoProvider, seeds?: { groupSeed: Uint8Array; secret: Uint8Array }): NewGroup {
  const groupKey = keyPairFromSeed(provider, seeds?.groupSeed ?? provider.randomBytes(32));
  const secret = seeds?.secret.slice() ?? provider.randomBytes(32);
  const sign = provider.signature('Ed25519');
  const { linkKey } = groupDerivedKeys(provider, groupKey.publicKey, secret);
  const group = encode(GroupSchema, {
    publicKey: groupKey.publicKey,
    secret,
    secretSig: sign.sign(groupKey.secretKey, secret),
    groupType: GroupType.GroupTypeMultiMember,
    signPub: sign.publicKey(secret),
    linkKey,
    linkKeySig: sign.sign(groupKey.secretKey, linkKey),
  });
  return { group, publicKey: groupKey.publicKey, secret, groupSecretKey: groupKey.secretKey };
}

/** The account group (weshnet GetGroupForAccount): public key = the account's, secret = the alias key's seed. */
export function accountGroup(provider: CryptoProvider, accountPublicKey: Uint8Array, aliasSecret: Uint8Array): Uint8Array {
  const secret = bytes(aliasSecret, 'wesh.accountGroup', 'aliasSecret').slice(0, 32);
  return encode(GroupSchema, {
    publicKey: peerKey(accountPublicKey, 'accountPublicKey'),
    secret,
    groupType: GroupType.GroupTypeAccount,
    signPub: provider.signature('Ed25519').publicKey(secret),
  });
}

export interface GroupInfo {
  readonly publicKey: Uint8Array;
  readonly secret: Uint8Array;
  readonly groupType: GroupType;
  readonly signingPublicKey: Uint8Array;
  readonly linkKey: Uint8Array;
}

/**
 * A received Group message, checked: a 32-byte public key and secret; for a multi-member group,
 * secret_sig (and link_key_sig, when a link key is given) verify under the public key (weshnet
 * Group.IsValid). sign_pub and the link key are derived when absent. WeshError otherwise.
 */
export function openGroup(provider: CryptoProvider, groupBytes: Uint8Array): GroupInfo {
  const g = decode(GroupSchema, groupBytes, 4096);
  const publicKey = peerKey(g.publicKey, 'Group.public_key');
  if (g.secret.length !== 32) throw new WeshError('invalid-key', 'Group.secret must be 32 bytes');
  const sign = provider.signature('Ed25519');
  if (g.groupType === GroupType.GroupTypeMultiMember) {
    if (!sign.verify(publicKey, g.secret, g.secretSig)) throw new WeshError('bad-signature', 'Group.secret_sig does not verify under the group key');
    if (g.linkKey.length > 0 && !sign.verify(publicKey, g.linkKey, g.linkKeySig)) throw new WeshError('bad-signature', 'Group.link_key_sig does not verify under the group key');
  }
  const signingPublicKey = sign.publicKey(g.secret);
  if (g.signPub.length > 0 && !equal(g.signPub, signingPublicKey)) throw new WeshError('invalid-key', 'Group.sign_pub is not the key of the group secret');
  if (g.linkKey.length !== 0 && g.linkKey.length !== 32) throw new WeshError('invalid-key', 'Group.link_key must be 32 bytes');
  const linkKey = g.linkKey.length > 0 ? g.linkKey : groupDerivedKeys(provider, publicKey, g.secret).linkKey;
  return { publicKey, secret: g.secret, groupType: g.groupType, signingPublicKey, linkKey };
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
