// The XMTP profile of MLS (bindings/mls/xmtp/, ../shared/specs/mls.md §6), on both providers:
// HPKE-wrapped Welcomes to the init key and to the 0xff03 key, checked against @hpke/core with the
// info bytes built here from the spec; a 3-member group in which every message on the wire is a
// PrivateMessage; each forbidden proposal type refused 'forbidden-by-policy' with the group's saved
// bytes unchanged, sent and received; the member and installation limits; the XMTP extension ids
// kept through KeyPackages, leaf nodes, the GroupContext, Welcome, GroupContextExtensions and save/load.
import { Chacha20Poly1305 } from '@hpke/chacha20poly1305';
import { CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import { describe, expect, it } from 'vitest';
import { mls } from '../../bindings/index.js';
import type { CryptoProvider } from '../../bindings/index.js';
import { PRIVATE_MESSAGE, authenticateContent } from '../../bindings/mls/framing/content-auth.js';
import { toPrivateMessage } from '../../bindings/mls/framing/private-message.js';
import { createCommit } from '../../bindings/mls/group/create-commit.js';
import { stateOf } from '../../bindings/mls/group/group.js';
import { decodeMlsMessage, encodeMlsMessage } from '../../bindings/mls/messages/mls-message.js';
import { encodeKeyPackage } from '../../bindings/mls/messages/key-package.js';
import type { Proposal } from '../../bindings/mls/messages/proposal.js';
import { PskType } from '../../bindings/mls/psk.js';
import { xmtp } from '../../bindings/mls/xmtp/index.js';
import { forEachProvider } from '../helpers/providers.js';
import { toHex } from '../helpers/vectors.js';

const code = (c: string) => expect.objectContaining({ code: c });
const text = (s: string) => new TextEncoder().encode(s);
const buf = (b: Uint8Array): ArrayBuffer => b.slice().buffer;
const wireFormatOf = (bytes: Uint8Array) => decodeMlsMessage(bytes).kind;
const keyPackageOf = (bytes: Uint8Array) => {
  const m = decodeMlsMessage(bytes);
  if (m.kind !== 'mls_key_package') throw new Error('not a KeyPackage');
  return m.keyPackage;
};

/** info = EncryptContext{label: "MLS 1.0 MLS_WELCOME", context: ""}, built from the spec (§6.2): varint 19, the label, varint 0. */
const SPEC_INFO = Uint8Array.from([0x13, ...text('MLS 1.0 MLS_WELCOME'), 0x00]);

/** An MLS varint-prefixed opaque<V> (RFC 9420 §2.1.2), written and read here independently of bindings/codec. */
function vec(b: Uint8Array): Uint8Array {
  const n = b.length;
  const prefix = n < 64 ? [n] : n < 16384 ? [0x40 | (n >> 8), n & 0xff] : [0x80 | (n >>> 24), (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  return Uint8Array.from([...prefix, ...b]);
}
function readVec(b: Uint8Array, at: number): [Uint8Array, number] {
  const top = b[at]! >> 6;
  const size = 1 << top;
  let n = b[at]! & 0x3f;
  for (let i = 1; i < size; i++) n = n * 256 + b[at + i]!;
  return [b.subarray(at + size, at + size + n), at + size + n];
}

const hpkeCore = () => new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Chacha20Poly1305() });

/** A group of the profile: Alice, then Bob and Carol (Carol with a 0xff03 key) added by one Commit and joined from wrapped Welcomes. */
function threeMembers(provider: CryptoProvider, limits?: { maxMembers?: number; maxInstallations?: number }) {
  const alice = xmtp.createGroup({ identity: text('alice'), provider, ...(limits !== undefined ? { limits } : {}) });
  const bobKp = xmtp.createKeyPackage({ identity: text('bob'), provider });
  const carolKp = xmtp.createKeyPackage({ identity: text('carol'), provider, welcomeWrapperKey: true });
  const added = alice.commit({ add: [bobKp.keyPackage, carolKp.keyPackage] });
  alice.applyPendingCommit();
  const bob = xmtp.joinGroup(xmtp.wrapWelcome(added.welcome!, bobKp.keyPackage, { provider }), bobKp, limits !== undefined ? { limits } : {}).group;
  const carol = xmtp.joinGroup(xmtp.wrapWelcome(added.welcome!, carolKp.keyPackage, { provider }), carolKp, limits !== undefined ? { limits } : {}).group;
  return { alice, bob, carol, added };
}

/** A member's proposal as a PrivateMessage, of any kind (the group API makes only the allowed ones). */
function privateProposal(group: mls.Group, proposal: Proposal): Uint8Array {
  const state = stateOf(group);
  const authenticated = authenticateContent(state.suite, { groupContext: state.groupContext, signatureKey: state.signaturePrivateKey }, PRIVATE_MESSAGE, {
    groupId: state.groupId, epoch: state.epoch, sender: { kind: 'member', leafIndex: state.leafIndex },
    authenticatedData: new Uint8Array(0), body: { kind: 'proposal', proposal },
  });
  return encodeMlsMessage({
    kind: 'mls_private_message',
    privateMessage: toPrivateMessage(state.suite, { secretTree: state.secretTree, senderDataSecret: state.epochSecrets.senderDataSecret }, authenticated),
  });
}

forEachProvider((provider) => {
  describe('XMTP profile', () => {
    it('wraps a Welcome to the init key, or to the 0xff03 key when the KeyPackage has one, and unwraps it', () => {
      const alice = xmtp.createGroup({ identity: text('alice'), provider });
      const bob = xmtp.createKeyPackage({ identity: text('bob'), provider });
      const carol = xmtp.createKeyPackage({ identity: text('carol'), provider, welcomeWrapperKey: true });
      const { welcome } = alice.commit({ add: [bob.keyPackage, carol.keyPackage] });
      alice.applyPendingCommit();
      const metadata = text('cursor 42');

      const toBob = xmtp.wrapWelcome(welcome!, bob.keyPackage, { provider, metadata });
      expect(toHex(toBob.recipientKey)).toBe(toHex(keyPackageOf(bob.keyPackage).initKey));
      expect(toBob.algorithm).toBe('curve25519');
      expect(xmtp.unwrapWelcome(toBob, bob)).toEqual({ welcome, metadata });
      // the receiver's rule alone (no recipientKey) finds the same key; without metadata there is none
      expect(xmtp.unwrapWelcome({ data: xmtp.wrapWelcome(welcome!, bob.keyPackage, { provider }).data }, bob)).toEqual({ welcome });

      const toCarol = xmtp.wrapWelcome(welcome!, carol.keyPackage, { provider, metadata });
      const carolWrapperKey = provider.dh('X25519').publicKey(carol.wrapperPrivateKey!);
      expect(toHex(toCarol.recipientKey)).toBe(toHex(carolWrapperKey));
      expect(toHex(toCarol.recipientKey)).not.toBe(toHex(keyPackageOf(carol.keyPackage).initKey));
      expect(xmtp.unwrapWelcome(toCarol, carol)).toEqual({ welcome, metadata });
      expect(xmtp.unwrapWelcome({ data: toCarol.data }, carol).welcome).toEqual(welcome);
      // Carol's init key does not open it, and without the wrapper key she cannot
      const initOnly = { secrets: carol.secrets };
      expect(() => xmtp.unwrapWelcome(toCarol, initOnly)).toThrow(code('missing-wrapper-key'));
      expect(() => xmtp.unwrapWelcome({ ...toCarol, recipientKey: keyPackageOf(carol.keyPackage).initKey }, carol)).toThrow(code('welcome-decryption-failed'));
      const joined = xmtp.joinGroup(toCarol, carol);
      expect(joined.metadata).toEqual(metadata);
      expect(toHex(joined.group.epochAuthenticator)).toBe(toHex(alice.epochAuthenticator));

      // Wrong recipient, tampering, a KeyPackage the Welcome is not for, a forged KeyPackage
      expect(() => xmtp.unwrapWelcome(toBob, carol)).toThrow(code('wrong-recipient'));
      expect(() => xmtp.unwrapWelcome({ data: toBob.data }, { secrets: xmtp.createKeyPackage({ identity: text('eve'), provider }).secrets })).toThrow(code('welcome-decryption-failed'));
      const tampered = toBob.data.slice();
      tampered[tampered.length - 1]! ^= 1;
      expect(() => xmtp.unwrapWelcome({ ...toBob, data: tampered }, bob)).toThrow(code('welcome-decryption-failed'));
      expect(() => xmtp.unwrapWelcome({ ...toBob, data: toBob.data.subarray(0, 20) }, bob)).toThrow(code('malformed-message'));
      const badMetadata = toBob.welcomeMetadata!.slice();
      badMetadata[0]! ^= 1;
      expect(() => xmtp.unwrapWelcome({ ...toBob, welcomeMetadata: badMetadata }, bob)).toThrow(code('welcome-decryption-failed'));
      const stranger = xmtp.createKeyPackage({ identity: text('dave'), provider });
      expect(() => xmtp.wrapWelcome(welcome!, stranger.keyPackage, { provider })).toThrow(code('not-a-recipient'));
      const forged = bob.keyPackage.slice();
      forged[forged.length - 1]! ^= 1;
      expect(() => xmtp.wrapWelcome(welcome!, forged, { provider })).toThrow(code('invalid-signature'));
      expect(() => xmtp.wrapWelcome(bob.keyPackage, bob.keyPackage, { provider })).toThrow(code('not-a-welcome'));
      // the bare KeyPackage works as well as the MLSMessage
      expect(xmtp.unwrapWelcome(xmtp.wrapWelcome(welcome!, encodeKeyPackage(keyPackageOf(bob.keyPackage)), { provider }), bob).welcome).toEqual(welcome);
    });

    it('the wrapping is HPKE base mode X25519 / HKDF-SHA256 / ChaCha20Poly1305 with the spec info bytes: @hpke/core opens it and seals one we open', async () => {
      expect(toHex(SPEC_INFO)).toBe('134d4c5320312e30204d4c535f57454c434f4d4500'); // as printed in the spec, §6.2
      expect(toHex(xmtp.WELCOME_WRAP_INFO)).toBe(toHex(SPEC_INFO));
      const theirs = hpkeCore();
      const alice = xmtp.createGroup({ identity: text('alice'), provider });
      const bob = xmtp.createKeyPackage({ identity: text('bob'), provider });
      const carol = xmtp.createKeyPackage({ identity: text('carol'), provider, welcomeWrapperKey: true });
      const { welcome } = alice.commit({ add: [bob.keyPackage, carol.keyPackage] });
      const metadata = text('WelcomeMetadata{message_cursor}');

      // wirecrypt → @hpke/core, to Carol's 0xff03 key: data = kem_output<V> ‖ ciphertext<V>, metadata = the seal of sequence 1
      const wrapped = xmtp.wrapWelcome(welcome!, carol.keyPackage, { provider, metadata });
      const [enc, next] = readVec(wrapped.data, 0);
      const [ciphertext, end] = readVec(wrapped.data, next);
      expect(end).toBe(wrapped.data.length);
      expect(enc.length).toBe(32);
      const recipientKey = await theirs.kem.importKey('raw', buf(carol.wrapperPrivateKey!), false);
      const opener = await theirs.createRecipientContext({ recipientKey, enc: buf(enc), info: buf(SPEC_INFO) });
      expect(toHex(new Uint8Array(await opener.open(buf(ciphertext), new ArrayBuffer(0))))).toBe(toHex(welcome!));
      expect(toHex(new Uint8Array(await opener.open(buf(wrapped.welcomeMetadata!), new ArrayBuffer(0))))).toBe(toHex(metadata));
      // with any other info the same ciphertext does not open
      const wrongInfo = await theirs.createRecipientContext({ recipientKey, enc: buf(enc), info: buf(text('MLS 1.0 MLS_WELCOME')) });
      await expect(wrongInfo.open(buf(ciphertext), new ArrayBuffer(0))).rejects.toThrow();

      // @hpke/core → wirecrypt, to Bob's init key
      const sender = await theirs.createSenderContext({
        recipientPublicKey: await theirs.kem.importKey('raw', buf(keyPackageOf(bob.keyPackage).initKey), true), info: buf(SPEC_INFO),
      });
      const sealed = new Uint8Array(await sender.seal(buf(welcome!), new ArrayBuffer(0)));
      const sealedMetadata = new Uint8Array(await sender.seal(buf(metadata), new ArrayBuffer(0)));
      const data = Uint8Array.from([...vec(new Uint8Array(sender.enc)), ...vec(sealed)]);
      expect(xmtp.unwrapWelcome({ data, welcomeMetadata: sealedMetadata }, bob)).toEqual({ welcome, metadata });

      // 0xff03's data is protobuf WelcomeWrapperEncryption{bytes pub_key = 1; algorithm = 2 (CURVE25519 = 1)}, built here by hand
      const ext = keyPackageOf(carol.keyPackage).extensions.find((e) => e.type === 0xff03)!;
      const pub = provider.dh('X25519').publicKey(carol.wrapperPrivateKey!);
      expect(toHex(ext.data)).toBe(toHex(Uint8Array.from([0x0a, 0x20, ...pub, 0x10, 0x01])));
      expect(xmtp.decodeWelcomeWrapperEncryption(Uint8Array.from([0x10, 0x01, 0x1a, 0x00, 0x0a, 0x02, 7, 8]))).toEqual({ publicKey: Uint8Array.of(7, 8), algorithm: 1 });
      expect(() => xmtp.decodeWelcomeWrapperEncryption(Uint8Array.of(0x0a, 0x05, 1))).toThrow(code('invalid-extension'));
    });

    it('a 3-member group: every commit, proposal and application message on the wire is a PrivateMessage', () => {
      const { alice, bob, carol, added } = threeMembers(provider);
      expect(wireFormatOf(added.commit)).toBe('mls_private_message');
      const all = [alice, bob, carol];
      const agree = () => {
        for (const g of all) expect(toHex(g.epochAuthenticator)).toBe(toHex(alice.epochAuthenticator));
      };
      agree();
      expect(alice.cipherSuite).toBe(3);

      const update = bob.commit({ update: true });
      expect(wireFormatOf(update.commit)).toBe('mls_private_message');
      bob.applyPendingCommit();
      for (const g of [alice, carol]) expect(g.process(update.commit)).toMatchObject({ kind: 'commit', sender: { kind: 'member', leafIndex: 1 } });
      agree();

      const proposal = carol.propose({ update: true });
      expect(wireFormatOf(proposal)).toBe('mls_private_message');
      for (const g of [alice, bob]) expect(g.process(proposal).kind).toBe('proposal');
      const dave = xmtp.createKeyPackage({ identity: text('dave'), provider });
      const withDave = alice.commit({ add: [dave.keyPackage], remove: [1] });
      expect(wireFormatOf(withDave.commit)).toBe('mls_private_message');
      alice.applyPendingCommit();
      expect(carol.process(withDave.commit)).toMatchObject({ kind: 'commit', added: [1], removed: [1], updated: [2] });
      expect(() => bob.process(withDave.commit)).toThrow(code('removed-from-group'));
      const d = xmtp.joinGroup(xmtp.wrapWelcome(withDave.welcome!, dave.keyPackage, { provider }), dave).group;
      expect(toHex(d.epochAuthenticator)).toBe(toHex(alice.epochAuthenticator));

      const message = d.encrypt(text('gm'));
      expect(wireFormatOf(message)).toBe('mls_private_message');
      for (const g of [alice, carol]) expect(g.process(message)).toMatchObject({ kind: 'application', plaintext: text('gm') });

      // asking for a PublicMessage is refused before anything is made
      const saved = toHex(alice.save());
      expect(() => alice.commit({ update: true, wireFormat: 'public' })).toThrow(code('forbidden-by-policy'));
      expect(() => alice.propose({ update: true }, 'public')).toThrow(code('forbidden-by-policy'));
      expect(toHex(alice.save())).toBe(saved);
      // and a PublicMessage handshake from a member without the policy is refused, the receiver unchanged
      const rogue = mls.loadGroup(alice.save(), { provider });
      const publicCommit = rogue.commit({ update: true });
      expect(wireFormatOf(publicCommit.commit)).toBe('mls_public_message');
      const publicProposal = rogue.propose({ remove: 2 });
      for (const bytes of [publicCommit.commit, publicProposal]) {
        const before = toHex(carol.save());
        expect(() => carol.process(bytes)).toThrow(code('forbidden-by-policy'));
        expect(toHex(carol.save())).toBe(before);
      }
    });

    it('PreSharedKey, ReInit, ExternalInit and custom proposals are refused, sent or received, and the group is unchanged', () => {
      const psk = { id: text('psk'), secret: provider.randomBytes(32) };
      const { alice, bob } = threeMembers(provider);
      const unchanged = (group: mls.Group, act: () => unknown) => {
        const before = toHex(group.save());
        expect(act).toThrow(code('forbidden-by-policy'));
        expect(toHex(group.save())).toBe(before);
      };

      // Alice, with the policy, makes none of them
      unchanged(alice, () => alice.commit({ psks: [psk] }));
      unchanged(alice, () => alice.commit({ reinit: {} }));
      unchanged(alice, () => alice.propose({ psk: psk.id }));

      // A member without the policy (Alice's state loaded without it) sends them; Bob refuses each
      const rogue = mls.loadGroup(alice.save(), { provider, psks: [psk] });
      const state = stateOf(rogue);
      const forbidden: Proposal[] = [
        { kind: 'psk', psk: { type: PskType.external, pskId: psk.id, nonce: provider.randomBytes(32) } },
        { kind: 'reinit', groupId: provider.randomBytes(32), version: 1, cipherSuite: 3, extensions: [] },
        { kind: 'external_init', kemOutput: provider.dh('X25519').generateKeyPair().publicKey },
        { kind: 'unknown', proposalType: 0xf0f0, data: text('custom') },
      ];
      for (const proposal of forbidden) {
        unchanged(bob, () => bob.process(privateProposal(rogue, proposal)));
        const commit = createCommit(state, { byValue: [proposal], wireFormat: 'private', path: true, unvalidated: true, psks: [psk] });
        expect(wireFormatOf(encodeMlsMessage(commit.message))).toBe('mls_private_message');
        unchanged(bob, () => bob.process(encodeMlsMessage(commit.message)));
      }
      // the same through the group API of the member without the policy
      unchanged(bob, () => bob.process(rogue.commit({ psks: [psk], wireFormat: 'private' }).commit));
      rogue.discardPendingCommit();
      unchanged(bob, () => bob.process(rogue.commit({ reinit: {}, wireFormat: 'private' }).commit));
      rogue.discardPendingCommit();
      unchanged(bob, () => bob.process(rogue.propose({ psk: psk.id }, 'private')));

      // Bob goes on with Alice's genuine messages (nothing was spent by the refusals)
      expect(bob.process(alice.encrypt(text('still here')))).toMatchObject({ kind: 'application', plaintext: text('still here') });
      const genuine = alice.commit({ update: true });
      alice.applyPendingCommit();
      expect(bob.process(genuine.commit).kind).toBe('commit');
      expect(toHex(bob.epochAuthenticator)).toBe(toHex(alice.epochAuthenticator));
    });

    it('member and installation limits are enforced, sending and receiving; a group may still shrink', () => {
      const limits = { maxMembers: 2, maxInstallations: 2 };
      const alice = xmtp.createGroup({ identity: text('alice'), provider, limits });
      const kp = (name: string) => xmtp.createKeyPackage({ identity: text(name), provider });
      const bobKp = kp('bob');
      const aliceTablet = kp('alice');
      const added = alice.commit({ add: [bobKp.keyPackage, aliceTablet.keyPackage] }); // 2 members, Alice with 2 installations
      alice.applyPendingCommit();
      const bob = xmtp.joinGroup(xmtp.wrapWelcome(added.welcome!, bobKp.keyPackage, { provider }), bobKp, { limits }).group;
      expect(alice.members).toEqual([0, 1, 2]);

      const saved = toHex(alice.save());
      expect(() => alice.commit({ add: [kp('carol').keyPackage] })).toThrow(code('forbidden-by-policy')); // a 3rd member
      expect(() => alice.commit({ add: [kp('alice').keyPackage] })).toThrow(code('forbidden-by-policy')); // a 3rd installation
      expect(() => alice.commit({ add: [kp('bob').keyPackage, kp('bob').keyPackage] })).toThrow(code('forbidden-by-policy'));
      expect(() => alice.propose({ add: kp('carol').keyPackage })).toThrow(code('forbidden-by-policy'));
      expect(toHex(alice.save())).toBe(saved);

      // received from a member without the limits: refused, as a Commit and as a proposal
      const rogue = mls.loadGroup(alice.save(), { provider });
      const before = toHex(bob.save());
      expect(() => bob.process(rogue.commit({ add: [kp('carol').keyPackage], wireFormat: 'private' }).commit)).toThrow(code('forbidden-by-policy'));
      rogue.discardPendingCommit();
      expect(() => bob.process(rogue.propose({ add: kp('alice').keyPackage }, 'private'))).toThrow(code('forbidden-by-policy'));
      expect(toHex(bob.save())).toBe(before);

      // within the limits: Bob's second installation
      const bobPhone = kp('bob');
      const ok = alice.commit({ add: [bobPhone.keyPackage] });
      alice.applyPendingCommit();
      expect(bob.process(ok.commit)).toMatchObject({ kind: 'commit', added: [3] });

      // a group above lowered limits may shrink: Bob reloaded with maxMembers 1 takes a Remove
      const strict = xmtp.loadGroup(bob.save(), { provider, limits: { maxMembers: 1, maxInstallations: 1 } });
      const remove = alice.commit({ remove: [2] });
      alice.applyPendingCommit();
      expect(strict.process(remove.commit)).toMatchObject({ kind: 'commit', removed: [2] });
      expect(() => xmtp.policy({ maxMembers: 0 })).toThrow(RangeError);
    });

    it('XMTP extension ids survive KeyPackages, leaf nodes, the GroupContext, Welcome, GroupContextExtensions and save/load', () => {
      const metadata = (type: number, s: string) => ({ type, data: text(s) });
      const groupExtensions = [
        metadata(0xff00, 'mutable metadata v1'), metadata(0xff01, 'membership'), metadata(0xff02, 'permissions'), metadata(0xf000, 'immutable'),
      ];
      const leaf = [metadata(0x0006, 'app data')];
      const alice = xmtp.createGroup({ identity: text('alice'), applicationId: text('inbox-alice'), leafExtensions: leaf, provider, extensions: groupExtensions });
      const bobKp = xmtp.createKeyPackage({ identity: text('bob'), applicationId: text('inbox-bob'), lastResort: true, welcomeWrapperKey: true, provider });

      // the KeyPackage: its extensions, its leaf's capabilities and extensions, byte for byte
      const kp = keyPackageOf(bobKp.keyPackage);
      expect(kp.cipherSuite).toBe(3);
      expect(kp.extensions.map((e) => e.type)).toEqual([0xff03, 0x000a]);
      expect(kp.leafNode.capabilities.extensions).toEqual(expect.arrayContaining([0xff00, 0xff01, 0xff02, 0xff03, 0xff04, 0xf000, 0x000a, 0x0001, 0x0006]));
      expect(kp.leafNode.capabilities.proposals).toEqual([7]);
      expect(kp.leafNode.extensions).toEqual([{ type: 1, data: vec(text('inbox-bob')) }]);
      expect(toHex(encodeMlsMessage({ kind: 'mls_key_package', keyPackage: kp }))).toBe(toHex(bobKp.keyPackage));

      // a KeyPackage without the XMTP capabilities does not meet the group's required_capabilities
      const plain = mls.createKeyPackage({ suite: 3, identity: text('plain'), provider });
      expect(() => alice.commit({ add: [plain.keyPackage] })).toThrow(code('invalid-leaf-node'));

      const added = alice.commit({ add: [bobKp.keyPackage] });
      alice.applyPendingCommit();
      const bob = xmtp.joinGroup(xmtp.wrapWelcome(added.welcome!, bobKp.keyPackage, { provider }), bobKp).group;
      const contextExtensions = (g: mls.Group) => stateOf(g).groupContext.extensions.map((e) => [e.type, toHex(e.data)]);
      expect(contextExtensions(bob)).toEqual(contextExtensions(alice));
      expect(contextExtensions(bob).map(([t]) => t)).toEqual([3, 0xff00, 0xff01, 0xff02, 0xf000]);
      expect(stateOf(bob).tree.leaf(0)!.extensions.map((e) => e.type)).toEqual([1, 0x0006]);
      expect(stateOf(bob).tree.leaf(1)!.extensions).toEqual(kp.leafNode.extensions);

      // a path update keeps the leaf's extensions; GroupContextExtensions carries new XMTP metadata to everyone
      const update = alice.commit({ update: true });
      alice.applyPendingCommit();
      bob.process(update.commit);
      expect(stateOf(bob).tree.leaf(0)!.extensions.map((e) => [e.type, toHex(e.data)])).toEqual([[1, toHex(vec(text('inbox-alice')))], [6, toHex(text('app data'))]]);
      const next = [stateOf(alice).groupContext.extensions[0]!, metadata(0xff00, 'mutable metadata v2'), ...groupExtensions.slice(1)];
      const gce = bob.commit({ extensions: next });
      expect(wireFormatOf(gce.commit)).toBe('mls_private_message');
      bob.applyPendingCommit();
      expect(alice.process(gce.commit).kind).toBe('commit');
      expect(contextExtensions(alice)).toEqual(next.map((e) => [e.type, toHex(e.data)]));
      expect(contextExtensions(bob)).toEqual(contextExtensions(alice));
      const loaded = xmtp.loadGroup(alice.save(), { provider });
      expect(contextExtensions(loaded)).toEqual(contextExtensions(alice));
      expect(toHex(loaded.epochAuthenticator)).toBe(toHex(bob.epochAuthenticator));
    });
  });
});
