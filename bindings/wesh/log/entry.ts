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
import { CID_LENGTH, toCid } from './cid.js';
import { viewOf } from './views.js';

/** A link in `next`: tag 42, bytes(37), the identity multibase prefix (LINK_HEAD_LENGTH bytes), then the CID. */
export const LINK_HEAD_LENGTH = 5;
const LINK = LINK_HEAD_LENGTH + CID_LENGTH;

/** The bytes `"signature"` key + the bytes(64) header + the signature add at the end of a block. */
export const SIGNATURE_TAIL = 1 + 9 + 2 + 64;
/** The signature: the last bytes of every block. */
export const SIGNATURE_LENGTH = 64;

export interface LamportClock {
  /** The writer id: the writer's public key bytes. */
  readonly id: Uint8Array;
  readonly time: number;
}

export class Entry {
  /** @internal the binary string of the CID bytes (Map key). */
  readonly k: string;
  /** @internal the binary string of the writer key (shared by a writer's entries; order.ts). */
  readonly writer: string;
  /** @internal binary-string keys of the parents, in `next` order. */
  readonly nextKeys: readonly string[];
  #cid: CID | undefined;
  #next: CID[] | undefined;
  #payload: Uint8Array | undefined;
  #nextBytes: Uint8Array[] | undefined;
  #signature: Uint8Array | undefined;
  #clock: LamportClock | undefined;
  readonly #linksAt: number;
  readonly #payloadAt: number;
  readonly #payloadLength: number;

  /** @internal built only by decodeEntry(), which checked every field. */
  constructor(
    /** The CID bytes (36: CIDv1, dag-cbor, sha2-256). */
    readonly cidBytes: Uint8Array,
    /** The whole block, as stored and sent. */
    readonly bytes: Uint8Array,
    readonly logId: string,
    /** The writer's public key (= clock.id). */
    readonly key: Uint8Array,
    /** @internal the Lamport time (clock.time). */
    readonly time: number,
    /** Where the payload is in `bytes` (its view is made when first read). */
    payloadAt: number,
    payloadLength: number,
    /** Where the first parent link is in `bytes` (the views of nextBytes are made when first read). */
    linksAt: number,
    k: string,
    writer: string,
    nextKeys: readonly string[],
  ) {
    this.k = k;
    this.writer = writer;
    this.nextKeys = nextKeys;
    this.#payloadAt = payloadAt;
    this.#payloadLength = payloadLength;
    this.#linksAt = linksAt;
  }

  /** The parents' CID bytes: views of `bytes`, in `next` order. */
  get nextBytes(): readonly Uint8Array[] {
    return (this.#nextBytes ??= this.nextKeys.map((_, i) => {
      const at = this.#linksAt + i * LINK + LINK_HEAD_LENGTH;
      return viewOf(this.bytes, at, at + CID_LENGTH);
    }));
  }

  // The views and objects below are made when first read: a merge of 50,000 entries that nobody
  // reads yet would otherwise keep four more objects per entry alive (heap the garbage collector
  // copies and the process has to map).

  /** The Lamport clock: { id: the writer key, time }. */
  get clock(): LamportClock {
    return (this.#clock ??= { id: this.key, time: this.time });
  }

  /** The Ed25519 signature (the last 64 bytes of the block): a view of `bytes`. */
  get signature(): Uint8Array {
    return (this.#signature ??= viewOf(this.bytes, this.bytes.length - SIGNATURE_LENGTH, this.bytes.length));
  }

  /** The opaque payload (the sealed Wesh envelope): a view of `bytes`. */
  get payload(): Uint8Array {
    return (this.#payload ??= viewOf(this.bytes, this.#payloadAt, this.#payloadAt + this.#payloadLength));
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
