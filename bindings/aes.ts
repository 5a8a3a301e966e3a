// AES modes: GCM (an Aead), CTR (a running stream) and IGE (MTProto's convention). The cores are
// constant time on both builds (vector permutes with SIMD, bitsliced without); there is no raw
// block or ECB export on purpose.

import { type Aead, type AeadSpec, WasmAead } from './aead.js';
import { lengthOf, view } from './bytes.js';
import { bytes, bytesOfLength } from './errors.js';
import { KeyedObject } from './keyed.js';
import type { Engine } from './wasm/engine.js';
import { WINDOW_BYTES } from './wasm/engine.js';
import { feed } from './wasm/staging.js';

const AES_KEY_LENGTHS = [16, 24, 32] as const;

function checkAesKey(key: unknown, fn: string): Uint8Array {
  const k = bytes(key, fn, 'key');
  if (!(AES_KEY_LENGTHS as readonly number[]).includes(lengthOf(k))) {
    throw new RangeError(`${fn}: key must be 16, 24 or 32 bytes, got ${lengthOf(k)}`);
  }
  return k;
}

/** Stages `key` in the I/O window for a key-setup call, then wipes it. */
function withKey(e: Engine, key: Uint8Array, setup: (keyPtr: number, scratch: number) => void): void {
  try {
    e.u8.set(key, e.window);
    setup(e.window, e.window + 64);
  } finally {
    e.wipe(e.window, 128);
  }
}

/** SP 800-38D §5.2.1.1: at most 2^32 - 2 blocks of plaintext per invocation. */
export const AES_GCM_MAX_PLAINTEXT = (2 ** 32 - 2) * 16;

const AES_GCM: AeadSpec = {
  fn: 'aesGcm',
  nonceLength: 12,
  otherNonceLengths: { min: 1, max: 1024 },
  keyLengths: AES_KEY_LENGTHS,
  maxPlaintext: AES_GCM_MAX_PLAINTEXT,
  keyStateLen: (x) => x.GCM_KEY_STATE_LEN.value,
  ctxLen: (x) => x.GCM_CTX_LEN.value,
  setKey: (e, state, key) => withKey(e, key, (k, scratch) => e.abi.gcm_set_key(state, k, lengthOf(key), scratch)),
  seal: (x, c, k, n, nl, a, al, b, l) => x.gcm_seal(c, k, n, nl, a, al, b, l),
  open: (x, c, k, n, nl, a, al, b, l) => x.gcm_open(c, k, n, nl, a, al, b, l),
  init: (x, c, k, n, nl) => x.gcm_init(c, k, n, nl),
  aad: (x, c, k, p, l) => x.gcm_aad(c, k, p, l),
  encrypt: (x, c, k, p, l) => x.gcm_encrypt(c, k, p, l),
  absorb: (x, c, k, p, l) => x.gcm_absorb(c, k, p, l),
  decrypt: (x, c, k, p, l) => x.gcm_decrypt(c, k, p, l),
  finish: (x, c, k, t) => x.gcm_finish(c, k, t),
  verify: (x, c, k, t) => x.gcm_verify(c, k, t),
  wipe: (x, c) => x.gcm_wipe(c),
};

/**
 * AES-GCM with a 16-, 24- or 32-byte key (AES-128/192/256-GCM) and 16-byte tags. Nonces are 12 bytes
 * as recommended; other lengths from 1 to 1024 bytes follow SP 800-38D (J0 derived by GHASH).
 */
export function aesGcm(key: Uint8Array): Aead {
  return new WasmAead(AES_GCM, key);
}

// ---- CTR -------------------------------------------------------------------------------------------

export interface AesCtr {
  /** XORs the next data.length keystream bytes into a copy of `data`. Calls continue one stream. */
  update(data: Uint8Array): Uint8Array;
  dispose(): void;
}

class WasmAesCtr extends KeyedObject implements AesCtr {
  constructor(key: Uint8Array, iv: Uint8Array) {
    checkAesKey(key, 'aesCtr');
    bytesOfLength(iv, 16, 'aesCtr', 'iv');
    super('aesCtr', (e) => e.abi.AES_KEY_STATE_LEN.value + e.abi.AES_CTR_CTX_LEN.value);
    const e = this.engine;
    withKey(e, key, (k) => e.abi.aes_set_key(this.block, k, lengthOf(key)));
    e.u8.set(iv, e.window);
    e.abi.aes_ctr_init(this.#ctx(), e.window);
    e.wipe(e.window, 16);
  }

  #ctx(): number {
    return this.block + this.engine.abi.AES_KEY_STATE_LEN.value;
  }

  update(data: Uint8Array): Uint8Array {
    this.live('update');
    bytes(data, 'aesCtr', 'data');
    const e = this.engine;
    const out = new Uint8Array(lengthOf(data));
    feed(e, data, (p, n, off) => {
      e.abi.aes_ctr_xor(this.#ctx(), this.block, p, p, n);
      out.set(e.u8.subarray(p, p + n), off);
    });
    return out;
  }
}

/**
 * AES-CTR with a 16-, 24- or 32-byte key and a 16-byte initial counter block, incremented as one
 * 128-bit big-endian number (wrapping modulo 2^128, as OpenSSL does). One object is one stream.
 */
export function aesCtr(key: Uint8Array, iv: Uint8Array): AesCtr {
  return new WasmAesCtr(key, iv);
}

// ---- IGE -------------------------------------------------------------------------------------------

export interface AesIge {
  /** Encrypts `data` (a multiple of 16 bytes) with iv = y0 ‖ x0 (32 bytes); the iv is not modified. */
  encrypt(iv: Uint8Array, data: Uint8Array): Uint8Array;
  decrypt(iv: Uint8Array, data: Uint8Array): Uint8Array;
  dispose(): void;
}

class WasmAesIge extends KeyedObject implements AesIge {
  constructor(key: Uint8Array) {
    checkAesKey(key, 'aesIge');
    super('aesIge', (e) => e.abi.AES_KEY_STATE_LEN.value);
    const e = this.engine;
    withKey(e, key, (k) => e.abi.aes_set_key(this.block, k, lengthOf(key)));
  }

  encrypt(iv: Uint8Array, data: Uint8Array): Uint8Array {
    return this.#run('encrypt', iv, data);
  }

  decrypt(iv: Uint8Array, data: Uint8Array): Uint8Array {
    return this.#run('decrypt', iv, data);
  }

  #run(op: 'encrypt' | 'decrypt', iv: Uint8Array, data: Uint8Array): Uint8Array {
    this.live(op);
    bytesOfLength(iv, 32, 'aesIge', 'iv');
    bytes(data, 'aesIge', 'data');
    const length = lengthOf(data);
    if (length % 16 !== 0) throw new RangeError(`aesIge: data length must be a multiple of 16, got ${length}`);
    const e = this.engine;
    const x = e.abi;
    const ivAt = e.window;
    const bufAt = e.window + 32;
    const chunkMax = WINDOW_BYTES - 32;
    const out = new Uint8Array(length);
    try {
      e.u8.set(iv, ivAt);
      for (let off = 0; off < length; off += chunkMax) {
        const n = Math.min(chunkMax, length - off);
        e.u8.set(view(data, off, off + n), bufAt);
        if (op === 'encrypt') x.aes_ige_encrypt(this.block, ivAt, bufAt, bufAt, n);
        else x.aes_ige_decrypt(this.block, ivAt, bufAt, bufAt, n);
        out.set(e.u8.subarray(bufAt, bufAt + n), off);
      }
      return out;
    } finally {
      e.wipe(e.window, Math.min(WINDOW_BYTES, 32 + length));
    }
  }
}

/** AES-IGE with a 32-byte (MTProto) or 16/24-byte key. */
export function aesIge(key: Uint8Array): AesIge {
  return new WasmAesIge(key);
}
