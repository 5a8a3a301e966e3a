// npm run build: AssemblyScript → two wasm builds (SIMD and scalar) → esbuild bundles → TypeScript
// declarations.
//
// The wasm is embedded in the JS as base64, so `import 'wirecrypt'` needs no fetch and no file read
// and instantiation is synchronous (issue 2). Sources import '*.wasm' as a function returning the
// bytes (bindings/wasm/wasm-modules.d.ts); the plugin below supplies it, decoding with Buffer in Node
// (native) and atob in browsers. The default entries embed only the SIMD build, which every current
// runtime runs; the scalar build is a separate file (issue 9 §4: half the base64 to parse at import).
//   Node     dist/wirecrypt.scalar.cjs is require()d when the scalar build is chosen.
//   browser  dist/wirecrypt.browser.js is one file; dist/wirecrypt.scalar.browser.js
//            ('wirecrypt/scalar') registers the scalar build for a page that needs it.
// The Node entries are split so that index.js and reference.js share one copy of the common modules
// (the error classes above all, so instanceof works across both).
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import asc from 'assemblyscript/asc';
import * as esbuild from 'esbuild';

for (const target of ['simd', 'scalar']) {
  const { error, stderr } = await asc.main(['--config', 'asconfig.json', '--target', target]);
  if (error) {
    console.error(stderr.toString());
    throw new Error(`asc --target ${target} failed: ${error.message}`);
  }
}

/** `import load from '….wasm'` → a function returning the module's bytes, embedded as base64. */
const wasmEmbedded = (platform) => ({
  name: 'wasm-embedded',
  setup(build) {
    build.onLoad({ filter: /\.wasm$/ }, ({ path }) => ({
      loader: 'js',
      contents: `const text = ${JSON.stringify(readFileSync(path).toString('base64'))};\n` + (platform === 'node'
        ? 'export default () => new Uint8Array(Buffer.from(text, "base64"));'
        : `export default () => { const bin = atob(text); const out = new Uint8Array(bin.length);
             for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i); return out; };`),
    }));
  },
});

/**
 * The scalar wasm build stays out of the default entries (issue 9 §4). Node: a stub that require()s
 * dist/wirecrypt.scalar.cjs on first use. Browser: a stub that finds the bytes registered by
 * dist/wirecrypt.scalar.browser.js ('wirecrypt/scalar'), or says to import it.
 */
const KEY = "Symbol.for('wirecrypt.scalar-build')";
const lazyScalar = (platform) => ({
  name: 'lazy-scalar',
  setup(build) {
    build.onResolve({ filter: /\/scalar-build\.js$/ }, (args) => (args.importer.endsWith('scalar.ts') ? undefined : { path: 'scalar-build', namespace: 'lazy-scalar' }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-scalar' }, () => ({
      loader: 'js',
      contents: (platform === 'node' ? "import { createRequire } from 'node:module';\n" : '') + `
        export const SCALAR_BUILD_KEY = ${KEY};
        export function scalarBuild() {
          const registered = globalThis[SCALAR_BUILD_KEY];
          if (registered) return registered();
          ${platform === 'node'
            ? "return createRequire(import.meta.url)('./wirecrypt.scalar.cjs').scalarBuild();"
            : "throw new RangeError(\"init: the scalar wasm build is not in this bundle; import 'wirecrypt/scalar' (dist/wirecrypt.scalar.browser.js) first\");"}
        }`,
    }));
  },
});

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
  plugins: [wasmEmbedded('node'), lazyScalar('node')],
});
await esbuild.build({
  ...common, entryPoints: ['bindings/wasm/scalar-build.ts'], format: 'cjs', platform: 'node', target: 'node20', outfile: 'dist/wirecrypt.scalar.cjs',
  plugins: [wasmEmbedded('node')],
});
await esbuild.build({
  ...common, entryPoints: ['bindings/scalar.ts'], format: 'esm', platform: 'neutral', target: 'es2020', outfile: 'dist/scalar.js',
  plugins: [wasmEmbedded('node')],
});
for (const [entry, outfile] of [['bindings/index.ts', 'dist/wirecrypt.browser.js'], ['bindings/scalar.ts', 'dist/wirecrypt.scalar.browser.js']]) {
  await esbuild.build({
    ...common, entryPoints: [entry], platform: 'browser', target: 'es2020', outfile, minify: true,
    plugins: [wasmEmbedded('browser'), lazyScalar('browser')],
  });
}
for (const file of ['dist/wirecrypt.browser.js', 'dist/wirecrypt.scalar.browser.js']) {
  const bytes = readFileSync(file);
  console.log(`${file}: ${(bytes.length / 1024).toFixed(1)} KiB, gzip ${(gzipSync(bytes, { level: 9 }).length / 1024).toFixed(1)} KiB`);
}

execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
