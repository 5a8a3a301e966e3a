// RFC 8439 (ChaCha20 block function A.1, Poly1305 A.3 edge cases, key generation A.4, AEAD §2.8.2),
// draft-irtf-cfrg-xchacha-03 (HChaCha20 §2.2.1, XChaCha20-Poly1305 §A.3.1), and every case of the
// Wycheproof chacha20_poly1305 and xchacha20_poly1305 files.
import { createCipheriv } from 'node:crypto';
import { poly1305 as noblePoly1305 } from '@noble/ciphers/_poly1305.js';
import { xchacha20poly1305 as nobleXChacha } from '@noble/ciphers/chacha.js';
import { describe, expect, it } from 'vitest';
import { AuthenticationError, chacha20Poly1305, xchacha20Poly1305 } from '../../bindings/index.js';
import { engine } from '../../bindings/wasm/select.js';
import { forEachBuild } from '../helpers/builds.js';
import { expectOneShotOpenContract, raw } from '../helpers/raw.js';
import { countCases, hex, numberOfTests, toHex, utf8, wycheproofTests } from '../helpers/vectors.js';

function rawXor(key: Uint8Array, counter: number, nonce: Uint8Array, data: Uint8Array): Uint8Array {
  return raw([key, nonce, data], data.length, (x, [k, n, d], out) => {
    if (x.chacha20_xor(k, counter, n, d, data.length) !== 1) throw new RangeError('chacha20_xor refused the counter');
    new Uint8Array(x.memory.buffer).copyWithin(out, d, d + data.length);
  });
}
const poly1305 = (key: Uint8Array, msg: Uint8Array) => raw([key, msg], 16, (x, [k, m], out) => x.poly1305_mac(k, m, msg.length, out));
const nodeKeystream = (key: Uint8Array, counter: number, nonce: Uint8Array, len: number) => {
  const iv = new Uint8Array(16);
  new DataView(iv.buffer).setUint32(0, counter, true);
  iv.set(nonce, 4);
  return new Uint8Array(createCipheriv('chacha20', key, iv).update(new Uint8Array(len)));
};

/** ChaCha20-Poly1305 seal by node:crypto: ciphertext ‖ tag. */
const nodeSeal = (key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, pt: Uint8Array) => {
  const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  c.setAAD(aad);
  return Uint8Array.from(Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]));
};

const zeros = (n: number) => new Uint8Array(n);
const withByte = (n: number, index: number, value: number) => { const b = zeros(n); b[index] = value; return b; };

// RFC 8439 A.1: ChaCha20 block function test vectors (key, nonce, counter → 64-byte keystream).
const A1 = [
  { key: zeros(32), nonce: zeros(12), counter: 0,
    out: '76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586' },
  { key: zeros(32), nonce: zeros(12), counter: 1,
    out: '9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee7aed29b721769ce64e43d57133b074d839d531ed1f28510afb45ace10a1f4b794d6f' },
  { key: withByte(32, 31, 1), nonce: zeros(12), counter: 1,
    out: '3aeb5224ecf849929b9d828db1ced4dd832025e8018b8160b82284f3c949aa5a8eca00bbb4a73bdad192b5c42f73f2fd4e273644c8b36125a64addeb006c13a0' },
  { key: withByte(32, 1, 0xff), nonce: zeros(12), counter: 2,
    out: '72d54dfbf12ec44b362692df94137f328fea8da73990265ec1bbbea1ae9af0ca13b25aa26cb4a648cb9b9d1be65b2c0924a66c54d545ec1b7374f4872e99f096' },
  { key: zeros(32), nonce: withByte(12, 11, 2), counter: 0,
    out: 'c2c64d378cd536374ae204b9ef933fcd1a8b2288b3dfa49672ab765b54ee27c78a970e0e955c14f3a88e741b97c286f75f8fc299e8148362fa198a39531bed6d' },
];

// RFC 8439 A.3: Poly1305 edge cases (#5-#11 exercise the carries and the final reduction).
const cat = (...parts: string[]) => parts.join('');
const A3 = [
  { key: zeros(32), msg: zeros(64), tag: '00000000000000000000000000000000' },
  { key: hex(cat('02', '00'.repeat(31))), msg: hex('ff'.repeat(16)), tag: cat('03', '00'.repeat(15)) },
  { key: hex(cat('02', '00'.repeat(15), 'ff'.repeat(16))), msg: hex(cat('02', '00'.repeat(15))), tag: cat('03', '00'.repeat(15)) },
  { key: hex(cat('01', '00'.repeat(31))), msg: hex(cat('ff'.repeat(16), 'f0', 'ff'.repeat(15), '11', '00'.repeat(15))), tag: cat('05', '00'.repeat(15)) },
  { key: hex(cat('01', '00'.repeat(31))), msg: hex(cat('ff'.repeat(16), 'fb', 'fe'.repeat(15), '01'.repeat(16))), tag: '00'.repeat(16) },
  { key: hex(cat('02', '00'.repeat(31))), msg: hex(cat('fd', 'ff'.repeat(15))), tag: cat('fa', 'ff'.repeat(15)) },
  { key: hex(cat('0100000000000000', '0400000000000000', '00'.repeat(16))),
    msg: hex(cat('e33594d7505e43b9', '0000000000000000', '3394d7505e4379cd', '0100000000000000', '00'.repeat(16), '01', '00'.repeat(15))),
    tag: cat('1400000000000000', '5500000000000000') },
  { key: hex(cat('0100000000000000', '0400000000000000', '00'.repeat(16))),
    msg: hex(cat('e33594d7505e43b9', '0000000000000000', '3394d7505e4379cd', '0100000000000000', '00'.repeat(16))),
    tag: cat('13', '00'.repeat(15)) },
];

// RFC 8439 A.4: Poly1305 one-time keys = the first 32 bytes of ChaCha20 block 0.
const A4 = [
  { key: zeros(32), nonce: zeros(12), otk: '76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7' },
  { key: withByte(32, 31, 1), nonce: withByte(12, 11, 2), otk: 'ecfa254f845f647473d3cb140da9e87606cb33066c447b87bc2666dde3fbb739' },
  { key: hex('1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0'), nonce: withByte(12, 11, 2),
    otk: '965e3bc6f9ec7ed9560808f4d229f94b137ff275ca9b3fcbdd59deaad23310ae' },
];

interface AeadTest { tcId: number; key: string; iv: string; aad: string; msg: string; ct: string; tag: string; result: string; flags: string[] }

function checkWycheproof(file: string, make: (key: Uint8Array) => ReturnType<typeof chacha20Poly1305>, cases: { total: number; valid: number }) {
  expect(numberOfTests(file)).toBe(cases.total);
  const count = countCases(file, numberOfTests(file));
  let valid = 0;
  for (const t of wycheproofTests<AeadTest>(file)) {
    const open = () => make(hex(t.key)).open(hex(t.iv), hex(t.ct + t.tag), hex(t.aad));
    if (t.result === 'valid') {
      const aead = make(hex(t.key));
      expect(toHex(aead.seal(hex(t.iv), hex(t.msg), hex(t.aad))), `tcId ${t.tcId}`).toBe(t.ct + t.tag);
      expect(toHex(open()), `tcId ${t.tcId}`).toBe(t.msg);
      valid++;
    } else if (t.flags.includes('InvalidNonceSize')) {
      expect(open, `tcId ${t.tcId}`).toThrow(RangeError);
    } else {
      expect(open, `tcId ${t.tcId}`).toThrow(AuthenticationError);
    }
    count.ran(t.tcId);
  }
  count.done();
  expect(valid).toBe(cases.valid);
}

forEachBuild(() => {
  describe('ChaCha20 and Poly1305 building blocks', () => {
    it('ChaCha20 block function: RFC 8439 A.1, and node:crypto over 4 KiB', () => {
      for (const v of A1) expect(toHex(rawXor(v.key, v.counter, v.nonce, zeros(64)))).toBe(v.out);
      const key = hex('1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0');
      const nonce = hex('000000000000000000000002');
      // around the one-, four- and eight-block kernels' boundaries (a 256-byte tail after 512s)
      for (const len of [1, 63, 64, 65, 255, 256, 257, 511, 512, 513, 767, 768, 1000, 1024, 1280, 1281, 4096]) {
        expect(toHex(rawXor(key, 42, nonce, zeros(len)))).toBe(toHex(nodeKeystream(key, 42, nonce, len)));
      }
    });

    it('ChaCha20: the raw keystream up to the last counter, and a refusal (buffer unchanged) past it', () => {
      const key = hex('1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0');
      const nonce = hex('000000000000000000000002');
      // eight blocks ending exactly at counter 2^32 - 1 (the eight-block kernel), and one block there
      for (const [counter, len] of [[2 ** 32 - 8, 512], [2 ** 32 - 9, 513], [2 ** 32 - 1, 64], [2 ** 32 - 1, 1]]) {
        expect(toHex(rawXor(key, counter!, nonce, zeros(len!)))).toBe(toHex(nodeKeystream(key, counter!, nonce, len!)));
      }
      // node:crypto carries into the nonce's first word and @noble/ciphers throws; the RFC forbids the wrap
      for (const [counter, len] of [[2 ** 32 - 8, 513], [2 ** 32 - 1, 65], [2 ** 32 - 2, 256]]) {
        const data = new Uint8Array(len!).fill(0x5c);
        const after = raw([key, nonce, data], len!, (x, [k, n, d], out) => {
          expect(x.chacha20_xor(k, counter, n, d, len)).toBe(0);
          new Uint8Array(x.memory.buffer).copyWithin(out, d, d + len!);
        });
        expect(after).toEqual(data);
      }
    });

    it('Poly1305: RFC 8439 A.3 edge cases, agreeing with @noble/ciphers', () => {
      for (const v of A3) {
        expect(toHex(poly1305(v.key, v.msg))).toBe(v.tag);
        expect(toHex(noblePoly1305(v.msg, v.key))).toBe(v.tag);
      }
    });

    // Eight blocks on, the MAC runs four blocks per carry chain with r², r³, r⁴ (poly1305.ts): every
    // length around the switch and the group edges, with the largest clamped r and 0xff messages
    // (the limb bounds' worst case) and with an ordinary key.
    it('Poly1305: the four-block path agrees with @noble/ciphers at every length to 1100 bytes and at 20000', () => {
      const keys = [new Uint8Array(32).fill(0xff), Uint8Array.from({ length: 32 }, (_, i) => (i * 73 + 5) & 0xff)];
      const lengths = [...Array.from({ length: 1101 }, (_, i) => i), 20000];
      for (const key of keys) {
        for (const fill of [(i: number) => 0xff + 0 * i, (i: number) => (i * 151 + 7) & 0xff]) {
          for (const len of lengths) {
            const msg = Uint8Array.from({ length: len }, (_, i) => fill(i));
            expect(toHex(poly1305(key, msg)), `len ${len}`).toBe(toHex(noblePoly1305(msg, key)));
          }
        }
      }
    });

    it('Poly1305 key generation: RFC 8439 A.4', () => {
      for (const v of A4) expect(toHex(rawXor(v.key, 0, v.nonce, zeros(32)))).toBe(v.otk);
    });

    it('HChaCha20: draft-irtf-cfrg-xchacha-03 §2.2.1', () => {
      const key = Uint8Array.from({ length: 32 }, (_, i) => i);
      const nonce = hex('000000090000004a0000000031415927');
      expect(toHex(raw([key, nonce], 32, (x, [k, n], out) => x.hchacha20_subkey(k, n, out))))
        .toBe('82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc');
    });
  });

  describe('ChaCha20-Poly1305 and XChaCha20-Poly1305', () => {
    // The one-shot ABI MACs the whole ciphertext before it decrypts: a changed message must come
    // back exactly as it went in, at every length (the one-, four- and eight-block paths).
    it('one-shot open: agrees with node:crypto around the kernels\' lengths; a bad tag leaves the buffer unchanged', () => {
      const key = Uint8Array.from({ length: 32 }, (_, i) => i * 3), nonce = hex('000000004a00000000000001'), aad = utf8('header');
      expectOneShotOpenContract({
        lengths: [0, 255, 256, 511, 512, 513, 767, 768, 1024, 1280, 1536, 1792, 4096 + 17, 4096 + 256, 20000],
        plaintext: (len) => Uint8Array.from({ length: len }, (_, i) => (i * 131 + len) & 0xff),
        seal: (pt) => nodeSeal(key, nonce, aad, pt),
        inputs: [key, nonce, aad],
        scratchLength: engine().abi.CHACHA_AEAD_CTX_LEN.value,
        open: (x, [k, n, a], buf, len, ctx) => x.chacha_aead_open(ctx, k, n, 0, a, aad.length, buf, len),
      });
    });

    it('seal agrees with node:crypto around the lengths of the four- and eight-block kernels and the 4 KiB slices', () => {
      const key = Uint8Array.from({ length: 32 }, (_, i) => 255 - i), nonce = hex('000000004a00000000000002'), aad = utf8('aad');
      const aead = chacha20Poly1305(key);
      for (const len of [511, 512, 513, 767, 768, 1023, 1024, 1025, 1088, 1280, 1536, 1792, 2048 + 255, 4095, 4096, 4097, 4096 + 256, 8192 + 65, 20000, 65536 + 700]) {
        const pt = Uint8Array.from({ length: len }, (_, i) => (i * 29 + len) & 0xff);
        expect(toHex(aead.seal(nonce, pt, aad)), `length ${len}`).toBe(toHex(nodeSeal(key, nonce, aad, pt)));
      }
    });

    // Short messages take their keystream from two scalar blocks (up to 64 bytes) or one four-block
    // call (up to 192 bytes, SIMD build) before the streaming path: every length across both edges,
    // sealed against node:crypto (ChaCha20) and @noble/ciphers (XChaCha20), opened, and refused
    // once changed.
    it('seal and open agree with node:crypto and @noble/ciphers at every length to 260 bytes', () => {
      const key = Uint8Array.from({ length: 32 }, (_, i) => i * 11 + 5), aad = utf8('short');
      const nonce = hex('000000004a00000000000003'), nonce24 = Uint8Array.from({ length: 24 }, (_, i) => i * 3);
      const aead = chacha20Poly1305(key), xaead = xchacha20Poly1305(key);
      for (let len = 0; len <= 260; len++) {
        const pt = Uint8Array.from({ length: len }, (_, i) => (i * 37 + len) & 0xff);
        const sealed = aead.seal(nonce, pt, aad), xsealed = xaead.seal(nonce24, pt, aad);
        expect(toHex(sealed), `length ${len}`).toBe(toHex(nodeSeal(key, nonce, aad, pt)));
        expect(toHex(xsealed), `length ${len}`).toBe(toHex(nobleXChacha(key, nonce24, aad).encrypt(pt)));
        expect(aead.open(nonce, sealed, aad)).toEqual(pt);
        expect(xaead.open(nonce24, xsealed, aad)).toEqual(pt);
        sealed[len >> 1] ^= 0x40;
        expect(() => aead.open(nonce, sealed, aad), `length ${len}`).toThrow(AuthenticationError);
      }
    });

    // The powers of r are computed once per message, on the first long input (AAD or ciphertext),
    // and reused for later inputs of four blocks or more: a long AAD before a short ciphertext, and
    // one object sealing under two nonces (two values of r) in turn.
    it('seal and open agree with node:crypto when a long AAD precedes a short ciphertext, and across nonces', () => {
      const key = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);
      const aead = chacha20Poly1305(key);
      for (const aadLength of [0, 100, 512, 700, 1000]) {
        for (const len of [0, 1, 63, 64, 65, 100, 255, 256, 300, 511, 512, 600, 1200]) {
          for (const nonce of [hex('000000000000000000000001'), hex('0000000000000000000000ff')]) {
            const aad = Uint8Array.from({ length: aadLength }, (_, i) => (i * 17) & 0xff);
            const pt = Uint8Array.from({ length: len }, (_, i) => (i * 29 + len) & 0xff);
            const sealed = aead.seal(nonce, pt, aad);
            expect(toHex(sealed), `aad ${aadLength} len ${len}`).toBe(toHex(nodeSeal(key, nonce, aad, pt)));
            expect(aead.open(nonce, sealed, aad)).toEqual(pt);
          }
        }
      }
    });

    // The streaming ABI (init → aad → encrypt* → finish) with chunks, multiples of 64 bytes but the
    // last, that mix the eight-, four- and one-block kernels and cross the 4 KiB slices, after AAD
    // of lengths that are and are not multiples of 16. The 16 bytes after the plaintext take the tag.
    it('streamed seal in mixed chunks agrees with node:crypto', () => {
      const key = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1), nonce = hex('000000004a00000000000004');
      const ctxLength = engine().abi.CHACHA_AEAD_CTX_LEN.value;
      for (const [len, aadLen, chunks] of [[5000, 0, [1024, 64, 2048, 576]], [4160, 13, [1536, 64, 1088]], [3000, 32, [64, 1600]], [1024, 7, [1024]]] as const) {
        const pt = Uint8Array.from({ length: len }, (_, i) => (i * 53 + len) & 0xff), aad = pt.subarray(0, aadLen).map((b) => b ^ 0x5a);
        const sealed = raw([key, nonce, aad, pt, new Uint8Array(16), new Uint8Array(ctxLength)], len + 16, (x, [k, n, a, m, , ctx], out) => {
          x.chacha_aead_init(ctx, k, n, 0);
          x.chacha_aead_aad(ctx, a, aadLen);
          for (let off = 0, i = 0; off < len; i++) {
            const take = Math.min(len - off, chunks[i % chunks.length]);
            x.chacha_aead_encrypt(ctx, m + off, take);
            off += take;
          }
          x.chacha_aead_finish(ctx, m + len);
          new Uint8Array(x.memory.buffer).copyWithin(out, m, m + len + 16);
          x.chacha_aead_wipe(ctx);
        });
        expect(toHex(sealed), `length ${len}, AAD ${aadLen}`).toBe(toHex(nodeSeal(key, nonce, aad, pt)));
      }
    });

    // A stream abandoned after computing Poly1305's powers of r, then a short one-shot seal (which
    // computes none) on the same context under another key: nothing of the first key may remain.
    it('a short seal after an abandoned long stream leaves the context all zero', () => {
      const ctxLength = engine().abi.CHACHA_AEAD_CTX_LEN.value;
      const ctx = raw([new Uint8Array(32).fill(1), new Uint8Array(32).fill(2), new Uint8Array(12), new Uint8Array(2048 + 16)], ctxLength,
        (x, [k1, k2, n, m], out) => {
          x.chacha_aead_init(out, k1, n, 0);
          x.chacha_aead_encrypt(out, m, 2048);
          x.chacha_aead_seal(out, k2, n, 0, 0, 0, m, 100);
        });
      expect(ctx.every((b) => b === 0)).toBe(true);
    });

    it('seals and opens the RFC 8439 §2.8.2 example', () => {
      const aead = chacha20Poly1305(hex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f'));
      const nonce = hex('070000004041424344454647');
      const aad = hex('50515253c0c1c2c3c4c5c6c7');
      const pt = utf8("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.");
      const sealed = aead.seal(nonce, pt, aad);
      expect(toHex(sealed)).toBe(
        'd31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116'
        + '1ae10b594f09e26a7e902ecbd0600691');
      expect(aead.open(nonce, sealed, aad)).toEqual(pt);
    });

    it('passes all 325 Wycheproof chacha20_poly1305 cases', () =>
      checkWycheproof('wycheproof/chacha20_poly1305_test.json', chacha20Poly1305, { total: 325, valid: 256 }));
    it('passes all 315 Wycheproof xchacha20_poly1305 cases (tcId 1 is the draft §A.3.1 vector)', () =>
      checkWycheproof('wycheproof/xchacha20_poly1305_test.json', xchacha20Poly1305, { total: 315, valid: 246 }));
  });
});
