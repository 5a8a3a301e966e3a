// Statistics of the timing screen: Welch's t-test between the two classes after dudect's percentile
// crops, and the screen's resolution (the smallest leak it would flag) measured on the data itself.
//
// Crops (dudect, Reparaz et al. 2017, §3): the slowest samples are mostly interrupts, GC and
// scheduling, and they drown a small difference. Each crop keeps the samples (of both classes) at or
// below one percentile of the pooled data, with dudect's percentiles 1 − 0.5^(10(k+1)/N) for
// N = CROPS: 50 %, 75 %, 87.5 %, … 99.9 %, plus the uncropped data. The reported |t| is the largest
// over the crops.
//
// Resolution: how big a leak would have given |t| = 4.5? Adding a constant shift d to every sample of
// one class (a leak of d nanoseconds) and recomputing each crop's t gives the slope dt/dd on the real
// samples, percentile thresholds recomputed, so the crops' attenuation of a shift (a shifted class
// loses more samples above a pooled threshold) and the real noise are both in it. The resolution is
// 4.5 / slope, as a percentage of the median time, for the most sensitive crop: a leak of that size has
// an expected |t| of 4.5 there (it is flagged about half the time; twice that size, almost always).

export const THRESHOLD = 4.5;
const CROPS = 10;
export const CROP_FRACTIONS = [...Array.from({ length: CROPS }, (_, k) => 1 - 0.5 ** ((10 * (k + 1)) / CROPS)), 1];

/** One class's samples, sorted, with prefix sums of (x − offset) and its square for O(1) crops. */
function summarise(samples, offset) {
  const sorted = Float64Array.from(samples).sort();
  const s1 = new Float64Array(sorted.length + 1);
  const s2 = new Float64Array(sorted.length + 1);
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i] - offset;
    s1[i + 1] = s1[i] + v;
    s2[i + 1] = s2[i] + v * v;
  }
  return { sorted, s1, s2 };
}

/** Number of elements of the sorted array ≤ x. */
function upperBound(sorted, x) {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The k-th smallest (0-based) of a ∪ (b + shift), both sorted. */
function kth(a, b, shift, k) {
  // Binary search on how many of the k + 1 smallest come from a.
  let lo = Math.max(0, k + 1 - b.length), hi = Math.min(k + 1, a.length);
  while (lo < hi) {
    const i = (lo + hi) >>> 1; // take i from a, k + 1 − i from b
    const j = k + 1 - i;
    if (j > 0 && i < a.length && b[j - 1] + shift > a[i]) lo = i + 1;
    else hi = i;
  }
  const i = lo, j = k + 1 - lo;
  const fromA = i > 0 ? a[i - 1] : -Infinity;
  const fromB = j > 0 ? b[j - 1] + shift : -Infinity;
  return Math.max(fromA, fromB);
}

/** Mean and variance of the first m samples of a summarised class (relative to its offset). */
function moments(c, m) {
  const mean = c.s1[m] / m;
  const variance = m > 1 ? Math.max(0, (c.s2[m] - m * mean * mean) / (m - 1)) : 0;
  return { mean, variance };
}

/**
 * Welch's t (class 0 minus class 1, class 1 shifted by `shift` ns) for each crop. Class summaries
 * share one offset, so means compare directly.
 */
function tPerCrop(c0, c1, shift) {
  const n = c0.sorted.length + c1.sorted.length;
  return CROP_FRACTIONS.map((f) => {
    const threshold = f >= 1 ? Infinity : kth(c0.sorted, c1.sorted, shift, Math.floor(f * (n - 1)));
    const m0 = upperBound(c0.sorted, threshold);
    const m1 = upperBound(c1.sorted, threshold - shift);
    if (m0 < 2 || m1 < 2) return { t: 0, m0, m1, diff: 0 };
    const a = moments(c0, m0), b = moments(c1, m1);
    const diff = a.mean - (b.mean + shift);
    const se = Math.sqrt(a.variance / m0 + b.variance / m1);
    return { t: se > 0 ? diff / se : 0, m0, m1, diff };
  });
}

function median(samples) {
  const s = Float64Array.from(samples).sort();
  return s.length ? s[s.length >> 1] : NaN;
}

/**
 * Analyses the two classes' samples (nanoseconds per sample):
 *   t           the largest |t| over the crops, and crop (the fraction kept there)
 *   resolution  the smallest uniform shift, in % of the median, whose expected |t| is 4.5 (best crop)
 *   leak        the uniform shift (class 0 − class 1, in % of the median) that would explain the t of
 *               the most sensitive crop: t there ÷ its slope
 *   median, cv  the pooled median and the coefficient of variation of the best crop
 */
export function analyse(fixedSamples, randomSamples) {
  const med = median([...fixedSamples, ...randomSamples]);
  const c0 = summarise(fixedSamples, med);
  const c1 = summarise(randomSamples, med);
  const d = 0.01 * med;
  const base = tPerCrop(c0, c1, 0);
  const plus = tPerCrop(c0, c1, d);
  const minus = tPerCrop(c0, c1, -d);
  let worst = 0, best = -1, bestSlope = 0;
  base.forEach((r, i) => {
    if (Math.abs(r.t) > Math.abs(base[worst].t)) worst = i;
    const slope = Math.abs(plus[i].t - minus[i].t) / 2; // |t| per 1 % of the median
    if (slope > bestSlope) { bestSlope = slope; best = i; }
  });
  const b = best >= 0 ? base[best] : base[base.length - 1];
  const pooled = moments(c0, b.m0), pooled1 = moments(c1, b.m1);
  const sd = Math.sqrt((pooled.variance + pooled1.variance) / 2);
  return {
    t: Math.abs(base[worst].t),
    crop: CROP_FRACTIONS[worst],
    resolution: bestSlope > 0 ? THRESHOLD / bestSlope : Infinity,
    leak: bestSlope > 0 ? b.t / bestSlope : 0,
    median: med,
    cv: sd / (med + (pooled.mean + pooled1.mean) / 2),
  };
}

/**
 * Samples per class needed for a given resolution (%), from a pilot that reached `resolution` with
 * `n` samples per class: the resolution shrinks as 1/√n (this is n ≈ 2·(4.5·cv/δ)² with the pilot's
 * effective cv).
 */
export function samplesFor(target, pilot, n) {
  return Math.ceil(n * (pilot / target) ** 2);
}
