// Reinitialization (RFC 9420 §11.2) and subgroup branching (§11.3), with their resumption PSKs
// (§8.6) and the joiner's checks (§12.4.3.1), both providers: a ReInit Commit closes the group for
// every member; its members continue in a new group (the ReInit's id and suite) whose first Commit
// carries the old group's resumption PSK, and join it from the Welcome; a branch takes some members
// into a new group of the same suite while the old group goes on. Refusals: a closed group takes no
// message, a new group that is not the ReInit's cannot resume it, a joiner without the old group
// lacks the PSK, a branch cannot change the suite.
import { describe, expect, it } from 'vitest';
import { mls } from '../../bindings/index.js';
import type { CryptoProvider } from '../../bindings/index.js';
import { forEachProvider } from '../helpers/providers.js';
import { toHex } from '../helpers/vectors.js';

const text = (s: string) => new TextEncoder().encode(s);
const code = (c: string) => expect.objectContaining({ code: c });

function agree(groups: readonly mls.Group[]): void {
  for (const g of groups.slice(1)) {
    expect(g.epoch).toBe(groups[0]!.epoch);
    expect(toHex(g.epochAuthenticator)).toBe(toHex(groups[0]!.epochAuthenticator));
  }
}

function threeMembers(provider: CryptoProvider, suite: number) {
  const alice = mls.createGroup({ suite, identity: text('alice'), provider });
  const kps = ['bob', 'carol'].map((n) => mls.createKeyPackage({ suite, identity: text(n), provider }));
  const { welcome } = alice.commit({ add: kps.map((k) => k.keyPackage) });
  alice.applyPendingCommit();
  const [bob, carol] = kps.map((k) => mls.joinGroup(welcome!, k.secrets));
  return { alice, bob: bob!, carol: carol! };
}

forEachProvider((provider) => {
  describe('ReInit (§11.2)', () => {
    it('closes the group; its members continue in the new group, resuming the old one', () => {
      const { alice, bob, carol } = threeMembers(provider, 3);
      const newId = text('the reinitialized group');
      const { commit } = bob.commit({ reinit: { groupId: newId, suite: 1 } });
      bob.applyPendingCommit();
      for (const g of [alice, carol]) expect(g.process(commit)).toMatchObject({ kind: 'commit', epoch: 2n });
      agree([alice, bob, carol]);
      for (const g of [alice, bob, carol]) {
        expect(g.reinit).toEqual({ groupId: newId, cipherSuite: 1, extensions: [] });
        expect(() => g.encrypt(text('late'))).toThrow(code('group-reinitialized'));
        expect(() => g.commit({ update: true })).toThrow(code('group-reinitialized'));
      }
      // The closed state survives a save.
      expect(mls.loadGroup(alice.save(), { provider }).reinit).toEqual(alice.reinit);

      // Alice starts the new group with the ReInit's parameters and brings Bob and Carol in.
      const next = mls.createGroup({ suite: 1, identity: text('alice'), groupId: newId, provider });
      const kps = ['bob', 'carol'].map((n) => mls.createKeyPackage({ suite: 1, identity: text(n), provider }));
      const first = next.commit({ add: kps.map((k) => k.keyPackage), resume: { from: alice, usage: 'reinit' } });
      next.applyPendingCommit();
      expect(() => mls.joinGroup(first.welcome!, kps[0]!.secrets)).toThrow(code('missing-psk'));
      const b = mls.joinGroup(first.welcome!, kps[0]!.secrets, { resumeFrom: bob });
      const c = mls.joinGroup(first.welcome!, kps[1]!.secrets, { resumeFrom: carol });
      agree([next, b, c]);
      expect([next.epoch, b.cipherSuite]).toEqual([1n, 1]);
      const hello = b.encrypt(text('in the new group'));
      expect(c.process(hello)).toMatchObject({ kind: 'application', plaintext: text('in the new group') });

      // A group that is not the ReInit's cannot resume it.
      const impostor = mls.createGroup({ suite: 1, identity: text('alice'), groupId: text('another id'), provider });
      expect(() => impostor.commit({ add: [kps[0]!.keyPackage], resume: { from: alice, usage: 'reinit' } })).toThrow(code('invalid-resumption'));
    });

    it('a joiner checks the Welcome against the old group', () => {
      const { alice, bob } = threeMembers(provider, 3);
      const reinit = alice.commit({ reinit: { groupId: text('new'), suite: 3 } });
      alice.applyPendingCommit();
      bob.process(reinit.commit);
      const next = mls.createGroup({ suite: 3, identity: text('alice'), groupId: text('new'), provider });
      const kp = mls.createKeyPackage({ suite: 3, identity: text('bob'), provider });
      const first = next.commit({ add: [kp.keyPackage], resume: { from: alice, usage: 'reinit' } });
      // Resuming from a group that was not reinitialized: its resumption PSK is of another group.
      const unrelated = threeMembers(provider, 3).bob;
      expect(() => mls.joinGroup(first.welcome!, kp.secrets, { resumeFrom: unrelated })).toThrow(code('missing-psk'));
      expect(mls.joinGroup(first.welcome!, kp.secrets, { resumeFrom: bob }).epoch).toBe(1n);
    });
  });

  describe('branch (§11.3)', () => {
    it('takes some members into a new group; the old group goes on', () => {
      const { alice, bob, carol } = threeMembers(provider, 2);
      const branch = mls.createGroup({ suite: 2, identity: text('alice'), provider });
      const kp = mls.createKeyPackage({ suite: 2, identity: text('bob'), provider });
      const first = branch.commit({ add: [kp.keyPackage], resume: { from: alice, usage: 'branch' } });
      branch.applyPendingCommit();
      const b = mls.joinGroup(first.welcome!, kp.secrets, { resumeFrom: bob });
      agree([branch, b]);
      expect(branch.members).toEqual([0, 1]);

      // The old group is untouched.
      const update = carol.commit({ update: true });
      carol.applyPendingCommit();
      for (const g of [alice, bob]) g.process(update.commit);
      agree([alice, bob, carol]);

      // A branch keeps the suite; only a new group resumes (epoch 0).
      const other = mls.createGroup({ suite: 3, identity: text('alice'), provider });
      const kp3 = mls.createKeyPackage({ suite: 3, identity: text('bob'), provider });
      expect(() => other.commit({ add: [kp3.keyPackage], resume: { from: alice, usage: 'branch' } })).toThrow(code('invalid-resumption'));
      expect(() => b.commit({ update: true, resume: { from: bob, usage: 'branch' } })).toThrow(code('invalid-resumption'));
    });
  });
});
