// HPKE behaviour beyond the vectors, on both providers: state after a failed open, Export-only,
// PSK input rules, bad enc values, single-shot modes, key-pair inputs, dispose, suite lookup.
import { describe, expect, it } from 'vitest';
import { AuthenticationError, type CryptoProvider, InvalidKeyError, hpke } from '../../bindings/index.js';
import { forEachProvider } from '../helpers/providers.js';

const bytes = (n: number, fill = 1) => new Uint8Array(n).fill(fill);
const X25519_CHACHA = { kem: 'DHKEM(X25519, HKDF-SHA256)', kdf: 'HKDF-SHA256', aead: 'ChaCha20Poly1305' } as const;
const P256_AES = { kem: 0x0010, kdf: 0x0001, aead: 0x0001 };

forEachProvider((provider: CryptoProvider) => {
  describe('hpke behaviour', () => {
    it('a failed open changes nothing: the genuine message still opens, in order', () => {
      const suite = hpke.suite(X25519_CHACHA, provider);
      const r = suite.generateKeyPair();
      const s = suite.setupBaseS(r.publicKey, bytes(3));
      const c0 = s.seal(bytes(10, 0), bytes(2));
      const c1 = s.seal(bytes(10, 1), bytes(2));
      const rx = suite.setupBaseR(s.enc, r.secretKey, bytes(3));
      const forged = c0.slice();
      forged[0] ^= 1;
      expect(() => rx.open(forged, bytes(2))).toThrow(AuthenticationError);
      expect(() => rx.open(c1, bytes(2))).toThrow(AuthenticationError); // out of order
      expect(() => rx.open(c0, bytes(3))).toThrow(AuthenticationError); // wrong AAD
      expect(rx.seq).toBe(0);
      expect(rx.open(c0, bytes(2))).toEqual(bytes(10, 0));
      expect(rx.open(c1, bytes(2))).toEqual(bytes(10, 1));
      expect(rx.seq).toBe(2);
    });

    it('Export-only suites export but refuse seal and open', () => {
      const suite = hpke.suite({ kem: 0x0020, kdf: 0x0001, aead: 'Export-only' }, provider);
      const r = suite.generateKeyPair();
      const s = suite.setupBaseS(r.publicKey);
      const rx = suite.setupBaseR(s.enc, r);
      expect(s.export(bytes(5), 64)).toEqual(rx.export(bytes(5), 64));
      expect(() => s.seal(bytes(1))).toThrow(TypeError);
      expect(() => rx.open(bytes(17))).toThrow(TypeError);
      expect(() => s.export(bytes(1), 255 * 32 + 1)).toThrow(RangeError);
    });

    it('enforces the PSK rules (§5.1 VerifyPSKInputs, §9.5 length)', () => {
      const suite = hpke.suite(X25519_CHACHA, provider);
      const { publicKey } = suite.generateKeyPair();
      expect(() => suite.setupPskS(publicKey, bytes(1), bytes(32), new Uint8Array(0))).toThrow(TypeError);
      expect(() => suite.setupPskS(publicKey, bytes(1), new Uint8Array(0), bytes(4))).toThrow(TypeError);
      expect(() => suite.setupPskS(publicKey, bytes(1), bytes(31), bytes(4))).toThrow(RangeError);
      expect(() => suite.seal(publicKey, bytes(1), { pskId: bytes(4) })).toThrow(TypeError);
    });

    it('refuses enc values that are not public keys, and small-order X25519 enc', () => {
      const x = hpke.suite(X25519_CHACHA, provider);
      const p = hpke.suite(P256_AES, provider);
      const rx = x.generateKeyPair();
      const rp = p.generateKeyPair();
      const reason = (f: () => unknown) => {
        try {
          f();
        } catch (e) {
          return e instanceof InvalidKeyError ? e.reason : (e as Error).name;
        }
        return 'none';
      };
      expect(reason(() => x.setupBaseR(new Uint8Array(32), rx.secretKey))).toBe('zero-shared-secret');
      expect(reason(() => x.setupBaseR(bytes(31), rx.secretKey))).toBe('invalid-point');
      const bad = p.setupBaseS(rp.publicKey).enc.slice();
      bad[40] ^= 1;
      expect(reason(() => p.setupBaseR(bad, rp.secretKey))).toBe('invalid-point');
      expect(reason(() => p.setupBaseS(rp.publicKey.subarray(0, 33)))).toBe('invalid-point');
    });

    it('single-shot seal/open in every mode; a mode or key mismatch fails authentication', () => {
      for (const choice of [X25519_CHACHA, P256_AES]) {
        const suite = hpke.suite(choice, provider);
        const r = suite.generateKeyPair();
        const s = suite.generateKeyPair();
        const psk = { psk: bytes(32, 7), pskId: bytes(3, 9) };
        const modes = [{}, psk, { senderKey: s }, { ...psk, senderKey: s.secretKey }];
        for (const mode of modes) {
          const { enc, ciphertext } = suite.seal(r.publicKey, bytes(20, 5), { info: bytes(4), aad: bytes(6), ...mode });
          const opts = { info: bytes(4), aad: bytes(6), ...('psk' in mode ? psk : {}), ...('senderKey' in mode ? { senderPublicKey: s.publicKey } : {}) };
          expect(suite.open(enc, r, ciphertext, opts)).toEqual(bytes(20, 5));
          expect(suite.open(enc, r.secretKey, ciphertext, opts)).toEqual(bytes(20, 5));
          expect(() => suite.open(enc, r, ciphertext, { ...opts, info: bytes(4, 2) })).toThrow(AuthenticationError);
        }
        const { enc, ciphertext } = suite.seal(r.publicKey, bytes(20), { senderKey: s });
        expect(() => suite.open(enc, r, ciphertext)).toThrow(AuthenticationError);
        expect(() => suite.open(enc, r, ciphertext, { senderPublicKey: r.publicKey })).toThrow(AuthenticationError);
      }
    });

    it('dispose() ends a context; suites are looked up by RFC name or code point', () => {
      const suite = hpke.suite(X25519_CHACHA, provider);
      const r = suite.generateKeyPair();
      const s = suite.setupBaseS(r.publicKey);
      s.dispose();
      s.dispose();
      expect(() => s.seal(bytes(1))).toThrow(TypeError);
      expect(() => s.export(bytes(1), 32)).toThrow(TypeError);
      expect(() => hpke.suite({ kem: 0x0011, kdf: 1, aead: 1 }, provider)).toThrow(/unknown kem/);
      expect(() => hpke.suite({ kem: 0x0020, kdf: 'HKDF-SHA512' as never, aead: 1 }, provider)).toThrow(TypeError);
      expect(hpke.suite({ kem: 0x0020, kdf: 1, aead: 3 }, provider).aead.name).toBe('ChaCha20Poly1305');
      expect(() => suite.deriveKeyPair(bytes(31))).toThrow(RangeError);
    });
  });
});

// sealMany: base-mode seals to many recipients under one info, hashed once; each opens with open()
// under the same info and aad, and a recipient's wrong key or a changed info fails.
forEachProvider((provider: CryptoProvider) => {
  describe('hpke sealMany', () => {
    for (const kem of ['DHKEM(X25519, HKDF-SHA256)', 'DHKEM(P-256, HKDF-SHA256)'] as const) {
      it(`${kem}: every item opens with its recipient's key`, () => {
        const suite = hpke.suite({ kem, kdf: 'HKDF-SHA256', aead: 'ChaCha20Poly1305' }, provider);
        const recipients = Array.from({ length: 5 }, () => suite.generateKeyPair());
        const info = provider.randomBytes(5000); // long, as an MLS Welcome's context is
        const aad = Uint8Array.of(1, 2, 3);
        const plaintexts = recipients.map((_, i) => Uint8Array.from({ length: 10 + i }, (_, j) => i * 16 + j));
        const sealed = suite.sealMany(recipients.map((r, i) => ({ publicKey: r.publicKey, plaintext: plaintexts[i]! })), { info, aad });
        expect(sealed).toHaveLength(5);
        sealed.forEach(({ enc, ciphertext }, i) => {
          expect(suite.open(enc, recipients[i]!.secretKey, ciphertext, { info, aad })).toEqual(plaintexts[i]);
          expect(() => suite.open(enc, recipients[(i + 1) % 5]!.secretKey, ciphertext, { info, aad })).toThrow(AuthenticationError);
          expect(() => suite.open(enc, recipients[i]!.secretKey, ciphertext, { info: info.subarray(1), aad })).toThrow(AuthenticationError);
        });
        expect(new Set(sealed.map((s) => Buffer.from(s.enc).toString('hex'))).size).toBe(5); // a fresh ephemeral key each
        expect(suite.sealMany([], { info })).toEqual([]);
      });
    }
  });
});
