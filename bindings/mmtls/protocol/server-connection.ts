// The server side of one connection (spec §7; designed parts in docs/mmtls.md).
//
//   record 0x16 ClientHello ─┬─ ECDHE offered and not overloaded → 1-RTT ECDHE:
//                            │     SH (plain), CV, NST, Finished (handshake keys); await client Finished
//                            ├─ PSK offered (only PSK, or the server is overloaded) → 1-RTT PSK:
//                            │     SH (plain), NST, Finished (handshake keys from the ticket's PSK)
//                            └─ otherwise → alert (overloaded / handshake_failure)
//   record 0x19 ClientHello ─┬─ [00A8] → 0-RTT PSK: ticket and timestamp checked, then
//                            │     EncryptedExtensions under the early key (its timestamp must repeat
//                            │     the hello's), the hello claimed in the strike register; SH (plain)
//                            │     and Finished (response key)
//                            └─ [C02B] → 0-RTT ECDH-ECDHE (designed, docs/mmtls.md): the early key
//                                  from the static secret SS = ECDH(server key, client share), the
//                                  same checks, then the 1-RTT ECDHE flight (fresh key, CV, NST,
//                                  Finished); the response and all later traffic use keys from the
//                                  ephemeral secret; the client's Finished follows its early data
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
  ACCESS_LIFETIME, REFRESH_LIFETIME, type SessionTicket, TicketType, type TicketTypeCode, encodeNewSessionTicket,
} from '../handshake/session-ticket.js';
import { decodeEncryptedExtensions, decodeFinished, encodeCertificateVerify, encodeFinished } from '../handshake/small-messages.js';
import { type MmtlsRecord, RecordType } from '../record/record.js';
import { openTicket, sealTicket } from '../ticket/ticket-codec.js';
import { Connection, type ConnectionEvents, type HandshakeMode } from './connection.js';
import type { ServerContext } from './server-context.js';
import type { CryptoProvider } from '../../provider/types.js';
import type { TrafficKey } from '../record/cipher.js';

type State = 'hello' | 'early-extensions' | 'client-finished' | 'open';

/** What the next Finished from the client must be, and the keys around it. */
interface ExpectedFinished {
  readonly verifyData: Uint8Array;
  /** 0-RTT ECDH-ECDHE: the client's handshake key (its early data came under the early key). */
  readonly handshakeKey?: TrafficKey;
  readonly application: TrafficKey;
}

export class ServerConnection extends Connection {
  #state: State = 'hello';
  #hello: ClientHello | undefined;
  #helloHash: Uint8Array | undefined;
  #secret: Uint8Array | undefined;
  #expected: ExpectedFinished | undefined;
  #pending: HandshakeMode | undefined;
  #early = false;

  constructor(private readonly ctx: ServerContext, events: ConnectionEvents) {
    super(ctx.provider, events);
  }

  /** A 1-RTT handshake waiting for the client's Finished (the short link keeps such a connection). */
  get awaitingClientFinished(): boolean {
    return this.#state === 'client-finished';
  }

  /** Whether received data is 0-RTT early data (replayable within the window; docs/mmtls.md §6). */
  get receivingEarlyData(): boolean {
    return this.#early;
  }

  async receive(record: MmtlsRecord): Promise<void> {
    this.assertOpen();
    switch (this.#state) {
      case 'hello':
        return this.#receiveHello(record);
      case 'early-extensions':
        return this.#receiveEarlyExtensions(record);
      case 'client-finished':
        return this.#receiveClientFinished(record);
      case 'open':
        if (record.type === RecordType.handshake && this.#expected !== undefined) return this.#receiveClientFinished(record);
        return this.receiveEstablished(record);
    }
  }

  async #receiveHello(record: MmtlsRecord): Promise<void> {
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
    const keys = await this.#ecdheFlight(hello, nowSeconds);
    this.receiving.setKey(keys.client);
    wipeKeys(keys);
    this.#pending = '1rtt-ecdhe';
    this.#state = 'client-finished';
  }

  /**
   * The server's ECDHE flight: SH with a fresh key, CertificateVerify, NewSessionTicket, Finished
   * under the handshake keys; the sending side ends on the server's application key. Returns the
   * handshake keys (the caller decides when the client's half is used).
   */
  async #ecdheFlight(hello: ClientHello, nowSeconds: number): Promise<TrafficKeys> {
    const p = this.provider;
    const share = hello.keyShares![0]!;
    const ephemeral = p.dh('P-256').generateKeyPair();
    let com: Uint8Array;
    try {
      com = sharedSecret(p, ephemeral.secretKey, share.point, 'client key share');
    } finally {
      ephemeral.secretKey.fill(0);
    }
    this.#secret?.fill(0);
    this.#secret = com;
    this.#sendServerHello(CipherSuite.ecdhe, { keyShare: { index: share.index, point: ephemeral.publicKey }, keyShareInfo: keyShareInfo(0) });
    const helloHash = this.transcript.hash();
    const keys = handshakeKeys(p, com, helloHash);
    this.sending.setKey(keys.server);
    const signature = p.signature('P-256').sign(this.ctx.signingKey, helloHash);
    const verify = encodeCertificateVerify(derFromRaw(signature));
    this.queueSealed(RecordType.handshake, verify);
    this.transcript.add(verify);
    await this.#finishFlight(com, nowSeconds, { expires: Infinity });
    return keys;
  }

  /** 1-RTT PSK (designed, docs/mmtls.md): the refresh ticket's PSK stands in for the ECDH secret. */
  async #resume(hello: ClientHello, nowSeconds: number): Promise<void> {
    const ticket = await openTicket(this.provider, this.ctx.ticketKeys, hello.psk!, TicketType.refresh, nowSeconds);
    this.assertOpen(ticket.psk);
    this.#secret = ticket.psk;
    this.#sendServerHello(CipherSuite.psk, undefined);
    const keys = handshakeKeys(this.provider, ticket.psk, this.transcript.hash());
    this.sending.setKey(keys.server);
    this.receiving.setKey(keys.client);
    wipeKeys(keys);
    await this.#finishFlight(ticket.psk, nowSeconds, ticket);
    this.#pending = '1rtt-psk';
    this.#state = 'client-finished';
  }

  #sendServerHello(suite: number, ecdhe: Pick<ServerHello, 'keyShare' | 'keyShareInfo'> | undefined): void {
    const hello = encodeServerHello({ suite, random: this.provider.randomBytes(RANDOM_LENGTH), ...ecdhe });
    this.queuePlain(RecordType.handshake, hello);
    this.transcript.add(hello);
  }

  /** NewSessionTicket and the server Finished; afterwards the server sends under its application key. */
  async #finishFlight(com: Uint8Array, nowSeconds: number, limit: { expires: number }): Promise<void> {
    const p = this.provider;
    const secrets = resumptionSecrets(p, com, this.transcript.hash());
    // A ticket never outlives the one it was issued against (1-RTT PSK), and says so in its lifetime.
    const issue = (type: TicketTypeCode, psk: Uint8Array, nominal: number, ageAdd: Uint8Array) => {
      const expires = Math.min(nowSeconds + nominal, limit.expires);
      return sealTicket(p, this.ctx.ticketKeys, { type, psk, expires }, expires - nowSeconds, ageAdd, nowSeconds);
    };
    let tickets: SessionTicket[];
    try {
      tickets = [
        await issue(TicketType.access, secrets.access, ACCESS_LIFETIME, new Uint8Array(0)),
        await issue(TicketType.refresh, secrets.refresh, REFRESH_LIFETIME, p.randomBytes(32)),
      ];
    } finally {
      secrets.access.fill(0);
      secrets.refresh.fill(0);
    }
    this.assertOpen();
    const nst = encodeNewSessionTicket(tickets);
    this.queueSealed(RecordType.handshake, nst);
    this.transcript.add(nst);
    const hash = this.transcript.hash();
    this.queueSealed(RecordType.handshake, encodeFinished(finishedData(p, com, 'server', hash)));
    const application = applicationKeys(p, com, hash);
    this.sending.setKey(application.server);
    this.#expected = { verifyData: finishedData(p, com, 'client', hash), application: application.client };
    wipeKeys(application.server);
  }

  #receiveClientFinished(record: MmtlsRecord): void {
    const expected = this.#expected!;
    if (expected.handshakeKey !== undefined && record.type === RecordType.handshake) this.receiving.setKey(expected.handshakeKey);
    const verifyData = decodeFinished(this.readHandshake(record, [RecordType.handshake], 'the client Finished'));
    if (!ctEqual(verifyData, expected.verifyData)) throw new MmtlsError('decrypt_error', 'the client Finished does not match the transcript');
    this.receiving.setKey(expected.application);
    this.#early = false;
    this.wipeSecrets();
    if (this.#state === 'client-finished') {
      this.#state = 'open';
      this.complete(this.#pending!);
    }
  }

  /**
   * 0-RTT, first step (spec §7.2; ECDH-ECDHE designed): the hello's timestamp, then the early
   * secret — the access ticket's PSK, or SS = ECDH(the server's signing key, the client's share).
   */
  async #startZeroRtt(hello: ClientHello, nowSeconds: number): Promise<void> {
    if (hello.suites.length !== 1) throw new MmtlsError('handshake_failure', 'a 0-RTT ClientHello must offer one suite');
    if (Math.abs(hello.timestamp - nowSeconds) > this.ctx.replayWindowSeconds) {
      throw new MmtlsError('stale_timestamp', `the 0-RTT timestamp is outside ±${this.ctx.replayWindowSeconds} s of the server's clock`);
    }
    let early: Uint8Array;
    if (hello.suites[0] === CipherSuite.psk) {
      early = (await openTicket(this.provider, this.ctx.ticketKeys, hello.psk!, TicketType.access, nowSeconds)).psk;
      this.assertOpen(early); // the transport may have closed the connection while the ticket key was fetched
    } else {
      // Two ECDH and a signature, like 1-RTT ECDHE: refused under overload the same way.
      if (this.ctx.overloaded()) throw new MmtlsError('overloaded', 'the server is overloaded and takes PSK resumption only');
      early = sharedSecret(this.provider, this.ctx.signingKey, hello.keyShares![0]!.point, 'client key share');
    }
    this.#secret = early;
    this.#helloHash = this.transcript.hash();
    const key = earlyDataKey(this.provider, early, this.#helloHash);
    this.receiving.setKey(key);
    wipeKeys(key);
    this.#early = true;
    this.#state = 'early-extensions';
  }

  /** 0-RTT PSK, second step: EncryptedExtensions, the strike register, the server's answer. */
  async #receiveEarlyExtensions(record: MmtlsRecord): Promise<void> {
    const message = this.readHandshake(record, [RecordType.earlyHandshake], 'the 0-RTT EncryptedExtensions');
    const timestamp = decodeEncryptedExtensions(message);
    if (timestamp !== this.#hello!.timestamp) throw new MmtlsError('illegal_parameter', 'the EncryptedExtensions timestamp differs from the ClientHello');
    this.transcript.add(message);
    // The window is checked again at the claim: a hello held back until its first claim had expired
    // would otherwise be accepted again (the claim and the window must cover the same moments).
    const now = this.ctx.now();
    const window = this.ctx.replayWindowSeconds;
    if (Math.abs(timestamp - Math.floor(now / 1000)) > window) throw new MmtlsError('stale_timestamp', 'the 0-RTT timestamp left the window before the hello was complete');
    // The claim lasts until the timestamp has left every server's window: the window's end plus
    // one window more for clock differences between the servers of a fleet.
    const ttlMs = (timestamp + 2 * window + 1) * 1000 - now;
    let fresh: boolean;
    try {
      fresh = await this.ctx.replayStore.claim(hex(this.#helloHash!), ttlMs);
    } catch {
      // Without the register nobody can tell a replay: refuse 0-RTT, so the client does a full handshake.
      throw new MmtlsError('overloaded', 'the replay register is unavailable; 0-RTT is refused');
    }
    this.assertOpen();
    if (!fresh) throw new MmtlsError('replay_detected', 'this 0-RTT ClientHello was seen before');
    const nowSeconds = Math.floor(now / 1000);
    if (this.#hello!.suites[0] === CipherSuite.ecdhe) {
      // The early data goes on under the early key until the client's Finished (handshake key).
      const keys = await this.#ecdheFlight(this.#hello!, nowSeconds);
      this.#expected = { ...this.#expected!, handshakeKey: keys.client };
      wipeKeys(keys.server);
      this.#state = 'open';
      this.complete('0rtt-ecdhe');
      return;
    }
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
    if (this.#expected !== undefined) {
      this.#expected.verifyData.fill(0);
      wipeKeys(this.#expected.handshakeKey, this.#expected.application);
      this.#expected = undefined;
    }
  }
}

/** SHA-256 of an ECDH x-coordinate; a bad peer point is the peer's fault: illegal_parameter. */
function sharedSecret(provider: CryptoProvider, secretKey: Uint8Array, point: Uint8Array, what: string): Uint8Array {
  try {
    return ecdheSecret(provider, secretKey, point);
  } catch (e) {
    if (e instanceof InvalidKeyError) throw new MmtlsError('illegal_parameter', `the ${what} is not a P-256 point`);
    throw e;
  }
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
