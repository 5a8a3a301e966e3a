// The mmtls key schedule (spec §6, observed in the clients that talk to WeChat's servers, checked
// against Citizen Lab's key log). Unlike TLS 1.3 there is no HKDF-Extract and no HkdfLabel: every
// step is Expand(prk, info, L) = HKDF-Expand-SHA256 with info = ASCII label ‖ transcript hash.
//
//   com         = SHA-256(x-coordinate of ECDH)                        (1-RTT ECDHE; 32 bytes fixed)
//               = the ticket's PSK                                     (1-RTT PSK, designed: §9.2)
//   handshake   = Expand(com, "handshake key expansion" ‖ H(CH‖SH), 56)
//   PSK_ACCESS  = Expand(com, "PSK_ACCESS" ‖ H(CH‖SH‖CV), 32)          (CV absent in PSK mode)
//   PSK_REFRESH = Expand(com, "PSK_REFRESH" ‖ H(CH‖SH‖CV), 32)
//   sf / cf key = Expand(com, "server finished" / "client finished", 32)   (no hash in info)
//   verify_data = HMAC-SHA256(finished key, H(CH‖SH‖CV‖NST))
//   expanded    = Expand(com, "expanded secret" ‖ H(CH‖SH‖CV‖NST), 32)
//   application = Expand(expanded, "application data key expansion" ‖ H(CH‖SH‖CV‖NST), 56)
// 0-RTT PSK, from PSK_ACCESS of an earlier handshake:
//   early       = Expand(PSK_ACCESS, "early data key expansion" ‖ H(CH0), 28)        client key ‖ iv
//   response    = Expand(PSK_ACCESS, "handshake key expansion" ‖ H(CH0‖EE‖SH0), 28)  server key ‖ iv
//   0-RTT server Finished = HMAC(Expand(PSK_ACCESS, "server finished", 32), H(CH0‖EE‖SH0))
//                           (not observed — gommtls never checks it; the plausible form of §12)
// A 56-byte block splits client key [0:16] ‖ server key [16:32] ‖ client iv [32:44] ‖ server iv [44:56].

import type { CryptoProvider } from '../../provider/types.js';
import { IV_LENGTH, KEY_LENGTH, type TrafficKey } from '../record/cipher.js';

const encoder = new TextEncoder();
export const SECRET_LENGTH = 32;

export function expand(provider: CryptoProvider, prk: Uint8Array, label: string, hash: Uint8Array | undefined, length: number): Uint8Array {
  const text = encoder.encode(label);
  const info = new Uint8Array(text.length + (hash?.length ?? 0));
  info.set(text);
  if (hash) info.set(hash, text.length);
  return provider.hkdfExpand('SHA-256', prk, info, length);
}

/** com for 1-RTT ECDHE: SHA-256 of the fixed-width 32-byte x-coordinate (spec §12: not stripped). */
export function ecdheSecret(provider: CryptoProvider, secretKey: Uint8Array, peerPoint: Uint8Array): Uint8Array {
  const x = provider.dh('P-256').sharedSecret(secretKey, peerPoint);
  try {
    return provider.hash('SHA-256', x);
  } finally {
    x.fill(0);
  }
}

export interface TrafficKeys {
  readonly client: TrafficKey;
  readonly server: TrafficKey;
}

function splitBlock(block: Uint8Array): TrafficKeys {
  const keys = {
    client: { key: block.slice(0, KEY_LENGTH), iv: block.slice(2 * KEY_LENGTH, 2 * KEY_LENGTH + IV_LENGTH) },
    server: { key: block.slice(KEY_LENGTH, 2 * KEY_LENGTH), iv: block.slice(2 * KEY_LENGTH + IV_LENGTH, 2 * (KEY_LENGTH + IV_LENGTH)) },
  };
  block.fill(0);
  return keys;
}

function oneKey(block: Uint8Array): TrafficKey {
  const key = { key: block.slice(0, KEY_LENGTH), iv: block.slice(KEY_LENGTH, KEY_LENGTH + IV_LENGTH) };
  block.fill(0);
  return key;
}

const BLOCK = 2 * (KEY_LENGTH + IV_LENGTH);
const HALF_BLOCK = KEY_LENGTH + IV_LENGTH;

export function handshakeKeys(provider: CryptoProvider, com: Uint8Array, helloHash: Uint8Array): TrafficKeys {
  return splitBlock(expand(provider, com, 'handshake key expansion', helloHash, BLOCK));
}

export function resumptionSecrets(provider: CryptoProvider, com: Uint8Array, hash: Uint8Array): { access: Uint8Array; refresh: Uint8Array } {
  return {
    access: expand(provider, com, 'PSK_ACCESS', hash, SECRET_LENGTH),
    refresh: expand(provider, com, 'PSK_REFRESH', hash, SECRET_LENGTH),
  };
}

export function finishedData(provider: CryptoProvider, com: Uint8Array, side: 'server' | 'client', hash: Uint8Array): Uint8Array {
  const key = expand(provider, com, `${side} finished`, undefined, SECRET_LENGTH);
  try {
    return provider.hmac('SHA-256', key, hash);
  } finally {
    key.fill(0);
  }
}

export function applicationKeys(provider: CryptoProvider, com: Uint8Array, hash: Uint8Array): TrafficKeys {
  const expanded = expand(provider, com, 'expanded secret', hash, SECRET_LENGTH);
  try {
    return splitBlock(expand(provider, expanded, 'application data key expansion', hash, BLOCK));
  } finally {
    expanded.fill(0);
  }
}

export function earlyDataKey(provider: CryptoProvider, pskAccess: Uint8Array, clientHelloHash: Uint8Array): TrafficKey {
  return oneKey(expand(provider, pskAccess, 'early data key expansion', clientHelloHash, HALF_BLOCK));
}

export function earlyResponseKey(provider: CryptoProvider, pskAccess: Uint8Array, hash: Uint8Array): TrafficKey {
  return oneKey(expand(provider, pskAccess, 'handshake key expansion', hash, HALF_BLOCK));
}

export function wipeKeys(...keys: (TrafficKeys | TrafficKey | undefined)[]): void {
  for (const k of keys) {
    if (k === undefined) continue;
    if ('key' in k) {
      k.key.fill(0);
      k.iv.fill(0);
    } else wipeKeys(k.client, k.server);
  }
}
