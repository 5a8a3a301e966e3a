// Creating what a member starts from (RFC 9420 §10, §11):
//
//   createKeyPackage(suite, options) → a signed KeyPackage and the private keys behind it (§10):
//     a fresh init key pair and leaf (encryption) key pair, init_key ≠ encryption_key, the leaf node
//     of source key_package with its lifetime, signed over LeafNodeTBS, the KeyPackage signed over
//     KeyPackageTBS, both with the signature key (given, or generated);
//   createGroupState(suite, options) → epoch 0 of a new one-member group (§11): a tree of the
//     creator's leaf, GroupContext(epoch 0, tree hash, empty confirmed transcript hash), a random
//     init_secret through the key schedule with a zero commit_secret and no PSK, and the
//     confirmation tag over the empty transcript hash, from which the interim transcript hash.

import type { CipherSuite } from '../crypto/cipher-suite.js';
import { signWithLabel } from '../crypto/labels.js';
import type { Extension, GroupContext } from '../group-context.js';
import { encodeGroupContext } from '../group-context.js';
import { nextEpochSecrets } from '../key-schedule.js';
import { CredentialType } from '../messages/constants.js';
import { type Credential, credentialTypeOf } from '../messages/credential.js';
import { type KeyPackage, encodeKeyPackageTbs } from '../messages/key-package.js';
import { type Capabilities, type LeafNode, type Lifetime, encodeLeafNodeTbs } from '../messages/leaf-node.js';
import { confirmationTag } from '../transcript.js';
import { PublicRatchetTree } from '../tree/ratchet-tree.js';
import { treeHash } from '../tree/tree-hash.js';
import { TreeKemPrivateState } from '../treekem/private-state.js';
import type { SecretTreeOptions } from '../secret-tree.js';
import { groupStateOf } from './epoch.js';
import type { GroupState, JoinKeys } from './join.js';

/** What a member says about itself in its leaf (§7.2). */
export interface LeafOptions {
  readonly credential: Credential;
  /** The signature private key (Ed25519 seed, P-256 scalar); generated when absent. */
  readonly signaturePrivateKey?: Uint8Array;
  /** Default: protocol mls10, this suite, no extra extension or proposal types, the credential's type. */
  readonly capabilities?: Capabilities;
  /** The leaf node's own extensions (their types must be in capabilities.extensions). */
  readonly leafExtensions?: readonly Extension[];
  /** Seconds since the Unix epoch; default: from an hour ago to 90 days ahead. */
  readonly lifetime?: Lifetime;
}

const DAY = 86_400n;

export function defaultCapabilities(suite: CipherSuite, credential: Credential): Capabilities {
  const type = credentialTypeOf(credential);
  return { versions: [1], cipherSuites: [suite.id], extensions: [], proposals: [], credentials: type === CredentialType.basic ? [type] : [CredentialType.basic, type] };
}

function defaultLifetime(): Lifetime {
  const now = BigInt(Math.floor(Date.now() / 1000));
  return { notBefore: now - 3600n, notAfter: now + 90n * DAY };
}

/** A signed key_package leaf node for `encryptionKey`, and the signature key pair used. */
function keyPackageLeaf(suite: CipherSuite, options: LeafOptions, encryptionKey: Uint8Array): { leaf: LeafNode; signaturePrivateKey: Uint8Array } {
  const scheme = suite.provider.signature(suite.signature);
  const signaturePrivateKey = options.signaturePrivateKey?.slice() ?? scheme.generateKeyPair().secretKey;
  const unsigned: LeafNode = {
    encryptionKey,
    signatureKey: scheme.publicKey(signaturePrivateKey),
    credential: options.credential,
    capabilities: options.capabilities ?? defaultCapabilities(suite, options.credential),
    source: { kind: 'key_package', lifetime: options.lifetime ?? defaultLifetime() },
    extensions: options.leafExtensions ?? [],
    signature: new Uint8Array(0),
  };
  const signature = signWithLabel(suite, signaturePrivateKey, 'LeafNodeTBS', encodeLeafNodeTbs(unsigned));
  return { leaf: { ...unsigned, signature }, signaturePrivateKey };
}

export interface KeyPackageOptions extends LeafOptions {
  /** The KeyPackage's own extensions. */
  readonly extensions?: readonly Extension[];
}

/** A new KeyPackage (§10) and its private keys. */
export function createKeyPackage(suite: CipherSuite, options: KeyPackageOptions): JoinKeys {
  const init = suite.hpke.generateKeyPair();
  const encryption = suite.hpke.generateKeyPair();
  const { leaf, signaturePrivateKey } = keyPackageLeaf(suite, options, encryption.publicKey);
  const unsigned: KeyPackage = { version: 1, cipherSuite: suite.id, initKey: init.publicKey, leafNode: leaf, extensions: options.extensions ?? [], signature: new Uint8Array(0) };
  const keyPackage = { ...unsigned, signature: signWithLabel(suite, signaturePrivateKey, 'KeyPackageTBS', encodeKeyPackageTbs(unsigned)) };
  return { keyPackage, initPrivateKey: init.secretKey, encryptionPrivateKey: encryption.secretKey, signaturePrivateKey };
}

export interface GroupCreateOptions extends LeafOptions {
  /** Default: 32 random bytes. */
  readonly groupId?: Uint8Array;
  /** The GroupContext's extensions (e.g. required_capabilities, external_senders). */
  readonly extensions?: readonly Extension[];
  readonly secretTree?: SecretTreeOptions;
}

/** Epoch 0 of a new group whose only member is its creator (§11). */
export function createGroupState(suite: CipherSuite, options: GroupCreateOptions): GroupState {
  const encryption = suite.hpke.generateKeyPair();
  const { leaf, signaturePrivateKey } = keyPackageLeaf(suite, options, encryption.publicKey);
  const tree = PublicRatchetTree.create(suite, leaf);
  const groupContext: GroupContext = {
    cipherSuite: suite.id,
    groupId: options.groupId?.slice() ?? suite.provider.randomBytes(32),
    epoch: 0n,
    treeHash: treeHash(tree),
    confirmedTranscriptHash: new Uint8Array(0),
    extensions: options.extensions ?? [],
  };
  const initSecret = suite.provider.randomBytes(suite.hashLength);
  const zero = new Uint8Array(suite.hashLength);
  const epochSecrets = nextEpochSecrets(suite, initSecret, zero, zero, encodeGroupContext(groupContext));
  initSecret.fill(0);
  return groupStateOf({
    suite, groupContext, groupInfoExtensions: [], tree, leafIndex: 0,
    privateState: TreeKemPrivateState.create(0, encryption), signaturePrivateKey, epochSecrets,
    confirmationTag: confirmationTag(suite, epochSecrets.confirmationKey, groupContext.confirmedTranscriptHash),
    ...(options.secretTree !== undefined ? { secretTreeOptions: options.secretTree } : {}),
  });
}
