// Prepared public keys (SignatureScheme.verifier) for the protocol layers that check many
// signatures under a few keys: an MLS group's members signing their messages, a Wesh group's devices
// signing theirs. verifyCached() gives verify()'s answer; a key is prepared on its second use
// (preparing costs about one verification, so a key seen once would gain nothing), and each scheme
// keeps at most CAPACITY keys, the least recently used dropped and disposed. Keys are public; the
// cache holds nothing secret.

import { binaryString } from '../codec/binary-string.js';
import type { MessageVerifier, SignatureScheme } from './types.js';

const CAPACITY = 128;

interface Seen {
  verifier?: MessageVerifier;
}

const caches = new WeakMap<SignatureScheme, Map<string, Seen>>();

/** scheme.verify(publicKey, message, signature), through a prepared key when the scheme has them. */
export function verifyCached(scheme: SignatureScheme, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (scheme.verifier === undefined) return scheme.verify(publicKey, message, signature);
  let cache = caches.get(scheme);
  if (cache === undefined) caches.set(scheme, (cache = new Map()));
  const k = binaryString(publicKey);
  const seen = cache.get(k);
  if (seen === undefined) {
    const ok = scheme.verify(publicKey, message, signature); // throws as verify does, before anything is kept
    cache.set(k, {});
    if (cache.size > CAPACITY) evictOldest(cache);
    return ok;
  }
  cache.delete(k); // most recently used last
  cache.set(k, seen);
  seen.verifier ??= scheme.verifier(publicKey);
  return seen.verifier.verify(message, signature);
}

function evictOldest(cache: Map<string, Seen>): void {
  const [k, seen] = cache.entries().next().value!;
  cache.delete(k);
  seen.verifier?.dispose();
}
