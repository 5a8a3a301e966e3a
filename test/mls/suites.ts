// Which MLS conformance vectors a test runs: the suites wirecrypt implements (1, 2, 3). Every file
// prints how many of its vectors ran and passed, and why the others did not (issue 12).
import { afterAll } from 'vitest';
import { isSupportedSuite } from '../../bindings/mls/crypto/cipher-suite.js';

export interface Tally<T> {
  /** The vectors of supported suites. */
  readonly vectors: T[];
  /** Call at the end of a vector's test, once everything in it was checked. */
  pass(): void;
}

/** Keeps the vectors of supported suites; when the suite ends, prints how many ran and passed, and what was left out. */
export function bySuite<T extends { cipher_suite: number }>(file: string, all: readonly T[], label: string): Tally<T> {
  const vectors = all.filter((v) => isSupportedSuite(v.cipher_suite));
  const skipped = new Map<number, number>();
  for (const v of all) if (!isSupportedSuite(v.cipher_suite)) skipped.set(v.cipher_suite, (skipped.get(v.cipher_suite) ?? 0) + 1);
  let passed = 0;
  afterAll(() => {
    const others = [...skipped].map(([suite, n]) => `${n} of suite ${suite}`).join(', ');
    console.log(`${file} [${label}]: ${vectors.length} of ${all.length} vectors ran, ${passed} passed${others ? `; not run (suites 4-7 are not implemented): ${others}` : ''}`);
  });
  return { vectors, pass: () => { passed++; } };
}
