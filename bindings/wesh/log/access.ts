// The access check: which writer keys may write to a log. Wesh's "bertysimple" controller (spec §10)
// allows exactly the group signing public key, which every member shares.

import { ctEqual } from '../../compare.js';
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
      for (let i = 0; i < allowed.length; i++) if (ctEqual(allowed[i], key)) return true;
      return false;
    },
  };
}

