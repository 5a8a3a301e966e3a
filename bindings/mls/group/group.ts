// A member's view of an MLS group (RFC 9420), the object applications hold: join from a Welcome,
// then feed it every MLSMessage of the group in the delivery service's order.
//
//   const secrets = mls.keyPackageSecretsFrom({ keyPackage, initPrivateKey, encryptionPrivateKey, signaturePrivateKey });
//   const group = mls.joinGroup(welcome, secrets, { ratchetTree?, psks? });
//   group.process(bytes)  → { kind: 'application' | 'proposal' | 'commit', … }
//   group.epoch, group.epochAuthenticator, group.exportSecret(label, context, length)
//
// Processing is atomic: a message that is refused throws an MlsError and leaves the group exactly
// as it was (the layers below work on copies; see group/commit.ts). On a Commit the old epoch is
// retired at once (§9.2): its secrets and replaced private keys are wiped, and messages of that
// epoch are refused from then on ('wrong-epoch'), like the proposals received in it.
//
// Resumption PSKs (§8.6) of the last `keptResumptionPsks` epochs are kept (copies), for commits and
// Welcomes that name them; older ones are wiped.

import { DecodeError } from '../../codec/reader.js';
import { MlsError } from '../errors.js';
import type { SecretTreeOptions } from '../secret-tree.js';
import type { CipherSuite } from '../crypto/cipher-suite.js';
import { type CachedProposal, type CommitSummary, processCommitSummarized, receiveProposal, retireEpoch, unprotectParams } from './commit.js';
import { type ExternalPsk, type GroupState, joinGroup as joinFromWelcome } from './join.js';
import type { KeyPackageSecrets } from './key-package-secrets.js';
import { unprotect } from '../framing/protect.js';
import type { Sender } from '../messages/framing.js';
import { type MlsMessage, decodeMlsMessage } from '../messages/mls-message.js';
import type { Proposal } from '../messages/proposal.js';
import { wipeEpochSecrets } from '../key-schedule.js';

export interface GroupOptions {
  /** External PSKs this member holds (§8.4), for Welcomes and commits that name them. */
  readonly psks?: readonly ExternalPsk[];
  /** How many past epochs' resumption PSKs to keep (default 8; 0 keeps only the current epoch's). */
  readonly keptResumptionPsks?: number;
  /** Limits of each epoch's secret tree (out-of-order window). */
  readonly secretTree?: SecretTreeOptions;
  /** The clock for lifetime checks of new leaves, in seconds since the Unix epoch (default: none is checked). */
  readonly now?: () => bigint;
}

export interface JoinGroupOptions extends GroupOptions {
  /** The ratchet tree delivered out of band: the TLS encoding of the ratchet_tree extension's data. */
  readonly ratchetTree?: Uint8Array;
}

export type ProcessResult =
  | { readonly kind: 'application'; readonly sender: number; readonly plaintext: Uint8Array; readonly aad: Uint8Array }
  /** A proposal kept for a later Commit of this epoch to refer to. */
  | { readonly kind: 'proposal'; readonly sender: Sender; readonly proposal: Proposal; readonly ref: Uint8Array }
  | ({ readonly kind: 'commit'; readonly sender: Sender; readonly epoch: bigint } & CommitSummary);

const DEFAULT_KEPT_RESUMPTION_PSKS = 8;
const STATE = Symbol('wirecrypt.mls.state');

export class Group {
  #state: GroupState | undefined;
  #proposals: CachedProposal[] = [];
  /** epoch → a copy of that epoch's resumption_psk, oldest first. */
  readonly #resumption = new Map<bigint, Uint8Array>();
  readonly #options: GroupOptions;

  /** @internal Use joinGroup (or, later, createGroup / loadGroup). */
  constructor(state: GroupState, options: GroupOptions) {
    this.#state = state;
    this.#options = options;
    this.#keepResumptionPsk(state);
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

  /** MLS-Exporter(label, context, length) of the current epoch (§8.5). */
  exportSecret(label: string | Uint8Array, context: Uint8Array, length: number): Uint8Array {
    return this.#live().exportSecret(label, context, length);
  }

  /**
   * Processes one MLSMessage (PublicMessage or PrivateMessage) of the current epoch. MlsError, with
   * the group unchanged: 'malformed-message' (does not decode), 'not-framed-content' (a Welcome,
   * GroupInfo or KeyPackage), the framing codes ('wrong-group', 'wrong-epoch', 'invalid-signature',
   * 'invalid-membership-tag', 'decryption-failed', generation codes, …) and the Commit codes of
   * processCommit ('unknown-proposal', 'invalid-commit', 'invalid-confirmation-tag', 'removed-from-group', …).
   */
  process(bytes: Uint8Array): ProcessResult {
    const state = this.#live();
    const message = decode(bytes);
    const contentType = message.kind === 'mls_public_message'
      ? message.publicMessage.content.body.kind
      : message.kind === 'mls_private_message' ? message.privateMessage.contentType : undefined;
    switch (contentType) {
      case undefined:
        throw new MlsError('not-framed-content', `an MLSMessage of wire format ${message.kind} is not a group message`);
      case 'proposal': {
        const cached = receiveProposal(state, message);
        this.#proposals.push(cached);
        return { kind: 'proposal', sender: cached.sender, proposal: cached.proposal, ref: cached.ref.slice() };
      }
      case 'commit':
        return this.#commit(state, message);
      case 'application':
        return application(state, message);
    }
  }

  #commit(state: GroupState, message: MlsMessage): ProcessResult {
    const options = this.#options;
    const now = options.now?.();
    const { state: next, summary } = processCommitSummarized(state, message, this.#proposals, {
      ...(options.psks !== undefined ? { psks: options.psks } : {}),
      ...(options.secretTree !== undefined ? { secretTree: options.secretTree } : {}),
      ...(now !== undefined ? { now } : {}),
      resumptionPsk: (groupId, epoch) => (equalBytes(groupId, state.groupId) ? this.#resumption.get(epoch) : undefined),
    });
    retireEpoch(state, next);
    this.#state = next;
    this.#proposals = [];
    this.#keepResumptionPsk(next);
    const sender: Sender = message.kind === 'mls_public_message' ? message.publicMessage.content.sender : { kind: 'member', leafIndex: summary.committer };
    return { kind: 'commit', sender, epoch: next.epoch, ...summary };
  }

  #keepResumptionPsk(state: GroupState): void {
    this.#resumption.set(state.epoch, state.epochSecrets.resumptionPsk.slice());
    const keep = (this.#options.keptResumptionPsks ?? DEFAULT_KEPT_RESUMPTION_PSKS) + 1;
    for (const [epoch, psk] of this.#resumption) {
      if (this.#resumption.size <= keep) break;
      psk.fill(0);
      this.#resumption.delete(epoch);
    }
  }

  #live(): GroupState {
    if (this.#state === undefined) throw new MlsError('disposed', 'this group was disposed');
    return this.#state;
  }

  /** Wipes every secret the group holds (epoch secrets, secret tree, private keys, kept PSKs); the group is unusable after. */
  dispose(): void {
    const state = this.#state;
    if (state === undefined) return;
    for (const x of state.privateState.nodes()) state.privateState.keyPair(x)!.secretKey.fill(0);
    state.secretTree.dispose();
    wipeEpochSecrets(state.epochSecrets);
    state.signaturePrivateKey.fill(0);
    for (const psk of this.#resumption.values()) psk.fill(0);
    this.#resumption.clear();
    this.#proposals = [];
    this.#state = undefined;
  }
}

/** @internal The current GroupState of `group` (tests, persistence). */
export function stateOf(group: Group): GroupState {
  return group[STATE];
}

function decode(bytes: Uint8Array): MlsMessage {
  try {
    return decodeMlsMessage(bytes);
  } catch (e) {
    if (e instanceof DecodeError) throw new MlsError('malformed-message', `the MLSMessage does not decode: ${e.message}`);
    throw e;
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function application(state: GroupState, message: MlsMessage): ProcessResult {
  const authenticated = unprotect(state.suite, unprotectParams(state), message);
  const { content } = authenticated;
  if (content.body.kind !== 'application' || content.sender.kind !== 'member') {
    throw new MlsError('invalid-message', 'application data must come from a member'); // unreachable: PrivateMessage senders are members
  }
  return { kind: 'application', sender: content.sender.leafIndex, plaintext: content.body.applicationData, aad: content.authenticatedData };
}

/**
 * Joins the group a Welcome (an MLSMessage of wire format mls_welcome) invites `secrets`' KeyPackage
 * to (§12.4.3.1). The secrets stay the caller's (dispose them when no other Welcome is expected);
 * the group keeps its own copies of the keys it needs. MlsError: 'malformed-message',
 * 'not-a-welcome', and joinGroup's codes in group/join.ts.
 */
export function joinGroup(welcome: Uint8Array, secrets: KeyPackageSecrets, options: JoinGroupOptions = {}): Group {
  const message = decode(welcome);
  if (message.kind !== 'mls_welcome') throw new MlsError('not-a-welcome', `an MLSMessage of wire format ${message.kind}, not a Welcome`);
  const suite: CipherSuite = secrets.suite;
  const keys = secrets.keys();
  const now = options.now?.();
  const signaturePrivateKey = keys.signaturePrivateKey.slice(); // the group's own copy
  try {
    const state = joinFromWelcome(suite, message.welcome, { ...keys, signaturePrivateKey }, {
      ...(options.ratchetTree !== undefined ? { ratchetTree: options.ratchetTree } : {}),
      ...(options.psks !== undefined ? { psks: options.psks } : {}),
      ...(options.secretTree !== undefined ? { secretTree: options.secretTree } : {}),
      ...(now !== undefined ? { now } : {}),
    });
    return new Group(state, options);
  } catch (e) {
    signaturePrivateKey.fill(0);
    throw e;
  }
}
