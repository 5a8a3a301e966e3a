// AEADs and AES modes: wirecrypt against node:crypto (the native ceiling), @noble/ciphers,
// libsodium-wrappers and @mtcute/wasm; 64 B, 1 KiB, 16 KiB, 1 MiB; encrypt and decrypt.
//
// Peers take the key per message because that is their API (node's createCipheriv, noble's
// gcm(key, nonce), libsodium's functions); wirecrypt's Aead is bound to a key once, as protocols use
// it. The "new key object per message" rows show wirecrypt paying key setup every time too.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gcm as nobleGcm, ctr as nobleCtr } from '@noble/ciphers/aes.js';
import { chacha20poly1305 as nobleChaCha, xchacha20poly1305 as nobleXChaCha } from '@noble/ciphers/chacha.js';
import { xsalsa20poly1305 as nobleXSalsa } from '@noble/ciphers/salsa.js';
import * as mtcute from '@mtcute/wasm';
import _sodium from 'libsodium-wrappers';
import * as w from 'wirecrypt';

await _sodium.ready;
const sodium = _sodium;
mtcute.initSync(readFileSync(new URL(mtcute.getWasmUrl())));

const data = (n, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 131 + seed * 7 + (i >> 9)) & 0xff);
const SIZES = [
  { label: '64 B', bytes: 64 },
  { label: '1 KiB', bytes: 1024 },
  { label: '16 KiB', bytes: 16384 },
  { label: '1 MiB', bytes: 1 << 20 },
];
const K32 = data(32, 3), K16 = data(16, 4), N12 = data(12, 5), N24 = data(24, 6);
const cat = (...parts) => { const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0)); let o = 0; for (const p of parts) { out.set(p, o); o += p.length; } return out; };

function nodeSeal(alg, key, nonce, pt) {
  const c = createCipheriv(alg, key, nonce, { authTagLength: 16 });
  return cat(c.update(pt), c.final(), c.getAuthTag());
}
function nodeOpen(alg, key, nonce, sealed) {
  const d = createDecipheriv(alg, key, nonce, { authTagLength: 16 });
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  return cat(d.update(sealed.subarray(0, sealed.length - 16)), d.final());
}

/**
 * An encrypt group and a decrypt group for one AEAD; each impl: { name, seal(pt), open(sealed) }, or
 * { name, sealInto(out, pt), openInto(out, sealed) } writing into one buffer allocated at setup (at
 * 1 MiB, allocating the output dominates every implementation that returns a fresh one).
 */
function aeadGroups(title, impls, notes = []) {
  const sealer = (i, pt) => {
    if (!i.sealInto) return { run: () => i.seal(pt) };
    const out = new Uint8Array(pt.length + 16);
    return { run: () => i.sealInto(out, pt), output: () => (i.sealInto(out, pt), out) };
  };
  const opener = (i, sealed) => {
    if (!i.openInto) return { run: () => i.open(sealed) };
    const out = new Uint8Array(sealed.length - 16);
    return { run: () => i.openInto(out, sealed), output: () => (i.openInto(out, sealed), out) };
  };
  const enc = {
    title: `${title} encrypt`, unit: 'MB/s', sizes: SIZES, notes,
    impls: impls.map((i) => ({ name: i.name, setup: ({ bytes }) => sealer(i, data(bytes)) })),
  };
  const dec = {
    title: `${title} decrypt`, unit: 'MB/s', sizes: SIZES,
    impls: impls.map((i) => ({ name: i.name, setup: ({ bytes }) => opener(i, impls[0].seal(data(bytes))) })),
  };
  return [enc, dec];
}
const INTO = 'wirecrypt sealInto / openInto (preallocated out)';

const chacha = w.chacha20Poly1305(K32), xchacha = w.xchacha20Poly1305(K32), box = w.secretbox(K32);
const gcm128 = w.aesGcm(K16), gcm256 = w.aesGcm(K32);

export const cipherGroups = [
  ...aeadGroups('ChaCha20-Poly1305', [
    { name: 'wirecrypt', seal: (p) => chacha.seal(N12, p), open: (s) => chacha.open(N12, s) },
    { name: 'node:crypto', seal: (p) => nodeSeal('chacha20-poly1305', K32, N12, p), open: (s) => nodeOpen('chacha20-poly1305', K32, N12, s) },
    { name: 'libsodium-wrappers', seal: (p) => sodium.crypto_aead_chacha20poly1305_ietf_encrypt(p, null, null, N12, K32), open: (s) => sodium.crypto_aead_chacha20poly1305_ietf_decrypt(null, s, null, N12, K32) },
    { name: '@noble/ciphers', seal: (p) => nobleChaCha(K32, N12).encrypt(p), open: (s) => nobleChaCha(K32, N12).decrypt(s) },
    { name: 'wirecrypt, new key object per message', seal: (p) => { const a = w.chacha20Poly1305(K32); const r = a.seal(N12, p); a.dispose(); return r; }, open: (s) => { const a = w.chacha20Poly1305(K32); const r = a.open(N12, s); a.dispose(); return r; } },
    { name: INTO, sealInto: (o, p) => chacha.sealInto(o, N12, p), openInto: (o, s) => chacha.openInto(o, N12, s) },
  ], [`${INTO}: the only row that does not allocate its output per message (none of the peers offers that).`]),
  ...aeadGroups('XChaCha20-Poly1305', [
    { name: 'wirecrypt', seal: (p) => xchacha.seal(N24, p), open: (s) => xchacha.open(N24, s) },
    { name: 'libsodium-wrappers', seal: (p) => sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(p, null, null, N24, K32), open: (s) => sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, s, null, N24, K32) },
    { name: '@noble/ciphers', seal: (p) => nobleXChaCha(K32, N24).encrypt(p), open: (s) => nobleXChaCha(K32, N24).decrypt(s) },
  ]),
  ...aeadGroups('XSalsa20-Poly1305 secretbox', [
    { name: 'wirecrypt', seal: (p) => box.seal(N24, p), open: (s) => box.open(N24, s) },
    { name: 'libsodium-wrappers', seal: (p) => sodium.crypto_secretbox_easy(p, N24, K32), open: (s) => sodium.crypto_secretbox_open_easy(s, N24, K32) },
    { name: '@noble/ciphers', seal: (p) => nobleXSalsa(K32, N24).encrypt(p), open: (s) => nobleXSalsa(K32, N24).decrypt(s) },
  ]),
  ...[[gcm128, K16, 'aes-128-gcm', 'AES-128-GCM'], [gcm256, K32, 'aes-256-gcm', 'AES-256-GCM']].flatMap(([aead, key, alg, title]) => aeadGroups(title, [
    { name: 'wirecrypt', seal: (p) => aead.seal(N12, p), open: (s) => aead.open(N12, s) },
    { name: 'node:crypto', seal: (p) => nodeSeal(alg, key, N12, p), open: (s) => nodeOpen(alg, key, N12, s) },
    { name: '@noble/ciphers', seal: (p) => nobleGcm(key, N12).encrypt(p), open: (s) => nobleGcm(key, N12).decrypt(s) },
    { name: 'wirecrypt, new key object per message', seal: (p) => { const a = w.aesGcm(key); const r = a.seal(N12, p); a.dispose(); return r; }, open: (s) => { const a = w.aesGcm(key); const r = a.open(N12, s); a.dispose(); return r; } },
    { name: INTO, sealInto: (o, p) => aead.sealInto(o, N12, p), openInto: (o, s) => aead.openInto(o, N12, s) },
  ], [
    '@noble/ciphers uses T-tables and table GHASH (not constant time); wirecrypt is constant time.',
    `${INTO}: the only row that does not allocate its output per message (none of the peers offers that).`,
  ])),
];

// ---- AES-256-IGE and AES-256-CTR ------------------------------------------------------------------

const IV32 = data(32, 7), IV16 = data(16, 8);
const ige = w.aesIge(K32);
const IGE_SIZES = SIZES.slice(1);
cipherGroups.push(
  {
    title: 'AES-256-IGE encrypt', unit: 'MB/s', sizes: IGE_SIZES,
    notes: ['@mtcute/wasm is a lookup-table AES (not constant time); wirecrypt is constant time.'],
    impls: [
      { name: 'wirecrypt', setup: ({ bytes }) => { const d = data(bytes); return { run: () => ige.encrypt(IV32, d) }; } },
      { name: '@mtcute/wasm', setup: ({ bytes }) => { const d = data(bytes); return { run: () => mtcute.ige256Encrypt(d, K32, IV32) }; } },
    ],
  },
  {
    title: 'AES-256-IGE decrypt', unit: 'MB/s', sizes: IGE_SIZES,
    impls: [
      { name: 'wirecrypt', setup: ({ bytes }) => { const d = data(bytes); return { run: () => ige.decrypt(IV32, d) }; } },
      { name: '@mtcute/wasm', setup: ({ bytes }) => { const d = data(bytes); return { run: () => mtcute.ige256Decrypt(d, K32, IV32) }; } },
    ],
  },
  {
    title: 'AES-256-CTR', unit: 'MB/s', sizes: SIZES,
    notes: ['One running stream per implementation (as obfuscated2 uses it); outputs compared on a fresh stream of each.'],
    impls: [
      { name: 'wirecrypt', setup: ({ bytes }) => { const d = data(bytes); const s = w.aesCtr(K32, IV16); return { run: () => s.update(d), output: () => w.aesCtr(K32, IV16).update(d) }; } },
      { name: '@mtcute/wasm', setup: ({ bytes }) => { const d = data(bytes); const c = mtcute.createCtr256(K32, IV16); return { run: () => mtcute.ctr256(c, d), output: () => { const f = mtcute.createCtr256(K32, IV16); const r = mtcute.ctr256(f, d).slice(); mtcute.freeCtr256(f); return r; } }; } },
      { name: 'node:crypto', setup: ({ bytes }) => { const d = data(bytes); const c = createCipheriv('aes-256-ctr', K32, IV16); return { run: () => c.update(d), output: () => new Uint8Array(createCipheriv('aes-256-ctr', K32, IV16).update(d)) }; } },
      { name: '@noble/ciphers (new per message)', setup: ({ bytes }) => { const d = data(bytes); return { run: () => nobleCtr(K32, IV16).encrypt(d) }; } },
    ],
  },
);

const t = (text, group, size, peer, min) => ({ text, group, size, peer, min });
export const cipherTargets = [
  ...['encrypt', 'decrypt'].flatMap((dir) => [
    t(`ChaCha20-Poly1305 ${dir} ≥ 2.0× libsodium at 16 KiB`, `ChaCha20-Poly1305 ${dir}`, '16 KiB', 'libsodium-wrappers', 2),
    t(`ChaCha20-Poly1305 ${dir} ≥ 2.0× libsodium at 1 MiB`, `ChaCha20-Poly1305 ${dir}`, '1 MiB', 'libsodium-wrappers', 2),
    t(`ChaCha20-Poly1305 ${dir} ≥ 1.2× libsodium at 64 B`, `ChaCha20-Poly1305 ${dir}`, '64 B', 'libsodium-wrappers', 1.2),
    t(`ChaCha20-Poly1305 ${dir} ≥ 45 % of node:crypto at 1 MiB`, `ChaCha20-Poly1305 ${dir}`, '1 MiB', 'node:crypto', 0.45),
    t(`ChaCha20-Poly1305 ${dir} faster than node:crypto at 64 B`, `ChaCha20-Poly1305 ${dir}`, '64 B', 'node:crypto', 1),
    t(`XChaCha20-Poly1305 ${dir} ≥ 2.0× libsodium at 1 MiB`, `XChaCha20-Poly1305 ${dir}`, '1 MiB', 'libsodium-wrappers', 2),
    t(`XSalsa20-Poly1305 ${dir} ≥ 2.0× libsodium at 1 MiB`, `XSalsa20-Poly1305 secretbox ${dir}`, '1 MiB', 'libsodium-wrappers', 2),
    ...['AES-128-GCM', 'AES-256-GCM'].flatMap((g) => [
      t(`${g} ${dir} ≥ 3× @noble/ciphers at 1 MiB`, `${g} ${dir}`, '1 MiB', '@noble/ciphers', 3),
      t(`${g} ${dir} ≥ 5× @noble/ciphers at 64 B`, `${g} ${dir}`, '64 B', '@noble/ciphers', 5),
      t(`${g} ${dir} faster than node:crypto at 64 B`, `${g} ${dir}`, '64 B', 'node:crypto', 1),
    ]),
    t(`AES-256-IGE ${dir} ≥ 1.0× @mtcute/wasm at 1 KiB`, `AES-256-IGE ${dir}`, '1 KiB', '@mtcute/wasm', 1.0),
    t(`AES-256-IGE ${dir} ≥ 1.0× @mtcute/wasm at 1 MiB`, `AES-256-IGE ${dir}`, '1 MiB', '@mtcute/wasm', 1.0),
  ]),
  t('AES-256-CTR ≥ 1.5× @mtcute/wasm at 1 MiB', 'AES-256-CTR', '1 MiB', '@mtcute/wasm', 1.5),
];
