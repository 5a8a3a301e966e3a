// MLS (RFC 9420) for applications: 'wirecrypt/mls', and the `mls` namespace of 'wirecrypt'. Bytes in
// and out are standard MLSMessage / TLS-encoded structs. Design notes and status: docs/mls.md.

export { MlsError } from './errors.js';
export { KeyPackageSecrets, keyPackageSecretsFrom } from './group/key-package-secrets.js';
export type { KeyPackageSecretsInput } from './group/key-package-secrets.js';
export { Group, createGroup, createKeyPackage, joinGroup, loadGroup } from './group/group.js';
export type { CommitRequest, ProposalRequest, GroupOptions, IdentityOptions, JoinGroupOptions, ProcessResult } from './group/group.js';
export type { CommitSummary } from './group/commit.js';
export type { ExternalPsk } from './group/join.js';
export type { Sender } from './messages/framing.js';
export type { Proposal } from './messages/proposal.js';
export { isSupportedSuite } from './crypto/cipher-suite.js';
export type { CipherSuiteId } from './crypto/cipher-suite.js';
