// npm run bench [-- --json FILE] [--quick] [--only TEXT] [--wasm simd|scalar]
// Runs every benchmark group, prints markdown tables (wirecrypt and its peers side by side, with
// wirecrypt's ratio to each peer), the cold-start time and the targets with whether each is met.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { engineInfo, init } from 'wirecrypt';
import { coldStart } from './cold-start.mjs';
import { cipherGroups, cipherTargets } from './groups/ciphers.mjs';
import { curveGroups, curveTargets } from './groups/curves.mjs';
import { hashGroups, hashTargets } from './groups/hash.mjs';
import { evaluateTarget, markdown, runGroup } from './harness.mjs';

const { values: args } = parseArgs({
  options: {
    json: { type: 'string' },
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    wasm: { type: 'string', default: 'auto' },
  },
});

init({ wasm: args.wasm });
const settings = args.quick ? { rounds: 3, maxTime: 0.15 } : { rounds: 5, maxTime: 0.3 };
const groups = [...hashGroups, ...cipherGroups, ...curveGroups].filter((g) => !args.only || g.title.toLowerCase().includes(args.only.toLowerCase()));
const log = (line) => process.stderr.write(`${line}\n`);

const machine = {
  cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version,
  v8: process.versions.v8, openssl: process.versions.openssl, wasm: engineInfo().build,
};
log(`wirecrypt bench: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, wasm ${machine.wasm}; ${settings.rounds} interleaved rounds, median`);

const results = [];
for (const group of groups) results.push(await runGroup(group, { ...settings, log }));
const cold = coldStart();
const targets = [...hashTargets, ...cipherTargets, ...curveTargets].filter((t) => results.some((g) => g.title === t.group)).map((t) => evaluateTarget(t, results));
targets.push({
  text: "import + instantiate ≤ @mtcute/wasm's (import + initSync) in a fresh Node process",
  measured: `${cold.totalMs.toFixed(1)} ms vs ${cold.mtcuteTotalMs.toFixed(1)} ms`,
  met: cold.totalMs <= cold.mtcuteTotalMs,
});

const out = [
  `Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node} (V8 ${machine.v8}, OpenSSL ${machine.openssl}); wirecrypt wasm build: ${machine.wasm}.`,
  `Median of ${settings.rounds} interleaved rounds; a peer's cell shows wirecrypt's speed ÷ the peer's in parentheses.`,
  '',
  ...results.flatMap((r) => [markdown(r), '']),
  `Cold start (fresh \`node\` process, median of ${cold.runs}): import ${cold.importMs.toFixed(1)} ms + instantiate ${cold.instantiateMs.toFixed(1)} ms = ${cold.totalMs.toFixed(1)} ms; first call ${cold.firstCallMs.toFixed(2)} ms. ` +
    `For comparison, importing an empty ES module the same way takes ${cold.emptyModuleImportMs.toFixed(1)} ms (Node's ESM loader bootstrap), so wirecrypt's own share is ${(cold.totalMs - cold.emptyModuleImportMs).toFixed(1)} ms; @mtcute/wasm (import + initSync of its .wasm file) takes ${cold.mtcuteTotalMs.toFixed(1)} ms.`,
  '',
  '| target | measured | met |',
  '|---|--:|:-:|',
  ...targets.map((t) => `| ${t.text} | ${t.measured ?? `${t.ratio.toFixed(2)}×`} | ${t.met ? 'yes' : '**no**'} |`),
];
console.log(out.join('\n'));
if (args.json) {
  writeFileSync(args.json, JSON.stringify({ date: new Date().toISOString(), machine, settings, results, coldStart: cold, targets }, null, 2));
  log(`wrote ${args.json}`);
}
