// How the differential properties run: a fixed seed and a bounded number of runs in `npm test`,
// or as long as asked with `npm run fuzz -- --seconds N --seed S` (scripts/fuzz.mjs sets the
// environment below). On a mismatch fast-check reports the seed, the replay path and the shrunk
// counterexample.
import fc from 'fast-check';

export interface Property {
  name: string;
  property: fc.IProperty<any>;
}

export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);
const FUZZ_SECONDS = Number(process.env.FUZZ_SECONDS ?? 0);
const PR_RUNS = 150;

/** Parameters for one property given how many property runs share the fuzz budget. */
export function runParameters(shareOfBudget: number): fc.Parameters<unknown> {
  if (FUZZ_SECONDS > 0) {
    return { seed: FUZZ_SEED, numRuns: Number.MAX_SAFE_INTEGER, interruptAfterTimeLimit: (FUZZ_SECONDS * 1000) / shareOfBudget, markInterruptAsFailure: false };
  }
  return { seed: FUZZ_SEED, numRuns: PR_RUNS, interruptAfterTimeLimit: 10_000 };
}

export const fuzzing = FUZZ_SECONDS > 0;
