// gzip_packed (spec §7.1): `packed_data` is an object compressed in the gzip format (RFC 1952),
// as TDLib writes it — or in the zlib format (RFC 1950), which mtcute writes and Telegram accepts,
// so a receiver takes both (told apart by the zlib header check of RFC 1950 §2.2). Both directions go through the platform's CompressionStream /
// DecompressionStream (browsers, Node ≥ 18, Deno, Bun), so there is no zlib copy in the bundle and
// no node: import.
//
// A peer chooses packed_data, so decompression is bounded: the output is read chunk by chunk and
// the stream is cancelled as soon as it passes maxSize — a 64 MiB bomb with a 1 MiB limit never
// produces much more than 1 MiB. Platforms differ on what follows the first gzip member: browsers
// reject trailing bytes, Node accepts further members and zero bytes (its zlib's gunzip); both are
// bounded the same way.

import { bytes as checkBytes, integer } from '../../errors.js';
import { MtprotoError } from '../errors.js';

function streams(): { Compression: typeof CompressionStream; Decompression: typeof DecompressionStream } {
  const { CompressionStream: Compression, DecompressionStream: Decompression } = globalThis;
  if (typeof Compression !== 'function' || typeof Decompression !== 'function') {
    throw new MtprotoError('gzip-unsupported', 'gzip_packed: this platform has no CompressionStream / DecompressionStream');
  }
  return { Compression, Decompression };
}

/**
 * Feeds `input` to a transform's writable side and reads its output, failing once the output
 * passes `maxSize`. The input is a private copy: the caller may reuse its buffer meanwhile, and a
 * view of a SharedArrayBuffer (which streams refuse) works too.
 */
async function pump(transform: GenericTransformStream, input: Uint8Array, maxSize: number): Promise<Uint8Array> {
  const writer = transform.writable.getWriter();
  // The writable side fails whenever the readable side does (with the same error, or the cancel
  // reason); the read loop reports it, so this rejection only needs handling.
  void writer.write(input.slice()).then(() => writer.close()).catch(() => {});
  const reader = transform.readable.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let step: ReadableStreamReadResult<Uint8Array>;
    try {
      step = await reader.read();
    } catch (error) {
      throw new MtprotoError('gzip-invalid', `gzip_packed: not valid gzip data (${(error as Error)?.message ?? String(error)})`);
    }
    if (step.done) break;
    total += step.value.length;
    if (total > maxSize) {
      await reader.cancel().catch(() => {});
      throw new MtprotoError('gzip-too-large', `gzip_packed: decompressed data exceeds ${maxSize} bytes`);
    }
    chunks.push(step.value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/**
 * Compresses a serialized object for gzip_packed's packed_data.
 * @throws {MtprotoError} `gzip-unsupported` without CompressionStream.
 */
export async function gzipPacked(data: Uint8Array): Promise<Uint8Array> {
  checkBytes(data, 'gzipPacked', 'data');
  const { Compression } = streams();
  return pump(new Compression('gzip'), data, Number.POSITIVE_INFINITY);
}

/** RFC 1950 §2.2: CM = 8 (deflate), CINFO ≤ 7, and CMF·256 + FLG a multiple of 31. A gzip member starts 1f 8b. */
function isZlib(packed: Uint8Array): boolean {
  return packed.length >= 2 && (packed[0] & 0x8f) === 0x08 && ((packed[0] << 8) | packed[1]) % 31 === 0;
}

/**
 * Decompresses gzip_packed's packed_data (gzip, or zlib as mtcute sends it), refusing more than
 * `maxSize` bytes of output.
 * @throws {MtprotoError} `gzip-too-large` past maxSize, `gzip-invalid` for corrupt, truncated or
 *   empty input, `gzip-unsupported` without DecompressionStream.
 */
export async function gunzipPacked(packed: Uint8Array, maxSize: number): Promise<Uint8Array> {
  checkBytes(packed, 'gunzipPacked', 'packed');
  integer(maxSize, 0, Number.MAX_SAFE_INTEGER, 'gunzipPacked', 'maxSize');
  const { Decompression } = streams();
  return pump(new Decompression(isZlib(packed) ? 'deflate' : 'gzip'), packed, maxSize);
}
