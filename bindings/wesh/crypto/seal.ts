// One secretbox seal or open through the provider, the key disposed of at once. An open that fails
// is one WeshError('authentication-failed') naming only what was being opened.

import { AuthenticationError } from '../../errors.js';
import type { CryptoProvider } from '../../provider/types.js';
import { WeshError } from '../errors.js';

export function seal(provider: CryptoProvider, key: Uint8Array, nonce: Uint8Array, message: Uint8Array): Uint8Array {
  const box = provider.secretbox(key);
  try {
    return box.seal(nonce, message);
  } finally {
    box.dispose();
  }
}

export function openSealed(provider: CryptoProvider, key: Uint8Array, nonce: Uint8Array, boxed: Uint8Array, what: string): Uint8Array {
  const box = provider.secretbox(key);
  try {
    return box.open(nonce, boxed);
  } catch (err) {
    if (err instanceof AuthenticationError) throw new WeshError('authentication-failed', `${what} does not open`);
    throw err;
  } finally {
    box.dispose();
  }
}
