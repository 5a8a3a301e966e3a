// The handshake's refusals, after weshnet's internal/handshake/handshake_test.go: at steps 3 and 4
// a payload that is not a key, another account's key, a signature by another key or over the wrong
// bytes, content that is not the payload, a box sealed under another key or nonce — each refused
// with its WeshError code; and frames that are truncated, oversized or of the wrong message type.
import { create, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { WeshError, frame, proto, weshCrypto } from '../../bindings/wesh/index.js';
import type { CryptoProvider } from '../../bindings/provider/types.js';
import { forEachProvider } from '../helpers/providers.js';
import { codeOf } from './wait.js';

forEachProvider((provider: CryptoProvider) => {
  const wesh = weshCrypto(provider);
  const ed = provider.signature('Ed25519');
  const x = provider.dh('X25519');
  const R = ed.generateKeyPair(), B = ed.generateKeyPair(), other = ed.generateKeyPair();
  const a = x.generateKeyPair(), b = x.generateKeyPair();
  const mont = provider.ed25519ToX25519;
  const ab = provider.boxBeforenm(a.secretKey, b.publicKey);
  const nonce = (n: number) => Uint8Array.from({ length: 24 }, (_, i) => (i === 0 ? n : 0));
  const key3 = provider.hash('SHA-256', new Uint8Array([...ab, ...provider.boxBeforenm(a.secretKey, mont.publicKey(B.publicKey))]));
  const key4 = provider.hash('SHA-256', new Uint8Array([...ab, ...provider.boxBeforenm(mont.secretKey(R.secretKey), mont.publicKey(B.publicKey))]));
  const boxed = (key: Uint8Array, n: Uint8Array, payload: Uint8Array) => {
    const s = provider.secretbox(key);
    const out = frame(toBinary(proto.BoxEnvelopeSchema, create(proto.BoxEnvelopeSchema, { box: s.seal(n, payload) })));
    s.dispose();
    return out;
  };
  const step3 = (fields: { requesterAccountId?: Uint8Array; requesterAccountSig?: Uint8Array }, key = key3, n = nonce(1), raw?: Uint8Array) =>
    boxed(key, n, raw ?? toBinary(proto.RequesterAuthenticatePayloadSchema, create(proto.RequesterAuthenticatePayloadSchema, fields)));
  const verify3 = (message: Uint8Array) => wesh.handshake.verifyRequesterAuthenticate({
    responderAccountSecret: B.secretKey, responderEphemeralSecret: b.secretKey, requesterEphemeralPublic: a.publicKey, message,
  });
  const step4 = (sig: Uint8Array, key = key4, n = nonce(2), raw?: Uint8Array) =>
    boxed(key, n, raw ?? toBinary(proto.ResponderAcceptPayloadSchema, create(proto.ResponderAcceptPayloadSchema, { responderAccountSig: sig })));
  const verify4 = (message: Uint8Array, responder = B.publicKey) => wesh.handshake.verifyResponderAccept({
    requesterAccountSecret: R.secretKey, requesterEphemeralSecret: a.secretKey, responderEphemeralPublic: b.publicKey, responderAccountPublic: responder, message,
  });
  const idOf = (pk: Uint8Array) => wesh.marshalPublicKey(pk);

  describe('step 3, requester authenticate: refused by the responder', () => {
    it('the honest message is accepted (so each refusal below is for its one change)', () => {
      expect(verify3(step3({ requesterAccountId: idOf(R.publicKey), requesterAccountSig: ed.sign(R.secretKey, ab) }))).toEqual(R.publicKey);
    });
    it('an account id that is not a key', () => {
      expect(codeOf(() => verify3(step3({ requesterAccountId: new TextEncoder().encode('NotAKey'), requesterAccountSig: ed.sign(R.secretKey, ab) })))).toBe('invalid-key');
    });
    it("another account's id", () => {
      expect(codeOf(() => verify3(step3({ requesterAccountId: idOf(other.publicKey), requesterAccountSig: ed.sign(R.secretKey, ab) })))).toBe('bad-signature');
    });
    it('signed with another account key', () => {
      expect(codeOf(() => verify3(step3({ requesterAccountId: idOf(R.publicKey), requesterAccountSig: ed.sign(other.secretKey, ab) })))).toBe('bad-signature');
    });
    it('a signature over the wrong proof', () => {
      expect(codeOf(() => verify3(step3({ requesterAccountId: idOf(R.publicKey), requesterAccountSig: ed.sign(R.secretKey, new TextEncoder().encode('WrongProof')) })))).toBe('bad-signature');
    });
    it('content that is not the payload', () => {
      expect(codeOf(() => verify3(step3({}, key3, nonce(1), new TextEncoder().encode('WrongRequestContent'))))).toBe('invalid-protobuf');
    });
    it('a box sealed under another key', () => {
      expect(codeOf(() => verify3(step3({ requesterAccountId: idOf(R.publicKey), requesterAccountSig: ed.sign(R.secretKey, ab) }, provider.randomBytes(32))))).toBe('authentication-failed');
    });
    it('a box sealed under another nonce (the accept nonce)', () => {
      expect(codeOf(() => verify3(step3({ requesterAccountId: idOf(R.publicKey), requesterAccountSig: ed.sign(R.secretKey, ab) }, key3, nonce(2))))).toBe('authentication-failed');
    });
    it('a message of step 4 in its place', () => {
      expect(codeOf(() => verify3(step4(ed.sign(B.secretKey, ab))))).toBe('authentication-failed');
    });
  });

  describe('step 4, responder accept: refused by the requester', () => {
    it('the honest message is accepted', () => {
      expect(() => verify4(step4(ed.sign(B.secretKey, ab)))).not.toThrow();
    });
    it('signed with another key', () => {
      expect(codeOf(() => verify4(step4(ed.sign(other.secretKey, ab))))).toBe('bad-signature');
    });
    it('a signature over the wrong proof', () => {
      expect(codeOf(() => verify4(step4(ed.sign(B.secretKey, new TextEncoder().encode('WrongProof')))))).toBe('bad-signature');
    });
    it('content that is not the payload', () => {
      expect(codeOf(() => verify4(step4(new Uint8Array(0), key4, nonce(2), new TextEncoder().encode('WrongResponseContent'))))).toBe('invalid-protobuf');
    });
    it('a box sealed under another key, or under the authenticate nonce', () => {
      expect(codeOf(() => verify4(step4(ed.sign(B.secretKey, ab), provider.randomBytes(32))))).toBe('authentication-failed');
      expect(codeOf(() => verify4(step4(ed.sign(B.secretKey, ab), key4, nonce(1))))).toBe('authentication-failed');
    });
    it('a responder other than the one the contact link named', () => {
      expect(codeOf(() => verify4(step4(ed.sign(B.secretKey, ab)), other.publicKey))).toBe('authentication-failed');
    });
  });

  describe('frames and message kinds', () => {
    const hello = wesh.handshake.requesterHello(a.publicKey);
    it('truncated and oversized frames, trailing bytes', () => {
      for (let cut = 0; cut < hello.length; cut++) expect(codeOf(() => wesh.handshake.verifyResponderHello(hello.subarray(0, cut)))).toBe('invalid-frame');
      expect(codeOf(() => wesh.handshake.verifyResponderHello(new Uint8Array([...hello, 0])))).toBe('invalid-frame');
      expect(codeOf(() => wesh.handshake.verifyResponderHello(Uint8Array.of(0x81, 0x10, ...new Uint8Array(2049))))).toBe('invalid-frame');
      expect(codeOf(() => wesh.handshake.verifyResponderHello(Uint8Array.of(0x80, 0x80, 0x01)))).toBe('invalid-frame');
    });
    it('a hello with a key of the wrong length, or an empty one', () => {
      const bad = frame(toBinary(proto.HelloPayloadSchema, create(proto.HelloPayloadSchema, { ephemeralPubKey: new Uint8Array(31) })));
      expect(codeOf(() => wesh.handshake.verifyRequesterHello(bad))).toBe('invalid-key');
      expect(codeOf(() => wesh.handshake.verifyRequesterHello(frame(new Uint8Array(0))))).toBe('invalid-key');
    });
    it('a hello whose key has small order is refused when the box key is computed', () => {
      const zero = new Uint8Array(32);
      expect(codeOf(() => wesh.handshake.requesterAuthenticate({ requesterAccountSecret: R.secretKey, requesterEphemeralSecret: a.secretKey, responderEphemeralPublic: zero, responderAccountPublic: B.publicKey }))).toBe('invalid-key');
    });
    it('an acknowledge without success, and a step-3 message where the acknowledge belongs', () => {
      expect(codeOf(() => wesh.handshake.verifyRequesterAcknowledge(frame(new Uint8Array(0))))).toBe('unexpected-message');
      expect(codeOf(() => wesh.handshake.verifyRequesterAcknowledge(step3({ requesterAccountId: idOf(R.publicKey) })))).toBe('invalid-protobuf');
    });
  });
});
