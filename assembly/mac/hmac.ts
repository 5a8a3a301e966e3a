// HMAC, RFC 2104 / FIPS 198-1, over any hash descriptor.
//
// The key is absorbed once: the chaining states after the (key ⊕ ipad) and (key ⊕ opad) blocks are
// kept in the context, so every later message costs only its own blocks plus one outer block, and
// the context can be reused for any number of messages under the same key.
//
// Context layout (hmacCtxLen = mdCtxLen + 128 bytes):
//   [0, mdCtxLen)            the running inner hash
//   [mdCtxLen, +64)          chaining state after key ⊕ ipad
//   [mdCtxLen + 64, +64)     chaining state after key ⊕ opad

import { hashOf } from '../hash/descriptors';
import { mdCtxLen, mdFinal, mdInit, mdResume, mdUpdate, mdWipe } from '../hash/md';
import { copy, wipe } from '../runtime/bytes';

// Key block and inner digest scratch; wiped before every return, with the hash's schedule scratch.
const KEY_BLOCK: usize = memory.data(128, 16);
const INNER: usize = memory.data(64, 16);

@inline export function hmacCtxLen<H>(): usize {
  return mdCtxLen<H>() + 128;
}

@inline function ipadState<H>(ctx: usize): usize { return ctx + mdCtxLen<H>(); }
@inline function opadState<H>(ctx: usize): usize { return ctx + mdCtxLen<H>() + 64; }

export function hmacInit<H>(ctx: usize, key: usize, keyLen: usize): void {
  const h = hashOf<H>();
  const block = h.blockLen;
  // RFC 2104 §2: a key longer than the block is replaced by its hash; shorter keys are zero-padded.
  if (keyLen > block) {
    mdInit<H>(ctx);
    mdUpdate<H>(ctx, key, keyLen);
    mdFinal<H>(ctx, KEY_BLOCK);
    mdWipe<H>(ctx);
    keyLen = h.digestLen;
  } else {
    copy(KEY_BLOCK, key, keyLen);
  }
  wipe(KEY_BLOCK + keyLen, block - keyLen);
  for (let i: usize = 0; i < block; i += 8) store<u64>(KEY_BLOCK + i, load<u64>(KEY_BLOCK + i) ^ 0x3636363636363636);
  h.initState(ipadState<H>(ctx));
  h.compress(ipadState<H>(ctx), KEY_BLOCK, 1);
  for (let i: usize = 0; i < block; i += 8) store<u64>(KEY_BLOCK + i, load<u64>(KEY_BLOCK + i) ^ 0x6a6a6a6a6a6a6a6a);
  h.initState(opadState<H>(ctx));
  h.compress(opadState<H>(ctx), KEY_BLOCK, 1);
  wipe(KEY_BLOCK, block);
  h.wipeScratch();
  hmacReset<H>(ctx);
}

/** Starts a new message under the context's key. */
export function hmacReset<H>(ctx: usize): void {
  mdResume<H>(ctx, ipadState<H>(ctx), hashOf<H>().blockLen);
}

/** Absorbs message bytes; the hash's schedule scratch is left for the caller to wipe (hmacFinal does). */
@inline export function hmacUpdate<H>(ctx: usize, data: usize, len: usize): void {
  mdUpdate<H>(ctx, data, len);
}

/** hmacUpdate for a call that returns to the caller: the schedule of secret data is wiped. */
export function hmacUpdateWiped<H>(ctx: usize, data: usize, len: usize): void {
  mdUpdate<H>(ctx, data, len);
  hashOf<H>().wipeScratch();
}

/**
 * Writes the tag to `out` (which may alias nothing in `ctx`) and resets for the next message. The
 * block buffer keeps the last block until the next message or hmacWipe.
 */
export function hmacFinal<H>(ctx: usize, out: usize): void {
  const h = hashOf<H>();
  mdFinal<H>(ctx, INNER);
  mdResume<H>(ctx, opadState<H>(ctx), h.blockLen);
  mdUpdate<H>(ctx, INNER, h.digestLen);
  mdFinal<H>(ctx, out);
  wipe(INNER, 64);
  h.wipeScratch();
  hmacReset<H>(ctx);
}

/** Forgets the key: the whole context is zeroed. */
export function hmacWipe<H>(ctx: usize): void {
  wipe(ctx, hmacCtxLen<H>());
}
