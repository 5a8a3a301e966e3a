// TL serialization (spec §1 conventions), the service-message schema (spec §7) and gzip_packed.
// Wire bytes below are written out by hand from the TL rules: little-endian fixed-size integers,
// bytes/string with a 1-byte length (< 254) or 0xfe + 3-byte length, zero padding to 4, boxed
// vectors 0x1cb5c415 + count, bare vectors a count only. Constructor ids are re-derived as the
// CRC-32 of their TL line. No provider is involved: TL is pure serialization.
import { gunzipSync, gzipSync, deflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { MtprotoError, TlError } from '../../bindings/mtproto/errors.js';
import { gunzipPacked, gzipPacked } from '../../bindings/mtproto/tl/gzip.js';
import { TlReader } from '../../bindings/mtproto/tl/reader.js';
import {
  ID,
  MAX_CONTAINER_MESSAGES,
  MAX_FUTURE_SALTS,
  MAX_MSG_IDS,
  constructorId,
  decodeService,
  encodeService,
  isServiceConstructor,
  type ServiceMessage,
} from '../../bindings/mtproto/tl/service.js';
import { TlWriter, tl } from '../../bindings/mtproto/tl/writer.js';
import { crc32 } from '../helpers/tdlib.js';
import { countCases, hex, loadVectors, toHex } from '../helpers/vectors.js';

/** Hex with spaces between fields, for readability. */
const h = (text: string): Uint8Array => hex(text.replace(/\s+/g, ''));
function pattern(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 7 + 3) & 0xff;
  return out;
}
const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

/** Byte equality without vitest's element-by-element diff, which does not scale to megabytes. */
function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual).toBeInstanceOf(Uint8Array);
  expect(actual.length).toBe(expected.length);
  expect(Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength).equals(expected), 'bytes differ').toBe(true);
}

function expectTlError(run: () => unknown): void {
  expect(run).toThrow(TlError);
}

describe('TlWriter / TlReader', () => {
  // Spec §1: 1 length byte below 254, else 0xfe + 3-byte little-endian length; zero padding to 4.
  it.each([0, 1, 2, 3, 4, 253, 254, 255, 256, 1 << 16, (1 << 24) - 1])('bytes of length %i round trip', (n) => {
    const data = pattern(n);
    const wire = new TlWriter().bytes(data).finish();
    const head = n < 254 ? 1 : 4;
    const total = Math.ceil((head + n) / 4) * 4;
    expect(wire.length).toBe(total);
    if (head === 1) expect(wire[0]).toBe(n);
    else expect([...wire.subarray(0, 4)]).toEqual([0xfe, n & 0xff, (n >> 8) & 0xff, n >> 16]);
    expectSameBytes(wire.subarray(head, head + n), data);
    expect(wire.subarray(head + n).every((b) => b === 0)).toBe(true);
    const r = new TlReader(wire);
    expectSameBytes(r.bytes(), data);
    r.end();
  });

  it('writes the exact bytes of the TL rules', () => {
    const cases: Array<[(w: TlWriter) => void, string]> = [
      [(w) => w.bytes(new Uint8Array(0)), '00000000'],
      [(w) => w.bytes(Uint8Array.of(0x61)), '01610000'],
      [(w) => w.string('abc'), '03616263'],
      [(w) => w.string('abcd'), '04616263 64000000'],
      [(w) => w.string('hello'), '05 68656c6c6f 0000'],
      [(w) => w.bytes(new Uint8Array(254).fill(0xaa)), 'fefe0000' + 'aa'.repeat(254) + '0000'],
      [(w) => w.bytes(new Uint8Array(256).fill(0xbb)), 'fe000100' + 'bb'.repeat(256)],
      [(w) => w.int(-1), 'ffffffff'],
      [(w) => w.int(0x12345678), '78563412'],
      [(w) => w.int(0xfffffffe), 'feffffff'],
      [(w) => w.long(1n), '0100000000000000'],
      [(w) => w.long(-2n), 'feffffffffffffff'],
      [(w) => w.long(-(1n << 63n)), '0000000000000080'],
      [(w) => w.long((1n << 63n) - 1n), 'ffffffffffffff7f'],
      [(w) => w.long((1n << 64n) - 1n), 'ffffffffffffffff'],
      [(w) => w.bool(true), 'b5757299'],
      [(w) => w.bool(false), '379779bc'],
      [(w) => w.double(1), '000000000000f03f'],
      [(w) => w.vector([1n, 2n], (v, x) => v.long(x)), '15c4b51c 02000000 0100000000000000 0200000000000000'],
      [(w) => w.vector([], (v, x: number) => v.int(x)), '15c4b51c 00000000'],
    ];
    for (const [write, expected] of cases) expect(toHex(tl(write))).toBe(expected.replace(/\s+/g, ''));
  });

  it('reads longs as signed and refuses values outside [-2^63, 2^64)', () => {
    expect(new TlReader(h('ffffffffffffffff')).long()).toBe(-1n);
    expect(new TlReader(h('0000000000000080')).long()).toBe(-(1n << 63n));
    expect(new TlReader(h('ffffffffffffff7f')).long()).toBe((1n << 63n) - 1n);
    // An unsigned value written reads back as its two's-complement signed value.
    expect(new TlReader(tl((w) => w.long(1n << 63n))).long()).toBe(-(1n << 63n));
    expect(() => new TlWriter().long(1n << 64n)).toThrow(RangeError);
    expect(() => new TlWriter().long(-(1n << 63n) - 1n)).toThrow(RangeError);
    expect(new TlReader(h('ffffffff')).int()).toBe(-1);
    expect(new TlReader(h('ffffffff')).uint()).toBe(0xffffffff);
    expect(() => new TlWriter().int(2 ** 32)).toThrow(RangeError);
    expect(() => new TlWriter().int(-(2 ** 31) - 1)).toThrow(RangeError);
    expect(() => new TlWriter().int(1.5)).toThrow(RangeError);
  });

  // One of everything the reader knows, read back in order.
  const sample = tl((w) =>
    w.int(-5).long(-(1n << 62n)).double(0.5).bool(true).int128(pattern(16)).int256(pattern(32))
      .bytes(pattern(300)).string('héllo').vector([7n, 8n, 9n], (v, x) => v.long(x)).bytes(pattern(5)),
  );
  const readSample = (r: TlReader) => [
    r.int(), r.long(), r.double(), r.bool(), r.int128(), r.int256(), r.bytes(), r.string(), r.vector((v) => v.long()), r.bytes(),
  ];

  it('reads a composite encoding back, and refuses every truncation and any trailing byte', () => {
    const r = new TlReader(sample);
    expect(readSample(r)).toEqual([-5, -(1n << 62n), 0.5, true, pattern(16), pattern(32), pattern(300), 'héllo', [7n, 8n, 9n], pattern(5)]);
    r.end();
    for (let n = 0; n < sample.length; n++) expectTlError(() => readSample(new TlReader(sample.subarray(0, n))));
    const longer = new TlReader(concat(sample, new Uint8Array(4)));
    readSample(longer);
    expectTlError(() => longer.end());
  });

  it('refuses a truncated 2^24 − 1 byte string at its edges', () => {
    const wire = new TlWriter().bytes(pattern((1 << 24) - 1)).finish();
    for (const n of [0, 1, 3, 4, 5, wire.length >> 1, wire.length - 2, wire.length - 1]) {
      expectTlError(() => new TlReader(wire.subarray(0, n)).bytes());
    }
  });

  it('refuses non-zero padding, non-minimal 0xfe lengths and the 0xff prefix', () => {
    expectTlError(() => new TlReader(h('01610001')).bytes());
    expectTlError(() => new TlReader(h('00000100')).bytes());
    const long = new TlWriter().bytes(new Uint8Array(254)).finish();
    long[long.length - 1] = 1;
    expectTlError(() => new TlReader(long).bytes());
    expectTlError(() => new TlReader(h('fe000000')).bytes()); // 0 in the long form
    expectTlError(() => new TlReader(concat(h('fefd0000'), new Uint8Array(256))).bytes()); // 253 in the long form
    expect(new TlReader(concat(h('fefe0000'), new Uint8Array(256))).bytes()).toEqual(new Uint8Array(254)); // 254: the first long one
    expectTlError(() => new TlReader(concat(h('ff000000'), new Uint8Array(8))).bytes());
  });

  // Regression: int, long, double and raw once read the buffer before #reserve replaced it.
  it('grows its buffer on every kind of write', () => {
    const writes: Array<(w: TlWriter) => void> = [(w) => w.int(1), (w) => w.long(1n), (w) => w.double(1), (w) => w.raw(pattern(5))];
    for (const write of writes) {
      const w = new TlWriter(4).raw(pattern(4));
      write(w);
      expect(w.length).toBeGreaterThan(4);
    }
  });

  it('refuses bad vectors, bools and UTF-8', () => {
    const three = tl((w) => w.vector([1, 2, 3], (v, x) => v.int(x)));
    expect(new TlReader(three).vector((r) => r.int(), 3)).toEqual([1, 2, 3]);
    expectTlError(() => new TlReader(three).vector((r) => r.int(), 2));
    expectTlError(() => new TlReader(h('15c4b51c ffffffff')).vector((r) => r.int()));
    expectTlError(() => new TlReader(h('15c4b51c ffffff7f 00000000')).vector((r) => r.int(), 0x7fffffff));
    expectTlError(() => new TlReader(h('15c4b51d 00000000')).vector((r) => r.int()));
    expectTlError(() => new TlReader(h('b5757298')).bool());
    expectTlError(() => new TlReader(h('02c328 00')).string());
  });
});

// TL lines from TDLib td/generate/scheme/mtproto_api.tl and core.telegram.org (msg_resend_ans_req,
// auth.bindTempAuthKey, boolTrue/boolFalse; rpc_result, msg_container, msg_copy are commented out in
// TDLib's file). The container's id is the CRC of `vector<message>`, not of the documented `%Message`.
const SCHEMA = `
rpc_result#f35c6d01 req_msg_id:long result:Object = RpcResult
rpc_error#2144ca19 error_code:int error_message:string = RpcError
rpc_drop_answer#58e4a740 req_msg_id:long = RpcDropAnswer
rpc_answer_unknown#5e2ad36e = RpcDropAnswer
rpc_answer_dropped_running#cd78e586 = RpcDropAnswer
rpc_answer_dropped#a43ad8b7 msg_id:long seq_no:int bytes:int = RpcDropAnswer
msg_container#73f1f8dc messages:vector<message> = MessageContainer
msg_copy#e06046b2 orig_message:Message = MessageCopy
gzip_packed#3072cfa1 packed_data:bytes = Object
msgs_ack#62d6b459 msg_ids:Vector<long> = MsgsAck
bad_msg_notification#a7eff811 bad_msg_id:long bad_msg_seqno:int error_code:int = BadMsgNotification
bad_server_salt#edab447b bad_msg_id:long bad_msg_seqno:int error_code:int new_server_salt:long = BadMsgNotification
new_session_created#9ec20908 first_msg_id:long unique_id:long server_salt:long = NewSession
ping#7abe77ec ping_id:long = Pong
pong#347773c5 msg_id:long ping_id:long = Pong
ping_delay_disconnect#f3427b8c ping_id:long disconnect_delay:int = Pong
get_future_salts#b921bd04 num:int = FutureSalts
future_salt#0949d9dc valid_since:int valid_until:int salt:long = FutureSalt
future_salts#ae500895 req_msg_id:long now:int salts:vector<future_salt> = FutureSalts
msgs_state_req#da69fb52 msg_ids:Vector<long> = MsgsStateReq
msgs_state_info#04deb57d req_msg_id:long info:string = MsgsStateInfo
msgs_all_info#8cc0d131 msg_ids:Vector<long> info:string = MsgsAllInfo
msg_detailed_info#276d3ec6 msg_id:long answer_msg_id:long bytes:int status:int = MsgDetailedInfo
msg_new_detailed_info#809db6df answer_msg_id:long bytes:int status:int = MsgDetailedInfo
msg_resend_req#7d861a08 msg_ids:Vector<long> = MsgResendReq
msg_resend_ans_req#8610baeb msg_ids:Vector<long> = MsgResendReq
destroy_session#e7512126 session_id:long = DestroySessionRes
destroy_session_ok#e22045fc session_id:long = DestroySessionRes
destroy_session_none#62d350c9 session_id:long = DestroySessionRes
destroy_auth_key#d1435160 = DestroyAuthKeyRes
destroy_auth_key_ok#f660e1d4 = DestroyAuthKeyRes
destroy_auth_key_none#0a9f2259 = DestroyAuthKeyRes
destroy_auth_key_fail#ea109b13 = DestroyAuthKeyRes
http_wait#9299359f max_delay:int wait_after:int max_wait:int = HttpWait
auth.bindTempAuthKey#cdd42a05 perm_auth_key_id:long nonce:long expires_at:int encrypted_message:bytes = Bool
bind_auth_key_inner#75a3f765 nonce:long temp_auth_key_id:long perm_auth_key_id:long temp_session_id:long expires_at:int = BindAuthKeyInner
boolTrue#997275b5 = Bool
boolFalse#bc799737 = Bool
`.trim().split('\n').map((line) => {
  const [, name, id, fields] = /^([\w.]+)#([0-9a-f]{8}) (.*?) ?= \w+$/.exec(line)!;
  return { line, name, id: parseInt(id, 16), fields: fields ? fields.split(' ').map((f) => f.split(':') as [string, string]) : [] };
});

/** Telegram's id rule: CRC-32 of the line without `#id`, with `bytes` as `string` and `<`, `>` as spaces. */
function tlCrc(line: string): number {
  const normalized = line.replace(/#[0-9a-f]+/, '').replaceAll(':bytes', ':string').replace(/[<>]/g, ' ').replace(/\s+/g, ' ').trim();
  return crc32(new TextEncoder().encode(normalized));
}

describe('service constructor ids', () => {
  it('every id is the CRC-32 of its TL line, and ID has exactly these constructors', () => {
    for (const { line, name, id } of SCHEMA) {
      expect(tlCrc(line), line).toBe(id);
      expect((ID as Record<string, number>)[name], name).toBe(id);
      expect(isServiceConstructor(id)).toBe(true);
    }
    expect(Object.keys(ID).sort()).toEqual(SCHEMA.map((s) => s.name).sort());
    expect(isServiceConstructor(0x1cb5c415)).toBe(false);
  });
});

// Hand-built cases: the message and its wire bytes, field by field.
const V = '15c4b51c'; // boxed Vector
const CASES: Array<[ServiceMessage, string]> = [
  [{ _: 'rpc_result', req_msg_id: 0x0123456789abcdefn, result: h('b5757299') }, '016d5cf3 efcdab8967452301 b5757299'],
  [{ _: 'rpc_error', error_code: 420, error_message: 'FLOOD_WAIT_3' }, '19ca4421 a4010000 0c 464c4f4f445f574149545f33 000000'],
  [{ _: 'rpc_drop_answer', req_msg_id: 1n }, '40a7e458 0100000000000000'],
  [{ _: 'rpc_answer_unknown' }, '6ed32a5e'],
  [{ _: 'rpc_answer_dropped_running' }, '86e578cd'],
  [{ _: 'rpc_answer_dropped', msg_id: 2n, seq_no: 3, bytes: 4 }, 'b7d83aa4 0200000000000000 03000000 04000000'],
  [
    { _: 'msg_container', messages: [{ msg_id: 0x10n, seqno: 1, body: h('ec77be7a 0500000000000000') }, { msg_id: 0x14n, seqno: 2, body: h('379779bc') }] },
    'dcf8f173 02000000  1000000000000000 01000000 0c000000 ec77be7a0500000000000000  1400000000000000 02000000 04000000 379779bc',
  ],
  [{ _: 'msg_copy', orig_message: { msg_id: 8n, seqno: 0, body: h('b5757299') } }, 'b24660e0 0800000000000000 00000000 04000000 b5757299'],
  [{ _: 'gzip_packed', packed_data: h('1f8b08') }, 'a1cf7230 03 1f8b08'],
  [{ _: 'msgs_ack', msg_ids: [1n, 2n] }, `59b4d662 ${V} 02000000 0100000000000000 0200000000000000`],
  [{ _: 'bad_msg_notification', bad_msg_id: 4n, bad_msg_seqno: 5, error_code: 16 }, '11f8efa7 0400000000000000 05000000 10000000'],
  [
    { _: 'bad_server_salt', bad_msg_id: 4n, bad_msg_seqno: 5, error_code: 48, new_server_salt: -1n },
    '7b44abed 0400000000000000 05000000 30000000 ffffffffffffffff',
  ],
  [{ _: 'new_session_created', first_msg_id: 1n, unique_id: 2n, server_salt: 3n }, '0809c29e 0100000000000000 0200000000000000 0300000000000000'],
  [{ _: 'ping', ping_id: 5n }, 'ec77be7a 0500000000000000'],
  [{ _: 'pong', msg_id: 6n, ping_id: 5n }, 'c5737734 0600000000000000 0500000000000000'],
  [{ _: 'ping_delay_disconnect', ping_id: 7n, disconnect_delay: 75 }, '8c7b42f3 0700000000000000 4b000000'],
  [{ _: 'get_future_salts', num: 64 }, '04bd21b9 40000000'],
  [{ _: 'future_salt', valid_since: 1, valid_until: 2, salt: 3n }, 'dcd94909 01000000 02000000 0300000000000000'],
  [
    { _: 'future_salts', req_msg_id: 9n, now: 10, salts: [{ valid_since: 1, valid_until: 2, salt: 3n }, { valid_since: 2, valid_until: 4, salt: -3n }] },
    '950850ae 0900000000000000 0a000000 02000000  01000000 02000000 0300000000000000  02000000 04000000 fdffffffffffffff',
  ],
  [{ _: 'msgs_state_req', msg_ids: [0x10n] }, `52fb69da ${V} 01000000 1000000000000000`],
  [{ _: 'msgs_state_info', req_msg_id: 0x11n, info: Uint8Array.of(4) }, '7db5de04 1100000000000000 01040000'],
  [{ _: 'msgs_all_info', msg_ids: [1n, 2n], info: Uint8Array.of(1, 4) }, `31d1c08c ${V} 02000000 0100000000000000 0200000000000000 02010400`],
  [{ _: 'msg_detailed_info', msg_id: 1n, answer_msg_id: 2n, bytes: 3, status: 0 }, 'c63e6d27 0100000000000000 0200000000000000 03000000 00000000'],
  [{ _: 'msg_new_detailed_info', answer_msg_id: 2n, bytes: 3, status: 0 }, 'dfb69d80 0200000000000000 03000000 00000000'],
  [{ _: 'msg_resend_req', msg_ids: [3n] }, `081a867d ${V} 01000000 0300000000000000`],
  [{ _: 'msg_resend_ans_req', msg_ids: [] }, `ebba1086 ${V} 00000000`],
  [{ _: 'destroy_session', session_id: -2n }, '262151e7 feffffffffffffff'],
  [{ _: 'destroy_session_ok', session_id: 1n }, 'fc4520e2 0100000000000000'],
  [{ _: 'destroy_session_none', session_id: 1n }, 'c950d362 0100000000000000'],
  [{ _: 'destroy_auth_key' }, '605143d1'],
  [{ _: 'destroy_auth_key_ok' }, 'd4e160f6'],
  [{ _: 'destroy_auth_key_none' }, '59229f0a'],
  [{ _: 'destroy_auth_key_fail' }, '139b10ea'],
  [{ _: 'http_wait', max_delay: 0, wait_after: 0, max_wait: 25000 }, '9f359992 00000000 00000000 a8610000'],
  [
    { _: 'auth.bindTempAuthKey', perm_auth_key_id: 1n, nonce: 2n, expires_at: 3, encrypted_message: Uint8Array.of(1, 2, 3) },
    '052ad4cd 0100000000000000 0200000000000000 03000000 03010203',
  ],
  [
    { _: 'bind_auth_key_inner', nonce: 1n, temp_auth_key_id: 2n, perm_auth_key_id: 3n, temp_session_id: 4n, expires_at: 5 },
    '65f7a375 0100000000000000 0200000000000000 0300000000000000 0400000000000000 05000000',
  ],
  [{ _: 'boolTrue' }, 'b5757299'],
  [{ _: 'boolFalse' }, '379779bc'],
];

/** What a decoded field must look like for its TL type. */
function fieldMatches(type: string, value: unknown): boolean {
  switch (type) {
    case 'long': return typeof value === 'bigint';
    case 'int': return typeof value === 'number';
    case 'string': case 'bytes': return typeof value === 'string' || value instanceof Uint8Array;
    case 'Object': return value instanceof Uint8Array;
    case 'Message': return typeof value === 'object' && value !== null && 'body' in value;
    case 'Vector<long>': return Array.isArray(value) && value.every((x) => typeof x === 'bigint');
    default: return Array.isArray(value); // vector<message>, vector<future_salt>
  }
}

describe('service messages', () => {
  it('every constructor has a hand-built case', () => {
    expect(CASES.map(([m]) => m._).sort()).toEqual(Object.keys(ID).sort());
  });

  it.each(CASES.map(([m, wire]) => [m._, m, wire] as const))('%s: exact wire bytes both ways, fields in TL order', (name, msg, wire) => {
    const bytes = h(wire);
    expect(toHex(encodeService(msg))).toBe(toHex(bytes));
    const decoded = decodeService(bytes)!;
    expect(decoded).toEqual(msg);
    const { fields } = SCHEMA.find((s) => s.name === name)!;
    expect(Object.keys(decoded)).toEqual(['_', ...fields.map(([f]) => f)]);
    for (const [f, type] of fields) expect(fieldMatches(type, (decoded as any)[f]), `${name}.${f}: ${type}`).toBe(true);
  });

  it.each(CASES.filter(([m]) => m._ !== 'rpc_result').map(([m, wire]) => [m._, wire] as const))(
    '%s: every truncation and any trailing word is a TlError',
    (_name, wire) => {
      const bytes = h(wire);
      for (let n = 0; n < bytes.length; n++) expectTlError(() => decodeService(bytes.subarray(0, n)));
      expectTlError(() => decodeService(concat(bytes, new Uint8Array(4))));
    },
  );

  it('decodes the container of a real server message (Telethon v2 test_decrypt_server_data_v2)', () => {
    const vectors = loadVectors('mtproto/mtproto2-messages.json').vectors.filter((v: any) => v.expect?.body_constructor_le);
    const count = countCases('mtproto2-messages.json service bodies', vectors.length);
    expect(vectors.length).toBeGreaterThan(0);
    for (const v of vectors) {
      const plaintext = Buffer.from(hex(v.expect.plaintext));
      const body = plaintext.subarray(32, 32 + v.expect.message_data_length);
      expect(toHex(body.subarray(0, 4))).toBe(v.expect.body_constructor_le);
      // Independent parse: the container's count, then each entry's header read with Buffer.
      const first = { msg_id: body.readBigInt64LE(8), seqno: body.readInt32LE(16), bytes: body.readInt32LE(20) };
      const second = 24 + first.bytes;
      const decoded = decodeService(body);
      expect(decoded?._).toBe('msg_container');
      if (decoded?._ !== 'msg_container') throw new Error('unreachable');
      expect(decoded.messages.length).toBe(body.readInt32LE(4));
      expect(decoded.messages.map(({ msg_id, seqno }) => ({ msg_id, seqno }))).toEqual([
        { msg_id: first.msg_id, seqno: first.seqno },
        { msg_id: body.readBigInt64LE(second), seqno: body.readInt32LE(second + 8) },
      ]);
      const session = decodeService(decoded.messages[0].body);
      const pong = decodeService(decoded.messages[1].body);
      const salt = plaintext.readBigInt64LE(0);
      expect(session).toEqual({ _: 'new_session_created', first_msg_id: body.readBigInt64LE(28), unique_id: body.readBigInt64LE(36), server_salt: salt });
      expect(toHex(plaintext.subarray(0, 8))).toBe(v.expect.server_salt_le);
      // The pong answers the client's first message, the one new_session_created names.
      expect(pong).toEqual({ _: 'pong', msg_id: body.readBigInt64LE(28), ping_id: body.readBigInt64LE(second + 28) });
      expect(pong).toMatchObject({ ping_id: 0x300864n });
      expect(toHex(encodeService(decoded))).toBe(toHex(body));
      count.ran(v.id);
    }
    count.done();
  });

  it('leaves non-service bodies to the application, and needs a constructor id', () => {
    expect(decodeService(h('12345678 00000000'))).toBeUndefined();
    expect(decodeService(h(`${V} 00000000`))).toBeUndefined();
    for (const n of [0, 1, 3]) expectTlError(() => decodeService(new Uint8Array(n)));
    expect(constructorId(h('dcf8f173 00'))).toBe(ID.msg_container);
    expectTlError(() => constructorId(h('dcf8f1')));
  });

  it('rpc_result keeps the result serialized; an rpc_error inside decodes in turn', () => {
    const error = encodeService({ _: 'rpc_error', error_code: 400, error_message: 'TEMP_AUTH_KEY_EMPTY' });
    const result = decodeService(encodeService({ _: 'rpc_result', req_msg_id: 5n, result: error }));
    expect(result).toEqual({ _: 'rpc_result', req_msg_id: 5n, result: error });
    expect(decodeService((result as { result: Uint8Array }).result)).toEqual({ _: 'rpc_error', error_code: 400, error_message: 'TEMP_AUTH_KEY_EMPTY' });
    for (const bad of ['', 'b57572', 'b5757299 00']) expectTlError(() => decodeService(h(`016d5cf3 0500000000000000 ${bad}`)));
    expect(() => encodeService({ _: 'rpc_result', req_msg_id: 5n, result: h('b57572') })).toThrow(RangeError);
  });

  it('rpc_error text: UTF-8 is checked and a leading U+FEFF is kept', () => {
    expectTlError(() => decodeService(h('19ca4421 a4010000 02c32800')));
    const bom = { _: 'rpc_error', error_code: 1, error_message: '\ufeffX' } as const;
    expect(decodeService(encodeService(bom))).toEqual(bom);
  });

  const entry = (i: number) => ({ msg_id: BigInt(i), seqno: i, body: h('b5757299') });
  const container = (n: number) => encodeService({ _: 'msg_container', messages: Array.from({ length: n }, (_, i) => entry(i)) });

  it(`msg_container: at most ${MAX_CONTAINER_MESSAGES} messages, each body fitting and whole words, none nested`, () => {
    expect((decodeService(container(MAX_CONTAINER_MESSAGES)) as { messages: unknown[] }).messages.length).toBe(1024);
    // 1025 well-formed entries: the 1024 above (after id and count) and one more.
    const entries = container(MAX_CONTAINER_MESSAGES).subarray(8);
    const over = new TlWriter(1 << 16).int(ID.msg_container).int(MAX_CONTAINER_MESSAGES + 1).raw(entries).long(9999n).int(0).int(4).int(ID.boolTrue);
    expectTlError(() => decodeService(over.finish()));
    expect(() => container(MAX_CONTAINER_MESSAGES + 1)).toThrow(RangeError);
    const head = 'dcf8f173 01000000 0100000000000000 01000000';
    expect(decodeService(h(`${head} 04000000 b5757299`))).toEqual({ _: 'msg_container', messages: [{ msg_id: 1n, seqno: 1, body: h('b5757299') }] });
    for (const bytes of ['08000000', '05000000', '03000000', '00000000', 'fcffffff', 'ffffff7f']) {
      expectTlError(() => decodeService(h(`${head} ${bytes} b5757299`)));
    }
    expectTlError(() => decodeService(h('dcf8f173 ffffffff')));
    expectTlError(() => decodeService(h('dcf8f173 02000000 0100000000000000 01000000 04000000 b5757299')));
    const nested = { msg_id: 1n, seqno: 0, body: h('dcf8f173 00000000') };
    expectTlError(() => decodeService(h(`${head} 08000000 dcf8f173 00000000`)));
    expect(() => encodeService({ _: 'msg_container', messages: [nested] })).toThrow(RangeError);
    expect(() => encodeService({ _: 'msg_container', messages: [{ ...nested, body: h('b57572') }] })).toThrow(RangeError);
    // msg_copy is not a container: it may carry one (the rule is about containers in containers).
    expect(decodeService(encodeService({ _: 'msg_copy', orig_message: nested }))).toEqual({ _: 'msg_copy', orig_message: nested });
  });

  it(`id lists hold at most ${MAX_MSG_IDS} ids, future_salts at most ${MAX_FUTURE_SALTS} salts`, () => {
    const ids = Array.from({ length: MAX_MSG_IDS }, (_, i) => BigInt(i));
    for (const name of ['msgs_ack', 'msgs_state_req', 'msg_resend_req', 'msg_resend_ans_req'] as const) {
      expect(decodeService(encodeService({ _: name, msg_ids: ids }))).toEqual({ _: name, msg_ids: ids });
      expect(() => encodeService({ _: name, msg_ids: [...ids, 0n] })).toThrow(RangeError);
      const over = new TlWriter(1 << 17).int(ID[name]).vector([...ids, 0n], (w, x) => w.long(x)).finish();
      expectTlError(() => decodeService(over));
    }
    const all = new TlWriter(1 << 17).int(ID.msgs_all_info).vector([...ids, 0n], (w, x) => w.long(x)).bytes(new Uint8Array(MAX_MSG_IDS + 1)).finish();
    expectTlError(() => decodeService(all));
    const salts = (n: number) => Array.from({ length: n }, (_, i) => ({ valid_since: i, valid_until: i + 1, salt: BigInt(i) }));
    expect(decodeService(encodeService({ _: 'future_salts', req_msg_id: 1n, now: 2, salts: salts(64) }))).toMatchObject({ salts: salts(64) });
    expect(() => encodeService({ _: 'future_salts', req_msg_id: 1n, now: 2, salts: salts(65) })).toThrow(RangeError);
    const w = new TlWriter(2048).int(ID.future_salts).long(1n).int(2).int(65);
    for (const s of salts(65)) w.int(s.valid_since).int(s.valid_until).long(s.salt);
    expectTlError(() => decodeService(w.finish()));
    expectTlError(() => decodeService(h('950850ae 0900000000000000 0a000000 02000000 01000000 02000000 0300000000000000')));
  });

  it('msgs_all_info needs one status byte per id', () => {
    expectTlError(() => decodeService(h(`31d1c08c ${V} 02000000 0100000000000000 0200000000000000 01010000`)));
    expect(() => encodeService({ _: 'msgs_all_info', msg_ids: [1n], info: new Uint8Array(2) })).toThrow(RangeError);
  });

  it('refuses programmer errors when encoding', () => {
    expect(() => encodeService({ _: 'nope' } as any)).toThrow(TypeError);
    expect(() => encodeService({ _: 'toString' } as any)).toThrow(TypeError);
    expect(() => encodeService(null as any)).toThrow(TypeError);
    expect(() => encodeService({ _: 'ping', ping_id: 1 } as any)).toThrow(RangeError);
    expect(() => encodeService({ _: 'gzip_packed', packed_data: [1, 2] } as any)).toThrow(TypeError);
    expect(() => decodeService([0, 0, 0, 0] as any)).toThrow(TypeError);
  });
});

describe('gzip_packed', () => {
  const Original = globalThis.DecompressionStream;
  afterEach(() => {
    globalThis.DecompressionStream = Original;
  });

  it.each([0, 1, 1000, 1 << 20])('gzipPacked → node:zlib gunzipSync, and gzipSync → gunzipPacked (%i bytes)', async (n) => {
    const data = pattern(n);
    const packed = await gzipPacked(data);
    expect([...packed.subarray(0, 3)]).toEqual([0x1f, 0x8b, 0x08]); // RFC 1952 magic and deflate
    expectSameBytes(gunzipSync(packed), data);
    expectSameBytes(await gunzipPacked(gzipSync(data), n), data);
    expectSameBytes(await gunzipPacked(packed, n), data);
  });

  it('refuses output past maxSize', async () => {
    const data = pattern(5000);
    expect(await gunzipPacked(gzipSync(data), 5000)).toEqual(data);
    await expect(gunzipPacked(gzipSync(data), 4999)).rejects.toMatchObject({ name: 'MtprotoError', code: 'gzip-too-large' });
    await expect(gunzipPacked(gzipSync(Uint8Array.of(1)), 0)).rejects.toMatchObject({ code: 'gzip-too-large' });
    expect(await gunzipPacked(gzipSync(new Uint8Array(0)), 0)).toEqual(new Uint8Array(0));
  });

  it('stops a 64 MiB zip bomb after about 1 MiB of output', async () => {
    const bomb = gzipSync(new Uint8Array(64 << 20), { level: 9 });
    expect(bomb.length).toBeLessThan(128 << 10);
    // Count what the platform decompressor hands out, through a wrapper installed for this test.
    let produced = 0;
    globalThis.DecompressionStream = class {
      readonly writable: WritableStream<BufferSource>;
      readonly readable: ReadableStream<Uint8Array>;
      constructor(format: CompressionFormat) {
        const inner = new Original(format);
        this.writable = inner.writable;
        this.readable = inner.readable.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, out) {
            produced += chunk.length;
            out.enqueue(chunk);
          },
        }));
      }
    } as typeof DecompressionStream;
    const before = process.memoryUsage().arrayBuffers;
    const error = await gunzipPacked(bomb, 1 << 20).catch((e: unknown) => e);
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(error).toBeInstanceOf(MtprotoError);
    expect((error as MtprotoError).code).toBe('gzip-too-large');
    expect(produced).toBeGreaterThan(1 << 20);
    expect(produced).toBeLessThan((1 << 20) + (256 << 10));
    expect(grown).toBeLessThan(16 << 20);
  });

  it('reads zlib-format packed_data too (mtcute compresses with deflate), bounded the same way', async () => {
    for (const n of [0, 10, 1000, 1 << 20]) {
      expect(Buffer.from(await gunzipPacked(deflateSync(pattern(n)), 1 << 20)).equals(Buffer.from(pattern(n)))).toBe(true);
    }
    await expect(gunzipPacked(deflateSync(new Uint8Array(4 << 20)), 1 << 20)).rejects.toMatchObject({ code: 'gzip-too-large' });
    const corrupt = deflateSync(pattern(1000));
    corrupt[corrupt.length - 1] ^= 1; // the Adler-32 check
    await expect(gunzipPacked(corrupt, 1 << 20)).rejects.toMatchObject({ code: 'gzip-invalid' });
  });

  it('refuses corrupt, truncated, empty and unknown-format input', async () => {
    const good = gzipSync(pattern(1000));
    const badCrc = Uint8Array.from(good);
    badCrc[badCrc.length - 6] ^= 1;
    const badHeader = Uint8Array.from(good);
    badHeader[0] = 0x1e;
    const inputs = [new Uint8Array(0), good.subarray(0, good.length - 1), good.subarray(0, 10), badCrc, badHeader, deflateSync(pattern(10)).subarray(0, 6), pattern(64)];
    for (const input of inputs) {
      await expect(gunzipPacked(input, 1 << 20)).rejects.toMatchObject({ name: 'MtprotoError', code: 'gzip-invalid' });
    }
  });

  it('a gzip_packed rpc_error survives the whole path', async () => {
    const error = encodeService({ _: 'rpc_error', error_code: 500, error_message: 'x'.repeat(300) });
    const packed = decodeService(encodeService({ _: 'gzip_packed', packed_data: await gzipPacked(error) }));
    expect(packed?._).toBe('gzip_packed');
    const inner = await gunzipPacked((packed as { packed_data: Uint8Array }).packed_data, 1 << 20);
    expect(decodeService(inner)).toEqual({ _: 'rpc_error', error_code: 500, error_message: 'x'.repeat(300) });
  });

  it('checks its arguments and reports a platform without streams', async () => {
    await expect(gunzipPacked(gzipSync(pattern(1)), -1)).rejects.toThrow(RangeError);
    await expect(gunzipPacked(gzipSync(pattern(1)), 1.5)).rejects.toThrow(TypeError);
    await expect(gunzipPacked([1, 2] as any, 10)).rejects.toThrow(TypeError);
    await expect(gzipPacked('x' as any)).rejects.toThrow(TypeError);
    globalThis.DecompressionStream = undefined as any;
    await expect(gunzipPacked(gzipSync(pattern(1)), 10)).rejects.toMatchObject({ code: 'gzip-unsupported' });
  });
});
