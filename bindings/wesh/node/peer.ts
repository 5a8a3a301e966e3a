// The network Wesh runs on: a js-libp2p node (TCP, Noise, Yamux, identify), as weshnet runs on
// go-libp2p. Peers find each other by explicit dialling (addresses exchanged out of band, or later
// rendezvous announcements) — never through public bootstrap nodes or a DHT: nothing here dials
// anything the application did not name. libp2p and its modules are optional peer dependencies of
// 'wirecrypt/wesh', imported when the first peer is created.

import type { Libp2p } from 'libp2p';

export interface PeerOptions {
  /** Multiaddrs to listen on (default: an ephemeral TCP port on 127.0.0.1). */
  readonly listen?: readonly string[];
}

/** Node 20 lacks Promise.withResolvers, which libp2p's queues call (../shared/specs/wesh.md §16). */
function polyfill(): void {
  const P = Promise as unknown as { withResolvers?: () => unknown };
  if (typeof P.withResolvers === 'function') return;
  P.withResolvers = function withResolvers<T>() {
    let resolve!: (v: T) => void, reject!: (e: unknown) => void;
    const promise = new Promise<T>((a, b) => ((resolve = a), (reject = b)));
    return { promise, resolve, reject };
  };
}

export async function createPeer(options: PeerOptions = {}): Promise<Libp2p> {
  polyfill();
  const [{ createLibp2p }, { tcp }, { noise }, { yamux }, { identify }] = await Promise.all([
    import('libp2p'), import('@libp2p/tcp'), import('@chainsafe/libp2p-noise'), import('@chainsafe/libp2p-yamux'), import('@libp2p/identify'),
  ]);
  return createLibp2p({
    addresses: { listen: [...(options.listen ?? ['/ip4/127.0.0.1/tcp/0'])] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() },
  }) as unknown as Promise<Libp2p>;
}
