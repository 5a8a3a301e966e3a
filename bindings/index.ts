// wirecrypt: WebAssembly-accelerated cryptography for secure-messaging protocols.

export { init, engineInfo } from './init.js';
export type { InitOptions, EngineInfo, WasmBuild, WasmChoice } from './init.js';
export { sha1, sha256, sha512, createSha1, createSha256, createSha512 } from './hash.js';
export type { Hash } from './hash.js';
export { hmacSha1, hmacSha256, hmacSha512 } from './hmac.js';
export { hkdfExtract, hkdfExpand, hkdf, HKDF_SHA256_MAX_LENGTH } from './hkdf.js';
export { ratchetChain, ratchetChains, RATCHET_MAX_STEPS } from './ratchet.js';
export type { RatchetResult, RatchetChainInput } from './ratchet.js';
