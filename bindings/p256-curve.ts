// The P-256 curve object from @noble/curves, built on first use. This module is the only place the
// main package touches noble: the Node build replaces it with a stub that require()s a separate
// CommonJS bundle of it on first use (scripts/build.mjs), so that importing wirecrypt does not parse
// noble's code unless P-256 is used. Building the curve at import (as @noble/curves/nist.js does,
// for P-384 and P-521 too) would cost every cold start a few milliseconds.

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
