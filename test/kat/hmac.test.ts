// RFC 4231 (HMAC-SHA256/512), RFC 2202 (HMAC-SHA1) and Wycheproof hmac_sha256 / hmac_sha1.
import { describe, expect, it } from 'vitest';
import { hmacSha1, hmacSha256, hmacSha512 } from '../../bindings/index.js';
import { forEachBuild } from '../helpers/builds.js';
import { countCases, hex, numberOfTests, repeat, toHex, utf8, wycheproofTests } from '../helpers/vectors.js';

const range = (from: number, to: number) => Uint8Array.from({ length: to - from + 1 }, (_, i) => from + i);

// RFC 4231 §4.2–4.8. Test case 5 is truncated to 128 bits.
const RFC4231 = [
  { key: repeat(0x0b, 20), data: utf8('Hi There'),
    sha256: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    sha512: '87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854' },
  { key: utf8('Jefe'), data: utf8('what do ya want for nothing?'),
    sha256: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    sha512: '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737' },
  { key: repeat(0xaa, 20), data: repeat(0xdd, 50),
    sha256: '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe',
    sha512: 'fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb' },
  { key: range(1, 25), data: repeat(0xcd, 50),
    sha256: '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
    sha512: 'b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd' },
  { key: repeat(0x0c, 20), data: utf8('Test With Truncation'),
    sha256: 'a3b6167473100ee06e0c796c2955552b', sha512: '415fad6271580a531d4179bc891d87a6' },
  { key: repeat(0xaa, 131), data: utf8('Test Using Larger Than Block-Size Key - Hash Key First'),
    sha256: '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    sha512: '80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598' },
  { key: repeat(0xaa, 131),
    data: utf8('This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.'),
    sha256: '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
    sha512: 'e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58' },
];

// RFC 2202 §3, test cases 1, 2, 3, 6, 7.
const RFC2202 = [
  { key: repeat(0x0b, 20), data: utf8('Hi There'), tag: 'b617318655057264e28bc0b6fb378c8ef146be00' },
  { key: utf8('Jefe'), data: utf8('what do ya want for nothing?'), tag: 'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79' },
  { key: repeat(0xaa, 20), data: repeat(0xdd, 50), tag: '125d7342b9ac11cd91a39af48aa17b4f63f175d3' },
  { key: repeat(0xaa, 80), data: utf8('Test Using Larger Than Block-Size Key - Hash Key First'), tag: 'aa4ae5e15272d00e95705637ce8a3b55ed402112' },
  { key: repeat(0xaa, 80), data: utf8('Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data'),
    tag: 'e8e99d0f45237d786d6bbaa7965c7808bbff1a91' },
];

interface MacTest { tcId: number; key: string; msg: string; tag: string; result: 'valid' | 'invalid' }

/** Wycheproof MAC tests: tags may be truncated to tagSize bits; "invalid" means the tag must not match. */
function checkWycheproof(file: string, mac: (k: Uint8Array, m: Uint8Array) => Uint8Array, cases: { total: number; valid: number }) {
  expect(numberOfTests(file)).toBe(cases.total);
  const tests = wycheproofTests<MacTest>(file);
  const count = countCases(file, numberOfTests(file));
  let valid = 0;
  for (const t of tests) {
    const full = mac(hex(t.key), hex(t.msg));
    const got = toHex(full.subarray(0, t.group.tagSize / 8));
    if (t.result === 'valid') {
      expect(got, `tcId ${t.tcId}`).toBe(t.tag);
      valid++;
    } else {
      expect(got, `tcId ${t.tcId}`).not.toBe(t.tag);
    }
    count.ran(t.tcId);
  }
  count.done();
  expect(valid).toBe(cases.valid);
}

forEachBuild(() => {
  describe('HMAC', () => {
    it('matches RFC 4231 for HMAC-SHA256 and HMAC-SHA512', () => {
      for (const c of RFC4231) {
        expect(toHex(hmacSha256(c.key, c.data)).slice(0, c.sha256.length)).toBe(c.sha256);
        expect(toHex(hmacSha512(c.key, c.data)).slice(0, c.sha512.length)).toBe(c.sha512);
      }
    });

    it('matches RFC 2202 for HMAC-SHA1', () => {
      for (const c of RFC2202) expect(toHex(hmacSha1(c.key, c.data))).toBe(c.tag);
    });

    it('passes all 174 Wycheproof hmac_sha256 cases', () => checkWycheproof('wycheproof/hmac_sha256_test.json', hmacSha256, { total: 174, valid: 66 }));
    it('passes all 170 Wycheproof hmac_sha1 cases', () => checkWycheproof('wycheproof/hmac_sha1_test.json', hmacSha1, { total: 170, valid: 66 }));
  });
});
