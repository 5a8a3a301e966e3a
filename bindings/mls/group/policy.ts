// The hook an application profile (bindings/mls/xmtp) uses to add its rules to a Group: what it is
// asked, and when (group/group.ts consults it before sending and after authenticating a received
// proposal or Commit, with nothing spent until it agrees).

import type { Credential } from '../messages/credential.js';
import type { Sender } from '../messages/framing.js';
import type { Proposal } from '../messages/proposal.js';

/**
 * An application profile's rules, consulted by the Group: `check` before this member sends a
 * proposal or a Commit (nothing is created when it throws) and before a received one is accepted
 * (after authentication; the group is left unchanged when it throws). It refuses by throwing,
 * MlsError 'forbidden-by-policy' by convention.
 */
export interface GroupPolicy {
  /** 'private': every handshake message is a PrivateMessage (§6.3), sent and received; a PublicMessage one is refused. */
  readonly handshakeWireFormat?: 'private';
  check(change: PolicyChange): void;
}

/** What a GroupPolicy is asked about: one proposal, or a Commit with its whole proposal list. */
export interface PolicyChange {
  readonly kind: 'proposal' | 'commit';
  /** Whether this member is creating it ('send') or received it ('receive'). */
  readonly direction: 'send' | 'receive';
  readonly sender: Sender;
  /** The proposal, or the Commit's proposals (by value and those by reference this member holds), each with its proposer. */
  readonly proposals: readonly { readonly proposal: Proposal; readonly sender: Sender }[];
  /** The group's members before the change. */
  readonly members: readonly { readonly leafIndex: number; readonly credential: Credential }[];
}
