// Differential properties for the hash family: wirecrypt against node:crypto and @noble/hashes.
import { createHash, createHmac, hkdfSync } from 'node:crypto';
import fc from 'fast-check';
import { hkdf as nobleHkdf, extract as nobleExtract, expand as nobleExpand } from '@noble/hashes/hkdf.js';
import { hmac as nobleHmac } from '@noble/hashes/hmac.js';
import { sha1 as nobleSha1 } from '@noble/hashes/legacy.js';
import { sha256 as nobleSha256, sha512 as nobleSha512 } from '@noble/hashes/sha2.js';
import { sha3_256 as nobleSha3_256 } from '@noble/hashes/sha3.js';
import * as w from '../../bindings/index.js';
import { bytesOfLength, bytesUpTo, integerIn, outcome, splitAt, splitPoints } from './generators.js';
import type { Property } from './property.js';

const HASHES = [
  { name: 'sha1', ours: w.sha1, create: w.createSha1, noble: nobleSha1, hmac: w.hmacSha1 },
  { name: 'sha256', ours: w.sha256, create: w.createSha256, noble: nobleSha256, hmac: w.hmacSha256 },
  { name: 'sha512', ours: w.sha512, create: w.createSha512, noble: nobleSha512, hmac: w.hmacSha512 },
  { name: 'sha3-256', ours: w.sha3_256, create: w.createSha3_256, noble: nobleSha3_256, hmac: w.hmacSha3_256 },
] as const;

const node = (alg: string, data: Uint8Array) => new Uint8Array(createHash(alg).update(data).digest());

/** The ratchet composed from noble's HKDF: the chain key then every message key (the input chain key for 0 steps). */
function nobleRatchet(chainKey: Uint8Array, salt: Uint8Array, info: Uint8Array, steps: number): Uint8Array[] {
  let ck = chainKey;
  const keys: Uint8Array[] = [];
  for (let i = 0; i < steps; i++) {
    const okm = nobleExpand(nobleSha256, nobleExtract(nobleSha256, ck, salt), info, 64);
    ck = okm.slice(0, 32);
    keys.push(okm.slice(32));
  }
  return [ck, ...keys];
}

export const hashProperties: Property[] = [
  ...HASHES.map((h) => ({
    name: `${h.name} one-shot = node:crypto = noble`,
    property: fc.property(bytesUpTo(4096), (data) => {
      const ours = outcome(() => h.ours(data));
      return ours === outcome(() => node(h.name, data)) && ours === outcome(() => h.noble(data));
    }),
  })),
  ...HASHES.map((h) => ({
    name: `${h.name} streaming with random splits = one-shot`,
    property: fc.property(bytesUpTo(4096), splitPoints(), (data, cuts) => {
      const hasher = h.create();
      for (const piece of splitAt(data, cuts)) hasher.update(piece);
      return outcome(() => hasher.digest()) === outcome(() => node(h.name, data));
    }),
  })),
  ...HASHES.map((h) => ({
    name: `hmac-${h.name} = node:crypto = noble`,
    property: fc.property(bytesUpTo(300), bytesUpTo(4096), (key, data) => {
      const ours = outcome(() => h.hmac(key, data));
      return ours === outcome(() => new Uint8Array(createHmac(h.name, key).update(data).digest()))
        && ours === outcome(() => nobleHmac(h.noble, key, data));
    }),
  })),
  {
    name: 'hkdf-sha256 (extract, expand, both) = node:crypto = noble',
    property: fc.property(bytesUpTo(300), bytesUpTo(300), bytesUpTo(600), integerIn(0, 8200), (ikm, salt, info, length) => {
      const ours = outcome(() => w.hkdf(ikm, salt, info, length));
      const split = outcome(() => w.hkdfExpand(w.hkdfExtract(salt, ikm), info, length));
      // node refuses an empty ikm and lengths above 255*32 with a RangeError, as we do for the latter;
      // Node 22's OpenSSL also refuses length 0 ("Deriving bits failed"), which RFC 5869 allows
      const viaNode = ikm.length === 0 || length === 0 ? ours : outcome(() => new Uint8Array(hkdfSync('sha256', ikm, salt, info, length)));
      const viaNoble = length > 8160 ? 'throws:RangeError' : outcome(() => nobleHkdf(nobleSha256, ikm, salt, info, length));
      return ours === split && ours === viaNode && ours === viaNoble;
    }),
  },
  {
    name: 'hkdf-sha3-256 (extract, expand, both) = noble',
    property: fc.property(bytesUpTo(300), bytesUpTo(300), bytesUpTo(600), integerIn(0, 8200), (ikm, salt, info, length) => {
      const ours = outcome(() => w.hkdfSha3_256(ikm, salt, info, length));
      const split = outcome(() => w.hkdfSha3_256Expand(w.hkdfSha3_256Extract(salt, ikm), info, length));
      // noble refuses lengths above 255*32 too, but with its own error class
      const viaNoble = length > 8160 ? 'throws:RangeError' : outcome(() => nobleHkdf(nobleSha3_256, ikm, salt, info, length));
      return ours === split && ours === viaNoble;
    }),
  },
  {
    name: 'ratchetChains = composed noble HKDF steps = ratchetChain, per chain',
    property: fc.property(
      fc.array(fc.record({ chainKey: bytesUpTo(40), salt: bytesUpTo(130), info: fc.constantFrom(0, 22, 23, 32, 54, 55, 100).chain(bytesOfLength) }), { maxLength: 9 }),
      integerIn(0, 12),
      (chains, steps) => {
        const batched = w.ratchetChains(chains, steps);
        return batched.length === chains.length && chains.every((c, i) => {
          const expected = outcome(() => nobleRatchet(c.chainKey, c.salt, c.info, steps));
          const one = w.ratchetChain(c.chainKey, c.salt, c.info, steps);
          return outcome(() => [batched[i].chainKey, ...batched[i].messageKeys]) === expected
            && outcome(() => [one.chainKey, ...one.messageKeys]) === expected;
        });
      },
    ),
  },
  {
    name: 'ratchetChain = composed noble HKDF steps',
    property: fc.property(bytesUpTo(80), bytesUpTo(130), bytesUpTo(130), integerIn(0, 40), (chainKey, salt, info, steps) => {
      const ours = w.ratchetChain(chainKey, salt, info, steps);
      return outcome(() => [ours.chainKey, ...ours.messageKeys]) === outcome(() => nobleRatchet(chainKey, salt, info, steps));
    }),
  },
];
