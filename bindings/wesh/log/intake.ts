// Intake: from what a peer (or the disk) hands over to verified entries. In one batch: copy the
// bytes, hash them all (batched SHA-256), check each against the CID it was announced under, skip
// what the log already holds (a replay costs a hash, or nothing when the CID was announced), decode
// strictly, check the log id and the writer, then verify every remaining signature in one
// verifyBatch call. Entries that passed all of this in this process are remembered (a WeakSet), so
// handing an Entry object of one replica to another costs no second verification; the log id and
// access check still run for each log.

import type { CID } from 'multiformats/cid';
import { isUint8Array } from '../../bytes.js';
import { bytes as checkBytes } from '../../errors.js';
import type { AccessController } from './access.js';
import { cidBytesFrom, cidBytesOf, digests, toCid } from './cid.js';
import type { LogCrypto } from './crypto.js';
import { decodeEntry } from './decode.js';
import { Entry, SIGNATURE_TAIL } from './entry.js';
import { WeshLogError } from './errors.js';
import { binaryKey } from './keys.js';
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
  const raw: { bytes: Uint8Array; claimed: Uint8Array | undefined }[] = [];
  const ready: Entry[] = [];
  for (const input of inputs) {
    if (input instanceof Entry) {
      if (VERIFIED.has(input)) ready.push(input);
      else raw.push({ bytes: input.bytes, claimed: input.cidBytes });
    } else if (isUint8Array(input)) {
      raw.push({ bytes: checkBytes(input, 'WeshLog.join', 'input'), claimed: undefined });
    } else if (typeof input === 'object' && input !== null && 'bytes' in input) {
      const bytes = checkBytes(input.bytes, 'WeshLog.join', 'bytes');
      let claimed: Uint8Array | undefined;
      if (input.cid !== undefined) {
        try {
          claimed = cidBytesFrom(input.cid);
        } catch (e) {
          rejected.push({ error: e as WeshLogError });
          continue;
        }
        if (ctx.known(binaryKey(claimed))) {
          duplicates++;
          continue;
        }
      }
      raw.push({ bytes, claimed });
    } else {
      throw new TypeError('WeshLog.join: each input must be an Entry, a Uint8Array or { cid?, bytes }');
    }
  }
  copyToSlab(raw);

  const hashes = await digests(raw.map((r) => r.bytes), ctx.crypto.sha256Many);
  const seen = new Set<string>();
  const candidates: Entry[] = [];
  const toVerify: Entry[] = [];
  const consider = (e: Entry, needsSignature: boolean) => {
    if (ctx.known(e.k) || seen.has(e.k)) {
      duplicates++;
      return;
    }
    seen.add(e.k);
    if (e.logId !== ctx.logId) rejected.push({ cid: e.cid, error: new WeshLogError('wrong-log', `an entry of log ${JSON.stringify(e.logId.slice(0, 80))}`) });
    else if (!ctx.access.canWrite(e.key, e)) rejected.push({ cid: e.cid, error: new WeshLogError('unknown-writer', 'writer key not allowed') });
    else if (needsSignature) toVerify.push(e);
    else candidates.push(e);
  };
  for (let i = 0; i < raw.length; i++) {
    const { bytes, claimed } = raw[i];
    const cidBytes = cidBytesOf(hashes[i]);
    const k = binaryKey(cidBytes);
    if (claimed !== undefined && binaryKey(claimed) !== k) {
      rejected.push({ cid: cidOf(claimed), error: new WeshLogError('cid-mismatch', 'block does not hash to its CID') });
      continue;
    }
    if (ctx.known(k) || seen.has(k)) {
      duplicates++;
      continue;
    }
    let e: Entry;
    try {
      e = decodeEntry(bytes, cidBytes, ctx.limits);
    } catch (err) {
      if (!(err instanceof WeshLogError)) throw err;
      rejected.push({ cid: toCid(cidBytes), error: err });
      continue;
    }
    consider(e, ctx.verify);
  }
  for (const e of ready) consider(e, false);

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

/**
 * Private copies of the received blocks, all in one buffer: one allocation instead of one per block
 * (a block of a few hundred bytes would otherwise get a backing store of its own, and 50,000 of them
 * keep the garbage collector busy). The entries keep views of it.
 */
function copyToSlab(raw: { bytes: Uint8Array }[]): void {
  let total = 0;
  for (const r of raw) total += r.bytes.length;
  const slab = new Uint8Array(total);
  let at = 0;
  for (const r of raw) {
    const n = r.bytes.length;
    slab.set(r.bytes, at);
    r.bytes = slab.subarray(at, at + n);
    at += n;
  }
}

/** One verifyBatch call when the crypto has it; a verifier that throws counts as a refusal. */
function verifyAll(crypto: LogCrypto, entries: readonly Entry[]): boolean[] {
  if (entries.length === 0) return [];
  // the signed bytes of every entry, in one buffer (see copyToSlab)
  let total = 0;
  for (const e of entries) total += e.bytes.length - SIGNATURE_TAIL;
  const slab = new Uint8Array(total);
  let at = 0;
  const items = entries.map((e) => {
    const n = e.bytes.length - SIGNATURE_TAIL;
    const message = slab.subarray(at, at + n);
    message.set(e.bytes.subarray(0, n));
    message[0] = 0xa6;
    at += n;
    return { publicKey: e.key, message, signature: e.signature };
  });
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
