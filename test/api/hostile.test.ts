// Issue 8, item 2: no public function may trap, whatever it is given.
//
// Every public entry point is called with each byte parameter replaced by each hostile variant of
// test/helpers/hostile.ts:
//   - a Uint8Array however disguised (lying length/byteLength/byteOffset/buffer getters, overridden
//     subarray/set/slice/fill/iterators, odd Symbol.species, own properties, Buffer, another realm,
//     SharedArrayBuffer) gives exactly the outcome of the plain copy of its real bytes, and none of the
//     overridden methods or getters runs;
//   - anything else (Proxy, DataView however disguised, other typed arrays, plain arrays, views of
//     detached buffers) is a TypeError;
//   - the only errors ever thrown are TypeError, RangeError, AuthenticationError and InvalidKeyError
//     (never WebAssembly.RuntimeError), and after every call the engine still gives correct answers.
import { createCipheriv, createHash, createHmac } from 'node:crypto';
import { xchacha20poly1305 as nobleXChaCha } from '@noble/ciphers/chacha.js';
import { ed25519 as nobleEd, x25519 as nobleX } from '@noble/curves/ed25519.js';
import { p256 as nobleP256 } from '@noble/curves/nist.js';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import * as w from '../../bindings/index.js';
import { forEachBuild } from '../helpers/builds.js';
import { VARIANTS, det, detach, realBytes, realLength } from '../helpers/hostile.js';

type Args = Record<string, any>;

interface Entry {
  readonly name: string;
  /** Fresh valid arguments (byte parameters by name; a call may write into them, e.g. `out`). */
  readonly args: () => Args;
  /** The byte parameters to replace with hostile variants. */
  readonly params: readonly string[];
  readonly call: (a: Args) => unknown;
  /** The outcome of the plain call (checked first, so the comparisons below mean something). */
  readonly expect: Outcome;
}

type Outcome = { ok: unknown } | { error: string };

// ---- outcomes -------------------------------------------------------------------------------------

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Results made comparable: byte arrays as hex (read through their slots), recursively. */
function norm(v: unknown): unknown {
  if (ArrayBuffer.isView(v)) {
    // read through the internal slots: the caller's getters (an `out` may lie) must not run here either
    try {
      const n = realLength(v);
      // every expected result is small: a huge one is wrong anyway, and not worth printing
      return n > 1 << 20 ? `${n} bytes` : `hex:${hex(realBytes(v))}`;
    } catch {
      return 'a view that cannot be read (detached)';
    }
  }
  if (Array.isArray(v)) return v.map(norm);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)]));
  return v;
}

function classify(e: unknown): string {
  if (e instanceof w.AuthenticationError) return 'AuthenticationError';
  if (e instanceof w.InvalidKeyError) return 'InvalidKeyError';
  if (e instanceof TypeError) return 'TypeError';
  if (e instanceof RangeError) return 'RangeError';
  const err = e as Error | undefined;
  return `FORBIDDEN ${err?.constructor?.name ?? typeof e}: ${err?.message ?? String(e)}`;
}

function run(entry: Entry, args: Args): Outcome {
  let result: unknown;
  try {
    result = entry.call(args);
  } catch (e) {
    return { error: classify(e) };
  }
  return { ok: norm(result) };
}

function show(o: Outcome): string {
  const s = 'error' in o ? `throws ${o.error}` : `returns ${JSON.stringify(o.ok)}`;
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

const same = (a: Outcome, b: Outcome) => JSON.stringify(a) === JSON.stringify(b);

// ---- the engine still answers correctly -----------------------------------------------------------

const H_KEY = det(32, 901), H_MSG = det(300, 902), H_BIG = det(70_003, 903), H_NONCE = det(12, 904);
const H_SHA = hex(createHash('sha256').update(H_MSG).digest());
const H_SHA_BIG = hex(createHash('sha256').update(H_BIG).digest());
const H_HMAC = hex(createHmac('sha256', H_KEY).update(H_MSG).digest());
const H_SEAL = hex(nodeSeal('chacha20-poly1305', H_KEY, H_NONCE, H_MSG, new Uint8Array(0)));

/** '' when sha256, hmacSha256 and a chacha20Poly1305 seal still agree with node:crypto. */
function health(): string {
  try {
    if (hex(w.sha256(H_MSG)) !== H_SHA) return 'sha256 now gives a wrong digest';
    if (hex(w.sha256(H_BIG)) !== H_SHA_BIG) return 'sha256 (streamed) now gives a wrong digest';
    if (hex(w.hmacSha256(H_KEY, H_MSG)) !== H_HMAC) return 'hmacSha256 now gives a wrong tag';
    const aead = w.chacha20Poly1305(H_KEY);
    try {
      if (hex(aead.seal(H_NONCE, H_MSG)) !== H_SEAL) return 'chacha20Poly1305.seal now gives a wrong result';
    } finally {
      aead.dispose();
    }
    return '';
  } catch (e) {
    return `the health check threw ${classify(e)}`;
  }
}

// ---- fixtures and oracles -------------------------------------------------------------------------

function nodeSeal(alg: string, key: Uint8Array, nonce: Uint8Array, pt: Uint8Array, aad: Uint8Array): Uint8Array {
  const c = createCipheriv(alg as any, key, nonce, { authTagLength: 16 } as any) as any;
  c.setAAD(aad, { plaintextLength: pt.length });
  return new Uint8Array(Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]));
}

const KEY = det(32, 1), KEY16 = det(16, 2), N12 = det(12, 3), N24 = det(24, 4);
const PT = det(100, 5), AAD = det(20, 6), BIG = det(70_000, 7), BIG_AAD = det(70_001, 8);
const IV16 = det(16, 9), IV32 = det(32, 10), BLOCKS = det(96, 11), BIG_BLOCKS = det(70_000 - (70_000 % 16), 12);
const SALT = det(16, 13), IKM = det(40, 14), INFO = det(24, 15), PRK = det(32, 16);

const ED_SEED = det(32, 20);
const ED_PK = nobleEd.getPublicKey(ED_SEED);
const ED_SK = new Uint8Array([...ED_SEED, ...ED_PK]);
const ED_SIG = nobleEd.sign(PT, ED_SEED);
const ED_SIG_BIG = nobleEd.sign(BIG, ED_SEED);
const ED_SEEDS = [21, 22, 23, 24, 25].map((s) => det(32, s));
const ED_PKS = ED_SEEDS.map((s) => nobleEd.getPublicKey(s));
const ED_MSGS = [PT, det(0, 1), det(64, 26), det(1000, 27), AAD];
const ED_SIGS = ED_MSGS.map((m, i) => nobleEd.sign(m, ED_SEEDS[i]));

const X_SK = det(32, 30), X_PEER_SK = det(32, 31);
const X_PK = nobleX.getPublicKey(X_SK), X_PEER = nobleX.getPublicKey(X_PEER_SK);

const P_SK = det(32, 40);
P_SK[0] = 0x3c; // below the group order
const P_PK = nobleP256.getPublicKey(P_SK, false);
const P_PEER_SK = det(32, 41);
P_PEER_SK[0] = 0x2a;
const P_PEER = nobleP256.getPublicKey(P_PEER_SK, true);
const P_SIG = nobleP256.sign(PT, P_SK); // SHA-256 prehash, low S, r ‖ s

const EMPTY = new Uint8Array(0);

const AEADS = [
  { name: 'chacha20Poly1305', make: w.chacha20Poly1305, key: KEY, nonce: N12, seal: (k: Uint8Array, n: Uint8Array, p: Uint8Array, a: Uint8Array) => nodeSeal('chacha20-poly1305', k, n, p, a) },
  { name: 'xchacha20Poly1305', make: w.xchacha20Poly1305, key: KEY, nonce: N24, seal: (k: Uint8Array, n: Uint8Array, p: Uint8Array, a: Uint8Array) => nobleXChaCha(k, n, a).encrypt(p) },
  { name: 'aesGcm (AES-256)', make: w.aesGcm, key: KEY, nonce: N12, seal: (k: Uint8Array, n: Uint8Array, p: Uint8Array, a: Uint8Array) => nodeSeal('aes-256-gcm', k, n, p, a) },
  { name: 'aesGcm (AES-128)', make: w.aesGcm, key: KEY16, nonce: N12, seal: (k: Uint8Array, n: Uint8Array, p: Uint8Array, a: Uint8Array) => nodeSeal('aes-128-gcm', k, n, p, a) },
] as const;

/** Runs `f` on an object and disposes it whatever happens. */
function using<T extends { dispose(): void }, R>(o: T, f: (o: T) => R): R {
  try {
    return f(o);
  } finally {
    o.dispose();
  }
}

const ok = (v: unknown): Outcome => ({ ok: norm(v) });
const fails = (error: string): Outcome => ({ error });

const SUITE_X = { kem: 'DHKEM(X25519, HKDF-SHA256)', kdf: 'HKDF-SHA256', aead: 'ChaCha20Poly1305' } as const;
const SUITE_P = { kem: 'DHKEM(P-256, HKDF-SHA256)', kdf: 'HKDF-SHA256', aead: 'AES-128-GCM' } as const;

function memo<T>(f: () => T): () => T {
  let v: T | undefined;
  return () => (v ??= f());
}

// HPKE messages sealed once with plain inputs (their opening is the baseline the hostile calls must match)
const hpkeX = memo(() => w.hpke.suite(SUITE_X).seal(X_PK, PT, { info: INFO, aad: AAD }));
const hpkeP = memo(() => w.hpke.suite(SUITE_P).seal(P_PK, PT, { info: INFO, aad: AAD }));

// ---- the entry points -----------------------------------------------------------------------------

const ENTRIES: Entry[] = [];
const add = (e: Entry) => ENTRIES.push(e);

// hashes
for (const [name, f, alg] of [['sha1', w.sha1, 'sha1'], ['sha256', w.sha256, 'sha256'], ['sha512', w.sha512, 'sha512']] as const) {
  add({ name, args: () => ({ data: PT }), params: ['data'], call: (a) => f(a.data), expect: ok(createHash(alg).update(PT).digest()) });
  add({ name: `${name} (streamed, > 64 KiB)`, args: () => ({ data: BIG }), params: ['data'], call: (a) => f(a.data), expect: ok(createHash(alg).update(BIG).digest()) });
}
for (const [name, f, alg] of [['createSha1', w.createSha1, 'sha1'], ['createSha256', w.createSha256, 'sha256'], ['createSha512', w.createSha512, 'sha512']] as const) {
  add({
    name: `${name}().update`,
    args: () => ({ first: PT, second: BIG }),
    params: ['first', 'second'],
    call: (a) => f().update(a.first).update(a.second).digest(),
    expect: ok(createHash(alg).update(PT).update(BIG).digest()),
  });
}

// HMAC, HKDF, ratchet
for (const [name, f, alg] of [['hmacSha1', w.hmacSha1, 'sha1'], ['hmacSha256', w.hmacSha256, 'sha256'], ['hmacSha512', w.hmacSha512, 'sha512']] as const) {
  add({ name, args: () => ({ key: KEY, data: PT }), params: ['key', 'data'], call: (a) => f(a.key, a.data), expect: ok(createHmac(alg, KEY).update(PT).digest()) });
}
add({
  name: 'hmacSha256 (key and data > 64 KiB)',
  args: () => ({ key: BIG_AAD, data: BIG }),
  params: ['key', 'data'],
  call: (a) => w.hmacSha256(a.key, a.data),
  expect: ok(createHmac('sha256', BIG_AAD).update(BIG).digest()),
});
add({ name: 'hkdfExtract', args: () => ({ salt: SALT, ikm: IKM }), params: ['salt', 'ikm'], call: (a) => w.hkdfExtract(a.salt, a.ikm), expect: ok(createHmac('sha256', SALT).update(IKM).digest()) });
add({ name: 'hkdfExpand', args: () => ({ prk: PRK, info: INFO }), params: ['prk', 'info'], call: (a) => w.hkdfExpand(a.prk, a.info, 100), expect: ok(hkdfExpandOracle(PRK, INFO, 100)) });
add({ name: 'hkdfExpand (info > 64 KiB)', args: () => ({ prk: PRK, info: BIG }), params: ['info'], call: (a) => w.hkdfExpand(a.prk, a.info, 40), expect: ok(hkdfExpandOracle(PRK, BIG, 40)) });
add({
  name: 'hkdf',
  args: () => ({ ikm: IKM, salt: SALT, info: INFO }),
  params: ['ikm', 'salt', 'info'],
  call: (a) => w.hkdf(a.ikm, a.salt, a.info, 50),
  expect: ok(hkdfExpandOracle(createHmac('sha256', SALT).update(IKM).digest(), INFO, 50)),
});
add({
  name: 'ratchetChain',
  args: () => ({ chainKey: KEY, salt: SALT, info: INFO }),
  params: ['chainKey', 'salt', 'info'],
  call: (a) => w.ratchetChain(a.chainKey, a.salt, a.info, 3),
  expect: ok(ratchetOracle(KEY, SALT, INFO, 3)),
});
add({
  name: 'ratchetChain (40-byte first chain key)',
  args: () => ({ chainKey: IKM, salt: SALT, info: INFO }),
  params: ['chainKey'],
  call: (a) => w.ratchetChain(a.chainKey, a.salt, a.info, 2),
  expect: ok(ratchetOracle(IKM, SALT, INFO, 2)),
});
add({
  name: 'ratchetChain (0 steps: returns a copy of the chain key)',
  args: () => ({ chainKey: KEY, salt: SALT, info: INFO }),
  params: ['chainKey'],
  call: (a) => w.ratchetChain(a.chainKey, a.salt, a.info, 0),
  expect: ok(ratchetOracle(KEY, SALT, INFO, 0)),
});
{
  const chains = [0, 1, 2, 3, 4].map((i) => ({ chainKey: det(32, 50 + i), salt: det(16, 60 + i), info: det(8, 70 + i) }));
  add({
    name: 'ratchetChains (5 chains: one 4-lane batch and one single)',
    args: () => Object.fromEntries(chains.flatMap((c, i) => [[`chains[${i}].chainKey`, c.chainKey], [`chains[${i}].salt`, c.salt], [`chains[${i}].info`, c.info]])),
    params: ['chains[0].chainKey', 'chains[0].salt', 'chains[0].info', 'chains[3].chainKey', 'chains[4].info'],
    call: (a) => w.ratchetChains(chains.map((_, i) => ({ chainKey: a[`chains[${i}].chainKey`], salt: a[`chains[${i}].salt`], info: a[`chains[${i}].info`] })), 2),
    expect: ok(chains.map((c) => ratchetOracle(c.chainKey, c.salt, c.info, 2))),
  });
}

// AEADs
for (const A of AEADS) {
  const sealed = A.seal(A.key, A.nonce, PT, AAD);
  const sealedBig = A.seal(A.key, A.nonce, BIG, BIG_AAD);
  add({ name: `${A.name}: constructor`, args: () => ({ key: A.key }), params: ['key'], call: (a) => using(A.make(a.key), (c) => c.seal(A.nonce, PT, AAD)), expect: ok(sealed) });
  add({
    name: `${A.name}.seal`,
    args: () => ({ key: A.key, nonce: A.nonce, plaintext: PT, aad: AAD }),
    params: ['nonce', 'plaintext', 'aad'],
    call: (a) => using(A.make(a.key), (c) => c.seal(a.nonce, a.plaintext, a.aad)),
    expect: ok(sealed),
  });
  add({
    name: `${A.name}.seal (streamed, > 64 KiB)`,
    args: () => ({ key: A.key, nonce: A.nonce, plaintext: BIG, aad: BIG_AAD }),
    params: ['plaintext', 'aad'],
    call: (a) => using(A.make(a.key), (c) => c.seal(a.nonce, a.plaintext, a.aad)),
    expect: ok(sealedBig),
  });
  add({
    name: `${A.name}.open`,
    args: () => ({ key: A.key, nonce: A.nonce, sealed, aad: AAD }),
    params: ['nonce', 'sealed', 'aad'],
    call: (a) => using(A.make(a.key), (c) => c.open(a.nonce, a.sealed, a.aad)),
    expect: ok(PT),
  });
  add({
    name: `${A.name}.open (streamed, > 64 KiB)`,
    args: () => ({ key: A.key, nonce: A.nonce, sealed: sealedBig, aad: BIG_AAD }),
    params: ['sealed', 'aad'],
    call: (a) => using(A.make(a.key), (c) => c.open(a.nonce, a.sealed, a.aad)),
    expect: ok(BIG),
  });
  add({
    name: `${A.name}.sealInto`,
    args: () => ({ key: A.key, out: new Uint8Array(PT.length + 16), nonce: A.nonce, plaintext: PT, aad: AAD }),
    params: ['out', 'nonce', 'plaintext', 'aad'],
    call: (a) => using(A.make(a.key), (c) => ({ n: c.sealInto(a.out, a.nonce, a.plaintext, a.aad), out: a.out })),
    expect: ok({ n: PT.length + 16, out: sealed }),
  });
  add({
    name: `${A.name}.openInto`,
    args: () => ({ key: A.key, out: new Uint8Array(PT.length), nonce: A.nonce, sealed, aad: AAD }),
    params: ['out', 'nonce', 'sealed', 'aad'],
    call: (a) => using(A.make(a.key), (c) => ({ n: c.openInto(a.out, a.nonce, a.sealed, a.aad), out: a.out })),
    expect: ok({ n: PT.length, out: PT }),
  });
  add({
    name: `${A.name}.openInto (streamed, > 64 KiB)`,
    args: () => ({ key: A.key, out: new Uint8Array(BIG.length), nonce: A.nonce, sealed: sealedBig, aad: BIG_AAD }),
    params: ['out', 'sealed'],
    call: (a) => using(A.make(a.key), (c) => ({ n: c.openInto(a.out, a.nonce, a.sealed, a.aad), out: a.out })),
    expect: ok({ n: BIG.length, out: BIG }),
  });
  const forged = sealed.slice();
  forged[3] ^= 1;
  add({
    name: `${A.name}.open (forged: AuthenticationError)`,
    args: () => ({ key: A.key, nonce: A.nonce, sealed: forged, aad: AAD }),
    params: ['sealed'],
    call: (a) => using(A.make(a.key), (c) => c.open(a.nonce, a.sealed, a.aad)),
    expect: fails('AuthenticationError'),
  });
}

// secretbox and box
{
  const boxed = nacl.secretbox(PT, N24, KEY);
  const boxedBig = nacl.secretbox(BIG, N24, KEY);
  add({ name: 'secretbox.seal', args: () => ({ key: KEY, nonce: N24, message: PT }), params: ['key', 'nonce', 'message'], call: (a) => using(w.secretbox(a.key), (b) => b.seal(a.nonce, a.message)), expect: ok(boxed) });
  add({ name: 'secretbox.seal (streamed, > 64 KiB)', args: () => ({ key: KEY, nonce: N24, message: BIG }), params: ['message'], call: (a) => using(w.secretbox(a.key), (b) => b.seal(a.nonce, a.message)), expect: ok(boxedBig) });
  add({ name: 'secretbox.open', args: () => ({ key: KEY, nonce: N24, boxed }), params: ['key', 'nonce', 'boxed'], call: (a) => using(w.secretbox(a.key), (b) => b.open(a.nonce, a.boxed)), expect: ok(PT) });
  add({ name: 'secretbox.open (streamed, > 64 KiB)', args: () => ({ key: KEY, nonce: N24, boxed: boxedBig }), params: ['boxed'], call: (a) => using(w.secretbox(a.key), (b) => b.open(a.nonce, a.boxed)), expect: ok(BIG) });
  const boxBoxed = nacl.box(PT, N24, X_PEER, X_SK);
  add({ name: 'box.seal', args: () => ({ secretKey: X_SK, peerPublic: X_PEER, nonce: N24, message: PT }), params: ['secretKey', 'peerPublic', 'nonce', 'message'], call: (a) => using(w.box(a.secretKey, a.peerPublic), (b) => b.seal(a.nonce, a.message)), expect: ok(boxBoxed) });
  add({ name: 'box.open', args: () => ({ secretKey: X_PEER_SK, peerPublic: X_PK, nonce: N24, boxed: boxBoxed }), params: ['secretKey', 'peerPublic', 'nonce', 'boxed'], call: (a) => using(w.box(a.secretKey, a.peerPublic), (b) => b.open(a.nonce, a.boxed)), expect: ok(PT) });
}

// AES-CTR and AES-IGE
{
  const ctr = createCipheriv('aes-256-ctr', KEY, IV16);
  const ctrOut = new Uint8Array(Buffer.concat([ctr.update(PT), ctr.update(BIG)]));
  add({
    name: 'aesCtr(key, iv).update',
    args: () => ({ key: KEY, iv: IV16, first: PT, second: BIG }),
    params: ['key', 'iv', 'first', 'second'],
    call: (a) => using(w.aesCtr(a.key, a.iv), (c) => [c.update(a.first), c.update(a.second)]),
    expect: ok([ctrOut.subarray(0, PT.length), ctrOut.subarray(PT.length)]),
  });
  const ige = igeOracle(KEY, IV32, BLOCKS);
  const igeBig = igeOracle(KEY, IV32, BIG_BLOCKS);
  add({ name: 'aesIge.encrypt', args: () => ({ key: KEY, iv: IV32, data: BLOCKS }), params: ['key', 'iv', 'data'], call: (a) => using(w.aesIge(a.key), (c) => c.encrypt(a.iv, a.data)), expect: ok(ige) });
  add({ name: 'aesIge.encrypt (> 64 KiB)', args: () => ({ key: KEY, iv: IV32, data: BIG_BLOCKS }), params: ['data'], call: (a) => using(w.aesIge(a.key), (c) => c.encrypt(a.iv, a.data)), expect: ok(igeBig) });
  add({ name: 'aesIge.decrypt', args: () => ({ key: KEY, iv: IV32, data: ige }), params: ['key', 'iv', 'data'], call: (a) => using(w.aesIge(a.key), (c) => c.decrypt(a.iv, a.data)), expect: ok(BLOCKS) });
}

// X25519, Ed25519
add({ name: 'x25519.publicKey', args: () => ({ secretKey: X_SK }), params: ['secretKey'], call: (a) => w.x25519.publicKey(a.secretKey), expect: ok(X_PK) });
add({ name: 'x25519.sharedSecret', args: () => ({ secretKey: X_SK, peerPublic: X_PEER }), params: ['secretKey', 'peerPublic'], call: (a) => w.x25519.sharedSecret(a.secretKey, a.peerPublic), expect: ok(nobleX.getSharedSecret(X_SK, X_PEER)) });
add({ name: 'x25519.sharedSecret (small-order peer: InvalidKeyError)', args: () => ({ secretKey: X_SK, peerPublic: new Uint8Array(32) }), params: ['peerPublic'], call: (a) => w.x25519.sharedSecret(a.secretKey, a.peerPublic), expect: fails('InvalidKeyError') });
add({ name: 'ed25519.publicKey (32-byte seed)', args: () => ({ secretKey: ED_SEED }), params: ['secretKey'], call: (a) => w.ed25519.publicKey(a.secretKey), expect: ok(ED_PK) });
add({ name: 'ed25519.publicKey (64-byte key)', args: () => ({ secretKey: ED_SK }), params: ['secretKey'], call: (a) => w.ed25519.publicKey(a.secretKey), expect: ok(ED_PK) });
add({ name: 'ed25519.sign (64-byte key)', args: () => ({ secretKey: ED_SK, message: PT }), params: ['secretKey', 'message'], call: (a) => w.ed25519.sign(a.secretKey, a.message), expect: ok(ED_SIG) });
add({ name: 'ed25519.sign (32-byte seed)', args: () => ({ secretKey: ED_SEED, message: PT }), params: ['secretKey', 'message'], call: (a) => w.ed25519.sign(a.secretKey, a.message), expect: ok(ED_SIG) });
add({ name: 'ed25519.sign (message > 64 KiB)', args: () => ({ secretKey: ED_SK, message: BIG }), params: ['message'], call: (a) => w.ed25519.sign(a.secretKey, a.message), expect: ok(ED_SIG_BIG) });
add({
  name: 'ed25519.signer(secretKey) → { publicKey, sign }',
  args: () => ({ secretKey: ED_SK, message: PT }),
  params: ['secretKey', 'message'],
  call: (a) => using((w.ed25519 as any).signer(a.secretKey), (s: any) => ({ publicKey: s.publicKey, signature: s.sign(a.message) })),
  expect: ok({ publicKey: ED_PK, signature: ED_SIG }),
});
add({
  name: 'ed25519.signer(seed).sign (message > 64 KiB)',
  args: () => ({ secretKey: ED_SEED, message: BIG }),
  params: ['secretKey', 'message'],
  call: (a) => using((w.ed25519 as any).signer(a.secretKey), (s: any) => s.sign(a.message)),
  expect: ok(ED_SIG_BIG),
});
add({ name: 'ed25519.verify', args: () => ({ publicKey: ED_PK, message: PT, signature: ED_SIG }), params: ['publicKey', 'message', 'signature'], call: (a) => w.ed25519.verify(a.publicKey, a.message, a.signature), expect: ok(true) });
add({ name: 'ed25519.verify (message > 64 KiB)', args: () => ({ publicKey: ED_PK, message: BIG, signature: ED_SIG_BIG }), params: ['message', 'signature'], call: (a) => w.ed25519.verify(a.publicKey, a.message, a.signature), expect: ok(true) });
add({ name: 'ed25519.verify (wrong message: false)', args: () => ({ publicKey: ED_PK, message: AAD, signature: ED_SIG }), params: ['message', 'signature'], call: (a) => w.ed25519.verify(a.publicKey, a.message, a.signature), expect: ok(false) });
for (const n of [5, 2]) {
  add({
    name: `ed25519.verifyBatch (${n} items${n >= 4 ? ', batch equation' : ', one by one'})`,
    args: () => Object.fromEntries(ED_MSGS.slice(0, n).flatMap((m, i) => [[`items[${i}].publicKey`, ED_PKS[i]], [`items[${i}].message`, m], [`items[${i}].signature`, ED_SIGS[i]]])),
    params: ['items[0].publicKey', 'items[0].message', 'items[0].signature', `items[${n - 1}].message`],
    call: (a) => w.ed25519.verifyBatch(ED_MSGS.slice(0, n).map((_, i) => ({ publicKey: a[`items[${i}].publicKey`], message: a[`items[${i}].message`], signature: a[`items[${i}].signature`] }))),
    expect: ok(new Array(n).fill(true)),
  });
}
add({ name: 'ed25519.toX25519Secret', args: () => ({ secretKey: ED_SK }), params: ['secretKey'], call: (a) => w.ed25519.toX25519Secret(a.secretKey), expect: ok(nobleEd.utils.toMontgomerySecret(ED_SEED)) });
add({ name: 'ed25519.toX25519Public', args: () => ({ publicKey: ED_PK }), params: ['publicKey'], call: (a) => w.ed25519.toX25519Public(a.publicKey), expect: ok(nobleEd.utils.toMontgomery(ED_PK)) });

// P-256
add({ name: 'p256.publicKey', args: () => ({ secretKey: P_SK }), params: ['secretKey'], call: (a) => w.p256.publicKey(a.secretKey), expect: ok(P_PK) });
add({ name: 'p256.publicKey (compressed)', args: () => ({ secretKey: P_SK }), params: ['secretKey'], call: (a) => w.p256.publicKey(a.secretKey, true), expect: ok(nobleP256.getPublicKey(P_SK, true)) });
add({ name: 'p256.ecdh', args: () => ({ secretKey: P_SK, peerPublic: P_PEER }), params: ['secretKey', 'peerPublic'], call: (a) => w.p256.ecdh(a.secretKey, a.peerPublic), expect: ok(nobleP256.getSharedSecret(P_SK, P_PEER).slice(1)) });
add({ name: 'p256.sign', args: () => ({ secretKey: P_SK, message: PT }), params: ['secretKey', 'message'], call: (a) => w.p256.sign(a.secretKey, a.message), expect: ok(P_SIG) });
add({ name: 'p256.sign (der)', args: () => ({ secretKey: P_SK, message: PT }), params: ['message'], call: (a) => w.p256.sign(a.secretKey, a.message, { format: 'der' }), expect: ok(nobleP256.sign(PT, P_SK, { format: 'der' })) });
add({ name: 'p256.verify', args: () => ({ publicKey: P_PK, message: PT, signature: P_SIG }), params: ['publicKey', 'message', 'signature'], call: (a) => w.p256.verify(a.publicKey, a.message, a.signature), expect: ok(true) });
add({
  name: 'p256.verifyBatch',
  args: () => ({ 'items[0].publicKey': P_PK, 'items[0].message': PT, 'items[0].signature': P_SIG }),
  params: ['items[0].publicKey', 'items[0].message', 'items[0].signature'],
  call: (a) => w.p256.verifyBatch([{ publicKey: P_PK, message: PT, signature: P_SIG }, { publicKey: a['items[0].publicKey'], message: a['items[0].message'], signature: a['items[0].signature'] }]),
  expect: ok([true, true]),
});

// HPKE basics
for (const [label, choice, pkR, skR, sealed] of [
  ['X25519/ChaCha20Poly1305', SUITE_X, X_PK, X_SK, hpkeX],
  ['P-256/AES-128-GCM', SUITE_P, P_PK, P_SK, hpkeP],
] as const) {
  add({
    name: `hpke ${label}: seal → open`,
    args: () => ({ pkR, plaintext: PT, info: INFO, aad: AAD }),
    params: ['pkR', 'plaintext', 'info', 'aad'],
    call: (a) => {
      const s = w.hpke.suite(choice);
      const { enc, ciphertext } = s.seal(a.pkR, a.plaintext, { info: a.info, aad: a.aad });
      return openWith(s, enc, skR, ciphertext);
    },
    expect: ok(PT),
  });
  add({
    name: `hpke ${label}: open`,
    args: () => ({ enc: sealed().enc, skR, ciphertext: sealed().ciphertext, info: INFO, aad: AAD }),
    params: ['enc', 'skR', 'ciphertext', 'info', 'aad'],
    call: (a) => w.hpke.suite(choice).open(a.enc, a.skR, a.ciphertext, { info: a.info, aad: a.aad }),
    expect: ok(PT),
  });
  add({
    name: `hpke ${label}: open with a key pair, then export`,
    args: () => ({ enc: sealed().enc, 'skR.secretKey': skR, 'skR.publicKey': pkR, exporterContext: INFO }),
    params: ['enc', 'skR.secretKey', 'skR.publicKey', 'exporterContext'],
    call: (a) => using(w.hpke.suite(choice).setupBaseR(a.enc, { secretKey: a['skR.secretKey'], publicKey: a['skR.publicKey'] }, INFO), (ctx) => ctx.export(a.exporterContext, 32)),
    expect: ok(hpkeExport(choice, sealed().enc, skR)),
  });
  add({
    name: `hpke ${label}: deriveKeyPair`,
    args: () => ({ ikm: IKM }),
    params: ['ikm'],
    call: (a) => w.hpke.suite(choice).deriveKeyPair(a.ikm),
    expect: ok(w.hpke.suite(choice).deriveKeyPair(IKM.slice())),
  });
}

// the crypto provider
{
  const p = w.wasmProvider;
  add({ name: 'wasmProvider.hash', args: () => ({ data: PT }), params: ['data'], call: (a) => p.hash('SHA-256', a.data), expect: ok(createHash('sha256').update(PT).digest()) });
  add({ name: 'wasmProvider.hmac', args: () => ({ key: KEY, data: PT }), params: ['key', 'data'], call: (a) => p.hmac('SHA-512', a.key, a.data), expect: ok(createHmac('sha512', KEY).update(PT).digest()) });
  add({ name: 'wasmProvider.hkdfExtract', args: () => ({ salt: SALT, ikm: IKM }), params: ['salt', 'ikm'], call: (a) => p.hkdfExtract('SHA-256', a.salt, a.ikm), expect: ok(createHmac('sha256', SALT).update(IKM).digest()) });
  add({ name: 'wasmProvider.hkdfExpand', args: () => ({ prk: PRK, info: INFO }), params: ['prk', 'info'], call: (a) => p.hkdfExpand('SHA-256', a.prk, a.info, 42), expect: ok(hkdfExpandOracle(PRK, INFO, 42)) });
  add({
    name: 'wasmProvider.aead(AES-128-GCM).seal',
    args: () => ({ key: KEY16, nonce: N12, plaintext: PT, aad: AAD }),
    params: ['key', 'nonce', 'plaintext', 'aad'],
    call: (a) => using(p.aead('AES-128-GCM', a.key), (c) => c.seal(a.nonce, a.plaintext, a.aad)),
    expect: ok(nodeSeal('aes-128-gcm', KEY16, N12, PT, AAD)),
  });
  add({
    name: 'wasmProvider.aead(ChaCha20-Poly1305).open',
    args: () => ({ key: KEY, nonce: N12, sealed: nodeSeal('chacha20-poly1305', KEY, N12, PT, AAD), aad: AAD }),
    params: ['key', 'sealed'],
    call: (a) => using(p.aead('ChaCha20-Poly1305', a.key), (c) => c.open(a.nonce, a.sealed, a.aad)),
    expect: ok(PT),
  });
  add({ name: 'wasmProvider.dh(X25519).sharedSecret', args: () => ({ secretKey: X_SK, peerPublic: X_PEER }), params: ['secretKey', 'peerPublic'], call: (a) => p.dh('X25519').sharedSecret(a.secretKey, a.peerPublic), expect: ok(nobleX.getSharedSecret(X_SK, X_PEER)) });
  add({ name: 'wasmProvider.dh(P-256).sharedSecret', args: () => ({ secretKey: P_SK, peerPublic: P_PEER }), params: ['secretKey', 'peerPublic'], call: (a) => p.dh('P-256').sharedSecret(a.secretKey, a.peerPublic), expect: ok(nobleP256.getSharedSecret(P_SK, P_PEER).slice(1)) });
  add({ name: 'wasmProvider.signature(Ed25519).sign', args: () => ({ secretKey: ED_SK, message: PT }), params: ['secretKey', 'message'], call: (a) => p.signature('Ed25519').sign(a.secretKey, a.message), expect: ok(ED_SIG) });
  add({ name: 'wasmProvider.signature(Ed25519).verify', args: () => ({ publicKey: ED_PK, message: PT, signature: ED_SIG }), params: ['publicKey', 'message', 'signature'], call: (a) => p.signature('Ed25519').verify(a.publicKey, a.message, a.signature), expect: ok(true) });
  add({ name: 'wasmProvider.signature(P-256).verify', args: () => ({ publicKey: P_PK, message: PT, signature: P_SIG }), params: ['publicKey', 'message', 'signature'], call: (a) => p.signature('P-256').verify(a.publicKey, a.message, a.signature), expect: ok(true) });
}

// bad lengths: the real length decides (a RangeError), whatever the getters claim
add({ name: 'chacha20Poly1305 with a 31-byte key (RangeError)', args: () => ({ key: det(31) }), params: ['key'], call: (a) => w.chacha20Poly1305(a.key), expect: fails('RangeError') });
add({ name: 'aesGcm with a 33-byte key (RangeError)', args: () => ({ key: det(33) }), params: ['key'], call: (a) => w.aesGcm(a.key), expect: fails('RangeError') });
add({ name: 'xchacha20Poly1305.seal with a 12-byte nonce (RangeError)', args: () => ({ nonce: N12 }), params: ['nonce'], call: (a) => using(w.xchacha20Poly1305(KEY), (c) => c.seal(a.nonce, PT)), expect: fails('RangeError') });
add({ name: 'aesGcm.seal with an empty nonce (RangeError)', args: () => ({ nonce: EMPTY }), params: ['nonce'], call: (a) => using(w.aesGcm(KEY), (c) => c.seal(a.nonce, PT)), expect: fails('RangeError') });
add({ name: 'chacha20Poly1305.sealInto with a short out (RangeError)', args: () => ({ out: new Uint8Array(PT.length + 15) }), params: ['out'], call: (a) => using(w.chacha20Poly1305(KEY), (c) => c.sealInto(a.out, N12, PT)), expect: fails('RangeError') });
add({ name: 'secretbox.seal with a 23-byte nonce (RangeError)', args: () => ({ nonce: det(23) }), params: ['nonce'], call: (a) => using(w.secretbox(KEY), (b) => b.seal(a.nonce, PT)), expect: fails('RangeError') });
add({ name: 'aesIge.encrypt of 17 bytes (RangeError)', args: () => ({ data: det(17) }), params: ['data'], call: (a) => using(w.aesIge(KEY), (c) => c.encrypt(IV32, a.data)), expect: fails('RangeError') });
add({ name: 'aesCtr with a 15-byte iv (RangeError)', args: () => ({ iv: det(15) }), params: ['iv'], call: (a) => w.aesCtr(KEY, a.iv), expect: fails('RangeError') });
add({ name: 'x25519.sharedSecret with a 31-byte peer key (RangeError)', args: () => ({ peerPublic: det(31) }), params: ['peerPublic'], call: (a) => w.x25519.sharedSecret(X_SK, a.peerPublic), expect: fails('RangeError') });
add({ name: 'ed25519.sign with a 33-byte secret key (RangeError)', args: () => ({ secretKey: det(33) }), params: ['secretKey'], call: (a) => w.ed25519.sign(a.secretKey, PT), expect: fails('RangeError') });
add({ name: 'ed25519.verify with a 31-byte public key (RangeError)', args: () => ({ publicKey: det(31) }), params: ['publicKey'], call: (a) => w.ed25519.verify(a.publicKey, PT, ED_SIG), expect: fails('RangeError') });
add({ name: 'ed25519.verify with a 63-byte signature (false)', args: () => ({ signature: ED_SIG.subarray(0, 63) }), params: ['signature'], call: (a) => w.ed25519.verify(ED_PK, PT, a.signature), expect: ok(false) });
add({ name: 'p256.sign with a 31-byte secret key (RangeError)', args: () => ({ secretKey: P_SK.subarray(1) }), params: ['secretKey'], call: (a) => w.p256.sign(a.secretKey, PT), expect: fails('RangeError') });
add({ name: 'p256.ecdh with a 64-byte peer key (InvalidKeyError)', args: () => ({ peerPublic: P_PK.subarray(1) }), params: ['peerPublic'], call: (a) => w.p256.ecdh(P_SK, a.peerPublic), expect: fails('InvalidKeyError') });

// ---- oracles ------------------------------------------------------------------------------------

function hkdfExpandOracle(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const out: Buffer[] = [];
  let t: Buffer = Buffer.alloc(0);
  for (let i = 1; out.length * 32 < length; i++) {
    t = createHmac('sha256', prk).update(t).update(info).update(Uint8Array.of(i)).digest();
    out.push(t);
  }
  return new Uint8Array(Buffer.concat(out).subarray(0, length));
}

function ratchetOracle(chainKey: Uint8Array, salt: Uint8Array, info: Uint8Array, steps: number) {
  let ck = chainKey;
  const messageKeys: Uint8Array[] = [];
  for (let i = 0; i < steps; i++) {
    const okm = hkdfExpandOracle(createHmac('sha256', salt).update(ck).digest(), info, 64);
    ck = okm.slice(0, 32);
    messageKeys.push(okm.slice(32));
  }
  return { chainKey: ck.slice(), messageKeys };
}

/** AES-IGE (MTProto: iv = y0 ‖ x0) from node's AES-ECB. */
function igeOracle(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const ecb = createCipheriv('aes-256-ecb', key, null).setAutoPadding(false);
  const out = new Uint8Array(data.length);
  let y = iv.slice(0, 16), x = iv.slice(16, 32);
  for (let off = 0; off < data.length; off += 16) {
    const p = data.slice(off, off + 16);
    const block = ecb.update(p.map((b, i) => b ^ y[i]));
    const c = block.map((b, i) => b ^ x[i]);
    out.set(c, off);
    y = c;
    x = p;
  }
  return out;
}

function openWith(s: ReturnType<typeof w.hpke.suite>, enc: Uint8Array, skR: Uint8Array, ct: Uint8Array): Uint8Array {
  return s.open(enc, skR, ct, { info: INFO, aad: AAD });
}

function hpkeExport(choice: typeof SUITE_X | typeof SUITE_P, enc: Uint8Array, skR: Uint8Array): Uint8Array {
  return using(w.hpke.suite(choice).setupBaseR(enc, skR, INFO), (ctx) => ctx.export(INFO.slice(), 32));
}

// ---- the tests ----------------------------------------------------------------------------------

forEachBuild(() => {
  describe('every public function, every byte parameter, every hostile input', () => {
    it('the health check passes before anything hostile', () => {
      expect(health()).toBe('');
    });

    for (const entry of ENTRIES) {
      it(entry.name, () => {
        const base = run(entry, entry.args());
        expect(show(base), 'the plain call').toBe(show(entry.expect));
        expect(same(base, entry.expect), 'the plain call').toBe(true);
        const failures: string[] = [];
        for (const param of entry.params) {
          for (const v of VARIANTS) {
            const args = entry.args();
            const made = v.make(args[param]);
            args[param] = made.value;
            const got = run(entry, args);
            const where = `${param} as ${v.name}`;
            if ('error' in got && got.error.startsWith('FORBIDDEN')) failures.push(`${where}: ${got.error}`);
            else if (v.kind === 'accept' && !same(got, base)) failures.push(`${where}: ${show(got)}, the plain copy ${show(base)}`);
            else if (v.kind === 'refuse' && !('error' in got && got.error === 'TypeError')) failures.push(`${where}: ${show(got)}, expected a TypeError`);
            else if (v.kind === 'either' && !same(got, base) && !('error' in got && got.error === 'TypeError')) failures.push(`${where}: ${show(got)}, expected a TypeError or ${show(base)}`);
            const calls = made.calls();
            if (calls !== 0) failures.push(`${where}: ran the caller's overridden getters/methods/species ${calls} times`);
            const sick = health();
            if (sick) failures.push(`${where}: afterwards ${sick}`);
          }
        }
        expect(failures.length, `${failures.length} failures:\n${failures.slice(0, 60).join('\n')}`).toBe(0);
      });
    }
  });

  describe('views detached between creating and using', () => {
    it('a hasher refuses data detached after it was created; the hasher then still works', () => {
      const h = w.createSha256();
      const data = det(100, 3).subarray(10, 90);
      h.update(data.slice(0, 5));
      detach(data.buffer);
      expect(() => h.update(data)).toThrow(TypeError);
      expect(hex(h.digest())).toBe(hex(createHash('sha256').update(det(100, 3).subarray(10, 15)).digest()));
      expect(health()).toBe('');
    });

    it('AEAD, secretbox, AES and signer objects keep working after their key buffer is detached, and refuse detached inputs', () => {
      for (const A of AEADS) {
        const key = A.key.slice();
        const aead = A.make(key);
        detach(key.buffer);
        expect(hex(aead.seal(A.nonce, PT, AAD)), A.name).toBe(hex(A.seal(A.key, A.nonce, PT, AAD)));
        const pt = PT.slice();
        detach(pt.buffer);
        expect(() => aead.seal(A.nonce, pt, AAD), `${A.name}.seal`).toThrow(TypeError);
        const sealed = A.seal(A.key, A.nonce, PT, AAD);
        const out = new Uint8Array(PT.length);
        detach(out.buffer);
        expect(() => aead.openInto(out, A.nonce, sealed, AAD), `${A.name}.openInto`).toThrow(TypeError);
        const nonce = A.nonce.slice();
        detach(nonce.buffer);
        expect(() => aead.open(nonce, sealed, AAD), `${A.name}.open`).toThrow(TypeError);
        aead.dispose();
      }
      const key = KEY.slice();
      const sb = w.secretbox(key);
      detach(key.buffer);
      expect(hex(sb.seal(N24, PT))).toBe(hex(nacl.secretbox(PT, N24, KEY)));
      const msg = PT.slice();
      detach(msg.buffer);
      expect(() => sb.seal(N24, msg)).toThrow(TypeError);
      sb.dispose();
      const sk = ED_SK.slice();
      const signer = (w.ed25519 as any).signer(sk);
      detach(sk.buffer);
      expect(hex(signer.sign(PT))).toBe(hex(ED_SIG));
      const m = PT.slice();
      detach(m.buffer);
      expect(() => signer.sign(m)).toThrow(TypeError);
      signer.dispose();
      expect(health()).toBe('');
    });
  });

  describe('an input detached by a getter the engine runs in the middle of the call', () => {
    // The options/items objects are plain objects whose getters the engine must read; a getter that
    // detaches an input already validated must not lead to a result over an emptied input (or a
    // trap): TypeError, or the answer for the bytes the caller passed.
    const cases: Array<{ name: string; run: () => unknown; expected: unknown }> = [
      {
        name: 'ratchetChains: chains[0].info detaches chains[0].chainKey',
        run: () => {
          const chainKey = KEY.slice();
          return w.ratchetChains([{ chainKey, salt: SALT, get info() { detach(chainKey.buffer); return INFO; } }], 2);
        },
        expected: [ratchetOracle(KEY, SALT, INFO, 2)],
      },
      {
        name: 'ed25519.verifyBatch: items[1].publicKey detaches items[0].message',
        run: () => {
          const message = ED_MSGS[0].slice();
          const items: any[] = ED_MSGS.map((m, i) => ({ publicKey: ED_PKS[i], message: i === 0 ? message : m, signature: ED_SIGS[i] }));
          Object.defineProperty(items[1], 'publicKey', { get() { detach(message.buffer); return ED_PKS[1]; } });
          return w.ed25519.verifyBatch(items);
        },
        expected: [true, true, true, true, true],
      },
      {
        name: 'hpke seal: options.aad detaches the plaintext',
        run: () => {
          const plaintext = PT.slice();
          const s = w.hpke.suite(SUITE_X);
          const { enc, ciphertext } = s.seal(X_PK, plaintext, { info: INFO, get aad() { detach(plaintext.buffer); return AAD; } });
          return s.open(enc, X_SK, ciphertext, { info: INFO, aad: AAD });
        },
        expected: PT,
      },
      {
        name: 'p256.sign: options.format detaches the message',
        run: () => {
          const message = PT.slice();
          return w.p256.sign(P_SK, message, { get format() { detach(message.buffer); return 'raw' as const; } });
        },
        expected: P_SIG,
      },
      {
        name: 'p256.verify: options.format detaches the signature',
        run: () => {
          const signature = P_SIG.slice();
          return w.p256.verify(P_PK, PT, signature, { get format() { detach(signature.buffer); return 'raw' as const; } });
        },
        expected: true,
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        let outcome: Outcome;
        try {
          outcome = { ok: norm(c.run()) };
        } catch (e) {
          outcome = { error: classify(e) };
        }
        const okay = ('error' in outcome && outcome.error === 'TypeError') || same(outcome, { ok: norm(c.expected) });
        expect(okay, `${show(outcome)}; expected a TypeError or ${show({ ok: norm(c.expected) })}`).toBe(true);
        expect(health()).toBe('');
      });
    }
  });
});
