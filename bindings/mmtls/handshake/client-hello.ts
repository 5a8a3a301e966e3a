// ClientHello (spec §5.2, observed):
//   u32 len ‖ 01 ‖ 04 f1 ‖ u8 n_suites ‖ n × u16 suite ‖ random[32] ‖ u32 timestamp (Unix s)
//   ‖ extension block (extensions.ts), the extensions in the reverse order of the suites.
// PSK extension 0x000f:  u8 count (1) ‖ u32 len ‖ SessionTicket (age_add emptied)
// ECDHE extension 0x0010: u8 n_keys ‖ n × (u32 len ‖ u32 key_index ‖ u16 len ‖ 65-byte point)
//                         ‖ 13 opaque bytes, 00000000 02 00000003 00000004 as WeChat sends them.
// The server uses one key share and names it by index (ServerHello extension 0x0011).

import { ByteReader } from '../../codec/reader.js';
import { ByteWriter } from '../../codec/writer.js';
import { MmtlsError, decoding } from '../errors.js';
import { ExtensionType, type RawExtension, findExtension, readExtensions, writeExtensions } from './extensions.js';
import { BODY_VERSION, HandshakeType, openMessage, readBodyVersion } from './framing.js';
import { type SessionTicket, readSessionTicket, writeSessionTicket } from './session-ticket.js';

export const CipherSuite = {
  ecdhe: 0xc02b, // TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
  psk: 0x00a8,   // TLS_PSK_WITH_AES_128_GCM_SHA256
} as const;

export const RANDOM_LENGTH = 32;
export const POINT_LENGTH = 65;
export const KEY_SHARE_TRAILER = Uint8Array.of(0, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4);

export interface KeyShare {
  readonly index: number;
  /** Uncompressed SEC1 P-256 point. */
  readonly point: Uint8Array;
}

export interface ClientHello {
  readonly suites: readonly number[];
  readonly random: Uint8Array;
  readonly timestamp: number;
  /** The offered ticket (suite 0x00A8 is offered exactly when this is present). */
  readonly psk?: SessionTicket;
  /** The ECDH keys (suite 0xC02B is offered exactly when these are present). */
  readonly keyShares?: readonly KeyShare[];
  /** The 13 bytes after the key shares, as received (KEY_SHARE_TRAILER when we encode). */
  readonly keyShareTrailer?: Uint8Array;
  /** Extensions of other types, in the order received; ignored. */
  readonly otherExtensions?: readonly RawExtension[];
}

export function encodeClientHello(ch: ClientHello): Uint8Array {
  const extensions: RawExtension[] = [];
  for (const suite of [...ch.suites].reverse()) {
    if (suite === CipherSuite.psk) extensions.push({ type: ExtensionType.preSharedKey, data: pskExtension(ch.psk) });
    else if (suite === CipherSuite.ecdhe) extensions.push({ type: ExtensionType.clientKeyShare, data: keyShareExtension(ch) });
  }
  extensions.push(...(ch.otherExtensions ?? []));
  return new ByteWriter()
    .framed32((w) => {
      w.u8(HandshakeType.clientHello).u8(BODY_VERSION & 0xff).u8(BODY_VERSION >>> 8).u8(ch.suites.length);
      for (const s of ch.suites) w.u16(s);
      if (ch.random.length !== RANDOM_LENGTH) throw new RangeError('encodeClientHello: random must be 32 bytes');
      w.bytes(ch.random).u32(ch.timestamp);
      writeExtensions(w, extensions);
    })
    .finish();
}

function pskExtension(psk: SessionTicket | undefined): Uint8Array {
  if (psk === undefined) throw new TypeError('encodeClientHello: suite 0x00a8 needs a psk ticket');
  return new ByteWriter().u8(1).framed32((w) => writeSessionTicket(w, psk)).finish();
}

function keyShareExtension(ch: ClientHello): Uint8Array {
  const shares = ch.keyShares;
  if (shares === undefined || shares.length === 0) throw new TypeError('encodeClientHello: suite 0xc02b needs key shares');
  const w = new ByteWriter().u8(shares.length);
  for (const k of shares) w.framed32((x) => x.u32(k.index).vec16(k.point));
  return w.bytes(ch.keyShareTrailer ?? KEY_SHARE_TRAILER).finish();
}

export function decodeClientHello(message: Uint8Array): ClientHello {
  const r = openMessage(message, HandshakeType.clientHello, 'ClientHello');
  return decoding('ClientHello', () => {
    readBodyVersion(r, 'ClientHello');
    const suites: number[] = [];
    const n = r.u8('suite count');
    for (let i = 0; i < n; i++) suites.push(r.u16('suite'));
    const random = r.bytesOf(RANDOM_LENGTH, 'random').slice();
    const timestamp = r.u32('timestamp');
    const extensions = readExtensions(r, 'ClientHello');
    r.done('ClientHello');
    const pskData = findExtension(extensions, ExtensionType.preSharedKey);
    const shareData = findExtension(extensions, ExtensionType.clientKeyShare);
    if (suites.includes(CipherSuite.psk) !== (pskData !== undefined)) throw new MmtlsError('illegal_parameter', 'ClientHello: the PSK suite and the PSK extension must come together');
    if (suites.includes(CipherSuite.ecdhe) !== (shareData !== undefined)) throw new MmtlsError('illegal_parameter', 'ClientHello: the ECDHE suite and the key-share extension must come together');
    const known = new Set<number>([ExtensionType.preSharedKey, ExtensionType.clientKeyShare]);
    return {
      suites,
      random,
      timestamp,
      ...(pskData && { psk: readPskExtension(pskData) }),
      ...(shareData && readKeyShareExtension(shareData)),
      otherExtensions: extensions.filter((e) => !known.has(e.type)),
    };
  });
}

function readPskExtension(data: Uint8Array): SessionTicket {
  const r = new ByteReader(data);
  if (r.u8('PSK ticket count') !== 1) throw new MmtlsError('illegal_parameter', 'ClientHello: exactly one PSK ticket expected');
  const t = r.sub(r.u32('PSK ticket length'), 'PSK ticket');
  const ticket = readSessionTicket(t);
  t.done('PSK ticket');
  r.done('PSK extension');
  return ticket;
}

function readKeyShareExtension(data: Uint8Array): { keyShares: KeyShare[]; keyShareTrailer: Uint8Array } {
  const r = new ByteReader(data);
  const n = r.u8('key share count');
  if (n === 0) throw new MmtlsError('illegal_parameter', 'ClientHello: no key share');
  const keyShares: KeyShare[] = [];
  for (let i = 0; i < n; i++) {
    const k = r.sub(r.u32('key share length'), 'key share');
    const index = k.u32('key index');
    const point = k.vec16('key share point').slice();
    k.done('key share');
    keyShares.push({ index, point });
  }
  const keyShareTrailer = r.bytesOf(KEY_SHARE_TRAILER.length, 'key share trailer').slice();
  r.done('key share extension');
  return { keyShares, keyShareTrailer };
}
