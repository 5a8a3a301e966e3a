// The contact-request handshake over real loopback TCP sockets: two accounts become contacts; a
// peer that stops at any step, a requester that addresses the wrong responder, a contact that is
// not the authenticated account and a silent peer each end both sides with a WeshError.
import { type AddressInfo, type Socket, createServer, connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CryptoProvider } from '../../bindings/provider/types.js';
import { WeshError, fromDuplex, requestContact, respondContact, weshCrypto } from '../../bindings/wesh/index.js';
import { forEachProvider } from '../helpers/providers.js';
import { codeOfAsync } from './wait.js';

let port = 0;
const pending: ((s: Socket) => void)[] = [];
const server = createServer((s) => pending.shift()?.(s));
beforeAll(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => ((port = (server.address() as AddressInfo).port), resolve()))));
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A connected pair of sockets: [client side, server side]. */
async function pair(): Promise<[Socket, Socket]> {
  const accepted = new Promise<Socket>((resolve) => pending.push(resolve));
  const client = connect(port, '127.0.0.1');
  await new Promise((resolve) => client.once('connect', resolve));
  return [client, await accepted];
}

forEachProvider((provider: CryptoProvider) => {
  const ed = provider.signature('Ed25519');
  const alice = ed.generateKeyPair(), bob = ed.generateKeyPair(), eve = ed.generateKeyPair();
  const seed = provider.randomBytes(32);
  const aliceContact = { publicKey: alice.publicKey, rendezvousSeed: seed, metadata: new TextEncoder().encode('alice') };

  it('two accounts become contacts; both derive the same contact group', async () => {
    const [c, s] = await pair();
    const [, got] = await Promise.all([
      requestContact(provider, fromDuplex(c), { ourAccountSecret: alice.secretKey, theirAccountPublic: bob.publicKey, ourContact: aliceContact }),
      respondContact(provider, fromDuplex(s), bob.secretKey),
    ]);
    expect(got.publicKey).toEqual(alice.publicKey);
    expect(got.rendezvousSeed).toEqual(seed);
    expect(new TextDecoder().decode(got.metadata)).toBe('alice');
    const wesh = weshCrypto(provider);
    expect(wesh.contactGroup(alice.secretKey, bob.publicKey).group).toEqual(wesh.contactGroup(bob.secretKey, got.publicKey).group);
    c.destroy();
    s.destroy();
  });

  it('a requester that addresses another responder key: refused at step 3, both sides fail', async () => {
    const [c, s] = await pair();
    const [r, q] = await Promise.all([
      codeOfAsync(requestContact(provider, fromDuplex(c), { ourAccountSecret: alice.secretKey, theirAccountPublic: eve.publicKey, ourContact: aliceContact })),
      codeOfAsync(respondContact(provider, fromDuplex(s), bob.secretKey)),
    ]);
    expect(q).toBe('authentication-failed');
    expect(r).toBe('stream-closed');
  });

  it('a contact that is not the authenticated account is refused', async () => {
    const [c, s] = await pair();
    const [r, q] = await Promise.all([
      codeOfAsync(requestContact(provider, fromDuplex(c), { ourAccountSecret: alice.secretKey, theirAccountPublic: bob.publicKey, ourContact: { ...aliceContact, publicKey: eve.publicKey } })),
      codeOfAsync(respondContact(provider, fromDuplex(s), bob.secretKey)),
    ]);
    expect(r).toBe('resolved');
    expect(q).toBe('unexpected-message');
  });

  describe('a peer that stops after k frames', () => {
    // the requester writes 4 frames (hello, authenticate, acknowledge, contact), the responder 2
    for (let k = 0; k < 4; k++) {
      it(`requester stops after ${k} frame(s): the responder fails with stream-closed`, async () => {
        const [c, s] = await pair();
        const responder = codeOfAsync(respondContact(provider, fromDuplex(s), bob.secretKey));
        const stream = fromDuplex(c);
        const wesh = weshCrypto(provider);
        const eph = provider.dh('X25519').generateKeyPair();
        if (k >= 1) await stream.write(wesh.handshake.requesterHello(eph.publicKey));
        if (k >= 2) {
          const bEph = wesh.handshake.verifyResponderHello(await stream.read());
          await stream.write(wesh.handshake.requesterAuthenticate({ requesterAccountSecret: alice.secretKey, requesterEphemeralSecret: eph.secretKey, responderEphemeralPublic: bEph, responderAccountPublic: bob.publicKey }));
        }
        if (k >= 3) {
          await stream.read();
          await stream.write(wesh.handshake.requesterAcknowledge());
        }
        stream.close();
        expect(await responder).toBe('stream-closed');
      });
    }
    for (let k = 0; k < 2; k++) {
      it(`responder stops after ${k} frame(s): the requester fails with stream-closed`, async () => {
        const [c, s] = await pair();
        const requester = codeOfAsync(requestContact(provider, fromDuplex(c), { ourAccountSecret: alice.secretKey, theirAccountPublic: bob.publicKey, ourContact: aliceContact }));
        const stream = fromDuplex(s);
        const wesh = weshCrypto(provider);
        const eph = provider.dh('X25519').generateKeyPair();
        await stream.read();
        if (k >= 1) {
          await stream.write(wesh.handshake.responderHello(eph.publicKey));
          await stream.read();
        }
        stream.close();
        expect(await requester).toBe('stream-closed');
      });
    }
  });

  it('a silent responder: the requester times out', async () => {
    const [c, s] = await pair();
    expect(await codeOfAsync(requestContact(provider, fromDuplex(c, 200), { ourAccountSecret: alice.secretKey, theirAccountPublic: bob.publicKey, ourContact: aliceContact }))).toBe('timeout');
    s.destroy();
  });

  it('a flood of bytes that is not a frame is cut off', async () => {
    const [c, s] = await pair();
    const responder = codeOfAsync(respondContact(provider, fromDuplex(s), bob.secretKey));
    c.write(Uint8Array.of(0xff, 0xff, 0xff));
    expect(await responder).toBe('invalid-frame');
    c.destroy();
  });
});
