// The public-key API's contract: typed errors for bad keys, verify() never throwing on a bad
// signature, key formats, and box/P-256 edge cases.
import { describe, expect, it } from 'vitest';
import { AuthenticationError, InvalidKeyError, box, ed25519, p256, x25519 } from '../../bindings/index.js';
import { forEachBuild } from '../helpers/builds.js';
import { hex } from '../helpers/vectors.js';

const reason = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof InvalidKeyError) return e.reason;
    return (e as Error).name;
  }
  return 'no error';
};

// an Ed25519 point of order 8 and the identity, both valid encodings
const SMALL_ORDER_ED = hex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05');
const IDENTITY_ED = hex('0100000000000000000000000000000000000000000000000000000000000000');
// y = p (non-canonical) and a y with no x on the curve
const NON_CANONICAL_ED = hex('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f');
const NOT_ON_CURVE_ED = hex('0200000000000000000000000000000000000000000000000000000000000000');

forEachBuild(() => {
  describe('x25519 API', () => {
    it('generates working key pairs and refuses all-zero results', () => {
      const a = x25519.generateKeyPair();
      const b = x25519.generateKeyPair();
      expect(a.secretKey).toHaveLength(32);
      expect(x25519.sharedSecret(a.secretKey, b.publicKey)).toEqual(x25519.sharedSecret(b.secretKey, a.publicKey));
      expect(reason(() => x25519.sharedSecret(a.secretKey, new Uint8Array(32)))).toBe('zero-shared-secret');
    });

    it('throws TypeError / RangeError for wrong types and lengths', () => {
      expect(() => x25519.publicKey(new Uint8Array(31))).toThrow(RangeError);
      expect(() => x25519.sharedSecret(new Uint8Array(32), 'abc' as never)).toThrow(TypeError);
    });
  });

  describe('ed25519 API', () => {
    const { secretKey, publicKey } = ed25519.generateKeyPair();
    const msg = hex('616263');
    const sig = ed25519.sign(secretKey, msg);

    it('uses 64-byte secret keys (seed ‖ public key) and accepts the bare seed', () => {
      expect(secretKey).toHaveLength(64);
      expect(secretKey.subarray(32)).toEqual(publicKey);
      expect(ed25519.publicKey(secretKey)).toEqual(publicKey);
      expect(ed25519.sign(secretKey.subarray(0, 32), msg)).toEqual(sig);
      expect(() => ed25519.sign(new Uint8Array(48), msg)).toThrow(RangeError);
    });

    it('verify answers false, never throws, for any bad signature', () => {
      expect(ed25519.verify(publicKey, msg, sig)).toBe(true);
      expect(ed25519.verify(publicKey, msg, sig.subarray(0, 63))).toBe(false);
      expect(ed25519.verify(publicKey, msg, new Uint8Array(65))).toBe(false);
      expect(ed25519.verify(publicKey, msg, new Uint8Array(64))).toBe(false);
      expect(ed25519.verify(publicKey, msg, new Uint8Array(64).fill(0xff))).toBe(false);
      for (const badKey of [SMALL_ORDER_ED, IDENTITY_ED, NON_CANONICAL_ED, NOT_ON_CURVE_ED]) {
        expect(ed25519.verify(badKey, msg, sig)).toBe(false);
      }
      expect(() => ed25519.verify(publicKey.subarray(1), msg, sig)).toThrow(RangeError);
    });

    it('verifyBatch keeps item order and handles wrong lengths, empty and small batches', () => {
      expect(ed25519.verifyBatch([])).toEqual([]);
      const good = { publicKey, message: msg, signature: sig };
      const bad = { publicKey, message: hex('616264'), signature: sig };
      const short = { publicKey, message: msg, signature: sig.subarray(1) };
      expect(ed25519.verifyBatch([good, bad])).toEqual([true, false]);
      const many = Array.from({ length: 150 }, (_, i) => (i % 37 === 5 ? bad : i % 41 === 7 ? short : good));
      expect(ed25519.verifyBatch(many)).toEqual(many.map((x) => x === good));
      expect(() => ed25519.verifyBatch([{ ...good, publicKey: new Uint8Array(31) }])).toThrow(RangeError);
    });

    it('refuses a 64-byte secret key whose public half is not its seed\'s (double-public-key oracle)', () => {
      const forged = secretKey.slice();
      forged[40] ^= 1;
      expect(reason(() => ed25519.sign(forged, msg))).toBe('mismatched-public-key');
      expect(reason(() => ed25519.signer(forged))).toBe('mismatched-public-key');
      // the oracle needs two signatures of one message with the same nonce under different public
      // keys; with only the seed's own key accepted, every signature of msg is the same
      const other = ed25519.generateKeyPair().publicKey;
      const swapped = secretKey.slice();
      swapped.set(other, 32);
      expect(reason(() => ed25519.sign(swapped, msg))).toBe('mismatched-public-key');
      expect(ed25519.sign(secretKey, msg)).toEqual(sig);
    });

    it('signer(secretKey) derives the public key once and signs as sign() does, until disposed', () => {
      const seedOnly = ed25519.signer(secretKey.subarray(0, 32));
      const full = ed25519.signer(secretKey);
      expect(seedOnly.publicKey).toEqual(publicKey);
      expect(full.publicKey).toEqual(publicKey);
      for (const m of [new Uint8Array(0), msg, msgOf(200_000)]) {
        expect(seedOnly.sign(m)).toEqual(ed25519.sign(secretKey, m));
        expect(full.sign(m)).toEqual(ed25519.sign(secretKey, m));
      }
      seedOnly.dispose();
      seedOnly.dispose();
      expect(() => seedOnly.sign(msg)).toThrow(new TypeError('ed25519.signer.sign: this object was already disposed; create a new one'));
      expect(full.sign(msg)).toEqual(sig);
      full.dispose();
      expect(() => ed25519.signer(new Uint8Array(33))).toThrow(RangeError);
      expect(() => full.sign('abc' as never)).toThrow(TypeError);
    });

    it('verifyBatch refuses holes in a sparse array (item 7) and non-object items', () => {
      const good = { publicKey, message: msg, signature: sig };
      // eslint-disable-next-line no-sparse-arrays
      expect(() => ed25519.verifyBatch([good, , good] as never)).toThrow(new TypeError('ed25519.verifyBatch: items[1] is a hole; items must be a dense array'));
      expect(() => ed25519.verifyBatch(new Array(3) as never)).toThrow(TypeError);
      expect(() => ed25519.verifyBatch([good, null] as never)).toThrow(TypeError);
    });

    it('verifyBatch splits long messages into chunks of at most 1 MiB of message bytes', () => {
      const big = Array.from({ length: 9 }, (_, i) => msgOf(300_000 + i));
      const items = big.map((message) => ({ publicKey, message, signature: ed25519.sign(secretKey, message) }));
      items[5] = { ...items[5], message: big[6] };
      expect(ed25519.verifyBatch(items)).toEqual(items.map((_, i) => i !== 5));
    });

    it('converts to X25519 and refuses keys that do not decode or have small order', () => {
      const xs = ed25519.toX25519Secret(secretKey);
      expect(x25519.publicKey(xs)).toEqual(ed25519.toX25519Public(publicKey));
      expect(reason(() => ed25519.toX25519Public(SMALL_ORDER_ED))).toBe('small-order');
      expect(reason(() => ed25519.toX25519Public(IDENTITY_ED))).toBe('small-order');
      expect(reason(() => ed25519.toX25519Public(NOT_ON_CURVE_ED))).toBe('invalid-point');
      expect(reason(() => ed25519.toX25519Public(NON_CANONICAL_ED))).toBe('invalid-point');
    });
  });

  describe('box API', () => {
    it('refuses a small-order peer and fails to open with the wrong key', () => {
      const a = x25519.generateKeyPair();
      const b = x25519.generateKeyPair();
      const c = x25519.generateKeyPair();
      expect(reason(() => box(a.secretKey, new Uint8Array(32)))).toBe('zero-shared-secret');
      const nonce = new Uint8Array(24).fill(1);
      const sealed = box(a.secretKey, b.publicKey).seal(nonce, msgOf(100));
      expect(() => box(c.secretKey, a.publicKey).open(nonce, sealed)).toThrow(AuthenticationError);
      const shut = box(b.secretKey, a.publicKey);
      expect(shut.open(nonce, sealed)).toEqual(msgOf(100));
      shut.dispose();
      expect(() => shut.open(nonce, sealed)).toThrow(TypeError);
    });
  });
});

describe('p256 API', () => {
  it('refuses scalars outside [1, n-1] and invalid points with InvalidKeyError', () => {
    const n = hex('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
    const { secretKey, publicKey } = p256.generateKeyPair();
    expect(publicKey).toHaveLength(65);
    for (const bad of [new Uint8Array(32), n]) expect(reason(() => p256.sign(bad, msgOf(1)))).toBe('invalid-scalar');
    const offCurve = publicKey.slice();
    offCurve[64] ^= 1;
    expect(reason(() => p256.ecdh(secretKey, offCurve))).toBe('invalid-point');
    expect(reason(() => p256.ecdh(secretKey, publicKey.subarray(0, 64)))).toBe('invalid-point');
    expect(p256.verify(offCurve, msgOf(1), p256.sign(secretKey, msgOf(1)))).toBe(false);
    expect(p256.verify(publicKey, msgOf(1), new Uint8Array(3), { format: 'der' })).toBe(false);
    expect(() => p256.sign(secretKey, msgOf(1), { format: 'pem' as never })).toThrow(TypeError);
  });
});

function msgOf(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => i);
}
