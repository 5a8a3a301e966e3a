// Receipt checks on msg_id that need session state (spec §3 items 5 and 6), as small pure helpers
// for the session layer: the time a msg_id carries, the −300 s / +30 s window around a clock the
// caller supplies, and the duplicate / replay window over the last 1000 ids (TDLib
// MessageIdDuplicateChecker<1000>, mtcute message-id-store.ts).

/** Ids remembered per session (TDLib and mtcute both keep 1000). */
export const MSG_ID_WINDOW_SIZE = 1000;
/** A msg_id more than this many seconds in the past is ignored (spec §3 item 6). */
export const MSG_ID_MAX_AGE = 300;
/** … or more than this many seconds in the future. */
export const MSG_ID_MAX_AHEAD = 30;

/** Unix time in whole seconds carried by a msg_id: its upper 32 bits (spec §4.1). */
export function msgIdTime(msgId: bigint): number {
  if (typeof msgId !== 'bigint') throw new TypeError(`msgIdTime: msgId must be a bigint, got ${typeof msgId}`);
  return Number(BigInt.asUintN(64, msgId) >> 32n);
}

/**
 * Whether msgId's time is within [now − 300 s, now + 30 s], `nowSeconds` being the receiver's
 * estimate of the sender's clock (a client adds its server-time offset, spec §4.4; TDLib applies the
 * rule on a client only once that offset is known).
 */
export function isMsgIdInTimeWindow(msgId: bigint, nowSeconds: number): boolean {
  if (typeof nowSeconds !== 'number' || !Number.isFinite(nowSeconds)) throw new TypeError('isMsgIdInTimeWindow: nowSeconds must be a finite number');
  const t = msgIdTime(msgId);
  return t >= nowSeconds - MSG_ID_MAX_AGE && t <= nowSeconds + MSG_ID_MAX_AHEAD;
}

/** What receiving a msg_id would be (MsgIdWindow.status). */
export type ReceivedStatus = 'new' | 'duplicate' | 'too-old';

/**
 * The last `capacity` msg_ids received in one session (spec §3 item 5; TDLib's
 * MessageIdDuplicateChecker<1000>). An id already seen is a duplicate; once the window is full an id
 * below all remembered ones is too old (it may have been seen and forgotten; bad_msg_notification 20
 * on a server). While the window is not full nothing was forgotten, so an id that is merely old but
 * unseen is still new. Ids are ordered as unsigned 64-bit values (time order). status() changes
 * nothing, so a session can check a message and reject it with its state untouched.
 */
export class MsgIdWindow {
  readonly capacity: number;
  readonly #ids: bigint[] = []; // ascending, unsigned

  constructor(capacity: number = MSG_ID_WINDOW_SIZE) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`MsgIdWindow: capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
  }

  get size(): number {
    return this.#ids.length;
  }

  /** The index of the first remembered id ≥ id. */
  #lowerBound(id: bigint): number {
    let lo = 0, hi = this.#ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#ids[mid]! < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** What receiving msgId now would be; changes nothing. */
  status(msgId: bigint): ReceivedStatus {
    const id = unsigned(msgId, 'MsgIdWindow.status');
    const ids = this.#ids;
    const i = this.#lowerBound(id);
    if (i < ids.length && ids[i] === id) return 'duplicate';
    if (ids.length === this.capacity && id < ids[0]!) return 'too-old';
    return 'new';
  }

  /** Whether msgId is remembered. */
  has(msgId: bigint): boolean {
    return this.status(msgId) === 'duplicate';
  }

  /** Remembers msgId and returns true, or returns false (and remembers nothing) for a duplicate or a too-old id. */
  accept(msgId: bigint): boolean {
    if (this.status(msgId) !== 'new') return false;
    const id = BigInt.asUintN(64, msgId);
    this.#ids.splice(this.#lowerBound(id), 0, id);
    if (this.#ids.length > this.capacity) this.#ids.shift();
    return true;
  }

  /**
   * The status byte of msgs_state_info for an id of the peer's (spec §7.4, without flags):
   * 1 nothing known (below the window), 2 not received, 3 not received (above everything seen),
   * 4 received.
   */
  stateOf(msgId: bigint): 1 | 2 | 3 | 4 {
    const status = this.status(msgId);
    if (status === 'duplicate') return 4;
    if (status === 'too-old') return 1;
    const ids = this.#ids;
    if (ids.length === 0 || BigInt.asUintN(64, msgId) > ids[ids.length - 1]!) return 3;
    return 2;
  }
}

function unsigned(msgId: bigint, fn: string): bigint {
  if (typeof msgId !== 'bigint') throw new TypeError(`${fn}: msgId must be a bigint, got ${typeof msgId}`);
  return BigInt.asUintN(64, msgId);
}
