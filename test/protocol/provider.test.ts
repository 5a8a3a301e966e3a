// The two crypto providers give the same answers: Wycheproof X25519 and Ed25519 through the
// provider interface on each, and byte-equal outputs for every operation on shared inputs.
import { describe, expect, it } from 'vitest';
import { type CryptoProvider, InvalidKeyError, wasmProvider } from '../../bindings/index.js';
import { referenceProvider } from '../../bindings/provider/reference.js';
import { forEachProvider } from '../helpers/providers.js';
import { countCases, hex, numberOfTests, toHex, wycheproofTests } from '../helpers/vectors.js';

const X25519_FILE = 'wycheproof/x25519_test.json';
const ED25519_FILE = 'wycheproof/ed25519_test.json';
const x25519Cases = wycheproofTests<any>(X25519_FILE);
const ed25519Cases = wycheproofTests<any>(ED25519_FILE);

forEachProvider((provider: CryptoProvider) => {
  describe(`provider ${provider.name}`, () => {
    it('Wycheproof X25519 through dh("X25519"): all 518 cases', () => {
      expect(numberOfTests(X25519_FILE)).toBe(518);
      const count = countCases(X25519_FILE, numberOfTests(X25519_FILE));
      const dh = provider.dh('X25519');
      for (const t of x25519Cases) {
        if (/^0+$/.test(t.shared)) expect(() => dh.sharedSecret(hex(t.private), hex(t.public)), `tcId ${t.tcId}`).toThrow(InvalidKeyError);
        else expect(toHex(dh.sharedSecret(hex(t.private), hex(t.public))), `tcId ${t.tcId}`).toBe(t.shared);
        count.ran(t.tcId);
      }
      count.done();
    });

    it('Wycheproof Ed25519 through signature("Ed25519"): all 151 cases', () => {
      expect(numberOfTests(ED25519_FILE)).toBe(151);
      const count = countCases(ED25519_FILE, numberOfTests(ED25519_FILE));
      const ed = provider.signature('Ed25519');
      for (const t of ed25519Cases) {
        expect(ed.verify(hex(t.group.publicKey.pk), hex(t.msg), hex(t.sig)), `tcId ${t.tcId}`).toBe(t.result === 'valid');
        count.ran(t.tcId);
      }
      count.done();
    });

    it('rejects unknown algorithm names with a TypeError', () => {
      expect(() => provider.hash('MD5' as never, new Uint8Array(1))).toThrow(TypeError);
      expect(() => provider.aead('AES-192-GCM' as never, new Uint8Array(24))).toThrow(TypeError);
      expect(() => provider.dh('X448' as never)).toThrow(TypeError);
    });
  });
});

describe('wasmProvider = referenceProvider', () => {
  const data = Uint8Array.from({ length: 300 }, (_, i) => (i * 7 + 3) & 0xff);
  const key32 = data.subarray(0, 32);
  const same = (f: (p: CryptoProvider) => Uint8Array | boolean) => expect(f(wasmProvider)).toEqual(f(referenceProvider));

  it('hashes, HMAC and HKDF', () => {
    for (const h of ['SHA-1', 'SHA-256', 'SHA-512'] as const) {
      same((p) => p.hash(h, data));
      same((p) => p.hmac(h, key32, data));
    }
    same((p) => p.hkdfExpand('SHA-256', p.hkdfExtract('SHA-256', data.subarray(5, 20), data), data.subarray(0, 40), 200));
    same((p) => p.hkdfExpand('SHA-256', key32, new Uint8Array(0), 0));
  });

  it('AEADs seal alike and open each other', () => {
    const nonce = data.subarray(40, 52);
    for (const [name, key] of [['AES-128-GCM', data.subarray(0, 16)], ['AES-256-GCM', key32], ['ChaCha20-Poly1305', key32]] as const) {
      same((p) => p.aead(name, key).seal(nonce, data, data.subarray(0, 13)));
      const sealed = wasmProvider.aead(name, key).seal(nonce, data);
      expect(referenceProvider.aead(name, key).open(nonce, sealed)).toEqual(data);
    }
  });

  it('DH and signatures', () => {
    for (const name of ['X25519', 'P-256'] as const) {
      same((p) => p.dh(name).publicKey(key32));
      const peer = wasmProvider.dh(name).generateKeyPair().publicKey;
      same((p) => p.dh(name).sharedSecret(key32, peer));
    }
    for (const name of ['Ed25519', 'P-256'] as const) {
      same((p) => p.signature(name).publicKey(key32));
      same((p) => p.signature(name).sign(key32, data));
      const pk = wasmProvider.signature(name).publicKey(key32);
      const sig = referenceProvider.signature(name).sign(key32, data);
      same((p) => p.signature(name).verify(pk, data, sig));
    }
  });
});
