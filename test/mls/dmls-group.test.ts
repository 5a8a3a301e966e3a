// DMLS wired into the Group (issue 13, draft-kohbrok-mls-dmls; docs/mls.md "DMLS"): with the `dmls`
// option a member keeps several epochs, accepts two Commits against one epoch (two children of one
// parent) and converges on the head the fork rule picks whatever the order they came in; a Commit
// against an evicted epoch is refused, a Commit already processed cannot be processed again (its
// PPRF point is punctured: checked in the store), a Commit whose confirmation tag was altered is
// refused without burning the genuine one's point; application messages; save/load keeps the
// kept epochs and their punctured PPRFs. Suites 1 and 3, both providers.
import { describe, expect, it } from 'vitest';
import { mls } from '../../bindings/index.js';
import type { CryptoProvider } from '../../bindings/index.js';
import { cipherSuite } from '../../bindings/mls/crypto/cipher-suite.js';
import { childInitInput, commitConfirmation } from '../../bindings/mls/dmls/key-schedule.js';
import { compareForks } from '../../bindings/mls/dmls/epoch-store.js';
import { decodeDmlsMessage, encodeDmlsMessage } from '../../bindings/mls/dmls/epoch.js';
import { membershipTag } from '../../bindings/mls/framing/content-auth.js';
import { Group, stateOf } from '../../bindings/mls/group/group.js';
import { forEachProvider } from '../helpers/providers.js';
import { toHex } from '../helpers/vectors.js';

const code = (c: string) => expect.objectContaining({ code: c });
const text = (s: string) => new TextEncoder().encode(s);
const store = (g: mls.Group) => Group.dmlsStoreOf(g)!;

function agree(groups: readonly mls.Group[]): void {
  const [first, ...rest] = groups;
  for (const g of rest) {
    expect(g.epoch).toBe(first!.epoch);
    expect(toHex(g.dmlsEpoch!)).toBe(toHex(first!.dmlsEpoch!));
    expect(toHex(g.epochAuthenticator)).toBe(toHex(first!.epochAuthenticator));
    expect(toHex(g.exportSecret('agree', new Uint8Array(0), 32))).toBe(toHex(first!.exportSecret('agree', new Uint8Array(0), 32)));
    expect(g.members).toEqual(first!.members);
  }
}

/** The dmls_epoch a DMLSMessage names. */
const epochOf = (bytes: Uint8Array) => toHex(decodeDmlsMessage(bytes).dmlsEpoch);

forEachProvider((provider: CryptoProvider) => {
  for (const suite of [1, 3]) {
    describe(`DMLS group, suite ${suite}`, () => {
      const cs = cipherSuite(suite, provider);

      /** Alice creates a DMLS group and adds the others in one Commit; everyone in epoch 1. */
      function group(names: readonly string[], dmls: { maxEpochs?: number } = {}): mls.Group[] {
        const alice = mls.createGroup({ suite, identity: text('alice'), provider, dmls });
        const kps = names.map((n) => mls.createKeyPackage({ suite, identity: text(n), provider }));
        const added = alice.commit({ add: kps.map((k) => k.keyPackage) });
        alice.applyPendingCommit();
        const others = kps.map((k) => mls.joinGroup(added.welcome!, k.secrets, { dmls }));
        const all = [alice, ...others];
        agree(all);
        return all;
      }

      it('two concurrent Commits against one epoch: everyone keeps both children and converges on the fork rule\'s head, in any order', () => {
        const [a, b, c, d] = group(['bob', 'carol', 'dave']);
        const parent = b!.dmlsEpoch!;
        expect(a!.epoch).toBe(1n);
        // Bob and Carol commit against the same epoch; each applies its own at once (no delivery service).
        const c1 = b!.commit({ update: true }).commit;
        const c2 = c!.commit({ update: true, wireFormat: 'private' }).commit;
        expect(epochOf(c1)).toBe(toHex(parent));
        expect(epochOf(c2)).toBe(toHex(parent));
        const own1 = b!.applyPendingCommit();
        const own2 = c!.applyPendingCommit();
        expect(toHex(own1.dmlsEpoch!)).not.toBe(toHex(own2.dmlsEpoch!));

        // Alice and Dave get them in opposite orders, Bob and Carol get the other's.
        const r1 = a!.process(c1);
        expect(r1).toMatchObject({ kind: 'commit', epoch: 2n, sender: { kind: 'member', leafIndex: 1 } });
        expect(toHex(r1.kind === 'commit' ? r1.dmlsEpoch! : new Uint8Array(0))).toBe(toHex(own1.dmlsEpoch!));
        expect(a!.process(c2)).toMatchObject({ kind: 'commit', epoch: 2n, committer: 2 });
        expect(d!.process(c2).kind).toBe('commit');
        expect(d!.process(c1).kind).toBe('commit');
        expect(b!.process(c2).kind).toBe('commit');
        expect(c!.process(c1).kind).toBe('commit');
        agree([a!, b!, c!, d!]);

        // Both children are kept under the one parent, and the head is the one the fork rule picks.
        for (const g of [a!, b!, c!, d!]) {
          const children = store(g).children(parent);
          expect(children.map((e) => toHex(e.dmlsEpoch)).sort()).toEqual([toHex(own1.dmlsEpoch!), toHex(own2.dmlsEpoch!)].sort());
          expect(compareForks(children[0]!, children[1]!)).toBeGreaterThan(0);
          expect(toHex(g.dmlsEpoch!)).toBe(toHex(children[0]!.dmlsEpoch));
        }
        const heads = [own1, own2].map((o) => toHex(o.dmlsEpoch!));
        expect(heads).toContain(toHex(a!.dmlsEpoch!));

        // Application messages in the head epoch, every direction.
        for (const [i, sender] of [a!, b!, c!, d!].entries()) {
          const m = sender.encrypt(text(`hello ${i}`));
          expect(epochOf(m)).toBe(toHex(sender.dmlsEpoch!));
          for (const g of [a!, b!, c!, d!]) if (g !== sender) expect(g.process(m)).toMatchObject({ kind: 'application', sender: sender.leafIndex, plaintext: text(`hello ${i}`) });
        }

        // The group goes on from the head: a later Commit and a message in its epoch.
        const next = d!.commit({ update: true }).commit;
        d!.applyPendingCommit();
        for (const g of [a!, b!, c!]) expect(g.process(next)).toMatchObject({ kind: 'commit', epoch: 3n });
        agree([a!, b!, c!, d!]);
      });

      it('a message of the losing fork is still read while that epoch is kept', () => {
        const [a, b, c] = group(['bob', 'carol']);
        const c1 = b!.commit({ update: true }).commit;
        b!.applyPendingCommit();
        const c2 = c!.commit({ update: true }).commit;
        c!.applyPendingCommit();
        const fromB = b!.encrypt(text('in bob\'s fork'));
        const fromC = c!.encrypt(text('in carol\'s fork'));
        for (const g of [a!, b!, c!]) {
          if (g !== b) g.process(c1);
          if (g !== c) g.process(c2);
        }
        agree([a!, b!, c!]);
        expect(a!.process(fromB)).toMatchObject({ kind: 'application', plaintext: text('in bob\'s fork') });
        expect(a!.process(fromC)).toMatchObject({ kind: 'application', plaintext: text('in carol\'s fork') });
      });

      it('a Commit against an evicted epoch is refused with dmls-unknown-epoch', () => {
        const [a, b, c] = group(['bob', 'carol'], { maxEpochs: 2 });
        const stale = b!.dmlsEpoch!; // Bob stays in epoch 1
        for (let i = 0; i < 2; i++) {
          const commit = a!.commit({ update: true }).commit;
          a!.applyPendingCommit();
          c!.process(commit);
        }
        expect(c!.epoch).toBe(3n);
        expect(store(c!).size).toBe(2);
        expect(store(c!).has(stale)).toBe(false);
        const late = b!.commit({ update: true }).commit;
        const before = { e: toHex(c!.dmlsEpoch!), auth: toHex(c!.epochAuthenticator) };
        let thrown: unknown;
        try {
          c!.process(late);
        } catch (e) {
          thrown = e;
        }
        expect(thrown).toBeInstanceOf(mls.MlsError);
        expect(thrown).toEqual(code('dmls-unknown-epoch'));
        expect({ e: toHex(c!.dmlsEpoch!), auth: toHex(c!.epochAuthenticator) }).toEqual(before);
        // An application message of an evicted epoch, likewise.
        expect(() => c!.process(b!.encrypt(text('late')))).toThrow(code('dmls-unknown-epoch'));
      });

      it('a Commit processed once cannot be processed again: its PPRF point is punctured', () => {
        const [a, b, c] = group(['bob', 'carol']);
        const parent = a!.dmlsEpoch!;
        // An Add without a path: its commit_confirmation is that of Nh zero bytes, so the test can
        // name the PPRF input (the child's GroupContext it learns from the child state).
        const dave = mls.createKeyPackage({ suite, identity: text('dave'), provider });
        const add = b!.commit({ add: [dave.keyPackage] });
        const parentEntry = store(a!).get(parent)!;
        const heldBefore = parentEntry.parentInit.size;
        expect(a!.process(add.commit)).toMatchObject({ kind: 'commit', added: [3] });
        const child = stateOf(a!).groupContext;
        const x = childInitInput(cs, commitConfirmation(cs, undefined), child);
        expect(parentEntry.parentInit.isPunctured(x)).toBe(true);
        expect(parentEntry.parentInit.size).toBeGreaterThan(heldBefore); // the co-path siblings
        // Carol has not processed it: her parent's point is still evaluable.
        expect(store(c!).get(parent)!.parentInit.isPunctured(x)).toBe(false);
        // The sender punctures when it applies its own Commit.
        expect(store(b!).get(parent)!.parentInit.isPunctured(x)).toBe(false);
        b!.applyPendingCommit();
        expect(store(b!).get(parent)!.parentInit.isPunctured(x)).toBe(true);
        // Again: refused, nothing changes.
        const before = { e: toHex(a!.dmlsEpoch!), size: store(a!).size };
        expect(() => a!.process(add.commit)).toThrow(code('pprf-punctured'));
        expect({ e: toHex(a!.dmlsEpoch!), size: store(a!).size }).toEqual(before);
        // Likewise for a Commit with a path.
        const update = c!.commit({ update: true }).commit;
        c!.applyPendingCommit();
        for (const g of [a!, b!]) g.process(update);
        expect(() => a!.process(update)).toThrow(code('pprf-punctured'));
        const d = mls.joinGroup(add.welcome!, dave.secrets, { dmls: {} });
        expect(d.epoch).toBe(2n);
        expect(toHex(d.dmlsEpoch!)).toBe(toHex(store(a!).children(parent).find((e) => toHex(e.state.state.groupContext.confirmedTranscriptHash) === toHex(child.confirmedTranscriptHash))!.dmlsEpoch));
      });

      it('a Commit with an altered confirmation tag is refused, and the genuine one still processes', () => {
        const [a, b] = group(['bob']);
        const parent = a!.dmlsEpoch!;
        const genuine = b!.commit({ update: true }).commit;
        b!.applyPendingCommit();
        // A member of the parent epoch alters the tag and recomputes the membership tag (the
        // signature does not cover the tag), so the Commit reaches the key schedule.
        const { message, dmlsEpoch } = decodeDmlsMessage(genuine);
        if (message.kind !== 'mls_public_message') throw new Error('expected a PublicMessage');
        const pm = message.publicMessage;
        const tag = pm.auth.confirmationTag!.slice();
        tag[0]! ^= 1;
        const auth = { ...pm.auth, confirmationTag: tag };
        const state = store(a!).get(parent)!.state.state;
        const tampered = encodeDmlsMessage({
          dmlsEpoch,
          message: {
            kind: 'mls_public_message',
            publicMessage: { ...pm, auth, membershipTag: membershipTag(cs, state.epochSecrets.membershipKey, state.groupContext, { wireFormat: 1, content: pm.content, auth }) },
          },
        });
        const before = { e: toHex(a!.dmlsEpoch!), size: store(a!).size };
        expect(() => a!.process(tampered)).toThrow(code('invalid-confirmation-tag'));
        expect({ e: toHex(a!.dmlsEpoch!), size: store(a!).size }).toEqual(before);
        expect(a!.process(genuine)).toMatchObject({ kind: 'commit', epoch: 2n });
        agree([a!, b!]);
        expect(() => a!.process(tampered)).toThrow(code('pprf-punctured'));
      });

      it('a discarded pending Commit leaves its point evaluable; the group is unchanged', () => {
        const [a, b] = group(['bob']);
        const before = { e: toHex(a!.dmlsEpoch!), auth: toHex(a!.epochAuthenticator), size: store(a!).size };
        a!.commit({ update: true });
        a!.discardPendingCommit();
        expect({ e: toHex(a!.dmlsEpoch!), auth: toHex(a!.epochAuthenticator), size: store(a!).size }).toEqual(before);
        const again = a!.commit({ update: true }).commit;
        a!.applyPendingCommit();
        expect(b!.process(again).kind).toBe('commit');
        agree([a!, b!]);

        // A pathless Commit discarded by its sender: its point stays evaluable there (Bob, who
        // processed the bytes anyway, punctured his).
        const parent = a!.dmlsEpoch!;
        const dave = mls.createKeyPackage({ suite, identity: text('dave'), provider });
        const add = a!.commit({ add: [dave.keyPackage] }).commit;
        a!.discardPendingCommit();
        expect(b!.process(add).kind).toBe('commit');
        const x = childInitInput(cs, commitConfirmation(cs, undefined), stateOf(b!).groupContext);
        expect(store(b!).get(parent)!.parentInit.isPunctured(x)).toBe(true);
        expect(store(a!).get(parent)!.parentInit.isPunctured(x)).toBe(false);
      });

      it('save and load keep the kept epochs and their punctured PPRFs', () => {
        const [a, b, c] = group(['bob', 'carol']);
        const c1 = b!.commit({ update: true }).commit;
        b!.applyPendingCommit();
        const c2 = c!.commit({ update: true }).commit;
        c!.applyPendingCommit();
        a!.process(c1);
        const saved = a!.save();
        expect(toHex(a!.save())).toBe(toHex(saved)); // deterministic
        const restored = mls.loadGroup(saved, { provider });
        expect(toHex(restored.dmlsEpoch!)).toBe(toHex(a!.dmlsEpoch!));
        expect(store(restored).entries().map((e) => toHex(e.dmlsEpoch))).toEqual(store(a!).entries().map((e) => toHex(e.dmlsEpoch)));
        expect(() => restored.process(c1)).toThrow(code('pprf-punctured')); // the puncture was saved
        // The concurrent Commit against the kept parent still processes after the load.
        expect(restored.process(c2).kind).toBe('commit');
        b!.process(c2);
        c!.process(c1);
        agree([restored, b!, c!]);
        const m = restored.encrypt(text('restored'));
        expect(b!.process(m)).toMatchObject({ kind: 'application', plaintext: text('restored') });
        const next = b!.commit({ update: true }).commit;
        b!.applyPendingCommit();
        expect(restored.process(next)).toMatchObject({ kind: 'commit', epoch: 3n });
        agree([restored, b!]);
        // A truncated DMLS save is refused; an RFC 9420 save asked to load as DMLS is refused.
        expect(() => mls.loadGroup(saved.subarray(0, saved.length - 1), { provider })).toThrow(code('invalid-saved-state'));
        const plain = mls.createGroup({ suite, identity: text('plain'), provider });
        expect(() => mls.loadGroup(plain.save(), { provider, dmls: {} })).toThrow(code('invalid-saved-state'));
      });

      it('save and load keep sibling roots whose parent was evicted', () => {
        const [a, b, c] = group(['bob', 'carol'], { maxEpochs: 3 });
        const c1 = b!.commit({ update: true }).commit;
        b!.applyPendingCommit();
        const c2 = c!.commit({ update: true }).commit;
        c!.applyPendingCommit();
        a!.process(c1);
        a!.process(c2);
        const next = a!.commit({ update: true }).commit;
        a!.applyPendingCommit(); // the common parent is evicted: two roots, siblings
        const roots = store(a!).entries().filter((e) => !store(a!).has(e.parent!));
        expect(roots.length).toBe(2);
        const restored = mls.loadGroup(a!.save(), { provider });
        expect(store(restored).entries().map((e) => toHex(e.dmlsEpoch))).toEqual(store(a!).entries().map((e) => toHex(e.dmlsEpoch)));
        expect(toHex(restored.dmlsEpoch!)).toBe(toHex(a!.dmlsEpoch!));
        // A smaller bound than the epochs saved is refused, not silently truncated.
        expect(() => mls.loadGroup(a!.save(), { provider, dmls: { maxEpochs: 2 } })).toThrow(code('invalid-saved-state'));
        for (const g of [b!, c!]) {
          g.process(g === b ? c2 : c1);
          expect(g.process(next).kind).toBe('commit');
        }
        agree([restored, b!, c!]);
      });

      it('DMLS and RFC 9420 framing do not mix', () => {
        const [a] = group(['bob']);
        const plain = mls.createGroup({ suite, identity: text('plain'), provider });
        const rfc = plain.encrypt(text('x'));
        expect(() => a!.process(rfc)).toThrow(expect.any(mls.MlsError));
        expect(() => plain.process(a!.encrypt(text('x')))).toThrow(code('malformed-message'));
        expect(plain.dmlsEpoch).toBeUndefined();
        // A Welcome is not a DMLSMessage.
        const kp = mls.createKeyPackage({ suite, identity: text('eve'), provider });
        const welcome = a!.commit({ add: [kp.keyPackage] }).welcome!;
        expect(() => a!.process(welcome)).toThrow(expect.any(mls.MlsError));
      });
    });
  }
});
