// MTProto transports (spec §8): every case of transports.json and obfuscated2.json, client → server
// and server → client round trips for every transport (obfuscated2 over each inner framing, with
// and without an MTProxy secret) fed whole, split at every byte and in random chunks, the server's
// detection, quick acks, transport errors and every error path — on both providers. Independent
// checks: node:zlib's crc32 and the test helper's, node:crypto's SHA-256 and AES-256-CTR, and the
// transport code of two third-party clients, GramJS (abridged, full, obfuscated abridged) and mtcute
// (intermediate, padded, obfuscated intermediate / padded, MTProxy), talking to our server codecs.
import { createCipheriv, createHash } from 'node:crypto';
import { Bytes } from '@fuman/io';
import { IntermediatePacketCodec, ObfuscatedPacketCodec, PaddedIntermediatePacketCodec, TransportError } from '@mtcute/core';
import { NodeCryptoProvider } from '@mtcute/node/utils.js';
import { ConnectionTCPAbridged, ConnectionTCPFull, ConnectionTCPObfuscated } from 'telegram/network/index.js';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { CryptoProvider } from '../../bindings/index.js';
import { MtprotoError } from '../../bindings/mtproto/errors.js';
import {
  AbridgedCodec, crc32, createFrameCodec, DEFAULT_MAX_FRAME_LENGTH, deriveObfuscationKeys, detectTransport, type Frame,
  type FrameCodec, FullCodec, IntermediateCodec, isAcceptableHeader, OBFUSCATION_TAGS, ObfuscatedCodec, type ObfuscatedInner,
  PaddedCodec, type TransportOptions,
} from '../../bindings/mtproto/transport/index.js';
import { forEachProvider } from '../helpers/providers.js';
import { crc32 as helperCrc32 } from '../helpers/tdlib.js';
import { countCases, hex, loadVectors, toHex } from '../helpers/vectors.js';

const transports = loadVectors('mtproto/transports.json');
const obfuscated = loadVectors('mtproto/obfuscated2.json');
const messages = loadVectors('mtproto/mtproto2-messages.json');

// ---- helpers -------------------------------------------------------------------------------------

function seq(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => i & 0xff);
}

function payloadOf(spec: string): Uint8Array {
  const m = /^payload_seq_(\d+)$/.exec(spec);
  return m ? seq(Number(m[1])) : hex(spec);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Deterministic pseudo-random numbers (xorshift32): chunk sizes, payload bytes. */
function rng(seed: number): (n: number) => number {
  let x = seed | 1;
  return (n) => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    return (x >>> 0) % n;
  };
}

function randomPayload(random: (n: number) => number, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => random(256));
}

/** Feeds `stream` to `codec` cut at `cuts` (sorted offsets), each chunk in a fresh buffer that is then scribbled over. */
function feed(codec: FrameCodec, stream: Uint8Array, cuts: number[]): Frame[] {
  const frames: Frame[] = [];
  let from = 0;
  for (const to of [...cuts, stream.length]) {
    const chunk = stream.slice(from, to);
    frames.push(...codec.push(chunk));
    chunk.fill(0xa5); // the codec must have copied what it keeps
    from = to;
  }
  return frames;
}

const byteByByte = (n: number) => Array.from({ length: Math.max(0, n - 1) }, (_, i) => i + 1);
function randomCuts(random: (n: number) => number, n: number, maxChunk: number): number[] {
  const cuts: number[] = [];
  for (let at = random(maxChunk) + 1; at < n; at += random(maxChunk) + 1) cuts.push(at);
  return cuts;
}

function packets(frames: Frame[]): Array<{ payload: string; quickAck: boolean }> {
  return frames.map((f) => {
    if (f.kind !== 'packet') throw new Error(`expected a packet, got ${JSON.stringify(f)}`);
    return { payload: toHex(f.payload), quickAck: f.quickAck };
  });
}

function mtprotoError(fn: () => unknown): MtprotoError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MtprotoError);
    return error as MtprotoError;
  }
  throw new Error('expected an MtprotoError, nothing was thrown');
}

/** A provider whose randomBytes answers from a queue first (for header draws), else from `base`. */
function scriptedRandom(base: CryptoProvider, queue: Uint8Array[]): CryptoProvider {
  return { ...base, name: base.name, randomBytes: (n: number) => (queue.length > 0 ? queue.shift()! : base.randomBytes(n)), hash: base.hash, aesCtr: base.aesCtr } as CryptoProvider;
}

/** obfuscated2 on node:crypto, written from §8.7: the client's keys and what the server would decrypt. */
function nodeObfuscation(header: Uint8Array, secret?: Uint8Array) {
  const h = Buffer.from(header);
  const r = Buffer.from(header).reverse();
  const key16 = secret && secret.length === 17 ? secret.subarray(1) : secret;
  const fix = (k: Buffer) => (key16 ? createHash('sha256').update(k).update(key16).digest() : k);
  return {
    encryptKey: fix(h.subarray(8, 40)), encryptIv: h.subarray(40, 56),
    decryptKey: fix(r.subarray(8, 40)), decryptIv: r.subarray(40, 56),
  };
}

function u32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n >>> 0, true);
  return out;
}

function findQuickAck(file: any): { quick_ack_uint32: number; quick_ack_le_bytes: string } {
  const stack = [file];
  while (stack.length) {
    const x = stack.pop();
    if (x && typeof x === 'object') {
      if (typeof x.quick_ack_uint32 === 'number') return x;
      stack.push(...Object.values(x));
    }
  }
  throw new Error('mtproto2-messages.json: no quick_ack_uint32');
}

/**
 * An obfuscated2 server that has read a client's header, with a way to feed it plaintext inner
 * frames (encrypted with the client's keystream, as a client would send them).
 */
function obfuscatedServer(provider: CryptoProvider, maxFrameLength?: number): FrameCodec {
  const init = Uint8Array.from({ length: 64 }, (_, i) => (i * 29 + 3) & 0xff);
  const client = new ObfuscatedCodec(provider, { role: 'client', inner: 'intermediate', init });
  const first = client.encode(new Uint8Array(0));
  const server = new ObfuscatedCodec(provider, { role: 'server', maxFrameLength });
  server.push(first);
  const keys = nodeObfuscation(first.subarray(0, 64));
  const stream = createCipheriv('aes-256-ctr', keys.encryptKey, keys.encryptIv);
  stream.update(new Uint8Array(64 + 4)); // the header and the empty frame the client encoded
  return Object.assign(server, { encryptForTest: (b: Uint8Array) => new Uint8Array(stream.update(b)) });
}

// ---- third-party clients ------------------------------------------------------------------------

/** The socket GramJS's connections write to and read from, in memory. */
class GramSocket {
  out: Buffer[] = [];
  inbound = Buffer.alloc(0);
  write(b: Buffer) { this.out.push(Buffer.from(b)); }
  async readExactly(n: number) {
    if (this.inbound.length < n) throw new Error(`GramJS read ${n} bytes, ${this.inbound.length} left`);
    const r = this.inbound.subarray(0, n);
    this.inbound = this.inbound.subarray(n);
    return r;
  }
  async read(n: number) { return this.readExactly(n); }
  async connect() {}
  async close() {}
  take(): Uint8Array {
    const all = Buffer.concat(this.out);
    this.out = [];
    return new Uint8Array(all);
  }
}

async function gramClient(Connection: any) {
  const conn = new Connection({ ip: '127.0.0.1', port: 443, dcId: 2, loggers: {}, socket: GramSocket });
  conn._codec = new conn.PacketCodecClass(conn);
  await conn._initConn(); // the tag (abridged), nothing (full) or the obfuscation header
  return conn as { socket: GramSocket; _send(b: Buffer): Promise<void>; _recv(): Promise<Buffer> };
}

const mtcuteLog: any = { create: () => mtcuteLog, prefix: '', debug() {}, info() {}, warn() {}, error() {}, verbose() {}, request() {} };
let mtcuteCrypto: NodeCryptoProvider | null = null;
async function mtcuteCodec(codec: any) {
  if (!mtcuteCrypto) {
    mtcuteCrypto = new NodeCryptoProvider();
    await mtcuteCrypto.initialize();
  }
  codec.setup?.(mtcuteCrypto, mtcuteLog);
  return codec as { tag(): Promise<Uint8Array> | Uint8Array; encode(b: Uint8Array, into: Bytes): Promise<void> | void; decode(r: Bytes, eof: boolean): Promise<Uint8Array | null> | Uint8Array | null };
}

const INTEROP_LENGTHS = [16, 64, 504, 508, 512, 1024, 4096, 70_000];

const TAG_BYTES: Record<ObfuscatedInner, string> = { abridged: 'efefefef', intermediate: 'eeeeeeee', padded: 'dddddddd' };

// ---- the transports under test ------------------------------------------------------------------

interface Setup {
  name: string;
  client: TransportOptions;
  detect?: { secret?: Uint8Array };
  /** The framing whose rules apply (obfuscated: the inner one). */
  framing: 'abridged' | 'intermediate' | 'padded' | 'full';
}

const SECRET16 = hex('00112233445566778899aabbccddeeff');
const SECRET_DD = hex('dd00112233445566778899aabbccddeeff');

const SETUPS: Setup[] = [
  { name: 'abridged', client: { transport: 'abridged', role: 'client' }, framing: 'abridged' },
  { name: 'intermediate', client: { transport: 'intermediate', role: 'client' }, framing: 'intermediate' },
  { name: 'padded', client: { transport: 'padded', role: 'client' }, framing: 'padded' },
  { name: 'full', client: { transport: 'full', role: 'client' }, framing: 'full' },
  ...(['abridged', 'intermediate', 'padded'] as const).flatMap((inner): Setup[] => [
    { name: `obfuscated/${inner}`, client: { transport: 'obfuscated', role: 'client', inner }, framing: inner },
    {
      name: `obfuscated/${inner} + MTProxy secret, dc -2`,
      client: { transport: 'obfuscated', role: 'client', inner, secret: SECRET16, dcId: -2 },
      detect: { secret: SECRET16 }, framing: inner,
    },
  ]),
  {
    name: 'obfuscated + 0xdd MTProxy secret (padded implied), dc 10003',
    client: { transport: 'obfuscated', role: 'client', secret: SECRET_DD, dcId: 10003 },
    detect: { secret: SECRET_DD }, framing: 'padded',
  },
];

/** Payload lengths around the framings' edges (abridged switches form at 127 words). */
const SMALL_LENGTHS = [0, 4, 8, 12, 16, 20, 24, 60, 64, 124, 128];
const EDGE_LENGTHS = [496, 500, 504, 508, 512, 1024, 4096];
const BIG_LENGTHS = [65_536, 262_144 + 4, 1_048_576];

function checkPacket(framing: Setup['framing'], got: Frame, payload: Uint8Array, quickAck: boolean, what: string): void {
  expect(got.kind, what).toBe('packet');
  if (got.kind !== 'packet') return;
  expect(got.quickAck, what).toBe(quickAck);
  if (framing === 'padded') {
    // the padding comes along (the message layer trims it): 0..15 bytes after the payload
    expect(got.payload.length - payload.length, what).toBeGreaterThanOrEqual(0);
    expect(got.payload.length - payload.length, what).toBeLessThanOrEqual(15);
    expect(toHex(got.payload.subarray(0, payload.length)), what).toBe(toHex(payload));
  } else {
    expect(toHex(got.payload), what).toBe(toHex(payload));
  }
}

/** Client encodes; the server side is found by detectTransport fed one byte at a time, then given the rest. */
function clientStream(provider: CryptoProvider, setup: Setup, payloads: Uint8Array[], quickAcks: boolean[]) {
  const client = createFrameCodec(provider, setup.client);
  const wire = concat(...payloads.map((p, i) => client.encode(p, { quickAck: quickAcks[i] })));
  return { client, wire };
}

function detectIncrementally(provider: CryptoProvider, wire: Uint8Array, setup: Setup) {
  for (let n = 0; n <= wire.length; n++) {
    const d = detectTransport(provider, wire.subarray(0, n), setup.detect);
    if (d.kind === 'need-more') {
      expect(d.atLeast).toBeGreaterThan(n);
      continue;
    }
    if (d.kind !== 'transport') throw new Error(`detected ${d.kind}`);
    // what the codec must read next: the undecided part of the head, then everything after it
    return { detection: d, consumed: n, body: wire.subarray(n - d.rest.length) };
  }
  throw new Error('never detected');
}

// ---- the suites -----------------------------------------------------------------------------------

forEachProvider((provider: CryptoProvider) => {
  describe(`MTProto transports (${provider.name})`, () => {
    it('transports.json: every case', () => {
      const count = countCases('mtproto/transports.json vectors', transports.vectors.length);
      for (const v of transports.vectors) {
        const id: string = v.id;
        if (id.startsWith('telethon-abridged') || id.startsWith('telethon-intermediate')) {
          const transport = id.startsWith('telethon-abridged') ? 'abridged' : 'intermediate';
          const payload = payloadOf(v.payload);
          const wire = createFrameCodec(provider, { transport, role: 'client' }).encode(payload);
          if (v.wire_first_packet) expect(toHex(wire), id).toBe(v.wire_first_packet);
          else expect(toHex(wire).startsWith(v.wire_first_packet_prefix), id).toBe(true);
          const tagLength = transport === 'abridged' ? 1 : 4;
          const header = v.wire_first_packet ? hex(v.wire_first_packet).length - payload.length : hex(v.wire_first_packet_prefix).length;
          expect(toHex(wire.subarray(header)), id).toBe(toHex(payload));
          expect(wire.length, id).toBe(header + payload.length);
          const server = createFrameCodec(provider, { transport, role: 'server' });
          expect(packets(server.push(wire.subarray(tagLength))), id).toEqual([{ payload: toHex(payload), quickAck: false }]);
        } else if (id === 'telethon-full-bad-crc') {
          const good = transports.vectors.find((x: any) => x.id === 'telethon-full-128-seq0');
          const bad = hex(good.wire);
          bad[bad.length - 1] ^= 0xff;
          const error = mtprotoError(() => new FullCodec({ role: 'server' }).push(bad));
          expect(error.code, id).toBe('frame-bad-crc');
          expect(error.message, id).toContain(`expected ${v.expected_crc}, got ${v.got_crc}`);
          expect(zlibCrc32(bad.subarray(0, bad.length - 4)), id).toBe(v.expected_crc);
        } else if (id.startsWith('telethon-full')) {
          const payload = payloadOf(v.payload);
          const client = new FullCodec({ role: 'client' });
          const server = new FullCodec({ role: 'server' });
          for (let s = 0; s < v.seqno; s++) server.push(client.encode(payload)); // the earlier frames of this connection
          const wire = client.encode(payload);
          expect(toHex(wire), id).toBe(v.wire);
          expect(packets(server.push(wire)), id).toEqual([{ payload: toHex(payload), quickAck: false }]);
        } else if (id === 'mtcute-intermediate-frame') {
          const server = new IntermediateCodec({ role: 'server' });
          expect(toHex(server.encode(hex(v.payload))), id).toBe(v.wire);
          expect(toHex(new IntermediateCodec({ role: 'client', sendTag: false }).encode(hex(v.payload))), id).toBe(v.wire);
          expect(toHex(server.encodeTransportError(404)), id).toBe(v.wire); // the payload is −404
        } else if (id === 'mtcute-intermediate-parse') {
          expect(packets(new IntermediateCodec({ role: 'client' }).push(hex(v.wire))), id).toEqual([{ payload: v.payload, quickAck: false }]);
          expect(packets(new IntermediateCodec({ role: 'server' }).push(hex(v.wire))), id).toEqual([{ payload: v.payload, quickAck: false }]);
        } else if (id === 'mtcute-intermediate-transport-error') {
          expect(new IntermediateCodec({ role: 'client' }).push(hex(v.wire)), id).toEqual([{ kind: 'transport-error', code: 404 }]);
        } else {
          throw new Error(`unhandled vector ${id}`);
        }
        count.ran(id);
      }
      count.done();
    });

    it('obfuscated2.json: every case (keys, header, both directions, server side)', () => {
      const count = countCases('mtproto/obfuscated2.json vectors', obfuscated.vectors.length);
      const tagToInner = Object.fromEntries(Object.entries(TAG_BYTES).map(([k, v]) => [v, k])) as Record<string, ObfuscatedInner>;
      for (const v of obfuscated.vectors) {
        const id: string = v.id;
        const inner = tagToInner[v.protocol_tag];
        const secret = v.mtproxy ? hex(v.mtproxy.secret) : undefined;
        const dcId: number | undefined = v.mtproxy?.dc_field_int16le;
        // keys: from the header bytes 8..56, which the tag and dc id do not touch
        const keys = deriveObfuscationKeys(provider, hex(v.random), secret);
        expect(toHex(keys.encryptKey), id).toBe(v.encrypt_key);
        expect(toHex(keys.encryptIv), id).toBe(v.encrypt_iv);
        expect(toHex(keys.decryptKey), id).toBe(v.decrypt_key);
        expect(toHex(keys.decryptIv), id).toBe(v.decrypt_iv);
        // the client's header, with the vector's random bytes injected
        const client = new ObfuscatedCodec(provider, { role: 'client', inner, secret, dcId, init: hex(v.random) });
        expect(client.inner, id).toBe(inner);
        const firstPayload = v.client_to_server ? hex(v.client_to_server[0].frame).subarray(4) : new Uint8Array(0);
        const first = client.encode(firstPayload);
        expect(toHex(first.subarray(0, 64)), id).toBe(v.init_payload_sent);
        // the server reads the header (with the secret, if any): tag and dc id
        const server = new ObfuscatedCodec(provider, { role: 'server', secret });
        expect(server.push(hex(v.init_payload_sent)), id).toEqual([]);
        expect(server.inner, id).toBe(inner);
        if (dcId !== undefined) expect(server.dcId, id).toBe(dcId);
        if (v.mtproxy) {
          const expectedDc = (v.mtproxy.test ? 10000 : 0) + v.mtproxy.dc_id;
          expect(server.dcId, id).toBe(v.mtproxy.media ? -expectedDc : expectedDc);
        }
        if (v.client_to_server) {
          const wires = [first.subarray(64), client.encode(firstPayload)];
          v.client_to_server.forEach((step: any, i: number) => {
            expect(toHex(wires[i]), `${id} c→s ${i}`).toBe(step.wire);
            expect(packets(server.push(wires[i])), `${id} c→s ${i}`).toEqual([{ payload: toHex(hex(step.frame).subarray(4)), quickAck: false }]);
          });
          v.server_to_client.forEach((step: any, i: number) => {
            const sent = i === 0 ? server.encode(hex(step.frame).subarray(4)) : server.encodeTransportError(404);
            expect(toHex(sent), `${id} s→c ${i}`).toBe(step.wire);
            expect(client.push(hex(step.wire)), `${id} s→c ${i}`).toEqual([{ kind: 'transport-error', code: 404 }]);
          });
        } else {
          // no frames published: both directions still agree after the header
          expect(packets(server.push(first.subarray(64))), id).toEqual([{ payload: '', quickAck: false }]);
          expect(client.push(server.encodeTransportError(444)), id).toEqual([{ kind: 'transport-error', code: 444 }]);
        }
        client.dispose();
        server.dispose();
        count.ran(id);
      }
      count.done();
    });

    it('obfuscated2: the header rules (each rejected draw is drawn again; an injected one is refused)', () => {
      const good = seq(64).map((b) => b ^ 0x5a);
      const bad: Array<[string, Uint8Array]> = [
        ['first byte 0xef', good.slice().fill(0xef, 0, 1)],
        ...([['HEAD', 'HEAD'], ['POST', 'POST'], ['GET ', 'GET '], ['OPTI', 'OPTI']] as const).map(([n, s]): [string, Uint8Array] => {
          const h = good.slice();
          h.set(new TextEncoder().encode(s));
          return [n, h];
        }),
        ...[['16030102', '16030102'], ['dddddddd', 'dddddddd'], ['eeeeeeee', 'eeeeeeee']].map(([n, s]): [string, Uint8Array] => {
          const h = good.slice();
          h.set(hex(s!));
          return [n!, h];
        }),
        ['bytes 4..8 zero', good.slice().fill(0, 4, 8)],
      ];
      expect(isAcceptableHeader(good)).toBe(true);
      for (const [rule, header] of bad) {
        expect(isAcceptableHeader(header), rule).toBe(false);
        const scripted = scriptedRandom(provider, [header.slice(), header.slice(), good.slice()]);
        const client = new ObfuscatedCodec(scripted, { role: 'client', inner: 'intermediate' });
        const sent = client.encode(new Uint8Array(0));
        expect(toHex(sent.subarray(0, 56)), rule).toBe(toHex(good.subarray(0, 56)));
        expect(() => new ObfuscatedCodec(provider, { role: 'client', init: header }), rule).toThrow(RangeError);
      }
      // a provider that only ever returns rejected headers is broken: an error, not an endless loop
      const stuck = { ...provider, randomBytes: (n: number) => new Uint8Array(n).fill(0xef) } as CryptoProvider;
      expect(() => new ObfuscatedCodec(stuck, { role: 'client' })).toThrow(/rejected headers/);
      // the last byte 0xef, or the tag value elsewhere, is fine
      const h = good.slice();
      h[63] = 0xef;
      h.set(hex('eeeeeeee'), 8);
      expect(isAcceptableHeader(h)).toBe(true);
    });

    it('obfuscated2 against node:crypto: the client stream decrypts to the tag and the inner frames; dc id written', () => {
      const random = rng(7);
      for (const inner of ['abridged', 'intermediate', 'padded'] as const) {
        for (const secret of [undefined, SECRET16]) {
          const init = randomPayload(random, 64);
          if (!isAcceptableHeader(init)) continue;
          const client = new ObfuscatedCodec(provider, { role: 'client', inner, secret, dcId: 203, init });
          const payload = randomPayload(random, 64);
          const wire = concat(client.encode(payload), client.encode(payload, { quickAck: true }));
          const keys = nodeObfuscation(wire.subarray(0, 64), secret);
          const plain = createCipheriv('aes-256-ctr', keys.encryptKey, keys.encryptIv).update(wire);
          expect(toHex(plain.subarray(56, 60)), inner).toBe(TAG_BYTES[inner]);
          expect(plain.readInt16LE(60), inner).toBe(203);
          expect(toHex(wire.subarray(0, 56)), inner).toBe(toHex(init.subarray(0, 56))); // sent in the clear
          const frames = plain.subarray(64);
          if (inner === 'abridged') expect(toHex(frames), inner).toBe(`10${toHex(payload)}90${toHex(payload)}`);
          else {
            expect(frames.readUInt32LE(0) - 64, inner).toBeLessThanOrEqual(inner === 'padded' ? 15 : 0);
            expect(toHex(frames.subarray(4, 68)), inner).toBe(toHex(payload));
          }
          // and what the server sends decrypts with the reversed keys
          const server = new ObfuscatedCodec(provider, { role: 'server', secret });
          server.push(wire);
          const reply = server.encodeTransportError(429);
          const replyPlain = createCipheriv('aes-256-ctr', keys.decryptKey, keys.decryptIv).update(reply);
          expect(replyPlain.readInt32LE(replyPlain.length - 4), inner).toBe(-429);
          expect(client.push(reply), inner).toEqual([{ kind: 'transport-error', code: 429 }]);
        }
      }
    });

    it('crc32: zlib and the test helper agree, for every length to 300 and continued over chunks', () => {
      expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
      const random = rng(3);
      for (let n = 0; n <= 300; n++) {
        const data = randomPayload(random, n);
        expect(crc32(data), `length ${n}`).toBe(zlibCrc32(data));
        expect(crc32(data), `length ${n}`).toBe(helperCrc32(data));
        const cut = random(n + 1);
        expect(crc32(data.subarray(cut), crc32(data.subarray(0, cut))), `length ${n} cut ${cut}`).toBe(zlibCrc32(data));
      }
    });

    it('quick ack: the request bit on each framing, the reply bytes, the token the client reads', () => {
      // abridged: 0x80 on the first length byte, in the short and the extended form
      const abridgedClient = new AbridgedCodec({ role: 'client', sendTag: false });
      expect(toHex(abridgedClient.encode(seq(8), { quickAck: true }))).toBe(`82${toHex(seq(8))}`);
      expect(toHex(abridgedClient.encode(seq(508), { quickAck: true }).subarray(0, 4))).toBe('ff7f0000');
      expect(toHex(abridgedClient.encode(seq(504), { quickAck: true }).subarray(0, 1))).toBe('fe');
      const abridgedServer = new AbridgedCodec({ role: 'server' });
      expect(packets(abridgedServer.push(concat(hex('82'), seq(8), hex('ff7f0000'), seq(508))))).toEqual([
        { payload: toHex(seq(8)), quickAck: true }, { payload: toHex(seq(508)), quickAck: true },
      ]);
      // abridged reply: big-endian, so the first byte carries 0x80
      expect(toHex(abridgedServer.encodeQuickAck(0x12345678))).toBe('92345678');
      expect(abridgedClient.push(hex('92345678'))).toEqual([{ kind: 'quick-ack', token: 0x12345678 }]);
      // intermediate / padded: the length's top bit; the reply is the little-endian word
      // the one computed quick-ack value (mtproto2-messages.json, computed_not_published): its wire bytes
      const { quick_ack_uint32: value, quick_ack_le_bytes: le } = findQuickAck(messages);
      for (const Codec of [IntermediateCodec, PaddedCodec] as const) {
        const make = (role: 'client' | 'server') => (Codec === PaddedCodec ? new PaddedCodec(provider, { role, sendTag: false }) : new IntermediateCodec({ role, sendTag: false }));
        const client = make('client');
        const server = make('server');
        const request = client.encode(seq(8), { quickAck: true });
        expect(request[3] & 0x80, Codec.name).toBe(0x80);
        expect(packets(server.push(request)).map((p) => p.quickAck), Codec.name).toEqual([true]);
        expect(toHex(server.encodeQuickAck(value)), Codec.name).toBe(le);
        expect(client.push(hex(le)), Codec.name).toEqual([{ kind: 'quick-ack', token: value & 0x7fffffff }]);
      }
      // full: the top bit of the length, covered by the CRC
      const full = new FullCodec({ role: 'client' }).encode(seq(8), { quickAck: true });
      expect(toHex(full.subarray(0, 8))).toBe('1400008000000000');
      expect(new DataView(full.buffer).getUint32(16, true)).toBe(zlibCrc32(full.subarray(0, 16)));
      expect(packets(new FullCodec({ role: 'server' }).push(full))).toEqual([{ payload: toHex(seq(8)), quickAck: true }]);
      expect(new FullCodec({ role: 'server' }).quickAckReplies).toBe(false);
      expect(() => new FullCodec({ role: 'server' }).encodeQuickAck(1)).toThrow(TypeError);
    });

    it('transport errors: the 4-byte packet on each framing; short negative payloads; full\'s bare words', () => {
      expect(new AbridgedCodec({ role: 'client' }).push(hex('016cfeffff'))).toEqual([{ kind: 'transport-error', code: 404 }]);
      expect(toHex(new AbridgedCodec({ role: 'server' }).encodeTransportError(429))).toBe('0153feffff');
      expect(toHex(new PaddedCodec(provider, { role: 'server' }).encodeTransportError(444))).toBe('0400000044feffff'); // no padding
      const full = new FullCodec({ role: 'server' });
      const framed = full.encodeTransportError(404);
      expect(toHex(framed.subarray(0, 12))).toBe('10000000000000006cfeffff');
      expect(new FullCodec({ role: 'client' }).push(framed)).toEqual([{ kind: 'transport-error', code: 404 }]);
      // GramJS and Telethon saw Telegram send −429 bare on full (length and seq −429, then −429)
      expect(new FullCodec({ role: 'client' }).push(hex('53feffff53feffff53feffff'))).toEqual(
        Array.from({ length: 3 }, () => ({ kind: 'transport-error', code: 429 })));
      // TDLib's rule: under 16 bytes and negative; 16 bytes, or positive, stays a packet
      const client = new IntermediateCodec({ role: 'client' });
      expect(client.push(hex('0c000000ffffffff0000000000000000'))).toEqual([{ kind: 'transport-error', code: 1 }]);
      expect(packets(client.push(hex('10000000ffffffff000000000000000000000000')))).toEqual([{ payload: 'ffffffff000000000000000000000000', quickAck: false }]);
      expect(packets(client.push(hex('04000000ffffff7f')))).toEqual([{ payload: 'ffffff7f', quickAck: false }]);
      // the server reads a client's short packet as a packet (clients send no transport errors)
      expect(packets(new IntermediateCodec({ role: 'server' }).push(hex('040000006cfeffff')))).toEqual([{ payload: '6cfeffff', quickAck: false }]);
    });

    it('padded: 0..15 random padding bytes, every count appearing', () => {
      const codec = new PaddedCodec(provider, { role: 'server' });
      const counts = new Set<number>();
      for (let i = 0; i < 400; i++) {
        const frame = codec.encode(seq(16));
        const length = new DataView(frame.buffer).getUint32(0, true);
        expect(frame.length).toBe(4 + length);
        expect(toHex(frame.subarray(4, 20))).toBe(toHex(seq(16)));
        counts.add(length - 16);
      }
      expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    });

    it('detectTransport: each transport, "need more" until it can decide, HTTP, TLS and bad tags refused', () => {
      const need = (head: Uint8Array) => {
        const d = detectTransport(provider, head);
        return d.kind === 'need-more' ? d.atLeast : d.kind === 'transport' ? d.transport : d.kind;
      };
      expect(need(new Uint8Array(0))).toBe(1);
      expect(need(hex('ef'))).toBe('abridged');
      expect(need(hex('ee'))).toBe(4);
      expect(need(hex('eeeeee'))).toBe(4);
      expect(need(hex('eeeeeeee'))).toBe('intermediate');
      expect(need(hex('dddddddd'))).toBe('padded');
      for (const method of ['POST /api HTTP/1.1\r\n', 'GET /apiws HTTP/1.1\r\n', 'HEAD / HTTP/1.1', 'OPTIONS /api HTTP/1.1']) {
        expect(need(new TextEncoder().encode(method).subarray(0, 4)), method).toBe('http');
        expect(need(new TextEncoder().encode(method)), method).toBe('http');
      }
      expect(need(hex('0c000000'))).toBe(8);
      expect(need(hex('0c00000000000000'))).toBe('full');
      const fullWire = new FullCodec({ role: 'client' }).encode(seq(4));
      const d = detectTransport(provider, fullWire);
      expect(d.kind === 'transport' && toHex(d.rest)).toBe(toHex(fullWire)); // full has no tag: nothing consumed
      if (d.kind === 'transport') expect(packets(d.codec.push(d.rest))).toEqual([{ payload: toHex(seq(4)), quickAck: false }]);
      expect(need(hex('0c00000001000000'))).toBe(64);
      expect(need(seq(63).map((b) => b + 1))).toBe(64);
      // the TLS record an MTProxy fake-TLS client opens with
      expect(mtprotoError(() => detectTransport(provider, hex('1603010200'))).code).toBe('transport-unknown');
      // 64 bytes that are not an obfuscated2 header; one made with a secret, read without it or with another
      const junk = Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff);
      expect(mtprotoError(() => detectTransport(provider, junk)).code).toBe('transport-unknown');
      const header = new ObfuscatedCodec(provider, { role: 'client', inner: 'abridged', secret: SECRET16, dcId: 2 }).encode(seq(4));
      expect(mtprotoError(() => detectTransport(provider, header)).code).toBe('transport-unknown');
      expect(mtprotoError(() => detectTransport(provider, header, { secret: SECRET_DD.map((b, i) => (i === 1 ? b ^ 1 : b)) })).code).toBe('transport-unknown');
      const ok = detectTransport(provider, header, { secret: SECRET16 });
      expect(ok.kind === 'transport' && ok.transport).toBe('obfuscated');
      if (ok.kind !== 'transport') return;
      const codec = ok.codec as ObfuscatedCodec;
      expect([codec.inner, codec.dcId]).toEqual(['abridged', 2]);
      expect(packets(codec.push(ok.rest))).toEqual([{ payload: toHex(seq(4)), quickAck: false }]);
      // misuse
      expect(() => detectTransport(provider, 'ef' as any)).toThrow(TypeError);
      expect(() => detectTransport(provider, hex('ef'), { secret: new Uint8Array(15) })).toThrow(RangeError);
    });

    it('frame-too-large: refused from the length alone, at the default cap and a configured one', () => {
      const cases: Array<[string, (max?: number) => FrameCodec, (n: number) => Uint8Array]> = [
        ['abridged', (max) => new AbridgedCodec({ role: 'server', maxFrameLength: max }), (n) => Uint8Array.of(0x7f, (n / 4) & 0xff, (n / 4) >>> 8 & 0xff, (n / 4) >>> 16)],
        ['intermediate', (max) => new IntermediateCodec({ role: 'server', maxFrameLength: max }), (n) => u32(n)],
        ['padded', (max) => new PaddedCodec(provider, { role: 'client', maxFrameLength: max }), (n) => u32(n)],
        ['full', (max) => new FullCodec({ role: 'server', maxFrameLength: max }), (n) => u32(n + 12)],
        ['obfuscated', (max) => obfuscatedServer(provider, max), (n) => u32(n)],
      ];
      for (const [name, make, header] of cases) {
        const obfuscatedPair = name === 'obfuscated';
        const send = (codec: FrameCodec, bytes: Uint8Array) => codec.push(obfuscatedPair ? (codec as any).encryptForTest(bytes) : bytes);
        for (const [max, n] of [[undefined, DEFAULT_MAX_FRAME_LENGTH + 4], [100, 104], [0, 4]] as const) {
          const codec = make(max);
          const error = mtprotoError(() => send(codec, header(n)));
          expect(error.code, `${name} ${n}`).toBe('frame-too-large');
          expect(error.message, name).toContain(String(n));
          expect(mtprotoError(() => codec.push(new Uint8Array(0))), `${name}: stays failed`).toBe(error);
        }
        const atCap = make(100);
        expect(send(atCap, header(100)), name).toEqual([]); // at the cap: waits for the payload
      }
      expect(mtprotoError(() => new AbridgedCodec({ role: 'server' }).push(hex('7fffffff'))).code).toBe('frame-too-large');
      expect(mtprotoError(() => new IntermediateCodec({ role: 'server' }).push(hex('ffffffff'))).code).toBe('frame-too-large'); // quick-ack bit + 2^31 − 1
    });

    it('full: bad seqno, bad length, bad crc; the frames before a bad one are not returned', () => {
      const client = new FullCodec({ role: 'client' });
      const f0 = client.encode(seq(8));
      const f1 = client.encode(seq(8));
      const replay = mtprotoError(() => new FullCodec({ role: 'server' }).push(concat(f0, f0)));
      expect([replay.code, replay.message]).toEqual(['frame-bad-seqno', 'full: bad seqno, expected 1, got 0']);
      const skipped = mtprotoError(() => new FullCodec({ role: 'server' }).push(f1));
      expect([skipped.code, skipped.message]).toEqual(['frame-bad-seqno', 'full: bad seqno, expected 0, got 1']);
      for (const length of [0, 4, 8, 13, 14, 15, 17]) {
        expect(mtprotoError(() => new FullCodec({ role: 'server' }).push(u32(length))).code, `length ${length}`).toBe('frame-bad-length');
      }
      for (let i = 0; i < f0.length; i++) {
        const bad = f0.slice();
        bad[i] ^= 0x01;
        const server = new FullCodec({ role: 'server', maxFrameLength: 1 << 20 });
        let outcome: string;
        try {
          outcome = JSON.stringify(server.push(bad));
        } catch (error) {
          outcome = (error as MtprotoError).code;
        }
        // a length byte changes what is read (not a multiple of 4; more bytes awaited; above the cap); any other byte, the CRC
        const expected = i >= 4 ? 'frame-bad-crc' : ['frame-bad-length', '[]', '[]', 'frame-too-large'][i];
        expect(outcome, `byte ${i}`).toBe(expected);
      }
      const server = new FullCodec({ role: 'server' });
      expect(() => server.push(concat(f0, f0))).toThrow(MtprotoError); // f0 was good, yet nothing is returned
      expect(() => server.push(f1)).toThrow(MtprotoError); // and the codec stays failed
    });

    it('obfuscated2: a server reading a bad tag through push() fails and stays failed; header split anywhere', () => {
      const server = new ObfuscatedCodec(provider, { role: 'server' });
      expect(server.push(seq(63).map((b) => b + 1))).toEqual([]);
      const error = mtprotoError(() => server.push(hex('00')));
      expect(error.code).toBe('transport-unknown');
      expect(mtprotoError(() => server.push(hex('00')))).toBe(error);
      expect(() => server.encode(seq(4))).toThrow(TypeError);
      const client = new ObfuscatedCodec(provider, { role: 'client', inner: 'abridged' });
      const wire = concat(client.encode(seq(4)), client.encode(seq(8), { quickAck: true }));
      for (let cut = 0; cut <= wire.length; cut++) {
        const s = new ObfuscatedCodec(provider, { role: 'server' });
        expect(s.inner).toBeUndefined();
        expect(packets(feed(s, wire, [cut])), `cut ${cut}`).toEqual([
          { payload: toHex(seq(4)), quickAck: false }, { payload: toHex(seq(8)), quickAck: true },
        ]);
        s.dispose();
      }
    });

    it('misuse: TypeError / RangeError, never an MtprotoError', () => {
      const server = new IntermediateCodec({ role: 'server' });
      const client = new IntermediateCodec({ role: 'client' });
      expect(() => new AbridgedCodec({ role: 'client' }).encode(seq(5))).toThrow(RangeError);
      expect(() => new FullCodec({ role: 'client' }).encode(seq(6))).toThrow(RangeError);
      expect(() => new IntermediateCodec({ role: 'client', maxFrameLength: 8 }).encode(seq(12))).toThrow(RangeError);
      expect(() => client.encode(seq(4), { quickAck: 'yes' as any })).toThrow(TypeError);
      expect(() => server.encode(seq(4), { quickAck: true })).toThrow(TypeError);
      expect(() => client.encodeQuickAck(1)).toThrow(TypeError);
      expect(() => client.encodeTransportError(404)).toThrow(TypeError);
      expect(() => server.encodeTransportError(0)).toThrow(RangeError);
      expect(() => server.encodeTransportError(-404)).toThrow(RangeError);
      expect(() => server.encodeQuickAck(-1)).toThrow(RangeError);
      expect(() => server.encodeQuickAck(2 ** 32)).toThrow(RangeError);
      expect(() => server.encode([1, 2, 3, 4] as any)).toThrow(TypeError);
      expect(() => server.push('abcd' as any)).toThrow(TypeError);
      expect(() => new IntermediateCodec({ role: 'peer' as any })).toThrow(TypeError);
      expect(() => new IntermediateCodec(undefined as any)).toThrow(TypeError);
      expect(() => new IntermediateCodec({ role: 'client', maxFrameLength: -1 })).toThrow(RangeError);
      expect(() => new IntermediateCodec({ role: 'client', maxFrameLength: 1.5 })).toThrow(TypeError);
      expect(() => createFrameCodec(provider, { transport: 'websocket' } as any)).toThrow(TypeError);
      // payload not modified
      const payload = seq(64);
      for (const setup of SETUPS) createFrameCodec(provider, setup.client).encode(payload, { quickAck: true });
      expect(toHex(payload)).toBe(toHex(seq(64)));
      // disposed
      for (const setup of SETUPS) {
        const codec = createFrameCodec(provider, setup.client);
        codec.dispose();
        expect(() => codec.encode(seq(4)), setup.name).toThrow(TypeError);
        expect(() => codec.push(seq(4)), setup.name).toThrow(TypeError);
      }
      // obfuscated2 options
      const obf = (options: object) => () => new ObfuscatedCodec(provider, { role: 'client', ...options });
      expect(obf({ secret: new Uint8Array(15) })).toThrow(RangeError);
      expect(obf({ secret: hex('ee' + '00'.repeat(16)) })).toThrow(RangeError);
      expect(obf({ secret: hex('ee' + '00'.repeat(16) + '676f6f676c652e636f6d') })).toThrow(/fake-TLS/);
      expect(obf({ secret: SECRET_DD, inner: 'intermediate' })).toThrow(TypeError);
      expect(obf({ inner: 'full' })).toThrow(TypeError);
      expect(obf({ inner: 'toString' })).toThrow(TypeError);
      expect(obf({ dcId: 40_000 })).toThrow(RangeError);
      expect(obf({ init: new Uint8Array(63) })).toThrow(RangeError);
      expect(() => new ObfuscatedCodec(provider, { role: 'server', inner: 'abridged' })).toThrow(TypeError);
      expect(() => new ObfuscatedCodec(provider, { role: 'server', dcId: 2 })).toThrow(TypeError);
      expect(() => new ObfuscatedCodec({} as any, { role: 'client' })).toThrow(TypeError);
      expect(() => deriveObfuscationKeys(provider, new Uint8Array(32))).toThrow(RangeError);
      expect(Object.keys(OBFUSCATION_TAGS)).toEqual(['abridged', 'intermediate', 'padded']);
    });

    it('interop, GramJS: abridged, full and obfuscated (abridged) clients ↔ our server, both ways', async () => {
      const random = rng(11);
      for (const [Connection, transport] of [[ConnectionTCPAbridged, 'abridged'], [ConnectionTCPFull, 'full'], [ConnectionTCPObfuscated, 'obfuscated']] as const) {
        const gram = await gramClient(Connection);
        const payloads = INTEROP_LENGTHS.map((n) => randomPayload(random, n));
        for (const p of payloads) await gram._send(Buffer.from(p));
        const wire = gram.socket.take();
        const { detection, body } = detectIncrementally(provider, wire, { name: transport, client: { transport, role: 'client' }, framing: 'abridged' });
        expect(detection.transport, transport).toBe(transport);
        if (transport === 'obfuscated') expect((detection.codec as ObfuscatedCodec).inner).toBe('abridged');
        const server = detection.codec;
        expect(packets(feed(server, body, randomCuts(random, body.length, 3000))), transport).toEqual(payloads.map((p) => ({ payload: toHex(p), quickAck: false })));
        // our server's frames, and its transport error, as GramJS reads them (the error is a 4-byte body it turns into InvalidBufferError)
        gram.socket.inbound = Buffer.from(concat(...payloads.map((p) => server.encode(p)), server.encodeTransportError(404)));
        for (const p of payloads) expect(toHex(await gram._recv()), transport).toBe(toHex(p));
        expect(toHex(await gram._recv()), transport).toBe('6cfeffff');
        expect(gram.socket.inbound.length, transport).toBe(0);
      }
      // the plain framings are the same both ways: GramJS's reader takes our client's frames
      for (const [Connection, transport] of [[ConnectionTCPAbridged, 'abridged'], [ConnectionTCPFull, 'full']] as const) {
        const gram = await gramClient(Connection);
        gram.socket.take();
        const ours = createFrameCodec(provider, { transport, role: 'client', sendTag: false });
        const payloads = INTEROP_LENGTHS.map((n) => randomPayload(random, n));
        gram.socket.inbound = Buffer.from(concat(...payloads.map((p) => ours.encode(p))));
        for (const p of payloads) expect(toHex(await gram._recv()), transport).toBe(toHex(p));
      }
    });

    it('interop, mtcute: intermediate, padded, obfuscated (intermediate, padded, MTProxy) clients ↔ our server, both ways', async () => {
      const random = rng(13);
      const secret = new Uint8Array(16).fill(0x42);
      const clients: Array<[string, () => any, { secret?: Uint8Array }, Setup['framing']]> = [
        ['intermediate', () => new IntermediatePacketCodec(), {}, 'intermediate'],
        ['padded', () => new PaddedIntermediatePacketCodec(), {}, 'padded'],
        ['obfuscated/intermediate', () => new ObfuscatedPacketCodec(new IntermediatePacketCodec()), {}, 'intermediate'],
        ['obfuscated/padded', () => new ObfuscatedPacketCodec(new PaddedIntermediatePacketCodec()), {}, 'padded'],
        ['obfuscated/intermediate, MTProxy test dc 2', () => new ObfuscatedPacketCodec(new IntermediatePacketCodec(), { dcId: 2, secret, test: true, media: false }), { secret }, 'intermediate'],
        ['obfuscated/padded, MTProxy media dc 4', () => new ObfuscatedPacketCodec(new PaddedIntermediatePacketCodec(), { dcId: 4, secret, test: false, media: true }), { secret }, 'padded'],
      ];
      for (const [name, make, detect, framing] of clients) {
        const codec = await mtcuteCodec(make());
        const payloads = INTEROP_LENGTHS.map((n) => randomPayload(random, n));
        const tag = await codec.tag(); // first: obfuscation sets up its keys here
        const out = Bytes.alloc();
        for (const p of payloads) await codec.encode(p, out);
        const wire = concat(tag, out.result());
        const { detection, body } = detectIncrementally(provider, wire, { name, client: { transport: 'intermediate', role: 'client' }, detect, framing });
        if (name.startsWith('obfuscated')) expect((detection.codec as ObfuscatedCodec).inner, name).toBe(framing);
        if (name.includes('test dc 2')) expect((detection.codec as ObfuscatedCodec).dcId, name).toBe(10002);
        if (name.includes('media dc 4')) expect((detection.codec as ObfuscatedCodec).dcId, name).toBe(-4);
        const server = detection.codec;
        const frames = feed(server, body, randomCuts(random, body.length, 3000));
        expect(frames.length, name).toBe(payloads.length);
        frames.forEach((f, i) => checkPacket(framing, f, payloads[i]!, false, `${name} #${i}`));
        // back: mtcute decodes our frames (padded: with the padding, which its message layer trims)
        const inbound = Bytes.from(concat(...payloads.map((p) => server.encode(p)), server.encodeTransportError(429)));
        for (const p of payloads) {
          const got = await codec.decode(inbound, false);
          expect(got && toHex(got.subarray(0, p.length)), name).toBe(toHex(p));
          expect(got!.length - p.length, name).toBeLessThanOrEqual(framing === 'padded' ? 15 : 0);
        }
        await expect(Promise.resolve().then(() => codec.decode(inbound, false)), name).rejects.toSatisfy((e: unknown) => e instanceof TransportError && e.code === 429);
      }
      // intermediate is the same both ways: mtcute's reader takes our client's frames
      const reader = await mtcuteCodec(new IntermediatePacketCodec());
      const ours = new IntermediateCodec({ role: 'client', sendTag: false });
      const payloads = INTEROP_LENGTHS.map((n) => randomPayload(random, n));
      const inbound = Bytes.from(concat(...payloads.map((p) => ours.encode(p))));
      for (const p of payloads) expect(toHex((await reader.decode(inbound, false))!), 'intermediate').toBe(toHex(p));
    });

    for (const setup of SETUPS) {
      it(`${setup.name}: client → server, detected, fed whole / at every split / byte by byte`, () => {
        const payloads = SMALL_LENGTHS.map((n) => seq(n).map((b) => b ^ n));
        const quickAcks = payloads.map((_, i) => i % 3 === 1);
        const { wire } = clientStream(provider, setup, payloads, quickAcks);
        const { detection, consumed, body: afterTag } = detectIncrementally(provider, wire, setup);
        const expectedTransport = setup.client.transport;
        expect(detection.transport).toBe(expectedTransport);
        const tag = { abridged: 1, intermediate: 4, padded: 4, full: 0, obfuscated: 64 }[expectedTransport];
        expect(wire.length - afterTag.length).toBe(tag);
        if (expectedTransport === 'obfuscated') expect((detection.codec as ObfuscatedCodec).inner).toBe(setup.framing);
        const check = (frames: Frame[], what: string) => {
          expect(frames.length, what).toBe(payloads.length);
          frames.forEach((f, i) => checkPacket(setup.framing, f, payloads[i]!, quickAcks[i]!, `${what} #${i}`));
        };
        check(detection.codec.push(afterTag), 'whole');
        expect(consumed).toBeLessThanOrEqual(64);
        // again with fresh codecs, the stream after the tag cut in two at every offset, then byte by byte
        const body = afterTag.slice();
        for (let cut = 0; cut <= body.length; cut++) {
          const { detection: d } = detectIncrementally(provider, wire, setup);
          check(feed(d.codec, body, [cut]), `cut at ${cut}`);
        }
        const { detection: d } = detectIncrementally(provider, wire, setup);
        check(feed(d.codec, body, byteByByte(body.length)), 'byte by byte');
      });

      it(`${setup.name}: big frames in random chunks, both ways`, () => {
        const random = rng(setup.name.length * 7919);
        const payloads = [...EDGE_LENGTHS, ...BIG_LENGTHS].map((n) => randomPayload(random, n));
        const quickAcks = payloads.map((_, i) => i % 2 === 0);
        const { client, wire } = clientStream(provider, setup, payloads, quickAcks);
        const { detection, body } = detectIncrementally(provider, wire, setup);
        const server = detection.codec;
        const all = feed(server, body, randomCuts(random, body.length, 40_000));
        expect(all.length).toBe(payloads.length);
        all.forEach((f, i) => checkPacket(setup.framing, f, payloads[i]!, quickAcks[i]!, `c→s #${i}`));

        // server → client: packets, quick acks (not on full) and transport errors, interleaved
        const extras: Uint8Array[] = []; // encoded in wire order: obfuscation's keystream runs on
        const expected: Array<(f: Frame, what: string) => void> = [];
        payloads.forEach((p, i) => {
          extras.push(server.encode(p));
          expected.push((f, what) => checkPacket(setup.framing, f, p, false, what));
          if (server.quickAckReplies) {
            const token = (random(0x7fffffff) | (i % 2 ? 0x80000000 : 0)) >>> 0;
            extras.push(server.encodeQuickAck(token));
            expected.push((f, what) => expect(f, what).toEqual({ kind: 'quick-ack', token: token & 0x7fffffff }));
          }
        });
        for (const code of [404, 429, 444]) {
          extras.push(server.encodeTransportError(code));
          expected.push((f, what) => expect(f, what).toEqual({ kind: 'transport-error', code }));
        }
        const back = concat(...extras);
        const clientFrames = feed(client, back, randomCuts(random, back.length, 40_000));
        expect(clientFrames.length).toBe(expected.length);
        clientFrames.forEach((f, i) => expected[i]!(f, `s→c #${i}`));
        client.dispose();
        server.dispose();
      });

      it(`${setup.name}: server → client small frames at every split`, () => {
        const { client, wire } = clientStream(provider, setup, [seq(8)], [false]);
        const { detection, body } = detectIncrementally(provider, wire, setup);
        const server = detection.codec;
        server.push(body);
        const parts: Uint8Array[] = [server.encode(seq(12)), server.encodeTransportError(404)];
        const expected: Frame[] = [{ kind: 'transport-error', code: 404 }];
        if (server.quickAckReplies) {
          parts.push(server.encodeQuickAck(2543324666));
          expected.push({ kind: 'quick-ack', token: 2543324666 & 0x7fffffff });
        }
        // an empty packet, except on padded: its random padding could read as a transport error (see padded.ts)
        const tail = setup.framing === 'padded' ? seq(16) : seq(0);
        parts.push(server.encode(tail));
        const stream = concat(...parts);
        // the client's decoder keeps its state across pushes: replay the same bytes through fresh pairs
        for (let cut = 0; cut <= stream.length; cut++) {
          const pair = clientStream(provider, setup, [seq(8)], [false]);
          const { detection: det, body: b } = detectIncrementally(provider, pair.wire, setup);
          det.codec.push(b);
          const again = concat(det.codec.encode(seq(12)), det.codec.encodeTransportError(404),
            ...(det.codec.quickAckReplies ? [det.codec.encodeQuickAck(2543324666)] : []), det.codec.encode(tail));
          const frames = feed(pair.client, again, [Math.min(cut, again.length)]);
          expect(frames.length, `cut ${cut}`).toBe(expected.length + 2);
          checkPacket(setup.framing, frames[0]!, seq(12), false, `cut ${cut}`);
          expect(frames.slice(1, -1), `cut ${cut}`).toEqual(expected);
          checkPacket(setup.framing, frames.at(-1)!, tail, false, `cut ${cut}`);
        }
        const frames = feed(client, stream, byteByByte(stream.length));
        expect(frames.slice(1, -1)).toEqual(expected);
      });
    }
  });
});
