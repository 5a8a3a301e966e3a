// A member's view of an MLS group (RFC 9420), the object applications hold: join from a Welcome,
// then feed it every MLSMessage of the group in the delivery service's order.
//
//   const secrets = mls.keyPackageSecretsFrom({ keyPackage, initPrivateKey, encryptionPrivateKey, signaturePrivateKey });
//   const group = mls.joinGroup(welcome, secrets, { ratchetTree?, psks? });
//   group.process(bytes)  → { kind: 'application' | 'proposal' | 'commit', … }
//   group.epoch, group.epochAuthenticator, group.exportSecret(label, context, length)
//   mls.createKeyPackage / mls.createGroup; group.commit(…) → pending until applyPendingCommit()
//   (once the delivery service accepted it) or discardPendingCommit(); group.encrypt(…)
//
// Processing is atomic: a message that is refused throws an MlsError and leaves the group exactly
// as it was (the layers below work on copies; see group/commit.ts). On a Commit the old epoch is
// retired at once (§9.2): its secrets and replaced private keys are wiped, and messages of that
// epoch are refused from then on ('wrong-epoch'), like the proposals received in it.
//
// Resumption PSKs (§8.6) of the last `keptResumptionPsks` epochs are kept (copies), for commits and
// Welcomes that name them; older ones are wiped.
//
// An application profile's rules (`options.policy`, a GroupPolicy such as xmtp/policy.ts) are
// consulted before this member creates a proposal or Commit and before it accepts a received one
// (authenticated, but with nothing spent: the group is unchanged when the policy refuses).
//
// DMLS (`options.dmls`, draft-kohbrok-mls-dmls; docs/mls.md "DMLS"): the group keeps up to
// `maxEpochs` epochs in a DmlsEpochStore instead of retiring each at once, so a Commit against any
// kept epoch is accepted (a concurrent Commit: two children of one parent). Every message travels
// as a DMLSMessage naming its epoch by dmls_epoch, and the state it is processed in is that
// epoch's ('dmls-unknown-epoch' when it is not kept: too old, evicted, or never seen). Each new
// epoch's init secret is the child's from its parent's parent_init PPRF, punctured once the Commit
// is accepted (processed, or applied by its committer), so the same child can never be derived
// twice ('pprf-punctured'); epoch_secret, init_secret and joiner_secret are wiped as soon as the
// key schedule (and a Welcome) is done with them. The current epoch is the store's head (the fork
// rule of dmls/epoch-store.ts): every member holding the same epochs is in the same one, whatever
// order the Commits came in. An evicted epoch is wiped as retireEpoch would (secret tree, epoch
// secrets, private keys no kept epoch still holds). Proposals are kept per epoch; a received Commit
// does not discard this member's pending one (both are children; apply it or discard it).

import { DecodeError } from '../../codec/reader.js';
import { MlsError } from '../errors.js';
import { bytes } from '../../errors.js';
import type { Extension } from '../group-context.js';
import { PskType, ResumptionUsage } from '../psk.js';
import { encode, writeVector } from '../../codec/tls.js';
import { writeExtension } from '../group-context.js';
import type { SecretTreeOptions } from '../secret-tree.js';
import { PRIVATE_MESSAGE, PUBLIC_MESSAGE, authenticateContent } from '../framing/content-auth.js';
import { protectPrivate, toPrivateMessage } from '../framing/private-message.js';
import { toPublicMessage } from '../framing/public-message.js';
import type { Credential } from '../messages/credential.js';
import { type LeafNode, encodeLeafNodeTbs } from '../messages/leaf-node.js';
import { type SigningKey, signWithLabel, signingKeyFor } from '../crypto/labels.js';
import type { KeyPair } from '../../x25519.js';
import { encodeMlsMessage } from '../messages/mls-message.js';
import { type CreatedCommit, createCommit } from './create-commit.js';
import {
  type CachedProposal, type CommitSummary, processCommitSummarized, proposalRef, receiveProposal, requireOpen, retireEpoch, unprotectParams,
} from './commit.js';
import type { ExternalPsk, GroupState, ResumptionSource } from './join.js';
import { decodeKeyPackageBytes } from './key-package-secrets.js';
import { saveGroupState } from './persist.js';
import { unprotect, unprotectDeferred } from '../framing/protect.js';
import { ctEqual } from '../../compare.js';
import { type Sender, encodeMlsPrivateMessage } from '../messages/framing.js';
import type { GroupPolicy } from './policy.js';
import { type MlsMessage, decodeMlsMessage } from '../messages/mls-message.js';
import type { Proposal } from '../messages/proposal.js';
import { wipeEpochSecrets } from '../key-schedule.js';
import { type DmlsEpochEntry, DmlsEpochStore } from '../dmls/epoch-store.js';
import { decodeDmlsMessage, encodeDmlsMessage, type DmlsFramedMessage } from '../dmls/epoch.js';
import { type DmlsEpochKeys, dmlsEpochKeys } from '../dmls/key-schedule.js';
import { wipePprfState } from '../dmls/pprf.js';
import type { SavedDmls } from './persist.js';
import type { Pprf } from '../dmls/pprf.js';

export interface GroupOptions {
  /** External PSKs this member holds (§8.4), for Welcomes and commits that name them. */
  readonly psks?: readonly ExternalPsk[];
  /** How many past epochs' resumption PSKs to keep (default 8; 0 keeps only the current epoch's). */
  readonly keptResumptionPsks?: number;
  /** Limits of each epoch's secret tree (out-of-order window). */
  readonly secretTree?: SecretTreeOptions;
  /** The clock for lifetime checks of new leaves, in seconds since the Unix epoch (default: none is checked). */
  readonly now?: () => bigint;
  /** An application profile's rules for proposals, Commits and handshake framing (e.g. bindings/mls/xmtp). */
  readonly policy?: GroupPolicy;
  /**
   * Decentralised MLS (see the module comment): keep up to `maxEpochs` epochs (default 4) and
   * accept Commits against any of them; messages are DMLSMessages. Off by default (RFC 9420).
   */
  readonly dmls?: { readonly maxEpochs?: number };
}

/**
 * The GroupOptions fields of whatever options object a group was made with: a Group keeps its
 * options, and the objects callers pass to createGroup, joinGroup or joinExternal also hold a
 * signature private key, a ratchet tree or another Group (resumeFrom), none of which it may retain.
 */
function groupOptionsOf(o: GroupOptions): GroupOptions {
  return {
    ...(o.psks !== undefined ? { psks: o.psks } : {}),
    ...(o.keptResumptionPsks !== undefined ? { keptResumptionPsks: o.keptResumptionPsks } : {}),
    ...(o.secretTree !== undefined ? { secretTree: o.secretTree } : {}),
    ...(o.now !== undefined ? { now: o.now } : {}),
    ...(o.policy !== undefined ? { policy: o.policy } : {}),
    ...(o.dmls !== undefined ? { dmls: o.dmls } : {}),
  };
}

/** What a DMLS group keeps of each epoch besides its PPRF (dmls/epoch-store.ts). */
interface DmlsKept {
  readonly state: GroupState;
  /** The proposals received in that epoch. */
  readonly proposals: CachedProposal[];
}

export interface JoinGroupOptions extends GroupOptions {
  /** The ratchet tree delivered out of band: the TLS encoding of the ratchet_tree extension's data. */
  readonly ratchetTree?: Uint8Array;
  /** The group this one reinitializes or branches from, for a Welcome with its resumption PSK (§11.2, §11.3). */
  readonly resumeFrom?: Group;
}

export type ProcessResult =
  | { readonly kind: 'application'; readonly sender: number; readonly plaintext: Uint8Array; readonly aad: Uint8Array }
  /** A proposal kept for a later Commit of this epoch to refer to. */
  | { readonly kind: 'proposal'; readonly sender: Sender; readonly proposal: Proposal; readonly ref: Uint8Array }
  | ({ readonly kind: 'commit'; readonly sender: Sender; readonly epoch: bigint; /** DMLS only: the new epoch's dmls_epoch. */ readonly dmlsEpoch?: Uint8Array } & CommitSummary);

/** One proposal for propose(): exactly one field. */
export interface ProposalRequest {
  /** An Update of this member's leaf: a new encryption key (§12.1.2). */
  readonly update?: true;
  readonly add?: Uint8Array;
  readonly remove?: number;
  /** The psk_id of an external PSK. */
  readonly psk?: Uint8Array;
  readonly extensions?: readonly Extension[];
}

function invalidRequest(): never {
  throw new TypeError('propose: give one of update, add, remove, psk or extensions');
}

function hexOf(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

export interface CommitRequest {
  /** KeyPackages to add (MLSMessage or bare). */
  readonly add?: readonly Uint8Array[];
  /** Leaf indexes to remove. */
  readonly remove?: readonly number[];
  /** Include a path (a full-path update of this member's keys). */
  readonly update?: boolean;
  /** External PSKs to inject (a PreSharedKey proposal each). */
  readonly psks?: readonly ExternalPsk[];
  /** New GroupContext extensions (a GroupContextExtensions proposal). */
  readonly extensions?: readonly Extension[];
  /** 'public' or 'private' (a PrivateMessage); default: what the policy requires, else 'public'. */
  readonly wireFormat?: 'public' | 'private';
  /** Default true: the GroupInfo and the Welcome carry the ratchet tree. */
  readonly ratchetTreeInGroupInfo?: boolean;
  /**
   * Close this group with a ReInit (§11.2), alone in the Commit: the new group's id (default random),
   * suite and extensions (default this group's).
   */
  readonly reinit?: { readonly groupId?: Uint8Array; readonly suite?: number; readonly extensions?: readonly Extension[] };
  /**
   * In a new group's first Commit: resume `from` (a reinitialized group, or the group a branch is taken
   * from, §11.2, §11.3) with its current resumption PSK; the Welcome's joiners need it too (joinGroup's resumeFrom).
   */
  readonly resume?: { readonly from: Group; readonly usage: 'reinit' | 'branch' };
}

const DEFAULT_KEPT_RESUMPTION_PSKS = 8;
const STATE = Symbol('wirecrypt.mls.state');

export class Group {
  #state: GroupState | undefined;
  #proposals: CachedProposal[] = [];
  /** epoch → a copy of that epoch's resumption_psk, oldest first. */
  readonly #resumption = new Map<bigint, Uint8Array>();
  readonly #options: GroupOptions;
  #pending: CreatedCommit | undefined;
  /** This member's signing key prepared for many signatures (signingKeyFor), made on first use. */
  #signer: SigningKey | undefined;
  /** The key pairs of this epoch's own Update proposals, by their leaf's new encryption key (hex). */
  #ownUpdates = new Map<string, KeyPair>();
  /** DMLS: the kept epochs (undefined: an RFC 9420 group). */
  #dmls: DmlsEpochStore<DmlsKept> | undefined;
  /** DMLS: the pending Commit's parent epoch and its new epoch's dmls_epoch and PPRF. */
  #pendingDmls: { readonly parent: Uint8Array; readonly keys: DmlsEpochKeys } | undefined;

  /** @internal Use joinGroup, createGroup or loadGroup. */
  constructor(state: GroupState, options: GroupOptions, proposals: CachedProposal[] = [], restored?: SavedDmls<Pprf>) {
    this.#state = state;
    this.#options = groupOptionsOf(options);
    this.#proposals = proposals;
    if (restored !== undefined) {
      const store = DmlsEpochStore.restore<DmlsKept>(state.suite, restored.epochs.map((e) => ({
        dmlsEpoch: e.dmlsEpoch, ...(e.parent !== undefined ? { parent: e.parent } : {}), epoch: e.state.epoch,
        confirmedTranscriptHash: e.state.groupContext.confirmedTranscriptHash, parentInit: e.parentInit,
        state: { state: e.state, proposals: e.head ? proposals : [...e.proposals] },
      })), { maxEpochs: options.dmls?.maxEpochs ?? restored.maxEpochs, onEvict: (e) => this.#evicted(e) });
      if (store.head()?.state.state !== state) throw new MlsError('invalid-saved-state', 'the saved head is not the epoch the fork rule selects');
      this.#dmls = store;
    } else if (options.dmls !== undefined) {
      // The first epoch (created or joined): dmls_epoch and parent_init replace epoch_secret and
      // init_secret, which are wiped with the joiner_secret (dmlsEpochKeys wipes epoch_secret).
      const store = new DmlsEpochStore<DmlsKept>(state.suite, {
        ...(options.dmls.maxEpochs !== undefined ? { maxEpochs: options.dmls.maxEpochs } : {}), onEvict: (e) => this.#evicted(e),
      });
      const keys = this.#dmlsKeys(state);
      store.add({
        dmlsEpoch: keys.dmlsEpoch, epoch: state.epoch, confirmedTranscriptHash: state.groupContext.confirmedTranscriptHash,
        parentInit: keys.parentInit, state: { state, proposals },
      });
      this.#dmls = store;
    }
    this.#keepResumptionPsk(state);
  }

  /** DMLS: dmls_epoch and the parent_init PPRF of a new epoch; its epoch_secret, init_secret and joiner_secret are wiped. */
  #dmlsKeys(state: GroupState): DmlsEpochKeys {
    state.epochSecrets.initSecret.fill(0);
    state.epochSecrets.joinerSecret.fill(0);
    return dmlsEpochKeys(state.suite, state.epochSecrets.epochSecret);
  }

  /** The private keys some kept epoch (or the pending Commit's new one) still holds. */
  #heldKeys(): Set<KeyPair> {
    const held = new Set<KeyPair>();
    const add = (s: GroupState) => { for (const x of s.privateState.nodes()) held.add(s.privateState.keyPair(x)!); };
    for (const e of this.#dmls?.entries() ?? []) add(e.state.state);
    if (this.#pending !== undefined) add(this.#pending.next);
    return held;
  }

  /** Wipes `state`'s private keys that nothing kept holds, its secret tree and epoch secrets (retireEpoch for a DMLS epoch). */
  #wipeUnkept(state: GroupState): void {
    const held = this.#heldKeys();
    for (const x of state.privateState.nodes()) {
      const kp = state.privateState.keyPair(x)!;
      if (!held.has(kp)) kp.secretKey.fill(0);
    }
    state.secretTree.dispose();
    wipeEpochSecrets(state.epochSecrets);
  }

  /** The store's onEvict: the epoch's PPRF is disposed already. */
  #evicted(entry: DmlsEpochEntry<DmlsKept>): void {
    this.#wipeUnkept(entry.state.state);
    entry.state.proposals.length = 0;
  }

  /** DMLS: keeps `next` (a child of `parent`) and moves to the store's head. Returns next's dmls_epoch. */
  #enterDmls(store: DmlsEpochStore<DmlsKept>, parent: Uint8Array, next: GroupState, keys: DmlsEpochKeys): Uint8Array {
    try {
      store.add({
        dmlsEpoch: keys.dmlsEpoch, parent, epoch: next.epoch, confirmedTranscriptHash: next.groupContext.confirmedTranscriptHash,
        parentInit: keys.parentInit, state: { state: next, proposals: [] },
      });
    } catch (e) {
      keys.parentInit.dispose();
      this.#wipeUnkept(next);
      throw e;
    }
    const head = store.head()!.state;
    if (head.state !== this.#state) {
      const kept = this.#heldKeys();
      for (const kp of this.#ownUpdates.values()) if (!kept.has(kp)) kp.secretKey.fill(0);
      this.#ownUpdates.clear();
      this.#state = head.state;
      this.#proposals = head.proposals;
      this.#keepResumptionPsk(head.state);
    }
    return keys.dmlsEpoch.slice();
  }

  /** DMLS: the current epoch's dmls_epoch (the store's head); undefined for an RFC 9420 group. */
  get dmlsEpoch(): Uint8Array | undefined {
    this.#live();
    return this.#dmls?.head()?.dmlsEpoch.slice();
  }

  /** @internal DMLS: the kept epochs (tests inspect their PPRFs). */
  static dmlsStoreOf(group: Group): DmlsEpochStore<DmlsKept> | undefined {
    return group.#dmls;
  }

  /** DMLS: wraps an outgoing message of the current epoch, or of the epoch `dmlsEpoch`. */
  #wrap(message: MlsMessage, dmlsEpoch?: Uint8Array): Uint8Array {
    if (this.#dmls === undefined) return encodeMlsMessage(message);
    return encodeDmlsMessage({ message: message as DmlsFramedMessage, dmlsEpoch: dmlsEpoch ?? this.#dmls.head()!.dmlsEpoch });
  }

  /**
   * The group's state as bytes (group/persist.ts), for loadGroup in this or another process. It holds
   * every secret of the epoch in the clear: encrypt it at rest. Not in it: a pending Commit, the
   * resumption PSKs of past epochs, and the options (give them to loadGroup again).
   */
  save(): Uint8Array {
    const state = this.#live();
    const store = this.#dmls;
    if (store === undefined) return saveGroupState(state, this.#proposals);
    const head = store.head()!;
    const epochs = store.entries().map((e) => ({
      dmlsEpoch: e.dmlsEpoch, ...(e.parent !== undefined ? { parent: e.parent } : {}), head: e === head,
      parentInit: e.parentInit.toState(), state: e.state.state, proposals: e.state.proposals,
    }));
    try {
      return saveGroupState(state, this.#proposals, { maxEpochs: store.maxEpochs, epochs });
    } finally {
      for (const e of epochs) wipePprfState(e.parentInit);
    }
  }

  /** @internal The current epoch's state, for the tests and the layers beside this one. */
  get [STATE](): GroupState {
    return this.#live();
  }

  get cipherSuite(): number {
    return this.#live().suite.id;
  }

  get groupId(): Uint8Array {
    return this.#live().groupId.slice();
  }

  get epoch(): bigint {
    return this.#live().epoch;
  }

  /** This epoch's epoch_authenticator (§8.7): equal at every member iff they agree on the group. */
  get epochAuthenticator(): Uint8Array {
    return this.#live().epochAuthenticator.slice();
  }

  /** Our own leaf index. */
  get leafIndex(): number {
    return this.#live().leafIndex;
  }

  /**
   * The parameters of the new group this one continues as, once a ReInit Commit closed it (§11.2);
   * undefined while the group is open. A closed group refuses every message and operation
   * ('group-reinitialized') but can still be resumed from (commit({ resume }), joinGroup's resumeFrom).
   */
  get reinit(): { groupId: Uint8Array; cipherSuite: number; extensions: readonly Extension[] } | undefined {
    const r = this.#live().reinit;
    return r === undefined ? undefined : { groupId: r.groupId.slice(), cipherSuite: r.cipherSuite, extensions: r.extensions };
  }

  /** @internal What a group resuming this one needs of it (§8.6): its id, suite, resumption PSKs and ReInit. */
  static resumptionSourceOf(group: Group): ResumptionSource {
    const state = group.#live();
    return {
      groupId: state.groupId, cipherSuite: state.suite.id, psk: (epoch) => group.#resumption.get(epoch),
      ...(state.reinit !== undefined ? { reinit: state.reinit } : {}),
    };
  }

  /** The leaf indexes of the members, in increasing order. */
  get members(): number[] {
    return this.#live().tree.members();
  }

  /** The ratchet tree (the TLS encoding of the ratchet_tree extension's data), for joiners who get it out of band (§12.4.3.3). */
  get ratchetTree(): Uint8Array {
    return this.#live().tree.encode();
  }

  /** MLS-Exporter(label, context, length) of the current epoch (§8.5). */
  exportSecret(label: string | Uint8Array, context: Uint8Array, length: number): Uint8Array {
    return this.#live().exportSecret(label, context, length);
  }

  /**
   * Processes one MLSMessage (PublicMessage or PrivateMessage) of the current epoch. MlsError, with
   * the group unchanged: 'malformed-message' (does not decode), 'not-framed-content' (a Welcome,
   * GroupInfo or KeyPackage), the framing codes ('wrong-group', 'wrong-epoch', 'invalid-signature',
   * 'invalid-membership-tag', 'decryption-failed', generation codes, …) and the Commit codes of
   * processCommit ('unknown-proposal', 'invalid-commit', 'invalid-confirmation-tag', 'removed-from-group', …),
   * and what the policy refuses ('forbidden-by-policy').
   */
  process(bytes: Uint8Array): ProcessResult {
    if (this.#dmls !== undefined) return this.#processDmls(this.#dmls, bytes);
    const state = this.#open();
    const message = decode(bytes);
    const contentType = message.kind === 'mls_public_message'
      ? message.publicMessage.content.body.kind
      : message.kind === 'mls_private_message' ? message.privateMessage.contentType : undefined;
    switch (contentType) {
      case undefined:
        throw new MlsError('not-framed-content', `an MLSMessage of wire format ${message.kind} is not a group message`);
      case 'proposal': {
        this.#admit(state, message);
        const cached = receiveProposal(state, message);
        this.#proposals.push(cached);
        return { kind: 'proposal', sender: cached.sender, proposal: cached.proposal, ref: cached.ref.slice() };
      }
      case 'commit':
        this.#admit(state, message);
        return this.#commit(state, message);
      case 'application':
        return application(state, message);
    }
  }

  /**
   * The policy's verdict on a received proposal or Commit (GroupPolicy). A PublicMessage is refused
   * when handshakes must be private; otherwise the message is authenticated without spending its
   * generation (unprotectDeferred, then discard) and its proposals are shown to the policy.
   * Processing authenticates it again: a second decryption and signature check, paid only with a policy.
   */
  #admit(state: GroupState, message: MlsMessage, cachedProposals: readonly CachedProposal[] = this.#proposals): void {
    const policy = this.#options.policy;
    if (policy === undefined) return;
    if (policy.handshakeWireFormat === 'private' && message.kind === 'mls_public_message') {
      throw new MlsError('forbidden-by-policy', 'handshake messages must be PrivateMessages in this group');
    }
    const pending = unprotectDeferred(state.suite, unprotectParams(state), message);
    try {
      const { sender, body } = pending.authenticated.content;
      if (body.kind === 'proposal') {
        policy.check({ kind: 'proposal', direction: 'receive', sender, proposals: [{ proposal: body.proposal, sender }], members: membersOf(state) });
      } else if (body.kind === 'commit') {
        const proposals = body.commit.proposals.flatMap((p) => {
          if (p.kind === 'proposal') return [{ proposal: p.proposal, sender }];
          const hit = cachedProposals.find((c) => c.epoch === state.epoch && c.ref.length === p.reference.length && ctEqual(c.ref, p.reference));
          return hit === undefined ? [] : [{ proposal: hit.proposal, sender: hit.sender }]; // an unknown reference is processCommit's to refuse
        });
        policy.check({ kind: 'commit', direction: 'receive', sender, proposals, members: membersOf(state) });
      }
    } finally {
      pending.discard();
    }
  }

  /** The policy's verdict on a proposal or Commit this member is about to create. */
  #checkSend(state: GroupState, kind: 'proposal' | 'commit', proposals: readonly { proposal: Proposal; sender: Sender }[]): void {
    this.#options.policy?.check({ kind, direction: 'send', sender: { kind: 'member', leafIndex: state.leafIndex }, proposals, members: membersOf(state) });
  }

  /** The wire format of a handshake message this member sends: as requested, else the policy's, else 'public'. */
  #handshakeWireFormat(requested: 'public' | 'private' | undefined): 'public' | 'private' {
    const required = this.#options.policy?.handshakeWireFormat;
    if (required !== undefined && requested !== undefined && requested !== required) {
      throw new MlsError('forbidden-by-policy', `handshake messages must be PrivateMessages in this group, not ${requested}`);
    }
    return requested ?? required ?? 'public';
  }

  #commit(state: GroupState, message: MlsMessage): ProcessResult {
    const options = this.#options;
    const now = options.now?.();
    const { state: next, summary } = processCommitSummarized(state, message, this.#proposals, {
      ...(options.psks !== undefined ? { psks: options.psks } : {}),
      ...(options.secretTree !== undefined ? { secretTree: options.secretTree } : {}),
      ...(now !== undefined ? { now } : {}),
      resumptionPsk: (groupId, epoch) => (ctEqual(groupId, state.groupId) ? this.#resumption.get(epoch) : undefined),
      ownUpdateKey: (key) => this.#ownUpdates.get(hexOf(key)),
    });
    this.discardPendingCommit(); // another member's Commit of this epoch won
    this.#enter(state, next);
    const sender: Sender = message.kind === 'mls_public_message' ? message.publicMessage.content.sender : { kind: 'member', leafIndex: summary.committer };
    return { kind: 'commit', sender, epoch: next.epoch, ...summary };
  }

  /**
   * DMLS: one DMLSMessage, processed in the kept epoch it names (see the module comment). MlsError
   * as process(), plus 'dmls-unknown-epoch', 'dmls-wire-format', 'dmls-epoch-length' and, for a
   * Commit already processed, 'pprf-punctured'.
   */
  #processDmls(store: DmlsEpochStore<DmlsKept>, bytes: Uint8Array): ProcessResult {
    const suite = this.#open().suite;
    let decoded;
    try {
      decoded = decodeDmlsMessage(bytes, { hashLength: suite.hashLength });
    } catch (e) {
      if (e instanceof DecodeError) throw new MlsError('malformed-message', `the DMLSMessage does not decode: ${e.message}`);
      throw e;
    }
    const { message, dmlsEpoch } = decoded;
    const entry = store.get(dmlsEpoch);
    if (entry === undefined) throw new MlsError('dmls-unknown-epoch', 'the message is of an epoch this member does not keep (too old, evicted, or never seen)');
    const { state, proposals } = entry.state;
    requireOpen(state);
    const contentType = message.kind === 'mls_public_message' ? message.publicMessage.content.body.kind : message.privateMessage.contentType;
    switch (contentType) {
      case 'proposal': {
        this.#admit(state, message, proposals);
        const cached = receiveProposal(state, message);
        proposals.push(cached);
        return { kind: 'proposal', sender: cached.sender, proposal: cached.proposal, ref: cached.ref.slice() };
      }
      case 'commit': {
        this.#admit(state, message, proposals);
        const { state: next, summary } = processCommitSummarized(state, message, proposals, {
          ...this.#commitOptions(state), dmls: { parentInit: entry.parentInit },
        });
        let keys: DmlsEpochKeys;
        try {
          keys = this.#dmlsKeys(next);
        } catch (e) {
          this.#wipeUnkept(next);
          throw e;
        }
        const id = this.#enterDmls(store, entry.dmlsEpoch, next, keys);
        const sender: Sender = message.kind === 'mls_public_message' ? message.publicMessage.content.sender : { kind: 'member', leafIndex: summary.committer };
        return { kind: 'commit', sender, epoch: next.epoch, dmlsEpoch: id, ...summary };
      }
      case 'application':
        return application(state, message);
    }
  }

  /** processCommit's options for a Commit of `state`'s epoch. */
  #commitOptions(state: GroupState) {
    const options = this.#options;
    const now = options.now?.();
    return {
      ...(options.psks !== undefined ? { psks: options.psks } : {}),
      ...(options.secretTree !== undefined ? { secretTree: options.secretTree } : {}),
      ...(now !== undefined ? { now } : {}),
      resumptionPsk: (groupId: Uint8Array, epoch: bigint) => (ctEqual(groupId, state.groupId) ? this.#resumption.get(epoch) : undefined),
      ownUpdateKey: (key: Uint8Array) => this.#ownUpdates.get(hexOf(key)),
    };
  }

  #enter(old: GroupState, next: GroupState): void {
    retireEpoch(old, next);
    const kept = new Set(next.privateState.nodes().map((x) => next.privateState.keyPair(x)));
    for (const kp of this.#ownUpdates.values()) if (!kept.has(kp)) kp.secretKey.fill(0);
    this.#ownUpdates.clear();
    this.#state = next;
    this.#proposals = [];
    this.#keepResumptionPsk(next);
  }

  /**
   * Creates a Commit of the current epoch (§12.4.1) with every proposal received in it by
   * reference, plus Adds of `add` (KeyPackages, as MLSMessages or bare), Removes of `remove` (leaf
   * indexes), PreSharedKey proposals for `psks` (external PSKs, which must also be among the
   * group's `psks` option… or given here), a GroupContextExtensions proposal for `extensions`, and a
   * path when one is required or `update` is set. The group stays in the current epoch until
   * applyPendingCommit(); a Commit of another member processed meanwhile discards this one.
   * Returns MLSMessage bytes (the GroupInfo as an MLSMessage of wire format mls_group_info).
   */
  commit(request: CommitRequest = {}): { commit: Uint8Array; welcome?: Uint8Array; groupInfo: Uint8Array } {
    const state = this.#open();
    if (this.#pending !== undefined) throw new MlsError('commit-pending', 'a Commit of this epoch is pending: apply or discard it first');
    const suite = state.suite;
    const psks = [...(this.#options.psks ?? []), ...(request.psks ?? [])];
    const resume = request.resume === undefined ? undefined : this.#resumptionProposal(state, request.resume);
    const reinit = request.reinit === undefined ? [] : [{
      kind: 'reinit', groupId: request.reinit.groupId?.slice() ?? suite.provider.randomBytes(32), version: 1,
      cipherSuite: request.reinit.suite ?? suite.id, extensions: request.reinit.extensions ?? state.groupContext.extensions,
    } as const];
    const byValue = [
      ...reinit,
      ...(resume !== undefined ? [resume.proposal] : []),
      ...(request.add ?? []).map((kp) => ({ kind: 'add', keyPackage: decodeKeyPackageBytes(kp) }) as const),
      ...(request.remove ?? []).map((removed) => ({ kind: 'remove', removed }) as const),
      ...(request.psks ?? []).map((p) => ({ kind: 'psk', psk: { type: PskType.external, pskId: p.id.slice(), nonce: suite.provider.randomBytes(suite.hashLength) } }) as const),
      ...(request.extensions !== undefined ? [{ kind: 'group_context_extensions', extensions: request.extensions } as const] : []),
    ];
    // A ReInit stands alone (§12.2): the proposals received this epoch wait for the new group.
    // Our own Updates are not committed by us: the path re-keys our leaf (§12.2).
    const byReference = reinit.length > 0 ? [] : this.#proposals.filter((p) => !(p.proposal.kind === 'update' && p.sender.kind === 'member' && p.sender.leafIndex === state.leafIndex));
    const wireFormat = this.#handshakeWireFormat(request.wireFormat);
    const self: Sender = { kind: 'member', leafIndex: state.leafIndex };
    this.#checkSend(state, 'commit', [...byReference.map((p) => ({ proposal: p.proposal, sender: p.sender })), ...byValue.map((proposal) => ({ proposal, sender: self }))]);
    const now = this.#options.now?.();
    const created = createCommit(state, {
      byReference, byValue, ...(request.update === true ? { path: true } : {}), psks,
      ...(resume !== undefined ? { resuming: true } : {}),
      wireFormat,
      ...(request.ratchetTreeInGroupInfo !== undefined ? { ratchetTreeInGroupInfo: request.ratchetTreeInGroupInfo } : {}),
      ...(this.#options.secretTree !== undefined ? { secretTree: this.#options.secretTree } : {}),
      ...(now !== undefined ? { now } : {}),
      resumptionPsk: (groupId, epoch) => (ctEqual(groupId, state.groupId) ? this.#resumption.get(epoch) : resume?.source.psk(epoch)),
      ...(this.#dmls !== undefined ? { dmls: { parentInit: this.#dmls.head()!.parentInit } } : {}),
    });
    this.#pending = created;
    if (this.#dmls !== undefined) {
      // The Welcome is sealed: nothing needs the new epoch's joiner, epoch or init secret any more.
      this.#pendingDmls = { parent: this.#dmls.head()!.dmlsEpoch, keys: this.#dmlsKeys(created.next) };
    }
    // groupInfo is a getter: the GroupInfo is signed and encoded (the whole tree, unless left out)
    // only for a caller that reads it, and never with a key dispose() has wiped.
    let groupInfo: Uint8Array | undefined;
    const group = this;
    return {
      commit: this.#wrap(created.message),
      ...(created.welcome !== undefined ? { welcome: encodeMlsMessage({ kind: 'mls_welcome', welcome: created.welcome }) } : {}),
      get groupInfo(): Uint8Array {
        if (groupInfo === undefined) {
          group.#live();
          groupInfo = encodeMlsMessage({ kind: 'mls_group_info', groupInfo: created.groupInfo() });
        }
        return groupInfo;
      },
    };
  }

  /**
   * The PreSharedKey proposal of a resumption PSK of `from` (§8.6) for this new group's first Commit,
   * after the checks of §11.2 (reinit: this group has the ReInit's id, suite and extensions) and
   * §11.3 (branch: the same suite). MlsError 'invalid-resumption'.
   */
  #resumptionProposal(state: GroupState, resume: NonNullable<CommitRequest['resume']>) {
    const source = Group.resumptionSourceOf(resume.from);
    if (resume.usage === 'reinit') {
      const r = source.reinit;
      if (r === undefined) throw new MlsError('invalid-resumption', 'the group to resume was not reinitialized');
      if (!ctEqual(r.groupId, state.groupId) || r.cipherSuite !== state.suite.id || !ctEqual(encodeExtensions(r.extensions), encodeExtensions(state.groupContext.extensions))) {
        throw new MlsError('invalid-resumption', "this group's id, suite or extensions are not the ReInit's");
      }
    } else if (source.cipherSuite !== state.suite.id) {
      throw new MlsError('invalid-resumption', 'a branch keeps the cipher suite of its group');
    }
    const epoch = resume.from.epoch;
    const proposal: Proposal = {
      kind: 'psk',
      psk: { type: PskType.resumption, usage: ResumptionUsage[resume.usage], groupId: source.groupId.slice(), epoch, nonce: state.suite.provider.randomBytes(state.suite.hashLength) },
    };
    return { proposal, source };
  }

  /** Moves to the epoch of the pending Commit (§12.4.1: once the delivery service accepted it). */
  applyPendingCommit(): { kind: 'commit'; epoch: bigint; dmlsEpoch?: Uint8Array } & CommitSummary {
    const state = this.#live();
    const pending = this.#pending;
    if (pending === undefined) throw new MlsError('no-pending-commit', 'there is no pending Commit');
    const store = this.#dmls;
    if (store !== undefined) {
      const { parent, keys } = this.#pendingDmls!;
      if (!store.has(parent)) {
        this.discardPendingCommit();
        throw new MlsError('dmls-unknown-epoch', 'the pending Commit\'s epoch was evicted meanwhile: the Commit is discarded');
      }
      this.#pending = undefined;
      this.#pendingDmls = undefined;
      pending.dmlsInit!.commit(); // applied: this child can never be derived again
      const dmlsEpoch = this.#enterDmls(store, parent, pending.next, keys);
      return { kind: 'commit', epoch: pending.next.epoch, dmlsEpoch, ...pending.summary };
    }
    this.#pending = undefined;
    this.#enter(state, pending.next);
    return { kind: 'commit', epoch: pending.next.epoch, ...pending.summary };
  }

  /** Forgets the pending Commit (its new epoch's secrets and keys are wiped). */
  discardPendingCommit(): void {
    const pending = this.#pending;
    if (pending === undefined) return;
    this.#pending = undefined;
    const { next } = pending;
    if (this.#dmls !== undefined) {
      pending.dmlsInit?.discard(); // the point stays evaluable: the Commit may still come back
      this.#pendingDmls?.keys.parentInit.dispose();
      this.#pendingDmls = undefined;
      this.#wipeUnkept(next);
      return;
    }
    const state = this.#state;
    if (state !== undefined) {
      for (const x of next.privateState.nodes()) {
        const kp = next.privateState.keyPair(x)!;
        if (state.privateState.keyPair(x) !== kp) kp.secretKey.fill(0);
      }
    }
    next.secretTree.dispose();
    wipeEpochSecrets(next.epochSecrets);
  }

  /**
   * Proposes one change by reference (§12.1): an Update of this member's leaf, an Add of a
   * KeyPackage, a Remove of a leaf, an external PSK, or new GroupContext extensions. The proposal is
   * kept for this member's next Commit, like those received from others (its own Update excepted: a
   * committer re-keys with its path). Sent as `requestedWireFormat`, else as the policy requires,
   * else as a PublicMessage.
   */
  propose(request: ProposalRequest, requestedWireFormat?: 'public' | 'private'): Uint8Array {
    const state = this.#open();
    const suite = state.suite;
    const wireFormat = this.#handshakeWireFormat(requestedWireFormat);
    const update = request.update === true ? this.#updateLeaf(state) : undefined;
    const proposal: Proposal = update !== undefined ? { kind: 'update', leafNode: update.leafNode }
      : request.add !== undefined ? { kind: 'add', keyPackage: decodeKeyPackageBytes(request.add) }
      : request.remove !== undefined ? { kind: 'remove', removed: request.remove }
      : request.psk !== undefined ? { kind: 'psk', psk: { type: PskType.external, pskId: request.psk.slice(), nonce: suite.provider.randomBytes(suite.hashLength) } }
      : request.extensions !== undefined ? { kind: 'group_context_extensions', extensions: request.extensions }
      : invalidRequest();
    try {
      this.#checkSend(state, 'proposal', [{ proposal, sender: { kind: 'member', leafIndex: state.leafIndex } }]);
    } catch (e) {
      update?.keyPair.secretKey.fill(0);
      throw e;
    }
    if (update !== undefined) this.#ownUpdates.set(hexOf(update.keyPair.publicKey), update.keyPair);
    const content = {
      groupId: state.groupId, epoch: state.epoch, sender: { kind: 'member', leafIndex: state.leafIndex } as const,
      authenticatedData: new Uint8Array(0), body: { kind: 'proposal', proposal } as const,
    };
    const params = { groupContext: state.groupContext, signatureKey: state.signaturePrivateKey };
    const authenticated = authenticateContent(suite, params, wireFormat === 'public' ? PUBLIC_MESSAGE : PRIVATE_MESSAGE, content);
    const message: MlsMessage = wireFormat === 'public'
      ? { kind: 'mls_public_message', publicMessage: toPublicMessage(suite, { groupContext: state.groupContext, membershipKey: state.epochSecrets.membershipKey }, authenticated) }
      : { kind: 'mls_private_message', privateMessage: toPrivateMessage(suite, { secretTree: state.secretTree, senderDataSecret: state.epochSecrets.senderDataSecret }, authenticated) };
    this.#proposals.push({ ref: proposalRef(suite, authenticated), proposal, sender: content.sender, epoch: state.epoch });
    return this.#wrap(message);
  }

  /** A new leaf for an Update proposal (§12.1.2) and its fresh encryption key pair, which propose() keeps until the epoch ends. */
  #updateLeaf(state: GroupState): { leafNode: LeafNode; keyPair: KeyPair } {
    const current = state.tree.leaf(state.leafIndex)!;
    const keyPair = state.suite.hpke.generateKeyPair();
    const unsigned: LeafNode = { ...current, encryptionKey: keyPair.publicKey, source: { kind: 'update' }, signature: new Uint8Array(0) };
    const tbs = encodeLeafNodeTbs(unsigned, { groupId: state.groupId, leafIndex: state.leafIndex });
    return { leafNode: { ...unsigned, signature: signWithLabel(state.suite, state.signaturePrivateKey, 'LeafNodeTBS', tbs) }, keyPair };
  }

  /** Encrypts application data as a PrivateMessage of the current epoch (§6.3), signed by this member. */
  encrypt(plaintext: Uint8Array, aad: Uint8Array = new Uint8Array(0), paddingLength = 0): Uint8Array {
    bytes(plaintext, 'Group.encrypt', 'plaintext');
    bytes(aad, 'Group.encrypt', 'aad');
    const state = this.#open();
    // The signer is made once: every message is signed (§6.1), and re-expanding the key per message cost half the time.
    this.#signer ??= signingKeyFor(state.suite, state.signaturePrivateKey);
    const privateMessage = protectPrivate(state.suite, {
      groupContext: state.groupContext, signatureKey: this.#signer, secretTree: state.secretTree,
      senderDataSecret: state.epochSecrets.senderDataSecret, paddingLength,
      content: {
        groupId: state.groupId, epoch: state.epoch, sender: { kind: 'member', leafIndex: state.leafIndex },
        authenticatedData: aad, body: { kind: 'application', applicationData: plaintext },
      },
    });
    // Outside DMLS the MLSMessage is written straight into a buffer of its size (encodeMlsPrivateMessage).
    return this.#dmls === undefined ? encodeMlsPrivateMessage(privateMessage) : this.#wrap({ kind: 'mls_private_message', privateMessage });
  }

  #keepResumptionPsk(state: GroupState): void {
    this.#resumption.get(state.epoch)?.fill(0); // a fork of the same epoch (DMLS) replaces it
    this.#resumption.set(state.epoch, state.epochSecrets.resumptionPsk.slice());
    const keep = (this.#options.keptResumptionPsks ?? DEFAULT_KEPT_RESUMPTION_PSKS) + 1;
    for (const [epoch, psk] of this.#resumption) {
      if (this.#resumption.size <= keep) break;
      psk.fill(0);
      this.#resumption.delete(epoch);
    }
  }

  /** The state of a group that is neither disposed nor closed by a ReInit. */
  #open(): GroupState {
    const state = this.#live();
    requireOpen(state);
    return state;
  }

  #live(): GroupState {
    if (this.#state === undefined) throw new MlsError('disposed', 'this group was disposed');
    return this.#state;
  }

  /** Wipes every secret the group holds (epoch secrets, secret tree, private keys, kept PSKs); the group is unusable after. */
  dispose(): void {
    const state = this.#state;
    if (state === undefined) return;
    this.discardPendingCommit();
    if (this.#signer !== undefined && !(this.#signer instanceof Uint8Array)) this.#signer.dispose();
    this.#signer = undefined;
    if (this.#dmls !== undefined) {
      this.#dmls.dispose(); // every kept epoch, the current one included, wiped by #evicted
      for (const x of state.privateState.nodes()) state.privateState.keyPair(x)!.secretKey.fill(0);
    } else {
      for (const x of state.privateState.nodes()) state.privateState.keyPair(x)!.secretKey.fill(0);
      state.secretTree.dispose();
      wipeEpochSecrets(state.epochSecrets);
    }
    state.signaturePrivateKey.fill(0);
    for (const psk of this.#resumption.values()) psk.fill(0);
    this.#resumption.clear();
    for (const kp of this.#ownUpdates.values()) kp.secretKey.fill(0);
    this.#ownUpdates.clear();
    this.#proposals = [];
    this.#state = undefined;
  }
}

/** @internal The current GroupState of `group` (tests, persistence). */
export function stateOf(group: Group): GroupState {
  return group[STATE];
}

/** @internal MLSMessage bytes decoded; MlsError 'malformed-message' for anything else. */
export function decode(bytes: Uint8Array): MlsMessage {
  try {
    return decodeMlsMessage(bytes);
  } catch (e) {
    if (e instanceof DecodeError) throw new MlsError('malformed-message', `the MLSMessage does not decode: ${e.message}`);
    throw e;
  }
}

function membersOf(state: GroupState): { leafIndex: number; credential: Credential }[] {
  return state.tree.members().map((leafIndex) => ({ leafIndex, credential: state.tree.leaf(leafIndex)!.credential }));
}

function encodeExtensions(extensions: readonly Extension[]): Uint8Array {
  return encode((w) => writeVector(w, extensions, writeExtension));
}

function application(state: GroupState, message: MlsMessage): ProcessResult {
  const authenticated = unprotect(state.suite, unprotectParams(state), message);
  const { content } = authenticated;
  if (content.body.kind !== 'application' || content.sender.kind !== 'member') {
    throw new MlsError('invalid-message', 'application data must come from a member'); // unreachable: PrivateMessage senders are members
  }
  return { kind: 'application', sender: content.sender.leafIndex, plaintext: content.body.applicationData, aad: content.authenticatedData };
}
