// 'wirecrypt/wesh' and the `wesh` namespace of 'wirecrypt': Berty's Wesh protocol (weshnet).
// Today: its cryptography as pure functions (`crypto`, on the wasm engine; weshCrypto(provider) on
// another provider) and the protobuf schemas of its messages. See docs/wesh.md.

import { wasmProvider } from '../provider/wasm.js';
import { weshCrypto } from './crypto/index.js';

export { weshCrypto } from './crypto/index.js';
export type { WeshCrypto } from './crypto/index.js';
export type { WeshSigner } from './crypto/keys.js';
export { WeshError } from './errors.js';
export type { WeshErrorCode } from './errors.js';
export { frame, readFrame, unframe, MAX_FRAME } from './handshake/framing.js';
export { EventType, GroupType } from './proto/gen/protocoltypes_pb.js';
export * as proto from './proto/schemas.js';

/** Wesh's cryptography on wirecrypt's wasm engine. */
export const crypto = weshCrypto(wasmProvider);
export { requestContact, respondContact, CONTACT_REQUEST_PROTOCOL } from './handshake/session.js';
export type { ShareableContact, RequestOptions } from './handshake/session.js';
export { fromDuplex } from './handshake/frame-stream.js';
export type { FrameStream } from './handshake/frame-stream.js';
// the replicated group log (docs/wesh-log.md); its LevelDB store needs the optional classic-level
export * as log from './log/index.js';
