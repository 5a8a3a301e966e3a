// Hostile byte inputs for the API-robustness tests (issue 8, item 2).
//
// Each variant turns the real bytes of a valid argument into something a caller might pass:
//   accept  a Uint8Array by its internal slots (a subclass, a Buffer, another realm's, one over a
//           SharedArrayBuffer, one whose length/byteLength/byteOffset/buffer getters lie, whose
//           methods or Symbol.species are overridden, or that carries own properties): the engine must
//           give exactly the outcome of the plain copy of its real bytes, and never call any of the
//           overridden methods (`calls()` counts them);
//   refuse  not a Uint8Array (a Proxy, a DataView however disguised, another typed array, a plain
//           array, an object with Uint8Array.prototype but no slots) or a view of a detached buffer:
//           TypeError;
//   either  an edge case the contract leaves open (a real Uint8Array whose prototype was swapped):
//           TypeError, or the outcome of the plain copy.
import vm from 'node:vm';

export type Kind = 'accept' | 'refuse' | 'either';

export interface Made {
  readonly value: unknown;
  /** How many times overridden methods, lying getters or species constructors were run. */
  calls(): number;
}

export interface Variant {
  readonly name: string;
  readonly kind: Kind;
  make(real: Uint8Array): Made;
}

// ---- reading arrays through their internal slots ----------------------------------------------

const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
const slot = (key: PropertyKey) => Object.getOwnPropertyDescriptor(TypedArrayPrototype, key)!.get!;
const lengthSlot = slot('length');
const offsetSlot = slot('byteOffset');
const bufferSlot = slot('buffer');

/** The real length of a typed array `x` (whatever its getters say). */
export function realLength(x: unknown): number {
  return lengthSlot.call(x) as number;
}

/** A plain copy of the bytes `x` really holds (whatever its getters say). */
export function realBytes(x: unknown): Uint8Array {
  const view = new Uint8Array(bufferSlot.call(x) as ArrayBuffer, offsetSlot.call(x) as number, lengthSlot.call(x) as number);
  const out = new Uint8Array(view.length);
  Uint8Array.prototype.set.call(out, view);
  return out;
}

/** Detaches `buffer` (as postMessage with a transfer list would). */
export function detach(buffer: ArrayBufferLike): void {
  structuredClone(buffer, { transfer: [buffer as ArrayBuffer] });
}

/** Deterministic pseudo-random bytes. */
export function det(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = (seed * 0x9e3779b1) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

// ---- building blocks ----------------------------------------------------------------------------

/** Names of the Uint8Array methods an implementation might be tempted to call on an input. */
const METHODS = [
  'subarray', 'set', 'slice', 'fill', 'map', 'filter', 'forEach', 'every', 'some', 'reduce', 'copyWithin',
  'at', 'indexOf', 'includes', 'join', 'toString', 'toLocaleString', 'values', 'keys', 'entries', 'reverse',
  'sort', 'find', 'findIndex', 'lastIndexOf', 'valueOf',
] as const;

function counter() {
  let n = 0;
  return { hit: () => void n++, calls: () => n };
}

/** A function that counts its calls and answers garbage of a plausible shape. */
function trap(hit: () => void, name: string) {
  return function (this: unknown, ...args: unknown[]) {
    hit();
    if (name === 'subarray' || name === 'slice') return new Uint8Array(16).fill(0xee);
    if (name === 'toString' || name === 'join') return 'garbage';
    if (name === 'valueOf') return this;
    if (name === 'values' || name === 'keys' || name === 'entries') return [0xee][Symbol.iterator]();
    return undefined;
  };
}

function copyIntoPlain(real: Uint8Array, extra = 0, at = 0): Uint8Array {
  const u = new Uint8Array(real.length + extra);
  u.set(real, at);
  return u.subarray(at, at + real.length);
}

/** A subclass of `Base` (a Uint8Array constructor, maybe another realm's) with the given getters lying. */
function lyingSubclass(Base: typeof Uint8Array, hit: () => void, lies: { length?: number; byteLength?: number; byteOffset?: number; buffer?: () => ArrayBufferLike; methods?: boolean; species?: boolean }) {
  class Liar extends Base {}
  const proto = Liar.prototype as any;
  if (lies.length !== undefined) Object.defineProperty(proto, 'length', { get() { hit(); return lies.length; } });
  if (lies.byteLength !== undefined) Object.defineProperty(proto, 'byteLength', { get() { hit(); return lies.byteLength; } });
  if (lies.byteOffset !== undefined) Object.defineProperty(proto, 'byteOffset', { get() { hit(); return lies.byteOffset; } });
  if (lies.buffer) Object.defineProperty(proto, 'buffer', { get() { hit(); return lies.buffer!(); } });
  if (lies.methods) {
    for (const m of METHODS) Object.defineProperty(proto, m, { value: trap(hit, m), writable: true, configurable: true });
    Object.defineProperty(proto, Symbol.iterator, { value: trap(hit, 'values'), writable: true, configurable: true });
  }
  if (lies.species) Object.defineProperty(Liar, Symbol.species, { get() { hit(); return OddSpecies(hit); } });
  return Liar;
}

/** A species constructor that counts and hands back garbage (a Uint8Array of 0xEE, or of the asked length). */
function OddSpecies(hit: () => void) {
  return class Odd extends Uint8Array {
    constructor(a: any, b?: any, c?: any) {
      hit();
      const len = typeof a === 'number' ? a : typeof c === 'number' ? c : 16;
      super(len);
      this.fill(0xee);
    }
  };
}

function fromSubclass(C: typeof Uint8Array, real: Uint8Array): Uint8Array {
  const backing = new C(real.length + 8);
  Uint8Array.prototype.set.call(backing, real, 5);
  // a view at an odd offset, made without calling backing.subarray (which may be trapped)
  return new C(bufferSlot.call(backing) as ArrayBuffer, 5, real.length);
}

const realm = vm.createContext({});
const Realm = {
  Uint8Array: vm.runInContext('Uint8Array', realm) as typeof Uint8Array,
  Uint16Array: vm.runInContext('Uint16Array', realm) as typeof Uint16Array,
  DataView: vm.runInContext('DataView', realm) as typeof DataView,
};

function realmBytes(real: Uint8Array): Uint8Array {
  const u = vm.runInContext(`new Uint8Array(${real.length})`, realm) as Uint8Array;
  Uint8Array.prototype.set.call(u, real);
  return u;
}

function shared(real: Uint8Array, at = 0): Uint8Array {
  const u = new Uint8Array(new SharedArrayBuffer(real.length + at + 3), at, real.length);
  u.set(real);
  return u;
}

const none = () => 0;
const plain = (value: unknown): Made => ({ value, calls: none });

// ---- the variants -------------------------------------------------------------------------------

const LIE = 2 ** 31;

export const VARIANTS: readonly Variant[] = [
  // accepted as they are
  { name: 'Buffer', kind: 'accept', make: (r) => plain(Buffer.from(r)) },
  { name: 'view at an odd offset', kind: 'accept', make: (r) => plain(copyIntoPlain(r, 9, 3)) },
  { name: 'view over a SharedArrayBuffer', kind: 'accept', make: (r) => plain(shared(r)) },
  { name: 'view at an offset in a SharedArrayBuffer', kind: 'accept', make: (r) => plain(shared(r, 7)) },
  { name: 'Uint8Array from another realm', kind: 'accept', make: (r) => plain(realmBytes(r)) },
  { name: 'plain subclass', kind: 'accept', make: (r) => plain(fromSubclass(class Sub extends Uint8Array {}, r)) },
  { name: 'non-extensible Uint8Array', kind: 'accept', make: (r) => plain(Object.preventExtensions(copyIntoPlain(r))) },
  // subclasses that lie
  ...([
    ['length claims 2^31', { length: LIE }],
    ['length claims 0', { length: 0 }],
    ['length claims 32', { length: 32 }],
    ['length claims 2^31 - 1 (odd)', { length: LIE - 1 }],
    ['byteLength claims 2^31', { byteLength: LIE }],
    ['byteOffset claims 2^31', { byteOffset: LIE }],
    ['buffer is another ArrayBuffer', { buffer: () => new ArrayBuffer(4096) }],
    ['buffer is a 0xAA-filled SharedArrayBuffer', { buffer: () => { const b = new SharedArrayBuffer(4096); new Uint8Array(b).fill(0xaa); return b; } }],
    ['subarray/set/slice/fill/iterator… overridden', { methods: true }],
    ['Symbol.species returns an odd constructor', { species: true }],
    ['every getter lies, every method and species overridden', { length: LIE, byteLength: LIE + 16, byteOffset: 12345, buffer: () => new ArrayBuffer(64), methods: true, species: true }],
  ] as const).map(([name, lies]): Variant => ({
    name: `subclass whose ${name}`,
    kind: 'accept',
    make: (r) => {
      const c = counter();
      return { value: fromSubclass(lyingSubclass(Uint8Array, c.hit, lies), r), calls: c.calls };
    },
  })),
  {
    name: 'other-realm subclass whose length claims 2^31 and subarray is overridden',
    kind: 'accept',
    make: (r) => {
      const c = counter();
      return { value: fromSubclass(lyingSubclass(Realm.Uint8Array, c.hit, { length: LIE, byteLength: LIE, methods: true }), r), calls: c.calls };
    },
  },
  {
    name: 'own properties length/byteLength/byteOffset/buffer and methods defined on the instance',
    kind: 'accept',
    make: (r) => {
      const c = counter();
      const u = copyIntoPlain(r, 4, 2);
      Object.defineProperty(u, 'length', { get() { c.hit(); return LIE; } });
      Object.defineProperty(u, 'byteLength', { get() { c.hit(); return LIE; } });
      Object.defineProperty(u, 'byteOffset', { get() { c.hit(); return 0; } });
      Object.defineProperty(u, 'buffer', { get() { c.hit(); return new ArrayBuffer(8); } });
      for (const m of METHODS) Object.defineProperty(u, m, { value: trap(c.hit, m) });
      Object.defineProperty(u, Symbol.iterator, { value: trap(c.hit, 'values') });
      return { value: u, calls: c.calls };
    },
  },
  {
    name: 'own length data property of 0 (Object.defineProperty(u8, "length", { value: 0 }))',
    kind: 'accept',
    make: (r) => {
      const u = copyIntoPlain(r);
      Object.defineProperty(u, 'length', { value: 0 });
      return plain(u);
    },
  },
  {
    name: 'own constructor whose Symbol.species is odd',
    kind: 'accept',
    make: (r) => {
      const c = counter();
      const u = copyIntoPlain(r, 8, 4);
      Object.defineProperty(u, 'constructor', { value: { name: 'Uint8Array', get [Symbol.species]() { c.hit(); return OddSpecies(c.hit); } } });
      return { value: u, calls: c.calls };
    },
  },
  {
    name: 'own constructor whose Symbol.species is Array',
    kind: 'accept',
    make: (r) => {
      const c = counter();
      const u = copyIntoPlain(r);
      Object.defineProperty(u, 'constructor', { value: { get [Symbol.species]() { c.hit(); return Array; } } });
      return { value: u, calls: c.calls };
    },
  },
  {
    name: 'own Symbol.toStringTag "DataView"',
    kind: 'accept',
    make: (r) => {
      const u = copyIntoPlain(r);
      Object.defineProperty(u, Symbol.toStringTag, { value: 'DataView' });
      return plain(u);
    },
  },

  // an edge case: a real Uint8Array (internal slots) with another prototype
  { name: 'Uint8Array whose prototype is Uint16Array.prototype', kind: 'either', make: (r) => plain(Object.setPrototypeOf(copyIntoPlain(r), Uint16Array.prototype)) },
  { name: 'Uint8Array with a null prototype', kind: 'either', make: (r) => plain(Object.setPrototypeOf(copyIntoPlain(r), null)) },

  // refused: not a Uint8Array
  { name: 'Proxy around a Uint8Array', kind: 'refuse', make: (r) => plain(new Proxy(copyIntoPlain(r), {})) },
  {
    name: 'Proxy around a Uint8Array with get traps',
    kind: 'refuse',
    // (a modest lie: code that treats a Proxy as array-like would read `length` elements one by one)
    make: (r) => plain(new Proxy(copyIntoPlain(r), { get: (t, k) => (k === 'length' ? r.length + 64 : Reflect.get(t, k)) })),
  },
  { name: 'Proxy around another realm\'s Uint8Array', kind: 'refuse', make: (r) => plain(new Proxy(realmBytes(r), {})) },
  { name: 'DataView', kind: 'refuse', make: (r) => plain(new DataView(copyIntoPlain(r).buffer)) },
  {
    name: 'DataView with constructor { name: "Uint8Array" }',
    kind: 'refuse',
    make: (r) => {
      const dv = new DataView(copyIntoPlain(r).buffer);
      Object.defineProperty(dv, 'constructor', { value: Uint8Array });
      return plain(dv);
    },
  },
  {
    name: 'DataView with Symbol.toStringTag "Uint8Array" and a length',
    kind: 'refuse',
    make: (r) => {
      const dv = new DataView(copyIntoPlain(r).buffer);
      Object.defineProperty(dv, Symbol.toStringTag, { value: 'Uint8Array' });
      Object.defineProperty(dv, 'length', { value: r.length });
      return plain(dv);
    },
  },
  {
    name: 'DataView subclass named Uint8Array',
    kind: 'refuse',
    make: (r) => {
      const Fake = { Uint8Array: class extends (DataView as new (buffer: ArrayBuffer) => DataView) {} }.Uint8Array;
      Object.defineProperty(Fake, 'name', { value: 'Uint8Array' });
      return plain(new Fake(copyIntoPlain(r).buffer as ArrayBuffer));
    },
  },
  {
    name: 'another realm\'s DataView named Uint8Array',
    kind: 'refuse',
    make: (r) => plain(vm.runInContext(`(() => { class Uint8Array extends DataView {}; return new Uint8Array(new ArrayBuffer(${r.length})); })()`, realm)),
  },
  { name: 'Uint16Array', kind: 'refuse', make: (r) => plain(new Uint16Array(r)) },
  { name: 'Uint16Array over the same bytes', kind: 'refuse', make: (r) => plain(new Uint16Array(copyIntoPlain(r, r.length % 2).buffer)) },
  { name: 'Int8Array', kind: 'refuse', make: (r) => plain(new Int8Array(r)) },
  { name: 'Uint8ClampedArray', kind: 'refuse', make: (r) => plain(new Uint8ClampedArray(r)) },
  {
    name: 'Uint16Array subclass named Uint8Array',
    kind: 'refuse',
    make: (r) => {
      const Fake = { Uint8Array: class extends Uint16Array {} }.Uint8Array;
      Object.defineProperty(Fake, 'name', { value: 'Uint8Array' });
      return plain(new Fake(r));
    },
  },
  { name: 'another realm\'s Uint16Array', kind: 'refuse', make: (r) => plain(new Realm.Uint16Array(r.length)) },
  { name: 'plain array', kind: 'refuse', make: (r) => plain(Array.from(r)) },
  { name: 'array-like object', kind: 'refuse', make: (r) => plain(Object.assign({ length: r.length }, Array.from(r))) },
  { name: 'ArrayBuffer', kind: 'refuse', make: (r) => plain(copyIntoPlain(r).buffer) },
  { name: 'object with Uint8Array.prototype', kind: 'refuse', make: () => plain(Object.create(Uint8Array.prototype)) },
  {
    name: 'view of a detached ArrayBuffer',
    kind: 'refuse',
    make: (r) => {
      const u = copyIntoPlain(r);
      detach(u.buffer);
      return plain(u);
    },
  },
  {
    name: 'offset view of a detached ArrayBuffer',
    kind: 'refuse',
    make: (r) => {
      const u = copyIntoPlain(r, 11, 5);
      detach(u.buffer);
      return plain(u);
    },
  },
  {
    name: 'Buffer whose ArrayBuffer was detached',
    kind: 'refuse',
    make: (r) => {
      const ab = new ArrayBuffer(r.length + 4);
      const b = Buffer.from(ab, 2, r.length);
      b.set(r);
      detach(ab);
      return plain(b);
    },
  },
  {
    name: 'view of a detached buffer from another realm',
    kind: 'refuse',
    make: (r) => {
      const u = realmBytes(r);
      detach(bufferSlot.call(u) as ArrayBuffer);
      return plain(u);
    },
  },
  {
    name: 'lying subclass (length 2^31) over a detached buffer',
    kind: 'refuse',
    make: (r) => {
      const c = counter();
      const u = fromSubclass(lyingSubclass(Uint8Array, c.hit, { length: LIE, byteLength: LIE }), r);
      detach(bufferSlot.call(u) as ArrayBuffer);
      return { value: u, calls: c.calls };
    },
  },
];
