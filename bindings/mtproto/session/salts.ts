// Server salts (spec §4.3, service_messages.html "future_salts", api/optimisation). The server keeps
// salts per auth key (not per session: future salts are reusable across sessions) on a fixed grid
// of 30-minute slots, so several server processes sharing a store pick the same slots. The salt of
// slot k is issued from k·1800 and accepted until k·1800 + 3600: a new salt every 30 minutes, each
// valid for an hour, consecutive salts overlapping by half an hour (so "messages with the old salt
// are accepted for a further 1800 s"). valid_until is what the store keeps and future_salts reports.
// Each salt is 64 random bits.
//
// Pure functions over a list of StoredSalt; server/salt-book.ts keeps the list in memory and in the
// AuthKeyStore.

import type { StoredSalt } from '../server/store.js';

/** A new salt every SALT_PERIOD seconds… */
export const SALT_PERIOD = 1800;
/** … each accepted for SALT_LIFETIME seconds. */
export const SALT_LIFETIME = 3600;
/**
 * A client's clock may run a little ahead of ours: a future salt is accepted this many seconds
 * before its valid_since (the +30 s msg_id window of spec §3).
 */
export const SALT_EARLY = 30;

/** The start of the slot containing `now`. */
export function slotStart(now: number): number {
  return Math.floor(now / SALT_PERIOD) * SALT_PERIOD;
}

/** Whether `salt` is accepted at `now` (Unix seconds). */
export function acceptsSalt(salts: readonly StoredSalt[], salt: bigint, now: number): boolean {
  const s = BigInt.asIntN(64, salt);
  return salts.some((x) => x.salt === s && x.validSince - SALT_EARLY <= now && now < x.validUntil);
}

/**
 * The salt to hand out at `now`: the newest already valid. Two processes of a fleet may both fill
 * a slot; every process then picks the same one (the smaller value).
 */
export function currentSalt(salts: readonly StoredSalt[], now: number): StoredSalt | undefined {
  let best: StoredSalt | undefined;
  for (const x of salts) {
    if (!(x.validSince <= now && now < x.validUntil)) continue;
    if (best === undefined || x.validSince > best.validSince || (x.validSince === best.validSince && x.salt < best.salt)) best = x;
  }
  return best;
}

/** The salts to add so that `count` consecutive slots from the one containing `now` each have one. */
export function missingSalts(salts: readonly StoredSalt[], now: number, count: number, random: (n: number) => Uint8Array): StoredSalt[] {
  const added: StoredSalt[] = [];
  const first = slotStart(now);
  for (let k = 0; k < count; k++) {
    const since = first + k * SALT_PERIOD;
    if (salts.some((x) => x.validSince === since)) continue;
    const bytes = random(8);
    const salt = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigInt64(0, true);
    added.push({ validSince: since, validUntil: since + SALT_LIFETIME, salt });
  }
  return added;
}

/** Up to `count` salts, one per slot from the one containing `now`, in time order (future_salts). */
export function futureSalts(salts: readonly StoredSalt[], now: number, count: number): StoredSalt[] {
  const first = slotStart(now);
  const bySlot = new Map<number, StoredSalt>();
  for (const x of salts) {
    if (x.validSince < first) continue;
    const prior = bySlot.get(x.validSince);
    if (prior === undefined || x.salt < prior.salt) bySlot.set(x.validSince, x);
  }
  return [...bySlot.values()].sort((a, b) => a.validSince - b.validSince).slice(0, count);
}

/** The salts still accepted at `now` or later. */
export function liveSalts(salts: readonly StoredSalt[], now: number): StoredSalt[] {
  return salts.filter((x) => now < x.validUntil);
}
