// Key encodings and conversions of Wesh (reference §2, §3).
//
// Every identity key is Ed25519. libp2p marshals a public key as the protobuf
// PublicKey{Type = Ed25519 (1), Data = 32 bytes}: exactly `08 01 12 20 ‖ key`, 36 bytes. A private
// key's Raw() is seed ‖ public key (64 bytes), the form wirecrypt's Ed25519 also takes.
//
// ECDH with identity keys converts them to X25519 (Ed25519 → Montgomery). The "raw" X25519 of the
// contact group and member keys (reference §14 #8) refuses an all-zero result: honest keys never
// give one, so this costs no compatibility and fails closed on a small-order key.

import { InvalidKeyError, bytes } from '../../errors.js';
import type { CryptoProvider } from '../../provider/types.js';
import { WeshError } from '../errors.js';

const LIBP2P_ED25519_PREFIX = Uint8Array.of(0x08, 0x01, 0x12, 0x20);

export function marshalPublicKey(publicKey: Uint8Array): Uint8Array {
  if (bytes(publicKey, 'wesh.marshalPublicKey', 'publicKey').length !== 32) throw new RangeError('wesh.marshalPublicKey: an Ed25519 public key is 32 bytes');
  const out = new Uint8Array(36);
  out.set(LIBP2P_ED25519_PREFIX);
  out.set(publicKey, 4);
  return out;
}

/** The Ed25519 key of a libp2p-marshalled public key; WeshError('invalid-key') for anything else. */
export function unmarshalPublicKey(marshalled: Uint8Array): Uint8Array {
  bytes(marshalled, 'wesh.unmarshalPublicKey', 'marshalled');
  if (marshalled.length !== 36 || LIBP2P_ED25519_PREFIX.some((b, i) => marshalled[i] !== b)) {
    throw new WeshError('invalid-key', 'not a libp2p-marshalled Ed25519 public key (08 01 12 20 ‖ 32 bytes)');
  }
  return marshalled.slice(4);
}

/** A public key from a peer's bytes: exactly 32 bytes, else WeshError('invalid-key'). */
export function peerKey(key: Uint8Array, what: string): Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== 32) throw new WeshError('invalid-key', `${what} must be a 32-byte Ed25519 public key`);
  return key;
}

/**
 * X25519 between an Ed25519 secret key (ours) and an Ed25519 public key (theirs), both converted to
 * Montgomery form: weshnet's "raw" ECDH (no HSalsa20). WeshError('invalid-key') for a peer key that
 * does not decode, has small order, or gives the all-zero output.
 */
export function edwardsDh(provider: CryptoProvider, ourSecret: Uint8Array, theirPublic: Uint8Array): Uint8Array {
  const sk = provider.ed25519ToX25519.secretKey(ourSecret);
  try {
    return provider.dh('X25519').sharedSecret(sk, provider.ed25519ToX25519.publicKey(theirPublic));
  } catch (err) {
    if (err instanceof InvalidKeyError) throw new WeshError('invalid-key', `unusable peer key: ${err.message}`);
    throw err;
  } finally {
    sk.fill(0);
  }
}

/** The 64-byte seed ‖ public key form of an Ed25519 key pair (libp2p's Raw()). */
export function keyPairFromSeed(provider: CryptoProvider, seed: Uint8Array): { secretKey: Uint8Array; publicKey: Uint8Array } {
  if (bytes(seed, 'wesh.keyPairFromSeed', 'seed').length !== 32) throw new RangeError('wesh.keyPairFromSeed: seed must be 32 bytes');
  const publicKey = provider.signature('Ed25519').publicKey(seed);
  const secretKey = new Uint8Array(64);
  secretKey.set(seed);
  secretKey.set(publicKey, 32);
  return { secretKey, publicKey };
}

/** An Ed25519 signing key ready to sign: its public key derived once. */
export interface WeshSigner {
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

/** A secret key (derived on each use) or a prepared signer, as a signer. */
export function signerOf(provider: CryptoProvider, key: Uint8Array | WeshSigner): WeshSigner {
  if (!(key instanceof Uint8Array)) return key;
  const s = provider.signature('Ed25519');
  return { publicKey: s.publicKey(key), sign: (m) => s.sign(key, m) };
}

/**
 * A signer for many messages under one key (a device signing its messages): the public key and,
 * where the provider has one, the expanded signing key are computed once. dispose() wipes them.
 */
export function prepareSigner(provider: CryptoProvider, secretKey: Uint8Array): WeshSigner & { dispose(): void } {
  const s = provider.signature('Ed25519');
  const publicKey = s.publicKey(secretKey);
  const prepared = s.signer?.(secretKey);
  if (prepared) return { publicKey, sign: (m) => prepared.sign(m), dispose: () => prepared.dispose() };
  const copy = secretKey.slice();
  return { publicKey, sign: (m) => s.sign(copy, m), dispose: () => copy.fill(0) };
}
