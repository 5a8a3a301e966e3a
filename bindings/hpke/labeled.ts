// RFC 9180 §4: LabeledExtract and LabeledExpand, the domain-separated HKDF every HPKE derivation
// goes through, bound to a suite_id ("KEM" ‖ kem_id for the KEM, "HPKE" ‖ kem ‖ kdf ‖ aead for the
// key schedule).

import { concat } from '../bytes.js';
import type { CryptoProvider } from '../provider/types.js';

const encoder = new TextEncoder();
const HPKE_V1 = encoder.encode('HPKE-v1');

export function i2osp(value: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = length - 1, v = value; i >= 0; i--, v = Math.floor(v / 256)) out[i] = v & 0xff;
  return out;
}

export class Labeled {
  readonly #provider: CryptoProvider;
  readonly #suiteId: Uint8Array;

  /** suite_id = `kind` ‖ I2OSP(id, 2) for each id: "KEM" ‖ kem_id (§4.1) or "HPKE" ‖ kem ‖ kdf ‖ aead (§5.1). */
  constructor(provider: CryptoProvider, kind: 'KEM' | 'HPKE', ids: readonly number[]) {
    this.#provider = provider;
    this.#suiteId = concat(encoder.encode(kind), ...ids.map((id) => i2osp(id, 2)));
  }

  /** LabeledExtract(salt, label, ikm) = Extract(salt, "HPKE-v1" ‖ suite_id ‖ label ‖ ikm). */
  extract(salt: Uint8Array, label: string, ikm: Uint8Array): Uint8Array {
    const labeledIkm = concat(HPKE_V1, this.#suiteId, encoder.encode(label), ikm);
    try {
      return this.#provider.hkdfExtract('SHA-256', salt, labeledIkm);
    } finally {
      labeledIkm.fill(0);
    }
  }

  /** LabeledExpand(prk, label, info, L) = Expand(prk, I2OSP(L, 2) ‖ "HPKE-v1" ‖ suite_id ‖ label ‖ info, L). */
  expand(prk: Uint8Array, label: string, info: Uint8Array, length: number): Uint8Array {
    const labeledInfo = concat(i2osp(length, 2), HPKE_V1, this.#suiteId, encoder.encode(label), info);
    return this.#provider.hkdfExpand('SHA-256', prk, labeledInfo, length);
  }
}
