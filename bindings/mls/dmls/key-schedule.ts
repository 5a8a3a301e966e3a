// The DMLS key schedule (draft-kohbrok-mls-dmls §4 "DMLS key schedule", Figure 1; same text in -00
// §3, -01 and -03). Everything down to epoch_secret is RFC 9420 §8's; what changes is where the
// next epoch's init secret comes from:
//
//   RFC 9420:  init_secret[n]  = DeriveSecret(epoch_secret[n], "init")      — one per epoch
//   DMLS:      parent_init_secret = DeriveSecret(epoch_secret, "parent_init")  — a PPRF key
//              commit_confirmation = DeriveSecret(path_secret[n], "conf")
//              init_secret_[n]  = DeriveChildSecret(parent_init_secret, "child_init", commit_confirmation, GroupContext_[n])
//   DeriveChildSecret(prf_key, label, input_secret, context) =
//              DeriveFSSecret(prf_key, ExpandWithLabel(input_secret, label, context, KDF.Nh))
//
// Why: a member that must accept a commit against an older epoch (a fork: two commits for the same
// epoch, or a late one) has to keep something from which that epoch's successors can be computed.
// Keeping init_secret would let a thief compute every successor, including the ones the member has
// already moved through. Keeping the PPRF key instead, punctured at every child already derived,
// lets the member compute the successors it has not seen yet and nothing else: the point of each
// derived child is gone (pprf.ts).
//
// Open choices of the draft, decided here (also in docs/mls.md, "DMLS"):
//   * which path_secret[n]: the RFC 9420 §7.4 notation, i.e. the committer's path secret at the
//     root, whose DeriveSecret(·, "path") is the commit_secret — commit_confirmation is its sibling
//     derivation, so it is not the commit_secret itself (the -00 draft's open question about reusing
//     the commit secret). A Commit without a path has no path secret; as RFC 9420 §8 sets that
//     commit's commit_secret to Nh zero bytes, path_secret[n] is then Nh zero bytes too, and two
//     such forks still differ through GroupContext_[n].
//   * which GroupContext_[n]: the new epoch's (the child's), serialized as RFC 9420 §8.1. Its
//     confirmed_transcript_hash covers the signed Commit, so two different commits against one
//     parent get different PPRF inputs even when neither has a path. (The parent's context would
//     give every pathless fork the same input, and the second could never be derived.)
//   * when to puncture: deriveChildInitSecret punctures at once. A receiver should rather use
//     deriveChildInitSecretTentatively and puncture only once the Commit's confirmation tag has
//     verified: the tag is outside the confirmed transcript hash, so a Commit whose tag was
//     altered in transit maps to the genuine Commit's PPRF input, and puncturing it on the
//     failed attempt would make the genuine Commit unprocessable.

import type { CipherSuite } from '../crypto/cipher-suite.js';
import { deriveSecret, expandWithLabel } from '../crypto/labels.js';
import { type GroupContext, encodeGroupContext } from '../group-context.js';
import { MlsError } from '../errors.js';
import { dmlsEpochId } from './epoch.js';
import { Pprf, type PprfOptions } from './pprf.js';

/** What an epoch keeps under DMLS in place of RFC 9420's init_secret. */
export interface DmlsEpochKeys {
  /** dmls_epoch (draft §2): the epoch's name on the wire. */
  readonly dmlsEpoch: Uint8Array;
  /** The PPRF keyed by parent_init_secret: one init secret per child epoch. */
  readonly parentInit: Pprf;
}

/**
 * dmls_epoch and the PPRF keyed by parent_init_secret = DeriveSecret(epoch_secret, "parent_init").
 * `epochSecret` is wiped here: whoever holds it can re-key the PPRF and undo every puncture, so
 * under DMLS no copy of epoch_secret may outlive this call (nor of joiner_secret, from which it is
 * computed, nor RFC 9420's init_secret[n], which DMLS does not use — the caller wipes those).
 */
export function dmlsEpochKeys(suite: CipherSuite, epochSecret: Uint8Array, options: PprfOptions = {}): DmlsEpochKeys {
  const dmlsEpoch = dmlsEpochId(suite, epochSecret);
  const parentInitSecret = deriveSecret(suite, epochSecret, 'parent_init');
  try {
    return { dmlsEpoch, parentInit: new Pprf(suite, parentInitSecret, options) };
  } finally {
    parentInitSecret.fill(0);
    epochSecret.fill(0);
  }
}

/**
 * commit_confirmation = DeriveSecret(path_secret[n], "conf"), path_secret[n] being the committer's
 * root path secret, or Nh zero bytes for a Commit without a path (see the module comment).
 */
export function commitConfirmation(suite: CipherSuite, rootPathSecret: Uint8Array | undefined): Uint8Array {
  const secret = rootPathSecret ?? new Uint8Array(suite.hashLength);
  if (secret.length !== suite.hashLength) throw new RangeError(`path_secret is Nh = ${suite.hashLength} bytes, not ${secret.length}`);
  return deriveSecret(suite, secret, 'conf');
}

/**
 * The commit's identifier in the parent's PPRF: ExpandWithLabel(commit_confirmation, "child_init",
 * GroupContext_[n], Nh), GroupContext_[n] being the child epoch's (as a struct or its §8.1 encoding).
 */
export function childInitInput(suite: CipherSuite, confirmation: Uint8Array, childGroupContext: GroupContext | Uint8Array): Uint8Array {
  if (confirmation.length !== suite.hashLength) throw new RangeError(`commit_confirmation is Nh = ${suite.hashLength} bytes, not ${confirmation.length}`);
  const context = childGroupContext instanceof Uint8Array ? childGroupContext : encodeGroupContext(childGroupContext);
  return expandWithLabel(suite, confirmation, 'child_init', context, suite.hashLength);
}

/**
 * init_secret_[n] for the child epoch that `confirmation` and `childGroupContext` identify, from the
 * parent epoch's PPRF, which is punctured there: the same child can never be derived again
 * (MlsError 'pprf-punctured' on a second call). The result is the caller's (to wipe once the
 * key schedule has used it).
 */
export function deriveChildInitSecret(suite: CipherSuite, parentInit: Pprf, confirmation: Uint8Array, childGroupContext: GroupContext | Uint8Array): Uint8Array {
  const x = childInitInput(suite, confirmation, childGroupContext);
  try {
    return parentInit.take(x);
  } finally {
    x.fill(0);
  }
}

/** A child's init secret whose PPRF point is punctured only by commit(). */
export interface TentativeInitSecret {
  readonly initSecret: Uint8Array;
  /** The Commit was accepted: punctures the point (the child can no longer be derived). */
  commit(): void;
  /** The Commit was refused: the point stays evaluable; wipes initSecret. */
  discard(): void;
}

/**
 * deriveChildInitSecret, but the puncture waits for commit() — for a receiver, which learns only
 * after the key schedule (from the confirmation tag) whether the Commit is genuine.
 */
export function deriveChildInitSecretTentatively(
  suite: CipherSuite, parentInit: Pprf, confirmation: Uint8Array, childGroupContext: GroupContext | Uint8Array,
): TentativeInitSecret {
  const x = childInitInput(suite, confirmation, childGroupContext);
  let initSecret: Uint8Array;
  try {
    initSecret = parentInit.evaluate(x);
  } catch (e) {
    x.fill(0);
    throw e;
  }
  let settled = false;
  const settle = () => {
    if (settled) throw new MlsError('dmls-settled', 'this tentative init secret was already committed or discarded');
    settled = true;
  };
  return {
    initSecret,
    commit: () => {
      settle();
      try {
        // A PPRF disposed meanwhile (its epoch evicted) can no longer evaluate anything.
        if (!parentInit.isPunctured(x)) parentInit.puncture(x);
      } finally {
        x.fill(0);
      }
    },
    discard: () => {
      settle();
      x.fill(0);
      initSecret.fill(0);
    },
  };
}
