// Device message chains (reference §8): our own sending chain, and for every other device of the
// group a window of precomputed message keys (weshnet precomputes 100). A message key is used once
// and deleted; each use derives one more key at the end of the window, so a device may send up to
// WINDOW messages that we have not seen yet (lost, or still on their way) and we still open the rest.

import type { CryptoProvider } from '../../provider/types.js';
import { WeshError } from '../errors.js';
import { ratchet } from '../crypto/ratchet.js';

/** weshnet's PrecomputeMessageKeyCount. */
export const WINDOW = 100;

/** Our device's chain: the chain key after `counter` messages. */
export class OwnChain {
  #chainKey: Uint8Array;
  #counter: bigint;

  constructor(private readonly provider: CryptoProvider, private readonly groupPublicKey: Uint8Array, chainKey: Uint8Array, counter = 0n) {
    this.#chainKey = chainKey.slice();
    this.#counter = counter;
  }

  /** How many messages this chain has sealed. */
  get counter(): bigint {
    return this.#counter;
  }

  /**
   * The message key of a later counter without moving the chain (to recognise a message of ours
   * sealed by a newer copy of this state); undefined beyond `maxAhead` steps.
   */
  keyAhead(counter: bigint, maxAhead = 10_000): Uint8Array | undefined {
    const steps = counter - this.#counter;
    if (steps < 1n || steps > BigInt(maxAhead)) return undefined;
    const r = ratchet(this.provider, this.#chainKey, this.groupPublicKey, Number(steps));
    r.chainKey.fill(0);
    const key = r.messageKeys[r.messageKeys.length - 1];
    for (const k of r.messageKeys.slice(0, -1)) k.fill(0);
    return key;
  }

  /** The state a new member receives in a secret entry: it can open our messages from counter + 1 on. */
  get state(): { chainKey: Uint8Array; counter: bigint } {
    return { chainKey: this.#chainKey.slice(), counter: this.#counter };
  }

  /** The counter and message key of our next message; the chain moves on. */
  next(): { counter: bigint; messageKey: Uint8Array } {
    const r = ratchet(this.provider, this.#chainKey, this.groupPublicKey, 1);
    this.#chainKey.fill(0);
    this.#chainKey = r.chainKey;
    this.#counter += 1n;
    return { counter: this.#counter, messageKey: r.messageKeys[0] };
  }

  dispose(): void {
    this.#chainKey.fill(0);
  }
}

/** A PeerChain's saved form: the chain key at `last` and the keys still in the window. */
export interface PeerChainState {
  readonly chainKey: Uint8Array;
  readonly last: bigint;
  readonly keys: readonly (readonly [bigint, Uint8Array])[];
}

/** Another device's chain as we can open it: precomputed keys for the counters after `counter`. */
export class PeerChain {
  #chainKey: Uint8Array;
  /** The counter whose chain key #chainKey is (keys exist up to it). */
  #last: bigint;
  readonly #keys = new Map<bigint, Uint8Array>();

  constructor(private readonly provider: CryptoProvider, private readonly groupPublicKey: Uint8Array, chainKey: Uint8Array, counter: bigint, saved?: PeerChainState['keys']) {
    this.#chainKey = chainKey.slice();
    this.#last = counter;
    if (saved) for (const [c, k] of saved) this.#keys.set(c, k.slice());
    else this.#extend(WINDOW);
  }

  static restore(provider: CryptoProvider, groupPublicKey: Uint8Array, s: PeerChainState): PeerChain {
    return new PeerChain(provider, groupPublicKey, s.chainKey, s.last, s.keys);
  }

  get state(): PeerChainState {
    return { chainKey: this.#chainKey.slice(), last: this.#last, keys: [...this.#keys].map(([c, k]) => [c, k.slice()] as const) };
  }

  #extend(steps: number): void {
    const r = ratchet(this.provider, this.#chainKey, this.groupPublicKey, steps);
    for (const mk of r.messageKeys) this.#keys.set(++this.#last, mk);
    this.#chainKey.fill(0);
    this.#chainKey = r.chainKey;
  }

  /**
   * The message key of `counter`, left in the window until consume(): a message that fails to open
   * must not burn the key of the genuine one. WeshError('wrong-counter') for a counter already used
   * or outside the window.
   */
  keyFor(counter: bigint): Uint8Array {
    const mk = this.#keys.get(counter);
    if (mk === undefined) throw new WeshError('wrong-counter', `no message key for counter ${counter} (used already, or outside the window)`);
    return mk;
  }

  /** Whether the window still holds the key of `counter`. */
  has(counter: bigint): boolean {
    return this.#keys.has(counter);
  }

  /** Deletes the key of `counter` (its message opened) and derives one more at the end of the window. */
  consume(counter: bigint): void {
    this.#keys.get(counter)?.fill(0);
    if (this.#keys.delete(counter)) this.#extend(1);
  }

  dispose(): void {
    this.#chainKey.fill(0);
    for (const k of this.#keys.values()) k.fill(0);
    this.#keys.clear();
  }
}
