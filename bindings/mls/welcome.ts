// Joining from a Welcome (RFC 9420 §12.4.3.1): find the EncryptedGroupSecrets addressed to our
// KeyPackage, decrypt them with its init key, derive the welcome key, decrypt the GroupInfo,
// verify its signature, run the key schedule from the joiner secret and check the confirmation
// tag. Every check throws MlsError with its own code; nothing is returned unless all pass.
//
//   KeyPackageRef   = RefHash("MLS 1.0 KeyPackage Reference", KeyPackage)          (§5.2)
//   GroupSecrets    = DecryptWithLabel(init_key, "Welcome", encrypted_group_info, …)
//   welcome_secret  = DeriveSecret(Extract(joiner_secret, psk_secret), "welcome")  (§8)
//   welcome_key     = ExpandWithLabel(welcome_secret, "key", "", Nk); welcome_nonce: "nonce", Nn
//   GroupInfo       = AEAD.Open(welcome_key, welcome_nonce, "", encrypted_group_info)

import { ctEqual } from '../compare.js';
import { AuthenticationError } from '../errors.js';
import type { CipherSuite } from './crypto/cipher-suite.js';
import { decryptWithLabel, deriveSecret, expandWithLabel, extract, refHash, verifyWithLabel } from './crypto/labels.js';
import { MlsError } from './errors.js';
import { encodeGroupContext } from './group-context.js';
import { type EpochSecrets, epochSecretsFromJoiner } from './key-schedule.js';
import { type GroupInfo, decodeGroupInfo, encodeGroupInfoTbs } from './messages/group-info.js';
import { type KeyPackage, encodeKeyPackage } from './messages/key-package.js';
import { type GroupSecrets, type Welcome, decodeGroupSecrets } from './messages/welcome.js';
import { type PreSharedKeyId, pskSecret } from './psk.js';
import { confirmationTag } from './transcript.js';

export interface OpenedWelcome {
  readonly groupSecrets: GroupSecrets;
  readonly groupInfo: GroupInfo;
  readonly epochSecrets: EpochSecrets;
}

export function keyPackageRef(suite: CipherSuite, keyPackage: KeyPackage): Uint8Array {
  return refHash(suite, 'MLS 1.0 KeyPackage Reference', encodeKeyPackage(keyPackage));
}

/**
 * Opens `welcome` for the holder of `keyPackage` and its init private key. `pskLookup` supplies the
 * secret of each PSK the GroupSecrets name (MlsError 'missing-psk' if it has none). The GroupInfo
 * signature is checked with `signerPublicKey`, the signature key of the GroupInfo's signer, which
 * the caller finds in the group's ratchet tree.
 */
export function openWelcome(
  suite: CipherSuite, welcome: Welcome, keyPackage: KeyPackage, initPrivateKey: Uint8Array,
  signerPublicKey: (groupInfo: GroupInfo) => Uint8Array, pskLookup: (id: PreSharedKeyId) => Uint8Array | undefined = () => undefined,
): OpenedWelcome {
  if (welcome.cipherSuite !== suite.id || keyPackage.cipherSuite !== suite.id) throw new MlsError('cipher-suite-mismatch', 'the Welcome, the KeyPackage and the suite differ');
  const ref = keyPackageRef(suite, keyPackage);
  const mine = welcome.secrets.find((s) => ctEqual(s.newMember, ref));
  if (mine === undefined) throw new MlsError('welcome-not-for-us', 'no EncryptedGroupSecrets for this KeyPackage');
  let groupSecrets: GroupSecrets;
  try {
    groupSecrets = decodeGroupSecrets(decryptWithLabel(suite, initPrivateKey, 'Welcome', welcome.encryptedGroupInfo, mine.encryptedGroupSecrets));
  } catch (e) {
    if (e instanceof AuthenticationError) throw new MlsError('welcome-decryption-failed', 'the group secrets do not decrypt with this init key');
    throw e;
  }
  const psks = groupSecrets.psks.map((id) => {
    const secret = pskLookup(id);
    if (secret === undefined) throw new MlsError('missing-psk', 'the Welcome needs a PSK this member does not have');
    return { id, secret };
  });
  const psk = pskSecret(suite, psks);
  const member = extract(suite, groupSecrets.joinerSecret, psk);
  const welcomeSecret = deriveSecret(suite, member, 'welcome');
  member.fill(0);
  const key = expandWithLabel(suite, welcomeSecret, 'key', new Uint8Array(0), suite.keyLength);
  const nonce = expandWithLabel(suite, welcomeSecret, 'nonce', new Uint8Array(0), suite.nonceLength);
  welcomeSecret.fill(0);
  const aead = suite.provider.aead(suite.aead, key);
  let groupInfo: GroupInfo;
  try {
    groupInfo = decodeGroupInfo(aead.open(nonce, welcome.encryptedGroupInfo));
  } catch (e) {
    if (e instanceof AuthenticationError) throw new MlsError('welcome-decryption-failed', 'the GroupInfo does not decrypt');
    throw e;
  } finally {
    aead.dispose();
    key.fill(0);
    nonce.fill(0);
  }
  if (groupInfo.groupContext.cipherSuite !== suite.id) throw new MlsError('cipher-suite-mismatch', 'the GroupInfo names another suite');
  if (!verifyWithLabel(suite, signerPublicKey(groupInfo), 'GroupInfoTBS', encodeGroupInfoTbs(groupInfo), groupInfo.signature)) {
    throw new MlsError('invalid-signature', 'the GroupInfo signature does not verify');
  }
  const epochSecrets = epochSecretsFromJoiner(suite, groupSecrets.joinerSecret.slice(), psk, encodeGroupContext(groupInfo.groupContext));
  psk.fill(0);
  const tag = confirmationTag(suite, epochSecrets.confirmationKey, groupInfo.groupContext.confirmedTranscriptHash);
  if (!ctEqual(tag, groupInfo.confirmationTag)) throw new MlsError('invalid-confirmation-tag', 'the GroupInfo confirmation tag does not match the key schedule');
  return { groupSecrets, groupInfo, epochSecrets };
}
