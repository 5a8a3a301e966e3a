// How low cold start (issue 9 §4) could go with the split it would need (docs/engine.md, "Cold
// start's floor"). Builds two throwaway variants into build/floor/ and times them against today's
// package and @mtcute/wasm in fresh Node processes, in turns, median of RUNS (default 31):
//   loader       a default entry holding only init() and engineInfo() — the wasm loader, none of
//                the primitives' bindings (as if every family of them loaded on first use);
//   core module  the wasm module without the exports that only the lazily loaded parts call
//                (Ed25519, P-256, HPKE, TreeKEM, MLS, MTProto), i.e. the default entry's primitives;
// and, for the time to a first result, the loader with the SHA-256 bindings.
// Run after `npm run build`:  node bench/diagnostics/cold-start-floor.mjs
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { PROLOGUE, interleavedRuns } from '../cold-start.mjs';

const RUNS = Number(process.env.RUNS ?? 31);
// Every variant, here and in the child processes, runs the SIMD build (Node 22 would pick the
// relaxed-SIMD one, which has no core variant here).
process.env.WIRECRYPT_WASM = 'simd';
const root = resolve(import.meta.dirname, '../..');
const dist = (file) => resolve(root, 'dist', file);
const floor = (file) => resolve(root, 'build/floor', file);
mkdirSync(floor(''), { recursive: true });

// The core module: assembly/index.ts's exports minus those of the lazily loaded parts.
const EXTRAS = /^(ed25519|ED25519|p256|hpke|treekem|mls_|mtproto|invert)/;
const names = WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(dist('wirecrypt.simd.wasm'))))
  .map((e) => e.name).filter((name) => name !== 'memory' && !EXTRAS.test(name));
writeFileSync(floor('core.ts'), `export {\n  ${names.join(',\n  ')},\n} from '../../assembly/index';\n`);
writeFileSync(floor('asconfig.json'), '{}\n'); // else asc adds asconfig.json's entry, assembly/index.ts, and all its exports
execFileSync(process.execPath, [
  resolve(root, 'node_modules/assemblyscript/bin/asc.js'), floor('core.ts'), '--config', floor('asconfig.json'), '--runtime', 'stub', '-O3', '--converge', '--noAssert',
  '--use', 'abort=assembly/runtime/abort/trap', '--initialMemory', '3', '--enable', 'simd', '-o', floor('core.simd.wasm'),
], { cwd: root, stdio: 'inherit' });

/** Bundles `entry` (bindings/ relative) with the SIMD build read from `simd`. */
async function bundle(entry, outfile, simd) {
  const wasmFile = {
    name: 'wasm-file',
    setup(build) {
      build.onLoad({ filter: /\.wasm$/ }, ({ path }) => {
        const file = path.endsWith('wirecrypt.simd.wasm') ? simd : dist(path.split('/').pop());
        return {
          loader: 'js',
          contents: `const { readFileSync } = process.getBuiltinModule('node:fs');
            export default () => { const b = readFileSync(${JSON.stringify(file)}); return new Uint8Array(b.buffer, b.byteOffset, b.length); };`,
        };
      });
    },
  };
  await esbuild.build({
    stdin: { contents: entry, resolveDir: resolve(root, 'bindings'), loader: 'ts' }, bundle: true, format: 'esm', platform: 'node',
    target: 'node20', outfile, legalComments: 'none', logLevel: 'warning', plugins: [wasmFile],
  });
}
const LOADER = "export { init, engineInfo } from './init.ts';";
await bundle(LOADER, floor('loader-full.js'), dist('wirecrypt.simd.wasm'));
await bundle(LOADER, floor('loader-core.js'), floor('core.simd.wasm'));
await bundle(`${LOADER} export { sha256 } from './hash.ts';`, floor('sha256-core.js'), floor('core.simd.wasm'));
writeFileSync(floor('empty.mjs'), 'export {};\n');
const check = (await import(pathToFileURL(floor('sha256-core.js')).href)).sha256(new Uint8Array([97, 98, 99]));
if (Buffer.compare(check, createHash('sha256').update('abc').digest()) !== 0) throw new Error('the core module computes a wrong SHA-256');

// Every script starts with bench/cold-start.mjs's prologue; file URLs throughout, so that no package
// resolution is counted.
const url = (file) => JSON.stringify(pathToFileURL(file).href);
const MTCUTE = url(resolve(root, 'node_modules/@mtcute/wasm/index.js'));
const script = (body) => `${PROLOGUE} const t0 = performance.now(); ${body}
  console.log(JSON.stringify([t1 - t0, t2 - t1]));`;
const ours = (file) => script(`const w = await import(${url(file)}); const t1 = performance.now(); w.engineInfo(); const t2 = performance.now();`);
const mtcute = script(`const m = await import(${MTCUTE}); const t1 = performance.now(); m.initSync(readFileSync(new URL(m.getWasmUrl()))); const t2 = performance.now();`);
/** import + instantiate, then the first sha256 of 64 bytes. */
const firstHash = (file) => script(`const w = await import(${url(file)}); w.engineInfo(); const t1 = performance.now(); w.sha256(new Uint8Array(64)); const t2 = performance.now();`);

function compare(title, head, scripts) {
  const medians = interleavedRuns(Object.values(scripts), RUNS);
  console.log(`\n${title} (ms, median of ${RUNS} fresh processes)\n| variant | ${head.join(' | ')} | total |\n|---|--:|--:|--:|`);
  Object.keys(scripts).forEach((name, i) => {
    const median = medians[i];
    console.log(`| ${name} | ${median((s) => s[0]).toFixed(2)} | ${median((s) => s[1]).toFixed(2)} | ${median((s) => s[0] + s[1]).toFixed(2)} |`);
  });
}

compare('Import + instantiate', ['import', 'instantiate'], {
  'empty module': script(`await import(${url(floor('empty.mjs'))}); const t1 = performance.now(), t2 = t1;`),
  'wirecrypt (dist/index.js)': ours(dist('index.js')),
  '@mtcute/wasm': mtcute,
  'loader + full module': ours(floor('loader-full.js')),
  'loader + core module': ours(floor('loader-core.js')),
});
compare('To a first SHA-256 of 64 bytes', ['import + instantiate', 'first call'], {
  'wirecrypt (dist/index.js)': firstHash(dist('index.js')),
  '@mtcute/wasm': script(`const m = await import(${MTCUTE}); m.initSync(readFileSync(new URL(m.getWasmUrl()))); const t1 = performance.now(); m.sha256(new Uint8Array(64)); const t2 = performance.now();`),
  'loader + SHA-256 bindings + core module': firstHash(floor('sha256-core.js')),
});
