// RFC 9180 §4.1: DHKEM(Group, HKDF-SHA256) for X25519 and P-256 — Encap/Decap, AuthEncap/AuthDecap,
// and DeriveKeyPair (§7.1.3). Public keys are serialized as the DH scheme returns them (32 bytes for
// X25519, 65-byte uncompressed SEC1 for P-256). Every DH output, IKM and KEM context is zeroed as
// soon as the shared secret has been derived from it.

import { concat, isUint8Array } from '../bytes.js';
import { InvalidKeyError, ownBytes } from '../errors.js';
import type { CryptoProvider, DhScheme } from '../provider/types.js';
import type { KeyPair } from '../x25519.js';
import type { KemParams } from './ids.js';
import { Labeled, i2osp } from './labeled.js';

/** A secret key, or a key pair when the caller has the public key at hand (saves deriving it). */
export type SecretKeyInput = Uint8Array | KeyPair;

export interface Encapsulation {
  readonly sharedSecret: Uint8Array;
  readonly enc: Uint8Array;
}

/** P-256's group order n, big-endian (SEC 2 §2.4.2). */
const P256_ORDER = Uint8Array.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'.match(/../g)!, (h) => parseInt(h, 16));

/** Whether 0 < candidate < n, examining every byte whatever the values (the candidate is secret). */
function inScalarRange(candidate: Uint8Array): boolean {
  let borrow = 0;
  let any = 0;
  for (let i = candidate.length - 1; i >= 0; i--) {
    borrow = ((candidate[i] - P256_ORDER[i] - borrow) >>> 31) & 1;
    any |= candidate[i];
  }
  return (borrow & (((any | -any) >>> 31) & 1)) === 1;
}

export class DhKem {
  readonly params: KemParams;
  readonly #dh: DhScheme;
  readonly #labeled: Labeled;

  constructor(provider: CryptoProvider, params: KemParams) {
    this.params = params;
    this.#dh = provider.dh(params.dh);
    this.#labeled = new Labeled(provider, 'KEM', [params.id]);
  }

  generateKeyPair(): KeyPair {
    return this.#dh.generateKeyPair();
  }

  /** §7.1.3 DeriveKeyPair(ikm): deterministic key pair from at least Nsk bytes of input keying material. */
  deriveKeyPair(ikm: Uint8Array): KeyPair {
    ikm = ownBytes(ikm, 'hpke.deriveKeyPair', 'ikm');
    if (ikm.length < this.params.secretKeyLength) {
      throw new RangeError(`hpke.deriveKeyPair: ikm must be at least ${this.params.secretKeyLength} bytes, got ${ikm.length}`);
    }
    const prk = this.#labeled.extract(new Uint8Array(0), 'dkp_prk', ikm);
    try {
      if (this.params.candidateMask === null) {
        const secretKey = this.#labeled.expand(prk, 'sk', new Uint8Array(0), this.params.secretKeyLength);
        return { secretKey, publicKey: this.#dh.publicKey(secretKey) };
      }
      for (let counter = 0; counter < 256; counter++) {
        const candidate = this.#labeled.expand(prk, 'candidate', i2osp(counter, 1), this.params.secretKeyLength);
        candidate[0] &= this.params.candidateMask;
        if (inScalarRange(candidate)) return { secretKey: candidate, publicKey: this.#dh.publicKey(candidate) };
        candidate.fill(0);
      }
      // probability about 2^-8192: the RFC's DeriveKeyPairError
      throw new Error('hpke.deriveKeyPair: no valid candidate in 256 tries');
    } finally {
      prk.fill(0);
    }
  }

  /** Encap / AuthEncap (§4.1). `ephemeral` replaces the random ephemeral key (test vectors only). */
  encap(pkR: Uint8Array, sender: SecretKeyInput | null, ephemeral?: KeyPair): Encapsulation {
    pkR = this.#publicKey(pkR, 'pkR');
    const e = ephemeral ? this.#keyPair(ephemeral, 'ephemeralKeyPair') : this.generateKeyPair();
    const s = sender === null ? null : this.#keyPair(sender, 'skS');
    const dhs: Uint8Array[] = [];
    try {
      dhs.push(this.#dh.sharedSecret(e.secretKey, pkR));
      const context = [e.publicKey, pkR];
      if (s !== null) {
        dhs.push(this.#dh.sharedSecret(s.secretKey, pkR));
        context.push(s.publicKey);
      }
      return { sharedSecret: this.#extractAndExpand(dhs, context), enc: e.publicKey };
    } finally {
      e.secretKey.fill(0);
      s?.secretKey.fill(0);
      for (const dh of dhs) dh.fill(0);
    }
  }

  /** Decap / AuthDecap (§4.1). */
  decap(enc: Uint8Array, recipient: SecretKeyInput, pkS: Uint8Array | null): Uint8Array {
    enc = this.#publicKey(enc, 'enc');
    const sender = pkS === null ? null : this.#publicKey(pkS, 'pkS');
    const { secretKey, publicKey } = this.#keyPair(recipient, 'skR');
    const dhs: Uint8Array[] = [];
    try {
      dhs.push(this.#dh.sharedSecret(secretKey, enc));
      const context = [enc, publicKey];
      if (sender !== null) {
        dhs.push(this.#dh.sharedSecret(secretKey, sender));
        context.push(sender);
      }
      return this.#extractAndExpand(dhs, context);
    } finally {
      secretKey.fill(0);
      for (const dh of dhs) dh.fill(0);
    }
  }

  /** ExtractAndExpand(dh, kem_context) (§4.1). */
  #extractAndExpand(dhs: Uint8Array[], context: Uint8Array[]): Uint8Array {
    const dh = concat(...dhs);
    const prk = this.#labeled.extract(new Uint8Array(0), 'eae_prk', dh);
    try {
      return this.#labeled.expand(prk, 'shared_secret', concat(...context), this.params.secretLength);
    } finally {
      dh.fill(0);
      prk.fill(0);
    }
  }

  /** DeserializePublicKey's length check; the DH computation validates the point itself. */
  #publicKey(pk: Uint8Array, param: string): Uint8Array {
    const own = ownBytes(pk, 'hpke', param);
    if (own.length !== this.params.publicKeyLength) throw new InvalidKeyError(`hpke (${param})`, 'invalid-point');
    return own;
  }

  /** A private copy of the key pair (each field read once). */
  #keyPair(key: SecretKeyInput, param: string): KeyPair {
    if (isUint8Array(key)) {
      const secretKey = ownBytes(key, 'hpke', param);
      return { secretKey, publicKey: this.#dh.publicKey(secretKey) };
    }
    if (typeof key !== 'object' || key === null) throw new TypeError(`hpke: ${param} must be a Uint8Array or a key pair`);
    const { secretKey, publicKey } = key;
    return { secretKey: ownBytes(secretKey, 'hpke', `${param}.secretKey`), publicKey: this.#publicKey(publicKey, `${param}.publicKey`) };
  }
}
