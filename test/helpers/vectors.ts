// Known-answer data is read in place from ../shared/vectors (never copied into the repository).
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

const VECTORS = new URL('../../../shared/vectors/', import.meta.url);

export function loadVectors<T = any>(relativePath: string): T {
  return JSON.parse(readFileSync(new URL(relativePath, VECTORS), 'utf8')) as T;
}

export function hex(text: string): Uint8Array {
  if (text.length % 2 !== 0) throw new Error(`odd-length hex: ${text}`);
  return Uint8Array.from(Buffer.from(text, 'hex'));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

export function repeat(byte: number, length: number): Uint8Array {
  return new Uint8Array(length).fill(byte);
}

/** Wycheproof test groups flattened to their tests, each with its group's parameters alongside. */
export function wycheproofTests<T>(relativePath: string): Array<T & { group: any }> {
  const file = loadVectors(relativePath);
  const out: Array<T & { group: any }> = [];
  for (const group of file.testGroups) for (const test of group.tests) out.push({ ...test, group });
  if (out.length !== file.numberOfTests) throw new Error(`${relativePath}: expected ${file.numberOfTests} tests, read ${out.length}`);
  return out;
}

/** The number of tests a Wycheproof file says it has (its `numberOfTests` field). */
export function numberOfTests(relativePath: string): number {
  const n = loadVectors(relativePath).numberOfTests;
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${relativePath}: no numberOfTests`);
  return n;
}

export interface CaseCount {
  /** Call after the last check of a case: the case ran through to the end. */
  ran(id: string | number): void;
  /** The only other way a case may end: not run, for a stated reason (listed by `done`). */
  skipped(id: string | number, reason: string): void;
  /**
   * Asserts that every one of the `total` cases was counted exactly once, and that the skipped ones
   * are exactly `expectedSkips` (reason → number of cases; none unless listed). The assertion
   * message names each skipped case with its reason.
   */
  done(expectedSkips?: Record<string, number>): void;
}

/**
 * Counts the cases of one vector file (or one part of it) that ran, so that a test cannot pass
 * with cases filtered out, skipped or never reached: `total` is what the file says or holds.
 */
export function countCases(what: string, total: number): CaseCount {
  const outcome = new Map<string, string | null>(); // case id → null if it ran, else the skip reason
  const twice: string[] = [];
  const record = (id: string | number, reason: string | null) => {
    const key = String(id);
    if (outcome.has(key)) twice.push(key);
    outcome.set(key, reason);
  };
  return {
    ran: (id) => record(id, null),
    skipped: (id, reason) => record(id, reason),
    done(expectedSkips = {}) {
      expect(twice, `${what}: cases counted more than once`).toEqual([]);
      const skips: Record<string, string[]> = {};
      for (const [id, reason] of outcome) if (reason !== null) (skips[reason] ??= []).push(id);
      const skipCounts = Object.fromEntries(Object.entries(skips).map(([reason, ids]) => [reason, ids.length]));
      expect(skipCounts, `${what}: skipped cases ${JSON.stringify(skips)}`).toEqual(expectedSkips);
      const ran = [...outcome.values()].filter((r) => r === null).length;
      const skippedTotal = Object.values(expectedSkips).reduce((a, b) => a + b, 0);
      expect(ran, `${what}: cases that ran (of ${total}, ${skippedTotal} skipped)`).toBe(total - skippedTotal);
      expect(outcome.size, `${what}: cases counted`).toBe(total);
    },
  };
}
