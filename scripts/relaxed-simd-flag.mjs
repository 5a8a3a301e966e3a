// Node 20 validates WebAssembly relaxed SIMD only behind a V8 flag; Node 22 and Chromium do
// by default (and Node 22 refuses the flag). Imported first by the project's own scripts (bench, ct)
// so that on Node 20 they, like the tests (vitest.config.ts), use and screen the relaxed-SIMD build
// that later runtimes get. The library itself never sets V8 flags.
import { setFlagsFromString } from 'node:v8';

if (Number(process.versions.node.split('.')[0]) < 22) setFlagsFromString('--experimental-wasm-relaxed-simd');
