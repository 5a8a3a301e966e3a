// Ed25519 (RFC 8032 §5.1) in wasm, and its conversions to X25519.
//
// Secret keys: generateKeyPair() returns the 64-byte form seed ‖ publicKey used by libsodium, Go and
// tweetnacl; every function also takes the bare 32-byte seed (RFC 8032's private key). Signing with
// the 64-byte form uses its public half as given (as those libraries do): it must be the seed's own
// key. With a 32-byte seed the public key is derived, one more fixed-base multiplication.
//
// Verification rule: cofactored, S canonical, A and R canonical encodings, A not of small order (see
// assembly/curve/ed25519.ts). verify() and verifyBatch() answer false for every bad signature,
// including one of the wrong length or under a public key that does not decode; they only throw for
// arguments of the wrong type or a public key of the wrong length.

import { InvalidKeyError, bytes, bytesOfLength } from './errors.js';
import { randomBytes } from './random.js';
import type { KeyPair } from './x25519.js';
import type { Engine } from './wasm/engine.js';
import { engine } from './wasm/select.js';
import { align16, smallCall, stage, unstage } from './wasm/staging.js';

const SEED = 32;
const PUBLIC = 32;
const SIGNATURE = 64;

export interface SignedMessage {
  readonly publicKey: Uint8Array;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
}

function secretKeyOf(secretKey: unknown, fn: string): Uint8Array {
  const sk = bytes(secretKey, fn, 'secretKey');
  if (sk.length !== SEED && sk.length !== SEED + PUBLIC) {
    throw new RangeError(`${fn}: secretKey must be 32 bytes (seed) or 64 bytes (seed ‖ public key), got ${sk.length}`);
  }
  return sk;
}

function publicKey(secretKey: Uint8Array): Uint8Array {
  const sk = secretKeyOf(secretKey, 'ed25519.publicKey');
  const e = engine();
  return smallCall(e, [sk.subarray(0, SEED)], PUBLIC, ([seed], out) => e.abi.ed25519_public_key(out, seed))[0];
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
  const s = stage(e, [sk, message], SIGNATURE);
  const pkAt = sk.length === SEED ? 0 : s.at[0] + SEED;
  e.abi.ed25519_sign(s.out, s.at[0], pkAt, s.at[1], message.length);
  const sig = e.read(s.out, SIGNATURE);
  unstage(e, s);
  return sig;
}

/** Whether `signature` is a valid signature of `message` under `publicKey` (rule above). */
function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  bytesOfLength(publicKey, PUBLIC, 'ed25519.verify', 'publicKey');
  bytes(message, 'ed25519.verify', 'message');
  bytes(signature, 'ed25519.verify', 'signature');
  if (signature.length !== SIGNATURE) return false;
  const e = engine();
  const s = stage(e, [publicKey, signature, message], 0);
  const ok = e.abi.ed25519_verify(s.at[0], s.at[1], s.at[2], message.length) === 1;
  unstage(e, s);
  return ok;
}

// ---- batch verification ---------------------------------------------------------------------------

/** Signatures per wasm call: the multi-scalar multiplication's gain flattens out beyond this. */
const BATCH_CHUNK = 64;
/** Below this, one-by-one verification is as fast as the batch equation. */
const BATCH_MIN = 4;
/** Message bytes per chunk: they are copied into wasm memory together, whose growth is permanent. */
const BATCH_BYTES = 1 << 20;

/** Verifies items[from, to) with one random linear combination; writes into `results`. */
function verifyChunk(e: Engine, items: readonly SignedMessage[], from: number, to: number, results: boolean[]): void {
  const n = to - from;
  let messageBytes = 0;
  for (let i = from; i < to; i++) messageBytes += align16(items[i].message.length);
  const table = 0;
  const randoms = table + 16 * n;
  const flags = randoms + 16 * n;
  const keys = flags + align16(n);
  const messages = keys + 96 * n;
  const scratch = messages + messageBytes;
  const size = scratch + n * e.abi.ED25519_BATCH_SCRATCH_LEN.value;
  const base = e.alloc(size);
  const u8 = e.u8;
  u8.set(randomBytes(16 * n), base + randoms);
  let m = base + messages;
  for (let i = 0; i < n; i++) {
    const { publicKey, message, signature } = items[from + i];
    const pk = base + keys + 96 * i;
    u8.set(publicKey, pk);
    u8.set(signature, pk + PUBLIC);
    u8.set(message, m);
    e.setU32(base + table + 16 * i, pk);
    e.setU32(base + table + 16 * i + 4, pk + PUBLIC);
    e.setU32(base + table + 16 * i + 8, m);
    e.setU32(base + table + 16 * i + 12, message.length);
    m += align16(message.length);
  }
  e.abi.ed25519_verify_batch(base + table, n, base + randoms, base + scratch, base + flags);
  const out = e.u8;
  for (let i = 0; i < n; i++) results[from + i] = out[base + flags + i] === 1;
  e.free(base, size);
}

/**
 * One boolean per item, as verify() would answer, computed with batch verification: one random
 * linear combination of up to 64 signatures (random 128-bit coefficients from the platform CSPRNG),
 * checked with a single multi-scalar multiplication; when it fails, the signatures of that chunk are
 * checked one by one to find the bad ones.
 */
function verifyBatch(items: readonly SignedMessage[]): boolean[] {
  if (!Array.isArray(items)) throw new TypeError('ed25519.verifyBatch: items must be an array');
  const results = new Array<boolean>(items.length).fill(false);
  const batchable: SignedMessage[] = [];
  const index: number[] = [];
  items.forEach((item, i) => {
    bytesOfLength(item?.publicKey, PUBLIC, 'ed25519.verifyBatch', `items[${i}].publicKey`);
    bytes(item.message, 'ed25519.verifyBatch', `items[${i}].message`);
    bytes(item.signature, 'ed25519.verifyBatch', `items[${i}].signature`);
    if (item.signature.length !== SIGNATURE) return;
    batchable.push(item);
    index.push(i);
  });
  const e = engine();
  const verdicts: boolean[] = [];
  for (let from = 0, to = 0; from < batchable.length; from = to) {
    // a chunk: up to BATCH_CHUNK signatures whose messages (all in wasm memory at once) stay under
    // BATCH_BYTES, or one signature with a longer message
    let size = 0;
    for (; to < batchable.length && to - from < BATCH_CHUNK; to++) {
      size += batchable[to].message.length;
      if (size > BATCH_BYTES && to > from) break;
    }
    if (to - from >= BATCH_MIN) verifyChunk(e, batchable, from, to, verdicts);
    else for (let i = from; i < to; i++) verdicts[i] = verify(batchable[i].publicKey, batchable[i].message, batchable[i].signature);
  }
  verdicts.forEach((ok, j) => (results[index[j]] = ok));
  return results;
}

// ---- conversions to X25519 ------------------------------------------------------------------------

/** The X25519 secret key of an Ed25519 key pair: the clamped first half of SHA-512(seed). */
function toX25519Secret(secretKey: Uint8Array): Uint8Array {
  const sk = secretKeyOf(secretKey, 'ed25519.toX25519Secret');
  const e = engine();
  return smallCall(e, [sk.subarray(0, SEED)], 32, ([seed], out) => e.abi.ed25519_secret_to_x25519(out, seed))[0];
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
  toX25519Secret,
  toX25519Public,
});
