// RSA keys and RSA_PAD for the handshake: PEM/DER parsing of every accepted form checked against
// node:crypto's view of the same key (JWK export), refusal of malformed and unsuitable keys, RSA_PAD
// round trips, the raw private-key operation cross-checked against node:crypto (RSA_NO_PADDING)
// and a plain BigInt computation, and the legacy SHA-1 scheme GramJS sends.
import { constants, createHash, generateKeyPairSync, privateDecrypt, publicEncrypt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CryptoProvider } from '../../bindings/index.js';
import {
  RSA_PAD_MAX_DATA,
  parseRsaPrivateKey,
  parseRsaPublicKey,
  rsaDecryptRaw,
  rsaLegacyUnwrap,
  rsaPadDecrypt,
  rsaPadEncrypt,
  rsaPadUnwrap,
} from '../../bindings/mtproto/auth/index.js';
import { forEachProvider } from '../helpers/providers.js';
import { toHex } from '../helpers/vectors.js';

// One 2048-bit key for the whole file (generation is the slow part).
const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = {
  pkcs1Private: pair.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
  pkcs8Private: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  pkcs1Public: pair.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string,
  spkiPublic: pair.publicKey.export({ type: 'spki', format: 'pem' }) as string,
};
const DER = {
  pkcs1Public: new Uint8Array(pair.publicKey.export({ type: 'pkcs1', format: 'der' })),
  spkiPublic: new Uint8Array(pair.publicKey.export({ type: 'spki', format: 'der' })),
};
const jwk = pair.privateKey.export({ format: 'jwk' });
const num = (b64u: string | undefined) => BigInt('0x' + Buffer.from(b64u!, 'base64url').toString('hex'));
const N = num(jwk.n);
const E = num(jwk.e);
const D = num(jwk.d);

function powMod(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  for (; e > 0n; e >>= 1n, b = (b * b) % m) if (e & 1n) r = (r * b) % m;
  return r;
}
const be = (v: bigint, length: number) => Uint8Array.from(Buffer.from(v.toString(16).padStart(length * 2, '0'), 'hex'));

// A small DER writer of the test's own, to build keys node:crypto would not produce.
function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}
const tlv = (tag: number, content: number[]): number[] => [tag, ...derLength(content.length), ...content];
function derInt(v: bigint): number[] {
  let h = v.toString(16);
  if (h.length % 2) h = '0' + h;
  const bytes = [...Buffer.from(h, 'hex')];
  if (bytes[0] & 0x80) bytes.unshift(0);
  return tlv(0x02, bytes);
}
const pem = (label: string, der: number[] | Uint8Array) =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END ${label}-----\n`;
const privateFields = () => [num(jwk.n), num(jwk.e), num(jwk.d), num(jwk.p), num(jwk.q), num(jwk.dp), num(jwk.dq), num(jwk.qi)];
const pkcs1PrivateDer = (fields: bigint[], version = 0n) => tlv(0x30, [...derInt(version), ...fields.flatMap(derInt)]);

const badKey = expect.objectContaining({ name: 'MtprotoError', code: 'rsa-bad-key' });
const padInvalid = expect.objectContaining({ name: 'MtprotoError', code: 'rsa-pad-invalid' });

forEachProvider((provider: CryptoProvider) => {
  describe(`RSA keys (${provider.name})`, () => {
    it('parses PKCS#1 and SPKI public keys (PEM and DER) and PKCS#1 and PKCS#8 private keys to the numbers node:crypto has', () => {
      const publics = [PEM.pkcs1Public, PEM.spkiPublic, DER.pkcs1Public, DER.spkiPublic].map((k) => parseRsaPublicKey(provider, k));
      const privates = [PEM.pkcs1Private, PEM.pkcs8Private].map((k) => parseRsaPrivateKey(provider, k));
      for (const k of [...publics, ...privates]) {
        expect(k.n).toBe(N);
        expect(k.e).toBe(E);
        expect(k.fingerprint).toBe(publics[0].fingerprint);
      }
      // The fingerprint by its definition, with node:crypto's SHA-1: SHA1(TL bytes(n) ‖ TL bytes(e))[12:20].
      const tlBytes = (b: Uint8Array) => {
        const head = b.length < 254 ? [b.length] : [0xfe, b.length & 0xff, (b.length >> 8) & 0xff, (b.length >> 16) & 0xff];
        const out = [...head, ...b];
        while (out.length % 4) out.push(0);
        return out;
      };
      const sha = createHash('sha1').update(Uint8Array.from([...tlBytes(be(N, 256)), ...tlBytes(Uint8Array.of(1, 0, 1))])).digest();
      expect(toHex(publics[0].fingerprintBytes)).toBe(toHex(sha.subarray(12, 20)));
      expect(publics[0].fingerprint).toBe(sha.readBigInt64LE(12));
      for (const k of privates) {
        expect([k.d, k.p, k.q, k.dp, k.dq, k.qInv]).toEqual([D, num(jwk.p), num(jwk.q), num(jwk.dp), num(jwk.dq), num(jwk.qi)]);
      }
    });

    it('refuses malformed PEM and DER with rsa-bad-key', () => {
      const body = PEM.pkcs1Public.split('\n').slice(1, -2).join('\n');
      const cases: Array<[string, string | Uint8Array]> = [
        ['certificate label', PEM.pkcs1Public.replaceAll('RSA PUBLIC KEY', 'CERTIFICATE')],
        ['mismatched END', PEM.pkcs1Public.replace('END RSA PUBLIC KEY', 'END PUBLIC KEY')],
        ['private key as public', PEM.pkcs1Private],
        ['bad base64 character', PEM.pkcs1Public.replace(body.slice(10, 11), '*')],
        ['base64 length not a multiple of 4', `-----BEGIN RSA PUBLIC KEY-----\n${body.slice(0, -1)}\n-----END RSA PUBLIC KEY-----\n`],
        ['non-zero base64 pad bits', pem('RSA PUBLIC KEY', [...DER.pkcs1Public, 0]).replace('AA==', 'AB==')],
        ['misplaced base64 padding', pem('RSA PUBLIC KEY', [...DER.pkcs1Public, 0]).replace('AA==', 'A=A=')],
        ['two blocks', PEM.pkcs1Public + PEM.pkcs1Public],
        ['trailing DER byte', pem('RSA PUBLIC KEY', [...DER.pkcs1Public, 0])],
        ['truncated DER', pem('RSA PUBLIC KEY', DER.pkcs1Public.subarray(0, 200))],
        ['non-minimal INTEGER', pem('RSA PUBLIC KEY', tlv(0x30, [...derInt(N), 0x02, 0x04, 0x00, 0x01, 0x00, 0x01]))],
        ['negative INTEGER', pem('RSA PUBLIC KEY', tlv(0x30, [...derInt(N), 0x02, 0x01, 0x81]))],
        ['non-minimal length', pem('RSA PUBLIC KEY', [0x30, 0x83, 0x00, 0x01, 0x0a, ...DER.pkcs1Public.subarray(4)])],
        ['indefinite length', pem('RSA PUBLIC KEY', [0x30, 0x80, ...DER.pkcs1Public.subarray(4), 0, 0])],
        ['SPKI with another algorithm', pem('PUBLIC KEY', [...DER.spkiPublic].map((b, i) => (i === 14 ? 0x02 : b)))],
        ['1024-bit modulus', pem('RSA PUBLIC KEY', tlv(0x30, [...derInt(N >> 1024n), ...derInt(E)]))],
        ['even modulus', pem('RSA PUBLIC KEY', tlv(0x30, [...derInt(N + 1n), ...derInt(E)]))],
        ['e = 1', pem('RSA PUBLIC KEY', tlv(0x30, [...derInt(N), ...derInt(1n)]))],
        ['garbage DER bytes', Uint8Array.of(0x30, 0x03, 0x02, 0x01)],
      ];
      expect([...DER.pkcs1Public.subarray(0, 4)]).toEqual([0x30, 0x82, 0x01, 0x0a]);
      for (const [name, key] of cases) expect(() => parseRsaPublicKey(provider, key), name).toThrow(badKey);
      // The SPKI OID byte we flip above is the last byte of 1.2.840.113549.1.1.1: check the offset really is.
      expect(DER.spkiPublic[14]).toBe(0x01);
    });

    it('refuses unsuitable private keys: encrypted, multi-prime, inconsistent', () => {
      const encrypted = pair.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }) as string;
      const legacyEncrypted = pair.privateKey.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }) as string;
      expect(() => parseRsaPrivateKey(provider, encrypted), 'ENCRYPTED PRIVATE KEY').toThrow(badKey);
      expect(() => parseRsaPrivateKey(provider, legacyEncrypted), 'Proc-Type header').toThrow(badKey);
      expect(() => parseRsaPrivateKey(provider, PEM.spkiPublic), 'public key').toThrow(badKey);
      // Our own DER of the real key parses; the same with one field changed does not.
      expect(parseRsaPrivateKey(provider, pem('RSA PRIVATE KEY', pkcs1PrivateDer(privateFields()))).d).toBe(D);
      for (let i = 2; i < 8; i++) {
        const fields = privateFields();
        fields[i] += 2n;
        expect(() => parseRsaPrivateKey(provider, pem('RSA PRIVATE KEY', pkcs1PrivateDer(fields))), `field ${i}`).toThrow(badKey);
      }
      expect(() => parseRsaPrivateKey(provider, pem('RSA PRIVATE KEY', pkcs1PrivateDer(privateFields(), 1n))), 'version 1').toThrow(badKey);
    });
  });

  describe(`RSA_PAD (${provider.name})`, () => {
    const publicKey = parseRsaPublicKey(provider, PEM.spkiPublic);
    const privateKey = parseRsaPrivateKey(provider, PEM.pkcs8Private);

    it('round-trips data of 0..144 bytes; the raw decryption matches node:crypto and plain BigInt', () => {
      for (const length of [0, 1, 96, 100, RSA_PAD_MAX_DATA]) {
        const data = provider.randomBytes(length);
        const encrypted = rsaPadEncrypt(provider, publicKey, data);
        expect(encrypted.length).toBe(256);
        const raw = rsaDecryptRaw(privateKey, encrypted);
        const viaNode = privateDecrypt({ key: pair.privateKey, padding: constants.RSA_NO_PADDING }, encrypted);
        expect(toHex(raw)).toBe(toHex(viaNode));
        expect(toHex(raw)).toBe(toHex(be(powMod(BigInt('0x' + toHex(encrypted)), D, N), 256)));
        const padded = rsaPadDecrypt(provider, privateKey, encrypted);
        expect(padded.length).toBe(192);
        expect(toHex(padded.subarray(0, length))).toBe(toHex(data));
      }
      expect(() => rsaPadEncrypt(provider, publicKey, new Uint8Array(RSA_PAD_MAX_DATA + 1))).toThrow(RangeError);
    });

    it('refuses tampered ciphertexts, values ≥ n and oversize input with rsa-pad-invalid', () => {
      const encrypted = rsaPadEncrypt(provider, publicKey, provider.randomBytes(96));
      for (const at of [0, 1, 100, 255]) {
        const t = encrypted.slice();
        t[at] ^= 0x40;
        expect(() => rsaPadDecrypt(provider, privateKey, t), `byte ${at}`).toThrow(padInvalid);
      }
      expect(() => rsaPadDecrypt(provider, privateKey, be(N, 256))).toThrow(padInvalid);
      expect(() => rsaPadDecrypt(provider, privateKey, new Uint8Array(256).fill(0xff))).toThrow(padInvalid);
      expect(() => rsaPadDecrypt(provider, privateKey, new Uint8Array(257))).toThrow(padInvalid);
      // A ciphertext with its leading zero byte stripped is the same number, so it decrypts the same.
      const withZero = Uint8Array.from([0, ...provider.randomBytes(255)]);
      expect(toHex(rsaDecryptRaw(privateKey, withZero.subarray(1)))).toBe(toHex(rsaDecryptRaw(privateKey, withZero)));
    });

    it('legacy scheme (GramJS: 00 ‖ SHA1(data) ‖ data ‖ padding, raw RSA) unwraps only when the SHA-1 matches', () => {
      for (const length of [96, 100, 104, 232]) {
        const data = provider.randomBytes(length);
        const plain = Uint8Array.from([0, ...createHash('sha1').update(data).digest(), ...data, ...provider.randomBytes(235 - length)]);
        const encrypted = new Uint8Array(publicEncrypt({ key: pair.publicKey, padding: constants.RSA_NO_PADDING }, plain));
        const raw = rsaDecryptRaw(privateKey, encrypted);
        expect(toHex(rsaLegacyUnwrap(provider, raw)!)).toBe(toHex(data));
        expect(rsaPadUnwrap(provider, raw)).toBeNull();
        const tampered = raw.slice();
        tampered[30] ^= 1;
        expect(rsaLegacyUnwrap(provider, tampered)).toBeNull();
        const nonZero = raw.slice();
        nonZero[0] = 1;
        expect(rsaLegacyUnwrap(provider, nonZero)).toBeNull();
      }
      // And an RSA_PAD value is not mistaken for a legacy one.
      const padded = rsaDecryptRaw(privateKey, rsaPadEncrypt(provider, publicKey, provider.randomBytes(96)));
      expect(rsaLegacyUnwrap(provider, padded)).toBeNull();
    });
  });
});
