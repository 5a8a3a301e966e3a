// The wasm provider's one-shot AEAD and MLS sender data (see mls-private.ts and
// assembly/mls/private_message.ts): one wasm call with the key (or sender-data secret and sample),
// nonce, AAD and message staged in the I/O window, which is wiped before returning, also on
// failure. Inputs too large for the window take the composed path (an AEAD object per call), whose
// answers are the same.

import { AuthenticationError } from '../errors.js';
import type { Engine } from '../wasm/engine.js';
import { engine } from '../wasm/select.js';
import { align16 } from '../wasm/staging.js';
import {
  type ComposedPrimitives, aeadOnceArgs, composedAeadOpen, composedAeadSeal, composedSenderDataOpen, composedSenderDataSeal, senderDataArgs,
} from './mls-private.js';
import type { AeadName } from './types.js';

const AEAD_IDS: Readonly<Record<AeadName, number>> = { 'AES-128-GCM': 1, 'AES-256-GCM': 2, 'ChaCha20-Poly1305': 3 };
const TAG = 16;
// Window layout: key or secret [0, 32), nonce or sample [32, 64), aad from 64, the message after it.
const FIRST = 0, SECOND = 32, AAD = 64;

/** Where the message goes, or -1 when the AAD and message do not fit the window with the rest. */
function bufferAt(e: Engine, aadLength: number, total: number): number {
  const at = e.window + AAD + align16(aadLength);
  return at + total <= e.window + e.windowBytes ? at : -1;
}

/**
 * Stages `first`, `second`, the AAD and `message` (`space` bytes held for it), runs `call` with the
 * message's address, and returns `call`'s result with the `outLength` bytes left at the message's
 * place (none when `call` refuses: it returns false). The window is wiped in every case.
 */
function oneCall(
  e: Engine, first: Uint8Array, second: Uint8Array, aad: Uint8Array, message: Uint8Array, buf: number, space: number, outLength: number,
  call: (w: number, buf: number) => boolean,
): Uint8Array | null {
  const u8 = e.u8, w = e.window;
  try {
    u8.set(first, w + FIRST);
    u8.set(second, w + SECOND);
    u8.set(aad, w + AAD);
    u8.set(message, buf);
    return call(w, buf) ? e.read(buf, outLength) : null;
  } finally {
    e.wipe(w, buf + space - w);
  }
}

export function makeWasmMlsPrivate(composed: ComposedPrimitives) {
  return {
    aeadSeal(name: AeadName, key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
      const aead = aeadOnceArgs('aeadSeal', name, key, nonce, plaintext, aad);
      const e = engine(), n = plaintext.length;
      const buf = bufferAt(e, aad.length, n + TAG);
      if (buf < 0) return composedAeadSeal(composed, aead, key, nonce, plaintext, aad);
      return oneCall(e, key, nonce, aad, plaintext, buf, n + TAG, n + TAG, (w, b) => {
        e.abi.mls_aead_seal(AEAD_IDS[aead], w + FIRST, w + SECOND, w + AAD, aad.length, b, n);
        return true;
      })!;
    },

    aeadOpen(name: AeadName, key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array {
      const aead = aeadOnceArgs('aeadOpen', name, key, nonce, sealed, aad);
      if (sealed.length < TAG) throw new AuthenticationError();
      const e = engine(), n = sealed.length - TAG;
      const buf = bufferAt(e, aad.length, sealed.length);
      if (buf < 0) return composedAeadOpen(composed, aead, key, nonce, sealed, aad);
      const out = oneCall(e, key, nonce, aad, sealed, buf, sealed.length, n,
        (w, b) => e.abi.mls_aead_open(AEAD_IDS[aead], w + FIRST, w + SECOND, w + AAD, aad.length, b, n) === 1);
      if (out === null) throw new AuthenticationError();
      return out;
    },

    mlsSenderDataSeal(name: AeadName, senderDataSecret: Uint8Array, ciphertext: Uint8Array, senderData: Uint8Array, aad: Uint8Array): Uint8Array {
      const { aead, sample } = senderDataArgs('mlsSenderDataSeal', name, senderDataSecret, ciphertext, senderData, aad);
      const e = engine(), n = senderData.length;
      const buf = bufferAt(e, aad.length, n + TAG);
      if (buf < 0) return composedSenderDataSeal(composed, aead, senderDataSecret, sample, senderData, aad);
      return oneCall(e, senderDataSecret, sample, aad, senderData, buf, n + TAG, n + TAG, (w, b) => {
        e.abi.mls_sender_data_seal(AEAD_IDS[aead], w + FIRST, w + SECOND, sample.length, w + AAD, aad.length, b, n);
        return true;
      })!;
    },

    mlsSenderDataOpen(name: AeadName, senderDataSecret: Uint8Array, ciphertext: Uint8Array, encryptedSenderData: Uint8Array, aad: Uint8Array): Uint8Array {
      const { aead, sample } = senderDataArgs('mlsSenderDataOpen', name, senderDataSecret, ciphertext, encryptedSenderData, aad);
      if (encryptedSenderData.length < TAG) throw new AuthenticationError();
      const e = engine(), n = encryptedSenderData.length - TAG;
      const buf = bufferAt(e, aad.length, encryptedSenderData.length);
      if (buf < 0) return composedSenderDataOpen(composed, aead, senderDataSecret, sample, encryptedSenderData, aad);
      const out = oneCall(e, senderDataSecret, sample, aad, encryptedSenderData, buf, encryptedSenderData.length, n,
        (w, b) => e.abi.mls_sender_data_open(AEAD_IDS[aead], w + FIRST, w + SECOND, sample.length, w + AAD, aad.length, b, n) === 1);
      if (out === null) throw new AuthenticationError();
      return out;
    },
  };
}
