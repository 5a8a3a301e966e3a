// X25519: RFC 7748 §5.2 (both single vectors and the 1 000-iteration test; the 1 000 000-iteration
// test runs under `npm run fuzz -- --x25519-million`) and §6.1, and every Wycheproof x25519 case.
// The fixed-base public key is checked against node:crypto and @noble/curves, not only our ladder.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { x25519 as nobleX25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { InvalidKeyError, x25519 } from '../../bindings/index.js';
import { forEachBuild } from '../helpers/builds.js';
import { countCases, hex, numberOfTests, toHex, wycheproofTests } from '../helpers/vectors.js';
import { iterate } from '../helpers/x25519-iterate.js';

interface XdhTest { tcId: number; public: string; private: string; shared: string; result: string; flags: string[] }
const FILE = 'wycheproof/x25519_test.json';
const wycheproof = wycheproofTests<XdhTest>(FILE);

/** X25519 public key from node:crypto (OpenSSL): the raw secret in a PKCS#8 envelope, the public key out as JWK. */
function nodePublicKey(secret: Uint8Array): string {
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), secret]);
  const jwk = createPublicKey(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })).export({ format: 'jwk' });
  return Buffer.from(jwk.x!, 'base64url').toString('hex');
}

forEachBuild(() => {
  describe('x25519', () => {
    it('RFC 7748 §5.2 single computations', () => {
      expect(toHex(x25519.sharedSecret(
        hex('a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4'),
        hex('e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c'),
      ))).toBe('c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552');
      // the u-coordinate has bit 255 set, which §5 says to ignore
      expect(toHex(x25519.sharedSecret(
        hex('4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d'),
        hex('e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493'),
      ))).toBe('95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957');
    });

    it('RFC 7748 §5.2 iterated: 1 and 1 000 times', () => {
      expect(iterate(1)).toBe('422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079');
      expect(iterate(1000)).toBe('684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51');
    });

    it('RFC 7748 §6.1 Diffie-Hellman: both public keys and the shared secret', () => {
      const a = hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
      const b = hex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
      const A = x25519.publicKey(a);
      const B = x25519.publicKey(b);
      expect(toHex(A)).toBe('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
      expect(toHex(B)).toBe('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
      const shared = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
      expect(toHex(x25519.sharedSecret(a, B))).toBe(shared);
      expect(toHex(x25519.sharedSecret(b, A))).toBe(shared);
    });

    it('Wycheproof: all 518 cases (the 31 all-zero results refused, RFC 7748 §6.1)', () => {
      expect(numberOfTests(FILE)).toBe(518);
      const count = countCases(FILE, numberOfTests(FILE));
      let refused = 0;
      for (const t of wycheproof) {
        expect(['valid', 'acceptable']).toContain(t.result);
        if (/^0+$/.test(t.shared)) {
          expect(t.flags, `tcId ${t.tcId}`).toContain('ZeroSharedSecret');
          expect(() => x25519.sharedSecret(hex(t.private), hex(t.public)), `tcId ${t.tcId}`).toThrow(InvalidKeyError);
          refused++;
        } else {
          expect(toHex(x25519.sharedSecret(hex(t.private), hex(t.public))), `tcId ${t.tcId}`).toBe(t.shared);
        }
        count.ran(t.tcId);
      }
      count.done();
      expect(refused).toBe(wycheproof.filter((t) => t.flags.includes('ZeroSharedSecret')).length);
      expect(refused).toBe(31);
    });

    it('the fixed-base public key = node:crypto = @noble/curves = our ladder on u = 9 (all 488 Wycheproof private keys)', () => {
      const nine = new Uint8Array(32);
      nine[0] = 9;
      const secrets = [...new Set(wycheproof.map((t) => t.private))];
      expect(secrets).toHaveLength(488);
      for (const sk of secrets) {
        const pk = toHex(x25519.publicKey(hex(sk)));
        expect(pk, sk).toBe(nodePublicKey(hex(sk)));
        expect(pk, sk).toBe(toHex(nobleX25519.getPublicKey(hex(sk))));
        expect(pk, sk).toBe(toHex(x25519.sharedSecret(hex(sk), nine)));
      }
    });
  });
});
