// The replicated group log of Wesh (docs/wesh-log.md): content-addressed, signed entries over
// dag-cbor, a deterministic total order, merge of divergent replicas, and LevelDB storage. No network:
// a transport plugs in through join(), heads, missing() and the injected fetch().

export { type AccessController, writersAccess } from './access.js';
export { CID_LENGTH, cidBytesFrom } from './cid.js';
export { type LogCrypto, providerLogCrypto } from './crypto.js';
export { decodeEntry } from './decode.js';
export { encodeUnsigned, signedBlock, type UnsignedEntry } from './encode.js';
export type { Entry, LamportClock } from './entry.js';
export { WeshLogError, type WeshLogErrorCode } from './errors.js';
export type { JoinInput, Rejection } from './intake.js';
export { DEFAULT_LIMITS, type LogLimits } from './limits.js';
export { type IterateOptions, type JoinResult, type OpenReport, WeshLog, type WeshLogOptions } from './log.js';
export { openLevelStore, type LevelStoreOptions } from './level-store.js';
export { type LogStore, MemoryStore, memoryStore, type StoreWrite, type StoredBlock } from './store.js';
