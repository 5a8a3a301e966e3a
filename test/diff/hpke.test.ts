// HPKE against @hpke/core (an independent RFC 9180 implementation on WebCrypto and noble): both
// KEMs, every AEAD incl. Export-only, all four modes. Keys come from DeriveKeyPair on both sides
// (which must agree); each side seals for the other, and the exports must match. On both wasm builds,
// PROPERTY_RUNS runs each in `npm test`.
import { Chacha20Poly1305 } from '@hpke/chacha20poly1305';
import { Aes128Gcm, Aes256Gcm, CipherSuite, DhkemP256HkdfSha256, DhkemX25519HkdfSha256, ExportOnly, HkdfSha256 } from '@hpke/core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { hpke } from '../../bindings/index.js';
import { BUILDS, forEachBuild } from '../helpers/builds.js';
import { bytesOfLength, bytesUpTo } from './generators.js';
import { expectPassedAllRuns, runParameters } from './property.js';

const KEMS = [
  { id: 0x0020, make: () => new DhkemX25519HkdfSha256() },
  { id: 0x0010, make: () => new DhkemP256HkdfSha256() },
];
const AEADS = [
  { id: 0x0001, make: () => new Aes128Gcm() },
  { id: 0x0002, make: () => new Aes256Gcm() },
  { id: 0x0003, make: () => new Chacha20Poly1305() },
  { id: 0xffff, make: () => new ExportOnly() },
];

const buf = (b: Uint8Array): ArrayBuffer => b.slice().buffer;
const hex = (b: Uint8Array | ArrayBuffer) => Buffer.from(b instanceof ArrayBuffer ? new Uint8Array(b) : b).toString('hex');

const input = fc.record({
  kem: fc.constantFrom(...KEMS),
  aead: fc.constantFrom(...AEADS),
  mode: fc.constantFrom(0, 1, 2, 3),
  ikmR: bytesOfLength(32),
  ikmS: bytesOfLength(40),
  psk: fc.integer({ min: 32, max: 64 }).chain((n) => bytesOfLength(n)),
  pskId: fc.integer({ min: 1, max: 40 }).chain((n) => bytesOfLength(n)),
  info: bytesUpTo(100),
  aad: bytesUpTo(100),
  plaintext: bytesUpTo(2000),
  exporterContext: bytesUpTo(40),
  exportLength: fc.integer({ min: 0, max: 100 }),
});

forEachBuild(() => it('hpke = @hpke/core both ways: DeriveKeyPair, seal/open in all modes, export', async () => {
  const details = await fc.check(
    fc.asyncProperty(input, async (t) => {
      const theirs = new CipherSuite({ kem: t.kem.make(), kdf: new HkdfSha256(), aead: t.aead.make() });
      const ours = hpke.suite({ kem: t.kem.id, kdf: 0x0001, aead: t.aead.id });
      const r = ours.deriveKeyPair(t.ikmR);
      const s = ours.deriveKeyPair(t.ikmS);
      const theirR = await theirs.kem.deriveKeyPair(buf(t.ikmR));
      const theirS = await theirs.kem.deriveKeyPair(buf(t.ikmS));
      expect(hex(await theirs.kem.serializePublicKey(theirR.publicKey))).toBe(hex(r.publicKey));
      expect(hex(await theirs.kem.serializePrivateKey(theirS.privateKey))).toBe(hex(s.secretKey));

      const psk = t.mode & 1 ? { psk: t.psk, pskId: t.pskId } : {};
      const theirPsk = t.mode & 1 ? { psk: { id: buf(t.pskId), key: buf(t.psk) } } : {};
      const auth = (t.mode & 2) !== 0;

      // ours → theirs
      const sender = t.mode === 0 ? ours.setupBaseS(r.publicKey, t.info)
        : t.mode === 1 ? ours.setupPskS(r.publicKey, t.info, t.psk, t.pskId)
        : t.mode === 2 ? ours.setupAuthS(r.publicKey, t.info, s)
        : ours.setupAuthPskS(r.publicKey, t.info, t.psk, t.pskId, s.secretKey);
      const theirRecipient = await theirs.createRecipientContext({
        recipientKey: theirR, enc: buf(sender.enc), info: buf(t.info), ...theirPsk,
        ...(auth ? { senderPublicKey: theirS.publicKey } : {}),
      });
      expect(hex(await theirRecipient.export(buf(t.exporterContext), t.exportLength))).toBe(hex(sender.export(t.exporterContext, t.exportLength)));
      if (t.aead.id !== 0xffff) {
        for (let i = 0; i < 2; i++) {
          const ct = sender.seal(t.plaintext, t.aad);
          expect(hex(await theirRecipient.open(buf(ct), buf(t.aad)))).toBe(hex(t.plaintext));
        }
      }
      sender.dispose();

      // theirs → ours (single-shot open)
      if (t.aead.id !== 0xffff) {
        const theirSender = await theirs.createSenderContext({
          recipientPublicKey: theirR.publicKey, info: buf(t.info), ...theirPsk, ...(auth ? { senderKey: theirS } : {}),
        });
        const ct = new Uint8Array(await theirSender.seal(buf(t.plaintext), buf(t.aad)));
        const opened = ours.open(new Uint8Array(theirSender.enc), r, ct, {
          info: t.info, aad: t.aad, ...psk, ...(auth ? { senderPublicKey: s.publicKey } : {}),
        });
        expect(hex(opened)).toBe(hex(t.plaintext));
      }
    }),
    // under fuzzing: an eighth of the budget, split between the builds
    runParameters(8 * BUILDS.length),
  );
  expectPassedAllRuns(details);
}, 0));
