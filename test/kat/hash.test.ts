// FIPS 180-4 example digests (NIST "Examples with intermediate values": one block, two blocks,
// a million 'a'), plus the empty message, on both wasm builds, one-shot and streaming.
import { describe, expect, it } from 'vitest';
import { createSha1, createSha256, createSha512, sha1, sha256, sha512 } from '../../bindings/index.js';
import { forEachBuild } from '../helpers/builds.js';
import { repeat, toHex, utf8 } from '../helpers/vectors.js';

const ABC = utf8('abc');
const TWO_BLOCKS_448 = utf8('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq');
const TWO_BLOCKS_896 = utf8(
  'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
);
const MILLION_A = repeat(0x61, 1_000_000);

const CASES = [
  { name: 'sha1', oneShot: sha1, create: createSha1, expect: {
    empty: 'da39a3ee5e6b4b0d3255bfef95601890afd80709',
    abc: 'a9993e364706816aba3e25717850c26c9cd0d89d',
    two: ['448', '84983e441c3bd26ebaae4aa1f95129e5e54670f1'],
    million: '34aa973cd4c4daa4f61eeb2bdbad27316534016f',
  } },
  { name: 'sha256', oneShot: sha256, create: createSha256, expect: {
    empty: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    abc: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    two: ['448', '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
    million: 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0',
  } },
  { name: 'sha512', oneShot: sha512, create: createSha512, expect: {
    empty: 'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e',
    abc: 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    two: ['896', '8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909'],
    million: 'e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b',
  } },
] as const;

forEachBuild(() => {
  for (const c of CASES) {
    describe(c.name, () => {
      const two = c.expect.two[0] === '448' ? TWO_BLOCKS_448 : TWO_BLOCKS_896;

      it('hashes the FIPS 180-4 examples one-shot', () => {
        expect(toHex(c.oneShot(new Uint8Array(0)))).toBe(c.expect.empty);
        expect(toHex(c.oneShot(ABC))).toBe(c.expect.abc);
        expect(toHex(c.oneShot(two))).toBe(c.expect.two[1]);
        expect(toHex(c.oneShot(MILLION_A))).toBe(c.expect.million);
      });

      it('hashes a million a in uneven streaming pieces', () => {
        const h = c.create();
        let off = 0;
        for (let step = 1; off < MILLION_A.length; step = (step * 7 + 3) % 70_001) {
          h.update(MILLION_A.subarray(off, off + step));
          off += step;
        }
        expect(toHex(h.digest())).toBe(c.expect.million);
      });

      it('gives the same digest byte by byte as in one update', () => {
        const h = c.create();
        for (let i = 0; i < two.length; i++) h.update(two.subarray(i, i + 1));
        expect(toHex(h.update(new Uint8Array(0)).digest())).toBe(c.expect.two[1]);
      });
    });
  }
});
