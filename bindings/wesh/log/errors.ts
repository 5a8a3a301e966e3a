// Errors of the replicated group log. Programmer errors (a wrong argument type or length) stay
// TypeError / RangeError from ../../errors.ts; a WeshLogError says what was wrong with an entry a
// peer (or the disk) handed us, or what the log refused. The decoder and join() never let anything
// else escape for bad input.

/** Why an entry or a log operation was refused. */
export type WeshLogErrorCode =
  | 'malformed'      // not the entry layout: truncated, wrong type, unknown or missing field, trailing bytes
  | 'non-canonical'  // the right fields, but not the one dag-cbor encoding (non-minimal length, unsorted next, ...)
  | 'oversize'       // larger than the configured limits (payload, next, log id)
  | 'bad-cid'        // a link that is not a CIDv1 dag-cbor sha2-256
  | 'cid-mismatch'   // the bytes do not hash to the CID they were announced or stored under
  | 'wrong-log'      // an entry of another log
  | 'unknown-writer' // the access check refused the writer key
  | 'bad-signature'  // the Ed25519 signature does not verify
  | 'clock'          // Lamport time out of range or not greater than a parent's
  | 'invalid-parent' // a parent was itself refused
  | 'pending-full'   // the bounded set of entries waiting for parents is full
  | 'no-signer'      // append() on a log opened without signing capability
  | 'closed'         // the log was closed
  | 'store-unavailable'; // the LevelDB store needs the optional dependency classic-level

export class WeshLogError extends Error {
  readonly code: WeshLogErrorCode;
  constructor(code: WeshLogErrorCode, message: string) {
    super(`wesh log: ${message}`);
    this.name = 'WeshLogError';
    this.code = code;
  }
}
