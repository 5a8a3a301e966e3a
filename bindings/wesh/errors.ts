// Errors of the Wesh layer. Programmer errors stay TypeError / RangeError; a WeshError says what a
// peer's bytes got wrong. `code` is stable and machine-readable. An authentication failure is one
// opaque code ('authentication-failed') whichever check failed, and carries no partial plaintext.

export type WeshErrorCode =
  | 'invalid-protobuf' // bytes that do not decode as the expected message, or exceed its size limit
  | 'invalid-frame' // a handshake frame: bad uvarint length, over the reader limit, or truncated
  | 'invalid-key' // a key of the wrong length or encoding, or unusable (small order, zero DH output)
  | 'bad-signature' // a signature that does not verify under the key it should
  | 'authentication-failed' // a box or secretbox that does not open
  | 'unexpected-message' // a handshake step out of order, or a payload of the wrong kind
  | 'wrong-counter' // a ratchet counter that is not the one expected (replayed, or outside the window)
  | 'stream-closed' // the peer closed the stream before the exchange was complete
  | 'timeout'; // the peer did not answer in time

export class WeshError extends Error {
  constructor(readonly code: WeshErrorCode, message: string) {
    super(message);
    this.name = 'WeshError';
  }
}
