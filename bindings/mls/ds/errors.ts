// Errors of the MLS delivery service and its client. Programmer errors stay TypeError / RangeError;
// a DeliveryError says what the service refused or what went wrong on the way to it. `code` is
// stable and machine-readable, and the same string travels in the service's JSON error bodies, so
// a client rethrows exactly the code the service chose.
//
// Codes:
//   epoch-conflict      a Commit for an epoch the service has already ordered a Commit for: another
//                       member's Commit won (the loser processes the winner, then retries)
//   stale-epoch         a proposal or application message of an epoch that has ended
//   epoch-ahead         a message of an epoch the service has not reached (the sender is on a fork)
//   invalid-message     the body is not an MLSMessage the service accepts here (does not decode,
//                       not a PublicMessage / PrivateMessage, group_id not the URL's, …)
//   invalid-key-package a KeyPackage that does not decode, is of an unsupported suite or version,
//                       is expired, or whose signatures do not verify
//   invalid-welcome     a Welcome that does not decode, or addressed to nobody
//   bad-request         a malformed request (JSON, parameters)
//   too-large           a body over the service's limit
//   not-found           no such endpoint
//   unavailable         the store failed (the request may be retried; nothing was acknowledged)
//   network             the client could not reach the service or lost the answer
//   closed              the client or the channel was closed
//   protocol            the service answered something the client does not understand

export type DeliveryErrorCode =
  | 'epoch-conflict' | 'stale-epoch' | 'epoch-ahead' | 'invalid-message' | 'invalid-key-package'
  | 'invalid-welcome' | 'bad-request' | 'too-large' | 'not-found' | 'unavailable' | 'network' | 'closed'
  | 'protocol';

export class DeliveryError extends Error {
  /** For the epoch codes: the service's current epoch for the group (the next Commit's epoch). */
  readonly epoch: bigint | undefined;
  constructor(readonly code: DeliveryErrorCode, message: string, options: { epoch?: bigint; cause?: unknown } = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'DeliveryError';
    this.epoch = options.epoch;
  }
}

/** HTTP status of each code the service sends (the client maps unknown statuses to 'protocol'). */
export const STATUS_OF: Readonly<Record<DeliveryErrorCode, number>> = {
  'epoch-conflict': 409, 'stale-epoch': 409, 'epoch-ahead': 409, 'invalid-message': 400, 'invalid-key-package': 400,
  'invalid-welcome': 400, 'bad-request': 400, 'too-large': 413, 'not-found': 404, unavailable: 503,
  network: 502, closed: 503, protocol: 502,
};

export function isDeliveryErrorCode(code: unknown): code is DeliveryErrorCode {
  return typeof code === 'string' && Object.hasOwn(STATUS_OF, code);
}
