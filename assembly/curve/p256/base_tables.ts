// The base-point tables of the comb and of verification (tables.ts: BASE, ODD), computed on the first
// P-256 call that needs them instead of shipped as 61 KB of data segments: every program reads,
// copies and compiles the module at start-up, most never use P-256 (issue 9 §4, cold start).
//
// Cost: 745 complete additions, 253 doublings and 24 inversions (Montgomery's trick: one per batch
// of 32 points), about 1.3 ms once per instance. The inputs are G and its multiples, public values,
// so nothing here needs to be constant time; `built` branches on public state.
//
// The results need not be canonical: every coordinate is a Montgomery product, normalised limbs of
// a value below 2^257, which is what the formulas reading the tables (pAddAffine) expect.

import { wipe } from '../../runtime/bytes';
import { FE, feCopy, feInvert, feMul } from './field';
import { AFF, PT, p256WipeScratch, pAdd, pDouble, pFromAffine } from './point';
import { BASE, BASE_TABLES, G_AFFINE, ODD } from './tables';

const BATCH: usize = 32;
const SCRATCH_LEN: usize = BATCH * PT + BATCH * FE + 2 * PT + 2 * FE;
const SCRATCH: usize = memory.data(<i32>SCRATCH_LEN, 16);
const POINTS: usize = SCRATCH;                       // a batch of projective points
const PREFIX: usize = POINTS + BATCH * PT;           // Z_0 · … · Z_j
const STEP: usize = PREFIX + BATCH * FE;             // what each batch adds: 2^(12 i) G, or 2G
const NEXT: usize = STEP + PT;                       // the first point of the next batch
const INV: usize = NEXT + PT, ZINV: usize = INV + FE;

let built = false;

/** Fills BASE and ODD if this instance has not yet done so. */
export function p256EnsureTables(): void {
  if (built) return;
  // BASE row i: 2^(12 i) G, 2 · 2^(12 i) G, …, 32 · 2^(12 i) G
  pFromAffine(STEP, G_AFFINE);
  for (let i: usize = 0; i < 22; i++) {
    multiples(STEP, STEP, BASE + i * BATCH * AFF);
    if (i < 21) for (let k = 0; k < 12; k++) pDouble(STEP, STEP);
  }
  // ODD: G, 3G, …, 63G, then 65G, …, 127G
  pFromAffine(NEXT, G_AFFINE);
  pDouble(STEP, NEXT);
  multiples(NEXT, STEP, ODD);
  pAdd(NEXT, POINTS + (BATCH - 1) * PT, STEP);
  multiples(NEXT, STEP, ODD + BATCH * AFF);
  wipe(SCRATCH, SCRATCH_LEN);
  built = true;
}

/** The tables' memory (BASE, then ODD), filled: for the tests that check them against an oracle. */
export function p256Tables(): usize {
  p256EnsureTables();
  p256WipeScratch();
  return BASE_TABLES;
}

/** out = the affine points first, first + step, …, first + 31 step (first may alias step). */
function multiples(first: usize, step: usize, out: usize): void {
  memory.copy(POINTS, first, PT);
  for (let j: usize = 1; j < BATCH; j++) pAdd(POINTS + j * PT, POINTS + (j - 1) * PT, step);
  // One inversion for the batch: 1/Z_j = (Z_0 ⋯ Z_j)^-1 · (Z_0 ⋯ Z_(j-1)), walking down.
  feCopy(PREFIX, POINTS + 2 * FE);
  for (let j: usize = 1; j < BATCH; j++) feMul(PREFIX + j * FE, PREFIX + (j - 1) * FE, POINTS + j * PT + 2 * FE);
  feInvert(INV, PREFIX + (BATCH - 1) * FE);
  for (let j = BATCH - 1; j > 0; j--) {
    feMul(ZINV, INV, PREFIX + (j - 1) * FE);
    feMul(INV, INV, POINTS + j * PT + 2 * FE);
    affine(out + j * AFF, POINTS + j * PT, ZINV);
  }
  affine(out, POINTS, INV);
}

@inline function affine(a: usize, p: usize, zinv: usize): void {
  feMul(a, p, zinv);
  feMul(a + FE, p + FE, zinv);
}
