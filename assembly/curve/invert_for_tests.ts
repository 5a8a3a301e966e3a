// The three modular inversions (divsteps.ts) behind one export, each between its field's encodings,
// for the tests that check them against BigInt (test/kat/inversion.test.ts): P-256's feInvert
// (mod p) and scInvert (mod n), Curve25519's feInvert (mod 2^255 - 19).

import {
  FE, feFromBytes as fe25519FromBytes, feInvert as fe25519Invert, feToBytes as fe25519ToBytes, feWipeScratch as fe25519WipeScratch,
} from './fe25519';
import { feFromBytes, feInvert, feToBytes, limbsFromBytes } from './p256/field';
import { p256WipeScratch } from './p256/point';
import { scFromMont, scInvert, scToBytes, scToMont } from './p256/scalar';
import { wipe } from '../runtime/bytes';

const SCRATCH_LEN: usize = 2 * FE;
const SCRATCH: usize = memory.data(<i32>SCRATCH_LEN, 16);

/**
 * out = x^-1 (0 for x = 0), 32 bytes: mod P-256's p (modulus 0) or n (1), big-endian, or mod
 * 2^255 - 19 (2), little-endian. x (32 bytes) must be below the modulus.
 */
export function invertForTests(out: usize, x: usize, modulus: u32): void {
  const a = SCRATCH, b = SCRATCH + FE;
  if (modulus == 0) {
    feFromBytes(a, x);
    feInvert(a, a);
    feToBytes(out, a);
  } else if (modulus == 1) {
    limbsFromBytes(a, x);
    scToMont(a, a);
    scInvert(a, a);
    scFromMont(b, a);
    scToBytes(out, b);
  } else {
    fe25519FromBytes(a, x);
    fe25519Invert(a, a);
    fe25519ToBytes(out, a);
  }
  wipe(SCRATCH, SCRATCH_LEN);
  p256WipeScratch();
  fe25519WipeScratch();
}
