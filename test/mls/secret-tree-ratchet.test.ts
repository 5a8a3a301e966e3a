// The provider's batched secret-tree ratchet (secretTreeRatchet, RFC 9420 §9.1) against the chain
// taken one DeriveTreeSecret at a time through bindings/mls/crypto/labels.ts, on both providers:
// runs from generations 0, 1000 and 2^32 − 3, key lengths 16 and 32 (AES-128-GCM, ChaCha20-Poly1305),
// up to the per-call maximum; bad arguments are RangeErrors; `start` is left as it was.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RATCHET_MAX_STEPS_PER_CALL } from '../../bindings/provider/types.js';
import { cipherSuite } from '../../bindings/mls/crypto/cipher-suite.js';
import { deriveTreeSecret } from '../../bindings/mls/crypto/labels.js';
import { FUZZ_SEED } from '../diff/property.js';
import { forEachProvider } from '../helpers/providers.js';

forEachProvider((provider) => {
  describe('secretTreeRatchet', () => {
    for (const suiteId of [1, 3]) {
      const suite = cipherSuite(suiteId, provider);
      it(`suite ${suiteId}: equals DeriveTreeSecret step by step`, () => {
        fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.constantFrom(0, 1, 1000, 2 ** 32 - 3), fc.integer({ min: 0, max: 3 }), (start, first, count) => {
          const copy = start.slice();
          const got = provider.secretTreeRatchet(start, first, count, suite.keyLength, suite.nonceLength);
          expect(start).toEqual(copy);
          let secret = start;
          for (let i = 0; i < count; i++) {
            const j = first + i;
            expect(got.keys[i]).toEqual(deriveTreeSecret(suite, secret, 'key', j, suite.keyLength));
            expect(got.nonces[i]).toEqual(deriveTreeSecret(suite, secret, 'nonce', j, suite.nonceLength));
            secret = deriveTreeSecret(suite, secret, 'secret', j, 32);
          }
          expect(got.next).toEqual(secret);
        }), { seed: FUZZ_SEED, numRuns: 40 });
      });
    }

    it('a full call of the per-call maximum agrees with the same run in two calls', () => {
      const start = provider.randomBytes(32);
      const all = provider.secretTreeRatchet(start, 5, RATCHET_MAX_STEPS_PER_CALL, 16, 12);
      const a = provider.secretTreeRatchet(start, 5, 600, 16, 12);
      const b = provider.secretTreeRatchet(a.next, 605, RATCHET_MAX_STEPS_PER_CALL - 600, 16, 12);
      expect([...a.keys, ...b.keys]).toEqual(all.keys);
      expect([...a.nonces, ...b.nonces]).toEqual(all.nonces);
      expect(b.next).toEqual(all.next);
    });

    it('refuses bad arguments with RangeError', () => {
      const s = new Uint8Array(32);
      expect(() => provider.secretTreeRatchet(new Uint8Array(31), 0, 1, 16, 12)).toThrow(RangeError);
      expect(() => provider.secretTreeRatchet(s, -1, 1, 16, 12)).toThrow(RangeError);
      expect(() => provider.secretTreeRatchet(s, 0, RATCHET_MAX_STEPS_PER_CALL + 1, 16, 12)).toThrow(RangeError);
      expect(() => provider.secretTreeRatchet(s, 2 ** 32 - 1, 2, 16, 12)).toThrow(RangeError);
      expect(() => provider.secretTreeRatchet(s, 0, 1, 0, 12)).toThrow(RangeError);
      expect(() => provider.secretTreeRatchet(s, 0, 1, 16, 33)).toThrow(RangeError);
      expect(() => provider.secretTreeRatchet(s, 0.5, 1, 16, 12)).toThrow(RangeError);
    });
  });
});
