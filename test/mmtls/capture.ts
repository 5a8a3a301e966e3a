// Helpers for the mmtls tests that check the implementation from the outside: a provider that
// remembers every P-256 key pair it hands out and every AEAD seal it performs (copies: the
// connections wipe theirs), a pump that records the bytes each side sends, and small byte utilities.

/** One AEAD seal: enough to seal other bytes in its place (same key, nonce, sequence number). */
export interface SealLog {
  readonly key: Uint8Array;
  readonly nonce: Uint8Array;
  readonly aad: Uint8Array;
  readonly plaintext: Uint8Array;
  readonly sealed: Uint8Array;
}

import type { Aead } from '../../bindings/aead.js';
import type { KeyPair } from '../../bindings/x25519.js';
import type { CryptoProvider, DhScheme } from '../../bindings/provider/types.js';
import type { Side } from './pair.js';

/**
 * `base` with dh('P-256').generateKeyPair() recorded in `keyPairs` (secret keys copied before use)
 * and every seal of its AEADs in `seals`. Both lists grow until the caller empties them.
 */
export function capturingProvider(base: CryptoProvider): { provider: CryptoProvider; keyPairs: KeyPair[]; seals: SealLog[] } {
  const keyPairs: KeyPair[] = [];
  const seals: SealLog[] = [];
  // every operation of `base` as it is (the providers are frozen objects of plain functions), but aead and dh
  const provider: CryptoProvider = {
    ...base,
    name: `${base.name} (capturing)`,
    aead(name, key) {
      const inner = base.aead(name, key);
      const k = key.slice();
      const log = (nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array | undefined, sealed: Uint8Array) =>
        seals.push({ key: k, nonce: nonce.slice(), aad: aad?.slice() ?? new Uint8Array(0), plaintext: plaintext.slice(), sealed: sealed.slice() });
      const wrapped: Aead = {
        nonceLength: inner.nonceLength,
        tagLength: inner.tagLength,
        seal(nonce, plaintext, aad) {
          const out = inner.seal(nonce, plaintext, aad);
          log(nonce, plaintext, aad, out);
          return out;
        },
        sealInto(out, nonce, plaintext, aad) {
          const n = inner.sealInto(out, nonce, plaintext, aad);
          log(nonce, plaintext, aad, out.subarray(0, n));
          return n;
        },
        open: (nonce, sealed, aad) => inner.open(nonce, sealed, aad),
        openInto: (out, nonce, sealed, aad) => inner.openInto(out, nonce, sealed, aad),
        dispose: () => inner.dispose(),
      };
      return wrapped;
    },
    dh(name) {
      const scheme = base.dh(name);
      if (name !== 'P-256') return scheme;
      const wrapped: DhScheme = {
        name: scheme.name,
        secretKeyLength: scheme.secretKeyLength,
        publicKeyLength: scheme.publicKeyLength,
        sharedSecretLength: scheme.sharedSecretLength,
        generateKeyPair() {
          const pair = scheme.generateKeyPair();
          keyPairs.push({ secretKey: pair.secretKey.slice(), publicKey: pair.publicKey.slice() });
          return pair;
        },
        publicKey: (sk) => scheme.publicKey(sk),
        sharedSecret: (sk, pk) => scheme.sharedSecret(sk, pk),
      };
      return wrapped;
    },
  };
  return { provider, keyPairs, seals };
}

export interface Wire {
  /** Every byte string the client queued, in order. */
  readonly toServer: Uint8Array[];
  /** Every byte string the server queued, in order. */
  readonly toClient: Uint8Array[];
}

/** pair.ts's pump, recording the bytes on the wire. */
export async function recordingPump(client: Side, server: Side, wire: Wire): Promise<void> {
  for (let rounds = 0; rounds < 20; rounds++) {
    const toServer = client.conn.takeOutput();
    if (toServer.length > 0) wire.toServer.push(toServer);
    for (const r of server.splitter.push(toServer)) await server.conn.receive(r);
    const toClient = server.conn.takeOutput();
    if (toClient.length > 0) wire.toClient.push(toClient);
    for (const r of client.splitter.push(toClient)) await client.conn.receive(r);
    if (toServer.length === 0 && toClient.length === 0) return;
  }
  throw new Error('recordingPump: no quiet point after 20 rounds');
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Hex with any whitespace (the Citizen Lab .hex files: spaces and newlines). */
export function looseHex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(clean)) throw new Error('looseHex: not hex');
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

/** A small deterministic PRNG (xorshift32) for fixed-seed tests outside fast-check. */
export function prng(seed: number): { next(): number; int(max: number): number; bytes(n: number): Uint8Array } {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  return {
    next,
    int: (max) => next() % max,
    bytes: (n) => Uint8Array.from({ length: n }, () => next() & 0xff),
  };
}
