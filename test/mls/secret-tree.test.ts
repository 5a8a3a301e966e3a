// RFC 9420 §9 secret tree and §6.3.2 sender-data keys against secret-tree.json (suites 1–3), on
// both providers, and the ratchet behaviour the vectors do not cover: out-of-order receipt within
// the window (§15.3), refusal of reused / expired / too-far generations with the state unchanged,
// and the §9.2 deletion schedule (consumed secrets wiped with zeros, the Figure 27 example).
import { describe, expect, it } from 'vitest';
import type { CryptoProvider } from '../../bindings/index.js';
import { type CipherSuite, cipherSuite } from '../../bindings/mls/crypto/cipher-suite.js';
import { deriveTreeSecret, expandWithLabel } from '../../bindings/mls/crypto/labels.js';
import { type KeyNonce, type RatchetType, SecretTree } from '../../bindings/mls/secret-tree.js';
import { senderDataKeyNonce } from './sender-data-reference.js';
import { forEachProvider } from '../helpers/providers.js';
import { hex, loadVectors, toHex, utf8 } from '../helpers/vectors.js';
import { bySuite } from './suites.js';
import { codeOf } from './mls-error.js';

interface Generation {
  generation: number;
  handshake_key: string;
  handshake_nonce: string;
  application_key: string;
  application_nonce: string;
}

interface Vector {
  cipher_suite: number;
  encryption_secret: string;
  sender_data: { sender_data_secret: string; ciphertext: string; key: string; nonce: string };
  leaves: Generation[][];
}

const TYPES: readonly RatchetType[] = ['handshake', 'application'];

const hexKN = (k: KeyNonce) => ({ key: toHex(k.key), nonce: toHex(k.nonce) });

// An independent, eager rendering of §9 for a full tree of n = 2^k leaves (root n − 1, children of
// a level-l node at ∓ 2^(l−1)), written without the module's lazy tree or its tree math.
function refNodeSecret(suite: CipherSuite, encryptionSecret: Uint8Array, nLeaves: number, node: number): Uint8Array {
  let x = nLeaves - 1;
  let secret = encryptionSecret;
  let half = nLeaves / 2;
  while (x !== node) {
    const goLeft = node < x;
    secret = expandWithLabel(suite, secret, 'tree', utf8(goLeft ? 'left' : 'right'), suite.hashLength);
    x = goLeft ? x - half : x + half;
    half /= 2;
  }
  return secret;
}

function refRatchetSecret(suite: CipherSuite, leafSecret: Uint8Array, type: RatchetType, generation: number): Uint8Array {
  let secret = expandWithLabel(suite, leafSecret, type, new Uint8Array(0), suite.hashLength);
  for (let j = 0; j < generation; j++) secret = deriveTreeSecret(suite, secret, 'secret', j, suite.hashLength);
  return secret;
}

function refKey(suite: CipherSuite, encryptionSecret: Uint8Array, nLeaves: number, leaf: number, type: RatchetType, generation: number) {
  const secret = refRatchetSecret(suite, refNodeSecret(suite, encryptionSecret, nLeaves, 2 * leaf), type, generation);
  return {
    key: toHex(deriveTreeSecret(suite, secret, 'key', generation, suite.keyLength)),
    nonce: toHex(deriveTreeSecret(suite, secret, 'nonce', generation, suite.nonceLength)),
  };
}

/** Suite 1 on a provider that records every HKDF-Expand output: the live array and its value then. */
function recordingSuite(provider: CryptoProvider) {
  const outputs: Array<{ live: Uint8Array; value: string }> = [];
  const hkdfExpand: CryptoProvider['hkdfExpand'] = (name, prk, info, length) => {
    const out = provider.hkdfExpand(name, prk, info, length);
    outputs.push({ live: out, value: toHex(out) });
    return out;
  };
  // A ratchet run comes back from one provider call: its keys and nonces, generation by generation, then the next secret.
  const secretTreeRatchet: CryptoProvider['secretTreeRatchet'] = (start, first, count, keyLength, nonceLength) => {
    const out = provider.secretTreeRatchet(start, first, count, keyLength, nonceLength);
    out.keys.forEach((key, i) => outputs.push({ live: key, value: toHex(key) }, { live: out.nonces[i]!, value: toHex(out.nonces[i]!) }));
    outputs.push({ live: out.next, value: toHex(out.next) });
    return out;
  };
  // The providers are frozen: the overrides are defined on an object inheriting from one.
  const recording: CryptoProvider = Object.create(provider, { hkdfExpand: { value: hkdfExpand }, secretTreeRatchet: { value: secretTreeRatchet } });
  const suite: CipherSuite = { ...cipherSuite(1, provider), provider: recording };
  return { suite, outputs };
}

const zero = (b: Uint8Array) => b.every((x) => x === 0);

const ALL = loadVectors<Vector[]>('mls/secret-tree.json');

forEachProvider((provider) => {
  describe('secret-tree.json', () => {
    const tally = bySuite('mls/secret-tree.json', ALL, provider.name);
    for (const v of tally.vectors) {
      it(`suite ${v.cipher_suite}, ${v.leaves.length} leaves`, () => {
        const suite = cipherSuite(v.cipher_suite, provider);
        const sd = v.sender_data;
        expect(hexKN(senderDataKeyNonce(suite, hex(sd.sender_data_secret), hex(sd.ciphertext)))).toEqual({ key: sd.key, nonce: sd.nonce });

        // Receiving: generation 0, then 15 (skipping 1…14), for every leaf and both ratchets.
        const receiver = new SecretTree(suite, hex(v.encryption_secret), v.leaves.length);
        let checked = 0;
        v.leaves.forEach((gens, leaf) => {
          for (const g of gens) {
            expect(hexKN(receiver.keyForReceive(leaf, 'handshake', g.generation)), `leaf ${leaf} handshake ${g.generation}`)
              .toEqual({ key: g.handshake_key, nonce: g.handshake_nonce });
            expect(hexKN(receiver.keyForReceive(leaf, 'application', g.generation)), `leaf ${leaf} application ${g.generation}`)
              .toEqual({ key: g.application_key, nonce: g.application_nonce });
            checked++;
          }
        });
        expect(checked).toBe(v.leaves.reduce((n, gens) => n + gens.length, 0));
        receiver.dispose();

        // Sending: every generation in turn up to the last one listed; the listed ones match.
        const sender = new SecretTree(suite, hex(v.encryption_secret), v.leaves.length);
        v.leaves.forEach((gens, leaf) => {
          for (const type of TYPES) {
            const wanted = new Map(gens.map((g) => [g.generation, g]));
            const last = Math.max(...gens.map((g) => g.generation));
            for (let j = 0; j <= last; j++) {
              const k = sender.keyForSend(leaf, type);
              expect(k.generation).toBe(j);
              const g = wanted.get(j);
              if (g) expect(hexKN(k), `leaf ${leaf} ${type} send ${j}`).toEqual({ key: g[`${type}_key`], nonce: g[`${type}_nonce`] });
            }
          }
        });
        sender.dispose();
        tally.pass();
      });
    }
  });

  describe('SecretTree behaviour', () => {
    // The suite-1, 8-leaf vector: its values are the expected ones where the vector lists them.
    const v = ALL.find((x) => x.cipher_suite === 1 && x.leaves.length === 8)!;
    const suite = cipherSuite(1, provider);
    const secret = hex(v.encryption_secret);
    const at = (leaf: number, generation: number, type: RatchetType) => {
      const g = v.leaves[leaf].find((x) => x.generation === generation)!;
      return { key: g[`${type}_key`], nonce: g[`${type}_nonce`] };
    };

    it('the independent reference agrees with the vector', () => {
      for (let leaf = 0; leaf < v.leaves.length; leaf++) {
        for (const type of TYPES) for (const g of [0, 15]) expect(refKey(suite, secret, 8, leaf, type, g)).toEqual(at(leaf, g, type));
      }
    });

    it('receives out of order within the window', () => {
      const tree = new SecretTree(suite, secret, 8);
      expect(hexKN(tree.keyForReceive(2, 'application', 15))).toEqual(at(2, 15, 'application'));
      expect(tree.ratchetState(2, 'application')).toEqual({ nextGeneration: 16, skippedGenerations: [...Array(15).keys()] });
      expect(hexKN(tree.keyForReceive(2, 'application', 0))).toEqual(at(2, 0, 'application'));
      expect(hexKN(tree.keyForReceive(2, 'application', 7))).toEqual(refKey(suite, secret, 8, 2, 'application', 7));
      expect(tree.ratchetState(2, 'application').skippedGenerations).toEqual([1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14]);
      // The other ratchet of the leaf is untouched by all this.
      expect(tree.ratchetState(2, 'handshake')).toEqual({ nextGeneration: 0, skippedGenerations: [] });
      expect(hexKN(tree.keyForReceive(2, 'handshake', 0))).toEqual(at(2, 0, 'handshake'));
      // Exactly maxForward (1000) past the next generation (16) is accepted.
      expect(hexKN(tree.keyForReceive(2, 'application', 1016))).toEqual(refKey(suite, secret, 8, 2, 'application', 1016));
      expect(hexKN(tree.keyForReceive(2, 'application', 1000))).toEqual(refKey(suite, secret, 8, 2, 'application', 1000));
      tree.dispose();
    });

    it('deletes a key once used: a second request for the same generation is refused', () => {
      const tree = new SecretTree(suite, secret, 8);
      expect(hexKN(tree.keyForReceive(5, 'handshake', 0))).toEqual(at(5, 0, 'handshake'));
      expect(codeOf(() => tree.keyForReceive(5, 'handshake', 0))).toBe('generation-reused');
      expect(hexKN(tree.keyForReceive(5, 'handshake', 15))).toEqual(at(5, 15, 'handshake'));
      expect(hexKN(tree.keyForReceive(5, 'handshake', 3))).toEqual(refKey(suite, secret, 8, 5, 'handshake', 3));
      expect(codeOf(() => tree.keyForReceive(5, 'handshake', 3))).toBe('generation-reused'); // a skipped key, taken
      expect(codeOf(() => tree.keyForReceive(5, 'handshake', 15))).toBe('generation-reused');
      // A generation used for sending is gone for receiving too (the same ratchet).
      const sent = tree.keyForSend(6, 'application');
      expect(sent.generation).toBe(0);
      expect(hexKN(sent)).toEqual(at(6, 0, 'application'));
      expect(codeOf(() => tree.keyForReceive(6, 'application', 0))).toBe('generation-reused');
      const next = tree.keyForSend(6, 'application');
      expect(next.generation).toBe(1);
      expect(hexKN(next)).toEqual(refKey(suite, secret, 8, 6, 'application', 1));
      tree.dispose();
    });

    it('refuses reuse and too-far generations leaving the state unchanged', () => {
      const tree = new SecretTree(suite, secret, 8);
      // Too far on an untouched tree: nothing is derived, not even the path to the leaf.
      expect(codeOf(() => tree.keyForReceive(3, 'application', 1001))).toBe('generation-too-far');
      expect(tree.heldNodeSecrets()).toEqual([7]);
      expect(tree.ratchetState(3, 'application')).toEqual({ nextGeneration: 0, skippedGenerations: [] });

      expect(hexKN(tree.keyForReceive(3, 'application', 15))).toEqual(at(3, 15, 'application'));
      const before = { nodes: tree.heldNodeSecrets(), state: tree.ratchetState(3, 'application') };
      expect(codeOf(() => tree.keyForReceive(3, 'application', 15))).toBe('generation-reused');
      expect(codeOf(() => tree.keyForReceive(3, 'application', 16 + 1001))).toBe('generation-too-far');
      expect(codeOf(() => tree.keyForReceive(3, 'application', 0xffffffff))).toBe('generation-too-far');
      expect({ nodes: tree.heldNodeSecrets(), state: tree.ratchetState(3, 'application') }).toEqual(before);
      // …and the ratchet still serves what it held and what comes next, with the right values.
      expect(hexKN(tree.keyForReceive(3, 'application', 0))).toEqual(at(3, 0, 'application'));
      expect(hexKN(tree.keyForReceive(3, 'application', 16))).toEqual(refKey(suite, secret, 8, 3, 'application', 16));
      expect(tree.keyForSend(3, 'application').generation).toBe(17);

      expect(codeOf(() => tree.keyForReceive(8, 'application', 0))).toBe('leaf-out-of-range');
      expect(() => tree.keyForReceive(0, 'application', -1)).toThrow(RangeError);
      expect(() => tree.keyForReceive(0, 'application', 2 ** 32)).toThrow(RangeError);
      expect(() => tree.keyForReceive(0, 'other' as RatchetType, 0)).toThrow(TypeError);
      tree.dispose();
    });

    it('bounds the skipped keys it keeps (oldest dropped first) and the forward window', () => {
      const { suite: spied, outputs } = recordingSuite(provider);
      const tree = new SecretTree(spied, secret, 8, { maxSkipped: 3, maxForward: 20 });
      expect(hexKN(tree.keyForReceive(1, 'application', 10))).toEqual(refKey(suite, secret, 8, 1, 'application', 10));
      expect(tree.ratchetState(1, 'application').skippedGenerations).toEqual([7, 8, 9]);
      for (const g of [0, 6]) expect(codeOf(() => tree.keyForReceive(1, 'application', g))).toBe('generation-expired');
      expect(hexKN(tree.keyForReceive(1, 'application', 8))).toEqual(refKey(suite, secret, 8, 1, 'application', 8));
      expect(codeOf(() => tree.keyForReceive(1, 'application', 8))).toBe('generation-reused');
      expect(hexKN(tree.keyForReceive(1, 'application', 14))).toEqual(refKey(suite, secret, 8, 1, 'application', 14));
      expect(tree.ratchetState(1, 'application').skippedGenerations).toEqual([11, 12, 13]);
      expect(codeOf(() => tree.keyForReceive(1, 'application', 9))).toBe('generation-expired');
      // Keys dropped unused (0…6 at once, 7 and 9 evicted later) were wiped; the held ones were not.
      const d1 = refNodeSecret(suite, secret, 8, 2);
      const keyLive = (j: number) => {
        const value = toHex(deriveTreeSecret(suite, refRatchetSecret(suite, d1, 'application', j), 'key', j, 16));
        return outputs.find((o) => o.value === value)!.live;
      };
      for (const j of [0, 1, 2, 3, 4, 5, 6, 7, 9]) expect(zero(keyLive(j)), `K${j} wiped`).toBe(true);
      for (const j of [11, 12, 13]) expect(zero(keyLive(j)), `K${j} held`).toBe(false);
      expect(hexKN(tree.keyForReceive(1, 'application', 12))).toEqual(refKey(suite, secret, 8, 1, 'application', 12));
      expect(codeOf(() => tree.keyForReceive(1, 'application', 15 + 21))).toBe('generation-too-far');
      expect(hexKN(tree.keyForReceive(1, 'application', 15 + 20))).toEqual(refKey(suite, secret, 8, 1, 'application', 35));
      tree.dispose();
    });

    it('follows the §9.2 deletion schedule of Figure 27 and wipes consumed secrets with zeros', () => {
      const { suite: spied, outputs } = recordingSuite(provider);
      const enc = hex(ALL.find((x) => x.cipher_suite === 1)!.encryption_secret);

      // Four members A…D (leaves 0…3): nodes A 0, E 1, B 2, G 3, C 4, F 5, D 6. Receive D's
      // application generation 1 without generation 0.
      const tree = new SecretTree(spied, enc, 4);
      const k1 = tree.keyForReceive(3, 'application', 1);
      expect(hexKN(k1)).toEqual(refKey(suite, enc, 4, 3, 'application', 1));
      expect(tree.heldNodeSecrets()).toEqual([1, 4]); // E and C kept; G, F and D consumed
      expect(tree.ratchetState(3, 'application')).toEqual({ nextGeneration: 2, skippedGenerations: [0] }); // K0/N0 kept
      expect(tree.ratchetState(3, 'handshake')).toEqual({ nextGeneration: 0, skippedGenerations: [] }); // HR0 kept

      const node = (x: number) => toHex(refNodeSecret(suite, enc, 4, x));
      const d = refNodeSecret(suite, enc, 4, 6);
      const ar = (j: number) => refRatchetSecret(suite, d, 'application', j);
      const named = {
        E: node(1), F: node(5), C: node(4), D: node(6),
        HR0: toHex(refRatchetSecret(suite, d, 'handshake', 0)), AR0: toHex(ar(0)), AR1: toHex(ar(1)), AR2: toHex(ar(2)),
        K0: toHex(deriveTreeSecret(suite, ar(0), 'key', 0, 16)), N0: toHex(deriveTreeSecret(suite, ar(0), 'nonce', 0, 12)),
      };
      const live = (name: keyof typeof named) => {
        const found = outputs.filter((o) => o.value === named[name]);
        expect(found, name).toHaveLength(1); // each value was derived exactly once
        return found[0].live;
      };
      for (const name of ['F', 'D', 'AR0'] as const) expect(zero(live(name)), `${name} wiped`).toBe(true);
      for (const name of ['E', 'C', 'HR0', 'AR2', 'K0', 'N0'] as const) expect(zero(live(name)), `${name} kept`).toBe(false);
      // AR1, between the two generations derived in one provider call, never leaves the provider.
      expect(outputs.filter((o) => o.value === named.AR1)).toHaveLength(0);
      expect(outputs).toHaveLength(11); // E F C D HR0 AR0 K0 N0 K1 N1 AR2: nothing more was derived

      // Taking K0/N0 hands them over (the tree drops them, the caller owns them).
      const k0 = tree.keyForReceive(3, 'application', 0);
      expect(hexKN(k0)).toEqual({ key: named.K0, nonce: named.N0 });
      expect(tree.ratchetState(3, 'application').skippedGenerations).toEqual([]);

      // Three steps at once on D's handshake ratchet, in one provider call: HR1 and HR2 are
      // intermediate secrets that never leave it, HR0 is wiped; HR3 and the skipped keys of
      // generations 0 and 1 are kept.
      const hr = (j: number) => refRatchetSecret(suite, d, 'handshake', j);
      const hk = (j: number) => toHex(deriveTreeSecret(suite, hr(j), 'key', j, 16));
      const hrLive = (j: number) => outputs.find((o) => o.value === toHex(hr(j)))!.live;
      const hkLive = (j: number) => outputs.find((o) => o.value === hk(j))!.live;
      expect(hexKN(tree.keyForReceive(3, 'handshake', 2))).toEqual(refKey(suite, enc, 4, 3, 'handshake', 2));
      expect(outputs).toHaveLength(11 + 7); // three keys and nonces, and the next secret
      expect(zero(hrLive(0)), 'HR0 wiped').toBe(true);
      for (const j of [1, 2]) expect(outputs.some((o) => o.value === toHex(hr(j))), `HR${j} never out`).toBe(false);
      expect(zero(hrLive(3)), 'HR3 kept').toBe(false);
      for (const j of [0, 1]) expect(zero(hkLive(j)), `skipped HK${j} kept`).toBe(false);

      // dispose wipes everything still held: node secrets, ratchet secrets, skipped keys.
      tree.dispose();
      for (const name of ['E', 'C', 'AR2'] as const) expect(zero(live(name)), `${name} wiped by dispose`).toBe(true);
      expect(zero(hrLive(3)), 'HR3 wiped by dispose').toBe(true);
      for (const j of [0, 1]) expect(zero(hkLive(j)), `skipped HK${j} wiped by dispose`).toBe(true);
      for (const k of [k0, k1]) expect(zero(k.key) || zero(k.nonce)).toBe(false); // keys handed out are the caller's
      expect(codeOf(() => tree.keyForSend(0, 'handshake'))).toBe('secret-tree-disposed');
      expect(codeOf(() => tree.keyForReceive(0, 'handshake', 0))).toBe('secret-tree-disposed');
    });

    it('keeps its own copy of the encryption secret and checks its arguments', () => {
      const mine = Uint8Array.from(secret);
      const tree = new SecretTree(suite, mine, 8);
      mine.fill(0);
      expect(hexKN(tree.keyForReceive(4, 'handshake', 0))).toEqual(at(4, 0, 'handshake'));
      tree.dispose();
      expect(Buffer.from(secret).equals(Buffer.from(hex(v.encryption_secret)))).toBe(true);

      expect(() => new SecretTree(suite, secret, 5)).toThrow(RangeError);
      expect(() => new SecretTree(suite, secret, 0)).toThrow(RangeError);
      expect(() => new SecretTree(suite, secret.subarray(1), 8)).toThrow(RangeError);
      expect(() => new SecretTree(suite, secret, 8, { maxForward: -1 })).toThrow(RangeError);

      const single = new SecretTree(suite, secret, 1); // one leaf: the root is the leaf
      expect(hexKN(single.keyForReceive(0, 'application', 2))).toEqual(refKey(suite, secret, 1, 0, 'application', 2));
      single.dispose();
    });

    it('sender data: only the first Nh bytes of the ciphertext count, all of a shorter one', () => {
      const sd = v.sender_data;
      const sds = hex(sd.sender_data_secret);
      const ct = hex(sd.ciphertext);
      const tail = Uint8Array.from(ct);
      tail[32] ^= 1;
      tail[ct.length - 1] ^= 1;
      expect(hexKN(senderDataKeyNonce(suite, sds, tail))).toEqual({ key: sd.key, nonce: sd.nonce });
      const head = Uint8Array.from(ct);
      head[31] ^= 1;
      expect(hexKN(senderDataKeyNonce(suite, sds, head)).key).not.toBe(sd.key);
      const short = ct.subarray(0, 20);
      expect(hexKN(senderDataKeyNonce(suite, sds, short))).toEqual({
        key: toHex(expandWithLabel(suite, sds, 'key', short, 16)),
        nonce: toHex(expandWithLabel(suite, sds, 'nonce', short, 12)),
      });
      expect(hexKN(senderDataKeyNonce(suite, sds, short)).key).not.toBe(sd.key);
      const suite3 = cipherSuite(3, provider);
      expect(senderDataKeyNonce(suite3, sds, ct).key).toHaveLength(32);
    });
  });
});
