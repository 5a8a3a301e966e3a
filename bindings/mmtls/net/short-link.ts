// Short-link framing (spec §8.2, observed): one HTTP/1.1 POST to /mmtls/<8 hex digits> per
// request, with WeChat's headers; the body is the record sequence of §7.2. The request's
// application data is `u32 len ‖ u16 len + uri ‖ u16 len + host ‖ u32 len + body`; the response's
// is the application's bytes as they are.

import { ByteReader } from '../../codec/reader.js';
import { ByteWriter } from '../../codec/writer.js';
import { MmtlsError, decoding } from '../errors.js';

export const SHORT_LINK_PATH = /^\/mmtls\/[0-9a-f]{8}$/;
export const DEFAULT_URI = '/cgi-bin/micromsg-bin/wirecrypt';

export interface DataPart {
  readonly uri: string;
  readonly host: string;
  readonly body: Uint8Array;
}

const utf8 = new TextEncoder();
// ignoreBOM: a leading U+FEFF is part of the uri, not a marker to strip
const fromUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function encodeDataPart({ uri, host, body }: DataPart): Uint8Array {
  return new ByteWriter().framed32((w) => w.vec16(utf8.encode(uri)).vec16(utf8.encode(host)).vec32(body)).finish();
}

export function decodeDataPart(bytes: Uint8Array): DataPart {
  return decoding('short-link data', () => {
    const r = new ByteReader(bytes);
    const inner = r.sub(r.u32('data length'), 'data');
    r.done('short-link data');
    let uri: string;
    let host: string;
    try {
      uri = fromUtf8.decode(inner.vec16('uri'));
      host = fromUtf8.decode(inner.vec16('host'));
    } catch (e) {
      if (e instanceof TypeError) throw new MmtlsError('decode_error', 'short-link uri or host is not UTF-8');
      throw e;
    }
    const body = inner.vec32('body').slice();
    inner.done('short-link data');
    return { uri, host, body };
  });
}

/** The request line's path: /mmtls/ and 4 random bytes in hex. */
export function shortLinkPath(random: Uint8Array): string {
  let hex = '';
  for (const b of random.subarray(0, 4)) hex += b.toString(16).padStart(2, '0');
  return `/mmtls/${hex}`;
}

/** The request head as WeChat sends it (spec §8.2), Content-Length filled in. */
export function requestHead(path: string, host: string, contentLength: number): string {
  return [
    `POST ${path} HTTP/1.1`,
    'Accept: */*',
    'Cache-Control: no-cache',
    'Connection: Keep-Alive',
    `Content-Length: ${contentLength}`,
    'Content-Type: application/octet-stream',
    `Host: ${host}`,
    'Upgrade: mmtls',
    'User-Agent: MicroMessenger Client',
    '',
    '',
  ].join('\r\n');
}
