// The TLS presentation-language writer (bindings/codec/tls.ts): vectors are written in place with
// their varint length in front (ByteWriter.prefixed), so the prefix must be minimal at every size
// boundary, nested vectors must come out right, and what is written must read back.
import { describe, expect, it } from 'vitest';
import { ByteReader } from '../../bindings/codec/reader.js';
import { encode, readOpaque, readVector, writeOpaque, writeVector } from '../../bindings/codec/tls.js';

const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

describe('TLS vectors written in place', () => {
  for (const [n, prefix] of [[0, '00'], [63, '3f'], [64, '4040'], [16383, '7fff'], [16384, '80004000'], [70000, '80011170']] as const) {
    it(`a vector of ${n} bytes: minimal varint ${prefix}, the same bytes as writeOpaque`, () => {
      const body = bytes(n);
      const inPlace = encode((w) => writeVector(w, [...body], (v, b) => void v.u8(b)));
      expect(Buffer.from(inPlace.subarray(0, prefix.length / 2)).toString('hex')).toBe(prefix);
      expect(inPlace).toEqual(encode((w) => writeOpaque(w, body)));
      expect(readOpaque(new ByteReader(inPlace), 'v')).toEqual(body);
    });
  }

  it('nested vectors, with data before and after, read back', () => {
    const lists = [[], [bytes(1)], [bytes(70, 2), bytes(0), bytes(200, 3)], Array.from({ length: 300 }, (_, i) => bytes(i % 5, i))];
    const out = encode((w) => {
      w.u16(0xabcd);
      writeVector(w, lists, (v, list) => void writeVector(v, list, writeOpaque));
      w.u8(0xee);
    });
    const r = new ByteReader(out);
    expect(r.u16('head')).toBe(0xabcd);
    expect(readVector(r, 'lists', (v) => readVector(v, 'list', (x) => readOpaque(x, 'item')))).toEqual(lists);
    expect(r.u8('tail')).toBe(0xee);
    r.done('all');
  });
});
