// Calls into the raw wasm ABI for known-answer tests of building blocks the public API does not
// expose on their own (ChaCha20, Poly1305, HChaCha20, HSalsa20). Inputs are laid out in the engine's
// I/O window; the result is copied out.
import { engine } from '../../bindings/wasm/select.js';

export function raw(inputs: Uint8Array[], outLen: number, call: (abi: any, at: number[], out: number) => void): Uint8Array {
  const e = engine();
  let p = e.window;
  const at = inputs.map((b) => {
    e.u8.set(b, p);
    const here = p;
    p += (b.length + 15) & ~15;
    return here;
  });
  e.u8.fill(0, p, p + outLen);
  call(e.abi, at, p);
  return e.read(p, outLen);
}
