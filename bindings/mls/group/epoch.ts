// The step from one epoch to the next that a Commit's sender and its receivers compute alike
// (RFC 9420 §8, §8.2, §12.4.1 steps 8–10, §12.4.2):
//
//   confirmed_transcript_hash = Hash(interim_transcript_hash[n-1] ‖ ConfirmedTranscriptHashInput)
//   GroupContext[n]           = (suite, group_id, epoch + 1, tree_hash(new tree), confirmed hash, extensions)
//   epoch secrets             = key schedule(init_secret[n-1] (or an external commit's), commit_secret, psk_secret, GroupContext[n])
//   confirmation_tag          = MAC(confirmation_key, confirmed_transcript_hash)
//   interim_transcript_hash   = Hash(confirmed_transcript_hash ‖ confirmation_tag)
//
// and the GroupState of the new epoch built from it (also for a group's first epoch, §11).
//
// Under DMLS the init secret is not init_secret[n-1] but the child's (dmls/key-schedule.ts), whose
// PPRF input needs GroupContext[n]: EpochInputs.initSecretFor computes it once that context exists.

import { writeOpaque } from '../../codec/tls.js';
import { type Extension, type GroupContext, encodeGroupContext } from '../group-context.js';
import { type EpochSecrets, exportSecret, nextEpochSecrets } from '../key-schedule.js';
import { type FramedContent, writeFramedContent } from '../messages/framing.js';
import { type PreSharedKeyId, pskSecret } from '../psk.js';
import { SecretTree, type SecretTreeOptions } from '../secret-tree.js';
import { confirmedTranscriptHash, interimTranscriptHash } from '../transcript.js';
import type { PublicRatchetTree } from '../tree/ratchet-tree.js';
import { treeHash } from '../tree/tree-hash.js';
import type { GroupState } from './join.js';

/** The signed part of a Commit that the confirmed transcript hash covers (§8.2). */
export interface SignedCommit {
  readonly wireFormat: number;
  readonly content: FramedContent;
  readonly signature: Uint8Array;
}

export interface EpochInputs {
  /** The new epoch's tree (proposals applied, path merged). */
  readonly tree: PublicRatchetTree;
  readonly extensions: readonly Extension[];
  /** Wiped here. */
  readonly commitSecret: Uint8Array;
  readonly psks: readonly { readonly id: PreSharedKeyId; readonly secret: Uint8Array }[];
  /** init_secret[n-1], or an external commit's init secret (§8.3). Not wiped here. */
  readonly initSecret?: Uint8Array;
  /**
   * Instead of initSecret: the init secret computed from the new epoch's GroupContext (its §8.1
   * encoding), called once that context is built and before the key schedule. DMLS uses it: the
   * child's init secret is a PPRF output whose input depends on GroupContext_[n]
   * (dmls/key-schedule.ts). The result is not wiped here.
   */
  readonly initSecretFor?: (childGroupContext: Uint8Array) => Uint8Array;
}

export interface NextEpoch {
  readonly groupContext: GroupContext;
  readonly epochSecrets: EpochSecrets;
  readonly confirmedTranscriptHash: Uint8Array;
}

/** GroupContext and key schedule of the epoch `signed` starts, from `state`'s (see the module comment). */
/** What nextEpoch reads of the current epoch: an external joiner (group/join-external.ts) has only these, from a GroupInfo. */
export type EpochBase = Pick<GroupState, 'suite' | 'groupId' | 'epoch' | 'groupContext' | 'interimTranscriptHash'>;

export function nextEpoch(state: EpochBase, signed: SignedCommit, inputs: EpochInputs): NextEpoch {
  const { suite } = state;
  const confirmed = confirmedTranscriptHash(suite, state.interimTranscriptHash, (w) => {
    w.u16(signed.wireFormat);
    writeFramedContent(w, signed.content);
    writeOpaque(w, signed.signature);
  });
  const groupContext: GroupContext = {
    cipherSuite: state.groupContext.cipherSuite,
    groupId: state.groupId,
    epoch: state.epoch + 1n,
    treeHash: treeHash(inputs.tree),
    confirmedTranscriptHash: confirmed,
    extensions: inputs.extensions,
  };
  if ((inputs.initSecret === undefined) === (inputs.initSecretFor === undefined)) {
    inputs.commitSecret.fill(0);
    throw new TypeError('nextEpoch: give exactly one of initSecret and initSecretFor');
  }
  const encodedContext = encodeGroupContext(groupContext);
  let psk: Uint8Array | undefined;
  try {
    const initSecret = inputs.initSecret ?? inputs.initSecretFor!(encodedContext);
    psk = pskSecret(suite, inputs.psks);
    const epochSecrets = nextEpochSecrets(suite, initSecret, inputs.commitSecret, psk, encodedContext);
    return { groupContext, epochSecrets, confirmedTranscriptHash: confirmed };
  } finally {
    inputs.commitSecret.fill(0);
    psk?.fill(0);
  }
}

/** What an epoch's GroupState is built from: the parts of it that are not derived. */
export type EpochState = Pick<
  GroupState, 'suite' | 'groupContext' | 'groupInfoExtensions' | 'tree' | 'leafIndex' | 'privateState' | 'signaturePrivateKey' | 'epochSecrets' | 'confirmationTag' | 'reinit'
> & { readonly secretTreeOptions?: SecretTreeOptions };

/** The GroupState of an epoch whose secrets and confirmation tag are known: its secret tree, interim transcript hash, exporter. */
export function groupStateOf(e: EpochState): GroupState {
  const { suite, groupContext, epochSecrets } = e;
  return {
    suite,
    groupId: groupContext.groupId,
    epoch: groupContext.epoch,
    groupContext,
    groupInfoExtensions: e.groupInfoExtensions,
    tree: e.tree,
    leafIndex: e.leafIndex,
    privateState: e.privateState,
    signaturePrivateKey: e.signaturePrivateKey,
    epochSecrets,
    secretTree: new SecretTree(suite, epochSecrets.encryptionSecret, e.tree.leafCount, e.secretTreeOptions),
    epochAuthenticator: epochSecrets.epochAuthenticator,
    confirmationTag: e.confirmationTag,
    interimTranscriptHash: interimTranscriptHash(suite, groupContext.confirmedTranscriptHash, e.confirmationTag),
    exportSecret: (label, context, length) => exportSecret(suite, epochSecrets.exporterSecret, label, context, length),
    ...(e.reinit !== undefined ? { reinit: e.reinit } : {}),
  };
}
