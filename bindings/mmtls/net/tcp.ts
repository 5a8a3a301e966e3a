// A TCP connection for the clients (Node only). node:net is imported when the first connection is
// made, not when the module loads: 'wirecrypt' carries mmtls as a namespace, and most of its users
// never open a socket.

import type { Socket } from 'node:net';

export async function connectTcp(host: string, port: number): Promise<Socket> {
  const { connect } = await import('node:net');
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}
