// Transcript hashes (RFC 9420 §8.2): the confirmed hash covers each commit's content and
// signature; the interim hash adds its confirmation tag, ready for the next commit.
//
//   confirmed[n] = Hash(interim[n-1] ‖ ConfirmedTranscriptHashInput[n])
//       ConfirmedTranscriptHashInput = struct { WireFormat wire_format; FramedContent content; opaque signature<V>; }
//   interim[n]   = Hash(confirmed[n] ‖ InterimTranscriptHashInput[n])
//       InterimTranscriptHashInput = struct { MAC confirmation_tag<V>; }
//   confirmation_tag = MAC(confirmation_key, confirmed[n])  (HMAC with the suite's hash)

import { encode, writeOpaque } from '../codec/tls.js';
import type { ByteWriter } from '../codec/writer.js';
import { concat } from '../bytes.js';
import type { CipherSuite } from './crypto/cipher-suite.js';
import { hash } from './crypto/labels.js';

/**
 * confirmed[n] from interim[n-1] and a writer of ConfirmedTranscriptHashInput[n], hashed from one
 * buffer: the input holds the whole Commit (≈ 1 MB for a path to ≈ 10,000 leaves), which is written
 * after the interim hash rather than copied a second time to put it in front.
 */
export function confirmedTranscriptHash(suite: CipherSuite, interimBefore: Uint8Array, writeInput: (w: ByteWriter) => void): Uint8Array {
  return hash(suite, encode((w) => {
    w.bytes(interimBefore);
    writeInput(w);
  }));
}

export function interimTranscriptHash(suite: CipherSuite, confirmed: Uint8Array, confirmationTag: Uint8Array): Uint8Array {
  return hash(suite, concat(confirmed, encode((w) => writeOpaque(w, confirmationTag))));
}

export function confirmationTag(suite: CipherSuite, confirmationKey: Uint8Array, confirmed: Uint8Array): Uint8Array {
  return suite.provider.hmac('SHA-256', confirmationKey, confirmed);
}
