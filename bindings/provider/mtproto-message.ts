// CryptoProvider.mtprotoSeal / mtprotoOpen (MTProto 2.0 message crypto, spec §2.3, §2.4): the
// argument checks both providers share, so that they fail alike, and the operation composed of the
// provider's own SHA-256 and AES-IGE — the reference provider's implementation, and the wasm
// provider's for messages too large for its one-call path.

import { concat, lengthOf, stable } from '../bytes.js';
import { bytes, bytesOfLength } from '../errors.js';
import type { AesIge } from '../aes.js';
import type { MtprotoOpened, MtprotoSealed } from './types.js';

export const MTPROTO_AUTH_KEY_LENGTH = 256;

export interface MtprotoArgs {
  readonly authKey: Uint8Array;
  readonly x: 0 | 8;
  /** The plaintext (seal) or ciphertext (open); a private copy if the caller's was shared memory. */
  readonly data: Uint8Array;
  readonly msgKey?: Uint8Array;
}

/** x for `from` (client → server: 0, server → client: 8); TypeError for anything else. */
export function senderX(from: unknown, fn: string): 0 | 8 {
  if (from === 'client') return 0;
  if (from === 'server') return 8;
  throw new TypeError(`${fn}: from must be 'client' or 'server', got ${String(from)}`);
}

/** Checks mtprotoSeal's / mtprotoOpen's arguments (msgKey: open only). */
export function mtprotoArgs(fn: 'mtprotoSeal' | 'mtprotoOpen', authKey: unknown, from: unknown, data: unknown, msgKey?: unknown): MtprotoArgs {
  const key = bytesOfLength(authKey, MTPROTO_AUTH_KEY_LENGTH, fn, 'authKey');
  const x = senderX(from, fn);
  const param = fn === 'mtprotoSeal' ? 'plaintext' : 'ciphertext';
  const n = lengthOf(bytes(data, fn, param));
  if (n === 0 || n % 16 !== 0) throw new RangeError(`${fn}: ${param} length must be a positive multiple of 16, got ${n}`);
  const k = fn === 'mtprotoOpen' ? bytesOfLength(msgKey, 16, fn, 'msgKey') : undefined;
  return { authKey: stable(key), x, data: stable(data as Uint8Array), msgKey: k === undefined ? undefined : stable(k) };
}

/**
 * Wipes the private copies mtprotoArgs made of arguments in shared memory (stable() copies only
 * those): a copy of the auth key or of a plaintext must not outlive the call.
 */
export function wipeCopies(a: MtprotoArgs, authKey: Uint8Array, data: Uint8Array): void {
  if (a.authKey !== authKey) a.authKey.fill(0);
  if (a.data !== data) a.data.fill(0);
}

interface Primitives {
  sha256(data: Uint8Array): Uint8Array;
  aesIge(key: Uint8Array): AesIge;
}

/** SHA-256 of the parts; the concatenation (it holds key bytes) is wiped. */
function sha256Of(sha256: (data: Uint8Array) => Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const buf = concat(...parts);
  try {
    return sha256(buf);
  } finally {
    buf.fill(0);
  }
}

/**
 * MTProto 2.0 aes_key / aes_iv for a 16-byte msg_key (spec §2.3) from the 256-byte auth key; the
 * two intermediate hashes are wiped, the caller wipes the result. Also kdf.ts's messageKeyIv.
 */
export function mtprotoKeyIv(sha256: (data: Uint8Array) => Uint8Array, authKey: Uint8Array, msgKey: Uint8Array, x: 0 | 8): { key: Uint8Array; iv: Uint8Array } {
  const h1 = sha256Of(sha256, msgKey, authKey.subarray(x, x + 36));
  const h2 = sha256Of(sha256, authKey.subarray(40 + x, 76 + x), msgKey);
  // aes_key = h1[0:8] ‖ h2[8:24] ‖ h1[24:32]; aes_iv = h2[0:8] ‖ h1[8:24] ‖ h2[24:32]
  const key = concat(h1.subarray(0, 8), h2.subarray(8, 24), h1.subarray(24, 32));
  const iv = concat(h2.subarray(0, 8), h1.subarray(8, 24), h2.subarray(24, 32));
  h1.fill(0);
  h2.fill(0);
  return { key, iv };
}

/** AES-256-IGE of `data` under the keys of `msgKey`; every derived key is wiped. */
function ige(p: Primitives, a: MtprotoArgs, msgKey: Uint8Array, direction: 'encrypt' | 'decrypt'): Uint8Array {
  const { key, iv } = mtprotoKeyIv(p.sha256, a.authKey, msgKey, a.x);
  const cipher = p.aesIge(key);
  try {
    return cipher[direction](iv, a.data);
  } finally {
    cipher.dispose();
    key.fill(0);
    iv.fill(0);
  }
}

/** mtprotoSeal from SHA-256 and AES-IGE, on checked arguments. */
export function composedSeal(p: Primitives, a: MtprotoArgs): MtprotoSealed {
  const msgKeyLarge = sha256Of(p.sha256, a.authKey.subarray(88 + a.x, 120 + a.x), a.data);
  return { msgKeyLarge, ciphertext: ige(p, a, msgKeyLarge.subarray(8, 24), 'encrypt') };
}

/** mtprotoOpen from SHA-256 and AES-IGE, on checked arguments. */
export function composedOpen(p: Primitives, a: MtprotoArgs): MtprotoOpened {
  const plaintext = ige(p, a, a.msgKey!, 'decrypt');
  return { msgKeyLarge: sha256Of(p.sha256, a.authKey.subarray(88 + a.x, 120 + a.x), plaintext), plaintext };
}
