// PEM armour (RFC 7468): one "-----BEGIN label-----" … "-----END label-----" block, strict base64
// inside. Written here rather than with Buffer or atob so it behaves the same in every runtime.
// Encrypted PEM (RFC 1421 headers such as Proc-Type) is refused.

import { MtprotoError } from '../errors.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

function bad(message: string): never {
  throw new MtprotoError('rsa-bad-key', `pem: ${message}`);
}

/** Strict base64 (RFC 4648 §4): whitespace ignored, '=' padding required, zero pad bits. */
export function base64Decode(text: string): Uint8Array {
  const clean = text.replace(/[\s]/g, '');
  if (clean.length % 4 !== 0) bad('base64 length is not a multiple of 4');
  const pad = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((clean.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < clean.length; i += 4) {
    let v = 0;
    for (let j = 0; j < 4; j++) {
      const c = clean.charCodeAt(i + j);
      const last = i + 4 === clean.length;
      if (c === 61 /* = */ && last && j >= 4 - pad) {
        v <<= 6;
        continue;
      }
      const d = c < 128 ? DECODE[c] : -1;
      if (d < 0) bad(`invalid base64 character at ${i + j}`);
      v = (v << 6) | d;
    }
    const bytes = [(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
    const keep = i + 4 === clean.length ? 3 - pad : 3;
    for (let k = 0; k < keep; k++) out[o++] = bytes[k];
    for (let k = keep; k < 3; k++) if (bytes[k] !== 0) bad('non-zero base64 padding bits');
  }
  return out;
}

/** The DER bytes and label of the single PEM block in `text`. */
export function pemDecode(text: string): { label: string; der: Uint8Array } {
  if (typeof text !== 'string') throw new TypeError(`pemDecode: text must be a string, got ${typeof text}`);
  const match = /^\s*-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END ([A-Z0-9 ]+)-----\s*$/.exec(text);
  if (!match) bad('expected exactly one "-----BEGIN …-----" … "-----END …-----" block');
  const [, label, body, endLabel] = match;
  if (label !== endLabel) bad(`BEGIN ${label} closed by END ${endLabel}`);
  if (body.includes(':')) bad('encrypted or header-carrying PEM is not supported');
  return { label, der: base64Decode(body) };
}
