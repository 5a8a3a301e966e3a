// Benchmark harness: the `benchmark` package measures each implementation; all implementations of
// one case are interleaved round by round and the median kept, so a noisy VM disturbs every
// implementation alike and the ratios (what the targets are about) stay meaningful. Before timing,
// every implementation's output is checked against wirecrypt's.
import Benchmark from 'benchmark';

const toHex = (v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : JSON.stringify(v, (_, x) => (x instanceof Uint8Array ? Buffer.from(x).toString('hex') : x)));

function hz(fn, maxTime) {
  const b = new Benchmark(fn, { maxTime, minSamples: 5, initCount: 1 });
  b.run({ async: false });
  if (b.error) throw b.error;
  return b.hz;
}

/** hz() for an implementation that returns a promise (WebCrypto-based peers): a deferred benchmark. */
function hzAsync(fn, maxTime) {
  return new Promise((resolve, reject) => {
    const b = new Benchmark((deferred) => fn().then(() => deferred.resolve(), reject), { defer: true, maxTime, minSamples: 5 });
    b.on('complete', () => (b.error ? reject(b.error) : resolve(b.hz)));
    b.run({ async: true });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/**
 * group: { title, unit: 'MB/s' | 'ops/s', sizes: [{ label, bytes, perCall }], impls: [{ name, setup(size) -> { run, output?, async? } }] }
 * The first impl is wirecrypt. `perCall` scales ops/s (e.g. ratchet steps per call). With `async`,
 * run() and output() return promises.
 */
export async function runGroup(group, { rounds, maxTime, log }) {
  const rows = group.impls.map((impl) => ({ name: impl.name, values: {} }));
  for (const size of group.sizes) {
    const prepared = [];
    for (const impl of group.impls) prepared.push(await impl.setup(size));
    const outputs = [];
    for (const p of prepared) outputs.push(toHex(await (p.output ? p.output() : p.run())));
    outputs.forEach((got, i) => {
      if (got !== outputs[0]) throw new Error(`${group.title} ${size.label}: ${group.impls[i].name} disagrees with ${group.impls[0].name}`);
    });
    const samples = prepared.map(() => []);
    for (let r = 0; r < rounds; r++) {
      for (const [i, p] of prepared.entries()) samples[i].push(p.async ? await hzAsync(p.run, maxTime) : hz(p.run, maxTime));
    }
    prepared.forEach((p, i) => {
      const perSecond = median(samples[i]);
      rows[i].values[size.label] = group.unit === 'MB/s' ? (perSecond * size.bytes) / 1e6 : perSecond * (size.perCall ?? 1);
    });
    log(`  ${group.title} ${size.label}: ${rows.map((r) => `${r.name} ${format(r.values[size.label])}`).join(', ')}`);
  }
  return { title: group.title, unit: group.unit, sizes: group.sizes.map((s) => s.label), rows, notes: group.notes ?? [] };
}

export function format(x) {
  if (x >= 10_000) return Math.round(x).toLocaleString('en-US');
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

/** A markdown table: one row per implementation; peers' cells carry wirecrypt's ratio to them. */
export function markdown(result) {
  const head = `| ${result.title} (${result.unit}) | ${result.sizes.join(' | ')} |`;
  const rule = `|---|${result.sizes.map(() => '--:').join('|')}|`;
  const ours = result.rows[0];
  const lines = result.rows.map((row, i) => {
    const cells = result.sizes.map((s) => {
      const v = row.values[s];
      return i === 0 ? `**${format(v)}**` : `${format(v)} (${(ours.values[s] / v).toFixed(2)}×)`;
    });
    return `| ${row.name} | ${cells.join(' | ')} |`;
  });
  return [head, rule, ...lines, ...result.notes.map((n) => `\n${n}`)].join('\n');
}

/** target: { text, group, size, peer, min } → with the measured ratio and whether it is met. */
export function evaluateTarget(target, results) {
  const group = results.find((g) => g.title === target.group);
  const ours = group.rows[0].values[target.size];
  const peer = group.rows.find((r) => r.name === target.peer).values[target.size];
  const ratio = ours / peer;
  return { ...target, ratio, met: ratio >= target.min };
}
