// The labelled primitives every part of MLS is built from (RFC 9420 §5.1.2, §5.1.3, §5.2, §8):
//
//   ExpandWithLabel(secret, label, context, L) = Expand(secret, KDFLabel, L)
//       KDFLabel = struct { uint16 length = L; opaque label<V> = "MLS 1.0 " + label; opaque context<V>; }
//   DeriveSecret(secret, label)               = ExpandWithLabel(secret, label, "", Nh)
//   DeriveTreeSecret(secret, label, gen, L)   = ExpandWithLabel(secret, label, uint32 gen, L)
//   RefHash(label, value)                     = Hash(struct { opaque label<V>; opaque value<V>; })  (label as given)
//   SignWithLabel(key, label, content)        = Sign(key, struct { opaque label<V> = "MLS 1.0 " + label; opaque content<V>; })
//   EncryptWithLabel(pk, label, context, pt)  = HPKE SealBase(pk, info = struct { opaque label<V> = "MLS 1.0 " + label;
//                                                              opaque context<V>; }, aad = "", pt)
//
// ECDSA signatures (suite 2) travel DER-encoded, as in TLS 1.3; the provider signs raw r ‖ s.

import { derFromRaw, rawFromDer } from '../../codec/der.js';
import { encode, writeOpaque } from '../../codec/tls.js';
import type { CipherSuite } from './cipher-suite.js';
import type { MessageSigner } from '../../provider/types.js';
import { verifyCached } from '../../provider/verifier-cache.js';

const utf8 = new TextEncoder();
const PREFIX = utf8.encode('MLS 1.0 ');
const EMPTY = new Uint8Array(0);

/** "MLS 1.0 " ‖ label. Labels are ASCII in the RFC; MLS-Exporter's may be any bytes (§8.5). */
function fullLabel(label: string | Uint8Array): Uint8Array {
  const bytes = typeof label === 'string' ? utf8.encode(label) : label;
  const out = new Uint8Array(PREFIX.length + bytes.length);
  out.set(PREFIX);
  out.set(bytes, PREFIX.length);
  return out;
}

function labelled(label: string, data: Uint8Array): Uint8Array {
  return encode((w) => {
    writeOpaque(w, fullLabel(label));
    writeOpaque(w, data);
  });
}

export function expandWithLabel(suite: CipherSuite, secret: Uint8Array, label: string | Uint8Array, context: Uint8Array, length: number): Uint8Array {
  const info = encode((w) => {
    w.u16(length);
    writeOpaque(w, fullLabel(label));
    writeOpaque(w, context);
  });
  return suite.provider.hkdfExpand('SHA-256', secret, info, length);
}

export function deriveSecret(suite: CipherSuite, secret: Uint8Array, label: string): Uint8Array {
  return expandWithLabel(suite, secret, label, EMPTY, suite.hashLength);
}

export function deriveTreeSecret(suite: CipherSuite, secret: Uint8Array, label: string, generation: number, length: number): Uint8Array {
  return expandWithLabel(suite, secret, label, encode((w) => w.u32(generation)), length);
}

export function extract(suite: CipherSuite, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return suite.provider.hkdfExtract('SHA-256', salt, ikm);
}

export function hash(suite: CipherSuite, data: Uint8Array): Uint8Array {
  return suite.provider.hash('SHA-256', data);
}

export function refHash(suite: CipherSuite, label: string, value: Uint8Array): Uint8Array {
  return hash(suite, encode((w) => {
    writeOpaque(w, utf8.encode(label));
    writeOpaque(w, value);
  }));
}

/**
 * A signer for `secretKey` when the provider offers one (Ed25519 on the wasm provider: the key is
 * expanded once, not per signature), else the key itself. The caller disposes a signer.
 */
export function signingKeyFor(suite: CipherSuite, secretKey: Uint8Array): SigningKey {
  return suite.provider.signature(suite.signature).signer?.(secretKey) ?? secretKey;
}

/** A signature private key, or a signer prepared from one (signingKeyFor) when many messages are signed. */
export type SigningKey = Uint8Array | MessageSigner;

export function signWithLabel(suite: CipherSuite, key: SigningKey, label: string, content: Uint8Array): Uint8Array {
  return signLabelled(suite, key, labelled(label, content));
}

/**
 * The SignContent prefix of `label` (§5.1.2): opaque label<V> = "MLS 1.0 " ‖ label, for a caller
 * that writes SignContent itself (the content's own varint and bytes follow it).
 */
export function signLabelPrefix(label: string): Uint8Array {
  return encode((w) => writeOpaque(w, fullLabel(label)));
}

/** SignWithLabel over SignContent `message` already encoded (signLabelPrefix ‖ opaque content<V>). */
export function signLabelled(suite: CipherSuite, key: SigningKey, message: Uint8Array): Uint8Array {
  const signature = key instanceof Uint8Array ? suite.provider.signature(suite.signature).sign(key, message) : key.sign(message);
  return suite.signature === 'P-256' ? derFromRaw(signature) : signature;
}

/**
 * VerifyWithLabel (§5.1.2): false for any signature that does not verify, including a malformed DER
 * one. `repeatedKey`: the key is expected to sign again (a member's messages),
 * so it is checked through a prepared key (provider/verifier-cache.ts) — the same answer, faster
 * from its second signature on.
 */
export function verifyWithLabel(
  suite: CipherSuite, publicKey: Uint8Array, label: string, content: Uint8Array, signature: Uint8Array, repeatedKey = false,
): boolean {
  return verifyLabelled(suite, publicKey, labelled(label, content), signature, repeatedKey);
}

/** VerifyWithLabel over SignContent `message` already encoded (see signLabelled). */
export function verifyLabelled(suite: CipherSuite, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, repeatedKey = false): boolean {
  const raw = suite.signature === 'P-256' ? rawFromDer(signature) : signature;
  const scheme = suite.provider.signature(suite.signature);
  // A peer's key of the wrong size is a signature that does not verify, not a programmer error.
  if (raw === null || publicKey.length !== scheme.publicKeyLength) return false;
  return repeatedKey ? verifyCached(scheme, publicKey, message, raw) : scheme.verify(publicKey, message, raw);
}

/**
 * verifyWithLabel for many signatures under one label, in one provider call (Ed25519: a batched
 * multi-scalar check, the bad ones then found one by one). Same answers as verifyWithLabel item by item.
 */
export function verifyWithLabelBatch(
  suite: CipherSuite, label: string, items: readonly { readonly publicKey: Uint8Array; readonly content: Uint8Array; readonly signature: Uint8Array }[],
): boolean[] {
  const results = new Array<boolean>(items.length).fill(false);
  const batch: { publicKey: Uint8Array; message: Uint8Array; signature: Uint8Array }[] = [];
  const at: number[] = [];
  const keyLength = suite.provider.signature(suite.signature).publicKeyLength;
  items.forEach((item, i) => {
    const raw = suite.signature === 'P-256' ? rawFromDer(item.signature) : item.signature;
    if (raw === null || item.publicKey.length !== keyLength) return;
    batch.push({ publicKey: item.publicKey, message: labelled(label, item.content), signature: raw });
    at.push(i);
  });
  suite.provider.signature(suite.signature).verifyBatch(batch).forEach((ok, j) => { results[at[j]!] = ok; });
  return results;
}

export interface HpkeCiphertext {
  readonly kemOutput: Uint8Array;
  readonly ciphertext: Uint8Array;
}

export function encryptWithLabel(suite: CipherSuite, publicKey: Uint8Array, label: string, context: Uint8Array, plaintext: Uint8Array): HpkeCiphertext {
  const { enc, ciphertext } = suite.hpke.seal(publicKey, plaintext, { info: labelled(label, context) });
  return { kemOutput: enc, ciphertext };
}

/**
 * EncryptWithLabel of each plaintext to its public key under one label and context (§5.1.3): the
 * EncryptContext is built and hashed once for all (HPKE's info_hash), which is what makes sealing a
 * Welcome to N joiners — context = the encrypted GroupInfo, O(N) bytes — O(N) rather than O(N²).
 */
export function encryptWithLabelMany(
  suite: CipherSuite, label: string, context: Uint8Array, items: readonly { readonly publicKey: Uint8Array; readonly plaintext: Uint8Array }[],
): HpkeCiphertext[] {
  return suite.hpke.sealMany(items, { info: labelled(label, context) }).map(({ enc, ciphertext }) => ({ kemOutput: enc, ciphertext }));
}

/** The plaintext, or AuthenticationError. */
export function decryptWithLabel(suite: CipherSuite, secretKey: Uint8Array, label: string, context: Uint8Array, sealed: HpkeCiphertext): Uint8Array {
  return suite.hpke.open(sealed.kemOutput, secretKey, sealed.ciphertext, { info: labelled(label, context) });
}
