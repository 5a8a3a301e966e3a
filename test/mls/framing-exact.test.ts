// The application-message encoders that write into a buffer of their exact size (framing/
// exact-writer.ts: SignContent of FramedContentTBS, PrivateMessageContent, the two AADs, SenderData,
// the MLSMessage of a PrivateMessage) against the general ByteWriter codecs on the same values, with
// opaque lengths on both sides of each varint boundary (63/64, 16383/16384 bytes); the cached
// GroupContext encoding against a fresh one, and a context changed in place is encoded anew.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encode, writeOpaque } from '../../bindings/codec/tls.js';
import { signLabelPrefix } from '../../bindings/mls/crypto/labels.js';
import { type GroupContext, encodeGroupContext, groupContextBytes } from '../../bindings/mls/group-context.js';
import { ContentType, ProtocolVersion, WireFormat } from '../../bindings/mls/messages/constants.js';
import {
  type FramedContent, type PrivateMessage, encodeMlsPrivateMessage, writeFramedContent, writeFramedContentAuthData,
} from '../../bindings/mls/messages/framing.js';
import {
  encodeFramedContentTbs, encodePrivateContentAad, encodePrivateMessageContent, encodeSenderData, encodeSenderDataAad, encodeSignContent,
} from '../../bindings/mls/messages/framing-inner.js';
import { encodeMlsMessage } from '../../bindings/mls/messages/mls-message.js';
import { FUZZ_SEED } from '../diff/property.js';

const sizes = fc.constantFrom(0, 1, 63, 64, 200, 16383, 16384);
const made = new Map<string, Uint8Array>();
const bytesOf = (n: number, seed: number) => {
  const key = `${n}/${seed}`;
  if (!made.has(key)) made.set(key, Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));
  return made.get(key)!;
};
/** Byte equality without a deep element-by-element comparison (the values reach 16 KiB). */
const same = (got: Uint8Array, want: Uint8Array) => expect(Buffer.compare(got, want), `${got.length} vs ${want.length} bytes`).toBe(0);

const context = (groupId: Uint8Array, epoch: bigint): GroupContext => ({
  cipherSuite: 3, groupId, epoch, treeHash: bytesOf(32, 1), confirmedTranscriptHash: bytesOf(32, 2),
  extensions: [{ type: 10, data: bytesOf(70, 3) }, { type: 0xf000, data: new Uint8Array(0) }],
});

function generalTbs(wireFormat: number, content: FramedContent, ctx?: GroupContext): Uint8Array {
  return encode((w) => {
    w.u16(ProtocolVersion.mls10).u16(wireFormat);
    writeFramedContent(w, content);
    if (ctx !== undefined) w.bytes(encodeGroupContext(ctx));
  });
}

describe('exact-size encoders equal the general codecs', () => {
  it('SignContent and FramedContentTBS of application content, for every sender kind', () => {
    const prefix = signLabelPrefix('FramedContentTBS');
    fc.assert(fc.property(sizes, sizes, sizes, fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.nat(), (g, a, d, epoch, leaf) => {
      const groupId = bytesOf(g, 4);
      const senders = [
        { kind: 'member', leafIndex: leaf }, { kind: 'external', senderIndex: leaf }, { kind: 'new_member_commit' }, { kind: 'new_member_proposal' },
      ] as const;
      for (const sender of senders) {
        const content: FramedContent = { groupId, epoch, sender, authenticatedData: bytesOf(a, 5), body: { kind: 'application', applicationData: bytesOf(d, 6) } };
        const ctx = sender.kind === 'member' || sender.kind === 'new_member_commit' ? context(groupId, epoch) : undefined;
        const tbs = generalTbs(WireFormat.mls_private_message, content, ctx);
        same(encodeFramedContentTbs(WireFormat.mls_private_message, content, ctx), tbs);
        const signContent = encode((w) => {
          w.bytes(prefix);
          writeOpaque(w, tbs);
        });
        same(encodeSignContent(prefix, WireFormat.mls_private_message, content, ctx), signContent);
      }
    }), { seed: FUZZ_SEED, numRuns: 12 });
  });

  it('PrivateMessageContent, the AADs, SenderData and the MLSMessage of a PrivateMessage', () => {
    fc.assert(fc.property(sizes, sizes, sizes, fc.nat({ max: 300 }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (g, a, d, padding, epoch) => {
      const groupId = bytesOf(g, 7), aad = bytesOf(a, 8), data = bytesOf(d, 9), signature = bytesOf(64, 10);
      const body = { kind: 'application', applicationData: data } as const;
      same(encodePrivateMessageContent({ body, auth: { signature }, paddingLength: padding }), encode((w) => {
        writeOpaque(w, data);
        writeFramedContentAuthData(w, { signature }, 'application');
        w.bytes(new Uint8Array(padding));
      }));
      for (const type of ['application', 'proposal', 'commit'] as const) {
        same(encodePrivateContentAad(groupId, epoch, type, aad), encode((w) => {
          writeOpaque(w, groupId);
          w.u64(epoch).u8(ContentType[type]);
          writeOpaque(w, aad);
        }));
        same(encodeSenderDataAad(groupId, epoch, type), encode((w) => {
          writeOpaque(w, groupId);
          w.u64(epoch).u8(ContentType[type]);
        }));
        const m: PrivateMessage = { groupId, epoch, contentType: type, authenticatedData: aad, encryptedSenderData: bytesOf(28, 11), ciphertext: data };
        same(encodeMlsPrivateMessage(m), encodeMlsMessage({ kind: 'mls_private_message', privateMessage: m }));
      }
      expect(encodeSenderData({ leafIndex: 0xfedcba98, generation: 7, reuseGuard: Uint8Array.of(1, 2, 3, 4) }))
        .toEqual(Uint8Array.of(0xfe, 0xdc, 0xba, 0x98, 0, 0, 0, 7, 1, 2, 3, 4));
    }), { seed: FUZZ_SEED, numRuns: 12 });
  });

  it('refuse what does not fit: a leaf index past 2^32 − 1, an epoch past 2^64 − 1', () => {
    const content: FramedContent = {
      groupId: bytesOf(4, 1), epoch: 1n, sender: { kind: 'member', leafIndex: 2 ** 32 }, authenticatedData: new Uint8Array(0),
      body: { kind: 'application', applicationData: new Uint8Array(1) },
    };
    expect(() => encodeFramedContentTbs(1, content, context(content.groupId, 1n))).toThrow(RangeError);
    expect(() => encodeSenderDataAad(bytesOf(4, 1), 2n ** 64n, 'application')).toThrow(RangeError);
  });
});

describe('groupContextBytes', () => {
  it('is encodeGroupContext, computed once per context object', () => {
    const ctx = context(bytesOf(16, 1), 5n);
    const first = groupContextBytes(ctx);
    expect(first).toEqual(encodeGroupContext(ctx));
    expect(groupContextBytes(ctx)).toBe(first);
  });

  it('encodes a context anew when a field was replaced in place', () => {
    const ctx = context(bytesOf(16, 1), 5n);
    const first = groupContextBytes(ctx);
    (ctx as { epoch: bigint }).epoch = 6n;
    const second = groupContextBytes(ctx);
    expect(second).not.toEqual(first);
    expect(second).toEqual(encodeGroupContext(ctx));
  });
});
