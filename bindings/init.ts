// Choosing the wasm build. Import needs no call to init(): the first operation instantiates the
// build picked by WIRECRYPT_WASM or, by default, the fastest the runtime supports (wasm/select.ts).

import { engine, relaxedSimdSupported, selectEngine, simdSupported, type WasmChoice } from './wasm/select.js';
import type { WasmBuild } from './wasm/engine.js';

export type { WasmBuild, WasmChoice };

export interface InitOptions {
  /**
   * 'relaxed', 'simd', 'scalar' or 'auto' (the default: relaxed SIMD when supported, and in a browser
   * bundle when 'wirecrypt/relaxed' was imported; else SIMD when supported; else scalar).
   */
  wasm?: WasmChoice;
}

export interface EngineInfo {
  /** The build that new operations use. */
  build: WasmBuild;
  /** Whether this runtime validates WebAssembly SIMD. */
  simdSupported: boolean;
  /** Whether this runtime validates WebAssembly relaxed SIMD (the 'relaxed' build). */
  relaxedSimdSupported: boolean;
  /** Current size of the engine's linear memory in bytes. */
  memoryBytes: number;
}

/**
 * Instantiates the requested build synchronously and uses it for every operation started from now
 * on. Objects created earlier (hashers, cipher contexts) keep the engine they were created with.
 */
export function init(options: InitOptions = {}): EngineInfo {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`init: options must be an object such as { wasm: 'simd' }, got ${options === null ? 'null' : typeof options}`);
  }
  const { wasm = 'auto' } = options;
  if (typeof wasm !== 'string') throw new TypeError(`init: options.wasm must be a string ('relaxed', 'simd', 'scalar' or 'auto'), got ${typeof wasm}`);
  if (wasm !== 'auto' && wasm !== 'relaxed' && wasm !== 'simd' && wasm !== 'scalar') {
    throw new RangeError(`init: options.wasm must be 'relaxed', 'simd', 'scalar' or 'auto', got ${JSON.stringify(wasm)}`);
  }
  selectEngine(wasm);
  return engineInfo();
}

export function engineInfo(): EngineInfo {
  const e = engine();
  return { build: e.build, simdSupported, relaxedSimdSupported, memoryBytes: e.memoryBytes };
}
