// The contact-request protocol on libp2p (weshnet contact_request_manager.go): the responder
// handles /wesh/contact_req/1.0.0 streams and runs the handshake on each; the requester dials the
// protocol on the responder's address. A contact is reported only when its side of the handshake
// completed; a failed one is reported as an error and leaves nothing.

import type { Libp2p } from 'libp2p';
import type { Multiaddr } from '@multiformats/multiaddr';
import type { CryptoProvider } from '../../provider/types.js';
import { CONTACT_REQUEST_PROTOCOL, type RequestOptions, type ShareableContact, requestContact, respondContact } from '../handshake/session.js';
import { type Libp2pStreamLike, fromLibp2pStream } from './libp2p-stream.js';

export interface ContactRequestHandler {
  onContact(contact: ShareableContact): void | Promise<void>;
  onError?(err: Error): void;
  readonly timeoutMs?: number;
}

export async function handleContactRequests(node: Libp2p, provider: CryptoProvider, ourAccountSecret: Uint8Array, handler: ContactRequestHandler): Promise<void> {
  await node.handle(CONTACT_REQUEST_PROTOCOL, ({ stream }) => {
    const frames = fromLibp2pStream(stream as unknown as Libp2pStreamLike, handler.timeoutMs);
    respondContact(provider, frames, ourAccountSecret)
      .then(async (contact) => {
        frames.close();
        await handler.onContact(contact);
      })
      .catch((err: Error) => handler.onError?.(err));
  });
}

export async function sendContactRequest(node: Libp2p, provider: CryptoProvider, address: Multiaddr, options: RequestOptions & { timeoutMs?: number }): Promise<void> {
  const stream = await node.dialProtocol(address, CONTACT_REQUEST_PROTOCOL);
  const frames = fromLibp2pStream(stream as unknown as Libp2pStreamLike, options.timeoutMs);
  await requestContact(provider, frames, options);
  frames.close();
}
