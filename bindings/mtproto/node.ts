// 'wirecrypt/mtproto' (and the `mtproto` namespace of 'wirecrypt') in Node: everything in index.ts,
// plus the server on node:net / node:http / ws and the stores a fleet shares. `ws` and `ioredis` are
// loaded only when an HTTP listener or a Redis store is first used.

export * from './index.js';
export { MtprotoServer } from './server/server.js';
export type { ListenOptions, MtprotoServerOptions, RpcContext, RpcHandler } from './server/server.js';
export { FileAuthKeyStore } from './server/file-store.js';
export type { FileAuthKeyStoreOptions } from './server/file-store.js';
export { RedisAuthKeyStore } from './server/redis-store.js';
export type { RedisAuthKeyStoreOptions } from './server/redis-store.js';
