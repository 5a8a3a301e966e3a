// Fuzzing the transport decoders and detectTransport (fast-check, the conventions of
// test/diff/property.ts: a fixed seed and PROPERTY_RUNS runs of every property in `npm test`, each
// run feeding STREAMS_PER_RUN streams; bounded by time under `npm run fuzz`).
//
// Streams: random bytes, and valid streams from the peer codec (packets, quick acks, transport
// errors) put through mutations (flipped, overwritten, inserted, deleted bytes; truncation; a
// repeated slice), fed in chunks of random sizes. Properties: push() and detectTransport() throw
// nothing but MtprotoError / TlError, and a failed codec keeps failing with the same error; no
// packet is larger than the codec's cap; an unmutated stream decodes to exactly what was encoded.
// Not hanging is structural (every step of a decode loop consumes bytes or returns) and enforced
// by the test timeout.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CryptoProvider } from '../../bindings/index.js';
import { MtprotoError, TlError } from '../../bindings/mtproto/errors.js';
import {
  createFrameCodec, DEFAULT_MAX_FRAME_LENGTH, detectTransport, type Frame, type FrameCodec, ObfuscatedCodec,
  type TransportOptions,
} from '../../bindings/mtproto/transport/index.js';
import { BUILDS } from '../helpers/builds.js';
import { forEachProvider } from '../helpers/providers.js';
import { expectPassedAllRuns, runParameters } from '../diff/property.js';

const STREAMS_PER_RUN = 4;

type Direction = 'to-server' | 'to-client';
interface Target {
  name: string;
  client: TransportOptions;
  direction: Direction;
  /** Payload lengths a well-formed stream may carry (abridged and full: multiples of 4). */
  aligned: boolean;
  padded: boolean;
}

const CLIENTS: Array<[string, TransportOptions]> = [
  ['abridged', { transport: 'abridged', role: 'client' }],
  ['intermediate', { transport: 'intermediate', role: 'client' }],
  ['padded', { transport: 'padded', role: 'client' }],
  ['full', { transport: 'full', role: 'client' }],
  ['obfuscated/abridged', { transport: 'obfuscated', role: 'client', inner: 'abridged' }],
  ['obfuscated/intermediate', { transport: 'obfuscated', role: 'client', inner: 'intermediate', dcId: 2 }],
  ['obfuscated/padded', { transport: 'obfuscated', role: 'client', inner: 'padded' }],
];

const TARGETS: Target[] = CLIENTS.flatMap(([name, client]) => (['to-server', 'to-client'] as const).map((direction) => ({
  name: `${name} ${direction === 'to-server' ? 'server' : 'client'} decoder`,
  client,
  direction,
  aligned: name === 'abridged' || name === 'full' || name === 'obfuscated/abridged',
  padded: name.endsWith('padded'),
})));

// ---- inputs -------------------------------------------------------------------------------------

type Item =
  | { kind: 'packet'; length: number; quickAck: boolean; seed: number }
  | { kind: 'quick-ack'; token: number }
  | { kind: 'transport-error'; code: number };

const item: fc.Arbitrary<Item> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('packet' as const), length: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 700 })), quickAck: fc.boolean(), seed: fc.integer() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('quick-ack' as const), token: fc.nat({ max: 0xffffffff }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('transport-error' as const), code: fc.constantFrom(404, 429, 444, 1, 0x7fffffff) }) },
);

type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; value: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; count: number }
  | { op: 'truncate'; at: number }
  | { op: 'repeat'; at: number; count: number };

const position = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('set' as const), at: position, value: fc.constantFrom(0x00, 0x7f, 0x80, 0xef, 0xee, 0xdd, 0xff) }),
  fc.record({ op: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ op: fc.constant('delete' as const), at: position, count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: position }),
  fc.record({ op: fc.constant('repeat' as const), at: position, count: fc.integer({ min: 1, max: 40 }) }),
);

type Stream =
  | { kind: 'random'; bytes: Uint8Array; chunks: number[]; cap: number }
  | { kind: 'mutated'; items: Item[]; mutations: Mutation[]; chunks: number[]; cap: number };

const chunks = fc.array(fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 1024 })), { minLength: 1, maxLength: 6 });
const cap = fc.oneof({ weight: 3, arbitrary: fc.constant(DEFAULT_MAX_FRAME_LENGTH) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 600 }) });
const stream: fc.Arbitrary<Stream> = fc.oneof(
  fc.record({ kind: fc.constant('random' as const), bytes: fc.uint8Array({ maxLength: 1500 }), chunks, cap }),
  fc.record({
    kind: fc.constant('mutated' as const),
    items: fc.array(item, { minLength: 1, maxLength: 6 }),
    mutations: fc.oneof({ weight: 1, arbitrary: fc.constant<Mutation[]>([]) }, { weight: 4, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 4 }) }),
    chunks,
    cap,
  }),
);

function fill(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function mutate(data: Uint8Array, mutations: Mutation[]): Uint8Array {
  let d = data;
  for (const m of mutations) {
    const at = Math.floor(m.at * (d.length + (m.op === 'insert' ? 1 : 0)));
    if (d.length === 0 && m.op !== 'insert') continue;
    if (m.op === 'flip') (d = d.slice())[at] ^= 1 << m.bit;
    else if (m.op === 'set') (d = d.slice())[at] = m.value;
    else if (m.op === 'insert') d = concat([d.subarray(0, at), m.bytes, d.subarray(at)]);
    else if (m.op === 'delete') d = concat([d.subarray(0, at), d.subarray(at + m.count)]);
    else if (m.op === 'truncate') d = d.subarray(0, at);
    else d = concat([d.subarray(0, at + m.count), d.subarray(at)]);
  }
  return d;
}

/** What the peer writes for `items` (and the frames the decoder should return for them), and the decoder. */
function build(provider: CryptoProvider, target: Target, items: Item[], maxFrameLength: number) {
  const plain = target.client.transport !== 'obfuscated';
  if (target.direction === 'to-server') {
    // a server codec starts after the tag (detectTransport consumes it), so the client sends none here
    const client = createFrameCodec(provider, plain ? { ...target.client, sendTag: false } as TransportOptions : target.client);
    const decoder = serverDecoder(provider, target, maxFrameLength);
    const wire: Uint8Array[] = [];
    const expected: Frame[] = [];
    for (const it of items) {
      if (it.kind !== 'packet') continue; // a client sends only packets
      const payload = fill(target.aligned ? it.length & ~3 : it.length, it.seed);
      wire.push(client.encode(payload, { quickAck: it.quickAck }));
      expected.push({ kind: 'packet', payload, quickAck: it.quickAck });
    }
    if (wire.length === 0) { // at least one frame (and the obfuscation header)
      wire.push(client.encode(new Uint8Array(0)));
      expected.push({ kind: 'packet', payload: new Uint8Array(0), quickAck: false });
    }
    return { decoder, wire: concat(wire), expected, release: () => client.dispose() };
  }
  // server → client: a server that has read the client's opening bytes
  const client = createFrameCodec(provider, target.client);
  const opening = client.encode(new Uint8Array(0));
  const detected = detectTransport(provider, opening);
  if (detected.kind !== 'transport') throw new Error(`${target.name}: opening not detected`);
  const server = detected.codec;
  server.push(detected.rest);
  const wire: Uint8Array[] = [];
  const expected: Frame[] = [];
  for (const it of items) {
    if (it.kind === 'packet') {
      // A client reads a payload under 16 bytes starting with a negative int32 as a transport error
      // (stream.ts); MTProto packets are longer, so keep short ones positive (padded: padding would
      // land in the first word of a payload under 4 bytes).
      const length = target.padded ? Math.max(it.length, 4) : it.length;
      const payload = fill(target.aligned ? length & ~3 : length, it.seed);
      if (payload.length >= 4 && payload.length < 16) payload[3]! &= 0x7f;
      wire.push(server.encode(payload));
      expected.push({ kind: 'packet', payload, quickAck: false });
    } else if (it.kind === 'quick-ack') {
      if (!server.quickAckReplies) continue;
      wire.push(server.encodeQuickAck(it.token));
      expected.push({ kind: 'quick-ack', token: it.token & 0x7fffffff });
    } else {
      wire.push(server.encodeTransportError(it.code));
      expected.push({ kind: 'transport-error', code: it.code });
    }
  }
  // the decoder is the client itself, or (for a smaller cap) a twin that reads the same stream
  const decoder = maxFrameLength === DEFAULT_MAX_FRAME_LENGTH ? client : withCap(provider, target, opening, maxFrameLength);
  return { decoder, wire: concat(wire), expected, release: () => { server.dispose(); client.dispose(); } };
}

function serverDecoder(provider: CryptoProvider, target: Target, maxFrameLength: number): FrameCodec {
  return target.client.transport === 'obfuscated'
    ? new ObfuscatedCodec(provider, { role: 'server', maxFrameLength })
    : createFrameCodec(provider, { ...target.client, role: 'server', maxFrameLength } as TransportOptions);
}

/**
 * A client codec that only differs from `client` by its cap: same header (injected), so the server's
 * stream decrypts for it too. Plain framings carry no state that matters for reading.
 */
function withCap(provider: CryptoProvider, target: Target, opening: Uint8Array, maxFrameLength: number): FrameCodec {
  if (target.client.transport !== 'obfuscated') return createFrameCodec(provider, { ...target.client, maxFrameLength });
  // The header sent was header[0:56] in clear plus 8 encrypted bytes; the keys depend only on bytes 8..56,
  // so a codec injected with the sent bytes derives the same keys (the rules it checks look at bytes 0..8).
  return new ObfuscatedCodec(provider, { ...(target.client as object), role: 'client', init: opening.subarray(0, 64), maxFrameLength } as never);
}

// ---- the checks -----------------------------------------------------------------------------------

function allowed(error: unknown): boolean {
  return error instanceof MtprotoError || error instanceof TlError;
}

function same(a: Frame, b: Frame): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'packet' && b.kind === 'packet') {
    if (a.quickAck !== b.quickAck) return false;
    return Buffer.from(a.payload).equals(Buffer.from(b.payload));
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Feeds `data` in chunks of the given sizes (cycling); checks every frame and the failure rules. */
function drive(codec: FrameCodec, data: Uint8Array, sizes: number[], maxFrameLength: number): { frames: Frame[]; failed: boolean } {
  const frames: Frame[] = [];
  let at = 0;
  for (let i = 0; at < data.length; i++) {
    const n = sizes[i % sizes.length]!;
    const chunk = data.slice(at, at + n);
    at += n;
    let got: Frame[];
    try {
      got = codec.push(chunk);
    } catch (error) {
      if (!allowed(error)) throw error;
      let again: unknown;
      try {
        codec.push(Uint8Array.of(0));
      } catch (e) {
        again = e;
      }
      if (again !== error) throw new Error(`a failed codec did not rethrow its error: ${String(again)}`);
      return { frames, failed: true };
    }
    for (const f of got) {
      if (f.kind === 'packet' && f.payload.length > maxFrameLength) throw new Error(`a ${f.payload.length}-byte packet above the cap ${maxFrameLength}`);
      if (f.kind === 'quick-ack' && !(Number.isInteger(f.token) && f.token >= 0 && f.token <= 0x7fffffff)) throw new Error(`bad token ${f.token}`);
      if (f.kind === 'transport-error' && !(Number.isInteger(f.code) && f.code > 0)) throw new Error(`bad code ${f.code}`);
      frames.push(f);
    }
  }
  return { frames, failed: false };
}

function decoderProperty(provider: CryptoProvider, target: Target) {
  return fc.property(fc.array(stream, { minLength: STREAMS_PER_RUN, maxLength: STREAMS_PER_RUN }), (streams) => {
    for (const s of streams) {
      if (s.kind === 'random') {
        const decoder = target.direction === 'to-server'
          ? serverDecoder(provider, target, s.cap)
          : createFrameCodec(provider, { ...target.client, maxFrameLength: s.cap });
        drive(decoder, s.bytes, s.chunks, s.cap);
        decoder.dispose();
        continue;
      }
      const { decoder, wire, expected, release } = build(provider, target, s.items, s.cap);
      const { frames, failed } = drive(decoder, mutate(wire, s.mutations), s.chunks, s.cap);
      const fits = expected.every((f) => f.kind !== 'packet' || f.payload.length + (target.padded ? 15 : 0) <= s.cap);
      if (s.mutations.length === 0 && fits) {
        if (failed) throw new Error('an unmutated stream failed');
        if (frames.length !== expected.length) throw new Error(`decoded ${frames.length} frames, expected ${expected.length}`);
        frames.forEach((f, i) => {
          const e = expected[i]!;
          // padded: the padding comes with the payload
          const trimmed = target.padded && f.kind === 'packet' && e.kind === 'packet' ? { ...f, payload: f.payload.subarray(0, e.payload.length) } : f;
          if (!same(trimmed, e)) throw new Error(`frame ${i}: ${JSON.stringify(f)} ≠ ${JSON.stringify(e)}`);
        });
      }
      decoder.dispose();
      release();
    }
  });
}

const OPENERS = CLIENTS.map(([, client]) => client).concat([
  { transport: 'obfuscated', role: 'client', inner: 'intermediate', secret: new Uint8Array(16).fill(7) },
]);

function detectProperty(provider: CryptoProvider) {
  const head = fc.oneof(
    fc.record({ kind: fc.constant('random' as const), bytes: fc.uint8Array({ maxLength: 200 }), chunks }),
    fc.record({ kind: fc.constant('opening' as const), opener: fc.integer({ min: 0, max: OPENERS.length - 1 }), tail: fc.uint8Array({ maxLength: 100 }), mutations: fc.array(mutation, { maxLength: 3 }), chunks }),
    fc.record({ kind: fc.constant('http' as const), method: fc.constantFrom('POST', 'GET ', 'HEAD', 'OPTI'), tail: fc.uint8Array({ maxLength: 40 }), chunks }),
  );
  return fc.property(fc.array(head, { minLength: STREAMS_PER_RUN, maxLength: STREAMS_PER_RUN }), (heads) => {
    for (const h of heads) {
      let data: Uint8Array;
      let expected: string | null = null;
      if (h.kind === 'random') data = h.bytes;
      else if (h.kind === 'http') {
        data = concat([new TextEncoder().encode(h.method), h.tail]);
        expected = 'http';
      } else {
        const opener = OPENERS[h.opener]!;
        const codec = createFrameCodec(provider, opener);
        data = mutate(concat([codec.encode(new Uint8Array(8)), h.tail]), h.mutations);
        codec.dispose();
        // without the secret the server cannot read the MTProxy opening: expected to be refused
        if (h.mutations.length === 0 && !('secret' in opener)) expected = opener.transport;
      }
      let decided: string | null = null;
      for (let n = 0, i = 0; n <= data.length && decided === null; n = n === data.length ? n + 1 : Math.min(data.length, n + h.chunks[i++ % h.chunks.length]!)) {
        let d;
        try {
          d = detectTransport(provider, data.subarray(0, n));
        } catch (error) {
          if (!allowed(error)) throw error;
          decided = 'refused';
          break;
        }
        if (d.kind === 'need-more') {
          if (!(d.atLeast > n)) throw new Error(`need-more ${d.atLeast} with ${n} bytes`);
          continue;
        }
        decided = d.kind === 'http' ? 'http' : d.transport;
        if (d.kind === 'transport') {
          drive(d.codec, concat([d.rest, data.subarray(n)]), h.chunks, DEFAULT_MAX_FRAME_LENGTH);
          d.codec.dispose();
        }
      }
      if (expected !== null && decided !== expected) throw new Error(`detected ${decided}, expected ${expected}`);
      if (h.kind === 'opening' && expected === null && 'secret' in OPENERS[h.opener]! && h.mutations.length === 0 && decided !== 'refused') {
        throw new Error(`an MTProxy opening read without the secret was ${decided}`);
      }
    }
  });
}

// ---- the runs -------------------------------------------------------------------------------------

const share = (TARGETS.length + 1) * (BUILDS.length + 1); // properties × providers (each wasm build, and the reference)

forEachProvider((provider) => {
  describe(`transport fuzz (${provider.name})`, () => {
    for (const target of TARGETS) {
      it(`${target.name}: random and mutated streams`, () => {
        expectPassedAllRuns(fc.check(decoderProperty(provider, target), runParameters(share)));
      }, 0);
    }
    it('detectTransport: random, mutated and HTTP openings', () => {
      expectPassedAllRuns(fc.check(detectProperty(provider), runParameters(share)));
    }, 0);
  });
});

// guard: the property count above is what the share divides by
it('fuzz targets: 14 decoders (7 transports × 2 roles) and detectTransport', () => {
  expect(TARGETS.length).toBe(14);
});
