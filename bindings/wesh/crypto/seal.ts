// One secretbox seal or open through the provider's one-shot calls. An open that fails is one
// WeshError('authentication-failed') naming only what was being opened.

import { AuthenticationError } from '../../errors.js';
import type { CryptoProvider } from '../../provider/types.js';
import { WeshError } from '../errors.js';

export function seal(provider: CryptoProvider, key: Uint8Array, nonce: Uint8Array, message: Uint8Array): Uint8Array {
  return provider.secretboxSeal(key, nonce, message);
}

export function openSealed(provider: CryptoProvider, key: Uint8Array, nonce: Uint8Array, boxed: Uint8Array, what: string): Uint8Array {
  try {
    return provider.secretboxOpen(key, nonce, boxed);
  } catch (err) {
    if (err instanceof AuthenticationError) throw new WeshError('authentication-failed', `${what} does not open`);
    throw err;
  }
}
