// Replication nodes (reference §11): a peer that stores and serves a group's logs without being
// able to read them. A member registers the group with it over /wesh/replication/1.0.0, presenting
// a bearer token the node was configured with, and sends the group filtered as weshnet's
// FilterGroupForReplication does — public_key, sign_pub, link_key, link_key_sig, never the secret.
// With sign_pub the node verifies every entry's signature (so it stores only what members wrote);
// with the link key it takes part in log sync; it has no key that opens an envelope.

import * as cbor from '@ipld/dag-cbor';
import type { Libp2p } from 'libp2p';
import type { Multiaddr } from '@multiformats/multiaddr';
import { join } from 'node:path';
import type { CryptoProvider } from '../../provider/types.js';
import { wasmProvider } from '../../provider/wasm.js';
import { WeshError } from '../errors.js';
import { openGroup } from '../crypto/groups.js';
import { peerKey } from '../crypto/keys.js';
import { decode, encode } from '../proto/codec.js';
import { GroupSchema, GroupType } from '../proto/gen/protocoltypes_pb.js';
import { type GroupLogs, groupLogIds, openGroupLogs } from '../group/logs.js';
import { frame, unframe } from '../handshake/framing.js';
import { openLevelStore } from '../log/level-store.js';
import { type Libp2pStreamLike, fromLibp2pStream } from './libp2p-stream.js';
import { LogSync } from './log-sync.js';
import { createPeer } from './peer.js';

export const REPLICATION_PROTOCOL = '/wesh/replication/1.0.0';
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/**
 * The Group as a replication node gets it: public_key, group_type, sign_pub, link_key (derived when
 * the Group does not carry it, as a contact group's does not) and link_key_sig — never the secret.
 */
export function replicationGroup(provider: CryptoProvider, groupBytes: Uint8Array): Uint8Array {
  const info = openGroup(provider, groupBytes);
  const g = decode(GroupSchema, groupBytes, 4096);
  return encode(GroupSchema, { publicKey: info.publicKey, groupType: info.groupType, signPub: info.signingPublicKey, linkKey: info.linkKey, linkKeySig: g.linkKeySig });
}

export interface ReplicationNodeOptions {
  readonly provider?: CryptoProvider;
  /** Bearer tokens this node accepts registrations with. */
  readonly tokens: readonly string[];
  /** Persist the logs here (LevelDB); in memory when absent. */
  readonly dir?: string;
  readonly listen?: readonly string[];
}

export class ReplicationNode {
  readonly #provider: CryptoProvider;
  readonly #tokens: Set<string>;
  readonly #dir: string | undefined;
  readonly #node: Libp2p;
  readonly #sync: LogSync;
  readonly #groups = new Map<string, GroupLogs>();

  private constructor(o: ReplicationNodeOptions, node: Libp2p) {
    this.#provider = o.provider ?? wasmProvider;
    this.#tokens = new Set(o.tokens);
    this.#dir = o.dir;
    this.#node = node;
    this.#sync = new LogSync(node, this.#provider);
  }

  static async create(options: ReplicationNodeOptions): Promise<ReplicationNode> {
    const r = new ReplicationNode(options, await createPeer({ listen: options.listen }));
    await r.#sync.start();
    await r.#node.handle(REPLICATION_PROTOCOL, ({ stream }) => void r.#serve(stream as unknown as Libp2pStreamLike));
    return r;
  }

  get addresses(): string[] {
    return this.#node.getMultiaddrs().map((a) => a.toString());
  }

  /** The logs of each group replicated (verify-only: they hold no group secret). */
  groups(): GroupLogs[] {
    return [...this.#groups.values()];
  }

  async #serve(raw: Libp2pStreamLike): Promise<void> {
    const stream = fromLibp2pStream(raw, 10_000);
    let answer: { ok: boolean; error?: string };
    try {
      const request = cbor.decode(unframe(await stream.read())) as { token?: unknown; group?: unknown };
      if (typeof request.token !== 'string' || !this.#tokens.has(request.token)) throw new WeshError('unexpected-message', 'unknown replication token');
      if (!(request.group instanceof Uint8Array)) throw new WeshError('invalid-protobuf', 'no group');
      await this.replicate(request.group);
      answer = { ok: true };
    } catch (err) {
      answer = { ok: false, error: err instanceof WeshError ? err.code : 'invalid-protobuf' };
    }
    await stream.write(frame(cbor.encode(answer))).catch(() => undefined);
    stream.close();
  }

  /** Starts replicating the group of a filtered Group message (also what a registration does). */
  async replicate(filtered: Uint8Array): Promise<GroupLogs> {
    const g = decode(GroupSchema, filtered, 4096);
    if (g.secret.length > 0) throw new WeshError('unexpected-message', 'a replication node must not be given the group secret');
    const publicKey = peerKey(g.publicKey, 'Group.public_key'), signingPublicKey = peerKey(g.signPub, 'Group.sign_pub');
    const linkKey = peerKey(g.linkKey, 'Group.link_key');
    if (g.groupType === GroupType.GroupTypeMultiMember && !this.#provider.signature('Ed25519').verify(publicKey, linkKey, g.linkKeySig)) {
      throw new WeshError('bad-signature', 'link_key_sig does not verify under the group key');
    }
    const key = hex(publicKey);
    const known = this.#groups.get(key);
    if (known) return known;
    const ids = groupLogIds(publicKey);
    const stores = this.#dir
      ? { metadata: await openLevelStore(join(this.#dir, ids.metadata)), messages: await openLevelStore(join(this.#dir, ids.messages)) }
      : {};
    const logs = await openGroupLogs(this.#provider, { publicKey, signingPublicKey }, stores);
    this.#groups.set(key, logs);
    this.#sync.addLog(logs.metadata, linkKey);
    this.#sync.addLog(logs.messages, linkKey);
    return logs;
  }

  async close(): Promise<void> {
    await this.#sync.close();
    for (const l of this.#groups.values()) await Promise.all([l.metadata.close(), l.messages.close()]);
    await this.#node.stop();
  }
}

/** A member's side of a registration: sends the filtered group with the token; WeshError if refused. */
export async function requestReplication(node: Libp2p, provider: CryptoProvider, address: Multiaddr, token: string, groupBytes: Uint8Array): Promise<void> {
  const stream = fromLibp2pStream((await node.dialProtocol(address, REPLICATION_PROTOCOL)) as unknown as Libp2pStreamLike, 10_000);
  try {
    await stream.write(frame(cbor.encode({ token, group: replicationGroup(provider, groupBytes) })));
    const answer = cbor.decode(unframe(await stream.read())) as { ok?: unknown; error?: unknown };
    if (answer.ok !== true) throw new WeshError('unexpected-message', `the replication node refused: ${String(answer.error)}`);
  } finally {
    stream.close();
  }
}
