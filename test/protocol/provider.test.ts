// The two crypto providers give the same answers: Wycheproof X25519 and Ed25519 through the
// provider interface on each, and byte-equal outputs for every operation on shared inputs.
import { describe, expect, it } from 'vitest';
import { type CryptoProvider, InvalidKeyError, wasmProvider } from '../../bindings/index.js';
import { referenceProvider } from '../../bindings/provider/reference.js';
import { forEachProvider } from '../helpers/providers.js';
import { countCases, hex, loadVectors, numberOfTests, toHex, wycheproofTests } from '../helpers/vectors.js';

const X25519_FILE = 'wycheproof/x25519_test.json';
const ED25519_FILE = 'wycheproof/ed25519_test.json';
const x25519Cases = wycheproofTests<any>(X25519_FILE);
const ed25519Cases = wycheproofTests<any>(ED25519_FILE);
const ige = loadVectors('mtproto/aes-ige.json');
const ctr = loadVectors('mtproto/aes-ctr.json');

forEachProvider((provider: CryptoProvider) => {
  describe(`provider ${provider.name}`, () => {
    it('Wycheproof X25519 through dh("X25519"): all 518 cases', () => {
      expect(numberOfTests(X25519_FILE)).toBe(518);
      const count = countCases(X25519_FILE, numberOfTests(X25519_FILE));
      const dh = provider.dh('X25519');
      for (const t of x25519Cases) {
        if (/^0+$/.test(t.shared)) expect(() => dh.sharedSecret(hex(t.private), hex(t.public)), `tcId ${t.tcId}`).toThrow(InvalidKeyError);
        else expect(toHex(dh.sharedSecret(hex(t.private), hex(t.public))), `tcId ${t.tcId}`).toBe(t.shared);
        count.ran(t.tcId);
      }
      count.done();
    });

    it('Wycheproof Ed25519 through signature("Ed25519"): all 151 cases', () => {
      expect(numberOfTests(ED25519_FILE)).toBe(151);
      const count = countCases(ED25519_FILE, numberOfTests(ED25519_FILE));
      const ed = provider.signature('Ed25519');
      for (const t of ed25519Cases) {
        expect(ed.verify(hex(t.group.publicKey.pk), hex(t.msg), hex(t.sig)), `tcId ${t.tcId}`).toBe(t.result === 'valid');
        count.ran(t.tcId);
      }
      count.done();
    });

    it('MTProto AES-IGE vectors through aesIge(): all 6, in their direction or both', () => {
      const count = countCases('mtproto/aes-ige.json vectors', ige.vectors.length);
      for (const v of ige.vectors) {
        const cipher = provider.aesIge(hex(v.key));
        if (v.direction !== 'decrypt') expect(toHex(cipher.encrypt(hex(v.iv), hex(v.plaintext))), v.id).toBe(v.ciphertext);
        if (v.direction !== 'encrypt') expect(toHex(cipher.decrypt(hex(v.iv), hex(v.ciphertext))), v.id).toBe(v.plaintext);
        cipher.dispose();
        count.ran(v.id);
      }
      count.done();
      expect(() => provider.aesIge(new Uint8Array(20))).toThrow(RangeError);
    });

    it('MTProto AES-CTR streamed vectors through aesCtr(): both', () => {
      const count = countCases('mtproto/aes-ctr.json vectors', ctr.vectors.length);
      for (const v of ctr.vectors) {
        const stream = provider.aesCtr(hex(v.key), hex(v.iv));
        const inputs: string[] = v.inputs ?? v.outputs.map(() => v.plaintext_block);
        expect(inputs.map((i) => toHex(stream.update(hex(i)))), v.id).toEqual(v.outputs);
        stream.dispose();
        expect(() => stream.update(new Uint8Array(1))).toThrow();
        count.ran(v.id);
      }
      count.done();
    });

    it('rejects unknown algorithm names with a TypeError', () => {
      expect(() => provider.hash('MD5' as never, new Uint8Array(1))).toThrow(TypeError);
      expect(() => provider.aead('AES-192-GCM' as never, new Uint8Array(24))).toThrow(TypeError);
      expect(() => provider.dh('X448' as never)).toThrow(TypeError);
    });
  });
});

describe('wasmProvider = referenceProvider', () => {
  const data = Uint8Array.from({ length: 300 }, (_, i) => (i * 7 + 3) & 0xff);
  const key32 = data.subarray(0, 32);
  const same = (f: (p: CryptoProvider) => Uint8Array | boolean) => expect(f(wasmProvider)).toEqual(f(referenceProvider));

  it('hashes, HMAC and HKDF', () => {
    for (const h of ['SHA-1', 'SHA-256', 'SHA-512'] as const) {
      same((p) => p.hash(h, data));
      same((p) => p.hmac(h, key32, data));
    }
    same((p) => p.hkdfExpand('SHA-256', p.hkdfExtract('SHA-256', data.subarray(5, 20), data), data.subarray(0, 40), 200));
    same((p) => p.hkdfExpand('SHA-256', key32, new Uint8Array(0), 0));
  });

  it('AEADs seal alike and open each other', () => {
    const nonce = data.subarray(40, 52);
    for (const [name, key] of [['AES-128-GCM', data.subarray(0, 16)], ['AES-256-GCM', key32], ['ChaCha20-Poly1305', key32]] as const) {
      same((p) => p.aead(name, key).seal(nonce, data, data.subarray(0, 13)));
      const sealed = wasmProvider.aead(name, key).seal(nonce, data);
      expect(referenceProvider.aead(name, key).open(nonce, sealed)).toEqual(data);
    }
  });

  it('AES-IGE and AES-CTR (every key length; CTR through the 2^128 counter wrap, in uneven pieces)', () => {
    for (const n of [16, 24, 32]) {
      const iv = data.subarray(100, 132);
      same((p) => p.aesIge(data.subarray(0, n)).encrypt(iv, data.subarray(0, 288)));
      same((p) => p.aesIge(data.subarray(0, n)).decrypt(iv, data.subarray(0, 288)));
      same((p) => {
        const stream = p.aesCtr(data.subarray(0, n), new Uint8Array(16).fill(0xff));
        return Uint8Array.from([...stream.update(data.subarray(0, 7)), ...stream.update(data.subarray(7, 300))]);
      });
    }
  });

  it('DH and signatures', () => {
    for (const name of ['X25519', 'P-256'] as const) {
      same((p) => p.dh(name).publicKey(key32));
      const peer = wasmProvider.dh(name).generateKeyPair().publicKey;
      same((p) => p.dh(name).sharedSecret(key32, peer));
    }
    for (const name of ['Ed25519', 'P-256'] as const) {
      same((p) => p.signature(name).publicKey(key32));
      same((p) => p.signature(name).sign(key32, data));
      const pk = wasmProvider.signature(name).publicKey(key32);
      const sig = referenceProvider.signature(name).sign(key32, data);
      same((p) => p.signature(name).verify(pk, data, sig));
    }
  });

  // The wasm provider does messages up to 65,232 bytes in one wasm call and longer ones composed
  // of its SHA-256 and AES-IGE; the reference composes noble's. Both directions, both senders.
  it('mtprotoSeal / mtprotoOpen, on both sides of the one-call limit', () => {
    const authKey = Uint8Array.from({ length: 256 }, (_, i) => (i * 29 + 5) & 0xff);
    for (const n of [16, 48, 160, 1024, 65_216, 65_232, 65_248, 200_000]) {
      const plaintext = Uint8Array.from({ length: n }, (_, i) => (i * 13 + n) & 0xff);
      for (const from of ['client', 'server'] as const) {
        const sealed = wasmProvider.mtprotoSeal(authKey, from, plaintext);
        expect(sealed).toEqual(referenceProvider.mtprotoSeal(authKey, from, plaintext));
        const msgKey = sealed.msgKeyLarge.subarray(8, 24);
        for (const p of [wasmProvider, referenceProvider]) {
          const opened = p.mtprotoOpen(authKey, from, msgKey, sealed.ciphertext);
          expect(opened.plaintext, `${p.name} ${n} ${from}`).toEqual(plaintext);
          expect(opened.msgKeyLarge).toEqual(sealed.msgKeyLarge);
        }
      }
      // the other sender's keys (x = 8 instead of 0) do not open it
      const sealed = wasmProvider.mtprotoSeal(authKey, 'client', plaintext);
      expect(wasmProvider.mtprotoOpen(authKey, 'server', sealed.msgKeyLarge.subarray(8, 24), sealed.ciphertext).plaintext).not.toEqual(plaintext);
    }
  });

  it('mtprotoSeal / mtprotoOpen refuse bad arguments alike', () => {
    const key = new Uint8Array(256), block = new Uint8Array(32), msgKey = new Uint8Array(16);
    const cases: [string, (p: CryptoProvider) => unknown, ErrorConstructor][] = [
      ['short auth key', (p) => p.mtprotoSeal(new Uint8Array(255), 'client', block), RangeError],
      ['unknown sender', (p) => p.mtprotoSeal(key, 'middle' as 'client', block), TypeError],
      ['empty plaintext', (p) => p.mtprotoSeal(key, 'client', new Uint8Array(0)), RangeError],
      ['plaintext not whole blocks', (p) => p.mtprotoSeal(key, 'server', new Uint8Array(40)), RangeError],
      ['ciphertext not whole blocks', (p) => p.mtprotoOpen(key, 'client', msgKey, new Uint8Array(17)), RangeError],
      ['msg_key not 16 bytes', (p) => p.mtprotoOpen(key, 'client', new Uint8Array(15), block), RangeError],
      ['ciphertext not bytes', (p) => p.mtprotoOpen(key, 'client', msgKey, [1, 2] as unknown as Uint8Array), TypeError],
    ];
    for (const [what, call, type] of cases) {
      for (const p of [wasmProvider, referenceProvider]) expect(() => call(p), `${p.name}: ${what}`).toThrow(type);
    }
  });
});

// hashMany: the digests hash() gives one by one, across wasm window boundaries (inputs packed into
// the 64 KiB window, one larger than it hashed on its own).
forEachProvider((provider) => {
  describe('hashMany', () => {
    it('equals hash() item by item, for SHA-256 (batched in wasm) and SHA-1 / SHA-512', () => {
      const sizes = [0, 1, 55, 56, 64, 200, 3000, 40_000, 70_000, 30_000, 5, 0];
      const inputs = sizes.map((n, i) => Uint8Array.from({ length: n }, (_, j) => (i * 31 + j * 7) & 0xff));
      const many = Array.from({ length: 900 }, (_, i) => Uint8Array.from({ length: 100 + (i % 50) }, (_, j) => (i + j) & 0xff));
      for (const name of ['SHA-256', 'SHA-1', 'SHA-512'] as const) {
        for (const list of [inputs, many, []]) expect(provider.hashMany(name, list)).toEqual(list.map((x) => provider.hash(name, x)));
      }
      expect(() => provider.hashMany('MD5' as never, [])).toThrow(TypeError);
    });
  });
});
