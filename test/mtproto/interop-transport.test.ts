// Interop, transports (spec §8, §9): the peers' own framing code against our codecs, with no socket.
// GramJS's Connection classes (ConnectionTCPFull, ConnectionTCPAbridged, ConnectionTCPObfuscated —
// abridged inside — and ConnectionTCPMTProxyAbridged) run on an in-memory socket
// (GramjsMemorySocket); mtcute's packet codecs (IntermediatePacketCodec, PaddedIntermediatePacketCodec,
// ObfuscatedPacketCodec over intermediate, and over padded with an MTProxy 0xdd secret) are driven
// through @fuman/io Bytes as its FramedReader / FramedWriter do.
//
// client → server: what the peer writes (tag or obfuscation header, then frames) is fed to our
// detectTransport() in uneven chunks and must come out as the same payloads. server → client: what
// our server codec encodes (frames, and the −404 transport error) must read back through the peer's
// decoder. Payload sizes cross each framing's boundaries (abridged's one-byte length ends at 126
// words; 70,000 bytes needs abridged's 3-byte form).
import { describe, expect, it } from 'vitest';
import type { CryptoProvider } from '../../bindings/index.js';
import { type DetectOptions, type Detection, type Frame, type FrameCodec, detectTransport } from '../../bindings/mtproto/transport/index.js';
import {
  GramjsMemorySocket, GRAMJS_TRANSPORTS, type GramjsTransport, MTCUTE_TRANSPORTS, type MtcuteTransport, concatBytes, gramjs, gramjsConnection,
  gramjsLogger, mtcute, mtcuteCodec, mtcuteCrypto, mtcuteLogger, seededRandom,
} from '../helpers/mtproto-peers.js';
import { forEachProvider } from '../helpers/providers.js';
import { toHex } from '../helpers/vectors.js';

const SIZES = [24, 504, 508, 1024, 70_000];
const random = seededRandom('interop-transport/payloads');
const payloads = () => SIZES.map((n) => random(n));
const SECRET = seededRandom('interop-transport/secret')(16);

/** Small deterministic chunk sizes (1..97 bytes) to cut a stream with. */
function chunker(seed: string): () => number {
  const r = seededRandom(seed);
  return () => 1 + (r(1)[0]! % 97);
}

/** Our server side of a stream: detection on the growing head, then the codec, fed in uneven chunks. */
function serverReads(provider: CryptoProvider, stream: Uint8Array, seed: string, options: DetectOptions = {}) {
  const next = chunker(seed);
  let head: Uint8Array = new Uint8Array(0);
  let detection: Extract<Detection, { kind: 'transport' }> | undefined;
  const frames: Frame[] = [];
  for (let at = 0; at < stream.length;) {
    const chunk = stream.slice(at, Math.min(stream.length, at + next()));
    at += chunk.length;
    if (detection) {
      frames.push(...detection.codec.push(chunk));
      continue;
    }
    head = concatBytes(head, chunk);
    const d = detectTransport(provider, head, options);
    if (d.kind === 'need-more') continue;
    if (d.kind !== 'transport') throw new Error(`detected ${d.kind}`);
    detection = d;
    frames.push(...d.codec.push(d.rest));
  }
  if (!detection) throw new Error('transport not detected');
  return { transport: detection.transport, codec: detection.codec, frames };
}

function packets(frames: Frame[]): string[] {
  return frames.map((f) => {
    if (f.kind !== 'packet') throw new Error(`unexpected ${f.kind}`);
    expect(f.quickAck).toBe(false);
    return toHex(f.payload);
  });
}

// ---- GramJS ----------------------------------------------------------------------------------------

type GramjsCase = { name: string; transport: GramjsTransport | 'mtproxy'; secret?: Uint8Array; detected: string; inner?: string };
const GRAMJS_CASES: GramjsCase[] = [
  ...GRAMJS_TRANSPORTS.map((t) => ({ name: t, transport: t, detected: t, ...(t === 'obfuscated' && { inner: 'abridged' }) })),
  { name: 'MTProxy (16-byte secret)', transport: 'mtproxy', secret: SECRET, detected: 'obfuscated', inner: 'abridged' },
  { name: 'MTProxy (0xdd secret)', transport: 'mtproxy', secret: concatBytes(Uint8Array.of(0xdd), SECRET), detected: 'obfuscated', inner: 'abridged' },
];

async function gramjsClient(c: GramjsCase): Promise<{ conn: any; socket: GramjsMemorySocket }> {
  const conn = c.transport === 'mtproxy'
    ? new gramjs.MTProxyAbridged({
      ip: 'memory', port: 0, dcId: 2, loggers: gramjsLogger(), socket: GramjsMemorySocket, testServers: false,
      proxy: { ip: 'memory', port: 0, MTProxy: true, secret: Buffer.from(c.secret!).toString('hex') },
    })
    : gramjsConnection(c.transport, 'memory', 0, GramjsMemorySocket);
  await conn._connect(); // creates the codec, "connects" the memory socket, writes the tag / header
  return { conn, socket: conn.socket as GramjsMemorySocket };
}

// ---- mtcute ----------------------------------------------------------------------------------------

type MtcuteCase = { name: string; transport: MtcuteTransport | 'mtproxy'; secret?: Uint8Array; detected: string; inner?: string; padded: boolean };
const MTCUTE_CASES: MtcuteCase[] = [
  ...MTCUTE_TRANSPORTS.map((t) => ({
    name: t, transport: t, detected: t, padded: t === 'padded', ...(t === 'obfuscated' && { inner: 'intermediate' }),
  })),
  { name: 'MTProxy (16-byte secret)', transport: 'mtproxy', secret: SECRET, detected: 'obfuscated', inner: 'intermediate', padded: false },
  { name: 'MTProxy (0xdd secret: padded inside)', transport: 'mtproxy', secret: concatBytes(Uint8Array.of(0xdd), SECRET), detected: 'obfuscated', inner: 'padded', padded: true },
];

async function mtcuteClientCodec(c: MtcuteCase, crypto: unknown): Promise<any> {
  if (c.transport !== 'mtproxy') return mtcuteCodec(c.transport, crypto);
  const { core } = await mtcute();
  // As mtcute's BaseMtProxyTransport.packetCodec() builds it for dc 2 (it strips the 0xdd prefix).
  const padded = c.secret!.length === 17;
  const inner = padded ? new core.PaddedIntermediatePacketCodec() : new core.IntermediatePacketCodec();
  const codec = new core.ObfuscatedPacketCodec(inner, { dcId: 2, media: false, test: false, secret: c.secret!.slice(padded ? 1 : 0) });
  codec.setup(crypto, await mtcuteLogger('codec'));
  return codec;
}

/** Runs mtcute's decoder over `bytes` (as FramedReader does) and returns every frame it yields. */
async function mtcuteReads(codec: any, bytes: Uint8Array): Promise<Uint8Array[]> {
  const { fumanIo } = await mtcute();
  const buffer = fumanIo.Bytes.alloc();
  await buffer.write(bytes);
  const out: Uint8Array[] = [];
  for (let frame = await codec.decode(buffer, false); frame !== null; frame = await codec.decode(buffer, false)) out.push(Uint8Array.from(frame));
  return out;
}

forEachProvider((provider: CryptoProvider) => {
  describe(`GramJS framing ↔ our transport codecs (${provider.name})`, () => {
    for (const c of GRAMJS_CASES) {
      it(`${c.name}: GramJS → detectTransport + our codec, our server codec → GramJS`, async () => {
        const { conn, socket } = await gramjsClient(c);
        const sent = payloads();
        for (const p of sent) await conn._send(Buffer.from(p));
        const stream = socket.takeWritten();
        if (c.transport === 'abridged') expect(stream[0]).toBe(0xef);
        const server = serverReads(provider, stream, `gramjs/${c.name}`, c.secret ? { secret: c.secret } : {});
        expect(server.transport).toBe(c.detected);
        if (c.inner) expect((server.codec as FrameCodec & { inner?: string }).inner).toBe(c.inner);
        if (c.transport === 'mtproxy') expect((server.codec as FrameCodec & { dcId?: number }).dcId).toBe(2);
        expect(packets(server.frames)).toEqual(sent.map(toHex));

        const replies = payloads();
        for (const p of replies) {
          socket.feed(server.codec.encode(p));
          expect(toHex(await conn._recv())).toBe(toHex(p));
        }
        // −404 as our server frames it reaches GramJS as the 4-byte body it turns into InvalidBufferError(code 404).
        socket.feed(server.codec.encodeTransportError(404));
        const body = await conn._recv();
        expect(new gramjs.InvalidBufferError(body).code).toBe(404);
        server.codec.dispose();
      });
    }
  });

  describe(`mtcute framing ↔ our transport codecs (${provider.name})`, () => {
    for (const c of MTCUTE_CASES) {
      it(`${c.name}: mtcute → detectTransport + our codec, our server codec → mtcute`, async () => {
        const { fumanIo } = await mtcute();
        const crypto = await mtcuteCrypto(seededRandom(`interop-transport/mtcute/${c.name}`));
        const codec = await mtcuteClientCodec(c, crypto);
        const out = fumanIo.Bytes.alloc();
        const tag = await codec.tag();
        const sent = payloads();
        for (const p of sent) await codec.encode(p, out);
        const stream = concatBytes(tag, out.result());
        const server = serverReads(provider, stream, `mtcute/${c.name}`, c.secret ? { secret: c.secret } : {});
        expect(server.transport).toBe(c.detected);
        if (c.inner) expect((server.codec as FrameCodec & { inner?: string }).inner).toBe(c.inner);
        if (c.transport === 'mtproxy') expect((server.codec as FrameCodec & { dcId?: number }).dcId).toBe(2);
        const got = packets(server.frames);
        expect(got.length).toBe(sent.length);
        for (const [i, p] of sent.entries()) {
          // Padded intermediate: the payload, then the 0..15 bytes of padding the framing cannot strip (spec §8.3).
          expect(got[i]!.slice(0, p.length * 2)).toBe(toHex(p));
          expect(got[i]!.length / 2 - p.length).toBeLessThanOrEqual(c.padded ? 15 : 0);
        }

        const replies = payloads();
        const frames = await mtcuteReads(codec, concatBytes(...replies.map((p) => server.codec.encode(p))));
        expect(frames.length).toBe(replies.length);
        for (const [i, p] of replies.entries()) {
          expect(toHex(frames[i]!.subarray(0, p.length))).toBe(toHex(p));
          expect(frames[i]!.length - p.length).toBeLessThanOrEqual(c.padded ? 15 : 0);
        }
        // −404 as our server frames it: mtcute throws its TransportError with code 404.
        await expect(mtcuteReads(codec, server.codec.encodeTransportError(404))).rejects.toMatchObject({ code: 404 });
        server.codec.dispose();
      });
    }
  });
});
