// The access check: which writer keys may write to a log. Wesh's "bertysimple" controller (spec §10)
// allows exactly the group signing public key, which every member shares.

import type { Entry } from './entry.js';

export interface AccessController {
  /** Whether `writerKey` may write `entry` (called after the entry decoded, before its signature is checked). */
  canWrite(writerKey: Uint8Array, entry: Entry): boolean;
}

/** Allows exactly the given writer public keys. */
export function writersAccess(writers: readonly Uint8Array[]): AccessController {
  const allowed = writers.map((w) => w.slice());
  // (a plain loop: some() with an arrow would make a closure per call, 50,000 in a merge)
  return {
    canWrite: (key) => {
      for (let i = 0; i < allowed.length; i++) if (sameBytes(allowed[i], key)) return true;
      return false;
    },
  };
}

/** Public keys, compared plainly (nothing secret here). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
