// What the client and server sides of one mmtls connection share: the two record streams (one per
// direction, spec §4.2), the transcript, the output queue, application-data fragmentation and
// alerts. Sans-IO: a connection turns received records into callbacks and queued output bytes;
// the transports (net/) move the bytes.

import type { CryptoProvider } from '../../provider/types.js';
import { MmtlsError } from '../errors.js';
import { type AlertName, LEVEL_CLOSE, decodeAlert, encodeAlert } from '../record/alert.js';
import { RecordStream } from '../record/cipher.js';
import { MAX_FRAGMENT, type MmtlsRecord, RecordType, type RecordTypeCode, plainRecord } from '../record/record.js';
import { Transcript } from '../crypto/transcript.js';

export type HandshakeMode = '1rtt-ecdhe' | '1rtt-psk' | '0rtt-psk' | '0rtt-ecdhe';

/** Whether a handshake resumed a session from a ticket (the PSK modes). */
export function isResumed(mode: HandshakeMode): boolean {
  return mode === '1rtt-psk' || mode === '0rtt-psk';
}

export interface ConnectionEvents {
  /** Decrypted application data, in order (a stream: record boundaries carry no meaning). */
  onData(chunk: Uint8Array): void;
  /** The peer's end_of_data (or close_notify) alert. */
  onEnd(): void;
}

export abstract class Connection {
  protected readonly sending: RecordStream;
  protected readonly receiving: RecordStream;
  protected readonly transcript: Transcript;
  #output: Uint8Array[] = [];
  #mode: HandshakeMode | undefined;
  #canSend = false;
  #disposed = false;

  constructor(protected readonly provider: CryptoProvider, protected readonly events: ConnectionEvents) {
    this.sending = new RecordStream(provider);
    this.receiving = new RecordStream(provider);
    this.transcript = new Transcript(provider);
  }

  /** The handshake's mode once it has completed, else undefined. */
  get mode(): HandshakeMode | undefined {
    return this.#mode;
  }

  get established(): boolean {
    return this.#mode !== undefined;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** Processes one record; throws MmtlsError when the connection must end. */
  abstract receive(record: MmtlsRecord): void | Promise<void>;

  /** Output queued since the last call, as one byte string (empty if none). */
  takeOutput(): Uint8Array {
    const parts = this.#output;
    this.#output = [];
    if (parts.length === 1) return parts[0]!;
    let n = 0;
    for (const p of parts) n += p.length;
    const out = new Uint8Array(n);
    n = 0;
    for (const p of parts) {
      out.set(p, n);
      n += p.length;
    }
    return out;
  }

  /** Queues application data, in records of at most MAX_FRAGMENT bytes. */
  sendApplicationData(data: Uint8Array): void {
    if (!this.#canSend) throw new MmtlsError('unexpected_message', 'application data before the handshake completed');
    let at = 0;
    do {
      this.queueSealed(RecordType.applicationData, data.subarray(at, at + MAX_FRAGMENT));
      at += MAX_FRAGMENT;
    } while (at < data.length);
  }

  /** Queues the end_of_data alert that closes each 0-RTT request and response (spec §5.8). */
  sendEnd(): void {
    this.queueSealed(RecordType.alert, encodeAlert('end_of_data'));
  }

  /** Queues an error alert: sealed once this side has keys, in clear before (the first flight). */
  sendAlert(name: AlertName): void {
    if (this.#disposed) return;
    const body = encodeAlert(name);
    if (this.sending.keyed) this.queueSealed(RecordType.alert, body);
    else this.queuePlain(RecordType.alert, body);
  }

  /** Wipes every key this connection holds; it cannot be used afterwards. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.sending.dispose();
    this.receiving.dispose();
    this.wipeSecrets();
  }

  protected abstract wipeSecrets(): void;

  /**
   * Throws if the connection was disposed — a transport may close it while a step awaits a store —
   * wiping `secrets` first, so no key is installed or kept after dispose().
   */
  protected assertOpen(...secrets: Uint8Array[]): void {
    if (!this.#disposed) return;
    for (const s of secrets) s.fill(0);
    throw new MmtlsError('internal_error', 'the connection was closed');
  }

  protected complete(mode: HandshakeMode): void {
    this.#mode = mode;
    this.#canSend = true;
  }

  /** 0-RTT: the client may send application data under the early key before the handshake completes. */
  protected allowEarlyData(): void {
    this.#canSend = true;
  }

  protected queuePlain(type: RecordTypeCode, message: Uint8Array): void {
    this.sending.countPlain();
    this.#output.push(plainRecord(type, message));
  }

  protected queueSealed(type: RecordTypeCode, plaintext: Uint8Array): void {
    this.#output.push(this.sending.seal(type, plaintext));
  }

  /** A handshake record's message: plaintext (counted) or decrypted, by whether keys exist. */
  protected readHandshake(record: MmtlsRecord, types: readonly RecordTypeCode[], what: string): Uint8Array {
    if (!types.includes(record.type)) throw new MmtlsError('unexpected_message', `expected ${what}, got a record of type 0x${record.type.toString(16)}`);
    if (this.receiving.keyed) return this.receiving.open(record);
    this.receiving.countPlain();
    return record.body.slice();
  }

  /** Records of an established connection: application data and alerts. */
  protected receiveEstablished(record: MmtlsRecord): void {
    if (record.type === RecordType.applicationData) {
      this.events.onData(this.receiving.open(record));
    } else if (record.type === RecordType.alert) {
      this.receiveAlert(record);
    } else {
      throw new MmtlsError('unexpected_message', `handshake record (type 0x${record.type.toString(16)}) after the handshake`);
    }
  }

  /** An alert record: end_of_data / close_notify end the stream; any other alert ends the connection. */
  protected receiveAlert(record: MmtlsRecord): void {
    const body = this.receiving.keyed ? this.receiving.open(record) : (this.receiving.countPlain(), record.body);
    const alert = decodeAlert(body);
    if (alert.level === LEVEL_CLOSE) {
      this.events.onEnd();
      return;
    }
    throw new PeerAlert(alert.name);
  }
}

/** The peer sent an error alert: the connection ends without an alert of our own. */
export class PeerAlert extends MmtlsError {
  constructor(alert: AlertName) {
    super(alert, `the peer sent the alert ${alert}`);
    this.name = 'PeerAlert';
  }
}
