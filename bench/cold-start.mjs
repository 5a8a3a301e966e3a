// Import + instantiate time of wirecrypt in fresh Node processes (median of several runs), and for
// comparison the import of an empty ES module measured the same way: Node's own ESM loader
// bootstrap, which every package pays on its first import in a process.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// Every script starts with the same static import, so that each pays the same share of Node's ESM
// loader (its first resolution of a bare specifier costs a few ms, and a static import ahead of the
// timed region takes part of it); an earlier version gave only mtcute's script that import.
export const PROLOGUE = "import { readFileSync } from 'node:fs';";
const WIRECRYPT = `${PROLOGUE}
const t0 = performance.now();
const w = await import('wirecrypt');
const t1 = performance.now();
w.engineInfo();
const t2 = performance.now();
w.sha256(new Uint8Array(64));
const t3 = performance.now();
console.log(JSON.stringify({ importMs: t1 - t0, instantiateMs: t2 - t1, firstCallMs: t3 - t2 }));`;

// @mtcute/wasm, the peer of issue 9 §4: import, then initSync on its .wasm file (read from disk; it
// embeds nothing), which compiles and instantiates it.
const MTCUTE = `${PROLOGUE}
const t0 = performance.now();
const m = await import('@mtcute/wasm');
const t1 = performance.now();
m.initSync(readFileSync(new URL(m.getWasmUrl())));
const t2 = performance.now();
console.log(JSON.stringify({ importMs: t1 - t0, instantiateMs: t2 - t1 }));`;

const EMPTY = (url) => `${PROLOGUE}
const t0 = performance.now();
await import(${JSON.stringify(url)});
console.log(JSON.stringify({ importMs: performance.now() - t0 }));`;

/** Runs the scripts in turn, `runs` rounds (so that a drifting machine affects all alike); per script, a median picker. */
export function interleavedRuns(codes, runs) {
  const run = (code) => execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  for (const code of codes) run(code); // warm the OS file cache
  const samples = codes.map(() => []);
  for (let i = 0; i < runs; i++) codes.forEach((code, j) => samples[j].push(JSON.parse(run(code))));
  return samples.map((s) => (pick) => s.map(pick).sort((a, b) => a - b)[runs >> 1]);
}

export function coldStart(runs = 9) {
  const dir = mkdtempSync(join(tmpdir(), 'wirecrypt-cold-'));
  const empty = join(dir, 'empty.mjs');
  writeFileSync(empty, 'export {};\n');
  const [ours, baseline, mtcute] = interleavedRuns([WIRECRYPT, EMPTY(pathToFileURL(empty).href), MTCUTE], runs);
  rmSync(dir, { recursive: true });
  return {
    runs,
    importMs: ours((s) => s.importMs),
    instantiateMs: ours((s) => s.instantiateMs),
    totalMs: ours((s) => s.importMs + s.instantiateMs),
    firstCallMs: ours((s) => s.firstCallMs),
    emptyModuleImportMs: baseline((s) => s.importMs),
    mtcuteTotalMs: mtcute((s) => s.importMs + s.instantiateMs),
  };
}
