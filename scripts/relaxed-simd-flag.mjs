// Node 20 validates WebAssembly relaxed SIMD only behind a V8 flag; Node 22 and Chromium do
// by default (and Node 22 refuses the flag). RELAXED_SIMD_FLAGS is that flag where it is needed: the
// test workers get it (vitest.config.ts), and importing this module first sets it for the project's
// own scripts (bench, ct), so that on Node 20 they use and screen the relaxed-SIMD build that later
// runtimes get. The library itself never sets V8 flags.
import { setFlagsFromString } from 'node:v8';

export const RELAXED_SIMD_FLAGS = Number(process.versions.node.split('.')[0]) < 22 ? ['--experimental-wasm-relaxed-simd'] : [];

for (const flag of RELAXED_SIMD_FLAGS) setFlagsFromString(flag);
