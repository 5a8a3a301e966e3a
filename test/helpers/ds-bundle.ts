// The MLS delivery service's sources bundled for a child process (Node cannot run the TypeScript
// sources; dist/ has only what the package exports). One CommonJS file per entry, in a temp dir,
// built once per test process with esbuild; a .wasm import becomes a read of the file, as
// vitest.config.ts does for the tests themselves. ioredis and ws are bundled in.
//   'client': bindings/mls/ds/index.ts, built for the browser platform as well (a check that the
//             client side needs no Node module)
//   'node':   bindings/mls/ds/node.ts (the service and the stores)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Plugin, build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
let dir: string | undefined;
const built = new Map<string, Promise<string>>();

/** esbuild: a .wasm import becomes a function reading the file (for bundles run in a child process). */
export const wasmAsFile: Plugin = {
  name: 'wasm-as-file',
  setup(b) {
    b.onLoad({ filter: /\.wasm$/ }, ({ path }) => ({
      loader: 'js',
      contents: `const { readFileSync } = require('node:fs'); export default () => new Uint8Array(readFileSync(${JSON.stringify(path)}));`,
    }));
  },
};

/** The path of a CommonJS bundle of `entry`; require() it. */
export function dsBundle(entry: 'client' | 'node'): Promise<string> {
  let p = built.get(entry);
  if (p === undefined) {
    dir ??= mkdtempSync(join(tmpdir(), 'wirecrypt-ds-'));
    const outfile = join(dir, `${entry}.cjs`);
    p = build({
      entryPoints: [join(ROOT, 'bindings/mls/ds', entry === 'client' ? 'index.ts' : 'node.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile,
      logLevel: 'error',
      plugins: [wasmAsFile],
      // ws's optional native add-ons: absent, and ws falls back to JavaScript.
      external: ['bufferutil', 'utf-8-validate'],
    }).then(() => outfile);
    built.set(entry, p);
  }
  return p;
}

/** The client side bundled for a browser page (ESM, platform browser): its text. Fails if it reaches for a Node module. */
export async function dsBrowserBundle(): Promise<string> {
  const result = await build({
    entryPoints: [join(ROOT, 'bindings/mls/ds/index.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** Removes the bundles (afterAll). */
export function removeDsBundles(): void {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
  built.clear();
}
