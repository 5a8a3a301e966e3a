// The public MLS API of issue 12 (mls namespace / 'wirecrypt/mls'): keyPackageSecretsFrom checks a
// KeyPackage against its private keys; joinGroup takes Welcome bytes; group.process takes MLSMessage
// bytes and says what they were; exportSecret, dispose. Bad input gets its MlsError code and the
// group is left as it was. The conformance runs through this API are passive-client-*.test.ts.
import { describe, expect, it } from 'vitest';
import { mls } from '../../bindings/index.js';
import { cipherSuite } from '../../bindings/mls/crypto/cipher-suite.js';
import { exportSecret } from '../../bindings/mls/key-schedule.js';
import { stateOf } from '../../bindings/mls/group/group.js';
import { type MlsMessage, decodeMlsMessage, encodeMlsMessage } from '../../bindings/mls/messages/mls-message.js';
import { encodeKeyPackage } from '../../bindings/mls/messages/key-package.js';
import { forEachProvider } from '../helpers/providers.js';
import { hex, loadVectors, toHex } from '../helpers/vectors.js';
import { joinAsPassiveClient } from './passive-vectors.js';

const code = (c: string) => expect.objectContaining({ code: c });
const vectors = loadVectors<any[]>('mls/passive-client-handling-commit.json');

forEachProvider((provider) => {
  describe('mls public API', () => {
    for (const suiteId of [1, 2, 3]) {
      // A vector whose second epoch has proposals by reference (no first epoch has any).
      const v = vectors.find((x) => x.cipher_suite === suiteId && x.epochs.length > 1 && x.epochs[1].proposals.length > 0)!;
      const e1 = v.epochs[1];
      const toSecondEpoch = (g: mls.Group) => {
        g.process(hex(v.epochs[0].commit));
        return g;
      };
      const input = () => ({
        keyPackage: hex(v.key_package), initPrivateKey: hex(v.init_priv), encryptionPrivateKey: hex(v.encryption_priv),
        signaturePrivateKey: hex(v.signature_priv), provider,
      });
      const join = (secrets: mls.KeyPackageSecrets) => mls.joinGroup(hex(v.welcome), secrets, {
        psks: v.external_psks.map((p: any) => ({ id: hex(p.psk_id), secret: hex(p.psk) })),
        ...(v.ratchet_tree == null ? {} : { ratchetTree: hex(v.ratchet_tree) }),
      });

      it(`suite ${suiteId}: keyPackageSecretsFrom takes the MLSMessage or the bare KeyPackage and checks every key`, () => {
        const secrets = mls.keyPackageSecretsFrom(input());
        expect(secrets.cipherSuite).toBe(suiteId);
        const message = decodeMlsMessage(hex(v.key_package)) as Extract<MlsMessage, { kind: 'mls_key_package' }>;
        const bare = mls.keyPackageSecretsFrom({ ...input(), keyPackage: encodeKeyPackage(message.keyPackage) });
        expect(toHex(join(bare).epochAuthenticator)).toBe(v.initial_epoch_authenticator);

        const suite = cipherSuite(suiteId, provider);
        const otherHpke = suite.hpke.generateKeyPair().secretKey;
        const otherSig = provider.signature(suite.signature).generateKeyPair().secretKey;
        for (const field of ['initPrivateKey', 'encryptionPrivateKey'] as const) {
          expect(() => mls.keyPackageSecretsFrom({ ...input(), [field]: otherHpke })).toThrow(code('private-key-mismatch'));
        }
        expect(() => mls.keyPackageSecretsFrom({ ...input(), signaturePrivateKey: otherSig })).toThrow(code('private-key-mismatch'));
        const forged = hex(v.key_package);
        forged[forged.length - 1]! ^= 1; // the signature's last byte
        expect(() => mls.keyPackageSecretsFrom({ ...input(), keyPackage: forged })).toThrow(code('invalid-signature'));
        expect(() => mls.keyPackageSecretsFrom({ ...input(), keyPackage: hex(v.key_package).subarray(0, 40) })).toThrow(code('invalid-key-package'));
        expect(() => mls.keyPackageSecretsFrom({ ...input(), keyPackage: hex(v.welcome) })).toThrow(code('invalid-key-package'));

        // The secrets keep their own copies; dispose() wipes them and they cannot be used after.
        secrets.dispose();
        expect(() => join(secrets)).toThrow(code('disposed'));
      });

      it(`suite ${suiteId}: joinGroup and process refuse what is not theirs, and the group stays as it was`, () => {
        const secrets = mls.keyPackageSecretsFrom(input());
        expect(() => mls.joinGroup(hex(v.key_package), secrets)).toThrow(code('not-a-welcome'));
        expect(() => mls.joinGroup(hex(v.welcome).subarray(0, 30), secrets)).toThrow(code('malformed-message'));
        const group = toSecondEpoch(join(secrets));
        secrets.dispose(); // the group has its own copies
        const before = { epoch: group.epoch, authenticator: toHex(group.epochAuthenticator), tree: toHex(stateOf(group).tree.encode()) };
        expect(() => group.process(hex(v.welcome))).toThrow(code('not-framed-content'));
        expect(() => group.process(hex(v.key_package))).toThrow(code('not-framed-content'));
        expect(() => group.process(new Uint8Array([0, 1, 0, 1]))).toThrow(code('malformed-message'));
        const commit = hex(e1.commit);
        expect(() => group.process(commit)).toThrow(code('unknown-proposal')); // its proposals did not come first
        expect({ epoch: group.epoch, authenticator: toHex(group.epochAuthenticator), tree: toHex(stateOf(group).tree.encode()) }).toEqual(before);

        const proposal = group.process(hex(e1.proposals[0]));
        expect(proposal.kind).toBe('proposal');
        for (const p of e1.proposals.slice(1)) group.process(hex(p));
        const result = group.process(commit);
        if (result.kind !== 'commit') throw new Error('expected a commit');
        expect(result.epoch).toBe(before.epoch + 1n);
        expect(toHex(group.epochAuthenticator)).toBe(e1.epoch_authenticator);
        const tree = stateOf(group).tree;
        for (const leaf of result.added) expect(tree.leaf(leaf)).toBeDefined();
        for (const leaf of result.removed) expect(tree.leaf(leaf)).toBeUndefined();
        expect(() => group.process(commit)).toThrow(code('wrong-epoch')); // replayed
      });

      it(`suite ${suiteId}: exportSecret is the epoch's MLS-Exporter, and dispose() wipes the secrets`, () => {
        const group = joinAsPassiveClient(v, provider);
        const state = stateOf(group);
        const context = Uint8Array.of(1, 2, 3);
        const exported = group.exportSecret('an application label', context, 48);
        expect(exported).toEqual(exportSecret(state.suite, state.epochSecrets.exporterSecret, 'an application label', context, 48));
        expect(group.exportSecret(new TextEncoder().encode('an application label'), context, 48)).toEqual(exported);
        const leafKey = state.privateState.keyPair(state.privateState.nodes()[0]!)!.secretKey;
        group.dispose();
        expect(state.epochSecrets.exporterSecret.every((b) => b === 0)).toBe(true);
        expect(state.epochSecrets.initSecret.every((b) => b === 0)).toBe(true);
        expect(state.signaturePrivateKey.every((b) => b === 0)).toBe(true);
        expect(leafKey.every((b) => b === 0)).toBe(true);
        expect(() => group.exportSecret('x', context, 16)).toThrow(code('disposed'));
        expect(() => group.process(hex(v.epochs[0].commit))).toThrow(code('disposed'));
        group.dispose(); // twice is fine
      });

      it(`suite ${suiteId}: a commit's tampered copy is refused and the genuine one still processes`, () => {
        const group = toSecondEpoch(joinAsPassiveClient(v, provider));
        for (const p of e1.proposals) group.process(hex(p));
        const bytes = hex(e1.commit);
        for (let i = 0; i < bytes.length; i += Math.max(1, bytes.length >> 4)) {
          const bad = bytes.slice();
          bad[i]! ^= 0x40;
          const before = toHex(group.epochAuthenticator);
          expect(() => group.process(bad)).toThrow(mls.MlsError);
          expect(toHex(group.epochAuthenticator)).toBe(before);
        }
        group.process(bytes);
        expect(toHex(group.epochAuthenticator)).toBe(e1.epoch_authenticator);
      });
    }
  });
});
