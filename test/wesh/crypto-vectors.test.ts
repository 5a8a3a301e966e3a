// Every Wesh known answer: ../shared/vectors/wesh/ (upstream rendezvous answers and the independent
// re-derivation of ratchet, group-derived keys, message envelope and metadata envelope) and the
// values the reference lists inline (§5 handshake, §6.1 contact group, §7.3 secret entry), on the
// wasm provider (each build) and the reference provider.
import { describe, expect, it } from 'vitest';
import { EventType, weshCrypto } from '../../bindings/wesh/index.js';
import { forEachProvider } from '../helpers/providers.js';
import { hex, loadVectors, toHex, utf8 } from '../helpers/vectors.js';
import { specBlocks, specValue } from './spec-vectors.js';

const upstream = loadVectors('wesh/wesh_rendezvous_upstream_kat.json');
const v = loadVectors('wesh/wesh_vectors.json').vectors;
const handshake = specBlocks('## 5.');
const contact = specBlocks('### 6.1');
const secretEntry = specBlocks('### 7.3');

forEachProvider((provider) => {
  const wesh = weshCrypto(provider);

  describe('rendezvous points (§4)', () => {
    it(`upstream GenerateRendezvousPointForPeriod: ${upstream.generate_rendezvous_point.length} points`, () => {
      expect(upstream.generate_rendezvous_point).toHaveLength(4);
      for (const c of upstream.generate_rendezvous_point) {
        expect(toHex(wesh.rendezvousPoint(utf8(c.topic_utf8), utf8(c.seed_utf8), c.period_start_unix))).toBe(c.expected_point_hex);
      }
    });

    it(`upstream RoundTimePeriod / NextTimePeriod: ${upstream.round_time_period.length} cases`, () => {
      expect(upstream.round_time_period).toHaveLength(3);
      for (const c of upstream.round_time_period) {
        const t = Date.parse(c.time) / 1000;
        const start = wesh.periodStart(t, c.period_s);
        expect(start).toBe(Date.parse(c.round) / 1000);
        expect(start + Math.abs(c.period_s)).toBe(Date.parse(c.next) / 1000);
      }
    });

    it('the contact-request point: topic = base64 of the account key, static (period 0) and 24-hour points', () => {
      const c = v.rendezvous.contact_request_example;
      const topic = wesh.contactRequestTopic(hex(c.account_pk));
      const seed = hex(c.rendezvous_seed);
      expect(toHex(new Uint8Array([...topic, ...seed]))).toBe(c.hmac_key_is_ascii_base64_pk_concat_seed);
      const stat = wesh.rendezvousPoint(topic, seed, 0);
      expect(toHex(stat)).toBe(c.static_default_point_period_start_0);
      expect(Buffer.from(stat).toString('base64')).toBe(c.static_default_rotation_topic_base64);
      expect(wesh.periodStart(c.period_start_unix_24h + 12345, 24 * 3600)).toBe(c.period_start_unix_24h);
      const daily = wesh.rendezvousPoint(topic, seed, c.period_start_unix_24h);
      expect(toHex(daily)).toBe(c.point);
      expect(Buffer.from(daily).toString('base64')).toBe(c.rotation_topic_base64);
      // the active set at that time: today's point, and the static one for weshnet peers
      const active = wesh.activeRendezvousPoints(topic, seed, c.period_start_unix_24h + 3600);
      expect(active.map((p) => toHex(p.point))).toEqual([c.point, c.static_default_point_period_start_0]);
    });
  });

  describe('keys and groups (§6)', () => {
    it('contact group (§6.1): the same group from either account', () => {
      const a = specValue(contact, 'account_a_seed'), b = specValue(contact, 'account_b_seed');
      expect(toHex(provider.signature('Ed25519').publicKey(a))).toBe(toHex(specValue(contact, 'account_a_pk')));
      const fromA = wesh.contactGroup(a, specValue(contact, 'account_b_pk'));
      const fromB = wesh.contactGroup(b, specValue(contact, 'account_a_pk'));
      for (const g of [fromA, fromB]) {
        expect(toHex(g.groupSeed)).toBe(toHex(specValue(contact, 'group seed')));
        expect(toHex(g.publicKey)).toBe(toHex(specValue(contact, 'group pk')));
        expect(toHex(g.secret)).toBe(toHex(specValue(contact, 'group secret')));
        expect(toHex(g.signingPublicKey)).toBe(toHex(specValue(contact, 'signing pub (Ed25519 pub of seed')));
      }
      expect(toHex(fromA.group)).toBe(toHex(fromB.group));
      const opened = wesh.openGroup(fromA.group);
      expect(toHex(opened.publicKey)).toBe(toHex(fromA.publicKey));
      expect(toHex(opened.linkKey)).toBe(v.group_derived.link_key_hkdf_sha3_256_info_group_pk);
    });

    it('group-derived keys (§6.5, §9): link key, push secret, the group reference of counter 7', () => {
      const g = v.group_derived;
      const keys = wesh.groupDerivedKeys(hex(g.group_public_key), hex(g.group_secret));
      expect(toHex(keys.linkKey)).toBe(g.link_key_hkdf_sha3_256_info_group_pk);
      expect(toHex(keys.outOfStoreSecret)).toBe(g.out_of_store_secret_info_push_secret_ref);
      expect(toHex(provider.signature('Ed25519').publicKey(hex(g.device_seed)))).toBe(g.device_pk);
      expect(toHex(wesh.groupReference(keys.outOfStoreSecret, hex(g.device_pk), BigInt(g.counter)))).toBe(g.out_of_store_group_reference);
    });
  });

  describe('symmetric ratchet (§8)', () => {
    it(`${v.ratchet.steps.length} steps, one by one and batched`, () => {
      const gpk = hex(v.ratchet.group_pk);
      expect(toHex(provider.signature('Ed25519').publicKey(hex(v.ratchet.group_seed)))).toBe(v.ratchet.group_pk);
      let ck = hex(v.ratchet.initial_chain_key_counter0);
      for (const s of v.ratchet.steps) {
        expect(toHex(ck)).toBe(s.chain_key_in);
        const r = wesh.ratchetStep(ck, gpk);
        expect(toHex(r.messageKey)).toBe(s.message_key);
        expect(toHex(r.chainKey)).toBe(s.chain_key_out);
        ck = r.chainKey;
      }
      const all = wesh.ratchet(hex(v.ratchet.initial_chain_key_counter0), gpk, v.ratchet.steps.length);
      expect(all.messageKeys.map(toHex)).toEqual(v.ratchet.steps.map((s: any) => s.message_key));
      expect(toHex(all.chainKey)).toBe(v.ratchet.steps.at(-1).chain_key_out);
    });
  });

  describe('envelopes (§7, §9)', () => {
    it('message envelope: every intermediate value, then opened back', () => {
      const m = v.message_envelope;
      const mk = wesh.ratchetStep(hex(m.chain_key_at_counter0), hex(m.group_pk)).messageKey;
      expect(toHex(mk)).toBe(m.message_key_counter1);
      const sealed = wesh.sealMessageEnvelope({
        groupSecret: hex(m.group_secret), messageKey: mk, counter: 1n, device: hex(m.device_seed),
        plaintext: utf8('hello wesh'), nonce: hex(m.headers_nonce_fixed_for_test),
      });
      expect(toHex(sealed.encryptedMessage)).toBe(m.encrypted_message_proto);
      expect(toHex(sealed.sig)).toBe(m.device_sig);
      expect(toHex(sealed.headers)).toBe(m.headers_proto);
      expect(toHex(sealed.envelope)).toBe(m.message_envelope_proto);
      const env = hex(m.message_envelope_proto);
      expect(toHex(env)).toContain(m.payload_ciphertext);
      expect(toHex(env)).toContain(m.headers_ciphertext);
      const opened = wesh.openMessageEnvelope(hex(m.group_secret), env, (device, counter) => {
        expect(counter).toBe(1n);
        expect(toHex(device)).toBe(toHex(provider.signature('Ed25519').publicKey(hex(m.device_seed))));
        return mk;
      });
      expect(new TextDecoder().decode(opened.plaintext)).toBe('hello wesh');
    });

    it('metadata envelope of a GroupMemberDeviceAdded event: every intermediate value, then opened back', () => {
      const m = v.metadata_member_device_added;
      const event = wesh.memberDeviceAddedEvent(hex(m.member_seed), hex(m.device_pk));
      expect(toHex(event)).toBe(m.event_proto);
      expect(toHex(event)).toContain(m.member_sig_over_device_pk);
      // the device key of the vector is the one of group_derived (seed a0a1…)
      const deviceSeed = hex(v.group_derived.device_seed);
      const { envelope, metadata } = wesh.sealGroupEnvelope({
        groupSecret: hex(v.message_envelope.group_secret), eventType: EventType.EventTypeGroupMemberDeviceAdded,
        event, signer: deviceSeed, nonce: hex(m.nonce_fixed_for_test),
      });
      expect(toHex(metadata)).toBe(m.group_metadata_proto);
      expect(toHex(metadata)).toContain(m.device_sig_over_event);
      expect(toHex(envelope)).toBe(m.group_envelope_proto);
      const opened = wesh.openGroupEnvelope(hex(v.message_envelope.group_secret), hex(m.group_envelope_proto));
      expect(opened.eventType).toBe(EventType.EventTypeGroupMemberDeviceAdded);
      expect(toHex(opened.sig)).toBe(m.device_sig_over_event);
      const added = wesh.openMemberDeviceAdded(opened.payload);
      expect(toHex(added.memberPublicKey)).toBe(m.member_pk);
      expect(wesh.verifyGroupMetadata(added.devicePublicKey, opened.payload, opened.sig)).toBe(true);
      expect(wesh.verifyGroupMetadata(added.memberPublicKey, opened.payload, opened.sig)).toBe(false);
    });

    it('secret entry (§7.3): the device chain key boxed to a member, and opened by it', () => {
      const s = (n: string) => specValue(secretEntry, n);
      const groupPk = specValue(contact, 'group pk');
      expect(toHex(groupPk.subarray(0, 24))).toBe(toHex(s('nonce')));
      expect(toHex(provider.signature('Ed25519').publicKey(s('sender_device_seed')))).toBe(toHex(s('sender_device_pk')));
      const chainKey = Uint8Array.from({ length: 32 }, (_, i) => 0xc0 + i);
      const sealed = wesh.sealSecretEntry({ senderDeviceSecret: s('sender_device_seed'), destMemberPublic: s('dest_member_pk'), groupPublicKey: groupPk, chainKey, counter: 0n });
      expect(toHex(sealed.payload)).toBe(toHex(s('box (tag‖ct)')));
      const opened = wesh.openSecretEntry({ memberSecret: s('dest_member_seed'), event: sealed.event, groupPublicKey: groupPk });
      expect(toHex(opened.chainKey)).toBe(toHex(chainKey));
      expect(opened.counter).toBe(0n);
      expect(toHex(opened.devicePublicKey)).toBe(toHex(s('sender_device_pk')));
      expect(toHex(s('DeviceChainKey'))).toBe('0a20' + toHex(chainKey));
    });
  });

  describe('contact-request handshake (§5)', () => {
    const h = (n: string) => specValue(handshake, n);
    it('the five messages, byte for byte, and each verified by the other side', () => {
      const x = provider.dh('X25519');
      expect(toHex(x.publicKey(h('requester_eph_sk')))).toBe(toHex(h('requester_eph_pk')));
      expect(toHex(x.publicKey(h('responder_eph_sk')))).toBe(toHex(h('responder_eph_pk')));
      const msg1 = wesh.handshake.requesterHello(h('requester_eph_pk'));
      expect(toHex(msg1)).toBe(toHex(h('msg1 (delimited)')));
      expect(toHex(wesh.handshake.verifyRequesterHello(msg1))).toBe(toHex(h('requester_eph_pk')));
      const msg2 = wesh.handshake.responderHello(h('responder_eph_pk'));
      expect(toHex(msg2)).toBe(toHex(h('msg2 (delimited)')));
      const msg3 = wesh.handshake.requesterAuthenticate({
        requesterAccountSecret: h('requester_account_seed'), requesterEphemeralSecret: h('requester_eph_sk'),
        responderEphemeralPublic: h('responder_eph_pk'), responderAccountPublic: h('responder_account_pk'),
      });
      expect(toHex(msg3)).toBe(toHex(h('msg3 (delimited)')));
      const requester = wesh.handshake.verifyRequesterAuthenticate({
        responderAccountSecret: h('responder_account_seed'), responderEphemeralSecret: h('responder_eph_sk'),
        requesterEphemeralPublic: h('requester_eph_pk'), message: msg3,
      });
      expect(toHex(requester)).toBe(toHex(h('requester_account_pk')));
      const msg4 = wesh.handshake.responderAccept({
        responderAccountSecret: h('responder_account_seed'), responderEphemeralSecret: h('responder_eph_sk'),
        requesterEphemeralPublic: h('requester_eph_pk'), requesterAccountPublic: h('requester_account_pk'),
      });
      expect(toHex(msg4)).toBe(toHex(h('msg4 (delimited)')));
      wesh.handshake.verifyResponderAccept({
        requesterAccountSecret: h('requester_account_seed'), requesterEphemeralSecret: h('requester_eph_sk'),
        responderEphemeralPublic: h('responder_eph_pk'), responderAccountPublic: h('responder_account_pk'), message: msg4,
      });
      const msg5 = wesh.handshake.requesterAcknowledge();
      expect(toHex(msg5)).toBe(toHex(h('msg5 (delimited)')));
      wesh.handshake.verifyRequesterAcknowledge(msg5);
    });

    it('the intermediate values: a.b, a.B, A.B, both box keys and both signatures', () => {
      const conv = provider.ed25519ToX25519;
      const ab = provider.boxBeforenm(h('requester_eph_sk'), h('responder_eph_pk'));
      expect(toHex(ab)).toBe(toHex(h('a.b')));
      expect(toHex(provider.boxBeforenm(h('responder_eph_sk'), h('requester_eph_pk')))).toBe(toHex(h('a.b')));
      const aB = provider.boxBeforenm(h('requester_eph_sk'), conv.publicKey(h('responder_account_pk')));
      expect(toHex(aB)).toBe(toHex(h('a.B')));
      expect(toHex(provider.boxBeforenm(conv.secretKey(h('responder_account_seed')), h('requester_eph_pk')))).toBe(toHex(h('a.B')));
      const AB = provider.boxBeforenm(conv.secretKey(h('requester_account_seed')), conv.publicKey(h('responder_account_pk')));
      expect(toHex(AB)).toBe(toHex(h('A.B')));
      expect(toHex(provider.hash('SHA-256', new Uint8Array([...ab, ...aB])))).toBe(toHex(h('key3')));
      expect(toHex(provider.hash('SHA-256', new Uint8Array([...ab, ...AB])))).toBe(toHex(h('key4')));
      expect(toHex(provider.signature('Ed25519').sign(h('requester_account_seed'), ab))).toBe(toHex(h('sig_A(a.b)')));
      expect(toHex(provider.signature('Ed25519').sign(h('responder_account_seed'), ab))).toBe(toHex(h('sig_B(a.b)')));
      const box3 = provider.secretbox(h('key3'));
      const nonce3 = new Uint8Array(24);
      nonce3[0] = 1;
      expect(toHex(box3.open(nonce3, h('msg3 (delimited)').subarray(3)))).toBe(toHex(h('RequesterAuthenticatePayload')));
      box3.dispose();
    });
  });
});
