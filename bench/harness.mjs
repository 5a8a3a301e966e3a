// Benchmark harness: the `benchmark` package measures each implementation; all implementations of
// one case are interleaved round by round (each round starting with the next implementation) and the
// median kept, so a noisy VM disturbs every implementation alike and the ratios (what the targets
// are about) stay meaningful; each cell also
// carries the spread (slowest and fastest round). Before timing, every implementation's output is
// checked against wirecrypt's, and every implementation is warmed until its speed is stable: V8
// tiers wasm up (Liftoff → TurboFan) and JavaScript through its JITs at different moments, and a
// sample taken before an implementation reaches its optimised tier measures the compiler, not it.
// Every sample starts from a collected heap (`collect`), so that no implementation pays for
// garbage that another one left: without it, libsodium-wrappers' ChaCha20-Poly1305 at 1 KiB ran
// at 152 MB/s among the other implementations and at 198 MB/s alone (issue 9 §2, docs/engine.md).
import Benchmark from 'benchmark';
import v8 from 'node:v8';
import vm from 'node:vm';

// V8's gc() without --expose-gc on the command line: the flag holds for contexts created after it.
v8.setFlagsFromString('--expose-gc');
const collect = vm.runInNewContext('gc');

const toHex = (v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : JSON.stringify(v, (_, x) => (x instanceof Uint8Array ? Buffer.from(x).toString('hex') : x)));

function hz(fn, maxTime, minSamples = 5) {
  const b = new Benchmark(fn, { maxTime, minSamples, initCount: 1 });
  collect();
  b.run({ async: false });
  if (b.error) throw b.error;
  return b.hz;
}

/** hz() for an implementation that returns a promise (WebCrypto-based peers): a deferred benchmark. */
function hzAsync(fn, maxTime, minSamples = 5) {
  return new Promise((resolve, reject) => {
    const b = new Benchmark((deferred) => fn().then(() => deferred.resolve(), reject), { defer: true, maxTime, minSamples });
    b.on('complete', () => (b.error ? reject(b.error) : resolve(b.hz)));
    collect();
    b.run({ async: true });
  });
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/**
 * Runs `fn` in short measurements until two in a row agree within 5 % (at least `minMs` of running
 * in all, at most `tries` more measurements): its optimised tier is then in place.
 */
async function warm(p, maxTime, minSamples, tries, minMs = 300) {
  const measure = () => (p.async ? hzAsync(p.run, maxTime, minSamples) : hz(p.run, maxTime, minSamples));
  const start = performance.now();
  let last = await measure();
  for (let i = 0; i < tries; i++) {
    const next = await measure();
    const stable = Math.abs(next - last) <= 0.05 * Math.max(next, last);
    last = next;
    if (stable && performance.now() - start >= minMs) return;
  }
}

/**
 * group: { title, unit: 'MB/s' | 'ops/s', sizes: [{ label, bytes, perCall }], impls: [{ name, setup(size) -> { run, output?, async? } }] }
 * The first impl is wirecrypt. `perCall` scales ops/s (e.g. ratchet steps per call). With `async`,
 * run() and output() return promises. `slow: true` is for runs of seconds (a peer processing a whole
 * vector file): one run per sample and at most three warming measurements, so the group ends in
 * minutes; a round is still one sample of every implementation.
 */
export async function runGroup(group, { rounds, maxTime, log, only = null }) {
  const impls = group.impls.filter((impl) => only === null || impl.name === only);
  const rows = impls.map((impl) => ({ name: impl.name, values: {}, spread: {}, samples: {} }));
  for (const size of group.sizes) {
    const prepared = [];
    for (const impl of impls) prepared.push(await impl.setup(size));
    // every implementation (even when only one is timed) must agree with wirecrypt's output
    const reference = toHex(await (async (p) => (p.output ? p.output() : p.run()))(await group.impls[0].setup(size)));
    for (const [i, p] of prepared.entries()) {
      if (toHex(await (p.output ? p.output() : p.run())) !== reference) throw new Error(`${group.title} ${size.label}: ${impls[i].name} disagrees with ${group.impls[0].name}`);
    }
    const minSamples = group.slow ? 1 : 5;
    for (const p of prepared) await warm(p, maxTime, minSamples, group.slow ? 3 : 20);
    const samples = prepared.map(() => []);
    // Round r starts with implementation r: what ran just before an implementation (its allocations,
    // the heap it left grown or trimmed) can shape its figure, so none goes first in every round.
    // (Before, wirecrypt always did; the ChaCha20-Poly1305 16 KiB ratio then moved within the noise,
    // 1.64x to 1.67x, docs/engine.md.)
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < prepared.length; k++) {
        const i = (r + k) % prepared.length, p = prepared[i];
        samples[i].push(p.async ? await hzAsync(p.run, maxTime, minSamples) : hz(p.run, maxTime, minSamples));
      }
    }
    const scale = (perSecond) => (group.unit === 'MB/s' ? (perSecond * size.bytes) / 1e6 : perSecond * (size.perCall ?? 1));
    prepared.forEach((p, i) => summarise(rows[i], size.label, samples[i].map(scale)));
    log(cellLine(group.title, rows, size.label));
  }
  return { title: group.title, unit: group.unit, sizes: group.sizes.map((s) => s.label), rows, notes: group.notes ?? [] };
}

/** The progress line of one size: every implementation's median. */
export const cellLine = (title, rows, label) => `  ${title} ${label}: ${rows.map((r) => `${r.name} ${format(r.values[label])}`).join(', ')}`;

/** A cell: every round's figure kept, the median shown, the spread (slowest and fastest round) under it. */
function summarise(row, label, figures) {
  row.samples[label] = figures;
  row.values[label] = median(figures);
  row.spread[label] = range(figures);
}

/** [min, max] of some figures. */
export const range = (xs) => [Math.min(...xs), Math.max(...xs)];

/** Whether two [min, max] ranges share a value. */
export const overlap = ([lo, hi], [lo2, hi2]) => lo <= hi2 && hi >= lo2;

/**
 * One group measured in several fresh processes (each a runGroup result): the rounds of every
 * process pooled per implementation and size, so each cell's median and spread describe the
 * processes as well as the rounds. On this VM a process's allocator and heap settle into states
 * that move an AEAD figure by up to half from one process to the next (docs/engine.md), which one
 * process's rounds cannot show.
 */
export function pool(runs) {
  const [first] = runs;
  const rows = first.rows.map((row) => {
    const pooled = { name: row.name, values: {}, spread: {}, samples: {} };
    for (const label of first.sizes) summarise(pooled, label, runs.flatMap((run) => run.rows.find((r) => r.name === row.name).samples[label]));
    return pooled;
  });
  return { ...first, rows, processes: runs.length };
}

/**
 * wirecrypt's speed ÷ a peer's in one cell: the median of the round-by-round ratios. A round
 * measures every implementation back to back, so a state of the process or the VM that slows all
 * of them for a while (on this VM a 64-byte open moved between ≈ 75 and ≈ 120 MB/s from one process
 * to the next, libsodium's with it) cancels in the ratio, while the ratio of two pooled medians
 * could pair one implementation's slow state with the other's fast one. Rows without paired rounds
 * (older JSON) fall back to the ratio of the medians.
 */
export function ratio(ours, peer, label) {
  const a = ours.samples?.[label], b = peer.samples?.[label];
  if (!a || !b || a.length !== b.length) return ours.values[label] / peer.values[label];
  return median(roundRatios(ours, peer, label));
}

/** wirecrypt's speed ÷ a peer's in each round of one cell (rows with paired rounds). */
export const roundRatios = (ours, peer, label) => ours.samples[label].map((x, i) => x / peer.samples[label][i]);

export function format(x) {
  if (x >= 10_000) return Math.round(x).toLocaleString('en-US');
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

/**
 * A markdown table: one row per implementation, each cell the median with the spread of the rounds
 * below it (min–max); peers' cells carry wirecrypt's ratio to them (`ratio`).
 */
export function markdown(result) {
  const head = `| ${result.title} (${result.unit}) | ${result.sizes.join(' | ')} |`;
  const rule = `|---|${result.sizes.map(() => '--:').join('|')}|`;
  const ours = result.rows[0];
  const lines = result.rows.map((row, i) => {
    const cells = result.sizes.map((s) => {
      const v = row.values[s];
      const [lo, hi] = row.spread[s];
      const spread = `<br><sub>${format(lo)}–${format(hi)}</sub>`;
      return i === 0 ? `**${format(v)}**${spread}` : `${format(v)} (${ratio(ours, row, s).toFixed(2)}×)${spread}`;
    });
    return `| ${row.name} | ${cells.join(' | ')} |`;
  });
  return [head, rule, ...lines, ...result.notes.map((n) => `\n${n}`)].join('\n');
}

/** target: { text, group, size, peer, min } → with the measured ratio and whether it is met. */
export function evaluateTarget(target, results) {
  const group = results.find((g) => g.title === target.group);
  const ours = group.rows[0].values[target.size];
  // an absolute target (ops/s on one core) rather than a ratio to a peer
  if (target.atLeast !== undefined) return { ...target, measured: `${format(ours)} ${group.unit}`, met: ours >= target.atLeast };
  const measured = ratio(group.rows[0], group.rows.find((r) => r.name === target.peer), target.size);
  return { ...target, ratio: measured, met: measured >= target.min };
}
