// ts-mls (npm, 1.6.x positional API, its default WebCrypto-based crypto provider) as an MLS peer
// for wirecrypt's interop tests (test/mls/interop-ts-mls.test.ts). Every message crosses between
// the two as MLSMessage bytes, the way a delivery service would carry it; ts-mls's immutable
// ClientState is held by a TsMember, which mirrors the parts of wirecrypt's Group API the tests use.
//
//   const { keyPackage, pending } = await tsKeyPackage(3, 'bob'); // MLSMessage bytes for wirecrypt
//   const bob = await pending.join(welcomeBytes, ratchetTreeBytes?);
//   const { commit, welcome } = await alice.commit({ add: [kp], remove: [2], wireFormat: 'public' });
//   await bob.process(commit) → { kind: 'commit' } | { kind: 'application', plaintext } | { kind: 'proposal' }
//
// Known ts-mls 1.6.4 limitations the helpers steer around (see the test file for each one):
// * defaultCapabilities() adds random GREASE values; the helpers pass explicit capabilities unless
//   asked for GREASE, so runs are deterministic.
// * createCommit defaults to a PrivateMessage commit (wireAsPublicMessage = false), the opposite of
//   wirecrypt's default; TsMember.commit takes wirecrypt's wireFormat names and defaults to 'public'.
// * An add-only commit never carries an UpdatePath (ts-mls decides by the proposal list alone), so
//   `update: true` is only honoured by a commit that would carry one anyway (empty, or with a remove).
import {
  type Capabilities, type CiphersuiteImpl, type ClientState, type KeyPackage, type PrivateKeyPackage, type Proposal,
  createApplicationMessage, createCommit, createGroup, createProposal, decodeMlsMessage, defaultCapabilities, defaultLifetime,
  emptyPskIndex, encodeMlsMessage, generateKeyPackage, generateKeyPackageWithKey, getCiphersuiteImpl, joinGroup,
  joinGroupExternal, mlsExporter,
  processPrivateMessage, processPublicMessage,
} from 'ts-mls';
import { getCiphersuiteFromId } from 'ts-mls/crypto/ciphersuite.js';
import { createGroupInfo } from 'ts-mls/createCommit.js';
import { decodeRatchetTree, encodeRatchetTree } from 'ts-mls/ratchetTree.js';
import type { MLSMessage } from 'ts-mls';

export const TS_MLS_SUITE_NAMES = {
  1: 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519',
  3: 'MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519',
} as const;
export type TsSuiteId = keyof typeof TS_MLS_SUITE_NAMES;

const impls = new Map<number, Promise<CiphersuiteImpl>>();
/** ts-mls's CiphersuiteImpl for suite 1 or 3 (made once per id). */
export function tsSuite(id: TsSuiteId): Promise<CiphersuiteImpl> {
  if (!impls.has(id)) impls.set(id, getCiphersuiteImpl(getCiphersuiteFromId(id)));
  return impls.get(id)!;
}

/** Capabilities without GREASE: mls10, this suite, basic credentials. */
export function plainCapabilities(id: TsSuiteId): Capabilities {
  return { versions: ['mls10'], ciphersuites: [TS_MLS_SUITE_NAMES[id]], extensions: [], proposals: [], credentials: ['basic'] };
}

const utf8 = (s: string) => new TextEncoder().encode(s);

/** Decodes MLSMessage bytes with ts-mls, insisting on the wire format and on no trailing bytes. */
export function tsDecode<W extends MLSMessage['wireformat']>(bytes: Uint8Array, wireformat?: W): Extract<MLSMessage, { wireformat: W }> {
  const decoded = decodeMlsMessage(bytes, 0);
  if (decoded === undefined) throw new Error('ts-mls: the MLSMessage does not decode');
  if (decoded[1] !== bytes.length) throw new Error(`ts-mls: ${bytes.length - decoded[1]} trailing bytes after the MLSMessage`);
  if (wireformat !== undefined && decoded[0].wireformat !== wireformat) throw new Error(`ts-mls: expected ${wireformat}, got ${decoded[0].wireformat}`);
  return decoded[0] as Extract<MLSMessage, { wireformat: W }>;
}

export const tsEncode = (m: MLSMessage): Uint8Array => encodeMlsMessage(m);

/**
 * ts-mls 1.6.4 bug: it reads (and writes) the external_pub GroupInfo extension's data as the bare
 * HPKE public key, where RFC 9420 §12.4.3.2 has `struct { HPKEPublicKey external_pub; } ExternalPub`
 * with `opaque HPKEPublicKey<V>` (§5.1.1), i.e. a varint length before the key. Fixed upstream by
 * LukaJCB/ts-mls PR #449 ("Update external_pub codec to use nested length prefix", v2 line). The
 * GroupInfo is signed, so its bytes cannot be rewritten; instead joinGroupExternal gets a suite
 * whose HPKE importPublicKey drops that length prefix (X25519: 0x20 then 32 bytes). Every other
 * public key ts-mls imports is already bare (32 bytes) and passes through unchanged.
 */
function externalPubWorkaround(impl: CiphersuiteImpl): CiphersuiteImpl {
  const hpke = Object.create(impl.hpke) as CiphersuiteImpl['hpke'];
  hpke.importPublicKey = (key: Uint8Array) => impl.hpke.importPublicKey(key.length === 33 && key[0] === 32 ? key.subarray(1) : key);
  return { ...impl, hpke };
}

function decodeTree(bytes: Uint8Array) {
  const d = decodeRatchetTree(bytes, 0);
  if (d === undefined || d[1] !== bytes.length) throw new Error('ts-mls: the ratchet tree does not decode');
  return d[0];
}

export interface TsKeyPackageOptions {
  /** Use ts-mls's defaultCapabilities() (random GREASE values, every suite) instead of plainCapabilities. */
  readonly grease?: boolean;
}

/** A ts-mls KeyPackage as MLSMessage bytes, and the joiner waiting for its Welcome. */
export async function tsKeyPackage(id: TsSuiteId, identity: string, options: TsKeyPackageOptions = {}): Promise<{ keyPackage: Uint8Array; pending: TsPendingJoin }> {
  const impl = await tsSuite(id);
  const caps = options.grease === true ? defaultCapabilities() : plainCapabilities(id);
  const { publicPackage, privatePackage } = await generateKeyPackage({ credentialType: 'basic', identity: utf8(identity) }, caps, defaultLifetime, [], impl);
  const keyPackage = tsEncode({ version: 'mls10', wireformat: 'mls_key_package', keyPackage: publicPackage });
  return { keyPackage, pending: new TsPendingJoin(impl, publicPackage, privatePackage) };
}

export class TsPendingJoin {
  constructor(readonly impl: CiphersuiteImpl, readonly keyPackage: KeyPackage, readonly privateKeys: PrivateKeyPackage) {}

  /** Joins from Welcome bytes; `ratchetTree` is the ratchet_tree extension data, when given out of band. */
  async join(welcome: Uint8Array, ratchetTree?: Uint8Array): Promise<TsMember> {
    const w = tsDecode(welcome, 'mls_welcome');
    const tree = ratchetTree === undefined ? undefined : decodeTree(ratchetTree);
    const state = await joinGroup(w.welcome, this.keyPackage, this.privateKeys, emptyPskIndex, this.impl, tree);
    return new TsMember(this.impl, state);
  }
}

export interface TsCommitRequest {
  readonly add?: readonly Uint8Array[];
  readonly remove?: readonly number[];
  /** The ratchet_tree extension in the Welcome's GroupInfo (default true, as wirecrypt's default). */
  readonly ratchetTreeInGroupInfo?: boolean;
  /** Default 'public'. */
  readonly wireFormat?: 'public' | 'private';
}

export type TsProcessResult =
  | { readonly kind: 'application'; readonly plaintext: Uint8Array }
  | { readonly kind: 'proposal' | 'commit'; readonly action: string };

export class TsMember {
  constructor(readonly impl: CiphersuiteImpl, public state: ClientState) {}

  /** A new one-member group (epoch 0), with explicit capabilities and no GroupContext extensions. */
  static async create(id: TsSuiteId, identity: string, groupId: Uint8Array = crypto.getRandomValues(new Uint8Array(16))): Promise<TsMember> {
    const impl = await tsSuite(id);
    const { publicPackage, privatePackage } = await generateKeyPackage({ credentialType: 'basic', identity: utf8(identity) }, plainCapabilities(id), defaultLifetime, [], impl);
    return new TsMember(impl, await createGroup(groupId, publicPackage, privatePackage, [], impl));
  }

  /**
   * Joins by external commit (§12.4.3.2) from a GroupInfo (MLSMessage bytes) that carries
   * external_pub, and the ratchet_tree extension unless `ratchetTree` is given out of band. Returns
   * the new member and its Commit (a PublicMessage, new_member_commit sender, as MLSMessage bytes).
   */
  static async joinExternal(id: TsSuiteId, identity: string, groupInfo: Uint8Array, ratchetTree?: Uint8Array): Promise<{ member: TsMember; commit: Uint8Array }> {
    const impl = await tsSuite(id);
    const { publicPackage, privatePackage } = await generateKeyPackage({ credentialType: 'basic', identity: utf8(identity) }, plainCapabilities(id), defaultLifetime, [], impl);
    const gi = tsDecode(groupInfo, 'mls_group_info').groupInfo;
    const r = await joinGroupExternal(gi, publicPackage, privatePackage, false, externalPubWorkaround(impl), ratchetTree === undefined ? undefined : decodeTree(ratchetTree));
    return { member: new TsMember(impl, r.newState), commit: tsEncode({ version: 'mls10', wireformat: 'mls_public_message', publicMessage: r.publicMessage }) };
  }

  /**
   * Re-joins by external commit with resync (the commit removes this member's old leaf, §12.4.3.2),
   * with a new KeyPackage under the same signature key and credential; this member becomes the new one.
   */
  async resync(groupInfo: Uint8Array): Promise<Uint8Array> {
    const own = this.state.ratchetTree[this.leafIndex * 2];
    if (own === undefined || own.nodeType !== 'leaf') throw new Error('ts-mls: own leaf missing');
    const { publicPackage, privatePackage } = await generateKeyPackageWithKey(own.leaf.credential, own.leaf.capabilities, defaultLifetime, [],
      { signKey: this.state.signaturePrivateKey, publicKey: own.leaf.signaturePublicKey }, this.impl);
    const gi = tsDecode(groupInfo, 'mls_group_info').groupInfo;
    const r = await joinGroupExternal(gi, publicPackage, privatePackage, true, externalPubWorkaround(this.impl));
    this.state = r.newState;
    return tsEncode({ version: 'mls10', wireformat: 'mls_public_message', publicMessage: r.publicMessage });
  }

  /**
   * A GroupInfo of the current epoch (MLSMessage bytes) for an external joiner: external_pub, then
   * the ratchet_tree extension unless `ratchetTree` is false, signed by this member as ts-mls's
   * createGroupInfoWithExternalPub signs it. ts-mls 1.6.4 writes external_pub's data as the bare
   * key (see externalPubWorkaround); that is what `bareExternalPub: true` gives. By default the data
   * is RFC 9420's ExternalPub struct instead (§12.4.3.2: a varint length, then the key), which is
   * what wirecrypt (and ts-mls from PR #449 on) reads.
   */
  async groupInfo(options: { readonly ratchetTree?: boolean; readonly bareExternalPub?: boolean } = {}): Promise<Uint8Array> {
    const pair = await this.impl.hpke.deriveKeyPair(this.state.keySchedule.externalSecret);
    const key = await this.impl.hpke.exportPublicKey(pair.publicKey);
    if (key.length >= 64) throw new Error('ts-mls helper: a one-byte varint length only');
    const externalPub = options.bareExternalPub === true ? key : Uint8Array.of(key.length, ...key);
    const gi = await createGroupInfo(this.state.groupContext, this.state.confirmationTag, this.state, [
      { extensionType: 'external_pub', extensionData: externalPub },
      ...(options.ratchetTree === false ? [] : [{ extensionType: 'ratchet_tree' as const, extensionData: this.ratchetTree }]),
    ], this.impl);
    return tsEncode({ version: 'mls10', wireformat: 'mls_group_info', groupInfo: gi });
  }

  get epoch(): bigint {
    return this.state.groupContext.epoch;
  }

  get epochAuthenticator(): Uint8Array {
    return this.state.keySchedule.epochAuthenticator;
  }

  get leafIndex(): number {
    return this.state.privatePath.leafIndex;
  }

  /** Leaf indexes of the members, increasing. */
  get members(): number[] {
    const out: number[] = [];
    this.state.ratchetTree.forEach((n, i) => {
      if (i % 2 === 0 && n !== undefined) out.push(i / 2);
    });
    return out;
  }

  get removed(): boolean {
    return this.state.groupActiveState.kind === 'removedFromGroup';
  }

  /** The ratchet_tree extension data (trailing blanks stripped by ts-mls's encoder). */
  get ratchetTree(): Uint8Array {
    return encodeRatchetTree(this.state.ratchetTree);
  }

  exportSecret(label: string, context: Uint8Array, length: number): Promise<Uint8Array> {
    return mlsExporter(this.state.keySchedule.exporterSecret, label, context, length, this.impl);
  }

  /**
   * A Commit with Adds (KeyPackage MLSMessage bytes) and Removes (leaf indexes) by value; with
   * neither it is an empty commit, which ts-mls gives a path (a full-path update). Applied at once
   * (ts-mls has no pending state): returns MLSMessage bytes.
   */
  async commit(request: TsCommitRequest = {}): Promise<{ commit: Uint8Array; welcome?: Uint8Array }> {
    const proposals: Proposal[] = [
      ...(request.add ?? []).map((kp): Proposal => ({ proposalType: 'add', add: { keyPackage: tsDecode(kp, 'mls_key_package').keyPackage } })),
      ...(request.remove ?? []).map((removed): Proposal => ({ proposalType: 'remove', remove: { removed } })),
    ];
    const r = await createCommit({ state: this.state, cipherSuite: this.impl }, {
      extraProposals: proposals,
      ratchetTreeExtension: request.ratchetTreeInGroupInfo ?? true,
      wireAsPublicMessage: (request.wireFormat ?? 'public') === 'public',
    });
    this.state = r.newState;
    return {
      commit: tsEncode(r.commit),
      ...(r.welcome !== undefined ? { welcome: tsEncode({ version: 'mls10', wireformat: 'mls_welcome', welcome: r.welcome }) } : {}),
    };
  }

  /** Application data as a PrivateMessage MLSMessage. */
  async encrypt(plaintext: Uint8Array, aad?: Uint8Array): Promise<Uint8Array> {
    const r = await createApplicationMessage(this.state, plaintext, this.impl, aad);
    this.state = r.newState;
    return tsEncode({ version: 'mls10', wireformat: 'mls_private_message', privateMessage: r.privateMessage });
  }

  /** A proposal by reference (Add of a KeyPackage MLSMessage, or Remove of a leaf), kept for a later commit of this epoch. */
  async propose(request: { add?: Uint8Array; remove?: number }, wireFormat: 'public' | 'private' = 'public'): Promise<Uint8Array> {
    const proposal: Proposal = request.add !== undefined
      ? { proposalType: 'add', add: { keyPackage: tsDecode(request.add, 'mls_key_package').keyPackage } }
      : { proposalType: 'remove', remove: { removed: request.remove! } };
    const r = await createProposal(this.state, wireFormat === 'public', proposal, this.impl);
    this.state = r.newState;
    return tsEncode(r.message);
  }

  /** Processes a PublicMessage or PrivateMessage (bytes); the state moves on only if ts-mls accepts it. */
  async process(bytes: Uint8Array): Promise<TsProcessResult> {
    const m = tsDecode(bytes);
    if (m.wireformat === 'mls_private_message') {
      const contentType = m.privateMessage.contentType;
      const r = await processPrivateMessage(this.state, m.privateMessage, emptyPskIndex, this.impl);
      this.state = r.newState;
      if (r.kind === 'applicationMessage') return { kind: 'application', plaintext: r.message };
      if (contentType === 'application') throw new Error('ts-mls: application content not returned as such');
      return { kind: contentType, action: r.actionTaken };
    }
    if (m.wireformat === 'mls_public_message') {
      const contentType = m.publicMessage.content.contentType;
      if (contentType === 'application') throw new Error('ts-mls: application data in a PublicMessage');
      const r = await processPublicMessage(this.state, m.publicMessage, emptyPskIndex, this.impl);
      this.state = r.newState;
      return { kind: contentType, action: r.actionTaken };
    }
    throw new Error(`ts-mls: cannot process an MLSMessage of wire format ${m.wireformat}`);
  }
}
