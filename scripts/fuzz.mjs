// npm run fuzz -- --seconds N --seed S
// Runs the differential properties of test/diff (the same ones `npm test` runs with a fixed seed and
// 150 runs each) for about N seconds in total on both wasm builds, from seed S (default: time-based).
// Prints the seed first; on a mismatch fast-check prints the seed, the replay path and the shrunk
// counterexample, and the exit code is non-zero.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '60' }, seed: { type: 'string' } },
});
const seconds = Number(values.seconds);
const seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 2 ** 31;
if (!(seconds > 0) || !Number.isInteger(seed)) {
  console.error('usage: npm run fuzz -- --seconds N --seed S   (N > 0, S an integer)');
  process.exit(2);
}
console.log(`fuzz: seed ${seed}, about ${seconds} s over all properties and both wasm builds`);
const run = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', 'test/diff', '--reporter=verbose'], {
  stdio: 'inherit',
  env: { ...process.env, FUZZ_SEED: String(seed), FUZZ_SECONDS: String(seconds) },
});
console.log(`fuzz: seed ${seed} — ${run.status === 0 ? 'no mismatch' : 'MISMATCH (see the counterexample above)'}`);
process.exit(run.status ?? 1);
