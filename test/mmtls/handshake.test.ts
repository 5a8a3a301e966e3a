import { describe, expect, it } from 'vitest';
import { MmtlsError } from '../../bindings/mmtls/errors.js';
import { forEachProvider } from '../helpers/providers.js';
import { makePair, pump, serverSetup } from './pair.js';

const text = (s: string) => new TextEncoder().encode(s);

forEachProvider((provider) => {
  describe('mmtls handshakes in memory', () => {
    it('1-RTT ECDHE, then data both ways, then 1-RTT PSK and 0-RTT PSK with the tickets it issued', async () => {
      const setup = serverSetup(provider);
      const { client, server, tickets } = makePair(provider, setup);
      client.conn.start('1rtt-ecdhe');
      await pump(client, server);
      expect(client.conn.mode).toBe('1rtt-ecdhe');
      expect(server.conn.mode).toBe('1rtt-ecdhe');
      client.conn.sendApplicationData(text('ping'));
      await pump(client, server);
      expect(server.data).toEqual([text('ping')]);
      server.conn.sendApplicationData(text('pong'));
      await pump(client, server);
      expect(client.data).toEqual([text('pong')]);
      expect(tickets.access).toBeDefined();
      expect(tickets.refresh).toBeDefined();

      const psk = makePair(provider, setup, tickets);
      psk.client.conn.start('1rtt-psk');
      await pump(psk.client, psk.server);
      expect(psk.server.conn.mode).toBe('1rtt-psk');
      expect(psk.client.conn.mode).toBe('1rtt-psk');

      const early = makePair(provider, setup, tickets);
      early.client.conn.start('0rtt-psk');
      early.client.conn.sendApplicationData(text('early'));
      early.client.conn.sendEnd();
      await pump(early.client, early.server);
      expect(early.server.conn.mode).toBe('0rtt-psk');
      expect(early.server.data).toEqual([text('early')]);
      expect(early.server.ended).toBe(1);
      early.server.conn.sendApplicationData(text('late'));
      early.server.conn.sendEnd();
      await pump(early.client, early.server);
      expect(early.client.conn.mode).toBe('0rtt-psk');
      expect(early.client.data).toEqual([text('late')]);
      expect(early.client.ended).toBe(1);
    });

    it('0-RTT ECDH-ECDHE: early data under the static secret, the answer and all later traffic under the ephemeral one', async () => {
      const setup = serverSetup(provider);
      const { client, server, tickets } = makePair(provider, setup);
      client.conn.start('0rtt-ecdhe');
      client.conn.sendApplicationData(text('early 1'));
      client.conn.sendApplicationData(text('early 2'));
      const firstFlight = client.conn.takeOutput();
      for (const r of server.splitter.push(firstFlight)) await server.conn.receive(r);
      expect(server.conn.mode).toBe('0rtt-ecdhe');
      expect(server.data).toEqual([text('early 1'), text('early 2')]);
      server.conn.sendApplicationData(text('answer'));
      await pump(client, server);
      expect(client.conn.mode).toBe('0rtt-ecdhe');
      expect(client.data).toEqual([text('answer')]);
      expect(tickets.access).toBeDefined(); // the ECDHE flight issues tickets as 1-RTT does
      client.conn.sendApplicationData(text('after finished'));
      await pump(client, server);
      expect(server.data.at(-1)).toEqual(text('after finished'));
      server.conn.sendApplicationData(text('still'));
      await pump(client, server);
      expect(client.data.at(-1)).toEqual(text('still'));
    });

    it('0-RTT ECDH-ECDHE against the wrong server key: the server cannot read the early data (bad_record_mac)', async () => {
      const setup = serverSetup(provider);
      const other = serverSetup(provider);
      const { client } = makePair(provider, other);
      const { server } = makePair(provider, setup);
      client.conn.start('0rtt-ecdhe');
      await expect(pump(client, server)).rejects.toMatchObject({ alert: 'bad_record_mac' });
    });

    it('0-RTT: a hello held back until the window has passed is refused when the rest arrives (stale_timestamp)', async () => {
      const setup = serverSetup(provider);
      const first = makePair(provider, setup);
      first.client.conn.start('1rtt-ecdhe');
      await pump(first.client, first.server);
      const { client, server } = makePair(provider, setup, first.tickets);
      client.conn.start('0rtt-psk');
      client.conn.sendApplicationData(text('pay once'));
      const [hello, ...rest] = server.splitter.push(client.conn.takeOutput());
      await server.conn.receive(hello!);
      setup.clock += 31_000; // past the 30 s window: a claim made now could outlive the first one
      await expect(server.conn.receive(rest[0]!)).rejects.toMatchObject({ alert: 'stale_timestamp' });
      expect(server.data).toEqual([]);
    });

    it('an overloaded server answers an ECDHE offer that carries a refresh ticket with PSK, and refuses one without', async () => {
      const setup = serverSetup(provider);
      const first = makePair(provider, setup);
      first.client.conn.start('1rtt-ecdhe');
      await pump(first.client, first.server);
      setup.overloaded = true;
      const degraded = makePair(provider, setup, first.tickets);
      degraded.client.conn.start('1rtt-ecdhe', { offerPsk: true });
      await pump(degraded.client, degraded.server);
      expect(degraded.client.conn.mode).toBe('1rtt-psk');
      const refused = makePair(provider, setup);
      refused.client.conn.start('1rtt-ecdhe');
      await expect(pump(refused.client, refused.server)).rejects.toMatchObject({ alert: 'overloaded' });
    });
  });
});
