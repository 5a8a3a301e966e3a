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
  sha512_init(ctx: Ptr): void;
  sha512_update(ctx: Ptr, data: Ptr, len: number): void;
  sha512_final(ctx: Ptr, out: Ptr): void;
  sha512_digest(ctx: Ptr, data: Ptr, len: number, out: Ptr): void;

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
}
