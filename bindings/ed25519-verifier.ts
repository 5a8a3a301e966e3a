// ed25519.verifier(publicKey): a public key prepared once for checking many signatures (an MLS
// member's messages, a Wesh device's). Same answers as ed25519.verify(), about 40 % less work per
// signature: the key is decoded once and tables of its multiples are kept in wasm memory
// (assembly/curve/ed25519_verifier.ts). A key verify() refuses (not a point, small order) makes a
// verifier that answers false, as verify() would; only a key of the wrong length throws.

import { lengthOf } from './bytes.js';
import { bytes, bytesOfLength } from './errors.js';
import { KeyedObject } from './keyed.js';
import { feed, smallCall } from './wasm/staging.js';

const PUBLIC = 32;
const SIGNATURE = 64;

/** A public key prepared for verifying many signatures (see ed25519.verifier). */
export interface Ed25519Verifier {
  readonly publicKey: Uint8Array;
  /** Whether `signature` is a valid signature of `message` under this key (as ed25519.verify). */
  verify(message: Uint8Array, signature: Uint8Array): boolean;
  /** Releases the tables in wasm memory; the verifier is unusable afterwards. */
  dispose(): void;
}

class WasmVerifier extends KeyedObject implements Ed25519Verifier {
  readonly publicKey: Uint8Array;

  constructor(publicKey: Uint8Array) {
    super('ed25519.verifier', (e) => e.abi.ED25519_VERIFIER_LEN.value);
    this.publicKey = publicKey.slice();
    const e = this.engine;
    smallCall(e, [this.publicKey], 0, ([pk]) => e.abi.ed25519_verifier_prepare(this.block, pk));
  }

  verify(message: Uint8Array, signature: Uint8Array): boolean {
    this.live('verify');
    bytes(message, 'ed25519.verifier.verify', 'message');
    bytes(signature, 'ed25519.verifier.verify', 'signature');
    if (lengthOf(signature) !== SIGNATURE) return false;
    const e = this.engine;
    const x = e.abi;
    return smallCall(e, [signature], 0, ([sig]) => {
      if (x.ed25519_verifier_start(this.block, sig) !== 1) return false;
      feed(e, message, (p, n) => x.ed25519_verifier_absorb(p, n));
      return x.ed25519_verifier_finish(this.block, sig) === 1;
    })[1];
  }
}

/** A verifier for the 32-byte `publicKey`. */
export function verifier(publicKey: Uint8Array): Ed25519Verifier {
  return new WasmVerifier(bytesOfLength(publicKey, PUBLIC, 'ed25519.verifier', 'publicKey'));
}
