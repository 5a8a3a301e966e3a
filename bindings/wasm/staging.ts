// Moving bytes in and out of linear memory for one call.
//
// feed():  streams an input of any length through the I/O window, chunk by chunk, so large inputs
//          never grow memory.
// stage(): lays several inputs and an output area out back to back in the window for a call that
//          needs them all at once (HKDF-Expand, the ratchet); callers bound their sizes so that they
//          fit (memory never grows for them). unstage() wipes whatever was used.

import { lengthOf, view } from '../bytes.js';
import { type Engine, WINDOW_BYTES } from './engine.js';

/**
 * Passes `data` through the window in chunks of at most WINDOW_BYTES; `absorb` sees each chunk. The
 * window is zeroed afterwards (also when `absorb` throws).
 */
export function feed(e: Engine, data: Uint8Array, absorb: (ptr: number, len: number, offset: number) => void): void {
  const length = lengthOf(data);
  try {
    if (length <= WINDOW_BYTES) {
      e.u8.set(data, e.window);
      absorb(e.window, length, 0);
      return;
    }
    for (let off = 0; off < length; off += WINDOW_BYTES) {
      const n = Math.min(WINDOW_BYTES, length - off);
      e.u8.set(view(data, off, off + n), e.window);
      absorb(e.window, n, off);
    }
  } finally {
    e.wipe(e.window, Math.min(length, WINDOW_BYTES));
  }
}

export interface Staged {
  /** Where each input was placed, in order. */
  readonly at: number[];
  /** The output area (`outLen` zeroed bytes). */
  readonly out: number;
  readonly size: number;
}

/** n rounded up to a multiple of 16; exact for every length up to 2^53 (no 32-bit wrap-around). */
export const align16 = (n: number): number => n + (-n & 15);

/** Copies `inputs` back to back from `p`, each at a 16-byte boundary: their addresses, and the end. */
export function place(e: Engine, inputs: readonly Uint8Array[], p: number): [number[], number] {
  const u8 = e.u8;
  const at: number[] = [];
  for (const input of inputs) {
    u8.set(input, p);
    at.push(p);
    p += align16(lengthOf(input));
  }
  return [at, p];
}

export function stage(e: Engine, inputs: readonly Uint8Array[], outLen: number): Staged {
  let size = 0;
  for (const input of inputs) size += align16(lengthOf(input));
  const outOffset = size;
  size += outLen;
  if (size > WINDOW_BYTES) throw new Error(`wirecrypt internal error: ${size} staged bytes exceed the ${WINDOW_BYTES}-byte window`);
  const [at] = place(e, inputs, e.window);
  e.u8.fill(0, e.window + outOffset, e.window + size);
  return { at, out: e.window + outOffset, size };
}

export function unstage(e: Engine, s: Staged): void {
  e.wipe(e.window, s.size);
}

/**
 * A call on a few short inputs (keys, points): they are copied back to back into the engine's output
 * area, `call` gets their addresses and where to write `outLen` bytes, and everything is wiped before
 * returning the output and the call's own result.
 */
export function smallCall<R>(e: Engine, inputs: readonly Uint8Array[], outLen: number, call: (at: readonly number[], out: number) => R): [Uint8Array, R] {
  let end = e.out;
  for (const input of inputs) end += align16(lengthOf(input));
  try {
    const [at, p] = place(e, inputs, e.out);
    const result = call(at, p);
    return [e.read(p, outLen), result];
  } finally {
    e.wipe(e.out, end + outLen - e.out);
  }
}
