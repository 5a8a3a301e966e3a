// Joining a group by an external commit (RFC 9420 §12.4.3.2): the joiner's side of what
// processCommit (commit.ts) accepts from a new_member_commit sender.
//
//   1. the GroupInfo is checked as a Welcome join checks it (join.ts): its ratchet tree (the
//      ratchet_tree extension or one given out of band), its signature by the GroupInfo.signer
//      leaf, the whole tree (tree/validate.ts) against GroupContext.tree_hash and the group's
//      required_capabilities; and it must carry exactly one external_pub extension (§12.4.3.2);
//   2. ExternalInit (§12.1.6, §8.3): SetupBaseS(external_pub, "") gives kem_output, and
//      init_secret = context.export("MLS 1.0 external init secret", Nh);
//   3. the proposals, all by value: the ExternalInit, a Remove of the joiner's old leaf for a resync,
//      PreSharedKey proposals of external PSKs; applied to a copy of the tree (§12.3) and the joiner
//      placed where an Add would put it (placeExternalJoiner, shared with the receivers);
//   4. an UpdatePath from that leaf (treekem/create.ts) under the provisional GroupContext (epoch + 1,
//      the GroupInfo's confirmed transcript hash and extensions);
//   5. FramedContent (sender new_member_commit) signed with the path leaf's key, and its confirmation
//      tag from the new epoch's key schedule (group/epoch.ts), whose confirmed transcript hash starts
//      from the interim transcript hash of the GroupInfo's epoch: Hash(confirmed ‖ confirmation_tag);
//   6. sent as a PublicMessage without membership tag (the joiner holds no membership_key).
//
// The result is the joiner's state in the new epoch and the Commit. Nothing is kept when a check
// fails: every secret derived so far (init secret, epoch secrets, path keys, the signature key's
// copy) is wiped before the MlsError propagates. The joiner moves to the new epoch at once: if the
// delivery service refuses the Commit (another one of that epoch won), dispose the group and join
// again from the next GroupInfo.

import { ctEqual } from '../../compare.js';
import { DecodeError } from '../../codec/reader.js';
import type { CryptoProvider } from '../../provider/types.js';
import { wasmProvider } from '../../provider/wasm.js';
import { type CipherSuite, cipherSuite } from '../crypto/cipher-suite.js';
import { verifyWithLabel } from '../crypto/labels.js';
import { MlsError } from '../errors.js';
import { PUBLIC_MESSAGE, authenticateContent } from '../framing/content-auth.js';
import { toPublicMessage } from '../framing/public-message.js';
import { externalKeyPair, wipeEpochSecrets } from '../key-schedule.js';
import { ExtensionType } from '../messages/constants.js';
import { type Credential, credentialTypeOf } from '../messages/credential.js';
import { decodeExternalPub, encodeExternalPub } from '../messages/extensions.js';
import type { FramedContent } from '../messages/framing.js';
import { type GroupInfo, encodeGroupInfoTbs } from '../messages/group-info.js';
import type { Capabilities, LeafNode } from '../messages/leaf-node.js';
import { encodeMlsMessage } from '../messages/mls-message.js';
import type { Proposal } from '../messages/proposal.js';
import { PskType } from '../psk.js';
import { confirmationTag, interimTranscriptHash } from '../transcript.js';
import { applyProposals } from '../tree/edits.js';
import type { PublicRatchetTree } from '../tree/ratchet-tree.js';
import { validateLeafNode, validateRatchetTree } from '../tree/validate.js';
import { type CreatedUpdatePath, createUpdatePath } from '../treekem/create.js';
import { placeExternalJoiner, requireResyncOf } from './commit.js';
import { defaultCapabilities } from './create.js';
import { type EpochBase, type NextEpoch, groupStateOf, nextEpoch } from './epoch.js';
import { Group, type GroupOptions, decode } from './group.js';
import { type ExternalPsk, type GroupState, groupTree, requiredCapabilities } from './join.js';

const EXTERNAL_INIT_LABEL = new TextEncoder().encode('MLS 1.0 external init secret');

/** Options of joinExternal: who joins, and what its Commit carries besides the ExternalInit. */
export interface JoinExternalOptions extends Omit<GroupOptions, 'dmls'> {
  /** The identity of a basic credential; or give `credential`. */
  readonly identity?: Uint8Array;
  readonly credential?: Credential;
  /** The signature private key (the group keeps a copy); generated when absent. */
  readonly signatureKey?: Uint8Array;
  readonly provider?: CryptoProvider;
  /** The group's ratchet tree delivered out of band (the ratchet_tree extension's data), for a GroupInfo without one. */
  readonly ratchetTree?: Uint8Array;
  /**
   * A resync (§12.4.3.2): the joiner's old leaf, removed by the same Commit (a Group of that member
   * will do: it has a leafIndex). The application decides that the new credential may replace it.
   */
  readonly resync?: { readonly leafIndex: number };
  /** External PSKs to inject, a PreSharedKey proposal each; the members must hold them too. */
  readonly injectPsks?: readonly ExternalPsk[];
  /** The Commit's authenticated_data. */
  readonly authenticatedData?: Uint8Array;
}

/** A GroupInfo checked for an external join, with its tree and external_pub. */
interface CheckedGroupInfo {
  readonly groupInfo: GroupInfo;
  readonly tree: PublicRatchetTree;
  readonly externalPub: Uint8Array;
}

function invalidGroupInfo(message: string): never {
  throw new MlsError('invalid-group-info', message);
}

/** Step 1 of the module comment. (Exported for tests, not from the package.) */
export function checkGroupInfo(suite: CipherSuite, groupInfo: GroupInfo, ratchetTree: Uint8Array | undefined, now: bigint | undefined): CheckedGroupInfo {
  const context = groupInfo.groupContext;
  const pubs = groupInfo.extensions.filter((e) => e.type === ExtensionType.external_pub);
  if (pubs.length !== 1) invalidGroupInfo(pubs.length === 0 ? 'the GroupInfo has no external_pub extension: the group does not allow external joins' : 'the GroupInfo has more than one external_pub extension');
  let externalPub: Uint8Array;
  try {
    externalPub = decodeExternalPub(pubs[0]!.data);
  } catch (e) {
    if (e instanceof DecodeError) invalidGroupInfo(`the external_pub extension does not decode: ${e.message}`);
    throw e;
  }
  if (context.epoch === 0xffffffffffffffffn) invalidGroupInfo('the GroupInfo is at the last epoch (2^64 − 1): the group can have no next one');
  const keyLength = suite.provider.dh(suite.dh).publicKeyLength;
  if (externalPub.length !== keyLength) invalidGroupInfo(`external_pub is ${externalPub.length} bytes, not ${keyLength}`);

  const tree = groupTree(suite, groupInfo, ratchetTree);
  if (groupInfo.signer >= tree.leafCount || tree.leaf(groupInfo.signer) === undefined) {
    throw new MlsError('invalid-signer', `GroupInfo signer ${groupInfo.signer} is not a member of the tree`);
  }
  if (!verifyWithLabel(suite, tree.leaf(groupInfo.signer)!.signatureKey, 'GroupInfoTBS', encodeGroupInfoTbs(groupInfo), groupInfo.signature)) {
    throw new MlsError('invalid-signature', "the GroupInfo signature does not verify under its signer's key");
  }
  const required = requiredCapabilities(context);
  validateRatchetTree(tree, {
    groupId: context.groupId, treeHash: context.treeHash,
    ...(now !== undefined ? { now } : {}),
    ...(required !== undefined ? { requiredCapabilities: required } : {}),
  });
  return { groupInfo, tree, externalPub };
}

/** The joiner's capabilities: the defaults, plus what the group requires and the credential types its members use (§7.2, §12.1.7). */
function capabilitiesFor(suite: CipherSuite, credential: Credential, groupInfo: GroupInfo, tree: PublicRatchetTree): Capabilities {
  const base = defaultCapabilities(suite, credential);
  const required = requiredCapabilities(groupInfo.groupContext);
  // A proposal type wirecrypt does not implement would make this member refuse the group's next
  // Commit that carries one: refuse to join instead of claiming it (a KeyPackage, and so a Welcome
  // join, never claims it either).
  const unknown = (required?.proposalTypes ?? []).filter((t) => !base.proposals.includes(t) && t > 7);
  if (unknown.length > 0) throw new MlsError('unsupported-capability', `the group requires proposal types wirecrypt does not implement: ${unknown.join(', ')}`);
  const union = (a: readonly number[], b: readonly number[]) => [...new Set([...a, ...b])];
  const inUse = tree.members().map((m) => credentialTypeOf(tree.leaf(m)!.credential));
  return {
    ...base,
    extensions: union(base.extensions, (required?.extensionTypes ?? []).filter((t) => t > 5)),
    proposals: union(base.proposals, (required?.proposalTypes ?? []).filter((t) => t > 7)),
    credentials: union(base.credentials, [...(required?.credentialTypes ?? []), ...inUse]),
  };
}

/** kem_output and init_secret of the ExternalInit (§8.3). */
function externalInit(suite: CipherSuite, externalPub: Uint8Array): { kemOutput: Uint8Array; initSecret: Uint8Array } {
  let context;
  try {
    context = suite.hpke.setupBaseS(externalPub);
  } catch (e) {
    if (e instanceof MlsError) throw e;
    invalidGroupInfo(`external_pub is not a usable HPKE public key: ${(e as Error).message}`);
  }
  try {
    return { kemOutput: context.enc.slice(), initSecret: context.export(EXTERNAL_INIT_LABEL, suite.hashLength) };
  } finally {
    context.dispose();
  }
}

export interface ExternalCommit {
  /** The Commit as an MLSMessage (a PublicMessage). */
  readonly commit: Uint8Array;
  /** The joiner's state in the new epoch. */
  readonly state: GroupState;
}

interface Joiner {
  readonly credential: Credential;
  /** The group's own copy: kept by the new state, wiped here on failure. */
  readonly signaturePrivateKey: Uint8Array;
}

/**
 * Steps 2–6 of the module comment, from a checked GroupInfo. (Exported for tests, not from the
 * package: `unvalidated` skips the joiner's own resync check, to build the Commit receivers refuse.)
 */
export function createExternalCommit(suite: CipherSuite, checked: CheckedGroupInfo, joiner: Joiner, options: JoinExternalOptions, unvalidated = false): ExternalCommit {
  const { groupInfo, tree: oldTree, externalPub } = checked;
  const context = groupInfo.groupContext;
  const resync = options.resync?.leafIndex;
  if (resync !== undefined && (!Number.isInteger(resync) || resync < 0 || resync >= oldTree.leafCount || oldTree.leaf(resync) === undefined)) {
    throw new MlsError('invalid-commit', `a resync of leaf ${resync}, which is not a member`);
  }
  if (resync !== undefined && !unvalidated) requireResyncOf(oldTree, resync, { credential: joiner.credential } as LeafNode); // as every receiver will
  const injected = options.injectPsks ?? [];
  for (let i = 0; i < injected.length; i++) {
    for (let j = 0; j < i; j++) if (injected[i]!.id.length === injected[j]!.id.length && ctEqual(injected[i]!.id, injected[j]!.id)) throw new MlsError('invalid-commit', 'the same PSK injected twice');
  }
  const signatureKey = suite.provider.signature(suite.signature).publicKey(joiner.signaturePrivateKey);
  const template = { signatureKey, credential: joiner.credential, capabilities: capabilitiesFor(suite, joiner.credential, groupInfo, oldTree), extensions: [] };

  const { kemOutput, initSecret } = externalInit(suite, externalPub);
  let created: CreatedUpdatePath | undefined;
  let epoch: NextEpoch | undefined;
  try {
    const psks = injected.map((p) => ({ id: { type: PskType.external, pskId: p.id.slice(), nonce: suite.provider.randomBytes(suite.hashLength) } as const, secret: p.secret }));
    const proposals: Proposal[] = [
      { kind: 'external_init', kemOutput },
      ...(resync !== undefined ? [{ kind: 'remove', removed: resync } as const] : []),
      ...psks.map(({ id }) => ({ kind: 'psk', psk: id }) as const),
    ];
    const { tree: applied } = applyProposals(oldTree, proposals.map((proposal) => ({ proposal })));
    const leafIndex = placeExternalJoiner(applied);
    created = createUpdatePath(suite, applied, undefined, leafIndex, {
      cipherSuite: context.cipherSuite, groupId: context.groupId, epoch: context.epoch + 1n,
      confirmedTranscriptHash: context.confirmedTranscriptHash, extensions: context.extensions,
    }, [], template, joiner.signaturePrivateKey);
    // The receivers' check of the path's leaf (§7.3, treekem/apply.ts), made before sending: e.g. a
    // signature key that is already a member's (a resync without the Remove) is 'duplicate-key'.
    const required = requiredCapabilities(context);
    validateLeafNode(applied, created.updatePath.leafNode, {
      groupId: context.groupId, source: 'commit', leafIndex, signatureVerified: true,
      ...(required !== undefined ? { requiredCapabilities: required } : {}),
    });
    const { tree, privateState, commitSecret } = created;

    // The GroupInfo's epoch as the members hold it, as far as nextEpoch reads it.
    const base: EpochBase = {
      suite, groupId: context.groupId, epoch: context.epoch, groupContext: context,
      interimTranscriptHash: interimTranscriptHash(suite, context.confirmedTranscriptHash, groupInfo.confirmationTag),
    };
    const content: FramedContent = {
      groupId: context.groupId, epoch: context.epoch, sender: { kind: 'new_member_commit' },
      authenticatedData: options.authenticatedData?.slice() ?? new Uint8Array(0),
      body: { kind: 'commit', commit: { proposals: proposals.map((proposal) => ({ kind: 'proposal', proposal })), path: created.updatePath } },
    };
    const authenticated = authenticateContent(suite, {
      groupContext: context, signatureKey: joiner.signaturePrivateKey,
      confirmationTag: (signed) => {
        epoch = nextEpoch(base, signed, { tree, extensions: context.extensions, commitSecret, psks, initSecret });
        return confirmationTag(suite, epoch.epochSecrets.confirmationKey, epoch.confirmedTranscriptHash);
      },
    }, PUBLIC_MESSAGE, content);
    const next: NextEpoch = epoch!;
    const commit = encodeMlsMessage({ kind: 'mls_public_message', publicMessage: toPublicMessage(suite, { groupContext: context }, authenticated) });
    const state = groupStateOf({
      suite, groupContext: next.groupContext,
      groupInfoExtensions: [{ type: ExtensionType.external_pub, data: encodeExternalPub(externalKeyPair(suite, next.epochSecrets.externalSecret).publicKey) }],
      tree, leafIndex, privateState, signaturePrivateKey: joiner.signaturePrivateKey, epochSecrets: next.epochSecrets,
      confirmationTag: authenticated.auth.confirmationTag!,
      ...(options.secretTree !== undefined ? { secretTreeOptions: options.secretTree } : {}),
    });
    return { commit, state };
  } catch (e) {
    if (epoch !== undefined) wipeEpochSecrets((epoch as NextEpoch).epochSecrets);
    if (created !== undefined) for (const x of created.privateState.nodes()) created.privateState.keyPair(x)!.secretKey.fill(0);
    throw e;
  } finally {
    initSecret.fill(0);
    // The path's secrets: the keys are derived, no Welcome needs one, and the root's is DMLS's alone.
    created?.commitSecret.fill(0);
    created?.rootPathSecret.fill(0);
    for (const p of created?.pathSecrets ?? []) p.pathSecret.fill(0);
  }
}

/**
 * Joins the group of `groupInfo` (an MLSMessage of wire format mls_group_info, signed, with
 * external_pub) by an external commit (§12.4.3.2; see the module comment). Returns the joiner's
 * Group, already in the new epoch, and the Commit to send to the group (MLSMessage bytes). The
 * suite is the GroupInfo's. MlsError, with nothing kept: 'malformed-message', 'not-a-group-info',
 * 'unsupported-cipher-suite', 'invalid-group-info' (no or a bad external_pub, duplicated
 * extensions), 'missing-ratchet-tree', 'invalid-ratchet-tree', 'invalid-signer',
 * 'invalid-signature' (the GroupInfo's), the tree-validation codes ('tree-hash-mismatch',
 * 'invalid-parent-hash', 'invalid-leaf-node', …), 'invalid-commit' (a resync of a leaf that is no
 * member), and the policy's ('forbidden-by-policy': the XMTP profile refuses ExternalInit).
 */
export function joinExternal(groupInfo: Uint8Array, options: JoinExternalOptions): { group: Group; commit: Uint8Array } {
  if ((options as { dmls?: unknown }).dmls !== undefined) throw new TypeError('joinExternal: DMLS groups are joined by Welcome only');
  const message = decode(groupInfo);
  if (message.kind !== 'mls_group_info') throw new MlsError('not-a-group-info', `an MLSMessage of wire format ${message.kind}, not a GroupInfo`);
  const info = message.groupInfo;
  const suite = cipherSuite(info.groupContext.cipherSuite, options.provider ?? wasmProvider);
  let credential: Credential;
  if (options.credential !== undefined) credential = options.credential;
  else if (options.identity !== undefined) credential = { kind: 'basic', identity: options.identity.slice() };
  else throw new TypeError('joinExternal: an identity or a credential is required');

  const checked = checkGroupInfo(suite, info, options.ratchetTree, options.now?.());
  // The policy sees the Commit as a sender would (no proposal of it exists yet but the ExternalInit's kind).
  options.policy?.check({
    kind: 'commit', direction: 'send', sender: { kind: 'new_member_commit' },
    proposals: [
      { proposal: { kind: 'external_init', kemOutput: new Uint8Array(0) }, sender: { kind: 'new_member_commit' } },
      ...(options.resync !== undefined ? [{ proposal: { kind: 'remove', removed: options.resync.leafIndex } as const, sender: { kind: 'new_member_commit' } as const }] : []),
    ],
    members: checked.tree.members().map((leafIndex) => ({ leafIndex, credential: checked.tree.leaf(leafIndex)!.credential })),
  });
  if (options.policy?.handshakeWireFormat === 'private') {
    throw new MlsError('forbidden-by-policy', 'handshake messages must be PrivateMessages in this group; an external commit is a PublicMessage');
  }

  const signaturePrivateKey = options.signatureKey?.slice() ?? suite.provider.signature(suite.signature).generateKeyPair().secretKey;
  try {
    const { state, commit } = createExternalCommit(suite, checked, { credential, signaturePrivateKey }, options);
    return { group: new Group(state, options), commit };
  } catch (e) {
    signaturePrivateKey.fill(0);
    throw e;
  }
}
