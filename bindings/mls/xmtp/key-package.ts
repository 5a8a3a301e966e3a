// KeyPackages of the XMTP profile (../shared/specs/mls.md §6.1–§6.3): suite 3, a leaf whose
// capabilities list the XMTP extension types (extensions.ts), optionally the ApplicationId leaf
// extension (XMTP: the inbox id), the LastResort marker (0x000a) and a welcome-wrapper key in
// extension 0xff03 (wrapper-encryption.ts) that Welcomes for this installation are then wrapped to
// instead of the init key (welcome-wrap.ts).
//
// Choice: libxmtp puts an X-Wing key in 0xff03; wirecrypt has no X-Wing KEM and puts an X25519 key
// there (WelcomeWrapperAlgorithm Curve25519), which libxmtp's wrapper accepts as well.

import type { CryptoProvider } from '../../provider/types.js';
import { wasmProvider } from '../../provider/wasm.js';
import { type CipherSuite, cipherSuite } from '../crypto/cipher-suite.js';
import type { Extension } from '../group-context.js';
import { createKeyPackage as createKeyPackageKeys } from '../group/create.js';
import { KeyPackageSecrets } from '../group/key-package-secrets.js';
import { ExtensionType } from '../messages/constants.js';
import type { Credential } from '../messages/credential.js';
import { encodeApplicationId } from '../messages/extensions.js';
import type { Lifetime } from '../messages/leaf-node.js';
import { encodeMlsMessage } from '../messages/mls-message.js';
import { XMTP_SUITE, XmtpExtension, xmtpCapabilities } from './extensions.js';
import { welcomeWrapSuite } from './welcome-wrap.js';
import { WelcomeWrapperAlgorithm, encodeWelcomeWrapperEncryption } from './wrapper-encryption.js';

/** Who an installation is, in the XMTP profile (shared by createKeyPackage and createGroup). */
export interface XmtpIdentityOptions {
  /** Default 3, the XMTP suite; 1 also works (X25519 keys), 2 only without wrapping to the init key. */
  readonly suite?: number;
  /** The identity of a basic credential (XMTP: protobuf MlsCredential{inbox_id}); or give `credential`. */
  readonly identity?: Uint8Array;
  readonly credential?: Credential;
  /** The Ed25519 signature private key (the installation key); generated when absent. */
  readonly signatureKey?: Uint8Array;
  /** The leaf's ApplicationId extension (0x0001; XMTP: the inbox id bytes). */
  readonly applicationId?: Uint8Array;
  /** More leaf extensions; their types must be in the XMTP capabilities (e.g. AppDataDictionary). */
  readonly leafExtensions?: readonly Extension[];
  readonly provider?: CryptoProvider;
}

export interface XmtpKeyPackageOptions extends XmtpIdentityOptions {
  readonly lifetime?: Lifetime;
  /** Mark the KeyPackage as last resort (extension 0x000a, empty data). */
  readonly lastResort?: boolean;
  /** Generate an X25519 welcome-wrapper key pair and advertise its public key in extension 0xff03. */
  readonly welcomeWrapperKey?: boolean;
  /** More KeyPackage extensions, kept as given. */
  readonly extensions?: readonly Extension[];
}

export interface XmtpKeyPackage {
  /** The KeyPackage as an MLSMessage (wire format mls_key_package), for the key-package directory. */
  readonly keyPackage: Uint8Array;
  /** Its private keys, for unwrapWelcome and joinGroup. */
  readonly secrets: KeyPackageSecrets;
  /** The private key of the 0xff03 welcome-wrapper key, when one was asked for. */
  readonly wrapperPrivateKey?: Uint8Array;
}

/** @internal The suite, credential and leaf extensions of an XMTP installation. */
export function xmtpIdentity(o: XmtpIdentityOptions): { suite: CipherSuite; credential: Credential; leafExtensions: Extension[] } {
  const suite = cipherSuite(o.suite ?? XMTP_SUITE, o.provider ?? wasmProvider);
  let credential = o.credential;
  if (credential === undefined) {
    if (o.identity === undefined) throw new TypeError('xmtp: an identity or a credential is required');
    credential = { kind: 'basic', identity: o.identity.slice() };
  }
  const leafExtensions = [
    ...(o.applicationId !== undefined ? [{ type: ExtensionType.application_id, data: encodeApplicationId(o.applicationId) }] : []),
    ...(o.leafExtensions ?? []),
  ];
  return { suite, credential, leafExtensions };
}

/** A new KeyPackage of the XMTP profile and its secrets (see the module comment). */
export function createKeyPackage(options: XmtpKeyPackageOptions): XmtpKeyPackage {
  const { suite, credential, leafExtensions } = xmtpIdentity(options);
  const wrapper = options.welcomeWrapperKey === true ? welcomeWrapSuite(suite.provider).generateKeyPair() : undefined;
  const extensions: Extension[] = [
    ...(wrapper !== undefined ? [{
      type: XmtpExtension.welcomeWrapperEncryption,
      data: encodeWelcomeWrapperEncryption({ publicKey: wrapper.publicKey, algorithm: WelcomeWrapperAlgorithm.curve25519 }),
    }] : []),
    ...(options.lastResort === true ? [{ type: XmtpExtension.lastResort, data: new Uint8Array(0) }] : []),
    ...(options.extensions ?? []),
  ];
  const keys = createKeyPackageKeys(suite, {
    credential, capabilities: xmtpCapabilities(suite.id), leafExtensions, extensions,
    ...(options.signatureKey !== undefined ? { signaturePrivateKey: options.signatureKey } : {}),
    ...(options.lifetime !== undefined ? { lifetime: options.lifetime } : {}),
  });
  return {
    keyPackage: encodeMlsMessage({ kind: 'mls_key_package', keyPackage: keys.keyPackage }),
    secrets: new KeyPackageSecrets(suite, keys),
    ...(wrapper !== undefined ? { wrapperPrivateKey: wrapper.secretKey } : {}),
  };
}
