// Helpers for the loopback tests of MtprotoServer / MtprotoClient (server*.test.ts,
// client*.test.ts): an RSA key pair from node:crypto, handlers, a raw client that speaks the
// protocol step by step (so a test can send exactly the bytes it wants and read exactly what comes
// back), and a TCP proxy whose connections a test can cut.
import { generateKeyPairSync } from 'node:crypto';
import { type Server, type Socket, connect, createServer } from 'node:net';
import type { CryptoProvider } from '../../bindings/index.js';
import { ClientHandshake } from '../../bindings/mtproto/auth/client-handshake.js';
import { decodePlainMessage, encodePlainMessage } from '../../bindings/mtproto/auth/plain-message.js';
import type { AuthKeyResult } from '../../bindings/mtproto/auth/types.js';
import { AuthKey } from '../../bindings/mtproto/crypto/auth-key.js';
import { decryptMessage, encryptMessage } from '../../bindings/mtproto/crypto/message.js';
import type { DecryptedMessage, PlaintextMessage } from '../../bindings/mtproto/crypto/message.js';
import { ClientSession } from '../../bindings/mtproto/session/client-session.js';
import { MsgIdGenerator } from '../../bindings/mtproto/session/msg-id.js';
import { type Frame, type FrameCodec, type TransportOptions, createFrameCodec } from '../../bindings/mtproto/transport/index.js';
import { TlReader } from '../../bindings/mtproto/tl/reader.js';
import { TlWriter } from '../../bindings/mtproto/tl/writer.js';

let pair: { privatePem: string; publicPkcs1: string; publicSpki: string } | undefined;

/** One 2048-bit RSA key pair per test file (node:crypto), in the PEM forms the API takes. */
export function rsaPair(): { privatePem: string; publicPkcs1: string; publicSpki: string } {
  if (pair === undefined) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    pair = {
      privatePem: privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
      publicPkcs1: publicKey.export({ type: 'pkcs1', format: 'pem' }) as string,
      publicSpki: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    };
  }
  return pair;
}

/** echo#11223344 tag:int … = the same bytes, byte-reversed after the constructor id. */
export const ECHO = 0x11223344;

export function echoQuery(tag: number, extra = 0): Uint8Array {
  const w = new TlWriter(8 + extra).int(ECHO).int(tag);
  for (let i = 0; i < extra; i += 4) w.int(0x01020304);
  return w.finish();
}

/** What the echo handler answers: the query with the bytes after the id reversed (computed here). */
export function echoAnswer(query: Uint8Array): Uint8Array {
  const out = query.slice();
  out.subarray(4).reverse();
  return out;
}

export function tagOfAnswer(answer: Uint8Array): number {
  const copy = answer.slice();
  copy.subarray(4).reverse();
  const r = new TlReader(copy);
  r.uint();
  return r.int();
}

/** A TCP connection that speaks one transport, frame by frame. */
export class RawClient {
  readonly socket: Socket;
  readonly codec: FrameCodec;
  readonly frames: Frame[] = [];
  closed = false;
  #waiters: (() => void)[] = [];
  readonly #ids: MsgIdGenerator;

  private constructor(socket: Socket, codec: FrameCodec, now: () => number) {
    this.socket = socket;
    this.codec = codec;
    this.#ids = new MsgIdGenerator('client', now);
    socket.on('data', (chunk: Buffer) => {
      try {
        this.frames.push(...codec.push(new Uint8Array(chunk)));
      } catch {
        socket.destroy();
      }
      this.#wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.#wake();
    });
    socket.on('error', () => {});
  }

  static async connect(provider: CryptoProvider, port: number, transport: TransportOptions = { transport: 'intermediate', role: 'client' }, now = () => Date.now() / 1000): Promise<RawClient> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawClient(socket, createFrameCodec(provider, transport), now);
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  /** Resolves once `condition` holds (or rejects after `ms`). */
  async until(condition: () => boolean, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error('RawClient.until: timed out');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 20);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The next frame (or undefined once closed). */
  async next(ms = 5000): Promise<Frame | undefined> {
    await this.until(() => this.frames.length > 0 || this.closed, ms);
    return this.frames.shift();
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  sendFrame(payload: Uint8Array, quickAck = false): void {
    this.socket.write(this.codec.encode(payload, { quickAck }));
  }

  /** Creates an auth key over plain messages (spec §5) on this connection. */
  async handshake(provider: CryptoProvider, rsaPublicKey: string, temp?: number): Promise<{ result: AuthKeyResult; key: AuthKey }> {
    const hs = new ClientHandshake(provider, { rsaKeys: [rsaPublicKey], dc: 2, ...(temp !== undefined && { temp: { expiresIn: temp } }) });
    let body = hs.start();
    for (;;) {
      this.sendFrame(encodePlainMessage(this.#ids.next(), body));
      const frame = await this.next();
      if (frame?.kind !== 'packet') throw new Error(`handshake: got ${frame === undefined ? 'close' : frame.kind}`);
      const step = hs.receive(decodePlainMessage(frame.payload, { from: 'server', transportPadding: true }).body);
      if (step.done) return { result: step.done, key: new AuthKey(provider, step.done.authKey) };
      body = step.send!;
    }
  }

  sendEncrypted(provider: CryptoProvider, key: AuthKey, message: PlaintextMessage, quickAck = false): void {
    this.sendFrame(encryptMessage(provider, key, message, { from: 'client' }), quickAck);
  }

  /** The next frame, decrypted (an error if it is anything else). */
  async nextMessage(provider: CryptoProvider, key: AuthKey, ms = 5000): Promise<DecryptedMessage> {
    const frame = await this.next(ms);
    if (frame?.kind !== 'packet') throw new Error(`expected a packet, got ${frame === undefined ? 'close' : JSON.stringify(frame)}`);
    return decryptMessage(provider, key, frame.payload, { from: 'server' });
  }

  /** Drives `session` over this connection: its packets go out, what comes in is fed to it. */
  pump(provider: CryptoProvider, key: AuthKey, session: ClientSession): void {
    const flush = (): void => {
      for (let m = session.drain({ acksAlone: true }); m !== null; m = session.drain()) this.sendEncrypted(provider, key, m);
    };
    const loop = async (): Promise<void> => {
      for (;;) {
        const frame = await this.next(60_000).catch(() => undefined);
        if (frame === undefined) return;
        if (frame.kind !== 'packet') continue;
        let m;
        try {
          m = decryptMessage(provider, key, frame.payload, { from: 'server', sessionId: session.sessionId });
        } catch {
          continue;
        }
        await session.receive(m);
        flush();
      }
    };
    void loop();
    this.flush = flush;
    flush();
  }

  flush: () => void = () => {};

  close(): void {
    this.socket.destroy();
  }
}

/** A ClientSession whose drain() is pumped by RawClient.pump (onQueued flushes). */
export function pumpedSession(raw: RawClient, provider: CryptoProvider, key: AuthKey, salt: bigint, timeOffset = 0): ClientSession {
  let ready = false;
  const session = new ClientSession({ salt, timeOffset, random: (n) => provider.randomBytes(n), onQueued: () => ready && queueMicrotask(() => raw.flush()) });
  ready = true;
  raw.pump(provider, key, session);
  return session;
}

/** A TCP proxy in front of `target` whose live connections `cut()` destroys. */
export async function tcpProxy(target: () => number): Promise<{ port: number; cut(): void; close(): Promise<void>; readonly connections: number }> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((inbound) => {
    accepted++;
    const outbound = connect({ host: '127.0.0.1', port: target() });
    sockets.add(inbound);
    sockets.add(outbound);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
    const drop = (): void => {
      inbound.destroy();
      outbound.destroy();
      sockets.delete(inbound);
      sockets.delete(outbound);
    };
    inbound.on('error', drop).on('close', drop);
    outbound.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    cut: () => {
      for (const s of [...sockets]) s.destroy();
      sockets.clear();
    },
    close: async () => {
      for (const s of [...sockets]) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    get connections() {
      return accepted;
    },
  };
}

export function int64At(bytes: Uint8Array, at: number): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset + at, 8).getBigInt64(0, true);
}
