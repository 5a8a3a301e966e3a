// The Wesh symmetric ratchet (../shared/vectors/wesh/wesh_vectors.json), and the batched ratchet's
// agreement with the same step composed from hkdfExtract / hkdfExpand.
import { describe, expect, it } from 'vitest';
import { hkdfExpand, hkdfExtract, ratchetChain, ratchetChains } from '../../bindings/index.js';
import { forEachBuild } from '../helpers/builds.js';
import { hex, loadVectors, toHex } from '../helpers/vectors.js';

const wesh = loadVectors('wesh/wesh_vectors.json').vectors.ratchet;

function composedStep(chainKey: Uint8Array, salt: Uint8Array, info: Uint8Array) {
  const okm = hkdfExpand(hkdfExtract(salt, chainKey), info, 64);
  return { chainKey: okm.slice(0, 32), messageKey: okm.slice(32) };
}

forEachBuild(() => {
  describe('ratchetChain', () => {
    it('reproduces the Wesh ratchet steps (nil salt, info = group public key)', () => {
      const steps = wesh.steps as Array<{ counter: number; chain_key_in: string; message_key: string; chain_key_out: string }>;
      const result = ratchetChain(hex(wesh.initial_chain_key_counter0), new Uint8Array(0), hex(wesh.group_pk), steps.length);
      expect(result.messageKeys.map(toHex)).toEqual(steps.map((s) => s.message_key));
      expect(toHex(result.chainKey)).toBe(steps.at(-1)!.chain_key_out);
      // each step also runs alone from its recorded input
      for (const s of steps) {
        const one = ratchetChain(hex(s.chain_key_in), new Uint8Array(0), hex(wesh.group_pk), 1);
        expect(toHex(one.messageKeys[0])).toBe(s.message_key);
        expect(toHex(one.chainKey)).toBe(s.chain_key_out);
      }
    });

    it('agrees with the composed HKDF step across batch boundaries and odd input sizes', () => {
      const chainKey = Uint8Array.from({ length: 45 }, (_, i) => i * 7); // not 32: the first IKM may be any length
      const salt = Uint8Array.from({ length: 64 }, (_, i) => 255 - i);
      const info = Uint8Array.from({ length: 70 }, (_, i) => i ^ 0x5a);
      const steps = 4000; // more than one batch through the 64 KiB window
      const result = ratchetChain(chainKey, salt, info, steps);
      let ck = chainKey;
      for (let i = 0; i < steps; i++) {
        const step = composedStep(ck, salt, info);
        if (i % 997 === 0 || i === steps - 1) expect(toHex(result.messageKeys[i]), `step ${i}`).toBe(toHex(step.messageKey));
        ck = step.chainKey;
      }
      expect(toHex(result.chainKey)).toBe(toHex(ck));
    });

    it('returns a copy of the chain key and no message keys for zero steps', () => {
      const ck = Uint8Array.from({ length: 32 }, (_, i) => i);
      const result = ratchetChain(ck, new Uint8Array(0), new Uint8Array(0), 0);
      expect(result.messageKeys).toEqual([]);
      expect(result.chainKey).toEqual(ck);
      expect(result.chainKey).not.toBe(ck);
    });

    it('handles salt and info larger than the I/O window', () => {
      const ck = new Uint8Array(32).fill(1);
      const salt = new Uint8Array(70_000).fill(2);
      const info = new Uint8Array(70_000).fill(3);
      const step = composedStep(ck, salt, info);
      const result = ratchetChain(ck, salt, info, 1);
      expect(toHex(result.messageKeys[0])).toBe(toHex(step.messageKey));
      expect(toHex(result.chainKey)).toBe(toHex(step.chainKey));
    });

    it('ratchetChains equals ratchetChain per chain, across lanes, groups and odd inputs', () => {
      const mk = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * seed + 3) & 0xff);
      const chains = [
        // nine chains with 32-byte info: two full 4-lane batches and one single
        ...Array.from({ length: 9 }, (_, i) => ({ chainKey: mk(32, i + 1), salt: mk(i * 9, i + 2), info: mk(32, i + 3) })),
        // other info lengths, including one needing 3 blocks for T(2) and an empty one
        { chainKey: mk(32, 40), salt: mk(64, 41), info: mk(100, 42) },
        { chainKey: mk(32, 43), salt: mk(0, 44), info: mk(0, 45) },
        { chainKey: mk(32, 46), salt: mk(200, 47), info: mk(100, 48) },
        // chain keys that are not 32 bytes take their first step separately
        { chainKey: mk(16, 49), salt: mk(32, 50), info: mk(32, 51) },
        { chainKey: mk(0, 52), salt: mk(32, 53), info: mk(32, 54) },
      ];
      for (const steps of [0, 1, 3, 700]) {
        const batched = ratchetChains(chains, steps);
        expect(batched).toHaveLength(chains.length);
        chains.forEach((c, i) => {
          const single = ratchetChain(c.chainKey, c.salt, c.info, steps);
          expect(toHex(batched[i].chainKey), `chain ${i}, ${steps} steps`).toBe(toHex(single.chainKey));
          expect(batched[i].messageKeys.map(toHex)).toEqual(single.messageKeys.map(toHex));
        });
      }
    });

    it('ratchetChains reproduces the Wesh steps for four copies of the chain', () => {
      const chain = { chainKey: hex(wesh.initial_chain_key_counter0), salt: new Uint8Array(0), info: hex(wesh.group_pk) };
      for (const r of ratchetChains([chain, chain, chain, chain], wesh.steps.length)) {
        expect(r.messageKeys.map(toHex)).toEqual(wesh.steps.map((s: { message_key: string }) => s.message_key));
      }
    });
  });
});
