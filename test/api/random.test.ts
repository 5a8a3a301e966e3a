// The CSPRNG source (bindings/random.ts): /dev/urandom through node:fs where it works, and
// crypto.getRandomValues after any failure of the device, with no partial fill left behind.
import * as fs from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { type DeviceFs, chooseFill, deviceFill, fillRandom, randomBytes } from '../../bindings/random.js';

/** node:fs with some calls replaced, counting opens and closes. */
function fakeFs(over: Partial<DeviceFs> = {}) {
  const calls = { open: 0, close: 0 };
  const f: DeviceFs = {
    openSync: (p, flags) => (calls.open++, over.openSync ? over.openSync(p, flags) : fs.openSync(p, flags)),
    fstatSync: (fd) => (over.fstatSync ?? fs.fstatSync)(fd),
    readSync: (fd, b, off, len, pos) => (over.readSync ?? fs.readSync)(fd, b, off, len, pos),
    closeSync: (fd) => (calls.close++, fs.closeSync(fd)),
  };
  return { f, calls };
}

/** Pearson's chi-square of the byte histogram (255 degrees of freedom). */
function chiSquare(bytes: Uint8Array): number {
  const counts = new Array<number>(256).fill(0);
  for (const b of bytes) counts[b]!++;
  const expected = bytes.length / 256;
  return counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
}
// P(chi-square(255) > 420) < 1e-9: a uniform source fails this about once in a billion runs.
const CHI_LIMIT = 420;

const onLinux = process.platform === 'linux';

describe('random source', () => {
  it.runIf(onLinux)('reads /dev/urandom and closes it again', () => {
    const { f, calls } = fakeFs();
    const out = new Uint8Array(1 << 16);
    deviceFill(f, out);
    expect(calls).toEqual({ open: 1, close: 1 });
    expect(chiSquare(out)).toBeLessThan(CHI_LIMIT);
  });

  it.runIf(onLinux)('keeps reading after short reads until the output is full', () => {
    const { f } = fakeFs({ readSync: (fd, b, off, len, pos) => fs.readSync(fd, b, off, Math.min(len, 7), pos) });
    const out = new Uint8Array(1000);
    deviceFill(f, out);
    expect(chiSquare(out.subarray(900))).toBeLessThan(CHI_LIMIT); // the tail was written too
    expect(out.subarray(993).some((b) => b !== 0)).toBe(true);
  });

  it.runIf(onLinux)('refuses a file that is not a character device, and still closes it', () => {
    const { f, calls } = fakeFs({ fstatSync: () => ({ isCharacterDevice: () => false }) });
    expect(() => deviceFill(f, new Uint8Array(16))).toThrow(/not a character device/);
    expect(calls).toEqual({ open: 1, close: 1 });
  });

  it.runIf(onLinux)('refuses a device that ends early', () => {
    const { f, calls } = fakeFs({ readSync: () => 0 });
    expect(() => deviceFill(f, new Uint8Array(16))).toThrow(/no bytes/);
    expect(calls.close).toBe(1);
  });

  it('falls back to getRandomValues for good when the device fails, refilling the whole output', () => {
    const spy = vi.spyOn(crypto, 'getRandomValues');
    try {
      let reads = 0;
      // the device writes a marker into the first half, then fails: none of it may survive
      const { f, calls } = fakeFs({
        readSync: (_fd, b, off) => {
          if (reads++ > 0) throw new Error('EIO');
          b.fill(0xa5, off, off + 512);
          return 512;
        },
      });
      const fill = chooseFill(f);
      const out = new Uint8Array(1024);
      fill(out);
      expect(spy).toHaveBeenCalledTimes(1);
      expect(out.subarray(0, 512).every((b) => b === 0xa5)).toBe(false);
      expect(chiSquare(out)).toBeLessThan(CHI_LIMIT * 4); // 1,024 bytes: a looser bound, still far from a constant half
      fill(new Uint8Array(64));
      expect(calls.open).toBe(1); // not tried again
      expect(spy).toHaveBeenCalledTimes(2);
    } finally {
      spy.mockRestore();
    }
  });

  it('uses getRandomValues where there is no node:fs (browsers), in 64 KiB steps', () => {
    const spy = vi.spyOn(crypto, 'getRandomValues');
    try {
      const out = new Uint8Array(65536 * 2 + 5);
      chooseFill(undefined)(out);
      expect(spy.mock.calls.map(([v]) => (v as Uint8Array).length)).toEqual([65536, 65536, 5]);
      expect(chiSquare(out)).toBeLessThan(CHI_LIMIT);
    } finally {
      spy.mockRestore();
    }
  });

  it.runIf(onLinux)('in Node on Linux, randomBytes never touches WebCrypto', () => {
    const spy = vi.spyOn(crypto, 'getRandomValues');
    try {
      for (const n of [1, 32, 256, 257, 5000, 70000]) expect(randomBytes(n)).toHaveLength(n);
      const big = new Uint8Array(200_000);
      fillRandom(big);
      expect(chiSquare(big)).toBeLessThan(CHI_LIMIT);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('randomBytes: pooled and direct outputs differ from each other and look uniform', () => {
    const small = Array.from({ length: 2000 }, () => randomBytes(32)); // crosses several pool refills
    expect(new Set(small.map((b) => Buffer.from(b).toString('hex'))).size).toBe(small.length);
    const joined = new Uint8Array(small.length * 32);
    small.forEach((b, i) => joined.set(b, i * 32));
    expect(chiSquare(joined)).toBeLessThan(CHI_LIMIT);
    expect(randomBytes(0)).toHaveLength(0);
  });
});
