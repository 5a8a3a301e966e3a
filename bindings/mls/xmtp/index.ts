// The XMTP profile of MLS (../shared/specs/mls.md §6): XMTP's choices on top of RFC 9420, as libxmtp
// @ a53a97ed and its OpenMLS fork make them. Read from their code; no XMTP traffic was captured
// (what is derived and what observed: welcome-wrap.ts, wrapper-encryption.ts).
//
//   const alice = xmtp.createKeyPackage({ identity, applicationId?, lastResort?, welcomeWrapperKey? })
//                 → { keyPackage, secrets, wrapperPrivateKey? }        suite 3, XMTP capabilities (key-package.ts)
//   const group = xmtp.createGroup({ identity, extensions?, limits? })  required_capabilities, policy (group.ts)
//   const { commit, welcome } = group.commit({ add: [alice.keyPackage] })   a PrivateMessage, always
//   const wrapped = xmtp.wrapWelcome(welcome, alice.keyPackage, { metadata? })
//                 → { data, welcomeMetadata?, recipientKey, algorithm }   HPKE to 0xff03 or init_key (welcome-wrap.ts)
//   xmtp.unwrapWelcome(wrapped, alice) → { welcome, metadata? }         alice = { secrets, wrapperPrivateKey? }
//   const { group: g } = xmtp.joinGroup(wrapped, alice, { limits? })    unwrap + mls.joinGroup + policy
//   xmtp.loadGroup(saved, { limits? })                                  mls.loadGroup + policy
//   xmtp.policy({ maxMembers?, maxInstallations?, memberOf? })          the GroupPolicy (policy.ts), for mls.* options
//   xmtp.extensions, xmtp.capabilities(), xmtp.requiredCapabilities, xmtp.WELCOME_WRAP_INFO
//
// The policy: every handshake message a PrivateMessage; PreSharedKey, ReInit, ExternalInit and
// custom proposals refused; at most 250 members with 10 installations each (options). A refusal is
// MlsError 'forbidden-by-policy' and leaves the group unchanged. Groups are mls Groups: everything
// else (process, encrypt, save, …) is group/group.ts.

import { XMTP_REQUIRED_CAPABILITIES, XMTP_SUITE, XmtpExtension, xmtpCapabilities } from './extensions.js';
import { createGroup, joinGroup, loadGroup } from './group.js';
import { createKeyPackage } from './key-package.js';
import { xmtpPolicy } from './policy.js';
import { WELCOME_WRAP_INFO, unwrapWelcome, welcomeRecipientKey, wrapWelcome } from './welcome-wrap.js';
import { WelcomeWrapperAlgorithm, decodeWelcomeWrapperEncryption, encodeWelcomeWrapperEncryption } from './wrapper-encryption.js';

export const xmtp = Object.freeze({
  suite: XMTP_SUITE,
  extensions: XmtpExtension,
  capabilities: xmtpCapabilities,
  requiredCapabilities: XMTP_REQUIRED_CAPABILITIES,
  createKeyPackage,
  createGroup,
  joinGroup,
  loadGroup,
  policy: xmtpPolicy,
  wrapWelcome,
  unwrapWelcome,
  welcomeRecipientKey,
  WELCOME_WRAP_INFO,
  WelcomeWrapperAlgorithm,
  encodeWelcomeWrapperEncryption,
  decodeWelcomeWrapperEncryption,
});

export type { XmtpCreateGroupOptions, XmtpGroupOptions } from './group.js';
export type { XmtpIdentityOptions, XmtpKeyPackage, XmtpKeyPackageOptions } from './key-package.js';
export type { XmtpPolicyOptions } from './policy.js';
export type { WelcomeRecipient, WrapWelcomeOptions, WrappedWelcome } from './welcome-wrap.js';
export type { WelcomeWrapperEncryption } from './wrapper-encryption.js';
