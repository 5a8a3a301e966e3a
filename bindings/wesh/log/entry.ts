// One entry of a replicated log, as decoded from its block. Layout (dag-cbor, canonical: map keys
// sorted by length then bytes, minimal lengths, no indefinite items):
//
//   { v: 1,                                    version of this layout
//     key: bytes(32),                          the writer's Ed25519 public key
//     log: text,                               the log id (Wesh: "<hex gpk>_wesh_group_messages", ...)
//     next: [CID, ...],                        the heads seen at append time, sorted by bytes, no duplicates
//     clock: { id: bytes(32), time: uint },    Lamport clock; id = key (all group members share it)
//     payload: bytes,                          opaque: the sealed Wesh envelope (never decrypted here)
//     signature: bytes(64) }                   Ed25519 over the same map without `signature`
//
// `signature` has the longest key, so it is the last field of the canonical encoding, and the signed
// bytes are the block with its map header changed from 7 to 6 entries and its last 76 bytes removed
// (unsignedBytes below); the tests check this equals dag-cbor's encoding of the map without it.

import type { CID } from 'multiformats/cid';
import { toCid } from './cid.js';

/** The bytes `"signature"` key + the bytes(64) header + the signature add at the end of a block. */
export const SIGNATURE_TAIL = 1 + 9 + 2 + 64;

export interface LamportClock {
  /** The writer id: the writer's public key bytes. */
  readonly id: Uint8Array;
  readonly time: number;
}

export class Entry {
  /** @internal the binary string of the CID bytes (Map key). */
  readonly k: string;
  /** @internal the total-order key: time ‖ writer ‖ CID (keys.ts). */
  readonly order: string;
  /** @internal binary-string keys of the parents, in `next` order. */
  readonly nextKeys: readonly string[];
  #cid: CID | undefined;
  #next: CID[] | undefined;

  /** @internal built only by decodeEntry(), which checked every field. */
  constructor(
    /** The CID bytes (36: CIDv1, dag-cbor, sha2-256). */
    readonly cidBytes: Uint8Array,
    /** The whole block, as stored and sent. */
    readonly bytes: Uint8Array,
    readonly logId: string,
    /** The writer's public key (= clock.id). */
    readonly key: Uint8Array,
    readonly clock: LamportClock,
    readonly payload: Uint8Array,
    /** The parents' CID bytes. */
    readonly nextBytes: readonly Uint8Array[],
    readonly signature: Uint8Array,
    k: string,
    order: string,
    nextKeys: readonly string[],
  ) {
    this.k = k;
    this.order = order;
    this.nextKeys = nextKeys;
  }

  get cid(): CID {
    return (this.#cid ??= toCid(this.cidBytes));
  }

  get next(): readonly CID[] {
    return (this.#next ??= this.nextBytes.map(toCid));
  }

  /** The bytes the signature covers: the canonical encoding of the entry without `signature`. */
  unsignedBytes(): Uint8Array {
    const b = this.bytes;
    const out = b.slice(0, b.length - SIGNATURE_TAIL);
    out[0] = 0xa6; // map of 6 entries instead of 7
    return out;
  }
}
