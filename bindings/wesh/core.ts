// The `wesh` namespace of 'wirecrypt' (Node and browsers): Wesh's cryptography as pure functions
// (`crypto` on the wasm engine, weshCrypto(provider) on another), the handshake's messages and its
// session over a stream, the protobuf schemas and WeshError. It stays this small so that importing
// 'wirecrypt' does not load the log's content addressing or the network; 'wirecrypt/wesh' has
// everything (./index.ts in browsers, ./node.ts in Node). See docs/wesh.md.

import { wasmProvider } from '../provider/wasm.js';
import { weshCrypto } from './crypto/index.js';

export { weshCrypto } from './crypto/index.js';
export type { WeshCrypto } from './crypto/index.js';
export type { WeshSigner } from './crypto/keys.js';
export { WeshError } from './errors.js';
export type { WeshErrorCode } from './errors.js';
export { frame, readFrame, unframe, MAX_FRAME } from './handshake/framing.js';
export { requestContact, respondContact, CONTACT_REQUEST_PROTOCOL } from './handshake/session.js';
export type { ShareableContact, RequestOptions } from './handshake/session.js';
export { fromDuplex } from './handshake/frame-stream.js';
export type { FrameStream } from './handshake/frame-stream.js';
export { EventType, GroupType } from './proto/gen/protocoltypes_pb.js';
export * as proto from './proto/schemas.js';

/** Wesh's cryptography on wirecrypt's wasm engine. */
export const crypto = weshCrypto(wasmProvider);
