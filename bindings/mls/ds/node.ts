// The MLS delivery service in Node: the client side (index.ts), plus the server on node:http / ws
// and the stores a fleet of service processes shares. `ws` and `ioredis` are loaded only when a
// service listens or a Redis store is first used.

export * from './index.js';
export { DeliveryService } from './service.js';
export type { DeliveryListenOptions, DeliveryServiceOptions } from './service.js';
export { MemoryDeliveryStore } from './memory-store.js';
export type { MemoryDeliveryStoreOptions } from './memory-store.js';
export { RedisDeliveryStore } from './redis-store.js';
export type { RedisDeliveryStoreOptions } from './redis-store.js';
export type { AppendMessage, AppendResult, AppendWelcome, DeliveryStore, GroupLogPage, LogEntry, StoreChange, StoreLimits, WelcomeEntry } from './store.js';
