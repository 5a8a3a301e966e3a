// The contact-request protocol over js-libp2p (TCP + Noise + Yamux) between two peers on 127.0.0.1,
// dialled explicitly: a completed handshake reports the requester to the responder; one addressed
// to the wrong account key reports an error to both and no contact.
import type { Libp2p } from 'libp2p';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { wasmProvider } from '../../bindings/provider/wasm.js';
import { WeshError } from '../../bindings/wesh/index.js';
import { handleContactRequests, sendContactRequest } from '../../bindings/wesh/node/contact-requests.js';
import { createPeer } from '../../bindings/wesh/node/peer.js';
import type { ShareableContact } from '../../bindings/wesh/handshake/session.js';

const ed = wasmProvider.signature('Ed25519');
const alice = ed.generateKeyPair(), bob = ed.generateKeyPair(), eve = ed.generateKeyPair();
let a: Libp2p, b: Libp2p;
const contacts: ShareableContact[] = [];
const errors: Error[] = [];

beforeAll(async () => {
  [a, b] = await Promise.all([createPeer(), createPeer()]);
  await handleContactRequests(b, wasmProvider, bob.secretKey, { onContact: (c) => void contacts.push(c), onError: (e) => void errors.push(e) });
});
afterAll(async () => {
  await Promise.all([a.stop(), b.stop()]);
});

async function settled(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

it('alice becomes bob\'s contact over libp2p', async () => {
  const seed = wasmProvider.randomBytes(32);
  expect(b.getMultiaddrs()[0].toString()).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//);
  await sendContactRequest(a, wasmProvider, b.getMultiaddrs()[0], { ourAccountSecret: alice.secretKey, theirAccountPublic: bob.publicKey, ourContact: { publicKey: alice.publicKey, rendezvousSeed: seed, metadata: new Uint8Array(0) } });
  await settled(() => contacts.length === 1);
  expect(errors.map(String)).toEqual([]);
  expect(contacts).toHaveLength(1);
  expect(contacts[0].publicKey).toEqual(alice.publicKey);
  expect(contacts[0].rendezvousSeed).toEqual(seed);
  expect(errors).toHaveLength(0);
});

it('a request addressed to another account key fails on both sides and adds no contact', async () => {
  const before = contacts.length;
  const failure = await sendContactRequest(a, wasmProvider, b.getMultiaddrs()[0], { ourAccountSecret: alice.secretKey, theirAccountPublic: eve.publicKey, ourContact: { publicKey: alice.publicKey, rendezvousSeed: new Uint8Array(32), metadata: new Uint8Array(0) } })
    .then(() => null, (e: unknown) => e);
  expect(failure).toBeInstanceOf(WeshError);
  await settled(() => errors.length === 1);
  expect((errors[0] as WeshError).code).toBe('authentication-failed');
  expect(contacts.length).toBe(before);
});
