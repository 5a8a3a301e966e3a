// ChaCha20-Poly1305 (RFC 8439) and XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha) as Aead objects.

import { type Aead, type AeadSpec, WasmAead } from './aead.js';

/** RFC 8439 §2.3: the 32-bit block counter must not wrap; data starts at block 1. */
export const CHACHA20_MAX_PLAINTEXT = (2 ** 32 - 1) * 64;

function spec(fn: string, xchacha: 0 | 1): AeadSpec {
  return {
    fn,
    nonceLength: xchacha ? 24 : 12,
    otherNonceLengths: null,
    keyLengths: [32],
    maxPlaintext: CHACHA20_MAX_PLAINTEXT,
    keyStateLen: () => 32,
    ctxLen: (x) => x.CHACHA_AEAD_CTX_LEN.value,
    setKey: (e, state, key) => e.u8.set(key, state),
    seal: (x, c, k, n, _nl, a, al, b, l) => x.chacha_aead_seal(c, k, n, xchacha, a, al, b, l),
    open: (x, c, k, n, _nl, a, al, b, l) => x.chacha_aead_open(c, k, n, xchacha, a, al, b, l),
    init: (x, c, k, n) => x.chacha_aead_init(c, k, n, xchacha),
    aad: (x, c, _k, p, l) => x.chacha_aead_aad(c, p, l),
    encrypt: (x, c, _k, p, l) => x.chacha_aead_encrypt(c, p, l),
    absorb: (x, c, _k, p, l) => x.chacha_aead_absorb(c, p, l),
    decrypt: (x, c, _k, p, l) => x.chacha_aead_decrypt(c, p, l),
    finish: (x, c, _k, t) => x.chacha_aead_finish(c, t),
    verify: (x, c, _k, t) => x.chacha_aead_verify(c, t),
    wipe: (x, c) => x.chacha_aead_wipe(c),
  };
}

const CHACHA20_POLY1305 = spec('chacha20Poly1305', 0);
const XCHACHA20_POLY1305 = spec('xchacha20Poly1305', 1);

/** ChaCha20-Poly1305 with a 32-byte key; 12-byte nonces. */
export function chacha20Poly1305(key: Uint8Array): Aead {
  return new WasmAead(CHACHA20_POLY1305, key);
}

/** XChaCha20-Poly1305 with a 32-byte key; 24-byte nonces (random nonces are safe). */
export function xchacha20Poly1305(key: Uint8Array): Aead {
  return new WasmAead(XCHACHA20_POLY1305, key);
}
