// Node has no global WebSocket before v22: the `ws` package stands in. Loaded only when
// globalThis.WebSocket is missing (see websocket.ts), so browsers never import it.

export { WebSocket } from 'ws';
