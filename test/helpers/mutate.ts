// Mutations of encoded messages for the fuzz properties (test/**/*.fuzz.test.ts): bit flips, edge
// bytes (varint prefixes, presence bytes, enum codes), length edits, varints widened to a
// non-minimal form, truncations, insertions, deletions and duplications; mutate() applies a list.
import fc from 'fast-check';


export type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'byte'; at: number; value: number }
  | { kind: 'length'; at: number; delta: number }
  | { kind: 'widen'; at: number; wide: 2 | 4 }
  | { kind: 'cut'; at: number }
  | { kind: 'insert'; at: number; data: Uint8Array }
  | { kind: 'delete'; at: number; n: number }
  | { kind: 'duplicate'; at: number; n: number };

const at = fc.nat();
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at, bit: fc.integer({ min: 0, max: 7 }) }),
  // edge values of varint prefixes, presence bytes, enum codes and lengths
  fc.record({
    kind: fc.constant('byte' as const),
    at,
    value: fc.oneof(fc.constantFrom(0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x0a, 0x3f, 0x40, 0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xff), fc.integer({ min: 0, max: 255 })),
  }),
  fc.record({ kind: fc.constant('length' as const), at, delta: fc.constantFrom(-64, -2, -1, 1, 2, 64) }),
  // a 1-byte varint rewritten in a longer, non-minimal form
  fc.record({ kind: fc.constant('widen' as const), at, wide: fc.constantFrom(2 as const, 4 as const) }),
  fc.record({ kind: fc.constant('cut' as const), at }),
  fc.record({ kind: fc.constant('insert' as const), at, data: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), at, n: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at, n: fc.integer({ min: 1, max: 40 }) }),
);

function splice(input: Uint8Array, start: number, removed: number, inserted: Uint8Array): Uint8Array {
  const out = new Uint8Array(input.length - removed + inserted.length);
  out.set(input.subarray(0, start));
  out.set(inserted, start);
  out.set(input.subarray(start + removed), start + inserted.length);
  return out;
}

export function mutate(input: Uint8Array, edits: readonly Mutation[]): Uint8Array {
  let out: Uint8Array = input.slice();
  for (const e of edits) {
    const p = e.at % (out.length + 1); // a position, or the end
    const inside = p < out.length;
    switch (e.kind) {
      case 'flip': if (inside) out[p]! ^= 1 << e.bit; break;
      case 'byte': if (inside) out[p] = e.value; break;
      case 'length': if (inside) out[p] = (out[p]! + e.delta) & 0xff; break;
      case 'widen':
        if (inside && out[p]! < 0x40) {
          const wide = e.wide === 2 ? Uint8Array.of(0x40, out[p]!) : Uint8Array.of(0x80, 0, 0, out[p]!);
          out = splice(out, p, 1, wide);
        }
        break;
      case 'cut': out = out.slice(0, p); break;
      case 'insert': out = splice(out, p, 0, e.data); break;
      case 'delete': out = splice(out, p, Math.min(e.n, out.length - p), new Uint8Array(0)); break;
      case 'duplicate': out = splice(out, p, 0, out.slice(p, p + e.n)); break;
    }
  }
  return out;
}
