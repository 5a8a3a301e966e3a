// TreeKEM (RFC 9420 §7.4–§7.6, §12.4.2, §12.4.3.1) against treekem.json (suites 1–3, 11 trees each),
// on both providers. Per vector (test-vectors.md, "TreeKEM"):
//   * each member's private state from leaves_private is consistent with ratchet_tree;
//   * for each update path, every other member decrypts the listed path secret and gets the
//     commit_secret, and the merged tree has tree_hash_after (and is parent-hash valid);
//   * a fresh UpdatePath from each leaf (round trip through the wire encoding) gives every other
//     member the committer's commit_secret and tree.
// Then what the vectors do not cover: members added by the same Commit (excluded, then joining
// with the Welcome's path secret), several epochs in a row, and rejected paths (altered
// ciphertext, wrong node or ciphertext count, bad parent hash, bad signature, reused keys, wrong
// path secret, wrong context, no key), each failing with its code and changing nothing.
import { afterAll, describe, expect, it } from 'vitest';
import type { CryptoProvider } from '../../bindings/index.js';
import { type CipherSuite, cipherSuite } from '../../bindings/mls/crypto/cipher-suite.js';
import { encryptWithLabel, signWithLabel } from '../../bindings/mls/crypto/labels.js';
import { encodeGroupContext } from '../../bindings/mls/group-context.js';
import { type UpdatePath, decodeUpdatePath, encodeUpdatePath } from '../../bindings/mls/messages/commit.js';
import { type LeafNode, encodeLeafNodeTbs } from '../../bindings/mls/messages/leaf-node.js';
import { addLeaf } from '../../bindings/mls/tree/edits.js';
import { commonAncestor, directPath, leafToNode } from '../../bindings/mls/tree/math.js';
import { isParentHashValid } from '../../bindings/mls/tree/parent-hash.js';
import { PublicRatchetTree } from '../../bindings/mls/tree/ratchet-tree.js';
import { resolution } from '../../bindings/mls/tree/resolution.js';
import { treeHash } from '../../bindings/mls/tree/tree-hash.js';
import { validateRatchetTree } from '../../bindings/mls/tree/validate.js';
import {
  type LeafNodeTemplate, type ProvisionalContextInput, TreeKemPrivateState, applyUpdatePath, applyWelcomePathSecret,
  createUpdatePath, derivePath, nodeKeyPair, nodePublicKey, pathSecretForNewMember, recipients,
  senderPath, wipeReplacedKeys,
} from '../../bindings/mls/treekem/index.js';
import { forEachProvider } from '../helpers/providers.js';
import { hex, loadVectors, toHex } from '../helpers/vectors.js';
import { bySuite } from './suites.js';
import { codeOf } from './mls-error.js';

interface Vector {
  cipher_suite: number;
  group_id: string;
  epoch: number;
  confirmed_transcript_hash: string;
  ratchet_tree: string;
  leaves_private: Array<{ index: number; encryption_priv: string; signature_priv: string; path_secrets: Array<{ node: number; path_secret: string }> }>;
  update_paths: Array<{ sender: number; update_path: string; path_secrets: Array<string | null>; commit_secret: string; tree_hash_after: string }>;
}

const FILE = 'mls/treekem.json';
const ALL = loadVectors<Vector[]>(FILE);

/** Everything a vector sets up: the tree, each member's state and signature key, the context. */
function setUp(v: Vector, provider: CryptoProvider) {
  const suite = cipherSuite(v.cipher_suite, provider);
  const tree = PublicRatchetTree.decode(suite, hex(v.ratchet_tree));
  const states = new Map<number, TreeKemPrivateState>();
  const signers = new Map<number, Uint8Array>();
  for (const l of v.leaves_private) {
    states.set(l.index, TreeKemPrivateState.fromSecrets(suite, tree, l.index, hex(l.encryption_priv),
      l.path_secrets.map((p) => ({ node: p.node, pathSecret: hex(p.path_secret) }))));
    signers.set(l.index, hex(l.signature_priv));
  }
  const context: ProvisionalContextInput = {
    cipherSuite: v.cipher_suite, groupId: hex(v.group_id), epoch: BigInt(v.epoch), confirmedTranscriptHash: hex(v.confirmed_transcript_hash), extensions: [],
  };
  return { suite, tree, states, signers, context };
}

/** The sender's current leaf as the template of its next one. */
function templateOf(tree: PublicRatchetTree, leafIndex: number): LeafNodeTemplate {
  const leaf = tree.leaf(leafIndex)!;
  return { signatureKey: leaf.signatureKey, credential: leaf.credential, capabilities: leaf.capabilities, extensions: leaf.extensions };
}

/** A fingerprint of a private state: its nodes and key bytes. */
function stateFingerprint(state: TreeKemPrivateState): string {
  return state.nodes().map((x) => `${x}:${toHex(state.keyPair(x)!.secretKey)}:${toHex(state.keyPair(x)!.publicKey)}`).join(',');
}

/** Expects `f` to fail with `code`, leaving `tree` and `state` exactly as they were. */
function rejectsUnchanged(tree: PublicRatchetTree, state: TreeKemPrivateState, code: string, f: () => unknown): void {
  const bytes = toHex(tree.encode());
  const h = toHex(treeHash(tree));
  const s = stateFingerprint(state);
  expect(codeOf(f)).toBe(code);
  expect(toHex(tree.encode())).toBe(bytes);
  expect(toHex(treeHash(tree))).toBe(h);
  expect(stateFingerprint(state)).toBe(s);
}

function flipLast(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  out[out.length - 1]! ^= 0x01;
  return out;
}

/** The leaf re-signed after a change (the test holds every member's signature key). */
function resign(suite: CipherSuite, leaf: LeafNode, groupId: Uint8Array, leafIndex: number, signer: Uint8Array): LeafNode {
  return { ...leaf, signature: signWithLabel(suite, signer, 'LeafNodeTBS', encodeLeafNodeTbs(leaf, { groupId, leafIndex })) };
}

/** A KeyPackage-source leaf for a new member, like `model` but with fresh keys. */
function newMemberLeaf(suite: CipherSuite, model: LeafNode) {
  const hpkeKeys = suite.hpke.generateKeyPair();
  const sigKeys = suite.provider.signature(suite.signature).generateKeyPair();
  const unsigned: LeafNode = {
    encryptionKey: hpkeKeys.publicKey, signatureKey: sigKeys.publicKey, credential: model.credential, capabilities: model.capabilities,
    source: { kind: 'key_package', lifetime: { notBefore: 0n, notAfter: 2n ** 64n - 1n } }, extensions: [], signature: new Uint8Array(0),
  };
  const leaf = { ...unsigned, signature: signWithLabel(suite, sigKeys.secretKey, 'LeafNodeTBS', encodeLeafNodeTbs(unsigned)) };
  return { leaf, hpkeKeys, signer: sigKeys.secretKey };
}

forEachProvider((provider) => {
  describe('treekem.json', () => {
    const tally = bySuite(FILE, ALL, provider.name);
    const counts = { updatePaths: 0, decryptions: 0, roundTrips: 0, roundTripDecryptions: 0 };
    afterAll(() => {
      console.log(`${FILE} [${provider.name}]: ${counts.updatePaths} update paths, ${counts.decryptions} receiver decryptions checked; `
        + `${counts.roundTrips} fresh UpdatePaths, ${counts.roundTripDecryptions} receivers reached the same commit_secret`);
    });

    tally.vectors.forEach((v, i) => {
      it(`#${i} suite ${v.cipher_suite}: ${v.leaves_private.length} members`, () => {
        const { suite, tree, states, signers, context } = setUp(v, provider);
        const before = toHex(tree.encode());
        for (const [j, state] of states) expect(state.inconsistentNodes(tree), `leaf ${j}'s private state`).toEqual([]);

        for (const u of v.update_paths) {
          const updatePath = decodeUpdatePath(hex(u.update_path));
          expect(toHex(encodeUpdatePath(updatePath))).toBe(u.update_path);
          let trees = 0;
          for (const [j, state] of states) {
            if (j === u.sender) continue;
            const r = applyUpdatePath(suite, tree, state, u.sender, updatePath, context);
            expect(toHex(r.decrypted.pathSecret), `path secret for leaf ${j}`).toBe(u.path_secrets[j]);
            expect(r.decrypted.node).toBe(commonAncestor(leafToNode(j), leafToNode(u.sender)));
            expect(toHex(r.commitSecret), `commit_secret for leaf ${j}`).toBe(u.commit_secret);
            expect(toHex(treeHash(r.tree)), `tree hash after, leaf ${j}`).toBe(u.tree_hash_after);
            expect(toHex(r.groupContext.treeHash)).toBe(u.tree_hash_after);
            expect(r.privateState.inconsistentNodes(r.tree)).toEqual([]);
            if (trees++ === 0) expect(isParentHashValid(r.tree), 'merged tree parent-hash valid').toBe(true);
            counts.decryptions++;
          }
          counts.updatePaths++;

          // A fresh UpdatePath from the same leaf: every other member reaches the same secret and tree
          const created = createUpdatePath(suite, tree, states.get(u.sender)!, u.sender, context, [], templateOf(tree, u.sender), signers.get(u.sender)!);
          expect(created.updatePath.nodes.length).toBe(senderPath(tree, u.sender).length);
          expect(created.privateState.inconsistentNodes(created.tree)).toEqual([]);
          expect(created.privateState.nodes()).toEqual([leafToNode(u.sender), ...created.pathSecrets.map((p) => p.node)].sort((a, b) => a - b));
          validateRatchetTree(created.tree, { groupId: context.groupId, treeHash: created.groupContext.treeHash });
          const wire = decodeUpdatePath(encodeUpdatePath(created.updatePath));
          const expectedHash = toHex(treeHash(created.tree));
          for (const [j, state] of states) {
            if (j === u.sender) continue;
            const r = applyUpdatePath(suite, tree, state, u.sender, wire, context);
            expect(toHex(r.commitSecret), `round trip, leaf ${j}`).toBe(toHex(created.commitSecret));
            expect(toHex(treeHash(r.tree))).toBe(expectedHash);
            expect(toHex(r.decrypted.pathSecret)).toBe(toHex(created.pathSecrets.find((p) => p.node === r.decrypted.node)!.pathSecret));
            counts.roundTripDecryptions++;
          }
          counts.roundTrips++;
        }
        expect(toHex(tree.encode()), 'the vector tree is unchanged').toBe(before);
        tally.pass();
      });
    });
  });

  describe('treekem: what the vectors do not cover', () => {
    // the largest full tree of each suite (8 members) and one with a blank leaf (7 of 8)
    const pick = (suiteId: number, members: number) => ALL.find((v) => v.cipher_suite === suiteId && v.leaves_private.length === members)!;

    it('derivePath: the chain of §7.4 and the commit secret after it', () => {
      const suite = cipherSuite(1, provider);
      const start = provider.randomBytes(32);
      const d = derivePath(suite, start, 3);
      expect(d.pathSecrets).toHaveLength(3);
      expect(d.pathSecrets[0]).toEqual(start);
      expect(derivePath(suite, d.pathSecrets[1]!, 2).next).toEqual(d.next);
      expect(d.keyPairs[2]!.publicKey).toEqual(nodeKeyPair(suite, d.pathSecrets[2]!).publicKey);
      expect(derivePath(suite, start, 0).next).toEqual(start);
      expect(() => derivePath(suite, new Uint8Array(16), 1)).toThrow(RangeError);
    });

    it('a one-member group: an empty path, a commit secret from the leaf secret', () => {
      for (const suiteId of [1, 2, 3]) {
        const { suite, tree, states, signers, context } = setUp(pick(suiteId, 8), provider);
        const alone = PublicRatchetTree.create(suite, tree.leaf(0)!);
        const created = createUpdatePath(suite, alone, states.get(0)!, 0, context, [], templateOf(alone, 0), signers.get(0)!);
        expect(created.updatePath.nodes).toEqual([]);
        expect(created.commitSecret).toHaveLength(32);
        expect(created.pathSecrets).toEqual([]);
        expect(created.privateState.nodes()).toEqual([0]);
        expect(created.privateState.inconsistentNodes(created.tree)).toEqual([]);
        validateRatchetTree(created.tree, { groupId: context.groupId, treeHash: created.groupContext.treeHash });
      }
    });

    for (const suiteId of [1, 2, 3]) {
      it(`suite ${suiteId}: new members of the same Commit are excluded, then join from the Welcome's path secret`, () => {
        const v = pick(suiteId, 7);
        const { suite, tree, states, signers, context } = setUp(v, provider);
        // add two members: the first takes the blank leaf, the second doubles the tree
        const a = newMemberLeaf(suite, tree.leaf(0)!);
        const b = newMemberLeaf(suite, tree.leaf(0)!);
        const withAdds = tree.clone();
        const ia = addLeaf(withAdds, a.leaf);
        const ib = addLeaf(withAdds, b.leaf);
        expect(withAdds.leafCount).toBe(16);
        const sender = 0;
        const created = createUpdatePath(suite, withAdds, states.get(sender)!, sender, context, [ia, ib], templateOf(withAdds, sender), signers.get(sender)!);
        // one ciphertext per resolution node, the new members left out
        const path = senderPath(withAdds, sender);
        path.forEach(({ copathChild }, n) => {
          const res = resolution(withAdds, copathChild).filter((x) => x !== leafToNode(ia) && x !== leafToNode(ib));
          expect(created.updatePath.nodes[n]!.encryptedPathSecret.length).toBe(res.length);
        });
        for (const [j, state] of states) {
          if (j === sender) continue;
          const r = applyUpdatePath(suite, withAdds, state, sender, created.updatePath, context, [ia, ib]);
          expect(r.commitSecret).toEqual(created.commitSecret);
          // without the exclusions the ciphertext counts are wrong
          rejectsUnchanged(withAdds, state, 'invalid-update-path', () => applyUpdatePath(suite, withAdds, state, sender, created.updatePath, context));
        }
        // the new members join: the path secret of the common ancestor, then the ancestors above it
        for (const [leafIndex, m] of [[ia, a], [ib, b]] as const) {
          const secret = pathSecretForNewMember(created, sender, leafIndex)!;
          expect(secret).toBeDefined();
          const joined = applyWelcomePathSecret(suite, created.tree, TreeKemPrivateState.create(leafIndex, m.hpkeKeys), sender, secret);
          expect(joined.inconsistentNodes(created.tree)).toEqual([]);
          expect(joined.nodes()).toContain(commonAncestor(leafToNode(leafIndex), leafToNode(sender)));
          expect(joined.nodes()).toContain(created.tree.root);
          // a wrong secret derives keys the tree does not have
          const fresh = TreeKemPrivateState.create(leafIndex, m.hpkeKeys);
          expect(codeOf(() => applyWelcomePathSecret(suite, created.tree, fresh, sender, provider.randomBytes(32)))).toBe('path-key-mismatch');
        }
      });

      it(`suite ${suiteId}: four epochs in a row, each member committing from the state the previous ones left`, () => {
        const v = pick(suiteId, 8);
        const setup = setUp(v, provider);
        const { suite, signers } = setup;
        let tree = setup.tree;
        let states = setup.states;
        for (const [epoch, sender] of [[1n, 3], [2n, 6], [3n, 0], [4n, 3]] as const) {
          const context = { ...setup.context, epoch: setup.context.epoch + epoch };
          const created = createUpdatePath(suite, tree, states.get(sender)!, sender, context, [], templateOf(tree, sender), signers.get(sender)!);
          const next = new Map<number, TreeKemPrivateState>([[sender, created.privateState]]);
          for (const [j, state] of states) {
            if (j === sender) continue;
            const r = applyUpdatePath(suite, tree, state, sender, created.updatePath, context);
            expect(r.commitSecret).toEqual(created.commitSecret);
            expect(toHex(treeHash(r.tree))).toBe(toHex(treeHash(created.tree)));
            // everyone holds exactly the keys of its leaf and of its non-blank direct-path nodes
            const own = leafToNode(j);
            const expected = [own, ...directPath(own, r.tree.leafCount).filter((x) => !r.tree.isBlank(x))].sort((x, y) => x - y);
            expect(r.privateState.nodes()).toEqual(expected);
            expect(r.privateState.inconsistentNodes(r.tree)).toEqual([]);
            next.set(j, r.privateState);
          }
          // the epoch is accepted: wipe the replaced keys of the old states
          for (const [j, state] of states) {
            const replaced = state.nodes().filter((x) => state.keyPair(x) !== next.get(j)!.keyPair(x));
            wipeReplacedKeys(state, next.get(j)!);
            for (const x of replaced) expect(state.keyPair(x)!.secretKey.every((byte) => byte === 0)).toBe(true);
            for (const x of next.get(j)!.nodes()) expect(next.get(j)!.keyPair(x)!.secretKey.some((byte) => byte !== 0)).toBe(true);
          }
          tree = created.tree;
          states = next;
        }
      });
    }

    it('rejected UpdatePaths leave the tree and the private state unchanged', () => {
      for (const suiteId of [1, 2, 3]) {
        const v = pick(suiteId, 8);
        const { suite, tree, states, signers, context } = setUp(v, provider);
        const sender = 2;
        const receiver = 5;
        const state = states.get(receiver)!;
        const created = createUpdatePath(suite, tree, states.get(sender)!, sender, context, [], templateOf(tree, sender), signers.get(sender)!);
        const good = created.updatePath;
        const apply = (p: UpdatePath, ctx = context, st = state, from = sender) => () => applyUpdatePath(suite, tree, st, from, p, ctx);
        const reject = (code: string, f: () => unknown) => rejectsUnchanged(tree, state, code, f);
        const withNodes = (nodes: UpdatePath['nodes']): UpdatePath => ({ ...good, nodes });

        // altered ciphertexts (each one, so whichever the receiver opens) and kem outputs
        reject('path-secret-decryption-failed', apply(withNodes(good.nodes.map((n) => ({
          ...n, encryptedPathSecret: n.encryptedPathSecret.map((c) => ({ ...c, ciphertext: flipLast(c.ciphertext) })),
        })))));
        reject('path-secret-decryption-failed', apply(withNodes(good.nodes.map((n) => ({
          ...n, encryptedPathSecret: n.encryptedPathSecret.map((c) => ({ ...c, kemOutput: flipLast(c.kemOutput) })),
        })))));
        // another provisional context (here: another epoch) does not decrypt
        reject('path-secret-decryption-failed', apply(good, { ...context, epoch: context.epoch + 1n }));

        // node count and ciphertext count
        reject('invalid-update-path', apply(withNodes(good.nodes.slice(0, -1))));
        reject('invalid-update-path', apply(withNodes([...good.nodes, { encryptionKey: suite.hpke.generateKeyPair().publicKey, encryptedPathSecret: [] }])));
        reject('invalid-update-path', apply(withNodes(good.nodes.map((n, k) => (k === 0 ? { ...n, encryptedPathSecret: n.encryptedPathSecret.slice(1) } : n)))));

        // bad parent hash: a node key changed (the leaf's parent_hash no longer matches), or the
        // leaf's parent_hash changed and re-signed
        reject('invalid-parent-hash', apply(withNodes(good.nodes.map((n, k) => (k === 1 ? { ...n, encryptionKey: suite.hpke.generateKeyPair().publicKey } : n)))));
        const leafSource = good.leafNode.source as { kind: 'commit'; parentHash: Uint8Array };
        const otherHash = resign(suite, { ...good.leafNode, source: { kind: 'commit', parentHash: flipLast(leafSource.parentHash) } }, context.groupId, sender, signers.get(sender)!);
        reject('invalid-parent-hash', apply({ ...good, leafNode: otherHash }));

        // the leaf: signature, source, signed for another leaf index, reused or duplicate keys
        reject('invalid-leaf-signature', apply({ ...good, leafNode: { ...good.leafNode, signature: flipLast(good.leafNode.signature) } }));
        reject('invalid-leaf-signature', apply({ ...good, leafNode: resign(suite, good.leafNode, context.groupId, sender + 1, signers.get(sender)!) }));
        reject('invalid-leaf-node', apply({ ...good, leafNode: resign(suite, { ...good.leafNode, source: { kind: 'update' } }, context.groupId, sender, signers.get(sender)!) }));
        const oldKey = tree.leaf(sender)!.encryptionKey;
        reject('invalid-leaf-node', apply({ ...good, leafNode: resign(suite, { ...good.leafNode, encryptionKey: oldKey }, context.groupId, sender, signers.get(sender)!) }));
        const parentKey = nodePublicKey(tree, tree.root)!;
        reject('duplicate-key', apply(withNodes(good.nodes.map((n, k) => (k === 0 ? { ...n, encryptionKey: parentKey } : n)))));
        reject('duplicate-key', apply(withNodes(good.nodes.map((n, k) => (k === 0 ? { ...n, encryptionKey: good.nodes[1]!.encryptionKey } : n)))));

        // a well-formed ciphertext of the wrong path secret, of a short one, of a PathSecret struct
        const reencrypt = (plaintext: () => Uint8Array): UpdatePath => withNodes(good.nodes.map((n, k) => ({
          ...n,
          encryptedPathSecret: recipients(created.tree, senderPath(tree, sender)[k]!.copathChild, new Set()).map((x) =>
            encryptWithLabel(suite, nodePublicKey(created.tree, x)!, 'UpdatePathNode', encodeGroupContext(created.groupContext), plaintext())),
        })));
        reject('path-key-mismatch', apply(reencrypt(() => provider.randomBytes(32))));
        reject('invalid-path-secret', apply(reencrypt(() => provider.randomBytes(16))));
        reject('invalid-path-secret', apply(reencrypt(() => Uint8Array.of(32, ...provider.randomBytes(32)))));

        // the receiver: its own path, no usable key, a sender outside the tree
        reject('invalid-sender', apply(good, context, state, receiver));
        const keyless = TreeKemPrivateState.create(receiver, suite.hpke.generateKeyPair());
        rejectsUnchanged(tree, keyless, 'no-decryption-key', apply(good, context, keyless));
        reject('leaf-out-of-range', apply(good, context, state, tree.leafCount));

        // and the good path still applies
        expect(applyUpdatePath(suite, tree, state, sender, good, context).commitSecret).toEqual(created.commitSecret);
      }
    });

    it('a private state that does not match the tree is refused', () => {
      const v = pick(1, 8);
      const { suite, tree } = setUp(v, provider);
      const l = v.leaves_private[1]!;
      expect(codeOf(() => TreeKemPrivateState.fromSecrets(suite, tree, l.index, suite.hpke.generateKeyPair().secretKey))).toBe('private-key-mismatch');
      const p = l.path_secrets[0]!;
      expect(codeOf(() => TreeKemPrivateState.fromSecrets(suite, tree, l.index, hex(l.encryption_priv), [{ node: p.node, pathSecret: flipLast(hex(p.path_secret)) }])))
        .toBe('private-key-mismatch');
      const notOnPath = directPath(leafToNode(l.index), tree.leafCount).includes(1) ? 5 : 1;
      expect(codeOf(() => TreeKemPrivateState.fromSecrets(suite, tree, l.index, hex(l.encryption_priv), [{ node: notOnPath, pathSecret: hex(p.path_secret) }])))
        .toBe('private-key-mismatch');
    });
  });
});
