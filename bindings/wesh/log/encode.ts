// Building an entry block (entry.ts for the layout). The unsigned map is encoded by @ipld/dag-cbor
// (canonical: sorted keys, minimal lengths); the signature, whose key sorts last, is appended to it
// by changing the map header from 6 to 7 entries, which is byte for byte what dag-cbor produces for
// the full map (checked in the tests).

import * as dagCbor from '@ipld/dag-cbor';
import { toCid } from './cid.js';
import { SIGNATURE_TAIL } from './entry.js';

export interface UnsignedEntry {
  readonly key: Uint8Array;
  readonly logId: string;
  /** Parent CID bytes, sorted by bytes, no duplicates. */
  readonly next: readonly Uint8Array[];
  readonly time: number;
  readonly payload: Uint8Array;
}

/** The canonical dag-cbor encoding of the entry without its signature: the bytes that are signed. */
export function encodeUnsigned(e: UnsignedEntry): Uint8Array {
  return dagCbor.encode({ v: 1, key: e.key, log: e.logId, next: e.next.map(toCid), clock: { id: e.key, time: e.time }, payload: e.payload });
}

const TAIL_HEAD = Uint8Array.of(0x69, ...Array.from('signature', (c) => c.charCodeAt(0)), 0x58, 0x40);

/** The block: the unsigned encoding with `signature` (64 bytes) added as the map's last field. */
export function signedBlock(unsigned: Uint8Array, signature: Uint8Array): Uint8Array {
  if (unsigned[0] !== 0xa6 || signature.length !== 64) throw new RangeError('wesh log: signedBlock: not an unsigned entry and a 64-byte signature');
  const out = new Uint8Array(unsigned.length + SIGNATURE_TAIL);
  out.set(unsigned);
  out[0] = 0xa7;
  out.set(TAIL_HEAD, unsigned.length);
  out.set(signature, unsigned.length + TAIL_HEAD.length);
  return out;
}
