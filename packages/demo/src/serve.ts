/**
 * Serves the demo page: bundles src/main.ts with esbuild in memory (nothing is
 * written to the repository) and serves it with index.html over node:http.
 * Run directly (`npx tsx packages/demo/src/serve.ts [port]`) or through
 * `startDemoServer` (npm start, the browser test).
 */
import { readFile } from 'node:fs/promises';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Options of {@link startDemoServer}. */
export interface DemoServerOptions {
  /** Port to listen on; 0 picks a free one. When it is taken, a free one is used instead. Default 0. */
  port?: number;
  /** Address to listen on. Default 127.0.0.1. */
  host?: string;
}

/** A running demo server. */
export interface DemoServer {
  /** `http://<host>:<port>/`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Bundles the page's script (ESM, ES2020, with the SDK and the protobuf runtime), in memory. */
export async function bundleDemo(): Promise<Uint8Array> {
  const result = await build({
    entryPoints: [join(packageDir, 'src/main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    sourcemap: 'inline',
    write: false,
    logLevel: 'warning',
    // The SDK from its sources (the workspace's own condition), not its build.
    conditions: ['fanout-source'],
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('esbuild produced no output');
  return file.contents;
}

/** Bundles the page, then serves `/` (index.html) and `/main.js`. */
export async function startDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const host = options.host ?? '127.0.0.1';
  const [script, html] = await Promise.all([bundleDemo(), readFile(join(packageDir, 'index.html'))]);
  const routes = new Map<string, { type: string; body: Uint8Array }>([
    ['/', { type: 'text/html; charset=utf-8', body: html }],
    ['/index.html', { type: 'text/html; charset=utf-8', body: html }],
    ['/main.js', { type: 'text/javascript; charset=utf-8', body: script }],
  ]);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route = routes.get(path);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    } else {
      res.writeHead(200, {
        'content-type': route.type,
        'content-length': route.body.byteLength,
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : route.body);
    }
  });
  const port = await listen(server, options.port ?? 0, host).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE' && options.port) return listen(server, 0, host);
    throw err;
  });
  return {
    url: `http://${host}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const server = await startDemoServer({ port: Number(process.argv[2] ?? 8081) });
  process.stdout.write(`open ${server.url}?url=ws://127.0.0.1:8080\n`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
