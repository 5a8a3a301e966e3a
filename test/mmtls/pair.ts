// A client and a server connection wired back to back in memory (no sockets): every byte one
// side queues is split into records and handed to the other, until neither has anything to say.

import type { CryptoProvider } from '../../bindings/provider/types.js';
import { ClientConnection } from '../../bindings/mmtls/protocol/client-connection.js';
import { ClientTickets } from '../../bindings/mmtls/protocol/client-tickets.js';
import type { Connection } from '../../bindings/mmtls/protocol/connection.js';
import { ServerConnection } from '../../bindings/mmtls/protocol/server-connection.js';
import { DEFAULT_REPLAY_WINDOW_SECONDS, type ServerContext } from '../../bindings/mmtls/protocol/server-context.js';
import { RecordSplitter } from '../../bindings/mmtls/record/record.js';
import { MemoryReplayStore, type ReplayStore } from '../../bindings/mmtls/replay/replay-store.js';
import { MemoryTicketKeys } from '../../bindings/mmtls/ticket/ticket-keys.js';

export interface Side {
  readonly conn: Connection;
  readonly data: Uint8Array[];
  ended: number;
  readonly splitter: RecordSplitter;
}

function side<T extends Connection>(make: (events: { onData(c: Uint8Array): void; onEnd(): void }) => T): Side & { conn: T } {
  const s = { data: [] as Uint8Array[], ended: 0, splitter: new RecordSplitter() } as unknown as Side & { conn: T };
  (s as { conn: T }).conn = make({ onData: (c) => s.data.push(c), onEnd: () => { s.ended++; } });
  return s;
}

export interface ServerSetup {
  readonly ctx: ServerContext;
  overloaded: boolean;
  clock: number;
}

export function serverSetup(provider: CryptoProvider, options: { replayStore?: ReplayStore } = {}): ServerSetup {
  const dsa = provider.signature('P-256');
  const pair = dsa.generateKeyPair();
  const setup = {
    overloaded: false,
    clock: Date.now(),
    verifyKey: pair.publicKey,
  } as ServerSetup & { verifyKey: Uint8Array };
  (setup as { ctx: ServerContext }).ctx = {
    provider,
    signingKey: pair.secretKey,
    ticketKeys: new MemoryTicketKeys(provider),
    replayStore: options.replayStore ?? new MemoryReplayStore(() => setup.clock),
    replayWindowSeconds: DEFAULT_REPLAY_WINDOW_SECONDS,
    overloaded: () => setup.overloaded,
    now: () => setup.clock,
  };
  return setup;
}

export function verifyKeyOf(setup: ServerSetup): Uint8Array {
  return (setup as ServerSetup & { verifyKey: Uint8Array }).verifyKey;
}

export function makePair(provider: CryptoProvider, setup: ServerSetup, tickets = new ClientTickets()) {
  const client = side((events) => new ClientConnection({ provider, verifyKey: verifyKeyOf(setup), now: () => setup.clock }, events, tickets));
  const server = side((events) => new ServerConnection(setup.ctx, events));
  return { client, server, tickets };
}

/** Moves bytes both ways until both sides are quiet. Errors propagate. */
export async function pump(client: Side, server: Side): Promise<void> {
  for (let rounds = 0; rounds < 20; rounds++) {
    const toServer = client.conn.takeOutput();
    for (const r of server.splitter.push(toServer)) await server.conn.receive(r);
    const toClient = server.conn.takeOutput();
    for (const r of client.splitter.push(toClient)) await client.conn.receive(r);
    if (toServer.length === 0 && toClient.length === 0) return;
  }
  throw new Error('pump: no quiet point after 20 rounds');
}
