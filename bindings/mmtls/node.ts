// 'wirecrypt/mmtls' in Node: everything in index.ts, plus the server and client on node:net /
// node:http and the Redis stores a fleet shares (ioredis is loaded when one is first used).

export * from './index.js';
export { MmtlsServer } from './net/server.js';
export type { MmtlsListenOptions, MmtlsServerOptions } from './net/server.js';
export type { RequestHandler, RequestInfo } from './net/server-options.js';
export { MmtlsClient } from './net/client.js';
export type { ClientMode, HandshakeInfo, MmtlsClientOptions } from './net/client.js';
export { RedisReplayStore } from './replay/redis-replay-store.js';
export type { RedisReplayStoreOptions } from './replay/redis-replay-store.js';
export { RedisTicketKeys } from './ticket/redis-ticket-keys.js';
export type { RedisTicketKeysOptions } from './ticket/redis-ticket-keys.js';
