// Choosing the wasm build. Import needs no call to init(): the first operation instantiates the
// build picked by WIRECRYPT_WASM or, by default, SIMD when the runtime supports it.

import { engine, selectEngine, simdSupported, type WasmChoice } from './wasm/select.js';
import type { WasmBuild } from './wasm/engine.js';

export type { WasmBuild, WasmChoice };

export interface InitOptions {
  /** 'simd', 'scalar' or 'auto' (the default: SIMD when supported). */
  wasm?: WasmChoice;
}

export interface EngineInfo {
  /** The build that new operations use. */
  build: WasmBuild;
  /** Whether this runtime validates WebAssembly SIMD. */
  simdSupported: boolean;
  /** Current size of the engine's linear memory in bytes. */
  memoryBytes: number;
}

/**
 * Instantiates the requested build synchronously and uses it for every operation started from now
 * on. Objects created earlier (hashers, cipher contexts) keep the engine they were created with.
 */
export function init(options: InitOptions = {}): EngineInfo {
  selectEngine(options.wasm ?? 'auto');
  return engineInfo();
}

export function engineInfo(): EngineInfo {
  const e = engine();
  return { build: e.build, simdSupported, memoryBytes: e.memoryBytes };
}
