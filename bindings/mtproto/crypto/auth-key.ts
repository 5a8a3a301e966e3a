// An MTProto authorization key (spec §2.2, §5.1 step 10): the 256-byte shared secret with its
// public id, SHA-1(auth_key)[12:20], and its aux hash, SHA-1(auth_key)[0:8] (used by new_nonce_hashN
// and retry_id). Nothing else is precomputed: the message KDF (kdf.ts) reads slices of the key on
// each use instead of keeping derived secrets around in JavaScript memory.

import { copyOf } from '../../bytes.js';
import { bytesOfLength, finished } from '../../errors.js';
import type { CryptoProvider } from '../../provider/types.js';

export const AUTH_KEY_LENGTH = 256;

// The one way message.ts, kdf.ts and quick-ack.ts reach the key bytes without copying them; set by
// the class's static block so the field can stay #private.
let material: (key: AuthKey, fn: string) => Uint8Array;

export class AuthKey {
  #key: Uint8Array | null;
  #auxHash: Uint8Array;
  readonly #id: Uint8Array;
  /** auth_key_id as TL reads it (signed little-endian int64), e.g. for perm_auth_key_id. */
  readonly idLong: bigint;

  static {
    material = (key, fn) => {
      if (!(key instanceof AuthKey)) throw new TypeError(`${fn}: authKey must be an AuthKey`);
      if (key.#key === null) finished(`${fn}`, 'disposed');
      return key.#key;
    };
  }

  /** Copies `key` (256 bytes, e.g. g_ab left-padded, spec §5.1 step 9) and hashes it once. */
  constructor(provider: CryptoProvider, key: Uint8Array) {
    bytesOfLength(key, AUTH_KEY_LENGTH, 'AuthKey', 'key');
    this.#key = copyOf(key);
    const digest = provider.hash('SHA-1', this.#key);
    this.#auxHash = digest.slice(0, 8);
    this.#id = digest.slice(12, 20);
    digest.fill(0);
    this.idLong = new DataView(this.#id.buffer).getBigInt64(0, true);
  }

  /** auth_key_id: the 8 bytes that start every encrypted packet (a copy; public). */
  get id(): Uint8Array {
    return this.#id.slice();
  }

  /** auth_key_aux_hash = SHA-1(auth_key)[0:8] (a copy). */
  get auxHash(): Uint8Array {
    if (this.#key === null) finished('AuthKey.auxHash', 'disposed');
    return this.#auxHash.slice();
  }

  get disposed(): boolean {
    return this.#key === null;
  }

  /** A copy of the 256 key bytes, for a key store; the caller wipes it when done. */
  export(): Uint8Array {
    return material(this, 'AuthKey.export').slice();
  }

  /** Zeroes this object's copies of the key and aux hash; later use throws. Idempotent. */
  dispose(): void {
    if (this.#key === null) return;
    this.#key.fill(0);
    this.#auxHash.fill(0);
    this.#key = null;
  }
}

/**
 * The key bytes themselves (no copy) for the crypto/ modules; TypeError for anything but a live
 * AuthKey. Not part of the public API: never hand the result out.
 */
export function keyMaterial(key: AuthKey, fn: string): Uint8Array {
  return material(key, fn);
}
