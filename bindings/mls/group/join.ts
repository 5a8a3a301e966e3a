// Joining a group from a Welcome (RFC 9420 §12.4.3.1): the first step of the group layer. From a
// Welcome and the private keys of the KeyPackage it answers, build the member's GroupState:
//
//   1. open the Welcome (welcome.ts: group secrets, welcome key, GroupInfo, key schedule with the
//      PSKs, confirmation tag), verifying the GroupInfo signature with the signature key of the
//      GroupInfo.signer leaf of the group's ratchet tree;
//   2. the ratchet tree comes from the caller (out of band) or the GroupInfo's ratchet_tree
//      extension (§12.4.3.3); with neither, MlsError 'missing-ratchet-tree';
//   3. validate the tree (tree/validate.ts) against GroupContext.tree_hash and the group's
//      required_capabilities;
//   4. find our own leaf: the leaf showing the KeyPackage's leaf node's encryption key;
//   5. the private TreeKEM state: the leaf's key pair (checked against the tree), plus, if the
//      GroupSecrets carry a path_secret, the key pairs it yields from the common ancestor of our
//      leaf and the signer's upwards (applyWelcomePathSecret checks them against the tree);
//   6. the epoch's secret tree, epoch authenticator, interim transcript hash.
//
// Every failure is an MlsError with its own code, and nothing is returned unless every check
// passes; the epoch secrets derived before a later check fails are wiped.

import { ctEqual } from '../../compare.js';
import { DecodeError } from '../../codec/reader.js';
import type { CipherSuite } from '../crypto/cipher-suite.js';
import { MlsError } from '../errors.js';
import { encode, writeVector } from '../../codec/tls.js';
import { type Extension, type GroupContext, writeExtension } from '../group-context.js';
import { type EpochSecrets, wipeEpochSecrets } from '../key-schedule.js';
import { decodeRequiredCapabilities } from '../messages/extensions.js';
import { ExtensionType } from '../messages/constants.js';
import type { GroupInfo } from '../messages/group-info.js';
import type { KeyPackage } from '../messages/key-package.js';
import type { RatchetTree } from '../messages/ratchet-tree.js';
import type { Welcome } from '../messages/welcome.js';
import type { ReInit } from '../messages/proposal.js';
import { PskType, type PreSharedKeyId, ResumptionUsage } from '../psk.js';
import type { SecretTree, SecretTreeOptions } from '../secret-tree.js';
import { PublicRatchetTree } from '../tree/ratchet-tree.js';
import { validateRatchetTree } from '../tree/validate.js';
import { applyWelcomePathSecret } from '../treekem/apply.js';
import { TreeKemPrivateState } from '../treekem/private-state.js';
import { openWelcome } from '../welcome.js';
import { groupStateOf } from './epoch.js';

/** The private keys behind the KeyPackage a Welcome was made for. */
export interface JoinKeys {
  readonly keyPackage: KeyPackage;
  /** HPKE secret key of KeyPackage.init_key. */
  readonly initPrivateKey: Uint8Array;
  /** HPKE secret key of KeyPackage.leaf_node.encryption_key. */
  readonly encryptionPrivateKey: Uint8Array;
  /** Signature secret key of KeyPackage.leaf_node.signature_key. */
  readonly signaturePrivateKey: Uint8Array;
}

/** An external PSK this member holds: psk_id and its secret (§8.4). */
export interface ExternalPsk {
  readonly id: Uint8Array;
  readonly secret: Uint8Array;
}

export interface JoinOptions {
  /**
   * The group's ratchet tree delivered out of band (§12.4.3.3): the encoded ratchet_tree
   * extension data, its nodes, or a PublicRatchetTree. Without it, the GroupInfo must carry the
   * ratchet_tree extension.
   */
  readonly ratchetTree?: Uint8Array | RatchetTree | PublicRatchetTree;
  /** External PSKs the Welcome may name (resumption PSKs are not supported yet: 'missing-psk'). */
  readonly psks?: readonly ExternalPsk[];
  /** Seconds since the Unix epoch: if given, key_package leaves' lifetimes must include it. */
  readonly now?: bigint;
  /** Limits of the epoch's secret tree. */
  readonly secretTree?: SecretTreeOptions;
  /**
   * The group this one resumes (§11.2 reinitialization, §11.3 branch, §8.6): the resumption PSKs a
   * Welcome names come from it, and a Welcome with a reinit or branch PSK is checked against it.
   */
  readonly resumption?: ResumptionSource;
}

/** What a joiner knows of an earlier group it was in (§8.6). */
export interface ResumptionSource {
  readonly groupId: Uint8Array;
  readonly cipherSuite: number;
  /** The group's resumption_psk of `epoch`, if kept. */
  psk(epoch: bigint): Uint8Array | undefined;
  /** The ReInit the group's last Commit carried, if any. */
  readonly reinit?: ReInit;
}

/** A member's state in one epoch of a group. */
export interface GroupState {
  readonly suite: CipherSuite;
  readonly groupId: Uint8Array;
  readonly epoch: bigint;
  readonly groupContext: GroupContext;
  /** The GroupInfo's extensions (other than the group context's) but ratchet_tree: the tree is `tree`. */
  readonly groupInfoExtensions: GroupInfo['extensions'];
  readonly tree: PublicRatchetTree;
  /** Our own leaf index. */
  readonly leafIndex: number;
  readonly privateState: TreeKemPrivateState;
  readonly signaturePrivateKey: Uint8Array;
  readonly epochSecrets: EpochSecrets;
  readonly secretTree: SecretTree;
  readonly epochAuthenticator: Uint8Array;
  readonly confirmationTag: Uint8Array;
  readonly interimTranscriptHash: Uint8Array;
  /**
   * The ReInit this epoch's Commit carried (§11.2): the group is then closed — no more messages —
   * and continues as a new group with these parameters.
   */
  readonly reinit?: ReInit;
  /** MLS-Exporter(label, context, length) of this epoch (§8.5). */
  exportSecret(label: string | Uint8Array, context: Uint8Array, length: number): Uint8Array;
}

function treeFromOption(suite: CipherSuite, t: Uint8Array | RatchetTree | PublicRatchetTree): PublicRatchetTree {
  if (t instanceof PublicRatchetTree) {
    if (t.suite.id !== suite.id) throw new MlsError('cipher-suite-mismatch', 'the ratchet tree belongs to another suite');
    return t;
  }
  return t instanceof Uint8Array ? decodeTree(suite, t) : PublicRatchetTree.fromNodes(suite, t);
}

function decodeTree(suite: CipherSuite, bytes: Uint8Array): PublicRatchetTree {
  try {
    return PublicRatchetTree.decode(suite, bytes);
  } catch (e) {
    if (e instanceof DecodeError) throw new MlsError('invalid-ratchet-tree', `the ratchet tree does not decode: ${e.message}`);
    throw e;
  }
}

/** The ratchet tree to join with: the out-of-band one, else the GroupInfo's ratchet_tree extension. */
export function groupTree(suite: CipherSuite, groupInfo: GroupInfo, outOfBand: JoinOptions['ratchetTree']): PublicRatchetTree {
  const found = groupInfo.extensions.filter((e) => e.type === ExtensionType.ratchet_tree);
  if (found.length > 1) throw new MlsError('invalid-group-info', 'the GroupInfo has more than one ratchet_tree extension');
  if (outOfBand !== undefined) return treeFromOption(suite, outOfBand);
  if (found.length === 0) throw new MlsError('missing-ratchet-tree', 'no ratchet tree: neither given out of band nor in the GroupInfo');
  return decodeTree(suite, found[0]!.data);
}

/**
 * §12.4.3.1: a Welcome's resumption PSK of usage reinit or branch starts a group's epoch 1; for
 * reinit, the old group's last Commit carried a ReInit that the new group's group_id, version,
 * cipher suite and extensions match; for branch, the new group has the old one's version and suite.
 * MlsError 'invalid-resumption'.
 */
function checkResumption(id: Extract<PreSharedKeyId, { type: 2 }>, groupInfo: GroupInfo, from: ResumptionSource | undefined): void {
  if (id.usage === ResumptionUsage.application) return;
  const context = groupInfo.groupContext;
  if (context.epoch !== 1n) throw new MlsError('invalid-resumption', `a ${id.usage === ResumptionUsage.reinit ? 'reinit' : 'branch'} PSK in a group at epoch ${context.epoch}, not 1`);
  if (from === undefined) throw new MlsError('invalid-resumption', 'no earlier group to resume from');
  if (id.usage === ResumptionUsage.reinit) {
    const r = from.reinit;
    if (r === undefined) throw new MlsError('invalid-resumption', 'the old group was not reinitialized');
    const same = ctEqual(r.groupId, context.groupId) && r.version === 1 && r.cipherSuite === context.cipherSuite
      && ctEqual(encodeExtensions(r.extensions), encodeExtensions(context.extensions));
    if (!same) throw new MlsError('invalid-resumption', "the new group's parameters are not the ReInit's");
  } else if (id.usage === ResumptionUsage.branch) {
    if (context.cipherSuite !== from.cipherSuite) throw new MlsError('invalid-resumption', 'a branch keeps the cipher suite of its group');
  } else {
    throw new MlsError('invalid-resumption', `resumption usage ${id.usage} is not one of RFC 9420's`);
  }
}

function encodeExtensions(extensions: readonly Extension[]): Uint8Array {
  return encode((w) => writeVector(w, extensions, writeExtension));
}

export function requiredCapabilities(context: GroupContext) {
  const ext = context.extensions.filter((e) => e.type === ExtensionType.required_capabilities);
  if (ext.length > 1) throw new MlsError('invalid-group-info', 'the GroupContext has more than one required_capabilities extension');
  if (ext.length === 0) return undefined;
  try {
    return decodeRequiredCapabilities(ext[0]!.data);
  } catch (e) {
    if (e instanceof DecodeError) throw new MlsError('invalid-group-info', 'the required_capabilities extension does not decode');
    throw e;
  }
}

/**
 * Joins the group `welcome` invites the holder of `keys.keyPackage` to (§12.4.3.1). Returns the
 * member's GroupState for the group's current epoch; throws MlsError otherwise:
 *
 * * from openWelcome: 'cipher-suite-mismatch', 'welcome-not-for-us', 'welcome-decryption-failed',
 *   'missing-psk', 'invalid-signature', 'invalid-confirmation-tag';
 * * 'private-key-mismatch': the signature or encryption private key is not the KeyPackage's;
 * * 'missing-ratchet-tree', 'invalid-ratchet-tree', 'invalid-group-info';
 * * 'invalid-signer': GroupInfo.signer is not a member of the tree;
 * * tree validation: 'tree-hash-mismatch', 'invalid-parent-hash', 'duplicate-key',
 *   'invalid-unmerged-leaves', 'invalid-leaf-node', 'invalid-leaf-signature';
 * * 'not-in-tree': no leaf of the tree is the KeyPackage's leaf node;
 * * 'invalid-path-secret', 'path-key-mismatch', 'leaf-out-of-range': the path secret does not fit
 *   the tree (or the signer is our own leaf).
 */
export function joinGroup(suite: CipherSuite, welcome: Welcome, keys: JoinKeys, options: JoinOptions = {}): GroupState {
  const { keyPackage } = keys;
  const ownLeaf = keyPackage.leafNode;
  const signaturePublic = suite.provider.signature(suite.signature).publicKey(keys.signaturePrivateKey);
  if (!ctEqual(signaturePublic, ownLeaf.signatureKey)) {
    throw new MlsError('private-key-mismatch', "the signature private key is not the KeyPackage's");
  }

  let tree: PublicRatchetTree | undefined;
  const signerKey = (groupInfo: GroupInfo): Uint8Array => {
    tree = groupTree(suite, groupInfo, options.ratchetTree);
    if (groupInfo.signer >= tree.leafCount) throw new MlsError('invalid-signer', `GroupInfo signer ${groupInfo.signer} is outside the tree`);
    const signer = tree.leaf(groupInfo.signer);
    if (signer === undefined) throw new MlsError('invalid-signer', `GroupInfo signer ${groupInfo.signer} is a blank leaf`);
    return signer.signatureKey;
  };
  const from = options.resumption;
  const pskLookup = (id: PreSharedKeyId): Uint8Array | undefined => {
    if (id.type !== PskType.external) return from !== undefined && ctEqual(id.groupId, from.groupId) ? from.psk(id.epoch) : undefined;
    return options.psks?.find((p) => ctEqual(p.id, id.pskId))?.secret;
  };

  const { groupSecrets, groupInfo, epochSecrets } = openWelcome(suite, welcome, keyPackage, keys.initPrivateKey, signerKey, pskLookup);
  try {
    if (tree === undefined) throw new Error('joinGroup: openWelcome did not ask for the signer key'); // cannot happen
    const context = groupInfo.groupContext;
    for (const id of groupSecrets.psks) if (id.type === PskType.resumption) checkResumption(id, groupInfo, from);
    const required = requiredCapabilities(context);
    validateRatchetTree(tree, {
      groupId: context.groupId,
      treeHash: context.treeHash,
      ...(options.now !== undefined ? { now: options.now } : {}),
      ...(required !== undefined ? { requiredCapabilities: required } : {}),
    });

    let leafIndex = -1;
    for (const m of tree.members()) {
      if (ctEqual(tree.leaf(m)!.encryptionKey, ownLeaf.encryptionKey)) {
        leafIndex = m;
        break;
      }
    }
    if (leafIndex < 0) throw new MlsError('not-in-tree', "no leaf of the ratchet tree has the KeyPackage's encryption key");
    if (!ctEqual(tree.leaf(leafIndex)!.signatureKey, ownLeaf.signatureKey)) {
      throw new MlsError('not-in-tree', "the leaf with the KeyPackage's encryption key has another signature key");
    }

    let privateState = TreeKemPrivateState.fromSecrets(suite, tree, leafIndex, keys.encryptionPrivateKey);
    if (groupSecrets.pathSecret !== undefined) {
      privateState = applyWelcomePathSecret(suite, tree, privateState, groupInfo.signer, groupSecrets.pathSecret);
    }

    return groupStateOf({
      suite, groupContext: context, groupInfoExtensions: groupInfo.extensions.filter((e) => e.type !== ExtensionType.ratchet_tree), tree, leafIndex, privateState,
      signaturePrivateKey: keys.signaturePrivateKey, epochSecrets, confirmationTag: groupInfo.confirmationTag,
      ...(options.secretTree !== undefined ? { secretTreeOptions: options.secretTree } : {}),
    });
  } catch (e) {
    wipeEpochSecrets(epochSecrets);
    throw e;
  } finally {
    // The GroupSecrets are not kept: the key schedule holds its own copy of the joiner secret.
    groupSecrets.joinerSecret.fill(0);
    groupSecrets.pathSecret?.fill(0);
  }
}
