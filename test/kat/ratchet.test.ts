// The Wesh symmetric ratchet (../shared/vectors/wesh/wesh_vectors.json: 5 steps), and the single and
// batched ratchets against an independent oracle, the same step composed from node:crypto's HMAC
// (OpenSSL), and against the step composed from wirecrypt's own hkdfExtract / hkdfExpand.
import { createHmac, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hkdfExpand, hkdfExtract, ratchetChain, ratchetChains } from '../../bindings/index.js';
import { forEachBuild } from '../helpers/builds.js';
import { countCases, hex, loadVectors, toHex } from '../helpers/vectors.js';

const wesh = loadVectors('wesh/wesh_vectors.json').vectors.ratchet;
type WeshStep = { counter: number; chain_key_in: string; message_key: string; chain_key_out: string };
const weshSteps: WeshStep[] = wesh.steps;

interface Step { chainKey: Uint8Array; messageKey: Uint8Array }

function composedStep(chainKey: Uint8Array, salt: Uint8Array, info: Uint8Array): Step {
  const okm = hkdfExpand(hkdfExtract(salt, chainKey), info, 64);
  return { chainKey: okm.slice(0, 32), messageKey: okm.slice(32) };
}

/** The oracle: one step from node:crypto's HMAC-SHA256, PRK = HMAC(salt, ck), then HKDF-Expand's T(1) ‖ T(2). */
function nodeStep(chainKey: Uint8Array, salt: Uint8Array, info: Uint8Array): Step {
  const prk = createHmac('sha256', salt).update(chainKey).digest();
  const t1 = createHmac('sha256', prk).update(info).update(Uint8Array.of(1)).digest();
  const t2 = createHmac('sha256', prk).update(t1).update(info).update(Uint8Array.of(2)).digest();
  return { chainKey: new Uint8Array(t1), messageKey: new Uint8Array(t2) };
}

/** `steps` oracle steps from `chainKey`: the message keys and the final chain key (a copy of the input for 0 steps). */
function nodeChain(chainKey: Uint8Array, salt: Uint8Array, info: Uint8Array, steps: number) {
  const messageKeys: string[] = [];
  const chainKeys: string[] = [toHex(chainKey)];
  let ck = chainKey;
  for (let i = 0; i < steps; i++) {
    const step = nodeStep(ck, salt, info);
    messageKeys.push(toHex(step.messageKey));
    chainKeys.push(toHex(step.chainKey));
    ck = step.chainKey;
  }
  return { messageKeys, chainKeys };
}

forEachBuild(() => {
  describe('ratchetChain', () => {
    it('reproduces all 5 Wesh ratchet steps (nil salt, info = group public key), as does the node:crypto oracle', () => {
      expect(weshSteps).toHaveLength(5);
      const count = countCases('wesh/wesh_vectors.json ratchet steps', weshSteps.length);
      const salt = new Uint8Array(0), info = hex(wesh.group_pk);
      const result = ratchetChain(hex(wesh.initial_chain_key_counter0), salt, info, weshSteps.length);
      expect(result.messageKeys.map(toHex)).toEqual(weshSteps.map((s) => s.message_key));
      expect(toHex(result.chainKey)).toBe(weshSteps.at(-1)!.chain_key_out);
      expect(weshSteps[0].chain_key_in).toBe(wesh.initial_chain_key_counter0);
      // each step also runs alone from its recorded input, and the oracle (also through hkdfSync) agrees
      weshSteps.forEach((s, i) => {
        expect(s.counter).toBe(i + 1);
        if (i > 0) expect(s.chain_key_in).toBe(weshSteps[i - 1].chain_key_out);
        const one = ratchetChain(hex(s.chain_key_in), salt, info, 1);
        expect(toHex(one.messageKeys[0])).toBe(s.message_key);
        expect(toHex(one.chainKey)).toBe(s.chain_key_out);
        const oracle = nodeStep(hex(s.chain_key_in), salt, info);
        expect(toHex(oracle.messageKey)).toBe(s.message_key);
        expect(toHex(oracle.chainKey)).toBe(s.chain_key_out);
        expect(Buffer.from(hkdfSync('sha256', hex(s.chain_key_in), salt, info, 64)).toString('hex')).toBe(s.chain_key_out + s.message_key);
        count.ran(s.counter);
      });
      count.done();
    });

    it('agrees with node:crypto and with the composed HKDF step across batch boundaries and odd input sizes', () => {
      const chainKey = Uint8Array.from({ length: 45 }, (_, i) => i * 7); // not 32: the first IKM may be any length
      const salt = Uint8Array.from({ length: 64 }, (_, i) => 255 - i);
      const info = Uint8Array.from({ length: 70 }, (_, i) => i ^ 0x5a);
      const steps = 4000; // more than one batch through the 64 KiB window
      const result = ratchetChain(chainKey, salt, info, steps);
      const oracle = nodeChain(chainKey, salt, info, steps);
      expect(result.messageKeys.map(toHex)).toEqual(oracle.messageKeys);
      expect(toHex(result.chainKey)).toBe(oracle.chainKeys[steps]);
      for (const i of [0, 1, 997, 1994, 2991, steps - 1]) {
        const step = composedStep(hex(oracle.chainKeys[i]), salt, info);
        expect(toHex(step.messageKey), `step ${i}`).toBe(oracle.messageKeys[i]);
        expect(toHex(step.chainKey), `step ${i}`).toBe(oracle.chainKeys[i + 1]);
      }
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
      const step = nodeStep(ck, salt, info);
      const result = ratchetChain(ck, salt, info, 1);
      expect(toHex(result.messageKeys[0])).toBe(toHex(step.messageKey));
      expect(toHex(result.chainKey)).toBe(toHex(step.chainKey));
      const composed = composedStep(ck, salt, info);
      expect(toHex(composed.messageKey)).toBe(toHex(step.messageKey));
      expect(toHex(composed.chainKey)).toBe(toHex(step.chainKey));
    });

    it('ratchetChains equals node:crypto and ratchetChain per chain, across lanes, groups and odd inputs', () => {
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
      const oracles = chains.map((c) => nodeChain(c.chainKey, c.salt, c.info, 700));
      for (const steps of [0, 1, 3, 700]) {
        const batched = ratchetChains(chains, steps);
        expect(batched).toHaveLength(chains.length);
        chains.forEach((c, i) => {
          const where = `chain ${i}, ${steps} steps`;
          expect(toHex(batched[i].chainKey), where).toBe(oracles[i].chainKeys[steps]);
          expect(batched[i].messageKeys.map(toHex), where).toEqual(oracles[i].messageKeys.slice(0, steps));
          const single = ratchetChain(c.chainKey, c.salt, c.info, steps);
          expect(toHex(single.chainKey), where).toBe(oracles[i].chainKeys[steps]);
          expect(single.messageKeys.map(toHex), where).toEqual(oracles[i].messageKeys.slice(0, steps));
        });
      }
    });

    it('ratchetChains reproduces the 5 Wesh steps for four copies of the chain', () => {
      const chain = { chainKey: hex(wesh.initial_chain_key_counter0), salt: new Uint8Array(0), info: hex(wesh.group_pk) };
      const results = ratchetChains([chain, chain, chain, chain], weshSteps.length);
      expect(results).toHaveLength(4);
      for (const r of results) {
        expect(r.messageKeys.map(toHex)).toEqual(weshSteps.map((s) => s.message_key));
        expect(toHex(r.chainKey)).toBe(weshSteps.at(-1)!.chain_key_out);
      }
    });
  });
});
