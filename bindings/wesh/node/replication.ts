// Replication nodes (reference §11): a peer that stores and serves a group's logs without being
// able to read them. A member registers the group with it over /wesh/replication/1.0.0, presenting
// a bearer token the node was configured with, and sends the group filtered as weshnet's
// FilterGroupForReplication does — public_key, sign_pub, link_key, link_key_sig, never the secret.
// With sign_pub the node verifies every entry's signature (so it stores only what members wrote);
// with the link key it takes part in log sync; it has no key that opens an envelope.
//
// Nothing binds sign_pub (nor, outside multi-member groups, the link key) to the group public key
// for a party without the secret, so a registration is keyed by (public key, sign_pub, link key):
// a token holder who registers someone else's public key with its own sign_pub or link key creates
// a registration of its own, which does not stop the members' registration from being stored and
// served. Registrations per token are capped (maxRegistrationsPerToken). Log sync holds one log per
// (log id, link key), so a second registration with the same public key and link key but another
// sign_pub is refused: only a party that knows the group's real link key (a member, or a
// replication node the group was registered with) can make one.

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
  /** Registrations one token may make (default 1000); beyond, the node refuses. */
  readonly maxRegistrationsPerToken?: number;
}

export class ReplicationNode {
  readonly #provider: CryptoProvider;
  readonly #tokens: Set<string>;
  readonly #dir: string | undefined;
  readonly #node: Libp2p;
  readonly #sync: LogSync;
  /** Registrations by (public key, sign_pub, link key); the (public key, link key) pairs in use. */
  readonly #groups = new Map<string, GroupLogs>();
  readonly #linkKeys = new Map<string, string>();
  readonly #perToken = new Map<string, number>();
  readonly #maxPerToken: number;
  /** Registrations run one at a time. */
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(o: ReplicationNodeOptions, node: Libp2p) {
    this.#provider = o.provider ?? wasmProvider;
    const max = o.maxRegistrationsPerToken ?? 1000;
    if (!Number.isInteger(max) || max < 0) throw new RangeError('ReplicationNode: maxRegistrationsPerToken must be a non-negative integer');
    this.#maxPerToken = max;
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
      await this.#register(request.group, request.token);
      answer = { ok: true };
    } catch (err) {
      answer = { ok: false, error: err instanceof WeshError ? err.code : 'invalid-protobuf' };
    }
    await stream.write(frame(cbor.encode(answer))).catch(() => undefined);
    stream.close();
  }

  /** Starts replicating the group of a filtered Group message (also what a registration does, under its token's cap). */
  replicate(filtered: Uint8Array): Promise<GroupLogs> {
    return this.#register(filtered, undefined);
  }

  #register(filtered: Uint8Array, token: string | undefined): Promise<GroupLogs> {
    // one at a time: the checks and the cap see every earlier registration
    const run = this.#queue.then(() => this.#registerNow(filtered, token));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #registerNow(filtered: Uint8Array, token: string | undefined): Promise<GroupLogs> {
    const g = decode(GroupSchema, filtered, 4096);
    if (g.secret.length > 0) throw new WeshError('unexpected-message', 'a replication node must not be given the group secret');
    const publicKey = peerKey(g.publicKey, 'Group.public_key'), signingPublicKey = peerKey(g.signPub, 'Group.sign_pub');
    const linkKey = peerKey(g.linkKey, 'Group.link_key');
    if (g.groupType === GroupType.GroupTypeMultiMember && !this.#provider.signature('Ed25519').verify(publicKey, linkKey, g.linkKeySig)) {
      throw new WeshError('bad-signature', 'link_key_sig does not verify under the group key');
    }
    const key = `${hex(publicKey)}.${hex(signingPublicKey)}.${hex(linkKey)}`;
    const known = this.#groups.get(key);
    if (known) return known;
    const pair = `${hex(publicKey)}.${hex(linkKey)}`;
    if (this.#linkKeys.has(pair)) throw new WeshError('unexpected-message', 'this group and link key are registered with another signing key');
    const n = token === undefined ? 0 : this.#perToken.get(token) ?? 0;
    if (token !== undefined && n >= this.#maxPerToken) throw new WeshError('unexpected-message', 'too many registrations for this token');
    const ids = groupLogIds(publicKey);
    // a directory per registration: registrations of one public key must not share a store
    const sub = hex(this.#provider.hash('SHA-256', new TextEncoder().encode(key))).slice(0, 32);
    const stores = this.#dir
      ? { metadata: await openLevelStore(join(this.#dir, sub, ids.metadata)), messages: await openLevelStore(join(this.#dir, sub, ids.messages)) }
      : {};
    const logs = await openGroupLogs(this.#provider, { publicKey, signingPublicKey }, stores);
    this.#groups.set(key, logs);
    this.#linkKeys.set(pair, key);
    if (token !== undefined) this.#perToken.set(token, n + 1);
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
