// P-256 (secp256r1): ECDH and ECDSA with SHA-256, for mmtls and MLS cipher suite 2, in wasm
// (assembly/curve/p256/).
//
// Constant time (algorithmically, as the rest of the engine): key generation, ECDH and signing run
// straight-line on the secret key and the nonce — complete addition formulas, fixed-window and
// comb multiplications reading whole tables and selecting by mask, Fermat inversions. The checks
// here on secret keys read every byte. Verification is variable time; it sees public data only.
// Every call zeroes the P-256 scratch in wasm memory and the staging area before it returns.
//
// Keys: secret keys are 32-byte big-endian scalars in [1, n − 1]; public keys are SEC1 points,
// 65 bytes uncompressed (the default output) or 33 compressed (accepted everywhere). ecdh() also
// takes the peer key as a DER SubjectPublicKeyInfo (RFC 5480: id-ecPublicKey with the prime256v1
// named curve), parsed strictly. Any other encoding, a point not on the curve, or SEC1's identity
// is an invalid point: InvalidKeyError ('invalid-point') from ecdh, false from verify.
// Signatures: deterministic (RFC 6979, HMAC-DRBG over HMAC-SHA256, in wasm) with low S, as 64 bytes
// r ‖ s ('raw', the default) or DER (strict: minimal lengths and integers). verify() accepts either
// S (ECDSA as specified) and answers false for anything that is not a valid signature.

import { copyOf, lengthOf } from './bytes.js';
import { InvalidKeyError, bytes, bytesOfLength } from './errors.js';
import { secretDigest } from './hash.js';
import type { SignedMessage } from './ed25519.js';
import { randomBytes } from './random.js';
import type { KeyPair } from './x25519.js';
import { derFromRaw, pointFromSpki, rawFromDer } from './codec/der.js';
import { engine } from './wasm/select.js';
import { smallCall } from './wasm/staging.js';

export type SignatureFormat = 'raw' | 'der';
export interface SignatureOptions {
  /** 'raw' (r ‖ s, 64 bytes; the default) or 'der' (ASN.1 SEQUENCE of two INTEGERs). */
  readonly format?: SignatureFormat;
}

export type PublicKeyFormat = 'sec1' | 'spki';
export interface EcdhOptions {
  /** 'sec1' (33 or 65 bytes; the default) or 'spki' (DER SubjectPublicKeyInfo, RFC 5480). */
  readonly format?: PublicKeyFormat;
}

const SECRET = 32;
const PUBLIC = 65;
const SHARED = 32;
const SIGNATURE = 64;

// wasm p256_ecdh status codes
const INVALID_POINT = 1;
const INVALID_SCALAR = 2;

function secretKeyOf(secretKey: unknown, fn: string): Uint8Array {
  return bytesOfLength(secretKey, SECRET, fn, 'secretKey');
}

function formatOf(options: SignatureOptions | undefined, fn: string): SignatureFormat {
  const format = options?.format ?? 'raw';
  if (format !== 'raw' && format !== 'der') throw new TypeError(`${fn}: format must be 'raw' or 'der', got ${String(format)}`);
  return format;
}

/** A SEC1 point's possible lengths (compressed, uncompressed); anything else is not a point. */
const isPointLength = (n: number): boolean => n === 33 || n === 65;

/** The 65-byte uncompressed public key of a secret key; InvalidKeyError('invalid-scalar') if sk ∉ [1, n − 1]. */
function publicKeyOf(sk: Uint8Array, fn: string): Uint8Array {
  const e = engine();
  const [pk, ok] = smallCall(e, [sk], PUBLIC, ([s], out) => e.abi.p256_public_key(out, s));
  if (!ok) throw new InvalidKeyError(fn, 'invalid-scalar');
  return pk;
}

/** SEC1 compressed form (02/03 ‖ x) of an uncompressed point. */
function compress(pk: Uint8Array): Uint8Array {
  const out = pk.slice(0, 33);
  out[0] = 2 | (pk[64] & 1);
  return out;
}

/** The public key of a secret key: 65 bytes uncompressed, or 33 compressed. */
function publicKey(secretKey: Uint8Array, compressed = false): Uint8Array {
  const pk = publicKeyOf(secretKeyOf(secretKey, 'p256.publicKey'), 'p256.publicKey');
  return compressed ? compress(pk) : pk;
}

function generateKeyPair(): KeyPair {
  // Rejection sampling as FIPS 186-5 A.4.2: the first candidate in [1, n − 1] (almost always).
  for (;;) {
    const secretKey = randomBytes(SECRET);
    const e = engine();
    const [publicKey, ok] = smallCall(e, [secretKey], PUBLIC, ([s], out) => e.abi.p256_public_key(out, s));
    if (ok) return { secretKey, publicKey };
    secretKey.fill(0);
  }
}

// ---- ECDH --------------------------------------------------------------------------------------------

/**
 * The ECDH shared secret: the 32-byte x-coordinate of secretKey · peerPublic (SEC1 §3.3.1, as
 * TLS 1.3, HPKE and mmtls use it). `peerPublic` is a SEC1 point, or a DER SubjectPublicKeyInfo with
 * { format: 'spki' }. Throws InvalidKeyError ('invalid-scalar') for a secret outside [1, n − 1],
 * then ('invalid-point') for a peer key that is not a P-256 point in the given format.
 */
function ecdh(secretKey: Uint8Array, peerPublic: Uint8Array, options?: EcdhOptions): Uint8Array {
  const fn = 'p256.ecdh';
  // options first: a getter there runs caller code, which must not see validated inputs change
  const format = options?.format ?? 'sec1';
  if (format !== 'sec1' && format !== 'spki') throw new TypeError(`${fn}: format must be 'sec1' or 'spki', got ${String(format)}`);
  const sk = secretKeyOf(secretKey, fn);
  const peer = bytes(peerPublic, fn, 'peerPublic');
  let point: Uint8Array | null = peer;
  if (format === 'spki') point = pointFromSpki(copyOf(peer));
  // a SEC1 point is 33 or 65 bytes; any other length is an invalid encoding like a bad point
  const usable = point !== null && isPointLength(lengthOf(point));
  const e = engine();
  const [shared, status] = smallCall(e, usable ? [sk, point!] : [sk], SHARED,
    ([s, p], out) => e.abi.p256_ecdh(out, s, usable ? p : 0, usable ? lengthOf(point!) : 0));
  if (status === INVALID_SCALAR) throw new InvalidKeyError(fn, 'invalid-scalar');
  if (status === INVALID_POINT) throw new InvalidKeyError(fn, 'invalid-point');
  return shared;
}

// ---- ECDSA -------------------------------------------------------------------------------------------

/** ECDSA-SHA256 signature of `message` (RFC 6979 nonce, low S). */
function sign(secretKey: Uint8Array, message: Uint8Array, options?: SignatureOptions): Uint8Array {
  const fn = 'p256.sign';
  const format = formatOf(options, fn);
  const sk = secretKeyOf(secretKey, fn);
  bytes(message, fn, 'message');
  const digest = secretDigest('sha256', message);
  const e = engine();
  const [raw, ok] = smallCall(e, [sk, digest], SIGNATURE, ([s, d], out) => e.abi.p256_sign(out, s, d));
  digest.fill(0);
  if (!ok) throw new InvalidKeyError(fn, 'invalid-scalar');
  return format === 'raw' ? raw : derFromRaw(raw);
}

function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, options?: SignatureOptions): boolean {
  const fn = 'p256.verify';
  const format = formatOf(options, fn);
  const pk = bytes(publicKey, fn, 'publicKey');
  bytes(message, fn, 'message');
  const sig = bytes(signature, fn, 'signature');
  const raw = format === 'raw' ? (lengthOf(sig) === SIGNATURE ? sig : null) : rawFromDer(copyOf(sig));
  if (raw === null || !isPointLength(lengthOf(pk))) return false;
  const digest = secretDigest('sha256', message);
  const e = engine();
  const [, ok] = smallCall(e, [pk, digest, raw], 0, ([p, d, s]) => e.abi.p256_verify(p, lengthOf(pk), d, s));
  return ok === 1;
}

/** verify() for each item (one by one: ECDSA has no batch equation without the signers' R). */
function verifyBatch(items: readonly SignedMessage[], options?: SignatureOptions): boolean[] {
  const fn = 'p256.verifyBatch';
  if (!Array.isArray(items)) throw new TypeError(`${fn}: items must be an array`);
  formatOf(options, fn);
  const results: boolean[] = [];
  for (let i = 0; i < items.length; i++) {
    if (!(i in items)) throw new TypeError(`${fn}: items[${i}] is a hole; items must be a dense array`);
    const item: unknown = items[i];
    if (typeof item !== 'object' || item === null) throw new TypeError(`${fn}: items[${i}] must be an object { publicKey, message, signature }`);
    const { publicKey, message, signature } = item as SignedMessage;
    bytes(publicKey, fn, `items[${i}].publicKey`);
    bytes(message, fn, `items[${i}].message`);
    bytes(signature, fn, `items[${i}].signature`);
    results.push(verify(publicKey, message, signature, options));
  }
  return results;
}

export const p256 = Object.freeze({
  secretKeyLength: SECRET,
  publicKeyLength: PUBLIC,
  sharedSecretLength: SHARED,
  generateKeyPair,
  publicKey,
  ecdh,
  sign,
  verify,
  verifyBatch,
});
