// Padded intermediate (spec §8.3): intermediate framing opened with dddddddd, each frame followed
// by 0..15 random bytes counted in its length, so packet sizes do not show through obfuscation.
// The receiver gets payload and padding together: only the message layer knows where an MTProto
// packet ends (for an encrypted one, the part after auth_key_id ‖ msg_key trimmed to a multiple of
// 16; mtcute auth-key.ts), so the transport cannot strip it.
//
// Transport errors go out without padding: mtcute recognizes only an exact 4-byte packet. A client
// reads any payload under 16 bytes starting with a negative int32 as one (stream.ts), so a payload
// under 16 bytes is ambiguous here once padded; MTProto packets are at least 24 bytes.

import type { CryptoProvider } from '../../provider/types.js';
import { IntermediateCodec } from './intermediate.js';
import type { FramingOptions } from './stream.js';

export class PaddedCodec extends IntermediateCodec {
  override readonly transport = 'padded';
  readonly #provider: CryptoProvider;

  constructor(provider: CryptoProvider, options: FramingOptions) {
    super(options, 'PaddedCodec', Uint8Array.of(0xdd, 0xdd, 0xdd, 0xdd));
    if (typeof provider?.randomBytes !== 'function') throw new TypeError('PaddedCodec: provider must be a CryptoProvider');
    this.#provider = provider;
  }

  protected override padding(): Uint8Array {
    // One draw: the first byte's low nibble is the count, the rest the padding (uniform 0..15).
    const random = this.#provider.randomBytes(16);
    const count = random[0] & 15;
    const padding = random.slice(1, 1 + count);
    random.fill(0);
    return padding;
  }

  protected override writeTransportError(errorPayload: Uint8Array): Uint8Array {
    const out = new Uint8Array(8);
    out[0] = 4;
    out.set(errorPayload, 4);
    return out;
  }
}
