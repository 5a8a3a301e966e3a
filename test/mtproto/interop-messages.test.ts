// Interop, encrypted messages (spec §2, §3, §6.1): packets built by GramJS's and mtcute's message
// layers (GramJS MTProtoState.writeDataAsMessage + encryptMessageData; mtcute MtprotoSession.writeMessage
// + encryptMessage) decrypt with our decryptMessage, and our encryptMessage's packets decrypt with
// theirs (GramJS decryptMessageData, mtcute decryptMessage with its receipt checks) — the client →
// server and server → client directions those layers implement. The roles the peers do not play
// (client-encrypted packets read by a server, server-encrypted packets built by a peer) go through
// their KDF + IGE primitives (GramJS MTProtoState._calcKey + IGE, mtcute createAesIgeForMessage),
// with msg_key computed here with node:crypto. MTProto 1.0 (bindTempAuthKey's encrypted_message)
// both ways through mtcute's createAesIgeForMessageOld. Message bodies are cross-checked as TL:
// each peer's serialization of ping / pong / bind_auth_key_inner against our encodeService().
// gzip_packed both ways: ours → mtcute's gunzip and GramJS's pako; mtcute's compressed queries (zlib
// format, which Telegram accepts too) → ours.
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CryptoProvider } from '../../bindings/index.js';
import { AuthKey, decryptMessage, decryptMessageV1, encryptMessage, encryptMessageV1 } from '../../bindings/mtproto/crypto/index.js';
import { MtprotoError } from '../../bindings/mtproto/errors.js';
import { gunzipPacked, gzipPacked } from '../../bindings/mtproto/tl/gzip.js';
import { encodeService } from '../../bindings/mtproto/tl/service.js';
import {
  concatBytes, gramjs, gramjsEncrypt, gramjsLong, gramjsState, mtcute, mtcuteCrypto, mtcuteDecrypt, mtcuteEncrypt, mtcuteSession,
  seededRandom, serverMsgIdSource,
} from '../helpers/mtproto-peers.js';
import { forEachProvider } from '../helpers/providers.js';
import { toHex } from '../helpers/vectors.js';

const KEY = seededRandom('interop-messages/auth-key')(256);
const PERM_KEY = seededRandom('interop-messages/perm-key')(256);
const SALT = -0x1234_5678_9abc_def0n;
const random = seededRandom('interop-messages/bytes');

const sha256 = (...parts: Uint8Array[]) => new Uint8Array(createHash('sha256').update(concatBytes(...parts)).digest());
const sha1 = (...parts: Uint8Array[]) => new Uint8Array(createHash('sha1').update(concatBytes(...parts)).digest());

/** A plaintext (spec §2.1) built here: header, body, `padding` bytes. */
function plaintext(f: { salt: bigint; sessionId: bigint; msgId: bigint; seqNo: number; body: Uint8Array }, padding: number): Uint8Array {
  const out = new Uint8Array(32 + f.body.length + padding);
  const dv = new DataView(out.buffer);
  dv.setBigInt64(0, f.salt, true);
  dv.setBigInt64(8, f.sessionId, true);
  dv.setBigInt64(16, f.msgId, true);
  dv.setInt32(24, f.seqNo, true);
  dv.setInt32(28, f.body.length, true);
  out.set(f.body, 32);
  out.set(random(padding), 32 + f.body.length);
  return out;
}

function header(p: Uint8Array) {
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const length = dv.getInt32(28, true);
  return {
    salt: dv.getBigInt64(0, true), sessionId: dv.getBigInt64(8, true), msgId: dv.getBigInt64(16, true),
    seqNo: dv.getInt32(24, true), body: toHex(p.subarray(32, 32 + length)),
  };
}

/** msg_key for a plaintext sent by the client (x = 0) or the server (x = 8), spec §2.3. */
function msgKeyOf(key: Uint8Array, x: 0 | 8, plain: Uint8Array): Uint8Array {
  return sha256(key.subarray(88 + x, 120 + x), plain).subarray(8, 24);
}

function expectRejected(fn: () => unknown): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(MtprotoError);
  expect((error as MtprotoError).code).toBe('message-rejected');
}

function flipped(packet: Uint8Array, at: number): Uint8Array {
  const out = packet.slice();
  out[at] ^= 0x01;
  return out;
}

forEachProvider((provider: CryptoProvider) => {
  describe(`messages between GramJS and our message layer (${provider.name})`, () => {
    const ours = new AuthKey(provider, KEY);
    const nextServerId = serverMsgIdSource();

    it('GramJS client → our decryptMessage: content-related and service messages, with its salt, session and seq_no', async () => {
      const state = await gramjsState(KEY, SALT);
      const sessionId = BigInt(state.id.toString());
      const ping = Uint8Array.from(new gramjs.Api.Ping({ pingId: gramjsLong(0x0102030405060708n) }).getBytes());
      expect(toHex(ping)).toBe(toHex(encodeService({ _: 'ping', ping_id: 0x0102030405060708n })));
      const ack = Uint8Array.from(new gramjs.Api.MsgsAck({ msgIds: [gramjsLong(0x5f00000000000001n)] }).getBytes());
      const big = random(1000);
      const sent = [
        { body: ping, contentRelated: true, seqNo: 1 },
        { body: ack, contentRelated: false, seqNo: 2 },
        { body: big, contentRelated: true, seqNo: 3 }, // > 512 bytes: GramJS considers gzip_packed and keeps it plain
      ];
      for (const m of sent) {
        const { packet, msgId } = await gramjsEncrypt(state, m.body, m.contentRelated);
        const got = decryptMessage(provider, ours, packet, { from: 'client', sessionId });
        expect(got).toEqual({ salt: SALT, sessionId, msgId, seqNo: m.seqNo, body: m.body });
        expect(msgId % 4n).toBe(0n);
        // a flipped bit anywhere after the auth_key_id is refused (msg_key or ciphertext)
        expectRejected(() => decryptMessage(provider, ours, flipped(packet, 8), { from: 'client' }));
        expectRejected(() => decryptMessage(provider, ours, flipped(packet, packet.length - 1), { from: 'client' }));
      }
    });

    it('our encryptMessage (server) → GramJS decryptMessageData: pong and a container', async () => {
      const state = await gramjsState(KEY, SALT);
      const sessionId = BigInt(state.id.toString());
      const pong = { _: 'pong', msg_id: 0x5f00000000000004n, ping_id: -77n } as const;
      const msgId = nextServerId();
      const packet = encryptMessage(provider, ours, { salt: SALT, sessionId, msgId, seqNo: 2, body: encodeService(pong) }, { from: 'server' });
      const message = await state.decryptMessageData(Buffer.from(packet));
      expect(BigInt(message.msgId.toString())).toBe(msgId);
      expect(message.seqNo).toBe(2);
      const obj = await message.obj;
      expect(obj.className).toBe('Pong');
      expect(BigInt(obj.msgId.toString())).toBe(pong.msg_id);
      expect(BigInt(obj.pingId.toString())).toBe(pong.ping_id);

      const inner1 = nextServerId(), inner2 = nextServerId();
      const container = encodeService({
        _: 'msg_container',
        messages: [
          { msg_id: inner1, seqno: 1, body: encodeService({ _: 'new_session_created', first_msg_id: 0x5f00000000000000n, unique_id: 9n, server_salt: SALT }) },
          { msg_id: inner2, seqno: 2, body: encodeService(pong) },
        ],
      });
      const outer = nextServerId();
      const packet2 = encryptMessage(provider, ours, { salt: SALT, sessionId, msgId: outer, seqNo: 2, body: container }, { from: 'server' });
      const message2 = await state.decryptMessageData(Buffer.from(packet2));
      expect(BigInt(message2.msgId.toString())).toBe(outer);
      const c = await message2.obj;
      expect(c.messages.map((m: any) => [BigInt(m.msgId.toString()), m.seqNo])).toEqual([[inner1, 1], [inner2, 2]]);
      const [first, second] = await Promise.all(c.messages.map((m: any) => m.obj));
      expect(first.className).toBe('NewSessionCreated');
      expect(BigInt(first.serverSalt.toString())).toBe(SALT);
      expect(second.className).toBe('Pong');

      // GramJS checks msg_key: a tampered packet of ours is refused.
      await expect(state.decryptMessageData(Buffer.from(flipped(packet, 30)))).rejects.toThrow(/msg_key/);
    });

    it('role reversal through GramJS primitives: our client packet decrypts with _calcKey(x = 0), its x = 8 packet with our decryptMessage', async () => {
      const state = await gramjsState(KEY, SALT);
      const key = Buffer.from(KEY);
      const fields = { salt: SALT, sessionId: 0x1122334455667788n, msgId: 0x5f000000_0000_1000n, seqNo: 5, body: random(64) };
      const packet = encryptMessage(provider, ours, fields, { from: 'client' });
      const msgKey = Buffer.from(packet.subarray(8, 24));
      const { key: k0, iv: iv0 } = await state._calcKey(key, msgKey, true);
      const plain = new Uint8Array(new gramjs.IGE(k0, iv0).decryptIge(Buffer.from(packet.subarray(24))));
      expect(toHex(msgKeyOf(KEY, 0, plain))).toBe(toHex(msgKey));
      expect(header(plain)).toEqual({ ...fields, body: toHex(fields.body) });

      const serverFields = { ...fields, msgId: nextServerId() };
      const serverPlain = plaintext(serverFields, 16); // 32 + 64 + 16 = 112, a multiple of 16
      const serverKey = msgKeyOf(KEY, 8, serverPlain);
      const { key: k8, iv: iv8 } = await state._calcKey(key, Buffer.from(serverKey), false);
      const encrypted = new gramjs.IGE(k8, iv8).encryptIge(Buffer.from(serverPlain));
      const serverPacket = concatBytes(ours.id, serverKey, new Uint8Array(encrypted));
      expect(decryptMessage(provider, ours, serverPacket, { from: 'server', sessionId: serverFields.sessionId }))
        .toEqual({ ...serverFields, body: serverFields.body });
    });
  });

  describe(`messages between mtcute and our message layer (${provider.name})`, () => {
    const ours = new AuthKey(provider, KEY);
    const nextServerId = serverMsgIdSource();
    let crypto: any;
    let m: Awaited<ReturnType<typeof mtcute>>;
    beforeAll(async () => {
      m = await mtcute();
      crypto = await mtcuteCrypto(seededRandom('interop-messages/mtcute'));
    });

    it('mtcute client → our decryptMessage: content-related and service messages, with its salt, session and seq_no', async () => {
      const session = await mtcuteSession(crypto, KEY, SALT);
      const sessionId = BigInt(session._sessionId.toString());
      const pingId = 0x0102030405060708n;
      const sent = [
        { content: { _: 'mt_ping', pingId: m.Long.fromString(pingId.toString()) }, body: encodeService({ _: 'ping', ping_id: pingId }), contentRelated: true, seqNo: 1 },
        { content: { _: 'mt_msgs_ack', msgIds: [m.Long.fromString('6845471433603153921')] }, body: encodeService({ _: 'msgs_ack', msg_ids: [6845471433603153921n] }), contentRelated: false, seqNo: 2 },
        { content: random(1000), body: null, contentRelated: true, seqNo: 3 },
      ];
      for (const s of sent) {
        const { packet, msgId } = await mtcuteEncrypt(session, s.content, s.contentRelated);
        const got = decryptMessage(provider, ours, packet, { from: 'client', sessionId });
        expect(got).toEqual({ salt: SALT, sessionId, msgId, seqNo: s.seqNo, body: s.body ?? s.content });
        expect(msgId % 4n).toBe(0n);
        expectRejected(() => decryptMessage(provider, ours, flipped(packet, 20), { from: 'client' }));
        expectRejected(() => decryptMessage(provider, ours, packet, { from: 'client', sessionId: sessionId + 1n }));
      }
    });

    it('our encryptMessage (server) → mtcute decryptMessage: accepted with its checks, also with a padded-transport tail', async () => {
      const session = await mtcuteSession(crypto, KEY, SALT);
      const sessionId = BigInt(session._sessionId.toString());
      const pong = { _: 'pong', msg_id: 0x5f00000000000004n, ping_id: -77n } as const;
      for (const tail of [0, 1, 15]) {
        const msgId = nextServerId();
        const packet = encryptMessage(provider, ours, { salt: SALT, sessionId, msgId, seqNo: 4, body: encodeService(pong) }, { from: 'server' });
        const got = await mtcuteDecrypt(session, concatBytes(packet, random(tail)));
        expect(got).not.toBeNull();
        expect(got!.msgId).toBe(msgId);
        expect(got!.seqNo).toBe(4);
        expect(got!.object._).toBe('mt_pong');
        expect(BigInt(got!.object.msgId.toString())).toBe(pong.msg_id);
        expect(BigInt(got!.object.pingId.toString())).toBe(pong.ping_id);
      }
      // mtcute's own checks reject what they should: a wrong session id, a tampered packet.
      const packet = encryptMessage(provider, ours, { salt: SALT, sessionId: sessionId ^ 1n, msgId: nextServerId(), seqNo: 0, body: encodeService(pong) }, { from: 'server' });
      expect(await mtcuteDecrypt(session, packet)).toBeNull();
      const good = encryptMessage(provider, ours, { salt: SALT, sessionId, msgId: nextServerId(), seqNo: 0, body: encodeService(pong) }, { from: 'server' });
      expect(await mtcuteDecrypt(session, flipped(good, good.length - 1))).toBeNull();
    });

    it('role reversal through mtcute primitives: our client packet decrypts with createAesIgeForMessage(client), its server packet with ours', async () => {
      const fields = { salt: SALT, sessionId: 0x1122334455667788n, msgId: 0x5f000000_0000_1000n, seqNo: 5, body: random(100) };
      const packet = encryptMessage(provider, ours, fields, { from: 'client' });
      const msgKey = packet.subarray(8, 24);
      const plain = new Uint8Array(m.mtproto.createAesIgeForMessage(crypto, KEY, msgKey, true).decrypt(packet.subarray(24)));
      expect(toHex(msgKeyOf(KEY, 0, plain))).toBe(toHex(msgKey));
      expect(header(plain)).toEqual({ ...fields, body: toHex(fields.body) });

      const serverFields = { ...fields, msgId: nextServerId() };
      const serverPlain = plaintext(serverFields, 12);
      const serverKey = msgKeyOf(KEY, 8, serverPlain);
      const encrypted = m.mtproto.createAesIgeForMessage(crypto, KEY, serverKey, false).encrypt(serverPlain);
      expect(decryptMessage(provider, ours, concatBytes(ours.id, serverKey, encrypted), { from: 'server', sessionId: serverFields.sessionId }))
        .toEqual(serverFields);
    });

    it('MTProto 1.0 (bindTempAuthKey encrypted_message, spec §6.1): mtcute createAesIgeForMessageOld ↔ our v1 codec', async () => {
      const perm = new AuthKey(provider, PERM_KEY);
      const tempKeyId = 0x0badc0de_0badc0den;
      const inner = {
        _: 'mt_bind_auth_key_inner', nonce: m.Long.fromString('-5'), tempAuthKeyId: m.Long.fromString(tempKeyId.toString()),
        permAuthKeyId: m.Long.fromString(perm.idLong.toString()), tempSessionId: m.Long.fromString('42'), expiresAt: 1_900_000_000,
      };
      const innerBytes = encodeService({
        _: 'bind_auth_key_inner', nonce: -5n, temp_auth_key_id: tempKeyId, perm_auth_key_id: perm.idLong, temp_session_id: 42n, expires_at: 1_900_000_000,
      });
      // The plaintext as mtcute's _authorizePfs lays it out: random(16), msg_id, seqno 0, length 40, inner; 8 bytes of padding.
      const msgId = 0x5f000000_0000_2000n;
      const writer = m.tlRuntime.TlBinaryWriter.alloc(m.utils.__tlWriterMap, 80);
      writer.raw(random(16));
      writer.long(m.Long.fromString(msgId.toString()));
      writer.int(0);
      writer.int(40);
      writer.object(inner);
      const unpadded = new Uint8Array(writer.result());
      expect(toHex(unpadded.subarray(32))).toBe(toHex(innerBytes));
      const msgKey = sha1(unpadded).subarray(4, 20);
      const ciphertext = m.mtproto.createAesIgeForMessageOld(crypto, PERM_KEY, msgKey, true).encrypt(concatBytes(unpadded, random(8)));
      const got = decryptMessageV1(provider, perm, concatBytes(perm.id, msgKey, ciphertext), { from: 'client' });
      expect(got).toEqual({ msgId, seqNo: 0, body: innerBytes });

      const ourPacket = encryptMessageV1(provider, perm, { msgId, seqNo: 0, body: innerBytes }, { from: 'client' });
      const theirPlain = new Uint8Array(m.mtproto.createAesIgeForMessageOld(crypto, PERM_KEY, ourPacket.subarray(8, 24), true).decrypt(ourPacket.subarray(24)));
      expect(toHex(sha1(theirPlain.subarray(0, 72)).subarray(4, 20))).toBe(toHex(ourPacket.subarray(8, 24)));
      expect(header(theirPlain).msgId).toBe(msgId);
      expect(toHex(theirPlain.subarray(32, 72))).toBe(toHex(innerBytes));
    });
  });

  // gzip_packed (spec §7.1) both ways. mtcute compresses every query over 128 bytes — its first
  // invokeWithLayer(initConnection(…)) always — with its crypto provider's gzip(), which is node:zlib
  // deflateSync: the zlib format (RFC 1950, first bytes 78 9c), not gzip (RFC 1952, 1f 8b).
  // Telegram's servers accept it (TDLib inflates with MAX_WBITS + 32, which detects either header).
  describe(`gzip_packed between the peers and our tl/gzip.ts (${provider.name})`, () => {
    let crypto: any;
    let m: Awaited<ReturnType<typeof mtcute>>;
    let query: Uint8Array;
    beforeAll(async () => {
      m = await mtcute();
      crypto = await mtcuteCrypto(seededRandom('interop-messages/gzip'));
      // What mtcute's SessionConnection.sendRpc serializes for a first call (network-manager.js's
      // initConnection), with a query long enough (> 128 bytes) for sendRpc to compress it.
      query = new Uint8Array(m.tlRuntime.TlBinaryWriter.serializeObject(m.utils.__tlWriterMap, {
        _: 'invokeWithLayer',
        layer: 227,
        query: {
          _: 'initConnection', apiId: 1, deviceModel: 'mtcute on Linux', systemVersion: '1.0', appVersion: '0.30.3',
          systemLangCode: 'en', langPack: '', langCode: 'en',
          query: { _: 'invokeWithoutUpdates', query: { _: 'help.getCountriesList', langCode: 'en-'.repeat(60), hash: 0 } },
        },
      }));
    });

    it('our gzipPacked → mtcute gunzip and GramJS GZIPPacked.ungzip', async () => {
      const packed = await gzipPacked(query);
      expect(toHex(new Uint8Array(crypto.gunzip(packed)))).toBe(toHex(query));
      expect(toHex(new Uint8Array(gramjs.GZIPPacked.ungzip(Buffer.from(packed))))).toBe(toHex(query));
    });

    it('mtcute compresses such a query with zlib headers (78 9c), not gzip (1f 8b)', () => {
      const packed = new Uint8Array(crypto.gzip(query, Math.floor(query.length * 0.9)));
      expect(query.length).toBeGreaterThan(128);
      expect(toHex(packed.subarray(0, 2))).toBe('789c');
      expect(toHex(new Uint8Array(gramjs.GZIPPacked.ungzip(Buffer.from(packed))))).toBe(toHex(query)); // pako detects either
    });

    // Regression: gunzipPacked once accepted only the gzip format, so every query mtcute compresses was refused.
    it('mtcute gzip() output (zlib format) → our gunzipPacked', async () => {
      const packed = new Uint8Array(crypto.gzip(query, Math.floor(query.length * 0.9)));
      expect(toHex(await gunzipPacked(packed, 1 << 20))).toBe(toHex(query));
    });
  });
});
