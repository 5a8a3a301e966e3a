// The private half of a KeyPackage (RFC 9420 §10): what its holder needs to join a group from a
// Welcome made for it. `keyPackageSecretsFrom` checks that the keys belong together before anything
// is done with them, so a mismatch is reported as such and not as a Welcome that fails to open:
//
//   * the KeyPackage decodes (as an MLSMessage of wire format mls_key_package, or bare), is of a
//     supported cipher suite and protocol version mls10, and its signature verifies (§10.1);
//   * init_key, leaf_node.encryption_key and leaf_node.signature_key are the public keys of the
//     three private keys given.
//
// The secrets hold copies of the private keys; dispose() wipes them.

import { DecodeError } from '../../codec/reader.js';
import { ctEqual } from '../../compare.js';
import type { CryptoProvider } from '../../provider/types.js';
import { wasmProvider } from '../../provider/wasm.js';
import { type CipherSuite, cipherSuite } from '../crypto/cipher-suite.js';
import { verifyWithLabel } from '../crypto/labels.js';
import { MlsError } from '../errors.js';
import { type KeyPackage, decodeKeyPackage, encodeKeyPackageTbs } from '../messages/key-package.js';
import { decodeMlsMessage } from '../messages/mls-message.js';
import type { JoinKeys } from './join.js';

export interface KeyPackageSecretsInput {
  /** The KeyPackage: an MLSMessage (wire format mls_key_package) or the bare TLS-encoded struct. */
  readonly keyPackage: Uint8Array;
  /** HPKE private key of init_key. */
  readonly initPrivateKey: Uint8Array;
  /** HPKE private key of leaf_node.encryption_key. */
  readonly encryptionPrivateKey: Uint8Array;
  /** Signature private key of leaf_node.signature_key (Ed25519: the 32-byte seed or seed ‖ public key). */
  readonly signaturePrivateKey: Uint8Array;
  /** The crypto provider the group will run on (default: the wasm engine). */
  readonly provider?: CryptoProvider;
}

/** A KeyPackage with its private keys, checked to belong together. */
export class KeyPackageSecrets {
  #keys: JoinKeys | undefined;

  /** @internal Use keyPackageSecretsFrom. */
  constructor(readonly suite: CipherSuite, keys: JoinKeys) {
    this.#keys = keys;
  }

  get cipherSuite(): number {
    return this.suite.id;
  }

  get keyPackage(): KeyPackage {
    return this.keys().keyPackage;
  }

  /** @internal The private keys, for joinGroup. */
  keys(): JoinKeys {
    if (this.#keys === undefined) throw new MlsError('disposed', 'these KeyPackage secrets were disposed');
    return this.#keys;
  }

  /** Wipes the private keys. */
  dispose(): void {
    if (this.#keys === undefined) return;
    this.#keys.initPrivateKey.fill(0);
    this.#keys.encryptionPrivateKey.fill(0);
    this.#keys.signaturePrivateKey.fill(0);
    this.#keys = undefined;
  }
}

/** A KeyPackage from MLSMessage bytes (wire format mls_key_package) or its bare encoding; MlsError 'invalid-key-package'. */
export function decodeKeyPackageBytes(bytes: Uint8Array): KeyPackage {
  try {
    // MLSMessage: version (2) ‖ wire_format 0x0005; a bare KeyPackage: version (2) ‖ cipher_suite.
    // Suite 5 (P-521) is not supported, so the two cannot be confused.
    if (bytes.length >= 4 && bytes[2] === 0 && bytes[3] === 5) {
      const message = decodeMlsMessage(bytes);
      if (message.kind !== 'mls_key_package') throw new MlsError('invalid-key-package', `an MLSMessage of wire format ${message.kind}, not a KeyPackage`);
      return message.keyPackage;
    }
    return decodeKeyPackage(bytes);
  } catch (e) {
    if (e instanceof DecodeError) throw new MlsError('invalid-key-package', `the KeyPackage does not decode: ${e.message}`);
    throw e;
  }
}

/** Checks a KeyPackage against its private keys (see the module comment); MlsError 'invalid-key-package', 'unsupported-cipher-suite', 'invalid-signature' or 'private-key-mismatch'. */
export function keyPackageSecretsFrom(input: KeyPackageSecretsInput): KeyPackageSecrets {
  const keyPackage = decodeKeyPackageBytes(input.keyPackage);
  if (keyPackage.version !== 1) throw new MlsError('invalid-key-package', `protocol version ${keyPackage.version}, expected mls10 (1)`);
  const suite = cipherSuite(keyPackage.cipherSuite, input.provider ?? wasmProvider);
  if (!verifyWithLabel(suite, keyPackage.leafNode.signatureKey, 'KeyPackageTBS', encodeKeyPackageTbs(keyPackage), keyPackage.signature)) {
    throw new MlsError('invalid-signature', 'the KeyPackage signature does not verify');
  }
  const dh = suite.provider.dh(suite.dh);
  const matches = (secretKey: Uint8Array, publicKey: Uint8Array, publicOf: (k: Uint8Array) => Uint8Array, what: string) => {
    let derived: Uint8Array;
    try {
      derived = publicOf(secretKey);
    } catch {
      throw new MlsError('private-key-mismatch', `the ${what} private key is not a valid key of the suite`);
    }
    if (derived.length !== publicKey.length || !ctEqual(derived, publicKey)) throw new MlsError('private-key-mismatch', `the ${what} private key is not the KeyPackage's`);
  };
  matches(input.initPrivateKey, keyPackage.initKey, (k) => dh.publicKey(k), 'init');
  matches(input.encryptionPrivateKey, keyPackage.leafNode.encryptionKey, (k) => dh.publicKey(k), 'encryption');
  matches(input.signaturePrivateKey, keyPackage.leafNode.signatureKey, (k) => suite.provider.signature(suite.signature).publicKey(k), 'signature');
  return new KeyPackageSecrets(suite, {
    keyPackage,
    initPrivateKey: input.initPrivateKey.slice(),
    encryptionPrivateKey: input.encryptionPrivateKey.slice(),
    signaturePrivateKey: input.signaturePrivateKey.slice(),
  });
}
