// The providers' one-shot AEAD (aeadSeal / aeadOpen) and MLS sender data (mlsSenderDataSeal /
// mlsSenderDataOpen, RFC 9420 §6.3.2), on both providers (and both wasm builds): against the AEAD
// objects and the sender-data key and nonce of secret-tree.json taken through ExpandWithLabel
// (bindings/mls/crypto/labels.ts), wasm against reference on random inputs (AADs too long for the
// wasm one-call path included), the failures (a flipped bit, a short input: AuthenticationError;
// bad arguments: TypeError / RangeError), and inputs left as they were.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AeadName, CryptoProvider } from '../../bindings/index.js';
import { AuthenticationError } from '../../bindings/errors.js';
import { referenceProvider } from '../../bindings/provider/reference.js';
import { cipherSuite } from '../../bindings/mls/crypto/cipher-suite.js';
import { senderDataKeyNonce } from './sender-data-reference.js';
import { FUZZ_SEED } from '../diff/property.js';
import { forEachProvider } from '../helpers/providers.js';
import { hex, loadVectors } from '../helpers/vectors.js';

const AEADS: readonly [AeadName, number][] = [['AES-128-GCM', 16], ['AES-256-GCM', 32], ['ChaCha20-Poly1305', 32]];
const MLS_AEADS: Record<number, AeadName> = { 1: 'AES-128-GCM', 2: 'AES-128-GCM', 3: 'ChaCha20-Poly1305' };

interface Vector {
  cipher_suite: number;
  sender_data: { sender_data_secret: string; ciphertext: string; key: string; nonce: string };
}
const VECTORS = loadVectors<Vector[]>('mls/secret-tree.json').filter((v) => v.cipher_suite <= 3);

function objectSeal(p: CryptoProvider, name: AeadName, key: Uint8Array, nonce: Uint8Array, pt: Uint8Array, aad: Uint8Array): Uint8Array {
  const aead = p.aead(name, key);
  try {
    return aead.seal(nonce, pt, aad);
  } finally {
    aead.dispose();
  }
}

const flip = (b: Uint8Array, i: number) => {
  const c = b.slice();
  c[i % c.length] ^= 1;
  return c;
};

forEachProvider((provider) => {
  describe('aeadSeal / aeadOpen', () => {
    for (const [name, nk] of AEADS) {
      it(`${name}: the AEAD object's answers, round trip, inputs unchanged`, () => {
        fc.assert(fc.property(
          fc.uint8Array({ minLength: nk, maxLength: nk }), fc.uint8Array({ minLength: 12, maxLength: 12 }),
          fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 80 }),
          (key, nonce, pt, aad) => {
            const copies = [key, nonce, pt, aad].map((x) => x.slice());
            const sealed = provider.aeadSeal(name, key, nonce, pt, aad);
            expect(sealed).toEqual(objectSeal(provider, name, key, nonce, pt, aad));
            expect(provider.aeadOpen(name, key, nonce, sealed, aad)).toEqual(pt);
            expect([key, nonce, pt, aad]).toEqual(copies);
          },
        ), { seed: FUZZ_SEED, numRuns: 30 });
      });

      it(`${name}: a changed byte anywhere, or fewer than 16 bytes, is AuthenticationError`, () => {
        const key = provider.randomBytes(nk), nonce = provider.randomBytes(12), aad = Uint8Array.of(1, 2, 3), pt = provider.randomBytes(50);
        const sealed = provider.aeadSeal(name, key, nonce, pt, aad);
        for (const i of [0, 49, 50, 65]) expect(() => provider.aeadOpen(name, key, nonce, flip(sealed, i), aad)).toThrow(AuthenticationError);
        expect(() => provider.aeadOpen(name, key, nonce, sealed, Uint8Array.of(1, 2))).toThrow(AuthenticationError);
        expect(() => provider.aeadOpen(name, flip(key, 3), nonce, sealed, aad)).toThrow(AuthenticationError);
        expect(() => provider.aeadOpen(name, key, flip(nonce, 11), sealed, aad)).toThrow(AuthenticationError);
        expect(() => provider.aeadOpen(name, key, nonce, new Uint8Array(15), aad)).toThrow(AuthenticationError);
        expect(provider.aeadOpen(name, key, nonce, provider.aeadSeal(name, key, nonce, new Uint8Array(0), aad), aad)).toEqual(new Uint8Array(0));
      });

      it(`${name}: an AAD and message beyond the one-call window give the same answers`, () => {
        const key = provider.randomBytes(nk), nonce = provider.randomBytes(12);
        const aad = provider.randomBytes(40_000), pt = provider.randomBytes(70_000);
        const sealed = provider.aeadSeal(name, key, nonce, pt, aad);
        expect(sealed).toEqual(objectSeal(provider, name, key, nonce, pt, aad));
        expect(provider.aeadOpen(name, key, nonce, sealed, aad)).toEqual(pt);
        expect(() => provider.aeadOpen(name, key, nonce, flip(sealed, 69_999), aad)).toThrow(AuthenticationError);
      });
    }

    it('refuses bad arguments: TypeError for an unknown AEAD or a non-Uint8Array, RangeError for a bad key or nonce length', () => {
      const k = new Uint8Array(16), n = new Uint8Array(12), e = new Uint8Array(0);
      expect(() => provider.aeadSeal('AES-192-GCM' as AeadName, k, n, e, e)).toThrow(TypeError);
      expect(() => provider.aeadSeal('AES-128-GCM', new Uint8Array(32), n, e, e)).toThrow(RangeError);
      expect(() => provider.aeadSeal('ChaCha20-Poly1305', k, n, e, e)).toThrow(RangeError);
      expect(() => provider.aeadSeal('AES-128-GCM', k, new Uint8Array(16), e, e)).toThrow(RangeError);
      expect(() => provider.aeadOpen('AES-128-GCM', k, n, [1, 2] as unknown as Uint8Array, e)).toThrow(TypeError);
      expect(() => provider.aeadSeal('AES-128-GCM', k, n, e, 'aad' as unknown as Uint8Array)).toThrow(TypeError);
    });
  });

  describe('mlsSenderDataSeal / mlsSenderDataOpen', () => {
    it('secret-tree.json: sealed under the vectors\' sender-data key and nonce (§6.3.2)', () => {
      expect(VECTORS.length).toBeGreaterThan(0);
      for (const v of VECTORS) {
        const sd = v.sender_data, aead = MLS_AEADS[v.cipher_suite]!;
        const senderData = Uint8Array.of(0, 0, 0, 7, 0, 0, 1, 2, 9, 8, 7, 6), aad = Uint8Array.of(5, 5);
        const sealed = provider.mlsSenderDataSeal(aead, hex(sd.sender_data_secret), hex(sd.ciphertext), senderData, aad);
        expect(sealed).toEqual(objectSeal(referenceProvider, aead, hex(sd.key), hex(sd.nonce), senderData, aad));
        expect(provider.mlsSenderDataOpen(aead, hex(sd.sender_data_secret), hex(sd.ciphertext), sealed, aad)).toEqual(senderData);
      }
    });

    it('the key and nonce of ExpandWithLabel over the ciphertext\'s first 32 bytes (all of a shorter one); inputs unchanged', () => {
      fc.assert(fc.property(
        fc.constantFrom(1, 3), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 60 }),
        fc.uint8Array({ maxLength: 20 }), fc.uint8Array({ maxLength: 40 }),
        (suiteId, secret, ciphertext, senderData, aad) => {
          const suite = cipherSuite(suiteId, referenceProvider);
          const copies = [secret, ciphertext, senderData, aad].map((x) => x.slice());
          const { key, nonce } = senderDataKeyNonce(suite, secret, ciphertext);
          const sealed = provider.mlsSenderDataSeal(suite.aead, secret, ciphertext, senderData, aad);
          expect(sealed).toEqual(objectSeal(referenceProvider, suite.aead, key, nonce, senderData, aad));
          expect(provider.mlsSenderDataOpen(suite.aead, secret, ciphertext, sealed, aad)).toEqual(senderData);
          // the bytes past the sample do not count
          if (ciphertext.length > 32) expect(provider.mlsSenderDataOpen(suite.aead, secret, flip(ciphertext, 40), sealed, aad)).toEqual(senderData);
          expect([secret, ciphertext, senderData, aad]).toEqual(copies);
        },
      ), { seed: FUZZ_SEED, numRuns: 40 });
    });

    it('a changed sample, secret, AAD or sealed byte, or fewer than 16 bytes, is AuthenticationError', () => {
      const secret = provider.randomBytes(32), ct = provider.randomBytes(48), aad = Uint8Array.of(9), sd = provider.randomBytes(12);
      const sealed = provider.mlsSenderDataSeal('AES-128-GCM', secret, ct, sd, aad);
      const open = (s: Uint8Array, c: Uint8Array, x: Uint8Array, a: Uint8Array) => () => provider.mlsSenderDataOpen('AES-128-GCM', s, c, x, a);
      expect(open(secret, flip(ct, 31), sealed, aad)).toThrow(AuthenticationError);
      expect(open(flip(secret, 0), ct, sealed, aad)).toThrow(AuthenticationError);
      expect(open(secret, ct, sealed, Uint8Array.of(8))).toThrow(AuthenticationError);
      expect(open(secret, ct, flip(sealed, 20), aad)).toThrow(AuthenticationError);
      expect(open(secret, ct, new Uint8Array(15), aad)).toThrow(AuthenticationError);
      expect(() => provider.mlsSenderDataOpen('ChaCha20-Poly1305', secret, ct, sealed, aad)).toThrow(AuthenticationError);
    });

    it('an AAD beyond the one-call window gives the same answers', () => {
      const secret = provider.randomBytes(32), ct = provider.randomBytes(40), sd = provider.randomBytes(12), aad = provider.randomBytes(70_000);
      const sealed = provider.mlsSenderDataSeal('ChaCha20-Poly1305', secret, ct, sd, aad);
      expect(sealed).toEqual(referenceProvider.mlsSenderDataSeal('ChaCha20-Poly1305', secret, ct, sd, aad));
      expect(provider.mlsSenderDataOpen('ChaCha20-Poly1305', secret, ct, sealed, aad)).toEqual(sd);
    });

    it('refuses bad arguments: TypeError / RangeError', () => {
      const s = new Uint8Array(32), e = new Uint8Array(0);
      expect(() => provider.mlsSenderDataSeal('AES-128-GCM', new Uint8Array(16), e, e, e)).toThrow(RangeError);
      expect(() => provider.mlsSenderDataSeal('Salsa' as AeadName, s, e, e, e)).toThrow(TypeError);
      expect(() => provider.mlsSenderDataSeal('AES-128-GCM', s, null as unknown as Uint8Array, e, e)).toThrow(TypeError);
      expect(() => provider.mlsSenderDataOpen('AES-128-GCM', s, e, e, 7 as unknown as Uint8Array)).toThrow(TypeError);
    });
  });
});

describe('wasm and reference providers agree', () => {
  it('on random one-shot seals and sender data', async () => {
    const { wasmProvider } = await import('../../bindings/index.js');
    fc.assert(fc.property(
      fc.constantFrom(...AEADS), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 12, maxLength: 12 }),
      fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 50 }),
      ([name, nk], k32, nonce, data, aad) => {
        const key = k32.subarray(0, nk);
        expect(wasmProvider.aeadSeal(name, key, nonce, data, aad)).toEqual(referenceProvider.aeadSeal(name, key, nonce, data, aad));
        expect(wasmProvider.mlsSenderDataSeal(name, k32, data, nonce, aad)).toEqual(referenceProvider.mlsSenderDataSeal(name, k32, data, nonce, aad));
      },
    ), { seed: FUZZ_SEED, numRuns: 60 });
  });
});
