// Processing commits (RFC 9420 §12.4.2) as a passive client, against
// passive-client-handling-commit.json, the `epochs` of passive-client-welcome.json, the 200 random
// epochs of passive-client-random.json and the passive-client vectors of the interop suite
// (interop/*.json, the same format) — suites 1–3, every provider, through the public API: join with
// keyPackageSecretsFrom + joinGroup, then group.process() each epoch's proposals and commit, and
// compare group.epochAuthenticator with the vector's. Negative, per epoch: a PublicMessage commit
// with its confirmation tag or signature altered is refused with that code and the group unchanged (a
// member sender's membership tag recomputed, so the check at stake is the one reached; an external
// joiner's commit carries none, §6.2); a commit referring to proposals is refused without them
// ('unknown-proposal') and then still processes, also when it is a PrivateMessage (its generation is
// not spent by the refusal). The interop files add external senders' proposals (§12.1.8.1) and
// external commits (§12.4.3.2).
import { afterAll, describe, expect, it } from 'vitest';
import { membershipTag } from '../../bindings/mls/framing/content-auth.js';
import { processCommit } from '../../bindings/mls/group/commit.js';
import { type Group, stateOf } from '../../bindings/mls/group/group.js';
import type { GroupState } from '../../bindings/mls/group/join.js';
import { type MlsMessage, decodeMlsMessage, encodeMlsMessage } from '../../bindings/mls/messages/mls-message.js';
import { forEachProvider } from '../helpers/providers.js';
import { hex, loadVectors, toHex } from '../helpers/vectors.js';
import { joinAsPassiveClient } from './passive-vectors.js';
import { bySuite } from './suites.js';

const FILES = [
  'mls/passive-client-handling-commit.json', 'mls/passive-client-welcome.json', 'mls/passive-client-random.json',
  'mls/interop/application.json', 'mls/interop/branch.json', 'mls/interop/commit.json', 'mls/interop/external_join.json',
  'mls/interop/external_proposals.json', 'mls/interop/reinit.json', 'mls/interop/welcome_join.json',
];

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

const snapshot = (g: Group) => ({ epoch: g.epoch, authenticator: toHex(g.epochAuthenticator), tree: toHex(stateOf(g).tree.encode()) });
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
          // Resumption PSKs of every epoch are kept: the vectors may name any earlier one.
          const group = joinAsPassiveClient(v, provider, { keptResumptionPsks: v.epochs.length });
          expect(toHex(group.epochAuthenticator)).toBe(v.initial_epoch_authenticator);
          for (const [e, epoch] of (v.epochs as any[]).entries()) {
            const proposals = (epoch.proposals as string[]).map(hex);
            for (const p of proposals) expect(group.process(p).kind).toBe('proposal');
            const bytes = hex(epoch.commit);
            const commit = decodeMlsMessage(bytes);
            const state = stateOf(group);

            // Tampered commits are refused and leave the group as it was.
            if (commit.kind === 'mls_public_message') {
              const before = snapshot(group);
              for (const [what, c] of [['confirmationTag', 'invalid-confirmation-tag'], ['signature', 'invalid-signature']] as const) {
                expect(() => group.process(encodeMlsMessage(tampered(state, commit, what)))).toThrow(code(c));
              }
              expect(snapshot(group)).toEqual(before);
              negatives += 2;
            }

            // A commit referring to proposals that were not received is refused.
            if (proposals.length > 0) {
              expect(() => processCommit(state, commit, [])).toThrow(code('unknown-proposal'));
              unknownRefs++;
            }

            const result = group.process(bytes);
            expect(result.kind).toBe('commit');
            // This epoch's proposals belong to the old epoch: the new one refuses them.
            for (const p of proposals) expect(() => group.process(p)).toThrow(code('wrong-epoch'));
            expect(group.epoch, `epoch ${e}`).toBe(state.epoch + 1n);
            expect(result.kind === 'commit' && result.epoch).toBe(group.epoch);
            expect(toHex(group.epochAuthenticator), `epoch ${e}`).toBe(epoch.epoch_authenticator);
            const next = stateOf(group);
            expect(next.privateState.inconsistentNodes(next.tree)).toEqual([]);
            expect(next.secretTree.nLeaves).toBe(next.tree.leafCount);
            epochs++;
          }
          group.dispose();
          expect(() => group.epoch).toThrow(code('disposed'));
          tally.pass();
        });
      });
    });
  }
});
