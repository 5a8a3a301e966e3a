// The crypto-provider interface: the one surface the protocol layers (HPKE now; MLS, MTProto, mmtls
// and Wesh next) call for primitives, as openmls' OpenMlsCrypto or mls-rs' CryptoProvider do. Two
// implementations: `wasmProvider` (wirecrypt's engine) and `referenceProvider` (pure JavaScript on
// @noble/*, from 'wirecrypt/reference'), so every protocol test runs on both and they check each
// other.
//
// Contract shared by both: byte arrays in, fresh byte arrays out; inputs are never modified; errors
// are the wirecrypt ones (TypeError / RangeError for misuse, InvalidKeyError for unusable keys,
// AuthenticationError for a failed open, false from verify).

import type { Aead } from '../aead.js';
import type { AesCtr, AesIge } from '../aes.js';
import type { SignedMessage } from '../ed25519.js';
import { copyOf } from '../bytes.js';
import { bytesOfLength } from '../errors.js';
import type { KeyPair } from '../x25519.js';

export type HashName = 'SHA-1' | 'SHA-256' | 'SHA-512';
export type HkdfHashName = 'SHA-256';
export type AeadName = 'AES-128-GCM' | 'AES-256-GCM' | 'ChaCha20-Poly1305';
export type DhName = 'X25519' | 'P-256';
export type SignatureName = 'Ed25519' | 'P-256';

/** Diffie-Hellman on one curve. */
export interface DhScheme {
  readonly name: DhName;
  readonly secretKeyLength: number;
  /** The length of publicKey()'s output (P-256: 65, uncompressed SEC1). */
  readonly publicKeyLength: number;
  readonly sharedSecretLength: number;
  generateKeyPair(): KeyPair;
  publicKey(secretKey: Uint8Array): Uint8Array;
  /** X25519: refuses an all-zero result; P-256: the x-coordinate. InvalidKeyError for bad keys. */
  sharedSecret(secretKey: Uint8Array, peerPublic: Uint8Array): Uint8Array;
}

/** A secret key prepared once for signing many messages (Ed25519: the expanded key); dispose() wipes it. */
export interface MessageSigner {
  sign(message: Uint8Array): Uint8Array;
  dispose(): void;
}

/** Signatures with one algorithm (Ed25519: pure EdDSA; P-256: ECDSA-SHA256, raw r ‖ s). */
export interface SignatureScheme {
  readonly name: SignatureName;
  readonly publicKeyLength: number;
  generateKeyPair(): KeyPair;
  publicKey(secretKey: Uint8Array): Uint8Array;
  sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array;
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  verifyBatch(items: readonly SignedMessage[]): boolean[];
  /** Optional: a signer for many messages under one key (same signatures as sign()). */
  signer?(secretKey: Uint8Array): MessageSigner;
}

/** The output of CryptoProvider.treeKemPath: `length` entries in each list, and the secret after them. */
export interface TreeKemPath {
  /** path_secret[0..length): the first is a copy of `start`, each next DeriveSecret(previous, "path"). */
  readonly pathSecrets: Uint8Array[];
  /** The node secret key of each path secret, as DHKEM's DeriveKeyPair returns it (32 bytes). */
  readonly secretKeys: Uint8Array[];
  /** The matching public keys, as DhScheme.publicKey returns them (X25519: 32 bytes; P-256: 65, uncompressed SEC1). */
  readonly publicKeys: Uint8Array[];
  /** DeriveSecret(last path secret, "path") (the commit_secret when the chain ends at the root); a copy of `start` for length 0. */
  readonly next: Uint8Array;
}

/** The output of CryptoProvider.secretTreeRatchet: one key and nonce per generation, and the secret after them. */
export interface RatchetSteps {
  readonly keys: Uint8Array[];
  readonly nonces: Uint8Array[];
  /** The ratchet secret of generation first + count. */
  readonly next: Uint8Array;
}

/** The most generations secretTreeRatchet derives in one call. */
export const RATCHET_MAX_STEPS_PER_CALL = 1024;

/** The longest chain treeKemPath derives in one call (a ratchet tree of 2^32 leaves has depth 32). */
export const TREEKEM_MAX_PATH = 256;

export interface CryptoProvider {
  readonly name: string;
  randomBytes(length: number): Uint8Array;
  hash(name: HashName, data: Uint8Array): Uint8Array;
  /** hash() of each input, batched (wasm: SHA-256 of many short inputs in one call; for public data such as tree-hash inputs). */
  hashMany(name: HashName, inputs: readonly Uint8Array[]): Uint8Array[];
  hmac(name: HashName, key: Uint8Array, data: Uint8Array): Uint8Array;
  hkdfExtract(name: HkdfHashName, salt: Uint8Array, ikm: Uint8Array): Uint8Array;
  hkdfExpand(name: HkdfHashName, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  /** An AEAD keyed with `key`; dispose() it when done. */
  aead(name: AeadName, key: Uint8Array): Aead;
  /** AES-IGE (MTProto's convention, iv = c0 ‖ m0) with a 16-, 24- or 32-byte key; dispose() it. */
  aesIge(key: Uint8Array): AesIge;
  /** One AES-CTR stream (128-bit big-endian counter from `iv`); dispose() it. */
  aesCtr(key: Uint8Array, iv: Uint8Array): AesCtr;
  dh(name: DhName): DhScheme;
  signature(name: SignatureName): SignatureScheme;
  /**
   * TreeKEM path derivation (RFC 9420 §7.4, §12.4.2) for the SHA-256 suites, with HPKE's
   * DHKEM(`kem`, HKDF-SHA256): from path_secret[0] = `start`, for each of `length` steps
   *   node_secret      = DeriveSecret(path_secret[i], "node")          (§8: ExpandWithLabel(s, label, "", 32))
   *   sk[i], pk[i]     = DHKEM.DeriveKeyPair(node_secret)              (RFC 9180 §7.1.3)
   *   path_secret[i+1] = DeriveSecret(path_secret[i], "path")
   * and `next` = path_secret[length]. The node secrets (and DeriveKeyPair's dkp_prk) are
   * temporaries, wiped as soon as the key pair exists. Every output is a fresh array (none shares
   * memory with another or with `start`); `start` is not modified. RangeError if `start` is not
   * 32 bytes or `length` is not an integer in [0, TREEKEM_MAX_PATH]; TypeError for an unknown `kem`.
   */
  treeKemPath(kem: DhName, start: Uint8Array, length: number): TreeKemPath;
  /**
   * An MLS secret-tree ratchet (RFC 9420 §9.1, SHA-256 suites) over `count` generations from
   * `first`, whose ratchet secret is `start`: for each generation j, key[j] = DeriveTreeSecret(
   * secret[j], "key", j, keyLength), nonce[j] = DeriveTreeSecret(secret[j], "nonce", j, nonceLength),
   * secret[j+1] = DeriveTreeSecret(secret[j], "secret", j, 32); `next` = secret[first + count]. The
   * intermediate secrets are wiped. RangeError for `start` not 32 bytes, lengths outside [1, 32],
   * count outside [0, RATCHET_MAX_STEPS_PER_CALL] or first + count > 2^32.
   */
  secretTreeRatchet(start: Uint8Array, first: number, count: number, keyLength: number, nonceLength: number): RatchetSteps;
}

/** Throws a TypeError for a name outside `names` (providers check their arguments like the rest). */
export function known<T extends string>(value: unknown, names: readonly T[], fn: string, param: string): T {
  if (!names.includes(value as T)) throw new TypeError(`${fn}: unknown ${param} ${String(value)}; expected ${names.join(', ')}`);
  return value as T;
}

/**
 * treeKemPath's argument checks, shared by the providers so that they fail alike: the KEM name
 * (TypeError), `start` a Uint8Array of 32 bytes (TypeError / RangeError) and `length` an integer in
 * [0, TREEKEM_MAX_PATH] (TypeError for a non-number, RangeError otherwise). Returns a private copy of `start`.
 */
/** secretTreeRatchet's argument checks, shared by the providers; returns a private copy of `start`. */
export function ratchetArgs(start: unknown, first: unknown, count: unknown, keyLength: unknown, nonceLength: unknown): Uint8Array {
  const int = (v: unknown, min: number, max: number, what: string) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new RangeError(`secretTreeRatchet: ${what} must be an integer in [${min}, ${max}], got ${String(v)}`);
    return v;
  };
  int(first, 0, 2 ** 32 - 1, 'first');
  int(count, 0, RATCHET_MAX_STEPS_PER_CALL, 'count');
  if ((first as number) + (count as number) > 2 ** 32) throw new RangeError('secretTreeRatchet: generations past 2^32 - 1');
  int(keyLength, 1, 32, 'keyLength');
  int(nonceLength, 1, 32, 'nonceLength');
  return copyOf(bytesOfLength(start, 32, 'secretTreeRatchet', 'start'));
}

export function treeKemArgs(kem: unknown, start: unknown, length: unknown): { kem: DhName; start: Uint8Array; length: number } {
  const name = known(kem, ['X25519', 'P-256'] as const, 'treeKemPath', 'kem');
  if (typeof length !== 'number') throw new TypeError(`treeKemPath: length must be an integer, got ${typeof length}`);
  if (!Number.isInteger(length) || length < 0 || length > TREEKEM_MAX_PATH) {
    throw new RangeError(`treeKemPath: length must be an integer in [0, ${TREEKEM_MAX_PATH}], got ${length}`);
  }
  return { kem: name, start: copyOf(bytesOfLength(start, 32, 'treeKemPath', 'start')), length };
}
