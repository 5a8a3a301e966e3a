// SHA3-256 (FIPS 202), HMAC-SHA3-256 and HKDF-SHA3-256, on both wasm builds:
// * the NIST example digests (empty, "abc", the 448- and 896-bit messages, a million 'a', 200 × 0xa3),
//   as literal hex and cross-checked against node:crypto;
// * every length 0 … 300 (around the 136-byte rate and its double) against node:crypto, one-shot and
//   streamed with a split at every position for lengths around the rate;
// * HMAC-SHA3-256 (block size 136) against node:crypto createHmac('sha3-256') and @noble/hashes;
// * HKDF-SHA3-256 against @noble/hashes hkdf(sha3_256, …), with empty salt and outputs up to 255 × 32;
// * Wesh's known answers (wesh_vectors.json vectors.group_derived: link key and push secret);
// * argument checks, and no secret residue in wasm memory after the keyed calls.
import { createHash, createHmac } from 'node:crypto';
import { hkdf as nobleHkdf, extract as nobleExtract, expand as nobleExpand } from '@noble/hashes/hkdf.js';
import { hmac as nobleHmac } from '@noble/hashes/hmac.js';
import { sha3_256 as nobleSha3 } from '@noble/hashes/sha3.js';
import { describe, expect, it } from 'vitest';
import {
  createSha3_256, HKDF_SHA3_256_MAX_LENGTH, hkdfSha3_256, hkdfSha3_256Expand, hkdfSha3_256Extract, hmacSha3_256, init, sha3_256,
} from '../../bindings/index.js';
import { engine } from '../../bindings/wasm/select.js';
import { forEachBuild } from '../helpers/builds.js';
import { hex, loadVectors, repeat, toHex, utf8 } from '../helpers/vectors.js';

const bytesOf = (seed: number, n: number) => Uint8Array.from({ length: n }, (_, i) => (seed * 131 + i * 29 + 1) & 0xff);
const nodeSha3 = (data: Uint8Array) => createHash('sha3-256').update(data).digest('hex');
const nodeHmac = (key: Uint8Array, data: Uint8Array) => createHmac('sha3-256', key).update(data).digest('hex');

// NIST FIPS 202 examples (csrc.nist.gov "Example Values", SHA3-256) and the FIPS 180-4 example
// messages hashed with SHA3-256.
const EXAMPLES: Array<[string, Uint8Array, string]> = [
  ['empty', new Uint8Array(0), 'a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a'],
  ['"abc"', utf8('abc'), '3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532'],
  ['448-bit message', utf8('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
    '41c0dba2a9d6240849100376a8235e2c82e1b9998a999e21db32dd97496d3376'],
  ['896-bit message', utf8('abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu'),
    '916f6061fe879741ca6469b43971dfdb28b1a32dc36cb3254e812be27aad1d18'],
  ['one million a', repeat(0x61, 1_000_000), '5c8875ae474a3634ba4fd55ec85bffd661f32aca75c6d699d0cdcb6c115891c1'],
  ['1600 bits of 0xa3', repeat(0xa3, 200), '79f38adec5c20307a98ef76e8324afbfd46cfd81b22e3973c65fa1bd9de31787'],
];

const RATE = 136;
const SPLIT_LENGTHS = [0, 1, 135, 136, 137, 271, 272, 273];
const KEY_LENGTHS = [0, 1, 31, 32, 33, 135, 136, 137, 200, 1000, 70_000]; // 70 000: over the 64 KiB window
const DATA_LENGTHS = [0, 1, 55, 135, 136, 137, 1000, 70_000];

interface WeshVectors {
  vectors: {
    group_derived: {
      group_public_key: string;
      group_secret: string;
      link_key_hkdf_sha3_256_info_group_pk: string;
      out_of_store_secret_info_push_secret_ref: string;
    };
  };
}

forEachBuild((build) => {
  describe('SHA3-256', () => {
    it('hashes the NIST examples (literal and = node:crypto), one-shot and streamed', () => {
      for (const [name, data, expected] of EXAMPLES) {
        expect(nodeSha3(data), `${name} (node:crypto)`).toBe(expected);
        expect(toHex(sha3_256(data)), name).toBe(expected);
        const h = createSha3_256();
        for (let off = 0, step = 1; off < data.length; off += step, step = (step * 7 + 3) % 70_001) {
          h.update(data.subarray(off, off + step));
        }
        expect(toHex(h.digest()), `${name} streamed`).toBe(expected);
      }
    });

    it('= node:crypto for every length 0 … 300', () => {
      for (let n = 0; n <= 300; n++) {
        const data = bytesOf(n, n);
        expect(toHex(sha3_256(data)), `length ${n}`).toBe(nodeSha3(data));
      }
    });

    it('streaming with a split at every position = one-shot, around the rate', () => {
      let cases = 0;
      for (const n of SPLIT_LENGTHS) {
        const data = bytesOf(n + 7, n);
        const expected = nodeSha3(data);
        for (let cut = 0; cut <= n; cut++) {
          const h = createSha3_256().update(data.subarray(0, cut)).update(data.subarray(cut));
          expect(toHex(h.digest()), `length ${n}, cut ${cut}`).toBe(expected);
          // and three pieces: the cut, then the rest split once more in its middle
          const mid = cut + ((n - cut) >> 1);
          const h3 = createSha3_256().update(data.subarray(0, cut)).update(data.subarray(cut, mid)).update(data.subarray(mid));
          expect(toHex(h3.digest()), `length ${n}, cuts ${cut}, ${mid}`).toBe(expected);
          cases++;
        }
      }
      expect(cases).toBe(SPLIT_LENGTHS.reduce((a, n) => a + n + 1, 0));
    });

    it('byte-by-byte updates over three blocks = node:crypto', () => {
      const data = bytesOf(3, 3 * RATE + 5);
      const h = createSha3_256();
      for (let i = 0; i < data.length; i++) h.update(data.subarray(i, i + 1));
      expect(toHex(h.update(new Uint8Array(0)).digest())).toBe(nodeSha3(data));
    });

    it('= node:crypto for inputs larger than the I/O window, and from unaligned views', () => {
      const big = bytesOf(9, 200_003);
      expect(toHex(sha3_256(big))).toBe(nodeSha3(big));
      expect(toHex(createSha3_256().update(big.subarray(3, 100_000)).update(big.subarray(100_000)).digest()))
        .toBe(nodeSha3(big.subarray(3)));
      expect(toHex(sha3_256(big.subarray(5, 5 + RATE)))).toBe(nodeSha3(big.subarray(5, 5 + RATE)));
    });

    it('checks its arguments as the other hashes do', () => {
      expect(() => sha3_256('abc' as unknown as Uint8Array)).toThrow(TypeError);
      expect(() => sha3_256([1, 2] as unknown as Uint8Array)).toThrow(/sha3_256: data must be a Uint8Array/);
      const h = createSha3_256();
      expect(() => h.update(new Uint16Array(4) as unknown as Uint8Array)).toThrow(TypeError);
      h.digest();
      expect(() => h.digest()).toThrow(/already finalized/);
      expect(() => h.update(new Uint8Array(1))).toThrow(/already finalized/);
    });
  });

  describe('HMAC-SHA3-256', () => {
    it('= node:crypto createHmac("sha3-256") = @noble/hashes for keys and data around the 136-byte block', () => {
      let cases = 0;
      for (const k of KEY_LENGTHS) {
        for (const d of DATA_LENGTHS) {
          const key = bytesOf(k, k), data = bytesOf(d + 1, d);
          const expected = nodeHmac(key, data);
          expect(toHex(hmacSha3_256(key, data)), `key ${k}, data ${d}`).toBe(expected);
          if (k <= 1000 && d <= 1000) expect(toHex(nobleHmac(nobleSha3, key, data)), `noble, key ${k}, data ${d}`).toBe(expected);
          cases++;
        }
      }
      expect(cases).toBe(KEY_LENGTHS.length * DATA_LENGTHS.length);
    });

    it('checks its arguments', () => {
      expect(() => hmacSha3_256(null as unknown as Uint8Array, new Uint8Array(1))).toThrow(/hmacSha3_256: key must be a Uint8Array/);
      expect(() => hmacSha3_256(new Uint8Array(1), {} as unknown as Uint8Array)).toThrow(/hmacSha3_256: data must be a Uint8Array/);
    });
  });

  describe('HKDF-SHA3-256', () => {
    const SALTS = [new Uint8Array(0), new Uint8Array(32), bytesOf(1, 13), bytesOf(2, 136), bytesOf(3, 137), bytesOf(4, 300)];
    const INFOS = [new Uint8Array(0), bytesOf(5, 10), bytesOf(6, 136), bytesOf(7, 500)];
    const LENGTHS = [0, 1, 31, 32, 33, 64, 100, 1000, HKDF_SHA3_256_MAX_LENGTH];

    it('= @noble/hashes hkdf(sha3_256, …): extract, expand and both; empty salt = 32 zero bytes', () => {
      const ikm = bytesOf(8, 40);
      let cases = 0;
      for (const salt of SALTS) {
        const prk = hkdfSha3_256Extract(salt, ikm);
        expect(toHex(prk), `extract, salt ${salt.length}`).toBe(toHex(nobleExtract(nobleSha3, ikm, salt)));
        for (const info of INFOS) {
          for (const length of LENGTHS) {
            const expected = toHex(nobleHkdf(nobleSha3, ikm, salt, info, length));
            const what = `salt ${salt.length}, info ${info.length}, length ${length}`;
            expect(toHex(hkdfSha3_256(ikm, salt, info, length)), what).toBe(expected);
            expect(toHex(hkdfSha3_256Expand(prk, info, length)), `expand, ${what}`).toBe(toHex(nobleExpand(nobleSha3, prk, info, length)));
            cases++;
          }
        }
      }
      expect(cases).toBe(SALTS.length * INFOS.length * LENGTHS.length);
      const info = bytesOf(9, 20);
      expect(toHex(hkdfSha3_256(ikm, new Uint8Array(0), info, 64))).toBe(toHex(hkdfSha3_256(ikm, new Uint8Array(32), info, 64)));
    });

    it('streams a PRK or info too long for the I/O window (= noble)', () => {
      const prk = bytesOf(10, 40), longInfo = bytesOf(11, 70_000), longPrk = bytesOf(12, 70_000);
      expect(toHex(hkdfSha3_256Expand(prk, longInfo, 100))).toBe(toHex(nobleExpand(nobleSha3, prk, longInfo, 100)));
      expect(toHex(hkdfSha3_256Expand(longPrk, bytesOf(13, 9), 65))).toBe(toHex(nobleExpand(nobleSha3, longPrk, bytesOf(13, 9), 65)));
      expect(toHex(hkdfSha3_256Expand(prk, bytesOf(14, 30_000), HKDF_SHA3_256_MAX_LENGTH)))
        .toBe(toHex(nobleExpand(nobleSha3, prk, bytesOf(14, 30_000), HKDF_SHA3_256_MAX_LENGTH)));
    });

    it('gives Wesh\'s known answers (wesh_vectors.json group_derived)', () => {
      const v = loadVectors<WeshVectors>('wesh/wesh_vectors.json').vectors.group_derived;
      const secret = hex(v.group_secret);
      // link_key = HKDF-SHA3-256(IKM = group secret, salt = nil, info = group public key)[0:32]
      expect(toHex(hkdfSha3_256(secret, new Uint8Array(0), hex(v.group_public_key), 32))).toBe(v.link_key_hkdf_sha3_256_info_group_pk);
      // push_secret = HKDF-SHA3-256(IKM = group secret, salt = nil, info = "push_secret_ref")[0:32]
      expect(toHex(hkdfSha3_256(secret, new Uint8Array(0), utf8('push_secret_ref'), 32))).toBe(v.out_of_store_secret_info_push_secret_ref);
      // the values quoted in the task, so that a change to the vector file cannot go unnoticed
      expect(v.link_key_hkdf_sha3_256_info_group_pk).toBe('4004c278efe603c1839207b0550baea58b9b5fb2ee9c232707c99996ed4727af');
      expect(v.out_of_store_secret_info_push_secret_ref).toBe('29280fc30bcf2250d236bc4d72df77bc6fb7a83461039c46d08cc5df9595285b');
      // a longer read has the 32 bytes as its prefix
      const long = hkdfSha3_256(secret, new Uint8Array(0), hex(v.group_public_key), 64);
      expect(toHex(long.subarray(0, 32))).toBe(v.link_key_hkdf_sha3_256_info_group_pk);
    });

    it('refuses lengths above 255 × 32 and non-integers, and non-bytes, as hkdf does', () => {
      const k = new Uint8Array(32);
      expect(HKDF_SHA3_256_MAX_LENGTH).toBe(8160);
      expect(() => hkdfSha3_256(k, k, k, 8161)).toThrow(RangeError);
      expect(() => hkdfSha3_256Expand(k, k, 8161)).toThrow(/hkdfSha3_256Expand: length must be in \[0, 8160\]/);
      expect(() => hkdfSha3_256Expand(k, k, -1)).toThrow(RangeError);
      expect(() => hkdfSha3_256Expand(k, k, 1.5)).toThrow(TypeError);
      expect(() => hkdfSha3_256(k, 'salt' as unknown as Uint8Array, k, 32)).toThrow(/hkdfSha3_256: salt must be a Uint8Array/);
      expect(() => hkdfSha3_256Extract(k, undefined as unknown as Uint8Array)).toThrow(/hkdfSha3_256Extract: ikm must be a Uint8Array/);
    });
  });

  describe('wiping', () => {
    // As test/wasm/residue.test.ts: after a keyed call, linear memory outside live objects' blocks is
    // byte for byte what it was at instantiation (scratch zero, constants as compiled).
    function residue(pristine: Uint8Array): string {
      const e = engine();
      const mem = e.u8;
      const allowed = e.allocatedRanges();
      for (let i = 0; i < mem.length; i++) {
        if ((i < pristine.length ? pristine[i] : 0) === mem[i]) continue;
        if (allowed.some(([s, t]) => s <= i && i < t)) continue;
        return `byte ${i} (heap_base ${e.abi.heap_base()})`;
      }
      return '';
    }

    it('leaves no trace of keys, PRKs or outputs in wasm memory', () => {
      init({ wasm: build }); // a fresh instance: memory as instantiated
      const pristine = engine().u8.slice();
      const key = bytesOf(20, 32), data = bytesOf(21, 100), big = bytesOf(22, 100_000);
      const calls: Array<[string, () => unknown]> = [
        ['hmacSha3_256', () => hmacSha3_256(key, data)],
        ['hmacSha3_256 long key, long data', () => hmacSha3_256(bytesOf(23, 300), big)],
        ['hmacSha3_256 key over the window', () => hmacSha3_256(big, data)],
        ['hkdfSha3_256Extract', () => hkdfSha3_256Extract(data, key)],
        ['hkdfSha3_256Expand', () => hkdfSha3_256Expand(key, data, 200)],
        ['hkdfSha3_256Expand streamed', () => hkdfSha3_256Expand(key, big, 100)],
        ['hkdfSha3_256', () => hkdfSha3_256(key, new Uint8Array(0), data, 8160)],
        ['createSha3_256 digest', () => createSha3_256().update(big).digest()],
      ];
      for (const [name, call] of calls) {
        call();
        expect(residue(pristine), name).toBe('');
      }
      // control: a plain one-shot hash keeps its input in the window, as documented for public data
      sha3_256(data);
      expect(residue(pristine)).not.toBe('');
    });
  });
});
