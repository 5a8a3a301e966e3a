// npm run build: AssemblyScript → three wasm builds (relaxed SIMD, SIMD, scalar) → esbuild bundles → TypeScript
// declarations.
//
// Instantiation stays synchronous everywhere (issue 2). Sources import '*.wasm' as a function
// returning the bytes (bindings/wasm/wasm-modules.d.ts); the plugins below supply it:
//   Node     the .wasm files ship in dist/ and are read with readFileSync at first use (issue 9 §4:
//            a base64 string in the module source cost more to parse at import than the whole
//            compile; mtcute ships its .wasm the same way).
//   browser  embedded as base64 (decoded with atob), so a page needs no fetch; the default bundle
//            embeds only the SIMD build, which every current browser runs, and
//            dist/wirecrypt.relaxed.browser.js ('wirecrypt/relaxed') and
//            dist/wirecrypt.scalar.browser.js ('wirecrypt/scalar') register the other two.
// The Node entries (index.js, reference.js and one per protocol) share one engine and one set of
// error classes (instanceof works across them), and each protocol's namespace of 'wirecrypt' is the
// module its own entry exports: see build-node.mjs. Every protocol bundle for browsers is
// self-contained (it embeds its own copy of the engine).
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import { gzipSync } from 'node:zlib';
import asc from 'assemblyscript/asc';
import * as esbuild from 'esbuild';
import { buildNodeEntries } from './build-node.mjs';

const BUILDS = ['relaxed', 'simd', 'scalar'];
for (const target of BUILDS) {
  const { error, stderr } = await asc.main(['--config', 'asconfig.json', '--target', target]);
  if (error) {
    console.error(stderr.toString());
    throw new Error(`asc --target ${target} failed: ${error.message}`);
  }
}

/** Browser: `import load from '….wasm'` → a function returning the module's bytes, embedded as base64. */
const wasmEmbedded = {
  name: 'wasm-embedded',
  setup(build) {
    build.onLoad({ filter: /\.wasm$/ }, ({ path }) => ({
      loader: 'js',
      contents: `const text = ${JSON.stringify(readFileSync(path).toString('base64'))};
        export default () => { const bin = atob(text); const out = new Uint8Array(bin.length);
          for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i); return out; };`,
    }));
  },
};

/**
 * Node: `import load from '….wasm'` → a function that reads dist/<name>.wasm. The code may land in
 * an entry (dist/) or a shared chunk (dist/chunks/), so it finds the file from where it runs.
 */
const wasmFile = {
  name: 'wasm-file',
  setup(build) {
    build.onLoad({ filter: /\.wasm$/ }, ({ path }) => ({
      loader: 'js',
      // process.getBuiltinModule rather than an ES import of node:fs: that builds fs's whole namespace,
      // which loads Node's stream modules (about 20 internal modules) at import time.
      contents: `const { readFileSync } = process.getBuiltinModule('node:fs');
        export default () => {
          const here = import.meta.url;
          const bytes = readFileSync(new URL((here.includes('/chunks/') ? '../' : './') + ${JSON.stringify(basename(path))}, here));
          return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
        };`,
    }));
  },
};

/**
 * Browser: the relaxed-SIMD and scalar builds stay out of the default bundle (issue 9 §4). A stub
 * returns the bytes registered by 'wirecrypt/relaxed' or 'wirecrypt/scalar', or undefined (then
 * wasm/select.ts falls back or says what to import).
 */
const lazyBuilds = {
  name: 'lazy-builds',
  setup(build) {
    build.onResolve({ filter: /\/(relaxed|scalar)-build\.js$/ }, (args) => {
      const name = /(relaxed|scalar)-build/.exec(args.path)[1];
      return args.importer.endsWith(`${name}.ts`) ? undefined : { path: name, namespace: 'lazy-build' };
    });
    build.onLoad({ filter: /.*/, namespace: 'lazy-build' }, ({ path: name }) => {
      const upper = name.toUpperCase();
      return {
        loader: 'js',
        contents: `
          export const ${upper}_BUILD_KEY = Symbol.for('wirecrypt.${name}-build');
          export function ${name}Build() { return globalThis[${upper}_BUILD_KEY]?.(); }`,
      };
    });
  },
};

/**
 * Browser: 'wirecrypt/mtproto' and the `mtproto` namespace without their Node-only parts
 * (bindings/mtproto/index.ts, not node.ts), and the client's node:net / ws pipes replaced by a stub
 * that throws (the client then says which transports a browser has); the `mmtls` and `mls`
 * namespaces of 'wirecrypt' are their index.ts (no server, no socket client).
 */
const browserOnly = {
  name: 'browser-only',
  setup(build) {
    build.onResolve({ filter: /^\.\/(tcp|ws-node)\.js$/ }, (args) => (args.importer.includes('/mtproto/client/') ? { path: args.path, namespace: 'node-only' } : undefined));
    build.onResolve({ filter: /^\.\/mmtls\/node\.js$/ }, (args) => ({ path: args.resolveDir + '/mmtls/index.ts' }));
    build.onResolve({ filter: /^\.\/mls\/node\.js$/ }, (args) => ({ path: args.resolveDir + '/mls/index.ts' }));
    build.onResolve({ filter: /^\.\/mtproto\/node\.js$/ }, (args) => ({ path: args.resolveDir + '/mtproto/index.ts' }));
    build.onResolve({ filter: /^classic-level$/ }, () => ({ path: 'classic-level', namespace: 'node-only' }));
    build.onLoad({ filter: /.*/, namespace: 'node-only' }, () => ({ loader: 'js', contents: "throw new Error('Node only');" }));
  },
};

rmSync('dist', { recursive: true, force: true });
const common = { bundle: true, format: 'esm', legalComments: 'none', logLevel: 'warning' };
// Always an explicit target: esbuild's default (esnext) emits Uint8Array.fromBase64, absent in Node 20.
const node = {
  ...common,
  external: ['ws', 'ioredis', 'classic-level', 'libp2p', '@libp2p/*', '@chainsafe/*'],
  platform: 'node',
  target: 'node20',
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  plugins: [wasmFile],
};
await buildNodeEntries(node);
for (const build of BUILDS) copyFileSync(`build/wirecrypt.${build}.wasm`, `dist/wirecrypt.${build}.wasm`);
for (const build of ['relaxed', 'scalar']) {
  await esbuild.build({
    ...common, entryPoints: [`bindings/${build}.ts`], format: 'esm', platform: 'node', target: 'node20', outfile: `dist/${build}.js`,
    plugins: [wasmFile],
  });
}
const browserBundles = [
  ['bindings/index.ts', 'dist/wirecrypt.browser.js'],
  ['bindings/relaxed.ts', 'dist/wirecrypt.relaxed.browser.js'],
  ['bindings/scalar.ts', 'dist/wirecrypt.scalar.browser.js'],
  ['bindings/mtproto/index.ts', 'dist/mtproto.browser.js'],
  ['bindings/mmtls/index.ts', 'dist/mmtls.browser.js'],
  ['bindings/mls/index.ts', 'dist/mls.browser.js'],
  ['bindings/wesh/index.ts', 'dist/wesh.browser.js'],
];
for (const [entry, outfile] of browserBundles) {
  await esbuild.build({
    ...common, entryPoints: [entry], platform: 'browser', target: 'es2020', outfile, minify: true,
    plugins: [wasmEmbedded, lazyBuilds, browserOnly],
  });
}
for (const [, file] of browserBundles) {
  const bytes = readFileSync(file);
  console.log(`${file}: ${(bytes.length / 1024).toFixed(1)} KiB, gzip ${(gzipSync(bytes, { level: 9 }).length / 1024).toFixed(1)} KiB`);
}

execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
