// The reference provider's NaCl operations and chain ratchet (the primitives Wesh is built from),
// in pure JavaScript on @noble/*: secretbox (XSalsa20-Poly1305, tag ‖ ciphertext as NaCl lays it
// out), crypto_box_beforenm (HSalsa20 of the X25519 output: the key a NaCl box seals with), the
// Ed25519 → X25519 key conversions, and the HKDF-SHA256 chain ratchet step by step. Not constant
// time in the curve arithmetic (noble's bigints); keys are JavaScript arrays, zeroed on dispose().

import { hsalsa, xsalsa20poly1305 } from '@noble/ciphers/salsa.js';
import { ed25519 as nobleEd25519, x25519 as nobleX25519 } from '@noble/curves/ed25519.js';
import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { disposing } from '../dispose.js';
import { AuthenticationError, InvalidKeyError, bytes, bytesOfLength, finished } from '../errors.js';
import type { SecretBox } from '../secretbox.js';
import { type ChainSteps, type Ed25519ToX25519, chainRatchetArgs } from './types.js';

class ReferenceSecretBox implements SecretBox {
  #key: Uint8Array | null;

  constructor(key: Uint8Array, readonly fn: string) {
    this.#key = key;
  }

  #cipher(op: string, nonce: Uint8Array) {
    if (this.#key === null) finished(`${this.fn}.${op}`, 'disposed');
    return xsalsa20poly1305(this.#key, bytesOfLength(nonce, 24, `${this.fn}.${op}`, 'nonce'));
  }

  seal(nonce: Uint8Array, message: Uint8Array): Uint8Array {
    return this.#cipher('seal', nonce).encrypt(bytes(message, `${this.fn}.seal`, 'message'));
  }

  open(nonce: Uint8Array, boxed: Uint8Array): Uint8Array {
    const cipher = this.#cipher('open', nonce);
    if (bytes(boxed, `${this.fn}.open`, 'boxed').length < 16) throw new AuthenticationError();
    try {
      return cipher.decrypt(boxed);
    } catch {
      throw new AuthenticationError();
    }
  }

  dispose(): void {
    this.#key?.fill(0);
    this.#key = null;
  }
}

export function referenceSecretbox(key: Uint8Array): SecretBox {
  return new ReferenceSecretBox(bytesOfLength(key, 32, 'secretbox', 'key').slice(), 'secretbox');
}

export function referenceSecretboxSeal(key: Uint8Array, nonce: Uint8Array, message: Uint8Array): Uint8Array {
  return disposing(new ReferenceSecretBox(bytesOfLength(key, 32, 'secretboxSeal', 'key').slice(), 'secretboxSeal'), (box) => box.seal(nonce, message));
}

export function referenceSecretboxOpen(key: Uint8Array, nonce: Uint8Array, boxed: Uint8Array): Uint8Array {
  return disposing(new ReferenceSecretBox(bytesOfLength(key, 32, 'secretboxOpen', 'key').slice(), 'secretboxOpen'), (box) => box.open(nonce, boxed));
}

/** "expand 32-byte k" as four little-endian words (the Salsa20 constant HSalsa20 starts from). */
const SIGMA = new Uint32Array([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]);

function littleEndianWords(b: Uint8Array): Uint32Array {
  const w = new Uint32Array(b.length / 4);
  for (let i = 0; i < w.length; i++) w[i] = (b[4 * i] | (b[4 * i + 1] << 8) | (b[4 * i + 2] << 16) | (b[4 * i + 3] << 24)) >>> 0;
  return w;
}

export function referenceBoxBeforenm(secretKey: Uint8Array, peerPublic: Uint8Array): Uint8Array {
  bytesOfLength(secretKey, 32, 'boxBeforenm', 'secretKey');
  bytesOfLength(peerPublic, 32, 'boxBeforenm', 'peerPublic');
  let shared: Uint8Array;
  try {
    shared = nobleX25519.scalarMult(secretKey, peerPublic); // throws for the all-zero result only
  } catch {
    throw new InvalidKeyError('boxBeforenm', 'zero-shared-secret');
  }
  const words = littleEndianWords(shared);
  const out = new Uint32Array(8);
  hsalsa(SIGMA, words, new Uint32Array(4), out); // HSalsa20(k = shared, n = 0^16)
  const key = new Uint8Array(32);
  for (let i = 0; i < 8; i++) for (let j = 0; j < 4; j++) key[4 * i + j] = out[i] >>> (8 * j);
  shared.fill(0);
  words.fill(0);
  out.fill(0);
  return key;
}

export const referenceEd25519ToX25519: Ed25519ToX25519 = Object.freeze({
  secretKey(sk: Uint8Array): Uint8Array {
    const key = bytes(sk, 'ed25519.toX25519Secret', 'secretKey');
    if (key.length !== 32 && key.length !== 64) throw new RangeError(`ed25519.toX25519Secret: secretKey must be 32 bytes (seed) or 64 bytes (seed ‖ public key), got ${key.length}`);
    return nobleEd25519.utils.toMontgomerySecret(key.subarray(0, 32));
  },
  publicKey(pk: Uint8Array): Uint8Array {
    bytesOfLength(pk, 32, 'ed25519.toX25519Public', 'publicKey');
    let point;
    try {
      point = nobleEd25519.Point.fromBytes(pk, false);
    } catch {
      throw new InvalidKeyError('ed25519.toX25519Public', 'invalid-point');
    }
    if (point.isSmallOrder()) throw new InvalidKeyError('ed25519.toX25519Public', 'small-order');
    return nobleEd25519.utils.toMontgomery(pk);
  },
});

export function referenceChainRatchet(chainKey: Uint8Array, salt: Uint8Array, info: Uint8Array, steps: number): ChainSteps {
  let ck = chainRatchetArgs(chainKey, salt, info, steps);
  const messageKeys: Uint8Array[] = [];
  for (let i = 0; i < steps; i++) {
    const prk = extract(sha256, ck, salt);
    const okm = expand(sha256, prk, info, 64);
    prk.fill(0);
    ck.fill(0);
    ck = okm.slice(0, 32);
    messageKeys.push(okm.slice(32));
    okm.fill(0);
  }
  return { messageKeys, chainKey: ck };
}
