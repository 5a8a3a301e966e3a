// Moving bytes in and out of linear memory for one call.
//
// feed():  streams an input of any length through the I/O window, chunk by chunk, so large inputs
//          never grow memory.
// stage(): lays several inputs and an output area out back to back for a call that needs them all
//          at once (HKDF-Expand, the ratchet); in the window when they fit, otherwise in a
//          temporary heap block. unstage() wipes whatever was used.

import { type Engine, WINDOW_BYTES } from './engine.js';

export function feed(e: Engine, data: Uint8Array, absorb: (ptr: number, len: number) => void): void {
  for (let off = 0; off < data.length; off += WINDOW_BYTES) {
    const chunk = off === 0 && data.length <= WINDOW_BYTES ? data : data.subarray(off, off + WINDOW_BYTES);
    e.u8.set(chunk, e.window);
    absorb(e.window, chunk.length);
  }
}

export interface Staged {
  /** Where each input was placed, in order. */
  readonly at: number[];
  /** The output area (`outLen` zeroed bytes). */
  readonly out: number;
  readonly base: number;
  readonly size: number;
  readonly temporary: boolean;
}

export const align16 = (n: number): number => (n + 15) & ~15;

/** Copies `inputs` back to back from `p`, each at a 16-byte boundary: their addresses, and the end. */
function place(e: Engine, inputs: readonly Uint8Array[], p: number): [number[], number] {
  const u8 = e.u8;
  const at: number[] = [];
  for (const input of inputs) {
    u8.set(input, p);
    at.push(p);
    p += align16(input.length);
  }
  return [at, p];
}

export function stage(e: Engine, inputs: readonly Uint8Array[], outLen: number): Staged {
  let size = 0;
  for (const input of inputs) size += align16(input.length);
  const outOffset = size;
  size += outLen;
  const temporary = size > WINDOW_BYTES;
  const base = temporary ? e.alloc(size) : e.window;
  const [at] = place(e, inputs, base);
  if (!temporary) e.u8.fill(0, base + outOffset, base + size);
  return { at, out: base + outOffset, base, size, temporary };
}

export function unstage(e: Engine, s: Staged): void {
  if (s.temporary) e.free(s.base, s.size);
  else e.wipe(s.base, s.size);
}

/**
 * A call on a few short inputs (keys, points): they are copied back to back into the engine's output
 * area, `call` gets their addresses and where to write `outLen` bytes, and everything is wiped before
 * returning the output and the call's own result.
 */
export function smallCall<R>(e: Engine, inputs: readonly Uint8Array[], outLen: number, call: (at: readonly number[], out: number) => R): [Uint8Array, R] {
  const [at, p] = place(e, inputs, e.out);
  const result = call(at, p);
  const out = e.read(p, outLen);
  e.wipe(e.out, p + outLen - e.out);
  return [out, result];
}
