// The scalar wasm build, for runtimes without WebAssembly SIMD or when forced (init({ wasm: 'scalar' }),
// WIRECRYPT_WASM=scalar). Every current browser and Node ≥ 16.4 runs the SIMD build, so the bundles
// keep these bytes out of the default entry's cold path (scripts/build.mjs): Node require()s a
// separate file on first use; a browser page imports 'wirecrypt/scalar', which registers them under
// SCALAR_BUILD_KEY. The sources (tests) import the file directly.
import loadScalar from '../../build/wirecrypt.scalar.wasm';

export const SCALAR_BUILD_KEY = Symbol.for('wirecrypt.scalar-build');

export function scalarBuild(): Uint8Array<ArrayBuffer> {
  return loadScalar();
}
