import { defineConfig } from 'vitest/config';

// Node 20 validates relaxed SIMD only behind this flag (later Node versions by default), so that the
// relaxed-SIMD wasm build is tested too (test/helpers/builds.ts).
const relaxedSimdFlag = Number(process.versions.node.split('.')[0]) < 22 ? ['--experimental-wasm-relaxed-simd'] : [];

export default defineConfig({
  plugins: [
    {
      // Tests that import the sources: a .wasm import is a function returning the file's bytes, as
      // in the build (scripts/build.mjs), which embeds them instead of reading the file.
      name: 'wasm-as-file',
      enforce: 'pre',
      load(id) {
        if (id.endsWith('.wasm')) return `import { readFileSync } from 'node:fs'; export default () => new Uint8Array(readFileSync(${JSON.stringify(id)}));`;
      },
    },
  ],
  test: {
    include: ['test/**/*.test.ts'],
    execArgv: relaxedSimdFlag,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
