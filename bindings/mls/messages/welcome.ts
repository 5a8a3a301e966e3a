// Welcome and the secrets it carries (RFC 9420 §12.4.3.1):
//
//   struct { opaque path_secret<V>; } PathSecret;
//   struct { opaque joiner_secret<V>; optional<PathSecret> path_secret; PreSharedKeyID psks<V>; } GroupSecrets;
//   struct { KeyPackageRef new_member; HpkeCiphertext encrypted_group_secrets; } EncryptedGroupSecrets;
//   struct { CipherSuite cipher_suite; EncryptedGroupSecrets secrets<V>; opaque encrypted_group_info<V>; } Welcome;
//
// KeyPackageRef is a HashReference, opaque<V> (§5.2). PreSharedKeyID is psk.ts's codec.

import type { ByteReader } from '../../codec/reader.js';
import { readOptional, readVector, writeOpaque, writeOptional, writeVector } from '../../codec/tls.js';
import type { ByteWriter } from '../../codec/writer.js';
import { type PreSharedKeyId, readPskId, writePskId } from '../psk.js';
import { decodeAll, encodeWith, opaque } from './codec.js';
import { type HpkeCiphertext, readHpkeCiphertext, writeHpkeCiphertext } from './commit.js';

export interface GroupSecrets {
  readonly joinerSecret: Uint8Array;
  /** PathSecret.path_secret, when present. */
  readonly pathSecret?: Uint8Array;
  readonly psks: readonly PreSharedKeyId[];
}

export interface EncryptedGroupSecrets {
  /** KeyPackageRef of the joiner's KeyPackage. */
  readonly newMember: Uint8Array;
  readonly encryptedGroupSecrets: HpkeCiphertext;
}

export interface Welcome {
  readonly cipherSuite: number;
  readonly secrets: readonly EncryptedGroupSecrets[];
  readonly encryptedGroupInfo: Uint8Array;
}

/** PathSecret: struct { opaque path_secret<V>; } (§12.4.3.1, inside GroupSecrets). An UpdatePathNode's ciphertexts carry the bare secret, not this struct (§7.6; the treekem vectors agree). */
export const readPathSecret = (r: ByteReader): Uint8Array => opaque(r, 'path_secret');
export const writePathSecret = (w: ByteWriter, secret: Uint8Array): void => void writeOpaque(w, secret);

export function readGroupSecrets(r: ByteReader): GroupSecrets {
  const joinerSecret = opaque(r, 'joiner_secret');
  const pathSecret = readOptional(r, 'path_secret', readPathSecret);
  const psks = readVector(r, 'psks', readPskId);
  return pathSecret === undefined ? { joinerSecret, psks } : { joinerSecret, pathSecret, psks };
}

export function writeGroupSecrets(w: ByteWriter, s: GroupSecrets): void {
  writeOpaque(w, s.joinerSecret);
  writeOptional(w, s.pathSecret, writePathSecret);
  writeVector(w, s.psks, writePskId);
}

export function readEncryptedGroupSecrets(r: ByteReader): EncryptedGroupSecrets {
  return { newMember: opaque(r, 'new_member'), encryptedGroupSecrets: readHpkeCiphertext(r) };
}

export function writeEncryptedGroupSecrets(w: ByteWriter, s: EncryptedGroupSecrets): void {
  writeOpaque(w, s.newMember);
  writeHpkeCiphertext(w, s.encryptedGroupSecrets);
}

export function readWelcome(r: ByteReader): Welcome {
  return {
    cipherSuite: r.u16('welcome cipher_suite'),
    secrets: readVector(r, 'welcome secrets', readEncryptedGroupSecrets),
    encryptedGroupInfo: opaque(r, 'encrypted_group_info'),
  };
}

export function writeWelcome(w: ByteWriter, m: Welcome): void {
  w.u16(m.cipherSuite);
  writeVector(w, m.secrets, writeEncryptedGroupSecrets);
  writeOpaque(w, m.encryptedGroupInfo);
}

export const decodeWelcome = (bytes: Uint8Array): Welcome => decodeAll(bytes, 'Welcome', readWelcome);
export const encodeWelcome = (m: Welcome): Uint8Array => encodeWith(m, writeWelcome);
export const decodeGroupSecrets = (bytes: Uint8Array): GroupSecrets => decodeAll(bytes, 'GroupSecrets', readGroupSecrets);
export const encodeGroupSecrets = (s: GroupSecrets): Uint8Array => encodeWith(s, writeGroupSecrets);
export const decodePathSecret = (bytes: Uint8Array): Uint8Array => decodeAll(bytes, 'PathSecret', readPathSecret);
export const encodePathSecret = (secret: Uint8Array): Uint8Array => encodeWith(secret, writePathSecret);
