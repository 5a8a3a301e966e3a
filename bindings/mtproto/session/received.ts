// The msg_ids a session has received (spec §3 items 5, 7.4): duplicates and too-old ids are
// recognised without changing anything (so a rejected message leaves the session as it was), and
// an accepted id is added afterwards. The same rule as crypto/msg-id.ts MsgIdWindow (TDLib
// MessageIdDuplicateChecker<1000>): the last `capacity` ids are kept; once the window is full an id
// below all of them may have been seen and forgotten, so it is "too old" (bad_msg_notification 20
// on the server). MsgIdWindow only has a mutating accept(); the session needs a pure check first
// and the window's bounds for msgs_state_info, hence this class.

import { MSG_ID_WINDOW_SIZE } from '../crypto/msg-id.js';

export type ReceivedStatus = 'new' | 'duplicate' | 'too-old';

export class ReceivedWindow {
  readonly capacity: number;
  readonly #ids: bigint[] = []; // ascending, unsigned

  constructor(capacity: number = MSG_ID_WINDOW_SIZE) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ReceivedWindow: capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
  }

  get size(): number {
    return this.#ids.length;
  }

  #lowerBound(id: bigint): number {
    const ids = this.#ids;
    let lo = 0, hi = ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ids[mid]! < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** What receiving `msgId` now would be; changes nothing. */
  status(msgId: bigint): ReceivedStatus {
    const id = BigInt.asUintN(64, msgId);
    const ids = this.#ids;
    const i = this.#lowerBound(id);
    if (i < ids.length && ids[i] === id) return 'duplicate';
    if (ids.length === this.capacity && id < ids[0]!) return 'too-old';
    return 'new';
  }

  /** Records an id that status() called new (no effect for one that is not). */
  add(msgId: bigint): void {
    if (this.status(msgId) !== 'new') return;
    const id = BigInt.asUintN(64, msgId);
    this.#ids.splice(this.#lowerBound(id), 0, id);
    if (this.#ids.length > this.capacity) this.#ids.shift();
  }

  /**
   * The status byte of msgs_state_info for an id of the peer's (spec §7.4, without flags):
   * 1 nothing known (below the window), 2 not received, 3 not received (above everything seen),
   * 4 received.
   */
  stateOf(msgId: bigint): 1 | 2 | 3 | 4 {
    const id = BigInt.asUintN(64, msgId);
    const ids = this.#ids;
    const status = this.status(id);
    if (status === 'duplicate') return 4;
    if (status === 'too-old') return 1;
    if (ids.length === 0 || id > ids[ids.length - 1]!) return 3;
    return 2;
  }
}
