import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [
    {
      // The same embedding esbuild does with --loader:.wasm=base64, for tests that import the sources.
      name: 'wasm-as-base64',
      enforce: 'pre',
      load(id) {
        if (id.endsWith('.wasm')) return `export default ${JSON.stringify(readFileSync(id).toString('base64'))};`;
      },
    },
  ],
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
