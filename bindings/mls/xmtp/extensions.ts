// The XMTP profile's extension types and capabilities (../shared/specs/mls.md §6.3, from libxmtp
// @ a53a97ed `crates/xmtp_configuration/src/common/metadata.rs` and xmtp/openmls
// `openmls/src/extensions/mod.rs`; read from the code, not observed on the wire).
//
// wirecrypt keeps every extension's data as opaque bytes (group-context.ts, leaf-node.ts,
// key-package.ts): the XMTP ones pass through KeyPackages, leaf nodes, the GroupContext, GroupInfo
// and Welcome untouched and re-encode byte for byte. Validation needs only that a leaf's
// capabilities list each non-default type it carries (RFC 9420 §7.2) and each type of the group's
// required_capabilities (§11.1), and that every member lists a new GroupContext's types (§12.1.7):
// xmtpCapabilities() lists them all.

import { ExtensionType, ProposalType } from '../messages/constants.js';
import { CredentialType } from '../messages/constants.js';
import type { RequiredCapabilities } from '../messages/extensions.js';
import type { Capabilities } from '../messages/leaf-node.js';

/** The XMTP suite, MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519 (§6.1). */
export const XMTP_SUITE = 3;

/** Extension types XMTP uses beyond RFC 9420's (§6.3). Their data is protobuf (or empty), opaque to wirecrypt. */
export const XmtpExtension = {
  /** GroupContext: mutable metadata (protobuf). */
  mutableMetadata: 0xff00,
  /** GroupContext: group membership (protobuf). */
  groupMembership: 0xff01,
  /** GroupContext: group permissions (protobuf). */
  groupPermissions: 0xff02,
  /** KeyPackage: welcome-wrapper encryption, protobuf WelcomeWrapperEncryption{pub_key, algorithm} (wrapper-encryption.ts). */
  welcomeWrapperEncryption: 0xff03,
  /** KeyPackage: the AEADs the installation accepts for Welcome pointers (not implemented here: see welcome-wrap.ts). */
  welcomePointeeAeadTypes: 0xff04,
  /** GroupContext: OpenMLS's ImmutableMetadata. */
  immutableMetadata: 0xf000,
  /** KeyPackage: LastResort (draft-ietf-mls-extensions), empty data. */
  lastResort: 0x000a,
  /** LeafNode: AppDataDictionary (draft-ietf-mls-extensions). */
  appDataDictionary: 0x0006,
} as const;

/**
 * The GroupContext's required_capabilities of an XMTP group (`build_group_config`): the
 * extensions 0xff01, 0xff00, 0xff02, ImmutableMetadata, LastResort and ApplicationId, the
 * GroupContextExtensions proposal, Basic credentials.
 */
export const XMTP_REQUIRED_CAPABILITIES: RequiredCapabilities = {
  extensionTypes: [
    XmtpExtension.groupMembership, XmtpExtension.mutableMetadata, XmtpExtension.groupPermissions,
    XmtpExtension.immutableMetadata, XmtpExtension.lastResort, ExtensionType.application_id,
  ],
  proposalTypes: [ProposalType.group_context_extensions],
  credentialTypes: [CredentialType.basic],
};

/**
 * A leaf's capabilities in the XMTP profile: protocol mls10, suite 3, the required extensions plus
 * 0xff03, 0xff04 and AppDataDictionary (as libxmtp's leaves advertise), the GroupContextExtensions
 * proposal, Basic credentials.
 *
 * Choice: libxmtp also advertises the AppDataUpdate proposal (8); wirecrypt cannot process it (its
 * Commits are refused 'unsupported-proposal', and the profile policy refuses custom proposals), so
 * it is not advertised. ApplicationId (1) is a default extension type (§7.2) but is listed, because
 * the required_capabilities above name it and wirecrypt's leaf validation (tree/validate.ts)
 * checks required types against the list as written.
 */
export function xmtpCapabilities(suite: number = XMTP_SUITE): Capabilities {
  return {
    versions: [1],
    cipherSuites: [suite],
    extensions: [
      ...XMTP_REQUIRED_CAPABILITIES.extensionTypes,
      XmtpExtension.welcomeWrapperEncryption, XmtpExtension.welcomePointeeAeadTypes, XmtpExtension.appDataDictionary,
    ],
    proposals: [ProposalType.group_context_extensions],
    credentials: [CredentialType.basic],
  };
}
