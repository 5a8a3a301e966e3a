// Groups made and run entirely by wirecrypt's active side (RFC 9420 §10–§12), suites 1–3, both
// providers: create a group, add members by Welcome (with the tree in the GroupInfo and out of
// band), full-path updates, removes, PSK injection, GroupContextExtensions, commits as PublicMessage
// and PrivateMessage, application messages; every member agrees on the epoch authenticator and the
// exporter after each step. Concurrent commits: the one processed first wins and the loser's
// pending Commit is discarded.
import { describe, expect, it } from 'vitest';
import { mls } from '../../bindings/index.js';
import type { CryptoProvider } from '../../bindings/index.js';
import { forEachProvider } from '../helpers/providers.js';
import { toHex } from '../helpers/vectors.js';
import { cipherSuite } from '../../bindings/mls/crypto/cipher-suite.js';
import { verifyWithLabel } from '../../bindings/mls/crypto/labels.js';
import { stateOf } from '../../bindings/mls/group/group.js';
import { decodeMlsMessage } from '../../bindings/mls/messages/mls-message.js';
import { encodeGroupInfoTbs } from '../../bindings/mls/messages/group-info.js';
import { ExtensionType } from '../../bindings/mls/messages/constants.js';

const code = (c: string) => expect.objectContaining({ code: c });
const text = (s: string) => new TextEncoder().encode(s);

function agree(groups: readonly mls.Group[]): void {
  const [first, ...rest] = groups;
  for (const g of rest) {
    expect(g.epoch).toBe(first!.epoch);
    expect(toHex(g.epochAuthenticator)).toBe(toHex(first!.epochAuthenticator));
    expect(toHex(g.exportSecret('agree', new Uint8Array(0), 32))).toBe(toHex(first!.exportSecret('agree', new Uint8Array(0), 32)));
    expect(g.members).toEqual(first!.members);
  }
}

function newMember(provider: CryptoProvider, suite: number, name: string) {
  return mls.createKeyPackage({ suite, identity: text(name), provider });
}

forEachProvider((provider) => {
  for (const suite of [1, 2, 3]) {
    describe(`suite ${suite}`, () => {
      it('create, add by Welcome, update, remove, PSK, extensions, application messages', () => {
        const psk = { id: text('psk-1'), secret: provider.randomBytes(32) };
        const alice = mls.createGroup({ suite, identity: text('alice'), provider, psks: [psk] });
        expect([alice.epoch, alice.members, alice.leafIndex]).toEqual([0n, [0], 0]);
        const bob = newMember(provider, suite, 'bob');
        const carol = newMember(provider, suite, 'carol');

        // Alice adds Bob and Carol in one Commit; they join from the Welcome (tree in the GroupInfo).
        const added = alice.commit({ add: [bob.keyPackage, carol.keyPackage] });
        expect(alice.epoch).toBe(0n); // pending until applied
        expect(alice.applyPendingCommit()).toMatchObject({ kind: 'commit', epoch: 1n, added: [1, 2], removed: [] });
        const b = mls.joinGroup(added.welcome!, bob.secrets, {});
        const c = mls.joinGroup(added.welcome!, carol.secrets, { psks: [psk] });
        agree([alice, b, c]);
        expect([b.leafIndex, c.leafIndex]).toEqual([1, 2]);

        // Bob updates his path in a PrivateMessage; the others follow.
        const update = b.commit({ update: true, wireFormat: 'private' });
        b.applyPendingCommit();
        expect(alice.process(update.commit)).toMatchObject({ kind: 'commit', epoch: 2n, sender: { kind: 'member', leafIndex: 1 } });
        expect(c.process(update.commit).kind).toBe('commit');
        agree([alice, b, c]);

        // Application messages both ways, with authenticated data.
        const m1 = c.encrypt(text('hello from carol'), text('aad'));
        for (const g of [alice, b]) expect(g.process(m1)).toEqual({ kind: 'application', sender: 2, plaintext: text('hello from carol'), aad: text('aad') });
        expect(() => alice.process(m1)).toThrow(code('generation-reused'));

        // Dave joins with the tree out of band (no ratchet_tree in the GroupInfo); a PSK that Alice
        // and Carol hold is injected, so Bob, who lacks it, refuses the Commit and stays as he was.
        const dave = newMember(provider, suite, 'dave');
        const addDave = alice.commit({ add: [dave.keyPackage], psks: [psk], ratchetTreeInGroupInfo: false });
        alice.applyPendingCommit();
        expect(() => b.process(addDave.commit)).toThrow(code('missing-psk'));
        expect(b.epoch).toBe(2n);
        expect(c.process(addDave.commit)).toMatchObject({ kind: 'commit', added: [3] });
        expect(() => mls.joinGroup(addDave.welcome!, dave.secrets, { ratchetTree: alice.ratchetTree })).toThrow(code('missing-psk'));
        expect(() => mls.joinGroup(addDave.welcome!, dave.secrets, { psks: [psk] })).toThrow(code('missing-ratchet-tree'));
        const d = mls.joinGroup(addDave.welcome!, dave.secrets, { ratchetTree: alice.ratchetTree, psks: [psk] });
        expect(d.leafIndex).toBe(3);
        agree([alice, c, d]);
      });

      it("commit().groupInfo is signed when read: the new epoch's GroupInfo, also read after apply; refused after dispose", () => {
        const alice = mls.createGroup({ suite, identity: text('alice'), provider });
        const bob = newMember(provider, suite, 'bob');
        alice.commit({ add: [bob.keyPackage] });
        alice.applyPendingCommit();
        const update = alice.commit({ update: true });
        alice.applyPendingCommit(); // read afterwards: still the Commit's epoch, signed by Alice
        for (const [bytes, epoch, withTree] of [[update.groupInfo, 2n, true], [alice.commit({ update: true, ratchetTreeInGroupInfo: false }).groupInfo, 3n, false]] as const) {
          const m = decodeMlsMessage(bytes);
          if (m.kind !== 'mls_group_info') throw new Error(m.kind);
          const info = m.groupInfo;
          expect(info.groupContext.epoch).toBe(epoch);
          expect(info.extensions.map((e) => e.type)).toEqual(withTree ? [ExtensionType.ratchet_tree, ExtensionType.external_pub] : [ExtensionType.external_pub]);
          const cs = cipherSuite(suite, provider);
          expect(verifyWithLabel(cs, stateOf(alice).tree.leaf(0)!.signatureKey, 'GroupInfoTBS', encodeGroupInfoTbs(info), info.signature)).toBe(true);
        }
        expect(update.groupInfo).toBe(update.groupInfo); // signed once
        alice.discardPendingCommit();
        const unread = alice.commit({ update: true });
        alice.dispose();
        expect(() => unread.groupInfo).toThrow(code('disposed'));
      });

      it('removes: the removed member is told, the others move on and it cannot read them', () => {
        const alice = mls.createGroup({ suite, identity: text('alice'), provider });
        const kps = ['bob', 'carol', 'dave'].map((n) => newMember(provider, suite, n));
        const { welcome } = alice.commit({ add: kps.map((k) => k.keyPackage) });
        alice.applyPendingCommit();
        const [b, c, d] = kps.map((k) => mls.joinGroup(welcome!, k.secrets));
        agree([alice, b!, c!, d!]);

        const removal = c!.commit({ remove: [1] });
        c!.applyPendingCommit();
        expect(alice.process(removal.commit)).toMatchObject({ kind: 'commit', removed: [1] });
        expect(d!.process(removal.commit).kind).toBe('commit');
        expect(() => b!.process(removal.commit)).toThrow(code('removed-from-group'));
        agree([alice, c!, d!]);
        expect(alice.members).toEqual([0, 2, 3]);
        const secret = alice.encrypt(text('after bob left'));
        expect(() => b!.process(secret)).toThrow(code('wrong-epoch'));
        expect(d!.process(secret)).toMatchObject({ kind: 'application', plaintext: text('after bob left') });

        // One Commit removing Dave and adding Frank, who takes Dave's leaf: Dave is told he was removed.
        const frank = newMember(provider, suite, 'frank');
        const swap = alice.commit({ remove: [3], add: [frank.keyPackage] });
        alice.applyPendingCommit();
        expect(() => d!.process(swap.commit)).toThrow(code('removed-from-group'));
        expect(c!.process(swap.commit)).toMatchObject({ removed: [3], added: [1] });
        const f = mls.joinGroup(swap.welcome!, frank.secrets);
        agree([alice, c!, f]);

        // A new member takes the blank leaf; a pending Commit blocks the next one until discarded.
        const erin = newMember(provider, suite, 'erin');
        c!.commit({ update: true });
        expect(() => c!.commit({})).toThrow(code('commit-pending'));
        c!.discardPendingCommit();
        // Members do not list extension 0x0a0a (a GREASE value is not in their capabilities): refused before sending.
        expect(() => c!.commit({ extensions: [{ type: 0x0a0a, data: Uint8Array.of(1) }] })).toThrow(code('invalid-commit'));
        const addErin = c!.commit({ add: [erin.keyPackage] });
        c!.applyPendingCommit();
        for (const g of [alice, f]) expect(g.process(addErin.commit)).toMatchObject({ added: [3] });
        const e = mls.joinGroup(addErin.welcome!, erin.secrets);
        expect(e.leafIndex).toBe(3);
        agree([alice, c!, f, e]);
      });

      it('proposals by reference: an Update, an Add and a Remove proposed by members and committed by another', () => {
        const alice = mls.createGroup({ suite, identity: text('alice'), provider });
        const kps = ['bob', 'carol', 'dave'].map((n) => newMember(provider, suite, n));
        const { welcome } = alice.commit({ add: kps.map((k) => k.keyPackage) });
        alice.applyPendingCommit();
        const [b, c, d] = kps.map((k) => mls.joinGroup(welcome!, k.secrets));
        const all = [alice, b!, c!, d!];

        // Carol proposes an Update of her leaf, Dave proposes to add Erin; everyone receives both.
        const erin = newMember(provider, suite, 'erin');
        const update = c!.propose({ update: true });
        const add = d!.propose({ add: erin.keyPackage }, 'private');
        for (const g of all) {
          if (g !== c) expect(g.process(update)).toMatchObject({ kind: 'proposal', proposal: { kind: 'update' }, sender: { kind: 'member', leafIndex: 2 } });
          if (g !== d) expect(g.process(add)).toMatchObject({ kind: 'proposal', proposal: { kind: 'add' } });
        }
        // Bob commits them (with a path: an Update requires one); Carol takes her new leaf key.
        const committed = b!.commit({});
        b!.applyPendingCommit();
        for (const g of [alice, c!, d!]) expect(g.process(committed.commit)).toMatchObject({ kind: 'commit', updated: [2], added: [4] });
        const e = mls.joinGroup(committed.welcome!, erin.secrets);
        agree([...all, e]);
        // Carol's new leaf key works: a later path from Erin is encrypted to it, among others.
        const next = e.commit({ update: true });
        e.applyPendingCommit();
        for (const g of all) g.process(next.commit);
        agree([...all, e]);

        // A Remove by reference; the committer's own Update proposal is left out of its own Commit.
        const remove = alice.propose({ remove: 3 });
        const own = c!.propose({ update: true });
        for (const g of [b!, c!, d!, e]) if (g !== c) { g.process(own); }
        for (const g of [b!, c!, d!, e]) g.process(remove);
        alice.process(own);
        const fromCarol = c!.commit({});
        c!.applyPendingCommit();
        for (const g of [alice, b!, e]) expect(g.process(fromCarol.commit)).toMatchObject({ kind: 'commit', removed: [3], updated: [] });
        expect(() => d!.process(fromCarol.commit)).toThrow(code('removed-from-group'));
        agree([alice, b!, c!, e]);
      });

      it('concurrent commits: the first processed wins, the loser discards its pending Commit and follows', () => {
        const alice = mls.createGroup({ suite, identity: text('alice'), provider });
        const kps = ['bob', 'carol'].map((n) => newMember(provider, suite, n));
        const { welcome } = alice.commit({ add: kps.map((k) => k.keyPackage) });
        alice.applyPendingCommit();
        const [b, c] = kps.map((k) => mls.joinGroup(welcome!, k.secrets));
        const fromB = b!.commit({ update: true });
        const fromC = c!.commit({ update: true });
        // The delivery service orders B's first.
        alice.process(fromB.commit);
        b!.applyPendingCommit();
        c!.process(fromB.commit); // C's own pending Commit is discarded
        expect(() => c!.applyPendingCommit()).toThrow(code('no-pending-commit'));
        expect(() => alice.process(fromC.commit)).toThrow(code('wrong-epoch'));
        agree([alice, b!, c!]);
      });
    });
  }
});
