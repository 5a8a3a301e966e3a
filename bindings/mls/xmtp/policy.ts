// The XMTP profile's rules for a group (../shared/specs/mls.md §6.4, §6.5), as a GroupPolicy the
// Group consults (group/group.ts) before it sends and before it accepts a proposal or Commit:
//
// * Framing: every handshake message is a PrivateMessage (OpenMLS's WireFormatPolicy
//   PURE_CIPHERTEXT, libxmtp's default): this member sends none other and refuses PublicMessage
//   proposals and Commits. Application messages are PrivateMessages anyway (RFC 9420 §6).
// * Proposals: Add, Update, Remove and GroupContextExtensions are allowed; PreSharedKey, ReInit,
//   ExternalInit and every proposal type RFC 9420 does not define (custom, SelfRemove,
//   AppEphemeral, AppDataUpdate, …) are refused, as libxmtp's `validated_commit.rs` refuses them.
//   An external commit carries an ExternalInit, so external joins are refused too.
// * Limits: at most `maxMembers` members (default 250, MAX_GROUP_SIZE) and `maxInstallations`
//   installations (leaves) per member (default 10, MAX_INSTALLATIONS_PER_INBOX; xmtp/libxmtp#2248).
//   A member is an identity (an XMTP inbox) with one leaf per installation; the identity is the
//   basic credential's identity bytes (XMTP's protobuf MlsCredential{inbox_id}) unless `memberOf`
//   says otherwise. A change is refused when it leaves the group above a limit and grows it there
//   (a group above a lowered limit may still shrink). A received proposal is checked against the
//   current members; the Commit that includes it is checked with its whole list.
//
// Every refusal is MlsError 'forbidden-by-policy'; the group does not change.

import { MlsError } from '../errors.js';
import type { GroupPolicy, PolicyChange } from '../group/policy.js';
import type { Credential } from '../messages/credential.js';
import type { Proposal } from '../messages/proposal.js';

export const DEFAULT_MAX_MEMBERS = 250;
export const DEFAULT_MAX_INSTALLATIONS = 10;

export interface XmtpPolicyOptions {
  /** Most members (distinct identities) a group may have; default 250. */
  readonly maxMembers?: number;
  /** Most installations (leaves) one member may have in a group; default 10. */
  readonly maxInstallations?: number;
  /** The member (XMTP inbox) a leaf's credential belongs to, as a string key; default: the basic credential's identity, in hex. */
  readonly memberOf?: (credential: Credential) => string;
}

const ALLOWED: ReadonlySet<Proposal['kind']> = new Set(['add', 'update', 'remove', 'group_context_extensions']);

/** The XMTP profile's GroupPolicy (see the module comment). */
export function xmtpPolicy(options: XmtpPolicyOptions = {}): GroupPolicy {
  const maxMembers = limit(options.maxMembers ?? DEFAULT_MAX_MEMBERS, 'maxMembers');
  const maxInstallations = limit(options.maxInstallations ?? DEFAULT_MAX_INSTALLATIONS, 'maxInstallations');
  const memberOf = options.memberOf ?? defaultMemberOf;
  return Object.freeze({
    handshakeWireFormat: 'private' as const,
    check(change: PolicyChange): void {
      for (const { proposal } of change.proposals) {
        if (!ALLOWED.has(proposal.kind)) {
          const what = proposal.kind === 'unknown' ? `proposal type ${proposal.proposalType}` : `a ${proposal.kind} proposal`;
          forbidden(`the XMTP profile does not allow ${what}`);
        }
      }
      checkLimits(change, maxMembers, maxInstallations, memberOf);
    },
  });
}

/** Installations per member before and after the change's Removes, Updates and Adds (§12.3's order). */
function checkLimits(change: PolicyChange, maxMembers: number, maxInstallations: number, memberOf: (c: Credential) => string): void {
  if (!change.proposals.some(({ proposal: p }) => p.kind === 'add' || p.kind === 'update')) return; // nothing grows
  const before = new Map<number, string>(change.members.map((m) => [m.leafIndex, memberOf(m.credential)]));
  const after = new Map(before);
  const added: string[] = [];
  for (const { proposal: p, sender } of change.proposals) {
    if (p.kind === 'remove') after.delete(p.removed);
    else if (p.kind === 'update' && sender.kind === 'member') after.set(sender.leafIndex, memberOf(p.leafNode.credential));
    else if (p.kind === 'add') added.push(memberOf(p.keyPackage.leafNode.credential));
  }
  const count = (ids: Iterable<string>) => {
    const per = new Map<string, number>();
    for (const id of ids) per.set(id, (per.get(id) ?? 0) + 1);
    return per;
  };
  const was = count(before.values());
  const will = count([...after.values(), ...added]);
  if (will.size > maxMembers && will.size > was.size) forbidden(`the group would have ${will.size} members, more than ${maxMembers}`);
  for (const [id, n] of will) {
    if (n > maxInstallations && n > (was.get(id) ?? 0)) forbidden(`a member would have ${n} installations in the group, more than ${maxInstallations}`);
  }
}

function defaultMemberOf(credential: Credential): string {
  if (credential.kind !== 'basic') forbidden('the XMTP profile uses basic credentials only');
  let s = '';
  for (const b of credential.identity) s += b.toString(16).padStart(2, '0');
  return s;
}

function limit(n: number, name: string): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`xmtp.policy: ${name} must be a positive integer, got ${n}`);
  return n;
}

function forbidden(message: string): never {
  throw new MlsError('forbidden-by-policy', message);
}
