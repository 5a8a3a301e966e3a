// Linear memory: stays flat over a million calls after warm-up; growth (which detaches JS views)
// never yields wrong answers. That keyed calls leave nothing behind is residue.test.ts.
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as w from '../../bindings/index.js';
import { engine } from '../../bindings/wasm/select.js';
import { forEachBuild } from '../helpers/builds.js';

const marker = (seed: number, n = 32) => Uint8Array.from({ length: n }, (_, i) => (seed * 131 + i * 29 + 1) & 0xff);

forEachBuild(() => {
  describe('linear memory', () => {
    it('does not grow over 10^6 calls after warm-up', () => {
      const data = marker(1, 64);
      const key = marker(2);
      const nonce12 = data.subarray(0, 12), nonce24 = data.subarray(0, 24);
      const mixed = () => {
        w.sha256(data);
        w.hmacSha256(key, data);
        w.createSha512().update(data).digest();
        w.hkdf(key, data, data, 64);
        w.ratchetChain(key, data, data, 2);
        const aead = w.chacha20Poly1305(key);
        aead.open(nonce12, aead.seal(nonce12, data, key), key);
        aead.dispose();
        const gcm = w.aesGcm(key);
        gcm.open(nonce12, gcm.seal(nonce12, data), new Uint8Array(0));
        gcm.dispose();
        const box = w.secretbox(key);
        box.open(nonce24, box.seal(nonce24, data));
        box.dispose();
        const ctr = w.aesCtr(key, data.subarray(0, 16));
        ctr.update(data);
        ctr.dispose();
      };
      for (let i = 0; i < 1000; i++) mixed();
      const before = engine().memoryBytes;
      for (let i = 0; i < 1_000_000; i++) w.sha256(data);
      for (let i = 0; i < 20_000; i++) mixed();
      expect(engine().memoryBytes).toBe(before);
    });

    it('keeps answering correctly while memory grows (detached views are re-created)', () => {
      const data = marker(11, 1000);
      const expected = createHash('sha256').update(data).digest('hex');
      const hashers = [];
      const start = engine().memoryBytes;
      // each live hasher holds a context block; enough of them force several memory.grow calls
      for (let i = 0; engine().memoryBytes < start + 4 * 65536; i++) {
        hashers.push(w.createSha256().update(data));
        expect(Buffer.from(w.sha256(data)).toString('hex')).toBe(expected);
        expect(Buffer.from(w.hmacSha256(data, data)).toString('hex')).toBe(createHmac('sha256', data).update(data).digest('hex'));
      }
      for (const h of hashers) expect(Buffer.from(h.digest()).toString('hex')).toBe(expected);
    });
  });
});
