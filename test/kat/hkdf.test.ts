// RFC 5869 appendix A (SHA-256 cases 1-3) and Wycheproof hkdf_sha256.
import { describe, expect, it } from 'vitest';
import { hkdf, hkdfExpand, hkdfExtract } from '../../bindings/index.js';
import { forEachBuild } from '../helpers/builds.js';
import { countCases, hex, numberOfTests, toHex, wycheproofTests } from '../helpers/vectors.js';

const seq = (from: number, count: number) => Uint8Array.from({ length: count }, (_, i) => from + i);

const RFC5869 = [
  { ikm: new Uint8Array(22).fill(0x0b), salt: seq(0x00, 13), info: seq(0xf0, 10), length: 42,
    prk: '077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5',
    okm: '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865' },
  { ikm: seq(0x00, 80), salt: seq(0x60, 80), info: seq(0xb0, 80), length: 82,
    prk: '06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244',
    okm: 'b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87' },
  { ikm: new Uint8Array(22).fill(0x0b), salt: new Uint8Array(0), info: new Uint8Array(0), length: 42,
    prk: '19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04',
    okm: '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8' },
];

interface HkdfTest { tcId: number; ikm: string; salt: string; info: string; size: number; okm: string; result: string; flags: string[] }

forEachBuild(() => {
  describe('HKDF-SHA256', () => {
    it('matches RFC 5869 test cases 1-3 (extract, expand and both)', () => {
      for (const c of RFC5869) {
        const prk = hkdfExtract(c.salt, c.ikm);
        expect(toHex(prk)).toBe(c.prk);
        expect(toHex(hkdfExpand(prk, c.info, c.length))).toBe(c.okm);
        expect(toHex(hkdf(c.ikm, c.salt, c.info, c.length))).toBe(c.okm);
      }
    });

    it('passes all 86 Wycheproof hkdf_sha256 cases; the 3 oversized outputs are refused', () => {
      const file = 'wycheproof/hkdf_sha256_test.json';
      expect(numberOfTests(file)).toBe(86);
      const count = countCases(file, numberOfTests(file));
      let valid = 0;
      for (const t of wycheproofTests<HkdfTest>(file)) {
        const run = () => hkdf(hex(t.ikm), hex(t.salt), hex(t.info), t.size);
        if (t.result === 'valid') {
          expect(toHex(run()), `tcId ${t.tcId}`).toBe(t.okm);
          valid++;
        } else {
          expect(t.flags).toContain('SizeTooLarge');
          expect(run, `tcId ${t.tcId}`).toThrow(RangeError);
        }
        count.ran(t.tcId);
      }
      count.done();
      expect(valid).toBe(83);
    });
  });
});
