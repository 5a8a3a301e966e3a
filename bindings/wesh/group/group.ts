// One Wesh group as one device sees it (reference §6–§9): two replicated logs — metadata and
// messages — and the state read from them. The metadata log says which devices belong to which
// members and carries each device's chain key, boxed to each member; the messages log carries
// message envelopes. Every replica holds the same entries in the same order, so every member that
// has the keys reads the same ordered message list.
//
// On open, our device announces itself (GroupMemberDeviceAdded) unless the log already has it, and
// sends its chain key to every member it sees — itself included, for our other devices — once per
// member (weshnet behaviour: the *current* chain state, so a member added later cannot read what we
// sent before it joined). Messages whose sender's chain key has not arrived yet are held and opened
// when it does. Nothing here talks to the network: a transport replicates the two logs.

import type { CryptoProvider } from '../../provider/types.js';
import { WeshError } from '../errors.js';
import { openGroupEnvelope, openMemberDeviceAdded, openSecretEntry, sealGroupEnvelope, sealSecretEntry, memberDeviceAddedEvent, verifyGroupMetadata } from '../crypto/entries.js';
import type { GroupInfo } from '../crypto/groups.js';
import { type WeshSigner, prepareSigner } from '../crypto/keys.js';
import { type MessageHeaders, openMessageHeaders, openPayload, plaintextOf, sealMessageEnvelope } from '../crypto/messages.js';
import type { Entry } from '../log/entry.js';
import { binaryKey, keyBytes } from '../log/keys.js';
import type { WeshLog } from '../log/log.js';
import { DeviceSignedEventSchema, EventType, GroupDeviceChainKeyAddedSchema } from '../proto/gen/protocoltypes_pb.js';
import { decode } from '../proto/codec.js';
import { OwnChain, PeerChain } from './chains.js';
import { type GroupState, decodeGroupState, encodeGroupState } from './state.js';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

export interface GroupKeys {
  /** Our member key in this group (the account key for contact and account groups). */
  readonly member: { secretKey: Uint8Array; publicKey: Uint8Array };
  /** Our device key in this group. */
  readonly device: { secretKey: Uint8Array; publicKey: Uint8Array };
}

export interface GroupMessage {
  /** The CID bytes of the log entry. */
  readonly cid: Uint8Array;
  readonly plaintext: Uint8Array;
  readonly devicePublicKey: Uint8Array;
  /** The sender's member key (undefined if its device was never announced, which a valid log does not allow). */
  readonly memberPublicKey: Uint8Array | undefined;
  readonly counter: bigint;
}

/** A metadata event other than the group's own (device and chain-key events), signature checked. */
export interface GroupEvent {
  readonly cid: Uint8Array;
  readonly eventType: EventType;
  /** The event's protobuf bytes. */
  readonly payload: Uint8Array;
  /** The device that signed it (the group key for InitialMemberAnnounced). */
  readonly signerPublicKey: Uint8Array;
}

export interface GroupOptions extends GroupKeys {
  readonly provider: CryptoProvider;
  readonly group: GroupInfo;
  readonly metadata: WeshLog;
  readonly messages: WeshLog;
  /** Our device's chain key (random when absent; fixed only in tests). */
  readonly chainKey?: Uint8Array;
  /** The state save() returned, when this device has been in the group before. */
  readonly state?: Uint8Array;
  /** Called with save()'s bytes after every change of our state (store them for the next open). */
  readonly onState?: (state: Uint8Array) => void | Promise<void>;
  /** The message keys onReadKey reported before (entry CID bytes → key), so that history opens again. */
  readonly readKeys?: Iterable<readonly [Uint8Array, Uint8Array]>;
  /** Called with each message's entry CID and key once it is read (store them with the state). */
  readonly onReadKey?: (cid: Uint8Array, messageKey: Uint8Array) => void | Promise<void>;
  /**
   * The only member keys this group may have (a contact group: the two accounts; an account group:
   * the account), so that a device announcement replayed from another group is refused (§14 #7).
   */
  readonly members?: readonly Uint8Array[];
}

/** Messages held for a device whose chain key has not arrived: per device, and in all. */
export const MAX_WAITING_PER_DEVICE = 10_000;
export const MAX_WAITING = 100_000;
/** The largest chain counter accepted (a peer's absurd counter must not break our saved state). */
const MAX_COUNTER = (1n << 63n) - 1n;

/** What a group has refused to read, by reason (entries stay in the logs; they are just not shown). */
export type Refusals = Record<string, number>;

export class WeshGroup {
  readonly provider: CryptoProvider;
  readonly info: GroupInfo;
  readonly metadata: WeshLog;
  readonly messages: WeshLog;
  readonly #keys: GroupKeys;
  readonly #signer: WeshSigner & { dispose(): void };
  readonly #own: OwnChain;
  /** device hex → member public key */
  readonly #devices = new Map<string, Uint8Array>();
  /** member hex → its devices' hex */
  readonly #members = new Map<string, Set<string>>();
  readonly #chains = new Map<string, PeerChain>();
  /** members we have sent our chain key to (hex) */
  readonly #sentTo = new Set<string>();
  /** opened messages, by entry key */
  readonly #opened = new Map<string, GroupMessage>();
  /** the message key of each message read, by entry key (saved, so history can be read again) */
  readonly #readKeys = new Map<string, Uint8Array>();
  readonly #onState: GroupOptions['onState'];
  readonly #onReadKey: GroupOptions['onReadKey'];
  readonly #allowedMembers: Set<string> | undefined;
  /** (device, signature) of every message read: a signed message replayed at another counter is refused */
  readonly #seenSignatures = new Set<string>();
  #waitingCount = 0;
  /** our own device's chain-key entries and highest message counter found in the logs */
  #ownChainKeyEntries = 0;
  #ownCounterSeen = 0n;
  /** message entries waiting for their device's chain key: device hex → entries */
  readonly #waiting = new Map<string, Entry[]>();
  readonly #listeners = new Set<(m: GroupMessage) => void>();
  readonly #events: GroupEvent[] = [];
  readonly #seenEvents = new Set<string>();
  readonly #eventListeners = new Set<(e: GroupEvent) => void>();
  readonly refusals: Refusals = {};
  #unsubscribe: (() => void)[] = [];
  #work: Promise<void> = Promise.resolve();
  /** a chain key arrived (state to save) */
  #dirty = false;

  private constructor(o: GroupOptions) {
    this.provider = o.provider;
    this.info = { ...o.group, secret: o.group.secret.slice() }; // our copies, wiped on close()
    this.metadata = o.metadata;
    this.messages = o.messages;
    this.#keys = {
      member: { secretKey: o.member.secretKey.slice(), publicKey: o.member.publicKey },
      device: { secretKey: o.device.secretKey.slice(), publicKey: o.device.publicKey },
    };
    this.#signer = prepareSigner(o.provider, o.device.secretKey);
    this.#onState = o.onState;
    this.#onReadKey = o.onReadKey;
    this.#allowedMembers = o.members && new Set(o.members.map(hex));
    const saved = o.state === undefined ? undefined : decodeGroupState(o.state);
    this.#own = new OwnChain(o.provider, o.group.publicKey, saved?.chainKey ?? o.chainKey ?? o.provider.randomBytes(32), saved?.counter ?? 0n);
    if (saved) {
      for (const m of saved.sentTo) this.#sentTo.add(hex(m));
      for (const [device, c] of saved.chains) this.#chains.set(hex(device), PeerChain.restore(o.provider, o.group.publicKey, c));
    }
    for (const [cid, key] of o.readKeys ?? []) this.#readKeys.set(binaryKey(cid), key.slice());
  }

  /** This device's state in the group (see state.ts): give it to open() next time. Contains secrets. */
  save(): Uint8Array {
    const state: GroupState = {
      ...this.#own.state,
      sentTo: [...this.#sentTo].map(hexBytes),
      chains: [...this.#chains].map(([d, c]) => [hexBytes(d), c.state] as const),
    };
    return encodeGroupState(state);
  }

  /** Records a message key (memory and the application's store) once its message is read. */
  async #keepReadKey(key: string, messageKey: Uint8Array): Promise<void> {
    this.#readKeys.set(key, messageKey);
    if (this.#onReadKey) await this.#onReadKey(keyBytes(key), messageKey);
  }

  async #saved(): Promise<void> {
    if (this.#onState) await this.#onState(this.save());
  }

  /** Reads both logs, announces our device if needed and distributes our chain key; then follows the logs. */
  static async open(options: GroupOptions): Promise<WeshGroup> {
    const g = new WeshGroup(options);
    g.#unsubscribe.push(
      g.metadata.subscribe((added) => g.#queue(() => g.#onMetadata(added))),
      g.messages.subscribe((added) => g.#queue(() => g.#onMessages(added))),
    );
    await g.#queue(async () => {
      await g.#onMetadata([...g.metadata.values()]);
      await g.#onMessages([...g.messages.values()]);
      if (!g.#devices.has(hex(g.#keys.device.publicKey))) {
        await g.#saved(); // first: a crash after the announcement must still find our chain key
        await g.#announce();
      } else if (options.state === undefined && (g.#ownChainKeyEntries > 0 || g.#ownCounterSeen > 0n)) {
        throw new WeshError('unexpected-message', 'this device has boxed chain keys or sent messages in this group: open it with its saved state (a new chain key would reuse the secret entries\' fixed nonce)');
      }
    });
    return g;
  }

  /** Changes of state run one at a time, in the order the logs reported them. */
  #queue(fn: () => Promise<void>): Promise<void> {
    const run = this.#work.then(fn);
    this.#work = run.catch(() => {});
    return run;
  }

  /** Resolves when everything reported so far has been processed. */
  settled(): Promise<void> {
    return this.#work;
  }

  #refuse(reason: string): void {
    this.refusals[reason] = (this.refusals[reason] ?? 0) + 1;
  }

  async #appendMetadata(eventType: EventType, event: Uint8Array, signer: Uint8Array | WeshSigner = this.#signer): Promise<void> {
    const { envelope } = sealGroupEnvelope(this.provider, { groupSecret: this.info.secret, eventType, event, signer });
    await this.metadata.append(envelope);
  }

  async #announce(): Promise<void> {
    const event = memberDeviceAddedEvent(this.provider, this.#keys.member.secretKey, this.#keys.device.publicKey);
    await this.#appendMetadata(EventType.EventTypeGroupMemberDeviceAdded, event);
  }

  /** Sends our chain key to every member that does not have it yet. */
  async #distribute(): Promise<void> {
    for (const memberHex of this.#members.keys()) {
      if (this.#sentTo.has(memberHex)) continue;
      this.#sentTo.add(memberHex);
      await this.#saved(); // recorded before it is sent: a crash in between must not lead to a second, different entry
      const { chainKey, counter } = this.#own.state;
      const { event } = sealSecretEntry(this.provider, {
        senderDeviceSecret: this.#keys.device.secretKey, destMemberPublic: hexBytes(memberHex), groupPublicKey: this.info.publicKey, chainKey, counter,
      });
      chainKey.fill(0);
      await this.#appendMetadata(EventType.EventTypeGroupDeviceChainKeyAdded, event);
    }
  }

  // ---- reading the metadata log ---------------------------------------------------------------

  async #onMetadata(entries: readonly Entry[]): Promise<void> {
    for (const entry of entries) this.#readMetadata(entry);
    if (this.#devices.has(hex(this.#keys.device.publicKey))) await this.#distribute();
    if (this.#dirty) {
      this.#dirty = false;
      await this.#saved();
    }
  }

  #readMetadata(entry: Entry): void {
    let m: { eventType: EventType; payload: Uint8Array; sig: Uint8Array };
    try {
      m = openGroupEnvelope(this.provider, this.info.secret, entry.payload);
    } catch (err) {
      if (err instanceof WeshError) return this.#refuse(`metadata ${err.code}`);
      throw err;
    }
    try {
      if (m.eventType === EventType.EventTypeGroupMemberDeviceAdded) this.#deviceAdded(m.payload, m.sig);
      else if (m.eventType === EventType.EventTypeGroupDeviceChainKeyAdded) this.#chainKeyAdded(m.payload, m.sig);
      else this.#otherEvent(entry, m.eventType, m.payload, m.sig);
    } catch (err) {
      if (err instanceof WeshError) return this.#refuse(`metadata ${err.code}`);
      throw err;
    }
  }

  #deviceAdded(payload: Uint8Array, sig: Uint8Array): void {
    const { memberPublicKey, devicePublicKey } = openMemberDeviceAdded(this.provider, payload);
    if (!verifyGroupMetadata(this.provider, devicePublicKey, payload, sig)) throw new WeshError('bad-signature', 'device signature over GroupMemberDeviceAdded');
    const d = hex(devicePublicKey), m = hex(memberPublicKey);
    if (this.#allowedMembers && !this.#allowedMembers.has(m)) throw new WeshError('unexpected-message', 'a member this group cannot have');
    const known = this.#devices.get(d);
    if (known && hex(known) !== m) throw new WeshError('unexpected-message', 'a device announced under a second member');
    this.#devices.set(d, memberPublicKey);
    if (!this.#members.has(m)) this.#members.set(m, new Set());
    this.#members.get(m)!.add(d);
  }

  /**
   * Any other event: signed by the device its device_pk (field 1) names, which must be a device of
   * the group — or, for InitialMemberAnnounced, by the group key. Kept in order and reported.
   */
  #otherEvent(entry: Entry, eventType: EventType, payload: Uint8Array, sig: Uint8Array): void {
    if (this.#seenEvents.has(entry.k)) return;
    let signer: Uint8Array;
    if (eventType === EventType.EventTypeMultiMemberGroupInitialMemberAnnounced) signer = this.info.publicKey;
    else {
      signer = decode(DeviceSignedEventSchema, payload).devicePk;
      if (!this.#devices.has(hex(signer))) throw new WeshError('unexpected-message', 'an event from a device never announced');
    }
    if (!verifyGroupMetadata(this.provider, signer, payload, sig)) throw new WeshError('bad-signature', 'event signature');
    const event: GroupEvent = { cid: entry.cidBytes, eventType, payload, signerPublicKey: signer };
    this.#seenEvents.add(entry.k);
    this.#events.push(event);
    for (const l of this.#eventListeners) l(event);
  }

  #chainKeyAdded(payload: Uint8Array, sig: Uint8Array): void {
    const e = decode(GroupDeviceChainKeyAddedSchema, payload);
    const d = hex(e.devicePk);
    if (!this.#devices.has(d)) throw new WeshError('unexpected-message', 'a chain key from a device never announced');
    if (!verifyGroupMetadata(this.provider, e.devicePk, payload, sig)) throw new WeshError('bad-signature', 'device signature over GroupDeviceChainKeyAdded');
    if (d === hex(this.#keys.device.publicKey)) {
      // ours, perhaps from before a restore of older state: never box again to that member
      this.#ownChainKeyEntries++;
      if (!this.#sentTo.has(hex(e.destMemberPk))) (this.#sentTo.add(hex(e.destMemberPk)), (this.#dirty = true));
      return;
    }
    if (hex(e.destMemberPk) !== hex(this.#keys.member.publicKey) || this.#chains.has(d)) return;
    const { chainKey, counter } = openSecretEntry(this.provider, { memberSecret: this.#keys.member.secretKey, event: payload, groupPublicKey: this.info.publicKey });
    if (counter > MAX_COUNTER) {
      chainKey.fill(0);
      throw new WeshError('wrong-counter', 'a chain key with an impossible counter');
    }
    this.#chains.set(d, new PeerChain(this.provider, this.info.publicKey, chainKey, counter));
    chainKey.fill(0);
    const waiting = this.#waiting.get(d);
    if (waiting) {
      this.#waiting.delete(d);
      this.#waitingCount -= waiting.length;
      this.#readMessages(waiting);
    }
    this.#dirty = true;
  }

  // ---- reading the messages log ---------------------------------------------------------------

  async #onMessages(entries: readonly Entry[]): Promise<void> {
    const read = this.#readMessages(entries);
    for (const [key, mk] of read) await this.#keepReadKey(key, mk);
    if (read.length > 0) await this.#saved(); // the windows moved
  }

  /**
   * Opens what it can of `entries` (in log order): each envelope's headers and payload one by one,
   * then every device signature in one Ed25519 batch, then the keys are consumed and the messages
   * delivered in order. A message whose device's chain key has not arrived is held; one read before
   * a restart is opened with its saved key.
   */
  #readMessages(entries: readonly Entry[]): [string, Uint8Array][] {
    const read: [string, Uint8Array][] = [];
    const candidates: { entry: Entry; headers: MessageHeaders; encryptedMessage: Uint8Array; mk: Uint8Array; chain: PeerChain | undefined }[] = [];
    for (const entry of entries) {
      if (this.#opened.has(entry.k)) continue;
      let headers: MessageHeaders, message: Uint8Array;
      try {
        ({ headers, message } = openMessageHeaders(this.provider, this.info.secret, entry.payload));
      } catch (err) {
        if (err instanceof WeshError) this.#refuse(`message ${err.code}`);
        else throw err;
        continue;
      }
      const d = hex(headers.devicePublicKey);
      const saved = this.#readKeys.get(entry.k);
      if (!saved && d === hex(this.#keys.device.publicKey)) this.#ownMessage(headers, message);
      if (!saved && this.#seenSignatures.has(d + hex(headers.sig))) {
        this.#refuse('message replayed'); // a signed message already read, sealed again at another counter
        continue;
      }
      const chain = saved ? undefined : this.#chains.get(d);
      if (!saved && !chain) {
        if (d === hex(this.#keys.device.publicKey)) this.#refuse('message from our own device not sent by this replica');
        else this.#hold(d, entry);
        continue;
      }
      try {
        const mk = saved ?? chain!.keyFor(headers.counter);
        candidates.push({ entry, headers, encryptedMessage: openPayload(this.provider, headers, message, mk), mk, chain });
      } catch (err) {
        if (err instanceof WeshError) this.#refuse(`message ${err.code}`);
        else throw err;
      }
    }
    const verdicts = this.provider.signature('Ed25519').verifyBatch(candidates.map((c) => ({ publicKey: c.headers.devicePublicKey, message: c.encryptedMessage, signature: c.headers.sig })));
    candidates.forEach((c, i) => {
      if (!verdicts[i]) return this.#refuse('message bad-signature');
      let plaintext: Uint8Array;
      try {
        plaintext = plaintextOf(c.encryptedMessage);
      } catch (err) {
        if (err instanceof WeshError) return this.#refuse(`message ${err.code}`);
        throw err;
      }
      const { entry, headers } = c;
      const d = hex(headers.devicePublicKey);
      const m: GroupMessage = { cid: entry.cidBytes, plaintext, devicePublicKey: headers.devicePublicKey, memberPublicKey: this.#devices.get(d), counter: headers.counter };
      if (!c.chain) {
        this.#seenSignatures.add(d + hex(headers.sig));
        // one of ours read back: the chain must be past it (else this state is older than the log)
        if (d === hex(this.#keys.device.publicKey) && headers.counter > this.#ownCounterSeen) this.#ownCounterSeen = headers.counter;
        return void this.#opened.set(entry.k, m); // read before a restart: history, not news
      }
      // a second entry with the same counter, or the same signed message, in this batch
      if (!c.chain.has(headers.counter)) return this.#refuse('message wrong-counter');
      if (this.#seenSignatures.has(d + hex(headers.sig))) return this.#refuse('message replayed');
      this.#seenSignatures.add(d + hex(headers.sig));
      read.push([entry.k, c.mk.slice()]);
      c.chain.consume(headers.counter);
      this.#deliver(m, entry.k);
    });
    return read;
  }

  /**
   * A message under our device key that this replica did not send: if it opens with our chain's key
   * of its counter and carries our signature (not one already seen), a newer copy of this device's
   * state sealed it, and sending from this older state would reuse message keys. A forgery (another
   * member re-sealing one of our signed messages) does not count.
   */
  #ownMessage(headers: MessageHeaders, message: Uint8Array): void {
    if (headers.counter <= this.#ownCounterSeen || this.#seenSignatures.has(hex(this.#keys.device.publicKey) + hex(headers.sig))) return;
    const mk = this.#own.keyAhead(headers.counter);
    if (!mk) return;
    try {
      const encryptedMessage = openPayload(this.provider, headers, message, mk);
      if (this.provider.signature('Ed25519').verify(this.#keys.device.publicKey, encryptedMessage, headers.sig)) this.#ownCounterSeen = headers.counter;
    } catch (err) {
      if (!(err instanceof WeshError)) throw err;
    } finally {
      mk.fill(0);
    }
  }

  /** Holds a message until its device's chain key arrives, within MAX_WAITING_PER_DEVICE and MAX_WAITING. */
  #hold(device: string, entry: Entry): void {
    const list = this.#waiting.get(device) ?? [];
    if (list.length >= MAX_WAITING_PER_DEVICE || this.#waitingCount >= MAX_WAITING) return this.#refuse('message held-limit');
    if (list.length === 0) this.#waiting.set(device, list);
    list.push(entry);
    this.#waitingCount++;
  }

  #deliver(m: GroupMessage, key: string): void {
    this.#opened.set(key, m);
    for (const l of this.#listeners) l(m);
  }

  // ---- the application's side -------------------------------------------------------------------

  /** Seals `plaintext` with our chain's next key and appends it; resolves with the message once durable. */
  send(plaintext: Uint8Array): Promise<GroupMessage> {
    return new Promise((resolve, reject) => {
      this.#queue(async () => {
        if (this.#ownCounterSeen > this.#own.counter) {
          throw new WeshError('wrong-counter', `this device's saved state (counter ${this.#own.counter}) is older than its messages in the log (${this.#ownCounterSeen}): sending would reuse message keys`);
        }
        const { counter, messageKey } = this.#own.next();
        const { envelope, sig } = sealMessageEnvelope(this.provider, { groupSecret: this.info.secret, messageKey, counter, device: this.#signer, plaintext });
        await this.#saved(); // the chain moved on: never seal two messages under one counter, even across a crash
        const entry = await this.messages.append(envelope);
        this.#ownCounterSeen = counter;
        this.#seenSignatures.add(hex(this.#keys.device.publicKey) + hex(sig));
        await this.#keepReadKey(entry.k, messageKey);
        const m: GroupMessage = { cid: entry.cidBytes, plaintext: plaintext.slice(), devicePublicKey: this.#keys.device.publicKey, memberPublicKey: this.#keys.member.publicKey, counter };
        this.#deliver(m, entry.k);
        resolve(m);
      }).catch(reject);
    });
  }

  /**
   * Appends a metadata event of the application's (or of the account's, e.g. GroupReplicating),
   * signed by this device. The event's bytes are the protobuf of its type.
   */
  appendEvent(eventType: EventType, event: Uint8Array): Promise<void> {
    if (eventType === EventType.EventTypeGroupMemberDeviceAdded || eventType === EventType.EventTypeGroupDeviceChainKeyAdded) {
      return Promise.reject(new RangeError('WeshGroup.appendEvent: device and chain-key events are the group\'s own'));
    }
    return this.#queue(() => this.#appendMetadata(eventType, event));
  }

  /** The messages we could open, in the log's order (the same on every replica). */
  list(): GroupMessage[] {
    const out: GroupMessage[] = [];
    for (const entry of this.messages.values()) {
      const m = this.#opened.get(entry.k);
      if (m) out.push(m);
    }
    return out;
  }

  /** Calls `listener` for each message opened from now on (ours included). Returns the unsubscribe. */
  onMessage(listener: (m: GroupMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The other metadata events read so far, in the order they were read. */
  events(): GroupEvent[] {
    return [...this.#events];
  }

  /** Calls `listener` for each other metadata event read from now on. Returns the unsubscribe. */
  onEvent(listener: (e: GroupEvent) => void): () => void {
    this.#eventListeners.add(listener);
    return () => this.#eventListeners.delete(listener);
  }

  /** Members (hex of the member key) and their devices (hex). */
  members(): Map<string, string[]> {
    return new Map([...this.#members].map(([m, d]) => [m, [...d]]));
  }

  /** Devices of the group (other than ours) whose chain key we do not hold yet: their messages would wait. */
  get devicesWithoutChainKey(): number {
    let n = 0;
    for (const d of this.#devices.keys()) if (d !== hex(this.#keys.device.publicKey) && !this.#chains.has(d)) n++;
    return n;
  }

  /** Message entries held because their device's chain key has not arrived. */
  get waitingCount(): number {
    return this.#waitingCount;
  }

  async close(): Promise<void> {
    for (const u of this.#unsubscribe) u();
    await this.#work;
    this.#signer.dispose();
    this.#own.dispose();
    for (const c of this.#chains.values()) c.dispose();
    for (const k of this.#readKeys.values()) k.fill(0);
    this.#readKeys.clear();
    this.#keys.member.secretKey.fill(0);
    this.#keys.device.secretKey.fill(0);
    this.info.secret.fill(0);
  }
}

function hexBytes(h: string): Uint8Array {
  return Uint8Array.from(h.match(/../g)!, (x) => parseInt(x, 16));
}
