// One long-link connection on the server (spec §7.1, §8.1): records in from the socket, processed
// one at a time in order; once the handshake is done the decrypted stream is cut into frames, each
// request frame goes to the handler and its answer goes back in the same order. Any MmtlsError
// sends its alert and closes; closing wipes the connection's keys.
//
// Backpressure: the socket is paused while a chunk is being processed and while the answers not
// yet sent exceed MAX_UNSENT, so neither a fast sender nor a client that never reads can make the
// server buffer without bound. A connection that has not completed its handshake within
// handshakeTimeoutMs, or stays idle for idleTimeoutMs, is closed.

import type { Socket } from 'node:net';
import { MmtlsError } from '../errors.js';
import { PeerAlert, isResumed } from '../protocol/connection.js';
import { ServerConnection } from '../protocol/server-connection.js';
import type { ServerContext } from '../protocol/server-context.js';
import { RecordSplitter } from '../record/record.js';
import { type Frame, FrameSplitter, NOOP_CMD, NOOP_SEQ, RESPONSE_OFFSET, encodeFrame } from './long-link.js';
import type { RequestHandler } from './server-options.js';

/** Bytes of answers queued in the socket beyond which the server stops reading from it. */
const MAX_UNSENT = 1 << 20;
/** Time a closing socket is given to flush its last alert before it is destroyed. */
const CLOSE_GRACE_MS = 1000;

export interface LongLinkLimits {
  readonly maxFrame: number;
  readonly handshakeTimeoutMs: number;
  readonly idleTimeoutMs: number;
}

export function serveLongLink(socket: Socket, ctx: ServerContext, handler: RequestHandler, limits: LongLinkLimits): void {
  const frames: { frame: Frame; early: boolean }[] = [];
  const splitter = new FrameSplitter(limits.maxFrame);
  let ended = false;
  const conn = new ServerConnection(ctx, {
    onData: (chunk) => {
      for (const frame of splitter.push(chunk)) frames.push({ frame, early: conn.receivingEarlyData });
    },
    onEnd: () => { ended = true; },
  });
  const records = new RecordSplitter();
  let chain = Promise.resolve();
  let closed = false;

  const close = () => {
    if (closed) return;
    closed = true;
    clearTimeout(handshakeTimer);
    conn.dispose();
    socket.end();
    setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
  };
  const handshakeTimer = setTimeout(() => { if (!conn.established) close(); }, limits.handshakeTimeoutMs);
  handshakeTimer.unref();
  socket.setTimeout(limits.idleTimeoutMs, close);

  const flush = () => {
    const out = conn.takeOutput();
    if (out.length > 0 && !socket.destroyed) socket.write(out);
  };

  const answer = async ({ frame, early }: { frame: Frame; early: boolean }) => {
    if (frame.cmd === NOOP_CMD && frame.seq === NOOP_SEQ && frame.body.length === 0) {
      conn.sendApplicationData(encodeFrame({ cmd: NOOP_CMD + RESPONSE_OFFSET, seq: NOOP_SEQ, body: new Uint8Array(0) }));
      return;
    }
    const mode = conn.mode!;
    const response = await handler(frame.body, { transport: 'long', mode, resumed: isResumed(mode), early });
    if (!(response instanceof Uint8Array)) throw new MmtlsError('internal_error', 'the handler did not return a Uint8Array');
    if (closed) return;
    conn.sendApplicationData(encodeFrame({ cmd: frame.cmd + RESPONSE_OFFSET, seq: frame.seq, body: response }));
  };

  const process = async (chunk: Uint8Array) => {
    if (closed) return;
    try {
      for (const record of records.push(chunk)) {
        await conn.receive(record);
        while (frames.length > 0 && !closed) await answer(frames.shift()!);
        if (ended) break;
      }
      flush(); // the answers to one chunk go out in one write
      if (ended) close();
    } catch (e) {
      if (!(e instanceof PeerAlert)) conn.sendAlert(e instanceof MmtlsError ? e.alert : 'internal_error');
      flush();
      close();
    }
  };

  const drained = () => new Promise<void>((resolve) => {
    if (socket.writableLength <= MAX_UNSENT || socket.destroyed) resolve();
    else socket.once('drain', resolve).once('close', resolve);
  });

  socket.on('data', (chunk: Buffer) => {
    socket.pause();
    chain = chain
      .then(() => process(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)))
      .then(drained)
      .then(() => { if (!closed) socket.resume(); });
  });
  socket.on('error', close);
  socket.on('close', close);
}
