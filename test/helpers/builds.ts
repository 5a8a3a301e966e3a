// Runs a suite once per wasm build. Objects keep the engine they were created with, and init()
// switches the engine for everything created afterwards, so each describe block re-selects it.
import { beforeAll, describe } from 'vitest';
import { init, type WasmBuild } from '../../bindings/index.js';

export const BUILDS: readonly WasmBuild[] = ['simd', 'scalar'];

export function forEachBuild(suite: (build: WasmBuild) => void): void {
  for (const build of BUILDS) {
    describe(`wasm ${build}`, () => {
      beforeAll(() => {
        init({ wasm: build });
      });
      suite(build);
    });
  }
}
