// MLS TreeKEM path derivation (RFC 9420 §7.4): paths/s for paths of 10 and 20 node key pairs (a
// tree of 2^10 / 2^20 leaves), for X25519 (suites 1, 3) and P-256 (suite 2). Rows: the wasm provider's
// treeKemPath (the whole chain in one wasm call), the reference provider's (@noble/*), and the chain
// taken step by step in JavaScript over wirecrypt's wasm primitives (hkdfExpand and HPKE
// deriveKeyPair, one call each per step: how derivePath worked before treeKemPath).
import * as w from 'wirecrypt';
import { referenceProvider } from 'wirecrypt/reference';

const data = (n, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 131 + seed * 7 + (i >> 9)) & 0xff);
const DEPTHS = [10, 20].map((length) => ({ label: `depth ${length}`, bytes: 0, length }));

/** DeriveSecret(secret, label) = HKDF-Expand(secret, uint16 32 ‖ varint len ‖ "MLS 1.0 " label ‖ varint 0, 32). */
const kdfLabel = (label) => {
  const full = new TextEncoder().encode(`MLS 1.0 ${label}`);
  return Uint8Array.of(0, 32, full.length, ...full, 0);
};
const NODE = kdfLabel('node');
const PATH = kdfLabel('path');

function stepByStep(suite, start, length) {
  const pathSecrets = [], secretKeys = [], publicKeys = [];
  let secret = start.slice();
  for (let i = 0; i < length; i++) {
    pathSecrets.push(secret);
    const nodeSecret = w.hkdfExpand(secret, NODE, 32);
    const { secretKey, publicKey } = suite.deriveKeyPair(nodeSecret);
    nodeSecret.fill(0);
    secretKeys.push(secretKey);
    publicKeys.push(publicKey);
    secret = w.hkdfExpand(secret, PATH, 32);
  }
  return { pathSecrets, secretKeys, publicKeys, next: secret };
}

function group(dh, kem, suites) {
  const start = data(32, dh === 'X25519' ? 1 : 2);
  const hpkeSuite = w.hpke.suite({ kem, kdf: 'HKDF-SHA256', aead: 'AES-128-GCM' });
  return {
    title: `MLS TreeKEM path, ${dh} (${suites})`, unit: 'paths/s', sizes: DEPTHS,
    notes: [
      'One path: `length` path secrets, each node key pair (DeriveSecret "node" → DHKEM DeriveKeyPair), and the next secret; depth d = d key pairs.',
      'wirecrypt step by step: the same chain in JavaScript, one wasm call per hkdfExpand and per HPKE deriveKeyPair.',
    ],
    impls: [
      { name: 'wirecrypt wasmProvider.treeKemPath', setup: (s) => ({ run: () => w.wasmProvider.treeKemPath(dh, start, s.length) }) },
      { name: 'referenceProvider.treeKemPath', setup: (s) => ({ run: () => referenceProvider.treeKemPath(dh, start, s.length) }) },
      { name: 'wirecrypt step by step', setup: (s) => ({ run: () => stepByStep(hpkeSuite, start, s.length) }) },
    ],
  };
}

export const mlsTreekemGroups = [
  group('X25519', 'DHKEM(X25519, HKDF-SHA256)', 'suites 1, 3'),
  group('P-256', 'DHKEM(P-256, HKDF-SHA256)', 'suite 2'),
];

const t = (text, g, size, peer, min) => ({ text, group: g, size, peer, min });
export const mlsTreekemTargets = mlsTreekemGroups.flatMap((g) =>
  DEPTHS.map((d) => t(`${g.title}, ${d.label}: wasm provider ≥ 5× reference provider`, g.title, d.label, 'referenceProvider.treeKemPath', 5)),
);
