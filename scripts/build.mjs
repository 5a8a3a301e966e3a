// npm run build: AssemblyScript → two wasm builds (SIMD and scalar) → esbuild bundles → TypeScript
// declarations.
//
// How the bundles get the wasm and noble differs by platform, to keep `import 'wirecrypt'` cheap:
//   Node     dist/index.js reads dist/wirecrypt.<build>.wasm synchronously at first use (no base64 to
//            parse), and P-256's noble code lives in dist/p256-curve.cjs, require()d at first use.
//            Both reach Node's modules through process.getBuiltinModule (Node ≥ 20.16), only when
//            needed: a static `import 'node:fs'` alone costs ~3 ms of cold start (Node builds an ES
//            module facade for every fs export), and `node:module` initialises the CommonJS loader.
//   browser  dist/wirecrypt.browser.js is one file: both builds embedded as base64, noble bundled.
// Sources import '*.wasm' as a function returning the bytes (bindings/wasm/wasm-modules.d.ts); the
// plugins below supply it. The Node entries are split so that index.js and reference.js share one
// copy of the common modules (the error classes above all, so instanceof works across both).
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import asc from 'assemblyscript/asc';
import * as esbuild from 'esbuild';

for (const target of ['simd', 'scalar']) {
  const { error, stderr } = await asc.main(['--config', 'asconfig.json', '--target', target]);
  if (error) {
    console.error(stderr.toString());
    throw new Error(`asc --target ${target} failed: ${error.message}`);
  }
}

/** `import load from '….wasm'` → a function returning the module's bytes. */
const wasmAs = (how) => ({
  name: `wasm-${how}`,
  setup(build) {
    build.onLoad({ filter: /\.wasm$/ }, ({ path }) => ({
      loader: 'js',
      contents: how === 'file'
        ? `export default () => new Uint8Array(process.getBuiltinModule('node:fs').readFileSync(new URL('./${basename(path)}', import.meta.url)));`
        : `const text = ${JSON.stringify(readFileSync(path).toString('base64'))};
           export default () => { const bin = atob(text); const out = new Uint8Array(bin.length);
             for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i); return out; };`,
    }));
  },
});

/** Node: bindings/p256-curve.ts becomes a stub that require()s dist/p256-curve.cjs on first use. */
const lazyP256 = {
  name: 'lazy-p256',
  setup(build) {
    build.onResolve({ filter: /\/p256-curve\.js$/ }, () => ({ path: 'p256-curve', namespace: 'lazy-p256' }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-p256' }, () => ({
      loader: 'js',
      contents: `let curve;
        export function nobleP256() {
          return (curve ??= process.getBuiltinModule('node:module').createRequire(import.meta.url)('./p256-curve.cjs').nobleP256());
        }`,
    }));
  },
};

rmSync('dist', { recursive: true, force: true });
const common = { bundle: true, format: 'esm', legalComments: 'none', logLevel: 'warning' };
// Always an explicit target: esbuild's default (esnext) emits Uint8Array.fromBase64, absent in Node 20.
await esbuild.build({
  ...common,
  entryPoints: { index: 'bindings/index.ts', reference: 'bindings/provider/reference.ts' },
  platform: 'node',
  target: 'node20',
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: true,
  plugins: [wasmAs('file'), lazyP256],
});
for (const build of ['simd', 'scalar']) copyFileSync(`build/wirecrypt.${build}.wasm`, `dist/wirecrypt.${build}.wasm`);
await esbuild.build({
  ...common, entryPoints: ['bindings/p256-curve.ts'], format: 'cjs', platform: 'node', target: 'node20', outfile: 'dist/p256-curve.cjs',
});
await esbuild.build({
  ...common, entryPoints: ['bindings/index.ts'], platform: 'browser', target: 'es2020', outfile: 'dist/wirecrypt.browser.js', minify: true,
  plugins: [wasmAs('base64')],
});

execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
