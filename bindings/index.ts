// wirecrypt: WebAssembly-accelerated cryptography for secure-messaging protocols.

export * from './engine.js';
// mmtls (issue 11) as a namespace; also 'wirecrypt/mmtls'. Its node:net / node:http / ioredis are
// loaded when first used. In browsers the namespace has the portable part only (no server, no
// socket client): scripts/build.mjs points it at mmtls/index.ts.
export * as mmtls from './mmtls/node.js';
// MLS (RFC 9420, issues 12 and 13) as a namespace; also 'wirecrypt/mls'. In browsers the namespace
// has no delivery service (server) or Node-side stores: scripts/build.mjs points it at mls/index.ts.
export * as mls from './mls/node.js';
// MTProto 2.0 (issue 10) as a namespace; also 'wirecrypt/mtproto'. Its node:net / node:http / ws /
// ioredis load when first used; in browsers the namespace is bindings/mtproto/index.ts (the client
// over WebSocket and HTTP, no server), as scripts/build.mjs arranges.
export * as mtproto from './mtproto/node.js';
// Wesh (Berty's weshnet, issue 14): its cryptography and handshake as a namespace; 'wirecrypt/wesh'
// adds the replicated log, groups, wesh.Account and the network (js-libp2p, optional peer dependencies).
export * as wesh from './wesh/core.js';
