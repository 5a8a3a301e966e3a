// The client side of one connection (spec §7; designed parts in docs/mmtls.md).
//
//   1-RTT ECDHE  CH 0x16 [C02B] (+ [00A8] with the refresh ticket if offerPsk, as gommtls sends it)
//                → SH, CV (ECDSA over H(CH‖SH), checked with the pinned verify key), NST, Finished
//                → client Finished, then application keys
//   1-RTT PSK    CH 0x16 [00A8] with the refresh ticket → SH, NST, Finished → client Finished
//   0-RTT PSK    CH 0x19 [00A8] with the access ticket, EE 0x19 and data under the early key
//                → SH, Finished (response key), data
//   0-RTT ECDH-ECDHE (designed)  CH 0x19 [C02B] with key shares; EE and data under the early key
//                from SS = ECDH(client share, the server's verify key) → the 1-RTT ECDHE flight,
//                data under the application keys → client Finished, then application keys
// A PSK answer is accepted only when PSK was offered; every Finished is checked in constant time.

import { rawFromDer } from '../../codec/der.js';
import { ctEqual } from '../../compare.js';
import { InvalidKeyError } from '../../errors.js';
import type { CryptoProvider } from '../../provider/types.js';
import {
  applicationKeys, earlyDataKey, earlyResponseKey, ecdheSecret, expand, finishedData, handshakeKeys, resumptionSecrets,
  type TrafficKeys, wipeKeys,
} from '../crypto/key-schedule.js';
import { MmtlsError } from '../errors.js';
import { CipherSuite, type ClientHello, type KeyShare, RANDOM_LENGTH, encodeClientHello } from '../handshake/client-hello.js';
import { decodeServerHello } from '../handshake/server-hello.js';
import { TicketType, decodeNewSessionTicket, ticketForOffer } from '../handshake/session-ticket.js';
import { decodeCertificateVerify, decodeFinished, encodeEncryptedExtensions, encodeFinished } from '../handshake/small-messages.js';
import { type MmtlsRecord, RecordType } from '../record/record.js';
import type { TrafficKey } from '../record/cipher.js';
import type { ClientTickets, HeldTicket } from './client-tickets.js';
import { Connection, type ConnectionEvents, type HandshakeMode } from './connection.js';

export interface ClientContext {
  readonly provider: CryptoProvider;
  /** The server's ECDSA P-256 verify key, uncompressed SEC1 (65 bytes). */
  readonly verifyKey: Uint8Array;
  /** Milliseconds since the epoch. */
  now(): number;
}

/**
 * Key indexes of the two client key shares: 5 and 6, as in WeChat's real 1-RTT ClientHellos and
 * gommtls. The server names the one it used in its key share (WeChat has been seen to pick either).
 */
const KEY_INDEXES = [5, 6] as const;

type State = 'idle' | 'server-hello' | 'certificate-verify' | 'tickets' | 'server-finished' | 'early-server-hello' | 'early-server-finished' | 'open';

export class ClientConnection extends Connection {
  #state: State = 'idle';
  #offered: number[] = [];
  #ecdhSecrets = new Map<number, Uint8Array>();
  #secret: Uint8Array | undefined;
  #resumption: { access: Uint8Array; refresh: Uint8Array } | undefined;
  #serverFinished: Uint8Array | undefined;
  #application: TrafficKeys | undefined;
  #clientFinishedHash: Uint8Array | undefined;
  #clientHandshakeKey: TrafficKey | undefined;
  #issued: { kind: 'access' | 'refresh'; held: HeldTicket }[] = [];
  #suite = 0;

  constructor(private readonly ctx: ClientContext, events: ConnectionEvents, private readonly tickets: ClientTickets) {
    super(ctx.provider, events);
  }

  /**
   * Queues the first flight. '1rtt-psk' needs a refresh ticket and '0rtt-psk' an access ticket
   * (RangeError otherwise: the caller checks `tickets` first).
   */
  start(mode: HandshakeMode, options: { offerPsk?: boolean } = {}): void {
    if (this.#state !== 'idle') throw new Error('ClientConnection.start: already started');
    const now = this.ctx.now();
    const timestamp = Math.floor(now / 1000);
    const random = this.provider.randomBytes(RANDOM_LENGTH);
    if (mode === '0rtt-psk') {
      const held = this.#ticket('access', now);
      return this.#startZeroRtt({ suites: [CipherSuite.psk], random, timestamp, psk: ticketForOffer(held.ticket) }, held.psk.slice());
    }
    if (mode === '0rtt-ecdhe') {
      const keyShares = this.#keyShares();
      const ss = ecdheSecret(this.provider, this.#ecdhSecrets.get(keyShares[0]!.index)!, this.ctx.verifyKey);
      return this.#startZeroRtt({ suites: [CipherSuite.ecdhe], random, timestamp, keyShares }, ss);
    }
    const suites: number[] = [];
    let keyShares: KeyShare[] | undefined;
    let psk: HeldTicket | undefined;
    if (mode === '1rtt-ecdhe') {
      suites.push(CipherSuite.ecdhe);
      keyShares = this.#keyShares();
      psk = options.offerPsk ? this.tickets.usable('refresh', now) : undefined;
    } else {
      psk = this.#ticket('refresh', now);
    }
    if (psk) {
      suites.push(CipherSuite.psk);
      this.#secret = psk.psk.slice();
    }
    const hello = encodeClientHello({ suites, random, timestamp, ...(psk && { psk: ticketForOffer(psk.ticket) }), ...(keyShares && { keyShares }) });
    this.#offered = suites;
    this.queuePlain(RecordType.handshake, hello);
    this.transcript.add(hello);
    this.#state = 'server-hello';
  }

  #ticket(kind: 'access' | 'refresh', now: number): HeldTicket {
    const held = this.tickets.usable(kind, now);
    if (held === undefined) throw new RangeError(`ClientConnection.start: no usable ${kind} ticket`);
    return held;
  }

  #keyShares(): KeyShare[] {
    const dh = this.provider.dh('P-256');
    return KEY_INDEXES.map((index) => {
      const pair = dh.generateKeyPair();
      this.#ecdhSecrets.set(index, pair.secretKey);
      return { index, point: pair.publicKey };
    });
  }

  /** The 0-RTT first flight: the hello in clear, then EncryptedExtensions under the early key from `secret`. */
  #startZeroRtt(fields: ClientHello, secret: Uint8Array): void {
    const hello = encodeClientHello(fields);
    this.#offered = [...fields.suites];
    this.queuePlain(RecordType.earlyHandshake, hello);
    this.transcript.add(hello);
    this.#secret = secret;
    const early = earlyDataKey(this.provider, this.#secret, this.transcript.hash());
    this.sending.setKey(early);
    wipeKeys(early);
    const extensions = encodeEncryptedExtensions(fields.timestamp);
    this.queueSealed(RecordType.earlyHandshake, extensions);
    this.transcript.add(extensions);
    this.allowEarlyData();
    this.#state = 'early-server-hello';
  }

  receive(record: MmtlsRecord): void {
    this.assertOpen();
    if (record.type === RecordType.alert && this.#state !== 'open') return this.receiveAlert(record);
    switch (this.#state) {
      case 'idle':
        throw new MmtlsError('unexpected_message', 'a record before the ClientHello was sent');
      case 'server-hello':
        return this.#receiveServerHello(record);
      case 'certificate-verify':
        return this.#receiveCertificateVerify(record);
      case 'tickets':
        return this.#receiveTickets(record);
      case 'server-finished':
        return this.#receiveServerFinished(record);
      case 'early-server-hello':
        return this.#receiveServerHello(record, true);
      case 'early-server-finished':
        return this.#receiveEarlyServerFinished(record);
      case 'open':
        return this.receiveEstablished(record);
    }
  }

  #receiveServerHello(record: MmtlsRecord, early = false): void {
    const message = this.readHandshake(record, [RecordType.handshake], 'the ServerHello');
    const hello = decodeServerHello(message);
    if (!this.#offered.includes(hello.suite)) throw new MmtlsError('illegal_parameter', `the ServerHello chose suite 0x${hello.suite.toString(16)}, which was not offered`);
    this.transcript.add(message);
    this.#suite = hello.suite;
    if (early && hello.suite === CipherSuite.psk) return this.#zeroRttPskKeys();
    if (hello.suite === CipherSuite.ecdhe) {
      const share = hello.keyShare!;
      const secretKey = this.#ecdhSecrets.get(share.index);
      if (secretKey === undefined) throw new MmtlsError('illegal_parameter', `the server used key index ${share.index}, which was not offered`);
      try {
        this.#secret?.fill(0);
        this.#secret = ecdheSecret(this.provider, secretKey, share.point);
      } catch (e) {
        if (e instanceof InvalidKeyError) throw new MmtlsError('illegal_parameter', 'the server key share is not a P-256 point');
        throw e;
      }
    }
    this.#wipeEcdhSecrets();
    const keys = handshakeKeys(this.provider, this.#secret!, this.transcript.hash());
    this.receiving.setKey(keys.server);
    // 0-RTT ECDH-ECDHE: early data may still follow under the early key; the Finished uses this one.
    if (early) this.#clientHandshakeKey = keys.client;
    else this.sending.setKey(keys.client);
    wipeKeys(keys.server, early ? undefined : keys.client);
    if (hello.suite === CipherSuite.ecdhe) {
      this.#state = 'certificate-verify';
    } else {
      this.#resumption = resumptionSecrets(this.provider, this.#secret!, this.transcript.hash());
      this.#state = 'tickets';
    }
  }

  #receiveCertificateVerify(record: MmtlsRecord): void {
    const message = this.readHandshake(record, [RecordType.handshake], 'the CertificateVerify');
    const signature = rawFromDer(decodeCertificateVerify(message));
    const signed = this.transcript.hash();
    if (signature === null || !this.provider.signature('P-256').verify(this.ctx.verifyKey, signed, signature)) {
      throw new MmtlsError('decrypt_error', 'the server signature does not verify with the pinned key');
    }
    this.transcript.add(message);
    this.#resumption = resumptionSecrets(this.provider, this.#secret!, this.transcript.hash());
    this.#state = 'tickets';
  }

  #receiveTickets(record: MmtlsRecord): void {
    // WeChat sends it as 0x16; pymmtls's server as 0x19. The type is authenticated (AAD) either way.
    const message = this.readHandshake(record, [RecordType.handshake, RecordType.earlyHandshake], 'the NewSessionTicket');
    const tickets = decodeNewSessionTicket(message);
    this.transcript.add(message);
    // Kept aside until the server's Finished checks out: only then do they replace the held ones.
    const now = this.ctx.now();
    this.#issued = tickets.map((ticket) => {
      const kind = ticket.type === TicketType.access ? 'access' : 'refresh';
      return { kind, held: { ticket, psk: this.#resumption![kind].slice(), expiresAt: now + ticket.lifetime * 1000 } };
    });
    const hash = this.transcript.hash();
    this.#serverFinished = finishedData(this.provider, this.#secret!, 'server', hash);
    this.#application = applicationKeys(this.provider, this.#secret!, hash);
    this.#state = 'server-finished';
    this.#clientFinishedHash = hash;
  }

  #receiveServerFinished(record: MmtlsRecord): void {
    const verifyData = decodeFinished(this.readHandshake(record, [RecordType.handshake], 'the server Finished'));
    if (!ctEqual(verifyData, this.#serverFinished!)) throw new MmtlsError('decrypt_error', 'the server Finished does not match the transcript');
    for (const { kind, held } of this.#issued) this.tickets.replace(kind, held);
    this.#issued = [];
    const zeroRtt = this.#clientHandshakeKey !== undefined;
    if (zeroRtt) this.sending.setKey(this.#clientHandshakeKey!);
    this.queueSealed(RecordType.handshake, encodeFinished(finishedData(this.provider, this.#secret!, 'client', this.#clientFinishedHash!)));
    this.sending.setKey(this.#application!.client);
    this.receiving.setKey(this.#application!.server);
    this.wipeSecrets();
    this.#state = 'open';
    this.complete(this.#suite === CipherSuite.psk ? '1rtt-psk' : zeroRtt ? '0rtt-ecdhe' : '1rtt-ecdhe');
  }

  /** 0-RTT PSK: the response key and the Finished expected under it. */
  #zeroRttPskKeys(): void {
    const hash = this.transcript.hash();
    const response = earlyResponseKey(this.provider, this.#secret!, hash);
    this.receiving.setKey(response);
    wipeKeys(response);
    const finishedKey = expand(this.provider, this.#secret!, 'server finished', undefined, 32);
    this.#serverFinished = this.provider.hmac('SHA-256', finishedKey, hash);
    finishedKey.fill(0);
    this.#state = 'early-server-finished';
  }

  #receiveEarlyServerFinished(record: MmtlsRecord): void {
    const verifyData = decodeFinished(this.readHandshake(record, [RecordType.handshake], 'the 0-RTT server Finished'));
    if (!ctEqual(verifyData, this.#serverFinished!)) throw new MmtlsError('decrypt_error', 'the 0-RTT server Finished does not match the transcript');
    this.wipeSecrets();
    this.#state = 'open';
    this.complete('0rtt-psk');
  }

  #wipeEcdhSecrets(): void {
    for (const key of this.#ecdhSecrets.values()) key.fill(0);
    this.#ecdhSecrets.clear();
  }

  protected wipeSecrets(): void {
    this.#wipeEcdhSecrets();
    for (const s of [this.#secret, this.#serverFinished, this.#resumption?.access, this.#resumption?.refresh]) s?.fill(0);
    this.#secret = this.#serverFinished = this.#resumption = undefined;
    wipeKeys(this.#clientHandshakeKey);
    this.#clientHandshakeKey = undefined;
    for (const { held } of this.#issued) held.psk.fill(0);
    this.#issued = [];
    wipeKeys(this.#application);
    this.#application = undefined;
  }
}
