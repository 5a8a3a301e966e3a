// aesCtr and aesIge: argument errors, streams across calls and chunks, dispose.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as w from '../../bindings/index.js';
import { forEachBuild } from '../helpers/builds.js';

const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 167 + seed * 13 + (i >> 7)) & 0xff);

/** IGE from node's AES-ECB and JS chaining: the reference of ../shared/vectors/mtproto. */
function igeReference(decrypt: boolean, key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const alg = `aes-${key.length * 8}-ecb`;
  const block = (b: Uint8Array) => {
    const c = decrypt ? createDecipheriv(alg, key, null) : createCipheriv(alg, key, null);
    c.setAutoPadding(false);
    return new Uint8Array(c.update(b));
  };
  let y = iv.slice(0, 16), x = iv.slice(16, 32);
  const out = new Uint8Array(data.length);
  for (let off = 0; off < data.length; off += 16) {
    const inBlock = data.slice(off, off + 16);
    if (!decrypt) {
      const c = block(inBlock.map((b, i) => b ^ y[i])).map((b, i) => b ^ x[i]);
      out.set(c, off); x = inBlock; y = c;
    } else {
      const m = block(inBlock.map((b, i) => b ^ x[i])).map((b, i) => b ^ y[i]);
      out.set(m, off); y = inBlock; x = m;
    }
  }
  return out;
}

forEachBuild(() => {
  describe('aesCtr', () => {
    it('validates key and iv, and refuses use after dispose', () => {
      expect(() => w.aesCtr(bytes(15), bytes(16))).toThrow('aesCtr: key must be 16, 24 or 32 bytes, got 15');
      expect(() => w.aesCtr(bytes(32), bytes(12))).toThrow('aesCtr: iv must be 16 bytes, got 12');
      const s = w.aesCtr(bytes(32), bytes(16));
      expect(() => s.update('x' as any)).toThrow('aesCtr: data must be a Uint8Array');
      s.dispose();
      expect(() => s.update(bytes(1))).toThrow('aesCtr.update: this object was already disposed');
    });

    it('is one stream across calls of any length, larger than the window included', () => {
      for (const keyLen of [16, 24, 32]) {
        const key = bytes(keyLen, 5), iv = bytes(16, 6), data = bytes(140_001, 7);
        const s = w.aesCtr(key, iv);
        const parts = [0, 1, 63, 65_536, 70_000, 4_401].map((n, i, a) => {
          const off = a.slice(0, i).reduce((x, y) => x + y, 0);
          return s.update(data.subarray(off, off + n));
        });
        expect(Buffer.compare(Buffer.concat(parts), createCipheriv(`aes-${keyLen * 8}-ctr`, key, iv).update(data))).toBe(0);
      }
    });
  });

  describe('aesIge', () => {
    it('validates key, iv and data length', () => {
      expect(() => w.aesIge(bytes(31))).toThrow(RangeError);
      const c = w.aesIge(bytes(32));
      expect(() => c.encrypt(bytes(16), bytes(16))).toThrow('aesIge: iv must be 32 bytes, got 16');
      expect(() => c.decrypt(bytes(32), bytes(17))).toThrow('aesIge: data length must be a multiple of 16, got 17');
      expect(c.encrypt(bytes(32), new Uint8Array(0))).toEqual(new Uint8Array(0));
      c.dispose();
      expect(() => c.encrypt(bytes(32), bytes(16))).toThrow('aesIge.encrypt: this object was already disposed');
    });

    it('agrees with the ECB-and-chaining reference across the chunk boundary, and never modifies the IV', () => {
      for (const keyLen of [16, 32]) {
        const key = bytes(keyLen, 8), iv = bytes(32, 9), data = bytes(16 * 4200, 10);
        const ivCopy = iv.slice();
        const c = w.aesIge(key);
        const ct = c.encrypt(iv, data);
        expect(Buffer.compare(ct, igeReference(false, key, iv, data))).toBe(0);
        expect(Buffer.compare(c.decrypt(iv, ct), data)).toBe(0);
        expect(iv).toEqual(ivCopy);
      }
    });
  });
});
