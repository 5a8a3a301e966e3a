// The mmtls codecs (spec §4, §5): every handshake message, alerts, the record framing and record
// protection, and the byte reader / writer under them. Round trips, exact bytes where the spec
// gives them, and exact errors: a malformed message is an MmtlsError naming the alert the spec (or
// docs/mmtls.md's table, record/alert.ts) gives for it, never another exception.
import { describe, expect, it } from 'vitest';
import { ByteReader, DecodeError } from '../../bindings/codec/reader.js';
import { ByteWriter } from '../../bindings/codec/writer.js';
import { MmtlsError, decoding } from '../../bindings/mmtls/errors.js';
import {
  CipherSuite, type ClientHello, KEY_SHARE_TRAILER, decodeClientHello, encodeClientHello,
} from '../../bindings/mmtls/handshake/client-hello.js';
import { ExtensionType } from '../../bindings/mmtls/handshake/extensions.js';
import { HandshakeType, messageType } from '../../bindings/mmtls/handshake/framing.js';
import { type ServerHello, decodeServerHello, encodeServerHello } from '../../bindings/mmtls/handshake/server-hello.js';
import {
  type SessionTicket, TICKET_UNKNOWN_FIELD, decodeNewSessionTicket, encodeNewSessionTicket, parseSessionTicket, sessionTicketBytes,
  ticketForOffer,
} from '../../bindings/mmtls/handshake/session-ticket.js';
import {
  decodeCertificateVerify, decodeEncryptedExtensions, decodeFinished, encodeCertificateVerify, encodeEncryptedExtensions, encodeFinished,
} from '../../bindings/mmtls/handshake/small-messages.js';
import { decodeDataPart, encodeDataPart } from '../../bindings/mmtls/net/short-link.js';
import { ALERTS, type AlertName, decodeAlert, encodeAlert } from '../../bindings/mmtls/record/alert.js';
import { RecordStream } from '../../bindings/mmtls/record/cipher.js';
import {
  MAX_RECORD_BODY, type MmtlsRecord, RecordSplitter, RecordType, plainRecord, recordHeader, splitRecords,
} from '../../bindings/mmtls/record/record.js';
import { forEachProvider } from '../helpers/providers.js';
import { hex, toHex } from '../helpers/vectors.js';
import { concat, looseHex } from './capture.js';

// ---- helpers ------------------------------------------------------------------------------------

/** The MmtlsError `fn` throws; fails the test if it returns or throws anything else. */
function mmtlsError(fn: () => unknown): MmtlsError {
  let result: unknown;
  try {
    result = fn();
  } catch (e) {
    if (e instanceof MmtlsError) return e;
    throw new Error(`expected an MmtlsError, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
  }
  throw new Error(`expected an MmtlsError, got a result: ${JSON.stringify(result, (_, v) => (v instanceof Uint8Array ? toHex(v) : v))}`);
}

function expectAlert(fn: () => unknown, alert: AlertName): void {
  expect(mmtlsError(fn).alert).toBe(alert);
}

function fill(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (seed * 31 + i * 7) & 0xff);
}

function point(seed: number): Uint8Array {
  const p = fill(65, seed);
  p[0] = 4;
  return p;
}

/** `message` with its u32 length prefix rewritten to match its size. */
function reframe(message: Uint8Array): Uint8Array {
  const out = message.slice();
  new DataView(out.buffer).setUint32(0, out.length - 4);
  return out;
}

function setU32(bytes: Uint8Array, at: number, value: number): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(at, value);
  return out;
}

const ACCESS: SessionTicket = { type: 1, lifetime: 604800, ageAdd: new Uint8Array(0), unknown: TICKET_UNKNOWN_FIELD, nonce: fill(12, 1), ticket: fill(60, 2) };
const REFRESH: SessionTicket = { type: 2, lifetime: 2592000, ageAdd: fill(32, 3), unknown: TICKET_UNKNOWN_FIELD, nonce: fill(12, 4), ticket: fill(60, 5) };
const SHARES = [{ index: 5, point: point(6) }, { index: 6, point: point(7) }];

const HELLOS: Record<string, ClientHello> = {
  'ECDHE only': { suites: [CipherSuite.ecdhe], random: fill(32, 8), timestamp: 0x656e783c, keyShares: SHARES },
  'PSK + ECDHE': { suites: [CipherSuite.ecdhe, CipherSuite.psk], random: fill(32, 9), timestamp: 1, psk: ticketForOffer(REFRESH), keyShares: SHARES },
  'PSK only': { suites: [CipherSuite.psk], random: fill(32, 10), timestamp: 0xffffffff, psk: ticketForOffer(ACCESS) },
};

/** What decodeClientHello gives for a hello we encoded: the defaults filled in. */
function decodedForm(ch: ClientHello): ClientHello {
  return { ...ch, ...(ch.keyShares && { keyShareTrailer: KEY_SHARE_TRAILER }), otherExtensions: [] };
}

const SERVER_HELLOS: Record<string, ServerHello> = {
  'ECDHE (with key share)': { suite: CipherSuite.ecdhe, random: fill(32, 11), keyShare: { index: 5, point: point(12) } },
  'PSK (no extension)': { suite: CipherSuite.psk, random: fill(32, 13) },
};

/** A valid encoding of every message type, for the truncation and framing tests. */
const MESSAGES: Array<[string, Uint8Array, (m: Uint8Array) => unknown]> = [
  ...Object.entries(HELLOS).map(([name, ch]): [string, Uint8Array, (m: Uint8Array) => unknown] => [`ClientHello ${name}`, encodeClientHello(ch), decodeClientHello]),
  ...Object.entries(SERVER_HELLOS).map(([name, sh]): [string, Uint8Array, (m: Uint8Array) => unknown] => [`ServerHello ${name}`, encodeServerHello(sh), decodeServerHello]),
  ['NewSessionTicket (2 tickets)', encodeNewSessionTicket([ACCESS, REFRESH]), decodeNewSessionTicket],
  ['CertificateVerify', encodeCertificateVerify(fill(71, 14)), decodeCertificateVerify],
  ['Finished', encodeFinished(fill(32, 15)), decodeFinished],
  ['EncryptedExtensions', encodeEncryptedExtensions(0x656e783c), decodeEncryptedExtensions],
];

// ---- ClientHello ----------------------------------------------------------------------------------

describe('ClientHello (spec §5.2)', () => {
  for (const [name, ch] of Object.entries(HELLOS)) {
    it(`${name}: decode(encode(x)) = x and encode(decode(bytes)) = bytes`, () => {
      const bytes = encodeClientHello(ch);
      const decoded = decodeClientHello(bytes);
      expect(decoded).toEqual(decodedForm(ch));
      expect(toHex(encodeClientHello(decoded))).toBe(toHex(bytes));
      expect(messageType(bytes)).toBe(HandshakeType.clientHello);
    });
  }

  it('ECDHE only: the exact bytes of spec §5.2 (key share extension of 0xa6 bytes as in the capture)', () => {
    const ch = HELLOS['ECDHE only']!;
    const share = (k: { index: number; point: Uint8Array }) => `00000047${k.index.toString(16).padStart(8, '0')}0041${toHex(k.point)}`;
    const ext = `000000a6` + `0010` + `02` + share(SHARES[0]!) + share(SHARES[1]!) + '00000000020000000300000004';
    const block = `${(1 + ext.length / 2).toString(16).padStart(8, '0')}01${ext}`;
    const body = `01` + `04f1` + `01c02b` + toHex(ch.random) + '656e783c' + block;
    const expected = `${(body.length / 2).toString(16).padStart(8, '0')}${body}`;
    expect(toHex(encodeClientHello(ch))).toBe(expected);
  });

  it('PSK + ECDHE: the extensions come in the reverse order of the suites (PSK first), the ticket with age_add emptied', () => {
    const ch = HELLOS['PSK + ECDHE']!;
    const bytes = encodeClientHello(ch);
    // after u32 len, type, version, n_suites and two suites, random and timestamp: the block
    const at = 4 + 1 + 2 + 1 + 4 + 32 + 4;
    expect(toHex(bytes.subarray(7, 12))).toBe('02c02b00a8');
    const r = new ByteReader(bytes, at);
    const block = r.sub(r.u32('block'), 'block');
    expect(block.u8('count')).toBe(2);
    const first = block.sub(block.u32('len'), 'ext');
    expect(first.u16('type')).toBe(ExtensionType.preSharedKey);
    expect(first.u8('ticket count')).toBe(1);
    const ticket = first.vec32('ticket');
    expect(toHex(ticket)).toBe(toHex(sessionTicketBytes({ ...REFRESH, ageAdd: new Uint8Array(0) })));
    const second = block.sub(block.u32('len'), 'ext');
    expect(second.u16('type')).toBe(ExtensionType.clientKeyShare);
    block.done('block');
    r.done('hello');
    expect(decodeClientHello(bytes).psk!.ageAdd.length).toBe(0);
    expect(REFRESH.ageAdd.length).toBe(32); // ticketForOffer did not modify the ticket it copied
  });

  it('PSK only: the 0-RTT hello layout of the capture (suite 00a8, one PSK extension)', () => {
    const bytes = encodeClientHello(HELLOS['PSK only']!);
    expect(toHex(bytes.subarray(4, 10))).toBe('0104f10100a8');
    const psk = sessionTicketBytes(ticketForOffer(ACCESS));
    expect(toHex(bytes.subarray(46))).toBe(`${(1 + 4 + 2 + 1 + 4 + psk.length).toString(16).padStart(8, '0')}01${(2 + 1 + 4 + psk.length).toString(16).padStart(8, '0')}000f01${psk.length.toString(16).padStart(8, '0')}${toHex(psk)}`);
  });

  it('unknown extensions after the known ones are kept, in order, and re-encoded', () => {
    const ch: ClientHello = { ...HELLOS['PSK only']!, otherExtensions: [{ type: 0x0099, data: fill(3, 16) }, { type: 0x0012, data: new Uint8Array(0) }] };
    const bytes = encodeClientHello(ch);
    const decoded = decodeClientHello(bytes);
    expect(decoded.otherExtensions).toEqual(ch.otherExtensions);
    expect(toHex(encodeClientHello(decoded))).toBe(toHex(bytes));
  });

  it('a suite that is not known is kept and needs no extension', () => {
    const ch: ClientHello = { suites: [0x1301, CipherSuite.psk], random: fill(32, 17), timestamp: 5, psk: ACCESS };
    const decoded = decodeClientHello(encodeClientHello(ch));
    expect(decoded.suites).toEqual([0x1301, CipherSuite.psk]);
    expect(decoded.psk).toEqual(ACCESS);
  });

  it('errors: version, suite/extension mismatches, duplicate extensions, key shares, ticket count and type', () => {
    const ecdhe = encodeClientHello(HELLOS['ECDHE only']!);
    const psk = encodeClientHello(HELLOS['PSK only']!);
    // body version (little-endian 04 f1)
    for (const v of ['f104', '04f2', '0000', '03f1']) {
      const b = ecdhe.slice();
      b.set(hex(v), 5);
      expectAlert(() => decodeClientHello(b), 'protocol_version');
    }
    // the type byte
    expectAlert(() => decodeClientHello(encodeServerHello(SERVER_HELLOS['PSK (no extension)']!)), 'unexpected_message');
    // suite 00a8 without the PSK extension, and the PSK extension without the suite
    const withoutSuite = ecdhe.slice();
    withoutSuite.set([0x00, 0xa8], 8); // c02b → 00a8: the key-share extension is now unexplained
    expectAlert(() => decodeClientHello(withoutSuite), 'illegal_parameter');
    const pskNoSuite = psk.slice();
    pskNoSuite.set([0x13, 0x01], 8);
    expectAlert(() => decodeClientHello(pskNoSuite), 'illegal_parameter');
    // the same extension twice
    expectAlert(() => decodeClientHello(encodeClientHello({ ...HELLOS['PSK only']!, otherExtensions: [{ type: ExtensionType.preSharedKey, data: new Uint8Array(0) }] })), 'illegal_parameter');
    // zero key shares
    const noShares = new ByteWriter().framed32((w) => {
      w.u8(1).u8(0x04).u8(0xf1).u8(1).u16(CipherSuite.ecdhe).bytes(fill(32, 1)).u32(0);
      w.framed32((b) => b.u8(1).framed32((x) => x.u16(ExtensionType.clientKeyShare).u8(0).bytes(KEY_SHARE_TRAILER)));
    }).finish();
    expectAlert(() => decodeClientHello(noShares), 'illegal_parameter');
    // two PSK tickets
    const twoTickets = new ByteWriter().framed32((w) => {
      w.u8(1).u8(0x04).u8(0xf1).u8(1).u16(CipherSuite.psk).bytes(fill(32, 1)).u32(0);
      const t = sessionTicketBytes(ACCESS);
      w.framed32((b) => b.u8(1).framed32((x) => x.u16(ExtensionType.preSharedKey).u8(2).vec32(t).vec32(t)));
    }).finish();
    expectAlert(() => decodeClientHello(twoTickets), 'illegal_parameter');
    // a ticket of type 3 (only 1 and 2 exist)
    expectAlert(() => decodeClientHello(encodeClientHello({ ...HELLOS['PSK only']!, psk: { ...ACCESS, type: 3 as 1 } })), 'illegal_parameter');
    // a key-share trailer shorter than 13 bytes, and a key share with bytes after its point
    expectAlert(() => decodeClientHello(encodeClientHello({ ...HELLOS['ECDHE only']!, keyShareTrailer: fill(12, 1) })), 'decode_error');
    expectAlert(() => decodeClientHello(encodeClientHello({ ...HELLOS['ECDHE only']!, keyShareTrailer: fill(14, 1) })), 'decode_error');
  });

  it('encoder misuse is a TypeError / RangeError, not an MmtlsError', () => {
    expect(() => encodeClientHello({ suites: [CipherSuite.psk], random: fill(32, 1), timestamp: 0 })).toThrow(TypeError);
    expect(() => encodeClientHello({ suites: [CipherSuite.ecdhe], random: fill(32, 1), timestamp: 0 })).toThrow(TypeError);
    expect(() => encodeClientHello({ suites: [CipherSuite.ecdhe], random: fill(32, 1), timestamp: 0, keyShares: [] })).toThrow(TypeError);
    expect(() => encodeClientHello({ ...HELLOS['PSK only']!, random: fill(31, 1) })).toThrow(RangeError);
  });
});

// ---- ServerHello ----------------------------------------------------------------------------------

describe('ServerHello (spec §5.3)', () => {
  for (const [name, sh] of Object.entries(SERVER_HELLOS)) {
    it(`${name}: round trips`, () => {
      const bytes = encodeServerHello(sh);
      const decoded = decodeServerHello(bytes);
      // extension 0x0013 defaults to 00000001 00000003 (what WeChat sends for the first key share)
      expect(decoded).toEqual(sh.keyShare ? { ...sh, keyShareInfo: hex('0000000100000003') } : sh);
      expect(toHex(encodeServerHello(decoded))).toBe(toHex(bytes));
    });
  }

  it('PSK: the exact bytes of the capture\'s form (…00000001 00)', () => {
    const sh = SERVER_HELLOS['PSK (no extension)']!;
    expect(toHex(encodeServerHello(sh))).toBe(`0000002a0204f100a8${toHex(sh.random)}0000000100`);
  });

  it('ECDHE: extension 0011 (index, point) then 0013 (00000001 00000003)', () => {
    const sh = SERVER_HELLOS['ECDHE (with key share)']!;
    const ext11 = `000000490011${'00000005'}0041${toHex(sh.keyShare!.point)}`;
    const ext13 = '0000000a00130000000100000003';
    const block = `${(1 + (ext11.length + ext13.length) / 2).toString(16).padStart(8, '0')}02${ext11}${ext13}`;
    const body = `0204f1c02b${toHex(sh.random)}${block}`;
    expect(toHex(encodeServerHello(sh))).toBe(`${(body.length / 2).toString(16).padStart(8, '0')}${body}`);
  });

  it('errors: version, unknown suite, key share with the wrong suite, malformed key share', () => {
    const psk = encodeServerHello(SERVER_HELLOS['PSK (no extension)']!);
    const ecdhe = encodeServerHello(SERVER_HELLOS['ECDHE (with key share)']!);
    const badVersion = psk.slice();
    badVersion[6] = 0xf2;
    expectAlert(() => decodeServerHello(badVersion), 'protocol_version');
    const badSuite = psk.slice();
    badSuite.set([0xc0, 0x2f], 7);
    expectAlert(() => decodeServerHello(badSuite), 'illegal_parameter');
    // ECDHE suite, no key share
    const noShare = psk.slice();
    noShare.set([0xc0, 0x2b], 7);
    expectAlert(() => decodeServerHello(noShare), 'illegal_parameter');
    // PSK suite with a key share
    const pskWithShare = ecdhe.slice();
    pskWithShare.set([0x00, 0xa8], 7);
    expectAlert(() => decodeServerHello(pskWithShare), 'illegal_parameter');
    // the key share's point length says one byte more than there is
    const longPoint = ecdhe.slice();
    longPoint[4 + 1 + 2 + 2 + 32 + 4 + 1 + 4 + 2 + 4 + 1] = 0x42;
    expectAlert(() => decodeServerHello(longPoint), 'decode_error');
    expectAlert(() => decodeServerHello(encodeClientHello(HELLOS['PSK only']!)), 'unexpected_message');
    expect(() => encodeServerHello({ suite: CipherSuite.psk, random: fill(33, 1) })).toThrow(RangeError);
  });
});

// ---- NewSessionTicket, SessionTicket ----------------------------------------------------------------

describe('NewSessionTicket and SessionTicket (spec §5.5)', () => {
  it('two tickets round trip, with the exact layout u32 len | 04 | count | (u32 len | ticket)…', () => {
    const bytes = encodeNewSessionTicket([ACCESS, REFRESH]);
    expect(decodeNewSessionTicket(bytes)).toEqual([ACCESS, REFRESH]);
    const a = sessionTicketBytes(ACCESS);
    const r = sessionTicketBytes(REFRESH);
    const body = `0402${a.length.toString(16).padStart(8, '0')}${toHex(a)}${r.length.toString(16).padStart(8, '0')}${toHex(r)}`;
    expect(toHex(bytes)).toBe(`${(body.length / 2).toString(16).padStart(8, '0')}${body}`);
    // SessionTicket = type | lifetime | u16 age_add | unknown | u16 nonce | u16 ticket
    expect(toHex(a)).toBe(`01${'00093a80'}0000${'00000048'}000c${toHex(ACCESS.nonce)}003c${toHex(ACCESS.ticket)}`);
    expect(toHex(r.subarray(0, 7))).toBe('0200278d000020');
  });

  it('zero tickets, and parseSessionTicket / sessionTicketBytes', () => {
    expect(decodeNewSessionTicket(encodeNewSessionTicket([]))).toEqual([]);
    expect(toHex(encodeNewSessionTicket([]))).toBe('000000020400');
    expect(parseSessionTicket(sessionTicketBytes(REFRESH))).toEqual(REFRESH);
    expectAlert(() => parseSessionTicket(concat(sessionTicketBytes(REFRESH), Uint8Array.of(0))), 'decode_error');
    expectAlert(() => parseSessionTicket(sessionTicketBytes(REFRESH).subarray(0, 10)), 'decode_error');
  });

  it('errors: ticket type, bytes after a ticket inside its length, count larger than present', () => {
    expectAlert(() => decodeNewSessionTicket(encodeNewSessionTicket([{ ...ACCESS, type: 0 as 1 }])), 'illegal_parameter');
    expectAlert(() => parseSessionTicket(sessionTicketBytes({ ...ACCESS, type: 3 as 1 })), 'illegal_parameter');
    const padded = new ByteWriter().framed32((w) => w.u8(4).u8(1).framed32((x) => x.bytes(sessionTicketBytes(ACCESS)).u8(0))).finish();
    expectAlert(() => decodeNewSessionTicket(padded), 'decode_error');
    const bytes = encodeNewSessionTicket([ACCESS]);
    const moreCount = bytes.slice();
    moreCount[5] = 2;
    expectAlert(() => decodeNewSessionTicket(moreCount), 'decode_error');
    expectAlert(() => decodeNewSessionTicket(encodeFinished(fill(32, 1))), 'unexpected_message');
  });

  it('an encoder refuses a ticket count that does not fit its u8 field (instead of writing count mod 256)', () => {
    // BUG (bindings/codec/writer.ts u8 / session-ticket.ts): 256 tickets are written with count 0,
    // a message no decoder accepts. Counts written with u8 are not checked like vec16 lengths are.
    const many = Array.from({ length: 256 }, () => ACCESS);
    expect(() => encodeNewSessionTicket(many)).toThrow(RangeError);
  });
});

// ---- small messages ---------------------------------------------------------------------------------

describe('CertificateVerify, Finished, EncryptedExtensions (spec §5.4, §5.6, §5.7)', () => {
  it('CertificateVerify: u32 len | 0f | u16 len | DER signature, round trip', () => {
    const der = fill(72, 20);
    const bytes = encodeCertificateVerify(der);
    expect(toHex(bytes)).toBe(`0000004b0f0048${toHex(der)}`);
    expect(toHex(decodeCertificateVerify(bytes))).toBe(toHex(der));
    expectAlert(() => decodeCertificateVerify(reframe(concat(bytes, Uint8Array.of(0)))), 'decode_error');
    expectAlert(() => decodeCertificateVerify(encodeFinished(fill(32, 1))), 'unexpected_message');
  });

  it('Finished: u32 0x23 | 14 | 0020 | verify_data, round trip; other verify_data lengths refused', () => {
    const vd = fill(32, 21);
    const bytes = encodeFinished(vd);
    expect(toHex(bytes)).toBe(`00000023140020${toHex(vd)}`);
    expect(toHex(decodeFinished(bytes))).toBe(toHex(vd));
    for (const n of [0, 31, 33, 64]) expectAlert(() => decodeFinished(encodeFinished(fill(n, 1))), 'decode_error');
    expectAlert(() => decodeFinished(encodeCertificateVerify(fill(32, 1))), 'unexpected_message');
  });

  it('EncryptedExtensions: the capture\'s 20 bytes, round trip; missing or malformed timestamp refused', () => {
    expect(toHex(encodeEncryptedExtensions(0x656e783c))).toBe('00000010080000000b01000000060012656e783c');
    for (const t of [0, 1, 0x656e783c, 0xffffffff]) expect(decodeEncryptedExtensions(encodeEncryptedExtensions(t))).toBe(t);
    const ee = (exts: Array<[number, Uint8Array]>) => new ByteWriter().framed32((w) => {
      w.u8(HandshakeType.encryptedExtensions).framed32((b) => {
        b.u8(exts.length);
        for (const [type, data] of exts) b.framed32((x) => x.u16(type).bytes(data));
      });
    }).finish();
    expect(decodeEncryptedExtensions(ee([[0x0012, hex('00000007')]]))).toBe(7);
    expectAlert(() => decodeEncryptedExtensions(ee([])), 'illegal_parameter');
    expectAlert(() => decodeEncryptedExtensions(ee([[0x0013, hex('00000007')]])), 'illegal_parameter');
    expectAlert(() => decodeEncryptedExtensions(ee([[0x0012, hex('000007')]])), 'decode_error');
    expectAlert(() => decodeEncryptedExtensions(ee([[0x0012, hex('0000000700')]])), 'decode_error');
    expectAlert(() => decodeEncryptedExtensions(ee([[0x0012, hex('00000007')], [0x0012, hex('00000008')]])), 'illegal_parameter');
    expectAlert(() => decodeEncryptedExtensions(encodeFinished(fill(32, 1))), 'unexpected_message');
  });
});

// ---- framing errors common to every message ------------------------------------------------------------

describe('every message: truncations, extensions and framing', () => {
  for (const [name, bytes, decode] of MESSAGES) {
    it(`${name}: decodes; every truncation is decode_error`, () => {
      expect(() => decode(bytes)).not.toThrow();
      for (let n = 0; n < bytes.length; n++) {
        const e = mmtlsError(() => decode(bytes.subarray(0, n)));
        expect([n, e.alert]).toEqual([n, 'decode_error']);
      }
    });

    it(`${name}: every truncation with the length prefix fixed up is decode_error`, () => {
      for (let n = 5; n < bytes.length; n++) {
        const e = mmtlsError(() => decode(reframe(bytes.subarray(0, n))));
        expect([n, e.alert]).toEqual([n, 'decode_error']);
      }
    });

    it(`${name}: a byte appended (length kept, or fixed up) and a wrong length prefix are decode_error`, () => {
      expectAlert(() => decode(concat(bytes, Uint8Array.of(0))), 'decode_error');
      expectAlert(() => decode(reframe(concat(bytes, Uint8Array.of(0)))), 'decode_error');
      expectAlert(() => decode(setU32(bytes, 0, bytes.length - 3)), 'decode_error');
      expectAlert(() => decode(setU32(bytes, 0, 0xffffffff)), 'decode_error');
      expectAlert(() => decode(setU32(bytes, 0, 0)), 'decode_error');
    });

    it(`${name}: any other type byte is unexpected_message`, () => {
      for (let type = 0; type < 256; type++) {
        if (type === bytes[4]) continue;
        const b = bytes.slice();
        b[4] = type;
        expect([type, mmtlsError(() => decode(b)).alert]).toEqual([type, 'unexpected_message']);
      }
    });
  }
});

// ---- alerts ------------------------------------------------------------------------------------------

describe('alerts (spec §5.8, §9.1)', () => {
  it('every alert round trips; end_of_data is 00000003 00 0101, errors are level 2', () => {
    expect(toHex(encodeAlert('end_of_data'))).toBe('00000003000101');
    expect(toHex(encodeAlert('close_notify'))).toBe('00000003000000');
    expect(toHex(encodeAlert('bad_record_mac'))).toBe('00000003020014');
    expect(toHex(encodeAlert('decode_error'))).toBe('00000003020032');
    for (const name of Object.keys(ALERTS) as AlertName[]) {
      const bytes = encodeAlert(name);
      const level = name === 'end_of_data' || name === 'close_notify' ? 0 : 2;
      expect(decodeAlert(bytes)).toEqual({ level, name });
      expect(bytes[5]! * 256 + bytes[6]!).toBe(ALERTS[name]);
    }
  });

  it('errors: length other than 3, truncation, trailing bytes, unknown description', () => {
    const good = encodeAlert('end_of_data');
    for (let n = 0; n < good.length; n++) expectAlert(() => decodeAlert(good.subarray(0, n)), 'decode_error');
    expectAlert(() => decodeAlert(concat(good, Uint8Array.of(0))), 'decode_error');
    expectAlert(() => decodeAlert(hex('0000000400010100')), 'decode_error');
    expectAlert(() => decodeAlert(hex('00000002000101')), 'decode_error');
    expectAlert(() => decodeAlert(hex('00000003020001')), 'decode_error'); // description 1 is not in the table
    expectAlert(() => decodeAlert(hex('0000000302ffff')), 'decode_error');
  });

  it('decodeAlert refuses a level that does not go with the description (only what encodeAlert writes)', () => {
    // BUG (record/alert.ts): the level byte is read and returned as is, so 00000003 02 0101 and
    // 00000003 00 0014 decode although encodeAlert never writes them; Connection.receiveAlert then
    // dispatches on the level, not the name: bad_record_mac at level 0 ends the stream like
    // end_of_data (onEnd), end_of_data at level 2 kills the connection as a PeerAlert.
    expectAlert(() => decodeAlert(hex('00000003020101')), 'decode_error'); // end_of_data, level 2
    expectAlert(() => decodeAlert(hex('00000003000014')), 'decode_error'); // bad_record_mac, level 0
    expectAlert(() => decodeAlert(hex('00000003070101')), 'decode_error'); // a level that does not exist
  });
});

// ---- short-link data part ----------------------------------------------------------------------------

describe('short-link data part (spec §8.2)', () => {
  const part = { uri: '/cgi-bin/micromsg-bin/secautoauth', host: 'sgshort.wechat.com', body: fill(9, 60) };

  it('u32 len | u16 uri_len | uri | u16 host_len | host | u32 body_len | body, round trip', () => {
    const bytes = encodeDataPart(part);
    const ascii = (s: string) => toHex(new TextEncoder().encode(s));
    expect(toHex(bytes)).toBe(`00000044` + `0021${ascii(part.uri)}` + `0012${ascii(part.host)}` + `00000009${toHex(part.body)}`);
    expect(decodeDataPart(bytes)).toEqual(part);
    const unicode = { uri: '/é/𝄞', host: 'ß.example', body: new Uint8Array(0) };
    expect(decodeDataPart(encodeDataPart(unicode))).toEqual(unicode);
  });

  it('errors: every truncation, trailing bytes, a length past the end, invalid UTF-8 are decode_error', () => {
    const bytes = encodeDataPart(part);
    for (let n = 0; n < bytes.length; n++) expectAlert(() => decodeDataPart(bytes.subarray(0, n)), 'decode_error');
    for (let n = 4; n < bytes.length; n++) expectAlert(() => decodeDataPart(reframe(bytes.subarray(0, n))), 'decode_error');
    expectAlert(() => decodeDataPart(concat(bytes, Uint8Array.of(0))), 'decode_error');
    expectAlert(() => decodeDataPart(reframe(concat(bytes, Uint8Array.of(0)))), 'decode_error');
    const badUtf8 = bytes.slice();
    badUtf8[6] = 0xff; // the uri's first byte
    expectAlert(() => decodeDataPart(badUtf8), 'decode_error');
    const badHost = bytes.slice();
    badHost[6 + 33 + 2] = 0xc3; // a lead byte without its continuation
    expectAlert(() => decodeDataPart(badHost), 'decode_error');
  });

  it('a uri or host that begins with U+FEFF comes back unchanged', () => {
    // BUG (net/short-link.ts): TextDecoder('utf-8', { fatal: true }) strips a leading BOM
    // (ignoreBOM defaults to false), so EF BB BF at the start of the uri or host is dropped: the
    // decoder is not canonical and the application sees another uri than the one sent.
    const withBom = { uri: '\uFEFF/cgi-bin/x', host: '\uFEFFhost', body: new Uint8Array(0) };
    expect(decodeDataPart(encodeDataPart(withBom))).toEqual(withBom);
  });
});

// ---- ByteReader / ByteWriter ------------------------------------------------------------------------

describe('ByteReader', () => {
  it('reads big-endian integers, u32 unsigned, and stops exactly at the end', () => {
    const r = new ByteReader(hex('01fffe80000000ffffffff'));
    expect(r.u8('a')).toBe(1);
    expect(r.u16('b')).toBe(0xfffe);
    expect(r.u32('c')).toBe(0x80000000);
    expect(r.u32('d')).toBe(0xffffffff);
    expect(r.remaining).toBe(0);
    expect(r.offset).toBe(11);
    expect(r.bytesOf(0, 'empty').length).toBe(0);
    r.done('all');
    expect(() => r.u8('past the end')).toThrow(DecodeError);
  });

  it('a failed read consumes nothing and names the field', () => {
    const r = new ByteReader(hex('000102'));
    expect(() => r.u32('the field')).toThrow(/the field: needs 4 bytes, 3 left/);
    expect(r.offset).toBe(0);
    expect(r.u16('x')).toBe(1);
    expect(() => r.u16('y')).toThrow(DecodeError);
    expect(r.remaining).toBe(1);
  });

  it('vec16 / vec32: the length, then that many bytes; a length past the end is a DecodeError', () => {
    const r = new ByteReader(hex('0002abcd00000001ef'));
    expect(toHex(r.vec16('a'))).toBe('abcd');
    expect(toHex(r.vec32('b'))).toBe('ef');
    expect(() => new ByteReader(hex('0003abcd')).vec16('c')).toThrow(DecodeError);
    expect(() => new ByteReader(hex('ffffffffab')).vec32('d')).toThrow(DecodeError);
    expect(() => new ByteReader(hex('00')).vec16('e')).toThrow(DecodeError);
  });

  it('sub: a reader bounded to n bytes, which the parent skips; start/end bound the reader too', () => {
    const bytes = hex('0102030405060708');
    const r = new ByteReader(bytes, 1, 7);
    expect(r.remaining).toBe(6);
    const s = r.sub(3, 'sub');
    expect(r.offset).toBe(4);
    expect(s.u16('x')).toBe(0x0203);
    expect(() => s.u16('y')).toThrow(DecodeError); // 1 byte left in the sub reader though the parent has more
    expect(s.u8('z')).toBe(4);
    s.done('sub');
    expect(() => r.sub(4, 'too long')).toThrow(DecodeError);
    expect(r.u16('a')).toBe(0x0506);
    expect(() => r.u16('b')).toThrow(DecodeError); // byte 8 is outside [1, 7)
    expect(r.u8('c')).toBe(7);
  });

  it('bytesOf returns a view into the input', () => {
    const bytes = hex('aabbcc');
    const v = new ByteReader(bytes).bytesOf(2, 'v');
    bytes[0] = 0;
    expect(toHex(v)).toBe('00bb');
  });

  it('done: DecodeError naming the trailing bytes', () => {
    const r = new ByteReader(hex('0102'));
    r.u8('a');
    expect(() => r.done('msg')).toThrow(/msg: 1 unexpected trailing bytes/);
  });

  it('decoding(): DecodeError becomes MmtlsError(decode_error); other errors pass through unchanged', () => {
    expectAlert(() => decoding('x', () => new ByteReader(new Uint8Array(0)).u8('a')), 'decode_error');
    const own = new MmtlsError('illegal_parameter', 'mine');
    expect(mmtlsError(() => decoding('x', () => { throw own; }))).toBe(own);
    expect(() => decoding('x', () => { throw new RangeError('r'); })).toThrow(RangeError);
    expect(decoding('x', () => 42)).toBe(42);
  });
});

describe('ByteWriter', () => {
  it('writes big-endian integers and grows past its first 64 bytes without losing any', () => {
    const w = new ByteWriter().u8(0xab).u16(0x1234).u32(0xdeadbeef);
    const big = fill(1000, 3);
    w.bytes(big).u8(1);
    const out = w.finish();
    expect(out.length).toBe(1 + 2 + 4 + 1000 + 1);
    expect(w.length).toBe(out.length);
    expect(toHex(out.subarray(0, 7))).toBe('ab1234deadbeef');
    expect(toHex(out.subarray(7, 1007))).toBe(toHex(big));
    expect(out[1007]).toBe(1);
  });

  it('vec16 takes 65535 bytes and refuses 65536 (RangeError); vec32 writes a u32 length', () => {
    expect(new ByteWriter().vec16(new Uint8Array(0xffff)).finish().length).toBe(0x10001);
    expect(() => new ByteWriter().vec16(new Uint8Array(0x10000))).toThrow(RangeError);
    expect(toHex(new ByteWriter().vec32(hex('abcd')).finish())).toBe('00000002abcd');
  });

  it('framed32: patches the length of whatever the body wrote, nested, across growth', () => {
    const out = new ByteWriter()
      .u8(7)
      .framed32((w) => w.bytes(fill(100, 1)).framed32((x) => x.u16(1)))
      .finish();
    expect(toHex(out.subarray(0, 5))).toBe('070000006a');
    const r = new ByteReader(out);
    expect(r.u8('a')).toBe(7);
    const outer = r.sub(r.u32('outer'), 'outer');
    r.done('all');
    expect(outer.remaining).toBe(100 + 4 + 2);
    expect(toHex(outer.bytesOf(100, 'fill'))).toBe(toHex(fill(100, 1)));
    expect(outer.u32('inner')).toBe(2);
    expect(outer.u16('x')).toBe(1);
    expect(toHex(new ByteWriter().framed32(() => {}).finish())).toBe('00000000');
  });

  it('finish returns a fresh copy each time', () => {
    const w = new ByteWriter().u16(0x0102);
    const a = w.finish();
    a[0] = 0xff;
    expect(toHex(w.finish())).toBe('0102');
    w.u8(3);
    expect(toHex(a)).toBe('ff02');
  });
});

// ---- record framing -----------------------------------------------------------------------------------

const REQUEST = looseHex(
  // the start of Citizen Lab's 0-RTT request (the ClientHello record and the EncryptedExtensions record)
  '19f10400a10000009d0104f10100a84f6776fbb4668f2a36bb557494c40ccdc8bbf44441b024d88ec48629cc35e21b656e783c0000006f010000006a000f01000000630100093a8000000000003d000cce4f44552ea934fcaad4e9af004800f2e6a8769fb11a95ccb89baa474a75e141fcef7af6fcba8930ca4efffedc6823bbfe14690964540b40a4499bd56f7b697f3ee69e2b18fe75686cb5157080a606599e00f8bc1f3e'
  + '19f104002494eed4e7fceedecc370a5b8f55b834276b4464d43e23bc989442e33a153a4d2a5c21496c',
);

describe('record framing (spec §4.1)', () => {
  it('recordHeader / plainRecord: type | f104 | u16 length; lengths above 65535 are record_overflow', () => {
    expect(toHex(recordHeader(RecordType.handshake, 0x37))).toBe('16f1040037');
    expect(toHex(plainRecord(RecordType.alert, hex('abcd')))).toBe('15f1040002abcd');
    expect(toHex(recordHeader(RecordType.applicationData, MAX_RECORD_BODY))).toBe('17f104ffff');
    expectAlert(() => recordHeader(RecordType.applicationData, MAX_RECORD_BODY + 1), 'record_overflow');
    expectAlert(() => plainRecord(RecordType.applicationData, new Uint8Array(MAX_RECORD_BODY + 1)), 'record_overflow');
  });

  it('splitRecords: the records of a byte string; a partial record at the end is decode_error', () => {
    const records = splitRecords(REQUEST);
    expect(records.map((r) => [r.type, r.body.length, toHex(r.header)])).toEqual([[0x19, 161, '19f10400a1'], [0x19, 36, '19f1040024']]);
    for (let n = 1; n < REQUEST.length; n++) {
      if (n === 166) continue; // the boundary between the two records
      expectAlert(() => splitRecords(REQUEST.subarray(0, n)), 'decode_error');
    }
    expect(splitRecords(REQUEST.subarray(0, 166)).length).toBe(1);
    expect(splitRecords(new Uint8Array(0))).toEqual([]);
    expect(splitRecords(hex('17f1040000')).map((r) => r.body.length)).toEqual([0]);
  });

  it('RecordSplitter fed byte by byte gives the same records, each as soon as its last byte arrives', () => {
    const s = new RecordSplitter();
    const got: MmtlsRecord[] = [];
    for (let i = 0; i < REQUEST.length; i++) {
      const out = s.push(REQUEST.subarray(i, i + 1));
      if (i === 165 || i === REQUEST.length - 1) expect(out.length, `byte ${i}`).toBe(1);
      else expect(out.length, `byte ${i}`).toBe(0);
      got.push(...out);
      expect(s.buffered).toBe(i < 166 ? (i + 1) % 166 : (i + 1 - 166) % 41);
    }
    expect(got.map((r) => toHex(concat(r.header, r.body)))).toEqual(splitRecords(REQUEST).map((r) => toHex(concat(r.header, r.body))));
    expect(s.push(new Uint8Array(0))).toEqual([]);
  });

  it('RecordSplitter: records are copies, independent of the pushed chunks', () => {
    const chunk = REQUEST.slice();
    const [first] = new RecordSplitter().push(chunk);
    chunk.fill(0);
    expect(toHex(first!.header)).toBe('19f10400a1');
    expect(first!.body[0]).toBe(0);
    expect(first!.body[4]).toBe(1);
  });

  it('RecordSplitter: many records in one chunk, and split at every position', () => {
    const two = concat(REQUEST, REQUEST);
    for (let cut = 0; cut <= two.length; cut += 7) {
      const s = new RecordSplitter();
      const records = [...s.push(two.subarray(0, cut)), ...s.push(two.subarray(cut))];
      expect(records.length).toBe(4);
      expect(s.buffered).toBe(0);
    }
  });

  it('an unknown record type is unexpected_message once the header is complete', () => {
    for (let type = 0; type < 256; type++) {
      if ([0x15, 0x16, 0x17, 0x19].includes(type)) continue;
      const s = new RecordSplitter();
      expect(s.push(Uint8Array.of(type, 0xf1, 0x04, 0x00))).toEqual([]);
      expect([type, mmtlsError(() => s.push(Uint8Array.of(0))).alert]).toEqual([type, 'unexpected_message']);
      expectAlert(() => splitRecords(Uint8Array.of(type, 0xf1, 0x04, 0x00, 0x00)), 'unexpected_message');
    }
  });

  it('a record version other than f104 is protocol_version (as is the handshake body order 04f1)', () => {
    for (const v of ['04f1', 'f103', 'f105', '0303', '0000', 'ffff']) {
      expectAlert(() => splitRecords(hex(`16${v}0000`)), 'protocol_version');
    }
  });
});

// ---- record protection -------------------------------------------------------------------------------

forEachProvider((provider) => {
  describe(`RecordStream (spec §4.2, ${provider.name})`, () => {
    const key = { key: fill(16, 40), iv: fill(12, 41) };
    const pair = () => {
      const send = new RecordStream(provider);
      const receive = new RecordStream(provider);
      send.setKey(key);
      receive.setKey(key);
      return { send, receive };
    };
    const one = (bytes: Uint8Array): MmtlsRecord => {
      const [r, ...rest] = splitRecords(bytes);
      expect(rest.length).toBe(0);
      return r!;
    };
    const tampered = (r: MmtlsRecord, part: 'header' | 'body', at: number): MmtlsRecord => {
      const header = r.header.slice();
      const body = r.body.slice();
      (part === 'header' ? header : body)[at]! ^= 0x01;
      return { type: header[0] as MmtlsRecord['type'], header, body };
    };

    it('seal / open: sequence numbers advance together, and the header is type | f104 | len + 16', () => {
      const { send, receive } = pair();
      for (let i = 0; i < 5; i++) {
        const data = fill(i * 10, i);
        const bytes = send.seal(RecordType.applicationData, data);
        expect(toHex(bytes.subarray(0, 5))).toBe(`17f104${(data.length + 16).toString(16).padStart(4, '0')}`);
        expect(toHex(receive.open(one(bytes)))).toBe(toHex(data));
        expect([send.sequence, receive.sequence]).toEqual([i + 1, i + 1]);
      }
    });

    it('a tampered ciphertext, tag or header byte is bad_record_mac, and the sequence number stays', () => {
      const { send, receive } = pair();
      receive.countPlain();
      send.countPlain();
      const record = one(send.seal(RecordType.handshake, fill(40, 1)));
      const positions: Array<['header' | 'body', number]> = [
        ...[0, 1, 2, 3, 4].map((i): ['header', number] => ['header', i]),
        ...Array.from({ length: record.body.length }, (_, i): ['body', number] => ['body', i]),
      ];
      for (const [part, at] of positions) {
        expect([part, at, mmtlsError(() => receive.open(tampered(record, part, at))).alert]).toEqual([part, at, 'bad_record_mac']);
        expect(receive.sequence).toBe(1);
      }
      // the genuine record still opens afterwards
      expect(toHex(receive.open(record))).toBe(toHex(fill(40, 1)));
      expect(receive.sequence).toBe(2);
    });

    it('a record opened at the wrong sequence number, a truncated one, or one under another key is bad_record_mac', () => {
      const { send, receive } = pair();
      const r0 = one(send.seal(RecordType.applicationData, fill(20, 2)));
      const r1 = one(send.seal(RecordType.applicationData, fill(20, 3)));
      expectAlert(() => receive.open(r1), 'bad_record_mac'); // replayed out of order
      expect(receive.sequence).toBe(0);
      expectAlert(() => receive.open({ ...r0, body: r0.body.subarray(0, 15) }), 'bad_record_mac');
      expectAlert(() => receive.open({ ...r0, body: new Uint8Array(0) }), 'bad_record_mac');
      expectAlert(() => receive.open({ ...r0, body: r0.body.subarray(0, r0.body.length - 1) }), 'bad_record_mac');
      const other = new RecordStream(provider);
      other.setKey({ key: fill(16, 99), iv: key.iv });
      expectAlert(() => other.open(r0), 'bad_record_mac');
      const otherIv = new RecordStream(provider);
      otherIv.setKey({ key: key.key, iv: fill(12, 98) });
      expectAlert(() => otherIv.open(r0), 'bad_record_mac');
      expect(receive.sequence).toBe(0);
      receive.open(r0);
      receive.open(r1);
      expectAlert(() => receive.open(r1), 'bad_record_mac'); // a replay of the last record
      expect(receive.sequence).toBe(2);
    });

    it('the sequence number carries on across setKey; a stream without keys refuses (unexpected_message)', () => {
      const s = new RecordStream(provider);
      expect(s.keyed).toBe(false);
      expectAlert(() => s.seal(RecordType.applicationData, fill(3, 1)), 'unexpected_message');
      expectAlert(() => s.open({ type: RecordType.applicationData, header: recordHeader(RecordType.applicationData, 16), body: new Uint8Array(16) }), 'unexpected_message');
      expect(s.sequence).toBe(0);
      s.countPlain();
      s.setKey(key);
      s.seal(RecordType.handshake, fill(3, 1));
      s.setKey({ key: fill(16, 50), iv: fill(12, 51) });
      expect(s.sequence).toBe(2);
      const bytes = s.seal(RecordType.applicationData, fill(3, 2));
      // an independent stream that counts two records under the first key opens it at seq 2 with the second
      const r = new RecordStream(provider);
      r.countPlain();
      r.countPlain();
      r.setKey({ key: fill(16, 50), iv: fill(12, 51) });
      expect(toHex(r.open(one(bytes)))).toBe(toHex(fill(3, 2)));
      s.dispose();
      expect(s.keyed).toBe(false);
      expectAlert(() => s.seal(RecordType.applicationData, fill(3, 1)), 'unexpected_message');
    });

    it('setKey misuse is a RangeError; a plaintext too large for one record is record_overflow', () => {
      const s = new RecordStream(provider);
      expect(() => s.setKey({ key: fill(15, 1), iv: fill(12, 1) })).toThrow(RangeError);
      expect(() => s.setKey({ key: fill(32, 1), iv: fill(12, 1) })).toThrow(RangeError);
      expect(() => s.setKey({ key: fill(16, 1), iv: fill(8, 1) })).toThrow(RangeError);
      s.setKey(key);
      expect(s.seal(RecordType.applicationData, new Uint8Array(MAX_RECORD_BODY - 16)).length).toBe(5 + MAX_RECORD_BODY);
      expect(s.sequence).toBe(1);
      expectAlert(() => s.seal(RecordType.applicationData, new Uint8Array(MAX_RECORD_BODY - 15)), 'record_overflow');
      expect(s.sequence).toBe(1);
    });

    it('setKey copies the IV: changing the caller\'s array afterwards changes nothing', () => {
      const iv = key.iv.slice();
      const s = new RecordStream(provider);
      s.setKey({ key: key.key, iv });
      iv.fill(0);
      const { receive } = pair();
      expect(toHex(receive.open(one(s.seal(RecordType.applicationData, fill(5, 1)))))).toBe(toHex(fill(5, 1)));
    });
  });
});

// keep the HELLOS / MESSAGES tables honest: every message type of spec §5 is covered
it('the tables above cover ClientHello ×3, ServerHello ×2, NST, CV, Finished, EE', () => {
  expect(MESSAGES.map(([, b]) => b[4])).toEqual([1, 1, 1, 2, 2, 4, 15, 20, 8]);
});
