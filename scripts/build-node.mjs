// The Node entries of the package (called by build.mjs): 'wirecrypt' (dist/index.js),
// 'wirecrypt/reference' and one entry per protocol, sharing one engine and one set of error classes.
//
// Cold start (issue 9 §4) shapes this. Measured in fresh processes on this project's VMs:
//   - every module file on the import path cost ≈ 0.8 ms, so dist/index.js is one file (esbuild's
//     code splitting had spread the engine over five chunks);
//   - V8 compiles module source at ≈ 0.1 ms per KB, so what import + instantiate does not need loads
//     on first use: the four protocol namespaces (dist/<protocol>.js) and the engine's hpke, p256,
//     ed25519 and wasmProvider objects (dist/chunks/engine-extras.js), each a lazy namespace
//     (bindings/lazy-namespace.ts: one getter per key, require() of the ES module at first read).
// The other entries must use the engine in dist/index.js, not a copy: an import that resolves to one
// of its modules becomes a module that takes that module's exports from dist/index.js's
// `__internal` (a namespace object per module; not part of the typed API).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

// 'wesh-core' is the `wesh` namespace of 'wirecrypt' (Wesh's cryptography only), an internal file
// that no package export names.
const PROTOCOLS = { mtproto: 'bindings/mtproto/node.ts', mmtls: 'bindings/mmtls/node.ts', mls: 'bindings/mls/node.ts', wesh: 'bindings/wesh/node.ts', 'wesh-core': 'bindings/wesh/core.ts' };
const NAMESPACES = { mmtls: 'mmtls', mls: 'mls', mtproto: 'mtproto', wesh: 'wesh-core' };
const EXTRAS = { hpke: './hpke/index.ts', p256: './p256.ts', ed25519: './ed25519.ts', wasmProvider: './provider/wasm.ts' };
/** Stands for dist/index.js in the other entries' imports until their files are written. */
const INDEX = '@wirecrypt/node-index';

/** An esbuild plugin that provides module `name` (resolved from bindings/) with `contents()`. */
const virtual = (name, contents) => ({
  name,
  setup(build) {
    build.onResolve({ filter: new RegExp(`^${name}$`) }, () => ({ path: name, namespace: name }));
    build.onLoad({ filter: /.*/, namespace: name }, () => ({ loader: 'js', resolveDir: 'bindings', contents: contents() }));
  },
});

const extrasEntry = virtual('engine-extras', () => Object.entries(EXTRAS).map(([name, file]) => `export { ${name} } from '${file}';`).join('\n'));

/**
 * An import that resolves to a file of `engine` becomes `engine:<file>`: its exports, taken from
 * dist/index.js's __internal. Without `exportsOf` (a first pass) the import is only recorded in `used`.
 */
const fromIndex = (engine, used, exportsOf) => ({
  name: 'from-index',
  setup(build) {
    build.onResolve({ filter: /^\./ }, async (args) => {
      if (args.pluginData === 'from-index') return undefined;
      const r = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'from-index' });
      if (r.errors.length || !engine.has(r.path)) return undefined;
      used.add(r.path);
      return exportsOf ? { path: relative('.', r.path), namespace: 'engine' } : { path: r.path, external: true };
    });
    if (!exportsOf) return;
    build.onLoad({ filter: /.*/, namespace: 'engine' }, ({ path }) => ({
      loader: 'js',
      contents: `import { __internal } from '${INDEX}';
        export const { ${exportsOf(resolve(path)).join(', ')} } = __internal[${JSON.stringify(path)}];`,
    }));
  },
});

const entryExports = (metafile) => Object.fromEntries(Object.values(metafile.outputs).filter((o) => o.entryPoint).map((o) => [resolve(o.entryPoint), o.exports]));

/** `node`: esbuild options shared by the Node builds (splitting, outdir dist, the wasm-file plugin). */
export async function buildNodeEntries(node) {
  const plugins = node.plugins;
  const single = { ...node, splitting: false, outdir: undefined, chunkNames: undefined };
  const protocolExports = entryExports((await esbuild.build({ ...node, entryPoints: PROTOCOLS, write: false, metafile: true })).metafile);
  const api = entryExports((await esbuild.build({ ...node, entryPoints: ['bindings/engine.ts'], write: false, metafile: true })).metafile)[resolve('bindings/engine.ts')];

  // The keys of each lazy engine object, read from a throwaway build (no wasm is loaded to list them).
  const probe = 'dist/.engine-extras.mjs';
  await esbuild.build({ ...single, entryPoints: ['engine-extras'], outfile: probe, plugins: [extrasEntry, ...plugins] });
  const extras = await import(pathToFileURL(resolve(probe)).href);
  rmSync(probe);

  const nodeIndex = (internal) => virtual('node-index', () => `
    export { ${api.filter((name) => !(name in EXTRAS)).join(', ')} } from './engine.ts';
    import { lazyNamespace } from './lazy-namespace.ts';
    const load = (file) => process.getBuiltinModule('node:module').createRequire(import.meta.url)(file);
    ${Object.entries(NAMESPACES).map(([name, entry]) => `export const ${name} = lazyNamespace('${name}', () => load('./${entry}.js'), ${JSON.stringify(protocolExports[resolve(PROTOCOLS[entry])])});`).join('\n')}
    const extras = () => load('./chunks/engine-extras.js');
    ${Object.keys(EXTRAS).map((name) => `export const ${name} = lazyNamespace('${name}', () => extras().${name}, ${JSON.stringify(Object.keys(extras[name]))});`).join('\n')}
    ${internal.map((file, i) => `import * as m${i} from ${JSON.stringify(file)};`).join('\n')}
    export const __internal = Object.freeze({ ${internal.map((file, i) => `${JSON.stringify(relative('.', file))}: m${i}`).join(', ')} });`);

  // Which files dist/index.js holds, then which of them the other entries import.
  const index = { ...single, entryPoints: ['node-index'], outfile: 'dist/index.js' };
  const indexMeta = (await esbuild.build({ ...index, write: false, metafile: true, plugins: [nodeIndex([]), ...plugins] })).metafile;
  const engine = new Set(Object.keys(Object.values(indexMeta.outputs)[0].inputs).filter((f) => f.startsWith('bindings/')).map((f) => resolve(f)));
  const others = { ...node, entryPoints: { reference: 'bindings/provider/reference.ts', 'chunks/engine-extras': 'engine-extras', ...PROTOCOLS }, external: [...node.external, INDEX] };
  const used = new Set();
  await esbuild.build({ ...others, write: false, plugins: [extrasEntry, fromIndex(engine, used, null), ...plugins] });
  const internal = [...used].sort();
  const moduleExports = entryExports((await esbuild.build({ ...node, entryPoints: internal, outdir: 'dist/.exports', write: false, metafile: true })).metafile);
  // __internal's re-exports are copies, so an engine module must not export a binding it reassigns.
  for (const file of internal) {
    const source = readFileSync(file, 'utf8');
    const mutable = moduleExports[file].filter((name) => new RegExp(`^\\s*(export\\s+)?(let|var)\\s+${name}\\b`, 'm').test(source));
    if (mutable.length) throw new Error(`${file} exports ${mutable.join(', ')} as let/var; dist/index.js's __internal would copy them`);
  }

  await esbuild.build({ ...index, sourcemap: true, plugins: [nodeIndex(internal), ...plugins] });
  // esbuild escapes non-ASCII in strings but keeps doc comments as written: one such character makes
  // V8 scan the whole file as two-byte source (≈ 0.35 ms more at import, measured in fresh processes).
  const nonAscii = /[^\x00-\x7f]/.exec(readFileSync('dist/index.js', 'utf8'));
  if (nonAscii) throw new Error(`dist/index.js has a non-ASCII character (${JSON.stringify(nonAscii[0])}), most likely in a doc comment of bindings/: write it in ASCII`);
  const { outputFiles } = await esbuild.build({ ...others, sourcemap: true, write: false, plugins: [extrasEntry, fromIndex(engine, new Set(), (file) => moduleExports[file]), ...plugins] });
  for (const { path, text } of outputFiles) {
    const specifier = relative(dirname(path), resolve('dist/index.js'));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, path.endsWith('.js') ? text.replaceAll(`"${INDEX}"`, JSON.stringify(specifier.startsWith('.') ? specifier : `./${specifier}`)) : text);
  }
}
