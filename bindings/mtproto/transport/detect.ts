// Which transport a TCP connection speaks, from its first bytes (spec §8, and the header rules of
// §8.7 that keep the cases apart):
//   ef                          abridged (the tag is consumed)
//   ee ee ee ee                 intermediate (consumed)
//   dd dd dd dd                 padded intermediate (consumed)
//   "POST" "GET " "HEAD" "OPTI" HTTP (another layer serves it)
//   16 03 01 02                 a TLS ClientHello: MTProxy fake-TLS, not supported → 'transport-unknown'
//   any 4 bytes, then 00000000  full: a first frame's length and seq 0 (nothing consumed)
//   otherwise, 64 bytes         obfuscated2: the header must decrypt to one of the three tags
// Incremental: call it again with more bytes (all of them, from the first) until it decides.

import { copyOf, lengthOf, view } from '../../bytes.js';
import { bytes } from '../../errors.js';
import type { CryptoProvider } from '../../provider/types.js';
import { MtprotoError } from '../errors.js';
import { AbridgedCodec } from './abridged.js';
import type { FrameCodec, TransportName } from './codec.js';
import { FullCodec } from './full.js';
import { IntermediateCodec } from './intermediate.js';
import { ObfuscatedCodec, parseSecret } from './obfuscated.js';
import { PaddedCodec } from './padded.js';

export interface DetectOptions {
  /** MTProxy secret for obfuscated2 (16 bytes, or 17 starting with 0xdd). */
  secret?: Uint8Array;
  /** Passed to the codec (default 16 MiB). */
  maxFrameLength?: number;
}

export type Detection =
  /** Undecided: call again once at least `atLeast` bytes (in total) have arrived. */
  | { readonly kind: 'need-more'; readonly atLeast: number }
  /** An HTTP request: hand the connection, bytes included, to the HTTP transport. */
  | { readonly kind: 'http' }
  /**
   * A transport, with a server codec for it. `rest` (a view of the input after the tag or header)
   * must be pushed into the codec next; for full it is the whole input.
   */
  | { readonly kind: 'transport'; readonly transport: TransportName; readonly codec: FrameCodec; readonly rest: Uint8Array };

const HTTP_METHODS = [0x54534f50 /* POST */, 0x20544547 /* GET */, 0x44414548 /* HEAD */, 0x4954504f /* OPTI */];
const TLS_CLIENT_HELLO = 0x02010316;
const OBFUSCATED_HEADER = 64;

/** Decides the transport of a connection from its first bytes `head`; see the table above. */
export function detectTransport(provider: CryptoProvider, head: Uint8Array, options: DetectOptions = {}): Detection {
  bytes(head, 'detectTransport', 'head');
  if (options.secret !== undefined) parseSecret(options.secret, 'detectTransport');
  const n = lengthOf(head);
  const h = copyOf(view(head, 0, Math.min(n, OBFUSCATED_HEADER))); // read once: the caller's memory may change
  const max = options.maxFrameLength;
  const found = (transport: TransportName, codec: FrameCodec, consumed: number): Detection =>
    ({ kind: 'transport', transport, codec, rest: view(head, consumed) });

  if (n < 1) return { kind: 'need-more', atLeast: 1 };
  if (h[0] === 0xef) return found('abridged', new AbridgedCodec({ role: 'server', maxFrameLength: max }), 1);
  if (n < 4) return { kind: 'need-more', atLeast: 4 };
  const first = word(h, 0);
  if (first === 0xeeeeeeee) return found('intermediate', new IntermediateCodec({ role: 'server', maxFrameLength: max }), 4);
  if (first === 0xdddddddd) return found('padded', new PaddedCodec(provider, { role: 'server', maxFrameLength: max }), 4);
  if (HTTP_METHODS.includes(first)) return { kind: 'http' };
  if (first === TLS_CLIENT_HELLO) throw new MtprotoError('transport-unknown', 'a TLS ClientHello (MTProxy fake-TLS), which this server does not speak');
  if (n < 8) return { kind: 'need-more', atLeast: 8 };
  if (word(h, 4) === 0) return found('full', new FullCodec({ role: 'server', maxFrameLength: max }), 0);
  if (n < OBFUSCATED_HEADER) return { kind: 'need-more', atLeast: OBFUSCATED_HEADER };
  const codec = new ObfuscatedCodec(provider, { role: 'server', secret: options.secret, maxFrameLength: max });
  try {
    codec.push(h); // reads the header: throws 'transport-unknown' on a bad tag
  } catch (error) {
    codec.dispose();
    throw error;
  }
  return found('obfuscated', codec, OBFUSCATED_HEADER);
}

function word(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}
