// wesh.Account: one device of a Wesh account (reference §3) with its contacts and groups, on a
// libp2p peer. An account has an account key (its identity: the contact handshake, contact groups),
// an alias key (multi-member member keys) and a device key. Contacts are made with the five-message
// handshake; each contact is a contact group both accounts derive alike. Multi-member groups are
// created at random and joined from their Group message (the invitation). Every group's two logs
// replicate with the peers this account is connected to that hold the same group (log sync); peers
// are dialled explicitly (addresses from a contact link or an invitation), never discovered.
//
// With `dir`, everything persists there (LevelDB): keys, contacts, groups, each group's device
// state and logs; Account.create on the same dir continues where the last run stopped.

import * as cbor from '@ipld/dag-cbor';
import type { Libp2p } from 'libp2p';
import { join } from 'node:path';
import type { CryptoProvider } from '../../provider/types.js';
import { wasmProvider } from '../../provider/wasm.js';
import { WeshError } from '../errors.js';
import { accountGroup, contactGroup, createMultiMemberGroup, memberKeyForGroup, openGroup } from '../crypto/groups.js';
import { keyPairFromSeed } from '../crypto/keys.js';
import { type GroupEvent, WeshGroup } from '../group/group.js';
import { type GroupLogs, groupLogIds, openGroupLogs } from '../group/logs.js';
import type { ShareableContact } from '../handshake/session.js';
import { openLevelStore } from '../log/level-store.js';
import { handleContactRequests, sendContactRequest } from '../node/contact-requests.js';
import { LogSync } from '../node/log-sync.js';
import { createPeer } from '../node/peer.js';
import { requestReplication } from '../node/replication.js';
import {
  AccountContactRequestIncomingAcceptedSchema, AccountContactRequestOutgoingSentSchema, AccountGroupJoinedSchema, EventType, GroupReplicatingSchema, GroupSchema,
} from '../proto/gen/protocoltypes_pb.js';
import { contactAliasKey, discloseIdentity, identifyMembers, sendAliasKey } from './alias-identity.js';
import { decode, encode } from '../proto/codec.js';
import { type Libp2pStreamLike, fromLibp2pStream } from '../node/libp2p-stream.js';
import { type AccountSecrets, DEVICE_LINK_PROTOCOL, type LinkConfirm, decodeOffer, encodeOffer, linkAsExisting, linkAsNew, randomPin } from './device-link.js';
import { type Kv, levelKv, memoryKv } from './kv.js';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const hexBytes = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));

export interface AccountOptions {
  readonly provider?: CryptoProvider;
  /** Persist the account here (a directory; LevelDB). In memory when absent. */
  readonly dir?: string;
  /** libp2p listen addresses (default an ephemeral TCP port on 127.0.0.1). */
  readonly listen?: readonly string[];
  /**
   * Decides on an incoming contact request once its handshake has authenticated the requester
   * (default: accept). A refused request leaves no contact and no group.
   */
  readonly acceptContact?: (contact: ShareableContact) => boolean | Promise<boolean>;
  /** Incoming contact requests accepted per minute at most (default 30); beyond, they are refused. */
  readonly maxContactRequestsPerMinute?: number;
}

/** What an account shares so that others can send it a contact request. */
export interface ContactLink extends ShareableContact {
  /** Where this account's device listens (multiaddrs). */
  readonly addresses: readonly string[];
}

interface Keys {
  account: Uint8Array;
  alias: Uint8Array;
  device: Uint8Array;
  rendezvousSeed: Uint8Array;
}

interface GroupRecord {
  group: Uint8Array;
  /** Member key seed (the account key for contact groups, derived from the alias key otherwise). */
  member: Uint8Array;
  /** Device key seed in this group. */
  device: Uint8Array;
  state?: Uint8Array;
  /** The only member keys the group may have (contact and account groups). */
  members?: Uint8Array[];
}

type Listener<T> = (value: T) => void;

export class Account {
  readonly provider: CryptoProvider;
  readonly publicKey: Uint8Array;
  readonly #keys: Keys;
  readonly #kv: Kv;
  readonly #dir: string | undefined;
  readonly #node: Libp2p;
  readonly #sync: LogSync;
  readonly #groups = new Map<string, WeshGroup>();
  readonly #invitations = new Map<WeshGroup, Uint8Array>();
  readonly #deviceSeeds = new Map<WeshGroup, Uint8Array>();
  readonly #logs = new Map<WeshGroup, GroupLogs>();
  /** open device-link offers: each function expires one */
  readonly #offers = new Set<() => void>();
  readonly #contacts = new Map<string, ShareableContact>();
  readonly #contactListeners = new Set<Listener<{ contact: ShareableContact; group: WeshGroup }>>();
  #closed = false;
  #accountGroup!: WeshGroup;
  /** Groups found in the store that could not be opened at start (their records are kept). */
  readonly failedGroups: { name: string; error: Error }[] = [];
  readonly #acceptContact: AccountOptions['acceptContact'];
  #recentRequests: number[] = [];
  readonly #maxRequestsPerMinute: number;
  #devicePk: Uint8Array | undefined;

  private constructor(provider: CryptoProvider, keys: Keys, kv: Kv, dir: string | undefined, node: Libp2p, options: AccountOptions) {
    this.provider = provider;
    this.#keys = keys;
    this.publicKey = provider.signature('Ed25519').publicKey(keys.account);
    this.#kv = kv;
    this.#dir = dir;
    this.#node = node;
    this.#sync = new LogSync(node, provider);
    this.#acceptContact = options.acceptContact;
    this.#maxRequestsPerMinute = options.maxContactRequestsPerMinute ?? 30;
  }

  /** A new account, or the one persisted in `dir`; its peer starts listening. */
  static async create(options: AccountOptions = {}): Promise<Account> {
    const provider = options.provider ?? wasmProvider;
    return Account.#build(provider, options, await createPeer({ listen: options.listen }));
  }

  static async #build(provider: CryptoProvider, options: AccountOptions, node: Libp2p, linked?: { secrets: AccountSecrets; device: Uint8Array }): Promise<Account> {
    const kv = options.dir ? await levelKv(join(options.dir, 'account')) : memoryKv();
    let keys: Keys;
    const saved = await kv.get('keys');
    if (saved) {
      if (linked) {
        await kv.close();
        throw new RangeError('Account.linkDevice: the directory already holds an account');
      }
      keys = cbor.decode(saved) as Keys;
    } else {
      keys = linked
        ? { account: linked.secrets.account, alias: linked.secrets.alias, device: linked.device, rendezvousSeed: linked.secrets.rendezvousSeed }
        : { account: provider.randomBytes(32), alias: provider.randomBytes(32), device: provider.randomBytes(32), rendezvousSeed: provider.randomBytes(32) };
      await kv.put('keys', cbor.encode(keys));
    }
    const account = new Account(provider, keys, kv, options.dir, node, options);
    await account.#start();
    return account;
  }

  /**
   * A new device of the account that `offer` (from offerDeviceLink on one of its devices) belongs
   * to: the link exchange runs over libp2p, the user types the PIN shown on the other device and
   * compares the fingerprints; then this device joins the account group and, through it, every
   * contact and group of the account. WeshError if any check fails (nothing is kept).
   */
  static async linkDevice(offerBytes: Uint8Array, o: { pin: () => string | Promise<string> } & LinkConfirm, options: AccountOptions = {}): Promise<Account> {
    const provider = options.provider ?? wasmProvider;
    const offer = decodeOffer(offerBytes);
    const node = await createPeer({ listen: options.listen });
    try {
      const { multiaddr } = await import('@multiformats/multiaddr');
      const stream = fromLibp2pStream((await node.dialProtocol(multiaddr(offer.addresses[0]), DEVICE_LINK_PROTOCOL)) as unknown as Libp2pStreamLike);
      const device = provider.randomBytes(32);
      const secrets = await linkAsNew(provider, stream, { offer, deviceSeed: device, pin: await o.pin(), confirm: o.confirm });
      stream.close();
      const account = await Account.#build(provider, options, node, { secrets, device });
      await account.connect(offer.addresses[0]);
      return account;
    } catch (err) {
      await node.stop();
      throw err;
    }
  }

  /**
   * Offers to link one new device: show `offer` as a QR code and `pin` on this device's screen; the
   * new device calls Account.linkDevice. `linked` resolves with the new device's key once both users
   * confirmed the fingerprint (rejects with a WeshError otherwise). One offer links one device.
   */
  async offerDeviceLink(o: LinkConfirm & { timeoutMs?: number; validForMs?: number }): Promise<{ offer: Uint8Array; pin: string; linked: Promise<Uint8Array> }> {
    this.#live();
    const eph = this.provider.dh('X25519').generateKeyPair();
    const offer = { accountPublicKey: this.publicKey, addresses: this.addresses, ephemeralPublicKey: eph.publicKey, secret: this.provider.randomBytes(32) };
    const pin = randomPin(this.provider);
    let settle!: { resolve: (d: Uint8Array) => void; reject: (e: unknown) => void };
    const linked = new Promise<Uint8Array>((resolve, reject) => (settle = { resolve, reject }));
    linked.catch(() => undefined); // a failure the caller has not awaited yet is not an unhandled rejection
    // one attempt per offer, within its validity (default 10 minutes); then its secrets are wiped
    const expire = () => {
      clearTimeout(timer);
      this.#offers.delete(expire);
      void this.#node.unhandle(DEVICE_LINK_PROTOCOL).catch(() => undefined);
      eph.secretKey.fill(0);
      offer.secret.fill(0);
    };
    const timer = setTimeout(() => (expire(), settle.reject(new WeshError('timeout', 'the device link offer expired'))), o.validForMs ?? 600_000);
    timer.unref?.();
    this.#offers.add(expire);
    await this.#node.handle(DEVICE_LINK_PROTOCOL, ({ stream }) => {
      clearTimeout(timer);
      void this.#node.unhandle(DEVICE_LINK_PROTOCOL);
      const frames = fromLibp2pStream(stream as unknown as Libp2pStreamLike, o.timeoutMs);
      linkAsExisting(this.provider, frames, {
        offer, ephemeralSecret: eph.secretKey, pin, confirm: o.confirm,
        secrets: { account: this.#keys.account, alias: this.#keys.alias, rendezvousSeed: this.#keys.rendezvousSeed },
      }).then((device) => (frames.close(), settle.resolve(device)), settle.reject).finally(expire);
    });
    return { offer: encodeOffer(offer), pin, linked };
  }

  async #start(): Promise<void> {
    await this.#sync.start();
    for (const [, value] of await this.#kv.entries('contact/')) {
      const c = cbor.decode(value) as ShareableContact;
      this.#contacts.set(hex(c.publicKey), c);
    }
    for (const [name, value] of await this.#kv.entries('group/')) {
      try {
        await this.#openGroup(cbor.decode(value) as GroupRecord);
      } catch (err) {
        // one unreadable group must not keep the account from starting: it is reported, not opened
        this.failedGroups.push({ name: name.slice('group/'.length), error: err as Error });
      }
    }
    // the account group: where this account's devices tell each other about contacts and groups
    const own = accountGroup(this.provider, this.publicKey, this.#keys.alias);
    this.#accountGroup = await this.#join({ group: own, member: this.#keys.account, device: this.#keys.device, members: [this.publicKey] });
    for (const e of this.#accountGroup.events()) await this.#mirror(e);
    this.#accountGroup.onEvent((e) => void this.#mirror(e).catch(() => undefined));
    await handleContactRequests(this.#node, this.provider, this.#keys.account, {
      onContact: async (contact) => {
        if (!(await this.#admit(contact))) return;
        const group = await this.#addContact(contact);
        await this.#tellDevices(EventType.EventTypeAccountContactRequestIncomingAccepted, encode(AccountContactRequestIncomingAcceptedSchema, {
          devicePk: this.#devicePublicKey(), contactPk: contact.publicKey, groupPk: openGroup(this.provider, this.invitation(group)).publicKey,
        }));
        for (const l of this.#contactListeners) l({ contact, group });
      },
    });
  }

  /** The multiaddrs this account's device listens on. */
  get addresses(): string[] {
    return this.#node.getMultiaddrs().map((a) => a.toString());
  }

  /** What to give someone so that they can add this account as a contact. */
  get contactLink(): ContactLink {
    return { publicKey: this.publicKey, rendezvousSeed: this.#keys.rendezvousSeed, metadata: new Uint8Array(0), addresses: this.addresses };
  }

  /** Calls `listener` when another account adds this one as a contact (after its handshake succeeded). */
  onContact(listener: Listener<{ contact: ShareableContact; group: WeshGroup }>): () => void {
    this.#contactListeners.add(listener);
    return () => this.#contactListeners.delete(listener);
  }

  /**
   * Sends a contact request to the account of `link` (the handshake over libp2p); on success both
   * sides hold the contact group, which starts replicating at once. WeshError if the handshake fails
   * (then no contact is recorded).
   */
  async addContact(link: ContactLink): Promise<WeshGroup> {
    this.#live();
    const { multiaddr } = await import('@multiformats/multiaddr');
    let lastError: unknown;
    for (const address of link.addresses) {
      try {
        await sendContactRequest(this.#node, this.provider, multiaddr(address), {
          ourAccountSecret: this.#keys.account, theirAccountPublic: link.publicKey,
          ourContact: { publicKey: this.publicKey, rendezvousSeed: this.#keys.rendezvousSeed, metadata: new Uint8Array(0) },
        });
        const group = await this.#addContact(link);
        await this.#tellDevices(EventType.EventTypeAccountContactRequestOutgoingSent, encode(AccountContactRequestOutgoingSentSchema, { devicePk: this.#devicePublicKey(), contactPk: link.publicKey }));
        await this.#sync.connect(multiaddr(address));
        return group;
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError ?? new WeshError('stream-closed', 'the contact link has no address');
  }

  /** The rate limit, then the application's decision, on an authenticated incoming request. */
  async #admit(contact: ShareableContact): Promise<boolean> {
    if (this.#contacts.has(hex(contact.publicKey))) return true;
    const now = Date.now();
    this.#recentRequests = this.#recentRequests.filter((t) => now - t < 60_000);
    if (this.#recentRequests.length >= this.#maxRequestsPerMinute) return false;
    this.#recentRequests.push(now);
    return this.#acceptContact ? (await this.#acceptContact(contact)) === true : true;
  }

  async #addContact(contact: ShareableContact): Promise<WeshGroup> {
    // the first record stays: a later request cannot rewrite what we know of a contact
    if (!this.#contacts.has(hex(contact.publicKey))) {
      const record = { publicKey: contact.publicKey, rendezvousSeed: contact.rendezvousSeed, metadata: contact.metadata };
      await this.#kv.put(`contact/${hex(contact.publicKey)}`, cbor.encode(record));
      this.#contacts.set(hex(contact.publicKey), record);
    }
    const { group } = contactGroup(this.provider, this.#keys.account, contact.publicKey);
    const joined = await this.#join({ group, member: this.#keys.account, device: this.#keys.device, members: [this.publicKey, contact.publicKey] });
    await this.#sendAliasKey(joined);
    return joined;
  }

  // ---- alias identity (alias-identity.ts) ----------------------------------------------------------

  async #sendAliasKey(group: WeshGroup): Promise<void> {
    await sendAliasKey(this.provider, group, this.#devicePublicKey(), this.#keys.alias);
  }

  /** The alias public key a contact sent in our contact group (a device of its account signed it), if any yet. */
  contactAliasKey(contactPublicKey: Uint8Array): Uint8Array | undefined {
    const group = this.contactGroupWith(contactPublicKey);
    return group && contactAliasKey(group, contactPublicKey);
  }

  /** Lets this account's contacts recognise its member in a multi-member group (MultiMemberGroupAliasResolverAdded). */
  async discloseIdentity(group: WeshGroup): Promise<void> {
    this.#live();
    await discloseIdentity(this.provider, group, keyPairFromSeed(this.provider, this.#deviceSeedOf(group)).publicKey, this.#keys.alias);
  }

  /** The members of a multi-member group that disclosed themselves and are contacts of ours: member key (hex) → contact account key. */
  identify(group: WeshGroup): Map<string, Uint8Array> {
    const aliases = this.contacts().map((c) => [c.publicKey, this.contactAliasKey(c.publicKey)] as const).filter((x): x is readonly [Uint8Array, Uint8Array] => x[1] !== undefined);
    return identifyMembers(this.provider, group, aliases);
  }

  /** A new multi-member group; share `invitation(group)` (its Group message) with those you invite. */
  async createGroup(): Promise<WeshGroup> {
    this.#live();
    const { group, groupSecretKey } = createMultiMemberGroup(this.provider);
    groupSecretKey.fill(0);
    return this.joinGroup(group);
  }

  /** Joins the group of `invitation` (a Group message) as this account's member, with a new device key. */
  async joinGroup(invitation: Uint8Array): Promise<WeshGroup> {
    this.#live();
    const group = await this.#joinMultiMember(invitation);
    await this.#tellDevices(EventType.EventTypeAccountGroupJoined, encode(AccountGroupJoinedSchema, { devicePk: this.#devicePublicKey(), group: decode(GroupSchema, invitation) }));
    return group;
  }

  async #joinMultiMember(invitation: Uint8Array): Promise<WeshGroup> {
    const info = openGroup(this.provider, invitation);
    const existing = this.#groups.get(hex(info.publicKey));
    if (existing) return existing;
    const member = memberKeyForGroup(this.provider, this.#keys.alias, info.publicKey);
    const record = { group: invitation.slice(), member: member.secretKey.slice(0, 32), device: this.provider.randomBytes(32) };
    member.secretKey.fill(0);
    return this.#join(record);
  }

  #devicePublicKey(): Uint8Array {
    this.#devicePk ??= keyPairFromSeed(this.provider, this.#keys.device).publicKey;
    return this.#devicePk;
  }

  /** Records in the account group what this device did, so that the account's other devices do it too. */
  async #tellDevices(eventType: EventType, event: Uint8Array): Promise<void> {
    await this.#accountGroup.appendEvent(eventType, event);
  }

  /** Does what another device of this account recorded in the account group (idempotent). */
  async #mirror(e: GroupEvent): Promise<void> {
    const ours = this.#devicePublicKey();
    if (this.#closed || e.signerPublicKey.every((b, i) => b === ours[i])) return;
    if (e.eventType === EventType.EventTypeAccountGroupJoined) {
      const { group } = decode(AccountGroupJoinedSchema, e.payload);
      if (group) await this.#joinMultiMember(encode(GroupSchema, group));
    } else if (e.eventType === EventType.EventTypeAccountContactRequestOutgoingSent || e.eventType === EventType.EventTypeAccountContactRequestIncomingAccepted) {
      const contactPk = e.eventType === EventType.EventTypeAccountContactRequestOutgoingSent
        ? decode(AccountContactRequestOutgoingSentSchema, e.payload).contactPk
        : decode(AccountContactRequestIncomingAcceptedSchema, e.payload).contactPk;
      if (contactPk.length === 32 && !this.#contacts.has(hex(contactPk))) {
        await this.#addContact({ publicKey: contactPk, rendezvousSeed: new Uint8Array(0), metadata: new Uint8Array(0) });
      }
    }
  }

  /**
   * Registers `group` with a replication node (its multiaddr and a token it accepts), which then
   * stores and serves the group's logs without being able to read them; records a GroupReplicating
   * event (403) in the group's metadata, as weshnet does. WeshError if the node refuses.
   */
  async registerReplication(group: WeshGroup, address: string, token: string): Promise<void> {
    this.#live();
    const { multiaddr } = await import('@multiformats/multiaddr');
    const ma = multiaddr(address);
    await requestReplication(this.#node, this.provider, ma, token, this.invitation(group));
    await this.#sync.connect(ma);
    const device = keyPairFromSeed(this.provider, this.#deviceSeedOf(group)).publicKey;
    await group.appendEvent(EventType.EventTypeGroupReplicating, encode(GroupReplicatingSchema, { devicePk: device, replicationServer: address }));
  }

  #deviceSeedOf(group: WeshGroup): Uint8Array {
    const seed = this.#deviceSeeds.get(group);
    if (!seed) throw new RangeError('Account: not a group of this account');
    return seed;
  }

  /** Dials a peer (a multiaddr) so that the groups both hold replicate between them. */
  async connect(address: string): Promise<void> {
    this.#live();
    const { multiaddr } = await import('@multiformats/multiaddr');
    await this.#sync.connect(multiaddr(address));
  }

  /** Closes every connection to the peer at `address` (its groups stop replicating with it until connect()). */
  async disconnect(address: string): Promise<void> {
    this.#live();
    const { multiaddr } = await import('@multiformats/multiaddr');
    const peer = multiaddr(address).getPeerId();
    if (peer === null) throw new RangeError('Account.disconnect: the address has no /p2p/ peer id');
    const { peerIdFromString } = await import('@libp2p/peer-id');
    await this.#node.hangUp(peerIdFromString(peer));
  }

  async #join(record: GroupRecord): Promise<WeshGroup> {
    const info = openGroup(this.provider, record.group);
    const key = hex(info.publicKey);
    const existing = this.#groups.get(key);
    if (existing) return existing;
    await this.#kv.put(`group/${key}`, cbor.encode(record));
    return this.#openGroup(record);
  }

  async #openGroup(record: GroupRecord): Promise<WeshGroup> {
    const info = openGroup(this.provider, record.group);
    const key = hex(info.publicKey);
    const ids = groupLogIds(info.publicKey);
    const stores = this.#dir
      ? { metadata: await openLevelStore(join(this.#dir, 'logs', ids.metadata)), messages: await openLevelStore(join(this.#dir, 'logs', ids.messages)) }
      : {};
    const logs = await openGroupLogs(this.provider, info, stores);
    const member = keyPairFromSeed(this.provider, record.member), device = keyPairFromSeed(this.provider, record.device);
    const readKeys = (await this.#kv.entries(`read/${key}/`)).map(([k, mk]) => [hexBytes(k.slice(`read/${key}/`.length)), mk] as const);
    let group: WeshGroup;
    try {
      group = await WeshGroup.open({
        provider: this.provider, group: info, ...logs, member, device, members: record.members, readKeys,
        state: record.state,
        onState: (state) => this.#kv.put(`group/${key}`, cbor.encode({ ...record, state })),
        onReadKey: (cid, mk) => this.#kv.put(`read/${key}/${hex(cid)}`, mk),
      });
    } catch (err) {
      await logs.close();
      throw err;
    } finally {
      member.secretKey.fill(0);
      device.secretKey.fill(0);
      for (const [, mk] of readKeys) mk.fill(0);
    }
    this.#groups.set(key, group);
    this.#logs.set(group, logs);
    this.#invitations.set(group, record.group);
    this.#deviceSeeds.set(group, record.device);
    this.#sync.addLog(logs.metadata, info.linkKey);
    this.#sync.addLog(logs.messages, info.linkKey);
    return group;
  }

  /** The Group message of a group this account is in: the invitation to give to a new member. */
  invitation(group: WeshGroup): Uint8Array {
    const bytes = this.#invitations.get(group);
    if (!bytes) throw new RangeError('Account.invitation: not a group of this account');
    return bytes.slice();
  }

  /** The contact and multi-member groups of this account (not its account group). */
  groups(): WeshGroup[] {
    return [...this.#groups.values()].filter((g) => g !== this.#accountGroup);
  }

  /** The account group, shared by this account's devices only. */
  get accountGroup(): WeshGroup {
    return this.#accountGroup;
  }

  contacts(): ShareableContact[] {
    return [...this.#contacts.values()];
  }

  /** The contact group with the account `publicKey`, if it is a contact. */
  contactGroupWith(publicKey: Uint8Array): WeshGroup | undefined {
    if (!this.#contacts.has(hex(publicKey))) return undefined;
    const { publicKey: gpk } = contactGroup(this.provider, this.#keys.account, publicKey);
    return this.#groups.get(hex(gpk));
  }

  #live(): void {
    if (this.#closed) throw new TypeError('Account: closed');
  }

  /** Stops the peer and closes every group and store; the keys in memory are wiped. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#sync.close();
    for (const g of this.#groups.values()) {
      await g.close();
      await this.#logs.get(g)?.close();
    }
    await this.#node.stop();
    await this.#kv.close();
    for (const k of Object.values(this.#keys)) k.fill(0);
    for (const k of this.#deviceSeeds.values()) k.fill(0);
    for (const k of this.#invitations.values()) k.fill(0);
    for (const offer of this.#offers) offer();
  }
}
