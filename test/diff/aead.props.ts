// Differential properties for the AEADs and secretbox: wirecrypt against node:crypto, @noble/ciphers
// and tweetnacl, lengths up to 65 536 (+ window edges) biased to block edges; round trips through
// sealInto/openInto; any single-bit change to sealed data, AAD or nonce → AuthenticationError.
import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import { chacha20poly1305 as nobleChaCha, xchacha20poly1305 as nobleXChaCha } from '@noble/ciphers/chacha.js';
import nacl from 'tweetnacl';
import * as w from '../../bindings/index.js';
import { bytesOfLength, bytesUpTo, integerIn, outcome } from './generators.js';
import type { Property } from './property.js';

const node = (alg: string, key: Uint8Array, nonce: Uint8Array, pt: Uint8Array, aad: Uint8Array) => {
  const c = createCipheriv(alg as 'chacha20-poly1305', key, nonce, { authTagLength: 16 });
  c.setAAD(aad, { plaintextLength: pt.length });
  return new Uint8Array(Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]));
};

/**
 * A flipped bit somewhere in one of (sealed, aad, nonce), chosen by `which` among the non-empty ones
 * (sealed always holds its tag), so that every run changes something.
 */
function tamper(parts: { sealed: Uint8Array; aad: Uint8Array; nonce: Uint8Array }, which: 0 | 1 | 2, at: number, bit: number) {
  const nonEmpty = (['sealed', 'aad', 'nonce'] as const).filter((k) => parts[k].length > 0);
  const key = nonEmpty[which % nonEmpty.length];
  const copy = parts[key].slice();
  copy[at % copy.length] ^= 1 << bit;
  return { ...parts, [key]: copy };
}

const tamperArgs = fc.tuple(fc.constantFrom<0 | 1 | 2>(0, 1, 2), fc.nat(), fc.integer({ min: 0, max: 7 }));

function aeadProperties(name: string, make: (k: Uint8Array) => w.Aead, nonceLen: number, oracle: (k: Uint8Array, n: Uint8Array, p: Uint8Array, a: Uint8Array) => Uint8Array): Property[] {
  return [
    {
      name: `${name} seal = oracle, open inverts it (sealInto/openInto too)`,
      property: fc.property(bytesOfLength(32), bytesOfLength(nonceLen), bytesUpTo(65_537), bytesUpTo(300), (key, nonce, pt, aad) => {
        const aead = make(key);
        const sealed = aead.seal(nonce, pt, aad);
        const into = new Uint8Array(pt.length + 16);
        aead.sealInto(into, nonce, pt, aad);
        const opened = new Uint8Array(pt.length);
        aead.openInto(opened, nonce, sealed, aad);
        aead.dispose();
        const expected = outcome(() => oracle(key, nonce, pt, aad));
        return outcome(() => sealed) === expected && outcome(() => into) === expected && outcome(() => opened) === outcome(() => pt);
      }),
    },
    {
      name: `${name} rejects any flipped bit in sealed data, AAD or nonce`,
      property: fc.property(bytesOfLength(32), bytesOfLength(nonceLen), bytesUpTo(2000), bytesUpTo(100), tamperArgs, (key, nonce, pt, aad, [which, at, bit]) => {
        const aead = make(key);
        const changed = tamper({ sealed: aead.seal(nonce, pt, aad), aad, nonce }, which, at, bit);
        const result = outcome(() => aead.open(changed.nonce, changed.sealed, changed.aad));
        aead.dispose();
        return result === 'throws:AuthenticationError';
      }),
    },
  ];
}

export const aeadProps: Property[] = [
  ...aeadProperties('chacha20-poly1305', w.chacha20Poly1305, 12, (k, n, p, a) => {
    const ours = node('chacha20-poly1305', k, n, p, a);
    const noble = nobleChaCha(k, n, a).encrypt(p);
    if (Buffer.compare(ours, noble) !== 0) throw new Error('node:crypto and noble disagree');
    return ours;
  }),
  ...aeadProperties('xchacha20-poly1305', w.xchacha20Poly1305, 24, (k, n, p, a) => nobleXChaCha(k, n, a).encrypt(p)),
  {
    name: 'secretbox = tweetnacl, and rejects a flipped bit',
    property: fc.property(bytesOfLength(32), bytesOfLength(24), bytesUpTo(65_537), integerIn(0, 1 << 20), fc.integer({ min: 0, max: 7 }), (key, nonce, msg, at, bit) => {
      const box = w.secretbox(key);
      const boxed = box.seal(nonce, msg);
      const same = outcome(() => boxed) === outcome(() => nacl.secretbox(msg, nonce, key)) && outcome(() => box.open(nonce, boxed)) === outcome(() => msg);
      const bad = boxed.slice();
      bad[at % bad.length] ^= 1 << bit;
      const rejected = outcome(() => box.open(nonce, bad)) === 'throws:AuthenticationError';
      box.dispose();
      return same && rejected;
    }),
  },
];
