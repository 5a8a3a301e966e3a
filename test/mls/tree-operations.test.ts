// RFC 9420 §12.1.1–§12.1.3 tree edits against tree-operations.json (suite 1 only: two Adds, an
// Update, two Removes), on both providers: each proposal applied to tree_before must give exactly
// tree_after's encoding and the tree hashes before and after. Then what the vectors do not cover:
// rejected edits (a blank or out-of-range leaf, a wrong leaf_node_source, a list failing halfway)
// leave the tree unchanged; clones are independent; and a simulated group history (adds filling
// the leftmost blank, growth, truncation, updates, commits with UpdatePath parent hashes) keeps the
// incrementally cached tree hash equal to a fresh one and the tree parent-hash valid.
import { describe, expect, it } from 'vitest';
import { cipherSuite } from '../../bindings/mls/crypto/cipher-suite.js';
import type { LeafNode } from '../../bindings/mls/messages/leaf-node.js';
import { type Proposal, decodeProposal } from '../../bindings/mls/messages/proposal.js';
import { addLeaf, applyProposals, removeLeaf, updateLeaf } from '../../bindings/mls/tree/edits.js';
import { directPath, leafToNode } from '../../bindings/mls/tree/math.js';
import { isParentHashValid, parentHashProblems, updatePathParentHashes } from '../../bindings/mls/tree/parent-hash.js';
import { PublicRatchetTree } from '../../bindings/mls/tree/ratchet-tree.js';
import { filteredDirectPath, resolution } from '../../bindings/mls/tree/resolution.js';
import { treeHash } from '../../bindings/mls/tree/tree-hash.js';
import { validateRatchetTree } from '../../bindings/mls/tree/validate.js';
import { forEachProvider } from '../helpers/providers.js';
import { hex, loadVectors, toHex } from '../helpers/vectors.js';
import { bySuite } from './suites.js';
import { codeOf } from './mls-error.js';

interface Vector {
  cipher_suite: number;
  tree_before: string;
  proposal: string;
  proposal_sender: number;
  tree_after: string;
  tree_hash_before: string;
  tree_hash_after: string;
}

const FILE = 'mls/tree-operations.json';
const ALL = loadVectors<Vector[]>(FILE);

/** Expects `f` to fail with `code` and the tree to encode, and hash, exactly as before. */
function rejectsUnchanged(tree: PublicRatchetTree, code: string, f: () => unknown): void {
  const bytes = toHex(tree.encode());
  const h = toHex(treeHash(tree));
  const leaves = tree.leafCount;
  expect(codeOf(f)).toBe(code);
  expect(toHex(tree.encode())).toBe(bytes);
  expect(toHex(treeHash(tree))).toBe(h);
  expect(tree.leafCount).toBe(leaves);
}

/** 32 bytes that differ for every `n` (fake public keys for the simulated group). */
function key(tag: number, n: number): Uint8Array {
  const out = new Uint8Array(32);
  out[0] = tag;
  new DataView(out.buffer).setUint32(1, n);
  return out;
}

const proposals = ALL.map((v) => decodeProposal(hex(v.proposal)));
const kpLeaf = (proposals.find((p) => p.kind === 'add') as Proposal & { kind: 'add' }).keyPackage.leafNode;
const updateLeafNode = (proposals.find((p) => p.kind === 'update') as Proposal & { kind: 'update' }).leafNode;

forEachProvider((provider) => {
  const suite = () => cipherSuite(1, provider);

  describe('tree-operations.json', () => {
    const tally = bySuite(FILE, ALL, provider.name);
    tally.vectors.forEach((v, i) => {
      const proposal = decodeProposal(hex(v.proposal));
      it(`#${i} ${proposal.kind} (sender ${v.proposal_sender})`, () => {
        const before = PublicRatchetTree.decode(suite(), hex(v.tree_before));
        expect(toHex(before.encode())).toBe(v.tree_before);
        expect(toHex(treeHash(before))).toBe(v.tree_hash_before);

        // as a Commit applies it: on a clone, the original untouched
        const { tree: after, added } = applyProposals(before, [{ proposal, sender: v.proposal_sender }]);
        expect(toHex(after.encode())).toBe(v.tree_after);
        expect(toHex(treeHash(after))).toBe(v.tree_hash_after);
        expect(toHex(treeHash(PublicRatchetTree.decode(suite(), hex(v.tree_after))))).toBe(v.tree_hash_after);
        expect(toHex(before.encode())).toBe(v.tree_before);
        expect(toHex(treeHash(before))).toBe(v.tree_hash_before);

        // and in place, with the single-edit functions
        const inPlace = PublicRatchetTree.decode(suite(), hex(v.tree_before));
        treeHash(inPlace); // warm the cache, so the edit's path invalidation is what is tested
        if (proposal.kind === 'add') {
          const index = addLeaf(inPlace, proposal.keyPackage.leafNode);
          expect(added).toEqual([index]);
          expect(inPlace.leaf(index)).toBe(proposal.keyPackage.leafNode);
        } else if (proposal.kind === 'update') {
          updateLeaf(inPlace, v.proposal_sender, proposal.leafNode);
        } else if (proposal.kind === 'remove') {
          removeLeaf(inPlace, proposal.removed);
        } else {
          throw new Error(`unexpected proposal ${proposal.kind}`);
        }
        expect(toHex(inPlace.encode())).toBe(v.tree_after);
        expect(toHex(treeHash(inPlace))).toBe(v.tree_hash_after);
        tally.pass();
      });
    });
  });

  describe('tree edits: what the vectors do not cover', () => {
    it('rejected edits leave the tree unchanged', () => {
      for (const v of ALL) {
        const tree = PublicRatchetTree.decode(suite(), hex(v.tree_before));
        const blank = tree.leftmostBlankLeaf();
        const member = tree.members()[0]!;
        if (blank !== undefined) {
          rejectsUnchanged(tree, 'blank-leaf', () => removeLeaf(tree, blank));
          rejectsUnchanged(tree, 'blank-leaf', () => updateLeaf(tree, blank, updateLeafNode));
        }
        rejectsUnchanged(tree, 'leaf-out-of-range', () => removeLeaf(tree, tree.leafCount));
        rejectsUnchanged(tree, 'leaf-out-of-range', () => removeLeaf(tree, 2 ** 32 - 1));
        rejectsUnchanged(tree, 'leaf-out-of-range', () => updateLeaf(tree, -1, updateLeafNode));
        rejectsUnchanged(tree, 'invalid-leaf-node', () => addLeaf(tree, updateLeafNode));
        rejectsUnchanged(tree, 'invalid-leaf-node', () => updateLeaf(tree, member, kpLeaf));
        // a list that fails halfway: the valid edits before the failure do not reach the tree
        const remove = { proposal: { kind: 'remove', removed: member } as Proposal };
        rejectsUnchanged(tree, 'blank-leaf', () => applyProposals(tree, [remove, remove]));
        rejectsUnchanged(tree, 'invalid-leaf-node', () =>
          applyProposals(tree, [remove, { proposal: { kind: 'add', keyPackage: { ...(proposals[0] as Proposal & { kind: 'add' }).keyPackage, leafNode: updateLeafNode } } }]));
        rejectsUnchanged(tree, 'invalid-proposal', () => applyProposals(tree, [{ proposal: { kind: 'update', leafNode: updateLeafNode } }]));
        // a tree that fails validation is left as it was
        rejectsUnchanged(tree, 'invalid-leaf-signature', () => validateRatchetTree(tree, { groupId: new Uint8Array(3) }));
      }
    });

    it('an Add keeps unmerged_leaves in increasing order (§7.1)', () => {
      // Through the RFC's operations a lower leaf is never added under a parent that already lists
      // a higher one (removing that lower leaf blanked the parent); a hand-made tree exercises it.
      const leaf = (n: number): LeafNode => ({ ...kpLeaf, encryptionKey: key(1, n), signatureKey: key(2, n) });
      const parent = { encryptionKey: key(3, 0), parentHash: new Uint8Array(0), unmergedLeaves: [3] };
      const tree = PublicRatchetTree.fromNodes(suite(), [
        { kind: 'leaf', leaf: leaf(0) }, undefined, { kind: 'leaf', leaf: leaf(1) }, { kind: 'parent', parent },
        undefined, undefined, { kind: 'leaf', leaf: leaf(3) },
      ]);
      expect(addLeaf(tree, leaf(2))).toBe(2);
      expect(tree.parentNode(3)!.unmergedLeaves).toEqual([2, 3]);
      expect(parent.unmergedLeaves).toEqual([3]); // the old node object is not modified
      expect(addLeaf(tree, leaf(4))).toBe(4);
      expect(tree.leafCount).toBe(8);
      expect(tree.parentNode(3)!.unmergedLeaves).toEqual([2, 3]);
    });

    it('clones are independent both ways', () => {
      const v = ALL[0]!;
      const a = PublicRatchetTree.decode(suite(), hex(v.tree_before));
      const b = a.clone();
      const c = b.clone();
      removeLeaf(b, b.members().at(-1)!);
      expect(toHex(a.encode())).toBe(v.tree_before);
      expect(toHex(c.encode())).toBe(v.tree_before);
      addLeaf(a, kpLeaf);
      expect(toHex(c.encode())).toBe(v.tree_before);
      expect(toHex(treeHash(c))).toBe(v.tree_hash_before);
      expect(toHex(treeHash(a))).toBe(toHex(treeHash(PublicRatchetTree.decode(suite(), a.encode()))));
      expect(toHex(treeHash(b))).toBe(toHex(treeHash(PublicRatchetTree.decode(suite(), b.encode()))));
    });

    it('a simulated history keeps the cached tree hash fresh and the tree parent-hash valid', () => {
      let serial = 0;
      const newLeaf = (source: LeafNode['source'] = kpLeaf.source): LeafNode => {
        serial++;
        return { ...kpLeaf, encryptionKey: key(1, serial), signatureKey: key(2, serial), source };
      };
      const tree = PublicRatchetTree.create(suite(), newLeaf());

      /** A Commit's UpdatePath from `leaf` (§7.5, §7.9): new keys on the filtered direct path, parent hashes root-down. */
      const commit = (leaf: number) => {
        const path = filteredDirectPath(tree, leaf);
        for (const p of path) {
          serial++;
          tree.setNode(p, { kind: 'parent', parent: { encryptionKey: key(3, serial), parentHash: new Uint8Array(0), unmergedLeaves: [] } });
        }
        const hashes = updatePathParentHashes(tree, leaf);
        expect(hashes.nodes.map((n) => n.node)).toEqual(path);
        for (const { node, parentHash } of hashes.nodes) {
          tree.setNode(node, { kind: 'parent', parent: { ...tree.parentNode(node)!, parentHash } });
        }
        tree.setLeaf(leaf, { ...newLeaf({ kind: 'commit', parentHash: hashes.leaf }) });
      };

      const check = (what: string) => {
        expect(parentHashProblems(tree), what).toEqual([]);
        expect(toHex(treeHash(tree)), what).toBe(toHex(treeHash(PublicRatchetTree.decode(tree.suite, tree.encode()))));
        // everything but the (fake) signatures holds: unmerged lists, keys, parent hashes
        expect(codeOf(() => validateRatchetTree(tree, { groupId: new Uint8Array(1) })), what).toBe('invalid-leaf-signature');
        // the shape invariant: the root's right half holds a member
        if (tree.leafCount > 1) expect(tree.members().at(-1)!, what).toBeGreaterThanOrEqual(tree.leafCount / 2);
      };

      // adds fill leaves 1…6 in order, doubling the tree to 8 leaves
      expect([1, 2, 3, 4, 5, 6].map(() => addLeaf(tree, newLeaf()))).toEqual([1, 2, 3, 4, 5, 6]);
      expect(tree.leafCount).toBe(8);
      check('after the first adds');
      commit(2);
      check('after a commit from leaf 2');
      expect(tree.parentNode(tree.root)!.unmergedLeaves).toEqual([]);

      // new members become unmerged leaves of the committed parents above them
      expect(addLeaf(tree, newLeaf())).toBe(7);
      expect(tree.parentNode(tree.root)!.unmergedLeaves).toEqual([7]);
      expect(addLeaf(tree, newLeaf())).toBe(8); // extends to 16 leaves; the new root is blank
      expect(tree.leafCount).toBe(16);
      expect(tree.isBlank(tree.root)).toBe(true);
      check('after growing to 16 leaves');
      commit(5);
      check('after a commit from leaf 5');

      // removing leaf 1 and adding again fills leaf 1, inserted in order into unmerged lists
      commit(7);
      removeLeaf(tree, 3);
      removeLeaf(tree, 1);
      check('after removes');
      addLeaf(tree, newLeaf()); // takes leaf 1
      addLeaf(tree, newLeaf()); // takes leaf 3
      expect(tree.members()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
      for (let p = 1; p < tree.nodeCount; p += 2) {
        const list = tree.parentNode(p)?.unmergedLeaves ?? [];
        expect([...list].sort((x, y) => x - y)).toEqual(list);
      }
      expect(resolution(tree, tree.root).length).toBeGreaterThan(1);
      check('after refilling leaves 1 and 3');

      // an update blanks the sender's path; removes at the right edge truncate
      updateLeaf(tree, 4, { ...newLeaf({ kind: 'update' }) });
      for (const p of directPath(leafToNode(4), tree.leafCount)) expect(tree.isBlank(p)).toBe(true);
      check('after an update');
      removeLeaf(tree, 8);
      expect(tree.leafCount).toBe(8);
      check('after removing the only member on the right');
      for (const m of [7, 6, 5]) removeLeaf(tree, m);
      expect(tree.leafCount).toBe(8); // leaf 4 keeps the right half
      removeLeaf(tree, 4);
      expect(tree.leafCount).toBe(4);
      check('after truncating to 4 leaves');
      commit(0);
      check('after a commit from leaf 0');
      expect(isParentHashValid(tree)).toBe(true);
      for (const m of [3, 2, 1]) removeLeaf(tree, m);
      expect(tree.leafCount).toBe(1);
      expect(tree.nodeCount).toBe(1);
      check('down to one member');
    });
  });
});
