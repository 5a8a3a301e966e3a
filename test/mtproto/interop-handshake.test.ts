// Interop, auth-key creation (spec §5, §6, §9): GramJS's and mtcute's own handshake code, over their
// own sockets and transports, against our ServerHandshake behind a loopback harness that uses our
// transport detection, codecs and plain-message helpers (test/helpers/mtproto-peers.ts). Both sides
// must end with the same 256-byte key; the key, its id and the first salt are also recomputed here
// with node:crypto, independently of bindings/.
//
// Paths: GramJS × {full, abridged, obfuscated(abridged)} with its legacy p_q_inner_data (no dc);
// mtcute × {intermediate, padded, obfuscated(intermediate)} with p_q_inner_data_dc (permanent key)
// and p_q_inner_data_temp_dc (temporary key, PFS). Every randomness source is seeded, so each run
// performs the same handshakes.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CryptoProvider } from '../../bindings/index.js';
import type { AuthKeyResult } from '../../bindings/mtproto/auth/index.js';
import {
  GRAMJS_TRANSPORTS, type GramjsTransport, type HandshakeOutcome, type HandshakeServer, MTCUTE_TRANSPORTS, type MtcuteTransport,
  TEST_RSA_PRIVATE_KEY, TEST_RSA_PUBLIC_KEY, gramjs, gramjsAuthenticate, gramjsInstallKey, mtcuteAuthorize, mtcuteCrypto, mtcuteInstallKey,
  seededRandom, startHandshakeServer, withGramjsRandom,
} from '../helpers/mtproto-peers.js';
import { forEachProvider } from '../helpers/providers.js';
import { toHex } from '../helpers/vectors.js';

const HOST = '127.0.0.1';

/** What our framing detection must report for each peer transport. */
const GRAMJS_SEEN: Record<GramjsTransport, Pick<HandshakeOutcome, 'transport' | 'inner'>> = {
  full: { transport: 'full', inner: undefined },
  abridged: { transport: 'abridged', inner: undefined },
  obfuscated: { transport: 'obfuscated', inner: 'abridged' },
};
const MTCUTE_SEEN: Record<MtcuteTransport, Pick<HandshakeOutcome, 'transport' | 'inner'>> = {
  intermediate: { transport: 'intermediate', inner: undefined },
  padded: { transport: 'padded', inner: undefined },
  obfuscated: { transport: 'obfuscated', inner: 'intermediate' },
};

/** The key checks both peers share, recomputed with node:crypto. */
function expectSameKey(peerKey: Uint8Array, result: AuthKeyResult): void {
  expect(result.authKey.length).toBe(256);
  expect(toHex(peerKey)).toBe(toHex(result.authKey));
  const sha = createHash('sha1').update(peerKey).digest();
  expect(toHex(result.authKeyId)).toBe(sha.subarray(12, 20).toString('hex'));
}

function finished(outcome: HandshakeOutcome): AuthKeyResult {
  if (outcome.error !== undefined) throw outcome.error;
  expect(outcome.result).toBeDefined();
  return outcome.result!;
}

forEachProvider((provider: CryptoProvider) => {
  describe(`third-party auth-key creation against ServerHandshake (${provider.name})`, () => {
    let server: HandshakeServer;
    beforeAll(async () => {
      gramjsInstallKey(TEST_RSA_PUBLIC_KEY);
      server = await startHandshakeServer(provider, {
        rsaPrivateKey: TEST_RSA_PRIVATE_KEY,
        random: (connection) => seededRandom(`interop-handshake/server/${connection}`),
      });
    });
    afterAll(async () => {
      await server?.close();
    });

    for (const transport of GRAMJS_TRANSPORTS) {
      it(`GramJS doAuthentication over ${transport}: same key on both sides`, async () => {
        const [client, outcome] = await Promise.all([
          withGramjsRandom(seededRandom(`interop-handshake/gramjs/${transport}`), () => gramjsAuthenticate({ host: HOST, port: server.port, transport })),
          server.next(),
        ]);
        const result = finished(outcome);
        expect({ transport: outcome.transport, inner: outcome.inner }).toEqual(GRAMJS_SEEN[transport]);
        expectSameKey(client.authKey, result);
        // GramJS sends the legacy p_q_inner_data: a permanent key with no dc.
        expect(result.temp).toBe(false);
        expect(result.dc).toBeUndefined();
        // server_time reached GramJS: its offset is ours (same clock) up to the second it straddled.
        expect(Math.abs(client.timeOffset)).toBeLessThanOrEqual(1);
      });
    }

    for (const transport of MTCUTE_TRANSPORTS) {
      for (const temp of [false, true]) {
        const kind = temp ? 'temporary (p_q_inner_data_temp_dc)' : 'permanent (p_q_inner_data_dc)';
        it(`mtcute doAuthorization over ${transport}, ${kind} key: same key and salt on both sides`, async () => {
          const crypto = await mtcuteCrypto(seededRandom(`interop-handshake/mtcute/${transport}/${temp}`));
          await mtcuteInstallKey(crypto, TEST_RSA_PUBLIC_KEY);
          const expiresIn = 3600;
          const started = Math.floor(Date.now() / 1000);
          const [client, outcome] = await Promise.all([
            mtcuteAuthorize({ host: HOST, port: server.port, transport, crypto, dcId: 2, ...(temp && { expiresIn }) }),
            server.next(),
          ]);
          const result = finished(outcome);
          expect({ transport: outcome.transport, inner: outcome.inner }).toEqual(MTCUTE_SEEN[transport]);
          expectSameKey(client.authKey, result);
          expect(client.serverSalt).toBe(result.serverSalt);
          expect(result.dc).toBe(2);
          expect(result.temp).toBe(temp);
          if (temp) {
            expect(result.expiresAt).toBeGreaterThanOrEqual(started + expiresIn);
            expect(result.expiresAt).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + expiresIn);
          } else {
            expect(result.expiresAt).toBeUndefined();
          }
        });
      }
    }

    // A quirk of both peers, not ours (spec §5.1 step 9: the key is g_ab left-padded to 256 bytes).
    // GramJS (`getByteArray(g_ab)`) and mtcute (`bigint.toBytes(g_ab)`, length 0) take the minimal
    // big-endian bytes, so when g_ab < 2^2040 (1 handshake in 256) their aux hash differs from the
    // server's and they refuse a correct dh_gen_ok (both retry with a new handshake in normal use).
    // The seeds were found by trying client seeds against this fixed server seed; the tests pin the
    // behaviour so that a change on either side shows.
    describe('g_ab with a leading zero byte', () => {
      let shortKeyServer: HandshakeServer;
      beforeAll(async () => {
        shortKeyServer = await startHandshakeServer(provider, {
          rsaPrivateKey: TEST_RSA_PRIVATE_KEY,
          random: () => seededRandom('interop-handshake/short-key/server'),
        });
      });
      afterAll(async () => {
        await shortKeyServer?.close();
      });

      it('GramJS stores the 255 bytes and refuses our dh_gen_ok ("invalid new nonce hash")', async () => {
        const setKey = gramjs.AuthKey.prototype.setKey;
        const keys: Uint8Array[] = [];
        gramjs.AuthKey.prototype.setKey = function (this: unknown, value: Buffer) {
          keys.push(Uint8Array.from(value));
          return setKey.call(this, value);
        };
        try {
          const [error, outcome] = await Promise.all([
            withGramjsRandom(seededRandom('interop-handshake/short-key/gramjs/75'), () => gramjsAuthenticate({ host: HOST, port: shortKeyServer.port, transport: 'full' }))
              .then(() => null, (e: Error) => e),
            shortKeyServer.next(),
          ]);
          const result = finished(outcome);
          expect(result.authKey.length).toBe(256);
          expect(result.authKey[0]).toBe(0);
          expect(keys.length).toBe(1);
          expect(toHex(keys[0]!)).toBe(toHex(result.authKey.subarray(1)));
          expect(error?.message).toMatch(/invalid new nonce hash/);
        } finally {
          gramjs.AuthKey.prototype.setKey = setKey;
        }
      });

      it('mtcute refuses our dh_gen_ok ("invalid nonce hash")', async () => {
        const crypto = await mtcuteCrypto(seededRandom('interop-handshake/short-key/mtcute/135'));
        await mtcuteInstallKey(crypto, TEST_RSA_PUBLIC_KEY);
        const [error, outcome] = await Promise.all([
          mtcuteAuthorize({ host: HOST, port: shortKeyServer.port, transport: 'intermediate', crypto }).then(() => null, (e: Error) => e),
          shortKeyServer.next(),
        ]);
        const result = finished(outcome);
        expect(result.authKey.length).toBe(256);
        expect(result.authKey[0]).toBe(0);
        expect(error?.message).toMatch(/invalid nonce hash/);
      });
    });
  });
});
