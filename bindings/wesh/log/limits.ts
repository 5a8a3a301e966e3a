// Bounds on what a log accepts and holds. Every one is checked before the corresponding work is
// done (a block is sized before it is parsed, a payload before it is sliced).

export interface LogLimits {
  /** Largest payload (sealed envelope) in bytes. */
  readonly maxPayload: number;
  /** Most parents (`next`) one entry may have. */
  readonly maxNext: number;
  /** Longest log id, in UTF-8 bytes. */
  readonly maxLogId: number;
  /** Most entries held while waiting for their parents. */
  readonly maxPending: number;
  /** Most blocks one join() fetches through the injected fetch(). */
  readonly maxFetch: number;
}

export const DEFAULT_LIMITS: LogLimits = Object.freeze({
  maxPayload: 1 << 20,
  maxNext: 1024,
  maxLogId: 512,
  maxPending: 10_000,
  maxFetch: 10_000,
});

/** The defaults with `overrides` applied; RangeError for a non-positive or non-integer value. */
export function limitsOf(overrides: Partial<LogLimits> | undefined): LogLimits {
  const out = { ...DEFAULT_LIMITS, ...overrides };
  for (const [name, v] of Object.entries(out)) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new RangeError(`WeshLog: limits.${name} must be a positive integer, got ${String(v)}`);
  }
  return Object.freeze(out);
}

/** The largest block the limits allow: fixed fields + log id + links + payload (header bytes included). */
export function maxBlockSize(l: LogLimits): number {
  return 256 + l.maxLogId + 9 + l.maxNext * 41 + 9 + l.maxPayload;
}
