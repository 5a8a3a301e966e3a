// RFC 9420 §6 message protection against message-protection.json (suites 1–3), on both providers:
// the vector's PublicMessages (proposal, commit) and PrivateMessages (proposal, commit, application)
// unprotect to the vector's content; content protected here both ways unprotects again (and, with
// Ed25519's deterministic signatures, the PublicMessages come out byte for byte as the vector's).
// Then the refusals: a tampered membership tag, signature, ciphertext or sender data, the wrong
// group, epoch, keys or sender, bad padding, a replay — each a typed MlsError, and wherever the
// refusal comes before the sender's key is taken, the secret tree exactly as it was.
//
// The vectors' group (mlswg test-vectors.md, "Message Protection"): the sender is leaf 1 of a
// 2-member group, whose secret tree is built from encryption_secret over 2 leaves.
import { describe, expect, it } from 'vitest';
import { concat } from '../../bindings/bytes.js';
import type { CryptoProvider } from '../../bindings/index.js';
import { type CipherSuite, cipherSuite } from '../../bindings/mls/crypto/cipher-suite.js';
import { expandWithLabel } from '../../bindings/mls/crypto/labels.js';
import { MlsError } from '../../bindings/mls/errors.js';
import {
  authenticateContent, membershipTag, protectPrivate, protectPublic, toPrivateMessage, toPublicMessage, unprotect,
  unprotectPrivate, unprotectPublic,
} from '../../bindings/mls/framing/protect.js';
import type { GroupContext } from '../../bindings/mls/group-context.js';
import * as M from '../../bindings/mls/messages/index.js';
import { type RatchetType, SecretTree } from '../../bindings/mls/secret-tree.js';
import { forEachProvider } from '../helpers/providers.js';
import { hex, loadVectors, toHex } from '../helpers/vectors.js';
import { bySuite } from './suites.js';
import { codeOf } from './mls-error.js';

interface Vector {
  cipher_suite: number;
  group_id: string;
  epoch: number;
  tree_hash: string;
  confirmed_transcript_hash: string;
  signature_priv: string;
  signature_pub: string;
  encryption_secret: string;
  sender_data_secret: string;
  membership_key: string;
  proposal: string;
  proposal_priv: string;
  proposal_pub: string;
  commit: string;
  commit_priv: string;
  commit_pub: string;
  application: string;
  application_priv: string;
}

const SENDER = 1;
const N_LEAVES = 2;
const KINDS = ['proposal', 'commit', 'application'] as const;
type Kind = (typeof KINDS)[number];

const ALL = loadVectors<Vector[]>('mls/message-protection.json');

function flip(bytes: Uint8Array, at: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[at < 0 ? out.length + at : at] ^= 0x01;
  return out;
}

const bodyBytes = (body: M.FramedContentBody): Uint8Array =>
  body.kind === 'application' ? body.applicationData : body.kind === 'proposal' ? M.encodeProposal(body.proposal) : M.encodeCommit(body.commit);

function bodyOf(kind: Kind, bytes: Uint8Array): M.FramedContentBody {
  switch (kind) {
    case 'application': return { kind, applicationData: bytes };
    case 'proposal': return { kind, proposal: M.decodeProposal(bytes) };
    case 'commit': return { kind, commit: M.decodeCommit(bytes) };
  }
}

const ratchetOf = (kind: Kind): RatchetType => (kind === 'application' ? 'application' : 'handshake');

/** Everything one vector gives, ready to use. */
function setup(v: Vector, provider: CryptoProvider) {
  const suite = cipherSuite(v.cipher_suite, provider);
  const groupContext: GroupContext = {
    cipherSuite: v.cipher_suite, groupId: hex(v.group_id), epoch: BigInt(v.epoch), treeHash: hex(v.tree_hash),
    confirmedTranscriptHash: hex(v.confirmed_transcript_hash), extensions: [],
  };
  const signaturePub = hex(v.signature_pub);
  const signaturePublicKeyOf = (leaf: number) => (leaf === SENDER ? signaturePub : undefined);
  const membershipKey = hex(v.membership_key);
  const senderDataSecret = hex(v.sender_data_secret);
  const tree = () => new SecretTree(suite, hex(v.encryption_secret), N_LEAVES);
  const content = (kind: Kind, authenticatedData = new Uint8Array(0)): M.FramedContent => ({
    groupId: groupContext.groupId, epoch: groupContext.epoch, sender: { kind: 'member', leafIndex: SENDER }, authenticatedData,
    body: bodyOf(kind, hex(v[kind])),
  });
  const pub = (kind: 'proposal' | 'commit') => {
    const m = M.decodeMlsMessage(hex(v[`${kind}_pub`]));
    if (m.kind !== 'mls_public_message') throw new Error(`${kind}_pub is a ${m.kind}`);
    return m.publicMessage;
  };
  const priv = (kind: Kind) => {
    const m = M.decodeMlsMessage(hex(v[`${kind}_priv`]));
    if (m.kind !== 'mls_private_message') throw new Error(`${kind}_priv is a ${m.kind}`);
    return m.privateMessage;
  };
  const receiveParams = (secretTree: SecretTree) => ({ groupContext, secretTree, senderDataSecret, signaturePublicKeyOf });
  const publicParams = { groupContext, membershipKey, signaturePublicKeyOf };
  const signing = { groupContext, signatureKey: hex(v.signature_priv) };
  return { suite, groupContext, signaturePub, signaturePublicKeyOf, membershipKey, senderDataSecret, tree, content, pub, priv, receiveParams, publicParams, signing };
}

/** Everything a secret tree lets one observe: the held node secrets and every ratchet's state. */
function treeState(tree: SecretTree) {
  const ratchets: unknown[] = [];
  for (let leaf = 0; leaf < tree.nLeaves; leaf++) {
    for (const type of ['handshake', 'application'] as const) ratchets.push(tree.ratchetState(leaf, type));
  }
  return { nodes: tree.heldNodeSecrets(), ratchets };
}

/** An independent reading of a PrivateMessage's sender data (§6.3.2), straight from the primitives. */
function refSenderData(suite: CipherSuite, senderDataSecret: Uint8Array, m: M.PrivateMessage): M.SenderData {
  const sample = m.ciphertext.subarray(0, Math.min(suite.hashLength, m.ciphertext.length));
  const key = expandWithLabel(suite, senderDataSecret, 'key', sample, suite.keyLength);
  const nonce = expandWithLabel(suite, senderDataSecret, 'nonce', sample, suite.nonceLength);
  const aad = M.encodeSenderDataAad(m.groupId, m.epoch, m.contentType);
  return M.decodeSenderData(suite.provider.aead(suite.aead, key).open(nonce, m.encryptedSenderData, aad));
}

/**
 * An independent PrivateMessage encryptor (§6.3.1, §6.3.2) that takes the plaintext as given, so a
 * test can send what protectPrivate never would (non-zero padding).
 */
function refSealPrivate(
  suite: CipherSuite, sender: SecretTree, senderDataSecret: Uint8Array, content: M.FramedContent, plaintext: Uint8Array,
): M.PrivateMessage {
  const type = content.body.kind;
  const leafIndex = (content.sender as { leafIndex: number }).leafIndex;
  const k = sender.keyForSend(leafIndex, ratchetOf(type));
  const reuseGuard = suite.provider.randomBytes(4);
  const nonce = Uint8Array.from(k.nonce);
  for (let i = 0; i < 4; i++) nonce[i] ^= reuseGuard[i];
  const ciphertext = suite.provider.aead(suite.aead, k.key)
    .seal(nonce, plaintext, M.encodePrivateContentAad(content.groupId, content.epoch, type, content.authenticatedData));
  const sample = ciphertext.subarray(0, suite.hashLength);
  const sdKey = expandWithLabel(suite, senderDataSecret, 'key', sample, suite.keyLength);
  const sdNonce = expandWithLabel(suite, senderDataSecret, 'nonce', sample, suite.nonceLength);
  const encryptedSenderData = suite.provider.aead(suite.aead, sdKey)
    .seal(sdNonce, M.encodeSenderData({ leafIndex, generation: k.generation, reuseGuard }), M.encodeSenderDataAad(content.groupId, content.epoch, type));
  return { groupId: content.groupId, epoch: content.epoch, contentType: type, authenticatedData: content.authenticatedData, encryptedSenderData, ciphertext };
}

/** Through the wire: encoded as an MLSMessage and decoded again. */
function viaWire<T extends M.PublicMessage | M.PrivateMessage>(m: T, kind: 'mls_public_message' | 'mls_private_message'): T {
  const msg: M.MlsMessage = kind === 'mls_public_message'
    ? { kind, publicMessage: m as M.PublicMessage }
    : { kind, privateMessage: m as M.PrivateMessage };
  const back = M.decodeMlsMessage(M.encodeMlsMessage(msg));
  expect(back.kind).toBe(kind);
  return (back.kind === 'mls_public_message' ? back.publicMessage : back.kind === 'mls_private_message' ? back.privateMessage : undefined) as T;
}

function expectContent(got: M.AuthenticatedContent, kind: Kind, v: Vector, wireFormat: number, authenticatedData = ''): void {
  expect(got.wireFormat).toBe(wireFormat);
  expect(got.content.sender).toEqual({ kind: 'member', leafIndex: SENDER });
  expect(toHex(got.content.groupId)).toBe(v.group_id);
  expect(got.content.epoch).toBe(BigInt(v.epoch));
  expect(toHex(got.content.authenticatedData)).toBe(authenticatedData);
  expect(got.content.body.kind).toBe(kind);
  expect(toHex(bodyBytes(got.content.body)), `${kind} content`).toBe(v[kind]);
  expect(got.auth.confirmationTag !== undefined).toBe(kind === 'commit');
}

const PUBLIC = M.WireFormat.mls_public_message;
const PRIVATE = M.WireFormat.mls_private_message;

forEachProvider((provider) => {
  describe('message-protection.json', () => {
    const tally = bySuite('mls/message-protection.json', ALL, provider.name);
    for (const v of tally.vectors) {
      it(`suite ${v.cipher_suite}: the vector's messages unprotect; protected here, they unprotect again`, () => {
        const s = setup(v, provider);

        // The vector's PublicMessages (there is none for application data: it is never public).
        const confirmationTag = s.pub('commit').auth.confirmationTag!;
        for (const kind of ['proposal', 'commit'] as const) {
          expectContent(unprotectPublic(s.suite, s.publicParams, s.pub(kind)), kind, v, PUBLIC);
        }

        // The vector's PrivateMessages, each on a fresh receiving tree.
        for (const kind of KINDS) {
          const m = s.priv(kind);
          const { leafIndex, generation } = refSenderData(s.suite, s.senderDataSecret, m);
          expect(leafIndex, `${kind}_priv sender`).toBe(SENDER);
          const tree = s.tree();
          expectContent(unprotectPrivate(s.suite, s.receiveParams(tree), m), kind, v, PRIVATE);
          expect(tree.ratchetState(SENDER, ratchetOf(kind))).toEqual({
            nextGeneration: generation + 1, skippedGenerations: [...Array(generation).keys()],
          });
          // Through the MLSMessage dispatcher too (a second tree: the first has used the generation).
          const msg = M.decodeMlsMessage(hex(v[`${kind}_priv`]));
          expectContent(unprotect(s.suite, { ...s.publicParams, ...s.receiveParams(s.tree()) }, msg), kind, v, PRIVATE);
          tree.dispose();
        }

        // PublicMessages protected here. Ed25519 signs deterministically: the same bytes as the vector.
        for (const kind of ['proposal', 'commit'] as const) {
          const m = protectPublic(s.suite, {
            ...s.signing, membershipKey: s.membershipKey, content: s.content(kind), confirmationTag: kind === 'commit' ? confirmationTag : undefined,
          });
          const wire = M.encodeMlsMessage({ kind: 'mls_public_message', publicMessage: m });
          if (s.suite.signature === 'Ed25519') expect(toHex(wire), `${kind}_pub`).toBe(v[`${kind}_pub`]);
          expectContent(unprotectPublic(s.suite, s.publicParams, viaWire(m, 'mls_public_message')), kind, v, PUBLIC);
        }

        // PrivateMessages protected here, with and without padding, with authenticated data.
        const sender = s.tree();
        const receiver = s.tree();
        const expectedGeneration = { handshake: 0, application: 0 };
        for (const paddingLength of [0, 1, 37]) {
          for (const kind of KINDS) {
            const aad = new Uint8Array([paddingLength, 0xaa]);
            const m = protectPrivate(s.suite, {
              ...s.signing, secretTree: sender, senderDataSecret: s.senderDataSecret, content: s.content(kind, aad), paddingLength,
              confirmationTag: kind === 'commit' ? confirmationTag : undefined,
            });
            const sd = refSenderData(s.suite, s.senderDataSecret, m);
            expect(sd.leafIndex).toBe(SENDER);
            expect(sd.generation).toBe(expectedGeneration[ratchetOf(kind)]++);
            const got = unprotectPrivate(s.suite, s.receiveParams(receiver), viaWire(m, 'mls_private_message'));
            expectContent(got, kind, v, PRIVATE, toHex(aad));
            if (kind === 'commit') expect(toHex(got.auth.confirmationTag!)).toBe(toHex(confirmationTag));
          }
        }
        expect(treeState(receiver)).toEqual(treeState(sender));
        sender.dispose();
        receiver.dispose();
        tally.pass();
      });
    }
  });

  describe('message protection: details', () => {
    const vectors = ALL.filter((v) => v.cipher_suite >= 1 && v.cipher_suite <= 3);

    for (const v of vectors) {
      describe(`suite ${v.cipher_suite}`, () => {
        it('PrivateMessage ciphertexts differ for the same content (fresh reuse guard, next generation)', () => {
          const s = setup(v, provider);
          const sender = s.tree();
          const params = { ...s.signing, secretTree: sender, senderDataSecret: s.senderDataSecret, content: s.content('application') };
          const a = protectPrivate(s.suite, params);
          const b = protectPrivate(s.suite, params);
          expect(toHex(a.ciphertext)).not.toBe(toHex(b.ciphertext));
          expect(refSenderData(s.suite, s.senderDataSecret, b).generation).toBe(1);
          // Out of order: the receiver takes generation 1, then 0.
          const receiver = s.tree();
          for (const m of [b, a]) expectContent(unprotectPrivate(s.suite, s.receiveParams(receiver), m), 'application', v, PRIVATE);
          expect(receiver.ratchetState(SENDER, 'application')).toEqual({ nextGeneration: 2, skippedGenerations: [] });
        });

        it('a commit needs its confirmation tag, which may be computed from the signed content', () => {
          const s = setup(v, provider);
          const content = s.content('commit');
          expect(() => protectPublic(s.suite, { ...s.signing, membershipKey: s.membershipKey, content })).toThrow(TypeError);
          expect(() => protectPublic(s.suite, {
            ...s.signing, membershipKey: s.membershipKey, content: s.content('proposal'), confirmationTag: new Uint8Array(32),
          })).toThrow(TypeError);
          let seen: { wireFormat: number; signature: string } | undefined;
          const m = protectPublic(s.suite, {
            ...s.signing, membershipKey: s.membershipKey, content,
            confirmationTag: (signed) => {
              seen = { wireFormat: signed.wireFormat, signature: toHex(signed.signature) };
              return s.suite.provider.hash('SHA-256', signed.signature);
            },
          });
          expect(seen).toEqual({ wireFormat: PUBLIC, signature: toHex(m.auth.signature) });
          expect(toHex(m.auth.confirmationTag!)).toBe(toHex(s.suite.provider.hash('SHA-256', m.auth.signature)));
          expectContent(unprotectPublic(s.suite, s.publicParams, m), 'commit', v, PUBLIC);
        });

        it('misuse is a TypeError: application data as a PublicMessage, a non-member PrivateMessage, a foreign context', () => {
          const s = setup(v, provider);
          expect(() => protectPublic(s.suite, { ...s.signing, membershipKey: s.membershipKey, content: s.content('application') })).toThrow(TypeError);
          const external: M.FramedContent = { ...s.content('proposal'), sender: { kind: 'external', senderIndex: 0 } };
          expect(() => protectPrivate(s.suite, { ...s.signing, secretTree: s.tree(), senderDataSecret: s.senderDataSecret, content: external }))
            .toThrow(TypeError);
          const otherEpoch: GroupContext = { ...s.groupContext, epoch: s.groupContext.epoch + 1n };
          expect(() => protectPublic(s.suite, { ...s.signing, groupContext: otherEpoch, membershipKey: s.membershipKey, content: s.content('proposal') }))
            .toThrow(TypeError);
          // A member's PublicMessage needs the membership key; content signed for one wire format is not framed as the other.
          expect(() => protectPublic(s.suite, { ...s.signing, content: s.content('proposal') })).toThrow(TypeError);
          const signedPublic = authenticateContent(s.suite, s.signing, PUBLIC, s.content('proposal'));
          expect(() => toPrivateMessage(s.suite, { secretTree: s.tree(), senderDataSecret: s.senderDataSecret }, signedPublic)).toThrow(TypeError);
          const signedPrivate = authenticateContent(s.suite, s.signing, PRIVATE, s.content('proposal'));
          expect(() => toPublicMessage(s.suite, { groupContext: s.groupContext, membershipKey: s.membershipKey }, signedPrivate)).toThrow(TypeError);
          expect(() => protectPrivate(s.suite, {
            ...s.signing, secretTree: s.tree(), senderDataSecret: s.senderDataSecret, content: s.content('proposal'), paddingLength: -1,
          })).toThrow(RangeError);
        });

        it('a non-member (external) sender: no membership tag, no group context in the signature, its key from the resolver', () => {
          const s = setup(v, provider);
          const content: M.FramedContent = { ...s.content('proposal'), sender: { kind: 'external', senderIndex: 3 } };
          const m = viaWire(protectPublic(s.suite, { ...s.signing, content }), 'mls_public_message');
          expect(m.membershipTag).toBeUndefined();
          expect(codeOf(() => unprotectPublic(s.suite, s.publicParams, m))).toBe('unknown-sender');
          const resolved: unknown[] = [];
          const got = unprotectPublic(s.suite, {
            ...s.publicParams,
            nonMemberSignaturePublicKey: (sender) => {
              resolved.push(sender);
              return s.signaturePub;
            },
          }, m);
          expect(resolved).toEqual([{ kind: 'external', senderIndex: 3 }]);
          expect(toHex(bodyBytes(got.content.body))).toBe(v.proposal);
          // The signature does not cover the group context, so it verifies under any context of the same group and epoch.
          const otherTree = { ...s.groupContext, treeHash: new Uint8Array(32) };
          expect(unprotectPublic(s.suite, { ...s.publicParams, groupContext: otherTree, nonMemberSignaturePublicKey: () => s.signaturePub }, m).content.sender)
            .toEqual({ kind: 'external', senderIndex: 3 });
        });

        describe('PublicMessage refusals', () => {
          it('tampered membership tag, content or key: invalid-membership-tag', () => {
            const s = setup(v, provider);
            for (const kind of ['proposal', 'commit'] as const) {
              const m = s.pub(kind);
              const tag = m.membershipTag!;
              for (const bad of [flip(tag, 0), flip(tag, -1), tag.subarray(0, 31), concat(tag, new Uint8Array(1)), new Uint8Array(0)]) {
                expect(codeOf(() => unprotectPublic(s.suite, s.publicParams, { ...m, membershipTag: bad }))).toBe('invalid-membership-tag');
              }
              expect(codeOf(() => unprotectPublic(s.suite, s.publicParams, { ...m, membershipTag: undefined }))).toBe('invalid-membership-tag');
              const tamperedContent = { ...m, content: { ...m.content, authenticatedData: new Uint8Array([1]) } };
              expect(codeOf(() => unprotectPublic(s.suite, s.publicParams, tamperedContent))).toBe('invalid-membership-tag');
              expect(codeOf(() => unprotectPublic(s.suite, { ...s.publicParams, membershipKey: flip(s.membershipKey, 5) }, m))).toBe('invalid-membership-tag');
              // The tag covers the GroupContext: another tree hash or transcript is another group state.
              const otherContext = { ...s.groupContext, confirmedTranscriptHash: flip(s.groupContext.confirmedTranscriptHash, 0) };
              expect(codeOf(() => unprotectPublic(s.suite, { ...s.publicParams, groupContext: otherContext }, m))).toBe('invalid-membership-tag');
              // The tag covers the auth data too, confirmation tag included.
              if (kind === 'commit') {
                const badConfirmation = { ...m, auth: { ...m.auth, confirmationTag: flip(m.auth.confirmationTag!, 3) } };
                expect(codeOf(() => unprotectPublic(s.suite, s.publicParams, badConfirmation))).toBe('invalid-membership-tag');
              }
            }
          });

          it('tampered or foreign signature under a valid membership tag: invalid-signature', () => {
            const s = setup(v, provider);
            for (const kind of ['proposal', 'commit'] as const) {
              const m = s.pub(kind);
              for (const at of [0, 10, -1]) {
                const auth = { ...m.auth, signature: flip(m.auth.signature, at) };
                const retagged = toPublicMessage(s.suite, { groupContext: s.groupContext, membershipKey: s.membershipKey }, { wireFormat: PUBLIC, content: m.content, auth });
                expect(toHex(retagged.membershipTag!)).toBe(toHex(membershipTag(s.suite, s.membershipKey, s.groupContext, { wireFormat: PUBLIC, content: m.content, auth })));
                expect(codeOf(() => unprotectPublic(s.suite, s.publicParams, retagged))).toBe('invalid-signature');
              }
              // Signed by someone else's key.
              const other = s.suite.provider.signature(s.suite.signature).generateKeyPair();
              const forged = protectPublic(s.suite, {
                ...s.signing, signatureKey: other.secretKey, membershipKey: s.membershipKey, content: s.content(kind),
                confirmationTag: m.auth.confirmationTag,
              });
              expect(codeOf(() => unprotectPublic(s.suite, s.publicParams, forged))).toBe('invalid-signature');
              // A signature made for a PrivateMessage (another wire format in the TBS) does not verify here.
              const signedPrivate = authenticateContent(s.suite, { ...s.signing, confirmationTag: m.auth.confirmationTag }, PRIVATE, m.content);
              const moved = toPublicMessage(s.suite, { groupContext: s.groupContext, membershipKey: s.membershipKey }, { ...signedPrivate, wireFormat: PUBLIC });
              expect(codeOf(() => unprotectPublic(s.suite, s.publicParams, moved))).toBe('invalid-signature');
            }
          });

          it('wrong group, wrong epoch, unknown sender, application data', () => {
            const s = setup(v, provider);
            const m = s.pub('proposal');
            expect(codeOf(() => unprotectPublic(s.suite, { ...s.publicParams, groupContext: { ...s.groupContext, epoch: s.groupContext.epoch + 1n } }, m)))
              .toBe('wrong-epoch');
            expect(codeOf(() => unprotectPublic(s.suite, { ...s.publicParams, groupContext: { ...s.groupContext, groupId: flip(s.groupContext.groupId, 0) } }, m)))
              .toBe('wrong-group');
            expect(codeOf(() => unprotectPublic(s.suite, { ...s.publicParams, signaturePublicKeyOf: () => undefined }, m))).toBe('unknown-sender');
            const moved = { ...m, content: { ...m.content, sender: { kind: 'member' as const, leafIndex: 0 } } };
            expect(codeOf(() => unprotectPublic(s.suite, s.publicParams, moved))).toBe('unknown-sender');
            // Someone else's key for the sender: the tag verifies, the signature does not.
            const wrongKey = s.suite.provider.signature(s.suite.signature).generateKeyPair().publicKey;
            expect(codeOf(() => unprotectPublic(s.suite, { ...s.publicParams, signaturePublicKeyOf: () => wrongKey }, m))).toBe('invalid-signature');
            // Application data in a PublicMessage (built by hand: protectPublic refuses to make one).
            const app: M.PublicMessage = { ...m, content: { ...m.content, body: { kind: 'application', applicationData: hex(v.application) } } };
            const decoded = M.decodeMlsMessage(M.encodeMlsMessage({ kind: 'mls_public_message', publicMessage: app }));
            expect(codeOf(() => unprotect(s.suite, { ...s.publicParams, ...s.receiveParams(s.tree()) }, decoded))).toBe('application-in-public-message');
          });
        });

        describe('PrivateMessage refusals', () => {
          /** A receiver that has already taken the first vector message, so its state is not the initial one. */
          function receiverWithHistory(s: ReturnType<typeof setup>) {
            const tree = s.tree();
            unprotectPrivate(s.suite, s.receiveParams(tree), s.priv('application'));
            return tree;
          }

          /** Runs `f` on a receiver and checks the typed refusal and that the tree did not change. */
          function refusedUnchanged(s: ReturnType<typeof setup>, code: string, f: (tree: SecretTree) => unknown, what = code) {
            const tree = receiverWithHistory(s);
            const before = treeState(tree);
            expect(codeOf(() => f(tree)), what).toBe(code);
            expect(treeState(tree), what).toEqual(before);
            return tree;
          }

          it('tampered sender data, ciphertext sample or header; wrong sender-data secret: decryption-failed, tree unchanged, the genuine message still opens', () => {
            const s = setup(v, provider);
            for (const kind of KINDS) {
              const m = s.priv(kind);
              const cases: Array<[string, M.PrivateMessage, Uint8Array?]> = [
                ['encrypted_sender_data, first byte', { ...m, encryptedSenderData: flip(m.encryptedSenderData, 0) }],
                ['encrypted_sender_data, tag', { ...m, encryptedSenderData: flip(m.encryptedSenderData, -1) }],
                ['encrypted_sender_data truncated', { ...m, encryptedSenderData: m.encryptedSenderData.subarray(0, 10) }],
                ['ciphertext inside the sample', { ...m, ciphertext: flip(m.ciphertext, 0) }],
                ['ciphertext, last sample byte', { ...m, ciphertext: flip(m.ciphertext, s.suite.hashLength - 1) }],
                ['content_type', { ...m, contentType: kind === 'commit' ? 'proposal' : 'commit' }],
                ['sender_data_secret', m, flip(s.senderDataSecret, 7)],
              ];
              for (const [what, bad, secret] of cases) {
                const tree = refusedUnchanged(s, 'decryption-failed', (t) =>
                  unprotectPrivate(s.suite, { ...s.receiveParams(t), senderDataSecret: secret ?? s.senderDataSecret }, bad), `${kind}: ${what}`);
                // The genuine message still opens (the application one was taken by receiverWithHistory).
                if (kind !== 'application') expectContent(unprotectPrivate(s.suite, s.receiveParams(tree), m), kind, v, PRIVATE);
                tree.dispose();
              }
            }
          });

          it('wrong group, wrong epoch, unknown sender, replay: typed, tree unchanged', () => {
            const s = setup(v, provider);
            const m = s.priv('proposal');
            refusedUnchanged(s, 'wrong-epoch', (t) =>
              unprotectPrivate(s.suite, { ...s.receiveParams(t), groupContext: { ...s.groupContext, epoch: s.groupContext.epoch - 1n } }, m));
            refusedUnchanged(s, 'wrong-epoch', (t) => unprotectPrivate(s.suite, s.receiveParams(t), { ...m, epoch: m.epoch + 1n }));
            refusedUnchanged(s, 'wrong-group', (t) => unprotectPrivate(s.suite, s.receiveParams(t), { ...m, groupId: flip(m.groupId, 3) }));
            refusedUnchanged(s, 'unknown-sender', (t) => unprotectPrivate(s.suite, { ...s.receiveParams(t), signaturePublicKeyOf: () => undefined }, m));
            // Replay: the application message was taken by receiverWithHistory already.
            refusedUnchanged(s, 'generation-reused', (t) => unprotectPrivate(s.suite, s.receiveParams(t), s.priv('application')));
          });

          it('sender data naming a leaf outside the tree: unknown-sender before the tree is asked', () => {
            const s = setup(v, provider);
            const sender = new SecretTree(s.suite, hex(v.encryption_secret), 4);
            const content: M.FramedContent = { ...s.content('application'), sender: { kind: 'member', leafIndex: 3 } };
            const m = protectPrivate(s.suite, { ...s.signing, secretTree: sender, senderDataSecret: s.senderDataSecret, content });
            refusedUnchanged(s, 'unknown-sender', (t) => unprotectPrivate(s.suite, s.receiveParams(t), m));
            // …and if the caller knows a key for it, the 2-leaf tree refuses the leaf itself, unchanged.
            refusedUnchanged(s, 'leaf-out-of-range', (t) => unprotectPrivate(s.suite, { ...s.receiveParams(t), signaturePublicKeyOf: () => s.signaturePub }, m));
          });

          // Refusals after the sender data authenticated: the error is typed and nothing is returned,
          // but the generation is used up (SecretTree.keyForReceive consumes it and cannot give it back).
          const afterKey: Array<[string, string, (s: ReturnType<typeof setup>, sender: SecretTree) => M.PrivateMessage]> = [
            ['ciphertext past the sample', 'decryption-failed', (s, sender) => {
              const m = protectPrivate(s.suite, { ...s.signing, secretTree: sender, senderDataSecret: s.senderDataSecret, content: s.content('proposal') });
              return { ...m, ciphertext: flip(m.ciphertext, -1) };
            }],
            ['authenticated_data', 'decryption-failed', (s, sender) => {
              const m = protectPrivate(s.suite, { ...s.signing, secretTree: sender, senderDataSecret: s.senderDataSecret, content: s.content('proposal') });
              return { ...m, authenticatedData: new Uint8Array([7]) };
            }],
            ['a tampered signature', 'invalid-signature', (s, sender) => {
              const signed = authenticateContent(s.suite, s.signing, PRIVATE, s.content('proposal'));
              const auth = { signature: flip(signed.auth.signature, -1) };
              return toPrivateMessage(s.suite, { secretTree: sender, senderDataSecret: s.senderDataSecret }, { ...signed, auth });
            }],
            ['a signature made for a PublicMessage', 'invalid-signature', (s, sender) => {
              const signed = authenticateContent(s.suite, s.signing, PUBLIC, s.content('proposal'));
              return toPrivateMessage(s.suite, { secretTree: sender, senderDataSecret: s.senderDataSecret }, { ...signed, wireFormat: PRIVATE });
            }],
            ['non-zero padding', 'invalid-padding', (s, sender) => {
              const signed = authenticateContent(s.suite, s.signing, PRIVATE, s.content('proposal'));
              const plaintext = concat(M.encodePrivateMessageContent({ body: signed.content.body, auth: signed.auth, paddingLength: 3 }), new Uint8Array([0, 1]));
              return refSealPrivate(s.suite, sender, s.senderDataSecret, signed.content, plaintext);
            }],
            ['a truncated content', 'malformed-message', (s, sender) => {
              const signed = authenticateContent(s.suite, s.signing, PRIVATE, s.content('proposal'));
              const plaintext = M.encodePrivateMessageContent({ body: signed.content.body, auth: signed.auth, paddingLength: 0 });
              return refSealPrivate(s.suite, sender, s.senderDataSecret, signed.content, plaintext.subarray(0, plaintext.length - 5));
            }],
          ];

          for (const [what, code, make] of afterKey) {
            it(`${what}: ${code}, no content returned`, () => {
              const s = setup(v, provider);
              const receiver = receiverWithHistory(s);
              const m = make(s, s.tree());
              expect(codeOf(() => unprotectPrivate(s.suite, s.receiveParams(receiver), m))).toBe(code);
            });

            it(`${what}: the tree is unchanged (the generation is committed only after authentication)`, () => {
              const s = setup(v, provider);
              const receiver = receiverWithHistory(s);
              const m = make(s, s.tree());
              const before = treeState(receiver);
              expect(codeOf(() => unprotectPrivate(s.suite, s.receiveParams(receiver), m))).toBe(code);
              expect(treeState(receiver)).toEqual(before);
            });
          }

          it('the reference encryptor and protectPrivate agree (zero padding accepted from either)', () => {
            const s = setup(v, provider);
            const sender = s.tree();
            const receiver = s.tree();
            const signed = authenticateContent(s.suite, s.signing, PRIVATE, s.content('application', new Uint8Array([1, 2, 3])));
            const plaintext = M.encodePrivateMessageContent({ body: signed.content.body, auth: signed.auth, paddingLength: 16 });
            const m = refSealPrivate(s.suite, sender, s.senderDataSecret, signed.content, plaintext);
            expectContent(unprotectPrivate(s.suite, s.receiveParams(receiver), m), 'application', v, PRIVATE, '010203');
          });
        });
      });
    }
  });
});
