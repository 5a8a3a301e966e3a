// Joining from a Welcome (RFC 9420 §12.4.3.1) against welcome.json, suites 1–3, both providers:
// the group secrets decrypt with the KeyPackage's init key, the GroupInfo decrypts and its
// signature and confirmation tag check out; altered inputs are refused with their codes.
import { describe, expect, it } from 'vitest';
import { cipherSuite } from '../../bindings/mls/crypto/cipher-suite.js';
import { decodeMlsMessage } from '../../bindings/mls/messages/mls-message.js';
import { openWelcome } from '../../bindings/mls/welcome.js';
import { forEachProvider } from '../helpers/providers.js';
import { hex, loadVectors } from '../helpers/vectors.js';
import { bySuite } from './suites.js';

function parse(v: any) {
  const welcome = decodeMlsMessage(hex(v.welcome));
  const keyPackage = decodeMlsMessage(hex(v.key_package));
  if (welcome.kind !== 'mls_welcome' || keyPackage.kind !== 'mls_key_package') throw new Error('unexpected message kinds');
  return { welcome: welcome.welcome, keyPackage: keyPackage.keyPackage };
}

forEachProvider((provider) => {
  describe('welcome.json', () => {
    const tally = bySuite('mls/welcome.json', loadVectors<any[]>('mls/welcome.json'), provider.name);
    for (const v of tally.vectors) {
      it(`suite ${v.cipher_suite}`, () => {
        const suite = cipherSuite(v.cipher_suite, provider);
        const { welcome, keyPackage } = parse(v);
        const opened = openWelcome(suite, welcome, keyPackage, hex(v.init_priv), () => hex(v.signer_pub));
        expect(opened.groupInfo.groupContext.cipherSuite).toBe(v.cipher_suite);
        expect(opened.epochSecrets.joinerSecret).toEqual(opened.groupSecrets.joinerSecret);

        const otherKey = suite.hpke.generateKeyPair().secretKey;
        expect(() => openWelcome(suite, welcome, keyPackage, otherKey, () => hex(v.signer_pub))).toThrow(expect.objectContaining({ code: 'welcome-decryption-failed' }));
        const wrongSigner = suite.provider.signature(suite.signature).generateKeyPair().publicKey;
        expect(() => openWelcome(suite, welcome, keyPackage, hex(v.init_priv), () => wrongSigner)).toThrow(expect.objectContaining({ code: 'invalid-signature' }));
        const altered = welcome.encryptedGroupInfo.slice();
        altered[altered.length - 1]! ^= 1;
        expect(() => openWelcome(suite, { ...welcome, encryptedGroupInfo: altered }, keyPackage, hex(v.init_priv), () => hex(v.signer_pub)))
          .toThrow(expect.objectContaining({ code: 'welcome-decryption-failed' })); // the group secrets' HPKE context binds it
        expect(() => openWelcome(suite, { ...welcome, secrets: [] }, keyPackage, hex(v.init_priv), () => hex(v.signer_pub))).toThrow(expect.objectContaining({ code: 'welcome-not-for-us' }));
        tally.pass();
      });
    }
  });
});
