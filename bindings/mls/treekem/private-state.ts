// A member's private TreeKEM state (RFC 9420 §4.1 tree invariant, §7.4, §7.5): its own leaf index
// and the HPKE key pairs it holds — its leaf's and those of nodes on its direct path. Each key
// pair is kept with its public key, so a key is only used while the tree still shows that public
// key at its node: a node blanked or re-keyed by someone else's Commit simply stops matching, and
// using the key costs no scalar multiplication to recheck.
//
// States are immutable: every change returns a new state, and the old one stays usable, because a
// Commit whose UpdatePath was applied can still be rejected later (confirmation tag, §12.4.2). New
// states share the unchanged KeyPair objects with the old one; once the new epoch is accepted,
// wipeReplacedKeys(old, new) erases the secret keys the new state no longer holds (§7.5: "delete
// ... each outdated node key pair that was replaced by the update").

import { ctEqual } from '../../compare.js';
import type { KeyPair } from '../../x25519.js';
import type { CipherSuite } from '../crypto/cipher-suite.js';
import { MlsError } from '../errors.js';
import { directPath, leafToNode } from '../tree/math.js';
import type { PublicRatchetTree } from '../tree/ratchet-tree.js';
import { nodeKeyPair } from './path.js';

/** The HPKE public key a non-blank node shows (leaf or parent), or undefined for a blank node. */
export function nodePublicKey(tree: PublicRatchetTree, x: number): Uint8Array | undefined {
  const node = tree.node(x);
  if (node === undefined) return undefined;
  return node.kind === 'leaf' ? node.leaf.encryptionKey : node.parent.encryptionKey;
}

export class TreeKemPrivateState {
  readonly #keys: ReadonlyMap<number, KeyPair>;

  private constructor(readonly leafIndex: number, keys: ReadonlyMap<number, KeyPair>) {
    this.#keys = keys;
  }

  /** The state of a member at `leafIndex` holding only its leaf's key pair (e.g. a new member, §12.4.3.1). */
  static create(leafIndex: number, leafKeyPair: KeyPair): TreeKemPrivateState {
    if (!Number.isInteger(leafIndex) || leafIndex < 0) throw new RangeError(`TreeKemPrivateState: bad leaf index ${leafIndex}`);
    return new TreeKemPrivateState(leafIndex, new Map([[leafToNode(leafIndex), leafKeyPair]]));
  }

  /**
   * The state of the member at `leafIndex` of `tree` from its leaf's HPKE secret key and the path
   * secrets of nodes on its direct path (as the treekem test vectors and a stored state give them).
   * Checks that the state is consistent with the tree (test-vectors.md, TreeKEM): each node is
   * non-blank, on the member's direct path (or its leaf), and shows the public key derived from the
   * secret — MlsError 'private-key-mismatch' otherwise.
   */
  static fromSecrets(
    suite: CipherSuite, tree: PublicRatchetTree, leafIndex: number, leafSecretKey: Uint8Array,
    pathSecrets: Iterable<{ readonly node: number; readonly pathSecret: Uint8Array }> = [],
  ): TreeKemPrivateState {
    if (!Number.isInteger(leafIndex) || leafIndex < 0 || leafIndex >= tree.leafCount) {
      throw new MlsError('leaf-out-of-range', `leaf ${leafIndex} is outside the tree's ${tree.leafCount} leaves`);
    }
    const leafNode = leafToNode(leafIndex);
    const leafPublic = suite.provider.dh(suite.dh).publicKey(leafSecretKey);
    const keys = new Map<number, KeyPair>();
    keys.set(leafNode, { secretKey: leafSecretKey.slice(), publicKey: leafPublic });
    const path = tree.leafCount > 1 ? new Set(directPath(leafNode, tree.leafCount)) : new Set<number>();
    for (const { node, pathSecret } of pathSecrets) {
      if (!path.has(node)) throw new MlsError('private-key-mismatch', `node ${node} is not on the direct path of leaf ${leafIndex}`);
      keys.set(node, nodeKeyPair(suite, pathSecret));
    }
    const state = new TreeKemPrivateState(leafIndex, keys);
    const bad = state.inconsistentNodes(tree);
    if (bad.length > 0) throw new MlsError('private-key-mismatch', `the private keys of node${bad.length > 1 ? 's' : ''} ${bad.join(', ')} do not match the tree`);
    return state;
  }

  /** The node indices this state holds a key pair for, in increasing order. */
  nodes(): number[] {
    return [...this.#keys.keys()].sort((a, b) => a - b);
  }

  /** The key pair held for node `x`, whatever the tree now shows there. */
  keyPair(x: number): KeyPair | undefined {
    return this.#keys.get(x);
  }

  /** The key pair for node `x` if the tree shows its public key at `x`, else undefined. */
  usableKeyPair(tree: PublicRatchetTree, x: number): KeyPair | undefined {
    const kp = this.#keys.get(x);
    if (kp === undefined || x >= tree.nodeCount) return undefined;
    const pub = nodePublicKey(tree, x);
    return pub !== undefined && ctEqual(pub, kp.publicKey) ? kp : undefined;
  }

  /** The held nodes whose public key the tree does not show (blank, re-keyed, or outside the tree). */
  inconsistentNodes(tree: PublicRatchetTree): number[] {
    return this.nodes().filter((x) => this.usableKeyPair(tree, x) === undefined);
  }

  /** A new state without the key pairs of `drop` and with those of `add` (which win over `drop`). */
  withChanges(drop: Iterable<number>, add: Iterable<readonly [number, KeyPair]>): TreeKemPrivateState {
    const keys = new Map(this.#keys);
    for (const x of drop) keys.delete(x);
    for (const [x, kp] of add) keys.set(x, kp);
    return new TreeKemPrivateState(this.leafIndex, keys);
  }
}

/**
 * Wipes (fills with zeros) the secret keys `previous` holds that `current` does not hold (by
 * identity): the key pairs an accepted UpdatePath replaced (§7.5). `previous` must not be used
 * afterwards for the nodes concerned.
 */
export function wipeReplacedKeys(previous: TreeKemPrivateState, current: TreeKemPrivateState): void {
  for (const x of previous.nodes()) {
    const kp = previous.keyPair(x)!;
    if (current.keyPair(x) !== kp) kp.secretKey.fill(0);
  }
}
