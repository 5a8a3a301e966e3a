// Differential properties for the public-key layer: X25519, Ed25519 (incl. batch verification and
// the X25519 conversions), NaCl box and P-256 against @noble/curves, libsodium-wrappers, tweetnacl
// and node:crypto. Scalars and seeds include all-zero and all-0xff fills.
import { createECDH, createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import fc from 'fast-check';
import { ed25519 as nobleEd, x25519 as nobleX } from '@noble/curves/ed25519.js';
import { p256 as nobleP256 } from '@noble/curves/nist.js';
import sodium from 'libsodium-wrappers';
import nacl from 'tweetnacl';
import * as w from '../../bindings/index.js';
import { bytesOfLength, bytesUpTo, outcome } from './generators.js';
import type { Property } from './property.js';

await sodium.ready;

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The points of small order on Curve25519 (u-coordinates, as in libsodium's blocklist), and one non-canonical. */
const SMALL_ORDER_U = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map((h) => Uint8Array.from(Buffer.from(h, 'hex')));

/** A peer public key: usually random, sometimes of small order (the all-zero-result case). */
const peerKey = fc.oneof(
  { arbitrary: bytesOfLength(32), weight: 6 },
  { arbitrary: fc.constantFrom(...SMALL_ORDER_U), weight: 1 },
);

const b64url = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const p256Jwk = (pk: Uint8Array) => ({ kty: 'EC', crv: 'P-256', x: b64url(pk.subarray(1, 33)), y: b64url(pk.subarray(33)) });

function nodeP256Verify(pk: Uint8Array, msg: Uint8Array, sig: Uint8Array, der: boolean): boolean {
  return nodeVerify('sha256', msg, { key: createPublicKey({ key: p256Jwk(pk), format: 'jwk' }), dsaEncoding: der ? 'der' : 'ieee-p1363' }, sig);
}

function nodeP256SignDer(sk: Uint8Array, pk: Uint8Array, msg: Uint8Array): Uint8Array {
  const key = createPrivateKey({ key: { ...p256Jwk(pk), d: b64url(sk) }, format: 'jwk' });
  return new Uint8Array(nodeSign('sha256', msg, { key, dsaEncoding: 'der' }));
}

export const curveProps: Property[] = [
  {
    name: 'x25519 sharedSecret = noble = libsodium (small-order peers refused by all)',
    property: fc.property(bytesOfLength(32), peerKey, (sk, pk) => {
      const mine = outcome(() => w.x25519.sharedSecret(sk, pk));
      const noble = outcome(() => nobleX.scalarMult(sk, pk));
      const sodiums = outcome(() => sodium.crypto_scalarmult(sk, pk));
      if (mine.startsWith('throws:')) return mine === 'throws:InvalidKeyError' && noble.startsWith('throws:') && sodiums.startsWith('throws:');
      return mine === noble && mine === sodiums;
    }),
  },
  {
    name: 'x25519 publicKey = noble = tweetnacl, and DH agrees both ways',
    property: fc.property(bytesOfLength(32), bytesOfLength(32), (a, b) => {
      const A = w.x25519.publicKey(a);
      const B = w.x25519.publicKey(b);
      const shared = hex(w.x25519.sharedSecret(a, B));
      return hex(A) === hex(nobleX.getPublicKey(a)) && hex(A) === hex(nacl.scalarMult.base(a))
        && shared === hex(w.x25519.sharedSecret(b, A)) && shared === hex(nobleX.getSharedSecret(b, A));
    }),
  },
  {
    name: 'ed25519 publicKey and sign = noble = libsodium = tweetnacl; verify accepts',
    property: fc.property(bytesOfLength(32), bytesUpTo(1100), (seed, msg) => {
      const pk = w.ed25519.publicKey(seed);
      const sk64 = sodium.crypto_sign_seed_keypair(seed).privateKey;
      const sig = w.ed25519.sign(seed, msg);
      return hex(pk) === hex(nobleEd.getPublicKey(seed))
        && hex(sig) === hex(nobleEd.sign(msg, seed))
        && hex(sig) === hex(sodium.crypto_sign_detached(msg, sk64))
        && hex(w.ed25519.sign(sk64, msg)) === hex(nacl.sign.detached(msg, sk64))
        && w.ed25519.verify(pk, msg, sig);
    }),
  },
  {
    name: 'ed25519 verify of a changed signature, message or key = libsodium = noble (strict)',
    property: fc.property(bytesOfLength(32), bytesUpTo(300), fc.constantFrom(0, 1, 2), fc.nat(), fc.integer({ min: 0, max: 7 }), (seed, msg, which, at, bit) => {
      const parts = [w.ed25519.publicKey(seed), msg.slice(), w.ed25519.sign(seed, msg)];
      // the part to change, among the non-empty ones (an empty message has nothing to flip)
      const nonEmpty = [0, 1, 2].filter((i) => parts[i].length > 0);
      const target = parts[nonEmpty[which % nonEmpty.length]];
      target[at % target.length] ^= 1 << bit;
      const [pk, m, sig] = parts;
      const mine = w.ed25519.verify(pk, m, sig);
      const noble = outcome(() => nobleEd.verify(sig, m, pk, { zip215: false })) === 'true';
      return mine === sodium.crypto_sign_verify_detached(sig, m, pk) && mine === noble && !mine;
    }),
  },
  {
    name: 'ed25519 verifyBatch = verify one by one, with some signatures corrupted',
    property: fc.property(fc.array(fc.tuple(bytesOfLength(32), bytesUpTo(200), fc.boolean()), { minLength: 0, maxLength: 70 }), (items) => {
      const signed = items.map(([seed, msg, corrupt]) => {
        const signature = w.ed25519.sign(seed, msg);
        if (corrupt) signature[signature[0] & 63] ^= 4;
        return { publicKey: w.ed25519.publicKey(seed), message: msg, signature };
      });
      const batch = w.ed25519.verifyBatch(signed);
      return batch.every((ok, i) => ok === w.ed25519.verify(signed[i].publicKey, signed[i].message, signed[i].signature))
        && batch.every((ok, i) => ok === !items[i][2]);
    }),
  },
  {
    // most signatures under a few keys, as in a Wesh log (one key) or a group's batch: the batch folds
    // the first key's signatures into one point, the others' keys are points of their own
    name: 'ed25519 verifyBatch over 1-3 keys (the shared-key path) = verify one by one, some corrupted',
    property: fc.property(fc.array(bytesOfLength(32), { minLength: 1, maxLength: 3 }), fc.array(fc.tuple(fc.nat(), bytesUpTo(100), fc.nat(20)), { minLength: 0, maxLength: 70 }), (seeds, items) => {
      const signed = items.map(([k, msg, corrupt]) => {
        const seed = seeds[k % seeds.length];
        const signature = w.ed25519.sign(seed, msg);
        if (corrupt === 0) signature[signature[0] & 63] ^= 4;
        return { publicKey: w.ed25519.publicKey(seed), message: msg, signature };
      });
      const batch = w.ed25519.verifyBatch(signed);
      return batch.every((ok, i) => ok === w.ed25519.verify(signed[i].publicKey, signed[i].message, signed[i].signature))
        && batch.every((ok, i) => ok === (items[i][2] !== 0));
    }),
  },
  {
    name: 'ed25519 → X25519 conversions = libsodium, and they agree on a shared secret',
    property: fc.property(bytesOfLength(32), bytesOfLength(32), (seedA, seedB) => {
      const a = sodium.crypto_sign_seed_keypair(seedA);
      const xs = w.ed25519.toX25519Secret(seedA);
      const xp = w.ed25519.toX25519Public(a.publicKey);
      const xpB = w.ed25519.toX25519Public(w.ed25519.publicKey(seedB));
      const b = sodium.crypto_sign_seed_keypair(seedB);
      const shared = hex(w.x25519.sharedSecret(xs, xpB));
      return hex(xs) === hex(sodium.crypto_sign_ed25519_sk_to_curve25519(a.privateKey))
        && hex(xp) === hex(sodium.crypto_sign_ed25519_pk_to_curve25519(a.publicKey))
        && shared === hex(w.x25519.sharedSecret(w.ed25519.toX25519Secret(seedB), xp))
        && shared === hex(sodium.crypto_scalarmult(sodium.crypto_sign_ed25519_sk_to_curve25519(b.privateKey), xp));
    }),
  },
  {
    name: 'box seal = tweetnacl = libsodium crypto_box_easy; open inverts',
    property: fc.property(bytesOfLength(32), bytesOfLength(32), bytesOfLength(24), bytesUpTo(70_000), (skA, skB, nonce, msg) => {
      const pkB = nacl.scalarMult.base(skB);
      const pkA = nacl.scalarMult.base(skA);
      const sealed = w.box(skA, pkB).seal(nonce, msg);
      return hex(sealed) === hex(nacl.box(msg, nonce, pkB, skA))
        && hex(sealed) === hex(sodium.crypto_box_easy(msg, nonce, pkB, skA))
        && hex(w.box(skB, pkA).open(nonce, sealed)) === hex(msg);
    }),
  },
  {
    name: 'p256 ecdh = node:crypto; sign (raw and DER) = noble and verifies in node:crypto; node signatures verify',
    property: fc.property(bytesOfLength(32), bytesOfLength(32), bytesUpTo(300), (a, b, msg) => {
      const valid = nobleP256.utils.isValidSecretKey(a) && nobleP256.utils.isValidSecretKey(b);
      if (!valid) return outcome(() => w.p256.publicKey(a)).startsWith('throws:InvalidKeyError') || outcome(() => w.p256.publicKey(b)).startsWith('throws:InvalidKeyError');
      const A = w.p256.publicKey(a);
      const B = w.p256.publicKey(b);
      const ecdh = createECDH('prime256v1');
      ecdh.setPrivateKey(a);
      const raw = w.p256.sign(a, msg);
      const der = w.p256.sign(a, msg, { format: 'der' });
      const fromNode = nodeP256SignDer(a, A, msg);
      return hex(w.p256.ecdh(a, B)) === hex(ecdh.computeSecret(B))
        && hex(raw) === hex(nobleP256.sign(msg, a))
        && nodeP256Verify(A, msg, raw, false) && nodeP256Verify(A, msg, der, true)
        && w.p256.verify(A, msg, fromNode, { format: 'der' })
        && w.p256.verify(B, msg, raw) === (hex(a) === hex(b));
    }),
  },
];
