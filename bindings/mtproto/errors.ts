// Errors of the MTProto layer. Programmer errors stay TypeError / RangeError (see ../errors.ts);
// these name what a peer sent wrong or what the protocol refused.

/** Malformed TL: truncated input, an unexpected constructor, a bad length prefix or padding. */
export class TlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TlError';
  }
}

/**
 * A protocol step failed: a handshake check (nonce, hash, DH parameters, RSA padding), a transport
 * error from the peer, or a rejected message. `code` is stable and machine-readable; the message
 * is for people.
 */
export class MtprotoError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'MtprotoError';
  }
}
