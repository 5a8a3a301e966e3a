// The relaxed-SIMD wasm build: the SIMD build compiled with relaxed SIMD as well, which only AES uses
// (assembly/cipher/aes_vperm.ts: i8x16.relaxed_swizzle is one vpshufb where i8x16.swizzle is two
// dependent instructions). Chosen by default where the runtime validates relaxed SIMD (Node ≥ 22,
// Chromium ≥ 114; Node 20 with --experimental-wasm-relaxed-simd). As for the scalar
// build, Node reads dist/wirecrypt.relaxed.wasm only when it is chosen, and the browser bundle leaves
// it out: 'wirecrypt/relaxed' registers it under RELAXED_BUILD_KEY.
import loadRelaxed from '../../build/wirecrypt.relaxed.wasm';

export const RELAXED_BUILD_KEY = Symbol.for('wirecrypt.relaxed-build');

/** The module's bytes; undefined only in a browser bundle where 'wirecrypt/relaxed' was not imported. */
export function relaxedBuild(): Uint8Array<ArrayBuffer> | undefined {
  return loadRelaxed();
}
