// RFC 9420 §5 labelled primitives against crypto-basics.json (suites 1–3), on both providers, and
// the variable-length integer headers of deserialization.json.
import { describe, expect, it } from 'vitest';
import { ByteReader } from '../../bindings/codec/reader.js';
import { ByteWriter } from '../../bindings/codec/writer.js';
import { readVarint, writeVarint } from '../../bindings/codec/tls.js';
import { cipherSuite } from '../../bindings/mls/crypto/cipher-suite.js';
import {
  decryptWithLabel, deriveSecret, deriveTreeSecret, encryptWithLabel, expandWithLabel, refHash, signWithLabel, verifyWithLabel,
} from '../../bindings/mls/crypto/labels.js';
import { forEachProvider } from '../helpers/providers.js';
import { hex, loadVectors, toHex } from '../helpers/vectors.js';
import { bySuite } from './suites.js';

describe('deserialization.json: MLS varint headers', () => {
  const vectors = loadVectors<{ vlbytes_header: string; length: number }[]>('mls/deserialization.json');
  it(`decodes and re-encodes all ${vectors.length} headers`, () => {
    for (const v of vectors) {
      const r = new ByteReader(hex(v.vlbytes_header));
      expect(readVarint(r, 'header')).toBe(v.length);
      expect(r.remaining).toBe(0);
      expect(toHex(writeVarint(new ByteWriter(), v.length).finish())).toBe(v.vlbytes_header);
    }
    console.log(`mls/deserialization.json: ${vectors.length} of ${vectors.length} vectors ran and passed`);
  });
  it('refuses non-minimal encodings, the 0b11 prefix and lengths past 2^30 − 1', () => {
    for (const bad of ['4000', '403f', '80000000', '80003fff', 'c0', 'ff']) expect(() => readVarint(new ByteReader(hex(bad)), 'x'), bad).toThrow(/minimal|reserved/);
    expect(() => writeVarint(new ByteWriter(), 2 ** 30)).toThrow(RangeError);
  });
});

forEachProvider((provider) => {
  describe('crypto-basics.json', () => {
    const tally = bySuite('mls/crypto-basics.json', loadVectors<any[]>('mls/crypto-basics.json'), provider.name);
    for (const v of tally.vectors) {
      it(`suite ${v.cipher_suite}`, () => {
        const suite = cipherSuite(v.cipher_suite, provider);
        const r = v.ref_hash;
        expect(toHex(refHash(suite, r.label, hex(r.value)))).toBe(r.out);
        const e = v.expand_with_label;
        expect(toHex(expandWithLabel(suite, hex(e.secret), e.label, hex(e.context), e.length))).toBe(e.out);
        const d = v.derive_secret;
        expect(toHex(deriveSecret(suite, hex(d.secret), d.label))).toBe(d.out);
        const t = v.derive_tree_secret;
        expect(toHex(deriveTreeSecret(suite, hex(t.secret), t.label, t.generation, t.length))).toBe(t.out);

        const s = v.sign_with_label;
        expect(verifyWithLabel(suite, hex(s.pub), s.label, hex(s.content), hex(s.signature))).toBe(true);
        expect(verifyWithLabel(suite, hex(s.pub), `${s.label}!`, hex(s.content), hex(s.signature))).toBe(false);
        const ours = signWithLabel(suite, hex(s.priv), s.label, hex(s.content));
        expect(verifyWithLabel(suite, hex(s.pub), s.label, hex(s.content), ours)).toBe(true);
        if (suite.signature === 'Ed25519') expect(toHex(ours)).toBe(s.signature); // deterministic: the same bytes

        const x = v.encrypt_with_label;
        const opened = decryptWithLabel(suite, hex(x.priv), x.label, hex(x.context), { kemOutput: hex(x.kem_output), ciphertext: hex(x.ciphertext) });
        expect(toHex(opened)).toBe(x.plaintext);
        const sealed = encryptWithLabel(suite, hex(x.pub), x.label, hex(x.context), hex(x.plaintext));
        expect(toHex(decryptWithLabel(suite, hex(x.priv), x.label, hex(x.context), sealed))).toBe(x.plaintext);
        expect(() => decryptWithLabel(suite, hex(x.priv), 'other label', hex(x.context), sealed)).toThrow();
        tally.pass();
      });
    }
  });
});
