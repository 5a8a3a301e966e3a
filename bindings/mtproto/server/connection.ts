// One stream connection on the server: a TCP socket or a WebSocket, both a plain byte stream
// carrying an MTProto transport (spec §8). The first bytes pick the transport (detectTransport; a
// WebSocket must be obfuscated2, spec §8.8); frames then go one at a time, in order, to auth-key
// creation (plain messages, auth_key_id = 0) or to ServerCore (encrypted). The connection is the
// Sink of the sessions whose last accepted message came over it: their answers are framed and
// written here.
//
// What closes it: a transport the server does not speak, a framing error (bad CRC, bad length, an
// oversize frame), a malformed plain message or a failed handshake step (after −404, or −444 for a
// wrong DC), an unknown auth key (after −404), a container over the limits (after −429), the peer,
// ping_delay_disconnect's timer, or the server closing. Nothing a peer sends throws out of it.

import { encodePlainMessage, decodePlainMessage } from '../auth/plain-message.js';
import type { ServerHandshake } from '../auth/server-handshake.js';
import { MtprotoError } from '../errors.js';
import type { FrameCodec } from '../transport/codec.js';
import { detectTransport } from '../transport/detect.js';
import type { ObfuscatedCodec } from '../transport/obfuscated.js';
import type { HttpWait, Origin, ServerCore } from './core.js';
import type { SessionHandle, Sink } from './keys.js';

/** The byte stream under a connection. */
export interface ByteStream {
  write(bytes: Uint8Array): void;
  /** Closes after what was written (TCP: end; WebSocket: close 1000 with `reason`). */
  end(reason?: string): void;
}

export interface StreamConnectionOptions {
  readonly kind: 'tcp' | 'websocket';
  /** TCP only: an HTTP request arrived; hand the connection and its first bytes over. */
  readonly onHttp?: (head: Uint8Array) => void;
  readonly maxFrameLength?: number;
}

/** Bytes read before the transport is known (an obfuscated2 header is the longest: 64). */
const DETECT_LIMIT = 64;
/** How long acks of the client's messages may wait for something to ride with, ms. */
const ACK_DELAY = 500;

export class StreamConnection implements Origin, Sink {
  readonly #core: ServerCore;
  readonly #stream: ByteStream;
  readonly #options: StreamConnectionOptions;
  #head: Uint8Array | null = new Uint8Array(0);
  #codec: FrameCodec | null = null;
  #transport = 'unknown';
  #handshake: ServerHandshake | null = null;
  #chain: Promise<void> = Promise.resolve();
  #closed = false;
  readonly #dirty = new Set<SessionHandle>();
  readonly #sessions = new Set<SessionHandle>();
  #flushScheduled = false;
  #ackTimer: ReturnType<typeof setTimeout> | null = null;
  #disconnectTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(core: ServerCore, stream: ByteStream, options: StreamConnectionOptions) {
    this.#core = core;
    this.#stream = stream;
    this.#options = options;
  }

  get transport(): string {
    return this.#transport;
  }

  get live(): boolean {
    return !this.#closed;
  }

  /** Bytes from the peer, in any chunking. */
  data(chunk: Uint8Array): void {
    if (this.#closed) return;
    let frames;
    try {
      if (this.#codec === null) {
        const head = concat(this.#head!, chunk);
        const detection = detectTransport(this.#core.provider, head, { maxFrameLength: this.#options.maxFrameLength });
        if (detection.kind === 'need-more') {
          if (head.length >= DETECT_LIMIT) return this.close();
          this.#head = head;
          return;
        }
        this.#head = null;
        if (detection.kind === 'http') {
          if (this.#options.kind === 'tcp' && this.#options.onHttp) {
            this.#closed = true; // the HTTP server owns the socket from here
            this.#options.onHttp(head);
          } else {
            this.close();
          }
          return;
        }
        if (this.#options.kind === 'websocket' && detection.transport !== 'obfuscated') {
          detection.codec.dispose();
          return this.close('404'); // spec §8.8: obfuscation is required over WebSocket
        }
        this.#codec = detection.codec;
        this.#transport = this.#options.kind === 'websocket' ? 'websocket' : detection.transport;
        frames = this.#codec.push(detection.rest);
      } else {
        frames = this.#codec.push(chunk);
      }
    } catch (error) {
      if (!(error instanceof MtprotoError)) throw error;
      return this.close(); // unknown transport, bad CRC or length, oversize frame
    }
    for (const frame of frames) {
      if (frame.kind !== 'packet') continue;
      const payload = frame.payload;
      const quickAck = frame.quickAck;
      this.#chain = this.#chain.then(() => this.#packet(payload, quickAck)).catch(() => this.close());
    }
  }

  async #packet(payload: Uint8Array, quickAck: boolean): Promise<void> {
    if (this.#closed) return;
    if (payload.length < 8) return this.close();
    let zero = true;
    for (let i = 0; i < 8; i++) if (payload[i] !== 0) zero = false;
    if (zero) return this.#plain(payload);
    await this.#core.handleEncrypted(this, payload, quickAck);
  }

  /** A plain message: one step of auth-key creation (spec §5). */
  async #plain(payload: Uint8Array): Promise<void> {
    let body: Uint8Array;
    try {
      body = decodePlainMessage(payload, { from: 'client', transportPadding: this.#padded() }).body;
    } catch {
      return this.close();
    }
    const handshake = (this.#handshake ??= this.#core.newHandshake());
    let step;
    try {
      step = handshake.receive(body);
    } catch (error) {
      // auth_key.html: a malformed query gets −404 and the client starts over; −444 for a wrong DC.
      return this.transportError(error instanceof MtprotoError && error.code === 'handshake-wrong-dc' ? 444 : 404);
    }
    if (step.done !== undefined && !(await this.#core.registerKey(step.done))) return this.transportError(404);
    this.#write(encodePlainMessage(this.#core.msgIds.next('response'), step.send));
  }

  #padded(): boolean {
    const codec = this.#codec;
    return codec?.transport === 'padded' || (codec?.transport === 'obfuscated' && (codec as ObfuscatedCodec).inner === 'padded');
  }

  // ---- Origin -------------------------------------------------------------------------------------

  transportError(code: number): void {
    if (this.#closed || this.#codec === null) return this.close();
    this.#stream.write(this.#codec.encodeTransportError(code));
    this.close(String(code));
  }

  drop(): void {
    // Tampered or replayed ciphertext: no answer of any kind (spec §3 item 7).
  }

  servesAlready(handle: SessionHandle): boolean {
    return handle.sink === this && !this.#closed;
  }

  attach(handle: SessionHandle, accepted: boolean): void {
    if (this.#closed) return;
    const previous = handle.sink;
    if (previous === this) return;
    // A rejected message moves nothing (a replayed packet cannot steal a session), unless the
    // session has nowhere else to send its notification.
    if (!accepted && previous?.live) return;
    handle.sink = this;
    this.#sessions.add(handle);
    // The client came back on a new connection: what it may not have got goes out again — also
    // when the old connection is already gone (an answer written just before its close was noticed
    // is unacknowledged, not lost).
    handle.session.resendUnacked();
  }

  quickAck(token: number): void {
    if (this.#closed || this.#codec === null || !this.#codec.quickAckReplies) return;
    this.#stream.write(this.#codec.encodeQuickAck(token));
  }

  disconnectAfter(seconds: number): void {
    if (this.#disconnectTimer !== null) clearTimeout(this.#disconnectTimer);
    this.#disconnectTimer = setTimeout(() => this.close(), Math.max(0, seconds) * 1000);
  }

  httpWait(_wait: HttpWait): void {
    // Meaningful over HTTP only (spec §8.9).
  }

  // ---- Sink ---------------------------------------------------------------------------------------

  wake(handle: SessionHandle): void {
    if (this.#closed) return;
    this.#dirty.add(handle);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    // After the current batch of packets and the handlers that answer at once.
    setImmediate(() => this.#flush(false));
  }

  #flush(acksAlone: boolean): void {
    this.#flushScheduled = false;
    if (this.#closed) return;
    const handles = acksAlone ? [...this.#sessions] : [...this.#dirty];
    this.#dirty.clear();
    let acksWaiting = false;
    for (const handle of handles) {
      if (handle.sink !== this) continue;
      for (let packet = this.#core.nextPacket(handle, { acksAlone }); packet !== null; packet = this.#core.nextPacket(handle)) {
        this.#write(packet);
      }
      if (handle.session.hasOutgoing(true)) acksWaiting = true;
    }
    if (acksWaiting && this.#ackTimer === null) {
      this.#ackTimer = setTimeout(() => {
        this.#ackTimer = null;
        this.#flush(true);
      }, ACK_DELAY);
    }
  }

  #write(packet: Uint8Array): void {
    if (this.#closed || this.#codec === null) return;
    this.#stream.write(this.#codec.encode(packet));
  }

  /** Closes the connection and lets go of its sessions (they stay in the registry). */
  close(reason?: string): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ackTimer !== null) clearTimeout(this.#ackTimer);
    if (this.#disconnectTimer !== null) clearTimeout(this.#disconnectTimer);
    for (const handle of this.#sessions) if (handle.sink === this) handle.sink = null;
    this.#sessions.clear();
    this.#dirty.clear();
    this.#codec?.dispose();
    this.#head = null;
    this.#handshake = null;
    this.#stream.end(reason);
  }

  /** The peer went away. */
  closed(): void {
    if (this.#closed) return;
    this.close();
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
