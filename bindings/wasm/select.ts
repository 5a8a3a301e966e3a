// Chooses and instantiates the wasm build, synchronously, at first use.
//
// The SIMD build is read from dist/ in Node and embedded as base64 in the browser bundle
// (scripts/build.mjs); the relaxed-SIMD and scalar builds come from relaxed-build.ts and
// scalar-build.ts (outside the cold path, see there). By default the relaxed-SIMD build is used when
// the runtime validates a minimal relaxed-SIMD module (and, in a browser, 'wirecrypt/relaxed' was
// imported), else the SIMD build when it validates a minimal SIMD module, else the scalar build.
// `WIRECRYPT_WASM` (relaxed | simd | scalar | auto) in the environment, or init({ wasm }), forces a
// choice.

import loadSimd from '../../build/wirecrypt.simd.wasm';
import { Engine, type WasmBuild } from './engine.js';
import { relaxedBuild } from './relaxed-build.js';
import { scalarBuild } from './scalar-build.js';

export type WasmChoice = WasmBuild | 'auto';

// (module (func (result v128) (v128.const i32x4 0 0 0 0)))
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
]);

// (module (func (result v128) (i8x16.relaxed_swizzle (i8x16.splat (i32.const 0)) (i8x16.splat (i32.const 0)))))
const RELAXED_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 15, 1, 13, 0, 65, 0, 253, 15, 65, 0,
  253, 15, 253, 128, 2, 11,
]);

export const simdSupported: boolean = WebAssembly.validate(SIMD_PROBE);
export const relaxedSimdSupported: boolean = simdSupported && WebAssembly.validate(RELAXED_SIMD_PROBE);

let current: Engine | undefined;

function fromEnvironment(): WasmChoice {
  const g = globalThis as { process?: { env?: Record<string, string | undefined> } };
  const value = g.process?.env?.WIRECRYPT_WASM;
  if (value === undefined || value === '') return 'auto';
  if (value === 'relaxed' || value === 'simd' || value === 'scalar' || value === 'auto') return value;
  throw new RangeError(`WIRECRYPT_WASM must be relaxed, simd, scalar or auto, got ${JSON.stringify(value)}`);
}

function bytesOf(build: WasmBuild): Uint8Array<ArrayBuffer> | undefined {
  return build === 'simd' ? loadSimd() : build === 'relaxed' ? relaxedBuild() : scalarBuild();
}

/** Instantiates the requested build (synchronously) and makes it the engine for new operations. */
export function selectEngine(choice: WasmChoice): Engine {
  if ((choice === 'simd' && !simdSupported) || (choice === 'relaxed' && !relaxedSimdSupported)) {
    const feature = choice === 'simd' ? 'SIMD' : 'relaxed SIMD';
    throw new RangeError(`init: wasm "${choice}" was requested but this runtime does not support WebAssembly ${feature}`);
  }
  // In order of preference; a browser bundle falls back to SIMD when 'wirecrypt/relaxed' was not imported.
  const candidates: WasmBuild[] = choice !== 'auto' ? [choice] : relaxedSimdSupported ? ['relaxed', 'simd'] : simdSupported ? ['simd'] : ['scalar'];
  for (const build of candidates) {
    const bytes = bytesOf(build);
    if (bytes !== undefined) return (current = new Engine(build, new WebAssembly.Module(bytes)));
  }
  const build = candidates[0];
  throw new RangeError(`init: the ${build} wasm build is not in this bundle; import 'wirecrypt/${build}' (dist/wirecrypt.${build}.browser.js) first`);
}

/** The engine new operations use; instantiated on first call. */
export function engine(): Engine {
  return current ?? selectEngine(fromEnvironment());
}
