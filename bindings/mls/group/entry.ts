// The ways to get a Group (RFC 9420): join one from a Welcome (§12.4.3.1), create one (§11), load
// one saved with group.save(); and a KeyPackage to be invited with (§10). The Group itself is in
// group.ts.

import type { CryptoProvider } from '../../provider/types.js';
import { wasmProvider } from '../../provider/wasm.js';
import { type CipherSuite, cipherSuite } from '../crypto/cipher-suite.js';
import { MlsError } from '../errors.js';
import type { Extension } from '../group-context.js';
import { wipeEpochSecrets } from '../key-schedule.js';
import type { Credential } from '../messages/credential.js';
import type { Lifetime } from '../messages/leaf-node.js';
import { encodeMlsMessage } from '../messages/mls-message.js';
import { createGroupState, createKeyPackage as createKeyPackageKeys } from './create.js';
import { Group, type GroupOptions, type JoinGroupOptions, decode } from './group.js';
import { joinGroup as joinFromWelcome } from './join.js';
import { KeyPackageSecrets } from './key-package-secrets.js';
import { loadGroupState } from './persist.js';

/**
 * Joins the group a Welcome (an MLSMessage of wire format mls_welcome) invites `secrets`' KeyPackage
 * to (§12.4.3.1). The secrets stay the caller's (dispose them when no other Welcome is expected);
 * the group keeps its own copies of the keys it needs. MlsError: 'malformed-message',
 * 'not-a-welcome', and joinGroup's codes in group/join.ts.
 */
export function joinGroup(welcome: Uint8Array, secrets: KeyPackageSecrets, options: JoinGroupOptions = {}): Group {
  const message = decode(welcome);
  if (message.kind !== 'mls_welcome') throw new MlsError('not-a-welcome', `an MLSMessage of wire format ${message.kind}, not a Welcome`);
  const suite: CipherSuite = secrets.suite;
  const keys = secrets.keys();
  const now = options.now?.();
  const signaturePrivateKey = keys.signaturePrivateKey.slice(); // the group's own copy
  try {
    const state = joinFromWelcome(suite, message.welcome, { ...keys, signaturePrivateKey }, {
      ...(options.ratchetTree !== undefined ? { ratchetTree: options.ratchetTree } : {}),
      ...(options.psks !== undefined ? { psks: options.psks } : {}),
      ...(options.secretTree !== undefined ? { secretTree: options.secretTree } : {}),
      ...(now !== undefined ? { now } : {}),
      ...(options.resumeFrom !== undefined ? { resumption: Group.resumptionSourceOf(options.resumeFrom) } : {}),
    });
    return new Group(state, options);
  } catch (e) {
    signaturePrivateKey.fill(0);
    throw e;
  }
}

/** Who a new member or group creator is. */
export interface IdentityOptions {
  /** Cipher suite 1, 2 or 3 (default 3, X25519 / ChaCha20-Poly1305 / Ed25519). */
  readonly suite?: number;
  /** The identity of a basic credential; or give `credential`. */
  readonly identity?: Uint8Array;
  readonly credential?: Credential;
  /** The signature private key; generated when absent. */
  readonly signatureKey?: Uint8Array;
  readonly provider?: CryptoProvider;
}

function identityOf(o: IdentityOptions): { suite: CipherSuite; credential: Credential } {
  const suite = cipherSuite(o.suite ?? 3, o.provider ?? wasmProvider);
  if (o.credential !== undefined) return { suite, credential: o.credential };
  if (o.identity === undefined) throw new TypeError('an identity or a credential is required');
  return { suite, credential: { kind: 'basic', identity: o.identity.slice() } };
}

/** A new KeyPackage (§10) as MLSMessage bytes, and the secrets to join with. */
export function createKeyPackage(options: IdentityOptions & { readonly lifetime?: Lifetime; readonly extensions?: readonly Extension[] }): { keyPackage: Uint8Array; secrets: KeyPackageSecrets } {
  const { suite, credential } = identityOf(options);
  const keys = createKeyPackageKeys(suite, {
    credential,
    ...(options.signatureKey !== undefined ? { signaturePrivateKey: options.signatureKey } : {}),
    ...(options.lifetime !== undefined ? { lifetime: options.lifetime } : {}),
    ...(options.extensions !== undefined ? { extensions: options.extensions } : {}),
  });
  return { keyPackage: encodeMlsMessage({ kind: 'mls_key_package', keyPackage: keys.keyPackage }), secrets: new KeyPackageSecrets(suite, keys) };
}

/** A new group whose only member is its creator, in epoch 0 (§11). */
export function createGroup(options: IdentityOptions & GroupOptions & { readonly groupId?: Uint8Array; readonly extensions?: readonly Extension[] }): Group {
  const { suite, credential } = identityOf(options);
  const state = createGroupState(suite, {
    credential,
    ...(options.signatureKey !== undefined ? { signaturePrivateKey: options.signatureKey } : {}),
    ...(options.groupId !== undefined ? { groupId: options.groupId } : {}),
    ...(options.extensions !== undefined ? { extensions: options.extensions } : {}),
    ...(options.secretTree !== undefined ? { secretTree: options.secretTree } : {}),
  });
  return new Group(state, options);
}

/** A group saved with group.save(); MlsError 'invalid-saved-state' for anything else, nothing half-loaded. */
export function loadGroup(saved: Uint8Array, options: GroupOptions & { readonly provider?: CryptoProvider } = {}): Group {
  const { state, proposals, dmls } = loadGroupState(saved, options.provider ?? wasmProvider);
  try {
    if (options.dmls !== undefined && dmls === undefined) {
      throw new MlsError('invalid-saved-state', 'the saved group is an RFC 9420 group, not a DMLS one');
    }
    return new Group(state, options, proposals, dmls);
  } catch (e) {
    // Nothing half-loaded: every secret restored is wiped again.
    for (const s of new Set([state, ...(dmls?.epochs ?? []).map((x) => x.state)])) {
      for (const x of s.privateState.nodes()) s.privateState.keyPair(x)!.secretKey.fill(0);
      s.secretTree.dispose();
      wipeEpochSecrets(s.epochSecrets);
    }
    state.signaturePrivateKey.fill(0);
    for (const x of dmls?.epochs ?? []) x.parentInit.dispose();
    if (e instanceof MlsError && e.code === 'invalid-saved-state') throw e;
    const error = new MlsError('invalid-saved-state', `the saved DMLS epochs are invalid: ${e instanceof Error ? e.message : String(e)}`);
    (error as { cause?: unknown }).cause = e;
    throw error;
  }
}
