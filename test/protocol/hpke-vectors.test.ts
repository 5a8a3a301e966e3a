// RFC 9180 test vectors (../shared/vectors/hpke/hpke-x25519.json: DHKEM(X25519, HKDF-SHA256) with
// AES-128-GCM, AES-256-GCM and ChaCha20Poly1305 in all four modes): DeriveKeyPair, enc, every
// encryption in sequence on both sides and every export, on each provider.
import { describe, expect, it } from 'vitest';
import { type CryptoProvider, hpke } from '../../bindings/index.js';
import { forEachProvider } from '../helpers/providers.js';
import { countCases, hex, loadVectors, toHex } from '../helpers/vectors.js';

interface Vector {
  mode: number; kem_id: number; kdf_id: number; aead_id: number; info: string;
  ikmR: string; ikmE: string; ikmS?: string; skRm: string; skEm: string; skSm?: string; pkRm: string; pkEm: string; pkSm?: string;
  psk?: string; psk_id?: string; enc: string;
  encryptions: { aad: string; ct: string; nonce: string; pt: string }[];
  exports: { exporter_context: string; L: number; exported_value: string }[];
}
const vectors = loadVectors<Vector[]>('hpke/hpke-x25519.json');

function run(provider: CryptoProvider, v: Vector, index: number) {
  const suite = hpke.suite({ kem: v.kem_id, kdf: v.kdf_id, aead: v.aead_id }, provider);
  const r = suite.deriveKeyPair(hex(v.ikmR));
  const e = suite.deriveKeyPair(hex(v.ikmE));
  expect(toHex(r.secretKey)).toBe(v.skRm);
  expect(toHex(r.publicKey)).toBe(v.pkRm);
  expect(toHex(e.secretKey)).toBe(v.skEm);
  expect(toHex(e.publicKey)).toBe(v.pkEm);
  expect(v.ikmS !== undefined, 'auth modes (2, 3) have a sender key').toBe(v.mode >= 2);
  expect(v.psk !== undefined && v.psk_id !== undefined, 'PSK modes (1, 3) have a PSK').toBe((v.mode & 1) === 1);
  const s = v.ikmS ? suite.deriveKeyPair(hex(v.ikmS)) : null;
  if (s) {
    expect(toHex(s.secretKey)).toBe(v.skSm);
    expect(toHex(s.publicKey)).toBe(v.pkSm);
  }
  const info = hex(v.info);
  const psk = v.psk ? hex(v.psk) : null;
  const pskId = v.psk_id ? hex(v.psk_id) : null;
  const options = { ephemeralKeyPair: e };
  const [sender, recipient] = (() => {
    switch (v.mode) {
      case 0: return [suite.setupBaseS(r.publicKey, info, options), suite.setupBaseR(hex(v.enc), r.secretKey, info)];
      case 1: return [suite.setupPskS(r.publicKey, info, psk!, pskId!, options), suite.setupPskR(hex(v.enc), r.secretKey, info, psk!, pskId!)];
      case 2: return [suite.setupAuthS(r.publicKey, info, s!.secretKey, options), suite.setupAuthR(hex(v.enc), r.secretKey, info, s!.publicKey)];
      default: return [
        suite.setupAuthPskS(r.publicKey, info, psk!, pskId!, s!.secretKey, options),
        suite.setupAuthPskR(hex(v.enc), r, info, psk!, pskId!, s!.publicKey),
      ];
    }
  })();
  expect(toHex(sender.enc)).toBe(v.enc);
  const encryptions = countCases(`vector ${index} encryptions`, v.encryptions.length);
  v.encryptions.forEach((m, seq) => {
    expect(sender.seq).toBe(seq);
    const ct = sender.seal(hex(m.pt), hex(m.aad));
    expect(toHex(ct), `encryption ${seq}`).toBe(m.ct);
    expect(toHex(recipient.open(ct, hex(m.aad))), `decryption ${seq}`).toBe(m.pt);
    encryptions.ran(seq);
  });
  encryptions.done();
  const exports = countCases(`vector ${index} exports`, v.exports.length);
  v.exports.forEach((x, i) => {
    expect(toHex(sender.export(hex(x.exporter_context), x.L)), `export ${i}`).toBe(x.exported_value);
    expect(toHex(recipient.export(hex(x.exporter_context), x.L)), `export ${i}`).toBe(x.exported_value);
    exports.ran(i);
  });
  exports.done();
  sender.dispose();
  recipient.dispose();
}

forEachProvider((provider) => {
  describe('hpke: RFC 9180 vectors', () => {
    it('has the 12 suites and modes, 3 084 encryptions and 36 exports', () => {
      expect(vectors).toHaveLength(12);
      expect(vectors.reduce((n, v) => n + v.encryptions.length, 0)).toBe(3084);
      expect(vectors.reduce((n, v) => n + v.exports.length, 0)).toBe(36);
      // every mode with every AEAD, once
      expect(new Set(vectors.map((v) => `${v.kem_id}/${v.kdf_id}/${v.aead_id}/${v.mode}`)).size).toBe(12);
    });
    // one test per vector; the last test checks that all of them ran to the end
    const count = countCases('hpke/hpke-x25519.json', vectors.length);
    vectors.forEach((v, i) => {
      it(`mode ${v.mode}, AEAD 0x${v.aead_id.toString(16)}: keys, enc, ${v.encryptions.length} encryptions, ${v.exports.length} exports`, () => {
        run(provider, v, i);
        count.ran(i);
      });
    });
    it('ran all 12 vectors', () => count.done());
  });
});
