// Every AssemblyScript `abort` (bounds checks, unreachable paths) becomes a trap, so the module has
// zero imports and nothing from the wasm side can ever call back into user code. The bindings
// validate every argument before calling in, so a trap here means a bug in wirecrypt, not bad input.
export function trap(message: usize, file: usize, line: u32, column: u32): void {
  unreachable();
}
