// RFC 9180 §5.1 (key schedule) and §5.2–5.3 (encryption contexts and the secret exporter).
//
// A context holds the AEAD key (inside the provider's Aead object: wasm memory for wasmProvider),
// the base nonce, the exporter secret and the sequence number. seal() and a successful open()
// advance the sequence number; a failed open() throws AuthenticationError and changes nothing, so
// the next genuine message still opens. dispose() wipes everything.

import type { Aead } from '../aead.js';
import { concat } from '../bytes.js';
import { bytes, finished, integer, ownBytes } from '../errors.js';
import type { CryptoProvider } from '../provider/types.js';
import type { AeadParams, KdfParams } from './ids.js';
import { Labeled } from './labeled.js';

/** §5, Table 1. */
export const Mode = { Base: 0x00, Psk: 0x01, Auth: 0x02, AuthPsk: 0x03 } as const;
export type Mode = (typeof Mode)[keyof typeof Mode];

const EMPTY = new Uint8Array(0);
/** Sequence numbers stay exact JavaScript integers; 2^53 messages is far below the 2^96 the RFC allows. */
const MAX_SEQ = Number.MAX_SAFE_INTEGER;

/** §5.1 VerifyPSKInputs, plus §9.5's minimum PSK length. */
export function verifyPskInputs(mode: Mode, psk: Uint8Array, pskId: Uint8Array): void {
  const gotPsk = psk.length > 0;
  const gotPskId = pskId.length > 0;
  if (gotPsk !== gotPskId) throw new TypeError('hpke: psk and pskId must be given together');
  const pskMode = mode === Mode.Psk || mode === Mode.AuthPsk;
  if (pskMode && !gotPsk) throw new TypeError('hpke: this mode needs a psk and pskId');
  if (!pskMode && gotPsk) throw new TypeError('hpke: psk given in a mode without one');
  if (pskMode && psk.length < 32) throw new RangeError(`hpke: psk must be at least 32 bytes (RFC 9180 §9.5), got ${psk.length}`);
}

export interface ScheduleInput {
  readonly mode: Mode;
  readonly sharedSecret: Uint8Array;
  readonly info: Uint8Array;
  readonly psk: Uint8Array;
  readonly pskId: Uint8Array;
  /** info_hash (§5.1) when the caller computed it once for many contexts with the same info. */
  readonly infoHash?: Uint8Array;
}

export class Context {
  readonly #aead: Aead | null;
  readonly #params: AeadParams;
  readonly #kdf: KdfParams;
  readonly #labeled: Labeled;
  readonly #baseNonce: Uint8Array;
  readonly #exporterSecret: Uint8Array;
  #seq = 0;
  #disposed = false;

  /**
   * KeySchedule<ROLE>(mode, shared_secret, info, psk, psk_id) (§5.1), for inputs that passed
   * verifyPskInputs. Zeroes the shared secret.
   */
  constructor(provider: CryptoProvider, labeled: Labeled, kdf: KdfParams, aead: AeadParams, input: ScheduleInput) {
    const { mode, sharedSecret, info, psk, pskId } = input;
    this.#params = aead;
    this.#kdf = kdf;
    this.#labeled = labeled;
    const pskIdHash = labeled.extract(EMPTY, 'psk_id_hash', pskId);
    const infoHash = input.infoHash ?? labeled.extract(EMPTY, 'info_hash', info);
    const context = concat(Uint8Array.of(mode), pskIdHash, infoHash);
    const secret = labeled.extract(sharedSecret, 'secret', psk);
    sharedSecret.fill(0);
    try {
      this.#exporterSecret = labeled.expand(secret, 'exp', context, kdf.hashLength);
      if (aead.aead === null) {
        this.#aead = null;
        this.#baseNonce = EMPTY;
      } else {
        const key = labeled.expand(secret, 'key', context, aead.keyLength);
        this.#baseNonce = labeled.expand(secret, 'base_nonce', context, aead.nonceLength);
        try {
          this.#aead = provider.aead(aead.aead, key);
        } finally {
          key.fill(0);
        }
      }
    } finally {
      secret.fill(0);
    }
  }

  /** The sequence number of the next message (§5.2). */
  get seq(): number {
    return this.#seq;
  }

  /** §5.3 Context.Export(exporter_context, L): L (0 … 255·Nh) bytes bound to this context. */
  export(exporterContext: Uint8Array, length: number): Uint8Array {
    this.#live('export');
    const context = ownBytes(exporterContext, 'hpke.export', 'exporterContext');
    integer(length, 0, 255 * this.#kdf.hashLength, 'hpke.export', 'length');
    return this.#labeled.expand(this.#exporterSecret, 'sec', context, length);
  }

  /** Wipes the key, nonce and exporter secret; the context is unusable afterwards. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#aead?.dispose();
    this.#baseNonce.fill(0);
    this.#exporterSecret.fill(0);
  }

  protected sealNext(plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
    const aead = this.#usableAead('seal');
    bytes(plaintext, 'hpke.seal', 'plaintext');
    bytes(aad, 'hpke.seal', 'aad');
    const ciphertext = aead.seal(this.#nonce(), plaintext, aad);
    this.#seq++;
    return ciphertext;
  }

  protected openNext(ciphertext: Uint8Array, aad: Uint8Array): Uint8Array {
    const aead = this.#usableAead('open');
    bytes(ciphertext, 'hpke.open', 'ciphertext');
    bytes(aad, 'hpke.open', 'aad');
    const plaintext = aead.open(this.#nonce(), ciphertext, aad); // throws AuthenticationError, seq unchanged
    this.#seq++;
    return plaintext;
  }

  /** ComputeNonce(seq) = base_nonce XOR I2OSP(seq, Nn) (§5.2). */
  #nonce(): Uint8Array {
    const nonce = this.#baseNonce.slice();
    for (let i = nonce.length - 1, s = this.#seq; s > 0; i--, s = Math.floor(s / 256)) nonce[i] ^= s & 0xff;
    return nonce;
  }

  #usableAead(op: 'seal' | 'open'): Aead {
    this.#live(op);
    if (this.#aead === null) throw new TypeError(`hpke.${op}: the suite's AEAD is Export-only; only export() is available`);
    // §5.2 IncrementSeq: refuse before the sequence number could repeat
    if (this.#seq >= MAX_SEQ) throw new RangeError(`hpke.${op}: message limit reached for this context`);
    return this.#aead;
  }

  #live(op: string): void {
    if (this.#disposed) finished(`hpke.${op}`, 'disposed');
  }
}

/** The sender's context: enc goes to the recipient; seal() encrypts messages in order. */
export class SenderContext extends Context {
  readonly enc: Uint8Array;

  constructor(enc: Uint8Array, ...args: ConstructorParameters<typeof Context>) {
    super(...args);
    this.enc = enc;
  }

  /** Encrypts the next message: ciphertext ‖ tag. */
  seal(plaintext: Uint8Array, aad: Uint8Array = EMPTY): Uint8Array {
    return this.sealNext(plaintext, aad);
  }
}

/** The recipient's context: open() decrypts messages in the order they were sealed. */
export class RecipientContext extends Context {
  /** Decrypts the next message, or throws AuthenticationError (and the context stays as it was). */
  open(ciphertext: Uint8Array, aad: Uint8Array = EMPTY): Uint8Array {
    return this.openNext(ciphertext, aad);
  }
}
