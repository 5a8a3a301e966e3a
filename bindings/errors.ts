// Argument validation shared by the whole public API. Programmer errors (wrong type, wrong length,
// misuse of an object's lifecycle) throw TypeError or RangeError naming the function and the
// parameter; nothing reaches wasm before it passes these checks. Messages are only built when
// throwing, so the checks cost a few comparisons on the hot path. No check reads a property of the
// caller's value (which could be a Proxy or a lying subclass): see bytes.ts.

import { copyOf, isDetached, isUint8Array, lengthOf, overlapsPartially, typedArrayKind } from './bytes.js';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'object') return typeof value;
  const kind = typedArrayKind(value);
  if (kind !== undefined) return kind;
  if (ArrayBuffer.isView(value)) return 'DataView';
  return Array.isArray(value) ? 'Array' : 'object';
}

/**
 * Returns `value` if it is a Uint8Array (a Buffer or any subclass, from any realm, over an
 * ArrayBuffer or a SharedArrayBuffer), else throws a TypeError naming `fn` and `param`. A view of a
 * detached buffer is refused too. Read it afterwards only through bytes.ts.
 */
export function bytes(value: unknown, fn: string, param: string): Uint8Array {
  if (!isUint8Array(value)) throw new TypeError(`${fn}: ${param} must be a Uint8Array, got ${describe(value)}`);
  if (isDetached(value)) throw new TypeError(`${fn}: ${param} is a view of a detached ArrayBuffer`);
  return value;
}

/**
 * bytes(), then a private copy: for the small inputs of composite layers (HPKE's info, psk, keys),
 * which then read them freely, any number of times.
 */
export function ownBytes(value: unknown, fn: string, param: string): Uint8Array {
  return copyOf(bytes(value, fn, param));
}

/** A Uint8Array of exactly `length` bytes. */
export function bytesOfLength(value: unknown, length: number, fn: string, param: string): Uint8Array {
  const b = bytes(value, fn, param);
  const n = lengthOf(b);
  if (n !== length) throw new RangeError(`${fn}: ${param} must be ${length} bytes, got ${n}`);
  return b;
}

/** An integer in [min, max]: TypeError for anything but an integer number, RangeError outside. */
export function integer(value: unknown, min: number, max: number, fn: string, param: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${fn}: ${param} must be an integer, got ${describe(value)}`);
  }
  if (value < min || value > max) throw new RangeError(`${fn}: ${param} must be in [${min}, ${max}], got ${value}`);
  return value;
}

/** Thrown by a stateful object used after it was finalized (digest) or disposed. */
export function finished(fn: string, state: 'finalized' | 'disposed'): never {
  throw new TypeError(`${fn}: this object was already ${state}; create a new one`);
}

/**
 * The one error for a message that fails authentication (wrong key, nonce, AAD, tag or ciphertext,
 * or a sealed input too short to hold a tag). It carries no detail on purpose, and when it is thrown
 * no plaintext has been returned or written anywhere.
 */
export class AuthenticationError extends Error {
  constructor() {
    super('authentication failed');
    this.name = 'AuthenticationError';
  }
}

/** Throws a RangeError if `out` and `input` share memory without being exactly the same range. */
export function noPartialOverlap(out: Uint8Array, input: Uint8Array, fn: string): void {
  if (overlapsPartially(out, input)) throw new RangeError(`${fn}: out overlaps the input without starting at the same byte`);
}

/** Why a key or point was refused. */
export type InvalidKeyReason =
  | 'invalid-point'       // not the encoding of a point on the curve (or not canonical)
  | 'small-order'         // a point of small order (Ed25519 public keys, RFC 8032 §5.1.7 rule used here)
  | 'zero-shared-secret'  // X25519 output all zero: the peer key has small order (RFC 7748 §6.1)
  | 'invalid-scalar'      // a secret scalar outside [1, n - 1] (P-256)
  | 'mismatched-public-key'; // a 64-byte Ed25519 secret key whose public half is not its seed's

/**
 * A key or point with the right length but unusable content. Peer keys arrive from the network, so
 * this is an ordinary runtime error (unlike a wrong length or type, which is a programmer error and
 * throws RangeError or TypeError).
 */
export class InvalidKeyError extends Error {
  readonly reason: InvalidKeyReason;
  constructor(fn: string, reason: InvalidKeyReason) {
    super(`${fn}: ${reason.replaceAll('-', ' ')}`);
    this.name = 'InvalidKeyError';
    this.reason = reason;
  }
}
