// Validation of leaf nodes (RFC 9420 §7.3) and of a whole ratchet tree (§12.4.3.1 "Verify the
// integrity of the ratchet tree", with §7.9.2 parent hashes).
//
// What is checked here, and what is left to the caller:
// * The leaf's signature: SignWithLabel(signature_key, "LeafNodeTBS", LeafNodeTBS), where
//   LeafNodeTBS adds group_id and leaf_index for the update and commit sources (§7.2).
// * Its own consistency: every non-default extension it carries is listed in its capabilities,
//   and so is its credential type (§7.2); its leaf_node_source is the one the context requires
//   (§7.3); for an Update, its encryption_key differs from the replaced leaf's.
// * Against the group: signature_key and encryption_key unique among the members (§7.3); the
//   credential type supported by every member and every member's credential type supported by
//   the leaf (§7.3); the GroupContext's required_capabilities, if the caller passes them.
// * The lifetime only when the caller passes `now` (§7.3 makes it RECOMMENDED for received
//   leaves); the application's maximum total lifetime is the application's to enforce.
// * Not here: whether the credential is valid and acceptable for the member (§5.3.1, the
//   application's authentication service).
//
// Whole tree (§12.4.3.1): the tree hash (when given), every parent's unmerged_leaves (sorted
// strictly increasing as §7.1 requires, each a non-blank descendant leaf that every non-blank
// parent in between also lists), every parent's encryption key unique in the tree, parent-hash
// validity (§7.9.2), and every leaf as above. The credential-type cross-check costs O(members ×
// credential types in use), not O(members²).
//
// Failures are MlsError with a stable code: 'tree-hash-mismatch', 'invalid-unmerged-leaves',
// 'invalid-parent-hash', 'invalid-leaf-signature', 'invalid-leaf-node', 'duplicate-key'.

import { binaryString } from '../../codec/binary-string.js';
import { ctEqual } from '../../compare.js';
import type { CipherSuite } from '../crypto/cipher-suite.js';
import { verifyWithLabel, verifyWithLabelBatch } from '../crypto/labels.js';
import { MlsError } from '../errors.js';
import { credentialTypeOf } from '../messages/credential.js';
import type { RequiredCapabilities } from '../messages/extensions.js';
import { type LeafNode, encodeLeafNodeTbs } from '../messages/leaf-node.js';
import { directPath, level } from './math.js';
import { parentHashProblems } from './parent-hash.js';
import type { PublicRatchetTree } from './ratchet-tree.js';
import { treeHashInternal } from './tree-hash.js';

/** The extension types RFC 9420 calls "default" (§7.2): a leaf need not (and MUST NOT) list them. */
export const DEFAULT_EXTENSION_TYPES: readonly number[] = [1, 2, 3, 4, 5];

/**
 * Whether the leaf's signature verifies (§7.2). A leaf from an update or a commit signs its group
 * and position, so `group` is required for those (TypeError without it); a key_package leaf signs
 * neither and `group` is ignored.
 */
export function verifyLeafNodeSignature(suite: CipherSuite, leaf: LeafNode, group?: { readonly groupId: Uint8Array; readonly leafIndex: number }): boolean {
  const tbs = encodeLeafNodeTbs(leaf, leaf.source.kind === 'key_package' ? undefined : group);
  return verifyWithLabel(suite, leaf.signatureKey, 'LeafNodeTBS', tbs, leaf.signature);
}

/** The leaf's problem with itself (§7.2, §7.3), or undefined. */
function selfProblem(leaf: LeafNode, now: bigint | undefined, required: RequiredCapabilities | undefined, suite?: CipherSuite): string | undefined {
  if (suite !== undefined) {
    const dh = suite.provider.dh(suite.dh).publicKeyLength;
    const sig = suite.provider.signature(suite.signature).publicKeyLength;
    if (leaf.encryptionKey.length !== dh) return `has an encryption key of ${leaf.encryptionKey.length} bytes, not ${dh}`;
    if (leaf.signatureKey.length !== sig) return `has a signature key of ${leaf.signatureKey.length} bytes, not ${sig}`;
  }
  const caps = leaf.capabilities;
  for (const e of leaf.extensions) {
    if (!DEFAULT_EXTENSION_TYPES.includes(e.type) && !caps.extensions.includes(e.type)) {
      return `carries extension ${e.type} that its capabilities do not list`;
    }
  }
  const credentialType = credentialTypeOf(leaf.credential);
  if (!caps.credentials.includes(credentialType)) return `its capabilities do not list its own credential type ${credentialType}`;
  if (now !== undefined && leaf.source.kind === 'key_package') {
    const { notBefore, notAfter } = leaf.source.lifetime;
    if (now < notBefore || now > notAfter) return `its lifetime [${notBefore}, ${notAfter}] does not include ${now}`;
  }
  if (required !== undefined) {
    // Capabilities list only non-default types (§7.2): the default ones are supported by everyone.
    for (const t of required.extensionTypes) {
      if (!DEFAULT_EXTENSION_TYPES.includes(t) && !caps.extensions.includes(t)) return `does not support required extension ${t}`;
    }
    for (const t of required.proposalTypes) if (t > 7 && !caps.proposals.includes(t)) return `does not support required proposal ${t}`;
    for (const t of required.credentialTypes) if (!caps.credentials.includes(t)) return `does not support required credential type ${t}`;
  }
  return undefined;
}

export interface LeafNodeValidationOptions {
  readonly groupId: Uint8Array;
  /**
   * Where the leaf comes from (§7.3): an Add's KeyPackage ('key_package'), an Update proposal
   * ('update'), or a Commit's UpdatePath ('commit'); its leaf_node_source must match.
   */
  readonly source: 'key_package' | 'update' | 'commit';
  /**
   * The leaf it will occupy: the sender's for 'update' (which must be a member) and 'commit'. Used
   * in the signature and left out of the uniqueness checks (it is the leaf being replaced).
   */
  readonly leafIndex?: number;
  /** Seconds since the Unix epoch: if given, a key_package leaf's lifetime must include it. */
  readonly now?: bigint;
  /** The group's required_capabilities extension, if it has one. */
  readonly requiredCapabilities?: RequiredCapabilities;
  /**
   * The members' keys and credential types, computed once (memberIndex) when many leaves are
   * checked against one tree, e.g. the Adds of a Commit: each check is then O(1), not O(members).
   */
  readonly members?: MemberIndex;
  /** The leaf's signature was verified already (a batch verification of the whole Commit). */
  readonly signatureVerified?: boolean;
}

/** What validateLeafNode compares a new leaf with, for a tree's members. */
export interface MemberIndex {
  /** Leaf index by signature key / encryption key (as binary strings). */
  readonly signatureKeys: ReadonlyMap<string, number>;
  readonly encryptionKeys: ReadonlyMap<string, number>;
  /** The credential types the members use, and those every member supports. */
  readonly typesInUse: ReadonlySet<number>;
  readonly supportedByAll: ReadonlySet<number>;
}

export function memberIndex(tree: PublicRatchetTree): MemberIndex {
  const signatureKeys = new Map<string, number>();
  const encryptionKeys = new Map<string, number>();
  const typesInUse = new Set<number>();
  let supportedByAll: Set<number> | undefined;
  for (const m of tree.members()) {
    const leaf = tree.leaf(m)!;
    signatureKeys.set(binaryString(leaf.signatureKey), m);
    encryptionKeys.set(binaryString(leaf.encryptionKey), m);
    typesInUse.add(credentialTypeOf(leaf.credential));
    const supported = leaf.capabilities.credentials;
    supportedByAll = supportedByAll === undefined ? new Set(supported) : new Set(supported.filter((t) => supportedByAll!.has(t)));
  }
  return { signatureKeys, encryptionKeys, typesInUse, supportedByAll: supportedByAll ?? new Set() };
}

/**
 * Validates a LeafNode that is about to enter `tree` (§7.3): signature, source, own consistency,
 * uniqueness of its keys among the other members, credential-type compatibility with them, and
 * the options' lifetime and required capabilities. MlsError ('invalid-leaf-node',
 * 'invalid-leaf-signature' or 'duplicate-key') if it is not valid; the tree is not changed.
 */
export function validateLeafNode(tree: PublicRatchetTree, leaf: LeafNode, options: LeafNodeValidationOptions): void {
  const { source, leafIndex } = options;
  if (leaf.source.kind !== source) throw new MlsError('invalid-leaf-node', `a leaf node from ${source} has leaf_node_source ${leaf.source.kind}`);
  let replaced: LeafNode | undefined;
  if (source !== 'key_package') {
    if (leafIndex === undefined) throw new TypeError(`validateLeafNode: a ${source} leaf needs its leafIndex`);
    if (leafIndex < tree.leafCount) replaced = tree.leaf(leafIndex);
    if (source === 'update') {
      if (replaced === undefined) throw new MlsError('invalid-leaf-node', `leaf ${leafIndex} of an Update is blank`);
      if (ctEqual(replaced.encryptionKey, leaf.encryptionKey)) {
        throw new MlsError('invalid-leaf-node', `the Update for leaf ${leafIndex} keeps the leaf's encryption_key`);
      }
    }
  }
  const problem = selfProblem(leaf, options.now, options.requiredCapabilities, tree.suite);
  if (problem !== undefined) throw new MlsError('invalid-leaf-node', `the leaf node ${problem}`);
  const group = source === 'key_package' ? undefined : { groupId: options.groupId, leafIndex: leafIndex! };
  if (options.signatureVerified !== true && !verifyLeafNodeSignature(tree.suite, leaf, group)) {
    throw new MlsError('invalid-leaf-signature', 'the leaf node signature does not verify');
  }

  const ownType = credentialTypeOf(leaf.credential);
  const index = options.members;
  if (index !== undefined && source === 'key_package') {
    // The same checks as the loop below, against the precomputed index (a new leaf replaces nobody).
    const sameSig = index.signatureKeys.get(binaryString(leaf.signatureKey));
    if (sameSig !== undefined) throw new MlsError('duplicate-key', `leaf ${sameSig} has the same signature_key`);
    const sameEnc = index.encryptionKeys.get(binaryString(leaf.encryptionKey));
    if (sameEnc !== undefined) throw new MlsError('duplicate-key', `leaf ${sameEnc} has the same encryption_key`);
    if (index.signatureKeys.size > 0 && !index.supportedByAll.has(ownType)) {
      throw new MlsError('invalid-leaf-node', `a member does not support credential type ${ownType}`);
    }
    for (const t of index.typesInUse) {
      if (!leaf.capabilities.credentials.includes(t)) throw new MlsError('invalid-leaf-node', `the leaf node does not support credential type ${t}, which a member uses`);
    }
    return;
  }
  // Every member, by index (no array of them, no iterator: at N = 10,000 this loop runs in each Commit's processing).
  for (let m = 0; m < tree.leafCount; m++) {
    const other = tree.leaf(m);
    if (other === undefined || (source !== 'key_package' && m === leafIndex)) continue;
    if (ctEqual(other.signatureKey, leaf.signatureKey)) throw new MlsError('duplicate-key', `leaf ${m} has the same signature_key`);
    if (ctEqual(other.encryptionKey, leaf.encryptionKey)) throw new MlsError('duplicate-key', `leaf ${m} has the same encryption_key`);
    if (!other.capabilities.credentials.includes(ownType)) {
      throw new MlsError('invalid-leaf-node', `member ${m} does not support credential type ${ownType}`);
    }
    const otherType = credentialTypeOf(other.credential);
    if (!leaf.capabilities.credentials.includes(otherType)) {
      throw new MlsError('invalid-leaf-node', `the leaf node does not support credential type ${otherType} of member ${m}`);
    }
  }
}

/** §7.1 and §12.4.3.1 checks of every parent's unmerged_leaves; a description of the first problem, or undefined. */
function unmergedProblem(tree: PublicRatchetTree): string | undefined {
  const sets = new Map<number, Set<number>>();
  const listed = (q: number, l: number): boolean => {
    let set = sets.get(q);
    if (set === undefined) sets.set(q, (set = new Set(tree.parentNode(q)!.unmergedLeaves)));
    return set.has(l);
  };
  for (let p = 1; p < tree.nodeCount; p += 2) {
    const parent = tree.parentNode(p);
    if (parent === undefined) continue;
    const span = 2 ** level(p) - 1;
    let previous = -1;
    for (const l of parent.unmergedLeaves) {
      if (l <= previous) return `node ${p}: unmerged_leaves are not in strictly increasing order`;
      previous = l;
      const x = 2 * l;
      if (x < p - span || x > p + span) return `node ${p}: unmerged leaf ${l} is not a descendant`;
      if (tree.isBlank(x)) return `node ${p}: unmerged leaf ${l} is blank`;
      for (const q of directPath(x, tree.leafCount)) {
        if (q === p) break;
        if (tree.parentNode(q) !== undefined && !listed(q, l)) {
          return `node ${q}, between leaf ${l} and node ${p}, does not list the leaf as unmerged`;
        }
      }
    }
  }
  return undefined;
}

export interface TreeValidationOptions {
  /** The group's id: the context of update- and commit-source leaf signatures. */
  readonly groupId: Uint8Array;
  /** The tree hash the tree must have (e.g. GroupInfo.group_context.tree_hash). */
  readonly treeHash?: Uint8Array;
  /** Seconds since the Unix epoch: if given, key_package leaves' lifetimes must include it. */
  readonly now?: bigint;
  /** The group's required_capabilities extension, if it has one. */
  readonly requiredCapabilities?: RequiredCapabilities;
}

/**
 * Verifies the integrity of a ratchet tree received on joining (§12.4.3.1), or of the tree after
 * a Commit (§12.2): see the module comment. MlsError naming the first problem found; the tree is
 * not changed (apart from its cached tree hashes).
 */
export function validateRatchetTree(tree: PublicRatchetTree, options: TreeValidationOptions): void {
  const unmerged = unmergedProblem(tree);
  if (unmerged !== undefined) throw new MlsError('invalid-unmerged-leaves', unmerged);

  // Keys: signature keys unique among leaves; encryption keys unique among all non-blank nodes
  // (§7.3 for leaves, §12.4.3.1 for parents).
  const signatureKeys = new Map<string, number>();
  const encryptionKeys = new Map<string, number>();
  for (let x = 0; x < tree.nodeCount; x++) {
    const node = tree.node(x);
    if (node === undefined) continue;
    const enc = binaryString(node.kind === 'leaf' ? node.leaf.encryptionKey : node.parent.encryptionKey);
    const seen = encryptionKeys.get(enc);
    if (seen !== undefined) throw new MlsError('duplicate-key', `nodes ${seen} and ${x} have the same encryption_key`);
    encryptionKeys.set(enc, x);
    if (node.kind === 'leaf') {
      const sig = binaryString(node.leaf.signatureKey);
      const same = signatureKeys.get(sig);
      if (same !== undefined) throw new MlsError('duplicate-key', `leaves ${same} and ${x >>> 1} have the same signature_key`);
      signatureKeys.set(sig, x >>> 1);
    }
  }

  if (options.treeHash !== undefined && !ctEqual(treeHashInternal(tree, tree.root), options.treeHash)) {
    throw new MlsError('tree-hash-mismatch', 'the ratchet tree does not have the expected tree hash');
  }

  const bad = parentHashProblems(tree);
  if (bad.length > 0) throw new MlsError('invalid-parent-hash', `parent node${bad.length > 1 ? 's' : ''} ${bad.join(', ')} not parent-hash valid`);

  // Credential types: every member must support every type in use.
  const members = tree.members();
  const typesInUse = new Set<number>();
  for (const m of members) typesInUse.add(credentialTypeOf(tree.leaf(m)!.credential));
  for (const m of members) {
    const leaf = tree.leaf(m)!;
    const problem = selfProblem(leaf, options.now, options.requiredCapabilities, tree.suite);
    if (problem !== undefined) throw new MlsError('invalid-leaf-node', `leaf ${m} ${problem}`);
    for (const t of typesInUse) {
      if (!leaf.capabilities.credentials.includes(t)) throw new MlsError('invalid-leaf-node', `leaf ${m} does not support credential type ${t}, which is in use`);
    }
  }
  // Every leaf signature in one batched provider call (the O(n) part of loading a tree, §12.4.3.1).
  const verdicts = verifyWithLabelBatch(tree.suite, 'LeafNodeTBS', members.map((m) => {
    const leaf = tree.leaf(m)!;
    const tbs = encodeLeafNodeTbs(leaf, leaf.source.kind === 'key_package' ? undefined : { groupId: options.groupId, leafIndex: m });
    return { publicKey: leaf.signatureKey, content: tbs, signature: leaf.signature };
  }));
  const unverified = verdicts.indexOf(false);
  if (unverified >= 0) throw new MlsError('invalid-leaf-signature', `the signature of leaf ${members[unverified]} does not verify`);
}

