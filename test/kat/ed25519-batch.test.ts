// Ed25519 batch verification on large batches: the bucket-method multi-scalar multiplication
// (assembly/curve/msm.ts), the split of a failing batch into halves, and the chunking of the
// bindings. Every answer is checked item by item against node:crypto (OpenSSL), on batches of one
// key, a few keys and distinct keys, all valid or with bad signatures at random positions.
import { createPublicKey, generateKeyPairSync, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ed25519, type SignedMessage } from '../../bindings/index.js';
import { engine } from '../../bindings/wasm/select.js';
import { forEachBuild } from '../helpers/builds.js';

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const L = (1n << 252n) + 27742317777372353535851937790883648493n;
const P = (1n << 255n) - 19n;

/** A deterministic generator (xorshift32), so that a failure names a reproducible position. */
function rng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x % n;
  };
}

const le = (b: Uint8Array): bigint => b.reduceRight((x, v) => (x << 8n) | BigInt(v), 0n);
function toLe(x: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
}

function reference(item: SignedMessage): boolean {
  try {
    const key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, item.publicKey]), format: 'der', type: 'spki' });
    return nodeVerify(null, item.message, key, item.signature);
  } catch {
    return false;
  }
}

interface NodeKey { privateKey: KeyObject; publicKey: Uint8Array }
function nodeKey(): NodeKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(12)) };
}

/** n items signed by node:crypto, item i under keys[i % keys.length]. */
function signedItems(n: number, keyCount: number, next: (n: number) => number): SignedMessage[] {
  const keys = Array.from({ length: keyCount }, nodeKey);
  return Array.from({ length: n }, (_, i) => {
    const key = keys[i % keyCount];
    const message = Uint8Array.from({ length: 20 + next(200) }, () => next(256));
    return { publicKey: key.publicKey, message, signature: new Uint8Array(nodeSign(null, message, key.privateKey)) };
  });
}

const other = nodeKey().publicKey;

/** Ways to spoil an item: each gives an item node:crypto and our rule both reject. */
const CORRUPTIONS: Array<[string, (item: SignedMessage, next: (n: number) => number) => SignedMessage]> = [
  ['bit of S flipped', (x, next) => ({ ...x, signature: flip(x.signature, 32 + next(31), next(8)) })],
  ['S + L (non-canonical S)', (x) => ({ ...x, signature: withS(x.signature, le(x.signature.subarray(32)) + L) })],
  ['top bits of S set', (x) => ({ ...x, signature: flip(x.signature, 63, 6) })],
  ['bit of R flipped', (x, next) => ({ ...x, signature: flip(x.signature, next(32), next(8)) })],
  ['R = p + 1 (non-canonical identity)', (x) => ({ ...x, signature: withR(x.signature, toLe(P + 1n)) })],
  ['R random', (x, next) => ({ ...x, signature: withR(x.signature, Uint8Array.from({ length: 32 }, () => next(256))) })],
  ['wrong message', (x, next) => ({ ...x, message: flip(x.message, next(x.message.length), next(8)) })],
  ['wrong key', (x) => ({ ...x, publicKey: other })],
  ['public key p + 2 (non-canonical)', (x) => ({ ...x, publicKey: toLe(P + 2n) })],
];

function flip(bytes: Uint8Array, at: number, bit: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[at] ^= 1 << bit;
  return out;
}
function withS(sig: Uint8Array, s: bigint): Uint8Array {
  const out = Uint8Array.from(sig);
  out.set(toLe(s), 32);
  return out;
}
function withR(sig: Uint8Array, r: Uint8Array): Uint8Array {
  const out = Uint8Array.from(sig);
  out.set(r, 0);
  return out;
}

/** The items with `bad` of them spoiled at random positions (all of them when bad = n). */
function spoil(items: SignedMessage[], bad: number, next: (n: number) => number): SignedMessage[] {
  const out = items.slice();
  const positions = bad === items.length ? items.map((_, i) => i) : Array.from({ length: bad }, () => next(items.length));
  positions.forEach((at, k) => {
    const [, corrupt] = CORRUPTIONS[(k + next(CORRUPTIONS.length)) % CORRUPTIONS.length];
    out[at] = corrupt(out[at], next);
  });
  return out;
}

function expectAsNode(items: SignedMessage[], label: string): void {
  const got = ed25519.verifyBatch(items);
  const want = items.map(reference);
  const wrong = got.flatMap((ok, i) => (ok === want[i] ? [] : [`#${i}: ${ok}, node:crypto ${want[i]}`]));
  expect(wrong, label).toEqual([]);
}

forEachBuild((build) => {
  describe('ed25519.verifyBatch, large batches', () => {
    // 50: below the bucket method's threshold (Straus, split down to 8); the rest use buckets
    const cases: Array<[n: number, keys: (n: number) => number, what: string]> = [
      [50, () => 1, 'one key'],
      [50, (n) => n, 'distinct keys'],
      [300, () => 1, 'one key'],
      [300, () => 3, 'three keys'],
      [300, (n) => n, 'distinct keys'],
      [3000, () => 1, 'one key'],
      [3000, (n) => n, 'distinct keys'],
    ];
    for (const [n, keys, what] of cases) {
      it(`${n} items, ${what}: all valid, then 1, 7 and all invalid, as node:crypto answers`, () => {
        const next = rng(n * 7919 + keys(n) + (build === 'simd' ? 0 : 1));
        const items = signedItems(n, keys(n), next);
        expect(ed25519.verifyBatch(items).every(Boolean), 'all valid').toBe(true);
        for (const bad of [1, 7, n]) expectAsNode(spoil(items, bad, next), `${bad} spoiled`);
      }, 60_000);
    }

    it('each kind of spoiled item, alone in 300 items of one key and at the first position', () => {
      const next = rng(build === 'simd' ? 11 : 12);
      const items = signedItems(300, 1, next);
      for (const [name, corrupt] of CORRUPTIONS) {
        for (const at of [0, 150, 299]) {
          const spoiled = items.slice();
          spoiled[at] = corrupt(items[at], next);
          expectAsNode(spoiled, `${name} at ${at}`);
        }
      }
    }, 60_000);

    it('a batch that fails in both halves, and two items with swapped signatures', () => {
      const next = rng(build === 'simd' ? 21 : 22);
      const items = signedItems(1000, 2, next);
      const spoiled = items.slice();
      for (const at of [3, 499, 500, 997]) spoiled[at] = CORRUPTIONS[0][1](items[at], next);
      expectAsNode(spoiled, 'bad items at 3, 499, 500, 997');
      // two items whose signatures are swapped: each is invalid alone
      const swapped = items.slice();
      swapped[10] = { ...items[10], signature: items[12].signature };
      swapped[12] = { ...items[12], signature: items[10].signature };
      expectAsNode(swapped, 'swapped signatures');
    }, 60_000);

    // as test/wasm/residue.test.ts checks for small batches: the random coefficients, points and
    // buckets of a large batch (and of its split halves) must not outlive the call
    it('leaves linear memory outside live blocks as it found it (bucket method and split)', () => {
      const next = rng(build === 'simd' ? 31 : 32);
      const items = spoil(signedItems(700, 2, next), 2, next);
      const before = engine().u8.slice();
      expectAsNode(items, 'two spoiled');
      const e = engine();
      const mem = e.u8;
      const live = e.allocatedRanges();
      const changed: number[] = [];
      for (let i = 0; i < mem.length && changed.length < 4; i++) {
        if (live.some(([from, to]) => from <= i && i < to)) continue;
        if (mem[i] !== (i < before.length ? before[i] : 0)) changed.push(i);
      }
      expect(changed, `heap_base ${e.abi.heap_base()}`).toEqual([]);
    }, 60_000);
  });
});
