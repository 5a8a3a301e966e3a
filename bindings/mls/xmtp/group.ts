// Groups of the XMTP profile (../shared/specs/mls.md §6): an mls Group created, joined or loaded
// with the profile's policy (policy.ts) and, for a new group, the profile's GroupContext:
// required_capabilities naming the XMTP extension types (extensions.ts) unless the caller gives
// its own, and the caller's XMTP extensions (0xff00 mutable metadata, 0xff01 membership, 0xff02
// permissions, 0xf000 immutable metadata: protobuf, opaque here) passed through as bytes.
//
// A joiner gets its Welcome HPKE-wrapped (welcome-wrap.ts): joinGroup unwraps it and joins.

import type { Extension } from '../group-context.js';
import { createGroupState } from '../group/create.js';
import { Group, type GroupOptions, type JoinGroupOptions } from '../group/group.js';
import { joinGroup as joinMlsGroup, loadGroup as loadMlsGroup } from '../group/entry.js';
import { ExtensionType } from '../messages/constants.js';
import { encodeRequiredCapabilities } from '../messages/extensions.js';
import type { CryptoProvider } from '../../provider/types.js';
import { XMTP_REQUIRED_CAPABILITIES, xmtpCapabilities } from './extensions.js';
import { type XmtpIdentityOptions, xmtpIdentity } from './key-package.js';
import { type XmtpPolicyOptions, xmtpPolicy } from './policy.js';
import { type WelcomeRecipient, type WrappedWelcome, unwrapWelcome } from './welcome-wrap.js';

/** Group options of the profile: the policy is the XMTP one, its limits from `limits`. */
export type XmtpGroupOptions = Omit<GroupOptions, 'policy'> & { readonly limits?: XmtpPolicyOptions };

export interface XmtpCreateGroupOptions extends XmtpIdentityOptions, XmtpGroupOptions {
  /** Default: 32 random bytes. */
  readonly groupId?: Uint8Array;
  /** GroupContext extensions, kept as given; a required_capabilities one replaces the profile's. */
  readonly extensions?: readonly Extension[];
}

function groupOptions({ limits, ...rest }: XmtpGroupOptions): GroupOptions {
  return { ...rest, policy: xmtpPolicy(limits) };
}

/** A new XMTP-profile group whose only member is its creator, in epoch 0. */
export function createGroup(options: XmtpCreateGroupOptions): Group {
  const { suite, credential, leafExtensions } = xmtpIdentity(options);
  const given = options.extensions ?? [];
  const extensions = given.some((e) => e.type === ExtensionType.required_capabilities) ? given
    : [{ type: ExtensionType.required_capabilities, data: encodeRequiredCapabilities(XMTP_REQUIRED_CAPABILITIES) }, ...given];
  const state = createGroupState(suite, {
    credential, capabilities: xmtpCapabilities(suite.id), leafExtensions, extensions,
    ...(options.signatureKey !== undefined ? { signaturePrivateKey: options.signatureKey } : {}),
    ...(options.groupId !== undefined ? { groupId: options.groupId } : {}),
    ...(options.secretTree !== undefined ? { secretTree: options.secretTree } : {}),
  });
  return new Group(state, groupOptions(options));
}

/** Unwraps a Welcome (welcome-wrap.ts) and joins its group with the profile's policy; also returns the welcome metadata, if any. */
export function joinGroup(
  wrapped: Pick<WrappedWelcome, 'data'> & Partial<WrappedWelcome>, recipient: WelcomeRecipient,
  options: Omit<JoinGroupOptions, 'policy'> & { readonly limits?: XmtpPolicyOptions } = {},
): { group: Group; metadata?: Uint8Array } {
  const { welcome, metadata } = unwrapWelcome(wrapped, recipient);
  const { limits, ...rest } = options;
  const group = joinMlsGroup(welcome, recipient.secrets, { ...rest, policy: xmtpPolicy(limits) });
  return { group, ...(metadata !== undefined ? { metadata } : {}) };
}

/** A group saved with group.save(), loaded with the profile's policy (the saved form keeps no options). */
export function loadGroup(saved: Uint8Array, options: XmtpGroupOptions & { readonly provider?: CryptoProvider } = {}): Group {
  return loadMlsGroup(saved, { ...groupOptions(options), ...(options.provider !== undefined ? { provider: options.provider } : {}) });
}
