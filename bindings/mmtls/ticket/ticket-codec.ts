// What a ticket holds and how it is sealed (spec §9.3, designed; WeChat's format is private):
//
//   SessionTicket.nonce  = 12 random bytes, the AES-GCM nonce
//   SessionTicket.ticket = key id (u32 BE) ‖ AES-128-GCM(ticket key, nonce, plaintext,
//                          aad = ticket type ‖ key id)
//   plaintext            = psk[32] ‖ u32 expires (Unix s)
//
// `expires` is absolute: a ticket issued in a 1-RTT PSK handshake expires no later than the one it
// was issued against, so PSK-only resumption never outlives the 30-day refresh lifetime of the
// ECDHE handshake that began the chain.
// Opening refuses, with one error for all of these, a ticket of an unknown or retired key, a forged
// or altered one, and one of the wrong type; an expired one gets its own error (ticket_expired).

import { ByteReader } from '../../codec/reader.js';
import { ByteWriter } from '../../codec/writer.js';
import { AuthenticationError } from '../../errors.js';
import type { CryptoProvider } from '../../provider/types.js';
import { MmtlsError } from '../errors.js';
import { type SessionTicket, TICKET_UNKNOWN_FIELD, type TicketTypeCode } from '../handshake/session-ticket.js';
import type { TicketKeyStore } from './ticket-keys.js';

export const PSK_LENGTH = 32;
const NONCE = 12;
const PLAINTEXT = PSK_LENGTH + 4;

export interface TicketContents {
  readonly type: TicketTypeCode;
  readonly psk: Uint8Array;
  readonly expires: number;
}

function aadOf(type: number, id: number): Uint8Array {
  return new ByteWriter().u8(type).u32(id).finish();
}

export async function sealTicket(
  provider: CryptoProvider, keys: TicketKeyStore, contents: TicketContents, lifetime: number, ageAdd: Uint8Array, nowSeconds: number,
): Promise<SessionTicket> {
  const { id, key } = await keys.current(nowSeconds);
  const nonce = provider.randomBytes(NONCE);
  // Built by hand, not with ByteWriter, so that no copy of the PSK is left in a buffer unwiped.
  const plaintext = new Uint8Array(PLAINTEXT);
  plaintext.set(contents.psk);
  new DataView(plaintext.buffer).setUint32(PSK_LENGTH, contents.expires);
  const aead = provider.aead('AES-128-GCM', key);
  try {
    const sealed = aead.seal(nonce, plaintext, aadOf(contents.type, id));
    const ticket = new ByteWriter().u32(id).bytes(sealed).finish();
    return { type: contents.type, lifetime, ageAdd, unknown: TICKET_UNKNOWN_FIELD, nonce, ticket };
  } finally {
    aead.dispose();
    plaintext.fill(0);
  }
}

export async function openTicket(
  provider: CryptoProvider, keys: TicketKeyStore, offered: SessionTicket, expectedType: TicketTypeCode, nowSeconds: number,
): Promise<TicketContents> {
  const invalid = () => new MmtlsError('ticket_invalid', 'the ticket is not one this server (or its fleet) issued');
  if (offered.type !== expectedType || offered.nonce.length !== NONCE || offered.ticket.length !== 4 + PLAINTEXT + 16) throw invalid();
  const r = new ByteReader(offered.ticket);
  const id = r.u32('ticket key id');
  const key = await keys.lookup(id, nowSeconds);
  if (key === undefined) throw invalid();
  const aead = provider.aead('AES-128-GCM', key);
  let plaintext: Uint8Array;
  try {
    plaintext = aead.open(offered.nonce, r.bytesOf(r.remaining, 'sealed ticket'), aadOf(offered.type, id));
  } catch (e) {
    if (e instanceof AuthenticationError) throw invalid();
    throw e;
  } finally {
    aead.dispose();
  }
  const p = new ByteReader(plaintext);
  const psk = p.bytesOf(PSK_LENGTH, 'psk').slice();
  const expires = p.u32('expires');
  plaintext.fill(0);
  if (nowSeconds >= expires) {
    psk.fill(0);
    throw new MmtlsError('ticket_expired', 'the ticket has expired');
  }
  return { type: expectedType, psk, expires };
}
