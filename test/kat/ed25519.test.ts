// Ed25519: RFC 8032 §7.1 (tests 1, 2, 3 and SHA(abc)) and every Wycheproof ed25519 case, whose
// expectations match our cofactored rule with canonical S and encodings.
import { describe, expect, it } from 'vitest';
import { ed25519 } from '../../bindings/index.js';
import { forEachBuild } from '../helpers/builds.js';
import { countCases, hex, numberOfTests, toHex, wycheproofTests } from '../helpers/vectors.js';

interface EddsaTest { tcId: number; msg: string; sig: string; result: string; flags: string[]; group: any }
const FILE = 'wycheproof/ed25519_test.json';
const wycheproof = wycheproofTests<EddsaTest>(FILE);

// RFC 8032 §7.1: [secret key (seed), public key, message, signature]
const RFC8032: [string, string, string, string][] = [
  ['9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', '',
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'],
  ['4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb', '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c', '72',
    '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00'],
  ['c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7', 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025', 'af82',
    '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a'],
  ['833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42', 'ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf',
    'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    'dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704'],
];

forEachBuild(() => {
  describe('ed25519', () => {
    it('RFC 8032 §7.1: public keys, signatures (32- and 64-byte secret keys) and verification', () => {
      for (const [seed, pk, msg, sig] of RFC8032) {
        expect(toHex(ed25519.publicKey(hex(seed)))).toBe(pk);
        expect(toHex(ed25519.sign(hex(seed), hex(msg)))).toBe(sig);
        expect(toHex(ed25519.sign(hex(seed + pk), hex(msg)))).toBe(sig);
        expect(ed25519.verify(hex(pk), hex(msg), hex(sig))).toBe(true);
      }
    });

    it('Wycheproof: all 151 cases, one by one', () => {
      expect(numberOfTests(FILE)).toBe(151);
      const count = countCases(FILE, numberOfTests(FILE));
      for (const t of wycheproof) {
        expect(['valid', 'invalid'], `tcId ${t.tcId}`).toContain(t.result);
        const ok = ed25519.verify(hex(t.group.publicKey.pk), hex(t.msg), hex(t.sig));
        expect(ok, `tcId ${t.tcId} ${t.flags}`).toBe(t.result === 'valid');
        count.ran(t.tcId);
      }
      count.done();
    });

    it('Wycheproof: the same answers for all 151 cases from one batch', () => {
      const items = wycheproof.map((t) => ({ publicKey: hex(t.group.publicKey.pk), message: hex(t.msg), signature: hex(t.sig) }));
      expect(items).toHaveLength(numberOfTests(FILE));
      expect(ed25519.verifyBatch(items)).toEqual(wycheproof.map((t) => t.result === 'valid'));
      const valid = items.filter((_, i) => wycheproof[i].result === 'valid');
      expect(ed25519.verifyBatch(valid).every(Boolean)).toBe(true);
    });
  });
});
