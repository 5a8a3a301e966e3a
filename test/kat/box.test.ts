// NaCl box (crypto_box_beforenm + XSalsa20-Poly1305): the classic NaCl/libsodium vector in both
// directions and all 256 tweetnacl-js random box vectors (nonce = 24 zero bytes). The classic file's
// secretbox vector and its beforenm key are checked in secretbox.test.ts.
import { describe, expect, it } from 'vitest';
import { box, x25519 } from '../../bindings/index.js';
import { forEachBuild } from '../helpers/builds.js';
import { countCases, hex, loadVectors, toHex } from '../helpers/vectors.js';

const classic = loadVectors('nacl/nacl_classic_box_secretbox.json').curve25519xsalsa20poly1305_box;
const random: [string, string, string, string][] = loadVectors('nacl/tweetnacl_box.random.json').vectors;
const b64 = (s: string) => Uint8Array.from(Buffer.from(s, 'base64'));

forEachBuild(() => {
  describe('box', () => {
    it('matches the classic NaCl box vector from both sides (and its public keys)', () => {
      expect(toHex(x25519.publicKey(hex(classic.alice_sk)))).toBe(classic.alice_pk);
      expect(toHex(x25519.publicKey(hex(classic.bob_sk)))).toBe(classic.bob_pk);
      const alice = box(hex(classic.alice_sk), hex(classic.bob_pk));
      expect(toHex(alice.seal(hex(classic.nonce), hex(classic.plaintext)))).toBe(classic.ciphertext_tag_first);
      const bob = box(hex(classic.bob_sk), hex(classic.alice_pk));
      expect(toHex(bob.open(hex(classic.nonce), hex(classic.ciphertext_tag_first)))).toBe(classic.plaintext);
      alice.dispose();
      bob.dispose();
    });

    it('matches all 256 tweetnacl random box vectors', () => {
      expect(random).toHaveLength(256);
      const count = countCases('nacl/tweetnacl_box.random.json', random.length);
      const nonce = new Uint8Array(24);
      random.forEach(([pk1, sk2, msg, boxed], i) => {
        const b = box(b64(sk2), b64(pk1));
        expect(Buffer.from(b.seal(nonce, b64(msg))).toString('base64'), `vector ${i}`).toBe(boxed);
        expect(Buffer.from(b.open(nonce, b64(boxed))).toString('base64'), `vector ${i}`).toBe(msg);
        b.dispose();
        count.ran(i);
      });
      count.done();
    });
  });
});
