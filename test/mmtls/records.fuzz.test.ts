// Fuzzing the mmtls decoders and connections (fast-check, fixed seed). Inputs: valid handshake
// messages, alerts, short-link data parts and records — generated, and taken from Citizen Lab's
// capture — put through mutations (bit flips, overwritten / inserted / deleted bytes, truncation,
// repeated slices, and edits of u16 / u32 fields: ±1, ±2, 0, all ones).
//
// What must hold:
//   * every parser (all of them get every input) returns a value or throws MmtlsError — never a
//     TypeError, RangeError, DecodeError or anything else;
//   * where the codec is canonical, a value that decodes re-encodes to exactly the input; where it
//     is lenient by design (unknown hello extensions kept or ignored, spec §5 / extensions.ts), the
//     value is a fixed point: decode(encode(value)) = value;
//   * generated values round-trip exactly;
//   * a protected record that was changed never opens (bad_record_mac, sequence number unchanged);
//   * a ServerConnection / ClientConnection fed a stream in which one record of a real handshake
//     (1-RTT ECDHE, 1-RTT PSK, 0-RTT PSK) was mutated throws nothing but MmtlsError, never accepts
//     application data that was not sent, and never ends in the honest outcome when the bytes changed;
//   * the same with "authenticated garbage": one message mutated and then protected with its
//     sender's key, nonce and sequence number (capture.ts logs every seal), which reaches the
//     message decoders and state machines behind the AEAD: nothing but MmtlsError, and a changed
//     handshake message never lets both sides complete.
//
// Run counts: `npm test` runs RUNS[property] inputs per property (and provider) from FUZZ_SEED (default
// 0x5eed): about 24 000 inputs. `npm run fuzz` (scripts/fuzz.mjs sets FUZZ_SECONDS and FUZZ_SEED) runs
// each codec and record property for MMTLS_FUZZ_RUNS inputs (default 100 000; per provider for the
// record property) and each connection property, a handshake per input, for a tenth of that per
// provider: about 6.6 × 10^5 inputs in all, a fixed count from the seed, not bounded by time
// (FUZZ_SECONDS only switches the mode here; the file then takes about 4 minutes on 2 cores).
// MMTLS_FUZZ_RUNS alone also switches it, for a run of this file only:
//   MMTLS_FUZZ_RUNS=200000 FUZZ_SEED=123 npx vitest run test/mmtls/records.fuzz.test.ts
import { readFileSync } from 'node:fs';
import { gcm } from '@noble/ciphers/aes.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MmtlsError } from '../../bindings/mmtls/errors.js';
import { CipherSuite, type ClientHello, decodeClientHello, encodeClientHello } from '../../bindings/mmtls/handshake/client-hello.js';
import { ExtensionType } from '../../bindings/mmtls/handshake/extensions.js';
import { type ServerHello, decodeServerHello, encodeServerHello } from '../../bindings/mmtls/handshake/server-hello.js';
import {
  type SessionTicket, decodeNewSessionTicket, encodeNewSessionTicket, parseSessionTicket, sessionTicketBytes,
} from '../../bindings/mmtls/handshake/session-ticket.js';
import {
  decodeCertificateVerify, decodeEncryptedExtensions, decodeFinished, encodeCertificateVerify, encodeEncryptedExtensions, encodeFinished,
} from '../../bindings/mmtls/handshake/small-messages.js';
import { type DataPart, decodeDataPart, encodeDataPart } from '../../bindings/mmtls/net/short-link.js';
import { ALERTS, type AlertName, decodeAlert, encodeAlert } from '../../bindings/mmtls/record/alert.js';
import { RecordStream } from '../../bindings/mmtls/record/cipher.js';
import { type MmtlsRecord, RecordSplitter, RecordType, type RecordTypeCode, splitRecords } from '../../bindings/mmtls/record/record.js';
import { ClientTickets } from '../../bindings/mmtls/protocol/client-tickets.js';
import type { HandshakeMode } from '../../bindings/mmtls/protocol/connection.js';
import type { CryptoProvider } from '../../bindings/provider/types.js';
import { FUZZ_SEED } from '../diff/property.js';
import { forEachProvider } from '../helpers/providers.js';
import { type SealLog, capturingProvider, concat, equalBytes, looseHex } from './capture.js';
import { type ServerSetup, type Side, makePair, pump, serverSetup } from './pair.js';

const FUZZ_RUNS = process.env.MMTLS_FUZZ_RUNS !== undefined ? Number(process.env.MMTLS_FUZZ_RUNS) : Number(process.env.FUZZ_SECONDS ?? 0) > 0 ? 100_000 : 0;
const fuzzing = FUZZ_RUNS > 0;
if (fuzzing && !(Number.isInteger(FUZZ_RUNS) && FUZZ_RUNS > 0)) throw new Error(`MMTLS_FUZZ_RUNS must be a positive integer, got ${process.env.MMTLS_FUZZ_RUNS}`);

/** Inputs per property (and provider, for the provider properties) in `npm test`. */
const RUNS = { generated: 2000, parsers: 10_000, records: 2000, connections: 600 } as const;
/** Under fuzzing a connection run costs a handshake: those properties run a tenth of MMTLS_FUZZ_RUNS. */
const CONNECTION_SHARE = 10;
const TIMEOUT = fuzzing ? 0 : 120_000;

function check(property: fc.IProperty<any>, runs: number): void {
  const numRuns = fuzzing ? FUZZ_RUNS : runs;
  const details = fc.check(property, { seed: FUZZ_SEED, numRuns });
  if (details.failed) expect.fail(`${fc.defaultReportMessage(details) ?? 'property failed'}\n${String(details.errorInstance)}`);
  expect(details.interrupted, 'interrupted').toBe(false);
  expect(details.numSkips, 'runs skipped by a precondition').toBe(0);
  expect(details.numRuns, 'runs').toBe(numRuns);
}

async function checkAsync(property: fc.IAsyncProperty<any>, runs: number): Promise<void> {
  const numRuns = fuzzing ? Math.ceil(FUZZ_RUNS / CONNECTION_SHARE) : runs;
  const details = await fc.check(property, { seed: FUZZ_SEED, numRuns });
  if (details.failed) expect.fail(`${fc.defaultReportMessage(details) ?? 'property failed'}\n${String(details.errorInstance)}`);
  expect(details.interrupted, 'interrupted').toBe(false);
  expect(details.numRuns, 'runs').toBe(numRuns);
}

const toHex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

function describeError(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e);
}

// ---- mutations --------------------------------------------------------------------------------------

type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; value: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; count: number }
  | { op: 'truncate'; at: number }
  | { op: 'repeat'; at: number; count: number }
  | { op: 'field'; at: number; width: 2 | 4; edit: number | 'zero' | 'max' };

/** A position as a fraction of the range mutated (uniform: fc.double leans towards 0, the headers). */
const position = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((n) => n / 0x10000) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 15 }).map((n) => n / 0x10000) }, // the first bytes: headers, lengths
);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('set' as const), at: position, value: fc.constantFrom(0x00, 0x01, 0x7f, 0x80, 0xff, 0x15, 0x16, 0x17, 0x19, 0xf1, 0x04) }),
  fc.record({ op: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ op: fc.constant('delete' as const), at: position, count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: position }),
  fc.record({ op: fc.constant('repeat' as const), at: position, count: fc.integer({ min: 1, max: 40 }) }),
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('field' as const),
      at: position,
      width: fc.constantFrom(2 as const, 4 as const),
      edit: fc.oneof(fc.constantFrom(-2, -1, 1, 2), fc.constantFrom('zero' as const, 'max' as const)),
    }),
  },
);
const mutations = fc.array(mutation, { minLength: 1, maxLength: 4 });

/** Applies the mutations to bytes[start:end] (positions are fractions of that range). */
function mutate(data: Uint8Array, list: readonly Mutation[], start = 0, end = data.length): Uint8Array {
  let d = data;
  let hi = end;
  for (const m of list) {
    const span = hi - start;
    if (span <= 0 && m.op !== 'insert') continue;
    const at = start + Math.floor(m.at * (span + (m.op === 'insert' ? 1 : 0)));
    if (m.op === 'flip') (d = d.slice())[at]! ^= 1 << m.bit;
    else if (m.op === 'set') (d = d.slice())[at] = m.value;
    else if (m.op === 'insert') {
      d = concat(d.subarray(0, at), m.bytes, d.subarray(at));
      hi += m.bytes.length;
    } else if (m.op === 'delete') {
      const n = Math.min(m.count, hi - at);
      d = concat(d.subarray(0, at), d.subarray(at + n));
      hi -= n;
    } else if (m.op === 'truncate') {
      d = d.subarray(0, at);
      hi = at;
    } else if (m.op === 'repeat') {
      const from = Math.max(start, at - m.count);
      d = concat(d.subarray(0, at), d.subarray(from, at), d.subarray(at));
      hi += at - from;
    } else {
      if (at + m.width > d.length) continue;
      d = d.slice();
      const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
      const max = m.width === 2 ? 0xffff : 0xffffffff;
      const old = m.width === 2 ? v.getUint16(at) : v.getUint32(at);
      const next = m.edit === 'zero' ? 0 : m.edit === 'max' ? max : (old + m.edit + max + 1) % (max + 1);
      if (m.width === 2) v.setUint16(at, next);
      else v.setUint32(at, next);
    }
  }
  return d;
}

// ---- generated messages ---------------------------------------------------------------------------------

const bytesUpTo = (max: number) => fc.uint8Array({ maxLength: max });
const nat32 = fc.nat({ max: 0xffffffff });
const ticket: fc.Arbitrary<SessionTicket> = fc.record({
  type: fc.constantFrom(1 as const, 2 as const),
  lifetime: fc.oneof(fc.constantFrom(604800, 2592000), nat32),
  ageAdd: fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ minLength: 32, maxLength: 32 }), bytesUpTo(40)),
  unknown: fc.oneof(fc.constantFrom(0x48, 0x3d), nat32),
  nonce: fc.oneof(fc.uint8Array({ minLength: 12, maxLength: 12 }), bytesUpTo(20)),
  ticket: fc.oneof(fc.uint8Array({ minLength: 60, maxLength: 60 }), bytesUpTo(120)),
});
const point = fc.oneof({ weight: 4, arbitrary: fc.uint8Array({ minLength: 65, maxLength: 65 }) }, { weight: 1, arbitrary: bytesUpTo(70) });
const keyShare = fc.record({ index: fc.oneof(fc.constantFrom(1, 2, 5, 6), nat32), point });
const otherExtensions = fc.uniqueArray(
  fc.record({ type: fc.integer({ min: 0, max: 0xffff }).filter((t) => t !== ExtensionType.preSharedKey && t !== ExtensionType.clientKeyShare), data: bytesUpTo(12) }),
  { maxLength: 3, selector: (e) => e.type },
);
const clientHello: fc.Arbitrary<ClientHello> = fc
  .record({
    mode: fc.constantFrom('ecdhe', 'psk', 'both', 'none'),
    unknownSuites: fc.uniqueArray(fc.integer({ min: 0, max: 0xffff }).filter((s) => s !== CipherSuite.psk && s !== CipherSuite.ecdhe), { maxLength: 2 }),
    random: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    timestamp: nat32,
    psk: ticket,
    keyShares: fc.array(keyShare, { minLength: 1, maxLength: 3 }),
    trailer: fc.oneof(fc.constant(Uint8Array.of(0, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4)), fc.uint8Array({ minLength: 13, maxLength: 13 })),
    otherExtensions,
  })
  .map((g) => {
    const suites = [
      ...(g.mode === 'ecdhe' || g.mode === 'both' ? [CipherSuite.ecdhe] : []),
      ...(g.mode === 'psk' || g.mode === 'both' ? [CipherSuite.psk] : []),
      ...g.unknownSuites,
    ];
    return {
      suites,
      random: g.random,
      timestamp: g.timestamp,
      ...(suites.includes(CipherSuite.psk) && { psk: g.psk }),
      ...(suites.includes(CipherSuite.ecdhe) && { keyShares: g.keyShares, keyShareTrailer: g.trailer }),
      otherExtensions: g.otherExtensions,
    };
  });
const serverHello: fc.Arbitrary<ServerHello> = fc.oneof(
  fc.record({ suite: fc.constant(CipherSuite.psk), random: fc.uint8Array({ minLength: 32, maxLength: 32 }) }),
  fc.record({
    suite: fc.constant(CipherSuite.ecdhe),
    random: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    keyShare,
    keyShareInfo: fc.oneof(fc.constant(Uint8Array.of(0, 0, 0, 1, 0, 0, 0, 3)), fc.constant(Uint8Array.of(0, 0, 0, 2, 0, 0, 0, 4)), bytesUpTo(10)),
  }),
);
const alertName = fc.constantFrom(...(Object.keys(ALERTS) as AlertName[]));
const dataPart: fc.Arbitrary<DataPart> = fc.record({ uri: fc.string({ maxLength: 40, unit: 'grapheme' }), host: fc.string({ maxLength: 20 }), body: bytesUpTo(200) });

type Message =
  | { kind: 'ClientHello'; value: ClientHello }
  | { kind: 'ServerHello'; value: ServerHello }
  | { kind: 'NewSessionTicket'; value: SessionTicket[] }
  | { kind: 'SessionTicket'; value: SessionTicket }
  | { kind: 'CertificateVerify'; value: Uint8Array }
  | { kind: 'Finished'; value: Uint8Array }
  | { kind: 'EncryptedExtensions'; value: number }
  | { kind: 'Alert'; value: AlertName }
  | { kind: 'DataPart'; value: DataPart };

const message: fc.Arbitrary<Message> = fc.oneof(
  { weight: 4, arbitrary: clientHello.map((value) => ({ kind: 'ClientHello' as const, value })) },
  { weight: 2, arbitrary: serverHello.map((value) => ({ kind: 'ServerHello' as const, value })) },
  { weight: 2, arbitrary: fc.array(ticket, { maxLength: 3 }).map((value) => ({ kind: 'NewSessionTicket' as const, value })) },
  { weight: 1, arbitrary: ticket.map((value) => ({ kind: 'SessionTicket' as const, value })) },
  { weight: 1, arbitrary: bytesUpTo(80).map((value) => ({ kind: 'CertificateVerify' as const, value })) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((value) => ({ kind: 'Finished' as const, value })) },
  { weight: 1, arbitrary: nat32.map((value) => ({ kind: 'EncryptedExtensions' as const, value })) },
  { weight: 1, arbitrary: alertName.map((value) => ({ kind: 'Alert' as const, value })) },
  { weight: 1, arbitrary: dataPart.map((value) => ({ kind: 'DataPart' as const, value })) },
);

function encode(m: Message): Uint8Array {
  switch (m.kind) {
    case 'ClientHello': return encodeClientHello(m.value);
    case 'ServerHello': return encodeServerHello(m.value);
    case 'NewSessionTicket': return encodeNewSessionTicket(m.value);
    case 'SessionTicket': return sessionTicketBytes(m.value);
    case 'CertificateVerify': return encodeCertificateVerify(m.value);
    case 'Finished': return encodeFinished(m.value);
    case 'EncryptedExtensions': return encodeEncryptedExtensions(m.value);
    case 'Alert': return encodeAlert(m.value);
    case 'DataPart': return encodeDataPart(m.value);
  }
}

// ---- the parsers ----------------------------------------------------------------------------------------

interface Parser {
  name: string;
  /** Parses; for a success, returns the re-encoding the canonical check compares with the input, or null if this input is one the codec reads leniently (then `fixedPoint` must hold). */
  run(bytes: Uint8Array): { reencoded: Uint8Array | null; fixedPoint?: () => boolean };
}

/** JSON with sorted keys and byte arrays as hex, for comparing decoded values. */
function json(value: unknown): string {
  return JSON.stringify(value, (_, v) => {
    if (v instanceof Uint8Array) return toHex(v);
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)));
    return v;
  });
}
const sameJson = (a: unknown, b: unknown) => json(a) === json(b);

/** The extension types of a hello's extension block at `at` (read here, independently of the codec). */
function extensionTypes(bytes: Uint8Array, at: number): number[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = bytes[at + 4]!;
  const types: number[] = [];
  let p = at + 5;
  for (let i = 0; i < count; i++) {
    types.push(v.getUint16(p + 4));
    p += 4 + v.getUint32(p);
  }
  return types;
}

const PARSERS: Parser[] = [
  {
    name: 'decodeClientHello',
    run(bytes) {
      const ch = decodeClientHello(bytes);
      const again = encodeClientHello(ch);
      // lenient by design: extensions of unknown types are kept but written after the known ones,
      // and the known ones are accepted in any order (the encoder writes them in the reverse order of
      // the suites, spec §5.2), a suite offered twice with its extension once
      const encoderOrder = [...ch.suites].reverse().flatMap((s) => (s === CipherSuite.psk ? [ExtensionType.preSharedKey] : s === CipherSuite.ecdhe ? [ExtensionType.clientKeyShare] : []));
      const received = extensionTypes(bytes, 4 + 1 + 2 + 1 + 2 * ch.suites.length + 32 + 4);
      if ((ch.otherExtensions?.length ?? 0) > 0 || json(received) !== json(encoderOrder)) {
        return { reencoded: null, fixedPoint: () => sameJson(decodeClientHello(again), ch) };
      }
      return { reencoded: again };
    },
  },
  {
    name: 'decodeServerHello',
    run(bytes) {
      const sh = decodeServerHello(bytes);
      const again = encodeServerHello(sh);
      // lenient by design: extensions other than 0011 / 0013 are ignored, as is 0013 in a PSK answer
      // and its absence in an ECDHE one (the encoder then writes the default)
      const received = extensionTypes(bytes, 4 + 1 + 2 + 2 + 32);
      const expected = sh.suite === CipherSuite.ecdhe ? [ExtensionType.serverKeyShare, ExtensionType.serverKeyShareInfo] : [];
      if (json(received) !== json(expected)) return { reencoded: null, fixedPoint: () => sameJson(decodeServerHello(again), { ...sh, ...(sh.keyShare && { keyShareInfo: sh.keyShareInfo ?? Uint8Array.of(0, 0, 0, 1, 0, 0, 0, 3) }) }) };
      return { reencoded: again };
    },
  },
  { name: 'decodeNewSessionTicket', run: (bytes) => ({ reencoded: encodeNewSessionTicket(decodeNewSessionTicket(bytes)) }) },
  { name: 'parseSessionTicket', run: (bytes) => ({ reencoded: sessionTicketBytes(parseSessionTicket(bytes)) }) },
  { name: 'decodeCertificateVerify', run: (bytes) => ({ reencoded: encodeCertificateVerify(decodeCertificateVerify(bytes)) }) },
  { name: 'decodeFinished', run: (bytes) => ({ reencoded: encodeFinished(decodeFinished(bytes)) }) },
  {
    name: 'decodeEncryptedExtensions',
    run(bytes) {
      const t = decodeEncryptedExtensions(bytes);
      // lenient by design: extensions other than the timestamp are ignored
      if (bytes[9] !== 1) return { reencoded: null, fixedPoint: () => decodeEncryptedExtensions(encodeEncryptedExtensions(t)) === t };
      return { reencoded: encodeEncryptedExtensions(t) };
    },
  },
  {
    name: 'decodeAlert',
    run(bytes) {
      const a = decodeAlert(bytes);
      // the level byte is carried as received (see codec.test.ts, "decodeAlert refuses a level …"):
      // compared with the level written back in
      const again = encodeAlert(a.name);
      again[4] = a.level;
      return { reencoded: again };
    },
  },
  { name: 'decodeDataPart', run: (bytes) => ({ reencoded: encodeDataPart(decodeDataPart(bytes)) }) },
  {
    name: 'splitRecords',
    run(bytes) {
      const records = splitRecords(bytes);
      for (const r of records) if (r.body.length !== ((r.header[3]! << 8) | r.header[4]!) || r.header[0] !== r.type) throw new Error('a record does not match its header');
      return { reencoded: concat(...records.flatMap((r) => [r.header, r.body])) };
    },
  },
];

/** Every parser on `bytes`: 'ok', 'ok-lenient', 'MmtlsError:<alert>', or a failure description (thrown). */
function parseAll(bytes: Uint8Array): string[] {
  return PARSERS.map((p) => {
    let result: ReturnType<Parser['run']>;
    try {
      result = p.run(bytes);
    } catch (e) {
      if (e instanceof MmtlsError && typeof e.alert === 'string' && e.alert in ALERTS) return `MmtlsError:${e.alert}`;
      throw new Error(`${p.name} threw something other than an MmtlsError on ${toHex(bytes)}: ${describeError(e)}`);
    }
    if (result.reencoded === null) {
      if (!result.fixedPoint!()) throw new Error(`${p.name}: a leniently read value is not a fixed point: ${toHex(bytes)}`);
      return 'ok-lenient';
    }
    if (!equalBytes(result.reencoded, bytes)) throw new Error(`${p.name} accepted ${toHex(bytes)} but re-encodes it as ${toHex(result.reencoded)}`);
    return 'ok';
  });
}

// ---- real messages from the capture -------------------------------------------------------------------

const VECTORS = new URL('../../../shared/vectors/', import.meta.url);
const CAPTURE = {
  request: looseHex(readFileSync(new URL('mmtls/citizenlab-raw/autoauth-request-packet.hex', VECTORS), 'utf8')),
  response: looseHex(readFileSync(new URL('mmtls/citizenlab-raw/autoauth-response-packet.hex', VECTORS), 'utf8')),
};
const CAPTURED_MESSAGES: Uint8Array[] = [
  splitRecords(CAPTURE.request)[0]!.body, // 0-RTT ClientHello
  splitRecords(CAPTURE.response)[0]!.body, // 0-RTT ServerHello
  looseHex('00000010080000000b01000000060012656e783c'), // EncryptedExtensions
  looseHex('000000231400203c5e8169a011633f5c3d74c1e5e63589551e3f4f5cb5067c313521e90472a564'), // server Finished
  looseHex('00000003000101'), // end_of_data
  CAPTURE.request.subarray(0, 5 + 161 + 5 + 36), // two records
  CAPTURE.response.subarray(0, 5 + 46 + 5 + 55),
];

const seedBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 6, arbitrary: message.map(encode) },
  { weight: 2, arbitrary: fc.constantFrom(...CAPTURED_MESSAGES) },
  { weight: 1, arbitrary: bytesUpTo(300) },
);

// ---- properties: codecs ----------------------------------------------------------------------------------

describe('mmtls codecs under fuzzing', () => {
  it('generated messages round-trip exactly through their own decoder', () => {
    check(fc.property(message, (m) => {
      const bytes = encode(m);
      const decoders: Record<Message['kind'], (b: Uint8Array) => unknown> = {
        ClientHello: decodeClientHello,
        ServerHello: decodeServerHello,
        NewSessionTicket: decodeNewSessionTicket,
        SessionTicket: parseSessionTicket,
        CertificateVerify: decodeCertificateVerify,
        Finished: decodeFinished,
        EncryptedExtensions: decodeEncryptedExtensions,
        Alert: (b) => decodeAlert(b).name,
        DataPart: decodeDataPart,
      };
      const decoded = decoders[m.kind](bytes);
      let expected: unknown = m.value;
      if (m.kind === 'ClientHello') {
        // written after the known extensions, the unknown ones come back in the same order
        expected = { ...m.value, otherExtensions: m.value.otherExtensions ?? [] };
      }
      if (!sameJson(decoded, expected)) throw new Error(`${m.kind}: ${toHex(bytes)} decoded to ${JSON.stringify(decoded)}`);
      if (m.kind === 'ClientHello' && !equalBytes(encodeClientHello(decoded as ClientHello), bytes)) throw new Error('ClientHello re-encoding differs');
      if (m.kind === 'ServerHello' && !equalBytes(encodeServerHello(decoded as ServerHello), bytes)) throw new Error('ServerHello re-encoding differs');
      // and every other parser refuses it with an MmtlsError, or reads it canonically
      parseAll(bytes);
    }), RUNS.generated);
  }, TIMEOUT);

  it('mutated messages and random bytes: every parser returns a canonical value or throws MmtlsError', () => {
    const seen = new Map<string, number>();
    check(fc.property(seedBytes, mutations, (bytes, list) => {
      for (const outcome of parseAll(mutate(bytes, list))) seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
    }), RUNS.parsers);
    // the inputs reach past the framing: every kind of refusal, and successes, happen
    for (const outcome of ['ok', 'MmtlsError:decode_error', 'MmtlsError:unexpected_message', 'MmtlsError:illegal_parameter', 'MmtlsError:protocol_version']) {
      expect(seen.get(outcome) ?? 0, outcome).toBeGreaterThan(0);
    }
  }, TIMEOUT);

  it('RecordSplitter: any stream cut into any chunks gives the records splitRecords gives, or the same MmtlsError', () => {
    const chunks = fc.array(fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 400 })), { minLength: 1, maxLength: 6 });
    const stream = fc.oneof(
      fc.tuple(fc.constantFrom(CAPTURE.request, CAPTURE.response), mutations).map(([b, list]) => mutate(b, list)),
      fc.tuple(fc.constantFrom(CAPTURE.request, CAPTURE.response), mutations, fc.integer({ min: 0, max: 3 })).map(([b, list, k]) => {
        // mutate inside one record, so the ones before it must come out unchanged
        const records = splitRecords(b);
        const start = records.slice(0, k).reduce((n, r) => n + 5 + r.body.length, 0);
        return mutate(b, list, start, start + 5 + records[k]!.body.length);
      }),
      bytesUpTo(200),
    );
    check(fc.property(stream, chunks, (bytes, sizes) => {
      let whole: MmtlsRecord[] | MmtlsError;
      try {
        whole = splitRecords(bytes);
      } catch (e) {
        if (!(e instanceof MmtlsError)) throw e;
        whole = e;
      }
      const s = new RecordSplitter();
      const got: MmtlsRecord[] = [];
      let failure: unknown;
      for (let at = 0, i = 0; at < bytes.length; at += sizes[i++ % sizes.length]!) {
        try {
          got.push(...s.push(bytes.slice(at, at + sizes[i % sizes.length]!)));
        } catch (e) {
          failure = e;
          break;
        }
      }
      if (failure !== undefined && !(failure instanceof MmtlsError)) throw failure;
      const hexOf = (rs: MmtlsRecord[]) => rs.map((r) => toHex(concat(r.header, r.body)));
      if (whole instanceof MmtlsError) {
        // splitRecords failed: on a bad header (the splitter fails the same way) or on a partial tail
        if (failure instanceof MmtlsError) {
          if (failure.alert !== whole.alert) throw new Error(`splitter ${failure.alert}, splitRecords ${whole.alert}`);
        } else if (!(whole.alert === 'decode_error' && s.buffered > 0)) throw new Error(`splitRecords failed (${whole.alert}) but the splitter did not`);
        return;
      }
      if (failure !== undefined) throw new Error(`the splitter failed (${String(failure)}) where splitRecords did not`);
      if (s.buffered !== 0 || JSON.stringify(hexOf(got)) !== JSON.stringify(hexOf(whole))) throw new Error('the splitter and splitRecords disagree');
      // the records re-assemble to the input
      if (!equalBytes(concat(...whole.flatMap((r) => [r.header, r.body])), bytes)) throw new Error('records do not re-assemble to the stream');
    }), RUNS.records);
  }, TIMEOUT);
});

// ---- properties: record protection and connections ---------------------------------------------------

interface Scenario {
  mode: HandshakeMode;
  /** Records the client / server receive in an honest run (checked below). */
  toClient: number;
  toServer: number;
}
const SCENARIOS: Scenario[] = [
  { mode: '1rtt-ecdhe', toServer: 3, toClient: 5 }, // CH, CF, data | SH, CV, NST, SF, data
  { mode: '1rtt-psk', toServer: 3, toClient: 4 },   // CH, CF, data | SH, NST, SF, data
  { mode: '0rtt-psk', toServer: 4, toClient: 4 },   // CH0, EE, data, end | SH, Finished, data, end
];
const CLIENT_DATA = new TextEncoder().encode('request from the client');
const SERVER_DATA = new TextEncoder().encode('response from the server');

interface Outcome {
  clientMode: string | undefined;
  serverMode: string | undefined;
  clientData: string;
  serverData: string;
  clientEnded: number;
  serverEnded: number;
}

interface Base {
  /** The provider under test, logging its seals (capture.ts). */
  readonly provider: CryptoProvider;
  readonly seals: SealLog[];
  readonly setup: ServerSetup;
  readonly tickets: ClientTickets;
}

/** A server setup and a pair of tickets from one 1-RTT ECDHE handshake, shared by the runs. */
async function prepared(under: CryptoProvider): Promise<Base> {
  const { provider, seals, keyPairs } = capturingProvider(under);
  const setup = serverSetup(provider);
  const first = makePair(provider, setup);
  first.client.conn.start('1rtt-ecdhe');
  await pump(first.client, first.server);
  if (first.tickets.access === undefined || first.tickets.refresh === undefined) throw new Error('no tickets');
  keyPairs.length = 0;
  return { provider, seals, setup, tickets: first.tickets };
}

/**
 * `record` (header ‖ body, as sent) with its content mutated and protected again as its sender
 * would: same key, nonce and sequence number, the header's length updated. A plaintext record's
 * body is mutated in the clear. Null if the mutated content does not fit a record.
 */
function mutateInside(record: Uint8Array, seals: readonly SealLog[], list: readonly Mutation[]): { bytes: Uint8Array; changed: boolean } | null {
  const body = record.subarray(5);
  const seal = seals.find((s) => equalBytes(s.sealed, body));
  const content = seal ? seal.plaintext : body;
  const mutated = mutate(content, list);
  const length = mutated.length + (seal ? 16 : 0);
  if (length > 0xffff) return null;
  const header = Uint8Array.of(record[0]!, 0xf1, 0x04, length >>> 8, length & 0xff);
  const out = seal ? gcm(seal.key, seal.nonce, concat(seal.aad.subarray(0, 8), header)).encrypt(mutated) : mutated;
  return { bytes: concat(header, out), changed: !equalBytes(mutated, content) };
}

function copyTickets(from: ClientTickets): ClientTickets {
  const t = new ClientTickets();
  t.access = { ...from.access!, psk: from.access!.psk.slice() };
  t.refresh = { ...from.refresh!, psk: from.refresh!.psk.slice() };
  return t;
}

/**
 * One run of `scenario`: the honest script, with record `k` of those delivered to `target` (and the
 * rest of its flight) mutated on the way. Returns the outcome and the error that ended it, if any.
 */
async function runScenario(
  base: Base, scenario: Scenario,
  injection?: { target: 'client' | 'server'; k: number; list: readonly Mutation[]; inside: boolean },
): Promise<{
  outcome: Outcome; error: unknown; changed: boolean; targetEncrypted: boolean; targetType: number; delivered: { client: number; server: number };
  /** Bytes the target's splitter holds at the end: part of a record it still waits for. */
  leftover: number;
}> {
  base.seals.length = 0;
  const { client, server } = makePair(base.provider, base.setup, copyTickets(base.tickets));
  const delivered = { client: 0, server: 0 };
  let changed = false;
  let targetEncrypted = false;
  let targetType = -1;
  const step = async (from: Side, to: Side, name: 'client' | 'server'): Promise<boolean> => {
    let bytes = from.conn.takeOutput();
    if (bytes.length === 0) return false;
    const records = splitRecords(bytes);
    if (injection?.target === name && injection.k >= delivered[name] && injection.k < delivered[name] + records.length) {
      const i = injection.k - delivered[name];
      const start = records.slice(0, i).reduce((n, r) => n + 5 + r.body.length, 0);
      const end = start + 5 + records[i]!.body.length;
      // plaintext records: the hellos; everything else is protected
      targetEncrypted = !(i === 0 && injection.k === 0);
      targetType = bytes[start]!;
      if (injection.inside) {
        const inner = mutateInside(bytes.subarray(start, end), base.seals, injection.list);
        if (inner !== null) {
          changed = inner.changed;
          bytes = concat(bytes.subarray(0, start), inner.bytes, bytes.subarray(end));
        }
      } else {
        const mutated = mutate(bytes, injection.list, start, end);
        changed = !equalBytes(mutated, bytes);
        bytes = mutated;
      }
    }
    delivered[name] += records.length;
    for (const r of to.splitter.push(bytes)) await to.conn.receive(r);
    return true;
  };
  const exchange = async () => {
    for (let round = 0; round < 20; round++) {
      const a = await step(client, server, 'server');
      const b = await step(server, client, 'client');
      if (!a && !b) return;
    }
    throw new Error('no quiet point after 20 rounds');
  };
  let error: unknown;
  try {
    client.conn.start(scenario.mode);
    if (scenario.mode === '0rtt-psk') {
      client.conn.sendApplicationData(CLIENT_DATA);
      client.conn.sendEnd();
    }
    await exchange();
    if (server.conn.established) {
      server.conn.sendApplicationData(SERVER_DATA);
      if (scenario.mode === '0rtt-psk') server.conn.sendEnd();
    }
    if (scenario.mode !== '0rtt-psk' && client.conn.established) client.conn.sendApplicationData(CLIENT_DATA);
    await exchange();
  } catch (e) {
    error = e;
  }
  const text = (chunks: Uint8Array[]) => toHex(concat(...chunks));
  const outcome = {
    clientMode: client.conn.mode,
    serverMode: server.conn.mode,
    clientData: text(client.data),
    serverData: text(server.data),
    clientEnded: client.ended,
    serverEnded: server.ended,
  };
  const leftover = injection === undefined ? 0 : (injection.target === 'client' ? client : server).splitter.buffered;
  client.conn.dispose();
  server.conn.dispose();
  return { outcome, error, changed, targetEncrypted, targetType, delivered, leftover };
}

forEachProvider((provider) => {
  describe(`mmtls records and connections under fuzzing (${provider.name})`, () => {
    it('a protected record stream with one record mutated: the records before it open, the mutated one never does', () => {
      const key = { key: provider.randomBytes(16), iv: provider.randomBytes(12) };
      const plaintexts = [new Uint8Array(0), Uint8Array.of(1, 2, 3), new Uint8Array(300).fill(7), encodeAlert('end_of_data')];
      const types: RecordTypeCode[] = [RecordType.handshake, RecordType.applicationData, RecordType.applicationData, RecordType.alert];
      const send = new RecordStream(provider);
      send.countPlain();
      send.setKey(key);
      const sealed = plaintexts.map((p, i) => send.seal(types[i]!, p));
      const stream = concat(...sealed);
      check(fc.property(fc.integer({ min: 0, max: 3 }), mutations, (k, list) => {
        const start = sealed.slice(0, k).reduce((n, r) => n + r.length, 0);
        const mutated = mutate(stream, list, start, start + sealed[k]!.length);
        const receive = new RecordStream(provider);
        receive.countPlain();
        receive.setKey(key);
        let records: MmtlsRecord[];
        try {
          records = new RecordSplitter().push(mutated);
        } catch (e) {
          if (!(e instanceof MmtlsError)) throw e;
          return; // a header the splitter refuses (before any record of the mutated one is read)
        }
        records.forEach((record, i) => {
          const seq = receive.sequence;
          // unchanged: the same bytes as the record sealed at this position
          const intact = sealed[i] !== undefined && equalBytes(concat(record.header, record.body), sealed[i]!);
          let opened: Uint8Array;
          try {
            opened = receive.open(record);
          } catch (e) {
            if (!(e instanceof MmtlsError) || e.alert !== 'bad_record_mac') throw new Error(`record ${i}: ${describeError(e)}`);
            if (receive.sequence !== seq) throw new Error('a failed open advanced the sequence number');
            if (intact) throw new Error(`record ${i}, unchanged, did not open`);
            records.length = 0; // the connection would close here
            return;
          }
          if (receive.sequence !== seq + 1) throw new Error('an open did not advance the sequence number');
          if (!intact) throw new Error(`a changed record opened (record ${i}, mutations ${JSON.stringify(list)})`);
          if (!equalBytes(opened, plaintexts[i]!)) throw new Error(`record ${i} opened to other bytes`);
        });
        receive.dispose();
      }), RUNS.records);
      send.dispose();
    }, TIMEOUT);

    it('honest runs of the three scenarios deliver the records the fuzzing below counts on', async () => {
      const base = await prepared(provider);
      for (const scenario of SCENARIOS) {
        const { outcome, error, delivered } = await runScenario(base, scenario);
        expect(base.seals.length, 'records sealed (and logged)').toBeGreaterThanOrEqual(scenario.toClient + scenario.toServer - 2);
        expect(error, scenario.mode).toBeUndefined();
        expect(delivered, scenario.mode).toEqual({ client: scenario.toClient, server: scenario.toServer });
        expect(outcome, scenario.mode).toEqual(honest(scenario));
      }
    }, TIMEOUT);

    it('connections fed a handshake with one record mutated throw only MmtlsError and never accept forged data', async () => {
      const base = await prepared(provider);
      const input = fc.record({
        scenario: fc.constantFrom(...SCENARIOS),
        target: fc.constantFrom('client' as const, 'server' as const),
        which: fc.nat(),
        list: mutations,
      });
      const alerts = new Map<string, number>();
      await checkAsync(fc.asyncProperty(input, async ({ scenario, target, which, list }) => {
        const k = which % (target === 'client' ? scenario.toClient : scenario.toServer);
        const { outcome, error, changed: bytesChanged, targetEncrypted, leftover } = await runScenario(base, scenario, { target, k, list, inside: false });
        if (error !== undefined) {
          if (!(error instanceof MmtlsError) || !(error.alert in ALERTS)) throw new Error(`${scenario.mode}, record ${k} to the ${target}: ${describeError(error)}`);
          alerts.set(error.alert, (alerts.get(error.alert) ?? 0) + 1);
        }
        const want = honest(scenario);
        // no application data but what was sent, in order
        if (!want.clientData.startsWith(outcome.clientData) || !want.serverData.startsWith(outcome.serverData)) {
          throw new Error(`${scenario.mode}, record ${k} to the ${target}: forged application data accepted`);
        }
        if (!bytesChanged) {
          if (error !== undefined || !sameJson(outcome, want)) throw new Error(`${scenario.mode}: an unchanged stream did not give the honest outcome`);
          return;
        }
        // (the honest outcome with bytes left over is a stream that stalls: e.g. a byte inserted
        // before an equal last byte leaves the record as it was and one byte after it)
        if (error === undefined && sameJson(outcome, want) && leftover === 0) {
          throw new Error(`${scenario.mode}, record ${k} (${targetEncrypted ? 'protected' : 'plaintext'}) to the ${target}: changed bytes ${JSON.stringify(list)} went unnoticed`);
        }
      }), RUNS.connections);
      if (!fuzzing) for (const alert of ['bad_record_mac', 'decode_error', 'unexpected_message']) expect(alerts.get(alert) ?? 0, alert).toBeGreaterThan(0);
    }, TIMEOUT);

    it('connections fed authenticated garbage (one message mutated, then protected with the right key) throw only MmtlsError', async () => {
      const base = await prepared(provider);
      const input = fc.record({
        scenario: fc.constantFrom(...SCENARIOS),
        target: fc.constantFrom('client' as const, 'server' as const),
        which: fc.nat(),
        list: mutations,
      });
      const alerts = new Map<string, number>();
      await checkAsync(fc.asyncProperty(input, async ({ scenario, target, which, list }) => {
        const k = which % (target === 'client' ? scenario.toClient : scenario.toServer);
        const { outcome, error, changed: contentChanged, targetType } = await runScenario(base, scenario, { target, k, list, inside: true });
        const where = `${scenario.mode}, record ${k} (type 0x${targetType.toString(16)}) to the ${target}, mutations ${JSON.stringify(list)}`;
        if (error !== undefined) {
          if (!(error instanceof MmtlsError) || !(error.alert in ALERTS)) throw new Error(`${where}: ${describeError(error)}`);
          alerts.set(error.alert, (alerts.get(error.alert) ?? 0) + 1);
        }
        const want = honest(scenario);
        if (!contentChanged) {
          if (error !== undefined || !sameJson(outcome, want)) throw new Error(`${where}: unchanged content did not give the honest outcome`);
          return;
        }
        // a changed handshake message is in the transcript: the handshake cannot end as the honest one
        // (application data and alerts are the authenticated peer's to choose)
        const handshake = targetType === RecordType.handshake || targetType === RecordType.earlyHandshake;
        if (handshake && error === undefined && outcome.clientMode !== undefined && outcome.serverMode !== undefined) {
          throw new Error(`${where}: both sides completed the handshake with a changed handshake message`);
        }
      }), RUNS.connections);
      if (!fuzzing) {
        for (const alert of ['decode_error', 'decrypt_error', 'bad_record_mac', 'illegal_parameter', 'unexpected_message']) expect(alerts.get(alert) ?? 0, alert).toBeGreaterThan(0);
      }
    }, TIMEOUT);
  });
});

function honest(scenario: Scenario): Outcome {
  return {
    clientMode: scenario.mode,
    serverMode: scenario.mode,
    clientData: toHex(SERVER_DATA),
    serverData: toHex(CLIENT_DATA),
    clientEnded: scenario.mode === '0rtt-psk' ? 1 : 0,
    serverEnded: scenario.mode === '0rtt-psk' ? 1 : 0,
  };
}
