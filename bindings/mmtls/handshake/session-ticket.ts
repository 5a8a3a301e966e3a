// SessionTicket and NewSessionTicket (spec §5.5, observed):
//   SessionTicket    = u8 type ‖ u32 lifetime (s) ‖ u16 len + age_add ‖ u32 unknown ‖ u16 len + nonce
//                      ‖ u16 len + ticket
//   NewSessionTicket = u32 len ‖ 04 ‖ u8 count ‖ count × (u32 len ‖ SessionTicket)
// WeChat issues two: type 1 (access, 7 days) for 0-RTT and type 2 (refresh, 30 days, 32-byte
// age_add) for 1-RTT PSK. The `unknown` u32 (0x48 in NewSessionTicket) is carried as received.
// What `nonce` and `ticket` hold is the server's business (ticket/ticket-codec.ts).

import { ByteReader } from '../../codec/reader.js';
import { ByteWriter } from '../../codec/writer.js';
import { MmtlsError, decoding } from '../errors.js';
import { HandshakeType, openMessage } from './framing.js';

export const TicketType = { access: 1, refresh: 2 } as const;
export type TicketTypeCode = (typeof TicketType)[keyof typeof TicketType];

export const ACCESS_LIFETIME = 604800;   // 7 days, observed
export const REFRESH_LIFETIME = 2592000; // 30 days, observed
/** The `unknown` u32 WeChat writes in NewSessionTicket. */
export const TICKET_UNKNOWN_FIELD = 0x48;

export interface SessionTicket {
  readonly type: TicketTypeCode;
  readonly lifetime: number;
  readonly ageAdd: Uint8Array;
  readonly unknown: number;
  readonly nonce: Uint8Array;
  readonly ticket: Uint8Array;
}

export function writeSessionTicket(w: ByteWriter, t: SessionTicket): void {
  w.u8(t.type).u32(t.lifetime).vec16(t.ageAdd).u32(t.unknown).vec16(t.nonce).vec16(t.ticket);
}

export function readSessionTicket(r: ByteReader): SessionTicket {
  const type = r.u8('ticket type');
  if (type !== TicketType.access && type !== TicketType.refresh) throw new MmtlsError('illegal_parameter', `ticket type ${type}`);
  return {
    type,
    lifetime: r.u32('ticket lifetime'),
    ageAdd: r.vec16('ticket age_add').slice(),
    unknown: r.u32('ticket unknown field'),
    nonce: r.vec16('ticket nonce').slice(),
    ticket: r.vec16('ticket').slice(),
  };
}

export function encodeNewSessionTicket(tickets: readonly SessionTicket[]): Uint8Array {
  return new ByteWriter()
    .framed32((w) => {
      w.u8(HandshakeType.newSessionTicket).u8(tickets.length);
      for (const t of tickets) w.framed32((x) => writeSessionTicket(x, t));
    })
    .finish();
}

export function decodeNewSessionTicket(message: Uint8Array): SessionTicket[] {
  const r = openMessage(message, HandshakeType.newSessionTicket, 'NewSessionTicket');
  return decoding('NewSessionTicket', () => {
    const count = r.u8('ticket count');
    const tickets: SessionTicket[] = [];
    for (let i = 0; i < count; i++) {
      const t = r.sub(r.u32('ticket length'), 'ticket');
      tickets.push(readSessionTicket(t));
      t.done('ticket');
    }
    r.done('NewSessionTicket');
    return tickets;
  });
}

/** The ticket as a client sends it back (spec §5.2): age_add emptied. */
export function ticketForOffer(t: SessionTicket): SessionTicket {
  return { ...t, ageAdd: new Uint8Array(0) };
}

export function sessionTicketBytes(t: SessionTicket): Uint8Array {
  const w = new ByteWriter();
  writeSessionTicket(w, t);
  return w.finish();
}

export function parseSessionTicket(bytes: Uint8Array): SessionTicket {
  return decoding('SessionTicket', () => {
    const r = new ByteReader(bytes);
    const t = readSessionTicket(r);
    r.done('SessionTicket');
    return t;
  });
}
