// The total order (spec §10, §14 #9): Lamport time, then writer id bytes, then CID bytes — every
// entry's precomputed order key (keys.ts), so one string comparison decides. The log keeps its
// entries in one array sorted by that key; new entries are sorted among themselves (m log m) and
// merged in: pushed when they all come after the last entry (the usual append), inserted by binary
// search when few, else merged as two sorted runs in one pass (n + m). The key is unique (it ends
// with the CID), so the result does not depend on the order entries arrived in.

import type { Entry } from './entry.js';

export function byOrder(a: Entry, b: Entry): number {
  return a.order < b.order ? -1 : a.order > b.order ? 1 : 0;
}

/** The index of the first entry whose key is ≥ `key`. */
export function lowerBound(sorted: readonly Entry[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid].order < key) lo = mid + 1;
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
  if (n === 0 || incoming[0].order > sorted[n - 1].order) {
    for (const e of incoming) sorted.push(e);
    return sorted;
  }
  const m = incoming.length;
  if (m <= 8) {
    const out = sorted.slice();
    // from the largest down, so the positions below each insertion stay valid
    for (let i = m - 1; i >= 0; i--) out.splice(lowerBound(out, incoming[i].order), 0, incoming[i]);
    return out;
  }
  const out: Entry[] = new Array(n + m);
  let i = 0;
  let j = 0;
  let o = 0;
  while (i < n && j < m) out[o++] = sorted[i].order < incoming[j].order ? sorted[i++] : incoming[j++];
  while (i < n) out[o++] = sorted[i++];
  while (j < m) out[o++] = incoming[j++];
  return out;
}
