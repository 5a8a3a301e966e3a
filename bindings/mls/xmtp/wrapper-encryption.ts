// The data of KeyPackage extension 0xff03, welcome-wrapper encryption (../shared/specs/mls.md §6.2,
// §6.3): the public key a Welcome for this installation is HPKE-wrapped to, and its algorithm.
//
//   // xmtp/proto proto/mls/message_contents/wrapper_encryption.proto (@ 3d554394)
//   enum WelcomeWrapperAlgorithm { UNSPECIFIED = 0; CURVE25519 = 1; XWING_MLKEM_768_DRAFT_6 = 2; … }
//   message WelcomeWrapperEncryption { bytes pub_key = 1; WelcomeWrapperAlgorithm algorithm = 2; }
//
// extension_data is the protobuf encoding itself, with no further length prefix (OpenMLS writes an
// unknown extension's bytes as they are, libxmtp `identity.rs build_post_quantum_public_key_extension`).
// Derived from those definitions; no XMTP KeyPackage was captured to compare with.
//
// libxmtp puts an X-Wing key there (algorithm 2); wirecrypt implements only X25519 (algorithm 1),
// which libxmtp's `to_hpke_config` accepts as well. Decoding accepts any algorithm number, so the
// caller can tell an X-Wing key apart and refuse it.

import { MlsError } from '../errors.js';

export const WelcomeWrapperAlgorithm = { curve25519: 1, xwingMlkem768Draft6: 2 } as const;

export interface WelcomeWrapperEncryption {
  readonly publicKey: Uint8Array;
  /** WelcomeWrapperAlgorithm (1 = Curve25519). */
  readonly algorithm: number;
}

const FIELD_PUB_KEY = (1 << 3) | 2; // field 1, wire type 2 (length-delimited)
const FIELD_ALGORITHM = (2 << 3) | 0; // field 2, wire type 0 (varint)

/** The extension data: pub_key, then algorithm (omitted when 0, as proto3 does for a default value). */
export function encodeWelcomeWrapperEncryption(value: WelcomeWrapperEncryption): Uint8Array {
  const out: number[] = [FIELD_PUB_KEY, ...varint(value.publicKey.length), ...value.publicKey];
  if (value.algorithm !== 0) out.push(FIELD_ALGORITHM, ...varint(value.algorithm));
  return Uint8Array.from(out);
}

/**
 * Parses the extension data as protobuf: fields in any order, the last occurrence wins, unknown
 * fields skipped (proto3 rules). MlsError 'invalid-extension' if it is not well-formed protobuf.
 */
export function decodeWelcomeWrapperEncryption(data: Uint8Array): WelcomeWrapperEncryption {
  let publicKey = new Uint8Array(0);
  let algorithm = 0;
  let at = 0;
  const readVarint = (): number => {
    let value = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      if (at >= data.length) bad('truncated varint');
      const b = data[at++]!;
      if (shift < 49) value += (b & 0x7f) * 2 ** shift; // exact up to 2^53; larger enum values are nonsense anyway
      if ((b & 0x80) === 0) return value;
    }
    return bad('varint longer than 10 bytes');
  };
  while (at < data.length) {
    const key = readVarint();
    const field = Math.floor(key / 8);
    const wireType = key % 8;
    if (field === 0) bad('field number 0');
    switch (wireType) {
      case 0: {
        const v = readVarint();
        if (field === 2) algorithm = v;
        break;
      }
      case 2: {
        const length = readVarint();
        if (length > data.length - at) bad('truncated length-delimited field');
        if (field === 1) publicKey = data.slice(at, at + length);
        at += length;
        break;
      }
      case 1:
      case 5: {
        const skip = wireType === 1 ? 8 : 4;
        if (skip > data.length - at) bad('truncated fixed-width field');
        at += skip;
        break;
      }
      default:
        bad(`wire type ${wireType}`);
    }
  }
  return { publicKey, algorithm };
}

function varint(n: number): number[] {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`protobuf varint: ${n} is not a non-negative safe integer`);
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

function bad(what: string): never {
  throw new MlsError('invalid-extension', `the welcome-wrapper encryption extension (0xff03) is not valid protobuf: ${what}`);
}
