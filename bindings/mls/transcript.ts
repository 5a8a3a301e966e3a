// Transcript hashes (RFC 9420 §8.2): the confirmed hash covers each commit's content and
// signature; the interim hash adds its confirmation tag, ready for the next commit.
//
//   confirmed[n] = Hash(interim[n-1] ‖ ConfirmedTranscriptHashInput[n])
//       ConfirmedTranscriptHashInput = struct { WireFormat wire_format; FramedContent content; opaque signature<V>; }
//   interim[n]   = Hash(confirmed[n] ‖ InterimTranscriptHashInput[n])
//       InterimTranscriptHashInput = struct { MAC confirmation_tag<V>; }
//   confirmation_tag = MAC(confirmation_key, confirmed[n])  (HMAC with the suite's hash)

import { encode, writeOpaque } from '../codec/tls.js';
import { concat } from '../bytes.js';
import type { CipherSuite } from './crypto/cipher-suite.js';
import { hash } from './crypto/labels.js';

export function confirmedTranscriptHash(suite: CipherSuite, interimBefore: Uint8Array, confirmedInput: Uint8Array): Uint8Array {
  return hash(suite, concat(interimBefore, confirmedInput));
}

export function interimTranscriptHash(suite: CipherSuite, confirmed: Uint8Array, confirmationTag: Uint8Array): Uint8Array {
  return hash(suite, concat(confirmed, encode((w) => writeOpaque(w, confirmationTag))));
}

export function confirmationTag(suite: CipherSuite, confirmationKey: Uint8Array, confirmed: Uint8Array): Uint8Array {
  return suite.provider.hmac('SHA-256', confirmationKey, confirmed);
}
