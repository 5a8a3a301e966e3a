// The P-256 curve object from @noble/curves, built on first use. Since P-256 moved to wasm
// (assembly/curve/p256/, bindings/p256.ts) nothing in the library imports this module; the tests use
// @noble/curves directly as their oracle and the reference provider imports it itself. It stays
// only because scripts/build.mjs still builds it into dist/p256-curve.cjs (its `lazy-p256` plugin
// and entry can go, and this file with them).

import { ecdsa, weierstrass } from '@noble/curves/abstract/weierstrass.js';
import { sha256 } from '@noble/hashes/sha2.js';

/** SEC 2 v2 §2.4.2, secp256r1. */
const SECP256R1 = {
  p: BigInt('0xffffffff00000001000000000000000000000000ffffffffffffffffffffffff'),
  n: BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'),
  h: BigInt(1),
  a: BigInt('0xffffffff00000001000000000000000000000000fffffffffffffffffffffffc'),
  b: BigInt('0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b'),
  Gx: BigInt('0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296'),
  Gy: BigInt('0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5'),
};

export type NobleEcdsa = ReturnType<typeof ecdsa>;

let built: NobleEcdsa | undefined;

/** noble's ECDSA over P-256 (its hash only serves prehash: true, which wirecrypt never asks for). */
export function nobleP256(): NobleEcdsa {
  return (built ??= ecdsa(weierstrass(SECP256R1), sha256));
}
