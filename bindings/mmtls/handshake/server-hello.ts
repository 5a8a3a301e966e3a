// ServerHello (spec §5.3, observed):
//   u32 len ‖ 02 ‖ 04 f1 ‖ u16 suite ‖ random[32] ‖ extension block
// ECDHE: extension 0x0011 = u32 key_index ‖ u16 len ‖ 65-byte point, the index being that of the
// client key share the server used; then extension 0x0013, two u32s whose meaning is unknown
// (spec §12). Real WeChat ServerHellos answer key 5 (the first share) with (1, 3) and key 6 (the
// second) with (2, 4): keyShareInfo(position) reproduces both. PSK answers (0-RTT and 1-RTT) carry
// no extension: the block is 00000001 00.

import { ByteReader } from '../../codec/reader.js';
import { ByteWriter } from '../../codec/writer.js';
import { MmtlsError, decoding } from '../errors.js';
import { CipherSuite, type KeyShare, RANDOM_LENGTH } from './client-hello.js';
import { ExtensionType, type RawExtension, findExtension, readExtensions, writeExtensions } from './extensions.js';
import { BODY_VERSION, HandshakeType, openMessage, readBodyVersion } from './framing.js';

/** Extension 0x0013 for the client key share at `position` (0 or 1) of the ClientHello. */
export function keyShareInfo(position: number): Uint8Array {
  return new ByteWriter().u32(position + 1).u32(position + 3).finish();
}

export interface ServerHello {
  readonly suite: number;
  readonly random: Uint8Array;
  /** The server's ECDH key (ECDHE answers only). */
  readonly keyShare?: KeyShare;
  /** Extension 0x0013's bytes (keyShareInfo(0) if absent when encoding). */
  readonly keyShareInfo?: Uint8Array;
}

export function encodeServerHello(sh: ServerHello): Uint8Array {
  const extensions: RawExtension[] = [];
  if (sh.keyShare !== undefined) {
    extensions.push({ type: ExtensionType.serverKeyShare, data: new ByteWriter().u32(sh.keyShare.index).vec16(sh.keyShare.point).finish() });
    extensions.push({ type: ExtensionType.serverKeyShareInfo, data: sh.keyShareInfo ?? keyShareInfo(0) });
  }
  if (sh.random.length !== RANDOM_LENGTH) throw new RangeError('encodeServerHello: random must be 32 bytes');
  return new ByteWriter()
    .framed32((w) => {
      w.u8(HandshakeType.serverHello).u8(BODY_VERSION & 0xff).u8(BODY_VERSION >>> 8).u16(sh.suite).bytes(sh.random);
      writeExtensions(w, extensions);
    })
    .finish();
}

export function decodeServerHello(message: Uint8Array): ServerHello {
  const r = openMessage(message, HandshakeType.serverHello, 'ServerHello');
  return decoding('ServerHello', () => {
    readBodyVersion(r, 'ServerHello');
    const suite = r.u16('suite');
    if (suite !== CipherSuite.ecdhe && suite !== CipherSuite.psk) throw new MmtlsError('illegal_parameter', `ServerHello: unknown suite 0x${suite.toString(16)}`);
    const random = r.bytesOf(RANDOM_LENGTH, 'random').slice();
    const extensions = readExtensions(r, 'ServerHello');
    r.done('ServerHello');
    const share = findExtension(extensions, ExtensionType.serverKeyShare);
    if ((suite === CipherSuite.ecdhe) !== (share !== undefined)) throw new MmtlsError('illegal_parameter', 'ServerHello: a key share comes with the ECDHE suite and only with it');
    if (share === undefined) return { suite, random };
    const s = new ByteReader(share);
    const keyShare = { index: s.u32('key index'), point: s.vec16('key share point').slice() };
    s.done('server key share');
    const info = findExtension(extensions, ExtensionType.serverKeyShareInfo);
    return { suite, random, keyShare, ...(info && { keyShareInfo: info.slice() }) };
  });
}
