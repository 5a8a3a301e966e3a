// Ed25519 (RFC 8032 §5.1) in wasm, and its conversions to X25519.
//
// Secret keys: generateKeyPair() returns the 64-byte form seed ‖ publicKey used by libsodium, Go and
// tweetnacl; every function also takes the bare 32-byte seed (RFC 8032's private key). The public
// half of a 64-byte key is never used to sign: the public key is always derived from the seed, and a
// 64-byte key whose public half differs is refused (InvalidKeyError 'mismatched-public-key'), since
// two signatures of one message under different public keys would reveal the secret scalar. To sign
// many messages without deriving the public key each time, make a signer(secretKey).
//
// Messages of any length stream through the I/O window (memory does not grow with them). Signing
// reads the message twice; one in a SharedArrayBuffer is copied first, so that both passes see the
// same bytes.
//
// Verification rule: cofactored, S canonical, A and R canonical encodings, A not of small order (see
// assembly/curve/ed25519.ts). verify() and verifyBatch() answer false for every bad signature,
// including one of the wrong length or under a public key that does not decode; they only throw for
// arguments of the wrong type or a public key of the wrong length.

import { isDetached, isUint8Array, lengthOf, stable, view } from './bytes.js';
import { InvalidKeyError, bytes, bytesOfLength } from './errors.js';
import { KeyedObject } from './keyed.js';
import { verifier } from './ed25519-verifier.js';
import { randomBytes } from './random.js';
import type { KeyPair } from './x25519.js';
import type { Engine } from './wasm/engine.js';
import { engine } from './wasm/select.js';
import { align16, feed, smallCall } from './wasm/staging.js';

const SEED = 32;
const PUBLIC = 32;
const SIGNATURE = 64;
/** The wasm signing key: clamped scalar ‖ nonce prefix ‖ public key. */
const SIGNING_KEY = 96;

export interface SignedMessage {
  readonly publicKey: Uint8Array;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
}

/** A key expanded once for signing many messages (see signer()). */
export interface Ed25519Signer {
  /** The public key, derived from the seed. */
  readonly publicKey: Uint8Array;
  /** The 64-byte signature of `message` (deterministic, §5.1.6). */
  sign(message: Uint8Array): Uint8Array;
  /** Zeroes the expanded key in wasm memory; the signer is unusable afterwards. */
  dispose(): void;
}

function secretKeyOf(secretKey: unknown, fn: string): Uint8Array {
  const sk = bytes(secretKey, fn, 'secretKey');
  const n = lengthOf(sk);
  if (n !== SEED && n !== SEED + PUBLIC) {
    throw new RangeError(`${fn}: secretKey must be 32 bytes (seed) or 64 bytes (seed ‖ public key), got ${n}`);
  }
  return sk;
}

/**
 * Writes the signing key of `secretKey` at `at` (96 bytes of wasm memory). A 64-byte key must carry
 * its seed's own public key; otherwise the signing key is wiped and InvalidKeyError thrown.
 */
function expandInto(e: Engine, at: number, sk: Uint8Array, fn: string): void {
  smallCall(e, [view(sk, 0, SEED)], 0, ([seed]) => e.abi.ed25519_expand(at, seed));
  if (lengthOf(sk) === SEED) return;
  const derived = e.u8.subarray(at + 64, at + SIGNING_KEY);
  const given = view(sk, SEED);
  let diff = 0;
  for (let i = 0; i < PUBLIC; i++) diff |= derived[i] ^ given[i];
  if (diff !== 0) {
    e.wipe(at, SIGNING_KEY);
    throw new InvalidKeyError(fn, 'mismatched-public-key');
  }
}

/** The signature of `message` under the signing key at `key`; all scratch wiped, also on a throw. */
function signWith(e: Engine, key: number, message: Uint8Array): Uint8Array {
  const x = e.abi;
  const msg = stable(message);
  const sig = e.out + 128;
  const absorb = (p: number, n: number) => x.ed25519_absorb(p, n);
  try {
    x.ed25519_sign_start(key);
    feed(e, msg, absorb);
    x.ed25519_sign_commit(key, sig);
    feed(e, msg, absorb);
    x.ed25519_sign_finish(key, sig);
    return e.read(sig, SIGNATURE);
  } finally {
    x.ed25519_wipe();
    e.wipe(sig, SIGNATURE);
  }
}

function publicKey(secretKey: Uint8Array): Uint8Array {
  const sk = secretKeyOf(secretKey, 'ed25519.publicKey');
  const e = engine();
  return smallCall(e, [view(sk, 0, SEED)], PUBLIC, ([seed], out) => e.abi.ed25519_public_key(out, seed))[0];
}

function generateKeyPair(): KeyPair {
  const seed = randomBytes(SEED);
  const pk = publicKey(seed);
  const secretKey = new Uint8Array(SEED + PUBLIC);
  secretKey.set(seed);
  secretKey.set(pk, SEED);
  seed.fill(0);
  return { secretKey, publicKey: pk };
}

/** The 64-byte signature of `message` (deterministic, §5.1.6). */
function sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  const sk = secretKeyOf(secretKey, 'ed25519.sign');
  bytes(message, 'ed25519.sign', 'message');
  const e = engine();
  const key = e.ctx;
  try {
    expandInto(e, key, sk, 'ed25519.sign');
    return signWith(e, key, message);
  } finally {
    e.wipe(key, SIGNING_KEY);
  }
}

class WasmSigner extends KeyedObject implements Ed25519Signer {
  readonly publicKey: Uint8Array;

  constructor(sk: Uint8Array) {
    super('ed25519.signer', () => SIGNING_KEY);
    try {
      expandInto(this.engine, this.block, sk, 'ed25519.signer');
    } catch (err) {
      this.dispose();
      throw err;
    }
    this.publicKey = this.engine.read(this.block + 64, PUBLIC);
  }

  sign(message: Uint8Array): Uint8Array {
    this.live('sign');
    bytes(message, 'ed25519.signer.sign', 'message');
    return signWith(this.engine, this.block, message);
  }
}

/** A signer for `secretKey` (32-byte seed or 64-byte seed ‖ public key): the key is expanded once. */
function signer(secretKey: Uint8Array): Ed25519Signer {
  return new WasmSigner(secretKeyOf(secretKey, 'ed25519.signer'));
}

/** Whether `signature` is a valid signature of `message` under `publicKey` (rule above). */
function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  bytesOfLength(publicKey, PUBLIC, 'ed25519.verify', 'publicKey');
  bytes(message, 'ed25519.verify', 'message');
  bytes(signature, 'ed25519.verify', 'signature');
  if (lengthOf(signature) !== SIGNATURE) return false;
  const e = engine();
  const x = e.abi;
  const [, ok] = smallCall(e, [publicKey, signature], 0, ([pk, sig]) => {
    if (x.ed25519_verify_start(pk, sig) !== 1) return false;
    feed(e, message, (p, n) => x.ed25519_absorb(p, n));
    return x.ed25519_verify_finish(sig) === 1;
  });
  return ok;
}

// ---- batch verification ---------------------------------------------------------------------------

/**
 * Signatures per wasm call. From 64 on the wasm side uses the bucket method, whose cost per
 * signature keeps falling with the chunk (measured when the size was chosen, one key: 13.9 µs at
 * 1,024, 12.1 at 4,096, 11.7 at 16,384, 11.0 at 65,536; Straus at 64: ~19 µs; the scalar sums
 * batched later took about a quarter off each, ≈ 10.5 µs at 8,192), but memory grows with it for good: 4,096
 * signatures take ~2.4 MB of tables and scratch (≈ 580 bytes each) plus up to BATCH_BYTES of messages.
 */
const BATCH_CHUNK = 4096;
/** Below this, one-by-one verification is as fast as the batch equation. */
const BATCH_MIN = 4;
/** Message bytes per chunk: they are in wasm memory together, whose growth is permanent (4,096 messages of 256 bytes). */
const BATCH_BYTES = 1 << 20;
/** Longer messages are verified one by one, streamed, so that no chunk exceeds BATCH_BYTES. */
const BATCH_MESSAGE_MAX = 1 << 16;

/** The batchable items' fields, read once, in parallel arrays (no object per item), and each one's index. */
interface Batch {
  readonly publicKeys: Uint8Array[];
  readonly messages: Uint8Array[];
  readonly signatures: Uint8Array[];
  readonly index: number[];
}

/**
 * Verifies the batch's items [from, to) with one random linear combination; writes each verdict
 * into `results` at the item's own index.
 */
function verifyChunk(e: Engine, b: Batch, from: number, to: number, results: boolean[]): void {
  const n = to - from;
  let messageBytes = 0;
  for (let i = from; i < to; i++) messageBytes += align16(lengthOf(b.messages[i]));
  const table = 0;
  const randoms = table + 16 * n;
  const flags = randoms + 16 * n;
  const keys = flags + align16(n);
  const messages = keys + 96 * n;
  const scratch = messages + messageBytes;
  const size = scratch + e.abi.ed25519_batch_scratch(n);
  const base = e.alloc(size);
  const u8 = e.u8;
  u8.set(randomBytes(16 * n), base + randoms);
  let m = base + messages;
  for (let i = 0; i < n; i++) {
    const publicKey = b.publicKeys[from + i], message = b.messages[from + i], signature = b.signatures[from + i];
    const pk = base + keys + 96 * i;
    const length = lengthOf(message);
    u8.set(publicKey, pk);
    u8.set(signature, pk + PUBLIC);
    u8.set(message, m);
    e.setU32(base + table + 16 * i, pk);
    e.setU32(base + table + 16 * i + 4, pk + PUBLIC);
    e.setU32(base + table + 16 * i + 8, m);
    e.setU32(base + table + 16 * i + 12, length);
    m += align16(length);
  }
  e.abi.ed25519_verify_batch(base + table, n, base + randoms, base + scratch, base + flags);
  const out = e.u8;
  for (let i = 0; i < n; i++) results[b.index[from + i]] = out[base + flags + i] === 1;
  e.free(base, size);
}

/** What bytesOfLength(publicKey, PUBLIC) and bytes() of the message and signature accept (true: none would throw). */
function wellTyped(publicKey: unknown, message: unknown, signature: unknown): boolean {
  return isUint8Array(publicKey) && lengthOf(publicKey) === PUBLIC
    && isUint8Array(message) && !isDetached(message) && isUint8Array(signature) && !isDetached(signature);
}

/**
 * One boolean per item, as verify() would answer, computed with batch verification: one random
 * linear combination of up to BATCH_CHUNK signatures (random 128-bit coefficients from the platform
 * CSPRNG), checked with a single multi-scalar multiplication; when it fails, the wasm side splits the
 * chunk in halves until the failing parts are 8 signatures or fewer, and checks those one by one.
 * Each item's fields are read once.
 */
function verifyBatch(items: readonly SignedMessage[]): boolean[] {
  const fn = 'ed25519.verifyBatch';
  if (!Array.isArray(items)) throw new TypeError(`${fn}: items must be an array`);
  const count = items.length;
  const results = new Array<boolean>(count).fill(false);
  const batch: Batch = { publicKeys: [], messages: [], signatures: [], index: [] };
  for (let i = 0; i < count; i++) {
    if (!(i in items)) throw new TypeError(`${fn}: items[${i}] is a hole; items must be a dense array`);
    const item: unknown = items[i];
    if (typeof item !== 'object' || item === null) throw new TypeError(`${fn}: items[${i}] must be an object { publicKey, message, signature }`);
    const { publicKey, message, signature } = item as SignedMessage;
    if (!wellTyped(publicKey, message, signature)) {
      // the same checks, with their messages (not built for every item: three strings each)
      bytesOfLength(publicKey, PUBLIC, fn, `items[${i}].publicKey`);
      bytes(message, fn, `items[${i}].message`);
      bytes(signature, fn, `items[${i}].signature`);
    }
    if (lengthOf(signature) !== SIGNATURE) continue;
    if (lengthOf(message) > BATCH_MESSAGE_MAX) results[i] = verify(publicKey, message, signature);
    else {
      batch.publicKeys.push(publicKey);
      batch.messages.push(message);
      batch.signatures.push(signature);
      batch.index.push(i);
    }
  }
  const e = engine();
  const { messages, index } = batch;
  for (let from = 0, to = 0; from < index.length; from = to) {
    // a chunk: up to BATCH_CHUNK signatures whose messages (all in wasm memory at once) stay under BATCH_BYTES
    let size = 0;
    for (; to < index.length && to - from < BATCH_CHUNK; to++) {
      size += lengthOf(messages[to]);
      if (size > BATCH_BYTES) break;
    }
    if (to - from >= BATCH_MIN) verifyChunk(e, batch, from, to, results);
    else for (let i = from; i < to; i++) results[index[i]] = verify(batch.publicKeys[i], messages[i], batch.signatures[i]);
  }
  return results;
}

// ---- conversions to X25519 ------------------------------------------------------------------------

/** The X25519 secret key of an Ed25519 key pair: the clamped first half of SHA-512(seed). */
function toX25519Secret(secretKey: Uint8Array): Uint8Array {
  const sk = secretKeyOf(secretKey, 'ed25519.toX25519Secret');
  const e = engine();
  return smallCall(e, [view(sk, 0, SEED)], 32, ([seed], out) => e.abi.ed25519_secret_to_x25519(out, seed))[0];
}

/**
 * The X25519 public key u = (1 + y) / (1 − y) of an Ed25519 public key (RFC 7748 §4.1). Throws
 * InvalidKeyError ('invalid-point' or 'small-order') for a key that does not decode or has small order.
 */
function toX25519Public(publicKey: Uint8Array): Uint8Array {
  bytesOfLength(publicKey, PUBLIC, 'ed25519.toX25519Public', 'publicKey');
  const e = engine();
  const [out, status] = smallCall(e, [publicKey], 32, ([pk], o) => e.abi.ed25519_public_to_x25519(o, pk));
  if (status !== 0) throw new InvalidKeyError('ed25519.toX25519Public', status === 1 ? 'invalid-point' : 'small-order');
  return out;
}

export const ed25519 = Object.freeze({
  seedLength: SEED,
  secretKeyLength: SEED + PUBLIC,
  publicKeyLength: PUBLIC,
  signatureLength: SIGNATURE,
  generateKeyPair,
  publicKey,
  sign,
  verify,
  verifyBatch,
  signer,
  verifier,
  toX25519Secret,
  toX25519Public,
});
