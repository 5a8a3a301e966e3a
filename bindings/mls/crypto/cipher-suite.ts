// MLS cipher suites (RFC 9420 §5.1, §17.1) over the crypto provider. wirecrypt implements the three
// 128-bit suites, all on SHA-256:
//   1  MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519
//   2  MLS_128_DHKEMP256_AES128GCM_SHA256_P256
//   3  MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519   (XMTP's)
// The KDF is HKDF-SHA256 (Nh = 32), the HPKE suite uses the same KEM, KDF and AEAD (RFC 9420 §5.1).

import { type HpkeSuite, hpke } from '../../hpke/index.js';
import type { AeadName, CryptoProvider, DhName, SignatureName } from '../../provider/types.js';
import { MlsError } from '../errors.js';

export type CipherSuiteId = 1 | 2 | 3;

export interface CipherSuite {
  readonly id: CipherSuiteId;
  readonly name: string;
  readonly provider: CryptoProvider;
  /** Hash and KDF output length (Nh). */
  readonly hashLength: number;
  readonly aead: AeadName;
  /** AEAD key length (Nk) and nonce length (Nn). */
  readonly keyLength: number;
  readonly nonceLength: number;
  readonly dh: DhName;
  readonly signature: SignatureName;
  readonly hpke: HpkeSuite;
}

interface SuiteSpec {
  readonly name: string;
  readonly aead: 'AES-128-GCM' | 'ChaCha20-Poly1305';
  readonly keyLength: number;
  readonly dh: DhName;
  readonly signature: SignatureName;
}

const SUITES: Record<CipherSuiteId, SuiteSpec> = {
  1: { name: 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519', aead: 'AES-128-GCM', keyLength: 16, dh: 'X25519', signature: 'Ed25519' },
  2: { name: 'MLS_128_DHKEMP256_AES128GCM_SHA256_P256', aead: 'AES-128-GCM', keyLength: 16, dh: 'P-256', signature: 'P-256' },
  3: { name: 'MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519', aead: 'ChaCha20-Poly1305', keyLength: 32, dh: 'X25519', signature: 'Ed25519' },
};

export function isSupportedSuite(id: number): id is CipherSuiteId {
  return id === 1 || id === 2 || id === 3;
}

/** The suite `id` on `provider`; MlsError('unsupported-cipher-suite') for any other id. */
export function cipherSuite(id: number, provider: CryptoProvider): CipherSuite {
  if (!isSupportedSuite(id)) throw new MlsError('unsupported-cipher-suite', `cipher suite ${id} is not supported (1, 2 and 3 are)`);
  const spec = SUITES[id];
  const kem = spec.dh === 'X25519' ? 'DHKEM(X25519, HKDF-SHA256)' : 'DHKEM(P-256, HKDF-SHA256)';
  const aead = spec.aead === 'AES-128-GCM' ? 'AES-128-GCM' : 'ChaCha20Poly1305';
  return Object.freeze({
    id,
    name: spec.name,
    provider,
    hashLength: 32,
    aead: spec.aead,
    keyLength: spec.keyLength,
    nonceLength: 12,
    dh: spec.dh,
    signature: spec.signature,
    hpke: hpke.suite({ kem, kdf: 'HKDF-SHA256', aead }, provider),
  });
}
