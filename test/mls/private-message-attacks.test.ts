// Attacks on MLS application messages (RFC 9420 §6.3) and the code that makes them fast: the one-shot
// AEAD, the one-call sender data, the exact-size writers, the per-epoch GroupContext cache and the
// secret-tree fast path. From an attacker-style review: the first tests are its findings (values that
// do not fit a field, non-bytes plaintext), the rest the evidence for what it found sound.
import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type AeadName, type CryptoProvider, init, mls, wasmProvider } from '../../bindings/index.js';
import { AuthenticationError } from '../../bindings/errors.js';
import { referenceProvider } from '../../bindings/provider/reference.js';
import { engine } from '../../bindings/wasm/select.js';
import { cipherSuite } from '../../bindings/mls/crypto/cipher-suite.js';
import { senderDataKeyNonce } from './sender-data-reference.js';
import { stateOf } from '../../bindings/mls/group/group.js';
import { protectPrivate } from '../../bindings/mls/framing/private-message.js';
import type { GroupContext } from '../../bindings/mls/group-context.js';
import { type FramedContent, encodeMlsPrivateMessage } from '../../bindings/mls/messages/framing.js';
import { encodeFramedContentTbs, encodePrivateContentAad } from '../../bindings/mls/messages/framing-inner.js';
import { type MlsMessage, decodeMlsMessage, encodeMlsMessage } from '../../bindings/mls/messages/mls-message.js';
import { MlsError } from '../../bindings/mls/errors.js';
import { encodeSenderDataAad } from '../../bindings/mls/messages/framing-inner.js';
import { forEachProvider } from '../helpers/providers.js';

const AEADS: readonly [AeadName, number][] = [['AES-128-GCM', 16], ['AES-256-GCM', 32], ['ChaCha20-Poly1305', 32]];
const AEAD_IDS: Record<AeadName, number> = { 'AES-128-GCM': 1, 'AES-256-GCM': 2, 'ChaCha20-Poly1305': 3 };
const text = (s: string) => new TextEncoder().encode(s);
const code = (c: string) => expect.objectContaining({ code: c });
const rnd = (n: number) => referenceProvider.randomBytes(n);
const pat = (n: number, s: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + s) & 0xff);
const flip = (b: Uint8Array, i: number) => {
  const c = b.slice();
  c[i % c.length]! ^= 1;
  return c;
};
const same = (a: Uint8Array, b: Uint8Array) => expect(Buffer.compare(a, b), `${a.length} vs ${b.length} bytes`).toBe(0);

/** Whether any aligned 8-byte piece of `needle` occurs in `hay`. */
function leaks(hay: Uint8Array, needle: Uint8Array): boolean {
  const h = Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength);
  for (let i = 0; i + 8 <= needle.length; i += 8) if (h.indexOf(Buffer.from(needle.subarray(i, i + 8))) >= 0) return true;
  return false;
}
/** GHASH key H = AES_K(0^128), and the Poly1305 one-time key (ChaCha20 block 0), by node:crypto. */
function gcmH(key: Uint8Array): Uint8Array {
  const c = createCipheriv(key.length === 16 ? 'aes-128-ecb' : 'aes-256-ecb', key, null);
  c.setAutoPadding(false);
  return new Uint8Array(c.update(new Uint8Array(16)));
}
function polyKey(key: Uint8Array, nonce: Uint8Array): Uint8Array {
  const iv = new Uint8Array(16);
  iv.set(nonce, 4);
  return new Uint8Array(createCipheriv('chacha20', key, iv).update(new Uint8Array(32)));
}

function pair(provider: CryptoProvider, suite: number) {
  const alice = mls.createGroup({ suite, identity: text('alice'), provider });
  const bob = mls.createKeyPackage({ suite, identity: text('bob'), provider });
  const added = alice.commit({ add: [bob.keyPackage] });
  alice.applyPendingCommit();
  return { alice, bob: mls.joinGroup(added.welcome!, bob.secrets, {}) };
}
const plaintextOf = (r: mls.ProcessResult) => (r as Extract<mls.ProcessResult, { kind: 'application' }>).plaintext;

describe('r1 review: defects (fail on 4e00b63)', () => {
  const ctx: GroupContext = {
    cipherSuite: 1, groupId: Uint8Array.of(1), epoch: 0n, treeHash: new Uint8Array(32), confirmedTranscriptHash: new Uint8Array(32), extensions: [],
  };
  const app: FramedContent = {
    groupId: Uint8Array.of(1), epoch: 0n, sender: { kind: 'member', leafIndex: 0 }, authenticatedData: new Uint8Array(0),
    body: { kind: 'application', applicationData: Uint8Array.of(9) },
  };

  // F1 (low): ExactWriter.u8 / u16 do not check the field width (ByteWriter does: "an encoder never
  // emits a truncated count"), so the exact-size paths truncate where the general paths throw.
  it('F1: the exact-size encoders refuse a wire_format past 2^16 − 1 as the general encoder does (RangeError)', () => {
    const proposal: FramedContent = { ...app, body: { kind: 'proposal', proposal: { kind: 'remove', removed: 1 } as never } };
    expect(() => encodeFramedContentTbs(0x10002, proposal, ctx)).toThrow(RangeError); // general path: refused
    // exact path: on 4e00b63 this returns the FramedContentTBS of wire_format 2 (0x10002 truncated)
    expect(() => encodeFramedContentTbs(0x10002, app, ctx)).toThrow(RangeError);
  });

  it('F1: the exact-size encoders refuse an unknown content_type (RangeError), not write content_type 0', () => {
    const bogus = 'bogus' as never;
    expect(() => encodePrivateContentAad(Uint8Array.of(1), 0n, bogus, new Uint8Array(0))).toThrow(RangeError);
    expect(() => encodeSenderDataAad(Uint8Array.of(1), 0n, bogus)).toThrow(RangeError);
    expect(() => encodeMlsPrivateMessage({
      groupId: Uint8Array.of(1), epoch: 0n, contentType: bogus, authenticatedData: new Uint8Array(0), encryptedSenderData: new Uint8Array(28), ciphertext: new Uint8Array(20),
    })).toThrow(RangeError);
  });

  // P1 (low-medium, pre-existing, not introduced by 4e00b63): Group.encrypt does not check its
  // arguments; a JavaScript string is taken as an array-like and encrypted as zero bytes.
  it('P1 (pre-existing): Group.encrypt refuses a string plaintext or aad with a TypeError instead of sending zeros', () => {
    const { alice, bob } = pair(wasmProvider, 1);
    let sent: Uint8Array | undefined;
    try {
      sent = alice.encrypt('hello' as never);
    } catch (e) {
      expect(e).toBeInstanceOf(TypeError);
    }
    // on 4e00b63 (and before): sent, and bob receives five zero bytes
    if (sent !== undefined) expect(plaintextOf(bob.process(sent))).not.toEqual(new Uint8Array(5));
    expect(() => alice.encrypt(text('x'), 'aad' as never)).toThrow(TypeError);
  });
});

describe('r1 review: checked sound', () => {
  for (const build of ['simd', 'scalar'] as const) {
    describe(`wasm ${build}`, () => {
      it('no key, nonce, derived AEAD key (H / Poly1305 key), sender-data key/nonce/secret or plaintext is left in wasm memory, after success or failure', () => {
        init({ wasm: build });
        const mem = () => engine().u8;
        for (const [name, nk] of AEADS) {
          for (const len of [0, 5, 100, 192, 193, 1000]) {
            const key = rnd(nk), nonce = rnd(12), pt = rnd(len), aad = rnd(20);
            const derived = name === 'ChaCha20-Poly1305' ? polyKey(key, nonce) : gcmH(key);
            const secrets = [key, nonce, derived, pt];
            const sealed = wasmProvider.aeadSeal(name, key, nonce, pt, aad);
            for (const s of secrets) expect(leaks(mem(), s)).toBe(false);
            same(wasmProvider.aeadOpen(name, key, nonce, sealed, aad), pt);
            for (const s of secrets) expect(leaks(mem(), s)).toBe(false);
            expect(() => wasmProvider.aeadOpen(name, key, nonce, flip(sealed, sealed.length - 1), aad)).toThrow(AuthenticationError);
            for (const s of secrets) expect(leaks(mem(), s)).toBe(false);
            if (name === 'AES-256-GCM') continue; // no MLS suite has it: no sender-data vector to derive
            const suite = cipherSuite(name === 'ChaCha20-Poly1305' ? 3 : 1, referenceProvider);
            const secret = rnd(32), ct = rnd(len), sd = rnd(12);
            const kn = senderDataKeyNonce(suite, secret, ct);
            const sdSecrets = [secret, kn.key, kn.nonce, name === 'ChaCha20-Poly1305' ? polyKey(kn.key, kn.nonce) : gcmH(kn.key), sd];
            const esd = wasmProvider.mlsSenderDataSeal(name, secret, ct, sd, aad);
            for (const s of sdSecrets) expect(leaks(mem(), s)).toBe(false);
            expect(() => wasmProvider.mlsSenderDataOpen(name, secret, ct, flip(esd, 3), aad)).toThrow(AuthenticationError);
            for (const s of sdSecrets) expect(leaks(mem(), s)).toBe(false);
            same(wasmProvider.mlsSenderDataOpen(name, secret, ct, esd, aad), sd);
            for (const s of sdSecrets) expect(leaks(mem(), s)).toBe(false);
          }
        }
      });

      it('the wasm opens leave the buffer unchanged on a bad tag (short and long ChaCha paths, GCM)', () => {
        init({ wasm: build });
        const e = engine(), w = e.window;
        for (const [name, nk] of AEADS) {
          for (const len of [0, 1, 100, 192, 193, 1000, 5000]) {
            const key = rnd(nk), nonce = rnd(12), aad = rnd(13), sealed = flip(wasmProvider.aeadSeal(name, key, nonce, rnd(len), aad), len);
            const buf = w + 64 + 16;
            e.u8.set(key, w); e.u8.set(nonce, w + 32); e.u8.set(aad, w + 64); e.u8.set(sealed, buf);
            expect(e.abi.mls_aead_open(AEAD_IDS[name], w, w + 32, w + 64, aad.length, buf, len)).toBe(0);
            same(e.read(buf, sealed.length), sealed);
            const secret = rnd(32), sample = rnd(32), esd = flip(wasmProvider.mlsSenderDataSeal(name, secret, sample, rnd(len), aad), 0);
            e.u8.set(secret, w); e.u8.set(sample, w + 32); e.u8.set(esd, buf);
            expect(e.abi.mls_sender_data_open(AEAD_IDS[name], w, w + 32, 32, w + 64, aad.length, buf, len)).toBe(0);
            same(e.read(buf, esd.length), esd);
            e.wipe(w, e.windowBytes);
          }
        }
      });

      it('wasm equals reference on both sides of the one-call window limit (seal, open, tamper; sender data too)', () => {
        init({ wasm: build });
        const e = engine();
        for (const [name, nk] of AEADS) {
          for (const aadLength of [0, 1, 16, 17]) {
            const room = e.windowBytes - 64 - (aadLength + (-aadLength & 15)); // bytes left for message + tag
            for (const total of [room - 1, room, room + 1]) {
              const n = total - 16, key = rnd(nk), nonce = rnd(12), pt = rnd(n), aad = rnd(aadLength);
              const s = wasmProvider.aeadSeal(name, key, nonce, pt, aad);
              same(s, referenceProvider.aeadSeal(name, key, nonce, pt, aad));
              same(wasmProvider.aeadOpen(name, key, nonce, s, aad), pt);
              expect(() => wasmProvider.aeadOpen(name, key, nonce, flip(s, n + 3), aad)).toThrow(AuthenticationError);
              const secret = rnd(32), ct = rnd(40);
              const sd = wasmProvider.mlsSenderDataSeal(name, secret, ct, pt, aad);
              same(sd, referenceProvider.mlsSenderDataSeal(name, secret, ct, pt, aad));
              same(referenceProvider.mlsSenderDataOpen(name, secret, ct, sd, aad), pt);
              same(wasmProvider.mlsSenderDataOpen(name, secret, ct, sd, aad), pt);
            }
          }
        }
      });

      it('sender data: every ciphertext length 0..70 agrees with reference; junk of 0..40 bytes is AuthenticationError on both', () => {
        init({ wasm: build });
        for (const [name, nk] of AEADS) {
          const secret = rnd(32), aad = rnd(7);
          for (let c = 0; c <= 70; c++) {
            const ct = rnd(c), sd = rnd(12);
            same(wasmProvider.mlsSenderDataSeal(name, secret, ct, sd, aad), referenceProvider.mlsSenderDataSeal(name, secret, ct, sd, aad));
          }
          for (let s = 0; s <= 40; s++) {
            const junk = rnd(s), ct = rnd(33);
            for (const p of [wasmProvider, referenceProvider]) {
              expect(() => p.mlsSenderDataOpen(name, secret, ct, junk, aad)).toThrow(AuthenticationError);
              expect(() => p.aeadOpen(name, secret.subarray(0, nk), ct.subarray(0, 12), junk, aad)).toThrow(AuthenticationError);
            }
          }
        }
      });
    });
  }

  forEachProvider((provider) => {
    for (const suite of [1, 2, 3]) {
      describe(`suite ${suite}`, () => {
        it('application messages round trip across varint boundaries, padding and the 64 KiB wasm window', () => {
          const { alice, bob } = pair(provider, suite);
          for (const n of [0, 1, 63, 64, 16383, 16384, 65400, 65536, 70000]) {
            for (const [a, p] of [[0, 0], [63, 1], [64, 0], [16384, 0], [0, 16383], [5, 16384]] as const) {
              const r = bob.process(alice.encrypt(pat(n, 1), pat(a, 2), p)) as Extract<mls.ProcessResult, { kind: 'application' }>;
              same(r.plaintext, pat(n, 1));
              same(r.aad, pat(a, 2));
            }
          }
        });

        it('replay fails, tampering fails without effect, out of order works, a forged signature does not spend the generation', () => {
          const { alice, bob } = pair(provider, suite);
          const m = [0, 1, 2, 3].map((i) => alice.encrypt(pat(10, i)));
          for (const i of [m[0]!.length - 1, m[0]!.length - 20, 40, 30]) expect(() => bob.process(flip(m[0]!, i))).toThrow();
          same(plaintextOf(bob.process(m[2]!)), pat(10, 2));
          expect(() => bob.process(m[2]!)).toThrow(code('generation-reused'));
          same(plaintextOf(bob.process(m[0]!)), pat(10, 0));
          expect(() => bob.process(m[0]!)).toThrow(code('generation-reused'));
          same(plaintextOf(bob.process(m[1]!)), pat(10, 1));
          same(plaintextOf(bob.process(m[3]!)), pat(10, 3));
          expect(() => bob.process(m[1]!)).toThrow(code('generation-reused'));

          // Generation 4, sent twice: once signed by a stranger (decrypts, fails the signature), once by Alice.
          const alice2 = mls.loadGroup(alice.save(), { provider });
          const st = stateOf(alice);
          const forged = protectPrivate(st.suite, {
            groupContext: st.groupContext, signatureKey: provider.signature(st.suite.signature).generateKeyPair().secretKey,
            secretTree: st.secretTree, senderDataSecret: st.epochSecrets.senderDataSecret,
            content: {
              groupId: st.groupId, epoch: st.epoch, sender: { kind: 'member', leafIndex: st.leafIndex }, authenticatedData: new Uint8Array(0),
              body: { kind: 'application', applicationData: text('forged') },
            },
          });
          expect(() => bob.process(encodeMlsMessage({ kind: 'mls_private_message', privateMessage: forged }))).toThrow(code('invalid-signature'));
          same(plaintextOf(bob.process(alice2.encrypt(text('real')))), text('real'));
        });

        it('a member forging SenderData (any leaf, generation, length) gets an MlsError and changes nothing', () => {
          const { alice, bob } = pair(provider, suite);
          const real = alice.encrypt(text('real'));
          const pm = (decodeMlsMessage(real) as Extract<MlsMessage, { kind: 'mls_private_message' }>).privateMessage;
          const st = stateOf(alice); // Alice knows sender_data_secret, as every member does
          const aad = encodeSenderDataAad(pm.groupId, pm.epoch, pm.contentType);
          const u32 = (v: number) => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
          const forge = (sd: number[]) => encodeMlsMessage({ kind: 'mls_private_message', privateMessage: {
            ...pm, encryptedSenderData: provider.mlsSenderDataSeal(st.suite.aead, st.epochSecrets.senderDataSecret, pm.ciphertext, Uint8Array.from(sd), aad),
          } });
          const snapshot = () => JSON.stringify([0, 1].map((l) => stateOf(bob).secretTree.ratchetState(l, 'application'))) + stateOf(bob).secretTree.heldNodeSecrets().join();
          const before = snapshot();
          const cases = [
            [...u32(0), ...u32(1), 1, 2, 3, 4], [...u32(0), ...u32(1000), 0, 0, 0, 0], [...u32(0), ...u32(1001), 0, 0, 0, 0],
            [...u32(0), ...u32(0xffffffff), 0, 0, 0, 0], [...u32(1), ...u32(0), 0, 0, 0, 0], [...u32(2), ...u32(0), 0, 0, 0, 0],
            [...u32(0xffffffff), ...u32(0), 0, 0, 0, 0], [...u32(0), ...u32(0), 0, 0, 0], [...u32(0), ...u32(0), 0, 0, 0, 0, 0], [],
          ];
          for (const sd of cases) {
            let thrown: unknown;
            try {
              bob.process(forge(sd));
            } catch (e) {
              thrown = e;
            }
            expect(thrown, JSON.stringify(sd)).toBeInstanceOf(MlsError);
            expect(snapshot()).toBe(before);
          }
          same(plaintextOf(bob.process(real)), text('real'));
        });

        it('the GroupContext signed over follows epoch changes, a rejected Commit, loadGroup and an extensions change', () => {
          const { alice, bob } = pair(provider, suite);
          same(plaintextOf(bob.process(alice.encrypt(text('a')))), text('a'));
          const c = bob.commit({ update: true, wireFormat: 'private' });
          bob.applyPendingCommit();
          expect(() => alice.process(flip(c.commit, c.commit.length - 5))).toThrow();
          alice.process(c.commit);
          same(plaintextOf(bob.process(alice.encrypt(text('b')))), text('b'));
          same(plaintextOf(alice.process(bob.encrypt(text('c')))), text('c'));
          same(plaintextOf(bob.process(mls.loadGroup(alice.save(), { provider }).encrypt(text('d')))), text('d'));
          const e = alice.commit({ extensions: [{ type: 5, data: Uint8Array.of(0) }] }); // external_senders, empty
          alice.applyPendingCommit();
          bob.process(e.commit);
          same(plaintextOf(bob.process(alice.encrypt(text('e')))), text('e'));
          same(plaintextOf(alice.process(bob.encrypt(text('f')))), text('f'));
        });
      });
    }
  });
});
