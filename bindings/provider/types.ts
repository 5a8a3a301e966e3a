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
import type { SecretBox } from '../secretbox.js';
import { copyOf } from '../bytes.js';
import { InvalidKeyError, bytes, bytesOfLength } from '../errors.js';
import type { KeyPair } from '../x25519.js';

export type HashName = 'SHA-1' | 'SHA-256' | 'SHA-512' | 'SHA3-256';
export type HkdfHashName = 'SHA-256' | 'SHA3-256';
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
  /** Optional: a public key prepared for many verifications (same answers as verify()). */
  verifier?(publicKey: Uint8Array): MessageVerifier;
}

/** A public key prepared once for checking many signatures; dispose() releases what it holds. */
export interface MessageVerifier {
  verify(message: Uint8Array, signature: Uint8Array): boolean;
  dispose(): void;
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

/** The output of CryptoProvider.chainRatchet: `steps` message keys and the chain key after them. */
export interface ChainSteps {
  /** messageKeys[i] is the message key of step i + 1. */
  readonly messageKeys: Uint8Array[];
  readonly chainKey: Uint8Array;
}

/** Ed25519 keys used as X25519 keys (Wesh, libsodium's crypto_sign_ed25519_*_to_curve25519). */
export interface Ed25519ToX25519 {
  /** The clamped first half of SHA-512(seed); takes the 32-byte seed or the 64-byte seed ‖ public key. */
  secretKey(ed25519SecretKey: Uint8Array): Uint8Array;
  /** u = (1 + y) / (1 − y); InvalidKeyError ('invalid-point', 'small-order') for an unusable key. */
  publicKey(ed25519PublicKey: Uint8Array): Uint8Array;
}

/** The most steps chainRatchet takes in one call. */
export const CHAIN_RATCHET_MAX_STEPS = 1 << 16;

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

  // ---- One-shot AEAD and MLS sender data (RFC 9420 §6.3; provider/mls-private.ts) ----
  /**
   * aead(name, key).seal(nonce, plaintext, aad) in one call, without an object to dispose (a key used
   * once, such as an MLS message key). The nonce is 12 bytes. TypeError for an unknown AEAD or a
   * non-Uint8Array; RangeError for a key or nonce of the wrong length.
   */
  aeadSeal(name: AeadName, key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array;
  /** aead(name, key).open(nonce, sealed, aad) in one call; AuthenticationError if it does not open. Errors as aeadSeal. */
  aeadOpen(name: AeadName, key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array;
  /**
   * MLS sender data (RFC 9420 §6.3.2), SHA-256 suites: with sample = ciphertext[0 .. min(32, |ciphertext|)),
   * key = ExpandWithLabel(senderDataSecret, "key", sample, Nk) and nonce = ExpandWithLabel(senderDataSecret,
   * "nonce", sample, 12), returns AEAD.Seal(key, nonce, aad, senderData). The key and nonce are
   * temporaries, wiped. Errors as aeadSeal (senderDataSecret must be 32 bytes).
   */
  mlsSenderDataSeal(aead: AeadName, senderDataSecret: Uint8Array, ciphertext: Uint8Array, senderData: Uint8Array, aad: Uint8Array): Uint8Array;
  /** The opening side of mlsSenderDataSeal; AuthenticationError if it does not open. */
  mlsSenderDataOpen(aead: AeadName, senderDataSecret: Uint8Array, ciphertext: Uint8Array, encryptedSenderData: Uint8Array, aad: Uint8Array): Uint8Array;

  // ---- HPKE Base-mode Seal to many recipients (MLS UpdatePath and Welcome) ----
  /**
   * RFC 9180 Base-mode single-shot Seal (§6.1) of each recipient's plaintext to its public key, all
   * under one `info` and `aad`, with KDF HKDF-SHA256 and KEM DHKEM(`kem`, HKDF-SHA256): per
   * recipient, GenerateKeyPair as DeriveKeyPair(32 fresh random bytes) (§7.1.3), Encap (§4.1:
   * kem_context = enc ‖ pkR), KeyScheduleS (§5.1: psk and psk_id empty, info_hash computed once
   * for all), Seal with sequence number 0. Output i is recipient i's { enc, ciphertext ‖ tag }.
   * The wasm provider does the whole batch in one wasm call per 64 KiB I/O window.
   *
   * Errors (hpkeSealArgs, shared by the providers so that they fail alike, all before any DH):
   * TypeError for an unknown `kem` / `aead`, a `recipients` that is not an array, or a field that is
   * not a Uint8Array; RangeError for `ephemeralSeeds` of the wrong count or a seed not 32 bytes;
   * InvalidKeyError ('invalid-point') for a public key of the wrong length (32 bytes for X25519,
   * 65 uncompressed for P-256). Then InvalidKeyError for the first recipient whose key the DH
   * refuses ('zero-shared-secret': X25519 small order; 'invalid-point': not a P-256 point), its
   * index in the message. Any error fails the whole batch: nothing is returned, no partial output.
   *
   * `ephemeralSeeds` (known-answer tests only; never otherwise): the 32-byte DeriveKeyPair ikm of
   * each recipient's ephemeral key instead of fresh random bytes.
   */
  hpkeSealBase(
    kem: DhName, aead: AeadName, recipients: readonly HpkeRecipient[], info: Uint8Array, aad: Uint8Array, ephemeralSeeds?: readonly Uint8Array[],
  ): HpkeSealed[];

  // ---- NaCl and the chain ratchet (Wesh) ----
  /** NaCl secretbox (XSalsa20-Poly1305) keyed with 32 bytes: seal(nonce24, m) → tag ‖ ciphertext; dispose() it. */
  secretbox(key: Uint8Array): SecretBox;
  /** secretbox(key).seal(nonce, message) in one call, without an object to dispose (many small messages under many keys). */
  secretboxSeal(key: Uint8Array, nonce: Uint8Array, message: Uint8Array): Uint8Array;
  /** secretbox(key).open(nonce, boxed) in one call; AuthenticationError if it does not open. */
  secretboxOpen(key: Uint8Array, nonce: Uint8Array, boxed: Uint8Array): Uint8Array;
  /**
   * NaCl's crypto_box_beforenm: HSalsa20(X25519(secretKey, peerPublic), 0^16), the 32-byte key a
   * NaCl box seals with (as a secretbox). Returned rather than kept, for protocols that also sign
   * or hash it; the caller wipes it. InvalidKeyError ('zero-shared-secret') for a small-order peer key.
   */
  boxBeforenm(secretKey: Uint8Array, peerPublic: Uint8Array): Uint8Array;
  readonly ed25519ToX25519: Ed25519ToX25519;
  /**
   * `steps` steps of the HKDF-SHA256 chain ratchet of Wesh (and of Signal's chains), batched:
   *   OKM = HKDF-Expand(HKDF-Extract(salt, chainKey), info, 64)
   *   next chain key = OKM[0..32], message key = OKM[32..64]
   * (an empty salt is HKDF's default, HashLen zero bytes). The intermediate chain keys are wiped.
   * RangeError for steps outside [0, CHAIN_RATCHET_MAX_STEPS] or a chain key not 32 bytes.
   */
  chainRatchet(chainKey: Uint8Array, salt: Uint8Array, info: Uint8Array, steps: number): ChainSteps;

  // ---- MTProto 2.0 message crypto (spec §2.3, §2.4) ----
  /**
   * Encrypts an MTProto 2.0 plaintext (header ‖ body ‖ padding, a positive multiple of 16 bytes) in
   * one call: msgKeyLarge = SHA-256(authKey[88+x : 120+x] ‖ plaintext), aes_key / aes_iv from
   * msg_key = msgKeyLarge[8:24] and `authKey`, AES-256-IGE (x = 0 when the client sends, 8 when the
   * server does). The derived keys are wiped. RangeError for an authKey not 256 bytes or a bad length.
   */
  mtprotoSeal(authKey: Uint8Array, from: MtprotoSender, plaintext: Uint8Array): MtprotoSealed;
  /**
   * The receiving side: AES-256-IGE decryption of `ciphertext` under the keys of the packet's 16-byte
   * `msgKey`, and msgKeyLarge recomputed over the plaintext. It does not compare the two (it cannot
   * fail on a forged packet): the caller checks msgKeyLarge[8:24] against msgKey in constant time.
   */
  mtprotoOpen(authKey: Uint8Array, from: MtprotoSender, msgKey: Uint8Array, ciphertext: Uint8Array): MtprotoOpened;
}

/** Who sent an MTProto message: it selects x in the KDF ('client': 0, 'server': 8). */
export type MtprotoSender = 'client' | 'server';

export interface MtprotoSealed {
  /** SHA-256(authKey[88+x : 120+x] ‖ plaintext); msg_key is bytes 8..24, the quick-ack token bytes 0..4. */
  readonly msgKeyLarge: Uint8Array;
  readonly ciphertext: Uint8Array;
}

export interface MtprotoOpened {
  readonly msgKeyLarge: Uint8Array;
  /** The decrypted bytes, whether or not the packet was genuine (the caller's msg_key check decides). */
  readonly plaintext: Uint8Array;
}

/** chainRatchet's argument checks, shared by the providers so that they fail alike; a private copy of chainKey. */
export function chainRatchetArgs(chainKey: unknown, salt: unknown, info: unknown, steps: unknown): Uint8Array {
  if (typeof steps !== 'number' || !Number.isInteger(steps) || steps < 0 || steps > CHAIN_RATCHET_MAX_STEPS) {
    throw new RangeError(`chainRatchet: steps must be an integer in [0, ${CHAIN_RATCHET_MAX_STEPS}], got ${String(steps)}`);
  }
  bytes(salt, 'chainRatchet', 'salt');
  bytes(info, 'chainRatchet', 'info');
  return copyOf(bytesOfLength(chainKey, 32, 'chainRatchet', 'chainKey'));
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

// ---- HPKE Base-mode Seal to many recipients ----

/** A recipient of CryptoProvider.hpkeSealBase. */
export interface HpkeRecipient {
  readonly publicKey: Uint8Array;
  readonly plaintext: Uint8Array;
}

/** One sealed message: the KEM output and ciphertext ‖ tag. */
export interface HpkeSealed {
  readonly enc: Uint8Array;
  readonly ciphertext: Uint8Array;
}

export interface HpkeSealArgs {
  readonly kem: DhName;
  readonly aead: AeadName;
  /** Private copies, each field read once. */
  readonly publicKeys: Uint8Array[];
  readonly plaintexts: Uint8Array[];
  readonly info: Uint8Array;
  readonly aad: Uint8Array;
  readonly seeds: Uint8Array[] | null;
}

/** hpkeSealBase's argument checks (see CryptoProvider.hpkeSealBase), shared by the providers; private copies. */
export function hpkeSealArgs(kem: unknown, aead: unknown, recipients: unknown, info: unknown, aad: unknown, ephemeralSeeds: unknown): HpkeSealArgs {
  const fn = 'hpkeSealBase';
  const kemName = known(kem, ['X25519', 'P-256'] as const, fn, 'kem');
  const aeadName = known(aead, ['AES-128-GCM', 'AES-256-GCM', 'ChaCha20-Poly1305'] as const, fn, 'aead');
  if (!Array.isArray(recipients)) throw new TypeError(`${fn}: recipients must be an array`);
  const publicKeys: Uint8Array[] = [], plaintexts: Uint8Array[] = [];
  for (let i = 0; i < recipients.length; i++) {
    const r: unknown = recipients[i];
    if (typeof r !== 'object' || r === null) throw new TypeError(`${fn}: recipients[${i}] must be { publicKey, plaintext }`);
    const { publicKey, plaintext } = r as HpkeRecipient;
    publicKeys.push(copyOf(bytes(publicKey, fn, `recipients[${i}].publicKey`)));
    plaintexts.push(copyOf(bytes(plaintext, fn, `recipients[${i}].plaintext`)));
  }
  const ownInfo = copyOf(bytes(info, fn, 'info'));
  const ownAad = copyOf(bytes(aad, fn, 'aad'));
  let seeds: Uint8Array[] | null = null;
  if (ephemeralSeeds !== undefined) {
    if (!Array.isArray(ephemeralSeeds)) throw new TypeError(`${fn}: ephemeralSeeds must be an array`);
    if (ephemeralSeeds.length !== publicKeys.length) {
      throw new RangeError(`${fn}: ephemeralSeeds must have one seed per recipient (${publicKeys.length}), got ${ephemeralSeeds.length}`);
    }
    seeds = ephemeralSeeds.map((s, i) => copyOf(bytesOfLength(s, 32, fn, `ephemeralSeeds[${i}]`)));
  }
  const pkLength = kemName === 'X25519' ? 32 : 65;
  publicKeys.forEach((pk, i) => {
    if (pk.length !== pkLength) throw new InvalidKeyError(`${fn} (recipients[${i}].publicKey)`, 'invalid-point');
  });
  return { kem: kemName, aead: aeadName, publicKeys, plaintexts, info: ownInfo, aad: ownAad, seeds };
}

/** The InvalidKeyError of hpkeSealBase for recipient `index`'s key, refused by the DH. */
export function hpkeRefusedKey(kem: DhName, index: number): InvalidKeyError {
  return new InvalidKeyError(`hpkeSealBase (recipients[${index}].publicKey)`, kem === 'X25519' ? 'zero-shared-secret' : 'invalid-point');
}
