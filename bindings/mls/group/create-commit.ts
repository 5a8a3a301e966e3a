// Creating a Commit as a member (RFC 9420 §12.4.1, §12.4.3.1), the mirror of processCommit:
//
//   1. the proposal list: proposals received in this epoch, by reference, then the committer's own,
//      by value; validated with the receivers' rules (§12.2);
//   2. the proposals applied to a copy of the tree (§12.3), new members placed;
//   3. a path when one is required (§12.4: an empty list, an Update, a Remove or a
//      GroupContextExtensions) or asked for: createUpdatePath under the provisional GroupContext,
//      the new members excluded; else commit_secret = 0;
//   4. FramedContent signed; its confirmation tag computed from the new epoch's key schedule
//      (group/epoch.ts), which covers the signature (§8.2);
//   5. sent as a PublicMessage (membership tag of the current epoch) or a PrivateMessage (the
//      current epoch's handshake ratchet);
//   6. a GroupInfo of the new epoch, signed (§12.4.3), with the external_pub extension (§12.4.3.2)
//      and, optionally, the ratchet_tree extension (§12.4.3.3);
//   7. for Adds, a Welcome: the GroupInfo encrypted under the welcome key, and per new member its
//      GroupSecrets (joiner_secret, the path secret of the lowest common ancestor, the PSK ids)
//      encrypted to its init_key with EncryptWithLabel(…, "Welcome", encrypted_group_info, …).
//
// The current state is not changed, except that a PrivateMessage spends a generation of this
// epoch's handshake ratchet. The result's `next` is the committer's state in the new epoch, to be
// used once the delivery service accepted the Commit (and wiped otherwise).
//
// DMLS (options.dmls): the new epoch's init secret is the child's, from the current epoch's
// parent_init PPRF (as processCommit does, commit.ts), derived tentatively: `dmlsInit` is punctured
// (commit()) when the Commit is applied and left evaluable (discard()) when it is discarded.

import type { CipherSuite } from '../crypto/cipher-suite.js';
import { encryptWithLabelMany, expandWithLabel, signWithLabel } from '../crypto/labels.js';
import { MlsError } from '../errors.js';
import type { Extension } from '../group-context.js';
import { type EpochSecrets, externalKeyPair, wipeEpochSecrets } from '../key-schedule.js';
import { PRIVATE_MESSAGE, PUBLIC_MESSAGE, authenticateContent } from '../framing/content-auth.js';
import type { AuthenticatedContent } from '../messages/framing-inner.js';
import { toPrivateMessage } from '../framing/private-message.js';
import { toPublicMessage } from '../framing/public-message.js';
import type { ProposalOrRef } from '../messages/commit.js';
import { ExtensionType } from '../messages/constants.js';
import { encodeExternalPub } from '../messages/extensions.js';
import type { FramedContent } from '../messages/framing.js';
import { type GroupInfo, encodeGroupInfo, encodeGroupInfoTbs } from '../messages/group-info.js';
import type { MlsMessage } from '../messages/mls-message.js';
import type { Proposal } from '../messages/proposal.js';
import { type Welcome, encodeGroupSecrets } from '../messages/welcome.js';
import { confirmationTag } from '../transcript.js';
import { applyProposals } from '../tree/edits.js';
import type { PublicRatchetTree } from '../tree/ratchet-tree.js';
import { type CreatedUpdatePath, createUpdatePath, pathSecretForNewMember } from '../treekem/create.js';
import type { TreeKemPrivateState } from '../treekem/private-state.js';
import { keyPackageRef } from '../welcome.js';
import {
  type CachedProposal, type CommitSummary, type ProcessCommitOptions, type Resolved, pskInputs, requireNextEpoch, requireOpen, requireSupportOf, validateProposals,
} from './commit.js';
import { commitConfirmation, deriveChildInitSecretTentatively, type TentativeInitSecret } from '../dmls/key-schedule.js';
import type { Pprf } from '../dmls/pprf.js';
import { type NextEpoch, groupStateOf, nextEpoch } from './epoch.js';
import type { GroupState } from './join.js';

export interface CreateCommitOptions extends Omit<ProcessCommitOptions, 'dmls'> {
  /** DMLS: the current epoch's parent_init PPRF, from which the new epoch's init secret comes (see the module comment). */
  readonly dmls?: { readonly parentInit: Pprf };
  /** Proposals received in this epoch (receiveProposal) to commit by reference. */
  readonly byReference?: readonly CachedProposal[];
  /** The committer's own proposals, committed by value. */
  readonly byValue?: readonly Proposal[];
  /** true: include a path even when none is required (a full-path update, §12.4); false: none (refused when one is required). Default: when required. */
  readonly path?: boolean;
  /** PublicMessage (default) or PrivateMessage. */
  readonly wireFormat?: 'public' | 'private';
  readonly authenticatedData?: Uint8Array;
  /** Zero bytes to pad a PrivateMessage's content with. */
  readonly paddingLength?: number;
  /** Put the ratchet_tree extension in the GroupInfo (default true; without it joiners need the tree out of band). */
  readonly ratchetTreeInGroupInfo?: boolean;
  /** The first Commit of a group reinitialized or branched from another (§11.2, §11.3): allows its resumption PSK of usage reinit or branch. */
  readonly resuming?: boolean;
  /**
   * Skip the §12.2 list rules (and the §12.1.7 support check). Only for tests that must produce the
   * invalid Commits receivers are to refuse; never set otherwise.
   */
  readonly unvalidated?: boolean;
}

export interface CreatedCommit {
  readonly message: MlsMessage;
  /** Present when the Commit adds members. */
  readonly welcome?: Welcome;
  /**
   * The new epoch's signed GroupInfo (external_pub, and ratchet_tree unless turned off), signed on
   * the first call with the committer's signature key: call it before that key is wiped.
   */
  readonly groupInfo: () => GroupInfo;
  /** The committer's state in the new epoch. */
  readonly next: GroupState;
  readonly summary: CommitSummary;
  /** DMLS: the child's init secret (already wiped), whose PPRF point commit() punctures once the Commit is applied. */
  readonly dmlsInit?: TentativeInitSecret;
}

function needsPath(resolved: readonly Resolved[]): boolean {
  return resolved.length === 0 || resolved.some((r) => r.proposal.kind === 'update' || r.proposal.kind === 'remove' || r.proposal.kind === 'group_context_extensions');
}

/** Creates a Commit of `state`'s epoch (see the module comment). MlsError for an invalid list ('invalid-commit', …) or a missing PSK. */
export function createCommit(state: GroupState, options: CreateCommitOptions = {}): CreatedCommit {
  const { suite } = state;
  requireOpen(state);
  requireNextEpoch(state);
  if (options.resuming === true && state.epoch !== 0n) throw new MlsError('invalid-resumption', 'only a new group (epoch 0) resumes another (§11.2, §11.3)');
  const own = state.leafIndex;
  const references = options.byReference ?? [];
  for (const c of references) if (c.epoch !== state.epoch) throw new MlsError('wrong-epoch', `a proposal of epoch ${c.epoch} cannot be committed in epoch ${state.epoch}`);
  const resolved: Resolved[] = [
    ...references.map((c) => ({ proposal: c.proposal, sender: c.sender, ...(c.sender.kind === 'member' ? { senderLeaf: c.sender.leafIndex } : {}) })),
    ...(options.byValue ?? []).map((proposal) => ({ proposal, senderLeaf: own, sender: { kind: 'member', leafIndex: own } as const })),
  ];
  const withPath = options.path ?? needsPath(resolved);
  if (options.unvalidated !== true) validateProposals(state, own, resolved, withPath, options.now, false, options.resuming === true);

  const applied = applyProposals(state.tree, resolved.map((r) => (r.senderLeaf !== undefined ? { proposal: r.proposal, sender: r.senderLeaf } : { proposal: r.proposal })));
  const gce = resolved.find((r) => r.proposal.kind === 'group_context_extensions')?.proposal;
  const extensions: readonly Extension[] = gce?.kind === 'group_context_extensions' ? gce.extensions : state.groupContext.extensions;
  if (gce !== undefined && options.unvalidated !== true) requireSupportOf(applied.tree, extensions);

  let tree: PublicRatchetTree = applied.tree;
  let privateState: TreeKemPrivateState;
  let commitSecret: Uint8Array;
  let created: CreatedUpdatePath | undefined;
  if (withPath) {
    const leaf = state.tree.leaf(own)!;
    created = createUpdatePath(suite, tree, state.privateState, own, {
      cipherSuite: state.groupContext.cipherSuite, groupId: state.groupId, epoch: state.epoch + 1n,
      confirmedTranscriptHash: state.groupContext.confirmedTranscriptHash, extensions,
    }, applied.added, { signatureKey: leaf.signatureKey, credential: leaf.credential, capabilities: leaf.capabilities, extensions: leaf.extensions }, state.signaturePrivateKey);
    ({ tree, privateState, commitSecret } = created);
  } else {
    privateState = state.privateState.withChanges(state.privateState.inconsistentNodes(tree), []);
    commitSecret = new Uint8Array(suite.hashLength);
  }
  const dmls = options.dmls;
  let confirmation: Uint8Array | undefined;
  try {
    if (dmls !== undefined) confirmation = commitConfirmation(suite, created?.rootPathSecret);
  } finally {
    created?.rootPathSecret.fill(0);
  }

  const proposals: ProposalOrRef[] = [
    ...references.map((c): ProposalOrRef => ({ kind: 'reference', reference: c.ref })),
    ...(options.byValue ?? []).map((proposal): ProposalOrRef => ({ kind: 'proposal', proposal })),
  ];
  const content: FramedContent = {
    groupId: state.groupId, epoch: state.epoch, sender: { kind: 'member', leafIndex: own },
    authenticatedData: options.authenticatedData ?? new Uint8Array(0),
    body: { kind: 'commit', commit: { proposals, ...(created !== undefined ? { path: created.updatePath } : {}) } },
  };
  let epoch: NextEpoch | undefined;
  let dmlsInit: TentativeInitSecret | undefined;
  const wireFormat = options.wireFormat === 'private' ? PRIVATE_MESSAGE : PUBLIC_MESSAGE;
  let authenticated: AuthenticatedContent;
  let psks: ReturnType<typeof pskInputs>;
  try {
    psks = pskInputs(state, resolved, options);
    authenticated = authenticateContent(suite, {
      groupContext: state.groupContext,
      signatureKey: state.signaturePrivateKey,
      confirmationTag: (signed) => {
        epoch = dmls === undefined
          ? nextEpoch(state, signed, { tree, extensions, commitSecret, psks, initSecret: state.epochSecrets.initSecret })
          : nextEpoch(state, signed, {
            tree, extensions, commitSecret, psks,
            initSecretFor: (childContext) => {
              dmlsInit = deriveChildInitSecretTentatively(suite, dmls.parentInit, confirmation!, childContext);
              return dmlsInit.initSecret;
            },
          });
        return confirmationTag(suite, epoch.epochSecrets.confirmationKey, epoch.confirmedTranscriptHash);
      },
    }, wireFormat, content);
  } catch (e) {
    (dmlsInit as TentativeInitSecret | undefined)?.discard();
    if (epoch !== undefined) wipeEpochSecrets((epoch as NextEpoch).epochSecrets);
    throw e;
  } finally {
    (dmlsInit as TentativeInitSecret | undefined)?.initSecret.fill(0); // the key schedule is done with it
    confirmation?.fill(0);
    commitSecret.fill(0);
  }
  const { groupContext, epochSecrets } = epoch!;
  const tag = authenticated.auth.confirmationTag!;
  try {
    const message: MlsMessage = wireFormat === PUBLIC_MESSAGE
      ? { kind: 'mls_public_message', publicMessage: toPublicMessage(suite, { groupContext: state.groupContext, membershipKey: state.epochSecrets.membershipKey }, authenticated) }
      : { kind: 'mls_private_message', privateMessage: toPrivateMessage(suite, { secretTree: state.secretTree, senderDataSecret: state.epochSecrets.senderDataSecret, ...(options.paddingLength !== undefined ? { paddingLength: options.paddingLength } : {}) }, authenticated) };

    const infoExtensions: Extension[] = [{ type: ExtensionType.external_pub, data: encodeExternalPub(externalKeyPair(suite, epochSecrets.externalSecret).publicKey) }];
    // The GroupInfo is signed when first asked for: the Welcome needs it, a caller may, but an update
    // in a large group would otherwise encode the whole tree and sign it for nobody (at N = 10 000
    // that was ≈ 95 % of an update whose copath is filled).
    let groupInfo: GroupInfo | undefined;
    const signedGroupInfo = (): GroupInfo => {
      if (groupInfo !== undefined) return groupInfo;
      const extensions = options.ratchetTreeInGroupInfo === false ? infoExtensions : [{ type: ExtensionType.ratchet_tree, data: tree.encode() }, ...infoExtensions];
      const unsigned: GroupInfo = { groupContext, extensions, confirmationTag: tag, signer: own, signature: new Uint8Array(0) };
      return (groupInfo = { ...unsigned, signature: signWithLabel(suite, state.signaturePrivateKey, 'GroupInfoTBS', encodeGroupInfoTbs(unsigned)) });
    };

    const newMembers = resolved.flatMap((r) => (r.proposal.kind === 'add' ? [r.proposal.keyPackage] : []));
    const welcome = newMembers.length === 0 ? undefined : sealWelcome(suite, epochSecrets, signedGroupInfo(), newMembers.map((keyPackage, i) => ({
      keyPackage, pathSecret: created === undefined ? undefined : pathSecretForNewMember(created, own, applied.added[i]!),
    })), psks.map((p) => p.id));
    for (const p of created?.pathSecrets ?? []) p.pathSecret.fill(0);

    const reinit = resolved.find((r) => r.proposal.kind === 'reinit')?.proposal;
    const next = groupStateOf({
      suite, groupContext, groupInfoExtensions: infoExtensions, tree, leafIndex: own, privateState,
      signaturePrivateKey: state.signaturePrivateKey, epochSecrets, confirmationTag: tag,
      ...(options.secretTree !== undefined ? { secretTreeOptions: options.secretTree } : {}),
      ...(reinit?.kind === 'reinit' ? { reinit: { groupId: reinit.groupId, version: reinit.version, cipherSuite: reinit.cipherSuite, extensions: reinit.extensions } } : {}),
    });
    const of = (kind: 'remove' | 'update') => resolved.flatMap((r) => (r.proposal.kind !== kind ? [] : [r.proposal.kind === 'remove' ? r.proposal.removed : r.senderLeaf!]));
    return {
      message, ...(welcome !== undefined ? { welcome } : {}), groupInfo: signedGroupInfo, next, summary: { committer: own, added: applied.added, removed: of('remove'), updated: of('update') },
      ...(dmlsInit !== undefined ? { dmlsInit } : {}),
    };
  } catch (e) {
    (dmlsInit as TentativeInitSecret | undefined)?.discard();
    wipeEpochSecrets(epochSecrets);
    throw e;
  }
}

/** The Welcome of §12.4.3.1 for `members` (their KeyPackages and path secrets), under the new epoch's welcome_secret. */
function sealWelcome(
  suite: CipherSuite, secrets: EpochSecrets, groupInfo: GroupInfo,
  members: readonly { keyPackage: Extract<Proposal, { kind: 'add' }>['keyPackage']; pathSecret: Uint8Array | undefined }[],
  psks: readonly Parameters<typeof encodeGroupSecrets>[0]['psks'][number][],
): Welcome {
  const key = expandWithLabel(suite, secrets.welcomeSecret, 'key', new Uint8Array(0), suite.keyLength);
  const nonce = expandWithLabel(suite, secrets.welcomeSecret, 'nonce', new Uint8Array(0), suite.nonceLength);
  const aead = suite.provider.aead(suite.aead, key);
  let encryptedGroupInfo: Uint8Array;
  try {
    encryptedGroupInfo = aead.seal(nonce, encodeGroupInfo(groupInfo));
  } finally {
    aead.dispose();
    key.fill(0);
    nonce.fill(0);
  }
  // One batched seal: the context (the encrypted GroupInfo, which holds the tree: O(N) bytes) is hashed once, not per joiner.
  const plaintexts = members.map(({ pathSecret }) => encodeGroupSecrets({ joinerSecret: secrets.joinerSecret, ...(pathSecret !== undefined ? { pathSecret } : {}), psks }));
  try {
    const sealed = encryptWithLabelMany(suite, 'Welcome', encryptedGroupInfo, members.map(({ keyPackage }, i) => ({ publicKey: keyPackage.initKey, plaintext: plaintexts[i]! })));
    const encrypted = members.map(({ keyPackage }, i) => ({ newMember: keyPackageRef(suite, keyPackage), encryptedGroupSecrets: sealed[i]! }));
    return { cipherSuite: suite.id, secrets: encrypted, encryptedGroupInfo };
  } finally {
    for (const p of plaintexts) p.fill(0);
  }
}
