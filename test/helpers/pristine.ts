// The image of a fresh instance's linear memory that the residue checks compare with: the constant
// data as compiled, every scratch area zero, plus the base-point tables of P-256 and Ed25519, public
// values that the first call needing them builds in place (assembly/curve/p256/base_tables.ts,
// assembly/curve/ed25519_base_tables.ts).
import { engine } from '../../bindings/wasm/select.js';

/** Builds the base-point tables in the current engine, then copies its memory. */
export function pristineMemory(): Uint8Array {
  engine().abi.p256_tables();
  engine().abi.ed25519_tables();
  return engine().u8.slice();
}
