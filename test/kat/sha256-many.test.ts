// sha256Many packs many inputs into one wasm call (bindings/hash.ts, assembly/index.ts sha256_many:
// inputs back to back, their lengths, digests out), for a merge's content addresses and an MLS
// tree level's hashes. Checked against node:crypto for every length from 0 to 1,100 (the padding
// boundaries at 55, 56 and 64 bytes in every position of the batch), inputs of very different
// lengths, ones larger than the I/O window, counts of 1 to 7, and a merge-sized batch.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Many } from '../../bindings/hash.js';
import { forEachBuild } from '../helpers/builds.js';

const node = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest());
const input = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, j) => (seed * 131 + j * 17 + (j >> 8)) & 0xff);

forEachBuild(() => {
  describe('sha256Many', () => {
    it('equals node:crypto for every length 0 … 1,100, each length in every lane position', () => {
      for (let shift = 0; shift < 4; shift++) {
        const inputs = Array.from({ length: 1101 + shift }, (_, i) => input(Math.max(0, i - shift), i));
        expect(sha256Many(inputs)).toEqual(inputs.map(node));
      }
    });

    it('equals node:crypto for groups of very different lengths, long inputs among short ones, and counts of 1 to 7', () => {
      const lengths = [0, 1024, 3, 1025, 64, 5000, 119, 120, 55, 56, 0, 0, 70_000, 1, 2, 3, 300, 301, 302];
      const inputs = lengths.map((n, i) => input(n, i));
      expect(sha256Many(inputs)).toEqual(inputs.map(node));
      for (let count = 1; count <= 7; count++) {
        const some = inputs.slice(count, 2 * count);
        expect(sha256Many(some)).toEqual(some.map(node));
      }
    });

    it('hashes 50,000 blocks of a few hundred bytes as node:crypto does (a merge\'s content addresses)', () => {
      const inputs = Array.from({ length: 50_000 }, (_, i) => input(290 + (i % 23), i));
      const got = sha256Many(inputs);
      for (let i = 0; i < inputs.length; i += 997) expect(got[i], `input ${i}`).toEqual(node(inputs[i]));
      expect(got.length).toBe(inputs.length);
    });
  });
});
