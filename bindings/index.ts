// wirecrypt: WebAssembly-accelerated cryptography for secure-messaging protocols.

export { init, engineInfo } from './init.js';
export type { InitOptions, EngineInfo, WasmBuild, WasmChoice } from './init.js';
export { sha1, sha256, sha512, createSha1, createSha256, createSha512 } from './hash.js';
export type { Hash } from './hash.js';
export { hmacSha1, hmacSha256, hmacSha512 } from './hmac.js';
export { hkdfExtract, hkdfExpand, hkdf, HKDF_SHA256_MAX_LENGTH } from './hkdf.js';
export {
  sha3_256, createSha3_256, hmacSha3_256, hkdfSha3_256Extract, hkdfSha3_256Expand, hkdfSha3_256, HKDF_SHA3_256_MAX_LENGTH,
} from './sha3.js';
export { ratchetChain, ratchetChains, RATCHET_MAX_STEPS } from './ratchet.js';
export type { RatchetResult, RatchetChainInput } from './ratchet.js';
export { AuthenticationError } from './errors.js';
export type { Aead } from './aead.js';
export { chacha20Poly1305, xchacha20Poly1305, CHACHA20_MAX_PLAINTEXT } from './chacha20poly1305.js';
export { secretbox, secretboxSeal, secretboxOpen } from './secretbox.js';
export type { SecretBox } from './secretbox.js';
export { aesGcm, aesCtr, aesIge, AES_GCM_MAX_PLAINTEXT } from './aes.js';
export type { AesCtr, AesIge } from './aes.js';
export { InvalidKeyError } from './errors.js';
export type { InvalidKeyReason } from './errors.js';
export { x25519 } from './x25519.js';
export type { KeyPair } from './x25519.js';
export { ed25519 } from './ed25519.js';
export type { SignedMessage, Ed25519Signer } from './ed25519.js';
export type { Ed25519Verifier } from './ed25519-verifier.js';
export { box } from './box.js';
export { p256 } from './p256.js';
export type { SignatureFormat, SignatureOptions, PublicKeyFormat, EcdhOptions } from './p256.js';
export { hpke } from './hpke/index.js';
export type {
  HpkeSuite, SuiteChoice, SenderOptions, SealOptions, OpenOptions, SenderContext, RecipientContext, KemName, KdfName,
  HpkeAeadName, SecretKeyInput,
} from './hpke/index.js';
export { wasmProvider } from './provider/wasm.js';
export type {
  CryptoProvider, DhScheme, SignatureScheme, HashName, HkdfHashName, AeadName, DhName, SignatureName,
} from './provider/types.js';
// mmtls (issue 11) as a namespace; also 'wirecrypt/mmtls'. Its node:net / node:http / ioredis are
// loaded when first used. In browsers the namespace has the portable part only (no server, no
// socket client): scripts/build.mjs points it at mmtls/index.ts.
export * as mmtls from './mmtls/node.js';
// MLS (RFC 9420, issues 12 and 13) as a namespace; also 'wirecrypt/mls'. In browsers the namespace
// has no delivery service (server) or Node-side stores: scripts/build.mjs points it at mls/index.ts.
export * as mls from './mls/node.js';
// MTProto 2.0 (issue 10) as a namespace; also 'wirecrypt/mtproto'. Its node:net / node:http / ws /
// ioredis load when first used; in browsers the namespace is bindings/mtproto/index.ts (the client
// over WebSocket and HTTP, no server), as scripts/build.mjs arranges.
export * as mtproto from './mtproto/node.js';
// Wesh (Berty's weshnet, issue 14): its cryptography and handshake as a namespace; 'wirecrypt/wesh'
// adds the replicated log, groups, wesh.Account and the network (js-libp2p, optional peer dependencies).
export * as wesh from './wesh/core.js';
