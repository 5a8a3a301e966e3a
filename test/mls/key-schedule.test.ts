// RFC 9420 §8 against key-schedule.json (5 epochs per suite: GroupContext, every secret, external
// key, exporter), psk_secret.json (0–10 external PSKs) and transcript-hashes.json, suites 1–3, on
// both providers.
import { describe, expect, it } from 'vitest';
import { cipherSuite } from '../../bindings/mls/crypto/cipher-suite.js';
import { encodeGroupContext } from '../../bindings/mls/group-context.js';
import { exportSecret, externalKeyPair, nextEpochSecrets } from '../../bindings/mls/key-schedule.js';
import { PskType, pskSecret } from '../../bindings/mls/psk.js';
import { confirmationTag, confirmedTranscriptHash, interimTranscriptHash } from '../../bindings/mls/transcript.js';
import { forEachProvider } from '../helpers/providers.js';
import { hex, loadVectors, toHex } from '../helpers/vectors.js';
import { bySuite } from './suites.js';

forEachProvider((provider) => {
  describe('key-schedule.json', () => {
    const tally = bySuite('mls/key-schedule.json', loadVectors<any[]>('mls/key-schedule.json'), provider.name);
    for (const v of tally.vectors) {
      it(`suite ${v.cipher_suite}: ${v.epochs.length} epochs`, () => {
        const suite = cipherSuite(v.cipher_suite, provider);
        let init = hex(v.initial_init_secret);
        v.epochs.forEach((e: any, n: number) => {
          const context = encodeGroupContext({
            cipherSuite: v.cipher_suite, groupId: hex(v.group_id), epoch: BigInt(n), treeHash: hex(e.tree_hash),
            confirmedTranscriptHash: hex(e.confirmed_transcript_hash), extensions: [],
          });
          expect(toHex(context), `epoch ${n} group_context`).toBe(e.group_context);
          const s = nextEpochSecrets(suite, init, hex(e.commit_secret), hex(e.psk_secret), context);
          const want: [Uint8Array, string][] = [
            [s.joinerSecret, e.joiner_secret], [s.welcomeSecret, e.welcome_secret], [s.initSecret, e.init_secret],
            [s.senderDataSecret, e.sender_data_secret], [s.encryptionSecret, e.encryption_secret], [s.exporterSecret, e.exporter_secret],
            [s.epochAuthenticator, e.epoch_authenticator], [s.externalSecret, e.external_secret], [s.confirmationKey, e.confirmation_key],
            [s.membershipKey, e.membership_key], [s.resumptionPsk, e.resumption_psk],
          ];
          for (const [got, expected] of want) expect(toHex(got), `epoch ${n}`).toBe(expected);
          expect(toHex(externalKeyPair(suite, s.externalSecret).publicKey), `epoch ${n} external_pub`).toBe(e.external_pub);
          const x = e.exporter;
          // the vectors' exporter label is an ASCII string (that happens to look like hex)
          expect(toHex(exportSecret(suite, s.exporterSecret, x.label, hex(x.context), x.length)), `epoch ${n} exporter`).toBe(x.secret);
          init = s.initSecret;
        });
        tally.pass();
      });
    }
  });

  describe('psk_secret.json', () => {
    const tally = bySuite('mls/psk_secret.json', loadVectors<any[]>('mls/psk_secret.json'), provider.name);
    it(`${tally.vectors.length} PSK chains of 0–10 external PSKs`, () => {
      for (const v of tally.vectors) {
        const suite = cipherSuite(v.cipher_suite, provider);
        const psks = v.psks.map((p: any) => ({ id: { type: PskType.external, pskId: hex(p.psk_id), nonce: hex(p.psk_nonce) }, secret: hex(p.psk) }));
        expect(toHex(pskSecret(suite, psks)), `suite ${v.cipher_suite}, ${psks.length} PSKs`).toBe(v.psk_secret);
        tally.pass();
      }
    });
  });

  describe('transcript-hashes.json', () => {
    const tally = bySuite('mls/transcript-hashes.json', loadVectors<any[]>('mls/transcript-hashes.json'), provider.name);
    for (const v of tally.vectors) {
      it(`suite ${v.cipher_suite}`, () => {
        const suite = cipherSuite(v.cipher_suite, provider);
        const content = hex(v.authenticated_content);
        // AuthenticatedContent ends with the confirmation_tag<V> (Nh = 32 bytes, one length byte);
        // everything before it is the ConfirmedTranscriptHashInput.
        const tag = content.subarray(content.length - 32);
        expect(content[content.length - 33]).toBe(32);
        const confirmed = confirmedTranscriptHash(suite, hex(v.interim_transcript_hash_before), (w) => w.bytes(content.subarray(0, content.length - 33)));
        expect(toHex(confirmed)).toBe(v.confirmed_transcript_hash_after);
        expect(toHex(confirmationTag(suite, hex(v.confirmation_key), confirmed))).toBe(toHex(tag));
        expect(toHex(interimTranscriptHash(suite, confirmed, tag))).toBe(v.interim_transcript_hash_after);
        tally.pass();
      });
    }
  });
});
