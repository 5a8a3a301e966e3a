// CryptoProvider.treeKemPath (RFC 9420 §7.4: the TreeKEM path in one call) and derivePath on top of
// it, on both providers and both wasm builds, for X25519 (suite 1) and P-256 (suite 2):
//   * differential: byte for byte against the chain taken step by step in TypeScript from MLS's
//     DeriveSecret and HPKE's DeriveKeyPair, for random starts and every length 0..25, and the two
//     providers against each other up to TREEKEM_MAX_PATH;
//   * contract: inputs not modified, every output a fresh array, bad arguments refused;
//   * wasm: nothing secret stays in linear memory after the call (the residue invariant of
//     test/wasm/residue.test.ts: memory outside live blocks is exactly as instantiated).
// Starts come from a seeded generator (FC_SEED, default 1), printed on failure through the test name.
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CryptoProvider, init, sha256, wasmProvider } from '../../bindings/index.js';
import { cipherSuite } from '../../bindings/mls/crypto/cipher-suite.js';
import { deriveSecret } from '../../bindings/mls/crypto/labels.js';
import { derivePath } from '../../bindings/mls/treekem/path.js';
import { referenceProvider } from '../../bindings/provider/reference.js';
import { TREEKEM_MAX_PATH } from '../../bindings/provider/types.js';
import { engine } from '../../bindings/wasm/select.js';
import { BUILDS } from '../helpers/builds.js';
import { pristineMemory } from '../helpers/pristine.js';
import { forEachProvider } from '../helpers/providers.js';

const SEED = process.env.FC_SEED ?? '1';
/** 32 pseudo-random bytes for (seed, label): SHA-256 of both. */
const startFor = (label: string) => new Uint8Array(createHash('sha256').update(`treekem-path ${SEED} ${label}`).digest());
const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');

const SUITES = [
  { id: 1, kem: 'X25519', pkLen: 32 },
  { id: 2, kem: 'P-256', pkLen: 65 },
] as const;

/** The chain step by step, as derivePath computed it before treeKemPath existed. */
function stepByStep(provider: CryptoProvider, suiteId: number, start: Uint8Array, length: number) {
  const suite = cipherSuite(suiteId, provider);
  const pathSecrets: Uint8Array[] = [], secretKeys: Uint8Array[] = [], publicKeys: Uint8Array[] = [];
  let secret = start.slice();
  for (let i = 0; i < length; i++) {
    pathSecrets.push(secret);
    const nodeSecret = deriveSecret(suite, secret, 'node');
    const kp = suite.hpke.deriveKeyPair(nodeSecret);
    secretKeys.push(kp.secretKey);
    publicKeys.push(kp.publicKey);
    secret = deriveSecret(suite, secret, 'path');
  }
  return { pathSecrets, secretKeys, publicKeys, next: secret };
}

const asHex = (r: { pathSecrets: Uint8Array[]; secretKeys: Uint8Array[]; publicKeys: Uint8Array[]; next: Uint8Array }) => ({
  pathSecrets: r.pathSecrets.map(hexOf), secretKeys: r.secretKeys.map(hexOf), publicKeys: r.publicKeys.map(hexOf), next: hexOf(r.next),
});

forEachProvider((provider) => {
  for (const { id, kem, pkLen } of SUITES) {
    describe(`treeKemPath ${kem} (suite ${id})`, () => {
      it('equals the step-by-step chain for random starts, lengths 0..25', () => {
        for (let length = 0; length <= 25; length++) {
          const start = startFor(`${kem} ${length}`);
          const got = provider.treeKemPath(kem, start, length);
          expect(got.pathSecrets).toHaveLength(length);
          expect(got.secretKeys).toHaveLength(length);
          expect(got.publicKeys).toHaveLength(length);
          for (const pk of got.publicKeys) expect(pk).toHaveLength(pkLen);
          expect(asHex(got), `seed ${SEED}, length ${length}`).toEqual(asHex(stepByStep(provider, id, start, length)));
        }
      });

      it('length 0: no entries, next a copy of start', () => {
        const start = startFor(`${kem} zero`);
        const got = provider.treeKemPath(kem, start, 0);
        expect(got).toEqual({ pathSecrets: [], secretKeys: [], publicKeys: [], next: start });
        expect(got.next.buffer).not.toBe(start.buffer);
      });

      it('public keys are the DH scheme\'s for the secret keys', () => {
        const got = provider.treeKemPath(kem, startFor(`${kem} dh`), 4);
        got.secretKeys.forEach((sk, i) => expect(hexOf(provider.dh(kem).publicKey(sk))).toBe(hexOf(got.publicKeys[i]!)));
      });

      it('does not modify its input; every output is a fresh array; unaligned views work', () => {
        const backing = new Uint8Array(40);
        backing.set(startFor(`${kem} fresh`), 3);
        const start = backing.subarray(3, 35);
        const before = backing.slice();
        const got = provider.treeKemPath(kem, start, 5);
        expect(backing).toEqual(before);
        const outputs = [...got.pathSecrets, ...got.secretKeys, ...got.publicKeys, got.next];
        const buffers = new Set(outputs.map((o) => o.buffer));
        expect(buffers.size).toBe(outputs.length);
        expect(buffers.has(backing.buffer)).toBe(false);
        expect(asHex(got)).toEqual(asHex(stepByStep(provider, id, start, 5)));
        got.pathSecrets[0]!.fill(0);   // the first path secret is a copy, not the caller's array
        expect(backing).toEqual(before);
      });

      it('refuses bad arguments', () => {
        const start = startFor(`${kem} bad`);
        for (const length of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, TREEKEM_MAX_PATH + 1]) {
          expect(() => provider.treeKemPath(kem, start, length), String(length)).toThrow(RangeError);
        }
        for (const n of [0, 16, 31, 33, 64]) expect(() => provider.treeKemPath(kem, new Uint8Array(n), 1), `${n} bytes`).toThrow(RangeError);
        expect(() => provider.treeKemPath(kem, start, '2' as unknown as number)).toThrow(TypeError);
        expect(() => provider.treeKemPath(kem, [...start] as unknown as Uint8Array, 1)).toThrow(TypeError);
        expect(() => provider.treeKemPath('X448' as never, start, 1)).toThrow(TypeError);
      });

      it('derivePath returns the same chain as key pairs', () => {
        const suite = cipherSuite(id, provider);
        const start = startFor(`${kem} derivePath`);
        const expected = stepByStep(provider, id, start, 7);
        const d = derivePath(suite, start, 7);
        expect(d.pathSecrets.map(hexOf)).toEqual(expected.pathSecrets.map(hexOf));
        expect(d.keyPairs.map((k) => [hexOf(k.secretKey), hexOf(k.publicKey)])).toEqual(expected.secretKeys.map((sk, i) => [hexOf(sk), hexOf(expected.publicKeys[i]!)]));
        expect(hexOf(d.next)).toBe(hexOf(expected.next));
        expect(() => derivePath(suite, start, -1)).toThrow(RangeError);
        expect(() => derivePath(suite, start, 0.5)).toThrow(RangeError);
        expect(() => derivePath(suite, start.subarray(0, 16), 1)).toThrow(RangeError);
        expect(() => derivePath(suite, start, TREEKEM_MAX_PATH + 1)).toThrow(RangeError);
      });
    });
  }
});

describe('treeKemPath: wasm and reference providers agree', () => {
  for (const build of BUILDS) {
    for (const { kem } of SUITES) {
      it(`${kem}, wasm ${build}, lengths 1, 33 and TREEKEM_MAX_PATH`, () => {
        init({ wasm: build });
        for (const length of [1, 33, TREEKEM_MAX_PATH]) {
          const start = startFor(`${kem} agree ${length}`);
          expect(asHex(wasmProvider.treeKemPath(kem, start, length))).toEqual(asHex(referenceProvider.treeKemPath(kem, start, length)));
        }
      });
    }
  }
});

/** Where memory differs from `pristine` outside the engine's live blocks ('' if nowhere). */
function residue(pristine: Uint8Array): string {
  const e = engine();
  const mem = e.u8;
  const allowed = e.allocatedRanges().sort((a, b) => a[0] - b[0]);
  let r = 0;
  for (let i = 0; i < mem.length; i++) {
    while (r < allowed.length && allowed[r]![1] <= i) r++;
    if (r < allowed.length && allowed[r]![0] <= i) {
      i = allowed[r]![1] - 1;
      continue;
    }
    if (mem[i] !== (i < pristine.length ? pristine[i] : 0)) return `byte ${i} (heap_base ${e.abi.heap_base()})`;
  }
  return '';
}

for (const build of BUILDS) {
  describe(`treeKemPath leaves no residue in wasm memory (wasm ${build})`, () => {
    let pristine: Uint8Array;
    beforeAll(() => {
      init({ wasm: build });
      pristine = pristineMemory();
    });
    for (const { kem } of SUITES) {
      for (const length of [0, 1, 9]) {
        it(`${kem}, length ${length}`, () => {
          wasmProvider.treeKemPath(kem, startFor(`${kem} residue`), length);
          expect(residue(pristine)).toBe('');
        });
      }
    }
    it('the check sees a leak (control: plain hashing keeps its last block, as documented)', () => {
      sha256(startFor('control'));
      expect(residue(pristine)).not.toBe('');
    });
  });
}
