// The image of a fresh instance's linear memory that the residue checks compare with: the constant
// data as compiled, every scratch area zero, plus P-256's base-point tables, public values that the
// first call needing them builds in place (assembly/curve/p256/base_tables.ts).
import { engine } from '../../bindings/wasm/select.js';

/** Builds the P-256 tables in the current engine, then copies its memory. */
export function pristineMemory(): Uint8Array {
  engine().abi.p256_tables();
  return engine().u8.slice();
}
