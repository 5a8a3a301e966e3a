// Measuring one case, the dudect way: warm up, then time many samples of the two classes in random
// interleaving, each sample a batch of calls long enough for the clock, and keep going until the
// screen reaches the resolution asked for or the case's time budget runs out.
//
// A case is { name, secret, prepare(secret) → state, run(state), cleanup(state) }. Only run() is timed.
// The secret of class 0 is fixed (all zero bytes), of class 1 fresh random bytes per sample; both are
// fresh plain Uint8Arrays of the same length made the same way, so that they reach the engine through
// the same JavaScript paths. prepare() and cleanup() run outside the timed region, a round of samples at
// a time, in the same shuffled order for both classes, so that allocation and garbage collection do not
// line up with one class.

import { randomFillSync } from 'node:crypto';
import { analyse, samplesFor } from './stats.mjs';

/** A sample should last at least this long: hrtime's own cost and granularity are then < 1 %. */
const SAMPLE_NS = 10_000;
const MAX_BATCH = 4096;
/** Samples per round (half of each class), shuffled. */
const ROUND = 64;
/** Fewest samples per class the t-test is run on, whatever the resolution after the pilot. */
const MIN_SAMPLES = 1000;
/** The pilot: this many samples per class, or this share of the budget, whichever comes first. */
const PILOT_SAMPLES = 600;
const PILOT_SHARE = 0.25;
const WARM_UP_MS = 200;

const now = () => performance.now();

/**
 * A fresh secret of class `cls`, made by the same steps for both classes: randomFillSync reads the
 * array's buffer, which moves a small typed array's bytes off V8's heap, so the fixed class must go
 * through it too (zeroed afterwards) or the classes would differ in representation, not in value.
 */
export function secretOf(cls, n) {
  const s = randomFillSync(new Uint8Array(n));
  if (cls === 0) s.fill(0);
  return s;
}

/** Fisher–Yates shuffle of ROUND / 2 zeros and ones. */
function shuffledRound() {
  const order = Array.from({ length: ROUND }, (_, i) => i & 1);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/**
 * Warm-up (JIT tiers, wasm tier-up, the engine's memory) with both classes, timing single calls to
 * choose the batch size.
 */
function warmUp(c) {
  const single = [];
  const end = now() + WARM_UP_MS;
  for (let i = 0; (now() < end || i < 64) && i < 100_000; i++) {
    const state = c.prepare(secretOf(i & 1, c.secret));
    const t0 = process.hrtime.bigint();
    c.run(state);
    single.push(Number(process.hrtime.bigint() - t0));
    c.cleanup(state);
  }
  const recent = single.slice(single.length >> 1).sort((a, b) => a - b);
  const perCall = recent[recent.length >> 1];
  return Math.max(1, Math.min(MAX_BATCH, Math.ceil(SAMPLE_NS / Math.max(perCall, 1))));
}

function collectRound(c, batch, times) {
  const prepared = shuffledRound().map((cls) => [cls, c.prepare(secretOf(cls, c.secret))]);
  const run = c.run;
  for (const [cls, state] of prepared) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) run(state);
    times[cls].push(Number(process.hrtime.bigint() - t0));
  }
  for (const [, state] of prepared) c.cleanup(state);
}

/**
 * Measures case `c`: `seconds` is its budget (pilot and measurement, after the warm-up), `target` the
 * resolution asked for in % of the median time. Returns the analysis (stats.mjs) with n (samples per
 * class), batch, perCallNs, needed (samples per class the target needs, as last estimated) and
 * capped (whether the budget stopped it short of the target).
 */
export function measure(c, { seconds, target }) {
  const batch = warmUp(c);
  const times = [[], []];
  const start = now();
  const deadline = start + seconds * 1000;
  const n = () => Math.min(times[0].length, times[1].length);
  while (n() < PILOT_SAMPLES && (now() - start < PILOT_SHARE * seconds * 1000 || n() < ROUND)) collectRound(c, batch, times);
  let result = analyse(times[0], times[1]);
  // Aim a little below the target: the pilot's estimate of the noise is itself noisy. Check again at
  // least every 1.5× the samples, so that a pilot spoilt by a burst of noise does not run the whole
  // budget.
  let needed = Math.max(MIN_SAMPLES, samplesFor(target * 0.9, result.resolution, n()));
  while (now() < deadline) {
    const checkpoint = Math.min(needed, Math.max(MIN_SAMPLES, Math.ceil(n() * 1.5)));
    while (n() < checkpoint && now() < deadline) collectRound(c, batch, times);
    result = analyse(times[0], times[1]);
    if (result.resolution <= target && n() >= MIN_SAMPLES) break;
    needed = Math.max(n() + ROUND, samplesFor(target * 0.9, result.resolution, n()));
  }
  return {
    ...result,
    n: n(),
    batch,
    perCallNs: result.median / batch,
    needed: result.resolution <= target ? n() : samplesFor(target, result.resolution, n()),
    capped: result.resolution > target,
  };
}
