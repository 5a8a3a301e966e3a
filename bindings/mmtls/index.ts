// mmtls (issue 11; design notes and every layout in docs/mmtls.md): the parts that run anywhere —
// records, handshake messages, the key schedule, the sans-IO client and server connections,
// tickets and the in-memory stores. In Node, node.ts adds MmtlsServer and MmtlsClient (TCP long
// link, HTTP short link) and the Redis-backed stores a fleet shares.

export { MmtlsError } from './errors.js';
export { generateServerKeys } from './keys.js';
export type { ServerKeys } from './keys.js';

// records (spec §4) and alerts (§5.8, §9.1)
export { MAX_FRAGMENT, MAX_RECORD_BODY, RecordSplitter, RecordType, VERSION, plainRecord, splitRecords } from './record/record.js';
export type { MmtlsRecord, RecordTypeCode } from './record/record.js';
export { RecordStream } from './record/cipher.js';
export type { TrafficKey } from './record/cipher.js';
export { ALERTS, decodeAlert, encodeAlert } from './record/alert.js';
export type { Alert, AlertName } from './record/alert.js';

// handshake messages (spec §5)
export { CipherSuite, decodeClientHello, encodeClientHello } from './handshake/client-hello.js';
export type { ClientHello, KeyShare } from './handshake/client-hello.js';
export { decodeServerHello, encodeServerHello } from './handshake/server-hello.js';
export type { ServerHello } from './handshake/server-hello.js';
export { TicketType, decodeNewSessionTicket, encodeNewSessionTicket } from './handshake/session-ticket.js';
export type { SessionTicket } from './handshake/session-ticket.js';
export {
  decodeCertificateVerify, decodeEncryptedExtensions, decodeFinished, encodeCertificateVerify, encodeEncryptedExtensions,
  encodeFinished,
} from './handshake/small-messages.js';

// connections (spec §6, §7)
export { ClientConnection } from './protocol/client-connection.js';
export type { ClientContext } from './protocol/client-connection.js';
export { ClientTickets } from './protocol/client-tickets.js';
export type { HeldTicket } from './protocol/client-tickets.js';
export { PeerAlert } from './protocol/connection.js';
export type { ConnectionEvents, HandshakeMode } from './protocol/connection.js';
export { ServerConnection } from './protocol/server-connection.js';
export type { ServerContext } from './protocol/server-context.js';

// application framing (spec §8)
export { FrameSplitter, encodeFrame } from './net/long-link.js';
export type { Frame } from './net/long-link.js';
export { decodeDataPart, encodeDataPart } from './net/short-link.js';
export type { DataPart } from './net/short-link.js';

// fleet state (spec §9.3, §9.5)
export { MemoryReplayStore } from './replay/replay-store.js';
export type { ReplayStore } from './replay/replay-store.js';
export { MemoryTicketKeys } from './ticket/ticket-keys.js';
export type { TicketKey, TicketKeyStore } from './ticket/ticket-keys.js';
