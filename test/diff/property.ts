// How the differential properties run: a fixed seed and exactly PROPERTY_RUNS runs of every property
// in `npm test` (no time limit: a slow machine takes longer, it does not test less), or as long as
// asked with `npm run fuzz -- --seconds N --seed S` (scripts/fuzz.mjs sets the environment below).
// On a mismatch fast-check reports the seed, the replay path and the shrunk counterexample.
import fc from 'fast-check';
import { expect } from 'vitest';

export interface Property {
  name: string;
  property: fc.IProperty<any>;
}

export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);
const FUZZ_SECONDS = Number(process.env.FUZZ_SECONDS ?? 0);
export const fuzzing = FUZZ_SECONDS > 0;

/** Runs of every property in `npm test` (README: "150 runs each"). */
export const PROPERTY_RUNS = 150;

/** Parameters for one property given how many property runs share the fuzz budget. */
export function runParameters(shareOfBudget: number): fc.Parameters<unknown> {
  if (fuzzing) {
    return { seed: FUZZ_SEED, numRuns: Number.MAX_SAFE_INTEGER, interruptAfterTimeLimit: (FUZZ_SECONDS * 1000) / shareOfBudget, markInterruptAsFailure: false };
  }
  return { seed: FUZZ_SEED, numRuns: PROPERTY_RUNS };
}

/**
 * Fails on a counterexample; then, in `npm test`, asserts that every configured run happened (none
 * interrupted, none skipped by a precondition). Under fuzzing the runs are bounded by time instead.
 */
export function expectPassedAllRuns(details: fc.RunDetails<unknown>): void {
  if (details.failed) expect.fail(fc.defaultReportMessage(details) ?? 'property failed');
  if (fuzzing) {
    expect(details.numRuns).toBeGreaterThan(0);
    return;
  }
  expect(details.interrupted, 'interrupted').toBe(false);
  expect(details.numSkips, 'runs skipped by a precondition').toBe(0);
  expect(details.numRuns, 'runs').toBe(PROPERTY_RUNS);
}

/**
 * A decoder fuzz property (the *.fuzz.test.ts files): in `npm test`, exactly `runs` runs from
 * FUZZ_SEED; under `npm run fuzz`, `minRuns` runs (10^5 for a decoder), then more until this
 * property's share (1 / `share`) of the time is used. Returns how many inputs ran.
 */
export function runFuzzProperty(property: fc.IProperty<any>, runs: number, minRuns: number, share: number): number {
  const fail = (d: fc.RunDetails<unknown>) => { if (d.failed) expect.fail(fc.defaultReportMessage(d) ?? 'property failed'); };
  if (!fuzzing) {
    const d = fc.check(property, { seed: FUZZ_SEED, numRuns: runs });
    fail(d);
    expect(d.interrupted, 'interrupted').toBe(false);
    expect(d.numSkips, 'runs skipped').toBe(0);
    expect(d.numRuns, 'runs').toBe(runs);
    return d.numRuns;
  }
  const first = fc.check(property, { seed: FUZZ_SEED, numRuns: minRuns });
  fail(first);
  expect(first.numRuns).toBe(minRuns);
  const more = fc.check(property, { ...runParameters(share), seed: FUZZ_SEED + 1 });
  fail(more);
  return first.numRuns + more.numRuns;
}
