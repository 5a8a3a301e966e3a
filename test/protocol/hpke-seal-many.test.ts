// CryptoProvider.hpkeSealBase: RFC 9180 Base-mode Seal to many recipients in one provider call (one
// wasm call per I/O window on the wasm provider), and HpkeSuite.sealMany on top of it.
//   - known answers: RFC 9180's Base-mode X25519 vectors (ikmE as the ephemeral seed), all 3 AEADs;
//   - with injected seeds, both providers give the same bytes as seal() with that ephemeral key pair;
//   - every output opens with open() on the other provider, for the MLS suites and AES-256-GCM;
//   - refused keys fail the whole batch (no output), argument errors are alike on both providers;
//   - batches crossing the 64 KiB staging window, an info / aad / plaintext larger than it.
import { describe, expect, it } from 'vitest';
import { AuthenticationError, type CryptoProvider, InvalidKeyError, hpke, wasmProvider } from '../../bindings/index.js';
import { referenceProvider } from '../../bindings/provider/reference.js';
import type { AeadName, DhName, HpkeSealed } from '../../bindings/provider/types.js';
import { forEachProvider } from '../helpers/providers.js';
import { hex, loadVectors, toHex } from '../helpers/vectors.js';

const bytesOf = (seed: number, n: number) => Uint8Array.from({ length: n }, (_, i) => (seed * 131 + i * 29 + 1) & 0xff);

interface Vector {
  mode: number; kem_id: number; kdf_id: number; aead_id: number; info: string; ikmE: string; pkRm: string; skRm: string; enc: string;
  encryptions: { aad: string; ct: string; pt: string }[];
}
const baseVectors = loadVectors<Vector[]>('hpke/hpke-x25519.json').filter((v) => v.mode === 0);

/** The HPKE suite names of a provider (kem, aead) pair. */
const KEM_NAMES = { X25519: 'DHKEM(X25519, HKDF-SHA256)', 'P-256': 'DHKEM(P-256, HKDF-SHA256)' } as const;
const AEAD_NAMES = { 'AES-128-GCM': 'AES-128-GCM', 'AES-256-GCM': 'AES-256-GCM', 'ChaCha20-Poly1305': 'ChaCha20Poly1305' } as const;
const suiteOf = (kem: DhName, aead: AeadName, provider: CryptoProvider) =>
  hpke.suite({ kem: KEM_NAMES[kem], kdf: 'HKDF-SHA256', aead: AEAD_NAMES[aead] }, provider);

/** MLS suites 1 (X25519, AES-128-GCM), 2 (P-256, AES-128-GCM), 3 (X25519, ChaCha20-Poly1305), and AES-256-GCM on both curves. */
const COMBOS: ReadonlyArray<[DhName, AeadName]> = [
  ['X25519', 'AES-128-GCM'], ['P-256', 'AES-128-GCM'], ['X25519', 'ChaCha20-Poly1305'], ['X25519', 'AES-256-GCM'], ['P-256', 'AES-256-GCM'], ['P-256', 'ChaCha20-Poly1305'],
];
const other = (p: CryptoProvider) => (p === referenceProvider ? wasmProvider : referenceProvider);

/** The error a call throws (its class name, reason and message), or 'no error'. */
function failure(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    const err = e as Error & { reason?: string };
    return `${err.name}${err.reason ? ` (${err.reason})` : ''}: ${err.message}`;
  }
  return 'no error';
}

/** An X25519 public key of small order (u = 1): every DH with it is all zero. */
const SMALL_ORDER = Uint8Array.of(1, ...new Uint8Array(31));

forEachProvider((provider: CryptoProvider) => {
  describe(`hpkeSealBase on ${provider.name}`, () => {
    it('RFC 9180 Base-mode vectors: enc and the first encryption from ikmE, for each AEAD', () => {
      expect(baseVectors.map((v) => v.aead_id)).toEqual([1, 2, 3]);
      for (const v of baseVectors) {
        const aead = (['AES-128-GCM', 'AES-256-GCM', 'ChaCha20-Poly1305'] as const)[v.aead_id - 1]!;
        const m = v.encryptions[0]!;
        const [out] = provider.hpkeSealBase('X25519', aead, [{ publicKey: hex(v.pkRm), plaintext: hex(m.pt) }], hex(v.info), hex(m.aad), [hex(v.ikmE)]);
        expect(toHex(out!.enc), aead).toBe(v.enc);
        expect(toHex(out!.ciphertext), aead).toBe(m.ct);
        // the same recipient three times with the same seed: three identical outputs
        const three = provider.hpkeSealBase('X25519', aead, [0, 1, 2].map(() => ({ publicKey: hex(v.pkRm), plaintext: hex(m.pt) })), hex(v.info), hex(m.aad), [0, 1, 2].map(() => hex(v.ikmE)));
        expect(three.map((s) => toHex(s.enc) + toHex(s.ciphertext))).toEqual([0, 1, 2].map(() => v.enc + m.ct));
      }
    });

    for (const [kem, aead] of COMBOS) {
      it(`${kem} / ${aead}: each output opens with open() on the other provider; fresh ephemeral keys`, () => {
        const opener = suiteOf(kem, aead, other(provider));
        const recipients = Array.from({ length: 6 }, () => opener.generateKeyPair());
        const plaintexts = recipients.map((_, i) => bytesOf(i, i * 7)); // 0 … 35 bytes, the empty one included
        const info = bytesOf(50, 300), aad = bytesOf(51, 20);
        const inputs = plaintexts.map((p) => p.slice());
        const sealed = provider.hpkeSealBase(kem, aead, recipients.map((r, i) => ({ publicKey: r.publicKey, plaintext: inputs[i]! })), info, aad);
        expect(inputs).toEqual(plaintexts); // inputs are never modified
        expect(sealed).toHaveLength(6);
        sealed.forEach(({ enc, ciphertext }, i) => {
          expect(enc).toHaveLength(kem === 'X25519' ? 32 : 65);
          expect(ciphertext).toHaveLength(plaintexts[i]!.length + 16);
          expect(opener.open(enc, recipients[i]!.secretKey, ciphertext, { info, aad })).toEqual(plaintexts[i]);
          expect(() => opener.open(enc, recipients[i]!.secretKey, ciphertext, { info, aad: aad.subarray(1) })).toThrow(AuthenticationError);
          expect(() => opener.open(enc, recipients[(i + 1) % 6]!.secretKey, ciphertext, { info, aad })).toThrow(AuthenticationError);
        });
        expect(new Set(sealed.map((s) => toHex(s.enc))).size).toBe(6);
      });

      it(`${kem} / ${aead}: with injected seeds, the same bytes on both providers and as seal() with that ephemeral key pair`, () => {
        const suite = suiteOf(kem, aead, provider);
        const recipients = Array.from({ length: 4 }, (_, i) => suite.deriveKeyPair(bytesOf(10 + i, 32)));
        const seeds = recipients.map((_, i) => bytesOf(20 + i, 32));
        const items = recipients.map((r, i) => ({ publicKey: r.publicKey, plaintext: bytesOf(30 + i, 32 + i) }));
        const info = bytesOf(40, 123), aad = bytesOf(41, 5);
        const mine = provider.hpkeSealBase(kem, aead, items, info, aad, seeds);
        const theirs = other(provider).hpkeSealBase(kem, aead, items, info, aad, seeds);
        const hexes = (xs: HpkeSealed[]) => xs.map((s) => [toHex(s.enc), toHex(s.ciphertext)]);
        expect(hexes(mine)).toEqual(hexes(theirs));
        const single = items.map((item, i) => suite.seal(item.publicKey, item.plaintext, { info, aad, ephemeralKeyPair: suite.deriveKeyPair(seeds[i]!) }));
        expect(hexes(mine)).toEqual(hexes(single));
        expect(seeds).toEqual(recipients.map((_, i) => bytesOf(20 + i, 32))); // seeds not modified
      });
    }

    it('an empty batch gives an empty list', () => {
      expect(provider.hpkeSealBase('X25519', 'AES-128-GCM', [], bytesOf(1, 10), new Uint8Array(0))).toEqual([]);
      expect(provider.hpkeSealBase('P-256', 'ChaCha20-Poly1305', [], new Uint8Array(0), new Uint8Array(0), [])).toEqual([]);
    });

    it('a refused recipient key fails the whole batch: InvalidKeyError naming it, no output', () => {
      const x = suiteOf('X25519', 'AES-128-GCM', provider);
      const p = suiteOf('P-256', 'AES-128-GCM', provider);
      const xs = Array.from({ length: 5 }, () => ({ publicKey: x.generateKeyPair().publicKey, plaintext: bytesOf(1, 32) }));
      const ps = Array.from({ length: 5 }, () => ({ publicKey: p.generateKeyPair().publicKey, plaintext: bytesOf(2, 32) }));
      const notOnCurve = ps[3]!.publicKey.slice();
      notOnCurve[64] ^= 1;
      const cases: Array<[DhName, typeof xs, string]> = [
        ['X25519', [...xs.slice(0, 3), { publicKey: SMALL_ORDER, plaintext: bytesOf(3, 32) }, ...xs.slice(3)], 'InvalidKeyError (zero-shared-secret): hpkeSealBase (recipients[3].publicKey): zero shared secret'],
        ['X25519', [...xs, { publicKey: new Uint8Array(32), plaintext: bytesOf(3, 32) }], 'InvalidKeyError (zero-shared-secret): hpkeSealBase (recipients[5].publicKey): zero shared secret'],
        ['X25519', [...xs.slice(0, 1), { publicKey: bytesOf(4, 33), plaintext: bytesOf(3, 32) }], 'InvalidKeyError (invalid-point): hpkeSealBase (recipients[1].publicKey): invalid point'],
        ['P-256', [...ps.slice(0, 3), { publicKey: notOnCurve, plaintext: bytesOf(3, 32) }, ...ps.slice(3)], 'InvalidKeyError (invalid-point): hpkeSealBase (recipients[3].publicKey): invalid point'],
        ['P-256', [...ps.slice(0, 2), { publicKey: p.generateKeyPair().publicKey.subarray(0, 33), plaintext: bytesOf(3, 32) }], 'InvalidKeyError (invalid-point): hpkeSealBase (recipients[2].publicKey): invalid point'],
        ['P-256', [{ publicKey: xs[0]!.publicKey, plaintext: bytesOf(3, 32) }], 'InvalidKeyError (invalid-point): hpkeSealBase (recipients[0].publicKey): invalid point'],
        ['P-256', [{ publicKey: new Uint8Array(65), plaintext: bytesOf(3, 32) }], 'InvalidKeyError (invalid-point): hpkeSealBase (recipients[0].publicKey): invalid point'],
      ];
      for (const [kem, items, expected] of cases) {
        let out: unknown = 'not assigned';
        expect(failure(() => { out = provider.hpkeSealBase(kem, 'AES-128-GCM', items, bytesOf(5, 10), new Uint8Array(0)); }), kem).toBe(expected);
        expect(out).toBe('not assigned');
      }
      // a bad key behind several full windows of good ones is still found, and named by its index
      const many = [...Array.from({ length: 900 }, (_, i) => xs[i % 5]!), { publicKey: SMALL_ORDER, plaintext: bytesOf(3, 32) }, ...xs];
      expect(failure(() => provider.hpkeSealBase('X25519', 'ChaCha20-Poly1305', many, bytesOf(5, 10), new Uint8Array(0)))).toMatch(/recipients\[900\]/);
    });

    it('argument errors, before any DH (the same on both providers)', () => {
      const { publicKey } = suiteOf('X25519', 'AES-128-GCM', provider).generateKeyPair();
      const ok = [{ publicKey, plaintext: bytesOf(1, 8) }];
      const e = new Uint8Array(0);
      const calls: Array<[string, (q: CryptoProvider) => unknown]> = [
        ['unknown kem', (q) => q.hpkeSealBase('X448' as never, 'AES-128-GCM', ok, e, e)],
        ['unknown aead', (q) => q.hpkeSealBase('X25519', 'AES-192-GCM' as never, ok, e, e)],
        ['recipients not an array', (q) => q.hpkeSealBase('X25519', 'AES-128-GCM', { length: 1, 0: ok[0] } as never, e, e)],
        ['recipient null', (q) => q.hpkeSealBase('X25519', 'AES-128-GCM', [null as never], e, e)],
        ['publicKey not bytes', (q) => q.hpkeSealBase('X25519', 'AES-128-GCM', [{ publicKey: [1, 2] as never, plaintext: e }], e, e)],
        ['plaintext not bytes', (q) => q.hpkeSealBase('X25519', 'AES-128-GCM', [{ publicKey, plaintext: 'hi' as never }], e, e)],
        ['info not bytes', (q) => q.hpkeSealBase('X25519', 'AES-128-GCM', ok, undefined as never, e)],
        ['aad not bytes', (q) => q.hpkeSealBase('X25519', 'AES-128-GCM', ok, e, new Uint16Array(2) as never)],
        ['seeds not an array', (q) => q.hpkeSealBase('X25519', 'AES-128-GCM', ok, e, e, bytesOf(1, 32) as never)],
        ['seeds of the wrong count', (q) => q.hpkeSealBase('X25519', 'AES-128-GCM', ok, e, e, [])],
        ['a seed of 31 bytes', (q) => q.hpkeSealBase('X25519', 'AES-128-GCM', ok, e, e, [bytesOf(1, 31)])],
        ['a type error before a bad key', (q) => q.hpkeSealBase('X25519', 'AES-128-GCM', [{ publicKey: SMALL_ORDER, plaintext: e }, { publicKey, plaintext: 3 as never }], e, e)],
        ['a misuse before a key of the wrong length', (q) => q.hpkeSealBase('X25519', 'AES-128-GCM', [{ publicKey: bytesOf(1, 31), plaintext: e }], e, e, [bytesOf(1, 33)])],
      ];
      const kinds = ['TypeError', 'TypeError', 'TypeError', 'TypeError', 'TypeError', 'TypeError', 'TypeError', 'TypeError', 'TypeError', 'RangeError', 'RangeError', 'TypeError', 'RangeError'];
      calls.forEach(([what, call], i) => {
        const mine = failure(() => call(provider));
        expect(mine.split(':')[0], what).toBe(kinds[i]);
        expect(mine, what).toBe(failure(() => call(other(provider))));
      });
    });

    it('batches across the 64 KiB staging window, and an info, aad and plaintext each larger than it', () => {
      const suite = suiteOf('X25519', 'AES-128-GCM', provider);
      const opener = suiteOf('X25519', 'AES-128-GCM', other(provider));
      const keys = Array.from({ length: 7 }, (_, i) => opener.deriveKeyPair(bytesOf(60 + i, 32)));
      // 1 000 recipients of 32-byte secrets (an UpdatePath to a large copath): several windows
      const n = 1000;
      const items = Array.from({ length: n }, (_, i) => ({ publicKey: keys[i % 7]!.publicKey, plaintext: bytesOf(i, 32) }));
      const seeds = items.map((_, i) => bytesOf(i + 7, 32));
      const info = bytesOf(70, 200);
      const sealed = provider.hpkeSealBase('X25519', 'AES-128-GCM', items, info, new Uint8Array(0), seeds);
      expect(sealed).toHaveLength(n);
      for (const i of [0, 1, 398, 399, 400, 401, 797, 798, 799, 998, 999]) {
        expect(opener.open(sealed[i]!.enc, keys[i % 7]!.secretKey, sealed[i]!.ciphertext, { info }), `item ${i}`).toEqual(items[i]!.plaintext);
        const one = suite.seal(items[i]!.publicKey, items[i]!.plaintext, { info, ephemeralKeyPair: suite.deriveKeyPair(seeds[i]!) });
        expect(toHex(sealed[i]!.ciphertext), `item ${i}`).toBe(toHex(one.ciphertext));
      }
      // an info longer than the window (a Welcome's GroupInfo), an aad and a plaintext too
      const bigInfo = bytesOf(71, 150_000), bigAad = bytesOf(72, 70_000), bigPt = bytesOf(73, 100_000);
      const mixed = [
        { publicKey: keys[0]!.publicKey, plaintext: bytesOf(74, 40) },
        { publicKey: keys[1]!.publicKey, plaintext: bigPt },
        { publicKey: keys[2]!.publicKey, plaintext: bytesOf(75, 40) },
      ];
      for (const [info2, aad2] of [[bigInfo, new Uint8Array(0)], [info, bigAad], [bigInfo, bigAad]] as const) {
        const out = provider.hpkeSealBase('X25519', 'AES-128-GCM', mixed, info2, aad2, mixed.map((_, i) => bytesOf(i, 32)));
        const theirs = other(provider).hpkeSealBase('X25519', 'AES-128-GCM', mixed, info2, aad2, mixed.map((_, i) => bytesOf(i, 32)));
        out.forEach((s, i) => {
          expect(toHex(s.ciphertext)).toBe(toHex(theirs[i]!.ciphertext));
          expect(opener.open(s.enc, keys[i]!.secretKey, s.ciphertext, { info: info2, aad: aad2 })).toEqual(mixed[i]!.plaintext);
        });
      }
    });

    it('HpkeSuite.sealMany is one hpkeSealBase call (Base mode, an AEAD), and still seal() item by item for Export-only', () => {
      let calls = 0;
      const counting: CryptoProvider = Object.create(provider, {
        hpkeSealBase: {
          value: (...args: Parameters<CryptoProvider['hpkeSealBase']>) => {
            calls++;
            return provider.hpkeSealBase(...args);
          },
        },
      });
      const suite = suiteOf('P-256', 'AES-128-GCM', counting);
      const rs = Array.from({ length: 3 }, () => suite.generateKeyPair());
      const info = bytesOf(80, 64), aad = bytesOf(81, 3);
      const sealed = suite.sealMany(rs.map((r, i) => ({ publicKey: r.publicKey, plaintext: bytesOf(i, 20) })), { info, aad });
      expect(calls).toBe(1);
      sealed.forEach((s, i) => expect(suite.open(s.enc, rs[i]!, s.ciphertext, { info, aad })).toEqual(bytesOf(i, 20)));
      expect(() => suite.sealMany([{ publicKey: SMALL_ORDER.subarray(0, 32), plaintext: bytesOf(1, 2) }])).toThrow(InvalidKeyError);
      const exportOnly = hpke.suite({ kem: 'DHKEM(X25519, HKDF-SHA256)', kdf: 'HKDF-SHA256', aead: 'Export-only' }, counting);
      expect(exportOnly.sealMany([], {})).toEqual([]);
      expect(() => exportOnly.sealMany([{ publicKey: exportOnly.generateKeyPair().publicKey, plaintext: bytesOf(1, 2) }])).toThrow(TypeError);
      expect(calls).toBe(2);
    });
  });
});
