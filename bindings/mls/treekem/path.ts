// Path secrets and node key pairs (RFC 9420 §7.4, §12.4.2):
//
//   path_secret[n] = DeriveSecret(path_secret[n-1], "path")
//   node_secret[n] = DeriveSecret(path_secret[n], "node")
//   node_priv[n], node_pub[n] = KEM.DeriveKeyPair(node_secret[n])
//   commit_secret  = DeriveSecret(path_secret[last], "path")      ("path_secret[n+1]", §12.4.2)
//
// The node secret is a temporary: it is wiped as soon as the key pair exists (§7.4: each secret is
// used with one algorithm only). The committer starts the chain from a random leaf_secret, whose
// key pair is the leaf's and whose next secret is path_secret[0] (the derivation of §7.4's figure
// "Derivation of Ratchet Tree Keys along a Direct Path"); a receiver starts it from the path secret
// it decrypted, at its place in the sender's filtered direct path.

import type { KeyPair } from '../../x25519.js';
import type { CipherSuite } from '../crypto/cipher-suite.js';
import { deriveSecret } from '../crypto/labels.js';

/** The node key pair of a path secret: KEM.DeriveKeyPair(DeriveSecret(path_secret, "node")) (§7.4). */
export function nodeKeyPair(suite: CipherSuite, pathSecret: Uint8Array): KeyPair {
  const nodeSecret = deriveSecret(suite, pathSecret, 'node');
  try {
    return suite.hpke.deriveKeyPair(nodeSecret);
  } finally {
    nodeSecret.fill(0);
  }
}

export interface DerivedPath {
  /** `length` path secrets: the first is the starting secret itself (a copy), each next one DeriveSecret(previous, "path"). */
  readonly pathSecrets: Uint8Array[];
  /** The node key pair of each path secret, in the same order. */
  readonly keyPairs: KeyPair[];
  /**
   * DeriveSecret(last path secret, "path"): the secret after the chain, which is the commit_secret
   * when the chain ends at the root (§12.4.2). For length 0, the starting secret's copy.
   */
  readonly next: Uint8Array;
}

/**
 * The chain of `length` path secrets from `start`, their node key pairs, and the secret that follows
 * (§7.4), in one provider call (CryptoProvider.treeKemPath: on the wasm provider, one wasm call for
 * the whole chain). `start` is not modified; every returned array is fresh. RangeError for a
 * `length` that is not an integer in [0, TREEKEM_MAX_PATH] or a `start` that is not Nh bytes.
 */
export function derivePath(suite: CipherSuite, start: Uint8Array, length: number): DerivedPath {
  if (!Number.isInteger(length) || length < 0) throw new RangeError(`derivePath: length must be a non-negative integer, got ${length}`);
  if (start.length !== suite.hashLength) throw new RangeError(`derivePath: a path secret has ${suite.hashLength} bytes, got ${start.length}`);
  const { pathSecrets, secretKeys, publicKeys, next } = suite.provider.treeKemPath(suite.dh, start, length);
  const keyPairs: KeyPair[] = secretKeys.map((secretKey, i) => ({ secretKey, publicKey: publicKeys[i]! }));
  return { pathSecrets, keyPairs, next };
}
