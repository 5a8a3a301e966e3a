// Auth-key creation (§5, §6 of ../shared/specs/mtproto.md), both sides, sans-IO.

export { ClientHandshake } from './client-handshake.js';
export type { ClientHandshakeOptions, ClientHandshakeStep } from './client-handshake.js';
export { ServerHandshake } from './server-handshake.js';
export type { ServerHandshakeOptions, ServerHandshakeStep } from './server-handshake.js';
export type { AuthKeyResult, Clock, RandomSource } from './types.js';
export { encodePlainMessage, decodePlainMessage, PLAIN_HEADER_LENGTH } from './plain-message.js';
export type { PlainMessage, DecodePlainOptions } from './plain-message.js';
export { parseRsaPublicKey, parseRsaPrivateKey, rsaPublicKey, rsaFingerprint } from './rsa.js';
export type { RsaPublicKey, RsaPrivateKey } from './rsa.js';
export { rsaPadEncrypt, rsaPadDecrypt, rsaDecryptRaw, rsaPadUnwrap, rsaLegacyUnwrap, RSA_PAD_MAX_DATA } from './rsa-pad.js';
export { factorPq, isPrime64 } from './factor.js';
export { KNOWN_DH_PRIME, KNOWN_DH_G, checkDhParams, checkDhPublic, isProbablePrime, generateDhKeyPair } from './dh.js';
export { authKeyId, authKeyAuxHash, newNonceHash, newNonceHashOfFail, initialServerSalt } from './key-hashes.js';
export * as handshakeMessages from './messages.js';
