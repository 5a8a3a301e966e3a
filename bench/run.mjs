// npm run bench [-- --json FILE] [--quick] [--only TEXT[,TEXT…]] [--wasm relaxed|simd|scalar] [--processes N] [--isolate]
// Runs every benchmark group, prints markdown tables (wirecrypt and its peers side by side, with
// wirecrypt's ratio to each peer and the spread of the rounds), the cold-start time and the targets
// with whether each is met. --processes N runs each harness group in N fresh processes, one after
// another, and pools their rounds (harness.mjs, pool). --isolate then runs each implementation of
// each case again alone, in as many fresh processes of its own (taken in turns), and reports, cell by
// cell, whether that figure falls within the shared run's spread and whether wirecrypt's ratio to
// each peer, process by process, falls within the shared run's round-by-round ratios (a figure that
// does not was shaped by what else ran in the process, or by the VM's drift), and whether the two
// ranges (min–max of the shared rounds, and of the isolated rounds or per-process ratios) overlap,
// which on a quiet VM, whose rounds agree within a percent or two, is the fairer test. --json writes
// everything, with the machine (CPU model), to FILE; the tables of docs/benchmarks.md and the
// README's summary come from such files under bench/results/.
import '../scripts/relaxed-simd-flag.mjs'; // first: before wirecrypt probes for relaxed SIMD
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { engineInfo, init } from 'wirecrypt';
import { coldStart } from './cold-start.mjs';
import { cipherGroups, cipherTargets } from './groups/ciphers.mjs';
import { curveGroups, curveTargets } from './groups/curves.mjs';
import { hashGroups, hashTargets } from './groups/hash.mjs';
import { mlsTreekemGroups, mlsTreekemTargets } from './groups/mls-treekem.mjs';
import { mmtlsCleanup, mmtlsGroups, mmtlsTargets } from './groups/mmtls.mjs';
import { mlsPassiveGroups, mlsPassiveTargets } from './groups/mls-passive.mjs';
import { LOOPBACK_TITLE, mtprotoGroups, mtprotoLoopback, mtprotoTargets } from './groups/mtproto.mjs';
import { SCALE_TITLE, mlsScale } from './groups/mls-scale.mjs';
import { weshGroups, weshTargets } from './groups/wesh.mjs';
import { WESH_LOG_TITLE, weshLogBench } from './groups/wesh-log.mjs';
import { WESH_SYNC_TITLE, weshSyncBench } from './groups/wesh-sync.mjs';
import { cellLine, evaluateTarget, format, markdown, median, overlap, pool, range, ratio, roundRatios, runGroup } from './harness.mjs';

const { values: args } = parseArgs({
  options: {
    json: { type: 'string' },
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    wasm: { type: 'string', default: 'auto' },
    isolate: { type: 'boolean', default: false },
    processes: { type: 'string', default: '1' },
    // internal: run one group (or one implementation of it) and print the result as JSON (for --processes, --isolate)
    'child-group': { type: 'string' },
    'child-impl': { type: 'string' },
  },
});

init({ wasm: args.wasm });
const settings = args.quick ? { rounds: 3, maxTime: 0.15 } : { rounds: 5, maxTime: 0.3 };
const processes = Number(args.processes);
if (!Number.isInteger(processes) || processes < 1) throw new RangeError(`--processes must be a whole number ≥ 1, got ${args.processes}`);
const allGroups = [...hashGroups, ...cipherGroups, ...curveGroups, ...mtprotoGroups, ...mmtlsGroups, ...mlsPassiveGroups, ...mlsTreekemGroups, ...weshGroups];
/** Whether a group runs: --only keeps those whose title contains one of its comma-separated texts. */
const selected = (title) => !args.only || args.only.toLowerCase().split(',').some((text) => title.toLowerCase().includes(text.trim()));
const groups = allGroups.filter((g) => selected(g.title));
const log = (line) => process.stderr.write(`${line}\n`);

if (args['child-group']) {
  const group = allGroups.find((g) => g.title === args['child-group']);
  const result = await runGroup(group, { ...settings, log: () => {}, only: args['child-impl'] ?? null });
  await mmtlsCleanup();
  console.log(JSON.stringify(result));
  process.exit(0);
}

/** runGroup in a fresh process of its own (all implementations, or only `impl`). */
function inChild(title, impl = null) {
  const childArgs = [process.argv[1], '--child-group', title, ...(impl === null ? [] : ['--child-impl', impl]), '--wasm', args.wasm, ...(args.quick ? ['--quick'] : [])];
  return JSON.parse(execFileSync(process.execPath, childArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 }));
}

/** A group in this process, or with --processes N in N fresh ones in turn, their rounds pooled. */
async function measure(group) {
  if (processes === 1) return runGroup(group, { ...settings, log });
  const result = pool(Array.from({ length: processes }, () => inChild(group.title)));
  for (const size of result.sizes) log(cellLine(result.title, result.rows, size));
  return result;
}

/**
 * The CPU's family, model and stepping from /proc/cpuinfo (Linux), since a VM's model name may say no
 * more than "AMD EPYC" while the microarchitecture behind it changes between sessions (family 25
 * model 1 is Zen 3, family 26 Zen 5) and ratios move with it; null off Linux and on non-x86 CPUs.
 */
function cpuId() {
  let info;
  try { info = readFileSync('/proc/cpuinfo', 'utf8'); } catch { return null; }
  const field = (name) => info.match(new RegExp(`^${name}\\s*: (.*)$`, 'm'))?.[1];
  const family = field('cpu family');
  if (family === undefined) return null; // not x86: ARM's cpuinfo names an implementer and a part
  const flags = new Set(field('flags')?.split(' ') ?? []);
  return {
    family: Number(family), model: Number(field('model')), stepping: Number(field('stepping')),
    features: ['avx2', 'avx512f', 'vaes', 'vpclmulqdq'].filter((f) => flags.has(f)),
  };
}

const id = cpuId();
const machine = {
  cpu: os.cpus()[0]?.model ?? 'unknown', cpuId: id, cores: os.cpus().length, node: process.version,
  v8: process.versions.v8, openssl: process.versions.openssl, wasm: engineInfo().build,
};
const roundsText = processes === 1 ? `${settings.rounds} interleaved rounds` : `${processes} fresh processes × ${settings.rounds} interleaved rounds`;
const cpuText = `${machine.cpu}${id ? ` (family ${id.family} model ${id.model} stepping ${id.stepping}; ${id.features.join(', ') || 'no AVX2'})` : ''}`;
log(`wirecrypt bench: ${cpuText}, ${machine.cores} cores, Node ${machine.node}, wasm ${machine.wasm}; ${roundsText}, median`);

const results = [];
for (const group of groups) results.push(await measure(group));
await mmtlsCleanup();
// MTProto loopback RPC: a server and its clients over sockets, measured outside the harness like cold start
const loopback = selected(LOOPBACK_TITLE) ? await mtprotoLoopback({ quick: args.quick, log }) : null;
// MLS groups of 2 … 10 000 members, side by side with ts-mls: prepared states per operation, timed outside the harness
const scale = selected(SCALE_TITLE) ? await mlsScale({ quick: args.quick, log }) : null;
// Wesh: merging two divergent 50,000-entry logs, appends/s (fresh replicas per run, timed outside the harness)
const weshLog = selected(WESH_LOG_TITLE) ? await weshLogBench({ quick: args.quick, log }) : null;
// Wesh: replicating 10,000 entries to a fresh peer over libp2p on loopback
const weshSync = selected(WESH_SYNC_TITLE) ? await weshSyncBench({ quick: args.quick, log }) : null;
const cold = coldStart();
const targets = [...hashTargets, ...cipherTargets, ...curveTargets, ...mtprotoTargets, ...mmtlsTargets, ...mlsPassiveTargets, ...mlsTreekemTargets, ...weshTargets].filter((t) => results.some((g) => g.title === t.group)).map((t) => evaluateTarget(t, results));
targets.push({
  text: "import + instantiate ≤ @mtcute/wasm's (import + initSync) in a fresh Node process",
  measured: `${cold.totalMs.toFixed(1)} ms vs ${cold.mtcuteTotalMs.toFixed(1)} ms`,
  met: cold.totalMs <= cold.mtcuteTotalMs,
});
if (loopback) targets.push(loopback.target);
if (scale) targets.push(...scale.targets);
if (weshLog) targets.push(...weshLog.targets);
if (weshSync) targets.push(...weshSync.targets);

const out = [
  `Machine: ${cpuText}, ${machine.cores} cores, Node ${machine.node} (V8 ${machine.v8}, OpenSSL ${machine.openssl}); wirecrypt wasm build: ${machine.wasm}.`,
  `Median of ${roundsText}; a peer's cell shows in parentheses the median, round by round, of wirecrypt's speed ÷ the peer's.`,
  '',
  ...results.flatMap((r) => [markdown(r), '']),
  ...(loopback ? [loopback.markdown, ''] : []),
  ...(scale ? [scale.markdown, ''] : []),
  ...(weshLog ? [weshLog.markdown, ''] : []),
  ...(weshSync ? [weshSync.markdown, ''] : []),
  `Cold start (fresh \`node\` process, median of ${cold.runs}): import ${cold.importMs.toFixed(1)} ms + instantiate ${cold.instantiateMs.toFixed(1)} ms = ${cold.totalMs.toFixed(1)} ms; first call ${cold.firstCallMs.toFixed(2)} ms. ` +
    `For comparison, importing an empty ES module the same way takes ${cold.emptyModuleImportMs.toFixed(1)} ms (Node's ESM loader bootstrap), so wirecrypt's own share is ${(cold.totalMs - cold.emptyModuleImportMs).toFixed(1)} ms; @mtcute/wasm (import + initSync of its .wasm file) takes ${cold.mtcuteTotalMs.toFixed(1)} ms.`,
  '',
  '| target | measured | met |',
  '|---|--:|:-:|',
  ...targets.map((t) => `| ${t.text} | ${t.measured ?? `${t.ratio.toFixed(2)}×`} | ${t.met ? 'yes' : '**no**'} |`),
];
console.log(out.join('\n'));

/**
 * Each implementation in processes of its own, as many as the shared run used, taken in turns (process
 * p of every implementation, then p + 1, the order rotating) so that a slow spell of the VM falls on
 * all of them alike rather than on whichever ran last. Each cell's pooled figure is compared with the
 * shared run's spread; a peer's cell also compares wirecrypt's speed ÷ the peer's, process by process
 * (the two ran one after the other; median over the processes), with the shared run's round-by-round
 * ratios (their min–max).
 */
function isolated() {
  const cells = [];
  for (const r of results) {
    const runs = r.rows.map(() => []);
    for (let p = 0; p < processes; p++) {
      for (let k = 0; k < r.rows.length; k++) {
        const i = (p + k) % r.rows.length;
        log(`  isolated: ${r.title} / ${r.rows[i].name} (process ${p + 1} of ${processes})`);
        runs[i].push(inChild(r.title, r.rows[i].name).rows[0]);
      }
    }
    const alone = runs.map((rs) => pool(rs.map((row) => ({ sizes: r.sizes, rows: [row] }))).rows[0]);
    for (const [i, row] of r.rows.entries()) {
      for (const size of r.sizes) {
        const spread = row.spread[size], v = alone[i].values[size], isolatedSpread = alone[i].spread[size];
        const cell = {
          group: r.title, impl: row.name, size, shared: row.values[size], spread, isolated: v, isolatedSpread,
          within: overlap(spread, [v, v]), overlaps: overlap(spread, isolatedSpread),
        };
        if (i > 0) {
          const ratioSpread = range(roundRatios(r.rows[0], row, size));
          const perProcess = runs[0].map((ours, p) => median(ours.samples[size]) / median(runs[i][p].samples[size]));
          const isolatedRatio = median(perProcess), isolatedRatioSpread = range(perProcess);
          Object.assign(cell, {
            sharedRatio: ratio(r.rows[0], row, size), ratioSpread, isolatedRatio, isolatedRatioSpread,
            ratioWithin: overlap(ratioSpread, [isolatedRatio, isolatedRatio]), ratioOverlaps: overlap(ratioSpread, isolatedRatioSpread),
          });
        }
        cells.push(cell);
      }
    }
  }
  return cells;
}
const isolation = args.isolate ? isolated() : null;
if (isolation) {
  const outside = isolation.filter((c) => !c.within || c.ratioWithin === false);
  const peerCells = isolation.filter((c) => c.ratioWithin !== undefined);
  const count = (key, cells) => cells.filter((c) => c[key]).length;
  console.log(`\nIsolated runs: ${count('within', isolation)} of ${isolation.length} cells fall within the shared run's spread; ` +
    `${count('ratioWithin', peerCells)} of ${peerCells.length} ratios to a peer within its round-by-round range. ` +
    `The isolated spread overlaps the shared one in ${count('overlaps', isolation)} of ${isolation.length} cells and ` +
    `${count('ratioOverlaps', peerCells)} of ${peerCells.length} ratios.`);
  if (outside.length) {
    const x = (v) => (v === undefined ? '' : `${v.toFixed(2)}×`);
    console.log('\n| group | implementation | size | shared (min–max) | isolated (min–max) | ratio shared (min–max) | ratio isolated (min–max) |\n|---|---|---|--:|--:|--:|--:|');
    for (const c of outside) {
      const ratios = c.sharedRatio === undefined ? '| | |' : `| ${x(c.sharedRatio)} (${x(c.ratioSpread[0])}–${x(c.ratioSpread[1])}) | ${x(c.isolatedRatio)} (${x(c.isolatedRatioSpread[0])}–${x(c.isolatedRatioSpread[1])})${c.ratioWithin ? '' : ' **out**'} |`;
      console.log(`| ${c.group} | ${c.impl} | ${c.size} | ${format(c.shared)} (${format(c.spread[0])}–${format(c.spread[1])}) | ${format(c.isolated)} (${format(c.isolatedSpread[0])}–${format(c.isolatedSpread[1])})${c.within ? '' : ' **out**'} ${ratios}`);
    }
  }
}
if (args.json) {
  writeFileSync(args.json, JSON.stringify({ date: new Date().toISOString(), machine, settings, results, mtprotoLoopback: loopback, mlsScale: scale, weshLog, weshSync, coldStart: cold, targets, isolation }, null, 2));
  log(`wrote ${args.json}`);
}
