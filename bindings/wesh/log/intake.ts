// Intake: from what a peer (or the disk) hands over to verified entries. In one batch: copy the
// bytes, hash them all (batched SHA-256), check each against the CID it was announced under, skip
// what the log already holds (a replay costs a hash, or nothing when the CID was announced), decode
// strictly, check the log id and the writer, then verify every remaining signature in batched
// verifyBatch calls (CHUNK at a time). Entries that passed all of this in this process are marked
// (entry.ts), so handing an Entry object of one replica to another costs no second verification;
// the log id and access check still run for each log.

import type { CID } from 'multiformats/cid';
import type { SignedMessage } from '../../ed25519.js';
import { isUint8Array } from '../../bytes.js';
import { bytes as checkBytes } from '../../errors.js';
import type { AccessController } from './access.js';
import { CID_LENGTH, CID_PREFIX, cidBytesFrom, digests, sameCidAt, toCid } from './cid.js';
import type { LogCrypto } from './crypto.js';
import { decodeEntry, writerKeyOf } from './decode.js';
import { Entry, SIGNATURE_LENGTH, SIGNATURE_TAIL, isVerified, markVerified } from './entry.js';
import { WeshLogError } from './errors.js';
import { binaryKey, binaryKeyAt } from './keys.js';
import { viewOf } from './views.js';
import type { LogLimits } from './limits.js';
import { byOrder } from './order.js';

/** A block as received: its bytes, with the CID it was announced under when known. */
export type JoinInput = Entry | Uint8Array | { readonly cid?: CID | Uint8Array; readonly bytes: Uint8Array };

export interface Rejection {
  /** The CID, when it was announced or could be computed. */
  readonly cid?: CID;
  readonly error: WeshLogError;
}

export interface IntakeContext {
  readonly logId: string;
  readonly crypto: LogCrypto;
  readonly access: AccessController;
  readonly limits: LogLimits;
  /** Whether the log (or its pending set) already holds this CID key. */
  known(k: string): boolean;
  /** Whether to verify signatures (false only when reopening a trusted store). */
  readonly verify: boolean;
}

export interface Intake {
  readonly fresh: Entry[];
  readonly rejected: Rejection[];
  readonly duplicates: number;
}

const cidOf = (b: Uint8Array | undefined) => (b ? toCid(b) : undefined);

/**
 * Blocks hashed, and signatures verified, per call. The objects made for each block that die with
 * its hashing or verification (a digest array: 230 bytes; a { publicKey, message, signature } with
 * two views: 230 bytes) then die before the next young-generation collection instead of being
 * copied by it, 50,000 of them, with everything else the merge holds (about a fifth of a merge's
 * time went to the collector). 4,096 is also the largest batch verifyBatch verifies at once
 * (bindings/ed25519.ts BATCH_CHUNK): larger calls would only be cut there.
 */
const CHUNK = 4096;

export async function intake(inputs: Iterable<JoinInput>, ctx: IntakeContext): Promise<Intake> {
  const rejected: Rejection[] = [];
  let duplicates = 0;
  // (indexed loops over the batch here and below: this code runs once per join, mostly before it
  // is optimized, and an unoptimized for-of allocates an iterator result per element)
  const list: readonly JoinInput[] = Array.isArray(inputs) ? inputs : [...inputs];
  // the blocks to hash and decode, in parallel arrays (no object per block): the bytes, the CID
  // they were announced under if any, and that CID's key when known() has already been asked;
  // sized for the whole batch at once (no regrowth and copy of three arrays of 50,000), cut at the end
  const blocks: Uint8Array[] = new Array(list.length);
  const claims: (Uint8Array | undefined)[] = new Array(list.length);
  const claimKeys: (string | undefined)[] = new Array(list.length);
  let count = 0;
  const ready: Entry[] = [];
  for (let i = 0; i < list.length; i++) {
    const input = list[i];
    if (input instanceof Entry) {
      if (isVerified(input)) ready.push(input);
      else {
        blocks[count] = input.bytes;
        claims[count] = input.cidBytes;
        claimKeys[count++] = undefined;
      }
    } else if (isUint8Array(input)) {
      blocks[count] = checkBytes(input, 'WeshLog.join', 'input');
      claims[count] = undefined;
      claimKeys[count++] = undefined;
    } else if (typeof input === 'object' && input !== null && 'bytes' in input) {
      const bytes = checkBytes(input.bytes, 'WeshLog.join', 'bytes');
      let claimed: Uint8Array | undefined;
      let claimKey: string | undefined;
      if (input.cid !== undefined) {
        try {
          claimed = cidBytesFrom(input.cid);
        } catch (e) {
          rejected.push({ error: e as WeshLogError });
          continue;
        }
        claimKey = binaryKey(claimed);
        if (ctx.known(claimKey)) {
          duplicates++;
          continue;
        }
      }
      blocks[count] = bytes;
      claims[count] = claimed;
      claimKeys[count++] = claimKey;
    } else {
      throw new TypeError('WeshLog.join: each input must be an Entry, a Uint8Array or { cid?, bytes }');
    }
  }
  blocks.length = count;
  copyToSlab(blocks);

  // every CID in one buffer, the entries keeping views of it (one allocation, not one per block)
  const cids = new Uint8Array(CID_LENGTH * blocks.length);
  const seen = new BatchKeys();
  const candidates: Entry[] = [];
  const toVerify: Entry[] = [];
  /** The log id and access checks of an entry not seen before. */
  const admit = (e: Entry, needsSignature: boolean) => {
    if (e.logId !== ctx.logId) rejected.push({ cid: e.cid, error: new WeshLogError('wrong-log', `an entry of log ${JSON.stringify(e.logId.slice(0, 80))}`) });
    else if (!ctx.access.canWrite(writerKeyOf(e), e)) rejected.push({ cid: e.cid, error: new WeshLogError('unknown-writer', 'writer key not allowed') });
    else if (needsSignature) toVerify.push(e);
    else candidates.push(e);
  };
  let previous: Entry | undefined; // the last entry decoded (decodeEntry: likely a parent of the next)
  let hashes: Uint8Array[] = [];
  for (let i = 0; i < blocks.length; i++) {
    // hashed CHUNK blocks at a time, so that the digest arrays (one each) die young
    if (i % CHUNK === 0) hashes = await digests(blocks.slice(i, i + CHUNK), ctx.crypto.sha256Many);
    const at = CID_LENGTH * i;
    const digest = hashes[i % CHUNK];
    if (digest.length !== CID_LENGTH - CID_PREFIX.length) throw new TypeError('WeshLog: sha256Many must return 32-byte digests');
    cids.set(CID_PREFIX, at);
    cids.set(digest, at + CID_PREFIX.length);
    const claimed = claims[i];
    let k = claimKeys[i];
    // (compared as its key string when there is one: one object to read, where the caller's
    // array is two, its view and its buffer, both long out of the cache in a large batch)
    if (claimed !== undefined && !(k !== undefined ? sameKeyAt(k, cids, at) : sameCidAt(claimed, cids, at))) {
      rejected.push({ cid: cidOf(claimed), error: new WeshLogError('cid-mismatch', 'block does not hash to its CID') });
      continue;
    }
    // a claimed CID that matches was already looked up (above); its key string is reused, with its hash
    if (k === undefined) {
      k = binaryKeyAt(cids, at, at + CID_LENGTH);
      if (ctx.known(k)) {
        duplicates++;
        continue;
      }
    }
    const cidBytes = viewOf(cids, at, at + CID_LENGTH);
    let e: Entry;
    try {
      e = decodeEntry(blocks[i], cidBytes, ctx.limits, k, previous);
    } catch (err) {
      if (!(err instanceof WeshLogError)) throw err;
      rejected.push({ cid: toCid(cidBytes), error: err });
      continue;
    }
    previous = e;
    // (a block repeated in the batch is decoded again, as it was the first time, before it is
    // found out: that costs less than asking a Set about every block; see BatchKeys)
    if (!seen.add(e)) {
      duplicates++;
      continue;
    }
    admit(e, ctx.verify);
  }
  for (const e of ready) {
    if (ctx.known(e.k) || !seen.add(e)) duplicates++;
    else admit(e, false);
  }

  for (let from = 0; from < toVerify.length; from += CHUNK) {
    const chunk = toVerify.slice(from, from + CHUNK);
    const results = verifyAll(ctx.crypto, chunk);
    for (let i = 0; i < chunk.length; i++) {
      const e = chunk[i];
      if (results[i]) {
        markVerified(e);
        candidates.push(e);
      } else {
        rejected.push({ cid: e.cid, error: new WeshLogError('bad-signature', 'signature does not verify') });
      }
    }
  }
  return { fresh: candidates, rejected, duplicates };
}

/**
 * The keys of the entries a batch has decoded so far, to count a block repeated in the batch as a
 * duplicate. A batch usually comes in the total order (a peer sends entriesNotIn(), a log's own
 * order), and an entry that comes after the previous one in that order repeats none before it (the
 * order key ends with the CID), so no Set is needed: a Set costs two hash-table operations per entry
 * (hashing a 36-character key, probing a table of 50,000), a good part of an intake's time. The Set
 * is made at the first entry out of order, from the keys so far, and used from then on.
 */
class BatchKeys {
  #last: Entry | undefined;
  readonly #keys: string[] = [];
  #set: Set<string> | undefined;

  /** Adds `e`'s key; false if the batch had it already. */
  add(e: Entry): boolean {
    if (this.#set === undefined) {
      if (this.#last === undefined || byOrder(this.#last, e) < 0) {
        this.#last = e;
        this.#keys.push(e.k);
        return true;
      }
      this.#set = new Set(this.#keys);
    }
    if (this.#set.has(e.k)) return false;
    this.#set.add(e.k);
    return true;
  }
}

/** Whether a (the binary string of an entry CID) equals b[at, at + a.length). */
function sameKeyAt(a: string, b: Uint8Array, at: number): boolean {
  for (let i = 0; i < a.length; i++) if (a.charCodeAt(i) !== b[at + i]) return false;
  return true;
}

/**
 * Private copies of the received blocks, all in one buffer: one allocation instead of one per block
 * (a block of a few hundred bytes would otherwise get a backing store of its own, and 50,000 of them
 * keep the garbage collector busy). The entries keep views of it.
 */
function copyToSlab(blocks: Uint8Array[]): void {
  let total = 0;
  for (let i = 0; i < blocks.length; i++) total += blocks[i].length;
  const slab = new Uint8Array(total);
  let at = 0;
  for (let i = 0; i < blocks.length; i++) {
    const n = blocks[i].length;
    slab.set(blocks[i], at);
    blocks[i] = viewOf(slab, at, at + n);
    at += n;
  }
}

/**
 * One verifyBatch call when the crypto has it; a verifier that throws counts as a refusal.
 *
 * The signed bytes of an entry are its block with the map header 0xa7 (7 fields) changed to 0xa6
 * and the signature tail cut (entry.ts). The blocks here are this intake's private copies
 * (copyToSlab), seen by no one else until intake returns, so instead of copying 50,000 messages
 * into a new buffer (whose fresh pages cost more than the copy) each header is switched to 0xa6
 * for the duration of the synchronous verification and switched back (also when it throws): the
 * messages are views of the blocks themselves.
 */
function verifyAll(crypto: LogCrypto, entries: readonly Entry[]): boolean[] {
  if (entries.length === 0) return [];
  const items: SignedMessage[] = new Array(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    const n = e.bytes.length;
    // (a view of the signature that the entry does not keep: see Entry.signature)
    items[i] = { publicKey: writerKeyOf(e), message: viewOf(e.bytes, 0, n - SIGNATURE_TAIL), signature: viewOf(e.bytes, n - SIGNATURE_LENGTH, n) };
  }
  for (let i = 0; i < entries.length; i++) entries[i].bytes[0] = UNSIGNED_HEAD;
  try {
    return verifyItems(crypto, items);
  } finally {
    for (let i = 0; i < entries.length; i++) entries[i].bytes[0] = SIGNED_HEAD;
  }
}

/** The first byte of a block (a map of 7 fields; decodeEntry checked it) and of its signed bytes (6). */
const SIGNED_HEAD = 0xa7;
const UNSIGNED_HEAD = 0xa6;

function verifyItems(crypto: LogCrypto, items: readonly SignedMessage[]): boolean[] {
  if (crypto.verifyBatch) {
    try {
      const r = crypto.verifyBatch(items);
      if (Array.isArray(r) && r.length === items.length) return r.map((x) => x === true);
    } catch {
      // fall through to one at a time
    }
  }
  return items.map((i) => {
    try {
      return crypto.verify(i.publicKey, i.message, i.signature) === true;
    } catch {
      return false;
    }
  });
}
