// Processing commits (RFC 9420 §12.4.2) as a passive client, against
// passive-client-handling-commit.json, the `epochs` of passive-client-welcome.json, the 200 random
// epochs of passive-client-random.json and the passive-client vectors of the interop suite
// (interop/*.json, the same format) — suites 1–3, every provider: join from the Welcome, then for
// each epoch receive its proposals, process its commit, and compare the new epoch's authenticator
// with the vector's. Negative, per epoch: a PublicMessage commit with its confirmation tag or
// signature altered is refused with that code and the state unchanged (a member sender's membership
// tag recomputed, so the check at stake is the one reached; an external joiner's commit carries
// none, §6.2); a commit referring to proposals is refused without them ('unknown-proposal') and then
// still processes, also when it is a PrivateMessage (its generation is not spent by the refusal).
// The interop files add external senders' proposals (§12.1.8.1) and external commits (§12.4.3.2).
import { afterAll, describe, expect, it } from 'vitest';
import { cipherSuite } from '../../bindings/mls/crypto/cipher-suite.js';
import { membershipTag } from '../../bindings/mls/framing/content-auth.js';
import { type CachedProposal, processCommit, receiveProposal } from '../../bindings/mls/group/commit.js';
import { type GroupState, joinGroup } from '../../bindings/mls/group/join.js';
import { type MlsMessage, decodeMlsMessage } from '../../bindings/mls/messages/mls-message.js';
import { forEachProvider } from '../helpers/providers.js';
import { hex, loadVectors, toHex } from '../helpers/vectors.js';
import { passiveInputs } from './passive-vectors.js';
import { bySuite } from './suites.js';

const FILES = [
  'mls/passive-client-handling-commit.json', 'mls/passive-client-welcome.json', 'mls/passive-client-random.json',
  'mls/interop/application.json', 'mls/interop/branch.json', 'mls/interop/commit.json', 'mls/interop/external_join.json',
  'mls/interop/external_proposals.json', 'mls/interop/reinit.json', 'mls/interop/welcome_join.json',
];

function join(suite: ReturnType<typeof cipherSuite>, v: any) {
  const { welcome, keys, psks, ratchetTree } = passiveInputs(v);
  const group = joinGroup(suite, welcome, keys, { ...(ratchetTree !== undefined ? { ratchetTree } : {}), psks });
  return { group, psks };
}

/** The commit with its confirmation tag or signature altered, and a member sender's membership tag made valid again. */
function tampered(state: GroupState, message: MlsMessage, what: 'confirmationTag' | 'signature'): MlsMessage {
  if (message.kind !== 'mls_public_message') throw new Error('only PublicMessage commits are tampered with here');
  const { content, auth } = message.publicMessage;
  const bytes = (what === 'signature' ? auth.signature : auth.confirmationTag!).slice();
  bytes[bytes.length - 1]! ^= 1;
  const newAuth = { ...auth, [what]: bytes };
  if (content.sender.kind !== 'member') return { kind: 'mls_public_message', publicMessage: { content, auth: newAuth } };
  const tag = membershipTag(state.suite, state.epochSecrets.membershipKey, state.groupContext, { wireFormat: 1, content, auth: newAuth });
  return { kind: 'mls_public_message', publicMessage: { content, auth: newAuth, membershipTag: tag } };
}

const snapshot = (s: GroupState) => ({ epoch: s.epoch, authenticator: toHex(s.epochAuthenticator), tree: toHex(s.tree.encode()) });
const code = (c: string) => expect.objectContaining({ code: c });

forEachProvider((provider) => {
  for (const file of FILES) {
    describe(file, () => {
      const tally = bySuite(file, loadVectors<any[]>(file), provider.name);
      const withEpochs = tally.vectors.filter((v) => v.epochs.length > 0).length;
      let epochs = 0;
      let negatives = 0;
      let unknownRefs = 0;
      afterAll(() => console.log(`${file} [${provider.name}]: ${withEpochs} of ${tally.vectors.length} vectors of suites 1-3 have epochs; ${epochs} commits processed; ${negatives} tampered commits refused; ${unknownRefs} commits refused without their proposals`));
      tally.vectors.forEach((v, i) => {
        it(`#${i} suite ${v.cipher_suite}: ${v.epochs.length} epochs`, () => {
          const suite = cipherSuite(v.cipher_suite, provider);
          let { group, psks } = join(suite, v);
          expect(toHex(group.epochAuthenticator)).toBe(v.initial_epoch_authenticator);
          // The member's store of resumption PSKs (§8.6), one per epoch it was in.
          const resumption = new Map<bigint, Uint8Array>([[group.epoch, group.epochSecrets.resumptionPsk]]);
          const options = () => ({ psks, resumptionPsk: (id: Uint8Array, e: bigint) => (toHex(id) === toHex(group.groupId) ? resumption.get(e) : undefined) });
          for (const [e, epoch] of (v.epochs as any[]).entries()) {
            const cached: CachedProposal[] = (epoch.proposals as string[]).map((p) => receiveProposal(group, decodeMlsMessage(hex(p))));
            const commit = decodeMlsMessage(hex(epoch.commit));

            // Tampered commits are refused and leave the state as it was.
            if (commit.kind === 'mls_public_message') {
              const before = snapshot(group);
              expect(() => processCommit(group, tampered(group, commit, 'confirmationTag'), cached, options())).toThrow(code('invalid-confirmation-tag'));
              expect(() => processCommit(group, tampered(group, commit, 'signature'), cached, options())).toThrow(code('invalid-signature'));
              expect(snapshot(group)).toEqual(before);
              negatives += 2;
            }

            // A commit referring to proposals that were not received is refused.
            if (cached.length > 0) {
              expect(() => processCommit(group, commit, [], options())).toThrow(code('unknown-proposal'));
              unknownRefs++;
            }

            const next = processCommit(group, commit, cached, options());
            // This epoch's proposals belong to the old epoch: the new one refuses them.
            for (const p of epoch.proposals as string[]) expect(() => receiveProposal(next, decodeMlsMessage(hex(p)))).toThrow(code('wrong-epoch'));
            expect(next.epoch, `epoch ${e}`).toBe(group.epoch + 1n);
            expect(toHex(next.epochAuthenticator), `epoch ${e}`).toBe(epoch.epoch_authenticator);
            expect(next.privateState.inconsistentNodes(next.tree)).toEqual([]);
            expect(next.secretTree.nLeaves).toBe(next.tree.leafCount);
            resumption.set(next.epoch, next.epochSecrets.resumptionPsk);
            group = next;
            epochs++;
          }
          tally.pass();
        });
      });
    });
  }
});
