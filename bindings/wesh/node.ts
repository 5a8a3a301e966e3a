// 'wirecrypt/wesh' on Node: everything of ./index.ts, and the network (js-libp2p, an optional peer
// dependency loaded when the first peer is created). Browsers get ./index.ts (scripts/build.mjs).
export * from './index.js';
export { createPeer } from './node/peer.js';
export type { PeerOptions } from './node/peer.js';
export { handleContactRequests, sendContactRequest } from './node/contact-requests.js';
export type { ContactRequestHandler } from './node/contact-requests.js';
export { fromLibp2pStream } from './node/libp2p-stream.js';
export { LogSync, startLogSync, logSyncTag, LOG_SYNC_PROTOCOL, WeshSyncError } from './node/log-sync.js';
export type { LogSyncOptions, LogSyncStats, WeshSyncErrorCode, SyncMessage } from './node/log-sync.js';
export { Account } from './account/account.js';
export type { AccountOptions, ContactLink } from './account/account.js';
export { ReplicationNode, replicationGroup, requestReplication, REPLICATION_PROTOCOL } from './node/replication.js';
export type { ReplicationNodeOptions } from './node/replication.js';
export { DEVICE_LINK_PROTOCOL } from './account/device-link.js';
