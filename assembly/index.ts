// The wasm ABI: every export takes byte offsets into linear memory (usize) and plain integers.
// No managed objects and no i64 cross the boundary. Preconditions are documented per function and
// enforced by the TypeScript bindings (bindings/), which validate every argument before calling in.
// Contexts are caller-allocated memory of the size given by the exported *_CTX_LEN globals.

import './runtime/abort'; // the target of --use abort=…, which makes every abort a trap
import { Sha1, Sha256, Sha512 } from './hash/descriptors';
import { mdCtxLen, mdDigest, mdFinal, mdInit, mdUpdate, mdWipe } from './hash/md';
import { hmacCtxLen, hmacFinal, hmacInit, hmacUpdate, hmacWipe } from './mac/hmac';
import { hkdfExpand } from './kdf/hkdf';

/** First byte after the module's static data; the bindings manage memory from here up. */
export function heap_base(): usize {
  return __heap_base;
}

// ---- hashes: init / update / final on a caller context, and a one-shot digest; final and digest
// leave the context zeroed -------------------------------------------------------------------------

export const SHA1_CTX_LEN = <i32>mdCtxLen<Sha1>();
export const SHA256_CTX_LEN = <i32>mdCtxLen<Sha256>();
export const SHA512_CTX_LEN = <i32>mdCtxLen<Sha512>();

export function sha1_init(ctx: usize): void { mdInit<Sha1>(ctx); }
export function sha1_update(ctx: usize, data: usize, len: usize): void { mdUpdate<Sha1>(ctx, data, len); }
export function sha1_final(ctx: usize, out: usize): void { mdFinal<Sha1>(ctx, out); mdWipe<Sha1>(ctx); }
export function sha1_digest(ctx: usize, data: usize, len: usize, out: usize): void { mdDigest<Sha1>(ctx, data, len, out); }

export function sha256_init(ctx: usize): void { mdInit<Sha256>(ctx); }
export function sha256_update(ctx: usize, data: usize, len: usize): void { mdUpdate<Sha256>(ctx, data, len); }
export function sha256_final(ctx: usize, out: usize): void { mdFinal<Sha256>(ctx, out); mdWipe<Sha256>(ctx); }
export function sha256_digest(ctx: usize, data: usize, len: usize, out: usize): void { mdDigest<Sha256>(ctx, data, len, out); }

export function sha512_init(ctx: usize): void { mdInit<Sha512>(ctx); }
export function sha512_update(ctx: usize, data: usize, len: usize): void { mdUpdate<Sha512>(ctx, data, len); }
export function sha512_final(ctx: usize, out: usize): void { mdFinal<Sha512>(ctx, out); mdWipe<Sha512>(ctx); }
export function sha512_digest(ctx: usize, data: usize, len: usize, out: usize): void { mdDigest<Sha512>(ctx, data, len, out); }

// ---- HMAC: init(key) once, then update / final any number of times; wipe forgets the key -------

export const HMAC_SHA1_CTX_LEN = <i32>hmacCtxLen<Sha1>();
export const HMAC_SHA256_CTX_LEN = <i32>hmacCtxLen<Sha256>();
export const HMAC_SHA512_CTX_LEN = <i32>hmacCtxLen<Sha512>();

export function hmac_sha1_init(ctx: usize, key: usize, keyLen: usize): void { hmacInit<Sha1>(ctx, key, keyLen); }
export function hmac_sha1_update(ctx: usize, data: usize, len: usize): void { hmacUpdate<Sha1>(ctx, data, len); }
export function hmac_sha1_final(ctx: usize, out: usize): void { hmacFinal<Sha1>(ctx, out); }
export function hmac_sha1_wipe(ctx: usize): void { hmacWipe<Sha1>(ctx); }

export function hmac_sha256_init(ctx: usize, key: usize, keyLen: usize): void { hmacInit<Sha256>(ctx, key, keyLen); }
export function hmac_sha256_update(ctx: usize, data: usize, len: usize): void { hmacUpdate<Sha256>(ctx, data, len); }
export function hmac_sha256_final(ctx: usize, out: usize): void { hmacFinal<Sha256>(ctx, out); }
export function hmac_sha256_wipe(ctx: usize): void { hmacWipe<Sha256>(ctx); }

export function hmac_sha512_init(ctx: usize, key: usize, keyLen: usize): void { hmacInit<Sha512>(ctx, key, keyLen); }
export function hmac_sha512_update(ctx: usize, data: usize, len: usize): void { hmacUpdate<Sha512>(ctx, data, len); }
export function hmac_sha512_final(ctx: usize, out: usize): void { hmacFinal<Sha512>(ctx, out); }
export function hmac_sha512_wipe(ctx: usize): void { hmacWipe<Sha512>(ctx); }

// ---- HKDF-Expand (RFC 5869 §2.3; Extract is plain HMAC); precondition: len <= 255 * HashLen ---

export function hkdf_sha256_expand(prk: usize, prkLen: usize, info: usize, infoLen: usize, out: usize, len: usize): void {
  hkdfExpand<Sha256>(prk, prkLen, info, infoLen, out, len);
}
export function hkdf_sha512_expand(prk: usize, prkLen: usize, info: usize, infoLen: usize, out: usize, len: usize): void {
  hkdfExpand<Sha512>(prk, prkLen, info, infoLen, out, len);
}

// ---- chain ratchet: 1 chain, or 4 chains in lockstep on the SIMD build -------------------------

export { ratchetSha256 as ratchet_sha256, ratchetWorkLen as ratchet_work_len } from './kdf/ratchet';
/** 4 in the SIMD build (multi-buffer SHA-256), 1 in the scalar build. */
export const RATCHET_MAX_LANES: i32 = ASC_FEATURE_SIMD ? 4 : 1;
