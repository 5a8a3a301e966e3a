// Saving and restoring a member's group state (bindings/mls/group/persist.ts), on every provider.
// Real states come from the passive-client vectors (passive-client-handling-commit.json, suites
// 1-3, and the 200 epochs of passive-client-random.json): at several epochs — with the epoch's
// proposals received and cached — the state is saved and loaded, and the remaining epochs are
// processed from the loaded state, reaching the vector's epoch authenticators. Also: saving is
// deterministic and save(load(save(s))) = save(s); the exporter of a loaded state is the
// original's; the secret tree's whole state survives (generations consumed before saving stay
// consumed, the next ones give the original's keys, the limits are kept); a refused commit leaves
// the saved bytes unchanged; a blob saved on one provider loads on the other. Negative: every
// truncation and a sample of byte flips are refused with MlsError 'invalid-saved-state', as are
// re-sealed (check value recomputed) blobs whose contents are inconsistent, and re-sealed
// truncations / byte flips either load or fail with that code, never another error; the secrets
// decoded before a late failure are wiped. The toState / fromState pairs of SecretTree and
// TreeKemPrivateState refuse states they cannot be in.
import { describe, expect, it, vi } from 'vitest';
import { wasmProvider } from '../../bindings/index.js';
import type { CryptoProvider } from '../../bindings/index.js';
import { ByteReader } from '../../bindings/codec/reader.js';
import { readOpaque, readVector } from '../../bindings/codec/tls.js';
import { referenceProvider } from '../../bindings/provider/reference.js';
import { type CipherSuite, cipherSuite } from '../../bindings/mls/crypto/cipher-suite.js';
import { MlsError } from '../../bindings/mls/errors.js';
import { membershipTag } from '../../bindings/mls/framing/content-auth.js';
import { readExtension, readGroupContext } from '../../bindings/mls/group-context.js';
import { type CachedProposal, processCommit, receiveProposal } from '../../bindings/mls/group/commit.js';
import { type GroupState, joinGroup } from '../../bindings/mls/group/join.js';
import { loadGroupState, saveGroupState } from '../../bindings/mls/group/persist.js';
import { type MlsMessage, decodeMlsMessage } from '../../bindings/mls/messages/mls-message.js';
import { type RatchetType, SecretTree, type SecretTreeState } from '../../bindings/mls/secret-tree.js';
import { TreeKemPrivateState } from '../../bindings/mls/treekem/private-state.js';
import { forEachProvider } from '../helpers/providers.js';
import { hex, loadVectors, toHex } from '../helpers/vectors.js';
import { passiveInputs } from './passive-vectors.js';
import { bySuite } from './suites.js';
import { codeOf } from './mls-error.js';

const HEADER = 6; // "WCMLS" + version
const CHECK = 32;
const TYPES: readonly RatchetType[] = ['handshake', 'application'];

const zero = (b: Uint8Array) => b.every((x) => x === 0);

function joinVector(suite: CipherSuite, v: any, secretTree?: { maxForward?: number; maxSkipped?: number }) {
  const { welcome, keys, psks, ratchetTree } = passiveInputs(v);
  const group = joinGroup(suite, welcome, keys, { ...(ratchetTree !== undefined ? { ratchetTree } : {}), psks, ...(secretTree ? { secretTree } : {}) });
  return { group, psks };
}

/** Save → load → save: the loaded state saves to the same bytes, and looks like the original. */
function roundTrip(state: GroupState, proposals: readonly CachedProposal[], provider: CryptoProvider) {
  const saved = saveGroupState(state, proposals);
  expect(toHex(saveGroupState(state, proposals))).toBe(toHex(saved)); // deterministic
  const loaded = loadGroupState(saved, provider);
  expect(toHex(saveGroupState(loaded.state, loaded.proposals))).toBe(toHex(saved));
  const s = loaded.state;
  expect(s.suite.id).toBe(state.suite.id);
  expect(s.suite.provider).toBe(provider);
  expect(s.epoch).toBe(state.epoch);
  expect(toHex(s.groupId)).toBe(toHex(state.groupId));
  expect(toHex(s.epochAuthenticator)).toBe(toHex(state.epochAuthenticator));
  expect(s.leafIndex).toBe(state.leafIndex);
  expect(toHex(s.tree.encode())).toBe(toHex(state.tree.encode()));
  expect(s.privateState.nodes()).toEqual(state.privateState.nodes());
  expect(s.secretTree.toState()).toEqual(state.secretTree.toState());
  expect(s.secretTree.nLeaves).toBe(s.tree.leafCount);
  const ctx = new Uint8Array([1, 2, 3]);
  expect(toHex(s.exportSecret('persist test', ctx, 42))).toBe(toHex(state.exportSecret('persist test', ctx, 42)));
  expect(loaded.proposals.map((p) => toHex(p.ref))).toEqual(proposals.map((p) => toHex(p.ref)));
  return { saved, state: s, proposals: loaded.proposals };
}

/** Offsets of fields of a saved blob (version 1 layout), found with the codec. */
function layout(bytes: Uint8Array) {
  const r = new ByteReader(bytes, HEADER, bytes.length - CHECK);
  r.u16('suite');
  readGroupContext(r);
  readVector(r, 'ext', readExtension);
  const leafCount = r.offset;
  r.u32('leaf count');
  readOpaque(r, 'tree');
  const leafIndex = r.offset;
  r.u32('leaf');
  readOpaque(r, 'signature key');
  for (let i = 0; i < 12; i++) readOpaque(r, 'epoch secret');
  const confirmationTag = r.offset;
  readOpaque(r, 'tag');
  readOpaque(r, 'interim');
  readVector(r, 'keys', (v) => { v.u32('node'); readOpaque(v, 'key'); });
  const maxForward = r.offset;
  r.u64('max forward');
  r.u64('max skipped');
  const nLeaves = r.offset;
  r.u32('n leaves');
  readVector(r, 'nodes', (v) => { v.u32('node'); readOpaque(v, 'secret'); });
  const leaves = r.offset;
  return { leafCount, leafIndex, confirmationTag, maxForward, nLeaves, leaves };
}

/** `bytes` with its check value recomputed (what a writer of bad contents would do). */
function reseal(provider: CryptoProvider, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + CHECK);
  out.set(body);
  out.set(provider.hash('SHA-256', body), body.length);
  return out;
}

const withoutCheck = (bytes: Uint8Array) => bytes.slice(0, bytes.length - CHECK);

function patchU32(bytes: Uint8Array, at: number, value: number): Uint8Array {
  const body = withoutCheck(bytes);
  new DataView(body.buffer).setUint32(at, value);
  return body;
}

forEachProvider((provider) => {
  const otherProvider = provider === referenceProvider ? wasmProvider : referenceProvider;

  describe('passive-client-handling-commit.json: save and load at every step', () => {
    const file = 'mls/passive-client-handling-commit.json';
    const tally = bySuite(file, loadVectors<any[]>(file), provider.name);
    tally.vectors.forEach((v, i) => {
      it(`#${i} suite ${v.cipher_suite}`, () => {
        const suite = cipherSuite(v.cipher_suite, provider);
        let { group, psks } = joinVector(suite, v);
        const resumption = new Map<bigint, Uint8Array>([[group.epoch, group.epochSecrets.resumptionPsk.slice()]]);
        const options = () => ({ psks, resumptionPsk: (id: Uint8Array, e: bigint) => (toHex(id) === toHex(group.groupId) ? resumption.get(e) : undefined) });
        group = roundTrip(group, [], provider).state; // right after joining
        for (const [e, epoch] of (v.epochs as any[]).entries()) {
          let cached: CachedProposal[] = (epoch.proposals as string[]).map((p) => receiveProposal(group, decodeMlsMessage(hex(p))));
          // Saved with the epoch's proposals: the commit refers to them and is processed from the loaded pair.
          ({ state: group, proposals: cached } = roundTrip(group, cached, provider));
          const commit = decodeMlsMessage(hex(epoch.commit));
          if (commit.kind === 'mls_public_message') {
            // A refused commit leaves the state as it was, byte for byte.
            const before = toHex(saveGroupState(group, cached));
            expect(codeOf(() => processCommit(group, flipTag(group, commit), cached, options()))).toBe('invalid-confirmation-tag');
            expect(toHex(saveGroupState(group, cached))).toBe(before);
          }
          group = processCommit(group, commit, cached, options());
          expect(toHex(group.epochAuthenticator), `epoch ${e}`).toBe(epoch.epoch_authenticator);
          resumption.set(group.epoch, group.epochSecrets.resumptionPsk.slice());
          group = roundTrip(group, [], provider).state;
        }
        tally.pass();
      });
    });
  });

  describe('passive-client-random.json: 200 epochs, continued from loaded states', () => {
    const file = 'mls/passive-client-random.json';
    const tally = bySuite(file, loadVectors<any[]>(file), provider.name);
    tally.vectors.forEach((v, i) => {
      it(`#${i} suite ${v.cipher_suite}: ${v.epochs.length} epochs`, () => {
        const suite = cipherSuite(v.cipher_suite, provider);
        let { group, psks } = joinVector(suite, v);
        const resumption = new Map<bigint, Uint8Array>([[group.epoch, group.epochSecrets.resumptionPsk.slice()]]);
        const options = () => ({ psks, resumptionPsk: (id: Uint8Array, e: bigint) => (toHex(id) === toHex(group.groupId) ? resumption.get(e) : undefined) });
        let loads = 0;
        for (const [e, epoch] of (v.epochs as any[]).entries()) {
          let cached: CachedProposal[] = (epoch.proposals as string[]).map((p) => receiveProposal(group, decodeMlsMessage(hex(p))));
          if (e < 3 || e % 25 === 0 || e === v.epochs.length - 1) {
            ({ state: group, proposals: cached } = roundTrip(group, cached, provider));
            loads++;
          }
          group = processCommit(group, decodeMlsMessage(hex(epoch.commit)), cached, options());
          expect(toHex(group.epochAuthenticator), `epoch ${e}`).toBe(epoch.epoch_authenticator);
          resumption.set(group.epoch, group.epochSecrets.resumptionPsk.slice());
        }
        expect(loads).toBeGreaterThan(5);
        roundTrip(group, [], provider);
        tally.pass();
      });
    });
  });

  describe('what a saved state keeps', () => {
    const vectors = loadVectors<any[]>('mls/passive-client-handling-commit.json');

    for (const id of [1, 2, 3] as const) {
      it(`suite ${id}: the secret tree's generations, skipped keys and limits survive`, () => {
        const v = vectors.find((x) => x.cipher_suite === id && x.epochs.length > 0)!;
        const suite = cipherSuite(id, provider);
        const { group } = joinVector(suite, v, { maxForward: 40, maxSkipped: 5 });
        const n = group.secretTree.nLeaves;
        expect(n).toBeGreaterThan(1);
        const own = group.leafIndex;
        const peer = (own + 1) % n;
        const st = group.secretTree;
        for (let k = 0; k < 3; k++) st.keyForSend(own, 'application');
        st.keyForReceive(peer, 'application', 8); // skips 0…7, keeps 3…7 (maxSkipped 5)
        st.keyForReceive(peer, 'application', 5);
        st.keyForReceive(peer, 'handshake', 0);

        const { state } = roundTrip(group, [], provider);
        const lt = state.secretTree;
        for (let leaf = 0; leaf < n; leaf++) for (const t of TYPES) expect(lt.ratchetState(leaf, t)).toEqual(st.ratchetState(leaf, t));
        expect(lt.heldNodeSecrets()).toEqual(st.heldNodeSecrets());
        expect(lt.ratchetState(peer, 'application')).toEqual({ nextGeneration: 9, skippedGenerations: [3, 4, 6, 7] });

        // Consumed, expired and too-far generations are refused by the loaded tree as by the original.
        for (const tree of [st, lt]) {
          expect(codeOf(() => tree.keyForReceive(peer, 'application', 5))).toBe('generation-reused');
          expect(codeOf(() => tree.keyForReceive(peer, 'application', 8))).toBe('generation-reused');
          expect(codeOf(() => tree.keyForReceive(peer, 'application', 2))).toBe('generation-expired');
          expect(codeOf(() => tree.keyForReceive(peer, 'application', 9 + 41))).toBe('generation-too-far');
          expect(codeOf(() => tree.keyForReceive(peer, 'handshake', 0))).toBe('generation-reused');
          expect(codeOf(() => tree.keyForReceive(own, 'application', 2))).toBe('generation-reused');
        }
        // …and both give the same keys for what comes next: held skipped keys, new generations, sends.
        const same = (f: (t: SecretTree) => { key: Uint8Array; nonce: Uint8Array }) => {
          const a = f(st);
          const b = f(lt);
          expect(toHex(b.key)).toBe(toHex(a.key));
          expect(toHex(b.nonce)).toBe(toHex(a.nonce));
        };
        same((t) => t.keyForReceive(peer, 'application', 4));
        same((t) => t.keyForReceive(peer, 'application', 9));
        same((t) => t.keyForReceive(peer, 'application', 12));
        same((t) => t.keyForReceive(peer, 'handshake', 1));
        same((t) => t.keyForReceive(own, 'application', 3));
        same((t) => t.keyForSend(own, 'application'));
        same((t) => t.keyForSend(own, 'handshake'));
        // Leaves never touched are derived from the held node secrets.
        for (let leaf = 0; leaf < n; leaf++) if (leaf !== own && leaf !== peer) same((t) => t.keyForReceive(leaf, 'handshake', 2));
        expect(lt.toState()).toEqual(st.toState());
        state.secretTree.dispose();
      });
    }

    it('a blob saved on one provider loads on the other, and continues the same way', () => {
      for (const id of [1, 2, 3] as const) {
        const v = vectors.find((x) => x.cipher_suite === id && x.epochs.length > 0)!;
        const { group, psks } = joinVector(cipherSuite(id, provider), v);
        const cached = (v.epochs[0].proposals as string[]).map((p) => receiveProposal(group, decodeMlsMessage(hex(p))));
        const saved = saveGroupState(group, cached);
        const loaded = loadGroupState(saved, otherProvider);
        expect(loaded.state.suite.provider).toBe(otherProvider);
        expect(toHex(saveGroupState(loaded.state, loaded.proposals))).toBe(toHex(saved));
        const next = processCommit(loaded.state, decodeMlsMessage(hex(v.epochs[0].commit)), loaded.proposals, { psks });
        expect(toHex(next.epochAuthenticator)).toBe(v.epochs[0].epoch_authenticator);
      }
    });

    it('saving a retired (disposed) state is refused; saving changes nothing', () => {
      const v = vectors.find((x) => x.cipher_suite === 1)!;
      const { group } = joinVector(cipherSuite(1, provider), v);
      const before = group.secretTree.toState();
      saveGroupState(group, []);
      expect(group.secretTree.toState()).toEqual(before);
      expect(group.privateState.keyPair(2 * group.leafIndex)!.secretKey.some((b) => b !== 0)).toBe(true);
      group.secretTree.dispose();
      expect(codeOf(() => saveGroupState(group, []))).toBe('secret-tree-disposed');
    });
  });

  describe('refusing damaged or inconsistent blobs', () => {
    const vectors = loadVectors<any[]>('mls/passive-client-handling-commit.json');
    const v = vectors.find((x) => x.cipher_suite === 1 && x.epochs.some((e: any) => e.proposals.length > 0))!;
    const suite = cipherSuite(1, provider);
    const fresh = () => {
      let { group, psks } = joinVector(suite, v);
      const k = (v.epochs as any[]).findIndex((e) => e.proposals.length > 0);
      for (let e = 0; e < k; e++) group = processCommit(group, decodeMlsMessage(hex(v.epochs[e].commit)), [], { psks });
      const cached = (v.epochs[k].proposals as string[]).map((p) => receiveProposal(group, decodeMlsMessage(hex(p))));
      const n = group.secretTree.nLeaves;
      group.secretTree.keyForReceive((group.leafIndex + 1) % n, 'application', 3); // a ratchet with skipped keys
      return { group, cached, saved: saveGroupState(group, cached) };
    };
    const refused = (bytes: Uint8Array) => codeOf(() => loadGroupState(bytes, provider));

    it('every truncation and a sample of byte flips', () => {
      const { saved } = fresh();
      for (let len = 0; len < saved.length; len++) expect(refused(saved.subarray(0, len)), `length ${len}`).toBe('invalid-saved-state');
      expect(refused(new Uint8Array([...saved, 0]))).toBe('invalid-saved-state'); // a byte appended
      const step = Math.max(1, Math.floor(saved.length / 400));
      for (let at = 0; at < saved.length; at += step) {
        for (const mask of [0x01, 0x80]) {
          const bad = saved.slice();
          bad[at]! ^= mask;
          expect(refused(bad), `byte ${at} ^ ${mask}`).toBe('invalid-saved-state');
        }
      }
    });

    it('bad magic, unknown version, trailing bytes (check value recomputed)', () => {
      const { saved } = fresh();
      const body = withoutCheck(saved);
      const magic = body.slice();
      magic[0] = 0x58;
      expect(refused(reseal(provider, magic))).toBe('invalid-saved-state');
      for (const version of [0, 2, 255]) {
        const b = body.slice();
        b[5] = version;
        expect(refused(reseal(provider, b))).toBe('invalid-saved-state');
      }
      expect(refused(reseal(provider, new Uint8Array([...body, 0])))).toBe('invalid-saved-state');
      expect(refused(new Uint8Array(0))).toBe('invalid-saved-state');
      expect(loadGroupState(reseal(provider, body), provider).state.epoch).toBe(loadGroupState(saved, provider).state.epoch);
    });

    it('inconsistent contents (check value recomputed)', () => {
      const { group, saved } = fresh();
      const at = layout(saved);
      const n = group.tree.leafCount;
      // Own leaf outside the tree, or another member's leaf (not our signature key).
      expect(refused(reseal(provider, patchU32(saved, at.leafIndex, n)))).toBe('invalid-saved-state');
      const other = group.tree.members().find((m) => m !== group.leafIndex)!;
      expect(refused(reseal(provider, patchU32(saved, at.leafIndex, other)))).toBe('invalid-saved-state');
      // Secret tree size ≠ the tree's leaf count; the tree's leaf count field.
      expect(refused(reseal(provider, patchU32(saved, at.nLeaves, 2 * n)))).toBe('invalid-saved-state');
      expect(refused(reseal(provider, patchU32(saved, at.leafCount, 2 * n)))).toBe('invalid-saved-state');
      // A confirmation tag that does not give the interim transcript hash.
      const tag = withoutCheck(saved);
      tag[at.confirmationTag + 1]! ^= 1;
      expect(refused(reseal(provider, tag))).toBe('invalid-saved-state');
    });

    it('re-sealed truncations and byte flips load or fail with invalid-saved-state, nothing else', () => {
      const { saved } = fresh();
      const body = withoutCheck(saved);
      const step = Math.max(1, Math.floor(body.length / 300));
      for (let len = 0; len < body.length; len += step) expect(refused(reseal(provider, body.subarray(0, len))), `length ${len}`).toBe('invalid-saved-state');
      let loaded = 0;
      for (let at = HEADER; at < body.length; at += step) {
        const bad = body.slice();
        bad[at]! ^= 0x41;
        try {
          loadGroupState(reseal(provider, bad), provider);
          loaded++; // e.g. a byte of a secret or of an extension's data
        } catch (e) {
          expect(e, `byte ${at}`).toBeInstanceOf(MlsError);
          expect((e as MlsError).code, `byte ${at}`).toBe('invalid-saved-state');
        }
      }
      expect(loaded).toBeLessThan(body.length / step);
    });

    it('wipes the secrets it copied when a late check fails', () => {
      const { saved } = fresh();
      const at = layout(saved);
      // The first ratchet leaf's handshake floor set above its next generation: refused by
      // SecretTree.fromState, after the private state was built.
      const bad = withoutCheck(saved);
      const r = new ByteReader(bad, at.leaves, bad.length);
      const vectorLength = r.u8('length'); // a one-byte varint for a short vector, else two
      const first = vectorLength >> 6 === 0 ? at.leaves + 1 : at.leaves + 2;
      const floorAt = first + 4 + 8; // uint32 leaf, uint64 next, then the uint64 floor
      new DataView(bad.buffer).setUint32(floorAt + 4, 0xffff);
      const spy = vi.spyOn(TreeKemPrivateState, 'fromState');
      try {
        expect(refused(reseal(provider, bad))).toBe('invalid-saved-state');
        expect(spy).toHaveBeenCalledTimes(1);
        const built = spy.mock.results[0]!;
        expect(built.type).toBe('return');
        const ps = built.value as TreeKemPrivateState;
        expect(ps.nodes().length).toBeGreaterThan(0);
        for (const x of ps.nodes()) expect(zero(ps.keyPair(x)!.secretKey), `node ${x}`).toBe(true);
      } finally {
        spy.mockRestore();
      }
    });
  });

  describe('SecretTree and TreeKemPrivateState: toState / fromState', () => {
    const suite = cipherSuite(1, provider);
    const secret = new Uint8Array(32).fill(7);

    it('a restored secret tree is the same tree', () => {
      const tree = new SecretTree(suite, secret, 8, { maxSkipped: 4, maxForward: 50 });
      tree.keyForReceive(2, 'application', 10);
      tree.keyForReceive(2, 'application', 8);
      tree.keyForSend(5, 'handshake');
      const state = tree.toState();
      expect(state.nodes.map((x) => x.node)).toEqual([1, 6, 8, 13]);
      expect(state.leaves.map((l) => l.leaf)).toEqual([2, 5]);
      const copy = SecretTree.fromState(suite, state);
      expect(copy.toState()).toEqual(state);
      expect(copy.ratchetState(2, 'application')).toEqual(tree.ratchetState(2, 'application'));
      for (const t of [tree, copy]) expect(codeOf(() => t.keyForReceive(2, 'application', 8))).toBe('generation-reused');
      expect(toHex(copy.keyForReceive(2, 'application', 9).key)).toBe(toHex(tree.keyForReceive(2, 'application', 9).key));
      expect(toHex(copy.keyForReceive(7, 'application', 0).key)).toBe(toHex(tree.keyForReceive(7, 'application', 0).key));
      // The restored tree holds its own copies: wiping the state changes neither tree.
      for (const n of state.nodes) n.secret.fill(0);
      expect(toHex(copy.keyForReceive(0, 'handshake', 0).key)).toBe(toHex(tree.keyForReceive(0, 'handshake', 0).key));
    });

    it('refuses states a tree cannot be in', () => {
      const tree = new SecretTree(suite, secret, 4, { maxSkipped: 4 });
      tree.keyForReceive(1, 'application', 6);
      const good = tree.toState();
      const bad = (change: (s: any) => void) => {
        const s: any = structuredClone(good);
        change(s);
        return codeOf(() => SecretTree.fromState(suite, s as SecretTreeState));
      };
      expect(() => SecretTree.fromState(suite, structuredClone(good))).not.toThrow();
      expect(bad((s) => { s.nLeaves = 3; })).toBe('secret-tree-state');
      expect(bad((s) => { s.nLeaves = 8; })).toBe('secret-tree-state'); // leaves 4…7 uncovered
      expect(bad((s) => { s.nodes = s.nodes.slice(1); })).toBe('secret-tree-state'); // a leaf uncovered
      expect(bad((s) => { s.nodes.push({ node: 2, secret: new Uint8Array(32) }); })).toBe('secret-tree-state'); // leaf 1 twice
      expect(bad((s) => { s.nodes.unshift({ node: 5, secret: new Uint8Array(32) }); })).toBe('secret-tree-state'); // overlap + order
      expect(bad((s) => { s.nodes[0].secret = new Uint8Array(31); })).toBe('secret-tree-state');
      const app = (s: any) => s.leaves[0].application;
      expect(bad((s) => { app(s).floorGeneration = app(s).nextGeneration + 1; })).toBe('secret-tree-state');
      expect(bad((s) => { app(s).nextGeneration = 2 ** 32 + 1; })).toBe('secret-tree-state');
      expect(bad((s) => { app(s).skipped.reverse(); })).toBe('secret-tree-state');
      expect(bad((s) => { app(s).skipped.push({ generation: 6, key: new Uint8Array(16), nonce: new Uint8Array(12) }); })).toBe('secret-tree-state');
      expect(bad((s) => { app(s).skipped[0].generation = 0; })).toBe('secret-tree-state'); // below the floor
      expect(bad((s) => { s.maxSkipped = 1; })).toBe('secret-tree-state');
      expect(bad((s) => { app(s).skipped[0].nonce = new Uint8Array(16); })).toBe('secret-tree-state');
      tree.dispose();
      expect(codeOf(() => tree.toState())).toBe('secret-tree-disposed');
    });

    it('a private state is restored against its tree only', () => {
      const v = loadVectors<any[]>('mls/passive-client-handling-commit.json').find((x) => x.cipher_suite === 1)!;
      const { group } = joinVector(suite, v);
      const data = group.privateState.toState();
      const restored = TreeKemPrivateState.fromState(suite, group.tree, data);
      expect(restored.nodes()).toEqual(group.privateState.nodes());
      for (const x of restored.nodes()) expect(toHex(restored.keyPair(x)!.publicKey)).toBe(toHex(group.privateState.keyPair(x)!.publicKey));
      const other = group.tree.members().find((m) => m !== group.leafIndex)!;
      expect(codeOf(() => TreeKemPrivateState.fromState(suite, group.tree, { ...data, leafIndex: group.tree.leafCount }))).toBe('leaf-out-of-range');
      expect(codeOf(() => TreeKemPrivateState.fromState(suite, group.tree, { leafIndex: other, keys: data.keys }))).toBe('private-key-mismatch');
      expect(codeOf(() => TreeKemPrivateState.fromState(suite, group.tree, { ...data, keys: [] }))).toBe('private-key-mismatch');
      const wrong = data.keys.map((k) => ({ node: k.node, secretKey: k.secretKey.map((b) => b ^ 1) }));
      expect(codeOf(() => TreeKemPrivateState.fromState(suite, group.tree, { ...data, keys: wrong }))).toBe('private-key-mismatch');
    });
  });
});

/** The commit with its confirmation tag altered, a member sender's membership tag made valid again (as passive-client-commit.test.ts does). */
function flipTag(state: GroupState, message: MlsMessage): MlsMessage {
  if (message.kind !== 'mls_public_message') throw new Error('PublicMessage only');
  const { content, auth } = message.publicMessage;
  const tag = auth.confirmationTag!.slice();
  tag[0]! ^= 1;
  const newAuth = { ...auth, confirmationTag: tag };
  if (content.sender.kind !== 'member') return { kind: 'mls_public_message', publicMessage: { content, auth: newAuth } };
  const mt = membershipTag(state.suite, state.epochSecrets.membershipKey, state.groupContext, { wireFormat: 1, content, auth: newAuth });
  return { kind: 'mls_public_message', publicMessage: { content, auth: newAuth, membershipTag: mt } };
}
