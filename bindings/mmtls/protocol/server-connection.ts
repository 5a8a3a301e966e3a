// The server side of one connection (spec §7; designed parts in docs/mmtls.md).
//
//   record 0x16 ClientHello ─┬─ ECDHE offered and not overloaded → 1-RTT ECDHE:
//                            │     SH (plain), CV, NST, Finished (handshake keys); await client Finished
//                            ├─ PSK offered (only PSK, or the server is overloaded) → 1-RTT PSK:
//                            │     SH (plain), NST, Finished (handshake keys from the ticket's PSK)
//                            └─ otherwise → alert (overloaded / handshake_failure)
//   record 0x19 ClientHello → 0-RTT PSK: ticket and timestamp checked, then EncryptedExtensions
//                            under the early key; its timestamp must repeat the hello's; the hello
//                            is claimed in the strike register; SH (plain) and Finished (response key)
//
// The server never answers an ECDHE offer with PSK unless it is overloaded, and the offer and the
// answer are both in the transcript that the client's checks (signature or Finished) cover, so a
// man in the middle cannot make either side settle for less than what they offered.

import { derFromRaw } from '../../codec/der.js';
import { InvalidKeyError } from '../../errors.js';
import { ctEqual } from '../../compare.js';
import {
  applicationKeys, earlyDataKey, earlyResponseKey, ecdheSecret, expand, finishedData, handshakeKeys, resumptionSecrets,
  type TrafficKeys, wipeKeys,
} from '../crypto/key-schedule.js';
import { MmtlsError } from '../errors.js';
import { CipherSuite, type ClientHello, RANDOM_LENGTH, decodeClientHello } from '../handshake/client-hello.js';
import { type ServerHello, encodeServerHello, keyShareInfo } from '../handshake/server-hello.js';
import {
  ACCESS_LIFETIME, REFRESH_LIFETIME, type SessionTicket, TicketType, encodeNewSessionTicket,
} from '../handshake/session-ticket.js';
import { decodeEncryptedExtensions, decodeFinished, encodeCertificateVerify, encodeFinished } from '../handshake/small-messages.js';
import { type MmtlsRecord, RecordType } from '../record/record.js';
import { openTicket, sealTicket } from '../ticket/ticket-codec.js';
import { Connection, type ConnectionEvents, type HandshakeMode } from './connection.js';
import type { ServerContext } from './server-context.js';

type State = 'hello' | 'early-extensions' | 'client-finished' | 'open';

export class ServerConnection extends Connection {
  #state: State = 'hello';
  #hello: ClientHello | undefined;
  #helloHash: Uint8Array | undefined;
  #secret: Uint8Array | undefined;
  #clientFinished: Uint8Array | undefined;
  #application: TrafficKeys | undefined;
  #pending: HandshakeMode | undefined;

  constructor(private readonly ctx: ServerContext, events: ConnectionEvents) {
    super(ctx.provider, events);
  }

  async receive(record: MmtlsRecord): Promise<void> {
    switch (this.#state) {
      case 'hello':
        return this.#receiveHello(record);
      case 'early-extensions':
        return this.#receiveEarlyExtensions(record);
      case 'client-finished':
        return this.#receiveClientFinished(record);
      case 'open':
        return this.receiveEstablished(record);
    }
  }

  async #receiveHello(record: MmtlsRecord): Promise<void> {
    if (record.type === RecordType.alert) return this.receiveAlert(record);
    const message = this.readHandshake(record, [RecordType.handshake, RecordType.earlyHandshake], 'a ClientHello');
    const hello = decodeClientHello(message);
    this.transcript.add(message);
    this.#hello = hello;
    const nowSeconds = Math.floor(this.ctx.now() / 1000);
    if (record.type === RecordType.earlyHandshake) return this.#startZeroRtt(hello, nowSeconds);
    const offersEcdhe = hello.suites.includes(CipherSuite.ecdhe);
    const offersPsk = hello.suites.includes(CipherSuite.psk);
    if (offersEcdhe && !this.ctx.overloaded()) return this.#ecdhe(hello, nowSeconds);
    if (offersPsk) return this.#resume(hello, nowSeconds);
    if (offersEcdhe) throw new MmtlsError('overloaded', 'the server is overloaded and takes PSK resumption only');
    throw new MmtlsError('handshake_failure', 'the ClientHello offers no cipher suite this server supports');
  }

  /** 1-RTT ECDHE (spec §7.1). */
  async #ecdhe(hello: ClientHello, nowSeconds: number): Promise<void> {
    const p = this.provider;
    const share = hello.keyShares![0]!;
    const dh = p.dh('P-256');
    const ephemeral = dh.generateKeyPair();
    let com: Uint8Array;
    try {
      com = ecdheSecret(p, ephemeral.secretKey, share.point);
    } catch (e) {
      if (e instanceof InvalidKeyError) throw new MmtlsError('illegal_parameter', 'the client key share is not a P-256 point');
      throw e;
    } finally {
      ephemeral.secretKey.fill(0);
    }
    this.#secret = com;
    this.#sendServerHello(CipherSuite.ecdhe, { keyShare: { index: share.index, point: ephemeral.publicKey }, keyShareInfo: keyShareInfo(0) });
    const helloHash = this.transcript.hash();
    this.#useHandshakeKeys(com, helloHash);
    const signature = p.signature('P-256').sign(this.ctx.signingKey, helloHash);
    const verify = encodeCertificateVerify(derFromRaw(signature));
    this.queueSealed(RecordType.handshake, verify);
    this.transcript.add(verify);
    await this.#finishFullHandshake(com, nowSeconds, { expires: Infinity, chainStart: nowSeconds });
    this.#pending = '1rtt-ecdhe';
  }

  /** 1-RTT PSK (designed, docs/mmtls.md): the refresh ticket's PSK stands in for the ECDH secret. */
  async #resume(hello: ClientHello, nowSeconds: number): Promise<void> {
    const ticket = await openTicket(this.provider, this.ctx.ticketKeys, hello.psk!, TicketType.refresh, nowSeconds);
    this.#secret = ticket.psk;
    this.#sendServerHello(CipherSuite.psk, undefined);
    this.#useHandshakeKeys(ticket.psk, this.transcript.hash());
    await this.#finishFullHandshake(ticket.psk, nowSeconds, ticket);
    this.#pending = '1rtt-psk';
  }

  #sendServerHello(suite: number, ecdhe: Pick<ServerHello, 'keyShare' | 'keyShareInfo'> | undefined): void {
    const hello = encodeServerHello({ suite, random: this.provider.randomBytes(RANDOM_LENGTH), ...ecdhe });
    this.queuePlain(RecordType.handshake, hello);
    this.transcript.add(hello);
  }

  #useHandshakeKeys(com: Uint8Array, helloHash: Uint8Array): void {
    const keys = handshakeKeys(this.provider, com, helloHash);
    this.sending.setKey(keys.server);
    this.receiving.setKey(keys.client);
    wipeKeys(keys);
  }

  /** NewSessionTicket and the server Finished; the client's Finished is expected next. */
  async #finishFullHandshake(com: Uint8Array, nowSeconds: number, limit: { expires: number; chainStart: number }): Promise<void> {
    const p = this.provider;
    const secrets = resumptionSecrets(p, com, this.transcript.hash());
    const expiry = (lifetime: number) => Math.min(nowSeconds + lifetime, limit.expires);
    let tickets: SessionTicket[];
    try {
      tickets = [
        await sealTicket(p, this.ctx.ticketKeys, { type: TicketType.access, psk: secrets.access, expires: expiry(ACCESS_LIFETIME), chainStart: limit.chainStart }, ACCESS_LIFETIME, new Uint8Array(0), nowSeconds),
        await sealTicket(p, this.ctx.ticketKeys, { type: TicketType.refresh, psk: secrets.refresh, expires: expiry(REFRESH_LIFETIME), chainStart: limit.chainStart }, REFRESH_LIFETIME, p.randomBytes(32), nowSeconds),
      ];
    } finally {
      secrets.access.fill(0);
      secrets.refresh.fill(0);
    }
    const nst = encodeNewSessionTicket(tickets);
    this.queueSealed(RecordType.handshake, nst);
    this.transcript.add(nst);
    const hash = this.transcript.hash();
    this.queueSealed(RecordType.handshake, encodeFinished(finishedData(p, com, 'server', hash)));
    this.#clientFinished = finishedData(p, com, 'client', hash);
    this.#application = applicationKeys(p, com, hash);
    this.#state = 'client-finished';
  }

  #receiveClientFinished(record: MmtlsRecord): void {
    if (record.type === RecordType.alert) return this.receiveAlert(record);
    const verifyData = decodeFinished(this.readHandshake(record, [RecordType.handshake], 'the client Finished'));
    if (!ctEqual(verifyData, this.#clientFinished!)) throw new MmtlsError('decrypt_error', 'the client Finished does not match the transcript');
    this.sending.setKey(this.#application!.server);
    this.receiving.setKey(this.#application!.client);
    this.wipeSecrets();
    this.#state = 'open';
    this.complete(this.#pending!);
  }

  /** 0-RTT PSK, first step (spec §7.2): the ticket and the hello's timestamp. */
  async #startZeroRtt(hello: ClientHello, nowSeconds: number): Promise<void> {
    if (hello.suites.length !== 1 || hello.suites[0] !== CipherSuite.psk) {
      throw new MmtlsError('handshake_failure', 'a 0-RTT ClientHello must offer the PSK suite alone');
    }
    if (Math.abs(hello.timestamp - nowSeconds) > this.ctx.replayWindowSeconds) {
      throw new MmtlsError('stale_timestamp', `the 0-RTT timestamp is outside ±${this.ctx.replayWindowSeconds} s of the server's clock`);
    }
    const ticket = await openTicket(this.provider, this.ctx.ticketKeys, hello.psk!, TicketType.access, nowSeconds);
    this.#secret = ticket.psk;
    this.#helloHash = this.transcript.hash();
    const early = earlyDataKey(this.provider, ticket.psk, this.#helloHash);
    this.receiving.setKey(early);
    wipeKeys(early);
    this.#state = 'early-extensions';
  }

  /** 0-RTT PSK, second step: EncryptedExtensions, the strike register, the server's answer. */
  async #receiveEarlyExtensions(record: MmtlsRecord): Promise<void> {
    const message = this.readHandshake(record, [RecordType.earlyHandshake], 'the 0-RTT EncryptedExtensions');
    const timestamp = decodeEncryptedExtensions(message);
    if (timestamp !== this.#hello!.timestamp) throw new MmtlsError('illegal_parameter', 'the EncryptedExtensions timestamp differs from the ClientHello');
    this.transcript.add(message);
    const key = hex(this.#helloHash!);
    let fresh: boolean;
    try {
      fresh = await this.ctx.replayStore.claim(key, 2 * this.ctx.replayWindowSeconds * 1000);
    } catch {
      // Without the register nobody can tell a replay: refuse 0-RTT, so the client does a full handshake.
      throw new MmtlsError('overloaded', 'the replay register is unavailable; 0-RTT is refused');
    }
    if (!fresh) throw new MmtlsError('replay_detected', 'this 0-RTT ClientHello was seen before');
    this.#sendServerHello(CipherSuite.psk, undefined);
    const hash = this.transcript.hash();
    const response = earlyResponseKey(this.provider, this.#secret!, hash);
    this.sending.setKey(response);
    wipeKeys(response);
    const finishedKey = expand(this.provider, this.#secret!, 'server finished', undefined, 32);
    this.queueSealed(RecordType.handshake, encodeFinished(this.provider.hmac('SHA-256', finishedKey, hash)));
    finishedKey.fill(0);
    this.wipeSecrets();
    this.#state = 'open';
    this.complete('0rtt-psk');
  }

  protected wipeSecrets(): void {
    this.#secret?.fill(0);
    this.#secret = undefined;
    this.#clientFinished?.fill(0);
    wipeKeys(this.#application);
    this.#application = undefined;
  }
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
