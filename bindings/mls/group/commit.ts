// Receiving proposals and processing a Commit (RFC 9420 §12.1–§12.4.2): the step that moves a
// member's GroupState from one epoch to the next.
//
//   receiveProposal(state, message)             → CachedProposal   (§12.1, §5.2 ProposalRef)
//   processCommit(state, message, cached, opts) → the next GroupState (§12.4.2)
//
// processCommit, in order:
//   1. unprotect the PublicMessage / PrivateMessage of the current epoch (framing/: group, epoch,
//      membership tag, signature); the content must be a commit from another member;
//   2. resolve the proposal list: by value (sender = the committer) or by reference to a proposal
//      received in this epoch (ProposalRef = RefHash("MLS 1.0 Proposal Reference", AuthenticatedContent));
//   3. validate the list (§12.2, the main rules: known and supported types; no Update by the
//      committer; no Remove of the committer; at most one Update/Remove per leaf; Removes of
//      members only; no two Adds of one signature key; distinct PSK ids; at most one
//      GroupContextExtensions; a path whenever the list is empty or holds an Update, a Remove or a
//      GroupContextExtensions, §12.4); Update leaves and Add KeyPackages are validated (§7.3, §10.1);
//   4. apply the proposals on a clone of the tree (Updates, Removes, Adds, §12.3);
//   5. with a path, applyUpdatePath under the provisional GroupContext (epoch + 1, the new tree's
//      hash, the old confirmed transcript hash, the new extensions), the new members excluded;
//      without one, commit_secret = 0;
//   6. confirmed transcript hash from the commit's AuthenticatedContent (§8.2), the new
//      GroupContext, psk_secret (external PSKs from the options; resumption PSKs of the current
//      epoch from the state), the key schedule (§8);
//   7. the confirmation tag must be MAC(confirmation_key, confirmed_transcript_hash).
// Every failure is an MlsError and the given GroupState is left as it was (tree, private state,
// epoch secrets are never modified; a PrivateMessage commit spends its generation in the old
// epoch's secret tree only once the whole Commit is accepted). On success the caller owns both states: wipe the old one's
// epoch secrets, secret tree and replaced private keys (retireEpoch) when done with it.
//
// External commits (§12.4.3.2, sender new_member_commit): signed with the UpdatePath's leaf key, all
// proposals by value (one ExternalInit; Removes and PSKs), the joiner placed at the leftmost blank
// leaf, init_secret from the ExternalInit's kem_output and the epoch's external key pair (§8.3).
// A ReInit (alone in its Commit, §12.2) closes the group (§11.2): the next state records it, and
// that state refuses every further proposal and Commit ('group-reinitialized').
// Refused: unknown proposal types ('unsupported-proposal'), and Commits from external_senders
// senders, who may only propose (§6: a Commit comes from a member or an external joiner;
// 'invalid-sender'). Resumption PSKs of earlier epochs come from the
// caller (options.resumptionPsk); the current epoch's from the state.
//
// DMLS (options.dmls, draft-kohbrok-mls-dmls §4): the init secret is not state's init_secret but
// the child's, from the parent epoch's parent_init PPRF at the input that commit_confirmation (of the
// committer's root path secret, or Nh zeros without a path) and the new GroupContext name. It is
// derived tentatively and its point punctured only once the confirmation tag verifies, so a copy
// with an altered tag leaves the genuine Commit processable; a Commit already processed (its point
// punctured) is refused with 'pprf-punctured'. An external commit keeps its §8.3 init secret.

import { binaryString } from '../../codec/binary-string.js';
import { encode } from '../../codec/tls.js';
import type { KeyPair } from '../../x25519.js';
import { DecodeError } from '../../codec/reader.js';
import { ctEqual } from '../../compare.js';
import type { CipherSuite } from '../crypto/cipher-suite.js';
import { refHash, verifyWithLabel, verifyWithLabelBatch } from '../crypto/labels.js';
import { MlsError } from '../errors.js';
import type { Extension } from '../group-context.js';
import { externalKeyPair, wipeEpochSecrets } from '../key-schedule.js';
import { type UnprotectParams, unprotect, unprotectDeferred } from '../framing/protect.js';
import type { ProposalOrRef } from '../messages/commit.js';
import { ExtensionType } from '../messages/constants.js';
import { type RequiredCapabilities, decodeExternalSenders, decodeRequiredCapabilities } from '../messages/extensions.js';
import type { Sender } from '../messages/framing.js';
import { type AuthenticatedContent, encodeAuthenticatedContent } from '../messages/framing-inner.js';
import { encodeKeyPackageTbs } from '../messages/key-package.js';
import { type LeafNode, encodeLeafNodeTbs } from '../messages/leaf-node.js';
import { encodeCredential } from '../messages/credential.js';
import type { MlsMessage } from '../messages/mls-message.js';
import type { Proposal } from '../messages/proposal.js';
import { type PreSharedKeyId, PskType, ResumptionUsage, writePskId } from '../psk.js';
import type { SecretTreeOptions } from '../secret-tree.js';
import { confirmationTag as computeConfirmationTag } from '../transcript.js';
import { type ProposalWithSender, applyProposals } from '../tree/edits.js';
import type { PublicRatchetTree } from '../tree/ratchet-tree.js';
import { memberIndex, validateLeafNode } from '../tree/validate.js';
import { applyUpdatePath } from '../treekem/apply.js';
import { type TreeKemPrivateState, wipeReplacedKeys } from '../treekem/private-state.js';
import { commitConfirmation, deriveChildInitSecretTentatively, type TentativeInitSecret } from '../dmls/key-schedule.js';
import type { Pprf } from '../dmls/pprf.js';
import { type NextEpoch, groupStateOf, nextEpoch } from './epoch.js';
import type { ExternalPsk, GroupState } from './join.js';

const PROPOSAL_REF_LABEL = 'MLS 1.0 Proposal Reference';

/** A proposal received (and authenticated) in the current epoch, kept until the epoch's commit. */
export interface CachedProposal {
  /** ProposalRef (§5.2): RefHash("MLS 1.0 Proposal Reference", AuthenticatedContent). */
  readonly ref: Uint8Array;
  readonly proposal: Proposal;
  readonly sender: Sender;
  /** The epoch it was received in; processCommit ignores proposals of other epochs. */
  readonly epoch: bigint;
}

export interface ProcessCommitOptions {
  /** External PSKs this member holds (§8.4). */
  readonly psks?: readonly ExternalPsk[];
  /**
   * Resumption PSKs of earlier epochs (§8.6): the resumption_psk of epoch `epoch` of group `groupId`,
   * if this member kept it. The current epoch's comes from the state itself.
   */
  readonly resumptionPsk?: (groupId: Uint8Array, epoch: bigint) => Uint8Array | undefined;
  /** Seconds since the Unix epoch, for the lifetime checks of new leaves. */
  readonly now?: bigint;
  /** Limits of the new epoch's secret tree. */
  readonly secretTree?: SecretTreeOptions;
  /**
   * The key pair behind one of this member's own Update proposals (§12.1.2), by the leaf's new
   * encryption key: a Commit that includes the Update gives this member that leaf key.
   */
  readonly ownUpdateKey?: (encryptionKey: Uint8Array) => KeyPair | undefined;
  /**
   * DMLS: the parent epoch's parent_init PPRF (dmls/key-schedule.ts), from which the new epoch's
   * init secret comes instead of state's init_secret; its point is punctured once the Commit is
   * accepted (see the module comment).
   */
  readonly dmls?: { readonly parentInit: Pprf };
}

/** ProposalRef of an authenticated proposal (§5.2). */
export function proposalRef(suite: CipherSuite, authenticated: AuthenticatedContent): Uint8Array {
  return refHash(suite, PROPOSAL_REF_LABEL, encodeAuthenticatedContent(authenticated));
}

function externalSenderKey(state: GroupState, senderIndex: number): Uint8Array | undefined {
  const ext = state.groupContext.extensions.find((e) => e.type === ExtensionType.external_senders);
  if (ext === undefined) return undefined;
  try {
    return decodeExternalSenders(ext.data)[senderIndex]?.signatureKey;
  } catch (e) {
    if (e instanceof DecodeError) return undefined;
    throw e;
  }
}

/** §11.2: after a ReInit Commit the group takes no more proposals or Commits. */
export function requireOpen(state: GroupState): void {
  if (state.reinit !== undefined) throw new MlsError('group-reinitialized', 'the group was reinitialized: it continues as a new group');
}

/** The largest epoch (a uint64, §8.1): a group there can have no next epoch, so it takes no Commit. */
const LAST_EPOCH = 0xffffffffffffffffn;

/** Refuses a Commit in the group's last epoch (instead of failing to encode epoch 2^64 midway). */
export function requireNextEpoch(state: GroupState): void {
  if (state.epoch === LAST_EPOCH) throw new MlsError('last-epoch', 'the group is at epoch 2^64 − 1 and can have no next epoch');
}

function requireFramed(message: MlsMessage): void {
  if (message.kind !== 'mls_public_message' && message.kind !== 'mls_private_message') {
    throw new MlsError('not-framed-content', `an MLSMessage of wire format ${message.kind} carries no proposal or commit`);
  }
}

function unprotectIn(state: GroupState, message: MlsMessage): AuthenticatedContent {
  requireFramed(message);
  return unprotect(state.suite, unprotectParams(state), message);
}

/** The framing layer's view of `state`: keys and senders of its epoch (§6). */
export function unprotectParams(state: GroupState): UnprotectParams {
  return {
    groupContext: state.groupContext,
    membershipKey: state.epochSecrets.membershipKey,
    secretTree: state.secretTree,
    senderDataSecret: state.epochSecrets.senderDataSecret,
    signaturePublicKeyOf: (i) => (i < state.tree.leafCount ? state.tree.leaf(i)?.signatureKey : undefined),
    nonMemberSignaturePublicKey: (sender, content) => {
      if (sender.kind === 'external') return externalSenderKey(state, sender.senderIndex);
      // A new member proposing its own Add signs with its KeyPackage's leaf key (§12.1.8.1... §6.1).
      if (sender.kind === 'new_member_proposal' && content.body.kind === 'proposal' && content.body.proposal.kind === 'add') {
        return content.body.proposal.keyPackage.leafNode.signatureKey;
      }
      // An external joiner signs its Commit with the leaf key of its UpdatePath (§12.4.3.2).
      if (sender.kind === 'new_member_commit' && content.body.kind === 'commit') return content.body.commit.path?.leafNode.signatureKey;
      return undefined;
    },
  };
}

/**
 * Unprotects a proposal of the current epoch of `state` (PublicMessage or PrivateMessage) and returns
 * it with its ProposalRef, for a later Commit to refer to. MlsError: the framing codes
 * ('wrong-epoch', 'invalid-membership-tag', 'invalid-signature', …), 'not-a-proposal',
 * 'not-framed-content'. The state is not changed (except the generation a PrivateMessage spends).
 */
export function receiveProposal(state: GroupState, message: MlsMessage): CachedProposal {
  requireOpen(state);
  const authenticated = unprotectIn(state, message);
  const body = authenticated.content.body;
  if (body.kind !== 'proposal') throw new MlsError('not-a-proposal', `the message carries ${body.kind} content, not a proposal`);
  return { ref: proposalRef(state.suite, authenticated), proposal: body.proposal, sender: authenticated.content.sender, epoch: state.epoch };
}

/** A proposal of a Commit's list with who proposed it. */
export interface Resolved {
  readonly proposal: Proposal;
  /** The proposer's leaf index, for a member proposer. */
  readonly senderLeaf?: number;
  readonly sender: Sender;
}

export function invalid(message: string): never {
  throw new MlsError('invalid-commit', message);
}

function pskKey(id: PreSharedKeyId): string {
  return binaryString(encode((w) => writePskId(w, id)));
}

export function requiredCapabilitiesOf(extensions: readonly Extension[]): RequiredCapabilities | undefined {
  const found = extensions.filter((e) => e.type === ExtensionType.required_capabilities);
  if (found.length > 1) invalid('more than one required_capabilities extension');
  if (found.length === 0) return undefined;
  try {
    return decodeRequiredCapabilities(found[0]!.data);
  } catch (e) {
    if (e instanceof DecodeError) invalid('the required_capabilities extension does not decode');
    throw e;
  }
}

/** Resolves the Commit's proposal list against the proposals cached in this epoch. */
function resolveProposals(state: GroupState, committer: number, list: readonly ProposalOrRef[], cached: readonly CachedProposal[]): Resolved[] {
  return list.map((p) => {
    if (p.kind === 'proposal') return { proposal: p.proposal, senderLeaf: committer, sender: { kind: 'member', leafIndex: committer } };
    const hit = cached.find((c) => c.epoch === state.epoch && c.ref.length === p.reference.length && ctEqual(c.ref, p.reference));
    if (hit === undefined) throw new MlsError('unknown-proposal', 'the Commit refers to a proposal not received in this epoch');
    return { proposal: hit.proposal, sender: hit.sender, ...(hit.sender.kind === 'member' ? { senderLeaf: hit.sender.leafIndex } : {}) };
  });
}

/** §12.2 / §12.4 validity of the resolved list, plus the §7.3 / §10.1 checks of the leaves it brings in. */
export function validateProposals(
  state: GroupState, committer: number, resolved: readonly Resolved[], hasPath: boolean, now: bigint | undefined, external = false,
  resuming = false,
): void {
  const { suite, tree } = state;
  const members = resolved.some((r) => r.proposal.kind === 'add') ? memberIndex(tree) : undefined; // O(members): only for Adds
  const batchVerified = signaturesVerifyInBatch(state, resolved);
  const touched = new Set<number>(); // leaves updated or removed
  const addKeys = new Set<string>();
  const psks = new Set<string>();
  let gce = 0;
  let pathRequired = resolved.length === 0;
  const required = requiredCapabilitiesOf(state.groupContext.extensions);
  let externalInits = 0;
  for (const { proposal, senderLeaf, sender } of resolved) {
    // An external commit holds one ExternalInit, and may hold a Remove (of the joiner's old leaf) and PSKs (§12.2).
    if (external && proposal.kind !== 'external_init' && proposal.kind !== 'remove' && proposal.kind !== 'psk') {
      invalid(`an external commit may not hold a ${proposal.kind} proposal`);
    }
    switch (proposal.kind) {
      case 'add': {
        const kp = proposal.keyPackage;
        if (kp.cipherSuite !== suite.id) invalid(`an Add's KeyPackage is of cipher suite ${kp.cipherSuite}`);
        if (kp.version !== 1) invalid(`an Add's KeyPackage is of protocol version ${kp.version}`);
        if (ctEqual(kp.initKey, kp.leafNode.encryptionKey)) invalid("an Add's KeyPackage has init_key = encryption_key (§10.1)");
        const keyLength = suite.provider.dh(suite.dh).publicKeyLength;
        if (kp.initKey.length !== keyLength) invalid(`an Add's KeyPackage has an init_key of ${kp.initKey.length} bytes, not ${keyLength}`);
        if (!batchVerified && !verifyWithLabel(suite, kp.leafNode.signatureKey, 'KeyPackageTBS', encodeKeyPackageTbs(kp), kp.signature)) {
          throw new MlsError('invalid-signature', "an Add's KeyPackage signature does not verify");
        }
        validateLeafNode(tree, kp.leafNode, { groupId: state.groupId, source: 'key_package', now, requiredCapabilities: required, ...(members !== undefined ? { members } : {}), signatureVerified: batchVerified });
        const k = binaryString(kp.leafNode.signatureKey);
        if (addKeys.has(k)) invalid('two Adds of the same signature key');
        addKeys.add(k);
        break;
      }
      case 'update': {
        if (senderLeaf === undefined) invalid('an Update from a non-member');
        if (senderLeaf === committer) invalid('the Commit holds an Update by the committer');
        if (touched.has(senderLeaf)) invalid(`more than one Update / Remove for leaf ${senderLeaf}`);
        touched.add(senderLeaf);
        validateLeafNode(tree, proposal.leafNode, { groupId: state.groupId, source: 'update', leafIndex: senderLeaf, now, requiredCapabilities: required, signatureVerified: batchVerified });
        pathRequired = true;
        break;
      }
      case 'remove': {
        const r = proposal.removed;
        if (r === committer) invalid('the Commit removes the committer');
        if (r >= tree.leafCount || tree.leaf(r) === undefined) invalid(`a Remove of leaf ${r}, which is not a member`);
        if (touched.has(r)) invalid(`more than one Update / Remove for leaf ${r}`);
        touched.add(r);
        pathRequired = true;
        break;
      }
      case 'psk': {
        const k = pskKey(proposal.psk);
        if (psks.has(k)) invalid('two PreSharedKey proposals with the same PreSharedKeyID');
        psks.add(k);
        if (proposal.psk.nonce.length !== suite.hashLength) invalid(`a psk_nonce of ${proposal.psk.nonce.length} bytes, not ${suite.hashLength}`);
        // §12.1.4: reinit and branch PSKs belong to the first Commit of a new group, which only its creator processes.
        if (proposal.psk.type === PskType.resumption && proposal.psk.usage !== ResumptionUsage.application && !resuming) {
          invalid('a resumption PSK of usage reinit or branch outside a reinitialization or branch (§12.1.4)');
        }
        break;
      }
      case 'group_context_extensions':
        if (++gce > 1) invalid('more than one GroupContextExtensions proposal');
        requiredCapabilitiesOf(proposal.extensions);
        pathRequired = true;
        break;
      case 'external_init':
        if (!external) invalid('an ExternalInit in a commit from a member');
        if (++externalInits > 1) invalid('more than one ExternalInit');
        break;
      case 'reinit':
        // §12.1.5: the new group may not use an older protocol version (the only one is mls10).
        if (proposal.version < 1) invalid(`a ReInit to protocol version ${proposal.version}`);
        break;
      default:
        throw new MlsError('unsupported-proposal', `proposal type ${proposal.proposalType} is not supported`);
    }
    if (sender.kind === 'new_member_proposal' && proposal.kind !== 'add') invalid('a new_member_proposal sender may only propose an Add');
  }
  if (resolved.length > 1 && resolved.some((r) => r.proposal.kind === 'reinit')) invalid('a ReInit must be the only proposal');
  if (external) {
    if (externalInits !== 1) invalid('an external commit must hold exactly one ExternalInit');
    if (resolved.filter((r) => r.proposal.kind === 'remove').length > 1) invalid('an external commit may hold at most one Remove');
    if (!hasPath) invalid('an external commit needs a path (§12.4.3.2)');
  }
  if (pathRequired && !hasPath) invalid('the Commit needs a path (§12.4)');
}

/** Every member of `tree` must support the GroupContext extensions `extensions` and its required capabilities (§12.1.7). */
export function requireSupportOf(tree: PublicRatchetTree, extensions: readonly Extension[]): void {
  const required = requiredCapabilitiesOf(extensions);
  for (const m of tree.members()) {
    const caps = tree.leaf(m)!.capabilities;
    for (const e of extensions) {
      if (e.type > 5 && !caps.extensions.includes(e.type)) invalid(`member ${m} does not support extension ${e.type} of the new GroupContext`);
    }
    if (required !== undefined) {
      for (const t of required.extensionTypes) if (t > 5 && !caps.extensions.includes(t)) invalid(`member ${m} does not support required extension ${t}`);
      for (const t of required.proposalTypes) if (t > 7 && !caps.proposals.includes(t)) invalid(`member ${m} does not support required proposal ${t}`);
      for (const t of required.credentialTypes) if (!caps.credentials.includes(t)) invalid(`member ${m} does not support required credential ${t}`);
    }
  }
}

/**
 * Whether every signature the list's new leaves bring in verifies — each Add's KeyPackage and leaf
 * node, each Update's leaf node (§7.3, §10.1) — checked in one batched provider call. On false the
 * caller checks them one by one, which also names the one that fails.
 */
function signaturesVerifyInBatch(state: GroupState, resolved: readonly Resolved[]): boolean {
  const kps: { publicKey: Uint8Array; content: Uint8Array; signature: Uint8Array }[] = [];
  const leaves: { publicKey: Uint8Array; content: Uint8Array; signature: Uint8Array }[] = [];
  for (const { proposal, senderLeaf } of resolved) {
    if (proposal.kind === 'add') {
      const kp = proposal.keyPackage;
      if (kp.leafNode.source.kind !== 'key_package') return false; // refused below with its own code
      kps.push({ publicKey: kp.leafNode.signatureKey, content: encodeKeyPackageTbs(kp), signature: kp.signature });
      leaves.push({ publicKey: kp.leafNode.signatureKey, content: encodeLeafNodeTbs(kp.leafNode), signature: kp.leafNode.signature });
    } else if (proposal.kind === 'update' && senderLeaf !== undefined) {
      const leaf = proposal.leafNode;
      leaves.push({ publicKey: leaf.signatureKey, content: encodeLeafNodeTbs(leaf, { groupId: state.groupId, leafIndex: senderLeaf }), signature: leaf.signature });
    }
  }
  if (kps.length + leaves.length < 2) return false; // nothing to gain over the one-by-one checks
  try {
    return verifyWithLabelBatch(state.suite, 'KeyPackageTBS', kps).every(Boolean) && verifyWithLabelBatch(state.suite, 'LeafNodeTBS', leaves).every(Boolean);
  } catch {
    return false; // e.g. a key of the wrong length: the one-by-one checks report it
  }
}

/**
 * A resync (§12.4.3.2): the external joiner's Remove must be of its own earlier appearance — its new
 * leaf must satisfy what an Update of the removed leaf would, so it must present the removed leaf's
 * credential (compared byte for byte). Otherwise anyone holding a GroupInfo could evict any member
 * under the name of a resync. MlsError 'invalid-commit'.
 */
export function requireResyncOf(tree: PublicRatchetTree, removed: number, joinerLeaf: LeafNode): void {
  const old = tree.leaf(removed);
  if (old === undefined || !ctEqual(encodeCredential(old.credential), encodeCredential(joinerLeaf.credential))) {
    invalid(`an external commit removes leaf ${removed}, whose credential is not the joiner's: a resync removes only the joiner's own earlier leaf`);
  }
}

/**
 * Where an external joiner goes (§12.4.3.2): the leftmost blank leaf of `tree` (its proposals
 * applied), as an Add would, extending the tree when it has none. Changes `tree` (a clone); the
 * joiner's UpdatePath fills the leaf in. The joiner (group/join-external.ts) and the members agree on it.
 */
export function placeExternalJoiner(tree: PublicRatchetTree): number {
  const free = tree.leftmostBlankLeaf();
  if (free !== undefined) return free;
  const leaf = tree.leafCount; // the first leaf of the added half
  tree.extend();
  return leaf;
}

/** The init_secret of an external commit (§8.3): kem_output opened with the epoch's external key pair. */
function externalInitSecret(state: GroupState, kemOutput: Uint8Array): Uint8Array {
  const { suite } = state;
  const pair = externalKeyPair(suite, state.epochSecrets.externalSecret);
  try {
    let context;
    try {
      context = suite.hpke.setupBaseR(kemOutput, pair.secretKey);
    } catch (e) {
      if (e instanceof MlsError) throw e;
      throw new MlsError('invalid-commit', `the ExternalInit's kem_output does not decapsulate: ${(e as Error).message}`);
    }
    try {
      return context.export(new TextEncoder().encode('MLS 1.0 external init secret'), suite.hashLength);
    } finally {
      context.dispose();
    }
  } finally {
    pair.secretKey.fill(0);
  }
}

/** The PSKs of the list, in order, with their secrets. */
export function pskInputs(state: GroupState, resolved: readonly Resolved[], options: ProcessCommitOptions): { id: PreSharedKeyId; secret: Uint8Array }[] {
  const psks = options.psks ?? [];
  const out: { id: PreSharedKeyId; secret: Uint8Array }[] = [];
  for (const { proposal } of resolved) {
    if (proposal.kind !== 'psk') continue;
    const id = proposal.psk;
    let secret: Uint8Array | undefined;
    if (id.type === PskType.external) {
      secret = psks.find((p) => p.id.length === id.pskId.length && ctEqual(p.id, id.pskId))?.secret;
    } else if (ctEqual(id.groupId, state.groupId) && id.epoch === state.epoch) {
      secret = state.epochSecrets.resumptionPsk;
    } else {
      secret = options.resumptionPsk?.(id.groupId, id.epoch);
    }
    if (secret === undefined) throw new MlsError('missing-psk', 'the Commit uses a PSK this member does not hold');
    out.push({ id, secret });
  }
  return out;
}

/**
 * Processes a Commit of the current epoch of `state` (§12.4.2; see the module comment) with the
 * proposals received in this epoch, and returns the GroupState of the next epoch. MlsError on any
 * failure, `state` unchanged: the framing codes, 'not-a-commit', 'not-framed-content',
 * 'invalid-sender', 'own-commit', 'unknown-proposal', 'invalid-commit', 'unsupported-proposal',
 * 'missing-psk', 'removed-from-group', the leaf-node and UpdatePath codes ('invalid-leaf-node',
 * 'duplicate-key', 'invalid-parent-hash', 'path-secret-decryption-failed', …),
 * 'invalid-confirmation-tag'.
 */
export function processCommit(
  state: GroupState, message: MlsMessage, cached: readonly CachedProposal[] = [], options: ProcessCommitOptions = {},
): GroupState {
  return processCommitSummarized(state, message, cached, options).state;
}

/** What an accepted Commit changed in the tree (leaf indexes of the new epoch's tree). */
export interface CommitSummary {
  /** The committer's leaf (an external joiner's new leaf). */
  readonly committer: number;
  /** Leaves filled by Add proposals, and an external joiner's leaf. */
  readonly added: readonly number[];
  readonly removed: readonly number[];
  /** Leaves replaced by Update proposals (not the committer's path). */
  readonly updated: readonly number[];
}

/** processCommit, also saying which leaves the Commit added, removed and updated. */
export function processCommitSummarized(
  state: GroupState, message: MlsMessage, cached: readonly CachedProposal[] = [], options: ProcessCommitOptions = {},
): { state: GroupState; summary: CommitSummary } {
  requireOpen(state);
  requireNextEpoch(state);
  requireFramed(message);
  // A PrivateMessage's generation is spent only once the whole Commit is accepted: a Commit refused
  // here (e.g. for want of a proposal it refers to) can be processed again once that is remedied.
  const pending = unprotectDeferred(state.suite, unprotectParams(state), message);
  let next: { state: GroupState; summary: CommitSummary };
  try {
    next = processAuthenticatedCommit(state, pending.authenticated, cached, options);
  } catch (e) {
    pending.discard();
    throw e;
  }
  pending.commit();
  return next;
}

function processAuthenticatedCommit(
  state: GroupState, authenticated: AuthenticatedContent, cached: readonly CachedProposal[], options: ProcessCommitOptions,
): { state: GroupState; summary: CommitSummary } {
  const { suite } = state;
  const { content, auth } = authenticated;
  if (content.body.kind !== 'commit') throw new MlsError('not-a-commit', `the message carries ${content.body.kind} content, not a commit`);
  const external = content.sender.kind === 'new_member_commit';
  if (content.sender.kind !== 'member' && !external) {
    throw new MlsError('invalid-sender', `a Commit comes from a member or an external joiner (§6, §12.4.3.2), not a ${content.sender.kind} sender`);
  }
  const commit = content.body.commit;
  let committer = content.sender.kind === 'member' ? content.sender.leafIndex : -1;
  if (committer === state.leafIndex) throw new MlsError('own-commit', 'a member applies its own Commit from the state it kept when creating it');
  if (auth.confirmationTag === undefined) throw new MlsError('invalid-confirmation-tag', 'the Commit carries no confirmation tag');
  if (external && commit.proposals.some((p) => p.kind !== 'proposal')) invalid('an external commit refers to proposals by reference (§12.4.3.2)');

  // Proposals: resolve, validate, apply (§12.2, §12.3)
  const resolved: Resolved[] = external
    ? commit.proposals.map((p) => ({ proposal: (p as Extract<ProposalOrRef, { kind: 'proposal' }>).proposal, sender: content.sender }))
    : resolveProposals(state, committer, commit.proposals, cached);
  validateProposals(state, committer, resolved, commit.path !== undefined, options.now, external);
  const resynced = external ? resolved.find((r) => r.proposal.kind === 'remove')?.proposal : undefined;
  if (resynced?.kind === 'remove') requireResyncOf(state.tree, resynced.removed, commit.path!.leafNode);
  const withSenders: ProposalWithSender[] = resolved.map((r) => (r.senderLeaf !== undefined ? { proposal: r.proposal, sender: r.senderLeaf } : { proposal: r.proposal }));
  const applied = applyProposals(state.tree, withSenders);
  let tree: PublicRatchetTree = applied.tree;
  if (external) committer = placeExternalJoiner(tree);
  // Removed: decided by the list, as an Add of the same Commit may fill the freed leaf (§12.3, §12.4.2).
  const removesUs = resolved.some((r) => r.proposal.kind === 'remove' && r.proposal.removed === state.leafIndex);
  if (removesUs || state.leafIndex >= tree.leafCount || tree.leaf(state.leafIndex) === undefined) {
    throw new MlsError('removed-from-group', 'the Commit removes this member');
  }
  const gce = resolved.find((r) => r.proposal.kind === 'group_context_extensions')?.proposal;
  const extensions = gce?.kind === 'group_context_extensions' ? gce.extensions : state.groupContext.extensions;
  if (gce !== undefined) requireSupportOf(tree, extensions);

  // Our own Update, if committed, replaces our leaf key with the one kept for it.
  const ownLeaf = tree.leaf(state.leafIndex)!;
  const updatedSelf = resolved.some((r) => r.proposal.kind === 'update' && r.senderLeaf === state.leafIndex);
  let base = state.privateState;
  if (updatedSelf) {
    const kp = options.ownUpdateKey?.(ownLeaf.encryptionKey);
    if (kp === undefined) throw new MlsError('missing-update-key', "the Commit includes an Update of this member's that it does not hold the key of");
    base = base.withChanges([], [[2 * state.leafIndex, kp]]);
  }

  // The path (§12.4.2) or commit_secret = 0
  let privateState: TreeKemPrivateState;
  let commitSecret: Uint8Array;
  let rootPathSecret: Uint8Array | undefined;
  if (commit.path !== undefined) {
    const required = requiredCapabilitiesOf(extensions);
    const result = applyUpdatePath(suite, tree, base, committer, commit.path, {
      cipherSuite: state.groupContext.cipherSuite,
      groupId: state.groupId,
      epoch: state.epoch + 1n,
      confirmedTranscriptHash: state.groupContext.confirmedTranscriptHash,
      extensions,
    }, applied.added, { ...(options.now !== undefined ? { now: options.now } : {}), ...(required !== undefined ? { requiredCapabilities: required } : {}) });
    result.decrypted.pathSecret.fill(0);
    tree = result.tree;
    privateState = result.privateState;
    commitSecret = result.commitSecret;
    rootPathSecret = result.rootPathSecret;
  } else {
    privateState = base.withChanges(base.inconsistentNodes(tree), []);
    commitSecret = new Uint8Array(suite.hashLength);
  }

  // Transcript, GroupContext, key schedule (§8, §8.2)
  // DMLS: commit_confirmation of the root path secret (Nh zeros without a path), then no copy of it.
  const dmls = options.dmls !== undefined && !external ? options.dmls : undefined;
  let psks: ReturnType<typeof pskInputs>;
  let confirmation: Uint8Array | undefined;
  try {
    psks = pskInputs(state, resolved, options);
    if (dmls !== undefined) confirmation = commitConfirmation(suite, rootPathSecret);
  } finally {
    rootPathSecret?.fill(0);
  }
  let initSecret = state.epochSecrets.initSecret;
  let epoch: NextEpoch;
  let tentative: TentativeInitSecret | undefined;
  try {
    if (external) {
      const init = resolved.find((r) => r.proposal.kind === 'external_init')!.proposal;
      initSecret = externalInitSecret(state, (init as Extract<Proposal, { kind: 'external_init' }>).kemOutput);
    }
    const signed = { wireFormat: authenticated.wireFormat, content, signature: auth.signature };
    epoch = dmls !== undefined
      ? nextEpoch(state, signed, {
        tree, extensions, commitSecret, psks,
        initSecretFor: (childContext) => {
          tentative = deriveChildInitSecretTentatively(suite, dmls.parentInit, confirmation!, childContext);
          return tentative.initSecret;
        },
      })
      : nextEpoch(state, signed, { tree, extensions, commitSecret, psks, initSecret });
  } catch (e) {
    tentative?.discard();
    tentative = undefined;
    throw e;
  } finally {
    if (initSecret !== state.epochSecrets.initSecret) initSecret.fill(0);
    tentative?.initSecret.fill(0); // the key schedule is done with it
    confirmation?.fill(0);
    commitSecret.fill(0);
  }
  const { epochSecrets } = epoch;
  const expected = computeConfirmationTag(suite, epochSecrets.confirmationKey, epoch.confirmedTranscriptHash);
  if (auth.confirmationTag.length !== expected.length || !ctEqual(auth.confirmationTag, expected)) {
    // The tag is outside the transcript: the genuine Commit maps to the same PPRF point, keep it.
    (tentative as TentativeInitSecret | undefined)?.discard();
    wipeEpochSecrets(epochSecrets);
    for (const x of privateState.nodes()) {
      const kp = privateState.keyPair(x)!;
      if (base.keyPair(x) !== kp) kp.secretKey.fill(0); // keys derived from the rejected path
    }
    throw new MlsError('invalid-confirmation-tag', 'the confirmation tag does not verify');
  }

  const leavesOf = (kind: 'remove' | 'update') => resolved.flatMap((r) => {
    if (r.proposal.kind !== kind) return [];
    return [r.proposal.kind === 'remove' ? r.proposal.removed : r.senderLeaf!];
  });
  const summary: CommitSummary = {
    committer,
    added: external ? [...applied.added, committer] : applied.added,
    removed: leavesOf('remove'),
    updated: leavesOf('update'),
  };
  const reinit = resolved.find((r) => r.proposal.kind === 'reinit')?.proposal;
  const nextState = groupStateOf({
    suite, groupContext: epoch.groupContext, groupInfoExtensions: state.groupInfoExtensions, tree, leafIndex: state.leafIndex, privateState,
    signaturePrivateKey: state.signaturePrivateKey, epochSecrets, confirmationTag: auth.confirmationTag,
    ...(options.secretTree !== undefined ? { secretTreeOptions: options.secretTree } : {}),
    ...(reinit?.kind === 'reinit' ? { reinit: { groupId: reinit.groupId, version: reinit.version, cipherSuite: reinit.cipherSuite, extensions: reinit.extensions } } : {}),
  });
  (tentative as TentativeInitSecret | undefined)?.commit(); // accepted: this child can never be derived again
  return { state: nextState, summary };
}

/**
 * Forgets an epoch once its successor is accepted (§9.2): wipes `old`'s epoch secrets and secret
 * tree, and the private keys `next` no longer holds. `old` must not be used afterwards.
 */
export function retireEpoch(old: GroupState, next: GroupState): void {
  wipeReplacedKeys(old.privateState, next.privateState);
  old.secretTree.dispose();
  wipeEpochSecrets(old.epochSecrets);
}
