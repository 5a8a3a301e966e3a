// Entries whose parents have not arrived yet, and the settling of new entries into a log.
//
// An entry is accepted only when every parent is in the log, so the log is always closed under
// `next` and entries enter it in topological order (parents first). An entry with a missing parent is
// held here, in a bounded set, under the key of each parent it waits for; when that parent arrives,
// its waiting descendants are settled with it. Nothing held here is stored or shown: it has been
// decoded and its signature verified, but it is not part of the log.

import type { Entry } from './entry.js';
import { WeshLogError } from './errors.js';
import { byOrder } from './order.js';

export class PendingSet {
  /** Held entries by CID key. */
  readonly entries = new Map<string, Entry>();
  /** A parent's CID key → the keys of held entries waiting for it. */
  readonly waiting = new Map<string, Set<string>>();

  constructor(readonly max: number) {}

  get size(): number {
    return this.entries.size;
  }

  has(k: string): boolean {
    return this.entries.has(k);
  }

  /** Holds `e`, registered under each parent `inLog` does not know; false (nothing held) when full. */
  hold(e: Entry, inLog: (k: string) => boolean): boolean {
    if (this.entries.has(e.k)) return true;
    if (this.entries.size >= this.max) return false;
    this.entries.set(e.k, e);
    for (const p of e.nextKeys) {
      if (inLog(p)) continue;
      let s = this.waiting.get(p);
      if (!s) this.waiting.set(p, (s = new Set()));
      s.add(e.k);
    }
    return true;
  }

  /** Forgets `e` (accepted or refused). */
  release(e: Entry): void {
    if (this.entries.size === 0 || !this.entries.delete(e.k)) return; // (the usual case of a merge: nothing held)
    for (const p of e.nextKeys) {
      const s = this.waiting.get(p);
      if (s && s.delete(e.k) && s.size === 0) this.waiting.delete(p);
    }
  }

  /** `k` entered the log: nobody waits for it any more. */
  arrived(k: string): void {
    if (this.waiting.size !== 0) this.waiting.delete(k);
  }

  /** Held entries that wait, directly or through other held entries, for any of `keys`. */
  dependentsOf(keys: Iterable<string>): Entry[] {
    if (this.entries.size === 0) return [];
    const out: Entry[] = [];
    const seen = new Set<string>();
    const queue = [...keys];
    while (queue.length > 0) {
      const kids = this.waiting.get(queue.pop()!);
      if (!kids) continue;
      for (const kid of kids) {
        if (seen.has(kid)) continue;
        seen.add(kid);
        out.push(this.entries.get(kid)!);
        queue.push(kid);
      }
    }
    return out;
  }

  /** CID keys that held entries wait for and that are nowhere: what to fetch. */
  missing(): string[] {
    const out: string[] = [];
    for (const k of this.waiting.keys()) if (!this.entries.has(k)) out.push(k);
    return out;
  }
}

export interface Settled {
  /** In the total order (which is also a topological order: a parent's time is below its children's). */
  readonly accepted: Entry[];
  readonly refused: { entry: Entry; error: WeshLogError }[];
  /** Still waiting for a parent that is neither in the log nor among the candidates. */
  readonly held: Entry[];
  /** The accepted entries no accepted entry names as parent: the log's new heads among them. */
  readonly childless: Entry[];
  /** Keys of entries already in the log that accepted entries name as parents (no longer heads; may repeat). */
  readonly parentsInLog: string[];
}

const ACCEPTED = 1;
const REFUSED = 2;
const HELD = 3;

/**
 * How far back settle() looks for a parent among the sorted candidates before it builds a map of
 * them: a parent sorts before its child and, in a chain of appends (or a few concurrent ones, which
 * interleave by time), usually right before it. Binary-string keys whose hashes are computed compare
 * unequal in constant time, so a miss costs little.
 */
const NEAR = 8;

/**
 * Which candidates (entries not in the log, each once) can enter the log now. A valid entry's time is
 * above each parent's, so the total order (time first) is a topological order: one pass over the
 * candidates sorted by order key decides each from its parents' fate — all in the log or accepted
 * earlier in the pass: accepted; a parent refused: refused ('invalid-parent'); a parent held or
 * nowhere: held. A parent whose time is not below the child's (in the log, or a candidate the pass
 * has not reached) refuses the child ('clock'). O(m log m) for the sort, which the merge into the
 * ordered list then reuses, plus O(links).
 *
 * It also finds what the heads become (`childless`, `parentsInLog`), from the parents it resolves
 * anyway, so that the commit need not put every accepted entry in the heads map and take it out again.
 */
export function settle(candidates: readonly Entry[], lookup: (k: string) => Entry | undefined): Settled {
  const sorted = isSorted(candidates) ? candidates : candidates.slice().sort(byOrder);
  const m = sorted.length;
  // fate[i] of sorted[i]: 0 not reached yet, else ACCEPTED / REFUSED / HELD; named[i]: an accepted
  // candidate names it as parent
  const fate = new Uint8Array(m);
  const named = new Uint8Array(m);
  // candidate key → its index in `sorted`, made only when a parent is not found near (NEAR)
  let indexOf: Map<string, number> | undefined;
  /** The index in `sorted` of the candidate with key `p`, looked for just before `ci` first; or -1. */
  const candidateIndex = (p: string, ci: number): number => {
    for (let j = ci - 1; j >= 0 && j >= ci - NEAR; j--) if (sorted[j].k === p) return j;
    if (indexOf === undefined) {
      indexOf = new Map();
      for (let i = 0; i < m; i++) indexOf.set(sorted[i].k, i);
    }
    return indexOf.get(p) ?? -1;
  };
  // the resolved parents of the candidate being decided (index in `sorted`, or -1: in the log),
  // recorded until its verdict so that only an accepted child marks them
  let parents = new Int32Array(16);
  const accepted: Entry[] = [];
  const refused: { entry: Entry; error: WeshLogError }[] = [];
  const held: Entry[] = [];
  const parentsInLog: string[] = [];
  for (let ci = 0; ci < m; ci++) {
    const c = sorted[ci];
    const links = c.nextKeys;
    if (links.length > parents.length) parents = new Int32Array(links.length);
    let verdict = ACCEPTED;
    let why: WeshLogError | undefined;
    for (let li = 0; li < links.length; li++) {
      const p = links[li];
      // (a key is never both in the log and a candidate: intake drops what the log holds)
      let pi = ci > 0 && sorted[ci - 1].k === p ? ci - 1 : -1; // the usual case, before any lookup
      if (pi < 0) {
        const parent = lookup(p);
        if (parent !== undefined) {
          if (parent.time >= c.time) {
            verdict = REFUSED;
            why = new WeshLogError('clock', 'clock time not above a parent\'s');
            break;
          }
          parents[li] = -1;
          continue;
        }
        pi = candidateIndex(p, ci);
        if (pi < 0) {
          verdict = HELD; // nowhere; keep looking: a refused or clock-violating parent wins
          continue;
        }
      }
      const f = fate[pi];
      if (f === ACCEPTED) {
        // accepted earlier in the pass: its order key is lower, but its time may be equal
        if (sorted[pi].time < c.time) {
          parents[li] = pi;
          continue;
        }
        verdict = REFUSED;
        why = new WeshLogError('clock', 'clock time not above a parent\'s');
        break;
      }
      if (f === 0) {
        // a candidate the pass has not reached: its time is not below ours
        verdict = REFUSED;
        why = new WeshLogError('clock', 'clock time not above a parent\'s');
        break;
      }
      if (f === REFUSED) {
        verdict = REFUSED;
        why = new WeshLogError('invalid-parent', 'a parent was refused');
        break;
      }
      verdict = HELD; // held; keep looking: a refused or clock-violating parent wins
    }
    fate[ci] = verdict;
    if (verdict === ACCEPTED) {
      accepted.push(c);
      for (let li = 0; li < links.length; li++) {
        const pi = parents[li];
        if (pi >= 0) named[pi] = 1;
        else parentsInLog.push(links[li]);
      }
    } else if (verdict === HELD) held.push(c);
    else refused.push({ entry: c, error: why! });
  }
  const childless: Entry[] = [];
  for (let i = 0; i < m; i++) if (fate[i] === ACCEPTED && named[i] === 0) childless.push(sorted[i]);
  return { accepted, refused, held, childless, parentsInLog };
}

/** Whether the entries are already in the total order (a log's own list, handed to another replica, is). */
function isSorted(list: readonly Entry[]): boolean {
  for (let i = 1; i < list.length; i++) if (byOrder(list[i - 1], list[i]) >= 0) return false;
  return true;
}
