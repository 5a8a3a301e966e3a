// Negative tests, one per validity rule a receiver enforces on a Commit (RFC 9420 §12.2, §12.4.2,
// §7.3, §10.1, §6): a member (Bob) signs a Commit that breaks the rule — built with the active
// side's `unvalidated` test switch, so the message is otherwise genuine: signed, membership-tagged,
// confirmation-tagged; where Bob's own tree cannot even take the list (a Remove of an absent leaf),
// a valid Commit's list is replaced and the content signed again, its confirmation tag then stale
// but checked only after the list — and the receiver (Alice) refuses it with the rule's MlsError code and her
// saved state (group.save(), every secret and ratchet included) is byte for byte what it was.
// Suites 1-3, both providers; each case also runs as a PrivateMessage where the rule is reachable
// through one.
import { describe, expect, it } from 'vitest';
import { mls } from '../../bindings/index.js';
import type { CryptoProvider } from '../../bindings/index.js';
import { cipherSuite } from '../../bindings/mls/crypto/cipher-suite.js';
import { signWithLabel } from '../../bindings/mls/crypto/labels.js';
import { PUBLIC_MESSAGE, authenticateContent } from '../../bindings/mls/framing/content-auth.js';
import { toPublicMessage } from '../../bindings/mls/framing/public-message.js';
import { receiveProposal } from '../../bindings/mls/group/commit.js';
import { type CreateCommitOptions, createCommit } from '../../bindings/mls/group/create-commit.js';
import { stateOf } from '../../bindings/mls/group/group.js';
import { decodeKeyPackageBytes } from '../../bindings/mls/group/key-package-secrets.js';
import { type KeyPackage, encodeKeyPackageTbs } from '../../bindings/mls/messages/key-package.js';
import { type LeafNode, encodeLeafNodeTbs } from '../../bindings/mls/messages/leaf-node.js';
import { type MlsMessage, encodeMlsMessage } from '../../bindings/mls/messages/mls-message.js';
import type { ProposalOrRef } from '../../bindings/mls/messages/commit.js';
import type { Proposal } from '../../bindings/mls/messages/proposal.js';
import { forEachProvider } from '../helpers/providers.js';
import { toHex } from '../helpers/vectors.js';

const text = (s: string) => new TextEncoder().encode(s);
const code = (c: string) => expect.objectContaining({ code: c });
const NOW = () => BigInt(Math.floor(Date.now() / 1000));

/** Alice (0) made the group; Bob (1), Carol (2) and Dave (3) joined from her Welcome. */
function fourMembers(provider: CryptoProvider, suite: number) {
  const psk = { id: text('shared psk'), secret: provider.randomBytes(32) };
  const options = { now: NOW, psks: [psk] };
  const alice = mls.createGroup({ suite, identity: text('alice'), provider, ...options });
  const kps = ['bob', 'carol', 'dave'].map((n) => mls.createKeyPackage({ suite, identity: text(n), provider }));
  const { welcome } = alice.commit({ add: kps.map((k) => k.keyPackage) });
  alice.applyPendingCommit();
  const [bob, carol, dave] = kps.map((k) => mls.joinGroup(welcome!, k.secrets, options));
  return { alice, bob: bob!, carol: carol!, dave: dave!, psk };
}

type Members = ReturnType<typeof fourMembers>;

/** A KeyPackage for the group's suite, changed by `edit` and signed again (so only the edit is wrong). */
function keyPackage(provider: CryptoProvider, suite: number, edit: (kp: KeyPackage) => KeyPackage = (kp) => kp, options: Parameters<typeof mls.createKeyPackage>[0] = { suite, identity: text('erin'), provider }) {
  const made = mls.createKeyPackage(options);
  const secrets = made.secrets.keys();
  const kp = edit(decodeKeyPackageBytes(made.keyPackage));
  const s = cipherSuite(kp.cipherSuite, provider);
  return { ...kp, signature: signWithLabel(s, secrets.signaturePrivateKey, 'KeyPackageTBS', encodeKeyPackageTbs(kp)) };
}

/** Carol's new leaf for an Update, `edit`ed before she signs it (§7.2: with group_id and leaf_index). */
function updateLeaf(m: Members, edit: (leaf: LeafNode) => LeafNode = (l) => l, who = m.carol): LeafNode {
  const state = stateOf(who);
  const current = state.tree.leaf(state.leafIndex)!;
  const leaf = edit({ ...current, encryptionKey: state.suite.hpke.generateKeyPair().publicKey, source: { kind: 'update' }, signature: new Uint8Array(0) });
  const group = { groupId: state.groupId, leafIndex: state.leafIndex };
  return { ...leaf, signature: signWithLabel(state.suite, state.signaturePrivateKey, 'LeafNodeTBS', encodeLeafNodeTbs(leaf, group)) };
}

/** Carol sends `proposal` as a PublicMessage; Alice receives it; Bob caches it for his Commit. */
function carolProposes(m: Members, proposal: Proposal) {
  const state = stateOf(m.carol);
  const content = {
    groupId: state.groupId, epoch: state.epoch, sender: { kind: 'member', leafIndex: state.leafIndex } as const,
    authenticatedData: new Uint8Array(0), body: { kind: 'proposal', proposal } as const,
  };
  const authenticated = authenticateContent(state.suite, { groupContext: state.groupContext, signatureKey: state.signaturePrivateKey }, PUBLIC_MESSAGE, content);
  const message: MlsMessage = { kind: 'mls_public_message', publicMessage: toPublicMessage(state.suite, { groupContext: state.groupContext, membershipKey: state.epochSecrets.membershipKey }, authenticated) };
  return { bytes: encodeMlsMessage(message), cached: receiveProposal(stateOf(m.bob), message) };
}

/** Bob's Commit with the list checks off. */
function bobCommits(m: Members, options: CreateCommitOptions, wireFormat: 'public' | 'private' = 'public'): Uint8Array {
  return encodeMlsMessage(createCommit(stateOf(m.bob), { psks: [m.psk], ...options, wireFormat, unvalidated: true }).message);
}

interface Case {
  readonly rule: string;
  readonly code: string;
  /** Whether the case also runs as a PrivateMessage. */
  readonly private?: boolean;
  /** Proposals Alice must have received first (sent by Carol). */
  readonly proposals?: (m: Members, suite: number, provider: CryptoProvider) => Proposal[];
  readonly commit?: (m: Members, suite: number, provider: CryptoProvider, byReference: ReturnType<typeof carolProposes>['cached'][]) => CreateCommitOptions;
  /** Instead of `commit`: a valid Commit's proposal list replaced by this one, signed again. */
  readonly list?: (m: Members, suite: number, provider: CryptoProvider, byReference: ReturnType<typeof carolProposes>['cached'][]) => ProposalOrRef[];
}

/** A valid Commit of Bob's (a Remove of Dave, with a path) whose list is replaced by `proposals`, signed and tagged again. */
function bobResigns(m: Members, proposals: readonly ProposalOrRef[]): Uint8Array {
  const state = stateOf(m.bob);
  const valid = createCommit(state, { byValue: [{ kind: 'remove', removed: 3 }] }).message;
  if (valid.kind !== 'mls_public_message' || valid.publicMessage.content.body.kind !== 'commit') throw new Error('expected a PublicMessage commit');
  const { content, auth } = valid.publicMessage;
  const commit = { ...content.body.commit, proposals };
  const authenticated = authenticateContent(state.suite, { groupContext: state.groupContext, signatureKey: state.signaturePrivateKey, confirmationTag: auth.confirmationTag! },
    PUBLIC_MESSAGE, { ...content, body: { kind: 'commit', commit } });
  return encodeMlsMessage({ kind: 'mls_public_message', publicMessage: toPublicMessage(state.suite, { groupContext: state.groupContext, membershipKey: state.epochSecrets.membershipKey }, authenticated) });
}

const carolUpdate = (m: Members): Proposal => ({ kind: 'update', leafNode: updateLeaf(m) });
const byValue = (...proposals: Proposal[]): ProposalOrRef[] => proposals.map((proposal) => ({ kind: 'proposal', proposal }));
const refs = (cached: readonly { ref: Uint8Array }[]): ProposalOrRef[] => cached.map((c) => ({ kind: 'reference', reference: c.ref }));

const CASES: Case[] = [
  { rule: '§12.2: no Update by the committer', code: 'invalid-commit', private: true, commit: (m) => ({ byValue: [{ kind: 'update', leafNode: updateLeaf(m, undefined, m.bob) }] }) },
  { rule: '§12.2: the committer does not remove itself', code: 'invalid-commit', private: true, commit: () => ({ byValue: [{ kind: 'remove', removed: 1 }] }) },
  { rule: '§12.2: a Remove names a member (not an absent leaf)', code: 'invalid-commit', list: () => byValue({ kind: 'remove', removed: 5 }) },
  { rule: '§12.2: at most one Remove per leaf', code: 'invalid-commit', list: () => byValue({ kind: 'remove', removed: 2 }, { kind: 'remove', removed: 2 }) },
  { rule: '§12.2: not an Update and a Remove of one leaf', code: 'invalid-commit', proposals: (m) => [carolUpdate(m)], commit: (_m, _s, _p, refs) => ({ byReference: refs, byValue: [{ kind: 'remove', removed: 2 }] }) },
  { rule: '§12.2: at most one Update per leaf', code: 'invalid-commit', proposals: (m) => [carolUpdate(m), carolUpdate(m)], commit: (_m, _s, _p, refs) => ({ byReference: refs }) },
  {
    rule: '§12.2: no two Adds of one signature key', code: 'invalid-commit', private: true,
    commit: (_m, suite, provider) => {
      const signatureKey = provider.signature(cipherSuite(suite, provider).signature).generateKeyPair().secretKey;
      const kps = [0, 1].map((i) => keyPackage(provider, suite, undefined, { suite, identity: text(`twin ${i}`), provider, signatureKey }));
      return { byValue: kps.map((keyPackage) => ({ kind: 'add', keyPackage })) };
    },
  },
  { rule: '§10.1: a KeyPackage has init_key ≠ encryption_key', code: 'invalid-commit', commit: (_m, suite, provider) => ({ byValue: [{ kind: 'add', keyPackage: keyPackage(provider, suite, (kp) => ({ ...kp, initKey: kp.leafNode.encryptionKey })) }] }) },
  {
    rule: "§12.2: an Add's KeyPackage is of the group's suite", code: 'invalid-commit',
    list: (_m, suite, provider) => byValue({ kind: 'add', keyPackage: keyPackage(provider, suite, undefined, { suite: suite === 2 ? 1 : 2, identity: text('other'), provider }) }),
  },
  { rule: "§12.2: an Add's KeyPackage is of protocol mls10", code: 'invalid-commit', commit: (_m, suite, provider) => ({ byValue: [{ kind: 'add', keyPackage: keyPackage(provider, suite, (kp) => ({ ...kp, version: 2 })) }] }) },
  {
    rule: "§10.1: an Add's KeyPackage signature verifies", code: 'invalid-signature', private: true,
    commit: (_m, suite, provider) => {
      const kp = keyPackage(provider, suite);
      const signature = kp.signature.slice();
      signature[8]! ^= 1;
      return { byValue: [{ kind: 'add', keyPackage: { ...kp, signature } }] };
    },
  },
  { rule: "§7.3: an Add's leaf is of source key_package", code: 'invalid-leaf-node', list: (_m, suite, provider) => byValue({ kind: 'add', keyPackage: keyPackage(provider, suite, (kp) => ({ ...kp, leafNode: { ...kp.leafNode, source: { kind: 'update' } } })) }) },
  {
    rule: "§7.3: an Add's leaf lifetime includes now", code: 'invalid-leaf-node',
    commit: (_m, suite, provider) => ({ byValue: [{ kind: 'add', keyPackage: keyPackage(provider, suite, undefined, { suite, identity: text('expired'), provider, lifetime: { notBefore: 0n, notAfter: 1000n } }) }] }),
  },
  {
    rule: "§7.3: an Add's signature key is not a member's", code: 'duplicate-key',
    commit: (m, suite, provider) => {
      const dave = stateOf(m.dave);
      return { byValue: [{ kind: 'add', keyPackage: keyPackage(provider, suite, undefined, { suite, identity: text('dave again'), provider, signatureKey: dave.signaturePrivateKey }) }] };
    },
  },
  { rule: '§7.3: an Update leaf is of source update', code: 'invalid-leaf-node', proposals: (m) => [{ kind: 'update', leafNode: updateLeaf(m, (l) => ({ ...l, source: { kind: 'commit', parentHash: new Uint8Array(0) } })) }], list: (_m, _s, _p, cached) => refs(cached) },
  { rule: '§7.3: an Update changes the encryption key', code: 'invalid-leaf-node', proposals: (m) => [{ kind: 'update', leafNode: updateLeaf(m, (l) => ({ ...l, encryptionKey: stateOf(m.carol).tree.leaf(2)!.encryptionKey })) }], commit: (_m, _s, _p, refs) => ({ byReference: refs }) },
  { rule: "§7.3: an Update's leaf signature verifies (over group_id and leaf_index)", code: 'invalid-leaf-signature', proposals: (m) => [{ kind: 'update', leafNode: { ...updateLeaf(m), signature: updateLeaf(m, undefined, m.dave).signature } }], commit: (_m, _s, _p, refs) => ({ byReference: refs }) },
  {
    rule: '§12.2: no two PreSharedKey proposals with one PreSharedKeyID', code: 'invalid-commit',
    commit: (m) => {
      const psk = { kind: 'psk', psk: { type: 1, pskId: m.psk.id, nonce: new Uint8Array(32).fill(7) } } as const;
      return { byValue: [psk, psk] };
    },
  },
  { rule: '§8.4: a psk_nonce has Nh bytes', code: 'invalid-commit', commit: (m) => ({ byValue: [{ kind: 'psk', psk: { type: 1, pskId: m.psk.id, nonce: new Uint8Array(16) } }] }) },
  { rule: '§12.2: at most one GroupContextExtensions', code: 'invalid-commit', commit: () => ({ byValue: [{ kind: 'group_context_extensions', extensions: [] }, { kind: 'group_context_extensions', extensions: [] }] }) },
  { rule: '§12.1.7: every member supports the new GroupContext extensions', code: 'invalid-commit', commit: () => ({ byValue: [{ kind: 'group_context_extensions', extensions: [{ type: 0x0a0a, data: new Uint8Array(1) }] }] }) },
  { rule: "§12.2: no ExternalInit in a member's Commit", code: 'invalid-commit', commit: () => ({ byValue: [{ kind: 'external_init', kemOutput: new Uint8Array(32) }] }) },
  { rule: '§12.2: a proposal type the group does not support is refused', code: 'unsupported-proposal', commit: () => ({ byValue: [{ kind: 'unknown', proposalType: 0xf0f0, data: new Uint8Array(3) }] }) },
  { rule: '§12.2: a ReInit is the only proposal of its Commit', code: 'invalid-commit', commit: (m) => ({ byValue: [{ kind: 'reinit', groupId: text('next'), version: 1, cipherSuite: stateOf(m.bob).suite.id, extensions: [] }, { kind: 'remove', removed: 3 }] }) },
  {
    rule: '§12.1.4: no reinit or branch PSK outside a new group', code: 'invalid-commit',
    commit: (m) => {
      const state = stateOf(m.bob);
      return { byValue: [{ kind: 'psk', psk: { type: 2, usage: 3, groupId: state.groupId, epoch: state.epoch, nonce: new Uint8Array(32) } }] };
    },
  },
  { rule: '§12.4: a Remove requires a path', code: 'invalid-commit', private: true, commit: () => ({ byValue: [{ kind: 'remove', removed: 3 }], path: false }) },
  { rule: '§12.4: an empty Commit requires a path', code: 'invalid-commit', commit: () => ({ path: false }) },
  { rule: '§12.4: a GroupContextExtensions requires a path', code: 'invalid-commit', commit: () => ({ byValue: [{ kind: 'group_context_extensions', extensions: [] }], path: false }) },
];

forEachProvider((provider) => {
  for (const suite of [1, 2, 3]) {
    describe(`suite ${suite}`, () => {
      const m = fourMembers(provider, suite);
      for (const c of CASES) {
        for (const wireFormat of c.private === true ? ['public', 'private'] as const : ['public'] as const) {
          it(`${c.rule} (${wireFormat}): ${c.code}`, () => {
            const before = toHex(m.alice.save());
            const proposals = c.proposals?.(m, suite, provider) ?? [];
            const sent = proposals.map((p) => carolProposes(m, p));
            // Alice receives Carol's proposals in a copy restored from her save, so each case starts from the same state.
            const alice = mls.loadGroup(m.alice.save(), { provider, now: NOW, psks: [m.psk] });
            for (const { bytes } of sent) expect(alice.process(bytes).kind).toBe('proposal');
            const withProposals = toHex(alice.save());
            const bytes = c.list !== undefined ? bobResigns(m, c.list(m, suite, provider, sent.map((x) => x.cached))) : bobCommits(m, c.commit!(m, suite, provider, sent.map((x) => x.cached)), wireFormat);
            expect(() => alice.process(bytes)).toThrow(code(c.code));
            expect(toHex(alice.save())).toBe(withProposals);
            expect(toHex(m.alice.save())).toBe(before);
          });
        }
      }

      it('a valid Commit of the same shape is accepted (the cases above fail only on their rule)', () => {
        const alice = mls.loadGroup(m.alice.save(), { provider, now: NOW, psks: [m.psk] });
        const bytes = bobCommits(m, { byValue: [{ kind: 'remove', removed: 3 }, { kind: 'add', keyPackage: keyPackage(provider, suite) }] });
        expect(alice.process(bytes)).toMatchObject({ kind: 'commit', removed: [3], added: [3] });
      });
    });
  }
});
