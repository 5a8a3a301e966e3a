// The handshake transcript (spec §5.1): the framed handshake messages in order, hashed with
// SHA-256 at each point the key schedule needs a hash.

import type { CryptoProvider } from '../../provider/types.js';

export class Transcript {
  #parts: Uint8Array[] = [];

  constructor(private readonly provider: CryptoProvider) {}

  add(message: Uint8Array): void {
    this.#parts.push(message);
  }

  hash(): Uint8Array {
    let n = 0;
    for (const p of this.#parts) n += p.length;
    const all = new Uint8Array(n);
    n = 0;
    for (const p of this.#parts) {
      all.set(p, n);
      n += p.length;
    }
    return this.provider.hash('SHA-256', all);
  }
}
