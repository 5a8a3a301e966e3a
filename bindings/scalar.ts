// 'wirecrypt/scalar': makes the scalar wasm build available to a bundle that does not embed it (the
// browser bundle embeds only the SIMD build). Import it before init({ wasm: 'scalar' }), or in a
// runtime without WebAssembly SIMD. Node needs no import: it loads the scalar build on demand.
import { SCALAR_BUILD_KEY, scalarBuild } from './wasm/scalar-build.js';

(globalThis as Record<symbol, unknown>)[SCALAR_BUILD_KEY] = scalarBuild;
