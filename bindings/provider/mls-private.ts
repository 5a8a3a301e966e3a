// One-shot AEAD and MLS sender data (RFC 9420 §6.3): what both providers share for
// CryptoProvider.aeadSeal / aeadOpen / mlsSenderDataSeal / mlsSenderDataOpen — the argument checks,
// so that they fail alike, and the composed computation from hkdfExpand and an AEAD object, which
// the reference provider runs and the wasm provider falls back to for inputs too large for its
// one-call path.
//
//   sample            = ciphertext[0 .. min(Nh = 32, |ciphertext|))
//   sender_data_key   = ExpandWithLabel(sender_data_secret, "key",   sample, Nk)
//   sender_data_nonce = ExpandWithLabel(sender_data_secret, "nonce", sample, Nn = 12)
//   ExpandWithLabel(s, label, ctx, L) = HKDF-Expand-SHA256(s, uint16 L ‖ opaque<V> "MLS 1.0 " label ‖ opaque<V> ctx, L)

import type { Aead } from '../aead.js';
import { disposing } from '../dispose.js';
import { AuthenticationError, bytes, bytesOfLength } from '../errors.js';
import { type AeadName, type HkdfHashName, known } from './types.js';

/** Nk of each AEAD (the nonce is 12 bytes for all three). */
export const AEAD_KEY_LENGTHS: Readonly<Record<AeadName, number>> = { 'AES-128-GCM': 16, 'AES-256-GCM': 32, 'ChaCha20-Poly1305': 32 };
const AEAD_NAMES = Object.keys(AEAD_KEY_LENGTHS) as AeadName[];
export const ONCE_NONCE_LENGTH = 12;
export const SENDER_DATA_SECRET_LENGTH = 32;
/** Nh: at most this many leading ciphertext bytes are the sample (§6.3.2). */
export const SENDER_DATA_SAMPLE_MAX = 32;
const TAG = 16;

/** aeadSeal / aeadOpen's checks: TypeError for an unknown AEAD or a non-Uint8Array, RangeError for a key or nonce of the wrong length. */
export function aeadOnceArgs(fn: string, name: unknown, key: unknown, nonce: unknown, data: unknown, aad: unknown): AeadName {
  const aead = known(name, AEAD_NAMES, fn, 'AEAD');
  bytesOfLength(key, AEAD_KEY_LENGTHS[aead], fn, 'key');
  bytesOfLength(nonce, ONCE_NONCE_LENGTH, fn, 'nonce');
  bytes(data, fn, fn.endsWith('Seal') ? 'plaintext' : 'sealed');
  bytes(aad, fn, 'aad');
  return aead;
}

/** mlsSenderDataSeal / mlsSenderDataOpen's checks (as aeadOnceArgs; the secret must be 32 bytes); returns the sample. */
export function senderDataArgs(fn: string, name: unknown, secret: unknown, ciphertext: unknown, data: unknown, aad: unknown): { aead: AeadName; sample: Uint8Array } {
  const aead = known(name, AEAD_NAMES, fn, 'AEAD');
  bytesOfLength(secret, SENDER_DATA_SECRET_LENGTH, fn, 'senderDataSecret');
  const ct = bytes(ciphertext, fn, 'ciphertext');
  bytes(data, fn, fn.endsWith('Seal') ? 'senderData' : 'encryptedSenderData');
  bytes(aad, fn, 'aad');
  return { aead, sample: ct.subarray(0, Math.min(SENDER_DATA_SAMPLE_MAX, ct.length)) };
}

/** The primitives the composed path is made of (a provider's own). */
export interface ComposedPrimitives {
  hkdfExpand(name: HkdfHashName, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  aead(name: AeadName, key: Uint8Array): Aead;
}

/** aead(name, key).seal / open, the object disposed after; an open failure is AuthenticationError. */
export function composedAeadSeal(p: ComposedPrimitives, name: AeadName, key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  return disposing(p.aead(name, key), (aead) => aead.seal(nonce, plaintext, aad));
}

export function composedAeadOpen(p: ComposedPrimitives, name: AeadName, key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array {
  if (sealed.length < TAG) throw new AuthenticationError();
  return disposing(p.aead(name, key), (aead) => aead.open(nonce, sealed, aad));
}

const utf8 = new TextEncoder();

/** KDFLabel for ExpandWithLabel(·, label, sample, length) (§5.1.3); the sample is under 64 bytes, so its varint is one byte. */
function kdfLabel(label: string, sample: Uint8Array, length: number): Uint8Array {
  const full = utf8.encode(`MLS 1.0 ${label}`);
  return Uint8Array.from([length >> 8, length & 0xff, full.length, ...full, sample.length, ...sample]);
}

/** `use` of the sender-data key and nonce of §6.3.2 (by hkdfExpand), both wiped after. */
function withSenderDataKey<R>(p: ComposedPrimitives, aead: AeadName, secret: Uint8Array, sample: Uint8Array, use: (key: Uint8Array, nonce: Uint8Array) => R): R {
  const nk = AEAD_KEY_LENGTHS[aead];
  const key = p.hkdfExpand('SHA-256', secret, kdfLabel('key', sample, nk), nk);
  const nonce = p.hkdfExpand('SHA-256', secret, kdfLabel('nonce', sample, ONCE_NONCE_LENGTH), ONCE_NONCE_LENGTH);
  try {
    return use(key, nonce);
  } finally {
    key.fill(0);
    nonce.fill(0);
  }
}

export function composedSenderDataSeal(
  p: ComposedPrimitives, aead: AeadName, secret: Uint8Array, sample: Uint8Array, senderData: Uint8Array, aad: Uint8Array,
): Uint8Array {
  return withSenderDataKey(p, aead, secret, sample, (key, nonce) => composedAeadSeal(p, aead, key, nonce, senderData, aad));
}

export function composedSenderDataOpen(
  p: ComposedPrimitives, aead: AeadName, secret: Uint8Array, sample: Uint8Array, sealed: Uint8Array, aad: Uint8Array,
): Uint8Array {
  return withSenderDataKey(p, aead, secret, sample, (key, nonce) => composedAeadOpen(p, aead, key, nonce, sealed, aad));
}
