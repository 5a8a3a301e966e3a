// Auth-key creation against the published vectors (../shared/vectors/mtproto/auth-key-handshake.json,
// every case; mtproto-kdf.json's handshake_tmp_aes cases): the recorded Telethon handshake replayed
// byte for byte by ClientHandshake with Telethon's fixed randomness injected (RSA_PAD included),
// the core.telegram.org sample (every step but RSA_PAD, whose temp_key is unpublished), the RSA_PAD
// unit vector, the key hashes, the fingerprints (from n/e, from the given PEM, and from PEMs node:crypto
// builds in PKCS#1 and SPKI form) and the pq factorizations.
import { createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CryptoProvider } from '../../bindings/index.js';
import {
  ClientHandshake,
  authKeyAuxHash,
  authKeyId,
  decodePlainMessage,
  encodePlainMessage,
  factorPq,
  handshakeMessages as M,
  initialServerSalt,
  newNonceHash,
  parseRsaPublicKey,
  rsaPadEncrypt,
  rsaPadUnwrap,
  rsaPublicKey,
} from '../../bindings/mtproto/auth/index.js';
import { handshakeKeyIv } from '../../bindings/mtproto/crypto/kdf.js';
import { TlReader } from '../../bindings/mtproto/tl/reader.js';
import { forEachProvider } from '../helpers/providers.js';
import { countCases, hex, loadVectors, toHex } from '../helpers/vectors.js';

const FILE = 'mtproto/auth-key-handshake.json';
const v = loadVectors(FILE);
const kdf = loadVectors('mtproto/mtproto-kdf.json');
const big = (h: string) => BigInt('0x' + h);
const lower = (h: string) => h.toLowerCase();

/** Every case in the file: derived hashes, RSA_PAD, 3 fingerprints, 2 full handshakes, 8 factorizations. */
const CASES = v.auth_key_derived.length + v.rsa_pad.length + Object.keys(v.rsa_fingerprints.keys).length + 2 + v.pq_factorization.length;

/**
 * A random source that hands out exactly the given chunks, in order, and fails the test if the code
 * asks for a different length or for more: the draw order is part of what is being reproduced.
 */
function scripted(chunks: Uint8Array[]) {
  const queue = [...chunks];
  const random = (n: number): Uint8Array => {
    const next = queue.shift();
    if (next === undefined) throw new Error(`scripted random: unexpected draw of ${n} bytes`);
    if (next.length !== n) throw new Error(`scripted random: asked for ${n} bytes, script has ${next.length}`);
    return next.slice();
  };
  return { random, left: () => queue.length, push: (...c: Uint8Array[]) => queue.push(...c) };
}

/** Plain BigInt m^e mod n, square-and-multiply: the test's own RSA, independent of bindings/. */
function powMod(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  for (; e > 0n; e >>= 1n, b = (b * b) % m) if (e & 1n) r = (r * b) % m;
  return r;
}

function jwkPems(n: string, e: string): { pkcs1: string; spki: string } {
  const b64u = (h: string) => Buffer.from(h, 'hex').toString('base64url');
  const key = createPublicKey({ key: { kty: 'RSA', n: b64u(n), e: b64u(e) }, format: 'jwk' });
  return { pkcs1: key.export({ type: 'pkcs1', format: 'pem' }) as string, spki: key.export({ type: 'spki', format: 'pem' }) as string };
}

it(`${FILE} holds ${CASES} cases (15)`, () => {
  expect(CASES).toBe(15);
});

forEachProvider((provider: CryptoProvider) => {
  describe(`auth-key vectors (${provider.name})`, () => {
    const count = countCases(FILE, CASES);

    it('auth_key_derived: auth_key_id, aux_hash, new_nonce_hash1..3', () => {
      for (const [i, c] of v.auth_key_derived.entries()) {
        const authKey = hex(c.auth_key);
        const aux = authKeyAuxHash(provider, authKey);
        expect(toHex(authKeyId(provider, authKey))).toBe(c.auth_key_id);
        expect(toHex(aux)).toBe(c.auth_key_aux_hash);
        for (const n of [1, 2, 3] as const) expect(toHex(newNonceHash(provider, hex(c.new_nonce), n, aux)), `hash${n}`).toBe(c[`new_nonce_hash${n}`]);
        count.ran(`auth_key_derived/${i}`);
      }
    });

    it('rsa_pad: encrypted_data reproduced from data, padding and temp_key; key_aes_encrypted checked both ways', () => {
      for (const [i, c] of v.rsa_pad.entries()) {
        const key = rsaPublicKey(provider, big(c.n), BigInt(c.e));
        const script = scripted([hex(c.random_padding_bytes), hex(c.temp_key)]);
        const encrypted = rsaPadEncrypt(provider, key, hex(c.data), script.random);
        expect(toHex(encrypted)).toBe(c.encrypted_data);
        expect(script.left()).toBe(0);
        // encrypted_data = key_aes_encrypted^e mod n, by the test's own arithmetic …
        expect(powMod(big(c.key_aes_encrypted), key.e, key.n)).toBe(big(c.encrypted_data));
        // … and the server-side unwrap recovers data ‖ padding from key_aes_encrypted.
        expect(toHex(rsaPadUnwrap(provider, hex(c.key_aes_encrypted))!)).toBe(c.data + c.random_padding_bytes);
        const tampered = hex(c.key_aes_encrypted);
        tampered[100] ^= 1;
        expect(rsaPadUnwrap(provider, tampered)).toBeNull();
        count.ran(`rsa_pad/${i}`);
      }
    });

    it('rsa_fingerprints: from n/e, from the given PEM, and from node:crypto PKCS#1 and SPKI PEMs', () => {
      for (const [name, k] of Object.entries<any>(v.rsa_fingerprints.keys)) {
        const expectOne = (key: { n: bigint; e: bigint; fingerprint: bigint; fingerprintBytes: Uint8Array }, how: string) => {
          expect(key.n, `${name} ${how}`).toBe(big(k.n));
          expect(key.e, `${name} ${how}`).toBe(big(k.e));
          expect(toHex(key.fingerprintBytes), `${name} ${how}`).toBe(k.fingerprint_le_bytes);
          expect(key.fingerprint, `${name} ${how}`).toBe(BigInt(k.fingerprint_int64));
        };
        expectOne(rsaPublicKey(provider, big(k.n), big(k.e)), 'n/e');
        if (k.pem !== undefined) expectOne(parseRsaPublicKey(provider, k.pem), 'given PEM');
        const pems = jwkPems(k.n, k.e);
        expectOne(parseRsaPublicKey(provider, pems.pkcs1), 'PKCS#1 PEM');
        expectOne(parseRsaPublicKey(provider, pems.spki), 'SPKI PEM');
        if (k.fingerprint_uint64_be_hex !== undefined) expect(BigInt.asUintN(64, BigInt(k.fingerprint_int64)).toString(16).padStart(16, '0')).toBe(k.fingerprint_uint64_be_hex);
        count.ran(`rsa_fingerprints/${name}`);
      }
    });

    it('telethon_full_handshake: every request byte reproduced (RSA_PAD included), then the auth key', () => {
      const t = v.telethon_full_handshake;
      const d = t.derived;
      const tk = v.rsa_fingerprints.keys.TESTMODE_RSA_KEY;
      const s2 = hex(t.step2_random);
      const s3 = hex(t.step3_random);
      // Telethon's draws, in the order ClientHandshake makes them (notes of the vector file):
      // nonce; new_nonce, RSA_PAD padding, temp_key; b, data_with_hash padding.
      const dataLength = d.p_q_inner_data.length / 2;
      const paddingLength = (20 + d.client_DH_inner_data.length / 2) % 16 === 0 ? 0 : 16 - ((20 + d.client_DH_inner_data.length / 2) % 16);
      const script = scripted([
        hex(t.step1_random),
        s2.subarray(0, 32), s2.subarray(32, 32 + 192 - dataLength), s2.subarray(32 + 192, 32 + 224),
        s3.subarray(0, 256), s3.subarray(256, 256 + paddingLength),
      ]);
      const client = new ClientHandshake(provider, {
        rsaKeys: [rsaPublicKey(provider, big(tk.n), big(tk.e))],
        random: script.random,
        now: () => t.step3_now,
      });
      expect(toHex(client.start())).toBe(t.step1_request);
      expect(toHex(client.receive(hex(t.step1_response)).send!)).toBe(t.step2_request);
      expect(toHex(client.receive(hex(t.step2_response)).send!)).toBe(t.step3_request);
      const step = client.receive(hex(t.step3_response));
      expect(step.send).toBeUndefined();
      const done = step.done!;
      expect(toHex(done.authKey)).toBe(t.expected_auth_key);
      expect(toHex(done.authKeyId)).toBe(d.auth_key_id);
      expect(toHex(authKeyAuxHash(provider, done.authKey))).toBe(d.auth_key_aux_hash);
      expect(done.serverSalt).toBe(4459407212920268508n);
      expect(done.serverSalt).toBe(BigInt.asIntN(64, BigInt('0x' + Buffer.from(d.first_server_salt_le, 'hex').reverse().toString('hex'))));
      expect(done.timeOffset).toBe(0);
      expect(done.temp).toBe(false);
      expect(done.dc).toBeUndefined();
      expect(script.left()).toBe(0);
      expect(client.stage).toBe('done');

      // The intermediate values, through the building blocks.
      const { key, iv } = handshakeKeyIv(provider, hex(d.server_nonce), hex(d.new_nonce));
      expect(toHex(key)).toBe(d.tmp_aes_key);
      expect(toHex(iv)).toBe(d.tmp_aes_iv);
      const ok = M.decodeServerMessage(hex(t.step2_response)) as M.ServerDhParamsOk;
      const ige = provider.aesIge(key);
      expect(toHex(ige.decrypt(iv, ok.encryptedAnswer))).toBe(d.answer_with_hash);
      ige.dispose();
      const inner = M.readPqInnerData(new TlReader(hex(d.p_q_inner_data)));
      expect(inner._).toBe('p_q_inner_data');
      expect(toHex(M.encodePqInnerData(inner))).toBe(d.p_q_inner_data);
      const req = M.decodeClientMessage(hex(t.step2_request)) as M.ReqDhParams;
      expect([toHex(req.p), toHex(req.q), toHex(req.nonce), toHex(req.serverNonce)]).toEqual([d.p, d.q, d.nonce, d.server_nonce]);
      expect(toHex(Buffer.from(BigInt.asUintN(64, req.fingerprint).toString(16).padStart(16, '0'), 'hex').reverse())).toBe(d.public_key_fingerprint_le);
      expect(toHex(M.encodeClientDhInnerData({ nonce: hex(d.nonce), serverNonce: hex(d.server_nonce), retryId: 0n, gB: hex(d.g_b) }))).toBe(d.client_DH_inner_data);
      expect(powMod(3n, big(d.b), big(d.dh_prime))).toBe(big(d.g_b));
      count.ran('telethon_full_handshake');
    });

    it('core_telegram_sample: the client reproduces every step but RSA_PAD, and the plain-message packets', () => {
      const c = v.core_telegram_sample;
      const keys = v.rsa_fingerprints.keys;
      const production = rsaPublicKey(provider, big(keys.PRODUCTION_RSA_KEY.n), big(keys.PRODUCTION_RSA_KEY.e));
      const mtcute = rsaPublicKey(provider, big(keys.MTCUTE_KEYS_TEST.n), big(keys.MTCUTE_KEYS_TEST.e));
      // RSA_PAD's temp_key is not published: any temp_key (as many as the < n loop wants) will do.
      const queue: Uint8Array[] = [hex(c.nonce), hex(c.new_nonce), hex(c.rsa_pad_random_padding_bytes)];
      let tempKeys = 0;
      const random = (n: number) => {
        const next = queue.shift();
        if (next !== undefined) {
          expect(next.length).toBe(n);
          return next;
        }
        expect(n).toBe(32);
        tempKeys++;
        return provider.randomBytes(32);
      };
      const client = new ClientHandshake(provider, { rsaKeys: [production, mtcute], dc: 2, random, now: () => c.server_time - 7 });

      const first = decodePlainMessage(hex(c.req_pq_multi_packet), { from: 'client' });
      const start = client.start();
      expect(toHex(start)).toBe(toHex(first.body));
      expect(toHex(encodePlainMessage(first.msgId, start))).toBe(lower(c.req_pq_multi_packet));

      // The sample page's resPQ and dh_gen_ok packets carry message_data_length fields (0xb8, 0x70)
      // that do not match their 80- and 52-byte bodies: the strict decoder refuses them, so the
      // bodies are taken after the 20-byte header (msg_id and parity still checked on the rest).
      const serverBody = (packet: string) => {
        expect(() => decodePlainMessage(hex(packet), { from: 'server' })).toThrow(expect.objectContaining({ code: 'plain-bad-length' }));
        const bytes = hex(packet);
        const fixed = bytes.slice();
        new DataView(fixed.buffer).setUint32(16, bytes.length - 20, true);
        const decoded = decodePlainMessage(fixed, { from: 'server' });
        expect(toHex(decoded.body)).toBe(toHex(bytes.subarray(20)));
        return decoded;
      };
      const resPq = serverBody(c.resPQ_packet);
      const res = M.decodeServerMessage(resPq.body) as M.ResPq;
      expect(res.fingerprints.map((f) => toHex(Buffer.from(BigInt.asUintN(64, f).toString(16).padStart(16, '0'), 'hex').reverse()))).toEqual(c.server_public_key_fingerprints.map(lower));
      expect(toHex(res.pq)).toBe(lower(c.pq));
      const reqDh = client.receive(resPq.body).send!;
      expect(tempKeys).toBeGreaterThanOrEqual(1);
      const req = M.decodeClientMessage(reqDh) as M.ReqDhParams;
      expect(req._).toBe('req_DH_params');
      expect(toHex(req.nonce)).toBe(lower(c.nonce));
      expect(toHex(req.serverNonce)).toBe(lower(c.server_nonce));
      expect(BigInt('0x' + toHex(req.p))).toBe(BigInt(c.p_decimal));
      expect(BigInt('0x' + toHex(req.q))).toBe(BigInt(c.q_decimal));
      expect(req.fingerprint).toBe(production.fingerprint);
      expect(toHex(production.fingerprintBytes)).toBe(lower(c.chosen_fingerprint));
      expect(req.encryptedData.length).toBe(256);
      // The inner data the client encrypted, as the encoder builds it from the sample's fields.
      const inner = M.readPqInnerData(new TlReader(hex(c.p_q_inner_data_dc)));
      expect(inner).toMatchObject({ _: 'p_q_inner_data_dc', dc: 2 });
      expect(toHex(M.encodePqInnerData(inner))).toBe(lower(c.p_q_inner_data_dc));
      expect(toHex(inner.newNonce)).toBe(lower(c.new_nonce));

      // Step 6 → 7: the sample's encrypted_answer, then b and the padding the sample used.
      const { key, iv } = handshakeKeyIv(provider, hex(c.server_nonce), hex(c.new_nonce));
      expect(toHex(key)).toBe(lower(c.tmp_aes_key));
      expect(toHex(iv)).toBe(lower(c.tmp_aes_iv));
      const ige = provider.aesIge(key);
      expect(toHex(ige.decrypt(iv, hex(c.encrypted_answer)))).toBe(lower(c.answer_with_hash));
      ige.dispose();
      const answer = M.readServerDhInnerData(new TlReader(hex(c.answer_with_hash).subarray(20)));
      expect([answer.g, toHex(answer.dhPrime), toHex(answer.gA), answer.serverTime]).toEqual([c.derived.g, lower(c.derived.dh_prime), lower(c.derived.g_a), c.derived.server_time]);
      queue.push(hex(c.b), hex(c.client_DH_inner_data_padding));
      const okBody = M.encodeServerDhParamsOk({ nonce: hex(c.nonce), serverNonce: hex(c.server_nonce), encryptedAnswer: hex(c.encrypted_answer) });
      const setBody = client.receive(okBody).send!;
      const set = M.decodeClientMessage(setBody) as M.SetClientDhParams;
      expect(toHex(set.encryptedData)).toBe(lower(c.client_DH_encrypted_data));
      expect(queue.length).toBe(0);
      expect(toHex(M.encodeClientDhInnerData({ nonce: hex(c.nonce), serverNonce: hex(c.server_nonce), retryId: 0n, gB: hex(c.g_b) }))).toBe(lower(c.client_DH_inner_data));
      const ige2 = provider.aesIge(key);
      expect(toHex(ige2.decrypt(iv, set.encryptedData))).toBe(lower(c.derived.data_with_hash));
      ige2.dispose();

      // Step 9: dh_gen_ok from the sample's packet.
      const gen = serverBody(c.dh_gen_ok_packet);
      expect(toHex((M.decodeServerMessage(gen.body) as M.DhGenAnswer).newNonceHash)).toBe(lower(c.new_nonce_hash1));
      const done = client.receive(gen.body).done!;
      expect(toHex(done.authKey)).toBe(lower(c.auth_key));
      expect(toHex(done.authKeyId)).toBe(lower(c.derived.auth_key_id));
      expect(toHex(authKeyAuxHash(provider, done.authKey))).toBe(lower(c.derived.auth_key_aux_hash));
      expect(done.timeOffset).toBe(7);
      expect(done.dc).toBe(2);
      const n = hex(c.new_nonce);
      const sn = hex(c.server_nonce);
      const salt = Uint8Array.from({ length: 8 }, (_, i) => n[i] ^ sn[i]);
      expect(done.serverSalt).toBe(BigInt.asIntN(64, BigInt('0x' + toHex(salt.reverse()))));
      expect(done.serverSalt).toBe(initialServerSalt(n, sn));
      count.ran('core_telegram_sample');
    });

    it('pq_factorization: all 8 split into p < q', () => {
      for (const c of v.pq_factorization) {
        expect(BigInt('0x' + c.pq_hex)).toBe(BigInt(c.pq));
        expect(factorPq(BigInt(c.pq)), c.pq).toEqual({ p: BigInt(c.p), q: BigInt(c.q) });
        count.ran(`pq_factorization/${c.pq}`);
      }
    });

    it('every case of the file ran', () => {
      count.done();
    });

    it('mtproto-kdf.json handshake_tmp_aes: both cases', () => {
      const tmp = countCases('mtproto-kdf.json handshake_tmp_aes', kdf.handshake_tmp_aes.length);
      expect(kdf.handshake_tmp_aes.length).toBe(2);
      for (const c of kdf.handshake_tmp_aes) {
        const { key, iv } = handshakeKeyIv(provider, hex(c.server_nonce), hex(c.new_nonce));
        expect(toHex(key), c.id).toBe(c.tmp_aes_key);
        expect(toHex(iv), c.id).toBe(c.tmp_aes_iv);
        tmp.ran(c.id);
      }
      tmp.done();
    });
  });
});
