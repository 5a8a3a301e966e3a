// msg_id generation (spec §4.1). A msg_id is roughly unixtime × 2^32: the upper 32 bits hold the
// second, the lower 32 bits the fraction of it (never zero), and the low two bits say who sent it:
//   client              ≡ 0 (mod 4)
//   server, a response  ≡ 1 (mod 4)   (rpc_result, pong, future_salts, msgs_state_info …)
//   server, otherwise   ≡ 3 (mod 4)   (new_session_created, msgs_ack, containers, bad_msg …)
// Ids strictly increase within a session whatever the clock does: when the clock stalls or goes
// back, the next id is the last one plus 4. The clock is the sender's estimate of the *server's*
// time: a client adds the offset learnt from the handshake or from bad_msg_notification 16/17
// (spec §4.4); the server's offset is 0.

import type { Clock } from '../auth/types.js';
import { systemClock } from '../auth/types.js';

export type MsgIdRole = 'client' | 'server';

/** What a server message is, for its low bits: an answer to a client message, or anything else. */
export type ServerMsgKind = 'response' | 'other';

const LOW_MASK = 0xffffffffn;

export class MsgIdGenerator {
  readonly role: MsgIdRole;
  readonly #now: Clock;
  #offset = 0;
  #last = 0n; // unsigned, low two bits cleared

  constructor(role: MsgIdRole, now: Clock = systemClock) {
    if (role !== 'client' && role !== 'server') throw new TypeError(`MsgIdGenerator: role must be 'client' or 'server', got ${String(role)}`);
    if (typeof now !== 'function') throw new TypeError('MsgIdGenerator: now must be a function');
    this.role = role;
    this.#now = now;
  }

  /** Seconds added to the local clock (server time − local time). */
  get timeOffset(): number {
    return this.#offset;
  }

  set timeOffset(seconds: number) {
    if (typeof seconds !== 'number' || !Number.isFinite(seconds)) throw new TypeError('MsgIdGenerator.timeOffset must be a finite number');
    this.#offset = seconds;
  }

  /** The sender's estimate of the server's Unix time, in (fractional) seconds. */
  serverNow(): number {
    return this.#now() + this.#offset;
  }

  /** The last id handed out (0n before the first), as a signed TL long. */
  get last(): bigint {
    return BigInt.asIntN(64, this.#last);
  }

  /**
   * Makes every later id greater than `id` (a signed TL long): a server taking over messages another
   * process sent in a session (server/held.ts) numbers on after them even if its clock is behind,
   * so a container re-sending them still has the greater msg_id (spec §4.1).
   */
  advancePast(id: bigint): void {
    if (typeof id !== 'bigint') throw new TypeError('MsgIdGenerator.advancePast: id must be a bigint');
    const u = BigInt.asUintN(64, id) & ~3n;
    if (u > this.#last) this.#last = u;
  }

  /**
   * The next msg_id, as a signed TL long. `kind` is for the server only (default 'other'); a
   * client's ids are always ≡ 0 mod 4.
   */
  next(kind: ServerMsgKind = 'other'): bigint {
    if (kind !== 'response' && kind !== 'other') throw new TypeError(`MsgIdGenerator.next: kind must be 'response' or 'other', got ${String(kind)}`);
    const t = this.serverNow();
    const seconds = Math.floor(t);
    // The fraction of the second in the low 32 bits, low two bits cleared, never zero.
    let fraction = BigInt(Math.floor((t - seconds) * 2 ** 32)) & (LOW_MASK ^ 3n);
    if (fraction === 0n) fraction = 4n;
    let id = (BigInt(seconds) << 32n) | fraction;
    if (id <= this.#last) id = this.#last + 4n;
    this.#last = id;
    const low = this.role === 'client' ? 0n : kind === 'response' ? 1n : 3n;
    return BigInt.asIntN(64, id | low);
  }
}
