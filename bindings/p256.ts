// P-256 (secp256r1): ECDH and ECDSA with SHA-256, for mmtls and MLS cipher suite 2.
//
// The curve arithmetic is @noble/curves (audited, pure JavaScript), bundled into wirecrypt; the
// message digest is our wasm SHA-256. NOT CONSTANT TIME: noble computes with JavaScript BigInt,
// whose operations take time that depends on the values. A wasm P-256 with fixed-time field
// arithmetic is a later step; until then, P-256 secret keys are exposed to timing observers that
// can measure many operations on them.
//
// Keys: secret keys are 32-byte big-endian scalars in [1, n − 1]; public keys are SEC1 points,
// 65 bytes uncompressed (the default output) or 33 compressed (accepted everywhere). A peer key of
// any other length is an invalid encoding: InvalidKeyError ('invalid-point') from ecdh, false from
// verify.
// Signatures: deterministic (RFC 6979) with low S, as 64 bytes r ‖ s ('raw', the default) or DER.
// verify() accepts either S (ECDSA as specified) and answers false for anything that is not a valid
// signature, including a public key that is not a point on the curve.

import { InvalidKeyError, bytes, bytesOfLength } from './errors.js';
import { sha256 } from './hash.js';
import { nobleP256 } from './p256-curve.js';
import type { SignedMessage } from './ed25519.js';
import { randomBytes } from './random.js';
import type { KeyPair } from './x25519.js';

export type SignatureFormat = 'raw' | 'der';
export interface SignatureOptions {
  /** 'raw' (r ‖ s, 64 bytes; the default) or 'der' (ASN.1 SEQUENCE of two INTEGERs). */
  readonly format?: SignatureFormat;
}

const SECRET = 32;

function secretKeyOf(secretKey: unknown, fn: string): Uint8Array {
  const sk = bytesOfLength(secretKey, SECRET, fn, 'secretKey');
  if (!nobleP256().utils.isValidSecretKey(sk)) throw new InvalidKeyError(fn, 'invalid-scalar');
  return sk;
}


function formatOf(options: SignatureOptions | undefined, fn: string): 'compact' | 'der' {
  const format = options?.format ?? 'raw';
  if (format !== 'raw' && format !== 'der') throw new TypeError(`${fn}: format must be 'raw' or 'der', got ${String(format)}`);
  return format === 'raw' ? 'compact' : 'der';
}

/** The public key of a secret key: 65 bytes uncompressed, or 33 compressed. */
function publicKey(secretKey: Uint8Array, compressed = false): Uint8Array {
  return nobleP256().getPublicKey(secretKeyOf(secretKey, 'p256.publicKey'), compressed);
}

function generateKeyPair(): KeyPair {
  // Rejection sampling as FIPS 186-5 A.4.2: the first candidate below n (almost always).
  for (;;) {
    const secretKey = randomBytes(SECRET);
    if (nobleP256().utils.isValidSecretKey(secretKey)) return { secretKey, publicKey: nobleP256().getPublicKey(secretKey, false) };
  }
}

/**
 * The ECDH shared secret: the 32-byte x-coordinate of secretKey · peerPublic (SEC1 §3.3.1, as
 * TLS 1.3, HPKE and mmtls use it). Throws InvalidKeyError ('invalid-point') for a peer key that is
 * not a point on the curve, ('invalid-scalar') for a secret outside [1, n − 1].
 */
function ecdh(secretKey: Uint8Array, peerPublic: Uint8Array): Uint8Array {
  const sk = secretKeyOf(secretKey, 'p256.ecdh');
  const pk = bytes(peerPublic, 'p256.ecdh', 'peerPublic');
  let point: Uint8Array;
  try {
    // a SEC1 point is 65 or 33 bytes; any other length is an invalid encoding like a bad point
    if (pk.length !== 65 && pk.length !== 33) throw new Error();
    point = nobleP256().getSharedSecret(sk, pk, true);
  } catch {
    throw new InvalidKeyError('p256.ecdh', 'invalid-point');
  }
  return point.slice(1);
}

/** ECDSA-SHA256 signature of `message`. */
function sign(secretKey: Uint8Array, message: Uint8Array, options?: SignatureOptions): Uint8Array {
  const sk = secretKeyOf(secretKey, 'p256.sign');
  bytes(message, 'p256.sign', 'message');
  const format = formatOf(options, 'p256.sign');
  return nobleP256().sign(sha256(message), sk, { prehash: false, lowS: true, format });
}

function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, options?: SignatureOptions): boolean {
  const pk = bytes(publicKey, 'p256.verify', 'publicKey');
  bytes(message, 'p256.verify', 'message');
  bytes(signature, 'p256.verify', 'signature');
  const format = formatOf(options, 'p256.verify');
  if (format === 'compact' && signature.length !== 64) return false;
  try {
    return nobleP256().verify(signature, sha256(message), pk, { prehash: false, lowS: false, format });
  } catch {
    return false;
  }
}

/** verify() for each item (one by one: noble has no batch equation for ECDSA). */
function verifyBatch(items: readonly SignedMessage[], options?: SignatureOptions): boolean[] {
  if (!Array.isArray(items)) throw new TypeError('p256.verifyBatch: items must be an array');
  return items.map((item) => verify(item?.publicKey, item?.message, item?.signature, options));
}

export const p256 = Object.freeze({
  secretKeyLength: SECRET,
  publicKeyLength: 65,
  sharedSecretLength: 32,
  generateKeyPair,
  publicKey,
  ecdh,
  sign,
  verify,
  verifyBatch,
});
