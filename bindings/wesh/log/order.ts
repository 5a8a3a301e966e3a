// The total order (spec §10, §14 #9): Lamport time, then writer id bytes, then CID bytes — compared
// field by field on each entry's time (a number) and the binary strings of its writer key (one
// string shared by all the entries of a writer, so usually an identity check) and of its CID (keys.ts;
// JavaScript compares such strings as their bytes). No per-entry order string is made: a
// concatenated key would be a rope of three strings per entry, flattened at its first comparison,
// which a merge of 50,000 entries pays for in memory and time. The log keeps its
// entries in one array sorted by that key; new entries are sorted among themselves (m log m) and
// merged in: pushed when they all come after the last entry (the usual append), inserted by binary
// search when few, else merged as two sorted runs in one pass (n + m). The key is unique (it ends
// with the CID), so the result does not depend on the order entries arrived in.

import type { Entry } from './entry.js';

/** What the order compares: Entry has these fields. */
export interface Ordered {
  readonly time: number;
  readonly writer: string;
  readonly k: string;
}

export function byOrder(a: Ordered, b: Ordered): number {
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  if (a.writer !== b.writer) return a.writer < b.writer ? -1 : 1;
  return a.k < b.k ? -1 : a.k > b.k ? 1 : 0;
}

/** The index of the first entry that is not before `e` in the order. */
export function lowerBound(sorted: readonly Entry[], e: Ordered): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (byOrder(sorted[mid], e) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The index of the first entry whose Lamport time is above `time`. */
export function afterTime(sorted: readonly Entry[], time: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid].time <= time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * `sorted` with `added` (entries not in it; in any order unless `addedSorted`) merged in. Returns `sorted` itself, extended,
 * when everything goes at the end; otherwise a new array (so that iterators over the old one keep
 * seeing a consistent snapshot).
 */
export function mergeInto(sorted: Entry[], added: Entry[], addedSorted = false): Entry[] {
  if (added.length === 0) return sorted;
  const incoming = added.length === 1 || addedSorted ? added : added.slice().sort(byOrder);
  const n = sorted.length;
  if (n === 0 || byOrder(incoming[0], sorted[n - 1]) > 0) {
    for (const e of incoming) sorted.push(e);
    return sorted;
  }
  const m = incoming.length;
  if (m <= 8) {
    const out = sorted.slice();
    // from the largest down, so the positions below each insertion stay valid
    for (let i = m - 1; i >= 0; i--) out.splice(lowerBound(out, incoming[i]), 0, incoming[i]);
    return out;
  }
  const out: Entry[] = new Array(n + m);
  let i = 0;
  let j = 0;
  let o = 0;
  while (i < n && j < m) out[o++] = byOrder(sorted[i], incoming[j]) < 0 ? sorted[i++] : incoming[j++];
  while (i < n) out[o++] = sorted[i++];
  while (j < m) out[o++] = incoming[j++];
  return out;
}
