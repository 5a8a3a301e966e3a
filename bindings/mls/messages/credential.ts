// Credential (RFC 9420 §5.3):
//
//   struct { opaque cert_data<V>; } Certificate;
//   struct { CredentialType credential_type;
//            select (Credential.credential_type) {
//              case basic: opaque identity<V>;
//              case x509:  Certificate certificates<V>; }; } Credential;
//
// The RFC gives no framing for other credential types (§13.3, §17.5: new ones come with their own
// definitions; §13.5 forbids GREASE here). As OpenMLS does, a credential of any other type is read
// as one opaque<V> body — which is also how basic and x509 bodies are framed — and kept as bytes,
// so that it re-encodes byte-identically; whether the type is acceptable is the caller's decision.

import type { ByteReader } from '../../codec/reader.js';
import { readVector, writeOpaque, writeVector } from '../../codec/tls.js';
import type { ByteWriter } from '../../codec/writer.js';
import { decodeAll, encodeWith, opaque } from './codec.js';
import { CredentialType } from './constants.js';

export type Credential =
  | { readonly kind: 'basic'; readonly identity: Uint8Array }
  /** DER certificates, end-entity first. */
  | { readonly kind: 'x509'; readonly certificates: readonly Uint8Array[] }
  /** Any other credential type: its body, without the length prefix. */
  | { readonly kind: 'unknown'; readonly credentialType: number; readonly data: Uint8Array };

/** The uint16 credential_type of `c`. */
export function credentialTypeOf(c: Credential): number {
  return c.kind === 'unknown' ? c.credentialType : CredentialType[c.kind];
}

export function readCredential(r: ByteReader): Credential {
  const type = r.u16('credential_type');
  if (type === CredentialType.basic) return { kind: 'basic', identity: opaque(r, 'identity') };
  if (type === CredentialType.x509) return { kind: 'x509', certificates: readVector(r, 'certificates', (v) => opaque(v, 'cert_data')) };
  return { kind: 'unknown', credentialType: type, data: opaque(r, 'credential body') };
}

export function writeCredential(w: ByteWriter, c: Credential): void {
  w.u16(credentialTypeOf(c));
  if (c.kind === 'basic') writeOpaque(w, c.identity);
  else if (c.kind === 'x509') writeVector(w, c.certificates, writeOpaque);
  else {
    if (c.credentialType === CredentialType.basic || c.credentialType === CredentialType.x509) {
      throw new TypeError(`writeCredential: credential type ${c.credentialType} must use its own kind`);
    }
    writeOpaque(w, c.data);
  }
}

export const decodeCredential = (bytes: Uint8Array): Credential => decodeAll(bytes, 'Credential', readCredential);
export const encodeCredential = (c: Credential): Uint8Array => encodeWith(c, writeCredential);
