// 'wirecrypt/wesh' on Node: everything of ./index.ts, and the network (js-libp2p, an optional peer
// dependency loaded when the first peer is created). Browsers get ./index.ts (scripts/build.mjs).
export * from './index.js';
export { createPeer } from './node/peer.js';
export type { PeerOptions } from './node/peer.js';
export { handleContactRequests, sendContactRequest } from './node/contact-requests.js';
export type { ContactRequestHandler } from './node/contact-requests.js';
export { fromLibp2pStream } from './node/libp2p-stream.js';
