// Properties of the TL reader, the service-message codec and gzip_packed on hostile input, with the
// conventions of test/diff/property.ts: a fixed seed and an exact number of runs in `npm test`
// (a few thousand inputs per cheap property), or runs bounded by time when FUZZ_SECONDS is set.
// A failure prints the seed, the replay path and the shrunk counterexample.
//
// What must hold: a decoder returns a complete value or throws TlError (gzip: MtprotoError), never
// anything else and never a partial result; whatever decodes re-encodes to exactly the input (the
// encoding is canonical); encoding then decoding is the identity.
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MtprotoError, TlError } from '../../bindings/mtproto/errors.js';
import { gunzipPacked, gzipPacked } from '../../bindings/mtproto/tl/gzip.js';
import { TlReader } from '../../bindings/mtproto/tl/reader.js';
import { ID, decodeService, encodeService, type ServiceMessage, type ServiceName, type ServiceOf } from '../../bindings/mtproto/tl/service.js';
import { FUZZ_SEED, fuzzing, runParameters } from '../diff/property.js';
import { hex } from '../helpers/vectors.js';

const PROPERTIES = 6; // how many share the fuzz time budget
const TIMEOUT = fuzzing ? 0 : 60_000;

function parameters(runs: number): fc.Parameters<unknown> {
  return fuzzing ? runParameters(PROPERTIES) : { seed: FUZZ_SEED, numRuns: runs };
}

/** expectPassedAllRuns with this file's run counts. */
function expectRan(details: fc.RunDetails<unknown>, runs: number): void {
  if (details.failed) expect.fail(fc.defaultReportMessage(details) ?? 'property failed');
  if (fuzzing) {
    expect(details.numRuns).toBeGreaterThan(0);
    return;
  }
  expect(details.interrupted, 'interrupted').toBe(false);
  expect(details.numSkips, 'runs skipped by a precondition').toBe(0);
  expect(details.numRuns, 'runs').toBe(runs);
}

// ---- generators ---------------------------------------------------------------------------------

const long = fc.oneof(
  fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
  fc.constantFrom(0n, 1n, -1n, -(1n << 63n), (1n << 63n) - 1n),
);
const int = fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.constantFrom(0, -1, 2 ** 31 - 1, -(2 ** 31), 253, 254, 1024));
// Both length forms of TL bytes (the long one from 254).
const bytes = fc.oneof(fc.uint8Array({ maxLength: 12 }), fc.uint8Array({ minLength: 250, maxLength: 300 }));
const ids = fc.array(long, { maxLength: 12 });
const text = fc.string({ unit: 'grapheme', maxLength: 30 }); // well-formed Unicode, so UTF-8 round-trips
/** A serialized object: whole words, at least a constructor id, never a container (no nesting). */
const object = fc
  .array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { minLength: 1, maxLength: 6 })
  .filter((words) => words[0] !== ID.msg_container)
  .map((words) => new Uint8Array(Uint32Array.from(words).buffer));
const entry = fc.record({ msg_id: long, seqno: int, body: object });
const salt = fc.record({ valid_since: int, valid_until: int, salt: long });
const none = fc.constant({});

type Fields = { [K in ServiceName]: fc.Arbitrary<Omit<ServiceOf<K>, '_'>> };
const FIELDS: Fields = {
  rpc_result: fc.record({ req_msg_id: long, result: object }),
  rpc_error: fc.record({ error_code: int, error_message: text }),
  rpc_drop_answer: fc.record({ req_msg_id: long }),
  rpc_answer_unknown: none,
  rpc_answer_dropped_running: none,
  rpc_answer_dropped: fc.record({ msg_id: long, seq_no: int, bytes: int }),
  msg_container: fc.record({ messages: fc.array(entry, { maxLength: 6 }) }),
  msg_copy: fc.record({ orig_message: entry }),
  gzip_packed: fc.record({ packed_data: bytes }),
  msgs_ack: fc.record({ msg_ids: ids }),
  bad_msg_notification: fc.record({ bad_msg_id: long, bad_msg_seqno: int, error_code: int }),
  bad_server_salt: fc.record({ bad_msg_id: long, bad_msg_seqno: int, error_code: int, new_server_salt: long }),
  new_session_created: fc.record({ first_msg_id: long, unique_id: long, server_salt: long }),
  ping: fc.record({ ping_id: long }),
  pong: fc.record({ msg_id: long, ping_id: long }),
  ping_delay_disconnect: fc.record({ ping_id: long, disconnect_delay: int }),
  get_future_salts: fc.record({ num: int }),
  future_salt: salt,
  future_salts: fc.record({ req_msg_id: long, now: int, salts: fc.array(salt, { maxLength: 5 }) }),
  msgs_state_req: fc.record({ msg_ids: ids }),
  msgs_state_info: fc.record({ req_msg_id: long, info: bytes }),
  msgs_all_info: ids.chain((msg_ids) => fc.uint8Array({ minLength: msg_ids.length, maxLength: msg_ids.length }).map((info) => ({ msg_ids, info }))),
  msg_detailed_info: fc.record({ msg_id: long, answer_msg_id: long, bytes: int, status: int }),
  msg_new_detailed_info: fc.record({ answer_msg_id: long, bytes: int, status: int }),
  msg_resend_req: fc.record({ msg_ids: ids }),
  msg_resend_ans_req: fc.record({ msg_ids: ids }),
  destroy_session: fc.record({ session_id: long }),
  destroy_session_ok: fc.record({ session_id: long }),
  destroy_session_none: fc.record({ session_id: long }),
  destroy_auth_key: none,
  destroy_auth_key_ok: none,
  destroy_auth_key_none: none,
  destroy_auth_key_fail: none,
  http_wait: fc.record({ max_delay: int, wait_after: int, max_wait: int }),
  'auth.bindTempAuthKey': fc.record({ perm_auth_key_id: long, nonce: long, expires_at: int, encrypted_message: bytes }),
  bind_auth_key_inner: fc.record({ nonce: long, temp_auth_key_id: long, perm_auth_key_id: long, temp_session_id: long, expires_at: int }),
  boolTrue: none,
  boolFalse: none,
};

const message: fc.Arbitrary<ServiceMessage> = fc.oneof(
  ...Object.entries(FIELDS).map(([name, fields]) => (fields as fc.Arbitrary<object>).map((f) => ({ _: name, ...f }) as ServiceMessage)),
);

/** Edits aimed at TL's weak spots: counts and lengths (aligned words set to edge values), bits, cuts. */
type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'word'; at: number; value: number }
  | { kind: 'cut'; at: number }
  | { kind: 'insert'; at: number; data: Uint8Array }
  | { kind: 'delete'; at: number; n: number };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('word' as const), at: fc.nat(), value: fc.constantFrom(0, 1, 3, 4, 5, 253, 254, 255, 1024, 1025, 8192, 8193, 0x7fffffff, -1, -4, ID.msg_container, ID.rpc_result) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), data: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 8 }) }),
);

function mutate(input: Uint8Array, edits: Mutation[]): Uint8Array {
  let out = Uint8Array.from(input);
  for (const e of edits) {
    const at = out.length === 0 ? 0 : e.at % (out.length + 1);
    if (e.kind === 'flip' && at < out.length) out[at] ^= 1 << e.bit;
    if (e.kind === 'word' && out.length >= 4) new DataView(out.buffer).setInt32(Math.min(at & ~3, out.length - 4), e.value | 0, true);
    if (e.kind === 'cut') out = out.slice(0, at);
    if (e.kind === 'insert') out = Uint8Array.from([...out.subarray(0, at), ...e.data, ...out.subarray(at)]);
    if (e.kind === 'delete') out = Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + e.n)]);
  }
  return out;
}

/** decodeService's contract on any input: TlError, undefined for a non-service id, or a value that re-encodes exactly. */
function checkDecode(input: Uint8Array): void {
  let decoded: ServiceMessage | undefined;
  try {
    decoded = decodeService(input);
  } catch (error) {
    if (error instanceof TlError) return;
    throw error;
  }
  if (decoded === undefined) {
    expect(input.length).toBeGreaterThanOrEqual(4);
    expect(Object.values(ID)).not.toContain(new DataView(input.buffer, input.byteOffset).getUint32(0, true));
    return;
  }
  expect(Buffer.from(encodeService(decoded)).equals(input), `${decoded._} re-encodes differently`).toBe(true);
}

// ---- properties ---------------------------------------------------------------------------------

describe('service messages under fast-check', () => {
  it('decodeService(encodeService(m)) is m, for every constructor', () => {
    const runs = 3000;
    expectRan(fc.check(fc.property(message, (m) => {
      const wire = encodeService(m);
      expect(decodeService(wire)).toEqual(m);
    }), parameters(runs)), runs);
  }, TIMEOUT);

  it('random bytes, bare or behind a service constructor id: TlError or an exact decoding', () => {
    const runs = 5000;
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc.tuple(fc.constantFrom(...Object.values(ID)), fc.uint8Array({ maxLength: 96 })).map(([id, tail]) => {
        const out = new Uint8Array(4 + tail.length);
        new DataView(out.buffer).setUint32(0, id, true);
        out.set(tail, 4);
        return out;
      }),
    );
    expectRan(fc.check(fc.property(input, (bytes) => checkDecode(bytes)), parameters(runs)), runs);
  }, TIMEOUT);

  it('mutated valid encodings: TlError or an exact decoding', () => {
    const runs = 5000;
    const input = fc.tuple(message, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([m, edits]) => mutate(encodeService(m), edits));
    expectRan(fc.check(fc.property(input, (bytes) => checkDecode(bytes)), parameters(runs)), runs);
  }, TIMEOUT);
});

describe('TlReader under fast-check', () => {
  type Op = 'int' | 'uint' | 'long' | 'double' | 'bool' | 'int128' | 'int256' | 'bytes' | 'string' | 'vectorInt' | 'vectorLong' | 'raw3' | 'end';
  const ops: Op[] = ['int', 'uint', 'long', 'double', 'bool', 'int128', 'int256', 'bytes', 'string', 'vectorInt', 'vectorLong', 'raw3', 'end'];
  const run = (r: TlReader, op: Op): unknown => {
    switch (op) {
      case 'vectorInt': return r.vector((v) => v.int(), 16);
      case 'vectorLong': return r.vector((v) => v.long());
      case 'raw3': return r.raw(3);
      default: return r[op]();
    }
  };
  // Fragments that steer the reader into its length and vector paths.
  const fragment = fc.oneof(
    fc.uint8Array({ maxLength: 8 }),
    fc.constantFrom(...['15c4b51c', 'fe000100', 'fefe0000', 'fefd0000', 'ff', '00', '02000000', 'ffffffff', 'b5757299', '379779bc', '03616263'].map(hex)),
  );
  const input = fc.array(fragment, { maxLength: 12 }).map((parts) => Uint8Array.from(parts.flatMap((p) => [...p])));

  it('any sequence of reads on any bytes: values or TlError, never past the end', () => {
    const runs = 5000;
    expectRan(fc.check(fc.property(input, fc.array(fc.constantFrom(...ops), { maxLength: 10 }), (bytes, program) => {
      const r = new TlReader(bytes);
      for (const op of program) {
        const before = r.offset;
        try {
          run(r, op);
        } catch (error) {
          if (error instanceof TlError) return;
          throw error;
        }
        expect(r.offset).toBeGreaterThanOrEqual(before);
        expect(r.offset + r.remaining).toBe(bytes.length);
      }
    }), parameters(runs)), runs);
  }, TIMEOUT);
});

describe('gzip_packed under fast-check', () => {
  const data = fc.oneof(fc.uint8Array({ maxLength: 2000 }), fc.integer({ min: 0, max: 5000 }).map((n) => new Uint8Array(n).fill(7)));

  it('gunzipPacked(gzipPacked(x)) is x, with maxSize = |x|', async () => {
    const runs = 300;
    expectRan(await fc.check(fc.asyncProperty(data, async (x) => {
      const out = await gunzipPacked(await gzipPacked(x), x.length);
      expect(Buffer.from(out).equals(x)).toBe(true);
    }), parameters(runs)), runs);
  }, TIMEOUT);

  it('mutated gzip: bytes within maxSize or MtprotoError gzip-invalid / gzip-too-large', async () => {
    const runs = 500;
    const input = fc.tuple(data, fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 3000 }));
    expectRan(await fc.check(fc.asyncProperty(input, async ([x, edits, maxSize]) => {
      const packed = mutate(gzipSync(x), edits);
      try {
        const out = await gunzipPacked(packed, maxSize);
        expect(out.length).toBeLessThanOrEqual(maxSize);
      } catch (error) {
        if (!(error instanceof MtprotoError)) throw error;
        expect(['gzip-invalid', 'gzip-too-large']).toContain(error.code);
      }
    }), parameters(runs)), runs);
  }, TIMEOUT);
});
