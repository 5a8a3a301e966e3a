import { defineConfig } from 'vitest/config';
import { RELAXED_SIMD_FLAGS } from './scripts/relaxed-simd-flag.mjs';

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
    // the relaxed-SIMD wasm build is tested too where Node needs a flag for it (test/helpers/builds.ts)
    execArgv: RELAXED_SIMD_FLAGS,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
