// RFC 9420 ratchet tree checks against tree-validation.json (suites 1–3, 14 trees each: blanks,
// unmerged leaves, trailing blanks, trees of 2…64 leaves), on both providers: the resolution of
// every node (§4.1.1), the tree hash of every node (§7.8), parent-hash validity (§7.9.2), every
// leaf's signature with the vector's group_id (§7.2/§7.3), the full §12.4.3.1 validation, and the
// re-encoding. Then what the vectors do not cover: tampered trees (each check must fail with its
// code and leave the tree as it was), the tree-hash cache recomputing only a changed path, and
// copy-on-write clones.
import { describe, expect, it } from 'vitest';
import type { CryptoProvider } from '../../bindings/index.js';
import { cipherSuite } from '../../bindings/mls/crypto/cipher-suite.js';
import type { LeafNode } from '../../bindings/mls/messages/leaf-node.js';
import type { Node, ParentNode } from '../../bindings/mls/messages/ratchet-tree.js';
import { directPath, leafToNode, level } from '../../bindings/mls/tree/math.js';
import { isParentHashValid, isParentHashValidWith, parentHashProblems } from '../../bindings/mls/tree/parent-hash.js';
import { PublicRatchetTree } from '../../bindings/mls/tree/ratchet-tree.js';
import { filteredDirectPath, resolution, resolutions } from '../../bindings/mls/tree/resolution.js';
import { treeHash, treeHashes } from '../../bindings/mls/tree/tree-hash.js';
import { validateLeafNode, validateRatchetTree, verifyLeafNodeSignature } from '../../bindings/mls/tree/validate.js';
import { forEachProvider } from '../helpers/providers.js';
import { hex, loadVectors, toHex } from '../helpers/vectors.js';
import { bySuite } from './suites.js';
import { codeOf } from './mls-error.js';

interface Vector {
  cipher_suite: number;
  tree: string;
  group_id: string;
  resolutions: number[][];
  tree_hashes: string[];
}

const FILE = 'mls/tree-validation.json';
const ALL = loadVectors<Vector[]>(FILE);

/** A copy of `bytes` with byte `i` flipped. */
function flip(bytes: Uint8Array, i = 0): Uint8Array {
  const out = bytes.slice();
  out[i]! ^= 0x01;
  return out;
}

/** `provider` with its hash calls counted. */
function counting(provider: CryptoProvider): { provider: CryptoProvider; calls: () => number } {
  let n = 0;
  // an object inheriting from the provider, with its own counting hash and hashMany (the provider is frozen)
  const counted = Object.create(provider, {
    hash: { value: (name: never, data: Uint8Array) => { n++; return provider.hash(name, data); } },
    hashMany: { value: (name: never, inputs: readonly Uint8Array[]) => { n += inputs.length; return provider.hashMany(name, inputs); } },
  }) as CryptoProvider;
  return { provider: counted, calls: () => n };
}

/** Expects `f` to fail with `code` and the tree to encode, and hash, exactly as before. */
function rejectsUnchanged(tree: PublicRatchetTree, code: string, f: () => unknown): void {
  const bytes = toHex(tree.encode());
  const h = toHex(treeHash(tree));
  expect(codeOf(f)).toBe(code);
  expect(toHex(tree.encode())).toBe(bytes);
  expect(toHex(treeHash(tree))).toBe(h);
}

forEachProvider((provider) => {
  describe('tree-validation.json', () => {
    const tally = bySuite(FILE, ALL, provider.name);
    tally.vectors.forEach((v, i) => {
      it(`#${i} suite ${v.cipher_suite}: ${v.tree_hashes.length} nodes`, () => {
        const suite = cipherSuite(v.cipher_suite, provider);
        const tree = PublicRatchetTree.decode(suite, hex(v.tree));
        expect(tree.nodeCount).toBe(v.tree_hashes.length);
        expect(toHex(tree.encode()), 're-encoding').toBe(v.tree);

        // §4.1.1 resolutions, node by node and in one pass
        for (let x = 0; x < tree.nodeCount; x++) expect(resolution(tree, x), `resolution of node ${x}`).toEqual(v.resolutions[x]);
        expect(resolutions(tree)).toEqual(v.resolutions);

        // §7.8 tree hashes: every node, and the root on a fresh tree computed top-down
        expect(treeHashes(tree).map(toHex)).toEqual(v.tree_hashes);
        const fresh = PublicRatchetTree.decode(suite, hex(v.tree));
        expect(toHex(treeHash(fresh))).toBe(v.tree_hashes[tree.root]);

        // §7.9.2 parent-hash validity
        expect(parentHashProblems(tree)).toEqual([]);
        expect(isParentHashValid(tree)).toBe(true);

        // §7.2 signatures with the vector's group_id (update/commit leaves sign group_id and leaf index)
        const groupId = hex(v.group_id);
        for (const m of tree.members()) {
          expect(verifyLeafNodeSignature(suite, tree.leaf(m)!, { groupId, leafIndex: m }), `leaf ${m} signature`).toBe(true);
        }

        // §12.4.3.1 as a whole, with the expected tree hash
        validateRatchetTree(tree, { groupId, treeHash: hex(v.tree_hashes[tree.root]!) });
        tally.pass();
      });
    });
  });

  describe('tree-validation.json: what the vectors do not cover', () => {
    // the suite-1 trees (the richest ones: unmerged leaves, blanks, several sources)
    const vectors = ALL.filter((v) => v.cipher_suite === 1);
    const suiteOf = () => cipherSuite(1, provider);

    it('a wrong group_id fails exactly the update and commit leaves', () => {
      let checked = 0;
      for (const v of vectors) {
        const tree = PublicRatchetTree.decode(suiteOf(), hex(v.tree));
        const other = flip(hex(v.group_id));
        for (const m of tree.members()) {
          const leaf = tree.leaf(m)!;
          expect(verifyLeafNodeSignature(tree.suite, leaf, { groupId: other, leafIndex: m })).toBe(leaf.source.kind === 'key_package');
          if (leaf.source.kind !== 'key_package') {
            expect(verifyLeafNodeSignature(tree.suite, leaf, { groupId: hex(v.group_id), leafIndex: m + 1 })).toBe(false);
            checked++;
          }
        }
        if (tree.members().some((m) => tree.leaf(m)!.source.kind !== 'key_package')) {
          rejectsUnchanged(tree, 'invalid-leaf-signature', () => validateRatchetTree(tree, { groupId: other }));
        }
      }
      expect(checked).toBeGreaterThan(0);
    });

    it('a tampered leaf signature, tree hash, parent key or unmerged list is rejected, the tree unchanged', () => {
      let parents = 0;
      let signatureOnly = 0;
      for (const v of vectors) {
        const groupId = hex(v.group_id);
        const tree = PublicRatchetTree.decode(suiteOf(), hex(v.tree));
        const m = tree.members()[0]!;
        const leaf = tree.leaf(m)!;

        // a flipped signature byte: the signature fails, and so do the parent hashes whose
        // original sibling tree hash covers the leaf (those are checked first)
        const badSig = tree.clone();
        badSig.setLeaf(m, { ...leaf, signature: flip(leaf.signature, 5) });
        expect(verifyLeafNodeSignature(badSig.suite, badSig.leaf(m)!, { groupId, leafIndex: m })).toBe(false);
        const expected = parentHashProblems(badSig).length === 0 ? 'invalid-leaf-signature' : 'invalid-parent-hash';
        rejectsUnchanged(badSig, expected, () => validateRatchetTree(badSig, { groupId }));
        if (expected === 'invalid-leaf-signature') signatureOnly++;

        // a wrong expected tree hash
        rejectsUnchanged(tree, 'tree-hash-mismatch', () => validateRatchetTree(tree, { groupId, treeHash: flip(treeHash(tree)) }));

        for (let p = 1; p < tree.nodeCount; p += 2) {
          const parent = tree.parentNode(p);
          if (parent === undefined) continue;
          parents++;
          // a changed encryption key breaks the parent hash of the node itself (its descendant's
          // parent_hash no longer matches), and nothing else is checked first
          const t = tree.clone();
          t.setNode(p, { kind: 'parent', parent: { ...parent, encryptionKey: flip(parent.encryptionKey, 3) } });
          expect(parentHashProblems(t)).toContain(p);
          rejectsUnchanged(t, 'invalid-parent-hash', () => validateRatchetTree(t, { groupId }));
          // and the original is untouched by the clone's change
          expect(parentHashProblems(tree)).toEqual([]);
        }

        // unmerged leaves: a leaf outside the subtree, a blank one, out of order
        for (let p = 1; p < tree.nodeCount; p += 2) {
          const parent = tree.parentNode(p);
          if (parent === undefined || level(p) < 1) continue;
          const span = 2 ** level(p) - 1;
          const outside = (p + span + 2) / 2; // the first leaf right of the subtree
          if (outside < tree.leafCount) {
            const t = tree.clone();
            t.setNode(p, { kind: 'parent', parent: { ...parent, unmergedLeaves: [...parent.unmergedLeaves, outside] } });
            rejectsUnchanged(t, 'invalid-unmerged-leaves', () => validateRatchetTree(t, { groupId }));
          }
          if (parent.unmergedLeaves.length > 0) {
            const t = tree.clone();
            t.setNode(p, { kind: 'parent', parent: { ...parent, unmergedLeaves: [...parent.unmergedLeaves, ...parent.unmergedLeaves] } });
            rejectsUnchanged(t, 'invalid-unmerged-leaves', () => validateRatchetTree(t, { groupId }));
          }
        }
      }
      expect(parents).toBeGreaterThan(0);
      expect(signatureOnly).toBeGreaterThan(0);
    });

    it('a duplicated key is rejected', () => {
      const v = vectors.find((x) => PublicRatchetTree.decode(suiteOf(), hex(x.tree)).members().length >= 2)!;
      const tree = PublicRatchetTree.decode(suiteOf(), hex(v.tree));
      const [a, b] = tree.members() as [number, number];
      const t = tree.clone();
      t.setLeaf(b, { ...t.leaf(b)!, signatureKey: t.leaf(a)!.signatureKey });
      rejectsUnchanged(t, 'duplicate-key', () => validateRatchetTree(t, { groupId: hex(v.group_id) }));
      const u = tree.clone();
      u.setLeaf(b, { ...u.leaf(b)!, encryptionKey: u.leaf(a)!.encryptionKey });
      rejectsUnchanged(u, 'duplicate-key', () => validateRatchetTree(u, { groupId: hex(v.group_id) }));
      // validateLeafNode: a new leaf reusing a member's keys, or from the wrong source
      const leaf = tree.leaf(a)!;
      const kp = tree.members().map((m) => tree.leaf(m)!).find((l) => l.source.kind === 'key_package');
      if (kp !== undefined) expect(codeOf(() => validateLeafNode(tree, kp, { groupId: hex(v.group_id), source: 'key_package' }))).toBe('duplicate-key');
      expect(codeOf(() => validateLeafNode(tree, leaf, { groupId: hex(v.group_id), source: leaf.source.kind === 'update' ? 'commit' : 'update', leafIndex: a })))
        .toBe('invalid-leaf-node');
    });

    it('a leaf in the tree validates against the tree when it replaces itself (commit source)', () => {
      let n = 0;
      for (const v of vectors) {
        const tree = PublicRatchetTree.decode(suiteOf(), hex(v.tree));
        for (const m of tree.members()) {
          const leaf = tree.leaf(m)!;
          if (leaf.source.kind !== 'commit') continue;
          validateLeafNode(tree, leaf, { groupId: hex(v.group_id), source: 'commit', leafIndex: m });
          n++;
        }
      }
      expect(n).toBeGreaterThan(0);
    });

    it('parent-hash links: each non-blank parent has its one linked descendant, on the filtered direct path', () => {
      for (const v of vectors) {
        const tree = PublicRatchetTree.decode(suiteOf(), hex(v.tree));
        for (let p = 1; p < tree.nodeCount; p += 2) {
          if (tree.parentNode(p) === undefined) continue;
          const linked: number[] = [];
          for (let d = 0; d < tree.nodeCount; d++) if (isParentHashValidWith(tree, d, p)) linked.push(d);
          expect(linked.length, `node ${p}`).toBe(1);
          // a linked leaf has P on its filtered direct path
          const d = linked[0]!;
          if (d % 2 === 0) expect(filteredDirectPath(tree, d / 2)).toContain(p);
        }
      }
    });

    it('the tree-hash cache recomputes only the changed path; clones are copy-on-write', () => {
      const v = vectors.reduce((a, b) => (b.tree_hashes.length > a.tree_hashes.length ? b : a));
      const { provider: counted, calls } = counting(provider);
      const tree = PublicRatchetTree.decode(cipherSuite(1, counted), hex(v.tree));
      expect(toHex(treeHash(tree))).toBe(v.tree_hashes[tree.root]);
      expect(calls()).toBe(tree.nodeCount); // one hash per node, the first time
      const before = calls();
      treeHash(tree);
      expect(calls()).toBe(before); // cached

      const m = tree.members().at(-1)!;
      const clone = tree.clone();
      clone.setLeaf(m, { ...clone.leaf(m)!, signature: flip(clone.leaf(m)!.signature) });
      const start = calls();
      const changed = treeHash(clone);
      expect(calls() - start).toBe(directPath(leafToNode(m), clone.leafCount).length + 1); // the leaf and its ancestors
      expect(toHex(changed)).not.toBe(v.tree_hashes[tree.root]);
      // the original kept its nodes and its cache
      const again = calls();
      expect(toHex(treeHash(tree))).toBe(v.tree_hashes[tree.root]);
      expect(calls()).toBe(again);
      expect(toHex(tree.encode())).toBe(v.tree);
      // and the changed clone hashes as a fresh decode of its encoding does
      expect(toHex(treeHash(PublicRatchetTree.decode(tree.suite, clone.encode())))).toBe(toHex(changed));
    });

    it('fromNodes refuses misplaced or absent nodes and drops trailing blanks', () => {
      const tree = PublicRatchetTree.decode(suiteOf(), hex(vectors[0]!.tree));
      const leaf = tree.node(0)!;
      const parent: Node = { kind: 'parent', parent: { encryptionKey: new Uint8Array(32), parentHash: new Uint8Array(0), unmergedLeaves: [] } satisfies ParentNode };
      expect(codeOf(() => PublicRatchetTree.fromNodes(tree.suite, []))).toBe('invalid-ratchet-tree');
      expect(codeOf(() => PublicRatchetTree.fromNodes(tree.suite, [undefined, undefined]))).toBe('invalid-ratchet-tree');
      expect(codeOf(() => PublicRatchetTree.fromNodes(tree.suite, [parent]))).toBe('invalid-ratchet-tree');
      expect(codeOf(() => PublicRatchetTree.fromNodes(tree.suite, [leaf, leaf]))).toBe('invalid-ratchet-tree');
      const t = PublicRatchetTree.fromNodes(tree.suite, [leaf, undefined, leaf, undefined, undefined]);
      expect(t.leafCount).toBe(2);
      expect(t.toRatchetTree().length).toBe(3);
      const one = PublicRatchetTree.create(tree.suite, (leaf as { leaf: LeafNode }).leaf);
      expect(one.leafCount).toBe(1);
      expect(isParentHashValid(one)).toBe(true);
      expect(resolution(one, 0)).toEqual([0]);
      expect(filteredDirectPath(one, 0)).toEqual([]);
    });
  });
});
