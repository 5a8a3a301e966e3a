// RSA keys for the handshake (§5.1 step 2): parsing the PEM/DER forms a server key comes in, and
// the key fingerprint Telegram lists in resPQ.
//
//   public:  PKCS#1 "RSA PUBLIC KEY" (RFC 8017 A.1.1)  and SPKI "PUBLIC KEY" (RFC 5280 §4.1.2.7)
//   private: PKCS#1 "RSA PRIVATE KEY" (RFC 8017 A.1.2) and PKCS#8 "PRIVATE KEY" (RFC 5208 §5)
//
// MTProto's RSA_PAD works on 256-byte values, so the modulus must be exactly 2048 bits. Private
// keys are checked for consistency (n = p·q, the CRT exponents, e·d ≡ 1) since a wrong key would
// otherwise only show up as every client's handshake failing.

import type { CryptoProvider } from '../../provider/types.js';
import { MtprotoError } from '../errors.js';
import { TlWriter } from '../tl/writer.js';
import { bigIntToBytesBE, bitLength, int64FromBytesLE } from './bigint.js';
import { DerReader, TAG_SEQUENCE } from './der.js';
import { pemDecode } from './pem.js';

/** A server's public key with its MTProto fingerprint. */
export interface RsaPublicKey {
  readonly n: bigint;
  readonly e: bigint;
  /** The fingerprint as resPQ and req_DH_params carry it: a TL long (signed 64-bit). */
  readonly fingerprint: bigint;
  /** The same fingerprint as its 8 wire bytes, SHA1(rsa_public_key)[12:20]. */
  readonly fingerprintBytes: Uint8Array;
}

/** A server's private key; it is also a public key (same fields). */
export interface RsaPrivateKey extends RsaPublicKey {
  readonly d: bigint;
  readonly p: bigint;
  readonly q: bigint;
  readonly dp: bigint;
  readonly dq: bigint;
  readonly qInv: bigint;
}

// 1.2.840.113549.1.1.1 (rsaEncryption), DER content bytes.
const RSA_ENCRYPTION_OID = Uint8Array.of(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01);

function bad(message: string): never {
  throw new MtprotoError('rsa-bad-key', message);
}

/**
 * The fingerprint of (n, e): the lower 64 bits of SHA1 of the bare TL `rsa_public_key n:string
 * e:string`, n and e as minimal big-endian strings (§5.1 step 2).
 */
export function rsaFingerprint(provider: CryptoProvider, n: bigint, e: bigint): { fingerprint: bigint; fingerprintBytes: Uint8Array } {
  const nBytes = bigIntToBytesBE(n);
  const eBytes = bigIntToBytesBE(e);
  // Sized exactly: TlWriter must not grow (see messages.ts).
  const serialized = new TlWriter().bytes(nBytes).bytes(eBytes).finish();
  const fingerprintBytes = provider.hash('SHA-1', serialized).slice(12, 20);
  return { fingerprint: int64FromBytesLE(fingerprintBytes), fingerprintBytes };
}

/** A public key from its numbers (checks the size rules of this file). */
export function rsaPublicKey(provider: CryptoProvider, n: bigint, e: bigint): RsaPublicKey {
  if (typeof n !== 'bigint' || typeof e !== 'bigint') throw new TypeError('rsaPublicKey: n and e must be bigints');
  if (bitLength(n) !== 2048) bad(`RSA modulus must be 2048 bits for MTProto, got ${bitLength(n)}`);
  if ((n & 1n) === 0n) bad('RSA modulus is even');
  if (e < 3n || (e & 1n) === 0n || e >= n) bad('RSA public exponent must be odd and in [3, n)');
  return Object.freeze({ n, e, ...rsaFingerprint(provider, n, e) });
}

function readPkcs1Public(der: Uint8Array, start = 0, end = der.length): { n: bigint; e: bigint } {
  const outer = new DerReader(der, start, end);
  const seq = outer.sequence();
  const n = seq.unsignedInteger();
  const e = seq.unsignedInteger();
  seq.end();
  outer.end();
  return { n, e };
}

function readAlgorithm(seq: DerReader): void {
  const alg = seq.sequence();
  const oid = alg.oid();
  if (oid.length !== RSA_ENCRYPTION_OID.length || oid.some((b, i) => b !== RSA_ENCRYPTION_OID[i])) bad('not an rsaEncryption key');
  alg.null();
  alg.end();
}

function readSpki(der: Uint8Array): { n: bigint; e: bigint } {
  const outer = new DerReader(der);
  const seq = outer.sequence();
  readAlgorithm(seq);
  const key = seq.bitString();
  seq.end();
  outer.end();
  return readPkcs1Public(key);
}

/**
 * Parses a public key: PEM "RSA PUBLIC KEY" (PKCS#1) or "PUBLIC KEY" (SPKI), or DER bytes of
 * either form. Throws MtprotoError('rsa-bad-key') for anything else.
 */
export function parseRsaPublicKey(provider: CryptoProvider, key: string | Uint8Array): RsaPublicKey {
  if (typeof key === 'string') {
    const { label, der } = pemDecode(key);
    if (label === 'RSA PUBLIC KEY') {
      const { n, e } = readPkcs1Public(der);
      return rsaPublicKey(provider, n, e);
    }
    if (label === 'PUBLIC KEY') {
      const { n, e } = readSpki(der);
      return rsaPublicKey(provider, n, e);
    }
    bad(`expected "RSA PUBLIC KEY" or "PUBLIC KEY", got "${label}"`);
  }
  if (!(key instanceof Uint8Array)) throw new TypeError('parseRsaPublicKey: key must be a PEM string or DER bytes');
  // The two DER forms differ in their first element: an INTEGER (PKCS#1) or a SEQUENCE (SPKI).
  const first = new DerReader(key).sequence().peekTag();
  const { n, e } = first === TAG_SEQUENCE ? readSpki(key) : readPkcs1Public(key);
  return rsaPublicKey(provider, n, e);
}

function readPkcs1Private(der: Uint8Array): bigint[] {
  const outer = new DerReader(der);
  const seq = outer.sequence();
  if (seq.unsignedInteger() !== 0n) bad('only two-prime RSA private keys (version 0) are supported');
  const fields = Array.from({ length: 8 }, () => seq.unsignedInteger()); // n e d p q dp dq qInv
  seq.end();
  outer.end();
  return fields;
}

function readPkcs8(der: Uint8Array): bigint[] {
  const outer = new DerReader(der);
  const seq = outer.sequence();
  const version = seq.unsignedInteger();
  if (version !== 0n && version !== 1n) bad(`unknown PKCS#8 version ${version}`);
  readAlgorithm(seq);
  const inner = seq.octetString();
  if (seq.peekTag() === 0xa0) seq.skip(0xa0); // [0] attributes: nothing MTProto needs
  if (version === 1n && seq.peekTag() === 0x81) seq.skip(0x81); // [1] publicKey (RFC 5958)
  seq.end();
  outer.end();
  return readPkcs1Private(inner);
}

/**
 * Parses a private key: PEM "RSA PRIVATE KEY" (PKCS#1) or "PRIVATE KEY" (unencrypted PKCS#8), and
 * checks that its numbers belong together. Throws MtprotoError('rsa-bad-key').
 */
export function parseRsaPrivateKey(provider: CryptoProvider, pem: string): RsaPrivateKey {
  const { label, der } = pemDecode(pem);
  let fields: bigint[];
  if (label === 'RSA PRIVATE KEY') fields = readPkcs1Private(der);
  else if (label === 'PRIVATE KEY') fields = readPkcs8(der);
  else bad(`expected "RSA PRIVATE KEY" or "PRIVATE KEY", got "${label}"`);
  const [n, e, d, p, q, dp, dq, qInv] = fields;
  const pub = rsaPublicKey(provider, n, e);
  const ok =
    p > 1n && q > 1n && p * q === n &&
    d > 0n && d < n &&
    dp === d % (p - 1n) && dq === d % (q - 1n) &&
    (e * dp) % (p - 1n) === 1n && (e * dq) % (q - 1n) === 1n &&
    qInv > 0n && qInv < p && (qInv * q) % p === 1n;
  if (!ok) bad('inconsistent RSA private key (n, p, q, d and the CRT values do not match)');
  return Object.freeze({ ...pub, d, p, q, dp, dq, qInv });
}
