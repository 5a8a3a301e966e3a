// The MTProto session layer (spec §3, §4, §7), sans-IO: the state machines of one session on the
// server and on the client, and their parts.

export { MsgIdGenerator, type MsgIdRole, type ServerMsgKind } from './msg-id.js';
export { SeqNoCounter, isContentRelated } from './seq-no.js';
export { MtprotoRpcError, RPC_ERRORS } from './rpc-error.js';
export {
  SALT_EARLY, SALT_LIFETIME, SALT_PERIOD, acceptsSalt, currentSalt, futureSalts, liveSalts, missingSalts, slotStart,
} from './salts.js';
export { ContainerBudget, type WireMessage, containerBody, maybeGzip } from './packing.js';
export { CONTAINER_ENTRY_OVERHEAD, DEFAULT_MAX_GZIP_SIZE, DEFAULT_MAX_UNACKED, GZIP_THRESHOLD, MAX_CONTAINER_BYTES } from './limits.js';
export {
  type CheckResult, type ReceiveOptions, type ServerEvent, ServerSession, type ServerSessionOptions,
} from './server-session.js';
export { ClientSession, type ClientSessionOptions, type QueryBody } from './client-session.js';
export { type BindContext, bindTempAuthKeyBody, verifyBindTempAuthKey } from './bind.js';
