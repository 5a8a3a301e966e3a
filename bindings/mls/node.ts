// 'wirecrypt/mls' in Node (and the `mls` namespace of 'wirecrypt' there): everything in index.ts,
// plus the delivery service and the stores a fleet of service processes shares. node:http, ws and
// ioredis are loaded when a service first listens or a Redis store is first used. Browsers get
// index.ts (scripts/build.mjs).

export * from './index.js';
export { DeliveryService, MemoryDeliveryStore, RedisDeliveryStore } from './ds/node.js';
export type {
  AppendMessage, AppendResult, AppendWelcome, DeliveryListenOptions, DeliveryServiceOptions, DeliveryStore, GroupLogPage, LogEntry,
  MemoryDeliveryStoreOptions, RedisDeliveryStoreOptions, StoreChange, StoreLimits, WelcomeEntry,
} from './ds/node.js';
