import { type Server, createServer } from 'node:http';
import type { Logger } from 'pino';

/** What the supervisor's admin port serves. */
export interface AdminServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The host's readiness: `ready` decides 200 or 503, the rest is the body. */
  readiness: () => Promise<{ ready: boolean } & Record<string, unknown>>;
  /** Every worker's metrics in one exposition; absent: /metrics is 404 (METRICS_ENABLED=false). */
  metrics: (() => Promise<{ contentType: string; body: string }>) | undefined;
  logger: Logger;
}

/** A listening admin server. */
export interface AdminServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The supervisor's HTTP server (node:http: a scrape a few times a minute is
 * no hot path): GET /healthz, /readyz and /metrics for the whole host.
 */
export function startAdminServer(o: AdminServerOptions): Promise<AdminServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const fail = (err: unknown) => {
      o.logger.error({ err, path }, 'admin request failed');
      if (!res.headersSent) res.writeHead(500).end();
    };
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    } else if (path === '/readyz') {
      o.readiness().then((r) => {
        res.writeHead(r.ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(r));
      }, fail);
    } else if (path === '/metrics' && o.metrics) {
      o.metrics().then(({ contentType, body }) => {
        res.writeHead(200, { 'content-type': contentType }).end(body);
      }, fail);
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err) =>
      reject(new Error(`admin port ${o.host}:${o.port}: ${err.message}`, { cause: err })),
    );
    server.listen(o.port, o.host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : o.port;
      resolve({
        port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
