// The five messages of the contact-request handshake (reference §5; weshnet internal/handshake),
// built and checked from given keys. Each is a uvarint-delimited protobuf (framing.ts).
//
// R (requester) has account key A and ephemeral X25519 key a; the responder has B and b. x.y is
// NaCl's box.Precompute of the two keys (Ed25519 account keys converted to X25519 first); it is
// symmetric, so each side computes the same value from its secret half.
//   1  R → HelloPayload{ephemeral_pub_key = a}
//   2  ← HelloPayload{ephemeral_pub_key = b}
//   3  R → BoxEnvelope{box = secretbox(RequesterAuthenticatePayload{
//              requester_account_id = libp2p-marshalled A, requester_account_sig = Sign_A(a.b)},
//              nonce = 01 ‖ 0^23, key = SHA-256(a.b ‖ a.B))}
//   4  ← BoxEnvelope{box = secretbox(ResponderAcceptPayload{responder_account_sig = Sign_B(a.b)},
//              nonce = 02 ‖ 0^23, key = SHA-256(a.b ‖ A.B))}
//   5  R → RequesterAcknowledgePayload{success = true}
// Every check failure is a WeshError; secrets derived on the way are wiped on every exit.

import { InvalidKeyError, bytes } from '../../errors.js';
import type { CryptoProvider } from '../../provider/types.js';
import { WeshError } from '../errors.js';
import { decode, encode } from '../proto/codec.js';
import {
  BoxEnvelopeSchema, HelloPayloadSchema, RequesterAcknowledgePayloadSchema, RequesterAuthenticatePayloadSchema, ResponderAcceptPayloadSchema,
} from '../proto/gen/handshake_pb.js';
import { marshalPublicKey, peerKey, unmarshalPublicKey } from '../crypto/keys.js';
import { openSealed, seal } from '../crypto/seal.js';
import { MAX_FRAME, frame, unframe } from './framing.js';

const NONCE_AUTHENTICATE = nonceOf(1);
const NONCE_ACCEPT = nonceOf(2);

function nonceOf(first: number): Uint8Array {
  const n = new Uint8Array(24);
  n[0] = first;
  return n;
}

// ---- 1, 2: hello ----------------------------------------------------------------------------------

export function requesterHello(ephemeralPublic: Uint8Array): Uint8Array {
  return hello(ephemeralPublic, 'requesterHello');
}

export function responderHello(ephemeralPublic: Uint8Array): Uint8Array {
  return hello(ephemeralPublic, 'responderHello');
}

function hello(ephemeralPublic: Uint8Array, fn: string): Uint8Array {
  if (bytes(ephemeralPublic, `wesh.handshake.${fn}`, 'ephemeralPublic').length !== 32) throw new RangeError(`wesh.handshake.${fn}: ephemeralPublic must be 32 bytes`);
  return frame(encode(HelloPayloadSchema, { ephemeralPubKey: ephemeralPublic }));
}

/** The peer's ephemeral public key from its hello (step 1 or 2). */
export function verifyHello(message: Uint8Array): Uint8Array {
  const h = decode(HelloPayloadSchema, unframe(message), MAX_FRAME);
  return peerKey(h.ephemeralPubKey, 'HelloPayload.ephemeral_pub_key').slice();
}

export const verifyRequesterHello = verifyHello;
export const verifyResponderHello = verifyHello;

// ---- the shared keys --------------------------------------------------------------------------------

/** box.Precompute between an X25519 secret key and an X25519 public key, peer-key failures as WeshError. */
function precompute(provider: CryptoProvider, secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  try {
    return provider.boxBeforenm(secretKey, publicKey);
  } catch (err) {
    if (err instanceof InvalidKeyError) throw new WeshError('invalid-key', `unusable handshake key: ${err.message}`);
    throw err;
  }
}

function withMont<T>(provider: CryptoProvider, edSecret: Uint8Array, use: (x25519Secret: Uint8Array) => T): T {
  const sk = provider.ed25519ToX25519.secretKey(edSecret);
  try {
    return use(sk);
  } finally {
    sk.fill(0);
  }
}

function montPublic(provider: CryptoProvider, edPublic: Uint8Array, what: string): Uint8Array {
  try {
    return provider.ed25519ToX25519.publicKey(peerKey(edPublic, what));
  } catch (err) {
    if (err instanceof InvalidKeyError) throw new WeshError('invalid-key', `${what}: ${err.message}`);
    throw err;
  }
}

/** SHA-256(first ‖ second), both inputs wiped. */
function boxKey(provider: CryptoProvider, first: Uint8Array, second: Uint8Array): Uint8Array {
  const both = new Uint8Array(64);
  both.set(first);
  both.set(second, 32);
  second.fill(0);
  try {
    return provider.hash('SHA-256', both);
  } finally {
    both.fill(0);
  }
}

/** Steps 3 and 4: a BoxEnvelope frame of `payload` under SHA-256(ab ‖ second); the key and `second` wiped. */
function boxedFrame(provider: CryptoProvider, ab: Uint8Array, second: Uint8Array, nonce: Uint8Array, payload: Uint8Array): Uint8Array {
  const key = boxKey(provider, ab, second);
  try {
    return frame(encode(BoxEnvelopeSchema, { box: seal(provider, key, nonce, payload) }));
  } finally {
    key.fill(0);
  }
}

/** The payload of a step 3 or 4 box under SHA-256(ab ‖ second); the key and `second` wiped. */
function openBoxed(provider: CryptoProvider, box: Uint8Array, ab: Uint8Array, second: Uint8Array, nonce: Uint8Array, what: string): Uint8Array {
  const key = boxKey(provider, ab, second);
  try {
    return openSealed(provider, key, nonce, box, what);
  } finally {
    key.fill(0);
  }
}

// ---- 3: requester authenticate ----------------------------------------------------------------------

export interface RequesterAuthenticateInput {
  readonly requesterAccountSecret: Uint8Array;
  readonly requesterEphemeralSecret: Uint8Array;
  readonly responderEphemeralPublic: Uint8Array;
  readonly responderAccountPublic: Uint8Array;
}

export function requesterAuthenticate(provider: CryptoProvider, input: RequesterAuthenticateInput): Uint8Array {
  const sign = provider.signature('Ed25519');
  const ab = precompute(provider, input.requesterEphemeralSecret, peerKey(input.responderEphemeralPublic, 'responderEphemeralPublic'));
  try {
    const payload = encode(RequesterAuthenticatePayloadSchema, {
      requesterAccountId: marshalPublicKey(sign.publicKey(input.requesterAccountSecret)),
      requesterAccountSig: sign.sign(input.requesterAccountSecret, ab),
    });
    const aB = precompute(provider, input.requesterEphemeralSecret, montPublic(provider, input.responderAccountPublic, 'responderAccountPublic'));
    return boxedFrame(provider, ab, aB, NONCE_AUTHENTICATE, payload);
  } finally {
    ab.fill(0);
  }
}

export interface VerifyRequesterAuthenticateInput {
  readonly responderAccountSecret: Uint8Array;
  readonly responderEphemeralSecret: Uint8Array;
  readonly requesterEphemeralPublic: Uint8Array;
  readonly message: Uint8Array;
}

/** The requester's account public key, once its box opens and its signature over a.b verifies. */
export function verifyRequesterAuthenticate(provider: CryptoProvider, input: VerifyRequesterAuthenticateInput): Uint8Array {
  const envelope = decode(BoxEnvelopeSchema, unframe(input.message), MAX_FRAME);
  const ab = precompute(provider, input.responderEphemeralSecret, peerKey(input.requesterEphemeralPublic, 'requesterEphemeralPublic'));
  try {
    const aB = withMont(provider, input.responderAccountSecret, (sk) => precompute(provider, sk, input.requesterEphemeralPublic));
    const plaintext = openBoxed(provider, envelope.box, ab, aB, NONCE_AUTHENTICATE, 'requester authenticate');
    const p = decode(RequesterAuthenticatePayloadSchema, plaintext, MAX_FRAME);
    const requester = unmarshalPublicKey(p.requesterAccountId);
    if (!provider.signature('Ed25519').verify(requester, ab, p.requesterAccountSig)) throw new WeshError('bad-signature', 'requester signature over a.b does not verify');
    return requester;
  } finally {
    ab.fill(0);
  }
}

// ---- 4: responder accept -----------------------------------------------------------------------------

export interface ResponderAcceptInput {
  readonly responderAccountSecret: Uint8Array;
  readonly responderEphemeralSecret: Uint8Array;
  readonly requesterEphemeralPublic: Uint8Array;
  readonly requesterAccountPublic: Uint8Array;
}

export function responderAccept(provider: CryptoProvider, input: ResponderAcceptInput): Uint8Array {
  const ab = precompute(provider, input.responderEphemeralSecret, peerKey(input.requesterEphemeralPublic, 'requesterEphemeralPublic'));
  try {
    const payload = encode(ResponderAcceptPayloadSchema, { responderAccountSig: provider.signature('Ed25519').sign(input.responderAccountSecret, ab) });
    const AB = withMont(provider, input.responderAccountSecret, (sk) => precompute(provider, sk, montPublic(provider, input.requesterAccountPublic, 'requesterAccountPublic')));
    return boxedFrame(provider, ab, AB, NONCE_ACCEPT, payload);
  } finally {
    ab.fill(0);
  }
}

export interface VerifyResponderAcceptInput {
  readonly requesterAccountSecret: Uint8Array;
  readonly requesterEphemeralSecret: Uint8Array;
  readonly responderEphemeralPublic: Uint8Array;
  readonly responderAccountPublic: Uint8Array;
  readonly message: Uint8Array;
}

/** Returns when the responder's box opens and its signature over a.b verifies under its account key. */
export function verifyResponderAccept(provider: CryptoProvider, input: VerifyResponderAcceptInput): void {
  const envelope = decode(BoxEnvelopeSchema, unframe(input.message), MAX_FRAME);
  const responder = peerKey(input.responderAccountPublic, 'responderAccountPublic');
  const ab = precompute(provider, input.requesterEphemeralSecret, peerKey(input.responderEphemeralPublic, 'responderEphemeralPublic'));
  try {
    const AB = withMont(provider, input.requesterAccountSecret, (sk) => precompute(provider, sk, montPublic(provider, responder, 'responderAccountPublic')));
    const p = decode(ResponderAcceptPayloadSchema, openBoxed(provider, envelope.box, ab, AB, NONCE_ACCEPT, 'responder accept'), MAX_FRAME);
    if (!provider.signature('Ed25519').verify(responder, ab, p.responderAccountSig)) throw new WeshError('bad-signature', 'responder signature over a.b does not verify');
  } finally {
    ab.fill(0);
  }
}

// ---- 5: requester acknowledge ------------------------------------------------------------------------

export function requesterAcknowledge(): Uint8Array {
  return frame(encode(RequesterAcknowledgePayloadSchema, { success: true }));
}

export function verifyRequesterAcknowledge(message: Uint8Array): void {
  if (!decode(RequesterAcknowledgePayloadSchema, unframe(message), MAX_FRAME).success) {
    throw new WeshError('unexpected-message', 'requester acknowledge without success');
  }
}
