// Tickets (docs/mmtls.md §5): sealed under the epoch's ticket key, opened under any live epoch's key
// (so rotation does not break tickets), refused once expired, retired, altered or of the wrong type.
import { describe, expect, it } from 'vitest';
import { ACCESS_LIFETIME, REFRESH_LIFETIME, TicketType } from '../../bindings/mmtls/handshake/session-ticket.js';
import { openTicket, sealTicket } from '../../bindings/mmtls/ticket/ticket-codec.js';
import { MemoryTicketKeys } from '../../bindings/mmtls/ticket/ticket-keys.js';
import { forEachProvider } from '../helpers/providers.js';

const DAY = 86400;
const T0 = 1_900_000_000;

forEachProvider((provider) => {
  describe('mmtls tickets', () => {
    const issue = async (keys: MemoryTicketKeys, type: 1 | 2, lifetime: number, now = T0) => {
      const psk = provider.randomBytes(32);
      const ticket = await sealTicket(provider, keys, { type, psk: psk.slice(), expires: now + lifetime }, lifetime, new Uint8Array(0), now);
      return { psk, ticket };
    };

    it('opens across key rotations for its whole lifetime, then ticket_expired', async () => {
      const keys = new MemoryTicketKeys(provider, { rotationSeconds: DAY });
      const { psk, ticket } = await issue(keys, TicketType.refresh, REFRESH_LIFETIME);
      await keys.current(T0 + 10 * DAY); // later epochs have their own keys
      for (const at of [T0, T0 + DAY, T0 + 10 * DAY, T0 + REFRESH_LIFETIME - 1]) {
        expect((await openTicket(provider, keys, ticket, TicketType.refresh, at)).psk).toEqual(psk);
      }
      await expect(openTicket(provider, keys, ticket, TicketType.refresh, T0 + REFRESH_LIFETIME)).rejects.toMatchObject({ alert: 'ticket_expired' });
    });

    it('an access ticket expires after 7 days; its key is retired after 31 days (ticket_invalid)', async () => {
      const keys = new MemoryTicketKeys(provider, { rotationSeconds: DAY });
      const { ticket } = await issue(keys, TicketType.access, ACCESS_LIFETIME);
      await expect(openTicket(provider, keys, ticket, TicketType.access, T0 + ACCESS_LIFETIME)).rejects.toMatchObject({ alert: 'ticket_expired' });
      await keys.current(T0 + 40 * DAY); // prunes retired keys
      await expect(openTicket(provider, keys, ticket, TicketType.access, T0 + 40 * DAY)).rejects.toMatchObject({ alert: 'ticket_invalid' });
    });

    it('refuses the wrong type, another server\'s keys and every altered byte with ticket_invalid', async () => {
      const keys = new MemoryTicketKeys(provider);
      const { ticket } = await issue(keys, TicketType.access, ACCESS_LIFETIME);
      await expect(openTicket(provider, keys, ticket, TicketType.refresh, T0)).rejects.toMatchObject({ alert: 'ticket_invalid' });
      await expect(openTicket(provider, keys, { ...ticket, type: TicketType.refresh }, TicketType.refresh, T0)).rejects.toMatchObject({ alert: 'ticket_invalid' });
      await expect(openTicket(provider, new MemoryTicketKeys(provider), ticket, TicketType.access, T0)).rejects.toMatchObject({ alert: 'ticket_invalid' });
      for (let i = 0; i < ticket.ticket.length; i++) {
        const altered = ticket.ticket.slice();
        altered[i]! ^= 0x01;
        await expect(openTicket(provider, keys, { ...ticket, ticket: altered }, TicketType.access, T0)).rejects.toMatchObject({ alert: 'ticket_invalid' });
      }
      const nonce = ticket.nonce.slice();
      nonce[0]! ^= 0x80;
      await expect(openTicket(provider, keys, { ...ticket, nonce }, TicketType.access, T0)).rejects.toMatchObject({ alert: 'ticket_invalid' });
    });

    it('the two servers of a rotation agree: a ticket sealed before the epoch changes opens after it', async () => {
      const keys = new MemoryTicketKeys(provider, { rotationSeconds: 60 });
      const { psk, ticket } = await issue(keys, TicketType.access, ACCESS_LIFETIME, T0 - (T0 % 60) + 59);
      const next = await keys.current(T0 - (T0 % 60) + 60);
      expect(next.id).toBe(Math.floor(T0 / 60) + 1);
      expect((await openTicket(provider, keys, ticket, TicketType.access, T0 - (T0 % 60) + 61)).psk).toEqual(psk);
    });
  });
});
