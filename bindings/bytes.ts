// Reading a caller's byte arrays without running the caller's code.
//
// A Uint8Array may be a subclass, or carry own properties, whose `length`, `subarray` or `set` lie
// (claim 2^31 bytes, return another array, or change the input between two reads). So the bindings
// never touch a caller's array through its properties: lengths come from the intrinsic
// %TypedArray%.prototype getters, which read the internal slots, and copies use the intrinsic `set`,
// whose source argument is also read through its slots. Views the bindings make themselves (with
// `view`) are plain Uint8Arrays and safe to use directly.

const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;

function intrinsicGetter<T>(key: PropertyKey): (this: unknown) => T {
  const get = Object.getOwnPropertyDescriptor(TypedArrayPrototype, key)?.get;
  if (!get) throw new Error(`wirecrypt: %TypedArray%.prototype has no ${String(key)} getter`);
  return get as (this: unknown) => T;
}

// Returns undefined for anything that is not a typed array (a Proxy, a DataView, a plain object).
const kindGetter = intrinsicGetter<string | undefined>(Symbol.toStringTag);
const lengthGetter = intrinsicGetter<number>('length');
const offsetGetter = intrinsicGetter<number>('byteOffset');
const bufferGetter = intrinsicGetter<ArrayBufferLike>('buffer');
const intrinsicSet = Uint8Array.prototype.set;
const arrayBufferLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength')!.get!;

/** 'Uint8Array', 'Uint16Array', …: the kind of typed array `value` is, or undefined for anything else. */
export function typedArrayKind(value: unknown): string | undefined {
  return kindGetter.call(value);
}

/** Whether `value` is a Uint8Array (a Buffer, a subclass, or one from another realm). */
export function isUint8Array(value: unknown): value is Uint8Array {
  return kindGetter.call(value) === 'Uint8Array';
}

/** Whether the buffer under `v` was detached (transferred): its view then reads as empty. */
export function isDetached(v: Uint8Array): boolean {
  if (lengthGetter.call(v) !== 0) return false;
  try {
    new Uint8Array(bufferGetter.call(v), 0, 0);
    return false;
  } catch {
    return true;
  }
}

/** The real length of a Uint8Array. */
export function lengthOf(v: Uint8Array): number {
  return lengthGetter.call(v);
}

/** A plain Uint8Array over v[start, end) (the same memory; `end` defaults to the end). */
export function view(v: Uint8Array, start: number, end: number = lengthGetter.call(v)): Uint8Array {
  return new Uint8Array(bufferGetter.call(v), offsetGetter.call(v) + start, end - start);
}

/** dst[at …] = src, both read through their internal slots (same as dst.set(src, at) on honest arrays). */
export function copyInto(dst: Uint8Array, src: Uint8Array, at = 0): void {
  intrinsicSet.call(dst, src, at);
}

/** The parts one after another, in a fresh array (read through the intrinsics, like everything here). */
export function concat(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += lengthOf(p);
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    copyInto(out, p, at);
    at += lengthOf(p);
  }
  return out;
}

/** Whether `v` lies over a SharedArrayBuffer: another thread may change it while we read it. */
export function isShared(v: Uint8Array): boolean {
  try {
    arrayBufferLength.call(bufferGetter.call(v));
    return false;
  } catch {
    return true;
  }
}

/** A private copy of `v` (memory no one else can change). */
export function copyOf(v: Uint8Array): Uint8Array {
  const out = new Uint8Array(lengthGetter.call(v));
  intrinsicSet.call(out, v);
  return out;
}

/**
 * `v` itself, or a private copy when another thread could change it: for inputs that are read more
 * than once (a tag check, then decryption), so that the bytes authenticated are the bytes used.
 */
export function stable(v: Uint8Array): Uint8Array {
  return isShared(v) ? copyOf(v) : v;
}

/** Whether a and b share memory without starting at the same byte (in-place use is exact overlap). */
export function overlapsPartially(a: Uint8Array, b: Uint8Array): boolean {
  if (bufferGetter.call(a) !== bufferGetter.call(b)) return false;
  const x = offsetGetter.call(a), y = offsetGetter.call(b);
  return x !== y && x < y + lengthGetter.call(b) && y < x + lengthGetter.call(a);
}
