// npm run fuzz -- [--seconds N] [--seed S] [--x25519-million]
// Runs the differential properties of test/diff and the decoder fuzz properties of
// test/**/*.fuzz.test.ts (the same ones `npm test` runs with a fixed seed and a fixed number of
// runs) for about N seconds in total (default 60) on every wasm build, from seed S (default:
// time-based). Prints the seed first; on a mismatch fast-check prints the seed, the replay
// path and the shrunk counterexample, and the exit code is non-zero.
// --x25519-million also runs RFC 7748 §5.2's 1 000 000-iteration X25519 test (about three more
// minutes, beside the properties); without it the run takes N seconds plus start-up.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const usage = 'usage: npm run fuzz -- [--seconds N] [--seed S] [--x25519-million]   (N > 0, S an integer)';
let values;
try {
  ({ values } = parseArgs({
    options: { seconds: { type: 'string', default: '60' }, seed: { type: 'string' }, 'x25519-million': { type: 'boolean', default: false } },
  }));
} catch (e) {
  console.error(`${e.message}\n${usage}`);
  process.exit(2);
}
const seconds = Number(values.seconds);
const seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 2 ** 31;
const million = values['x25519-million'];
if (!(seconds > 0) || !Number.isInteger(seed)) {
  console.error(usage);
  process.exit(2);
}
console.log(`fuzz: seed ${seed}, about ${seconds} s over all properties and every wasm build`
  + (million ? ', plus the 1 000 000-iteration X25519 test' : ''));
const run = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', 'test/diff', '.fuzz.test.ts', '--reporter=verbose'], {
  stdio: 'inherit',
  env: { ...process.env, FUZZ_SEED: String(seed), FUZZ_SECONDS: String(seconds), X25519_MILLION: million ? '1' : '0' },
});
console.log(`fuzz: seed ${seed} — ${run.status === 0 ? 'no mismatch' : 'MISMATCH (see the counterexample above)'}`);
process.exit(run.status ?? 1);
