// Server keys (spec §5.4): the server signs its handshakes with an ECDSA P-256 key whose public
// half is built into every client (no certificates).

import type { CryptoProvider } from '../provider/types.js';
import { wasmProvider } from '../provider/wasm.js';

export interface ServerKeys {
  /** 32-byte P-256 scalar: the server's secret. */
  readonly signingKey: Uint8Array;
  /** 65-byte uncompressed SEC1 point: what clients pin. */
  readonly verifyKey: Uint8Array;
}

export function generateServerKeys(provider: CryptoProvider = wasmProvider): ServerKeys {
  const pair = provider.signature('P-256').generateKeyPair();
  return { signingKey: pair.secretKey, verifyKey: pair.publicKey };
}
