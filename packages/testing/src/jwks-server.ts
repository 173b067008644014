import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local identity provider's JWKS endpoint, for tests: the key set can be swapped (rotation) and the server stopped (outage). */
export interface JwksServer {
  /** `http://127.0.0.1:<port>/.well-known/jwks.json`. */
  readonly url: string;
  /** GET requests served so far. */
  readonly requests: number;
  /** Serves this key set from now on. */
  setKeys(keys: object[]): void;
  /** Stops answering (connections are refused from now on). */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starts a JWKS server on a free loopback port serving `keys`. */
export async function startJwksServer(keys: object[]): Promise<JwksServer> {
  let body = JSON.stringify({ keys });
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    if (req.method !== 'GET' || !req.url?.startsWith('/.well-known/jwks.json')) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return stopped;
  };
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    get requests() {
      return requests;
    },
    setKeys(next) {
      body = JSON.stringify({ keys: next });
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
