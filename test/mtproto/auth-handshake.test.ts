// ClientHandshake ↔ ServerHandshake end to end (permanent and temporary keys, dc and legacy inner
// data, RSA_PAD and GramJS's legacy RSA), with the server's RSA key made by node:crypto and every
// key checked by an independent BigInt computation; every server rejection leaves the server able
// to finish the same handshake afterwards; and the client against a hostile server (non-safe
// prime, bad g, g_a out of range, bad hashes, wrong nonces, retries).
import { constants, createHash, generateKeyPairSync, publicEncrypt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CryptoProvider } from '../../bindings/index.js';
import {
  ClientHandshake,
  KNOWN_DH_PRIME,
  ServerHandshake,
  decodePlainMessage,
  encodePlainMessage,
  factorPq,
  handshakeMessages as M,
  newNonceHash,
  newNonceHashOfFail,
  parseRsaPrivateKey,
  parseRsaPublicKey,
  rsaPadDecrypt,
  rsaPadEncrypt,
  type AuthKeyResult,
  type RsaPrivateKey,
} from '../../bindings/mtproto/auth/index.js';
import { handshakeKeyIv } from '../../bindings/mtproto/crypto/kdf.js';
import { openWithHash, sealWithHash } from '../../bindings/mtproto/auth/hashed-data.js';
import { TlError } from '../../bindings/mtproto/errors.js';
import { TlReader } from '../../bindings/mtproto/tl/reader.js';
import { forEachProvider } from '../helpers/providers.js';
import { toHex } from '../helpers/vectors.js';

// Two server keys for the file (generation is the slow part), as PEM like a deployment has them.
const keyPairs = [0, 1].map(() => generateKeyPairSync('rsa', { modulusLength: 2048 }));
const PRIVATE_PEM = keyPairs.map((k) => k.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string);
const PUBLIC_PEM = keyPairs.map((k) => k.publicKey.export({ type: 'spki', format: 'pem' }) as string);
// A 2048-bit prime that is not safe, for the hostile-server cases (made once).
const NOT_SAFE_PRIME = (await import('node:crypto')).generatePrimeSync(2048, { bigint: true });

const P = KNOWN_DH_PRIME;
const MARGIN = 1n << 1984n;
const SERVER_NOW = 1_700_000_000;
// The hostile server's exponent: small, so the test's own g_b^a is cheap; 3^65537 mod p is in range.
const A_SMALL = 65537n;
const CLIENT_NOW = SERVER_NOW - 42.7; // the client's clock is 43 s behind, after flooring

const code = (c: string) => expect.objectContaining({ name: 'MtprotoError', code: c });
const big = (b: Uint8Array) => (b.length === 0 ? 0n : BigInt('0x' + toHex(b)));
const be = (v: bigint, length?: number) => {
  let h = v.toString(16);
  if (h.length % 2) h = '0' + h;
  if (length !== undefined) h = h.padStart(length * 2, '0');
  return Uint8Array.from(Buffer.from(h, 'hex'));
};
function powMod(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  for (; e > 0n; e >>= 1n, b = (b * b) % m) if (e & 1n) r = (r * b) % m;
  return r;
}
const sha1 = (b: Uint8Array) => new Uint8Array(createHash('sha1').update(b).digest());

/** The provider's randomness, except that the first draws of the listed lengths get the given bytes. */
function rigged(provider: CryptoProvider, fixed: Record<number, Uint8Array[]> = {}) {
  const draws: Uint8Array[] = [];
  const random = (n: number) => {
    const out = fixed[n]?.shift() ?? provider.randomBytes(n);
    draws.push(out.slice());
    return out;
  };
  return { random, draws };
}

/** Runs a handshake to the end through plain messages (§2.1) both ways; returns both results. */
function handshake(client: ClientHandshake, server: ServerHandshake): { client: AuthKeyResult; server: AuthKeyResult; bodies: Uint8Array[] } {
  let clientMsgId = 0x6553f10000000000n;
  let serverMsgId = 0x6553f10000000001n;
  let serverDone: AuthKeyResult | undefined;
  const bodies: Uint8Array[] = [];
  let outgoing: Uint8Array | undefined = client.start();
  for (let round = 0; round < 20 && outgoing !== undefined; round++) {
    bodies.push(outgoing);
    const toServer = decodePlainMessage(encodePlainMessage((clientMsgId += 4n), outgoing), { from: 'client' }).body;
    const answer = server.receive(toServer);
    if (answer.done) serverDone = answer.done;
    bodies.push(answer.send);
    const toClient = decodePlainMessage(encodePlainMessage((serverMsgId += 4n), answer.send), { from: 'server' }).body;
    const step = client.receive(toClient);
    if (step.done) {
      expect(serverDone, 'the server finished in the same round').toBeDefined();
      return { client: step.done, server: serverDone!, bodies };
    }
    outgoing = step.send;
  }
  throw new Error('handshake did not finish');
}

/** The checks both sides' results must pass, against the test's own SHA-1. */
function expectSameKey(r: { client: AuthKeyResult; server: AuthKeyResult }): void {
  expect(r.client.authKey.length).toBe(256);
  expect(toHex(r.client.authKey)).toBe(toHex(r.server.authKey));
  expect(toHex(r.client.authKeyId)).toBe(toHex(sha1(r.client.authKey).subarray(12, 20)));
  expect(toHex(r.server.authKeyId)).toBe(toHex(r.client.authKeyId));
  expect(r.client.serverSalt).toBe(r.server.serverSalt);
  expect(r.client.temp).toBe(r.server.temp);
  expect(r.client.dc).toBe(r.server.dc);
  expect(r.client.timeOffset).toBe(43);
  expect(r.server.timeOffset).toBe(0);
}

forEachProvider((provider: CryptoProvider) => {
  const serverKeys: RsaPrivateKey[] = PRIVATE_PEM.map((pem) => parseRsaPrivateKey(provider, pem));
  const publicKeys = PUBLIC_PEM.map((pem) => parseRsaPublicKey(provider, pem));
  const newServer = (extra: Partial<ConstructorParameters<typeof ServerHandshake>[1]> = {}) =>
    new ServerHandshake(provider, { rsaPrivateKey: serverKeys[0], now: () => SERVER_NOW, ...extra });
  const newClient = (extra: Partial<ConstructorParameters<typeof ClientHandshake>[1]> = {}) =>
    new ClientHandshake(provider, { rsaKeys: [publicKeys[0]], dc: 2, now: () => CLIENT_NOW, ...extra });

  describe(`client ↔ server (${provider.name})`, () => {
    it('permanent key (p_q_inner_data_dc): both sides agree, and the key is g_a^b = g_b^a by plain BigInt', () => {
      const c = rigged(provider);
      const s = rigged(provider);
      const r = handshake(newClient({ random: c.random }), newServer({ random: s.random, rsaPrivateKey: PRIVATE_PEM[0] }));
      expectSameKey(r);
      expect([r.client.temp, r.client.dc, r.client.expiresAt]).toEqual([false, 2, undefined]);
      // b and a are the only 256-byte draws of each side.
      const b = big(c.draws.find((d) => d.length === 256)!);
      const a = big(s.draws.find((d) => d.length === 256)!);
      expect(toHex(r.client.authKey)).toBe(toHex(be(powMod(powMod(3n, a, P), b, P), 256)));
      // The salt by its definition, from new_nonce (decrypted from req_DH_params) and server_nonce.
      const req = M.decodeClientMessage(r.bodies[2]) as M.ReqDhParams;
      const inner = M.readPqInnerData(new TlReader(rsaPadDecrypt(provider, serverKeys[0], req.encryptedData)));
      expect(inner._).toBe('p_q_inner_data_dc');
      const salt = Uint8Array.from({ length: 8 }, (_, i) => inner.newNonce[i] ^ req.serverNonce[i]);
      expect(r.client.serverSalt).toBe(Buffer.from(salt).readBigInt64LE(0));
      // pq in resPQ is a product of two primes in [2^30, 2^31), below 2^62.
      const res = M.decodeServerMessage(r.bodies[1]) as M.ResPq;
      const { p, q } = factorPq(big(res.pq));
      for (const f of [p, q]) expect(f >= 1n << 30n && f < 1n << 31n).toBe(true);
      expect(res.fingerprints).toEqual([serverKeys[0].fingerprint]);
    });

    it('temporary keys (p_q_inner_data_temp_dc and legacy _temp): temp, expires_at on both sides', () => {
      for (const dc of [-2, undefined]) {
        const r = handshake(newClient({ dc, temp: { expiresIn: 3600 } }), newServer());
        expectSameKey(r);
        expect([r.server.temp, r.server.expiresAt, r.server.dc]).toEqual([true, SERVER_NOW + 3600, dc]);
        expect(r.client.expiresAt).toBe(SERVER_NOW + 3600);
        expect([r.client.expiresIn, r.server.expiresIn]).toEqual([3600, 3600]);
      }
    });

    it('legacy p_q_inner_data (no dc) for a permanent key', () => {
      const r = handshake(newClient({ dc: undefined }), newServer());
      expectSameKey(r);
      expect([r.server.temp, r.server.dc, r.server.expiresAt]).toEqual([false, undefined, undefined]);
    });

    it('auth_key = g_ab left-padded to 256 bytes when it is shorter (a, b chosen so g_ab < 2^2040)', () => {
      // Found offline: with these exponents g^a and g^b pass the range checks and g^ab has 2034 bits.
      const a = new Uint8Array(256).fill(0x11);
      const b = new Uint8Array(256).fill(0x22);
      b[254] = 0x00;
      b[255] = 0xde;
      const r = handshake(newClient({ random: rigged(provider, { 256: [b] }).random }), newServer({ random: rigged(provider, { 256: [a] }).random }));
      expectSameKey(r);
      expect(r.client.authKey[0]).toBe(0);
      expect(toHex(r.client.authKey)).toBe(toHex(be(powMod(powMod(3n, big(a), P), big(b), P), 256)));
    });

    it('picks the trusted key among several fingerprints, refuses a server listing none', () => {
      const server = newServer({ rsaPrivateKey: [PRIVATE_PEM[0], serverKeys[1]] });
      expect(server.fingerprints).toEqual(serverKeys.map((k) => k.fingerprint));
      const r = handshake(newClient({ rsaKeys: [PUBLIC_PEM[1]] }), server);
      expectSameKey(r);
      const lone = newClient({ rsaKeys: [publicKeys[1]] });
      const res = newServer().receive(lone.start()).send;
      expect(() => lone.receive(res)).toThrow(code('rsa-unknown-fingerprint'));
    });

    it('dh_gen_retry on an auth_key_id collision: the client retries with retry_id = aux_hash; dh_gen_fail past the limit', () => {
      const seen: string[] = [];
      const server = newServer({ isAuthKeyIdTaken: (id) => (seen.push(toHex(id)), seen.length === 1) });
      const r = handshake(newClient(), server);
      expectSameKey(r);
      expect(seen.length).toBe(2);
      expect(seen[1]).toBe(toHex(r.server.authKeyId));
      expect(seen[0]).not.toBe(seen[1]);
      // Always taken: maxRetries retries, then dh_gen_fail, which the client reports.
      const always = newServer({ isAuthKeyIdTaken: () => true, maxRetries: 1 });
      const client = newClient();
      let body = client.start();
      const kinds: string[] = [];
      expect(() => {
        for (;;) {
          const answer = always.receive(body).send;
          kinds.push(M.decodeServerMessage(answer)._);
          body = client.receive(answer).send!;
        }
      }).toThrow(code('handshake-dh-gen-fail'));
      expect(kinds).toEqual(['resPQ', 'server_DH_params_ok', 'dh_gen_retry', 'dh_gen_fail']);
      expect(client.stage).toBe('failed');
    });

    it('a GramJS-style client: legacy RSA (SHA1(data) ‖ data ‖ padding, raw RSA) and p_q_inner_data', () => {
      const server = newServer();
      const nonce = provider.randomBytes(16);
      const res = M.decodeServerMessage(server.receive(M.encodeReqPq({ nonce })).send) as M.ResPq;
      const { p, q } = factorPq(big(res.pq));
      const newNonce = provider.randomBytes(32);
      const data = M.encodePqInnerData({ _: 'p_q_inner_data', pq: res.pq, p: be(p), q: be(q), nonce, serverNonce: res.serverNonce, newNonce });
      const plain = Uint8Array.from([0, ...sha1(data), ...data, ...provider.randomBytes(235 - data.length)]);
      const encryptedData = new Uint8Array(publicEncrypt({ key: keyPairs[0].publicKey, padding: constants.RSA_NO_PADDING }, plain));
      const ok = M.decodeServerMessage(server.receive(M.encodeReqDhParams({ nonce, serverNonce: res.serverNonce, p: be(p), q: be(q), fingerprint: res.fingerprints[0], encryptedData })).send) as M.ServerDhParamsOk;
      const { key, iv } = handshakeKeyIv(provider, res.serverNonce, newNonce);
      const answer = openWithHash(provider, key, iv, ok.encryptedAnswer, M.readServerDhInnerData, 'answer');
      expect([answer.g, toHex(answer.dhPrime), answer.serverTime]).toEqual([3, toHex(be(P)), SERVER_NOW]);
      const b = big(provider.randomBytes(256));
      const gB = be(powMod(3n, b, P), 256);
      const set = M.encodeSetClientDhParams({ nonce, serverNonce: res.serverNonce, encryptedData: sealWithHash(provider, key, iv, M.encodeClientDhInnerData({ nonce, serverNonce: res.serverNonce, retryId: 0n, gB }), provider.randomBytes) });
      const step = server.receive(set);
      const authKey = be(powMod(big(answer.gA), b, P), 256);
      expect(toHex(step.done!.authKey)).toBe(toHex(authKey));
      expect([step.done!.temp, step.done!.dc]).toEqual([false, undefined]);
      const gen = M.decodeServerMessage(step.send) as M.DhGenAnswer;
      expect(gen._).toBe('dh_gen_ok');
      expect(toHex(gen.newNonceHash)).toBe(toHex(sha1(Uint8Array.from([...newNonce, 1, ...sha1(authKey).subarray(0, 8)])).subarray(4, 20)));
      // The same server refuses legacy RSA when told to.
      const strict = newServer({ acceptLegacyRsa: false });
      const res2 = M.decodeServerMessage(strict.receive(M.encodeReqPq({ nonce })).send) as M.ResPq;
      const f2 = factorPq(big(res2.pq));
      const data2 = M.encodePqInnerData({ _: 'p_q_inner_data', pq: res2.pq, p: be(f2.p), q: be(f2.q), nonce, serverNonce: res2.serverNonce, newNonce });
      const plain2 = Uint8Array.from([0, ...sha1(data2), ...data2, ...provider.randomBytes(235 - data2.length)]);
      const enc2 = new Uint8Array(publicEncrypt({ key: keyPairs[0].publicKey, padding: constants.RSA_NO_PADDING }, plain2));
      expect(() => strict.receive(M.encodeReqDhParams({ nonce, serverNonce: res2.serverNonce, p: be(f2.p), q: be(f2.q), fingerprint: res2.fingerprints[0], encryptedData: enc2 }))).toThrow(code('rsa-pad-invalid'));
    });
  });

  describe(`server rejections leave the handshake able to finish (${provider.name})`, () => {
    /** A client and a server taken to the point where the client's req_DH_params is ready. */
    function atReqDh(serverExtra = {}) {
      const client = newClient();
      const server = newServer({ ...serverExtra, random: rigged(provider, { 256: [new Uint8Array(256).fill(0x11)] }).random });
      const reqPqBody = client.start();
      const resBody = server.receive(reqPqBody).send;
      const res = M.decodeServerMessage(resBody) as M.ResPq;
      const reqBody = client.receive(resBody).send!;
      const req = M.decodeClientMessage(reqBody) as M.ReqDhParams;
      const inner = M.readPqInnerData(new TlReader(rsaPadDecrypt(provider, serverKeys[0], req.encryptedData)));
      return { client, server, res, reqBody, req, inner, reqPqBody, resBody };
    }
    const innerWith = (base: M.PqInnerData, change: Partial<M.PqInnerData>) => M.encodePqInnerData({ ...base, ...change } as M.PqInnerData);
    const reqWith = (req: M.ReqDhParams, change: Partial<M.ReqDhParams>) => M.encodeReqDhParams({ ...req, ...change });

    it('at req_DH_params: tampering, wrong key, nonces, p/q, ciphertext ≥ n, inner data, dc, garbage', () => {
      const { client, server, req, reqBody, inner, reqPqBody, resBody } = atReqDh({ acceptDc: (dc: number) => dc === 2 });
      expect(server.receive(reqPqBody).send, 'an identical re-sent req_pq_multi gets the same resPQ').toEqual(resBody);
      const tampered = req.encryptedData.slice();
      tampered[77] ^= 1;
      const rsaPad = (data: Uint8Array) => rsaPadEncrypt(provider, serverKeys[0], data);
      const other = provider.randomBytes(16);
      const legacyLong = (() => {
        // 148 bytes of inner data through the legacy scheme (RSA_PAD refuses more than 144).
        const data = innerWith(inner, { pq: new Uint8Array(60).fill(1) });
        const plain = Uint8Array.from([0, ...sha1(data), ...data, ...new Uint8Array(235 - data.length)]);
        return new Uint8Array(publicEncrypt({ key: keyPairs[0].publicKey, padding: constants.RSA_NO_PADDING }, plain));
      })();
      const cases: Array<[string, Uint8Array, unknown]> = [
        ['tampered encrypted_data', reqWith(req, { encryptedData: tampered }), code('rsa-pad-invalid')],
        ['encrypted_data = n', reqWith(req, { encryptedData: be(serverKeys[0].n, 256) }), code('rsa-pad-invalid')],
        ['encrypted_data of 257 bytes', reqWith(req, { encryptedData: new Uint8Array(257) }), code('rsa-pad-invalid')],
        ['unknown fingerprint', reqWith(req, { fingerprint: req.fingerprint ^ 1n }), code('rsa-unknown-fingerprint')],
        ['wrong nonce', reqWith(req, { nonce: other }), code('handshake-nonce-mismatch')],
        ['wrong server_nonce', reqWith(req, { serverNonce: other }), code('handshake-nonce-mismatch')],
        ['p and q swapped', reqWith(req, { p: req.q, q: req.p }), code('handshake-pq-mismatch')],
        ['inner nonce', reqWith(req, { encryptedData: rsaPad(innerWith(inner, { nonce: other })) }), code('handshake-nonce-mismatch')],
        ['inner server_nonce', reqWith(req, { encryptedData: rsaPad(innerWith(inner, { serverNonce: other })) }), code('handshake-nonce-mismatch')],
        ['inner pq', reqWith(req, { encryptedData: rsaPad(innerWith(inner, { pq: Uint8Array.of(15) })) }), code('handshake-pq-mismatch')],
        ['inner p', reqWith(req, { encryptedData: rsaPad(innerWith(inner, { p: inner.q })) }), code('handshake-pq-mismatch')],
        ['refused dc', reqWith(req, { encryptedData: rsaPad(innerWith(inner, { dc: 10002 })) }), code('handshake-wrong-dc')],
        ['expires_in 0', reqWith(req, { encryptedData: rsaPad(innerWith(inner, { _: 'p_q_inner_data_temp_dc', expiresIn: 0 })) }), code('handshake-bad-inner-data')],
        ['not p_q_inner_data', reqWith(req, { encryptedData: rsaPad(M.encodeReqPq({ nonce: other })) }), code('handshake-bad-inner-data')],
        ['inner data over 144 bytes', reqWith(req, { encryptedData: legacyLong }), code('handshake-bad-inner-data')],
        ['set_client_DH_params too early', M.encodeSetClientDhParams({ nonce: req.nonce, serverNonce: req.serverNonce, encryptedData: new Uint8Array(336) }), code('handshake-unexpected-message')],
        ['truncated', reqBody.subarray(0, 100), TlError],
        ['unknown constructor', Uint8Array.of(1, 2, 3, 4), TlError],
        ['empty', new Uint8Array(0), TlError],
      ];
      for (const [name, body, error] of cases) {
        expect(() => server.receive(body), name).toThrow(error as any);
        expect(server.stage, name).toBe('res-pq');
      }
      const ok = server.receive(reqBody);
      expect(server.receive(reqBody).send, 'an identical re-sent req_DH_params gets the same answer').toEqual(ok.send);
      const set = client.receive(ok.send).send!;
      const done = server.receive(set);
      expect(toHex(client.receive(done.send).done!.authKey)).toBe(toHex(done.done!.authKey));
    });

    it('at set_client_DH_params: tampering, padding, nonces, retry_id, g_b range and length; then re-sends and a second handshake', () => {
      const { client, server, reqBody, req, inner } = atReqDh();
      const okBody = server.receive(reqBody).send;
      const setBody = client.receive(okBody).send!;
      const { key, iv } = handshakeKeyIv(provider, req.serverNonce, inner.newNonce);
      const seal = (data: Uint8Array, padding?: number) => {
        if (padding === undefined) return sealWithHash(provider, key, iv, data, provider.randomBytes);
        const plain = Uint8Array.from([...sha1(data), ...data, ...new Uint8Array(padding)]);
        const c = provider.aesIge(key);
        const out = c.encrypt(iv, plain);
        c.dispose();
        return out;
      };
      const set = (gB: Uint8Array, change: { retryId?: bigint; nonce?: Uint8Array } = {}, padding?: number) =>
        M.encodeSetClientDhParams({
          nonce: req.nonce,
          serverNonce: req.serverNonce,
          encryptedData: seal(M.encodeClientDhInnerData({ nonce: change.nonce ?? req.nonce, serverNonce: req.serverNonce, retryId: change.retryId ?? 0n, gB }), padding),
        });
      const validGb = be(powMod(3n, 12345678901234567890123456789n << 1900n, P), 256);
      const sent = M.decodeClientMessage(setBody) as M.SetClientDhParams;
      const tampered = sent.encryptedData.slice();
      tampered[40] ^= 1;
      const cases: Array<[string, Uint8Array, unknown]> = [
        ['tampered encrypted_data', M.encodeSetClientDhParams({ ...sent, encryptedData: tampered }), code('handshake-bad-hash')],
        ['encrypted_data not a multiple of 16', M.encodeSetClientDhParams({ ...sent, encryptedData: sent.encryptedData.subarray(0, 330) }), code('handshake-bad-hash')],
        ['outer nonce', M.encodeSetClientDhParams({ ...sent, nonce: provider.randomBytes(16) }), code('handshake-nonce-mismatch')],
        ['inner nonce', set(validGb, { nonce: provider.randomBytes(16) }), code('handshake-nonce-mismatch')],
        ['16 bytes of padding', set(validGb, {}, 16 + ((16 - ((20 + 304) % 16)) % 16)), code('handshake-bad-hash')],
        ['retry_id not 0', set(validGb, { retryId: 5n }), code('handshake-bad-retry-id')],
        ['g_b = 1', set(be(1n)), code('dh-bad-g-b')],
        ['g_b = p − 1', set(be(P - 1n)), code('dh-bad-g-b')],
        ['g_b = 2^1984', set(be(MARGIN)), code('dh-bad-g-b')],
        ['g_b = p − 2^1984', set(be(P - MARGIN)), code('dh-bad-g-b')],
        ['g_b of 257 bytes', set(Uint8Array.from([0, ...validGb])), code('dh-bad-g-b')],
        ['another req_DH_params', M.encodeReqDhParams({ ...req, encryptedData: rsaPadEncrypt(provider, serverKeys[0], M.encodePqInnerData(inner)) }), code('handshake-unexpected-message')],
        ['truncated', setBody.subarray(0, 60), TlError],
      ];
      for (const [name, body, error] of cases) {
        expect(() => server.receive(body), name).toThrow(error as any);
        expect(server.stage, name).toBe('dh-params');
      }
      expect(server.receive(reqBody).send, 'identical req_DH_params still answered the same').toEqual(okBody);
      const done = server.receive(setBody);
      const clientDone = client.receive(done.send).done!;
      expect(toHex(clientDone.authKey)).toBe(toHex(done.done!.authKey));
      // Afterwards: the identical set_client_DH_params gets the same dh_gen_ok again (and no second key) …
      const again = server.receive(setBody);
      expect(again.send).toEqual(done.send);
      expect(again.done).toBeUndefined();
      expect(() => server.receive(set(validGb))).toThrow(code('handshake-unexpected-message'));
      // … and the same ServerHandshake makes another key for a new req_pq_multi (mtcute's temp key).
      const second = handshake(newClient({ temp: { expiresIn: 60 } }), server);
      expectSameKey(second);
      expect(toHex(second.server.authKey)).not.toBe(toHex(done.done!.authKey));
    });

    it('accepts g_b shorter than 256 bytes; the key is g_b^a by plain BigInt', () => {
      const a = new Uint8Array(256).fill(0x11);
      const client = newClient();
      const server = newServer({ random: rigged(provider, { 256: [a] }).random });
      const res = server.receive(client.start()).send;
      const req = M.decodeClientMessage(client.receive(res).send!) as M.ReqDhParams;
      const inner = M.readPqInnerData(new TlReader(rsaPadDecrypt(provider, serverKeys[0], req.encryptedData)));
      server.receive(M.encodeReqDhParams(req));
      const { key, iv } = handshakeKeyIv(provider, req.serverNonce, inner.newNonce);
      const gB = (1n << 2000n) + 12345n;
      expect(be(gB).length).toBe(251);
      const data = M.encodeClientDhInnerData({ nonce: req.nonce, serverNonce: req.serverNonce, retryId: 0n, gB: be(gB) });
      const step = server.receive(M.encodeSetClientDhParams({ nonce: req.nonce, serverNonce: req.serverNonce, encryptedData: sealWithHash(provider, key, iv, data, provider.randomBytes) }));
      const authKey = be(powMod(gB, big(a), P), 256);
      expect(toHex(step.done!.authKey)).toBe(toHex(authKey));
      const gen = M.decodeServerMessage(step.send) as M.DhGenAnswer;
      expect(toHex(gen.newNonceHash)).toBe(toHex(newNonceHash(provider, inner.newNonce, 1, sha1(authKey).subarray(0, 8))));
    });

    it('a retried set_client_DH_params must carry the aux_hash of the refused key as retry_id', () => {
      let first = true;
      const client = newClient();
      const server = newServer({ isAuthKeyIdTaken: () => (first ? ((first = false), true) : false) });
      const res = server.receive(client.start()).send;
      const reqBody = client.receive(res).send!;
      const req = M.decodeClientMessage(reqBody) as M.ReqDhParams;
      const inner = M.readPqInnerData(new TlReader(rsaPadDecrypt(provider, serverKeys[0], req.encryptedData)));
      const ok = server.receive(reqBody).send;
      const { key, iv } = handshakeKeyIv(provider, req.serverNonce, inner.newNonce);
      const set1 = client.receive(ok).send!;
      const retry = server.receive(set1).send;
      expect(M.decodeServerMessage(retry)._).toBe('dh_gen_retry');
      expect(server.receive(set1).send, 'the retried request re-sent gets the same dh_gen_retry').toEqual(retry);
      const set2 = client.receive(retry).send!;
      // The retry_id the client sent is SHA1(first key)[0:8]: the first key from the first g_b and a.
      const open = (body: Uint8Array) => openWithHash(provider, key, iv, (M.decodeClientMessage(body) as M.SetClientDhParams).encryptedData, M.readClientDhInnerData, 't');
      const inner2 = open(set2);
      expect(open(set1).retryId).toBe(0n);
      const okAnswer = openWithHash(provider, key, iv, (M.decodeServerMessage(ok) as M.ServerDhParamsOk).encryptedAnswer, M.readServerDhInnerData, 't');
      expect(okAnswer.g).toBe(3);
      // A forged retry with retry_id 0 is refused, the real one accepted.
      const forged = M.encodeSetClientDhParams({ nonce: req.nonce, serverNonce: req.serverNonce, encryptedData: sealWithHash(provider, key, iv, M.encodeClientDhInnerData({ ...inner2, retryId: 0n }), provider.randomBytes) });
      expect(() => server.receive(forged)).toThrow(code('handshake-bad-retry-id'));
      const done = server.receive(set2);
      expect(toHex(client.receive(done.send).done!.authKey)).toBe(toHex(done.done!.authKey));
      expect(inner2.retryId).not.toBe(0n);
    });
  });

  describe(`the client against a hostile server (${provider.name})`, () => {
    const key = serverKeys[0];
    /** A client past resPQ (pq = 15, so no real proof of work) with the values a server would know. */
    function pastResPq(extra: Partial<ConstructorParameters<typeof ClientHandshake>[1]> = {}) {
      const client = newClient(extra);
      const nonce = (M.decodeClientMessage(client.start()) as M.ReqPq).nonce;
      const serverNonce = provider.randomBytes(16);
      const req = M.decodeClientMessage(client.receive(M.encodeResPq({ nonce, serverNonce, pq: Uint8Array.of(15), fingerprints: [7n, key.fingerprint] })).send!) as M.ReqDhParams;
      expect([toHex(req.p), toHex(req.q)]).toEqual(['03', '05']);
      const inner = M.readPqInnerData(new TlReader(rsaPadDecrypt(provider, key, req.encryptedData)));
      const { key: aesKey, iv } = handshakeKeyIv(provider, serverNonce, inner.newNonce);
      const answer = (change: Partial<M.ServerDhInnerData> = {}, tamper?: (plain: Uint8Array) => void) => {
        const data = M.encodeServerDhInnerData({ nonce, serverNonce, g: 3, dhPrime: be(P), gA: be(powMod(3n, A_SMALL, P), 256), serverTime: SERVER_NOW, ...change });
        let encryptedAnswer = sealWithHash(provider, aesKey, iv, data, provider.randomBytes);
        if (tamper) {
          const c = provider.aesIge(aesKey);
          const plain = c.decrypt(iv, encryptedAnswer);
          tamper(plain);
          encryptedAnswer = c.encrypt(iv, plain);
          c.dispose();
        }
        return M.encodeServerDhParamsOk({ nonce, serverNonce, encryptedAnswer });
      };
      return { client, nonce, serverNonce, newNonce: inner.newNonce, aesKey, iv, answer };
    }

    it('refuses resPQ with a wrong nonce, a prime or oversize pq, or no trusted fingerprint', () => {
      const cases: Array<[string, (nonce: Uint8Array) => Uint8Array, string]> = [
        ['nonce', () => M.encodeResPq({ nonce: provider.randomBytes(16), serverNonce: provider.randomBytes(16), pq: Uint8Array.of(15), fingerprints: [key.fingerprint] }), 'handshake-nonce-mismatch'],
        ['prime pq', (nonce) => M.encodeResPq({ nonce, serverNonce: nonce, pq: be(4294967291n), fingerprints: [key.fingerprint] }), 'handshake-bad-pq'],
        ['9-byte pq', (nonce) => M.encodeResPq({ nonce, serverNonce: nonce, pq: new Uint8Array(9).fill(1), fingerprints: [key.fingerprint] }), 'handshake-bad-pq'],
        ['no fingerprint', (nonce) => M.encodeResPq({ nonce, serverNonce: nonce, pq: Uint8Array.of(15), fingerprints: [] }), 'rsa-unknown-fingerprint'],
        ['dh_gen_ok instead', (nonce) => M.encodeDhGenAnswer({ _: 'dh_gen_ok', nonce, serverNonce: nonce, newNonceHash: nonce }), 'handshake-unexpected-message'],
      ];
      for (const [name, make, c] of cases) {
        const client = newClient();
        const nonce = (M.decodeClientMessage(client.start()) as M.ReqPq).nonce;
        expect(() => client.receive(make(nonce)), name).toThrow(code(c));
        expect(client.stage).toBe('failed');
        expect(() => client.receive(make(nonce)), `${name}, after failing`).toThrow(code('handshake-failed'));
      }
      const finished = newClient();
      const r = handshake(finished, newServer());
      expect(finished.stage).toBe('done');
      expect(() => finished.receive(r.bodies[r.bodies.length - 1]), 'after done').toThrow(code('handshake-finished'));
    });

    it('refuses a non-safe prime, a composite, a bad g, g_a out of range, a bad answer hash, wrong nonces', () => {
      const gaFor = (p: bigint) => be(p - MARGIN - 1n);
      const cases: Array<[string, (s: ReturnType<typeof pastResPq>) => Uint8Array, string]> = [
        ['prime that is not safe', (s) => s.answer({ dhPrime: be(NOT_SAFE_PRIME), g: 4, gA: gaFor(NOT_SAFE_PRIME) }), 'dh-bad-prime'],
        ['composite dh_prime', (s) => s.answer({ dhPrime: be(P + 2n), g: 4, gA: gaFor(P + 2n) }), 'dh-bad-prime'],
        ['1024-bit dh_prime', (s) => s.answer({ dhPrime: be(P >> 1024n), g: 4 }), 'dh-bad-prime'],
        ['g = 2 (p mod 8 = 3)', (s) => s.answer({ g: 2 }), 'dh-bad-g'],
        ['g = 5 (p mod 5 = 3)', (s) => s.answer({ g: 5 }), 'dh-bad-g'],
        ['g = 11', (s) => s.answer({ g: 11 }), 'dh-bad-g'],
        ['g_a = 1', (s) => s.answer({ gA: be(1n) }), 'dh-bad-g-a'],
        ['g_a = p − 1', (s) => s.answer({ gA: be(P - 1n) }), 'dh-bad-g-a'],
        ['g_a = 2^1984', (s) => s.answer({ gA: be(MARGIN) }), 'dh-bad-g-a'],
        ['g_a = p − 2^1984', (s) => s.answer({ gA: be(P - MARGIN) }), 'dh-bad-g-a'],
        ['answer SHA-1 flipped', (s) => s.answer({}, (plain) => (plain[3] ^= 1)), 'handshake-bad-hash'],
        ['answer body flipped', (s) => s.answer({}, (plain) => (plain[40] ^= 1)), 'handshake-bad-hash'],
        ['answer with 16 bytes more padding', (s) => {
          const ok = M.decodeServerMessage(s.answer()) as M.ServerDhParamsOk;
          const c = provider.aesIge(s.aesKey);
          const plain = Uint8Array.from([...c.decrypt(s.iv, ok.encryptedAnswer), ...new Uint8Array(16)]);
          const out = M.encodeServerDhParamsOk({ ...ok, encryptedAnswer: c.encrypt(s.iv, plain) });
          c.dispose();
          return out;
        }, 'handshake-bad-hash'],
        ['inner nonce', (s) => s.answer({ nonce: provider.randomBytes(16) }), 'handshake-nonce-mismatch'],
        ['inner server_nonce', (s) => s.answer({ serverNonce: provider.randomBytes(16) }), 'handshake-nonce-mismatch'],
        ['outer server_nonce', (s) => M.encodeServerDhParamsOk({ ...(M.decodeServerMessage(s.answer()) as M.ServerDhParamsOk), serverNonce: provider.randomBytes(16) }), 'handshake-nonce-mismatch'],
        ['server_DH_params_fail', (s) => M.encodeServerDhParamsFail({ nonce: s.nonce, serverNonce: s.serverNonce, newNonceHash: newNonceHashOfFail(provider, s.newNonce) }), 'handshake-dh-params-fail'],
        ['server_DH_params_fail, wrong hash', (s) => M.encodeServerDhParamsFail({ nonce: s.nonce, serverNonce: s.serverNonce, newNonceHash: provider.randomBytes(16) }), 'handshake-bad-hash'],
      ];
      for (const [name, make, c] of cases) {
        const s = pastResPq();
        expect(() => s.client.receive(make(s)), name).toThrow(code(c));
        expect(s.client.stage, name).toBe('failed');
      }
      // g = 4 and g = 7 satisfy the table for the known prime: the client goes on to set_client_DH_params.
      for (const g of [4, 7]) {
        const s = pastResPq();
        expect(M.decodeClientMessage(s.client.receive(s.answer({ g })).send!)._, `g = ${g}`).toBe('set_client_DH_params');
      }
    });

    it('checks new_nonce_hash1..3 per constructor, follows dh_gen_retry with retry_id = aux_hash, bounds retries', () => {
      const a = A_SMALL;
      const dhGen = (s: ReturnType<typeof pastResPq>, setBody: Uint8Array) => {
        const set = M.decodeClientMessage(setBody) as M.SetClientDhParams;
        const inner = openWithHash(provider, s.aesKey, s.iv, set.encryptedData, M.readClientDhInnerData, 'client_DH_inner_data');
        const authKey = be(powMod(big(inner.gB), a, P), 256);
        const aux = sha1(authKey).subarray(0, 8);
        const make = (kind: M.DhGenAnswer['_'], n: 1 | 2 | 3, change: Partial<M.DhGenAnswer> = {}) =>
          M.encodeDhGenAnswer({ _: kind, nonce: s.nonce, serverNonce: s.serverNonce, newNonceHash: newNonceHash(provider, s.newNonce, n, aux), ...change });
        return { inner, authKey, aux, make };
      };
      const cases: Array<[string, (g: ReturnType<typeof dhGen>) => Uint8Array, string]> = [
        ['dh_gen_ok with hash2', (g) => g.make('dh_gen_ok', 2), 'handshake-bad-hash'],
        ['dh_gen_ok with hash3', (g) => g.make('dh_gen_ok', 3), 'handshake-bad-hash'],
        ['dh_gen_retry with hash1', (g) => g.make('dh_gen_retry', 1), 'handshake-bad-hash'],
        ['dh_gen_fail with hash1', (g) => g.make('dh_gen_fail', 1), 'handshake-bad-hash'],
        ['dh_gen_ok, wrong nonce', (g) => g.make('dh_gen_ok', 1, { nonce: provider.randomBytes(16) }), 'handshake-nonce-mismatch'],
        ['dh_gen_fail', (g) => g.make('dh_gen_fail', 3), 'handshake-dh-gen-fail'],
        ['resPQ instead', () => M.encodeResPq({ nonce: new Uint8Array(16), serverNonce: new Uint8Array(16), pq: Uint8Array.of(15), fingerprints: [] }), 'handshake-unexpected-message'],
      ];
      for (const [name, make, c] of cases) {
        const s = pastResPq();
        const g = dhGen(s, s.client.receive(s.answer()).send!);
        expect(() => s.client.receive(make(g)), name).toThrow(code(c));
      }
      // dh_gen_retry (right hash2): a new b, retry_id = the refused key's aux_hash; then dh_gen_ok.
      const s = pastResPq({ maxRetries: 2 });
      let g = dhGen(s, s.client.receive(s.answer({ serverTime: SERVER_NOW + 100 })).send!);
      expect(g.inner.retryId).toBe(0n);
      for (let i = 0; i < 2; i++) {
        const next = dhGen(s, s.client.receive(g.make('dh_gen_retry', 2)).send!);
        expect(next.inner.retryId).toBe(Buffer.from(g.aux).readBigInt64LE(0));
        expect(toHex(next.inner.gB)).not.toBe(toHex(g.inner.gB));
        g = next;
      }
      const s2 = { ...g };
      expect(() => s.client.receive(s2.make('dh_gen_retry', 2)), 'a third retry').toThrow(code('handshake-too-many-retries'));
      const s3 = pastResPq({ maxRetries: 2 });
      const g3 = dhGen(s3, s3.client.receive(s3.answer({ serverTime: SERVER_NOW + 100 })).send!);
      const g4 = dhGen(s3, s3.client.receive(g3.make('dh_gen_retry', 2)).send!);
      const done = s3.client.receive(g4.make('dh_gen_ok', 1)).done!;
      expect(toHex(done.authKey)).toBe(toHex(g4.authKey));
      expect(done.timeOffset).toBe(143);
      expect(done.serverSalt).toBe(Buffer.from(Uint8Array.from({ length: 8 }, (_, i) => s3.newNonce[i] ^ s3.serverNonce[i])).readBigInt64LE(0));
    });
  });
});
