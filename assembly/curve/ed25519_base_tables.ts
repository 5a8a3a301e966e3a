// B's tables (ed25519_tables.ts: BASE, ODD, ODD_HI), computed on the first call that reads them
// instead of shipped as 45 KB of data segments: every program reads, copies and compiles the module
// at start-up, and one that never touches Curve25519 (AES, hashes, MTProto) should not pay for
// them (issue 9 §4, cold start; P-256's tables went the same way, p256/base_tables.ts).
//
// Cost: 350 additions, 250 doublings and one inversion for all 384 points (Montgomery's trick), once
// per instance: ≈ 0.8 ms with the field code tiered up, ≈ 1.2 ms more on an instance's first call
// here. The inputs are B and its multiples, public values, so nothing here needs to be constant time,
// and `built` branches on public state. The entries are canonical, each coordinate fully reduced and
// split into non-negative limbs, as the generated tables were.
//
// The callers that read the tables (ge25519.ts scalarMultBase and the variable-time multiplications,
// ed25519_verifier.ts) call ed25519EnsureTables first. It uses its own scratch and the field and
// group code's temporaries, which no caller holds anything in across those calls (and which every
// entry point wipes before it returns).

import { FE, feAdd, feCopy, feInvert, feMul, feSetInt, feSub, feToBytes } from './fe25519';
import { add, dbl, geWipeScratch, p1ToP3, p3ToCached } from './ge25519';
import { CACHED, P3, PRE } from './ge25519_layout';
import { BASE, B_X, B_Y, D2, ODD, ODD_HI } from './ed25519_tables';
import { wipe } from '../runtime/bytes';

const COUNT: usize = 32 * 8 + 64 + 64;          // BASE, ODD and ODD_HI lie back to back
const PROJECTIVE: usize = 3 * FE;               // X, Y, Z: a table entry before it is made affine
const SCRATCH_LEN: usize = COUNT * FE + 5 * P3 + CACHED + 5 * FE + 32;
const SCRATCH: usize = memory.data(<i32>SCRATCH_LEN, 16);
const PREFIX: usize = SCRATCH;                  // Z_0 · … · Z_j over all the entries
const ROW: usize = PREFIX + COUNT * FE;         // 256^i · B
const HI: usize = ROW + P3;                     // 2^128 · B
const CUR: usize = HI + P3;                     // the last point of a run
const TWO: usize = CUR + P3;                    // twice that point
const SUM: usize = TWO + P3;                    // an addition's or doubling's result (P1)
const STEP: usize = SUM + P3;                   // what a run adds, CACHED
const INV: usize = STEP + CACHED, ZINV: usize = INV + FE, AX: usize = ZINV + FE, AY: usize = AX + FE;
const U: usize = AY + FE;                       // one coordinate before it is made canonical
const BYTES: usize = U + FE;

let built = false;

/** Fills BASE, ODD and ODD_HI if this instance has not yet done so. */
export function ed25519EnsureTables(): void {
  if (built) return;
  // Every entry is first written as X, Y, Z in place, then all are made affine with one inversion.
  fromAffine(ROW, B_X, B_Y);
  for (let i: usize = 0; i < 32; i++) {
    if (i == 16) memory.copy(HI, ROW, P3);      // 256^16 = 2^128
    run(BASE + i * 8 * PRE, ROW, ROW, 8);       // 256^i B, 2 · 256^i B, …, 8 · 256^i B
    if (i < 31) for (let k = 0; k < 8; k++) double(ROW, ROW);
  }
  fromAffine(ROW, B_X, B_Y);
  oddMultiples(ODD, ROW);
  oddMultiples(ODD_HI, HI);
  toPrecomputed(BASE, COUNT);
  wipe(SCRATCH, SCRATCH_LEN);
  built = true;
}

/** The tables' memory (BASE, ODD, ODD_HI), filled: for the tests that check them against an oracle. */
export function ed25519Tables(): usize {
  ed25519EnsureTables();
  geWipeScratch();
  return BASE;
}

/** r = 2p for extended points (r may be p). */
function double(r: usize, p: usize): void {
  dbl(SUM, p);
  p1ToP3(r, SUM);
}

/** p = (x, y) as an extended point: X = x, Y = y, Z = 1, T = xy. */
function fromAffine(p: usize, x: usize, y: usize): void {
  feCopy(p, x); feCopy(p + FE, y); feSetInt(p + 2 * FE, 1); feMul(p + 3 * FE, x, y);
}

/** The entries at `out`: first, first + step, …, first + (count - 1) step as X, Y, Z; CUR = the last. */
function run(out: usize, first: usize, step: usize, count: usize): void {
  memory.copy(CUR, first, P3);
  memory.copy(out, CUR, PROJECTIVE);
  p3ToCached(STEP, step);
  for (let j: usize = 1; j < count; j++) {
    add(SUM, CUR, STEP);
    p1ToP3(CUR, SUM);
    memory.copy(out + j * PRE, CUR, PROJECTIVE);
  }
}

/** The entries at `out`: P, 3P, …, 127P (p is P, extended). */
function oddMultiples(out: usize, p: usize): void {
  double(TWO, p);
  run(out, p, TWO, 64);
}

/** Makes the `count` entries at `at` affine and precomputed, (y + x, y - x, 2dxy), in place: one inversion. */
function toPrecomputed(at: usize, count: usize): void {
  // 1/Z_j = (Z_0 ⋯ Z_j)^-1 · (Z_0 ⋯ Z_(j-1)), walking down from the last entry
  feCopy(PREFIX, at + 2 * FE);
  for (let j: usize = 1; j < count; j++) feMul(PREFIX + j * FE, PREFIX + (j - 1) * FE, at + j * PRE + 2 * FE);
  feInvert(INV, PREFIX + (count - 1) * FE);
  for (let j = count - 1; j > 0; j--) {
    feMul(ZINV, INV, PREFIX + (j - 1) * FE);
    feMul(INV, INV, at + j * PRE + 2 * FE);
    precomputed(at + j * PRE, ZINV);
  }
  precomputed(at, INV);
}

/** The entry at `out`, X, Y, Z with 1/Z = zinv, becomes (y + x, y - x, 2dxy). */
function precomputed(out: usize, zinv: usize): void {
  feMul(AX, out, zinv);
  feMul(AY, out + FE, zinv);
  feAdd(U, AY, AX); canonical(out, U);
  feSub(U, AY, AX); canonical(out + FE, U);
  feMul(U, AX, AY); feMul(U, U, D2); canonical(out + 2 * FE, U);
}

/** h = f fully reduced, limb i holding bits ⌈25.5 i⌉ onwards of the canonical encoding (non-negative). */
function canonical(h: usize, f: usize): void {
  feToBytes(BYTES, f);
  for (let i: u32 = 0; i < 10; i++) {
    const offset = (51 * i + 1) >> 1, width: u32 = 26 - (i & 1);
    store<i32>(h + (<usize>i << 2), <i32>((load<u32>(BYTES + (offset >> 3)) >>> (offset & 7)) & ((1 << width) - 1)));
  }
}
