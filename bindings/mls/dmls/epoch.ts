// DMLS epoch identifiers and the DMLSMessage wrapper (draft-kohbrok-mls-dmls §2 "Epoch
// identifiers", §3 "DMLS Messages"; same text in -00 §2, -01 and -03):
//
//   dmls_epoch = DeriveSecret(epoch_secret, "epoch")                       (KDF.Nh bytes)
//   struct { MLSMessage message; opaque dmls_epoch<V>; } DMLSMessage
//
// Why: with concurrent commits several states share one integer epoch, so a message must say which
// of them it belongs to; dmls_epoch is that name. It is derived from epoch_secret, so only members
// of that fork of the epoch can compute it, yet it reveals nothing of the epoch's other secrets
// (a DeriveSecret output under its own label).
//
// Decoding: the draft says "DMLSMessages MUST NOT contain MLSMessages with WireFormat other than
// mls_public_message and mls_private_message" — any other is MlsError 'dmls-wire-format'. A
// dmls_epoch is KDF.Nh bytes: exactly the suite's Nh when the caller names it, otherwise one of
// the Nh of the RFC 9420 suites (32, 48, 64), since a PublicMessage or PrivateMessage does not say
// its suite — MlsError 'dmls-epoch-length' otherwise. Everything else is the MLSMessage codec's
// (DecodeError / MlsError); nothing else is ever thrown (fuzzed in test/mls/dmls.test.ts).

import type { ByteReader } from '../../codec/reader.js';
import { writeOpaque } from '../../codec/tls.js';
import type { ByteWriter } from '../../codec/writer.js';
import type { CipherSuite } from '../crypto/cipher-suite.js';
import { deriveSecret } from '../crypto/labels.js';
import { MlsError } from '../errors.js';
import { decodeAll, encodeWith, opaque } from '../messages/codec.js';
import { type MlsMessage, readMlsMessage, writeMlsMessage } from '../messages/mls-message.js';

/** The KDF.Nh of every RFC 9420 suite (SHA-256, SHA-384, SHA-512). */
const KNOWN_HASH_LENGTHS: readonly number[] = [32, 48, 64];

/** dmls_epoch = DeriveSecret(epoch_secret, "epoch") (draft §2). */
export function dmlsEpochId(suite: CipherSuite, epochSecret: Uint8Array): Uint8Array {
  if (epochSecret.length !== suite.hashLength) throw new RangeError(`epoch_secret is Nh = ${suite.hashLength} bytes, not ${epochSecret.length}`);
  return deriveSecret(suite, epochSecret, 'epoch');
}

/** Only framed messages travel in a DMLSMessage (draft §3). */
export type DmlsFramedMessage = Extract<MlsMessage, { kind: 'mls_public_message' | 'mls_private_message' }>;

export interface DmlsMessage {
  readonly message: DmlsFramedMessage;
  readonly dmlsEpoch: Uint8Array;
}

export interface DmlsMessageOptions {
  /** The group's KDF.Nh: dmls_epoch must have exactly this length. Default: any of 32, 48, 64. */
  readonly hashLength?: number;
}

function checkEpochLength(length: number, options: DmlsMessageOptions): void {
  const ok = options.hashLength === undefined ? KNOWN_HASH_LENGTHS.includes(length) : length === options.hashLength;
  if (!ok) {
    const expected = options.hashLength === undefined ? 'KDF.Nh of an MLS suite (32, 48 or 64)' : `Nh = ${options.hashLength}`;
    throw new MlsError('dmls-epoch-length', `dmls_epoch has ${length} bytes, expected ${expected}`);
  }
}

export function readDmlsMessage(r: ByteReader, options: DmlsMessageOptions = {}): DmlsMessage {
  const message = readMlsMessage(r);
  if (message.kind !== 'mls_public_message' && message.kind !== 'mls_private_message') {
    throw new MlsError('dmls-wire-format', `a DMLSMessage carries a PublicMessage or PrivateMessage, not ${message.kind} (DMLS §3)`);
  }
  const dmlsEpoch = opaque(r, 'dmls_epoch');
  checkEpochLength(dmlsEpoch.length, options);
  return { message, dmlsEpoch };
}

/** Writes a DMLSMessage; a Welcome, GroupInfo or KeyPackage inside, or a bad dmls_epoch, is a programmer error (TypeError / RangeError). */
export function writeDmlsMessage(w: ByteWriter, m: DmlsMessage): void {
  const kind: string = m.message.kind;
  if (kind !== 'mls_public_message' && kind !== 'mls_private_message') throw new TypeError(`a DMLSMessage carries a PublicMessage or PrivateMessage, not ${kind} (DMLS §3)`);
  if (!KNOWN_HASH_LENGTHS.includes(m.dmlsEpoch.length)) throw new RangeError(`dmls_epoch has ${m.dmlsEpoch.length} bytes, not an MLS KDF.Nh`);
  writeMlsMessage(w, m.message);
  writeOpaque(w, m.dmlsEpoch);
}

/** The DMLSMessage in `bytes`, all of them; DecodeError or MlsError otherwise. */
export const decodeDmlsMessage = (bytes: Uint8Array, options: DmlsMessageOptions = {}): DmlsMessage =>
  decodeAll(bytes, 'DMLSMessage', (r) => readDmlsMessage(r, options));

export const encodeDmlsMessage = (m: DmlsMessage): Uint8Array => encodeWith(m, writeDmlsMessage);
