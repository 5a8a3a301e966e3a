// SHA-256, SHA-1, HMAC-SHA256 throughput; HKDF ops/s; chain-ratchet steps/s.
import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { hkdf as nobleHkdf, extract as nobleExtract, expand as nobleExpand } from '@noble/hashes/hkdf.js';
import { hmac as nobleHmac } from '@noble/hashes/hmac.js';
import { sha1 as nobleSha1 } from '@noble/hashes/legacy.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { sha3_256 as nobleSha3_256 } from '@noble/hashes/sha3.js';
import { createHMAC, createSHA1, createSHA256, createSHA3 } from 'hash-wasm';
import * as w from 'wirecrypt';

const SIZES = [
  { label: '64 B', bytes: 64 },
  { label: '1 KiB', bytes: 1024 },
  { label: '1 MiB', bytes: 1 << 20 },
];
const data = (n) => Uint8Array.from({ length: n }, (_, i) => (i * 131 + 7) & 0xff);
const KEY = data(32);

function hashGroup(title, alg, ours, noble, hashWasm) {
  return {
    title, unit: 'MB/s', sizes: SIZES,
    impls: [
      { name: 'wirecrypt', setup: ({ bytes }) => { const d = data(bytes); return { run: () => ours(d) }; } },
      { name: 'node:crypto', setup: ({ bytes }) => { const d = data(bytes); return { run: () => new Uint8Array(createHash(alg).update(d).digest()) }; } },
      { name: '@noble/hashes', setup: ({ bytes }) => { const d = data(bytes); return { run: () => noble(d) }; } },
      { name: 'hash-wasm', setup: async ({ bytes }) => {
        const d = data(bytes);
        const h = await hashWasm();
        return { run: () => { h.init(); h.update(d); return h.digest('binary'); } };
      } },
    ],
  };
}

// The ratchet step of peers.md §7: salt 64 B, chain key 32 B, info 32 B, 64 B of output per step.
const SALT = data(64).reverse();
const INFO = data(32).map((x) => x ^ 0x5a);
const STEPS = 1000;

function nodeStep(ck) {
  const prk = createHmac('sha256', SALT).update(ck).digest();
  const t1 = createHmac('sha256', prk).update(INFO).update(Uint8Array.of(1)).digest();
  const t2 = createHmac('sha256', prk).update(t1).update(INFO).update(Uint8Array.of(2)).digest();
  return [t1, t2];
}

function chainOf(step) {
  return () => {
    let ck = KEY;
    let last;
    for (let i = 0; i < STEPS; i++) [ck, last] = step(ck);
    return [new Uint8Array(ck), new Uint8Array(last)];
  };
}

export const hashGroups = [
  hashGroup('SHA-256', 'sha256', w.sha256, nobleSha256, createSHA256),
  hashGroup('SHA-1', 'sha1', w.sha1, nobleSha1, createSHA1),
  hashGroup('SHA3-256', 'sha3-256', w.sha3_256, nobleSha3_256, () => createSHA3(256)),
  {
    title: 'HMAC-SHA256', unit: 'MB/s', sizes: SIZES,
    notes: ['32-byte key. hash-wasm: one keyed instance reused (init/update/digest per message); the others take the key on every call.'],
    impls: [
      { name: 'wirecrypt', setup: ({ bytes }) => { const d = data(bytes); return { run: () => w.hmacSha256(KEY, d) }; } },
      { name: 'node:crypto', setup: ({ bytes }) => { const d = data(bytes); return { run: () => new Uint8Array(createHmac('sha256', KEY).update(d).digest()) }; } },
      { name: '@noble/hashes', setup: ({ bytes }) => { const d = data(bytes); return { run: () => nobleHmac(nobleSha256, KEY, d) }; } },
      { name: 'hash-wasm', setup: async ({ bytes }) => {
        const d = data(bytes);
        const h = await createHMAC(createSHA256(), KEY);
        return { run: () => { h.init(); h.update(d); return h.digest('binary'); } };
      } },
    ],
  },
  {
    title: 'HKDF-SHA256', unit: 'ops/s', sizes: [{ label: 'extract+expand, 64 B out', bytes: 64 }],
    notes: ['ikm, salt and info 32 B each.'],
    impls: [
      { name: 'wirecrypt', setup: () => ({ run: () => w.hkdf(KEY, SALT.subarray(0, 32), INFO, 64) }) },
      { name: 'node:crypto hkdfSync', setup: () => ({ run: () => new Uint8Array(hkdfSync('sha256', KEY, SALT.subarray(0, 32), INFO, 64)) }) },
      { name: '@noble/hashes', setup: () => ({ run: () => nobleHkdf(nobleSha256, KEY, SALT.subarray(0, 32), INFO, 64) }) },
    ],
  },
  {
    title: 'HKDF-SHA3-256', unit: 'ops/s', sizes: [{ label: 'extract+expand, 32 B out', bytes: 32 }],
    notes: ['Wesh\'s link key / push reference derivation: ikm 32 B, empty salt (= 32 zero bytes), info 32 B.'],
    impls: [
      { name: 'wirecrypt', setup: () => ({ run: () => w.hkdfSha3_256(KEY, new Uint8Array(0), INFO, 32) }) },
      { name: 'node:crypto hkdfSync', setup: () => ({ run: () => new Uint8Array(hkdfSync('sha3-256', KEY, new Uint8Array(0), INFO, 32)) }) },
      { name: '@noble/hashes', setup: () => ({ run: () => nobleHkdf(nobleSha3_256, KEY, new Uint8Array(0), INFO, 32) }) },
    ],
  },
  {
    title: 'Chain ratchet', unit: 'steps/s', sizes: [{ label: `${STEPS} steps per call`, bytes: 0, perCall: STEPS }],
    notes: ['Step: PRK = HKDF-Extract(salt 64 B, chainKey 32 B); OKM = HKDF-Expand(PRK, info 32 B, 64); chainKey = OKM[0..32], messageKey = OKM[32..64] (peers.md §7).',
      'node:crypto: three createHmac per step. "1 step per call" runs the same chain one ratchetChain call per step (per-message use).'],
    impls: [
      { name: 'wirecrypt ratchetChain', setup: () => ({ run: () => { const r = w.ratchetChain(KEY, SALT, INFO, STEPS); return [r.chainKey, r.messageKeys.at(-1)]; } }) },
      { name: 'node:crypto createHmac ×3', setup: () => ({ run: chainOf(nodeStep) }) },
      { name: '@noble/hashes hkdf', setup: () => ({ run: chainOf((ck) => { const okm = nobleExpand(nobleSha256, nobleExtract(nobleSha256, ck, SALT), INFO, 64); return [okm.slice(0, 32), okm.slice(32)]; }) }) },
      { name: 'wirecrypt, 1 step per call', setup: () => ({ run: chainOf((ck) => { const r = w.ratchetChain(ck, SALT, INFO, 1); return [r.chainKey, r.messageKeys[0]]; }) }) },
    ],
  },
];

// Eight independent chains (say, eight devices of a Wesh group), each advanced 1000 steps.
const CHAINS = Array.from({ length: 8 }, (_, i) => ({ chainKey: data(32).map((x) => x ^ i), salt: SALT, info: INFO.map((x) => x + i) }));
const lastOfEach = (results) => results.map((r) => [r.chainKey, r.messageKeys.at(-1)]);
const eachChain = (step) => () => CHAINS.map(({ chainKey, info }) => {
  let ck = chainKey;
  let last;
  for (let i = 0; i < STEPS; i++) [ck, last] = step(ck, info);
  return [new Uint8Array(ck), new Uint8Array(last)];
});

hashGroups.push({
  title: 'Chain ratchet, 8 chains', unit: 'steps/s', sizes: [{ label: `8 × ${STEPS} steps per call`, bytes: 0, perCall: 8 * STEPS }],
  notes: ['Eight independent chains (same salt, different chain keys and info). ratchetChains advances them four at a time in one v128 SHA-256 (SIMD build); the other rows advance them one after another.'],
  impls: [
    { name: 'wirecrypt ratchetChains', setup: () => ({ run: () => lastOfEach(w.ratchetChains(CHAINS, STEPS)) }) },
    { name: 'wirecrypt ratchetChain ×8', setup: () => ({ run: () => lastOfEach(CHAINS.map((c) => w.ratchetChain(c.chainKey, c.salt, c.info, STEPS))) }) },
    { name: 'node:crypto createHmac ×3', setup: () => ({ run: eachChain((ck, info) => {
      const prk = createHmac('sha256', SALT).update(ck).digest();
      const t1 = createHmac('sha256', prk).update(info).update(Uint8Array.of(1)).digest();
      return [t1, createHmac('sha256', prk).update(t1).update(info).update(Uint8Array.of(2)).digest()];
    }) }) },
    { name: '@noble/hashes hkdf', setup: () => ({ run: eachChain((ck, info) => { const okm = nobleExpand(nobleSha256, nobleExtract(nobleSha256, ck, SALT), info, 64); return [okm.slice(0, 32), okm.slice(32)]; }) }) },
  ],
});

export const hashTargets = [
  { text: 'SHA-256 ≥ 1.1× hash-wasm at 1 KiB', group: 'SHA-256', size: '1 KiB', peer: 'hash-wasm', min: 1.1 },
  { text: 'SHA-256 ≥ 1.0× hash-wasm at 1 MiB', group: 'SHA-256', size: '1 MiB', peer: 'hash-wasm', min: 1.0 },
  { text: 'ratchet ≥ 2.5× node:crypto (three createHmac per step)', group: 'Chain ratchet', size: `${STEPS} steps per call`, peer: 'node:crypto createHmac ×3', min: 2.5 },
  { text: 'ratchet ≥ 6× @noble/hashes', group: 'Chain ratchet', size: `${STEPS} steps per call`, peer: '@noble/hashes hkdf', min: 6 },
];
