// The contact-request handshake run over a stream (weshnet internal/handshake request.go /
// response.go, contact_request_manager.go): the requester's five-step exchange, then its
// ShareableContact in the clear, which the responder accepts only if its pk is the account the
// handshake authenticated. Either side ends with the peer's account key or with a WeshError; the
// ephemeral keys are wiped on every exit, and the stream is closed on failure. Nothing is stored
// here: a caller records a contact only when its side resolved.

import { create, toBinary } from '@bufbuild/protobuf';
import type { CryptoProvider } from '../../provider/types.js';
import { WeshError } from '../errors.js';
import { decode } from '../proto/codec.js';
import { ShareableContactSchema } from '../proto/gen/protocoltypes_pb.js';
import { peerKey } from '../crypto/keys.js';
import type { FrameStream } from './frame-stream.js';
import { MAX_FRAME, frame, unframe } from './framing.js';
import * as m from './messages.js';

/** weshnet's libp2p protocol id for the handshake stream. */
export const CONTACT_REQUEST_PROTOCOL = '/wesh/contact_req/1.0.0';

export interface ShareableContact {
  readonly publicKey: Uint8Array;
  readonly rendezvousSeed: Uint8Array;
  readonly metadata: Uint8Array;
}

export interface RequestOptions {
  readonly ourAccountSecret: Uint8Array;
  readonly theirAccountPublic: Uint8Array;
  /** What we tell the responder about ourselves (pk must be our account key). */
  readonly ourContact: ShareableContact;
}

/** Runs the requester's side; resolves when the responder has accepted and our contact is sent. */
export async function requestContact(provider: CryptoProvider, stream: FrameStream, options: RequestOptions): Promise<void> {
  const eph = provider.dh('X25519').generateKeyPair();
  try {
    await stream.write(m.requesterHello(eph.publicKey));
    const responderEphemeralPublic = m.verifyResponderHello(await stream.read());
    await stream.write(m.requesterAuthenticate(provider, {
      requesterAccountSecret: options.ourAccountSecret, requesterEphemeralSecret: eph.secretKey,
      responderEphemeralPublic, responderAccountPublic: options.theirAccountPublic,
    }));
    m.verifyResponderAccept(provider, {
      requesterAccountSecret: options.ourAccountSecret, requesterEphemeralSecret: eph.secretKey,
      responderEphemeralPublic, responderAccountPublic: options.theirAccountPublic, message: await stream.read(),
    });
    await stream.write(m.requesterAcknowledge());
    const c = options.ourContact;
    await stream.write(frame(toBinary(ShareableContactSchema, create(ShareableContactSchema, { pk: c.publicKey, publicRendezvousSeed: c.rendezvousSeed, metadata: c.metadata }))));
  } catch (err) {
    stream.close();
    throw err;
  } finally {
    eph.secretKey.fill(0);
  }
}

/** Runs the responder's side; resolves with the requester's account key and contact. */
export async function respondContact(provider: CryptoProvider, stream: FrameStream, ourAccountSecret: Uint8Array): Promise<ShareableContact> {
  const eph = provider.dh('X25519').generateKeyPair();
  try {
    const requesterEphemeralPublic = m.verifyRequesterHello(await stream.read());
    await stream.write(m.responderHello(eph.publicKey));
    const requester = m.verifyRequesterAuthenticate(provider, {
      responderAccountSecret: ourAccountSecret, responderEphemeralSecret: eph.secretKey, requesterEphemeralPublic, message: await stream.read(),
    });
    await stream.write(m.responderAccept(provider, {
      responderAccountSecret: ourAccountSecret, responderEphemeralSecret: eph.secretKey, requesterEphemeralPublic, requesterAccountPublic: requester,
    }));
    m.verifyRequesterAcknowledge(await stream.read());
    const c = decode(ShareableContactSchema, unframe(await stream.read()), MAX_FRAME);
    const publicKey = peerKey(c.pk, 'ShareableContact.pk');
    if (!publicKey.every((b, i) => b === requester[i])) throw new WeshError('unexpected-message', 'the contact sent is not the account the handshake authenticated');
    return { publicKey, rendezvousSeed: c.publicRendezvousSeed, metadata: c.metadata };
  } catch (err) {
    stream.close();
    throw err;
  } finally {
    eph.secretKey.fill(0);
  }
}
