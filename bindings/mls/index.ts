// MLS (RFC 9420) for applications: 'wirecrypt/mls', and the `mls` namespace of 'wirecrypt'. Bytes in
// and out are standard MLSMessage / TLS-encoded structs. Design notes and status: docs/mls.md.

export { MlsError } from './errors.js';
export { KeyPackageSecrets, keyPackageSecretsFrom } from './group/key-package-secrets.js';
export type { KeyPackageSecretsInput } from './group/key-package-secrets.js';
export { Group } from './group/group.js';
export type { CommitRequest, ProposalRequest, GroupOptions, JoinGroupOptions, ProcessResult } from './group/group.js';
export { createGroup, createKeyPackage, joinGroup, loadGroup } from './group/entry.js';
export type { IdentityOptions } from './group/entry.js';
export { joinExternal } from './group/join-external.js';
export type { JoinExternalOptions } from './group/join-external.js';
export type { GroupPolicy, PolicyChange } from './group/policy.js';
export type { CommitSummary } from './group/commit.js';
export type { ExternalPsk } from './group/join.js';
export type { Sender } from './messages/framing.js';
export type { Proposal } from './messages/proposal.js';
export { isSupportedSuite } from './crypto/cipher-suite.js';
export type { CipherSuiteId } from './crypto/cipher-suite.js';
// The delivery service's client side (browser-safe); the service itself is in node.ts.
export * from './ds/index.js';
// Application profiles and building blocks (issue 13).
export { xmtp } from './xmtp/index.js';
export type {
  XmtpCreateGroupOptions, XmtpGroupOptions, XmtpIdentityOptions, XmtpKeyPackage, XmtpKeyPackageOptions, XmtpPolicyOptions,
  WelcomeRecipient, WrapWelcomeOptions, WrappedWelcome, WelcomeWrapperEncryption,
} from './xmtp/index.js';
export * as dmls from './dmls/index.js';
