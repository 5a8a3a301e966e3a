// One long-link connection on the server (spec §7.1, §8.1): records in from the socket, processed
// one at a time in order; once the handshake is done the decrypted stream is cut into frames, each
// request frame goes to the handler and its answer goes back in the same order. Any MmtlsError
// sends its alert and closes; closing wipes the connection's keys.

import type { Socket } from 'node:net';
import { MmtlsError } from '../errors.js';
import { PeerAlert, isResumed } from '../protocol/connection.js';
import { ServerConnection } from '../protocol/server-connection.js';
import type { ServerContext } from '../protocol/server-context.js';
import { RecordSplitter } from '../record/record.js';
import { type Frame, FrameSplitter, NOOP_CMD, NOOP_SEQ, RESPONSE_OFFSET, encodeFrame } from './long-link.js';
import type { RequestHandler } from './server-options.js';

export function serveLongLink(socket: Socket, ctx: ServerContext, handler: RequestHandler, maxFrame: number): void {
  const frames: Frame[] = [];
  const splitter = new FrameSplitter(maxFrame);
  let ended = false;
  const conn = new ServerConnection(ctx, {
    onData: (chunk) => frames.push(...splitter.push(chunk)),
    onEnd: () => { ended = true; },
  });
  const records = new RecordSplitter();
  let chain = Promise.resolve();
  let closed = false;

  const close = () => {
    if (closed) return;
    closed = true;
    conn.dispose();
    socket.end();
  };
  const flush = () => {
    const out = conn.takeOutput();
    if (out.length > 0 && !socket.destroyed) socket.write(out);
  };

  const answer = async (frame: Frame) => {
    if (frame.cmd === NOOP_CMD && frame.seq === NOOP_SEQ && frame.body.length === 0) {
      conn.sendApplicationData(encodeFrame({ cmd: NOOP_CMD + RESPONSE_OFFSET, seq: NOOP_SEQ, body: new Uint8Array(0) }));
      return;
    }
    const mode = conn.mode!;
    const response = await handler(frame.body, { transport: 'long', mode, resumed: isResumed(mode) });
    if (!(response instanceof Uint8Array)) throw new MmtlsError('internal_error', 'the handler did not return a Uint8Array');
    if (closed) return;
    conn.sendApplicationData(encodeFrame({ cmd: frame.cmd + RESPONSE_OFFSET, seq: frame.seq, body: response }));
  };

  const process = async (chunk: Uint8Array) => {
    if (closed) return;
    try {
      for (const record of records.push(chunk)) {
        await conn.receive(record);
        flush();
        while (frames.length > 0 && !closed) {
          await answer(frames.shift()!);
          flush();
        }
        if (ended) return close();
      }
    } catch (e) {
      if (!(e instanceof PeerAlert)) conn.sendAlert(e instanceof MmtlsError ? e.alert : 'internal_error');
      flush();
      close();
    }
  };

  socket.on('data', (chunk: Buffer) => {
    chain = chain.then(() => process(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
  });
  socket.on('error', close);
  socket.on('close', close);
}
