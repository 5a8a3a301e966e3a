// The MTProto transports (spec §8) as sans-IO codecs: see codec.ts for the contract and roles,
// detect.ts for the server's detection, one file per transport.

import type { CryptoProvider } from '../../provider/types.js';
import { AbridgedCodec } from './abridged.js';
import type { FrameCodec } from './codec.js';
import { FullCodec } from './full.js';
import { IntermediateCodec } from './intermediate.js';
import { ObfuscatedCodec, type ObfuscatedOptions } from './obfuscated.js';
import { PaddedCodec } from './padded.js';
import type { FramingOptions } from './stream.js';

export { AbridgedCodec } from './abridged.js';
export {
  type CodecOptions, DEFAULT_MAX_FRAME_LENGTH, type EncodeOptions, type Frame, type FrameCodec, type FramingName, type Role,
  type TransportName,
} from './codec.js';
export { crc32 } from './crc32.js';
export { type Detection, type DetectOptions, detectTransport } from './detect.js';
export { FullCodec } from './full.js';
export { IntermediateCodec } from './intermediate.js';
export {
  deriveObfuscationKeys, isAcceptableHeader, OBFUSCATION_TAGS, ObfuscatedCodec, type ObfuscatedInner, type ObfuscatedOptions,
  type ObfuscationKeys,
} from './obfuscated.js';
export { PaddedCodec } from './padded.js';
export type { FramingOptions } from './stream.js';

export type TransportOptions =
  | ({ transport: 'abridged' | 'intermediate' | 'padded' | 'full' } & FramingOptions)
  | ({ transport: 'obfuscated' } & ObfuscatedOptions);

/** A codec for one connection: `transport` picks the class, the rest are its options. */
export function createFrameCodec(provider: CryptoProvider, options: TransportOptions): FrameCodec {
  switch (options?.transport) {
    case 'abridged': return new AbridgedCodec(options);
    case 'intermediate': return new IntermediateCodec(options);
    case 'padded': return new PaddedCodec(provider, options);
    case 'full': return new FullCodec(options);
    case 'obfuscated': return new ObfuscatedCodec(provider, options);
    default: throw new TypeError(`createFrameCodec: unknown transport ${String((options as { transport?: unknown } | undefined)?.transport)}`);
  }
}
