// npm run build: AssemblyScript → two wasm builds (SIMD and scalar) → esbuild bundles with the wasm
// embedded as base64 (Node ESM and browser ESM) → TypeScript declarations.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import asc from 'assemblyscript/asc';
import * as esbuild from 'esbuild';

for (const target of ['simd', 'scalar']) {
  const { error, stderr } = await asc.main(['--config', 'asconfig.json', '--target', target]);
  if (error) {
    console.error(stderr.toString());
    throw new Error(`asc --target ${target} failed: ${error.message}`);
  }
}

rmSync('dist', { recursive: true, force: true });
const common = {
  entryPoints: ['bindings/index.ts'],
  bundle: true,
  format: 'esm',
  loader: { '.wasm': 'base64' },
  legalComments: 'none',
  logLevel: 'warning',
};
// Always an explicit target: esbuild's default (esnext) emits Uint8Array.fromBase64, absent in Node 20.
// Node: the main entry and the pure-JavaScript reference provider (on @noble/*), split so that they
// share one copy of the common modules (error classes above all: instanceof works across both).
await esbuild.build({
  ...common,
  entryPoints: { index: 'bindings/index.ts', reference: 'bindings/provider/reference.ts' },
  platform: 'node',
  target: 'node20',
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: true,
});
await esbuild.build({ ...common, platform: 'browser', target: 'es2020', outfile: 'dist/wirecrypt.browser.js', minify: true });

execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
