// DMLS building blocks (bindings/mls/dmls/, draft-kohbrok-mls-dmls): the GGM puncturable PRF
// against an independent rendering of DeriveFSSecret (HKDF-Expand written here on node:crypto's
// HMAC, the KDFLabel struct written here, not labels.ts) and against RFC 9420's SecretTree; forward
// secrecy after puncturing (no held node is an ancestor of the punctured input, no held secret equals
// any secret of its path, the consumed secrets are zeroed); dmls_epoch and the DMLSMessage codec
// (round trips, refusals, a fixed-seed fast-check slice); the parent_init key schedule (one init
// secret per child, never twice); the epoch store (bounded, deterministic fork resolution).
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CryptoProvider } from '../../bindings/index.js';
import { DecodeError } from '../../bindings/codec/reader.js';
import { type CipherSuite, cipherSuite } from '../../bindings/mls/crypto/cipher-suite.js';
import {
  DmlsEpochStore, type DmlsEpochEntry, Pprf, type PprfNode, childInitInput, commitConfirmation, compareForks, decodeDmlsMessage,
  deriveChildInitSecret, deriveChildInitSecretTentatively, dmlsEpochId, dmlsEpochKeys, encodeDmlsMessage,
} from '../../bindings/mls/dmls/index.js';
import { MlsError } from '../../bindings/mls/errors.js';
import { type GroupContext, encodeGroupContext } from '../../bindings/mls/group-context.js';
import * as M from '../../bindings/mls/messages/index.js';
import { SecretTree } from '../../bindings/mls/secret-tree.js';
import { FUZZ_SEED } from '../diff/property.js';
import { forEachProvider } from '../helpers/providers.js';
import { hex, loadVectors, toHex, utf8 } from '../helpers/vectors.js';
import { codeOf } from './mls-error.js';

const NH = 32;
const BITS = 8 * NH;

// ---- an independent rendering of the derivations ------------------------------------------------

/** HKDF-Expand(prk, info, 32) of RFC 5869 for one block: HMAC(prk, info ‖ 0x01). */
function refExpand(prk: Uint8Array, info: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', prk).update(info).update(Uint8Array.of(1)).digest());
}

/** A TLS varint length (RFC 9420 §2.1.2) for the short vectors used here. */
function varint(n: number): number[] {
  return n < 0x40 ? [n] : [0x40 | (n >> 8), n & 0xff];
}

/** ExpandWithLabel(secret, label, context, 32) of RFC 9420 §8, KDFLabel written out by hand. */
function refExpandWithLabel(secret: Uint8Array, label: string, context: Uint8Array): Uint8Array {
  const full = utf8(`MLS 1.0 ${label}`);
  const info = Uint8Array.from([0, NH, ...varint(full.length), ...full, ...varint(context.length), ...context]);
  return refExpand(secret, info);
}

const refDeriveSecret = (secret: Uint8Array, label: string) => refExpandWithLabel(secret, label, new Uint8Array(0));

const bit = (x: Uint8Array, i: number) => (x[i >> 3]! >> (7 - (i & 7))) & 1;

/** Every node secret on x's path, root (depth 0) to leaf (depth 256), and DeriveFSSecret's output. */
function refPath(key: Uint8Array, x: Uint8Array): { path: Uint8Array[]; out: Uint8Array } {
  const path = [key];
  for (let i = 0; i < BITS; i++) path.push(refExpandWithLabel(path[i]!, 'tree', utf8(bit(x, i) ? 'right' : 'left')));
  return { path, out: refDeriveSecret(path[BITS]!, 'pprf') };
}

/** Deterministic test bytes: a SHA-256-based stream keyed by a label. */
function bytes(label: string, n = NH): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i * 32 < n; i++) out.set(new Uint8Array(createHmac('sha256', 'dmls-test').update(`${label}/${i}`).digest()).subarray(0, n - i * 32), i * 32);
  return out;
}

/** True when `node` is x's path node at its depth (an ancestor of x, or x's leaf). */
function isOnPath(node: PprfNode, x: Uint8Array): boolean {
  for (let i = 0; i < node.depth; i++) if (bit(node.prefix, i) !== bit(x, i)) return false;
  return true;
}

const isZero = (b: Uint8Array) => b.every((v) => v === 0);
const dumpState = (p: Pprf) => p.snapshot().map((n) => `${n.depth}:${toHex(n.prefix)}:${toHex(n.secret)}`);

/** Inputs with long shared prefixes as well as unrelated ones. */
function points(): Uint8Array[] {
  const base = bytes('base');
  const flipLast = base.slice(); flipLast[NH - 1]! ^= 1;
  const flipFirst = base.slice(); flipFirst[0]! ^= 0x80;
  const flipMiddle = base.slice(); flipMiddle[16]! ^= 0x10;
  return [base, flipLast, flipFirst, flipMiddle, new Uint8Array(NH), new Uint8Array(NH).fill(0xff), ...Array.from({ length: 6 }, (_, i) => bytes(`point ${i}`))];
}

function groupContext(label: string, epoch: bigint): GroupContext {
  return { cipherSuite: 1, groupId: utf8('dmls group'), epoch, treeHash: bytes(`tree ${label}`), confirmedTranscriptHash: bytes(`cth ${label}`), extensions: [] };
}

forEachProvider((provider: CryptoProvider) => {
  let cached: CipherSuite | undefined;
  const suite = () => (cached ??= cipherSuite(1, provider));

  describe('PPRF (DeriveFSSecret, draft §5)', () => {
    it('evaluates every input to DeriveFSSecret computed from the root, in any order, repeatably', () => {
      const key = bytes('key');
      const xs = points();
      const expected = xs.map((x) => toHex(refPath(key, x).out));
      const forward = new Pprf(suite(), key);
      const backward = new Pprf(suite(), key);
      xs.forEach((x, i) => expect(toHex(forward.evaluate(x))).toBe(expected[i]));
      [...xs].reverse().forEach((x, j) => expect(toHex(backward.evaluate(x))).toBe(expected[xs.length - 1 - j]));
      // again, now from the cached leaves
      xs.forEach((x, i) => expect(toHex(forward.evaluate(x))).toBe(expected[i]));
      expect(dumpState(forward)).toEqual(dumpState(backward)); // the state does not depend on the order
      for (const x of xs) expect(forward.isPunctured(x)).toBe(false);
    });

    it('is the RFC 9420 §9 secret tree: the co-path of a punctured input is SecretTree\'s (8 leaves)', () => {
      const encryptionSecret = bytes('encryption secret');
      for (let leaf = 0; leaf < 8; leaf++) {
        const tree = new SecretTree(suite(), encryptionSecret, 8);
        tree.keyForSend(leaf, 'application');
        const held = new Map(tree.toState().nodes.map((n) => [n.node, toHex(n.secret)]));
        const x = new Uint8Array(NH);
        x[0] = leaf << 5; // the top 3 bits are the leaf index
        const pprf = new Pprf(suite(), encryptionSecret);
        pprf.puncture(x);
        const top = pprf.snapshot().filter((n) => n.depth <= 3);
        expect(top.length).toBe(3);
        for (const n of top) {
          const level = 3 - n.depth;
          const index = (n.prefix[0]! >> (8 - n.depth)) * 2 ** (level + 1) + 2 ** level - 1;
          expect(held.get(index), `leaf ${leaf}, node ${index}`).toBe(toHex(n.secret));
        }
        expect(held.size).toBe(3);
      }
    });

    it('refuses inputs and keys that are not Nh bytes (RangeError) and a bound below one walk', () => {
      const pprf = new Pprf(suite(), bytes('key'));
      expect(() => pprf.evaluate(new Uint8Array(31))).toThrow(RangeError);
      expect(() => pprf.puncture(new Uint8Array(33))).toThrow(RangeError);
      expect(() => new Pprf(suite(), new Uint8Array(16))).toThrow(RangeError);
      expect(() => new Pprf(suite(), bytes('key'), { maxHeldSecrets: BITS - 1 })).toThrow(RangeError);
    });
  });

  describe('PPRF forward secrecy (puncturing)', () => {
    it('a punctured input cannot be evaluated again, and nothing held derives it', () => {
      const key = bytes('key');
      const xs = points();
      const pprf = new Pprf(suite(), key);
      const before = xs.map((x) => toHex(pprf.evaluate(x)));
      const target = xs[0]!;
      const ref = refPath(key, target);
      expect(pprf.puncture(target)).toBe(true);
      expect(codeOf(() => pprf.evaluate(target))).toBe('pprf-punctured');
      expect(codeOf(() => pprf.take(target))).toBe('pprf-punctured');
      expect(pprf.isPunctured(target)).toBe(true);
      expect(pprf.puncture(target)).toBe(false); // already gone: nothing changes
      // Brute force over the state: no held node is on the target's path (an ancestor or its leaf),
      // so none can be expanded down to it; and no held secret is any secret of that path.
      const pathSecrets = new Set([...ref.path, ref.out].map(toHex));
      const held = pprf.snapshot();
      for (const n of held) {
        expect(isOnPath(n, target), `node ${n.depth}:${toHex(n.prefix)}`).toBe(false);
        expect(pathSecrets.has(toHex(n.secret))).toBe(false);
      }
      // And literally: walking down the target's bits from any held node never reaches its leaf.
      const info = (side: string) => Uint8Array.from([0, NH, 12, ...utf8('MLS 1.0 tree'), side.length, ...utf8(side)]);
      const [toLeft, toRight] = [info('left'), info('right')];
      for (const n of held) {
        let s = n.secret;
        for (let i = n.depth; i < BITS; i++) s = refExpand(s, bit(target, i) ? toRight : toLeft);
        expect(toHex(s) === toHex(ref.path[BITS]!)).toBe(false);
      }
      // …while the siblings of the whole path are held (the target's neighbour differs in the last bit).
      expect(held.some((n) => n.depth === BITS && toHex(n.secret) === toHex(refExpandWithLabel(ref.path[BITS - 1]!, 'tree', utf8(bit(target, BITS - 1) ? 'left' : 'right'))))).toBe(true);
      // Every other input still evaluates to what it did before.
      xs.slice(1).forEach((x, i) => expect(toHex(pprf.evaluate(x))).toBe(before[i + 1]));
    });

    it('puncturing from the root holds exactly 8·Nh siblings, none on the path, and zeroes what it consumed', () => {
      const key = bytes('key');
      const pprf = new Pprf(suite(), key);
      const [root] = pprf.snapshot(); // a live view of the held root secret
      expect(toHex(root!.secret)).toBe(toHex(key));
      const x = bytes('x');
      pprf.puncture(x);
      expect(isZero(root!.secret)).toBe(true);
      const held = pprf.snapshot();
      expect(held.length).toBe(BITS); // one sibling per level
      expect(held.map((n) => n.depth).sort((a, b) => a - b)).toEqual(Array.from({ length: BITS }, (_, i) => i + 1));
      const ref = refPath(key, x);
      held.forEach((n) => {
        const i = n.depth - 1;
        const sibling = refExpandWithLabel(ref.path[i]!, 'tree', utf8(bit(x, i) ? 'left' : 'right'));
        expect(toHex(n.secret)).toBe(toHex(sibling));
      });
    });

    it('the secrets a puncture removes are zeroed in memory; the others are untouched', () => {
      const pprf = new Pprf(suite(), bytes('key'));
      const xs = points();
      for (const x of xs) pprf.evaluate(x); // caches leaves and siblings
      for (const target of [xs[1]!, xs[5]!, xs[7]!]) {
        const before = pprf.snapshot(); // live references
        const copies = before.map((n) => n.secret.slice());
        pprf.puncture(target);
        const after = new Set(pprf.snapshot().map((n) => n.secret));
        let removed = 0;
        before.forEach((n, i) => {
          if (after.has(n.secret)) {
            expect(toHex(n.secret)).toBe(toHex(copies[i]!));
          } else {
            removed++;
            expect(isOnPath(n, target)).toBe(true); // only the path goes
            expect(isZero(n.secret), `node ${n.depth}:${toHex(n.prefix)}`).toBe(true);
          }
        });
        expect(removed).toBeGreaterThan(0);
      }
    });

    it('take() returns the value evaluate() would and punctures in the same step', () => {
      const key = bytes('key');
      const x = bytes('take');
      const pprf = new Pprf(suite(), key);
      expect(toHex(pprf.take(x))).toBe(toHex(refPath(key, x).out));
      expect(codeOf(() => pprf.evaluate(x))).toBe('pprf-punctured');
      for (const n of pprf.snapshot()) expect(isOnPath(n, x)).toBe(false);
    });

    it('the state bound refuses a walk before anything changes', () => {
      const pprf = new Pprf(suite(), bytes('key'), { maxHeldSecrets: 300 });
      const a = new Uint8Array(NH);
      const b = new Uint8Array(NH).fill(0xff); // differs in the first bit: its walk starts at depth 1
      pprf.puncture(a); // 256 held
      const state = dumpState(pprf);
      expect(codeOf(() => pprf.puncture(b))).toBe('pprf-state-full');
      expect(codeOf(() => pprf.evaluate(b))).toBe('pprf-state-full');
      expect(dumpState(pprf)).toEqual(state);
      // A neighbour of a (short walk) still fits.
      const near = a.slice(); near[NH - 1] = 1;
      expect(toHex(pprf.evaluate(near))).toBe(toHex(refPath(bytes('key'), near).out));
      expect(pprf.size).toBeLessThanOrEqual(300);
    });

    it('toState / fromState round-trip; impossible states are refused', () => {
      const pprf = new Pprf(suite(), bytes('key'));
      const xs = points();
      pprf.puncture(xs[0]!);
      pprf.evaluate(xs[1]!);
      const state = pprf.toState();
      const copy = Pprf.fromState(suite(), state);
      expect(dumpState(copy)).toEqual(dumpState(pprf));
      expect(codeOf(() => copy.evaluate(xs[0]!))).toBe('pprf-punctured');
      expect(toHex(copy.evaluate(xs[2]!))).toBe(toHex(pprf.evaluate(xs[2]!)));
      const node = state.nodes[0]!;
      const ancestor = { depth: 0, prefix: new Uint8Array(NH), secret: bytes('s') };
      expect(codeOf(() => Pprf.fromState(suite(), { ...state, nodes: [...state.nodes, ancestor] }))).toBe('pprf-state');
      expect(codeOf(() => Pprf.fromState(suite(), { ...state, nodes: [...state.nodes, node] }))).toBe('pprf-state');
      const dirty = { depth: 1, prefix: Uint8Array.of(0x40, ...new Uint8Array(NH - 1)), secret: bytes('s') };
      expect(codeOf(() => Pprf.fromState(suite(), { maxHeldSecrets: BITS, nodes: [dirty] }))).toBe('pprf-state');
      expect(codeOf(() => Pprf.fromState(suite(), { maxHeldSecrets: BITS, nodes: [{ ...dirty, depth: BITS + 1 }] }))).toBe('pprf-state');
    });

    it('dispose() wipes every held secret and ends the PPRF', () => {
      const pprf = new Pprf(suite(), bytes('key'));
      pprf.puncture(bytes('x'));
      const held = pprf.snapshot();
      pprf.dispose();
      for (const n of held) expect(isZero(n.secret)).toBe(true);
      expect(codeOf(() => pprf.evaluate(bytes('y')))).toBe('pprf-disposed');
      expect(pprf.isPunctured(bytes('y'))).toBe(true);
    });
  });

  describe('DMLS key schedule (draft §4)', () => {
    it('dmls_epoch and parent_init come from epoch_secret, which is wiped', () => {
      const epochSecret = bytes('epoch secret');
      expect(toHex(dmlsEpochId(suite(), epochSecret))).toBe(toHex(refDeriveSecret(epochSecret, 'epoch')));
      const mine = epochSecret.slice();
      const keys = dmlsEpochKeys(suite(), mine);
      expect(isZero(mine)).toBe(true);
      expect(toHex(keys.dmlsEpoch)).toBe(toHex(refDeriveSecret(epochSecret, 'epoch')));
      const x = bytes('any');
      expect(toHex(keys.parentInit.evaluate(x))).toBe(toHex(refPath(refDeriveSecret(epochSecret, 'parent_init'), x).out));
    });

    it('two concurrent children of one parent get their own init secrets; neither can be derived twice', () => {
      const epochSecret = bytes('parent epoch secret');
      const parentInitSecret = refDeriveSecret(epochSecret, 'parent_init');
      const { parentInit } = dmlsEpochKeys(suite(), epochSecret.slice());
      const children = ['alice', 'bob'].map((who) => {
        const rootPathSecret = bytes(`root path secret ${who}`);
        const context = groupContext(who, 6n);
        const confirmation = commitConfirmation(suite(), rootPathSecret);
        expect(toHex(confirmation)).toBe(toHex(refDeriveSecret(rootPathSecret, 'conf')));
        const x = refExpandWithLabel(confirmation, 'child_init', encodeGroupContext(context));
        expect(toHex(childInitInput(suite(), confirmation, context))).toBe(toHex(x));
        return { confirmation, context, expected: toHex(refPath(parentInitSecret, x).out) };
      });
      const inits = children.map((c) => toHex(deriveChildInitSecret(suite(), parentInit, c.confirmation, c.context)));
      expect(inits).toEqual(children.map((c) => c.expected));
      expect(inits[0]).not.toBe(inits[1]);
      for (const c of children) {
        expect(codeOf(() => deriveChildInitSecret(suite(), parentInit, c.confirmation, c.context))).toBe('pprf-punctured');
        expect(codeOf(() => deriveChildInitSecret(suite(), parentInit, c.confirmation, encodeGroupContext(c.context)))).toBe('pprf-punctured');
      }
      // A third commit (another context) is still derivable.
      const third = deriveChildInitSecret(suite(), parentInit, children[0]!.confirmation, groupContext('carol', 6n));
      expect(inits).not.toContain(toHex(third));
    });

    it('pathless commits: commit_confirmation from Nh zero bytes, told apart by the child GroupContext', () => {
      const { parentInit } = dmlsEpochKeys(suite(), bytes('epoch secret').slice());
      const confirmation = commitConfirmation(suite(), undefined);
      expect(toHex(confirmation)).toBe(toHex(refDeriveSecret(new Uint8Array(NH), 'conf')));
      const a = deriveChildInitSecret(suite(), parentInit, confirmation, groupContext('pathless a', 3n));
      const b = deriveChildInitSecret(suite(), parentInit, confirmation, groupContext('pathless b', 3n));
      expect(toHex(a)).not.toBe(toHex(b));
    });

    it('tentative derivation: discard keeps the child derivable, commit punctures it', () => {
      const { parentInit } = dmlsEpochKeys(suite(), bytes('epoch secret').slice());
      const confirmation = commitConfirmation(suite(), bytes('path'));
      const context = groupContext('tentative', 2n);
      const first = deriveChildInitSecretTentatively(suite(), parentInit, confirmation, context);
      const value = toHex(first.initSecret);
      first.discard();
      expect(isZero(first.initSecret)).toBe(true);
      expect(codeOf(() => first.commit())).toBe('dmls-settled');
      const second = deriveChildInitSecretTentatively(suite(), parentInit, confirmation, context);
      expect(toHex(second.initSecret)).toBe(value);
      second.commit();
      expect(codeOf(() => deriveChildInitSecret(suite(), parentInit, confirmation, context))).toBe('pprf-punctured');
    });
  });

  describe('DmlsEpochStore', () => {
    /** An epoch as a member would build it: its keys from an epoch secret, named after `label`. */
    function epoch(label: string, n: bigint, parent?: DmlsEpochEntry<string>): DmlsEpochEntry<string> {
      const { dmlsEpoch, parentInit } = dmlsEpochKeys(suite(), bytes(`epoch secret ${label}`));
      return { dmlsEpoch, epoch: n, confirmedTranscriptHash: bytes(`cth ${label}`), parentInit, state: label, ...(parent ? { parent: parent.dmlsEpoch } : {}) };
    }

    it('keeps at most maxEpochs, disposes what it evicts and refuses children of evicted epochs', () => {
      const evicted: string[] = [];
      const store = new DmlsEpochStore<string>(suite(), { maxEpochs: 3, onEvict: (e) => evicted.push(e.state) });
      const chain: DmlsEpochEntry<string>[] = [];
      for (let i = 0; i < 6; i++) {
        chain.push(epoch(`e${i}`, BigInt(i), chain[i - 1]));
        store.add(chain[i]!);
        expect(store.size).toBe(Math.min(i + 1, 3));
      }
      expect(evicted).toEqual(['e0', 'e1', 'e2']);
      expect(store.head()?.state).toBe('e5');
      expect(codeOf(() => chain[0]!.parentInit.evaluate(bytes('x')))).toBe('pprf-disposed');
      const conf = commitConfirmation(suite(), bytes('late'));
      expect(codeOf(() => store.deriveChildInitSecret(chain[1]!.dmlsEpoch, conf, groupContext('late', 2n)))).toBe('dmls-unknown-epoch');
      // A concurrent commit against a kept older epoch is accepted once.
      store.deriveChildInitSecret(chain[3]!.dmlsEpoch, conf, groupContext('late', 4n));
      expect(codeOf(() => store.deriveChildInitSecret(chain[3]!.dmlsEpoch, conf, groupContext('late', 4n)))).toBe('pprf-punctured');
    });

    it('refuses duplicates, unknown parents and wrong epoch numbers, changing nothing', () => {
      const store = new DmlsEpochStore<string>(suite());
      const root = epoch('root', 10n);
      store.add(root);
      expect(codeOf(() => store.add(root))).toBe('dmls-duplicate-epoch');
      expect(codeOf(() => store.add(epoch('orphan', 11n)))).toBe('dmls-unknown-parent');
      expect(codeOf(() => store.add({ ...epoch('stray', 11n), parent: bytes('nobody') }))).toBe('dmls-unknown-parent');
      expect(codeOf(() => store.add(epoch('skip', 12n, root)))).toBe('dmls-epoch-mismatch');
      expect(store.size).toBe(1);
      expect(() => new DmlsEpochStore(suite(), { maxEpochs: 0 })).toThrow(RangeError);
    });

    it('resolves forks deterministically, whatever the arrival order', () => {
      const p = epoch('p', 5n);
      const a = epoch('a', 6n, p);
      const b = epoch('b', 6n, p);
      const a2 = epoch('a2', 7n, a);
      const b2 = epoch('b2', 7n, b);
      const [winner, loser] = compareForks(a, b) > 0 ? ['a', 'b'] : ['b', 'a'];
      const byName: Record<string, DmlsEpochEntry<string>> = { p, a, b, a2, b2 };
      const orders = [['p', 'a', 'b', 'a2', 'b2'], ['p', 'b', 'b2', 'a', 'a2'], ['p', 'a', 'a2', 'b', 'b2']];
      const results = orders.map((order) => {
        const store = new DmlsEpochStore<string>(suite(), { maxEpochs: 8 });
        // Each store needs its own PPRFs (it owns and disposes them): rebuild the entries.
        for (const name of order) {
          const e = byName[name]!;
          store.add({ ...e, parentInit: dmlsEpochKeys(suite(), bytes(`epoch secret ${name}`)).parentInit });
        }
        return { head: store.head()!.state, order: store.entries().map((e) => e.state) };
      });
      for (const r of results) {
        expect(r.head).toBe(`${winner}2`); // the winning fork's tip, though the losing fork is as long
        expect(r).toEqual(results[0]);
      }
      // entries(): by epoch number, the winner first among equals
      const tips = compareForks(a2, b2) > 0 ? ['a2', 'b2'] : ['b2', 'a2'];
      expect(results[0]!.order).toEqual(['p', winner, loser, ...tips]);
    });

    it('evicting a fork point drops the losing fork with its descendants', () => {
      const evicted: string[] = [];
      const store = new DmlsEpochStore<string>(suite(), { maxEpochs: 3, onEvict: (e) => evicted.push(e.state) });
      const p = epoch('p', 1n);
      const a = epoch('a', 2n, p);
      const b = epoch('b', 2n, p);
      const [win, lose] = compareForks(a, b) > 0 ? [a, b] : [b, a];
      store.add(p);
      store.add(lose);
      store.add(win);
      const loseChild = epoch('lose child', 3n, lose);
      store.add(loseChild); // 4 > 3: the single root p goes; lose and win are now sibling roots
      expect(evicted).toEqual(['p']);
      expect(store.head()?.state).toBe(win.state);
      const winChild = epoch('win child', 3n, win);
      store.add(winChild); // 4 > 3: two roots, the losing one goes with its child
      expect(evicted).toEqual(['p', lose.state, 'lose child']);
      expect(store.entries().map((e) => e.state)).toEqual([win.state, 'win child']);
      expect(store.head()?.state).toBe('win child');
      store.dispose();
      expect(store.size).toBe(0);
      expect(evicted.length).toBe(5);
    });
  });
});

// ---- DMLSMessage (draft §3) ---------------------------------------------------------------------

describe('DMLSMessage codec', () => {
  const vectors = loadVectors<Record<string, string>[]>('mls/messages.json').slice(0, 20);
  const framed = vectors.flatMap((v) => [hex(v.private_message!), hex(v.public_message_commit!), hex(v.public_message_application!)]);
  const wrap = (mls: Uint8Array, epochId: Uint8Array) => Uint8Array.from([...mls, ...(epochId.length < 64 ? [epochId.length] : [0x40, epochId.length]), ...epochId]);

  it('round-trips public and private messages with their dmls_epoch', () => {
    framed.forEach((mls, i) => {
      const epochId = bytes(`dmls epoch ${i}`);
      const message = M.decodeMlsMessage(mls);
      if (message.kind !== 'mls_public_message' && message.kind !== 'mls_private_message') throw new Error('a framed vector');
      const encoded = encodeDmlsMessage({ message, dmlsEpoch: epochId });
      expect(toHex(encoded)).toBe(toHex(wrap(mls, epochId)));
      const decoded = decodeDmlsMessage(encoded, { hashLength: NH });
      expect(toHex(decoded.dmlsEpoch)).toBe(toHex(epochId));
      expect(toHex(encodeDmlsMessage(decoded))).toBe(toHex(encoded));
    });
    // A 64-byte dmls_epoch (a SHA-512 suite) has a 2-byte length.
    const long = bytes('long', 64);
    expect(toHex(decodeDmlsMessage(wrap(framed[0]!, long)).dmlsEpoch)).toBe(toHex(long));
  });

  it('refuses other wire formats, wrong dmls_epoch lengths, truncation and trailing bytes', () => {
    const epochId = bytes('e');
    const codeIn = (input: Uint8Array, options = {}) => codeOf(() => decodeDmlsMessage(input, options));
    for (const field of ['mls_welcome', 'mls_group_info', 'mls_key_package']) {
      expect(codeIn(wrap(hex(vectors[0]![field]!), epochId))).toBe('dmls-wire-format');
    }
    expect(codeIn(wrap(framed[0]!, bytes('e', 31)))).toBe('dmls-epoch-length');
    expect(codeIn(wrap(framed[0]!, new Uint8Array(0)))).toBe('dmls-epoch-length');
    expect(codeIn(wrap(framed[0]!, bytes('e', 48)), { hashLength: 32 })).toBe('dmls-epoch-length');
    const good = wrap(framed[0]!, epochId);
    expect(() => decodeDmlsMessage(good.subarray(0, good.length - 1))).toThrow(DecodeError);
    expect(() => decodeDmlsMessage(Uint8Array.from([...good, 0]))).toThrow(DecodeError);
    expect(() => decodeDmlsMessage(framed[0]!)).toThrow(DecodeError); // an MLSMessage without the wrapper
    const welcome = M.decodeMlsMessage(hex(vectors[0]!.mls_welcome!));
    expect(() => encodeDmlsMessage({ message: welcome as never, dmlsEpoch: epochId })).toThrow(TypeError);
    const message = M.decodeMlsMessage(framed[0]!) as never;
    expect(() => encodeDmlsMessage({ message, dmlsEpoch: bytes('e', 31) })).toThrow(RangeError);
  });

  it('decodes mutated input to a canonical value or a typed error, nothing else (fixed seed)', () => {
    const inputs = framed.slice(0, 12).map((mls, i) => wrap(mls, bytes(`fuzz ${i}`)));
    const edit = fc.record({
      at: fc.nat(),
      kind: fc.constantFrom('flip', 'byte', 'cut', 'insert', 'delete'),
      value: fc.oneof(fc.constantFrom(0x00, 0x01, 0x02, 0x03, 0x05, 0x1f, 0x20, 0x21, 0x3f, 0x40, 0x7f, 0x80, 0xc0, 0xff), fc.integer({ min: 0, max: 255 })),
    });
    let accepted = 0;
    const property = fc.property(fc.integer({ min: 0, max: inputs.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 3 }), (i, edits) => {
      let input = inputs[i]!.slice();
      for (const e of edits) {
        const p = e.at % (input.length + 1);
        const inside = p < input.length;
        if (e.kind === 'flip' && inside) input[p]! ^= 1 << (e.value & 7);
        else if (e.kind === 'byte' && inside) input[p] = e.value;
        else if (e.kind === 'cut') input = input.slice(0, p);
        else if (e.kind === 'insert') input = Uint8Array.from([...input.subarray(0, p), e.value, ...input.subarray(p)]);
        else if (e.kind === 'delete' && inside) input = Uint8Array.from([...input.subarray(0, p), ...input.subarray(p + 1)]);
      }
      let value;
      try {
        value = decodeDmlsMessage(input);
      } catch (error) {
        if (error instanceof DecodeError || error instanceof MlsError) return;
        throw error;
      }
      accepted++;
      expect(toHex(encodeDmlsMessage(value))).toBe(toHex(input));
    });
    const details = fc.check(property, { seed: FUZZ_SEED, numRuns: 2000 });
    if (details.failed) expect.fail(fc.defaultReportMessage(details) ?? 'property failed');
    expect(details.numRuns).toBe(2000);
    expect(accepted).toBeGreaterThan(0); // some mutations (e.g. inside ciphertext) still decode
  });
});
