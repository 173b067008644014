import { createServer } from 'node:net';

/**
 * A free TCP port on `host`, found by listening on port 0 and closing again.
 * uWS's own port 0 would listen without SO_REUSEPORT, which a TLS reload and
 * the edge workers sharing one port both need, so they pick a port first.
 */
export function freePortOn(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
