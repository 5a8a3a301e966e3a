// Public-key operations: X25519, Ed25519 (single and batch verification), P-256 and HPKE, against
// libsodium-wrappers, @noble/curves, node:crypto (the native ceiling, KeyObjects made once) and
// @hpke/core. ops/s; the Ed25519 batch group counts signatures per second.
import { createPrivateKey, createPublicKey, diffieHellman, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { Chacha20Poly1305 } from '@hpke/chacha20poly1305';
import { Aes128Gcm, CipherSuite, DhkemP256HkdfSha256, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import { ed25519 as nobleEd, x25519 as nobleX } from '@noble/curves/ed25519.js';
import { p256 as nobleP256 } from '@noble/curves/nist.js';
import _sodium from 'libsodium-wrappers';
import * as w from 'wirecrypt';

await _sodium.ready;
const sodium = _sodium;

const data = (n, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 131 + seed * 7 + (i >> 9)) & 0xff);
const OP = [{ label: 'op', bytes: 0 }];
const b64url = (b) => Buffer.from(b).toString('base64url');
const u8 = (b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

// ---- keys ---------------------------------------------------------------------------------------

const xA = data(32, 1), xB = data(32, 2);
const xPubB = w.x25519.publicKey(xB);
const nodeX = (sk, pk) => ({
  privateKey: createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: b64url(sk), x: b64url(w.x25519.publicKey(sk)) }, format: 'jwk' }),
  publicKey: createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64url(pk) }, format: 'jwk' }),
});
const nodeXKeys = nodeX(xA, xPubB);

const seed = data(32, 3);
const ed = sodium.crypto_sign_seed_keypair(seed); // { publicKey, privateKey: seed ‖ pk }
const msg64 = data(64, 4);
const edSig = w.ed25519.sign(ed.privateKey, msg64);
const edSigner = w.ed25519.signer(ed.privateKey);
const edVerifier = w.ed25519.verifier(ed.publicKey);
const nodeEdPriv = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: b64url(seed), x: b64url(ed.publicKey) }, format: 'jwk' });
const nodeEdPub = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64url(ed.publicKey) }, format: 'jwk' });

const batch = Array.from({ length: 64 }, (_, i) => {
  const kp = sodium.crypto_sign_seed_keypair(data(32, 100 + i));
  const message = data(64, 200 + i);
  return { publicKey: kp.publicKey, message, signature: sodium.crypto_sign_detached(message, kp.privateKey) };
});

const pA = data(32, 5), pB = data(32, 6);
const pPubA = w.p256.publicKey(pA), pPubB = w.p256.publicKey(pB);
const p256Jwk = (pk, sk) => ({ kty: 'EC', crv: 'P-256', x: b64url(pk.subarray(1, 33)), y: b64url(pk.subarray(33)), ...(sk ? { d: b64url(sk) } : {}) });
const nodePPriv = createPrivateKey({ key: p256Jwk(pPubA, pA), format: 'jwk' });
const nodePPubA = createPublicKey({ key: p256Jwk(pPubA), format: 'jwk' });
const nodePPubB = createPublicKey({ key: p256Jwk(pPubB), format: 'jwk' });
const pSig = w.p256.sign(pA, msg64);

const ops = (title, impls, notes = []) => ({
  title, unit: 'ops/s', sizes: OP, notes,
  impls: impls.map(([name, run, output]) => ({ name, setup: () => ({ run, output }) })),
});

export const curveGroups = [
  ops('X25519 shared secret', [
    ['wirecrypt', () => w.x25519.sharedSecret(xA, xPubB)],
    ['libsodium-wrappers', () => sodium.crypto_scalarmult(xA, xPubB)],
    ['@noble/curves', () => nobleX.getSharedSecret(xA, xPubB)],
    ['node:crypto', () => u8(diffieHellman(nodeXKeys))],
  ]),
  ops('X25519 public key from a 32-byte secret', [
    ['wirecrypt', () => w.x25519.publicKey(xA)],
    ['libsodium-wrappers', () => sodium.crypto_scalarmult_base(xA)],
    ['@noble/curves', () => nobleX.getPublicKey(xA)],
  ], ['node:crypto has no raw-key X25519 API (PKCS#8 import + export per key), so it is not in this group.']),
  ops('Ed25519 sign (64 B)', [
    ['wirecrypt signer', () => edSigner.sign(msg64)],
    ['wirecrypt', () => w.ed25519.sign(ed.privateKey, msg64)],
    ['libsodium-wrappers', () => sodium.crypto_sign_detached(msg64, ed.privateKey)],
    ['@noble/curves', () => nobleEd.sign(msg64, seed)],
    ['node:crypto', () => u8(nodeSign(null, msg64, nodeEdPriv))],
  ], [
    'wirecrypt signer: ed25519.signer(secretKey) made once (key expanded and public key derived once), then sign(message).',
    'wirecrypt sign(secretKey, message) derives the public key from the seed on every call (a caller-supplied public half is checked, never trusted); libsodium takes the 64-byte key (seed ‖ public key) and uses its public half as given; noble derives the public key each time.',
  ]),
  ops('Ed25519 verify (64 B)', [
    ['wirecrypt', () => w.ed25519.verify(ed.publicKey, msg64, edSig)],
    ['wirecrypt verifier', () => edVerifier.verify(msg64, edSig)],
    ['libsodium-wrappers', () => sodium.crypto_sign_verify_detached(edSig, msg64, ed.publicKey)],
    ['@noble/curves', () => nobleEd.verify(edSig, msg64, ed.publicKey)],
    ['node:crypto', () => nodeVerify(null, msg64, nodeEdPub, edSig)],
  ], ['wirecrypt verifier: ed25519.verifier(publicKey) made once (key decoded, tables of A and 2^128·A kept), then verify(message, signature); what MLS and Wesh use for a key that signs again.']),
  {
    title: 'Ed25519 verify, 64 signatures', unit: 'ops/s', sizes: [{ label: 'signatures/s', bytes: 0, perCall: 64 }],
    notes: ['wirecrypt verifyBatch: one random linear combination (the bucket method from 64 signatures on, Straus below); the other rows verify one by one.'],
    impls: [
      { name: 'wirecrypt verifyBatch', setup: () => ({ run: () => w.ed25519.verifyBatch(batch) }) },
      { name: 'wirecrypt one by one', setup: () => ({ run: () => batch.map((b) => w.ed25519.verify(b.publicKey, b.message, b.signature)) }) },
      { name: 'libsodium-wrappers one by one', setup: () => ({ run: () => batch.map((b) => sodium.crypto_sign_verify_detached(b.signature, b.message, b.publicKey)) }) },
    ],
  },
  ops('P-256 ECDH', [
    ['wirecrypt', () => w.p256.ecdh(pA, pPubB)],
    ['@noble/curves', () => nobleP256.getSharedSecret(pA, pPubB).subarray(1)],
    ['node:crypto', () => u8(diffieHellman({ privateKey: nodePPriv, publicKey: nodePPubB }))],
  ], ['wirecrypt: wasm, constant time (masked fixed window); @noble/curves: JavaScript BigInt; node:crypto: OpenSSL.']),
  ops('ECDSA P-256 sign (64 B)', [
    ['wirecrypt', () => w.p256.sign(pA, msg64)],
    ['@noble/curves', () => nobleP256.sign(msg64, pA)],
  ], ['node:crypto signs with random k, so its output cannot be cross-checked here; see peers.md for its speed.']),
  ops('ECDSA P-256 verify (64 B)', [
    ['wirecrypt', () => w.p256.verify(pPubA, msg64, pSig)],
    ['@noble/curves', () => nobleP256.verify(pSig, msg64, pPubA, { lowS: false })],
    ['node:crypto', () => nodeVerify('sha256', msg64, { key: nodePPubA, dsaEncoding: 'ieee-p1363' }, pSig)],
  ]),
];

// ---- HPKE -----------------------------------------------------------------------------------------

const pt100 = data(100, 9);

async function hpkeGroup(title, kem, aead, theirKem, theirAead, note) {
  const ours = w.hpke.suite({ kem, kdf: 'HKDF-SHA256', aead });
  const recipient = ours.deriveKeyPair(data(32, 10));
  const theirs = new CipherSuite({ kem: theirKem, kdf: new HkdfSha256(), aead: theirAead });
  const theirRecipient = await theirs.kem.deriveKeyPair(data(32, 10).buffer);
  const oursOnce = () => {
    const { enc, ciphertext } = ours.seal(recipient.publicKey, pt100);
    return ours.open(enc, recipient, ciphertext);
  };
  const theirsOnce = async () => {
    const sender = await theirs.createSenderContext({ recipientPublicKey: theirRecipient.publicKey });
    const ct = await sender.seal(pt100.buffer.slice(0));
    const rx = await theirs.createRecipientContext({ recipientKey: theirRecipient, enc: sender.enc });
    return new Uint8Array(await rx.open(ct));
  };
  return {
    title, unit: 'ops/s', sizes: [{ label: 'seal + open', bytes: 0 }],
    notes: ['One single-shot seal to a recipient public key and its open (a fresh ephemeral key each time); @hpke/core awaits each step.', ...(note ? [note] : [])],
    impls: [
      { name: 'wirecrypt', setup: () => ({ run: oursOnce }) },
      { name: '@hpke/core', setup: () => ({ run: theirsOnce, async: true }) },
    ],
  };
}

curveGroups.push(
  await hpkeGroup('HPKE base, X25519 + ChaCha20Poly1305, 100 B', 'DHKEM(X25519, HKDF-SHA256)', 'ChaCha20Poly1305', new DhkemX25519HkdfSha256(), new Chacha20Poly1305()),
  await hpkeGroup('HPKE base, P-256 + AES-128-GCM, 100 B', 'DHKEM(P-256, HKDF-SHA256)', 'AES-128-GCM', new DhkemP256HkdfSha256(), new Aes128Gcm(),
    '@hpke/core computes P-256 with WebCrypto (native code, asynchronous); wirecrypt\'s P-256 is wasm.'),
);

const t = (text, group, size, peer, min) => ({ text, group, size, peer, min });
export const curveTargets = [
  t('X25519 shared secret ≥ 1.2× libsodium', 'X25519 shared secret', 'op', 'libsodium-wrappers', 1.2),
  t('X25519 shared secret ≥ 12× @noble/curves', 'X25519 shared secret', 'op', '@noble/curves', 12),
  t('X25519 key generation ≥ 1.2× libsodium', 'X25519 public key from a 32-byte secret', 'op', 'libsodium-wrappers', 1.2),
  t('Ed25519 signer.sign ≥ 1.0× libsodium crypto_sign_detached', 'Ed25519 sign (64 B)', 'op', 'libsodium-wrappers', 1),
  t('Ed25519 verify ≥ 1.0× libsodium', 'Ed25519 verify (64 B)', 'op', 'libsodium-wrappers', 1),
  t('Ed25519 batch of 64 ≥ 2× one by one', 'Ed25519 verify, 64 signatures', 'signatures/s', 'wirecrypt one by one', 2),
  t('HPKE base seal + open 100 B (X25519, ChaCha20Poly1305) ≥ 5× @hpke/core', 'HPKE base, X25519 + ChaCha20Poly1305, 100 B', 'seal + open', '@hpke/core', 5),
  t('P-256 ECDH ≥ 10× @noble/curves', 'P-256 ECDH', 'op', '@noble/curves', 10),
  t('P-256 ECDH ≥ 0.3× node:crypto', 'P-256 ECDH', 'op', 'node:crypto', 0.3),
  t('ECDSA P-256 sign ≥ 10× @noble/curves', 'ECDSA P-256 sign (64 B)', 'op', '@noble/curves', 10),
  t('ECDSA P-256 verify ≥ 8× @noble/curves', 'ECDSA P-256 verify (64 B)', 'op', '@noble/curves', 8),
  t('HPKE DHKEM(P-256) seal + open ≥ 1× @hpke/core', 'HPKE base, P-256 + AES-128-GCM, 100 B', 'seal + open', '@hpke/core', 1),
];
