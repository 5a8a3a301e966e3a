// Rendezvous points (reference §4; weshnet pkg/rendezvous): where peers announce themselves and look
// for each other, derived so that only those who know the seed can compute them.
//   period_start = floor(unix_seconds / interval) · interval
//   point        = HMAC-SHA256(key = topic ‖ seed, msg = uint64_be(period_start))
// Contact requests: topic = ASCII of base64(raw account public key), seed = the contact's
// public_rendezvous_seed. Group logs: topic = the store address, seed = the group's link key.
//
// Rotation (reference §14 #1, #2): weshnet's default interval is "forever", so its points are static
// (period 0). wirecrypt rotates per the protocol document — points for the current period and, for a
// grace time after each change, the previous one — and, for reachability by stock weshnet peers,
// also the static period-0 point unless told not to. A point expires when its period has ended
// (weshnet's IsExpired is inverted; see the reference).

import { toBase64 } from '../../codec/binary-string.js';
import { bytes, integer } from '../../errors.js';
import type { CryptoProvider } from '../../provider/types.js';

/** weshnet's DefaultRotationInterval: 24 hours. */
export const DEFAULT_ROTATION_SECONDS = 24 * 3600;
/** weshnet's RotationGracePeriod: the previous period's point is still watched this long. */
export const ROTATION_GRACE_SECONDS = 10 * 60;

export function rendezvousPoint(provider: CryptoProvider, topic: Uint8Array, seed: Uint8Array, periodStart: number): Uint8Array {
  bytes(topic, 'wesh.rendezvousPoint', 'topic');
  bytes(seed, 'wesh.rendezvousPoint', 'seed');
  integer(periodStart, 0, Number.MAX_SAFE_INTEGER, 'wesh.rendezvousPoint', 'periodStart');
  const key = new Uint8Array(topic.length + seed.length);
  key.set(topic);
  key.set(seed, topic.length);
  const msg = new Uint8Array(8);
  new DataView(msg.buffer).setBigUint64(0, BigInt(periodStart));
  return provider.hmac('SHA-256', key, msg);
}

/** The start (Unix seconds) of the period of `unixSeconds`, as weshnet's RoundTimePeriod (a negative interval counts as its absolute value). */
export function periodStart(unixSeconds: number, intervalSeconds: number): number {
  integer(unixSeconds, 0, Number.MAX_SAFE_INTEGER, 'wesh.periodStart', 'unixSeconds');
  const interval = Math.abs(integer(intervalSeconds, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'wesh.periodStart', 'intervalSeconds'));
  if (interval === 0) throw new RangeError('wesh.periodStart: intervalSeconds must not be 0');
  return Math.floor(unixSeconds / interval) * interval;
}

/** The topic of an account's contact-request point: the ASCII of base64(raw 32-byte public key). */
export function contactRequestTopic(accountPublicKey: Uint8Array): Uint8Array {
  if (bytes(accountPublicKey, 'wesh.contactRequestTopic', 'accountPublicKey').length !== 32) throw new RangeError('wesh.contactRequestTopic: accountPublicKey must be 32 bytes');
  return new TextEncoder().encode(toBase64(accountPublicKey));
}

export interface RendezvousOptions {
  /** The rotation interval in seconds (default 24 h). */
  intervalSeconds?: number;
  /** How long after a rotation the previous point is still watched (default 10 min). */
  graceSeconds?: number;
  /** Also the static period-0 point that weshnet peers use by default (default true). */
  weshnetCompatible?: boolean;
}

export interface ActivePoint {
  readonly periodStart: number;
  readonly point: Uint8Array;
  /** Unix seconds at which this point stops being announced or watched (Infinity for the static point). */
  readonly expiresAt: number;
}

/**
 * The points to announce and watch at `unixSeconds`: the current period's, the previous period's
 * while within the grace time after the change, and the static one unless weshnetCompatible is false.
 */
export function activePoints(provider: CryptoProvider, topic: Uint8Array, seed: Uint8Array, unixSeconds: number, options: RendezvousOptions = {}): ActivePoint[] {
  const interval = options.intervalSeconds ?? DEFAULT_ROTATION_SECONDS;
  const grace = integer(options.graceSeconds ?? ROTATION_GRACE_SECONDS, 0, Number.MAX_SAFE_INTEGER, 'wesh.activePoints', 'graceSeconds');
  const start = periodStart(unixSeconds, interval);
  const points: ActivePoint[] = [{ periodStart: start, point: rendezvousPoint(provider, topic, seed, start), expiresAt: start + interval }];
  if (start >= interval && unixSeconds < start + grace) {
    points.push({ periodStart: start - interval, point: rendezvousPoint(provider, topic, seed, start - interval), expiresAt: start + grace });
  }
  if ((options.weshnetCompatible ?? true) && points.every((p) => p.periodStart !== 0)) {
    points.push({ periodStart: 0, point: rendezvousPoint(provider, topic, seed, 0), expiresAt: Infinity });
  }
  return points;
}

/** True once a point's time is over (the corrected form of weshnet's inverted IsExpired). */
export function isExpired(point: ActivePoint, unixSeconds: number): boolean {
  return unixSeconds >= point.expiresAt;
}
