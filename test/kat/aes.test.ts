// AES: FIPS-197 appendix C (through CTR and IGE, the public API having no ECB), the GCM test cases
// of McGrew & Viega's specification (as used by NIST's validation), every Wycheproof aes_gcm case,
// and every MTProto AES-IGE / AES-CTR vector in ../shared/vectors/mtproto (OpenSSL, TDLib, mtcute,
// GramJS, Telethon), the large TDLib cases regenerated from TDLib's generator and checked by CRC-32.
import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AuthenticationError, aesCtr, aesGcm, aesIge } from '../../bindings/index.js';
import { forEachBuild } from '../helpers/builds.js';
import { expectOneShotOpenContract } from '../helpers/raw.js';
import { crc32, tdlibBytes } from '../helpers/tdlib.js';
import { countCases, hex, loadVectors, numberOfTests, toHex, wycheproofTests } from '../helpers/vectors.js';

const seq = (n: number) => Uint8Array.from({ length: n }, (_, i) => i);
const FIPS197 = [
  { key: seq(16), ct: '69c4e0d86a7b0430d8cdb78070b4c55a' },
  { key: seq(24), ct: 'dda97ca4864cdfe06eaf70a0ec0d7191' },
  { key: seq(32), ct: '8ea2b7ca516745bfeafc49904b496089' },
];
const FIPS197_PT = hex('00112233445566778899aabbccddeeff');

const K3 = 'feffe9928665731c6d6a8f9467308308';
const P3 = 'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255';
const P4 = P3.slice(0, 120);
const A4 = 'feedfacedeadbeeffeedfacedeadbeefabaddad2';
const IV6 = '9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b';
// The GCM specification's test cases 1-6 (AES-128) and 13-16 (AES-256): key, iv, aad, plaintext → ciphertext, tag.
const GCM_CASES = [
  { k: '00'.repeat(16), iv: '00'.repeat(12), a: '', p: '', c: '', t: '58e2fccefa7e3061367f1d57a4e7455a' },
  { k: '00'.repeat(16), iv: '00'.repeat(12), a: '', p: '00'.repeat(16), c: '0388dace60b6a392f328c2b971b2fe78', t: 'ab6e47d42cec13bdf53a67b21257bddf' },
  { k: K3, iv: 'cafebabefacedbaddecaf888', a: '', p: P3,
    c: '42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985',
    t: '4d5c2af327cd64a62cf35abd2ba6fab4' },
  { k: K3, iv: 'cafebabefacedbaddecaf888', a: A4, p: P4,
    c: '42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091',
    t: '5bc94fbc3221a5db94fae95ae7121a47' },
  { k: K3, iv: 'cafebabefacedbad', a: A4, p: P4,
    c: '61353b4c2806934a777ff51fa22a4755699b2a714fcdc6f83766e5f97b6c742373806900e49f24b22b097544d4896b424989b5e1ebac0f07c23f4598',
    t: '3612d2e79e3b0785561be14aaca2fccb' },
  { k: K3, iv: IV6, a: A4, p: P4,
    c: '8ce24998625615b603a033aca13fb894be9112a5c3a211a8ba262a3cca7e2ca701e4a9a4fba43c90ccdcb281d48c7c6fd62875d2aca417034c34aee5',
    t: '619cc5aefffe0bfa462af43c1699d050' },
  { k: '00'.repeat(32), iv: '00'.repeat(12), a: '', p: '', c: '', t: '530f8afbc74536b9a963b4f1c4cb738b' },
  { k: '00'.repeat(32), iv: '00'.repeat(12), a: '', p: '00'.repeat(16), c: 'cea7403d4d606b6e074ec5d3baf39d18', t: 'd0d1c8a799996bf0265b98b5d48ab919' },
  { k: K3 + K3, iv: 'cafebabefacedbaddecaf888', a: '', p: P3,
    c: '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad',
    t: 'b094dac5d93471bdec1a502270e3cc6c' },
  { k: K3 + K3, iv: 'cafebabefacedbaddecaf888', a: A4, p: P4,
    c: '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662',
    t: '76fc6ece0f4e1768cddf8853bb2d551b' },
];

interface AeadTest { tcId: number; key: string; iv: string; aad: string; msg: string; ct: string; tag: string; result: string; flags: string[] }

const ige = loadVectors('mtproto/aes-ige.json');
const ctr = loadVectors('mtproto/aes-ctr.json');

forEachBuild(() => {
  describe('AES block cipher (FIPS-197 appendix C)', () => {
    it('encrypts through CTR (keystream block 0 = E(iv)) and decrypts through IGE (iv = 0)', () => {
      for (const v of FIPS197) {
        expect(toHex(aesCtr(v.key, FIPS197_PT).update(new Uint8Array(16)))).toBe(v.ct);
        expect(toHex(aesIge(v.key).decrypt(new Uint8Array(32), hex(v.ct)))).toBe(toHex(FIPS197_PT));
      }
    });
  });

  describe('AES-GCM', () => {
    // The one-shot ABI's contract (gcm.ts gcmOpen): 1 with the plaintext in place, or 0 with `buf`
    // exactly as it was, at lengths around the 4-block loop's edges.
    it('one-shot open: agrees with node:crypto around the 4-block edges; a bad tag leaves the buffer unchanged', () => {
      const key = Uint8Array.from({ length: 32 }, (_, i) => i * 5 + 1), nonce = hex('cafebabefacedbaddecaf888'), aad = hex('feedfacedeadbeef');
      expectOneShotOpenContract({
        lengths: [0, 63, 64, 127, 128, 129, 191, 1024, 4096 + 17, 20000],
        plaintext: (len) => Uint8Array.from({ length: len }, (_, i) => (i * 29 + len) & 0xff),
        seal: (pt) => {
          const c = createCipheriv('aes-256-gcm', key, nonce);
          c.setAAD(aad);
          return Uint8Array.from(Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]));
        },
        inputs: [key, nonce, aad],
        scratchLength: 4096,
        open: (x, [k, n, a], buf, len, scratch) => {
          const ks = scratch, ctx = scratch + ((x.GCM_KEY_STATE_LEN.value + 15) & ~15);
          x.gcm_set_key(ks, k, 32, ctx);
          return x.gcm_open(ctx, ks, n, 12, a, aad.length, buf, len);
        },
      });
    });

    it('matches the GCM specification test cases 1-6 and 13-16', () => {
      for (const v of GCM_CASES) {
        const aead = aesGcm(hex(v.k));
        expect(toHex(aead.seal(hex(v.iv), hex(v.p), hex(v.a)))).toBe(v.c + v.t);
        expect(toHex(aead.open(hex(v.iv), hex(v.c + v.t), hex(v.a)))).toBe(v.p);
      }
    });

    it('passes all 316 Wycheproof aes_gcm cases (zero-length IVs are refused as a RangeError)', () => {
      const file = 'wycheproof/aes_gcm_test.json';
      const count = countCases(file, numberOfTests(file));
      let valid = 0;
      for (const t of wycheproofTests<AeadTest>(file)) {
        const open = () => aesGcm(hex(t.key)).open(hex(t.iv), hex(t.ct + t.tag), hex(t.aad));
        if (t.result === 'valid') {
          expect(toHex(aesGcm(hex(t.key)).seal(hex(t.iv), hex(t.msg), hex(t.aad))), `tcId ${t.tcId}`).toBe(t.ct + t.tag);
          expect(toHex(open()), `tcId ${t.tcId}`).toBe(t.msg);
          valid++;
        } else if (t.iv.length === 0) {
          expect(open, `tcId ${t.tcId}`).toThrow(RangeError);
        } else {
          expect(open, `tcId ${t.tcId}`).toThrow(AuthenticationError);
        }
        count.ran(t.tcId);
      }
      count.done();
      expect(numberOfTests(file)).toBe(316);
      expect(valid).toBe(229);
    });
  });

  describe('AES-IGE (MTProto)', () => {
    it('matches all 6 listed vectors (OpenSSL, mtcute, GramJS, Telethon), in their direction or both', () => {
      expect(ige.vectors).toHaveLength(6);
      const count = countCases('mtproto/aes-ige.json vectors', ige.vectors.length);
      for (const v of ige.vectors) {
        expect([undefined, 'encrypt', 'decrypt'], v.id).toContain(v.direction);
        const cipher = aesIge(hex(v.key));
        if (v.direction !== 'decrypt') expect(toHex(cipher.encrypt(hex(v.iv), hex(v.plaintext))), v.id).toBe(v.ciphertext);
        if (v.direction !== 'encrypt') expect(toHex(cipher.decrypt(hex(v.iv), hex(v.ciphertext))), v.id).toBe(v.plaintext);
        count.ran(v.id);
      }
      count.done();
    });

    it('matches TDLib AesIgeState, all 6 lengths (data regenerated, checked by CRC-32)', () => {
      expect(ige.tdlib_lcg.cases).toHaveLength(6);
      const count = countCases('mtproto/aes-ige.json tdlib_lcg', ige.tdlib_lcg.cases.length);
      for (const c of ige.tdlib_lcg.cases) {
        const [data, key, iv] = tdlibBytes(c.length, [c.length, 32, 32]);
        expect(toHex(key)).toBe(c.key);
        expect(toHex(iv)).toBe(c.iv);
        if (c.plaintext !== undefined) expect(toHex(data), `length ${c.length}`).toBe(c.plaintext);
        const cipher = aesIge(key);
        const ct = cipher.encrypt(iv, data);
        expect(crc32(ct), `length ${c.length}`).toBe(c.crc32_ciphertext);
        if (c.ciphertext !== undefined) expect(toHex(ct), `length ${c.length}`).toBe(c.ciphertext);
        expect(Buffer.compare(cipher.decrypt(iv, ct), data)).toBe(0);
        count.ran(c.length);
      }
      count.done();
    });
  });

  describe('AES-CTR (MTProto obfuscated2)', () => {
    it('matches both streamed vectors (mtcute: one block repeated; GramJS: pieces of any length)', () => {
      expect(ctr.vectors).toHaveLength(2);
      const count = countCases('mtproto/aes-ctr.json vectors', ctr.vectors.length);
      for (const v of ctr.vectors) {
        const stream = aesCtr(hex(v.key), hex(v.iv));
        const inputs: string[] = v.inputs ?? v.outputs.map(() => v.plaintext_block);
        expect(inputs, v.id).toHaveLength(v.outputs.length);
        expect(inputs.map((i) => toHex(stream.update(hex(i)))), v.id).toEqual(v.outputs);
        count.ran(v.id);
      }
      count.done();
    });

    it('matches TDLib AesCtrState for all 10 lengths, with its IV and with the 2^128 wrap (iv = ff…ff)', () => {
      expect(ctr.tdlib_lcg.cases).toHaveLength(10);
      const count = countCases('mtproto/aes-ctr.json tdlib_lcg', ctr.tdlib_lcg.cases.length);
      for (const c of ctr.tdlib_lcg.cases) {
        const [data, key, iv] = tdlibBytes(c.length, [c.length, 32, 16]);
        expect(toHex(key)).toBe(c.key);
        expect(toHex(iv)).toBe(c.iv);
        expect(crc32(aesCtr(key, iv).update(data)), `length ${c.length}`).toBe(c.crc32);
        expect(crc32(aesCtr(key, new Uint8Array(16).fill(0xff)).update(data)), `length ${c.length}, iv ff`).toBe(c.crc32_with_iv_all_ff);
        count.ran(c.length);
      }
      count.done();
    });

    it('agrees with node:crypto when one stream is fed in uneven pieces', () => {
      const key = seq(32), iv = hex('00'.repeat(8) + 'ff'.repeat(8)); // wraps the low 64 bits early
      const data = tdlibBytes(7, [10_000])[0];
      const stream = aesCtr(key, iv);
      const pieces: Uint8Array[] = [];
      for (let off = 0, n = 1; off < data.length; off += n, n = (n * 5 + 3) % 997) pieces.push(stream.update(data.subarray(off, off + n)));
      expect(Buffer.compare(Buffer.concat(pieces), createCipheriv('aes-256-ctr', key, iv).update(data))).toBe(0);
    });
  });
});
