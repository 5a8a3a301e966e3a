// XMTP's HPKE-wrapped Welcome (../shared/specs/mls.md §6.2; libxmtp @ a53a97ed
// `crates/xmtp_mls_common/src/mls_ext/payload_encryption.rs` wrap_payload_hpke / unwrap_payload_hpke).
//
// XMTP does not send a Welcome as it is: each recipient installation gets it sealed once more,
//
//   HPKE mode Base (RFC 9180 §5.1.1), DHKEM(X25519, HKDF-SHA256) 0x0020, HKDF-SHA256 0x0001,
//   ChaCha20Poly1305 0x0003;
//   pkR  = the KeyPackage's 0xff03 welcome-wrapper key if it has one, else its init_key;
//   info = EncryptContext{ label = "MLS 1.0 " + "MLS_WELCOME", context = "" } (OpenMLS's struct,
//          the same as RFC 9420 §5.1.3 EncryptWithLabel's), i.e.
//          13 4d4c5320312e30204d4c535f57454c434f4d45 00;
//   aad  = empty;
//   one context, two seals: sequence 0 the Welcome (the whole MLSMessage, wire format mls_welcome),
//   sequence 1 the optional welcome metadata (protobuf WelcomeMetadata{message_cursor}, opaque here);
//   data = TLS HpkeCiphertext{ opaque kem_output<V>; opaque ciphertext<V>; } of the first seal,
//   welcome_metadata = the second ciphertext as it is.
//
// What is derived and what is observed: every byte layout above (the info bytes, the HpkeCiphertext
// framing, the order of the two seals) is derived from the structure definitions and the code path
// read in libxmtp and OpenMLS; none of it was captured from XMTP traffic (spec §6.2, §11). The tests
// check the HPKE part against an independent implementation (@hpke/core), not against XMTP.
//
// Not here: X-Wing wrapper keys (0xff03 with algorithm 2; wirecrypt has no X-Wing KEM: refused
// 'unsupported-wrapper-algorithm'), and Welcome pointers (0xff04, a symmetric key per Welcome sent
// to recipients that advertise it; a sender that does not use them is still conforming).

import { DecodeError } from '../../codec/reader.js';
import { encode, writeOpaque } from '../../codec/tls.js';
import { ctEqual } from '../../compare.js';
import { AuthenticationError, InvalidKeyError } from '../../errors.js';
import { type HpkeSuite, hpke } from '../../hpke/index.js';
import type { CryptoProvider } from '../../provider/types.js';
import { wasmProvider } from '../../provider/wasm.js';
import { cipherSuite } from '../crypto/cipher-suite.js';
import { verifyWithLabel } from '../crypto/labels.js';
import { MlsError } from '../errors.js';
import type { KeyPackageSecrets } from '../group/key-package-secrets.js';
import { decodeKeyPackageBytes } from '../group/key-package-secrets.js';
import { decodeAll } from '../messages/codec.js';
import { readHpkeCiphertext } from '../messages/commit.js';
import { type KeyPackage, encodeKeyPackageTbs } from '../messages/key-package.js';
import { decodeMlsMessage } from '../messages/mls-message.js';
import { keyPackageRef } from '../welcome.js';
import { XmtpExtension } from './extensions.js';
import { WelcomeWrapperAlgorithm, decodeWelcomeWrapperEncryption } from './wrapper-encryption.js';

/** info: the TLS encoding of EncryptContext{"MLS 1.0 MLS_WELCOME", ""} with MLS varint length prefixes. */
export const WELCOME_WRAP_INFO: Uint8Array = encode((w) => {
  writeOpaque(w, new TextEncoder().encode('MLS 1.0 MLS_WELCOME'));
  writeOpaque(w, new Uint8Array(0));
});

const EMPTY = new Uint8Array(0);

/** What a sender gives the delivery service for one recipient (XMTP's WelcomeMessageInput fields). */
export interface WrappedWelcome {
  /** TLS HpkeCiphertext{kem_output, ciphertext}: the Welcome MLSMessage, HPKE sequence number 0. */
  readonly data: Uint8Array;
  /** The welcome metadata sealed with sequence number 1, when some was given. */
  readonly welcomeMetadata?: Uint8Array;
  /** The public key wrapped to: the KeyPackage's 0xff03 key or its init_key (XMTP's hpke_public_key). */
  readonly recipientKey: Uint8Array;
  /** XMTP's wrapper_algorithm; only Curve25519 here. */
  readonly algorithm: 'curve25519';
}

/** The HPKE suite of the wrapping, on `provider`. */
export function welcomeWrapSuite(provider: CryptoProvider = wasmProvider): HpkeSuite {
  return hpke.suite({ kem: 'DHKEM(X25519, HKDF-SHA256)', kdf: 'HKDF-SHA256', aead: 'ChaCha20Poly1305' }, provider);
}

/** The 0xff03 key of `keyPackage`, if it has one (X25519 only). MlsError 'invalid-key-package', 'invalid-extension', 'unsupported-wrapper-algorithm'. */
export function wrapperKeyOf(keyPackage: KeyPackage): Uint8Array | undefined {
  const found = keyPackage.extensions.filter((e) => e.type === XmtpExtension.welcomeWrapperEncryption);
  if (found.length === 0) return undefined;
  if (found.length > 1) throw new MlsError('invalid-key-package', 'the KeyPackage has more than one welcome-wrapper encryption extension');
  const { publicKey, algorithm } = decodeWelcomeWrapperEncryption(found[0]!.data);
  if (algorithm !== WelcomeWrapperAlgorithm.curve25519) {
    throw new MlsError('unsupported-wrapper-algorithm', `welcome-wrapper algorithm ${algorithm} is not supported (only Curve25519, 1)`);
  }
  if (publicKey.length !== 32) throw new MlsError('invalid-extension', `a Curve25519 welcome-wrapper key of ${publicKey.length} bytes`);
  return publicKey;
}

/**
 * The key a Welcome for `keyPackage` is wrapped to (§6.2): its 0xff03 key, else its init_key,
 * which must then be an X25519 key (suites 1 and 3). MlsError as wrapperKeyOf, 'unsupported-cipher-suite'.
 */
export function welcomeRecipientKey(keyPackage: KeyPackage): Uint8Array {
  const wrapper = wrapperKeyOf(keyPackage);
  if (wrapper !== undefined) return wrapper;
  if (keyPackage.cipherSuite !== 1 && keyPackage.cipherSuite !== 3) {
    throw new MlsError('unsupported-cipher-suite', `the init_key of a suite ${keyPackage.cipherSuite} KeyPackage is not an X25519 key`);
  }
  return keyPackage.initKey;
}

export interface WrapWelcomeOptions {
  /** Bytes sealed after the Welcome (XMTP's protobuf WelcomeMetadata), returned as welcomeMetadata. */
  readonly metadata?: Uint8Array;
  /** Default: the wasm engine. */
  readonly provider?: CryptoProvider;
}

/**
 * Wraps `welcome` (an MLSMessage of wire format mls_welcome) for the installation of `keyPackage`
 * (MLSMessage or bare). The KeyPackage's signature is verified first (the 0xff03 key is only as good
 * as it), and the Welcome must hold GroupSecrets for it. MlsError: 'malformed-message',
 * 'not-a-welcome', 'invalid-key-package', 'invalid-signature', 'not-a-recipient', and welcomeRecipientKey's.
 */
export function wrapWelcome(welcome: Uint8Array, keyPackage: Uint8Array, options: WrapWelcomeOptions = {}): WrappedWelcome {
  const provider = options.provider ?? wasmProvider;
  const message = decodeWelcomeMessage(welcome);
  const kp = decodeKeyPackageBytes(keyPackage);
  if (kp.version !== 1) throw new MlsError('invalid-key-package', `protocol version ${kp.version}, expected mls10 (1)`);
  const suite = cipherSuite(kp.cipherSuite, provider);
  if (!verifyWithLabel(suite, kp.leafNode.signatureKey, 'KeyPackageTBS', encodeKeyPackageTbs(kp), kp.signature)) {
    throw new MlsError('invalid-signature', 'the KeyPackage signature does not verify');
  }
  const ref = keyPackageRef(suite, kp);
  if (!message.secrets.some((s) => s.newMember.length === ref.length && ctEqual(s.newMember, ref))) {
    throw new MlsError('not-a-recipient', 'the Welcome holds no GroupSecrets for this KeyPackage');
  }
  const recipientKey = welcomeRecipientKey(kp);
  const context = welcomeWrapSuite(provider).setupBaseS(recipientKey, WELCOME_WRAP_INFO);
  try {
    const ciphertext = context.seal(welcome, EMPTY); // sequence number 0
    const data = encode((w) => {
      writeOpaque(w, context.enc);
      writeOpaque(w, ciphertext);
    });
    return {
      data,
      ...(options.metadata !== undefined ? { welcomeMetadata: context.seal(options.metadata, EMPTY) } : {}), // sequence number 1
      recipientKey: recipientKey.slice(),
      algorithm: 'curve25519',
    };
  } finally {
    context.dispose();
  }
}

/** The private keys that can open a Welcome wrapped for a KeyPackage: its init key, and its 0xff03 key if it has one. */
export interface WelcomeRecipient {
  readonly secrets: KeyPackageSecrets;
  /** The X25519 private key of the KeyPackage's 0xff03 key. */
  readonly wrapperPrivateKey?: Uint8Array;
}

/**
 * Opens a wrapped Welcome with the recipient's keys: the 0xff03 key's if the KeyPackage has one,
 * else the init key's (the sender's rule), or the one whose public key is `wrapped.recipientKey`
 * when given. Returns the Welcome MLSMessage and the metadata, if any. MlsError:
 * 'malformed-message' (data is not an HpkeCiphertext), 'wrong-recipient', 'missing-wrapper-key',
 * 'private-key-mismatch', 'welcome-decryption-failed', 'not-a-welcome'.
 */
export function unwrapWelcome(wrapped: Pick<WrappedWelcome, 'data'> & Partial<WrappedWelcome>, recipient: WelcomeRecipient): { welcome: Uint8Array; metadata?: Uint8Array } {
  const { secrets } = recipient;
  const provider = secrets.suite.provider;
  const secretKey = recipientSecretKey(recipient, wrapped.recipientKey);
  let sealed;
  try {
    sealed = decodeAll(wrapped.data, 'HpkeCiphertext', readHpkeCiphertext);
  } catch (e) {
    if (e instanceof DecodeError) throw new MlsError('malformed-message', `the wrapped Welcome is not an HpkeCiphertext: ${e.message}`);
    throw e;
  }
  let context;
  try {
    context = welcomeWrapSuite(provider).setupBaseR(sealed.kemOutput, secretKey, WELCOME_WRAP_INFO);
  } catch (e) {
    if (e instanceof InvalidKeyError) throw new MlsError('welcome-decryption-failed', `the wrapped Welcome's kem_output is not a valid key: ${e.message}`);
    throw e;
  }
  try {
    const welcome = context.open(sealed.ciphertext, EMPTY);
    const metadata = wrapped.welcomeMetadata === undefined ? undefined : context.open(wrapped.welcomeMetadata, EMPTY);
    decodeWelcomeMessage(welcome);
    return { welcome, ...(metadata !== undefined ? { metadata } : {}) };
  } catch (e) {
    if (e instanceof AuthenticationError) throw new MlsError('welcome-decryption-failed', 'the wrapped Welcome does not open with this key');
    throw e;
  } finally {
    context.dispose();
  }
}

/** The private key to open with (see unwrapWelcome). */
function recipientSecretKey(recipient: WelcomeRecipient, recipientKey: Uint8Array | undefined): Uint8Array {
  const { secrets, wrapperPrivateKey } = recipient;
  const kp = secrets.keyPackage;
  const dh = secrets.suite.provider.dh('X25519');
  const wrapperKey = wrapperKeyOf(kp);
  if (wrapperKey !== undefined && wrapperPrivateKey !== undefined) {
    const derived = dh.publicKey(wrapperPrivateKey);
    if (!ctEqual(derived, wrapperKey)) throw new MlsError('private-key-mismatch', "the wrapper private key is not the KeyPackage's 0xff03 key");
  }
  const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && ctEqual(a, b);
  if (recipientKey !== undefined) {
    if (wrapperKey !== undefined && same(recipientKey, wrapperKey)) return wrapperPrivateKey ?? missingWrapperKey();
    if (same(recipientKey, kp.initKey)) return secrets.keys().initPrivateKey;
    throw new MlsError('wrong-recipient', "the Welcome was wrapped to a key that is not this KeyPackage's");
  }
  if (wrapperKey !== undefined) return wrapperPrivateKey ?? missingWrapperKey();
  return secrets.keys().initPrivateKey;
}

function missingWrapperKey(): never {
  throw new MlsError('missing-wrapper-key', "the Welcome is wrapped to the KeyPackage's 0xff03 key, whose private key was not given");
}

function decodeWelcomeMessage(bytes: Uint8Array) {
  let message;
  try {
    message = decodeMlsMessage(bytes);
  } catch (e) {
    if (e instanceof DecodeError) throw new MlsError('malformed-message', `the MLSMessage does not decode: ${e.message}`);
    throw e;
  }
  if (message.kind !== 'mls_welcome') throw new MlsError('not-a-welcome', `an MLSMessage of wire format ${message.kind}, not a Welcome`);
  return message.welcome;
}
