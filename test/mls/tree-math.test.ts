// MLS array-based tree math (RFC 9420 §4.1, Appendix C): all of the mlswg tree-math vectors
// (../shared/vectors/mls/tree-math.json: n_leaves 1, 2, 4, … 512, with n_nodes, root and every node's
// left, right, parent and sibling, null where the RFC's function raises), then properties with
// fast-check (fixed seed): the functions against an independent model — the left-balanced tree built
// recursively from its definition, for any leaf count up to 2^10 — directPath / copath against
// parent / sibling, and commonAncestor against a brute-force walk of the model's ancestors. Then
// the edge cases: the errors, and the largest trees (2^31 leaves), where 32-bit arithmetic matters.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_LEAVES, commonAncestor, copath, directPath, isLeaf, leafToNode, left, level, nodeToLeaf, nodeWidth, parent, right, root, sibling,
} from '../../bindings/mls/tree/math.js';
import { FUZZ_SEED, fuzzing, runParameters } from '../diff/property.js';
import { countCases, loadVectors } from '../helpers/vectors.js';

interface TreeMathVector {
  n_leaves: number;
  n_nodes: number;
  root: number;
  left: Array<number | null>;
  right: Array<number | null>;
  parent: Array<number | null>;
  sibling: Array<number | null>;
}

const FILE = 'mls/tree-math.json';
const vectors: TreeMathVector[] = loadVectors(FILE);

/** Expects `f()` to equal `want`, or to throw a RangeError where the file has null. */
function expectOp(what: string, f: () => number, want: number | null): void {
  if (want === null) expect(f, what).toThrow(RangeError);
  else expect(f(), what).toBe(want);
}

describe('tree math: mlswg tree-math.json', () => {
  it(`matches every entry of ${FILE}`, () => {
    expect(Array.isArray(vectors) && vectors.length > 0).toBe(true);
    const count = countCases(FILE, vectors.length);
    vectors.forEach((v, i) => {
      const n = v.n_leaves;
      expect(nodeWidth(n), `n_nodes for ${n} leaves`).toBe(v.n_nodes);
      expect(root(n), `root for ${n} leaves`).toBe(v.root);
      for (const field of ['left', 'right', 'parent', 'sibling'] as const) expect(v[field], `${field} for ${n} leaves`).toHaveLength(v.n_nodes);
      for (let x = 0; x < v.n_nodes; x++) {
        expectOp(`left(${x})`, () => left(x), v.left[x]!);
        expectOp(`left(${x}, ${n})`, () => left(x, n), v.left[x]!);
        expectOp(`right(${x})`, () => right(x), v.right[x]!);
        expectOp(`right(${x}, ${n})`, () => right(x, n), v.right[x]!);
        expectOp(`parent(${x}, ${n})`, () => parent(x, n), v.parent[x]!);
        expectOp(`sibling(${x}, ${n})`, () => sibling(x, n), v.sibling[x]!);
      }
      count.ran(i);
    });
    count.done();
    console.log(`${FILE}: ${vectors.length} of ${vectors.length} vectors ran and passed`);
  });
});

// ---- an independent model: the left-balanced tree built from its definition ----

interface Model {
  width: number;
  root: number;
  left: Array<number | null>;
  right: Array<number | null>;
  parent: Array<number | null>;
}

/**
 * The tree of `n` leaves as RFC 9420 §4.1 / §7.1 describe it, without bit tricks: leaves in order at
 * the even indices, nodes numbered in-order; a range of leaves splits into the largest power of two
 * strictly smaller than its size (the full left subtree) and the rest, and its root sits between
 * the two halves, i.e. just before the first leaf of the right half.
 */
function buildModel(n: number): Model {
  const width = 2 * n - 1;
  const m: Model = { width, root: -1, left: Array(width).fill(null), right: Array(width).fill(null), parent: Array(width).fill(null) };
  const build = (lo: number, hi: number): number => { // leaves [lo, hi) → the subtree's root
    if (hi - lo === 1) return 2 * lo;
    let k = 1;
    while (k * 2 < hi - lo) k *= 2;
    const node = 2 * (lo + k) - 1;
    const l = build(lo, lo + k), r = build(lo + k, hi);
    m.left[node] = l;
    m.right[node] = r;
    m.parent[l] = node;
    m.parent[r] = node;
    return node;
  };
  m.root = build(0, n);
  return m;
}

const models = new Map<number, Model>();
const model = (n: number): Model => {
  let m = models.get(n);
  if (!m) models.set(n, (m = buildModel(n)));
  return m;
};

/** The model's ancestors of `x`, from `x` itself up to the root. */
function modelAncestors(m: Model, x: number): number[] {
  const out = [x];
  for (let p = m.parent[x]; p !== null; p = m.parent[p]) out.push(p);
  return out;
}

/** Brute force: the first ancestor of `a` (itself included) that is also an ancestor of `b`. */
function bruteCommonAncestor(m: Model, a: number, b: number): number {
  const ofB = new Set(modelAncestors(m, b));
  return modelAncestors(m, a).find((x) => ofB.has(x))!;
}

const PROPERTIES = 4; // how many share the fuzz time budget
const RUNS = 1000;
const TIMEOUT = fuzzing ? 0 : 60_000;

function check<T>(property: fc.IProperty<T>): void {
  const details = fc.check(property, fuzzing ? runParameters(PROPERTIES) : { seed: FUZZ_SEED, numRuns: RUNS });
  if (details.failed) expect.fail(fc.defaultReportMessage(details) ?? 'property failed');
  if (fuzzing) {
    expect(details.numRuns).toBeGreaterThan(0);
    return;
  }
  expect(details.interrupted, 'interrupted').toBe(false);
  expect(details.numSkips, 'runs skipped by a precondition').toBe(0);
  expect(details.numRuns, 'runs').toBe(RUNS);
}

/** A leaf count in [1, 2^10], powers of two as likely as any other size, and a node of that tree. */
const leafCount = fc.oneof(fc.integer({ min: 1, max: 1024 }), fc.integer({ min: 0, max: 10 }).map((e) => 2 ** e));
const treeAndNode = leafCount.chain((n) => fc.tuple(fc.constant(n), fc.nat(2 * n - 2)));
const treeAndPair = leafCount.chain((n) => fc.tuple(fc.constant(n), fc.nat(2 * n - 2), fc.nat(2 * n - 2)));

describe('tree math: properties (trees up to 2^10 leaves, any leaf count)', () => {
  it('every node of every tree of 1 … 70 leaves matches the model (root, left, right, parent, sibling)', () => {
    for (let n = 1; n <= 70; n++) {
      const m = model(n);
      expect(nodeWidth(n)).toBe(m.width);
      expect(root(n)).toBe(m.root);
      for (let x = 0; x < m.width; x++) {
        expect(isLeaf(x)).toBe(m.left[x] === null);
        expect(level(x)).toBe(x % 2 === 0 ? 0 : level(m.left[x]!) + 1);
        expectOp(`left(${x}, ${n})`, () => left(x, n), m.left[x]!);
        expectOp(`right(${x}, ${n})`, () => right(x, n), m.right[x]!);
        expectOp(`parent(${x}, ${n})`, () => parent(x, n), m.parent[x]!);
        const p = m.parent[x]!;
        expectOp(`sibling(${x}, ${n})`, () => sibling(x, n), p === null ? null : m.left[p] === x ? m.right[p]! : m.left[p]!);
      }
    }
  });

  it('parent, sibling and the children agree with the model for random trees and nodes', () => {
    check(fc.property(treeAndNode, ([n, x]) => {
      const m = model(n);
      expect(root(n)).toBe(m.root);
      expectOp('left', () => left(x, n), m.left[x]!);
      expectOp('right', () => right(x, n), m.right[x]!);
      expectOp('parent', () => parent(x, n), m.parent[x]!);
      if (x === m.root) expect(() => sibling(x, n)).toThrow(RangeError);
      else expect([m.left[m.parent[x]!], m.right[m.parent[x]!]]).toContain(sibling(x, n));
    }));
  }, TIMEOUT);

  it('directPath and copath are consistent with parent and sibling', () => {
    check(fc.property(treeAndNode, ([n, x]) => {
      const path = directPath(x, n);
      const co = copath(x, n);
      // the direct path is x's parent, its parent, … ending at the root (empty for the root)
      const iterated: number[] = [];
      for (let y = x; y !== root(n); y = parent(y, n)) iterated.push(parent(y, n));
      expect(path).toEqual(iterated);
      expect(path).toEqual(modelAncestors(model(n), x).slice(1));
      if (x === root(n)) expect(path).toEqual([]);
      else expect(path.at(-1)).toBe(root(n));
      // the copath is the sibling of x and of each direct-path node but the root, in that order
      expect(co).toHaveLength(path.length);
      const below = [x, ...path].slice(0, path.length); // x and the direct path but the root
      expect(co).toEqual(below.map((y) => sibling(y, n)));
      co.forEach((s, i) => {
        expect(parent(s, n)).toBe(path[i]);
        expect(s).not.toBe(below[i]);
      });
      // levels strictly rise along the direct path
      path.forEach((p, i) => expect(level(p)).toBeGreaterThan(level(i === 0 ? x : path[i - 1]!)));
    }));
  }, TIMEOUT);

  it('commonAncestor agrees with a brute-force walk of the model', () => {
    check(fc.property(treeAndPair, ([n, a, b]) => {
      const m = model(n);
      const c = commonAncestor(a, b);
      expect(c).toBe(bruteCommonAncestor(m, a, b));
      expect(commonAncestor(b, a)).toBe(c);
      // and it is on both direct paths (or is one of the nodes)
      expect([a, ...directPath(a, n)]).toContain(c);
      expect([b, ...directPath(b, n)]).toContain(c);
    }));
  }, TIMEOUT);

  it('commonAncestor agrees with brute force for every pair of leaves of a 2^6-leaf tree and of a 37-leaf tree', () => {
    for (const n of [64, 37]) {
      const m = model(n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        expect(commonAncestor(leafToNode(i), leafToNode(j))).toBe(bruteCommonAncestor(m, 2 * i, 2 * j));
      }
    }
  });
});

describe('tree math: edge cases', () => {
  it('leaves and leaf indices', () => {
    expect(leafToNode(0)).toBe(0);
    expect(leafToNode(5)).toBe(10);
    expect(nodeToLeaf(10)).toBe(5);
    expect(leafToNode(MAX_LEAVES - 1)).toBe(2 ** 32 - 2);
    expect(nodeToLeaf(2 ** 32 - 2)).toBe(MAX_LEAVES - 1);
    expect(() => nodeToLeaf(7)).toThrow(/node 7 is a parent node/);
    expect(() => leafToNode(-1)).toThrow(RangeError);
    expect(() => leafToNode(MAX_LEAVES)).toThrow(RangeError);
    expect(() => leafToNode(1.5)).toThrow(RangeError);
    expect(isLeaf(0)).toBe(true);
    expect(isLeaf(3)).toBe(false);
    expect(level(0)).toBe(0);
    expect(level(7)).toBe(3);
    expect(level(2 ** 31 - 1)).toBe(31);
    expect(level(2 ** 32 - 3)).toBe(1);
  });

  it('errors name the problem', () => {
    expect(() => left(4)).toThrow(/left: node 4 is a leaf/);
    expect(() => right(4)).toThrow(/right: node 4 is a leaf/);
    expect(() => parent(7, 8)).toThrow(/parent: node 7 is the root of a 8-leaf tree/);
    expect(() => sibling(3, 3)).toThrow(/sibling: node 3 is the root of a 3-leaf tree/);
    expect(() => parent(0, 1)).toThrow(/root/);
    expect(directPath(0, 1)).toEqual([]);
    expect(copath(0, 1)).toEqual([]);
    expect(() => parent(7, 4)).toThrow(/node 7 is outside a 4-leaf tree \(width 7\)/);
    expect(() => right(3, 2)).toThrow(/outside/);
    expect(() => directPath(9, 4)).toThrow(/outside/);
    expect(() => root(0)).toThrow(/leaf count 0/);
    expect(nodeWidth(0)).toBe(0);
    expect(() => nodeWidth(MAX_LEAVES + 1)).toThrow(RangeError);
    expect(() => parent(0, 2.5)).toThrow(RangeError);
    expect(() => level(-1)).toThrow(RangeError);
    expect(() => level(2 ** 32 - 1)).toThrow(RangeError);
    expect(() => level(Number.NaN)).toThrow(RangeError);
    expect(() => commonAncestor(0, 2 ** 32)).toThrow(RangeError);
  });

  it('right descends into a truncated right subtree only when given the leaf count', () => {
    expect(right(3)).toBe(5); // in the full 4-leaf tree
    expect(right(3, 3)).toBe(4); // the 3-leaf tree has no node 5: leaf 2 hangs off the root
    expect(right(7, 5)).toBe(8);
    expect(right(7, 6)).toBe(9);
    expect(parent(4, 3)).toBe(3);
    expect(parent(8, 5)).toBe(7);
    expect(sibling(8, 5)).toBe(3);
  });

  it('the largest trees: 2^31 leaves (indices up to 2^32 − 2) and 2^31 − 1 leaves', () => {
    const n = MAX_LEAVES, last = 2 ** 32 - 2, top = 2 ** 31 - 1;
    expect(nodeWidth(n)).toBe(2 ** 32 - 1);
    expect(root(n)).toBe(top);
    expect(left(top)).toBe(2 ** 30 - 1);
    expect(right(top)).toBe(3 * 2 ** 30 - 1);
    expect(right(top, n)).toBe(3 * 2 ** 30 - 1);
    expect(() => parent(top, n)).toThrow(/root/);
    expect(parent(last, n)).toBe(last - 1);
    expect(sibling(last, n)).toBe(last - 2);
    expect(parent(3 * 2 ** 30 - 1, n)).toBe(top);
    expect(sibling(3 * 2 ** 30 - 1, n)).toBe(2 ** 30 - 1);
    const path = directPath(last, n);
    expect(path).toHaveLength(31);
    expect(path.at(-1)).toBe(top);
    expect(path.every((p) => p >= 0 && p <= last)).toBe(true);
    expect(copath(last, n)).toHaveLength(31);
    expect(copath(last, n).at(-1)).toBe(2 ** 30 - 1);
    expect(directPath(0, n)).toEqual(Array.from({ length: 31 }, (_, k) => 2 ** (k + 1) - 1));
    expect(commonAncestor(0, last)).toBe(top);
    expect(commonAncestor(last, last - 2)).toBe(last - 1);
    expect(commonAncestor(top, last)).toBe(top);
    expect(commonAncestor(last, top)).toBe(top);
    // one leaf fewer (like 7 leaves, where leaf node 12 hangs off node 11 beside node 9): the last
    // leaf's level-1 parent is gone, so its parent is the level-2 node just before it
    const m = MAX_LEAVES - 1, lastM = 2 ** 32 - 4;
    expect(parent(12, 7)).toBe(11);
    expect(root(m)).toBe(top);
    expect(parent(lastM, m)).toBe(lastM - 1);
    expect(sibling(lastM, m)).toBe(lastM - 3);
    expect(right(lastM - 1, m)).toBe(lastM);
    expect(right(lastM - 1)).toBe(lastM + 1);
    expect(directPath(lastM, m).at(-1)).toBe(top);
    expect(directPath(lastM, m)).toHaveLength(30);
  });
});
