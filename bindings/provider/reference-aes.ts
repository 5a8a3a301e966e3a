// AES-IGE and AES-CTR for the reference provider, on @noble/ciphers' single-block AES. Not constant
// time (noble's AES uses lookup tables) and slow (one call per block); it exists as an independent
// second implementation for the protocol tests, with the same arguments, results and errors as
// the wasm engine's aesIge / aesCtr.

import { unsafe } from '@noble/ciphers/aes.js';
import type { AesCtr, AesIge } from '../aes.js';
import { bytes, bytesOfLength, finished } from '../errors.js';

function aesKey(key: unknown, fn: string): Uint8Array {
  const k = bytes(key, fn, 'key');
  if (k.length !== 16 && k.length !== 24 && k.length !== 32) {
    throw new RangeError(`${fn}: key must be 16, 24 or 32 bytes, got ${k.length}`);
  }
  return k;
}

function xor16(a: Uint8Array, b: Uint8Array, bOffset = 0): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = a[i] ^ b[bOffset + i];
  return out;
}

class ReferenceAesIge implements AesIge {
  #enc: Uint32Array | null;
  #dec: Uint32Array | null;

  constructor(key: Uint8Array) {
    const k = aesKey(key, 'aesIge');
    this.#enc = unsafe.expandKeyLE(k);
    this.#dec = unsafe.expandKeyDecLE(k);
  }

  // IGE (MTProto convention): iv = c_0 ‖ m_0;
  //   encrypt c_i = E(m_i ⊕ c_{i-1}) ⊕ m_{i-1};  decrypt m_i = D(c_i ⊕ m_{i-1}) ⊕ c_{i-1}.
  encrypt(iv: Uint8Array, data: Uint8Array): Uint8Array {
    return this.#run('encrypt', iv, data);
  }

  decrypt(iv: Uint8Array, data: Uint8Array): Uint8Array {
    return this.#run('decrypt', iv, data);
  }

  #run(op: 'encrypt' | 'decrypt', iv: Uint8Array, data: Uint8Array): Uint8Array {
    if (this.#enc === null || this.#dec === null) finished(`aesIge.${op}`, 'disposed');
    const v = bytesOfLength(iv, 32, 'aesIge', 'iv');
    const input = bytes(data, 'aesIge', 'data').slice();
    if (input.length % 16 !== 0) throw new RangeError(`aesIge: data length must be a multiple of 16, got ${input.length}`);
    const out = new Uint8Array(input.length);
    // For encryption, `chain` is the previous ciphertext and `other` the previous plaintext;
    // decryption swaps their roles.
    let chain: Uint8Array = v.slice(op === 'encrypt' ? 0 : 16, op === 'encrypt' ? 16 : 32);
    let other: Uint8Array = v.slice(op === 'encrypt' ? 16 : 0, op === 'encrypt' ? 32 : 16);
    for (let off = 0; off < input.length; off += 16) {
      const block = input.subarray(off, off + 16);
      const mixed = xor16(block, chain);
      const core = op === 'encrypt' ? unsafe.encryptBlock(this.#enc, mixed) : unsafe.decryptBlock(this.#dec, mixed);
      const result = xor16(core, other);
      out.set(result, off);
      other = block.slice();
      chain = result;
    }
    return out;
  }

  dispose(): void {
    this.#enc?.fill(0);
    this.#dec?.fill(0);
    this.#enc = this.#dec = null;
  }
}

class ReferenceAesCtr implements AesCtr {
  #key: Uint32Array | null;
  readonly #counter: Uint8Array;
  readonly #keystream = new Uint8Array(16);
  #used = 16; // bytes of #keystream already consumed

  constructor(key: Uint8Array, iv: Uint8Array) {
    this.#key = unsafe.expandKeyLE(aesKey(key, 'aesCtr'));
    this.#counter = bytesOfLength(iv, 16, 'aesCtr', 'iv').slice();
  }

  update(data: Uint8Array): Uint8Array {
    if (this.#key === null) finished('aesCtr.update', 'disposed');
    const out = bytes(data, 'aesCtr', 'data').slice();
    for (let i = 0; i < out.length; i++) {
      if (this.#used === 16) {
        this.#keystream.set(unsafe.encryptBlock(this.#key, this.#counter.slice()));
        for (let j = 15; j >= 0 && ++this.#counter[j] === 256; j--) this.#counter[j] = 0; // 128-bit BE increment
        this.#used = 0;
      }
      out[i] ^= this.#keystream[this.#used++];
    }
    return out;
  }

  dispose(): void {
    this.#key?.fill(0);
    this.#keystream.fill(0);
    this.#key = null;
  }
}

export const referenceAesIge = (key: Uint8Array): AesIge => new ReferenceAesIge(key);
export const referenceAesCtr = (key: Uint8Array, iv: Uint8Array): AesCtr => new ReferenceAesCtr(key, iv);
