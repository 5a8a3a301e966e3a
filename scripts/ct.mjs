// npm run ct -- [--seconds N] [--only TEXT] [--build relaxed|simd|scalar|all] [--resolution P]
//
// Timing-leak screen in the style of dudect (Reparaz, Balasch, Verbauwhede, "Dude, is my code constant
// time?", 2017). For each case, inputs of two classes — a fixed secret (all zero bytes) and a fresh
// random secret per sample — are timed in random interleaving after a warm-up, a batch of calls per
// sample when one call is too short for the clock, and Welch's t-statistic compares the two timing
// distributions after cropping the slowest samples at several percentiles; the largest |t| is kept.
// |t| > 4.5 flags a possible leak.
//
// Resolution: a short pilot measures each case's noise, and the case then collects the samples per
// class a leak of --resolution % (default 1 %) of its running time needs to reach |t| = 4.5 (about
// 2·(4.5·cv/0.01)² for a coefficient of variation cv; at least 1,000), unless its budget runs out
// first, re-estimating as it goes. Each line prints the resolution reached (the shift whose expected
// |t| is 4.5, measured on the samples themselves, see scripts/ct/stats.mjs) with the samples per
// class; "short of" marks a case whose budget stopped it above the target.
//
// Controls, with every build: a positive control (an early-exit comparison in JavaScript leaking about
// twice the target resolution, 2 % of its time by default) must be flagged and a negative control (identical work for both classes) must not
// be; otherwise the run fails, since the screen's answers for the real cases are then worthless.
//
//   --seconds N      budget of each case on each build, pilot and measurement (warm-up, about 0.2 s,
//                    comes on top); a case stops early once it reaches the resolution. Default 5.
//   --only TEXT      only the cases whose name contains TEXT (case-insensitive); controls always run.
//   --build B        relaxed, simd, scalar or all (default: those the runtime validates): the wasm builds screened, one after the other.
//   --resolution P   the resolution aimed for, in % of each case's median time. Default 1.
//
// Exit code 1 if a real case is flagged or a control misbehaves. Not part of npm test (timings in
// tests would be flaky); run it on a quiet machine. This is a screen, not a proof: the measurements
// include the JavaScript around each call and the VM's noise, and only what the cases exercise is
// screened.

import './relaxed-simd-flag.mjs'; // first: before wirecrypt probes for relaxed SIMD
import { parseArgs } from 'node:util';
import * as w from 'wirecrypt';
import { makeCases } from './ct/cases.mjs';
import { makeControls } from './ct/controls.mjs';
import { measure } from './ct/measure.mjs';
import { THRESHOLD } from './ct/stats.mjs';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    only: { type: 'string' },
    build: { type: 'string', default: 'all' },
    resolution: { type: 'string', default: '1' },
  },
});
const seconds = Number(args.seconds);
const target = Number(args.resolution);
if (!(seconds > 0)) throw new RangeError(`--seconds must be a positive number, got ${args.seconds}`);
if (!(target > 0)) throw new RangeError(`--resolution must be a positive number, got ${args.resolution}`);
if (!['relaxed', 'simd', 'scalar', 'all'].includes(args.build)) throw new RangeError(`--build must be relaxed, simd, scalar or all, got ${args.build}`);

const { simdSupported, relaxedSimdSupported } = w.init();
const supported = { relaxed: relaxedSimdSupported, simd: simdSupported, scalar: true };
let builds = args.build === 'all' ? ['relaxed', 'simd', 'scalar'] : [args.build];
for (const build of builds.filter((b) => !supported[b])) {
  console.log(`note: this runtime does not validate the ${build} build (relaxed SIMD: Node 20 needs --experimental-wasm-relaxed-simd); it is not screened`);
}
builds = builds.filter((b) => supported[b]);
const only = args.only?.toLowerCase();
const NAME = 78;

const fmtTime = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(1)} µs` : `${ns.toFixed(0)} ns`);
const fmtRes = (r) => (Number.isFinite(r) ? `${r < 10 ? r.toFixed(2) : r.toFixed(0)} %` : '∞');

function line(build, name, r, verdict) {
  const ns = (r.resolution / 100) * r.perCallNs;
  const res = `${fmtRes(r.resolution)} = ${fmtTime(ns)}` + (r.capped ? ` (short of ${target} %: needs n≈${r.needed})` : '');
  return `${build.padEnd(6)} ${name.padEnd(NAME)} n=${String(r.n).padStart(6)} ×${String(r.batch).padEnd(4)}`
    + `${fmtTime(r.perCallNs).padStart(8)}  |t|=${r.t.toFixed(2).padStart(6)}  res ${res}  ${verdict}`;
}

console.log(
  `ct: Welch's t, fixed (zero) vs random secret, |t| > ${THRESHOLD} flags; target resolution ${target} % of each `
  + `case's time; budget ${seconds} s per case per build (+ warm-up); builds: ${builds.join(', ')}`,
);
console.log('n = samples per class × calls per sample, then the median time per call; res = the leak (in % of that time,');
console.log('and per call) whose expected |t| is 4.5 with these samples: smaller leaks may pass unseen\n');

const flagged = [];
const controlFailures = [];
const short = [];
let screened = 0;
for (const build of builds) {
  w.init({ wasm: build });
  // Controls first, then the cases; all made after init() so that they run on this build.
  for (const c of makeControls(w, target)) {
    const r = measure(c, { seconds, target });
    const hit = r.t > THRESHOLD;
    let verdict;
    if (c.control === 'positive') {
      const seen = `measured leak ${r.leak.toFixed(2)} %`;
      verdict = hit ? `flagged, as it must be (${seen})` : `NOT FLAGGED (${seen}): CONTROL FAILED`;
      if (!hit) controlFailures.push(`${build}: the positive control was not flagged (|t| = ${r.t.toFixed(2)}, resolution ${fmtRes(r.resolution)})`);
    } else {
      verdict = hit ? 'FLAGGED: CONTROL FAILED' : 'not flagged, as it must be';
      if (hit) controlFailures.push(`${build}: the negative control was flagged (|t| = ${r.t.toFixed(2)})`);
    }
    console.log(line(build, c.name, r, verdict));
  }
  for (const c of makeCases(w).filter((x) => !only || x.name.toLowerCase().includes(only))) {
    const r = measure(c, { seconds, target });
    screened++;
    const hit = r.t > THRESHOLD;
    if (hit) flagged.push(`${build}: ${c.name} (|t| = ${r.t.toFixed(2)})`);
    if (r.capped) short.push({ name: `${build}: ${c.name} (${fmtRes(r.resolution)})`, resolution: r.resolution });
    console.log(line(build, c.name, r, hit ? 'POSSIBLE LEAK' : 'ok'));
  }
  console.log();
}

console.log(
  `${screened} case runs on ${builds.join(' + ')}; ${flagged.length} flagged; `
  + (short.length ? `${short.length} short of ${target} % resolution within the budget` : `all reached ${target} % resolution`)
);
for (const s of short) console.log(`short of ${target} % — ${s.name}`);
for (const f of controlFailures) console.log(`control failed — ${f}`);
for (const f of flagged) console.log(`possible leak — ${f}`);
if (controlFailures.length) {
  console.log('verdict: FAIL — a control misbehaved, so this run says nothing about the real cases (rerun on a quieter machine or with more --seconds)');
} else if (flagged.length) {
  console.log('verdict: FAIL — possible timing leak (rerun the case with --only to confirm)');
} else {
  console.log(
    'verdict: PASS — both controls behaved on every build and no case was flagged'
    + (short.length ? ` (${short.length === 1 ? 'one case run' : `${short.length} case runs`} only at the coarser resolution printed)` : ''),
  );
}
process.exitCode = controlFailures.length || flagged.length ? 1 : 0;
