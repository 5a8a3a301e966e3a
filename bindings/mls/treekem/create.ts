// Creating an UpdatePath (RFC 9420 §7.4, §7.5, §7.6, §12.4.2 "Creating a Commit"):
//
//   1. a fresh leaf_secret; the chain leaf_secret → path_secret[0] → … → path_secret[n-1] →
//      commit_secret over the n nodes of the sender's filtered direct path (path.ts);
//   2. the new public keys merged into a clone of the tree, parent hashes computed root to leaf
//      (merge.ts), and the new LeafNode (leaf_node_source = commit, the leaf's parent hash, the new
//      encryption key) signed over LeafNodeTBS with group_id and leaf_index (§7.2);
//   3. the provisional GroupContext: the caller's (new epoch, old confirmed transcript hash, new
//      extensions) with tree_hash = the tree hash of the merged tree (§12.4.2);
//   4. path_secret[i] encrypted with EncryptWithLabel(pk, "UpdatePathNode", GroupContext,
//      path_secret) to every node of the resolution of the i-th copath child, new members of the
//      same Commit excluded (§7.6). The plaintext is the bare path secret (Nh bytes), as §7.6 writes
//      it and as every treekem.json ciphertext decrypts — not the PathSecret struct, which only the
//      Welcome's GroupSecrets carry (§12.4.3.1).
//
// `tree` is the tree after the Commit's proposals (§12.3), with the new members' leaves in it;
// `excludedLeaves` are those new members' leaf indices. The given tree and private state are not
// changed; the result carries the new ones.

import type { KeyPair } from '../../x25519.js';
import type { CipherSuite } from '../crypto/cipher-suite.js';
import { encryptWithLabelMany, signWithLabel } from '../crypto/labels.js';
import { MlsError } from '../errors.js';
import { type Extension, type GroupContext, encodeGroupContext } from '../group-context.js';
import type { UpdatePath, UpdatePathNode } from '../messages/commit.js';
import type { Credential } from '../messages/credential.js';
import { type Capabilities, type LeafNode, encodeLeafNodeTbs } from '../messages/leaf-node.js';
import { commonAncestor, leafToNode } from '../tree/math.js';
import type { PublicRatchetTree } from '../tree/ratchet-tree.js';
import { treeHash } from '../tree/tree-hash.js';
import { mergePathKeys, recipients, senderPath } from './merge.js';
import { derivePath } from './path.js';
import { TreeKemPrivateState, nodePublicKey } from './private-state.js';

/** The fields of the committer's new LeafNode that are its to choose (§7.5: "The application MAY specify other changes"). */
export interface LeafNodeTemplate {
  readonly signatureKey: Uint8Array;
  readonly credential: Credential;
  readonly capabilities: Capabilities;
  readonly extensions: readonly Extension[];
}

/** The provisional GroupContext's fields (§12.4.2); any tree_hash given is replaced by the merged tree's. */
export type ProvisionalContextInput = Omit<GroupContext, 'treeHash'> & { readonly treeHash?: Uint8Array };

export interface PathSecretAt {
  readonly node: number;
  readonly pathSecret: Uint8Array;
}

export interface CreatedUpdatePath {
  readonly updatePath: UpdatePath;
  /** path_secret[n]: DeriveSecret(last path secret, "path") (§12.4.2). */
  readonly commitSecret: Uint8Array;
  /**
   * The last secret of the chain, whose DeriveSecret(·, "path") is commitSecret: the root's path
   * secret (the leaf_secret when the filtered direct path is empty); DMLS's path_secret[n]
   * (dmls/key-schedule.ts). A copy of its own: the caller wipes it.
   */
  readonly rootPathSecret: Uint8Array;
  /** The tree with the UpdatePath merged (the given one is unchanged). */
  readonly tree: PublicRatchetTree;
  /** The committer's new private state: its new leaf key pair and every node of its filtered direct path. */
  readonly privateState: TreeKemPrivateState;
  /** The provisional GroupContext the path secrets were encrypted under. */
  readonly groupContext: GroupContext;
  /** The path secret of each node of the filtered direct path, leaf to root: new members get theirs in the Welcome (§12.4.3.1). */
  readonly pathSecrets: readonly PathSecretAt[];
}

/**
 * Creates an UpdatePath from leaf `leafIndex` of `tree` (see the module comment). `privateState`
 * is the committer's current state (undefined for an external commit, whose leaf is new); every
 * key it holds is replaced, and the result's privateState holds the new ones.
 * TypeError / RangeError for inconsistent arguments; MlsError 'leaf-out-of-range' for a leaf
 * outside the tree.
 */
export function createUpdatePath(
  suite: CipherSuite, tree: PublicRatchetTree, privateState: TreeKemPrivateState | undefined, leafIndex: number,
  groupContext: ProvisionalContextInput, excludedLeaves: Iterable<number>, leaf: LeafNodeTemplate, signaturePrivateKey: Uint8Array,
): CreatedUpdatePath {
  if (tree.suite.id !== suite.id) throw new TypeError(`createUpdatePath: the tree is of suite ${tree.suite.id}, not ${suite.id}`);
  if (groupContext.cipherSuite !== suite.id) throw new TypeError(`createUpdatePath: the GroupContext is of suite ${groupContext.cipherSuite}, not ${suite.id}`);
  if (privateState !== undefined && privateState.leafIndex !== leafIndex) {
    throw new TypeError(`createUpdatePath: the private state is leaf ${privateState.leafIndex}'s, not leaf ${leafIndex}'s`);
  }
  if (!Number.isInteger(leafIndex) || leafIndex < 0 || leafIndex >= tree.leafCount) {
    throw new MlsError('leaf-out-of-range', `leaf ${leafIndex} is outside the tree's ${tree.leafCount} leaves`);
  }
  const excluded = new Set(excludedLeaves);

  // 1. leaf_secret → leaf key pair; path_secret[i] → node key pair; commit_secret (§7.4)
  const leafSecret = suite.provider.randomBytes(suite.hashLength);
  const path = senderPath(tree, leafIndex);
  const chain = derivePath(suite, leafSecret, path.length + 1);
  leafSecret.fill(0);
  const rootPathSecret = chain.pathSecrets[path.length]!.slice();
  chain.pathSecrets[0]!.fill(0); // the leaf_secret's copy: only its key pair is kept
  const leafKeyPair = chain.keyPairs[0]!;
  const nodeKeys = chain.keyPairs.slice(1);
  const secrets = chain.pathSecrets.slice(1);

  // 2. merge the public keys, compute the parent hashes, sign the new leaf (§7.5, §7.9)
  const merged = mergePathKeys(tree, leafIndex, path, nodeKeys.map((kp) => kp.publicKey));
  const unsigned: LeafNode = {
    encryptionKey: leafKeyPair.publicKey,
    signatureKey: leaf.signatureKey,
    credential: leaf.credential,
    capabilities: leaf.capabilities,
    source: { kind: 'commit', parentHash: merged.leafParentHash },
    extensions: leaf.extensions,
    signature: new Uint8Array(0),
  };
  const tbs = encodeLeafNodeTbs(unsigned, { groupId: groupContext.groupId, leafIndex });
  const leafNode: LeafNode = { ...unsigned, signature: signWithLabel(suite, signaturePrivateKey, 'LeafNodeTBS', tbs) };
  merged.tree.setLeaf(leafIndex, leafNode);

  // 3. the provisional GroupContext (§12.4.2)
  const provisional: GroupContext = { ...groupContext, treeHash: treeHash(merged.tree) };
  const context = encodeGroupContext(provisional);

  // 4. encrypt each path secret to its copath child's resolution (§7.6).
  // Every seal of the path in one batched call: they share the context, hashed once (encryptWithLabelMany).
  const targets = merged.path.map(({ copathChild }) => recipients(merged.tree, copathChild, excluded));
  const sealed = encryptWithLabelMany(suite, 'UpdatePathNode', context, targets.flatMap((xs, i) => xs.map((x) => ({ publicKey: nodePublicKey(merged.tree, x)!, plaintext: secrets[i]! }))));
  let next = 0;
  const nodes: UpdatePathNode[] = targets.map((xs, i) => ({ encryptionKey: nodeKeys[i]!.publicKey, encryptedPathSecret: xs.map(() => sealed[next++]!) }));

  // The committer now holds exactly its new leaf key and its filtered direct path's keys: the rest
  // of its direct path is blank (§7.4), so nothing of the old state carries over.
  const fresh = merged.path.map(({ node }, i): [number, KeyPair] => [node, nodeKeys[i]!]);
  const newState = TreeKemPrivateState.create(leafIndex, leafKeyPair).withChanges([], fresh);

  return {
    updatePath: { leafNode, nodes },
    commitSecret: chain.next,
    rootPathSecret,
    tree: merged.tree,
    privateState: newState,
    groupContext: provisional,
    pathSecrets: merged.path.map(({ node }, i) => ({ node, pathSecret: secrets[i]! })),
  };
}

/**
 * The path secret a new member at leaf `newMember` gets in its Welcome (§12.4.3.1): the one of the
 * lowest common ancestor of its leaf and the committer's, which is on the committer's filtered
 * direct path (the new member's subtree is not empty). Undefined if it is not among `pathSecrets`.
 */
export function pathSecretForNewMember(created: Pick<CreatedUpdatePath, 'pathSecrets'>, committer: number, newMember: number): Uint8Array | undefined {
  const lca = commonAncestor(leafToNode(committer), leafToNode(newMember));
  return created.pathSecrets.find((p) => p.node === lca)?.pathSecret;
}
