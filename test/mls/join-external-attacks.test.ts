// Attacks on mls.joinExternal (RFC 9420 §12.4.3.2) and on the members processing its Commit, from an
// attacker-style review: hostile GroupInfos (bad external_pub, signer, extensions, epoch, required
// capabilities), eviction under the name of a resync, leaf placement, PSKs, secrets and the lazily
// signed commit().groupInfo.
import { beforeAll, describe, expect, it } from 'vitest';
import { mls } from '../../bindings/index.js';
import type { CryptoProvider } from '../../bindings/index.js';
import { signWithLabel } from '../../bindings/mls/crypto/labels.js';
import { stateOf } from '../../bindings/mls/group/group.js';
import { ExtensionType } from '../../bindings/mls/messages/constants.js';
import { encodeExternalPub } from '../../bindings/mls/messages/extensions.js';
import { encodeGroupInfoTbs } from '../../bindings/mls/messages/group-info.js';
import { type MlsMessage, decodeMlsMessage, encodeMlsMessage } from '../../bindings/mls/messages/mls-message.js';
import { cipherSuite } from '../../bindings/mls/crypto/cipher-suite.js';
import { createGroupState } from '../../bindings/mls/group/create.js';
import { Group } from '../../bindings/mls/group/group.js';
import { checkGroupInfo, createExternalCommit } from '../../bindings/mls/group/join-external.js';
import { encodeRequiredCapabilities } from '../../bindings/mls/messages/extensions.js';
import { referenceProvider } from '../../bindings/provider/reference.js';
import { wasmProvider } from '../../bindings/provider/wasm.js';
import { toHex } from '../helpers/vectors.js';
import { codeOf } from './mls-error.js';

let provider: CryptoProvider = referenceProvider;
const text = (s: string) => new TextEncoder().encode(s);
type GI = Extract<MlsMessage, { kind: 'mls_group_info' }>['groupInfo'];

function groupOf(n: number, suite: number) {
  const a = mls.createGroup({ suite, identity: text('M0'), provider });
  const members = [a];
  for (let i = 1; i < n; i++) {
    const kp = mls.createKeyPackage({ suite, identity: text(`M${i}`), provider });
    const c = a.commit({ add: [kp.keyPackage] });
    a.applyPendingCommit();
    for (const m of members.slice(1)) m.process(c.commit);
    members.push(mls.joinGroup(c.welcome!, kp.secrets));
    kp.secrets.dispose();
  }
  return members;
}

function agree(groups: readonly mls.Group[]): void {
  const view = (g: mls.Group) => ({ epoch: g.epoch, auth: toHex(g.epochAuthenticator), members: g.members, tree: toHex(g.ratchetTree) });
  const first = view(groups[0]!);
  for (const g of groups.slice(1)) expect(view(g)).toEqual(first);
}

function resigned(groupInfo: Uint8Array, signer: mls.Group, edit: (gi: GI) => GI, signerIndex = signer.leafIndex): Uint8Array {
  const m = decodeMlsMessage(groupInfo) as Extract<MlsMessage, { kind: 'mls_group_info' }>;
  const state = stateOf(signer);
  const unsigned = { ...edit(m.groupInfo), signer: signerIndex, signature: new Uint8Array(0) };
  return encodeMlsMessage({ kind: 'mls_group_info', groupInfo: { ...unsigned, signature: signWithLabel(state.suite, state.signaturePrivateKey, 'GroupInfoTBS', encodeGroupInfoTbs(unsigned)) } });
}

const withPub = (pub: Uint8Array) => (gi: GI): GI => ({
  ...gi, extensions: gi.extensions.map((e) => (e.type === ExtensionType.external_pub ? { type: e.type, data: encodeExternalPub(pub) } : e)),
});

/** joinExternal must throw an MlsError and leave the caller's key untouched. */
function refused(groupInfo: Uint8Array, extra: Partial<mls.JoinExternalOptions> = {}): string {
  const key = mls.createGroup({ suite: 1, identity: text('x'), provider }); // any 32-byte Ed25519 key
  const signatureKey = stateOf(key).signaturePrivateKey.slice();
  const copy = signatureKey.slice();
  key.dispose();
  const suite = (decodeMlsMessage(groupInfo) as Extract<MlsMessage, { kind: 'mls_group_info' }>).groupInfo.groupContext.cipherSuite;
  const code = codeOf(() => mls.joinExternal(groupInfo, { identity: text('E'), provider, ...(suite === 1 || suite === 3 ? { signatureKey } : {}), ...extra }));
  expect(signatureKey).toEqual(copy);
  return code;
}

for (const [providerName, p] of [['referenceProvider', referenceProvider], ['wasmProvider', wasmProvider]] as const) describe(`joinExternal attacks (r2-review), ${providerName}`, () => {
  beforeAll(() => { provider = p; });
  // ---- malicious GroupInfos ------------------------------------------------------------------
  it('a GroupInfo at epoch 2^64−1 is refused with an MlsError (epoch + 1 overflows)', () => {
    const [a] = groupOf(2, 1);
    const c = a!.commit({ update: true });
    a!.applyPendingCommit();
    const gi = resigned(c.groupInfo, a!, (g) => ({ ...g, groupContext: { ...g.groupContext, epoch: 0xffffffffffffffffn } }));
    refused(gi);
  });

  it('(suite 1) an all-zero (small-order) X25519 external_pub is refused', () => {
    const [a] = groupOf(2, 1);
    const c = a!.commit({ update: true });
    a!.applyPendingCommit();
    expect(refused(resigned(c.groupInfo, a!, withPub(new Uint8Array(32))))).toBe('invalid-group-info');
  });

  it('(suite 1) a small-order X25519 external_pub of order 8 is refused', () => {
    const [a] = groupOf(2, 1);
    const c = a!.commit({ update: true });
    a!.applyPendingCommit();
    const order8 = Uint8Array.from(Buffer.from('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800', 'hex'));
    expect(refused(resigned(c.groupInfo, a!, withPub(order8)))).toBe('invalid-group-info');
  });

  it('(suite 2) a P-256 external_pub that is not on the curve is refused', () => {
    const [a] = groupOf(2, 2);
    const c = a!.commit({ update: true });
    a!.applyPendingCommit();
    const bad = new Uint8Array(65); bad[0] = 4; bad[1] = 1; bad[33] = 1;
    expect(refused(resigned(c.groupInfo, a!, withPub(bad)))).toBe('invalid-group-info');
    const wrongLen = new Uint8Array(33); wrongLen[0] = 2;
    expect(refused(resigned(c.groupInfo, a!, withPub(wrongLen)))).toBe('invalid-group-info');
  });

  it('signer out of range, signer a blank leaf: invalid-signer', () => {
    const [a, , c2] = groupOf(3, 1);
    const rm = a!.commit({ remove: [1] });
    a!.applyPendingCommit();
    c2!.process(rm.commit);
    expect(refused(resigned(rm.groupInfo, a!, (g) => g, 2 ** 32 - 1))).toBe('invalid-signer');
    expect(refused(resigned(rm.groupInfo, a!, (g) => g, 1))).toBe('invalid-signer');
    expect(refused(resigned(rm.groupInfo, a!, (g) => g, 7))).toBe('invalid-signer');
  });

  it('duplicated external_pub / ratchet_tree, no external_pub, a tree of another epoch: refused', () => {
    const [a, b] = groupOf(2, 1);
    const before = a!.ratchetTree;
    const c = a!.commit({ update: true });
    a!.applyPendingCommit();
    b!.process(c.commit);
    const dup = (type: number) => (g: GI): GI => ({ ...g, extensions: [...g.extensions, g.extensions.find((e) => e.type === type)!] });
    expect(refused(resigned(c.groupInfo, a!, dup(ExtensionType.external_pub)))).toBe('invalid-group-info');
    expect(refused(resigned(c.groupInfo, a!, dup(ExtensionType.ratchet_tree)))).toBe('invalid-group-info');
    expect(refused(resigned(c.groupInfo, a!, (g) => ({ ...g, extensions: g.extensions.filter((e) => e.type !== ExtensionType.external_pub) })))).toBe('invalid-group-info');
    expect(refused(c.groupInfo, { ratchetTree: before })).toBe('tree-hash-mismatch');
    // A GroupInfo relabelled to another suite: the leaves' keys and signatures do not fit it.
    // (suites 1 and 3 share X25519/Ed25519/SHA-256: the joiner may accept it — the signer is a member
    // and could lie anyway — but the members then refuse its Commit with an MlsError, nobody diverges.)
    const relabelled = resigned(c.groupInfo, a!, (g) => ({ ...g, groupContext: { ...g.groupContext, cipherSuite: 3 } }));
    const { group: e, commit } = mls.joinExternal(relabelled, { identity: text('E'), provider });
    expect(e.cipherSuite).toBe(3);
    expect(typeof codeOf(() => b!.process(commit))).toBe('string');
    agree([a!, b!]);
    e.dispose();
    a!.dispose(); b!.dispose();
  });

  it('a resync of a blank / out-of-range leaf is refused, the caller key kept', () => {
    const [a] = groupOf(2, 1);
    const c = a!.commit({ update: true });
    a!.applyPendingCommit();
    expect(refused(c.groupInfo, { resync: { leafIndex: 5 } })).toBe('invalid-commit');
    expect(refused(c.groupInfo, { resync: { leafIndex: -1 } })).toBe('invalid-commit');
    expect(refused(c.groupInfo, { resync: { leafIndex: 0.5 } })).toBe('invalid-commit');
  });

  it('required_capabilities naming a proposal type wirecrypt does not implement: the joiner refuses, as a Welcome join is refused', () => {
    const suite = cipherSuite(1, provider);
    const custom = 0x0b0b;
    const caps = { versions: [1], cipherSuites: [1], extensions: [], proposals: [custom], credentials: [1] };
    const required = { type: ExtensionType.required_capabilities, data: encodeRequiredCapabilities({ extensionTypes: [], proposalTypes: [custom], credentialTypes: [] }) };
    const a = new Group(createGroupState(suite, { credential: { kind: 'basic', identity: text('A') }, capabilities: caps, extensions: [required] }), {});
    const c = a.commit({ update: true });
    a.applyPendingCommit();
    // The joiner cannot process a Commit holding proposal type 0x0b0b ('unsupported-proposal'), yet
    // advertises it (capabilitiesFor copies required types > 7). It must refuse to join instead.
    expect(refused(c.groupInfo)).toBeTypeOf('string');
  });

  // ---- the produced Commit: every member must accept it ----------------------------------------
  for (const suite of [1, 2, 3]) {
    it(`suite ${suite}: blanks in the middle, trailing blanks, a full tree to extend — every member accepts and agrees`, () => {
      const ms = groupOf(5, suite);
      // remove leaves 1 and 4 (4 is the last: trailing blank, truncated), then join twice (leaf 1, then leaf 4), then once more (extend to 8).
      const rm = ms[0]!.commit({ remove: [1, 4] });
      ms[0]!.applyPendingCommit();
      for (const g of [ms[2]!, ms[3]!]) g.process(rm.commit);
      let live = [ms[0]!, ms[2]!, ms[3]!];
      let gi = rm.groupInfo;
      const expected = [1, 4, 5, 6, 7, 8];
      for (let i = 0; i < expected.length; i++) {
        const { group, commit } = mls.joinExternal(gi, { identity: text(`J${i}`), provider });
        expect(group.leafIndex).toBe(expected[i]);
        for (const g of live) g.process(commit);
        live = [...live, group];
        agree(live);
        const u = group.commit({ update: true });
        group.applyPendingCommit();
        for (const g of live) if (g !== group) g.process(u.commit);
        gi = u.groupInfo;
      }
      for (const g of live) g.dispose();
    });
  }

  it('a resync of the last leaf (the Remove truncates, the joiner takes it back)', () => {
    const [a, b, c] = groupOf(3, 1);
    const u = a!.commit({ update: true });
    a!.applyPendingCommit();
    for (const g of [b!, c!]) g.process(u.commit);
    const { group: c2, commit } = mls.joinExternal(u.groupInfo, { identity: text('M2'), provider, resync: c! });
    expect(c2.leafIndex).toBe(2);
    for (const g of [a!, b!]) g.process(commit);
    agree([a!, b!, c2]);
  });

  // ---- resync of somebody else --------------------------------------------------------------
  it('an outsider holding a GroupInfo cannot evict a member by a "resync" of its leaf: the joiner refuses, and so does every member (the victim too)', () => {
    const [a, b, c] = groupOf(3, 1);
    const u = a!.commit({ update: true });
    a!.applyPendingCommit();
    for (const g of [b!, c!]) g.process(u.commit);
    // §12.4.3.2: the path's LeafNode must meet what an Update of the removed leaf would — the removed member's credential.
    expect(codeOf(() => mls.joinExternal(u.groupInfo, { identity: text('Mallory'), provider, resync: { leafIndex: 1 } }))).toBe('invalid-commit');
    // The same Commit built without the joiner's check, as a hostile client would send it.
    const info = decodeMlsMessage(u.groupInfo);
    if (info.kind !== 'mls_group_info') throw new Error(info.kind);
    const suite = cipherSuite(1, provider);
    const checked = checkGroupInfo(suite, info.groupInfo, undefined, undefined);
    const mallory = { credential: { kind: 'basic', identity: text('Mallory') } as const, signaturePrivateKey: provider.signature('Ed25519').generateKeyPair().secretKey };
    const { commit } = createExternalCommit(suite, checked, mallory, { identity: text('Mallory'), resync: { leafIndex: 1 } }, true);
    const before = toHex(a!.epochAuthenticator);
    for (const g of [a!, b!, c!]) expect(codeOf(() => g.process(commit))).toBe('invalid-commit');
    expect(toHex(a!.epochAuthenticator)).toBe(before);
    agree([a!, b!, c!]);
  });

  it('an injected PSK the members do not hold: every member refuses with an MlsError and stays in its epoch', () => {
    const [a, b] = groupOf(2, 1);
    const c = a!.commit({ update: true });
    a!.applyPendingCommit();
    b!.process(c.commit);
    const before = toHex(a!.epochAuthenticator);
    const { group, commit } = mls.joinExternal(c.groupInfo, { identity: text('E'), provider, injectPsks: [{ id: text('psk'), secret: new Uint8Array(32).fill(7) }] });
    for (const g of [a!, b!]) expect(typeof codeOf(() => g.process(commit))).toBe('string');
    expect(toHex(a!.epochAuthenticator)).toBe(before);
    agree([a!, b!]);
    group.dispose();
    expect(codeOf(() => mls.joinExternal(c.groupInfo, { identity: text('E'), provider, injectPsks: [{ id: text('p'), secret: new Uint8Array(32) }, { id: text('p'), secret: new Uint8Array(32) }] }))).toBe('invalid-commit');
  });

  // ---- secrets and the caller's key -------------------------------------------------------------
  it('success: the caller signatureKey is not mutated; the Group disposes and refuses use after', () => {
    const [a, b] = groupOf(2, 1);
    const c = a!.commit({ update: true });
    a!.applyPendingCommit();
    b!.process(c.commit);
    const keyHolder = mls.createGroup({ suite: 1, identity: text('k'), provider });
    const signatureKey = stateOf(keyHolder).signaturePrivateKey.slice();
    keyHolder.dispose();
    const copy = signatureKey.slice();
    const { group, commit } = mls.joinExternal(c.groupInfo, { identity: text('E'), provider, signatureKey });
    expect(signatureKey).toEqual(copy);
    const own = stateOf(group).signaturePrivateKey;
    expect(own).not.toBe(signatureKey);
    a!.process(commit);
    group.dispose();
    expect(own.every((x) => x === 0)).toBe(true);
    expect(signatureKey).toEqual(copy);
    expect(codeOf(() => group.encrypt(text('x')))).toBe('disposed');
  });

  it('a joiner refused by duplicate-key (same signature key as a member, no resync) keeps nothing and the caller key', () => {
    const [a, b] = groupOf(2, 1);
    const c = a!.commit({ update: true });
    a!.applyPendingCommit();
    b!.process(c.commit);
    const signatureKey = stateOf(b!).signaturePrivateKey.slice();
    const copy = signatureKey.slice();
    expect(codeOf(() => mls.joinExternal(c.groupInfo, { identity: text('M1'), provider, signatureKey }))).toBe('duplicate-key');
    expect(signatureKey).toEqual(copy);
  });

  // ---- commit().groupInfo getter ---------------------------------------------------------------
  it('commit().groupInfo: stable bytes, readable after applyPendingCommit, "disposed" after dispose (never signed with a wiped key)', () => {
    const [a, b] = groupOf(2, 1);
    const c = a!.commit({ update: true });
    a!.applyPendingCommit();
    const first = c.groupInfo;
    expect(c.groupInfo).toBe(first);
    const c2 = a!.commit({ update: true });
    a!.applyPendingCommit();
    expect(c.groupInfo).toBe(first); // stale by design: the GroupInfo of that Commit's epoch
    b!.process(c.commit);
    b!.process(c2.commit);
    a!.dispose();
    expect(codeOf(() => c2.groupInfo)).toBe('disposed');
  });

  it('commit().groupInfo read late on a 2-chunk tree (copy on write): the tree it encodes still matches its tree_hash, applied or discarded', () => {
    const a = mls.createGroup({ suite: 1, identity: text('A'), provider });
    const kps = Array.from({ length: 299 }, (_, i) => mls.createKeyPackage({ suite: 1, identity: text(`K${i}`), provider }));
    const add = a.commit({ add: kps.map((k) => k.keyPackage) });
    a.applyPendingCommit();
    const b = mls.joinGroup(add.welcome!, kps[150]!.secrets);
    for (const k of kps) k.secrets.dispose();
    // A's Commit, discarded when B's wins; then B's applied; then more commits from both.
    const discarded = a.commit({ update: true });
    const won = b.commit({ update: true });
    b.applyPendingCommit();
    a.process(won.commit);
    const later = [];
    for (let i = 0; i < 3; i++) {
      const x = (i % 2 === 0 ? a : b).commit({ update: true });
      (i % 2 === 0 ? a : b).applyPendingCommit();
      (i % 2 === 0 ? b : a).process(x.commit);
      later.push(x);
    }
    // Read only now: each must pass joinExternal's tree-hash / signature checks.
    for (const gi of [discarded.groupInfo, won.groupInfo, later[0]!.groupInfo]) {
      const { group } = mls.joinExternal(gi, { identity: text('E'), provider });
      group.dispose();
    }
    a.dispose(); b.dispose();
  });

  it('commit().groupInfo read late (after later commits) still verifies and matches its tree hash', () => {
    const [a, b] = groupOf(2, 1);
    const c = a!.commit({ update: true });
    a!.applyPendingCommit();
    b!.process(c.commit);
    for (let i = 0; i < 3; i++) { const x = a!.commit({ update: true }); a!.applyPendingCommit(); b!.process(x.commit); }
    // A stale GroupInfo: joining from it must yield a refusal on the members (wrong epoch), not a crash.
    const { commit } = mls.joinExternal(c.groupInfo, { identity: text('E'), provider });
    expect(typeof codeOf(() => b!.process(commit))).toBe('string');
    agree([a!, b!]);
  });
});
