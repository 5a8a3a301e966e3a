// The cases of the timing screen. Each names its secret class in brackets: the bytes that differ
// between the fixed class (all zero) and the random class; every other input is fixed public data.
// Key setup cases time the constructor or the function that expands the key, so the key schedule is
// screened on its own and not only folded into the first operation.
//
// A case: { name, group, secret (bytes), prepare(secret) → state, run(state), cleanup(state) }; only
// run() is timed (see measure.mjs). Objects are made in prepare() or run(), after init(), so they use
// the build being screened.

const data = (n, v = 0x5c) => new Uint8Array(n).fill(v);
const MSG = data(64);
const KIB = data(1024);
const NONCE12 = data(12, 1);
const NONCE24 = data(24, 2);
const IV16 = data(16, 3);
const IV32 = data(32, 4);
const SALT = data(32, 5);
const INFO = data(16, 6);
const noop = () => {};
/** A P-256 secret scalar from the class bytes: never zero (the all-zero class becomes 1). */
const p256Scalar = (k) => { const s = k.slice(); s[0] &= 0x7f; s[31] |= 1; return s; };

/** The constructor is timed: `create(secret)` runs `batch` times per sample, all disposed afterwards. */
const ctor = (name, secret, create) => ({
  group: 'key setup', name, secret,
  prepare: (k) => ({ k, objs: [] }),
  run: (s) => { s.objs.push(create(s.k)); },
  cleanup: (s) => { for (const o of s.objs) o.dispose(); },
});

/** An object keyed with the secret (outside the timed region); `use(object, extra)` is timed. */
const keyed = (group, name, secret, create, use, extra = () => undefined) => ({
  group, name, secret,
  prepare: (k) => { const o = create(k); return { o, x: extra(o, k) }; },
  run: (s) => { use(s.o, s.x); },
  cleanup: (s) => s.o.dispose(),
});

/** A plain function of the secret (`prepare` may turn the secret into the function's argument). */
const fn = (group, name, secret, f, prepare = (k) => k) => ({ group, name, secret, prepare, run: f, cleanup: noop });

/**
 * An open whose tag is wrong in byte 0 (fixed class) or byte 15 (random class, but for the one first
 * byte in 256 that is zero): the tag comparison must not stop at the first differing byte.
 */
const wrongTag = (name, create, nonce, tagAt) => ({
  group: 'comparison', name, secret: 1,
  prepare: (b) => {
    const o = create(data(32, 7));
    const sealed = o.seal(nonce, MSG);
    sealed[tagAt(sealed) + (b[0] === 0 ? 0 : 15)] ^= 1;
    return { o, sealed };
  },
  run: (s) => {
    // Without a stack trace the throw costs a few hundred nanoseconds instead of microseconds, and a
    // comparison leak is a larger share of the time.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try { s.o.open(nonce, s.sealed); } catch { /* AuthenticationError, as meant */ } finally { Error.stackTraceLimit = limit; }
  },
  cleanup: (s) => s.o.dispose(),
});

/** The cases for the current engine; `w` is the wirecrypt module. */
export function makeCases(w) {
  const peer = w.x25519.publicKey(data(32, 9));
  const p256Peer = w.p256.publicKey(data(32, 10));
  const tagFirst = () => 0;
  const tagLast = (sealed) => sealed.length - 16;
  const seedAndPublic = (seed) => { const sk = new Uint8Array(64); sk.set(seed); sk.set(w.ed25519.publicKey(seed), 32); return sk; };
  const chains = (k) => [0, 1, 2, 3].map((i) => ({ chainKey: k.slice(32 * i, 32 * i + 32), salt: SALT, info: INFO }));
  return [
    // ---- key setup ---------------------------------------------------------------------------
    ctor('AES-256 key expansion: aesCtr(key, iv) [key]', 32, (k) => w.aesCtr(k, IV16)),
    ctor('AES-256 key expansion: aesIge(key) [key]', 32, (k) => w.aesIge(k)),
    ctor('AES-256-GCM key setup, expansion + GHASH powers: aesGcm(key) [key]', 32, (k) => w.aesGcm(k)),
    ctor('AES-128-GCM key setup, expansion + GHASH powers: aesGcm(key) [key]', 16, (k) => w.aesGcm(k)),
    ctor('ChaCha20-Poly1305 constructor [key]', 32, (k) => w.chacha20Poly1305(k)),
    ctor('XChaCha20-Poly1305 constructor [key]', 32, (k) => w.xchacha20Poly1305(k)),
    ctor('secretbox constructor [key]', 32, (k) => w.secretbox(k)),
    fn('key setup', 'HMAC-SHA256 pad states: 32 B key, empty data [key]', 32, (k) => w.hmacSha256(k, data(0))),
    fn('key setup', 'HMAC-SHA256 pad states: 100 B key (hashed first), 64 B data [key]', 100, (k) => w.hmacSha256(k, MSG)),
    fn('key setup', 'HMAC-SHA512 pad states: 64 B key, empty data [key]', 64, (k) => w.hmacSha512(k, data(0))),
    fn('key setup', 'HMAC-SHA1 pad states: 32 B key, empty data [key]', 32, (k) => w.hmacSha1(k, data(0))),
    fn('key setup', 'Ed25519 key expansion (SHA-512, fixed-base): publicKey(seed) [seed]', 32, (k) => w.ed25519.publicKey(k)),
    ctor('Ed25519 key expansion: signer(secretKey) [seed]', 32, (k) => w.ed25519.signer(k)),
    fn('key setup', 'Ed25519 → X25519 secret (SHA-512): toX25519Secret(seed) [seed]', 32, (k) => w.ed25519.toX25519Secret(k)),
    ctor('box beforenm (X25519 + HSalsa20): box(secretKey, peer) [secret key]', 32, (k) => w.box(k, peer)),

    // ---- hashing, MAC, KDF, ratchet ----------------------------------------------------------------
    fn('operation', 'SHA-256 of 64 B [data]', 64, (k) => w.sha256(k)),
    fn('operation', 'SHA-512 of 128 B [data]', 128, (k) => w.sha512(k)),
    fn('operation', 'HKDF-SHA256 hkdf(ikm, salt, info, 64) [ikm]', 32, (k) => w.hkdf(k, SALT, INFO, 64)),
    fn('operation', 'HKDF-SHA256 hkdfExpand(prk, info, 64) [prk]', 32, (k) => w.hkdfExpand(k, INFO, 64)),
    fn('operation', 'ratchetChain(chainKey, salt, info, 4 steps) [chain key]', 32, (k) => w.ratchetChain(k, SALT, INFO, 4)),
    fn('operation', 'ratchetChains(4 chains, 4 steps) [4 chain keys]', 128, (c) => w.ratchetChains(c, 4), chains),

    // ---- ciphers and AEADs -----------------------------------------------------------------------
    keyed('operation', 'AES-256-CTR update 64 B [key]', 32, (k) => w.aesCtr(k, IV16), (o) => o.update(MSG)),
    keyed('operation', 'AES-256-GCM seal 64 B (AES + GHASH) [key]', 32, w.aesGcm, (o) => o.seal(NONCE12, MSG)),
    keyed('operation', 'AES-256-GCM open 64 B, valid [key]', 32, w.aesGcm, (o, sealed) => o.open(NONCE12, sealed), (o) => o.seal(NONCE12, MSG)),
    keyed('operation', 'AES-256-IGE decrypt 64 B [key]', 32, w.aesIge, (o) => o.decrypt(IV32, MSG)),
    keyed('operation', 'AES-256-IGE encrypt 64 B [plaintext]', 64, () => w.aesIge(data(32, 8)), (o, p) => o.encrypt(IV32, p), (_, k) => k),
    keyed('operation', 'ChaCha20-Poly1305 seal 64 B [key]', 32, w.chacha20Poly1305, (o) => o.seal(NONCE12, MSG)),
    keyed('operation', 'ChaCha20-Poly1305 open 64 B, valid [key]', 32, w.chacha20Poly1305, (o, sealed) => o.open(NONCE12, sealed), (o) => o.seal(NONCE12, MSG)),
    keyed('operation', 'ChaCha20-Poly1305 seal 1 KiB (Poly1305-bound) [key]', 32, w.chacha20Poly1305, (o) => o.seal(NONCE12, KIB)),
    keyed('operation', 'XChaCha20-Poly1305 seal 64 B (HChaCha20) [key]', 32, w.xchacha20Poly1305, (o) => o.seal(NONCE24, MSG)),
    keyed('operation', 'secretbox seal 64 B (XSalsa20-Poly1305) [key]', 32, w.secretbox, (o) => o.seal(NONCE24, MSG)),
    keyed('operation', 'secretbox open 64 B, valid [key]', 32, w.secretbox, (o, boxed) => o.open(NONCE24, boxed), (o) => o.seal(NONCE24, MSG)),
    keyed('operation', 'secretbox seal 1 KiB (Poly1305-bound) [key]', 32, w.secretbox, (o) => o.seal(NONCE24, KIB)),
    fn('operation', 'provider aeadSeal AES-128-GCM 64 B (one-shot, MLS content) [key]', 16, (k) => w.wasmProvider.aeadSeal('AES-128-GCM', k, NONCE12, MSG, INFO)),
    fn('operation', 'provider aeadSeal ChaCha20-Poly1305 64 B (one-shot, MLS content) [key]', 32, (k) => w.wasmProvider.aeadSeal('ChaCha20-Poly1305', k, NONCE12, MSG, INFO)),
    fn('operation', 'provider mlsSenderDataSeal AES-128-GCM (two ExpandWithLabel + AEAD) [sender_data_secret]', 32, (k) => w.wasmProvider.mlsSenderDataSeal('AES-128-GCM', k, KIB, data(12), INFO)),

    // ---- curves --------------------------------------------------------------------------------------
    fn('operation', 'X25519 sharedSecret (ladder) [scalar]', 32, (k) => w.x25519.sharedSecret(k, peer)),
    fn('operation', 'X25519 publicKey (fixed-base table) [scalar]', 32, (k) => w.x25519.publicKey(k)),
    fn('operation', 'Ed25519 sign 64 B with the 32 B seed (key expansion + nonce) [seed]', 32, (k) => w.ed25519.sign(k, MSG)),
    fn('operation', 'Ed25519 sign 64 B with a 64 B secret key (public half checked) [seed]', 32, (sk) => w.ed25519.sign(sk, MSG), seedAndPublic),
    keyed('operation', 'Ed25519 signer.sign 64 B (expanded key) [seed]', 32, (k) => w.ed25519.signer(k), (o) => o.sign(MSG)),
    // P-256 scalars must lie in [1, n - 1]: the fixed class becomes the scalar 1, the random class a
    // random scalar (below n but with probability 2^-32)
    fn('operation', 'P-256 ECDH (masked fixed window) [scalar]', 32, (k) => w.p256.ecdh(k, p256Peer), p256Scalar),
    fn('operation', 'P-256 publicKey (fixed-base comb) [scalar]', 32, (k) => w.p256.publicKey(k), p256Scalar),
    fn('operation', 'P-256 ECDSA sign 64 B (RFC 6979 nonce, comb, inversions) [scalar]', 32, (k) => w.p256.sign(k, MSG), p256Scalar),

    // ---- tag comparisons ---------------------------------------------------------------------------
    wrongTag('ChaCha20-Poly1305 open, tag wrong in byte 0 vs 15 [position]', w.chacha20Poly1305, NONCE12, tagLast),
    wrongTag('AES-256-GCM open, tag wrong in byte 0 vs 15 [position]', w.aesGcm, NONCE12, tagLast),
    wrongTag('secretbox open, tag wrong in byte 0 vs 15 [position]', w.secretbox, NONCE24, tagFirst),
  ];
}
