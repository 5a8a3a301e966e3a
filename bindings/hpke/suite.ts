// RFC 9180 HPKE: hpke.suite({ kem, kdf, aead }) gives the four setup pairs of §5.1.1–5.1.4, the
// single-shot seal/open of §6.1, and the KEM's key generation and DeriveKeyPair (§7.1.3).
//
// Argument order follows the RFC (SetupPSKS(pkR, info, psk, psk_id), SetupAuthR(enc, skR, info,
// pkS), …). Where the RFC takes skR or skS, a key pair { secretKey, publicKey } may be passed
// instead, which saves deriving the public key (one fixed-base multiplication); its public key must
// belong to the secret key. The optional last argument of the sender setups, `ephemeralKeyPair`,
// fixes the ephemeral key for known-answer tests: never use it otherwise.
//
// Errors: InvalidKeyError for a public key or enc that is not a valid point (or of the wrong length)
// and for an X25519 exchange with an all-zero result; AuthenticationError from open().

import { ownBytes } from '../errors.js';
import type { CryptoProvider } from '../provider/types.js';
import { wasmProvider } from '../provider/wasm.js';
import type { KeyPair } from '../x25519.js';
import { Mode, RecipientContext, SenderContext, verifyPskInputs } from './context.js';
import { DhKem, type SecretKeyInput } from './dhkem.js';
import { AEADS, type AeadParams, type HpkeAeadName, KDFS, type KdfName, type KdfParams, KEMS, type KemName, type KemParams, lookup } from './ids.js';
import { Labeled } from './labeled.js';

export interface SuiteChoice {
  readonly kem: KemName | number;
  readonly kdf: KdfName | number;
  readonly aead: HpkeAeadName | number;
}

export interface SenderOptions {
  /** Known-answer tests only: the ephemeral key pair to use instead of a fresh random one. */
  readonly ephemeralKeyPair?: KeyPair;
}

/** Options of the single-shot seal(); the mode follows from which are present (§6.1). */
export interface SealOptions extends SenderOptions {
  readonly info?: Uint8Array;
  readonly aad?: Uint8Array;
  readonly psk?: Uint8Array;
  readonly pskId?: Uint8Array;
  /** Authenticated modes: the sender's secret key (or key pair). */
  readonly senderKey?: SecretKeyInput;
}

export interface OpenOptions {
  readonly info?: Uint8Array;
  readonly aad?: Uint8Array;
  readonly psk?: Uint8Array;
  readonly pskId?: Uint8Array;
  /** Authenticated modes: the sender's public key. */
  readonly senderPublicKey?: Uint8Array;
}

const EMPTY = new Uint8Array(0);

export class HpkeSuite {
  readonly kem: KemParams;
  readonly kdf: KdfParams;
  readonly aead: AeadParams;
  readonly #provider: CryptoProvider;
  readonly #dhkem: DhKem;
  readonly #labeled: Labeled;

  constructor(choice: SuiteChoice, provider: CryptoProvider = wasmProvider) {
    if (typeof choice !== 'object' || choice === null) throw new TypeError('hpke.suite: expected { kem, kdf, aead }');
    this.kem = lookup(KEMS, choice.kem, 'kem');
    this.kdf = lookup(KDFS, choice.kdf, 'kdf');
    this.aead = lookup(AEADS, choice.aead, 'aead');
    this.#provider = provider;
    this.#dhkem = new DhKem(provider, this.kem);
    this.#labeled = new Labeled(provider, 'HPKE', [this.kem.id, this.kdf.id, this.aead.id]);
  }

  generateKeyPair(): KeyPair {
    return this.#dhkem.generateKeyPair();
  }

  deriveKeyPair(ikm: Uint8Array): KeyPair {
    return this.#dhkem.deriveKeyPair(ikm);
  }

  // §5.1.1–5.1.4: the sender side
  setupBaseS(pkR: Uint8Array, info: Uint8Array = EMPTY, options?: SenderOptions): SenderContext {
    return this.#sender(Mode.Base, pkR, info, EMPTY, EMPTY, null, options);
  }
  setupPskS(pkR: Uint8Array, info: Uint8Array, psk: Uint8Array, pskId: Uint8Array, options?: SenderOptions): SenderContext {
    return this.#sender(Mode.Psk, pkR, info, psk, pskId, null, options);
  }
  setupAuthS(pkR: Uint8Array, info: Uint8Array, skS: SecretKeyInput, options?: SenderOptions): SenderContext {
    return this.#sender(Mode.Auth, pkR, info, EMPTY, EMPTY, skS, options);
  }
  setupAuthPskS(pkR: Uint8Array, info: Uint8Array, psk: Uint8Array, pskId: Uint8Array, skS: SecretKeyInput, options?: SenderOptions): SenderContext {
    return this.#sender(Mode.AuthPsk, pkR, info, psk, pskId, skS, options);
  }

  // … and the recipient side
  setupBaseR(enc: Uint8Array, skR: SecretKeyInput, info: Uint8Array = EMPTY): RecipientContext {
    return this.#recipient(Mode.Base, enc, skR, info, EMPTY, EMPTY, null);
  }
  setupPskR(enc: Uint8Array, skR: SecretKeyInput, info: Uint8Array, psk: Uint8Array, pskId: Uint8Array): RecipientContext {
    return this.#recipient(Mode.Psk, enc, skR, info, psk, pskId, null);
  }
  setupAuthR(enc: Uint8Array, skR: SecretKeyInput, info: Uint8Array, pkS: Uint8Array): RecipientContext {
    return this.#recipient(Mode.Auth, enc, skR, info, EMPTY, EMPTY, pkS);
  }
  setupAuthPskR(enc: Uint8Array, skR: SecretKeyInput, info: Uint8Array, psk: Uint8Array, pskId: Uint8Array, pkS: Uint8Array): RecipientContext {
    return this.#recipient(Mode.AuthPsk, enc, skR, info, psk, pskId, pkS);
  }

  /** §6.1 Seal<MODE>(pkR, info, aad, pt): one message to `pkR`; returns enc and the ciphertext. */
  seal(pkR: Uint8Array, plaintext: Uint8Array, options: SealOptions = {}): { enc: Uint8Array; ciphertext: Uint8Array } {
    const psk = ownBytes(options.psk ?? EMPTY, 'hpke', 'psk');
    const sender = options.senderKey ?? null;
    const mode = modeOf(psk.length > 0 || options.pskId !== undefined, sender !== null);
    const ctx = this.#sender(mode, pkR, options.info ?? EMPTY, psk, options.pskId ?? EMPTY, sender, options);
    try {
      return { enc: ctx.enc, ciphertext: ctx.seal(plaintext, options.aad ?? EMPTY) };
    } finally {
      ctx.dispose();
    }
  }

  /**
   * Base-mode Seal (§6.1) of each plaintext to its recipient, all under one info and aad: the info
   * is copied and hashed once — its info_hash (§5.1) is the same for every recipient — so sealing to
   * many recipients under a long info (an MLS Welcome's encrypted GroupInfo) costs one hash of it,
   * not one per recipient. The same output as seal() item by item.
   *
   * With an AEAD (not Export-only) and HKDF-SHA256 the whole batch is one provider call,
   * CryptoProvider.hpkeSealBase (on the wasm provider one wasm call per 64 KiB of inputs); its
   * errors are those of seal() (InvalidKeyError for a refused public key, naming the recipient), and
   * any error fails the whole batch with nothing returned.
   */
  sealMany(items: readonly { readonly publicKey: Uint8Array; readonly plaintext: Uint8Array }[], options: { info?: Uint8Array; aad?: Uint8Array } = {}): { enc: Uint8Array; ciphertext: Uint8Array }[] {
    if (this.aead.aead !== null && this.kdf.name === 'HKDF-SHA256') {
      return this.#provider.hpkeSealBase(this.kem.dh, this.aead.aead, items, options.info ?? EMPTY, options.aad ?? EMPTY);
    }
    const inputs = checkInputs(Mode.Base, options.info ?? EMPTY, EMPTY, EMPTY);
    const infoHash = this.#labeled.extract(EMPTY, 'info_hash', inputs.info);
    const aad = ownBytes(options.aad ?? EMPTY, 'hpke', 'aad');
    return items.map(({ publicKey, plaintext }) => {
      const { sharedSecret, enc } = this.#dhkem.encap(publicKey, null);
      const ctx = new SenderContext(enc, this.#provider, this.#labeled, this.kdf, this.aead, { mode: Mode.Base, sharedSecret, ...inputs, infoHash });
      try {
        return { enc: ctx.enc, ciphertext: ctx.seal(plaintext, aad) };
      } finally {
        ctx.dispose();
      }
    });
  }

  /** §6.1 Open<MODE>(enc, skR, info, aad, ct): the plaintext, or AuthenticationError. */
  open(enc: Uint8Array, skR: SecretKeyInput, ciphertext: Uint8Array, options: OpenOptions = {}): Uint8Array {
    const psk = ownBytes(options.psk ?? EMPTY, 'hpke', 'psk');
    const pkS = options.senderPublicKey ?? null;
    const mode = modeOf(psk.length > 0 || options.pskId !== undefined, pkS !== null);
    const ctx = this.#recipient(mode, enc, skR, options.info ?? EMPTY, psk, options.pskId ?? EMPTY, pkS);
    try {
      return ctx.open(ciphertext, options.aad ?? EMPTY);
    } finally {
      ctx.dispose();
    }
  }

  #sender(mode: Mode, pkR: Uint8Array, info: Uint8Array, psk: Uint8Array, pskId: Uint8Array, skS: SecretKeyInput | null, options?: SenderOptions): SenderContext {
    const inputs = checkInputs(mode, info, psk, pskId);
    const { sharedSecret, enc } = this.#dhkem.encap(pkR, skS, options?.ephemeralKeyPair);
    return new SenderContext(enc, this.#provider, this.#labeled, this.kdf, this.aead, { mode, sharedSecret, ...inputs });
  }

  #recipient(mode: Mode, enc: Uint8Array, skR: SecretKeyInput, info: Uint8Array, psk: Uint8Array, pskId: Uint8Array, pkS: Uint8Array | null): RecipientContext {
    const inputs = checkInputs(mode, info, psk, pskId);
    const sharedSecret = this.#dhkem.decap(enc, skR, pkS);
    return new RecipientContext(this.#provider, this.#labeled, this.kdf, this.aead, { mode, sharedSecret, ...inputs });
  }
}

function modeOf(psk: boolean, auth: boolean): Mode {
  if (auth) return psk ? Mode.AuthPsk : Mode.Auth;
  return psk ? Mode.Psk : Mode.Base;
}

/** Checked before any DH computation, so a misuse costs nothing and leaves nothing behind; private copies. */
function checkInputs(mode: Mode, info: Uint8Array, psk: Uint8Array, pskId: Uint8Array): { info: Uint8Array; psk: Uint8Array; pskId: Uint8Array } {
  const inputs = { info: ownBytes(info, 'hpke', 'info'), psk: ownBytes(psk, 'hpke', 'psk'), pskId: ownBytes(pskId, 'hpke', 'pskId') };
  verifyPskInputs(mode, inputs.psk, inputs.pskId);
  return inputs;
}

/** An HPKE suite; `provider` selects the primitives (default: wirecrypt's wasm engine). */
export function suite(choice: SuiteChoice, provider?: CryptoProvider): HpkeSuite {
  return new HpkeSuite(choice, provider);
}
