// 'wirecrypt/relaxed': makes the relaxed-SIMD wasm build available to a bundle that does not embed it
// (the browser bundle embeds only the SIMD build). Imported before the first operation, it becomes the
// default where the runtime supports relaxed SIMD. Node needs no import: it loads the build on demand.
import { RELAXED_BUILD_KEY, relaxedBuild } from './wasm/relaxed-build.js';

(globalThis as Record<symbol, unknown>)[RELAXED_BUILD_KEY] = relaxedBuild;
