// The short handshake messages (spec §5.4, §5.6, §5.7, observed):
//   CertificateVerify      u32 len ‖ 0f ‖ u16 len ‖ DER ECDSA-P256 signature
//   Finished               u32 len (0x23) ‖ 14 ‖ u16 0x0020 ‖ verify_data[32]
//   EncryptedExtensions    u32 len ‖ 08 ‖ extension block with one extension 0x0012 = u32 timestamp
//                          (the 0-RTT ClientHello's timestamp, bound into the early data)

import { ByteReader } from '../../codec/reader.js';
import { ByteWriter } from '../../codec/writer.js';
import { MmtlsError, decoding } from '../errors.js';
import { ExtensionType, findExtension, readExtensions, writeExtensions } from './extensions.js';
import { HandshakeType, openMessage } from './framing.js';

export const VERIFY_DATA_LENGTH = 32;

export function encodeCertificateVerify(derSignature: Uint8Array): Uint8Array {
  return new ByteWriter().framed32((w) => w.u8(HandshakeType.certificateVerify).vec16(derSignature)).finish();
}

export function decodeCertificateVerify(message: Uint8Array): Uint8Array {
  const r = openMessage(message, HandshakeType.certificateVerify, 'CertificateVerify');
  return decoding('CertificateVerify', () => {
    const signature = r.vec16('signature').slice();
    r.done('CertificateVerify');
    return signature;
  });
}

export function encodeFinished(verifyData: Uint8Array): Uint8Array {
  return new ByteWriter().framed32((w) => w.u8(HandshakeType.finished).vec16(verifyData)).finish();
}

export function decodeFinished(message: Uint8Array): Uint8Array {
  const r = openMessage(message, HandshakeType.finished, 'Finished');
  return decoding('Finished', () => {
    const verifyData = r.vec16('verify_data').slice();
    r.done('Finished');
    if (verifyData.length !== VERIFY_DATA_LENGTH) throw new MmtlsError('decode_error', `Finished: verify_data of ${verifyData.length} bytes`);
    return verifyData;
  });
}

export function encodeEncryptedExtensions(timestamp: number): Uint8Array {
  const data = new ByteWriter().u32(timestamp).finish();
  return new ByteWriter()
    .framed32((w) => {
      w.u8(HandshakeType.encryptedExtensions);
      writeExtensions(w, [{ type: ExtensionType.earlyDataTimestamp, data }]);
    })
    .finish();
}

/** The timestamp the EncryptedExtensions carries. */
export function decodeEncryptedExtensions(message: Uint8Array): number {
  const r = openMessage(message, HandshakeType.encryptedExtensions, 'EncryptedExtensions');
  return decoding('EncryptedExtensions', () => {
    const extensions = readExtensions(r, 'EncryptedExtensions');
    r.done('EncryptedExtensions');
    const data = findExtension(extensions, ExtensionType.earlyDataTimestamp);
    if (data === undefined) throw new MmtlsError('illegal_parameter', 'EncryptedExtensions: no timestamp extension');
    const t = new ByteReader(data);
    const timestamp = t.u32('timestamp');
    t.done('timestamp extension');
    return timestamp;
  });
}
