// The reference crypto provider: pure JavaScript on @noble/hashes, @noble/ciphers and
// @noble/curves (audited, independent of wirecrypt's wasm). It exists so that every protocol test
// runs on two implementations of the primitives, and for platforms without WebAssembly. It gives
// the same answers and the same errors as wasmProvider; it is slower and NOT constant time (noble's
// bigint curve arithmetic), and it keeps keys in JavaScript memory, zeroed on dispose() only for
// the AEAD key copy it holds.
//
// Ed25519 verification applies wirecrypt's rule (cofactored, canonical S and encodings, public key
// not of small order): noble's strict mode (zip215: false) plus the small-order check.

import { gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed25519 as nobleEd25519, x25519 as nobleX25519 } from '@noble/curves/ed25519.js';
import { p256 as nobleP256 } from '@noble/curves/nist.js';
import { expand, extract } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { sha3_256 } from '@noble/hashes/sha3.js';
import type { Aead } from '../aead.js';
import { AuthenticationError, InvalidKeyError, bytes, bytesOfLength, finished, integer } from '../errors.js';
import { randomBytes } from '../random.js';
import { referenceAesCtr, referenceAesIge } from './reference-aes.js';
import { composedOpen, composedSeal, mtprotoArgs, wipeCopies } from './mtproto-message.js';
import {
  type ComposedPrimitives, aeadOnceArgs, composedAeadOpen, composedAeadSeal, composedSenderDataOpen, composedSenderDataSeal, senderDataArgs,
} from './mls-private.js';
import {
  referenceBoxBeforenm, referenceChainRatchet, referenceEd25519ToX25519, referenceSecretbox, referenceSecretboxOpen, referenceSecretboxSeal,
} from './reference-nacl.js';
import {
  type AeadName, type CryptoProvider, type DhName, type DhScheme, type HashName, type HkdfHashName,
  type SignatureName, type SignatureScheme, type RatchetSteps, type TreeKemPath, type MtprotoSender, known, ratchetArgs, treeKemArgs,
} from './types.js';
import { type HpkeRecipient, type HpkeSealed, hpkeRefusedKey, hpkeSealArgs } from './types.js';

const HASHES = { 'SHA-1': sha1, 'SHA-256': sha256, 'SHA-512': sha512, 'SHA3-256': sha3_256 } as const;
const HKDF_HASHES = { 'SHA-256': sha256, 'SHA3-256': sha3_256 } as const;
const REFERENCE_PRIMITIVES = { sha256: (data: Uint8Array) => sha256(data), aesIge: referenceAesIge };
const HKDF_NAMES = Object.keys(HKDF_HASHES) as HkdfHashName[];
const HASH_NAMES = Object.keys(HASHES) as HashName[];

// ---- AEAD ---------------------------------------------------------------------------------------

const CIPHERS = {
  'AES-128-GCM': { keyLength: 16, make: gcm },
  'AES-256-GCM': { keyLength: 32, make: gcm },
  'ChaCha20-Poly1305': { keyLength: 32, make: chacha20poly1305 },
} as const;

class ReferenceAead implements Aead {
  readonly nonceLength = 12;
  readonly tagLength = 16;
  #key: Uint8Array | null;

  constructor(readonly name: AeadName, key: Uint8Array) {
    this.#key = bytesOfLength(key, CIPHERS[name].keyLength, 'aead', `${name} key`).slice();
  }

  #cipher(op: string, nonce: Uint8Array, aad: Uint8Array) {
    if (this.#key === null) finished(`aead.${op}`, 'disposed');
    bytesOfLength(nonce, 12, `aead.${op}`, 'nonce');
    return CIPHERS[this.name].make(this.#key, nonce, bytes(aad, `aead.${op}`, 'aad'));
  }

  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array = new Uint8Array(0)): Uint8Array {
    return this.#cipher('seal', nonce, aad).encrypt(bytes(plaintext, 'aead.seal', 'plaintext'));
  }

  open(nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array = new Uint8Array(0)): Uint8Array {
    const cipher = this.#cipher('open', nonce, aad);
    if (bytes(sealed, 'aead.open', 'sealed').length < 16) throw new AuthenticationError();
    try {
      return cipher.decrypt(sealed);
    } catch {
      throw new AuthenticationError();
    }
  }

  sealInto(out: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): number {
    const sealed = this.seal(nonce, plaintext, aad);
    if (bytes(out, 'aead.sealInto', 'out').length < sealed.length) throw new RangeError(`aead.sealInto: out must hold ${sealed.length} bytes`);
    out.set(sealed);
    return sealed.length;
  }

  openInto(out: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): number {
    bytes(out, 'aead.openInto', 'out');
    if (out.length < sealed.length - 16) throw new RangeError(`aead.openInto: out must hold ${sealed.length - 16} bytes`);
    const plaintext = this.open(nonce, sealed, aad);
    out.set(plaintext);
    return plaintext.length;
  }

  dispose(): void {
    this.#key?.fill(0);
    this.#key = null;
  }
}

// ---- Diffie-Hellman -----------------------------------------------------------------------------

const X25519: DhScheme = {
  name: 'X25519',
  secretKeyLength: 32,
  publicKeyLength: 32,
  sharedSecretLength: 32,
  generateKeyPair() {
    const secretKey = randomBytes(32);
    return { secretKey, publicKey: nobleX25519.getPublicKey(secretKey) };
  },
  publicKey: (sk) => nobleX25519.getPublicKey(bytesOfLength(sk, 32, 'x25519.publicKey', 'secretKey')),
  sharedSecret(sk, pk) {
    bytesOfLength(sk, 32, 'x25519.sharedSecret', 'secretKey');
    bytesOfLength(pk, 32, 'x25519.sharedSecret', 'peerPublic');
    // noble throws for exactly the all-zero result (the lengths were checked above)
    try {
      return nobleX25519.scalarMult(sk, pk);
    } catch {
      throw new InvalidKeyError('x25519.sharedSecret', 'zero-shared-secret');
    }
  },
};

function p256Secret(sk: unknown, fn: string): Uint8Array {
  const key = bytesOfLength(sk, 32, fn, 'secretKey');
  if (!nobleP256.utils.isValidSecretKey(key)) throw new InvalidKeyError(fn, 'invalid-scalar');
  return key;
}

function p256KeyPair() {
  for (;;) {
    const secretKey = randomBytes(32);
    if (nobleP256.utils.isValidSecretKey(secretKey)) return { secretKey, publicKey: nobleP256.getPublicKey(secretKey, false) };
  }
}

const P256_DH: DhScheme = {
  name: 'P-256',
  secretKeyLength: 32,
  publicKeyLength: 65,
  sharedSecretLength: 32,
  generateKeyPair: p256KeyPair,
  publicKey: (sk) => nobleP256.getPublicKey(p256Secret(sk, 'p256.publicKey'), false),
  sharedSecret(sk, pk) {
    const key = p256Secret(sk, 'p256.ecdh');
    bytes(pk, 'p256.ecdh', 'peerPublic');
    try {
      if (pk.length !== 65 && pk.length !== 33) throw new Error();
      return nobleP256.getSharedSecret(key, pk, true).slice(1);
    } catch {
      throw new InvalidKeyError('p256.ecdh', 'invalid-point');
    }
  },
};

// ---- signatures ---------------------------------------------------------------------------------

function edSeed(sk: unknown, fn: string): Uint8Array {
  const key = bytes(sk, fn, 'secretKey');
  if (key.length !== 32 && key.length !== 64) throw new RangeError(`${fn}: secretKey must be 32 or 64 bytes, got ${key.length}`);
  return key.subarray(0, 32);
}

function edVerify(pk: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  bytesOfLength(pk, 32, 'ed25519.verify', 'publicKey');
  bytes(message, 'ed25519.verify', 'message');
  if (bytes(signature, 'ed25519.verify', 'signature').length !== 64) return false;
  try {
    if (nobleEd25519.Point.fromBytes(pk, false).isSmallOrder()) return false;
    return nobleEd25519.verify(signature, message, pk, { zip215: false });
  } catch {
    return false;
  }
}

const ED25519: SignatureScheme = {
  name: 'Ed25519',
  publicKeyLength: 32,
  generateKeyPair() {
    const seed = randomBytes(32);
    const publicKey = nobleEd25519.getPublicKey(seed);
    const secretKey = new Uint8Array(64);
    secretKey.set(seed);
    secretKey.set(publicKey, 32);
    return { secretKey, publicKey };
  },
  publicKey: (sk) => nobleEd25519.getPublicKey(edSeed(sk, 'ed25519.publicKey')),
  sign: (sk, m) => nobleEd25519.sign(bytes(m, 'ed25519.sign', 'message'), edSeed(sk, 'ed25519.sign')),
  verify: edVerify,
  verifyBatch: (items) => items.map((i) => edVerify(i.publicKey, i.message, i.signature)),
};

function p256Verify(pk: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  bytes(pk, 'p256.verify', 'publicKey');
  bytes(message, 'p256.verify', 'message');
  if (bytes(signature, 'p256.verify', 'signature').length !== 64) return false;
  try {
    return nobleP256.verify(signature, message, pk, { lowS: false });
  } catch {
    return false;
  }
}

const P256_SIG: SignatureScheme = {
  name: 'P-256',
  publicKeyLength: 65,
  generateKeyPair: p256KeyPair,
  publicKey: P256_DH.publicKey,
  sign: (sk, m) => nobleP256.sign(bytes(m, 'p256.sign', 'message'), p256Secret(sk, 'p256.sign')),
  verify: p256Verify,
  verifyBatch: (items) => items.map((i) => p256Verify(i.publicKey, i.message, i.signature)),
};

// ---- TreeKEM path (RFC 9420 §7.4) -------------------------------------------------------------
// Written out step by step from the RFCs, on noble's HKDF and the DH schemes above.

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
};

/** RFC 9420 §8 DeriveSecret(secret, label) = HKDF-Expand(secret, KDFLabel, 32), KDFLabel = uint16 32 ‖ label<V> ‖ context<V> (""). */
function deriveSecret(secret: Uint8Array, label: string): Uint8Array {
  const full = ascii(`MLS 1.0 ${label}`); // < 64 bytes: its QUIC varint length is one byte
  return expand(sha256, secret, cat(Uint8Array.of(0, 32, full.length), full, Uint8Array.of(0)), 32);
}

/** RFC 9180 §7.1.3 DeriveKeyPair(ikm) for DHKEM(X25519 | P-256, HKDF-SHA256), suite_id = "KEM" ‖ I2OSP(kem_id, 2). */
function deriveKeyPair(kem: DhName, ikm: Uint8Array): { secretKey: Uint8Array; publicKey: Uint8Array } {
  const suiteId = cat(ascii('KEM'), kem === 'X25519' ? Uint8Array.of(0x00, 0x20) : Uint8Array.of(0x00, 0x10));
  const labeledExpand = (prk: Uint8Array, label: string, info: Uint8Array) =>
    expand(sha256, prk, cat(Uint8Array.of(0, 32), ascii('HPKE-v1'), suiteId, ascii(label), info), 32);
  const dkpPrk = extract(sha256, cat(ascii('HPKE-v1'), suiteId, ascii('dkp_prk'), ikm), new Uint8Array(0));
  try {
    if (kem === 'X25519') {
      const secretKey = labeledExpand(dkpPrk, 'sk', new Uint8Array(0));
      return { secretKey, publicKey: X25519.publicKey(secretKey) };
    }
    for (let counter = 0; counter < 256; counter++) {
      const candidate = labeledExpand(dkpPrk, 'candidate', Uint8Array.of(counter)); // bitmask 0xff: unchanged
      if (nobleP256.utils.isValidSecretKey(candidate)) return { secretKey: candidate, publicKey: P256_DH.publicKey(candidate) };
    }
    throw new Error('treeKemPath: no valid P-256 candidate in 256 tries');
  } finally {
    dkpPrk.fill(0);
  }
}

function treeKemPath(kem: DhName, start: Uint8Array, length: number): TreeKemPath {
  const args = treeKemArgs(kem, start, length);
  const pathSecrets: Uint8Array[] = [], secretKeys: Uint8Array[] = [], publicKeys: Uint8Array[] = [];
  let secret = args.start;
  for (let i = 0; i < args.length; i++) {
    pathSecrets.push(secret);
    const nodeSecret = deriveSecret(secret, 'node');
    try {
      const { secretKey, publicKey } = deriveKeyPair(args.kem, nodeSecret);
      secretKeys.push(secretKey);
      publicKeys.push(publicKey);
    } finally {
      nodeSecret.fill(0);
    }
    secret = deriveSecret(secret, 'path');
  }
  return { pathSecrets, secretKeys, publicKeys, next: secret };
}

/** DeriveTreeSecret(secret, label, generation, length) (RFC 9420 §9.1): ExpandWithLabel with a uint32 context. */
function deriveTreeSecret(secret: Uint8Array, label: string, generation: number, length: number): Uint8Array {
  const full = ascii(`MLS 1.0 ${label}`);
  const j = Uint8Array.of(generation >>> 24, generation >>> 16, generation >>> 8, generation);
  return expand(sha256, secret, cat(Uint8Array.of(length >> 8, length & 0xff, full.length), full, Uint8Array.of(4), j), length);
}

function secretTreeRatchet(start: Uint8Array, first: number, count: number, keyLength: number, nonceLength: number): RatchetSteps {
  let secret = ratchetArgs(start, first, count, keyLength, nonceLength);
  const keys: Uint8Array[] = [], nonces: Uint8Array[] = [];
  for (let j = first; j < first + count; j++) {
    keys.push(deriveTreeSecret(secret, 'key', j, keyLength));
    nonces.push(deriveTreeSecret(secret, 'nonce', j, nonceLength));
    const next = deriveTreeSecret(secret, 'secret', j, 32);
    secret.fill(0);
    secret = next;
  }
  return { keys, nonces, next: secret };
}

// ---- HPKE Base-mode Seal to many recipients (RFC 9180 §4.1, §5.1, §6.1) --------------------------
// Written out from the RFC on noble's HKDF and AEADs, and this file's DeriveKeyPair and DH schemes.

const HPKE_KEM_IDS: Record<DhName, number> = { 'P-256': 0x0010, X25519: 0x0020 };
const HPKE_AEAD_IDS: Record<AeadName, number> = { 'AES-128-GCM': 1, 'AES-256-GCM': 2, 'ChaCha20-Poly1305': 3 };
const u16 = (v: number) => Uint8Array.of(v >> 8, v & 0xff);

function hpkeSealBase(
  kem: DhName, aead: AeadName, recipients: readonly HpkeRecipient[], info: Uint8Array, aad: Uint8Array, ephemeralSeeds?: readonly Uint8Array[],
): HpkeSealed[] {
  const a = hpkeSealArgs(kem, aead, recipients, info, aad, ephemeralSeeds);
  const empty = new Uint8Array(0);
  const kemSuite = cat(ascii('KEM'), u16(HPKE_KEM_IDS[a.kem]));
  const hpkeSuite = cat(ascii('HPKE'), u16(HPKE_KEM_IDS[a.kem]), u16(0x0001), u16(HPKE_AEAD_IDS[a.aead]));
  const labeledExtract = (suite: Uint8Array, salt: Uint8Array, label: string, ikm: Uint8Array) =>
    extract(sha256, cat(ascii('HPKE-v1'), suite, ascii(label), ikm), salt);
  const labeledExpand = (suite: Uint8Array, prk: Uint8Array, label: string, info: Uint8Array, length: number) =>
    expand(sha256, prk, cat(u16(length), ascii('HPKE-v1'), suite, ascii(label), info), length);
  const context = cat(Uint8Array.of(0), labeledExtract(hpkeSuite, empty, 'psk_id_hash', empty), labeledExtract(hpkeSuite, empty, 'info_hash', a.info));
  const { keyLength, make } = CIPHERS[a.aead];
  const out: HpkeSealed[] = [];
  try {
    a.publicKeys.forEach((pkR, i) => {
      // Encap (§4.1), the ephemeral key from DeriveKeyPair of 32 random bytes (GenerateKeyPair)
      const ikm = a.seeds?.[i] ?? randomBytes(32);
      const e = deriveKeyPair(a.kem, ikm);
      ikm.fill(0);
      let dh: Uint8Array;
      try {
        dh = DH[a.kem].sharedSecret(e.secretKey, pkR);
      } catch (err) {
        throw err instanceof InvalidKeyError ? hpkeRefusedKey(a.kem, i) : err;
      } finally {
        e.secretKey.fill(0);
      }
      const eaePrk = labeledExtract(kemSuite, empty, 'eae_prk', dh);
      const sharedSecret = labeledExpand(kemSuite, eaePrk, 'shared_secret', cat(e.publicKey, pkR), 32);
      // KeyScheduleS (§5.1), mode_base, psk = psk_id = ""; then Seal with seq 0 (§5.2)
      const secret = labeledExtract(hpkeSuite, sharedSecret, 'secret', empty);
      const key = labeledExpand(hpkeSuite, secret, 'key', context, keyLength);
      const nonce = labeledExpand(hpkeSuite, secret, 'base_nonce', context, 12);
      out.push({ enc: e.publicKey, ciphertext: make(key, nonce, a.aad).encrypt(a.plaintexts[i]!) });
      for (const secretBytes of [dh, eaePrk, sharedSecret, secret, key, nonce]) secretBytes.fill(0);
    });
    return out; // only once every recipient is sealed: an error returns nothing
  } finally {
    for (const pt of a.plaintexts) pt.fill(0);
  }
}

const DH: Record<DhName, DhScheme> = { X25519, 'P-256': P256_DH };
const SIGNATURES: Record<SignatureName, SignatureScheme> = { Ed25519: ED25519, 'P-256': P256_SIG };

/** The one-shot AEAD and MLS sender data, composed of noble's HKDF and AEADs (provider/mls-private.ts). */
const COMPOSED: ComposedPrimitives = { hkdfExpand: (_, prk, info, length) => expand(sha256, prk, info, length), aead: (name, key) => new ReferenceAead(name, key) };

export const referenceProvider: CryptoProvider = Object.freeze({
  name: 'reference-noble',
  aeadSeal: (name: AeadName, key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array) =>
    composedAeadSeal(COMPOSED, aeadOnceArgs('aeadSeal', name, key, nonce, plaintext, aad), key, nonce, plaintext, aad),
  aeadOpen: (name: AeadName, key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array) =>
    composedAeadOpen(COMPOSED, aeadOnceArgs('aeadOpen', name, key, nonce, sealed, aad), key, nonce, sealed, aad),
  mlsSenderDataSeal(name: AeadName, secret: Uint8Array, ciphertext: Uint8Array, senderData: Uint8Array, aad: Uint8Array) {
    const { aead, sample } = senderDataArgs('mlsSenderDataSeal', name, secret, ciphertext, senderData, aad);
    return composedSenderDataSeal(COMPOSED, aead, secret, sample, senderData, aad);
  },
  mlsSenderDataOpen(name: AeadName, secret: Uint8Array, ciphertext: Uint8Array, sealed: Uint8Array, aad: Uint8Array) {
    const { aead, sample } = senderDataArgs('mlsSenderDataOpen', name, secret, ciphertext, sealed, aad);
    return composedSenderDataOpen(COMPOSED, aead, secret, sample, sealed, aad);
  },
  randomBytes,
  hash: (name: HashName, data: Uint8Array) => HASHES[known(name, HASH_NAMES, 'hash', 'hash')](bytes(data, 'hash', 'data')),
  hmac: (name: HashName, key: Uint8Array, data: Uint8Array) =>
    hmac(HASHES[known(name, HASH_NAMES, 'hmac', 'hash')], bytes(key, 'hmac', 'key'), bytes(data, 'hmac', 'data')),
  hkdfExtract(name: HkdfHashName, salt: Uint8Array, ikm: Uint8Array) {
    const hash = HKDF_HASHES[known(name, HKDF_NAMES, 'hkdfExtract', 'hash')];
    return extract(hash, bytes(ikm, 'hkdfExtract', 'ikm'), bytes(salt, 'hkdfExtract', 'salt'));
  },
  hkdfExpand(name: HkdfHashName, prk: Uint8Array, info: Uint8Array, length: number) {
    const hash = HKDF_HASHES[known(name, HKDF_NAMES, 'hkdfExpand', 'hash')];
    integer(length, 0, 255 * 32, 'hkdfExpand', 'length');
    if (length === 0) return new Uint8Array(0);
    return expand(hash, bytes(prk, 'hkdfExpand', 'prk'), bytes(info, 'hkdfExpand', 'info'), length);
  },
  aead: (name: AeadName, key: Uint8Array) => new ReferenceAead(known(name, Object.keys(CIPHERS) as AeadName[], 'aead', 'AEAD'), key),
  aesIge: referenceAesIge,
  aesCtr: referenceAesCtr,
  dh: (name: DhName) => DH[known(name, Object.keys(DH) as DhName[], 'dh', 'curve')],
  signature: (name: SignatureName) => SIGNATURES[known(name, Object.keys(SIGNATURES) as SignatureName[], 'signature', 'algorithm')],
  treeKemPath,
  secretTreeRatchet,
  hpkeSealBase,
  secretbox: referenceSecretbox,
  secretboxSeal: referenceSecretboxSeal,
  secretboxOpen: referenceSecretboxOpen,
  boxBeforenm: referenceBoxBeforenm,
  ed25519ToX25519: referenceEd25519ToX25519,
  chainRatchet: referenceChainRatchet,
  mtprotoSeal(authKey: Uint8Array, from: MtprotoSender, plaintext: Uint8Array) {
    const a = mtprotoArgs('mtprotoSeal', authKey, from, plaintext);
    try {
      return composedSeal(REFERENCE_PRIMITIVES, a);
    } finally {
      wipeCopies(a, authKey, plaintext);
    }
  },
  mtprotoOpen(authKey: Uint8Array, from: MtprotoSender, msgKey: Uint8Array, ciphertext: Uint8Array) {
    const a = mtprotoArgs('mtprotoOpen', authKey, from, ciphertext, msgKey);
    try {
      return composedOpen(REFERENCE_PRIMITIVES, a);
    } finally {
      wipeCopies(a, authKey, ciphertext);
    }
  },
  hashMany(name: HashName, inputs: readonly Uint8Array[]) {
    const hash = HASHES[known(name, HASH_NAMES, 'hashMany', 'hash')];
    if (!Array.isArray(inputs)) throw new TypeError('hashMany: inputs must be an array');
    return inputs.map((x) => hash(bytes(x, 'hashMany', 'inputs[i]')));
  },
});
