// The MTProto client (issue 10): MtprotoClient over TCP (Node), HTTP and WebSocket.

export { type ClientTransport, MtprotoClient, type MtprotoClientOptions, MtprotoRpcError } from './client.js';
export type { Channel, ChannelEvents, Pipe } from './channel.js';
