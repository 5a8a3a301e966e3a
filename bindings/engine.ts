// wirecrypt's engine: the primitives, HPKE and the crypto providers — everything of 'wirecrypt'
// except the protocol namespaces (bindings/index.ts adds them; the Node entry adds them lazily).

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
