// Linear memory: stays flat over a million calls after warm-up; keyed operations leave no key
// material behind; growth (which detaches JS views) never yields wrong answers.
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as w from '../../bindings/index.js';
import { engine } from '../../bindings/wasm/select.js';
import { forEachBuild } from '../helpers/builds.js';

/** Whether `needle` occurs anywhere in linear memory. */
function inMemory(needle: Uint8Array): boolean {
  const hay = engine().u8;
  outer: for (let i = hay.indexOf(needle[0]); i !== -1 && i <= hay.length - needle.length; i = hay.indexOf(needle[0], i + 1)) {
    for (let j = 1; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

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

    it('leaves no HMAC key, HKDF secret or ratchet key in memory', () => {
      const key = marker(3);
      const ikm = marker(4);
      const prk = w.hkdfExtract(key, ikm);
      const okm = w.hkdf(ikm, key, marker(5, 8), 96);
      const ratchet = w.ratchetChain(marker(6), key, marker(7, 8), 5);
      w.hmacSha256(key, marker(8, 100));
      w.hmacSha512(marker(9, 200), marker(10, 10)); // long key: hashed first
      for (const secret of [key, ikm, prk, okm.subarray(0, 32), okm.subarray(64), marker(6), marker(9, 200).subarray(0, 32), ratchet.chainKey, ...ratchet.messageKeys]) {
        expect(inMemory(secret)).toBe(false);
      }
      // control: plain hash inputs are not wiped (documented), so the scan must find this one
      const plain = marker(12, 48);
      w.sha256(plain);
      expect(inMemory(plain)).toBe(true);
    });

    it('leaves no X25519, Ed25519, box or HPKE secret in memory', () => {
      const sk = marker(20);
      const peer = w.x25519.publicKey(marker(21));
      const shared = w.x25519.sharedSecret(sk, peer);
      const seed = marker(22);
      const signed = w.ed25519.sign(seed, marker(23, 40));
      const xSecret = w.ed25519.toX25519Secret(seed);
      const b = w.box(sk, peer);
      b.seal(marker(24, 24), marker(25, 10));
      b.dispose();
      const suite = w.hpke.suite({ kem: 'DHKEM(X25519, HKDF-SHA256)', kdf: 'HKDF-SHA256', aead: 'ChaCha20Poly1305' });
      const r = suite.deriveKeyPair(marker(26));
      const ctx = suite.setupBaseS(r.publicKey);
      ctx.seal(marker(27, 10));
      ctx.dispose();
      expect(signed).toHaveLength(64);
      // the clamped X25519 scalar, as the ladder stores it
      const clamped = sk.slice();
      clamped[0] &= 248;
      clamped[31] = (clamped[31] & 127) | 64;
      for (const secret of [sk, clamped, shared, seed, xSecret, r.secretKey]) expect(inMemory(secret)).toBe(false);
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
