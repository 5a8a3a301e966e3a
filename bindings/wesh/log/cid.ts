// Content addresses: CIDv1, dag-cbor codec (0x71), sha2-256 multihash (0x12, 32 bytes). Every CID
// the log accepts has exactly this 36-byte form (version, codec, hash code and digest length each a
// one-byte varint), which is what lets a link be checked by a prefix comparison and keyed by its bytes.

import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import { WeshLogError } from './errors.js';

export const DAG_CBOR = 0x71;
export const SHA2_256 = 0x12;
/** CIDv1 ‖ dag-cbor ‖ sha2-256 ‖ 32: the prefix of every entry CID. */
export const CID_PREFIX = Uint8Array.of(0x01, DAG_CBOR, SHA2_256, 0x20);
export const CID_LENGTH = 36;

/** The CID bytes of a block with this SHA-256 digest. */
export function cidBytesOf(digest: Uint8Array): Uint8Array {
  const out = new Uint8Array(CID_LENGTH);
  out.set(CID_PREFIX);
  out.set(digest, 4);
  return out;
}

/** Whether `b` is an entry CID (the 36-byte form above). */
export function isEntryCid(b: Uint8Array): boolean {
  return b.length === CID_LENGTH && b[0] === 0x01 && b[1] === DAG_CBOR && b[2] === SHA2_256 && b[3] === 0x20;
}

/** Whether the entry CID `cid` equals b[at, at + cid.length). */
export function sameCidAt(cid: Uint8Array, b: Uint8Array, at: number): boolean {
  // from the end: entry CIDs share their first 4 bytes (CID_PREFIX), digests differ at once
  for (let i = cid.length - 1; i >= 0; i--) if (b[at + i] !== cid[i]) return false;
  return true;
}

/** A CID object or its bytes → the bytes, refusing anything but an entry CID ('bad-cid'). */
export function cidBytesFrom(cid: CID | Uint8Array): Uint8Array {
  const b = cid instanceof Uint8Array ? cid : CID.asCID(cid)?.bytes;
  if (b === undefined || !isEntryCid(b)) throw new WeshLogError('bad-cid', 'not a CIDv1 dag-cbor sha2-256 link');
  return b;
}

export function toCid(bytes: Uint8Array): CID {
  return CID.decode(bytes);
}

/** SHA-256 digests of the inputs: the injected batch hash if any, else multiformats' (node:crypto, or WebCrypto). */
export async function digests(inputs: readonly Uint8Array[], many?: (inputs: readonly Uint8Array[]) => Uint8Array[]): Promise<Uint8Array[]> {
  if (many && inputs.length > 0) return many(inputs);
  const out: Uint8Array[] = new Array(inputs.length);
  for (let i = 0; i < inputs.length; i++) {
    const d = sha256.digest(inputs[i]);
    out[i] = (d instanceof Promise ? await d : d).digest;
  }
  return out;
}
