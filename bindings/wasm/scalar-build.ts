// The scalar wasm build, for runtimes without WebAssembly SIMD or when forced (init({ wasm: 'scalar' }),
// WIRECRYPT_WASM=scalar). Node reads dist/wirecrypt.scalar.wasm only when it is chosen; the browser
// bundle leaves these bytes out of the default entry (scripts/build.mjs), and a page that needs them
// imports 'wirecrypt/scalar', which registers them under SCALAR_BUILD_KEY. The sources (tests)
// import the file directly.
import loadScalar from '../../build/wirecrypt.scalar.wasm';

export const SCALAR_BUILD_KEY = Symbol.for('wirecrypt.scalar-build');

/** The module's bytes; undefined only in a browser bundle where 'wirecrypt/scalar' was not imported. */
export function scalarBuild(): Uint8Array<ArrayBuffer> | undefined {
  return loadScalar();
}
