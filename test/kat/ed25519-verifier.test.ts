// ed25519.verifier(publicKey) — a prepared key with 128-bit split scalars — answers exactly as
// ed25519.verify: every Wycheproof case, RFC 8032, and node:crypto item by item on valid, tampered,
// non-canonical and small-order inputs; and verifyCached (provider/verifier-cache.ts), which the
// protocol layers use, gives verify()'s answers through its preparation and eviction.
import { createPrivateKey, sign as nodeSign, verify as nodeVerify, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ed25519, wasmProvider } from '../../bindings/index.js';
import { verifyCached } from '../../bindings/provider/verifier-cache.js';
import { engine } from '../../bindings/wasm/select.js';
import { forEachBuild } from '../helpers/builds.js';
import { countCases, hex, numberOfTests, wycheproofTests } from '../helpers/vectors.js';

interface EddsaTest { tcId: number; msg: string; sig: string; result: string; group: any }
const FILE = 'wycheproof/ed25519_test.json';
const wycheproof = wycheproofTests<EddsaTest>(FILE);

const L = (1n << 252n) + 27742317777372353535851937790883648493n;
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const nodeKey = (pk: Uint8Array) => createPublicKey({ key: Buffer.concat([SPKI_PREFIX, pk]), format: 'der', type: 'spki' });
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** Deterministic pseudo-random bytes (xorshift), so a failure reproduces. */
function prng(seed: number) {
  let s = seed >>> 0 || 1;
  return (n: number) => Uint8Array.from({ length: n }, () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s & 0xff;
  });
}

function addL(sig: Uint8Array): Uint8Array {
  let s = 0n;
  for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(sig[32 + i]!);
  s += L;
  const out = sig.slice();
  for (let i = 0; i < 32; i++) { out[32 + i] = Number(s & 0xffn); s >>= 8n; }
  return out;
}

forEachBuild(() => {
  describe('ed25519.verifier', () => {
    it('Wycheproof: all 151 cases, each through a verifier of its group key', () => {
      expect(numberOfTests(FILE)).toBe(151);
      const count = countCases(FILE, numberOfTests(FILE));
      const verifiers = new Map<string, ReturnType<typeof ed25519.verifier>>();
      for (const t of wycheproof) {
        const pk = t.group.publicKey.pk as string;
        if (!verifiers.has(pk)) verifiers.set(pk, ed25519.verifier(hex(pk)));
        expect(verifiers.get(pk)!.verify(hex(t.msg), hex(t.sig)), `tcId ${t.tcId}`).toBe(t.result === 'valid');
        count.ran(t.tcId);
      }
      count.done();
      for (const v of verifiers.values()) v.dispose();
    });

    it('agrees with node:crypto and with verify() on valid, tampered and non-canonical signatures', () => {
      const rand = prng(7);
      for (let k = 0; k < 6; k++) {
        const seed = rand(32);
        const priv = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
        const pk = ed25519.publicKey(seed);
        const v = ed25519.verifier(pk);
        expect(v.publicKey).toEqual(pk);
        for (let i = 0; i < 40; i++) {
          const message = rand(i * 13);
          const sig = new Uint8Array(nodeSign(null, message, priv));
          const cases: [Uint8Array, Uint8Array][] = [[message, sig], [message, addL(sig)], [rand(i * 13 + 1), sig]];
          const flipped = sig.slice();
          flipped[(i * 7) % 64]! ^= 1 << (i % 8);
          cases.push([message, flipped]);
          for (const [m, s] of cases) {
            const expected = nodeVerify(null, m, nodeKey(pk), s);
            expect(v.verify(m, s), `key ${k} message ${i}`).toBe(expected);
            expect(ed25519.verify(pk, m, s)).toBe(expected);
          }
          expect(v.verify(message, sig)).toBe(true);
          expect(v.verify(message, addL(sig))).toBe(false); // S ≥ L: not canonical
        }
        v.dispose();
      }
    });

    it('a key verify() refuses (small order, not a point) answers false; wrong lengths as verify()', () => {
      const smallOrder = hex('0100000000000000000000000000000000000000000000000000000000000000'); // the identity
      const notAPoint = hex('0200000000000000000000000000000000000000000000000000000000000000');
      const kp = ed25519.generateKeyPair();
      const message = new Uint8Array([1, 2, 3]);
      const sig = ed25519.sign(kp.secretKey, message);
      for (const pk of [smallOrder, notAPoint]) {
        const v = ed25519.verifier(pk);
        expect(v.verify(message, sig)).toBe(false);
        expect(ed25519.verify(pk, message, sig)).toBe(false);
        v.dispose();
      }
      expect(() => ed25519.verifier(new Uint8Array(31))).toThrow(RangeError);
      const v = ed25519.verifier(kp.publicKey);
      expect(v.verify(message, sig.subarray(0, 63))).toBe(false);
      expect(() => v.verify('abc' as unknown as Uint8Array, sig)).toThrow(TypeError);
      v.dispose();
      expect(() => v.verify(message, sig)).toThrow(/disposed/);
    });

    it('a block never prepared (zeroed memory) accepts nothing: usable is a magic status, not 0', () => {
      const e = engine();
      const size = e.abi.ED25519_VERIFIER_LEN.value;
      const prep = e.alloc(size);
      const sig = e.alloc(64);
      try {
        const rand = prng(5);
        for (let i = 0; i < 20; i++) {
          e.u8.set(rand(32), sig);
          e.u8.set([1], sig + 32); // S = 1: canonical
          expect(e.abi.ed25519_verifier_start(prep, sig)).toBe(0);
        }
      } finally {
        e.free(prep, size);
        e.free(sig, 64);
      }
    });

    it('messages longer than the 64 KiB window stream through', () => {
      const kp = ed25519.generateKeyPair();
      const big = prng(3)(200_000);
      const sig = ed25519.sign(kp.secretKey, big);
      const v = ed25519.verifier(kp.publicKey);
      expect(v.verify(big, sig)).toBe(true);
      big[150_000]! ^= 1;
      expect(v.verify(big, sig)).toBe(false);
      v.dispose();
    });
  });
});

describe('verifyCached', () => {
  it('gives verify() answers through first use, preparation and eviction (more keys than it keeps)', () => {
    const scheme = wasmProvider.signature('Ed25519');
    const rand = prng(11);
    const keys = Array.from({ length: 150 }, () => ed25519.generateKeyPair());
    for (let round = 0; round < 3; round++) {
      keys.forEach((kp, i) => {
        const message = rand(20 + i);
        const sig = ed25519.sign(kp.secretKey, message);
        expect(verifyCached(scheme, kp.publicKey, message, sig)).toBe(true);
        const bad = sig.slice();
        bad[5]! ^= 4;
        expect(verifyCached(scheme, kp.publicKey, message, bad)).toBe(false);
        expect(verifyCached(scheme, keys[(i + 1) % keys.length]!.publicKey, message, sig)).toBe(false);
      });
    }
    expect(() => verifyCached(scheme, new Uint8Array(31), new Uint8Array(1), new Uint8Array(64))).toThrow(RangeError);
  });
});
