// mls.joinExternal: joining a group by an external commit (RFC 9420 §12.4.3.2), the joiner's side
// of what every member already processes (group/commit.ts). Both providers, suites 1–3:
//
//   1. a group of three is joined by a fourth member from the GroupInfo of its last Commit, with
//      the ratchet_tree extension and with the tree out of band; every member processes the
//      Commit, all agree (epoch, epoch_authenticator, exporter, tree) and talk both ways; the
//      joiner then commits (an Add) like any member;
//   2. the joiner takes the leaf an Add would: a leaf freed by a Remove;
//   3. a resync: a member re-joins with a Remove of its old leaf (its old Group is then removed);
//   4. an injected external PSK;
//   5. refusals, each leaving the caller's key, the members and the GroupInfo as they were: a
//      tampered signature, no external_pub, a tree that is not the group's, no tree, something that
//      is not a GroupInfo, an unsupported suite, the XMTP policy ('forbidden-by-policy');
//   6. interop, the direction ts-mls's tests do not cover: a wirecrypt member joins a ts-mls group
//      externally (suites 1 and 3); ts-mls processes the Commit and both sides talk.
import { describe, expect, it } from 'vitest';
import { mls } from '../../bindings/index.js';
import type { CryptoProvider } from '../../bindings/index.js';
import { cipherSuite } from '../../bindings/mls/crypto/cipher-suite.js';
import { signWithLabel } from '../../bindings/mls/crypto/labels.js';
import { stateOf } from '../../bindings/mls/group/group.js';
import { ExtensionType } from '../../bindings/mls/messages/constants.js';
import { encodeGroupInfoTbs } from '../../bindings/mls/messages/group-info.js';
import { type MlsMessage, decodeMlsMessage, encodeMlsMessage } from '../../bindings/mls/messages/mls-message.js';
import { forEachProvider } from '../helpers/providers.js';
import { TsMember, type TsSuiteId, tsKeyPackage } from '../helpers/ts-mls.js';
import { toHex } from '../helpers/vectors.js';
import { codeOf } from './mls-error.js';

const text = (s: string) => new TextEncoder().encode(s);

/** A wirecrypt group of three (A created it, B and C joined by Welcome), the GroupInfo of its last Commit, and its tree of the epoch before. */
function groupOfThree(suite: number, provider: CryptoProvider, ratchetTreeInGroupInfo = true, psks?: readonly mls.ExternalPsk[]) {
  const a = mls.createGroup({ suite, identity: text('A'), provider, ...(psks !== undefined ? { psks } : {}) });
  const b = mls.createKeyPackage({ suite, identity: text('B'), provider });
  const c = mls.createKeyPackage({ suite, identity: text('C'), provider });
  const first = a.commit({ add: [b.keyPackage] });
  a.applyPendingCommit();
  const bg = mls.joinGroup(first.welcome!, b.secrets, psks !== undefined ? { psks } : {});
  const earlierTree = a.ratchetTree; // of epoch 1: two members
  const second = a.commit({ add: [c.keyPackage], ratchetTreeInGroupInfo });
  a.applyPendingCommit();
  bg.process(second.commit);
  const cg = mls.joinGroup(second.welcome!, c.secrets, { ...(ratchetTreeInGroupInfo ? {} : { ratchetTree: a.ratchetTree }), ...(psks !== undefined ? { psks } : {}) });
  b.secrets.dispose();
  c.secrets.dispose();
  return { members: [a, bg, cg], groupInfo: second.groupInfo, earlierTree };
}

/** Every group in the same epoch, with the same epoch_authenticator, exporter output, members and tree. */
function agree(groups: readonly mls.Group[]): void {
  const view = (g: mls.Group) => ({
    epoch: g.epoch, authenticator: toHex(g.epochAuthenticator), exported: toHex(g.exportSecret('join-external', text('ctx'), 32)),
    members: g.members, tree: toHex(g.ratchetTree),
  });
  const first = view(groups[0]!);
  for (const g of groups.slice(1)) expect(view(g)).toEqual(first);
}

/** Each member sends one application message; every other member reads it from the right sender. */
function chat(groups: readonly mls.Group[], tag: string): void {
  for (const from of groups) {
    const message = from.encrypt(text(`${tag} from ${from.leafIndex}`));
    for (const to of groups) {
      if (to === from) continue;
      expect(to.process(message)).toMatchObject({ kind: 'application', sender: from.leafIndex, plaintext: text(`${tag} from ${from.leafIndex}`) });
    }
  }
}

/** A GroupInfo MLSMessage changed by `edit` and signed again with `signer`'s key (as a member could). */
function resigned(groupInfo: Uint8Array, signer: mls.Group, edit: (gi: Extract<MlsMessage, { kind: 'mls_group_info' }>['groupInfo']) => typeof gi): Uint8Array {
  const m = decodeMlsMessage(groupInfo) as Extract<MlsMessage, { kind: 'mls_group_info' }>;
  const state = stateOf(signer);
  const unsigned = { ...edit(m.groupInfo), signer: signer.leafIndex, signature: new Uint8Array(0) };
  return encodeMlsMessage({ kind: 'mls_group_info', groupInfo: { ...unsigned, signature: signWithLabel(state.suite, state.signaturePrivateKey, 'GroupInfoTBS', encodeGroupInfoTbs(unsigned)) } });
}

forEachProvider((provider) => {
  describe('mls.joinExternal', () => {
    for (const suite of [1, 2, 3]) {
      for (const inGroupInfo of [true, false]) {
        it(`suite ${suite}: a fourth member joins a group of three by external commit (ratchet tree ${inGroupInfo ? 'in the GroupInfo' : 'out of band'})`, () => {
          const { members, groupInfo } = groupOfThree(suite, provider, inGroupInfo);
          const [a, b, c] = members as [mls.Group, mls.Group, mls.Group];
          if (!inGroupInfo) expect(codeOf(() => mls.joinExternal(groupInfo, { identity: text('D'), provider }))).toBe('missing-ratchet-tree');
          const { group: d, commit } = mls.joinExternal(groupInfo, { identity: text('D'), provider, ...(inGroupInfo ? {} : { ratchetTree: a.ratchetTree }) });
          expect([d.cipherSuite, d.epoch, d.leafIndex, d.members]).toEqual([suite, 3n, 3, [0, 1, 2, 3]]);
          // A PublicMessage from a new_member_commit sender, without membership tag (§12.4.3.2).
          const message = decodeMlsMessage(commit);
          expect(message.kind).toBe('mls_public_message');
          const pm = (message as Extract<MlsMessage, { kind: 'mls_public_message' }>).publicMessage;
          expect(pm.content.sender).toEqual({ kind: 'new_member_commit' });
          expect(pm.membershipTag).toBeUndefined();
          const body = pm.content.body as Extract<typeof pm.content.body, { kind: 'commit' }>;
          expect(body.commit.path).toBeDefined();
          expect(body.commit.proposals.map((p) => (p.kind === 'proposal' ? p.proposal.kind : 'reference'))).toEqual(['external_init']);
          for (const g of [a, b, c]) {
            expect(g.process(commit)).toMatchObject({ kind: 'commit', sender: { kind: 'new_member_commit' }, epoch: 3n, committer: 3, added: [3], removed: [] });
          }
          const all = [a, b, c, d];
          agree(all);
          chat(all, 'after the external join');

          // The joiner is a member like any other: it commits an Add, everyone (and the newcomer) follows.
          const e = mls.createKeyPackage({ suite, identity: text('E'), provider });
          const add = d.commit({ add: [e.keyPackage] });
          d.applyPendingCommit();
          for (const g of [a, b, c]) g.process(add.commit);
          const eg = mls.joinGroup(add.welcome!, e.secrets);
          e.secrets.dispose();
          agree([...all, eg]);
          chat([...all, eg], 'after the joiner committed');
          for (const g of [...all, eg]) g.dispose();
        });
      }

      it(`suite ${suite}: the joiner takes the leaf an Add would (a freed one), and a resync replaces the old leaf`, () => {
        const { members } = groupOfThree(suite, provider);
        const [a, b, c] = members as [mls.Group, mls.Group, mls.Group];
        const removal = a.commit({ remove: [1] });
        a.applyPendingCommit();
        c.process(removal.commit);
        const { group: d, commit } = mls.joinExternal(removal.groupInfo, { identity: text('D'), provider });
        expect(d.leafIndex).toBe(1); // the leftmost blank leaf
        for (const g of [a, c]) g.process(commit);
        agree([a, c, d]);
        b.dispose();

        // C lost its state (say): it re-joins with its signature key, removing its old leaf 2.
        const u = d.commit({ update: true });
        d.applyPendingCommit();
        for (const g of [a, c]) g.process(u.commit);
        const signatureKey = stateOf(c).signaturePrivateKey.slice();
        const { group: c2, commit: resync } = mls.joinExternal(u.groupInfo, { identity: text('C'), signatureKey, provider, resync: c });
        expect(c2.leafIndex).toBe(2); // its old leaf, freed by the Remove
        const m = decodeMlsMessage(resync) as Extract<MlsMessage, { kind: 'mls_public_message' }>;
        const body = m.publicMessage.content.body as Extract<typeof m.publicMessage.content.body, { kind: 'commit' }>;
        expect(body.commit.proposals.map((p) => (p.kind === 'proposal' ? p.proposal.kind : 'reference'))).toEqual(['external_init', 'remove']);
        for (const g of [a, d]) expect(g.process(resync)).toMatchObject({ kind: 'commit', committer: 2, removed: [2], added: [2] });
        expect(codeOf(() => c.process(resync))).toBe('removed-from-group');
        agree([a, d, c2]);
        chat([a, d, c2], 'after the resync');
        // Joining with a member's signature key without removing its leaf: refused before anything is sent.
        expect(codeOf(() => mls.joinExternal(u.groupInfo, { identity: text('C'), signatureKey: stateOf(a).signaturePrivateKey, provider }))).toBe('duplicate-key');
        // A resync of a leaf that is no member is refused.
        expect(codeOf(() => mls.joinExternal(u.groupInfo, { identity: text('C'), provider, resync: { leafIndex: 3 } }))).toBe('invalid-commit');
        for (const g of [a, c, d, c2]) g.dispose();
      });

      it(`suite ${suite}: an external commit injects an external PSK the members hold`, () => {
        const psk = { id: text('psk id'), secret: new Uint8Array(32).fill(7) };
        const { members, groupInfo } = groupOfThree(suite, provider, true, [psk]);
        const { group: d, commit } = mls.joinExternal(groupInfo, { identity: text('D'), provider, injectPsks: [psk], psks: [psk] });
        for (const g of members) g.process(commit);
        agree([...members, d]);
        // Without the PSK a member cannot follow, and is left as it was.
        const other = groupOfThree(suite, provider);
        const before = toHex(other.members[0]!.epochAuthenticator);
        const { commit: withPsk } = mls.joinExternal(other.groupInfo, { identity: text('D'), provider, injectPsks: [psk] });
        expect(codeOf(() => other.members[0]!.process(withPsk))).toBe('missing-psk');
        expect(toHex(other.members[0]!.epochAuthenticator)).toBe(before);
      });

      it(`suite ${suite}: refusals (signature, external_pub, tree, wire format, suite, XMTP policy) keep nothing and change nothing`, () => {
        const { members, groupInfo, earlierTree } = groupOfThree(suite, provider, false);
        const [a] = members as [mls.Group];
        const original = groupInfo.slice();
        const signatureKey = provider.signature(cipherSuite(suite, provider).signature).generateKeyPair().secretKey;
        const keyCopy = signatureKey.slice();
        const options = { identity: text('D'), provider, signatureKey, ratchetTree: a.ratchetTree };

        const tampered = groupInfo.slice();
        tampered[tampered.length - 1]! ^= 1; // the signature's last byte
        expect(codeOf(() => mls.joinExternal(tampered, options))).toBe('invalid-signature');
        const noPub = resigned(groupInfo, a, (gi) => ({ ...gi, extensions: gi.extensions.filter((e) => e.type !== ExtensionType.external_pub) }));
        expect(codeOf(() => mls.joinExternal(noPub, options))).toBe('invalid-group-info');
        const badPub = resigned(groupInfo, a, (gi) => ({ ...gi, extensions: gi.extensions.map((e) => (e.type === ExtensionType.external_pub ? { ...e, data: e.data.subarray(1) } : e)) }));
        expect(codeOf(() => mls.joinExternal(badPub, options))).toBe('invalid-group-info');
        // A tree that is not the group's: another group's (whose signer leaf has another key), the
        // group's of the epoch before (the signer's leaf is the same, the tree hash is not), one
        // without the signer's leaf.
        const stranger = groupOfThree(suite, provider);
        expect(codeOf(() => mls.joinExternal(groupInfo, { ...options, ratchetTree: stranger.members[0]!.ratchetTree }))).toBe('invalid-signature');
        expect(codeOf(() => mls.joinExternal(groupInfo, { ...options, ratchetTree: earlierTree }))).toBe('tree-hash-mismatch');
        const bySigner2 = resigned(groupInfo, members[2]!, (gi) => gi);
        expect(codeOf(() => mls.joinExternal(bySigner2, { ...options, ratchetTree: earlierTree }))).toBe('invalid-signer'); // no leaf 2 in it
        expect(codeOf(() => mls.joinExternal(groupInfo, { ...options, ratchetTree: new Uint8Array([1, 2, 3]) }))).toBe('invalid-ratchet-tree');
        // The group's tree, but a GroupInfo (signed by a member) whose tree_hash is not its hash.
        const forged = resigned(groupInfo, a, (gi) => ({ ...gi, groupContext: { ...gi.groupContext, treeHash: new Uint8Array(32).fill(1) } }));
        expect(codeOf(() => mls.joinExternal(forged, options))).toBe('tree-hash-mismatch');
        expect(codeOf(() => mls.joinExternal(a.encrypt(text('hi')), options))).toBe('not-a-group-info');
        expect(codeOf(() => mls.joinExternal(groupInfo.subarray(0, 20), options))).toBe('malformed-message');
        const suite7 = resigned(groupInfo, a, (gi) => ({ ...gi, groupContext: { ...gi.groupContext, cipherSuite: 7 } }));
        expect(codeOf(() => mls.joinExternal(suite7, options))).toBe('unsupported-cipher-suite');
        // The XMTP profile refuses ExternalInit, so external joins: the policy is asked before anything is created.
        expect(codeOf(() => mls.joinExternal(groupInfo, { ...options, policy: mls.xmtp.policy() }))).toBe('forbidden-by-policy');

        // Nothing changed: the caller's key, the GroupInfo, the members; the same GroupInfo still works.
        expect(toHex(signatureKey)).toBe(toHex(keyCopy));
        expect(toHex(groupInfo)).toBe(toHex(original));
        const { group: d, commit } = mls.joinExternal(groupInfo, options);
        for (const g of members) g.process(commit);
        agree([...members, d]);
        expect(toHex(signatureKey)).toBe(toHex(keyCopy)); // the group keeps its own copy
        d.dispose();
        expect(toHex(signatureKey)).toBe(toHex(keyCopy));
      });
    }

    describe('interop: a wirecrypt member joins a ts-mls group externally', () => {
      for (const suite of [1, 3] as TsSuiteId[]) {
        for (const inGroupInfo of [true, false]) {
          it(`suite ${suite}: ts-mls processes the external commit, messages both ways (ratchet tree ${inGroupInfo ? 'in the GroupInfo' : 'out of band'})`, async () => {
            const a = await TsMember.create(suite, 'A');
            const { keyPackage, pending } = await tsKeyPackage(suite, 'B');
            const { welcome } = await a.commit({ add: [keyPackage] });
            const b = await pending.join(welcome!);
            // ts-mls 1.6.4's own GroupInfo has a bare key as external_pub's data (not RFC 9420's ExternalPub struct): refused.
            const bare = await a.groupInfo({ bareExternalPub: true });
            expect(codeOf(() => mls.joinExternal(bare, { identity: text('W'), provider }))).toBe('invalid-group-info');

            const groupInfo = await a.groupInfo({ ratchetTree: inGroupInfo });
            const { group: w, commit } = mls.joinExternal(groupInfo, { identity: text('W'), provider, ...(inGroupInfo ? {} : { ratchetTree: a.ratchetTree }) });
            expect(w.leafIndex).toBe(2);
            for (const m of [a, b]) expect(await m.process(commit)).toMatchObject({ kind: 'commit' });
            for (const m of [a, b]) {
              expect(m.epoch).toBe(w.epoch);
              expect(toHex(m.epochAuthenticator)).toBe(toHex(w.epochAuthenticator));
              expect(toHex(await m.exportSecret('join-external', text('ctx'), 32))).toBe(toHex(w.exportSecret('join-external', text('ctx'), 32)));
              expect(toHex(m.ratchetTree)).toBe(toHex(w.ratchetTree));
            }
            // Messages both ways.
            const fromW = w.encrypt(text('hello from wirecrypt'));
            for (const m of [a, b]) expect(await m.process(fromW)).toEqual({ kind: 'application', plaintext: text('hello from wirecrypt') });
            for (const [i, m] of [a, b].entries()) {
              expect(w.process(await m.encrypt(text(`hello from ts-mls ${i}`)))).toMatchObject({ kind: 'application', sender: m.leafIndex, plaintext: text(`hello from ts-mls ${i}`) });
            }
            // The next epoch, committed by ts-mls (a Remove, with a path), is followed by the joiner.
            const r = await a.commit({ remove: [b.leafIndex] });
            expect(w.process(r.commit)).toMatchObject({ kind: 'commit', removed: [1] });
            expect(toHex(w.epochAuthenticator)).toBe(toHex(a.epochAuthenticator));

            // A resync from ts-mls's next GroupInfo: W's old leaf 2 is removed, the new W takes leaf 1
            // (the leftmost blank one); ts-mls processes the ExternalInit + Remove commit.
            const signatureKey = stateOf(w).signaturePrivateKey.slice();
            const again = mls.joinExternal(await a.groupInfo(), { identity: text('W'), signatureKey, provider, resync: w });
            expect(await a.process(again.commit)).toMatchObject({ kind: 'commit' });
            expect([again.group.leafIndex, a.members]).toEqual([1, [0, 1]]);
            expect(toHex(again.group.epochAuthenticator)).toBe(toHex(a.epochAuthenticator));
            expect(await a.process(again.group.encrypt(text('resynced')))).toEqual({ kind: 'application', plaintext: text('resynced') });
            expect(again.group.process(await a.encrypt(text('welcome back')))).toMatchObject({ kind: 'application', sender: 0, plaintext: text('welcome back') });
            w.dispose();
            again.group.dispose();
          });
        }
      }
    });
  });
});
