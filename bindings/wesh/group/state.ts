// A group's device state, saved so that a restarted device continues where it left off: our chain
// (key and counter), the members we have sent it to (re-sending a *different* chain key to the
// same member would reuse the fixed box nonce, reference §14 #6) and the other devices' chains with
// the keys left in their windows. The key of each message read is saved on its own (onReadKey), so
// a save does not grow with the history. dag-cbor, counters as unsigned 64-bit integers; secrets in
// it: keep it where the logs are kept. decodeGroupState is strict: a damaged state is a WeshError,
// never half-used.

import * as cbor from '@ipld/dag-cbor';
import { WeshError } from '../errors.js';
import type { PeerChainState } from './chains.js';

export interface GroupState {
  readonly chainKey: Uint8Array;
  readonly counter: bigint;
  /** Member public keys. */
  readonly sentTo: readonly Uint8Array[];
  /** Device public key → chain. */
  readonly chains: readonly (readonly [Uint8Array, PeerChainState])[];
}

const VERSION = 2;

export function encodeGroupState(s: GroupState): Uint8Array {
  return cbor.encode({
    v: VERSION,
    chainKey: s.chainKey,
    counter: s.counter,
    sentTo: [...s.sentTo],
    chains: s.chains.map(([device, c]) => [device, c.chainKey, c.last, c.keys.map(([n, k]) => [n, k])]),
  });
}

const bytes = (v: unknown, n?: number): Uint8Array => {
  if (!(v instanceof Uint8Array) || (n !== undefined && v.length !== n)) throw new WeshError('invalid-protobuf', 'group state: bad byte string');
  return v;
};
/** A uint64 counter: dag-cbor gives a number up to 2^53 and a bigint beyond. */
const count = (v: unknown): bigint => {
  const n = typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : v;
  if (typeof n !== 'bigint' || n < 0n || n >= 1n << 64n) throw new WeshError('invalid-protobuf', 'group state: bad counter');
  return n;
};
const list = (v: unknown): unknown[] => {
  if (!Array.isArray(v)) throw new WeshError('invalid-protobuf', 'group state: expected a list');
  return v;
};

export function decodeGroupState(data: Uint8Array): GroupState {
  let o: Record<string, unknown>;
  try {
    o = cbor.decode(data) as Record<string, unknown>;
  } catch (err) {
    throw new WeshError('invalid-protobuf', `group state: ${(err as Error).message}`);
  }
  if (typeof o !== 'object' || o === null || o.v !== VERSION) throw new WeshError('invalid-protobuf', 'group state: unknown version');
  return {
    chainKey: bytes(o.chainKey, 32),
    counter: count(o.counter),
    sentTo: list(o.sentTo).map((m) => bytes(m, 32)),
    chains: list(o.chains).map((c) => {
      const [device, chainKey, last, keys] = list(c);
      return [bytes(device, 32), { chainKey: bytes(chainKey, 32), last: count(last), keys: list(keys).map((k) => {
        const [n, key] = list(k);
        return [count(n), bytes(key, 32)] as const;
      }) }] as const;
    }),
  };
}
