// Wesh's cryptography on fresh random keys: what one provider seals the other opens (wasm ⇄
// reference), every refusal has its WeshError code and returns nothing, and the derivations agree
// between the two providers and with their definitions.
import { describe, expect, it } from 'vitest';
import { referenceProvider } from '../../bindings/provider/reference.js';
import { wasmProvider } from '../../bindings/provider/wasm.js';
import { EventType, GroupType, WeshError, weshCrypto } from '../../bindings/wesh/index.js';
import { toHex } from '../helpers/vectors.js';
import { codeOf } from './wait.js';

const W = weshCrypto(wasmProvider);
const R = weshCrypto(referenceProvider);
const ed = wasmProvider.signature('Ed25519');
const text = (s: string) => new TextEncoder().encode(s);

describe('Wesh crypto across providers', () => {
  for (const [sealer, opener, name] of [[W, R, 'wasm → reference'], [R, W, 'reference → wasm']] as const) {
    it(`${name}: a message envelope from a device chain, opened after its chain key arrived as a secret entry`, () => {
      const group = sealer.createMultiMemberGroup();
      const device = ed.generateKeyPair(), member = ed.generateKeyPair();
      const chainKey = wasmProvider.randomBytes(32);
      const entry = sealer.sealSecretEntry({ senderDeviceSecret: device.secretKey, destMemberPublic: member.publicKey, groupPublicKey: group.publicKey, chainKey, counter: 0n });
      const got = opener.openSecretEntry({ memberSecret: member.secretKey, event: entry.event, groupPublicKey: group.publicKey });
      expect(got.chainKey).toEqual(chainKey);
      expect(got.devicePublicKey).toEqual(device.publicKey);
      const sendKeys = sealer.ratchet(chainKey, group.publicKey, 3);
      const receiveKeys = opener.ratchet(got.chainKey, group.publicKey, 3);
      expect(receiveKeys.messageKeys).toEqual(sendKeys.messageKeys);
      for (let n = 1; n <= 3; n++) {
        const sealed = sealer.sealMessageEnvelope({ groupSecret: group.secret, messageKey: sendKeys.messageKeys[n - 1], counter: BigInt(n), device: device.secretKey, plaintext: text(`message ${n}`), metadata: { b: '2', a: '1' } });
        const opened = opener.openMessageEnvelope(group.secret, sealed.envelope, (pk, counter) => {
          expect(pk).toEqual(device.publicKey);
          return receiveKeys.messageKeys[Number(counter) - 1];
        });
        expect(new TextDecoder().decode(opened.plaintext)).toBe(`message ${n}`);
        expect(opened.headers.metadata).toEqual({ a: '1', b: '2' });
      }
    });

    it(`${name}: an out-of-store envelope found by its group reference and opened`, () => {
      const group = sealer.createMultiMemberGroup();
      const device = ed.generateKeyPair();
      const mk = wasmProvider.randomBytes(32);
      const sealed = sealer.sealMessageEnvelope({ groupSecret: group.secret, messageKey: mk, counter: 42n, device: device.secretKey, plaintext: text('push') });
      const { headers } = opener.openMessageHeaders(group.secret, sealed.envelope);
      const oos = sealer.groupDerivedKeys(group.publicKey, group.secret).outOfStoreSecret;
      const ref = sealer.groupReference(oos, device.publicKey, 42n);
      const env = sealer.sealOutOfStoreEnvelope({ groupSecret: group.secret, cid: text('cid'), envelope: sealed.envelope, headers, groupReference: ref });
      // the receiver precomputes references for a window of counters and finds this one
      const window = new Map<string, bigint>();
      for (let c = 30n; c <= 50n; c++) window.set(toHex(opener.groupReference(opener.groupDerivedKeys(group.publicKey, group.secret).outOfStoreSecret, device.publicKey, c)), c);
      expect(window.get(toHex(opener.outOfStoreReference(env)))).toBe(42n);
      const o = opener.openOutOfStoreEnvelope(group.secret, env);
      expect(o.cid).toEqual(text('cid'));
      expect(new TextDecoder().decode(opener.openMessage(o.headers, o.message, mk))).toBe('push');
    });

    it(`${name}: a group envelope, and its signature checked against the right key only`, () => {
      const group = sealer.createMultiMemberGroup();
      const member = ed.generateKeyPair(), device = ed.generateKeyPair();
      const event = sealer.memberDeviceAddedEvent(member.secretKey, device.publicKey);
      const { envelope } = sealer.sealGroupEnvelope({ groupSecret: group.secret, eventType: EventType.EventTypeGroupMemberDeviceAdded, event, signer: device.secretKey });
      const o = opener.openGroupEnvelope(group.secret, envelope);
      expect(o.eventType).toBe(EventType.EventTypeGroupMemberDeviceAdded);
      expect(opener.verifyGroupMetadata(device.publicKey, o.payload, o.sig)).toBe(true);
      expect(opener.verifyGroupMetadata(member.publicKey, o.payload, o.sig)).toBe(false);
      expect(opener.openMemberDeviceAdded(o.payload)).toEqual({ memberPublicKey: member.publicKey, devicePublicKey: device.publicKey });
    });
  }

  it('a multi-member group opens with its signatures checked; a forged secret or link key is refused', () => {
    const g = W.createMultiMemberGroup();
    const info = R.openGroup(g.group);
    expect(info.groupType).toBe(GroupType.GroupTypeMultiMember);
    expect(info.secret).toEqual(g.secret);
    expect(info.linkKey).toEqual(W.groupDerivedKeys(g.publicKey, g.secret).linkKey);
    // another group's public key (field 1: 0a 20 ‖ 32 bytes) over this group's secret and signatures
    const swapped = new Uint8Array(g.group);
    swapped.set(W.createMultiMemberGroup().group.subarray(0, 34));
    expect(codeOf(() => W.openGroup(swapped))).toBe('bad-signature');
    expect(codeOf(() => R.openGroup(swapped))).toBe('bad-signature');
  });

  it('member keys for a group: the same on every device of an account, different per group', () => {
    const alias = ed.generateKeyPair();
    const g1 = W.createMultiMemberGroup(), g2 = W.createMultiMemberGroup();
    expect(W.memberKeyForGroup(alias.secretKey, g1.publicKey)).toEqual(R.memberKeyForGroup(alias.secretKey, g1.publicKey));
    expect(W.memberKeyForGroup(alias.secretKey, g1.publicKey).publicKey).not.toEqual(W.memberKeyForGroup(alias.secretKey, g2.publicKey).publicKey);
  });

  it('refusals: wrong member, wrong group secret, wrong message key, another device signature — each typed, nothing returned', () => {
    const g = W.createMultiMemberGroup();
    const device = ed.generateKeyPair(), member = ed.generateKeyPair(), stranger = ed.generateKeyPair();
    const entry = W.sealSecretEntry({ senderDeviceSecret: device.secretKey, destMemberPublic: member.publicKey, groupPublicKey: g.publicKey, chainKey: new Uint8Array(32), counter: 0n });
    expect(codeOf(() => W.openSecretEntry({ memberSecret: stranger.secretKey, event: entry.event, groupPublicKey: g.publicKey }))).toBe('unexpected-message');
    expect(codeOf(() => W.openSecretEntry({ memberSecret: member.secretKey, event: entry.event, groupPublicKey: W.createMultiMemberGroup().publicKey }))).toBe('authentication-failed');
    const mk = wasmProvider.randomBytes(32);
    const sealed = W.sealMessageEnvelope({ groupSecret: g.secret, messageKey: mk, counter: 1n, device: device.secretKey, plaintext: text('x') });
    expect(codeOf(() => W.openMessageEnvelope(wasmProvider.randomBytes(32), sealed.envelope, () => mk))).toBe('authentication-failed');
    expect(codeOf(() => W.openMessageEnvelope(g.secret, sealed.envelope, () => wasmProvider.randomBytes(32)))).toBe('authentication-failed');
    // a header claiming another device: the message opens, its signature does not verify
    const { headers, message } = W.openMessageHeaders(g.secret, sealed.envelope);
    expect(codeOf(() => W.openMessage({ ...headers, devicePublicKey: stranger.publicKey }, message, mk))).toBe('bad-signature');
    // a header claiming another counter: the payload nonce changes, so it does not open
    expect(codeOf(() => W.openMessage({ ...headers, counter: 2n }, message, mk))).toBe('authentication-failed');
  });

  for (const [W2, name] of [[W, 'wasm'], [R, 'reference']] as const) {
    it(`${name}: openMessageEnvelopes opens a batch as openMessageEnvelope would, each refusal on its own`, () => {
      const g = W.createMultiMemberGroup();
      const device = W.prepareSigner(ed.generateKeyPair().secretKey), other = W.prepareSigner(ed.generateKeyPair().secretKey);
      const { messageKeys } = W.ratchet(wasmProvider.randomBytes(32), g.publicKey, 40);
      const seal = (n: number, signer: { publicKey: Uint8Array; sign(m: Uint8Array): Uint8Array } = device) => W.sealMessageEnvelope({ groupSecret: g.secret, messageKey: messageKeys[n - 1], counter: BigInt(n), device: signer, plaintext: text(`m${n}`) }).envelope;
      const envelopes = Array.from({ length: 40 }, (_, i) => seal(i + 1));
      // 7: from another device (no key for it); 9: garbage; 11: headers under another secret; 13: a forged signature
      envelopes[6] = seal(7, other);
      const headers7 = W.openMessageHeaders(g.secret, envelopes[6]).headers;
      expect(headers7.devicePublicKey).toEqual(other.publicKey);
      envelopes[8] = text('not an envelope');
      envelopes[12] = seal(13, { publicKey: device.publicKey, sign: (m) => other.sign(m) }); // claims our device, signed by another
      envelopes[10] = W.sealMessageEnvelope({ groupSecret: W.createMultiMemberGroup().secret, messageKey: messageKeys[10], counter: 11n, device, plaintext: text('x') }).envelope;
      const keyFor = (pk: Uint8Array, c: bigint) => {
        if (toHex(pk) !== toHex(device.publicKey)) throw new WeshError('wrong-counter', 'unknown device');
        return messageKeys[Number(c) - 1];
      };
      const results = W2.openMessageEnvelopes(g.secret, envelopes, keyFor);
      expect(results).toHaveLength(40);
      results.forEach((r, i) => {
        const single = (() => { try { return new TextDecoder().decode(W2.openMessageEnvelope(g.secret, envelopes[i], keyFor).plaintext); } catch (e) { return (e as WeshError).code; } })();
        expect('plaintext' in r ? new TextDecoder().decode(r.plaintext) : r.error.code, `envelope ${i + 1}`).toBe(single);
      });
      expect(results.filter((r) => 'error' in r).map((r) => ('error' in r ? r.error.code : ''))).toEqual(['wrong-counter', 'invalid-protobuf', 'authentication-failed', 'bad-signature']);
    });
  }

  it('the ratchet: 100 batched steps equal 100 single steps, on both providers', () => {
    const ck = wasmProvider.randomBytes(32), gpk = ed.generateKeyPair().publicKey;
    const batch = W.ratchet(ck, gpk, 100);
    let k = ck;
    for (let i = 0; i < 100; i++) {
      const s = R.ratchetStep(k, gpk);
      expect(s.messageKey).toEqual(batch.messageKeys[i]);
      k = s.chainKey;
    }
    expect(k).toEqual(batch.chainKey);
  });

  it('rendezvous rotation: the previous point is watched for the grace time only; points expire when their period ends', () => {
    const topic = text('topic'), seed = wasmProvider.randomBytes(32);
    const day = 86400, t0 = 1_700_006_400; // a period start (divisible by a day)
    const justAfter = W.activeRendezvousPoints(topic, seed, t0 + 60);
    expect(justAfter.map((p) => p.periodStart)).toEqual([t0, t0 - day, 0]);
    const later = W.activeRendezvousPoints(topic, seed, t0 + 3600);
    expect(later.map((p) => p.periodStart)).toEqual([t0, 0]);
    expect(W.activeRendezvousPoints(topic, seed, t0 + 3600, { weshnetCompatible: false }).map((p) => p.periodStart)).toEqual([t0]);
    const [current] = later;
    expect(current.expiresAt).toBe(t0 + day);
    expect([t0 + day - 1, t0 + day].map((t) => current.expiresAt <= t)).toEqual([false, true]);
    expect(current.point).toEqual(R.rendezvousPoint(topic, seed, t0));
  });
});
