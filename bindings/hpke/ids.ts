// RFC 9180 §7: the algorithm identifiers and their sizes, for the KEMs, KDF and AEADs wirecrypt
// implements. Suites are chosen by RFC name or by IANA code point.

import type { AeadName, DhName } from '../provider/types.js';

export type KemName = 'DHKEM(X25519, HKDF-SHA256)' | 'DHKEM(P-256, HKDF-SHA256)';
export type KdfName = 'HKDF-SHA256';
export type HpkeAeadName = 'AES-128-GCM' | 'AES-256-GCM' | 'ChaCha20Poly1305' | 'Export-only';

/** §7.1, Table 2. */
export interface KemParams {
  readonly id: number;
  readonly name: KemName;
  readonly dh: DhName;
  /** Nsecret, Nenc, Npk, Nsk */
  readonly secretLength: number;
  readonly encLength: number;
  readonly publicKeyLength: number;
  readonly secretKeyLength: number;
  /** §7.1.3: the mask applied to the first byte of a DeriveKeyPair candidate (P-256), or null (X25519). */
  readonly candidateMask: number | null;
}

export const KEMS: readonly KemParams[] = [
  { id: 0x0010, name: 'DHKEM(P-256, HKDF-SHA256)', dh: 'P-256', secretLength: 32, encLength: 65, publicKeyLength: 65, secretKeyLength: 32, candidateMask: 0xff },
  { id: 0x0020, name: 'DHKEM(X25519, HKDF-SHA256)', dh: 'X25519', secretLength: 32, encLength: 32, publicKeyLength: 32, secretKeyLength: 32, candidateMask: null },
];

/** §7.2, Table 3 (only HKDF-SHA256). */
export interface KdfParams {
  readonly id: number;
  readonly name: KdfName;
  /** Nh */
  readonly hashLength: number;
}

export const KDFS: readonly KdfParams[] = [{ id: 0x0001, name: 'HKDF-SHA256', hashLength: 32 }];

/** §7.3, Table 5. `aead` null for Export-only. */
export interface AeadParams {
  readonly id: number;
  readonly name: HpkeAeadName;
  readonly aead: AeadName | null;
  /** Nk, Nn, Nt */
  readonly keyLength: number;
  readonly nonceLength: number;
  readonly tagLength: number;
}

export const AEADS: readonly AeadParams[] = [
  { id: 0x0001, name: 'AES-128-GCM', aead: 'AES-128-GCM', keyLength: 16, nonceLength: 12, tagLength: 16 },
  { id: 0x0002, name: 'AES-256-GCM', aead: 'AES-256-GCM', keyLength: 32, nonceLength: 12, tagLength: 16 },
  { id: 0x0003, name: 'ChaCha20Poly1305', aead: 'ChaCha20-Poly1305', keyLength: 32, nonceLength: 12, tagLength: 16 },
  { id: 0xffff, name: 'Export-only', aead: null, keyLength: 0, nonceLength: 0, tagLength: 0 },
];

/** Finds an algorithm by RFC name or code point; TypeError listing the choices otherwise. */
export function lookup<T extends { id: number; name: string }>(table: readonly T[], value: unknown, param: string): T {
  const found = table.find((entry) => entry.id === value || entry.name === value);
  if (!found) {
    const choices = table.map((e) => `'${e.name}' (0x${e.id.toString(16).padStart(4, '0')})`).join(', ');
    throw new TypeError(`hpke.suite: unknown ${param} ${String(value)}; expected one of ${choices}`);
  }
  return found;
}
