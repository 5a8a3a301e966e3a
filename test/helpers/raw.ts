// Calls into the raw wasm ABI for known-answer tests of building blocks the public API does not
// expose on their own (ChaCha20, Poly1305, HChaCha20, HSalsa20). Inputs are laid out in the engine's
// I/O window; the result is copied out.
import { expect } from 'vitest';
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

/**
 * The one-shot open ABIs' contract (chacha_aead_open, gcm_open), at each length: a message sealed by
 * `seal` (node:crypto) opens to its plaintext in place with result 1; with one bit flipped in the
 * tag, the first byte or the middle, the result is 0 and the buffer is exactly as it was.
 * `open(abi, inputsAt, buf, len, scratch)` makes the call; `scratch` is `scratchLength` free bytes.
 */
export function expectOneShotOpenContract(options: {
  lengths: number[];
  plaintext: (len: number) => Uint8Array;
  seal: (plaintext: Uint8Array) => Uint8Array;
  inputs: Uint8Array[];
  scratchLength: number;
  open: (abi: any, inputsAt: number[], buf: number, len: number, scratch: number) => number;
}): void {
  const { lengths, plaintext, seal, inputs, scratchLength, open } = options;
  for (const len of lengths) {
    const pt = plaintext(len);
    const sealed = seal(pt);
    // out: result (4 bytes) ‖ the buffer after the call (len + 16) ‖ scratch, 16-aligned
    const run = (input: Uint8Array) => raw([...inputs, input], 32 + len + 16 + scratchLength, (x, at, out) => {
      const buf = at[at.length - 1]!, scratch = (out + 4 + len + 16 + 15) & ~15;
      new DataView(x.memory.buffer).setUint32(out, open(x, at, buf, len, scratch), true);
      new Uint8Array(x.memory.buffer).copyWithin(out + 4, buf, buf + len + 16);
      new Uint8Array(x.memory.buffer).fill(0, scratch, scratch + scratchLength);
    });
    const good = run(sealed);
    expect(new DataView(good.buffer, good.byteOffset).getUint32(0, true), `len ${len}`).toBe(1);
    expect(Buffer.from(good.subarray(4, 4 + len)).equals(Buffer.from(pt)), `len ${len}`).toBe(true);
    for (const flip of [len + 15, 0, len >> 1].filter((i) => i < len + 16)) {
      const bad = Uint8Array.from(sealed);
      bad[flip] ^= 0x40;
      const result = run(bad);
      expect(new DataView(result.buffer, result.byteOffset).getUint32(0, true), `len ${len} flip ${flip}`).toBe(0);
      expect(Buffer.from(result.subarray(4, 4 + len + 16)).equals(Buffer.from(bad)), `len ${len} flip ${flip}`).toBe(true);
    }
  }
}
