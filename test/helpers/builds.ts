// Runs a suite once per wasm build. Objects keep the engine they were created with, and init()
// switches the engine for everything created afterwards, so each describe block re-selects it.
// The relaxed-SIMD build joins where the runtime validates it: Node 20 does with
// --experimental-wasm-relaxed-simd, which vitest.config.ts passes to the test workers.
import { beforeAll, describe } from 'vitest';
import { init, type WasmBuild } from '../../bindings/index.js';
import { relaxedSimdSupported } from '../../bindings/wasm/select.js';

export const BUILDS: readonly WasmBuild[] = relaxedSimdSupported ? ['relaxed', 'simd', 'scalar'] : ['simd', 'scalar'];

/** Node flags for a child process that must run the same builds as this one (the relaxed-SIMD flag, if given). */
export const CHILD_NODE_FLAGS: readonly string[] = process.execArgv.filter((a) => a === '--experimental-wasm-relaxed-simd');

export function forEachBuild(suite: (build: WasmBuild) => void, builds: readonly WasmBuild[] = BUILDS): void {
  for (const build of builds) {
    describe(`wasm ${build}`, () => {
      beforeAll(() => {
        init({ wasm: build });
      });
      suite(build);
    });
  }
}
