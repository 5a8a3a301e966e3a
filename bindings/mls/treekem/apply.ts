// Processing an UpdatePath (RFC 9420 §7.5 "The recipient of an UpdatePath", §7.6, §12.4.2
// "Processing a Commit"), and the path secret of a Welcome (§12.4.3.1). In order:
//
//   * the sender's new LeafNode is valid (§7.3, leaf_node_source = commit, signed over its group
//     and leaf index) and its encryption_key differs from the sender's current one (§12.4.2);
//   * none of the UpdatePath's public keys appears in any node of the tree, nor twice in the path
//     (§12.4.2);
//   * there is one UpdatePathNode per node of the sender's filtered direct path (§7.5), and each
//     has one ciphertext per node of its copath child's resolution, new members excluded (§7.6);
//   * merged on a clone (merge.ts), the parent hash computed for the leaf equals the LeafNode's
//     parent_hash (§7.5 step 3, §7.9);
//   * under the provisional GroupContext (tree_hash of the merged tree, §12.4.2) the receiver
//     decrypts the path secret of the first path node whose copath child holds its leaf, with the
//     key of the resolution node it holds (§7.5), derives the path secrets above it and checks that
//     each derived public key is the one the UpdatePath published (§7.5 step 6);
//   * commit_secret = DeriveSecret(last path secret, "path") (§12.4.2).
//
// Nothing is changed on failure: the given tree and private state are never modified, and the
// result carries the new ones. Errors are MlsError with a stable code:
//   'leaf-out-of-range', 'invalid-sender' (the receiver's own leaf), 'invalid-leaf-node',
//   'invalid-leaf-signature', 'duplicate-key', 'invalid-update-path' (node or ciphertext count),
//   'invalid-parent-hash', 'no-decryption-key', 'path-secret-decryption-failed',
//   'invalid-path-secret', 'path-key-mismatch'.

import { ctEqual } from '../../compare.js';
import { AuthenticationError, InvalidKeyError } from '../../errors.js';
import type { KeyPair } from '../../x25519.js';
import type { CipherSuite } from '../crypto/cipher-suite.js';
import { decryptWithLabel } from '../crypto/labels.js';
import { MlsError } from '../errors.js';
import { type GroupContext, encodeGroupContext } from '../group-context.js';
import { type HpkeCiphertext, type UpdatePath, ciphertextAt, ciphertextCount } from '../messages/commit.js';
import type { RequiredCapabilities } from '../messages/extensions.js';
import { commonAncestor, directPath, leafToNode, level } from '../tree/math.js';
import type { PublicRatchetTree } from '../tree/ratchet-tree.js';
import { treeHash } from '../tree/tree-hash.js';
import { validateLeafNode } from '../tree/validate.js';
import type { PathSecretAt, ProvisionalContextInput } from './create.js';
import { mergePathKeys, recipients, senderPath } from './merge.js';
import { derivePath } from './path.js';
import { type TreeKemPrivateState, nodePublicKey } from './private-state.js';

export interface ApplyUpdatePathOptions {
  /** Seconds since the Unix epoch, for the LeafNode's lifetime check (validateLeafNode). */
  readonly now?: bigint;
  /** The group's required_capabilities, which the new LeafNode must meet. */
  readonly requiredCapabilities?: RequiredCapabilities;
}

export interface AppliedUpdatePath {
  /** path_secret[n]: DeriveSecret(last path secret, "path") (§12.4.2). */
  readonly commitSecret: Uint8Array;
  /**
   * The path secret of the root end of the sender's filtered direct path, the one whose
   * DeriveSecret(·, "path") is commitSecret (DMLS's path_secret[n], dmls/key-schedule.ts). A fresh
   * copy: the caller wipes it.
   */
  readonly rootPathSecret: Uint8Array;
  /** The tree with the UpdatePath merged (the given one is unchanged). */
  readonly tree: PublicRatchetTree;
  /** The receiver's new private state: without the sender's old direct path, with the new keys it derived. */
  readonly privateState: TreeKemPrivateState;
  /** The provisional GroupContext the path secrets were decrypted under. */
  readonly groupContext: GroupContext;
  /** The path secret the receiver decrypted and the node it belongs to (the caller should wipe it when done). */
  readonly decrypted: PathSecretAt;
}

function inSubtree(x: number, d: number): boolean {
  const span = 2 ** level(x) - 1;
  return d >= x - span && d <= x + span;
}

/**
 * A number from the last four bytes of a public key (fewer for a shorter one) and its length: a
 * cheap first comparison (X25519 keys and P-256 points end in bytes that vary), after which equal
 * tags are compared in full. Public keys only: the early exits reveal nothing secret.
 */
function keyTag(b: Uint8Array): number {
  const n = b.length;
  // 30 bits: a small integer to V8, so the map lookups per tree node allocate nothing.
  if (n < 4) return n === 0 ? 0 : ((n << 24) ^ (b[0]! << 16) ^ (b[n - 1]! << 8) ^ b[n >> 1]!) & 0x3fffffff;
  return (((b[n - 4]! << 24) | (b[n - 3]! << 16) | (b[n - 2]! << 8) | b[n - 1]!) ^ n) & 0x3fffffff;
}

/**
 * The public keys checks of §12.4.2: the leaf's changed, and none of the UpdatePath's keys appears
 * in any node of the tree, nor twice in the path. The tree has one key per non-blank node (≈ N):
 * its keys are matched against the path's few by keyTag, not turned into strings for a set (which
 * at N = 10,000 cost more than decrypting the path).
 */
function checkNewKeys(tree: PublicRatchetTree, sender: number, updatePath: UpdatePath): void {
  const old = tree.leaf(sender);
  if (old !== undefined && ctEqual(old.encryptionKey, updatePath.leafNode.encryptionKey)) {
    throw new MlsError('invalid-leaf-node', `the UpdatePath keeps leaf ${sender}'s encryption_key`);
  }
  const keys = [updatePath.leafNode.encryptionKey, ...updatePath.nodes.map((n) => n.encryptionKey)];
  const byTag = new Map<number, Uint8Array[]>();
  for (const key of keys) {
    const tag = keyTag(key);
    const same = byTag.get(tag);
    if (same === undefined) byTag.set(tag, [key]);
    else {
      if (includesKey(same, key)) throw new MlsError('duplicate-key', 'the UpdatePath has the same public key twice');
      same.push(key);
    }
  }
  for (let x = 0; x < tree.nodeCount; x++) {
    const pub = nodePublicKey(tree, x);
    if (pub === undefined) continue;
    const same = byTag.get(keyTag(pub));
    if (same !== undefined && includesKey(same, pub)) throw new MlsError('duplicate-key', 'a public key of the UpdatePath is already in the tree');
  }
}

/** Whether `key` is among `keys` (a loop, not a closure: the caller runs once per tree node). */
function includesKey(keys: readonly Uint8Array[], key: Uint8Array): boolean {
  for (let i = 0; i < keys.length; i++) if (keys[i]!.length === key.length && ctEqual(keys[i]!, key)) return true;
  return false;
}

/** Decrypts one HPKECiphertext to a path secret of Nh bytes (the bare secret, §7.6), or throws the matching MlsError. */
function openPathSecret(suite: CipherSuite, keyPair: KeyPair, context: Uint8Array, sealed: HpkeCiphertext): Uint8Array {
  let secret: Uint8Array;
  try {
    secret = decryptWithLabel(suite, keyPair.secretKey, 'UpdatePathNode', context, sealed);
  } catch (e) {
    if (e instanceof AuthenticationError || e instanceof InvalidKeyError) {
      throw new MlsError('path-secret-decryption-failed', 'the path secret does not decrypt with the receiver\'s key');
    }
    throw e;
  }
  if (secret.length !== suite.hashLength) {
    secret.fill(0);
    throw new MlsError('invalid-path-secret', `the path secret has ${secret.length} bytes, not ${suite.hashLength}`);
  }
  return secret;
}

/**
 * Derives the path secrets from `secret` at position `k` of the sender's filtered direct path up
 * to the root, checks each node key pair against `publicKeys` (§7.5 step 6), and returns the key
 * pairs (with their node indices), the secret after the root (the commit_secret) and the root's
 * path secret (the caller wipes both).
 */
function deriveAndCheck(
  suite: CipherSuite, path: ReadonlyArray<{ readonly node: number }>, k: number, secret: Uint8Array, publicKeys: readonly Uint8Array[],
): { keys: Array<[number, KeyPair]>; next: Uint8Array; root: Uint8Array } {
  const derived = derivePath(suite, secret, path.length - k);
  const root = derived.pathSecrets[derived.pathSecrets.length - 1]!.slice();
  for (const s of derived.pathSecrets) s.fill(0);
  const keys: Array<[number, KeyPair]> = [];
  for (let t = 0; t < derived.keyPairs.length; t++) {
    const kp = derived.keyPairs[t]!;
    if (!ctEqual(kp.publicKey, publicKeys[k + t]!)) {
      derived.next.fill(0);
      root.fill(0);
      for (const d of derived.keyPairs) d.secretKey.fill(0);
      throw new MlsError('path-key-mismatch', `the public key of node ${path[k + t]!.node} is not the one its path secret derives`);
    }
    keys.push([path[k + t]!.node, kp]);
  }
  return { keys, next: derived.next, root };
}

/**
 * Applies the UpdatePath `updatePath` of the member at leaf `sender` for the receiver whose
 * private state is `privateState` (see the module comment). `tree` is the tree after the Commit's
 * proposals; `groupContext` the provisional GroupContext's fields (its tree_hash, if any, is
 * replaced by the merged tree's); `excludedLeaves` the leaf indices of members added by the same
 * Commit. Returns the commit_secret (and the root path secret it comes from), the merged tree and
 * the receiver's new private state.
 */
export function applyUpdatePath(
  suite: CipherSuite, tree: PublicRatchetTree, privateState: TreeKemPrivateState, sender: number, updatePath: UpdatePath,
  groupContext: ProvisionalContextInput, excludedLeaves: Iterable<number> = [], options: ApplyUpdatePathOptions = {},
): AppliedUpdatePath {
  if (tree.suite.id !== suite.id) throw new TypeError(`applyUpdatePath: the tree is of suite ${tree.suite.id}, not ${suite.id}`);
  if (groupContext.cipherSuite !== suite.id) throw new TypeError(`applyUpdatePath: the GroupContext is of suite ${groupContext.cipherSuite}, not ${suite.id}`);
  if (!Number.isInteger(sender) || sender < 0 || sender >= tree.leafCount) {
    throw new MlsError('leaf-out-of-range', `sender leaf ${sender} is outside the tree's ${tree.leafCount} leaves`);
  }
  if (sender === privateState.leafIndex) throw new MlsError('invalid-sender', 'the UpdatePath is from the receiver\'s own leaf');
  const excluded = new Set(excludedLeaves);

  // The new LeafNode (§7.3) and the new public keys (§12.4.2)
  validateLeafNode(tree, updatePath.leafNode, {
    groupId: groupContext.groupId, source: 'commit', leafIndex: sender, now: options.now, requiredCapabilities: options.requiredCapabilities,
  });
  checkNewKeys(tree, sender, updatePath);

  // The shape: one node per filtered direct path node (§7.5), one ciphertext per recipient (§7.6)
  const path = senderPath(tree, sender);
  if (updatePath.nodes.length !== path.length) {
    throw new MlsError('invalid-update-path', `the UpdatePath has ${updatePath.nodes.length} nodes for a filtered direct path of ${path.length}`);
  }
  const targets = path.map(({ copathChild }) => recipients(tree, copathChild, excluded));
  targets.forEach((t, i) => {
    const n = ciphertextCount(updatePath.nodes[i]!);
    if (n !== t.length) throw new MlsError('invalid-update-path', `UpdatePathNode ${i} has ${n} ciphertexts for a resolution of ${t.length} nodes`);
  });

  // Merge (§7.5) and check the leaf's parent hash (§7.9)
  const publicKeys = updatePath.nodes.map((n) => n.encryptionKey);
  const merged = mergePathKeys(tree, sender, path, publicKeys);
  const leafSource = updatePath.leafNode.source;
  if (leafSource.kind !== 'commit' || !ctEqual(leafSource.parentHash, merged.leafParentHash)) {
    throw new MlsError('invalid-parent-hash', 'the LeafNode\'s parent_hash is not the parent hash of its filtered direct path');
  }
  merged.tree.setLeaf(sender, updatePath.leafNode);

  // The provisional GroupContext (§12.4.2)
  const provisional: GroupContext = { ...groupContext, treeHash: treeHash(merged.tree) };
  const context = encodeGroupContext(provisional);

  // Decrypt (§7.5): the path node whose copath child holds the receiver's leaf, then a resolution
  // node the receiver has a key for (the copath subtrees are the same in `tree` and the merged tree).
  const own = leafToNode(privateState.leafIndex);
  const k = path.findIndex(({ copathChild }) => inSubtree(copathChild, own));
  if (k < 0) throw new MlsError('no-decryption-key', `leaf ${privateState.leafIndex} is under no copath node of leaf ${sender}'s path`);
  let j = -1;
  let keyPair: KeyPair | undefined;
  for (let i = 0; i < targets[k]!.length && keyPair === undefined; i++) {
    keyPair = privateState.usableKeyPair(tree, targets[k]![i]!);
    if (keyPair !== undefined) j = i;
  }
  if (keyPair === undefined) throw new MlsError('no-decryption-key', `the receiver holds no key for the resolution of node ${path[k]!.copathChild}`);
  const secret = openPathSecret(suite, keyPair, context, ciphertextAt(updatePath.nodes[k]!, j));

  // Derive up to the root and check the published keys (§7.5 steps 4–6)
  let derived: ReturnType<typeof deriveAndCheck>;
  try {
    derived = deriveAndCheck(suite, path, k, secret, publicKeys);
  } catch (e) {
    secret.fill(0);
    throw e;
  }
  // The new state: the sender's direct path was blanked, so its old keys there go; so does any key
  // the tree no longer shows (e.g. nodes cut off when the tree was truncated, §12.1.3).
  const stale = tree.leafCount > 1 ? directPath(leafToNode(sender), tree.leafCount) : [];
  const updated = privateState.withChanges(stale, derived.keys);
  return {
    commitSecret: derived.next,
    rootPathSecret: derived.root,
    tree: merged.tree,
    privateState: updated.withChanges(updated.inconsistentNodes(merged.tree), []),
    groupContext: provisional,
    decrypted: { node: path[k]!.node, pathSecret: secret },
  };
}

/**
 * A new member's private state from the path_secret of its Welcome (§12.4.3.1): the secret is that
 * of the lowest common ancestor of the member's leaf and the committer's `committer`, which must be
 * on the committer's filtered direct path in `tree` (the tree after the Commit); the path secrets
 * of that node and its ancestors on the path are derived, each key pair is checked against the
 * tree, and the state gets them. MlsError 'invalid-path-secret' if the ancestor is not on the path,
 * 'path-key-mismatch' if a derived key is not the tree's. The given state is not changed.
 */
export function applyWelcomePathSecret(
  suite: CipherSuite, tree: PublicRatchetTree, privateState: TreeKemPrivateState, committer: number, pathSecret: Uint8Array,
): TreeKemPrivateState {
  if (!Number.isInteger(committer) || committer < 0 || committer >= tree.leafCount || committer === privateState.leafIndex) {
    throw new MlsError('leaf-out-of-range', `committer leaf ${committer} is not another leaf of the tree`);
  }
  if (pathSecret.length !== suite.hashLength) throw new MlsError('invalid-path-secret', `the path secret has ${pathSecret.length} bytes, not ${suite.hashLength}`);
  const lca = commonAncestor(leafToNode(privateState.leafIndex), leafToNode(committer));
  const path = senderPath(tree, committer);
  const k = path.findIndex(({ node }) => node === lca);
  if (k < 0) throw new MlsError('invalid-path-secret', `node ${lca} is not on the committer's filtered direct path`);
  const publicKeys = path.map(({ node }) => nodePublicKey(tree, node) ?? new Uint8Array(0));
  const derived = deriveAndCheck(suite, path, k, pathSecret, publicKeys);
  derived.next.fill(0);
  derived.root.fill(0);
  return privateState.withChanges([], derived.keys);
}
