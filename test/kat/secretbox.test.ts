// NaCl secretbox (XSalsa20-Poly1305): the classic NaCl/libsodium vector and the first 300 tweetnacl-js
// random vectors (../shared/vectors/nacl), plus HSalsa20 through the classic box's shared key.
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { AuthenticationError, secretbox } from '../../bindings/index.js';
import { secretboxOpen, secretboxSeal } from '../../bindings/secretbox.js';
import { forEachBuild } from '../helpers/builds.js';
import { raw } from '../helpers/raw.js';
import { countCases, hex, loadVectors, toHex } from '../helpers/vectors.js';

const classic = loadVectors('nacl/nacl_classic_box_secretbox.json');
const random: [string, string, string, string][] = loadVectors('nacl/tweetnacl_secretbox.random.first300.json').vectors;
const b64 = (s: string) => Uint8Array.from(Buffer.from(s, 'base64'));

forEachBuild(() => {
  describe('secretbox', () => {
    it('matches the classic NaCl secretbox vector', () => {
      const v = classic.xsalsa20poly1305_secretbox;
      const box = secretbox(hex(v.key));
      expect(toHex(box.seal(hex(v.nonce), hex(v.plaintext)))).toBe(v.ciphertext_tag_first);
      expect(toHex(box.open(hex(v.nonce), hex(v.ciphertext_tag_first)))).toBe(v.plaintext);
    });

    it('matches all 300 tweetnacl random vectors, both ways', () => {
      expect(random).toHaveLength(300);
      const count = countCases('nacl/tweetnacl_secretbox.random.first300.json', random.length);
      random.forEach(([key, nonce, msg, boxed], i) => {
        const box = secretbox(b64(key));
        expect(Buffer.from(box.seal(b64(nonce), b64(msg))).toString('base64'), `vector ${i}`).toBe(boxed);
        expect(Buffer.from(box.open(b64(nonce), b64(boxed))).toString('base64'), `vector ${i}`).toBe(msg);
        box.dispose();
        count.ran(i);
      });
      count.done();
    });

    it('HSalsa20 turns the classic box DH secret into the documented shared key', () => {
      // crypto_box_beforenm = HSalsa20(X25519(sk, pk), 0^16); the DH value is NaCl's published one.
      const dh = hex('4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742');
      const k = raw([dh, new Uint8Array(16)], 32, (x, [d, z], out) => x.hsalsa20_subkey(d, z, out));
      expect(toHex(k)).toBe(classic.curve25519xsalsa20poly1305_box.beforenm_shared_key);
    });

    it('secretboxSeal / secretboxOpen (one-shot) match the object, at every size around the I/O window', () => {
      const v = classic.xsalsa20poly1305_secretbox;
      expect(toHex(secretboxSeal(hex(v.key), hex(v.nonce), hex(v.plaintext)))).toBe(v.ciphertext_tag_first);
      expect(toHex(secretboxOpen(hex(v.key), hex(v.nonce), hex(v.ciphertext_tag_first)))).toBe(v.plaintext);
      const key = hex(v.key), nonce = hex(v.nonce);
      for (const n of [0, 1, 100, 65536 - 400, 65536 - 300, 65536 - 200, 65536, 100_000]) {
        const m = Uint8Array.from({ length: n }, (_, i) => i * 7);
        const boxed = secretboxSeal(key, nonce, m);
        expect(toHex(boxed), `length ${n}`).toBe(toHex(secretbox(key).seal(nonce, m)));
        expect(secretboxOpen(key, nonce, boxed)).toEqual(m);
        boxed[boxed.length >> 1] ^= 1;
        expect(() => secretboxOpen(key, nonce, boxed), `length ${n}`).toThrow(AuthenticationError);
      }
    });

    // Short boxes take their stream from two scalar blocks (up to 96 bytes of message) or one
    // four-block call (up to 224, SIMD build): every length across both edges, both ways, and refused
    // once changed.
    it('agrees with tweetnacl at every length to 300 bytes, both ways', () => {
      const key = Uint8Array.from({ length: 32 }, (_, i) => i * 9 + 2), nonce = Uint8Array.from({ length: 24 }, (_, i) => 100 + i);
      const box = secretbox(key);
      for (let n = 0; n <= 300; n++) {
        const m = Uint8Array.from({ length: n }, (_, i) => (i * 23 + n) & 0xff);
        const sealed = box.seal(nonce, m);
        expect(toHex(sealed), `length ${n}`).toBe(toHex(nacl.secretbox(m, nonce, key)));
        expect(box.open(nonce, sealed)).toEqual(m);
        sealed[(n + 16) >> 1] ^= 0x08;
        expect(() => box.open(nonce, sealed), `length ${n}`).toThrow(AuthenticationError);
      }
    });

    it('agrees with tweetnacl around the one-, four- and eight-block XSalsa20 kernels (one-shot and chunked)', () => {
      // the message meets keystream block 1 at its byte 32, so the kernels' edges are at 32 + 64k
      const key = Uint8Array.from({ length: 32 }, (_, i) => i * 5 + 1), nonce = Uint8Array.from({ length: 24 }, (_, i) => i);
      for (const n of [287, 288, 289, 543, 544, 545, 799, 800, 1056, 1312, 1313, 2080 + 256, 65536 + 1000, 150_000]) {
        const m = Uint8Array.from({ length: n }, (_, i) => (i * 13 + n) & 0xff);
        expect(toHex(secretbox(key).seal(nonce, m)), `length ${n}`).toBe(toHex(nacl.secretbox(m, nonce, key)));
      }
    });

    // The one-shot ABI MACs before it decrypts: a changed box must come back exactly as it went in.
    it('one-shot secretbox_open: tweetnacl boxes open in place; a changed one gives 0 and the box unchanged', () => {
      const key = Uint8Array.from({ length: 32 }, (_, i) => i + 9), nonce = Uint8Array.from({ length: 24 }, (_, i) => 200 - i);
      for (const n of [224, 225, 543, 544, 545, 799, 800, 1056, 1313, 4096 + 100, 20000]) {
        const boxed = nacl.secretbox(Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff), nonce, key);
        const run = (input: Uint8Array) => raw([key, nonce, input], 4 + input.length, (x, [k, iv, box], out) => {
          new DataView(x.memory.buffer).setUint32(out, x.secretbox_open((out + 4 + input.length + 15) & ~15, k, iv, box, n), true);
          new Uint8Array(x.memory.buffer).copyWithin(out + 4, box, box + input.length);
        });
        const good = run(boxed);
        expect(good[0], `length ${n}`).toBe(1);
        expect(toHex(good.subarray(20)), `length ${n}`).toBe(toHex(nacl.secretbox.open(boxed, nonce, key)!));
        for (const at of [0, 16, 16 + (n >> 1), 15 + n]) {
          const bad = Uint8Array.from(boxed);
          bad[at] ^= 0x20;
          const result = run(bad);
          expect(result[0], `length ${n}, byte ${at}`).toBe(0);
          expect(toHex(result.subarray(4)), `length ${n}, byte ${at}`).toBe(toHex(bad));
        }
      }
    });

    it('rejects a modified box', () => {
      const v = classic.xsalsa20poly1305_secretbox;
      const boxed = hex(v.ciphertext_tag_first);
      for (const i of [0, 15, 16, boxed.length - 1]) {
        const bad = boxed.slice();
        bad[i] ^= 1;
        expect(() => secretbox(hex(v.key)).open(hex(v.nonce), bad)).toThrow(AuthenticationError);
      }
    });
  });
});
