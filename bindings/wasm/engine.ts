// One instantiated wasm module and everything the bindings need to call it: the memory view (the one
// place that guards against detached views), a fixed scratch layout, and a small allocator for
// long-lived contexts (hashers, keys).
//
// Memory layout, from the first 64-byte boundary at or above heap_base:
//   ctx     CTX_BYTES      context of the current one-shot call
//   out     OUT_BYTES      small results (digests, keys) of the current call
//   window  WINDOW_BYTES   inputs and bulk outputs of the current call, in chunks when larger
//   heap    …              contexts of live objects, in power-of-two blocks reused after free
// Memory only grows when the heap needs a new block; after warm-up a steady workload never grows it.

import type { WasmAbi } from './abi.js';

export type WasmBuild = 'relaxed' | 'simd' | 'scalar';

const PAGE = 65536;
const CTX_BYTES = 1024;
const OUT_BYTES = 1024;
export const WINDOW_BYTES = 65536;

/** Undisposed objects give their context back (wiped) when garbage-collected. */
const leaked = new FinalizationRegistry<{ engine: Engine; ptr: number; size: number }>((h) => h.engine.free(h.ptr, h.size));

export class Engine {
  readonly build: WasmBuild;
  readonly abi: WasmAbi;
  readonly ctx: number;
  readonly out: number;
  readonly window: number;
  readonly windowBytes = WINDOW_BYTES;
  #view: Uint8Array;
  #words: DataView;
  #top: number;
  readonly #freeBlocks = new Map<number, number[]>();
  /** Every block ever carved from the heap: start to size class. */
  readonly #blocks = new Map<number, number>();

  constructor(build: WasmBuild, module: WebAssembly.Module) {
    this.build = build;
    this.abi = new WebAssembly.Instance(module, {}).exports as unknown as WasmAbi;
    const base = Math.ceil(this.abi.heap_base() / 64) * 64;
    this.ctx = base;
    this.out = base + CTX_BYTES;
    this.window = this.out + OUT_BYTES;
    this.#top = this.window + WINDOW_BYTES;
    this.#view = new Uint8Array(this.abi.memory.buffer);
    this.#words = new DataView(this.abi.memory.buffer);
    this.#reserve(this.#top);
  }

  /**
   * The byte view of linear memory. Growth detaches the old buffer (a detached view silently reads
   * as empty and drops writes), so this getter and setU32 are the only places views are used, and
   * both re-create them when the buffer changed.
   */
  get u8(): Uint8Array {
    if (this.#view.byteLength === 0) this.#view = new Uint8Array(this.abi.memory.buffer);
    return this.#view;
  }

  /** Writes a little-endian u32 (pointer tables for batched calls). */
  setU32(ptr: number, value: number): void {
    if (this.#words.buffer !== this.abi.memory.buffer) this.#words = new DataView(this.abi.memory.buffer);
    this.#words.setUint32(ptr, value, true);
  }

  /** Current size of linear memory in bytes. */
  get memoryBytes(): number {
    return this.abi.memory.buffer.byteLength;
  }

  /** Copies `len` bytes out of linear memory into a new Uint8Array. */
  read(ptr: number, len: number): Uint8Array {
    return this.u8.slice(ptr, ptr + len);
  }

  wipe(ptr: number, len: number): void {
    this.u8.fill(0, ptr, ptr + len);
  }

  /** A zeroed block of at least `size` bytes, 64-byte aligned. */
  alloc(size: number): number {
    const cls = blockClass(size);
    const reuse = this.#freeBlocks.get(cls)?.pop();
    if (reuse !== undefined) return reuse;
    const ptr = this.#top;
    this.#reserve(ptr + cls);
    this.#top = ptr + cls;
    this.#blocks.set(ptr, cls);
    return ptr;
  }

  /** Wipes and returns a block obtained from alloc(size). */
  free(ptr: number, size: number): void {
    const cls = blockClass(size);
    this.wipe(ptr, cls);
    let list = this.#freeBlocks.get(cls);
    if (!list) this.#freeBlocks.set(cls, (list = []));
    list.push(ptr);
  }

  /** alloc() for a context owned by `owner`; freed on release() or when `owner` is collected. */
  own(owner: object, size: number): number {
    const ptr = this.alloc(size);
    leaked.register(owner, { engine: this, ptr, size }, owner);
    return ptr;
  }

  release(owner: object, ptr: number, size: number): void {
    leaked.unregister(owner);
    this.free(ptr, size);
  }

  /**
   * The blocks handed out by alloc() and not freed, as [start, end) byte ranges: everything that may
   * legitimately hold data between calls (tests check that the rest of memory is as instantiated).
   */
  allocatedRanges(): Array<[number, number]> {
    const free = new Set<number>();
    for (const list of this.#freeBlocks.values()) for (const p of list) free.add(p);
    const ranges: Array<[number, number]> = [];
    this.#blocks.forEach((cls, ptr) => {
      if (!free.has(ptr)) ranges.push([ptr, ptr + cls]);
    });
    return ranges;
  }

  #reserve(end: number): void {
    const have = this.abi.memory.buffer.byteLength;
    if (end > have) this.abi.memory.grow(Math.ceil((end - have) / PAGE));
  }
}

function blockClass(size: number): number {
  return Math.max(64, 2 ** Math.ceil(Math.log2(size)));
}
