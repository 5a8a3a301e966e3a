// The MLS delivery service's client side, safe for browsers (no Node module, no MLS code of its own:
// it moves bytes between a Group and the service). The service and its stores are in node.ts.

export { DeliveryClient } from './client.js';
export type { DeliveryClientOptions, LogMessage, Subscription, WebSocketConstructor, WebSocketLike, WelcomeMessage } from './client.js';
export { GroupChannel } from './channel.js';
export type { CommitOptions, GroupChannelOptions, GroupLike, SelfUpdateEvent, SelfUpdateOptions } from './channel.js';
export { DeliveryError } from './errors.js';
export type { DeliveryErrorCode } from './errors.js';
export type { MessageType } from './wire.js';
