// Chooses and instantiates the wasm build, synchronously, at first use.
//
// The SIMD build is read from dist/ in Node and embedded as base64 in the browser bundle
// (scripts/build.mjs); the scalar build comes from scalar-build.ts (outside the cold path, see there). The SIMD build is used when the runtime validates a minimal
// SIMD module, the scalar build otherwise. `WIRECRYPT_WASM` (simd | scalar | auto) in the
// environment, or init({ wasm }), forces a choice.

import loadSimd from '../../build/wirecrypt.simd.wasm';
import { Engine, type WasmBuild } from './engine.js';
import { scalarBuild } from './scalar-build.js';

export type WasmChoice = WasmBuild | 'auto';

// (module (func (result v128) (v128.const i32x4 0 0 0 0)))
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
]);

export const simdSupported: boolean = WebAssembly.validate(SIMD_PROBE);

let current: Engine | undefined;

function fromEnvironment(): WasmChoice {
  const g = globalThis as { process?: { env?: Record<string, string | undefined> } };
  const value = g.process?.env?.WIRECRYPT_WASM;
  if (value === undefined || value === '') return 'auto';
  if (value === 'simd' || value === 'scalar' || value === 'auto') return value;
  throw new RangeError(`WIRECRYPT_WASM must be simd, scalar or auto, got ${JSON.stringify(value)}`);
}

/** Instantiates the requested build (synchronously) and makes it the engine for new operations. */
export function selectEngine(choice: WasmChoice): Engine {
  if (choice === 'simd' && !simdSupported) {
    throw new RangeError('init: wasm "simd" was requested but this runtime does not support WebAssembly SIMD');
  }
  const build: WasmBuild = choice === 'auto' ? (simdSupported ? 'simd' : 'scalar') : choice;
  const module = new WebAssembly.Module(build === 'simd' ? loadSimd() : scalarBuild());
  current = new Engine(build, module);
  return current;
}

/** The engine new operations use; instantiated on first call. */
export function engine(): Engine {
  return current ?? selectEngine(fromEnvironment());
}
