// Base of every object that keeps key material in wasm memory (AEADs, secretbox, AES modes): it
// owns one block of linear memory, wipes it on dispose() (or when garbage-collected undisposed),
// and refuses use after dispose().

import { finished } from './errors.js';
import type { Engine } from './wasm/engine.js';
import { engine } from './wasm/select.js';

export abstract class KeyedObject {
  protected readonly engine: Engine;
  /** The object's block of wasm memory. */
  protected readonly block: number;
  readonly #fn: string;
  readonly #size: number;
  #disposed = false;

  /** `size` gives the bytes of wasm memory the object needs on the engine it binds to. */
  protected constructor(fn: string, size: (e: Engine) => number) {
    this.#fn = fn;
    this.engine = engine();
    this.#size = size(this.engine);
    this.block = this.engine.own(this, this.#size);
  }

  /** Throws if dispose() was called; `op` names the method for the message. */
  protected live(op: string): void {
    if (this.#disposed) finished(`${this.#fn}.${op}`, 'disposed');
  }

  /** Zeroes the key material in wasm memory and releases it. Calling it again does nothing. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.engine.release(this, this.block, this.#size);
  }
}
