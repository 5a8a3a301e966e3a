// Scuttlebutt's secret handshake (SHS v1), on which Wesh's contact handshake is modelled, run from
// its deterministic test data (../shared/vectors/shs/) through the crypto provider: the same
// plumbing Wesh uses (X25519 with Ed25519 keys converted to Montgomery form, secretbox, Ed25519,
// HMAC, SHA-256) checked against an independent implementation's bytes. Not a Wesh vector.
import { expect, it } from 'vitest';
import type { CryptoProvider } from '../../bindings/provider/types.js';
import { forEachProvider } from '../helpers/providers.js';
import { hex, loadVectors, toHex } from '../helpers/vectors.js';

const v = loadVectors('shs/shs1_deterministic_kat.json').values;
const cat = (...parts: Uint8Array[]) => new Uint8Array(parts.flatMap((p) => [...p]));

forEachProvider((provider: CryptoProvider) => {
  it('SHS v1: the four messages and both directions of the outcome', () => {
    const app = hex(v.app), dh = provider.dh('X25519'), ed = provider.signature('Ed25519'), conv = provider.ed25519ToX25519;
    const sha256 = (b: Uint8Array) => provider.hash('SHA-256', b);
    const auth = (key: Uint8Array, m: Uint8Array) => provider.hmac('SHA-512', key, m).subarray(0, 32); // crypto_auth
    const box = (key: Uint8Array, m: Uint8Array) => { const s = provider.secretbox(key); try { return s.seal(new Uint8Array(24), m); } finally { s.dispose(); } };
    const a = { pub: hex(v.client_pub), sec: hex(v.client_sec), ePub: hex(v.client_eph_pub), eSec: hex(v.client_eph_sec) };
    const b = { pub: hex(v.server_pub), sec: hex(v.server_sec), ePub: hex(v.server_eph_pub), eSec: hex(v.server_eph_sec) };

    expect(toHex(cat(auth(app, a.ePub), a.ePub))).toBe(v.expected_client_challenge);
    expect(toHex(cat(auth(app, b.ePub), b.ePub))).toBe(v.expected_server_challenge);

    const ab = dh.sharedSecret(a.eSec, b.ePub);
    expect(ab).toEqual(dh.sharedSecret(b.eSec, a.ePub));
    const aB = dh.sharedSecret(a.eSec, conv.publicKey(b.pub));
    expect(aB).toEqual(dh.sharedSecret(conv.secretKey(b.sec), a.ePub));
    const sigA = ed.sign(a.sec, cat(app, b.pub, sha256(ab)));
    expect(toHex(box(sha256(cat(app, ab, aB)), cat(sigA, a.pub)))).toBe(v.expected_client_auth);

    const Ab = dh.sharedSecret(conv.secretKey(a.sec), b.ePub);
    expect(Ab).toEqual(dh.sharedSecret(b.eSec, conv.publicKey(a.pub)));
    const sigB = ed.sign(b.sec, cat(app, sigA, a.pub, sha256(ab)));
    expect(ed.verify(b.pub, cat(app, sigA, a.pub, sha256(ab)), sigB)).toBe(true);
    expect(toHex(box(sha256(cat(app, ab, aB, Ab)), sigB))).toBe(v.expected_server_ack);

    const master = sha256(sha256(cat(app, ab, aB, Ab)));
    expect(toHex(sha256(cat(master, b.pub)))).toBe(v.expected_client_encryption_key);
    expect(toHex(sha256(cat(master, a.pub)))).toBe(v.expected_server_encryption_key);
    expect(toHex(auth(app, b.ePub).subarray(0, 24))).toBe(v.expected_client_encryption_nonce);
    expect(toHex(auth(app, a.ePub).subarray(0, 24))).toBe(v.expected_server_encryption_nonce);
  });
});
