// A group in its last epoch (2^64 − 1, the largest uint64, RFC 9420 §8.1) can have no next one:
// creating or processing a Commit there is refused with MlsError 'last-epoch' before anything is
// derived, where it used to fail with a RangeError from encoding epoch 2^64 halfway through.
import { describe, expect, it } from 'vitest';
import { mls } from '../../bindings/index.js';
import { createCommit } from '../../bindings/mls/group/create-commit.js';
import { processCommitSummarized } from '../../bindings/mls/group/commit.js';
import { stateOf } from '../../bindings/mls/group/group.js';
import { decodeMlsMessage } from '../../bindings/mls/messages/mls-message.js';
import { forEachProvider } from '../helpers/providers.js';
import { codeOf } from './mls-error.js';

const text = (s: string) => new TextEncoder().encode(s);
const LAST = 0xffffffffffffffffn;

forEachProvider((provider) => {
  describe('the last epoch', () => {
    it('refuses to create or process a Commit at epoch 2^64 − 1 (MlsError last-epoch), and below it both work', () => {
      const alice = mls.createGroup({ identity: text('alice'), provider });
      const kp = mls.createKeyPackage({ identity: text('bob'), provider });
      const added = alice.commit({ add: [kp.keyPackage] });
      alice.applyPendingCommit();
      const bob = mls.joinGroup(added.welcome!, kp.secrets);
      const update = alice.commit({});
      const message = decodeMlsMessage(update.commit);

      const last = { ...stateOf(alice), epoch: LAST };
      expect(codeOf(() => createCommit(last))).toBe('last-epoch');
      expect(codeOf(() => processCommitSummarized({ ...stateOf(bob), epoch: LAST }, message))).toBe('last-epoch');
      // the same group at its real epoch: both sides work
      expect(() => createCommit(stateOf(alice))).not.toThrow();
      expect(processCommitSummarized(stateOf(bob), message).state.epoch).toBe(stateOf(bob).epoch + 1n);
    });
  });
});
