// P-256 in wasm, on both builds: every Wycheproof ecdh_secp256r1 case (peer keys passed to the
// library as DER SubjectPublicKeyInfo, { format: 'spki' }) and ecdsa_secp256r1_sha256 case (DER
// signatures), each counted against the file's numberOfTests; RFC 6979 §A.2.5 (P-256, SHA-256);
// and the API's typed errors.
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { p256 as nobleP256 } from '@noble/curves/nist.js';
import { describe, expect, it } from 'vitest';
import { InvalidKeyError, p256 } from '../../bindings/index.js';
import { forEachBuild } from '../helpers/builds.js';
import { spkiFromPoint } from '../helpers/spki.js';
import { countCases, hex, numberOfTests, toHex, utf8, wycheproofTests } from '../helpers/vectors.js';

interface EcdhTest { tcId: number; public: string; private: string; shared: string; result: string; flags: string[] }
interface EcdsaTest { tcId: number; msg: string; sig: string; result: string; flags: string[]; group: any }
const ECDH_FILE = 'wycheproof/ecdh_secp256r1_test.json';
const ECDSA_FILE = 'wycheproof/ecdsa_secp256r1_sha256_test.json';
const ecdh = wycheproofTests<EcdhTest>(ECDH_FILE);
const ecdsa = wycheproofTests<EcdsaTest>(ECDSA_FILE);

const N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

/** Wycheproof private keys are minimal big-endian integers, sometimes with a leading 00 (sign byte). */
function scalar32(text: string): Uint8Array {
  const b = hex(text.length % 2 ? `0${text}` : text);
  const out = new Uint8Array(32);
  const trimmed = b.subarray(Math.max(0, b.length - 32));
  out.set(trimmed, 32 - trimmed.length);
  return out;
}

const be32 = (v: bigint) => hex(v.toString(16).padStart(64, '0'));

/** RFC 6979 §A.2.5: the P-256 key and its SHA-256 signatures of "sample" and "test" (k, r, s as printed). */
const RFC6979 = {
  x: 'c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721',
  Ux: '60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6',
  Uy: '7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299',
  signatures: [
    {
      message: 'sample',
      k: 'a6e3c57dd01abe90086538398355dd4c3b17aa873382b0f24d6129493d8aad60',
      r: 'efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716',
      s: 'f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8',
    },
    {
      message: 'test',
      k: 'd16b6ae827f17175e040871a1c7ec3500192c4c92677336ec2537acaee0008e0',
      r: 'f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367',
      s: '019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083',
    },
  ],
};

forEachBuild(() => {
  describe('p256', () => {
    it('Wycheproof ECDH: all 612 cases through p256.ecdh with SPKI peer keys', () => {
      expect(numberOfTests(ECDH_FILE)).toBe(612);
      const count = countCases(ECDH_FILE, numberOfTests(ECDH_FILE));
      for (const t of ecdh) {
        const where = `tcId ${t.tcId} ${t.flags}`;
        let shared: string | InvalidKeyError;
        try {
          shared = toHex(p256.ecdh(scalar32(t.private), hex(t.public), { format: 'spki' }));
        } catch (err) {
          expect(err, where).toBeInstanceOf(InvalidKeyError);
          expect((err as InvalidKeyError).reason, where).toBe('invalid-point');
          shared = err as InvalidKeyError;
        }
        if (t.result === 'valid') expect(shared, where).toBe(t.shared);
        else if (t.result === 'invalid') expect(shared, where).toBeInstanceOf(InvalidKeyError);
        else {
          expect(t.result, where).toBe('acceptable');
          if (typeof shared === 'string') expect(shared, where).toBe(t.shared);
        }
        count.ran(t.tcId);
      }
      count.done();
    });

    it('Wycheproof ECDSA-SHA256 (DER): all 484 cases through p256.verify (uncompressed and compressed keys)', () => {
      const total = numberOfTests(ECDSA_FILE);
      expect(total).toBe(484);
      const count = countCases(ECDSA_FILE, total);
      for (const t of ecdsa) {
        expect(['valid', 'invalid'], `tcId ${t.tcId}`).toContain(t.result);
        const pk = hex(t.group.publicKey.uncompressed);
        const ok = p256.verify(pk, hex(t.msg), hex(t.sig), { format: 'der' });
        expect(ok, `tcId ${t.tcId} ${t.flags}`).toBe(t.result === 'valid');
        // the compressed form of the key gives the same answer
        const compressed = Uint8Array.from([2 | (pk[64] & 1), ...pk.subarray(1, 33)]);
        expect(p256.verify(compressed, hex(t.msg), hex(t.sig), { format: 'der' }), `tcId ${t.tcId} compressed`).toBe(ok);
        count.ran(t.tcId);
      }
      count.done();
    });

    it('RFC 6979 §A.2.5 (P-256, SHA-256): key, then r and low s for "sample" and "test"', () => {
      const x = hex(RFC6979.x);
      expect(toHex(p256.publicKey(x))).toBe(`04${RFC6979.Ux}${RFC6979.Uy}`);
      for (const v of RFC6979.signatures) {
        const raw = p256.sign(x, utf8(v.message));
        const s = BigInt(`0x${v.s}`);
        const low = s > N / 2n ? N - s : s;
        expect(toHex(raw)).toBe(v.r + toHex(be32(low)));
        // the RFC's own (possibly high) s verifies too, and r = x(kG) mod n
        expect(p256.verify(p256.publicKey(x), utf8(v.message), hex(v.r + v.s))).toBe(true);
        expect(BigInt(`0x${toHex(p256.publicKey(hex(v.k)).subarray(1, 33))}`) % N).toBe(BigInt(`0x${v.r}`));
      }
    });

    it('signs deterministically in both formats, and the signatures verify', () => {
      const { secretKey, publicKey } = p256.generateKeyPair();
      const msg = hex('00112233');
      const raw = p256.sign(secretKey, msg);
      expect(raw).toHaveLength(64);
      expect(toHex(p256.sign(secretKey, msg))).toBe(toHex(raw));
      expect(toHex(raw)).toBe(toHex(nobleP256.sign(msg, secretKey)));
      const der = p256.sign(secretKey, msg, { format: 'der' });
      expect(der[0]).toBe(0x30);
      expect(toHex(der)).toBe(toHex(nobleP256.sign(msg, secretKey, { format: 'der' })));
      expect(p256.verify(publicKey, msg, raw)).toBe(true);
      expect(p256.verify(publicKey, msg, der, { format: 'der' })).toBe(true);
      expect(p256.verify(publicKey, msg, der)).toBe(false);
      expect(p256.verify(p256.publicKey(secretKey, true), msg, raw)).toBe(true);
      expect(p256.verifyBatch([{ publicKey, message: msg, signature: raw }, { publicKey, message: hex('00'), signature: raw }])).toEqual([true, false]);
    });

    it('keys: publicKey = noble in both forms; secret keys outside [1, n − 1] refused (invalid-scalar)', () => {
      for (const k of [1n, 2n, N - 1n, N - 2n, 2n ** 255n, N / 2n, 2n ** 224n - 1n]) {
        expect(toHex(p256.publicKey(be32(k))), String(k)).toBe(toHex(nobleP256.getPublicKey(be32(k), false)));
        expect(toHex(p256.publicKey(be32(k), true)), String(k)).toBe(toHex(nobleP256.getPublicKey(be32(k), true)));
      }
      const peer = p256.generateKeyPair().publicKey;
      for (const k of [0n, N, N + 1n, 2n ** 256n - 1n]) {
        for (const call of [() => p256.publicKey(be32(k)), () => p256.ecdh(be32(k), peer), () => p256.sign(be32(k), hex('00'))]) {
          expect(call, String(k)).toThrow(InvalidKeyError);
          try { call(); } catch (err) { expect((err as InvalidKeyError).reason).toBe('invalid-scalar'); }
        }
      }
      expect(() => p256.publicKey(new Uint8Array(31))).toThrow(RangeError);
      expect(() => p256.ecdh(new Uint8Array(33), peer)).toThrow(RangeError);
    });

    it('ECDH: SEC1 both forms and SPKI agree with node:crypto; malformed peers are invalid-point', () => {
      const a = p256.generateKeyPair();
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
      const jwk = publicKey.export({ format: 'jwk' });
      const point = new Uint8Array([4, ...Buffer.from(jwk.x!, 'base64url'), ...Buffer.from(jwk.y!, 'base64url')]);
      const shared = toHex(p256.ecdh(a.secretKey, point));
      expect(toHex(p256.ecdh(a.secretKey, spki, { format: 'spki' }))).toBe(shared);
      expect(toHex(p256.ecdh(a.secretKey, spkiFromPoint(point), { format: 'spki' }))).toBe(shared);
      expect(toHex(p256.ecdh(a.secretKey, new Uint8Array([2 | (point[64] & 1), ...point.subarray(1, 33)])))).toBe(shared);
      expect(toHex(p256.ecdh(a.secretKey, spkiFromPoint(new Uint8Array([2 | (point[64] & 1), ...point.subarray(1, 33)])), { format: 'spki' }))).toBe(shared);
      expect(toHex(createPublicKey({ key: Buffer.from(spkiFromPoint(point)), format: 'der', type: 'spki' }).export({ format: 'der', type: 'spki' }))).toBe(toHex(spki));
      const bad: Array<[string, Uint8Array, 'sec1' | 'spki']> = [
        ['empty', new Uint8Array(0), 'sec1'],
        ['identity (00)', new Uint8Array(1), 'sec1'],
        ['64 bytes', point.subarray(1), 'sec1'],
        ['hybrid 06', Uint8Array.from([6, ...point.subarray(1)]), 'sec1'],
        ['y + 1', Uint8Array.from([...point.subarray(0, 64), point[64] ^ 1]), 'sec1'],
        ['x = p', Uint8Array.from([4, ...hex('ffffffff00000001000000000000000000000000ffffffffffffffffffffffff'), ...point.subarray(33)]), 'sec1'],
        ['compressed, prefix 04', Uint8Array.from([4, ...point.subarray(1, 33)]), 'sec1'],
        ['SEC1 given as SPKI', point, 'spki'],
        ['SPKI given as SEC1', spki, 'sec1'],
        ['SPKI with a trailing byte', Uint8Array.from([...spki, 0]), 'spki'],
        ['SPKI with a bad point', spkiFromPoint(Uint8Array.from([...point.subarray(0, 64), point[64] ^ 1])), 'spki'],
      ];
      for (const [what, pk, format] of bad) {
        let err: unknown;
        try { p256.ecdh(a.secretKey, pk, { format }); } catch (e) { err = e; }
        expect(err, what).toBeInstanceOf(InvalidKeyError);
        expect((err as InvalidKeyError).reason, what).toBe('invalid-point');
        expect(p256.verify(pk, hex('00'), new Uint8Array(64)), what).toBe(false);
      }
      expect(() => p256.ecdh(a.secretKey, point, { format: 'pem' as 'spki' })).toThrow(TypeError);
    });
  });
});
