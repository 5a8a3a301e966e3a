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
//
// Saving (group/persist.ts): toState() copies out the leaf index and each held node's HPKE secret
// key; fromState() rebuilds the state against the tree it belongs to, deriving each public key from
// its secret key and checking it as fromSecrets does.

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

/** A private state's contents, secret keys included (TreeKemPrivateState.toState / fromState). */
export interface TreeKemPrivateStateData {
  readonly leafIndex: number;
  /** The HPKE secret key held for each node, by ascending node index (the leaf's node among them). */
  readonly keys: readonly { readonly node: number; readonly secretKey: Uint8Array }[];
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

  /**
   * The state of `data` (from toState(), e.g. of a saved group) for `tree`: each public key is
   * derived from its secret key, and the state is checked against the tree as fromSecrets checks it
   * — the leaf is in the tree ('leaf-out-of-range'), its key is held, every other node is on the
   * leaf's direct path and each node shows the derived public key ('private-key-mismatch'). The new
   * state holds copies of the secret keys (wiped again if a check fails); the caller keeps `data`.
   */
  static fromState(suite: CipherSuite, tree: PublicRatchetTree, data: TreeKemPrivateStateData): TreeKemPrivateState {
    const { leafIndex } = data;
    if (!Number.isInteger(leafIndex) || leafIndex < 0 || leafIndex >= tree.leafCount) {
      throw new MlsError('leaf-out-of-range', `leaf ${leafIndex} is outside the tree's ${tree.leafCount} leaves`);
    }
    const leafNode = leafToNode(leafIndex);
    const path = tree.leafCount > 1 ? new Set(directPath(leafNode, tree.leafCount)) : new Set<number>();
    let previous = -1;
    for (const { node } of data.keys) {
      if (!Number.isInteger(node) || node <= previous) throw new MlsError('private-key-mismatch', `node ${node} is out of order`);
      if (node !== leafNode && !path.has(node)) throw new MlsError('private-key-mismatch', `node ${node} is not leaf ${leafIndex}'s or on its direct path`);
      previous = node;
    }
    if (!data.keys.some((k) => k.node === leafNode)) throw new MlsError('private-key-mismatch', `the key of leaf ${leafIndex} is missing`);
    const dh = suite.provider.dh(suite.dh);
    const keys = new Map<number, KeyPair>();
    try {
      for (const { node, secretKey } of data.keys) {
        const copy = secretKey.slice();
        keys.set(node, { secretKey: copy, publicKey: new Uint8Array(0) }); // set first, so a failure below wipes it
        let publicKey: Uint8Array;
        try {
          publicKey = dh.publicKey(copy);
        } catch (e) {
          throw new MlsError('private-key-mismatch', `the secret key of node ${node} is not a ${suite.dh} key: ${(e as Error).message}`);
        }
        keys.set(node, { secretKey: copy, publicKey });
      }
      const state = new TreeKemPrivateState(leafIndex, keys);
      const bad = state.inconsistentNodes(tree);
      if (bad.length > 0) throw new MlsError('private-key-mismatch', `the private keys of node${bad.length > 1 ? 's' : ''} ${bad.join(', ')} do not match the tree`);
      return state;
    } catch (e) {
      for (const kp of keys.values()) kp.secretKey.fill(0);
      throw e;
    }
  }

  /** A copy of the leaf index and the secret keys held, by ascending node (the caller wipes the keys). */
  toState(): TreeKemPrivateStateData {
    return { leafIndex: this.leafIndex, keys: this.nodes().map((node) => ({ node, secretKey: this.#keys.get(node)!.secretKey.slice() })) };
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
