// The symmetric ratchet of a device's message chain (reference §8; weshnet secret_store_messages.go
// deriveNextKeys):
//   PRK = HKDF-Extract-SHA256(salt = none, chain key);  OKM = HKDF-Expand-SHA256(PRK, info = group public key, 64)
//   next chain key = OKM[0..32], message key = OKM[32..64]
// The message with counter n is sealed with the message key of the step from the chain key at
// counter n − 1. Many steps run as one batched provider call (the wasm engine keeps the
// intermediate chain keys in wasm memory and wipes them).

import { bytes } from '../../errors.js';
import type { CryptoProvider } from '../../provider/types.js';

const EMPTY = new Uint8Array(0);

export function ratchetStep(provider: CryptoProvider, chainKey: Uint8Array, groupPublicKey: Uint8Array): { chainKey: Uint8Array; messageKey: Uint8Array } {
  const r = provider.chainRatchet(chainKey, EMPTY, bytes(groupPublicKey, 'wesh.ratchetStep', 'groupPublicKey'), 1);
  return { chainKey: r.chainKey, messageKey: r.messageKeys[0] };
}

/** `steps` steps at once: messageKeys[i] is the key of the message i + 1 counters past `chainKey`'s. */
export function ratchet(provider: CryptoProvider, chainKey: Uint8Array, groupPublicKey: Uint8Array, steps: number): { chainKey: Uint8Array; messageKeys: Uint8Array[] } {
  const r = provider.chainRatchet(chainKey, EMPTY, bytes(groupPublicKey, 'wesh.ratchet', 'groupPublicKey'), steps);
  return { chainKey: r.chainKey, messageKeys: r.messageKeys };
}
