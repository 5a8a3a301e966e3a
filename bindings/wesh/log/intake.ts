// Intake: from what a peer (or the disk) hands over to verified entries. In one batch: copy the
// bytes, hash them all (batched SHA-256), check each against the CID it was announced under, skip
// what the log already holds (a replay costs a hash, or nothing when the CID was announced), decode
// strictly, check the log id and the writer, then verify every remaining signature in one
// verifyBatch call. Entries that passed all of this in this process are remembered (a WeakSet), so
// handing an Entry object of one replica to another costs no second verification; the log id and
// access check still run for each log.

import type { CID } from 'multiformats/cid';
import type { SignedMessage } from '../../ed25519.js';
import { isUint8Array } from '../../bytes.js';
import { bytes as checkBytes } from '../../errors.js';
import type { AccessController } from './access.js';
import { CID_LENGTH, CID_PREFIX, cidBytesFrom, digests, toCid } from './cid.js';
import type { LogCrypto } from './crypto.js';
import { decodeEntry } from './decode.js';
import { Entry, SIGNATURE_LENGTH, SIGNATURE_TAIL } from './entry.js';
import { WeshLogError } from './errors.js';
import { binaryKey, binaryKeyAt } from './keys.js';
import { viewOf } from './views.js';
import type { LogLimits } from './limits.js';

/** A block as received: its bytes, with the CID it was announced under when known. */
export type JoinInput = Entry | Uint8Array | { readonly cid?: CID | Uint8Array; readonly bytes: Uint8Array };

export interface Rejection {
  /** The CID, when it was announced or could be computed. */
  readonly cid?: CID;
  readonly error: WeshLogError;
}

/** Entries whose signature verified in this process. */
const VERIFIED = new WeakSet<Entry>();

export function markVerified(e: Entry): void {
  VERIFIED.add(e);
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

export async function intake(inputs: Iterable<JoinInput>, ctx: IntakeContext): Promise<Intake> {
  const rejected: Rejection[] = [];
  let duplicates = 0;
  // the blocks to hash and decode, in parallel arrays (no object per block): the bytes, the CID
  // they were announced under if any, and that CID's key when known() has already been asked
  const blocks: Uint8Array[] = [];
  const claims: (Uint8Array | undefined)[] = [];
  const claimKeys: (string | undefined)[] = [];
  const ready: Entry[] = [];
  // (indexed loops over the batch here and below: this code runs once per join, mostly before it
  // is optimized, and an unoptimized for-of allocates an iterator result per element)
  const list: readonly JoinInput[] = Array.isArray(inputs) ? inputs : [...inputs];
  for (let i = 0; i < list.length; i++) {
    const input = list[i];
    if (input instanceof Entry) {
      if (VERIFIED.has(input)) ready.push(input);
      else {
        blocks.push(input.bytes);
        claims.push(input.cidBytes);
        claimKeys.push(undefined);
      }
    } else if (isUint8Array(input)) {
      blocks.push(checkBytes(input, 'WeshLog.join', 'input'));
      claims.push(undefined);
      claimKeys.push(undefined);
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
      blocks.push(bytes);
      claims.push(claimed);
      claimKeys.push(claimKey);
    } else {
      throw new TypeError('WeshLog.join: each input must be an Entry, a Uint8Array or { cid?, bytes }');
    }
  }
  copyToSlab(blocks);

  const hashes = await digests(blocks, ctx.crypto.sha256Many);
  // every CID in one buffer, the entries keeping views of it (one allocation, not one per block)
  const cids = new Uint8Array(CID_LENGTH * blocks.length);
  const seen = new Set<string>();
  const candidates: Entry[] = [];
  const toVerify: Entry[] = [];
  /** The log id and access checks of an entry not seen before. */
  const admit = (e: Entry, needsSignature: boolean) => {
    seen.add(e.k);
    if (e.logId !== ctx.logId) rejected.push({ cid: e.cid, error: new WeshLogError('wrong-log', `an entry of log ${JSON.stringify(e.logId.slice(0, 80))}`) });
    else if (!ctx.access.canWrite(e.key, e)) rejected.push({ cid: e.cid, error: new WeshLogError('unknown-writer', 'writer key not allowed') });
    else if (needsSignature) toVerify.push(e);
    else candidates.push(e);
  };
  for (let i = 0; i < blocks.length; i++) {
    const at = CID_LENGTH * i;
    const digest = hashes[i];
    if (digest.length !== CID_LENGTH - CID_PREFIX.length) throw new TypeError('WeshLog: sha256Many must return 32-byte digests');
    cids.set(CID_PREFIX, at);
    cids.set(digest, at + CID_PREFIX.length);
    const claimed = claims[i];
    let k = claimKeys[i];
    if (claimed !== undefined && !sameBytesAt(claimed, cids, at)) {
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
    if (seen.has(k)) {
      duplicates++;
      continue;
    }
    const cidBytes = viewOf(cids, at, at + CID_LENGTH);
    let e: Entry;
    try {
      e = decodeEntry(blocks[i], cidBytes, ctx.limits, k);
    } catch (err) {
      if (!(err instanceof WeshLogError)) throw err;
      rejected.push({ cid: toCid(cidBytes), error: err });
      continue;
    }
    admit(e, ctx.verify);
  }
  for (const e of ready) {
    if (ctx.known(e.k) || seen.has(e.k)) duplicates++;
    else admit(e, false);
  }

  const results = verifyAll(ctx.crypto, toVerify);
  for (let i = 0; i < toVerify.length; i++) {
    const e = toVerify[i];
    if (results[i]) {
      VERIFIED.add(e);
      candidates.push(e);
    } else {
      rejected.push({ cid: e.cid, error: new WeshLogError('bad-signature', 'signature does not verify') });
    }
  }
  return { fresh: candidates, rejected, duplicates };
}

/** Whether a (an entry CID) equals b[at, at + a.length). */
function sameBytesAt(a: Uint8Array, b: Uint8Array, at: number): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[at + i]) return false;
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
    items[i] = { publicKey: e.key, message: viewOf(e.bytes, 0, n - SIGNATURE_TAIL), signature: viewOf(e.bytes, n - SIGNATURE_LENGTH, n) };
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
