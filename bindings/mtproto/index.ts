// MTProto 2.0 (issue 10; design notes in docs/mtproto.md): the parts that run anywhere — TL, message
// crypto, auth-key creation, transports, the sans-IO session, the client (TCP in Node; HTTP and
// WebSocket everywhere) and an in-memory key store. 'wirecrypt/mtproto' in browsers is this file;
// in Node, node.ts adds the server and the file and Redis stores.

export { MtprotoError, TlError } from './errors.js';

// TL (spec §1, §7)
export { TlReader } from './tl/reader.js';
export { TlWriter, tl } from './tl/writer.js';
export { ID as SERVICE_IDS, constructorId, decodeService, encodeService, isServiceConstructor } from './tl/service.js';
export type { FutureSalt, MessageEntry, ServiceMessage, ServiceName, ServiceOf } from './tl/service.js';
export { gunzipPacked, gzipPacked } from './tl/gzip.js';

// messages (spec §2, §3, §8.5)
export {
  AUTH_KEY_LENGTH, AuthKey, MsgIdWindow, decryptMessage, decryptMessageWithQuickAck, encryptMessage,
  encryptMessageWithQuickAck, msgIdTime, quickAckToken,
} from './crypto/index.js';
export type { DecryptOptions, DecryptedMessage, EncryptOptions, PlaintextMessage, Sender } from './crypto/index.js';

// auth keys (spec §5, §6)
export {
  ClientHandshake, ServerHandshake, decodePlainMessage, encodePlainMessage, parseRsaPrivateKey, parseRsaPublicKey,
} from './auth/index.js';
export type {
  AuthKeyResult, ClientHandshakeOptions, ClientHandshakeStep, RsaPrivateKey, RsaPublicKey, ServerHandshakeOptions,
  ServerHandshakeStep,
} from './auth/index.js';

// transports (spec §8)
export {
  AbridgedCodec, FullCodec, IntermediateCodec, ObfuscatedCodec, PaddedCodec, createFrameCodec, detectTransport,
} from './transport/index.js';
export type { Detection, Frame, FrameCodec, TransportName, TransportOptions } from './transport/index.js';

// sessions and the client
export { ClientSession, MsgIdGenerator, MtprotoRpcError, ServerSession } from './session/index.js';
export { MtprotoClient } from './client/index.js';
export type { ClientTransport, MtprotoClientOptions } from './client/index.js';

// server state
export { MemoryAuthKeyStore } from './server/memory-store.js';
export type { AuthKeyStore, HeldMessage, StoredAuthKey, StoredSalt } from './server/store.js';
