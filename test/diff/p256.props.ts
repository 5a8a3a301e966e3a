// Differential properties for P-256 in wasm against node:crypto (OpenSSL) and @noble/curves: key
// derivation (both SEC1 forms, invalid scalars), ECDH with SEC1 and SPKI peer keys, ECDSA-SHA256
// signing both ways (our signatures verified by node and noble, theirs by us, high and low S), and
// malformed points (mutated encodings, coordinates at or above p, off-curve and non-square x), where
// all three must accept and refuse the same keys.
import { createECDH, createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import fc from 'fast-check';
import { p256 as noble } from '@noble/curves/nist.js';
import * as w from '../../bindings/index.js';
import { spkiFromPoint } from '../helpers/spki.js';
import { bytesOfLength, bytesUpTo, outcome } from './generators.js';
import type { Property } from './property.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
const P = BigInt('0xffffffff00000001000000000000000000000000ffffffffffffffffffffffff');
const be32 = (v: bigint) => Uint8Array.from(Buffer.from(v.toString(16).padStart(64, '0'), 'hex'));

/** Secret keys: random bytes (all-zero and all-ff fills included), or scalars at the edges of [1, n − 1]. */
const secretKey = fc.oneof(
  { arbitrary: bytesOfLength(32), weight: 6 },
  { arbitrary: fc.constantFrom(0n, 1n, 2n, N - 2n, N - 1n, N, N + 1n, 2n ** 256n - 1n, 2n ** 255n, N / 2n, N / 2n + 1n).map(be32), weight: 1 },
);
/** Secret keys that are valid (random bytes reduced into [1, n − 1]). */
const validKey = bytesOfLength(32).map((b) => be32((BigInt(`0x${hex(b)}`) % (N - 1n)) + 1n));

const b64url = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const jwk = (pk: Uint8Array) => ({ kty: 'EC', crv: 'P-256', x: b64url(pk.subarray(1, 33)), y: b64url(pk.subarray(33)) });
const nodePublic = (pk: Uint8Array) => createPublicKey({ key: jwk(pk), format: 'jwk' });
const nodePrivate = (sk: Uint8Array, pk: Uint8Array) => createPrivateKey({ key: { ...jwk(pk), d: b64url(sk) }, format: 'jwk' });
const compressed = (pk: Uint8Array) => Uint8Array.from([2 | (pk[64] & 1), ...pk.subarray(1, 33)]);

/** node:crypto's ECDH (OpenSSL validates the peer point), as an outcome string. */
function nodeEcdh(sk: Uint8Array, peer: Uint8Array): string {
  return outcome(() => {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(sk);
    return new Uint8Array(ecdh.computeSecret(peer));
  });
}

/** A peer key that is probably malformed: a valid point changed in one of several ways. */
const malformedPeer = fc.tuple(validKey, fc.integer({ min: 0, max: 7 }), fc.nat(), fc.integer({ min: 0, max: 7 }), bytesOfLength(32)).map(([sk, how, at, bit, junk]) => {
  const pk = noble.getPublicKey(sk, false);
  switch (how) {
    case 0: { const c = pk.slice(); c[1 + (at % 64)] ^= 1 << bit; return c; }                      // a flipped coordinate bit
    case 1: { const c = compressed(pk); c[1 + (at % 32)] ^= 1 << bit; return c; }                 // compressed, x changed (square or not)
    case 2: return Uint8Array.from([[0, 1, 5, 6, 7][at % 5], ...pk.subarray(1)]);                  // another prefix (hybrid included)
    case 3: return pk.subarray(0, [0, 1, 32, 33, 64][at % 5]);                                     // truncated
    case 4: return Uint8Array.from([4, ...be32(P + BigInt(at % 3)), ...pk.subarray(33)]);          // x ≥ p (as its low 256 bits)
    case 5: return Uint8Array.from([4, ...pk.subarray(1, 33), ...be32(P - 1n - BigInt(at % 3))]);  // y near p
    case 6: return Uint8Array.from([2 + (bit & 1), ...junk]);                                      // a random x, compressed
    default: return Uint8Array.from([4, ...junk, ...pk.subarray(33)]);                             // a random x with a real y
  }
});

export const p256Props: Property[] = [
  {
    name: 'p256 publicKey (both forms) = noble = node:crypto; invalid scalars refused as by noble',
    property: fc.property(secretKey, (sk) => {
      const valid = noble.utils.isValidSecretKey(sk);
      const mine = outcome(() => w.p256.publicKey(sk));
      if (!valid) return mine === 'throws:InvalidKeyError' && outcome(() => w.p256.publicKey(sk, true)) === 'throws:InvalidKeyError';
      const ecdh = createECDH('prime256v1');
      ecdh.setPrivateKey(sk);
      return mine === hex(noble.getPublicKey(sk, false)) && mine === hex(ecdh.getPublicKey())
        && hex(w.p256.publicKey(sk, true)) === hex(noble.getPublicKey(sk, true));
    }),
  },
  {
    name: 'p256 ecdh = node:crypto = noble, peer as SEC1 (both forms) or SPKI; DH agrees both ways',
    property: fc.property(validKey, validKey, fc.constantFrom('uncompressed', 'compressed', 'spki'), (a, b, form) => {
      const A = w.p256.publicKey(a);
      const B = w.p256.publicKey(b);
      const peer = form === 'compressed' ? compressed(B) : B;
      const shared = form === 'spki' ? w.p256.ecdh(a, spkiFromPoint(peer), { format: 'spki' }) : w.p256.ecdh(a, peer);
      return hex(shared) === nodeEcdh(a, peer)
        && hex(shared) === hex(noble.getSharedSecret(a, peer).subarray(1))
        && hex(shared) === hex(w.p256.ecdh(b, A));
    }),
  },
  {
    name: 'p256 sign (raw and DER) = noble and verifies in node:crypto; node signatures (high and low S) verify here',
    property: fc.property(validKey, bytesUpTo(300), (sk, msg) => {
      const pk = w.p256.publicKey(sk);
      const raw = w.p256.sign(sk, msg);
      const der = w.p256.sign(sk, msg, { format: 'der' });
      const s = BigInt(`0x${hex(raw.subarray(32))}`);
      const fromNode = new Uint8Array(nodeSign('sha256', msg, { key: nodePrivate(sk, pk), dsaEncoding: 'ieee-p1363' }));
      const highS = Uint8Array.from([...raw.subarray(0, 32), ...be32(N - s)]);
      return hex(raw) === hex(noble.sign(msg, sk))
        && hex(der) === hex(noble.sign(msg, sk, { format: 'der' }))
        && s <= N / 2n
        && nodeVerify('sha256', msg, { key: nodePublic(pk), dsaEncoding: 'ieee-p1363' }, raw)
        && nodeVerify('sha256', msg, { key: nodePublic(pk), dsaEncoding: 'der' }, der)
        && w.p256.verify(pk, msg, fromNode)
        && w.p256.verify(compressed(pk), msg, fromNode)
        && w.p256.verify(pk, msg, highS) && noble.verify(highS, msg, pk, { lowS: false });
    }),
  },
  {
    name: 'p256 verify of a changed signature, message or key = node:crypto = noble (all false)',
    property: fc.property(validKey, bytesUpTo(200), fc.constantFrom(0, 1, 2), fc.nat(), fc.integer({ min: 0, max: 7 }), (sk, msg, which, at, bit) => {
      const parts = [w.p256.publicKey(sk), msg.slice(), w.p256.sign(sk, msg)];
      const target = which === 1 && parts[1].length === 0 ? 2 : which;
      // the key's prefix stays 04 (a changed prefix is a malformed point, covered below)
      const offset = target === 0 ? 1 : 0;
      parts[target][offset + (at % (parts[target].length - offset))] ^= 1 << bit;
      const [pk, m, sig] = parts;
      const mine = w.p256.verify(pk, m, sig);
      const nobles = outcome(() => noble.verify(sig, m, pk, { lowS: false }) as unknown as Uint8Array) === 'true';
      const nodes = outcome(() => nodeVerify('sha256', m, { key: nodePublic(pk), dsaEncoding: 'ieee-p1363' }, sig) as unknown as Uint8Array) === 'true';
      return !mine && !nobles && !nodes;
    }),
  },
  {
    name: 'p256 malformed peer points: ecdh and verify refuse exactly what node:crypto and noble refuse',
    property: fc.property(validKey, malformedPeer, (sk, peer) => {
      const mine = outcome(() => w.p256.ecdh(sk, peer));
      const nodes = nodeEcdh(sk, peer);
      const nobles = outcome(() => noble.getSharedSecret(sk, peer).subarray(1));
      const mineSpki = outcome(() => w.p256.ecdh(sk, spkiFromPoint(peer), { format: 'spki' }));
      const sig = w.p256.sign(sk, peer);
      // the X9.62 hybrid form (06/07), which OpenSSL decodes, is not SEC1: refused here and by noble
      if (peer.length === 65 && (peer[0] === 6 || peer[0] === 7)) return mine === 'throws:InvalidKeyError' && nobles.startsWith('throws:');
      if (mine.startsWith('throws:')) {
        return mine === 'throws:InvalidKeyError' && mineSpki === mine && nodes.startsWith('throws:') && nobles.startsWith('throws:')
          && !w.p256.verify(peer, peer, sig);
      }
      return mine === nodes && mine === nobles && mineSpki === mine;
    }),
  },
];
