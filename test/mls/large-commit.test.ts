// What makes a Commit to a large group cheap to process, checked against the plain way of doing
// the same thing:
// * PublicRatchetTree keeps its node and hash arrays in chunks (copy-on-write per chunk): trees of
//   more than one chunk (here up to 2,047 nodes), cloned and edited in turn, each keep a cached
//   tree hash equal to a fresh tree's built from their own nodes, and never see each other's edits;
// * a decoded UpdatePathNode keeps its ciphertexts packed: the count and the j-th ciphertext are
//   the ones decoding item by item gives, re-encoding gives back the input bytes (also after the
//   array was unpacked, after bytes were changed in place, and after an element was replaced),
//   and a malformed vector is refused at decoding with a DecodeError, as before.
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../bindings/codec/reader.js';
import { cipherSuite } from '../../bindings/mls/crypto/cipher-suite.js';
import {
  type UpdatePath, ciphertextAt, ciphertextCount, decodeUpdatePath, encodeUpdatePath,
} from '../../bindings/mls/messages/commit.js';
import type { LeafNode } from '../../bindings/mls/messages/leaf-node.js';
import { type Proposal, decodeProposal } from '../../bindings/mls/messages/proposal.js';
import { addLeaf, removeLeaf, updateLeaf } from '../../bindings/mls/tree/edits.js';
import { PublicRatchetTree } from '../../bindings/mls/tree/ratchet-tree.js';
import { filteredDirectPath } from '../../bindings/mls/tree/resolution.js';
import { treeHash } from '../../bindings/mls/tree/tree-hash.js';
import { forEachProvider } from '../helpers/providers.js';
import { hex, loadVectors, toHex } from '../helpers/vectors.js';

const VECTORS = loadVectors<{ proposal: string }[]>('mls/tree-operations.json');
const kpLeaf = (VECTORS.map((v) => decodeProposal(hex(v.proposal))).find((p) => p.kind === 'add') as Proposal & { kind: 'add' }).keyPackage.leafNode;

/** 32 bytes that differ for every (tag, n). */
function key(tag: number, n: number): Uint8Array {
  const out = new Uint8Array(32);
  out[0] = tag;
  new DataView(out.buffer).setUint32(1, n);
  return out;
}

/** A deterministic generator (xorshift32), so a failure can be replayed. */
function random(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1;
  return (n) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

forEachProvider((provider) => {
  const suite = () => cipherSuite(1, provider);

  describe('a ratchet tree of several chunks', () => {
    it('clones edited in turn keep fresh tree hashes and stay independent', () => {
      let serial = 0;
      const leaf = (source: LeafNode['source'] = kpLeaf.source): LeafNode => {
        serial++;
        return { ...kpLeaf, encryptionKey: key(1, serial), signatureKey: key(2, serial), source };
      };
      const base = PublicRatchetTree.create(suite(), leaf());
      for (let i = 1; i < 300; i++) addLeaf(base, leaf()); // 512 leaves, 1,023 nodes: two chunks
      expect(base.nodeCount).toBe(1023);
      const fresh = (t: PublicRatchetTree) => toHex(treeHash(PublicRatchetTree.fromNodes(t.suite, t.toNodes())));
      expect(toHex(treeHash(base))).toBe(fresh(base));

      const pick = random(13);
      const trees = [base];
      const snapshots = [base.encode()];
      for (let step = 0; step < 30; step++) {
        const t = trees[pick(trees.length)]!;
        const before = trees.map((x) => toHex(x.encode()));
        const next = t.clone();
        const members = next.members();
        switch (pick(4)) {
          case 0: addLeaf(next, leaf()); break;
          case 1: removeLeaf(next, members[pick(members.length)]!); break;
          case 2: updateLeaf(next, members[pick(members.length)]!, leaf({ kind: 'update' })); break;
          default: { // a path's parents re-keyed, as an UpdatePath merge does
            const from = members[pick(members.length)]!;
            for (const p of filteredDirectPath(next, from)) {
              serial++;
              next.setNode(p, { kind: 'parent', parent: { encryptionKey: key(3, serial), parentHash: new Uint8Array(0), unmergedLeaves: [] } });
            }
          }
        }
        // the edit reached no other tree, and every cached hash is still the fresh one
        expect(trees.map((x) => toHex(x.encode()))).toEqual(before);
        expect(toHex(treeHash(next))).toBe(fresh(next));
        trees.push(next);
        snapshots.push(next.encode());
      }
      trees.forEach((x, i) => expect(toHex(x.encode())).toBe(toHex(snapshots[i]!)));
      for (const x of trees) expect(toHex(treeHash(x))).toBe(fresh(x));
      // growth across a chunk boundary and truncation back
      const grow = base.clone();
      while (grow.leafCount < 1024) addLeaf(grow, leaf());
      expect(toHex(treeHash(grow))).toBe(fresh(grow));
      for (const m of grow.members().filter((m) => m >= 200)) removeLeaf(grow, m);
      expect(grow.leafCount).toBe(256);
      expect(toHex(treeHash(grow))).toBe(fresh(grow));
      expect(toHex(base.encode())).toBe(toHex(snapshots[0]!));
    });
  });
});

describe('a decoded UpdatePathNode keeps its ciphertexts packed', () => {
  const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
  const path: UpdatePath = {
    leafNode: kpLeaf,
    nodes: [
      { encryptionKey: bytes(32, 1), encryptedPathSecret: Array.from({ length: 70 }, (_, i) => ({ kemOutput: bytes(32, i), ciphertext: bytes(48 + (i % 3) * 40, 255 - i) })) },
      { encryptionKey: bytes(32, 2), encryptedPathSecret: [] },
      { encryptionKey: bytes(32, 3), encryptedPathSecret: [{ kemOutput: bytes(0, 0), ciphertext: bytes(20000, 7) }] },
    ],
  };
  const encoded = encodeUpdatePath(path);

  it('gives the values decoding item by item gives, and the same bytes back', () => {
    const decoded = decodeUpdatePath(encoded);
    decoded.nodes.forEach((node, i) => {
      const want = path.nodes[i]!.encryptedPathSecret;
      expect(ciphertextCount(node)).toBe(want.length);
      want.forEach((c, j) => {
        expect(toHex(ciphertextAt(node, j).kemOutput)).toBe(toHex(c.kemOutput));
        expect(toHex(ciphertextAt(node, j).ciphertext)).toBe(toHex(c.ciphertext));
      });
    });
    expect(toHex(encodeUpdatePath(decoded))).toBe(toHex(encoded));
    expect(decoded).toEqual(path); // unpacks every array: a plain comparison still holds
    expect(toHex(encodeUpdatePath(decoded))).toBe(toHex(encoded));
    expect({ ...decoded.nodes[0]! }).toEqual(path.nodes[0]);
  });

  it('re-encodes what the arrays hold once unpacked and changed', () => {
    const decoded = decodeUpdatePath(encoded);
    const items = decoded.nodes[0]!.encryptedPathSecret;
    items[5]!.ciphertext[0] ^= 1; // in place: the packed copy changes with it
    const inPlace = { ...path, nodes: path.nodes.map((n, i) => (i === 0 ? { ...n, encryptedPathSecret: n.encryptedPathSecret.map((c, j) => (j === 5 ? { ...c, ciphertext: Uint8Array.from(c.ciphertext, (b, k) => (k === 0 ? b ^ 1 : b)) } : c)) } : n)) };
    expect(toHex(encodeUpdatePath(decoded))).toBe(toHex(encodeUpdatePath(inPlace)));
    expect(ciphertextAt(decoded.nodes[0]!, 5).ciphertext[0]).toBe(items[5]!.ciphertext[0]);
    // an element replaced (a longer ciphertext) and one removed: written item by item
    (items as { kemOutput: Uint8Array; ciphertext: Uint8Array }[])[3] = { kemOutput: bytes(32, 9), ciphertext: bytes(90, 9) };
    (items as unknown[]).pop();
    expect(ciphertextCount(decoded.nodes[0]!)).toBe(69);
    const expected = { ...inPlace, nodes: inPlace.nodes.map((n, i) => (i === 0 ? { ...n, encryptedPathSecret: n.encryptedPathSecret.slice(0, 69).map((c, j) => (j === 3 ? { kemOutput: bytes(32, 9), ciphertext: bytes(90, 9) } : c)) } : n)) };
    expect(toHex(encodeUpdatePath(decoded))).toBe(toHex(encodeUpdatePath(expected)));
    expect(decodeUpdatePath(encodeUpdatePath(decoded))).toEqual(expected);
  });

  it('refuses a malformed ciphertext vector at decoding, with a DecodeError', () => {
    // an UpdatePath of one node: encryption_key 0xaa, then the given vector body (all short: 1-byte varints)
    const leafBytes = encodeUpdatePath({ leafNode: kpLeaf, nodes: [] }).subarray(0, -1);
    const craft = (body: number[]) => {
      const node = [1, 0xaa, body.length, ...body];
      return Uint8Array.from([...leafBytes, node.length, ...node]);
    };
    expect(decodeUpdatePath(craft([1, 7, 2, 8, 9])).nodes[0]!.encryptedPathSecret).toEqual([{ kemOutput: Uint8Array.of(7), ciphertext: Uint8Array.of(8, 9) }]);
    expect(ciphertextCount(decodeUpdatePath(craft([0, 0, 1, 7, 2, 8, 9])).nodes[0]!)).toBe(2);
    for (const body of [
      [1, 7], // no ciphertext
      [1, 7, 3, 8, 9], // the ciphertext overruns the vector
      [0x40, 0x01, 7, 0], // a non-minimal varint
      [0xc0, 0, 0, 0, 0], // the reserved prefix
      [0x80, 0, 0], // a truncated 4-byte varint
    ]) {
      expect(() => decodeUpdatePath(craft(body)), JSON.stringify(body)).toThrow(DecodeError);
    }
  });
});
