// The Wesh symmetric ratchet (../shared/vectors/wesh/wesh_vectors.json), and the batched ratchet's
// agreement with the same step composed from hkdfExtract / hkdfExpand.
import { describe, expect, it } from 'vitest';
import { hkdfExpand, hkdfExtract, ratchetChain } from '../../bindings/index.js';
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
  });
});
