// Bad input is refused with a TypeError or RangeError naming the function and parameter, before
// anything reaches wasm; inputs are never modified; stateful objects refuse use after digest().
import { describe, expect, it } from 'vitest';
import * as w from '../../bindings/index.js';

const NOT_BYTES: unknown[] = ['abc', 42, null, undefined, [1, 2, 3], new ArrayBuffer(4), new Uint16Array(2), new DataView(new ArrayBuffer(2)), {}];

describe('argument validation', () => {
  it('refuses anything but a Uint8Array for every byte parameter, naming it', () => {
    const bytes = new Uint8Array(4);
    const calls: Array<[string, (v: any) => unknown]> = [
      ['sha256: data', (v) => w.sha256(v)],
      ['sha1: data', (v) => w.sha1(v)],
      ['sha512: data', (v) => w.sha512(v)],
      ['sha256 hash.update: data', (v) => w.createSha256().update(v)],
      ['hmacSha256: key', (v) => w.hmacSha256(v, bytes)],
      ['hmacSha256: data', (v) => w.hmacSha256(bytes, v)],
      ['hmacSha1: key', (v) => w.hmacSha1(v, bytes)],
      ['hmacSha512: data', (v) => w.hmacSha512(bytes, v)],
      ['hkdfExtract: salt', (v) => w.hkdfExtract(v, bytes)],
      ['hkdfExtract: ikm', (v) => w.hkdfExtract(bytes, v)],
      ['hkdfExpand: prk', (v) => w.hkdfExpand(v, bytes, 32)],
      ['hkdfExpand: info', (v) => w.hkdfExpand(bytes, v, 32)],
      ['hkdf: ikm', (v) => w.hkdf(v, bytes, bytes, 32)],
      ['hkdf: salt', (v) => w.hkdf(bytes, v, bytes, 32)],
      ['hkdf: info', (v) => w.hkdf(bytes, bytes, v, 32)],
      ['ratchetChain: chainKey', (v) => w.ratchetChain(v, bytes, bytes, 1)],
      ['ratchetChain: salt', (v) => w.ratchetChain(bytes, v, bytes, 1)],
      ['ratchetChain: info', (v) => w.ratchetChain(bytes, bytes, v, 1)],
      ['ratchetChains: chains[1].salt', (v) => w.ratchetChains([{ chainKey: bytes, salt: bytes, info: bytes }, { chainKey: bytes, salt: v, info: bytes }], 1)],
    ];
    for (const [name, call] of calls) {
      for (const bad of NOT_BYTES) {
        expect(() => call(bad), `${name} with ${String(bad)}`).toThrow(TypeError);
        expect(() => call(bad)).toThrow(`${name} must be a Uint8Array`);
      }
    }
  });

  it('accepts Buffer and unaligned subarray views', () => {
    const backing = new Uint8Array(100).map((_, i) => i);
    const view = backing.subarray(3, 70);
    expect(w.sha256(view)).toEqual(w.sha256(Uint8Array.from(view)));
    expect(w.sha256(Buffer.from(view))).toEqual(w.sha256(Uint8Array.from(view)));
  });

  it('checks HKDF lengths: integers in [0, 255 * 32]', () => {
    const prk = new Uint8Array(32);
    expect(w.hkdfExpand(prk, prk, 0)).toEqual(new Uint8Array(0));
    expect(w.hkdfExpand(prk, prk, 8160)).toHaveLength(8160);
    expect(() => w.hkdfExpand(prk, prk, 8161)).toThrow(RangeError);
    expect(() => w.hkdfExpand(prk, prk, 8161)).toThrow('hkdfExpand: length must be in [0, 8160], got 8161');
    expect(() => w.hkdf(prk, prk, prk, -1)).toThrow(RangeError);
    expect(() => w.hkdfExpand(prk, prk, 1.5)).toThrow(TypeError);
    expect(() => w.hkdfExpand(prk, prk, Number.NaN)).toThrow(TypeError);
    expect(() => w.hkdfExpand(prk, prk, '32' as any)).toThrow('hkdfExpand: length must be an integer, got string');
  });

  it('checks ratchet steps: a non-negative integer up to the documented maximum', () => {
    const ck = new Uint8Array(32);
    expect(() => w.ratchetChain(ck, ck, ck, -1)).toThrow(RangeError);
    expect(() => w.ratchetChain(ck, ck, ck, 2.5)).toThrow(TypeError);
    expect(() => w.ratchetChain(ck, ck, ck, Infinity)).toThrow(TypeError);
    expect(() => w.ratchetChain(ck, ck, ck, w.RATCHET_MAX_STEPS + 1)).toThrow('ratchetChain: steps must be in [0, 1048576]');
  });

  it('checks the shape of ratchetChains input', () => {
    const b = new Uint8Array(32);
    expect(() => w.ratchetChains('x' as any, 1)).toThrow('ratchetChains: chains must be an array');
    expect(() => w.ratchetChains([null as any], 1)).toThrow('ratchetChains: chains[0] must be an object');
    expect(() => w.ratchetChains([{ chainKey: b, salt: b } as any], 1)).toThrow('ratchetChains: chains[0].info must be a Uint8Array');
    expect(() => w.ratchetChains([], -1)).toThrow(RangeError);
    expect(w.ratchetChains([], 5)).toEqual([]);
  });

  it('refuses update() and digest() after digest()', () => {
    for (const create of [w.createSha1, w.createSha256, w.createSha512]) {
      const h = create().update(new Uint8Array(3));
      h.digest();
      expect(() => h.digest()).toThrow(TypeError);
      expect(() => h.digest()).toThrow('already finalized');
      expect(() => h.update(new Uint8Array(1))).toThrow(TypeError);
    }
  });

  it('never modifies its inputs', () => {
    const inputs = [1, 64, 65, 300, 70_000].map((n) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff));
    const copies = inputs.map((b) => b.slice());
    for (const a of inputs) {
      for (const b of inputs) {
        w.sha256(a); w.sha1(a); w.sha512(a);
        w.createSha256().update(a).update(b).digest();
        w.hmacSha256(a, b); w.hmacSha1(a, b); w.hmacSha512(a, b);
        w.hkdf(a, b, a.subarray(0, 500), 100);
        w.ratchetChain(a.subarray(0, 64), b.subarray(0, 64), a.subarray(0, 64), 3);
      }
    }
    inputs.forEach((b, i) => expect(b).toEqual(copies[i]));
  });

  it('refuses an unknown wasm build', () => {
    expect(() => w.init({ wasm: 'fast' as any })).toThrow(RangeError);
    // issue 8 item 7: a wrong options value is a TypeError naming the option, never a silent default
    expect(() => w.init('abc' as any)).toThrow(new TypeError("init: options must be an object such as { wasm: 'simd' }, got string"));
    expect(() => w.init(null as any)).toThrow(new TypeError("init: options must be an object such as { wasm: 'simd' }, got null"));
    expect(() => w.init({ wasm: 1 as any })).toThrow(new TypeError("init: options.wasm must be a string ('relaxed', 'simd', 'scalar' or 'auto'), got number"));
    expect(() => w.init({ wasm: 'fast' as any })).toThrow(new RangeError(`init: options.wasm must be 'relaxed', 'simd', 'scalar' or 'auto', got "fast"`));
    expect(w.init({ wasm: 'scalar' }).build).toBe('scalar');
    expect(w.init({ wasm: 'simd' }).build).toBe('simd');
    const { simdSupported, relaxedSimdSupported } = w.engineInfo();
    if (relaxedSimdSupported) expect(w.init({ wasm: 'relaxed' }).build).toBe('relaxed');
    expect(w.init().build).toBe(relaxedSimdSupported ? 'relaxed' : simdSupported ? 'simd' : 'scalar');
  });
});
