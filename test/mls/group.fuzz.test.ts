// The group layer on hostile input: mutated MLSMessages (test/helpers/mutate.ts) fed to
// group.process, mutated Welcomes to joinGroup, mutated KeyPackages to keyPackageSecretsFrom. What
// must hold: only MlsError escapes (never a TypeError, RangeError or DecodeError), and a refused
// message leaves the group's saved bytes exactly as they were. (The group's keys are fresh each run;
// the Welcome and KeyPackage come from a conformance vector, so a failure there replays exactly.) A mutation the group accepts (one that
// leaves a message valid) is allowed; the group is then restored for the next input. Fixed seed and
// RUNS inputs per message in `npm test`; under `npm run fuzz`, FUZZ_MIN_RUNS each, then more as the
// time budget allows.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mls } from '../../bindings/index.js';
import { FUZZ_SEED, fuzzing, runFuzzProperty } from '../diff/property.js';
import { mutate, mutation } from '../helpers/mutate.js';
import { hex, loadVectors, toHex } from '../helpers/vectors.js';

const RUNS = 150;
const FUZZ_MIN_RUNS = 10_000;
const TIMEOUT = fuzzing ? 0 : 120_000;
const text = (s: string) => new TextEncoder().encode(s);

/** A three-member group (suite 3) and one message of each kind Bob can receive in its epoch. */
function fixture() {
  const alice = mls.createGroup({ identity: text('alice') });
  const kps = ['bob', 'carol'].map((n) => mls.createKeyPackage({ identity: text(n) }));
  const { welcome } = alice.commit({ add: kps.map((k) => k.keyPackage) });
  alice.applyPendingCommit();
  const bob = mls.joinGroup(welcome!, kps[0]!.secrets);
  const carol = mls.joinGroup(welcome!, kps[1]!.secrets);
  const saved = bob.save();
  const proposal = carol.propose({ remove: 0 });
  const application = carol.encrypt(text('a message to mutate'), text('aad'));
  const publicCommit = alice.commit({ update: true }).commit;
  alice.discardPendingCommit();
  const privateCommit = alice.commit({ update: true, wireFormat: 'private' }).commit;
  alice.discardPendingCommit();
  return { saved, messages: { proposal, application, 'public commit': publicCommit, 'private commit': privateCommit } };
}

function run(property: fc.IProperty<any>): number {
  return runFuzzProperty(property, RUNS, FUZZ_MIN_RUNS, 8);
}

const edits = fc.array(mutation, { minLength: 1, maxLength: 4 });

describe('MLS group layer under fast-check', () => {
  const f = fixture();
  const counts: Record<string, string> = {};

  for (const [kind, bytes] of Object.entries(f.messages)) {
    it(`group.process: mutated ${kind}`, () => {
      let group = mls.loadGroup(f.saved);
      let before = toHex(group.save());
      let accepted = 0;
      const n = run(fc.property(edits, (e) => {
        const input = mutate(bytes, e);
        try {
          group.process(input);
        } catch (error) {
          if (!(error instanceof mls.MlsError)) throw new Error(`process threw ${String(error)} on ${toHex(input)}`);
          if (toHex(group.save()) !== before) throw new Error(`a refused message changed the group: ${toHex(input)}`);
          return;
        }
        accepted++; // still a valid message: start the next input from the saved group
        group.dispose();
        group = mls.loadGroup(f.saved);
        before = toHex(group.save());
      }));
      counts[kind] = `${n} (${accepted} accepted)`;
    }, TIMEOUT);
  }

  it('joinGroup: mutated Welcome; keyPackageSecretsFrom: mutated KeyPackage (a passive-client vector: reproducible)', () => {
    const v = loadVectors<any[]>('mls/passive-client-welcome.json').find((x) => x.cipher_suite === 3)!;
    const keys = { initPrivateKey: hex(v.init_priv), encryptionPrivateKey: hex(v.encryption_priv), signaturePrivateKey: hex(v.signature_priv) };
    const secrets = mls.keyPackageSecretsFrom({ keyPackage: hex(v.key_package), ...keys });
    const options = { psks: v.external_psks.map((p: any) => ({ id: hex(p.psk_id), secret: hex(p.psk) })), ...(v.ratchet_tree == null ? {} : { ratchetTree: hex(v.ratchet_tree) }) };
    const n = run(fc.property(edits, fc.boolean(), (e, onWelcome) => {
      try {
        if (onWelcome) mls.joinGroup(mutate(hex(v.welcome), e), secrets, options).dispose();
        else mls.keyPackageSecretsFrom({ keyPackage: mutate(hex(v.key_package), e), ...keys });
      } catch (error) {
        if (!(error instanceof mls.MlsError)) throw new Error(`${onWelcome ? 'joinGroup' : 'keyPackageSecretsFrom'} threw ${String(error)}`);
      }
    }));
    console.log(`mls group fuzz (seed ${FUZZ_SEED}): ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}, Welcome/KeyPackage ${n}; only MlsError escaped, refusals left the state unchanged`);
  }, TIMEOUT);
});
