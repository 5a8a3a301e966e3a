// TypeScript view of the wasm ABI exported by assembly/index.ts. Pointers are byte offsets into the
// module's memory; lengths are byte counts. Preconditions are listed in the AssemblyScript sources.

type Ptr = number;

export interface WasmAbi {
  memory: WebAssembly.Memory;
  heap_base(): Ptr;

  SHA1_CTX_LEN: WebAssembly.Global;
  SHA256_CTX_LEN: WebAssembly.Global;
  SHA512_CTX_LEN: WebAssembly.Global;
  HMAC_SHA1_CTX_LEN: WebAssembly.Global;
  HMAC_SHA256_CTX_LEN: WebAssembly.Global;
  HMAC_SHA512_CTX_LEN: WebAssembly.Global;

  sha1_init(ctx: Ptr): void;
  sha1_update(ctx: Ptr, data: Ptr, len: number): void;
  sha1_final(ctx: Ptr, out: Ptr): void;
  sha1_digest(ctx: Ptr, data: Ptr, len: number, out: Ptr): void;
  sha256_init(ctx: Ptr): void;
  sha256_update(ctx: Ptr, data: Ptr, len: number): void;
  sha256_final(ctx: Ptr, out: Ptr): void;
  sha256_digest(ctx: Ptr, data: Ptr, len: number, out: Ptr): void;
  sha256_many(ctx: Ptr, data: Ptr, lens: Ptr, count: number, out: Ptr): void;
  sha512_init(ctx: Ptr): void;
  sha512_update(ctx: Ptr, data: Ptr, len: number): void;
  sha512_final(ctx: Ptr, out: Ptr): void;
  sha512_digest(ctx: Ptr, data: Ptr, len: number, out: Ptr): void;
  hash_wipe_scratch(): void;

  SHA3_256_CTX_LEN: WebAssembly.Global;
  HMAC_SHA3_256_CTX_LEN: WebAssembly.Global;
  sha3_256_init(ctx: Ptr): void;
  sha3_256_update(ctx: Ptr, data: Ptr, len: number): void;
  sha3_256_final(ctx: Ptr, out: Ptr): void;
  sha3_256_digest(ctx: Ptr, data: Ptr, len: number, out: Ptr): void;
  hmac_sha3_256_init(ctx: Ptr, key: Ptr, keyLen: number): void;
  hmac_sha3_256_update(ctx: Ptr, data: Ptr, len: number): void;
  hmac_sha3_256_final(ctx: Ptr, out: Ptr): void;
  hmac_sha3_256_wipe(ctx: Ptr): void;
  /** Precondition: len <= 255 * 32. */
  hkdf_sha3_256_expand(prk: Ptr, prkLen: number, info: Ptr, infoLen: number, out: Ptr, len: number): void;

  hmac_sha1_init(ctx: Ptr, key: Ptr, keyLen: number): void;
  hmac_sha1_update(ctx: Ptr, data: Ptr, len: number): void;
  hmac_sha1_final(ctx: Ptr, out: Ptr): void;
  hmac_sha1_wipe(ctx: Ptr): void;
  hmac_sha256_init(ctx: Ptr, key: Ptr, keyLen: number): void;
  hmac_sha256_update(ctx: Ptr, data: Ptr, len: number): void;
  hmac_sha256_final(ctx: Ptr, out: Ptr): void;
  hmac_sha256_wipe(ctx: Ptr): void;
  hmac_sha512_init(ctx: Ptr, key: Ptr, keyLen: number): void;
  hmac_sha512_update(ctx: Ptr, data: Ptr, len: number): void;
  hmac_sha512_final(ctx: Ptr, out: Ptr): void;
  hmac_sha512_wipe(ctx: Ptr): void;

  hkdf_sha256_expand(prk: Ptr, prkLen: number, info: Ptr, infoLen: number, out: Ptr, len: number): void;
  hkdf_sha512_expand(prk: Ptr, prkLen: number, info: Ptr, infoLen: number, out: Ptr, len: number): void;

  /** table: one 20-byte row per lane [chainKey ptr (32 B, in/out), salt ptr, salt len, info ptr, keysOut ptr]. */
  ratchet_sha256(table: Ptr, lanes: number, infoLen: number, steps: number, work: Ptr): void;
  ratchet_work_len(infoLen: number, lanes: number): number;
  RATCHET_MAX_LANES: WebAssembly.Global;

  /**
   * TreeKEM path (RFC 9420 §7.4): kem 0 = X25519 (32-byte public keys), 1 = P-256 (65); start 32 B;
   * writes length × 32 B path secrets, length × 32 B secret keys, length × pkLen public keys and the
   * 32-byte next secret. 1, or 0 if a P-256 DeriveKeyPair found no valid candidate.
   */
  treekem_path(kem: number, start: Ptr, length: number, pathSecrets: Ptr, secretKeys: Ptr, publicKeys: Ptr, next: Ptr): number;

  /** MLS secret-tree ratchet (RFC 9420 §9.1): count steps from generation `first`; keys, nonces, next secret. */
  mls_ratchet(start: Ptr, first: number, count: number, keyLen: number, nonceLen: number, keys: Ptr, nonces: Ptr, next: Ptr): void;

  /**
   * HPKE Base-mode Seal to `count` recipients (assembly/hpke/seal_many.ts): table rows of 20 bytes
   * [pkR, ikm, enc, buf, ptLen]; 0, i + 1 for the first refused key, or 0xffffffff.
   */
  hpke_seal_base(kem: number, aead: number, count: number, table: Ptr, info: Ptr, infoLen: number, infoHash: Ptr, hashInfo: number, aad: Ptr, aadLen: number): number;

  /** MLS PrivateMessage one-shot AEAD and sender data (assembly/mls/private_message.ts); opens return 1 or 0. */
  mls_aead_seal(aead: number, key: Ptr, nonce: Ptr, aad: Ptr, aadLen: number, buf: Ptr, len: number): void;
  mls_aead_open(aead: number, key: Ptr, nonce: Ptr, aad: Ptr, aadLen: number, buf: Ptr, len: number): number;
  mls_sender_data_seal(aead: number, secret: Ptr, sample: Ptr, sampleLen: number, aad: Ptr, aadLen: number, buf: Ptr, len: number): void;
  mls_sender_data_open(aead: number, secret: Ptr, sample: Ptr, sampleLen: number, aad: Ptr, aadLen: number, buf: Ptr, len: number): number;

  CHACHA_AEAD_CTX_LEN: WebAssembly.Global;
  chacha_aead_init(ctx: Ptr, key: Ptr, nonce: Ptr, xchacha: number): void;
  chacha_aead_aad(ctx: Ptr, aad: Ptr, len: number): void;
  chacha_aead_encrypt(ctx: Ptr, buf: Ptr, len: number): void;
  chacha_aead_absorb(ctx: Ptr, ct: Ptr, len: number): void;
  chacha_aead_decrypt(ctx: Ptr, buf: Ptr, len: number): void;
  chacha_aead_finish(ctx: Ptr, tag: Ptr): void;
  chacha_aead_verify(ctx: Ptr, tag: Ptr): number;
  chacha_aead_wipe(ctx: Ptr): void;
  chacha_aead_seal(ctx: Ptr, key: Ptr, nonce: Ptr, xchacha: number, aad: Ptr, aadLen: number, buf: Ptr, len: number): void;
  chacha_aead_open(ctx: Ptr, key: Ptr, nonce: Ptr, xchacha: number, aad: Ptr, aadLen: number, buf: Ptr, len: number): number;

  SECRETBOX_CTX_LEN: WebAssembly.Global;
  secretbox_init(ctx: Ptr, key: Ptr, nonce: Ptr): void;
  secretbox_encrypt(ctx: Ptr, buf: Ptr, len: number): void;
  secretbox_absorb(ctx: Ptr, ct: Ptr, len: number): void;
  secretbox_decrypt(ctx: Ptr, buf: Ptr, len: number): void;
  secretbox_finish(ctx: Ptr, tag: Ptr): void;
  secretbox_verify(ctx: Ptr, tag: Ptr): number;
  secretbox_wipe(ctx: Ptr): void;
  secretbox_seal(ctx: Ptr, key: Ptr, nonce: Ptr, box: Ptr, len: number): void;
  secretbox_open(ctx: Ptr, key: Ptr, nonce: Ptr, box: Ptr, len: number): number;

  chacha20_xor(key: Ptr, counter: number, nonce: Ptr, buf: Ptr, len: number): number;
  poly1305_mac(key: Ptr, msg: Ptr, len: number, tag: Ptr): void;
  hchacha20_subkey(key: Ptr, nonce16: Ptr, out: Ptr): void;
  hsalsa20_subkey(key: Ptr, input16: Ptr, out: Ptr): void;

  AES_KEY_STATE_LEN: WebAssembly.Global;
  aes_set_key(ks: Ptr, key: Ptr, keyLen: number): void;
  AES_CTR_CTX_LEN: WebAssembly.Global;
  aes_ctr_init(ctx: Ptr, iv: Ptr): void;
  aes_ctr_xor(ctx: Ptr, ks: Ptr, src: Ptr, dst: Ptr, len: number): void;
  aes_ige_encrypt(ks: Ptr, iv: Ptr, src: Ptr, dst: Ptr, len: number): void;
  aes_ige_decrypt(ks: Ptr, iv: Ptr, src: Ptr, dst: Ptr, len: number): void;
  mtproto_seal(authKey: Ptr, x: number, buf: Ptr, len: number, large: Ptr): void;
  mtproto_open(authKey: Ptr, x: number, msgKey: Ptr, buf: Ptr, len: number, large: Ptr): void;
  ED25519_VERIFIER_LEN: WebAssembly.Global;
  /** 0: usable; 1: not a point; 2: small order. */
  ed25519_verifier_prepare(prep: Ptr, pk: Ptr): number;
  /** 0: invalid whatever the message; 1: absorb the message, then ed25519_verifier_finish. */
  ed25519_verifier_start(prep: Ptr, sig: Ptr): number;
  ed25519_verifier_absorb(msg: Ptr, len: number): void;
  ed25519_verifier_finish(prep: Ptr, sig: Ptr): number;

  GCM_KEY_STATE_LEN: WebAssembly.Global;
  GCM_CTX_LEN: WebAssembly.Global;
  gcm_set_key(ks: Ptr, key: Ptr, keyLen: number, scratch: Ptr): void;
  gcm_init(ctx: Ptr, ks: Ptr, nonce: Ptr, nonceLen: number): void;
  gcm_aad(ctx: Ptr, ks: Ptr, aad: Ptr, len: number): void;
  gcm_encrypt(ctx: Ptr, ks: Ptr, buf: Ptr, len: number): void;
  gcm_absorb(ctx: Ptr, ks: Ptr, ct: Ptr, len: number): void;
  gcm_decrypt(ctx: Ptr, ks: Ptr, buf: Ptr, len: number): void;
  gcm_finish(ctx: Ptr, ks: Ptr, tag: Ptr): void;
  gcm_verify(ctx: Ptr, ks: Ptr, tag: Ptr): number;
  gcm_wipe(ctx: Ptr): void;
  gcm_seal(ctx: Ptr, ks: Ptr, nonce: Ptr, nonceLen: number, aad: Ptr, aadLen: number, buf: Ptr, len: number): void;
  gcm_open(ctx: Ptr, ks: Ptr, nonce: Ptr, nonceLen: number, aad: Ptr, aadLen: number, buf: Ptr, len: number): number;

  /** out = X25519(scalar, u) (RFC 7748 §5; the scalar is clamped inside). */
  x25519_scalarmult(out: Ptr, scalar: Ptr, u: Ptr): void;
  x25519_base(out: Ptr, scalar: Ptr): void;
  /** key = HSalsa20(X25519(secret, peer), 0); returns 0 (key untouched) when the X25519 output is all zero. */
  box_beforenm(key: Ptr, secret: Ptr, peer: Ptr): number;
  ed25519_public_key(out: Ptr, seed: Ptr): void;
  ED25519_SIGNING_KEY_LEN: WebAssembly.Global;
  /** key (96 bytes) = clamped scalar ‖ nonce prefix ‖ public key, from a 32-byte seed. */
  ed25519_expand(key: Ptr, seed: Ptr): void;
  ed25519_sign_start(key: Ptr): void;
  ed25519_absorb(msg: Ptr, len: number): void;
  /** R into sig[0, 32). */
  ed25519_sign_commit(key: Ptr, sig: Ptr): void;
  /** S into sig[32, 64); scratch zeroed. */
  ed25519_sign_finish(key: Ptr, sig: Ptr): void;
  ed25519_wipe(): void;
  /** 0: invalid whatever the message; 1: absorb the message, then verify_finish. */
  ed25519_verify_start(publicKey: Ptr, sig: Ptr): number;
  ed25519_verify_finish(sig: Ptr): number;
  /** Bytes of scratch ed25519_verify_batch needs for `count` signatures. */
  ed25519_batch_scratch(count: number): number;
  /** table: one 16-byte row per signature [publicKey ptr, sig ptr, msg ptr, msg len]; randoms 16 B each; results 1 B each. */
  ed25519_verify_batch(table: Ptr, count: number, randoms: Ptr, scratch: Ptr, results: Ptr): void;
  ed25519_secret_to_x25519(out: Ptr, seed: Ptr): void;
  /** 0: done; 1: the public key does not decode; 2: it has small order (nothing written). */
  ed25519_public_to_x25519(out: Ptr, publicKey: Ptr): number;
  /** Where B's tables live (256 comb points, then 64 odd multiples of B and 64 of 2^128·B, 120 bytes each), built if not yet. */
  ed25519_tables(): Ptr;

  /** out (65 bytes) = 04 ‖ x ‖ y of sk · G; 1, or 0 (nothing written) if sk is not in [1, n - 1]. */
  p256_public_key(out: Ptr, sk: Ptr): number;
  /** out (32 bytes) = x(sk · peer); 0: done, 1: peer is not a point on the curve, 2: sk not in [1, n - 1]. */
  p256_ecdh(out: Ptr, sk: Ptr, peer: Ptr, peerLen: number): number;
  /** out (65 bytes) = the uncompressed form of a SEC1 point; 1, or 0 if it is not a point on the curve. */
  p256_decode_point(out: Ptr, point: Ptr, len: number): number;
  /** sig (64 bytes) = r ‖ s (low S) for a 32-byte digest with the RFC 6979 nonce; 1, or 0 if sk is not in [1, n - 1]. */
  p256_sign(sig: Ptr, sk: Ptr, digest: Ptr): number;
  /** 1 if sig (r ‖ s) is a valid signature of the 32-byte digest under the SEC1 point pk (either S), else 0. */
  p256_verify(pk: Ptr, pkLen: number, digest: Ptr, sig: Ptr): number;
  /** Where the base-point tables live (704 comb points, then 64 odd multiples, 80 bytes each), built if not yet. */
  p256_tables(): Ptr;
  /** out (32 bytes) = x^-1 (0 for 0) mod P-256's p (modulus 0) or n (1), big-endian, or mod 2^255 - 19 (2), little-endian; x below the modulus. For the tests. */
  invert_for_tests(out: Ptr, x: Ptr, modulus: number): void;
}
