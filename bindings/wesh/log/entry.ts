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
/**
 * Where the writer key is in every block: after the map header (1 byte), "v" (2), 1 (1), "key" (4)
 * and the bytes(32) header (2), all of fixed length in the one canonical layout decodeEntry accepts.
 */
export const KEY_AT = 10;

export interface LamportClock {
  /** The writer id: the writer's public key bytes. */
  readonly id: Uint8Array;
  readonly time: number;
}

/**
 * @internal Whether `e` passed every intake check, signature included, in this process (so that an
 * Entry handed from one replica to another is not verified twice), and the mark that says so. A
 * private field rather than a WeakSet: a WeakSet of 50,000 entries costs a hash table insertion per
 * entry and weak-table work at every garbage collection, where the field is one store. It is private
 * to this class: nothing outside this module can set it, nor copy it to an object that did not come
 * out of intake (an object built some other way, even with Entry.prototype, has no such field).
 */
export let isVerified: (e: Entry) => boolean;
export let markVerified: (e: Entry) => void;

/** What an Entry makes when first read (see below). */
interface Derived {
  key: Uint8Array | undefined;
  nextBytes: Uint8Array[] | undefined;
  clock: LamportClock | undefined;
  signature: Uint8Array | undefined;
  payload: Uint8Array | undefined;
  cid: CID | undefined;
  next: CID[] | undefined;
}

export class Entry {
  /** @internal the binary string of the CID bytes (Map key). */
  readonly k: string;
  /** @internal the binary string of the writer key (shared by a writer's entries; order.ts). */
  readonly writer: string;
  /** @internal binary-string keys of the parents, in `next` order. */
  readonly nextKeys: readonly string[];
  #derived: Derived | undefined;
  readonly #linksAt: number;
  readonly #payloadAt: number;
  readonly #payloadLength: number;
  #verified = false;

  static {
    isVerified = (e) => #verified in e && e.#verified;
    markVerified = (e) => {
      e.#verified = true;
    };
  }

  /** @internal built only by decodeEntry(), which checked every field. */
  constructor(
    /** The CID bytes (36: CIDv1, dag-cbor, sha2-256). */
    readonly cidBytes: Uint8Array,
    /** The whole block, as stored and sent. */
    readonly bytes: Uint8Array,
    readonly logId: string,
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

  // The views and objects below are made when first read (and kept, so that each read returns the
  // same object): a merge of 50,000 entries that nobody reads yet would otherwise keep seven more
  // objects per entry alive (heap the garbage collector copies and the process has to map), and
  // they are kept in one side object, made at the first read, rather than in seven fields of every
  // entry (56 bytes each, read or not). The checks of a merge need no key view per entry: they get
  // one array per writer (decode.ts writerKeyOf).

  #made(): Derived {
    return (this.#derived ??= { key: undefined, nextBytes: undefined, clock: undefined, signature: undefined, payload: undefined, cid: undefined, next: undefined });
  }

  /** The parents' CID bytes: views of `bytes`, in `next` order. */
  get nextBytes(): readonly Uint8Array[] {
    const d = this.#made();
    return (d.nextBytes ??= this.nextKeys.map((_, i) => {
      const at = this.#linksAt + i * LINK + LINK_HEAD_LENGTH;
      return viewOf(this.bytes, at, at + CID_LENGTH);
    }));
  }

  /** The writer's public key (= clock.id): a view of `bytes`. */
  get key(): Uint8Array {
    const d = this.#made();
    return (d.key ??= viewOf(this.bytes, KEY_AT, KEY_AT + 32));
  }

  /** The Lamport clock: { id: the writer key, time }. */
  get clock(): LamportClock {
    const d = this.#made();
    return (d.clock ??= { id: this.key, time: this.time });
  }

  /** The Ed25519 signature (the last 64 bytes of the block): a view of `bytes`. */
  get signature(): Uint8Array {
    const d = this.#made();
    return (d.signature ??= viewOf(this.bytes, this.bytes.length - SIGNATURE_LENGTH, this.bytes.length));
  }

  /** The opaque payload (the sealed Wesh envelope): a view of `bytes`. */
  get payload(): Uint8Array {
    const d = this.#made();
    return (d.payload ??= viewOf(this.bytes, this.#payloadAt, this.#payloadAt + this.#payloadLength));
  }

  get cid(): CID {
    const d = this.#made();
    return (d.cid ??= toCid(this.cidBytes));
  }

  get next(): readonly CID[] {
    const d = this.#made();
    return (d.next ??= this.nextBytes.map(toCid));
  }

  /** The bytes the signature covers: the canonical encoding of the entry without `signature`. */
  unsignedBytes(): Uint8Array {
    const b = this.bytes;
    const out = b.slice(0, b.length - SIGNATURE_TAIL);
    out[0] = 0xa6; // map of 6 entries instead of 7
    return out;
  }
}
