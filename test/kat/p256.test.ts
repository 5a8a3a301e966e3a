// P-256 through @noble/curves behind wirecrypt's interface: every Wycheproof ecdh_secp256r1 and
// ecdsa_secp256r1_sha256 case, valid, invalid and acceptable as flagged.
import { describe, expect, it } from 'vitest';
import { InvalidKeyError, p256 } from '../../bindings/index.js';
import { p256PointFromSpki } from '../helpers/spki.js';
import { hex, toHex, wycheproofTests } from '../helpers/vectors.js';

interface EcdhTest { tcId: number; public: string; private: string; shared: string; result: string; flags: string[] }
interface EcdsaTest { tcId: number; msg: string; sig: string; result: string; flags: string[]; group: any }
const ecdh = wycheproofTests<EcdhTest>('wycheproof/ecdh_secp256r1_test.json');
const ecdsa = wycheproofTests<EcdsaTest>('wycheproof/ecdsa_secp256r1_sha256_test.json');

/** Wycheproof private keys are minimal big-endian integers, sometimes with a leading 00 (sign byte). */
function scalar32(text: string): Uint8Array {
  const b = hex(text.length % 2 ? `0${text}` : text);
  const out = new Uint8Array(32);
  const trimmed = b.subarray(Math.max(0, b.length - 32));
  out.set(trimmed, 32 - trimmed.length);
  return out;
}

describe('p256 (noble)', () => {
  it(`Wycheproof ECDH: all ${ecdh.length} cases`, () => {
    const seen = { valid: 0, invalid: 0, acceptable: 0 } as Record<string, number>;
    for (const t of ecdh) {
      seen[t.result]++;
      const point = p256PointFromSpki(hex(t.public));
      const where = `tcId ${t.tcId} ${t.flags}`;
      if (point === null) {
        // not a named-curve P-256 SPKI: never a valid case
        expect(t.result, where).not.toBe('valid');
        continue;
      }
      let shared: string | InvalidKeyError;
      try {
        shared = toHex(p256.ecdh(scalar32(t.private), point));
      } catch (err) {
        expect(err, where).toBeInstanceOf(InvalidKeyError);
        shared = err as InvalidKeyError;
      }
      if (t.result === 'valid') expect(shared, where).toBe(t.shared);
      else if (t.result === 'invalid') expect(shared, where).toBeInstanceOf(InvalidKeyError);
      else if (typeof shared === 'string') expect(shared, where).toBe(t.shared);
    }
    expect(seen.valid + seen.invalid + seen.acceptable).toBe(ecdh.length);
  });

  it(`Wycheproof ECDSA-SHA256 (DER): all ${ecdsa.length} cases`, () => {
    for (const t of ecdsa) {
      const ok = p256.verify(hex(t.group.publicKey.uncompressed), hex(t.msg), hex(t.sig), { format: 'der' });
      expect(ok, `tcId ${t.tcId} ${t.flags}`).toBe(t.result === 'valid');
    }
  });

  it('signs deterministically in both formats, and the signatures verify', () => {
    const { secretKey, publicKey } = p256.generateKeyPair();
    const msg = hex('00112233');
    const raw = p256.sign(secretKey, msg);
    expect(raw).toHaveLength(64);
    expect(toHex(p256.sign(secretKey, msg))).toBe(toHex(raw));
    const der = p256.sign(secretKey, msg, { format: 'der' });
    expect(der[0]).toBe(0x30);
    expect(p256.verify(publicKey, msg, raw)).toBe(true);
    expect(p256.verify(publicKey, msg, der, { format: 'der' })).toBe(true);
    expect(p256.verify(publicKey, msg, der)).toBe(false);
    expect(p256.verify(p256.publicKey(secretKey, true), msg, raw)).toBe(true);
  });
});
