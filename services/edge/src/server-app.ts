import { createHash } from 'node:crypto';
import { type FSWatcher, readFileSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';
import type {
  AppOptions,
  HttpRequest,
  HttpResponse,
  TemplatedApp,
  WebSocket,
  WebSocketBehavior,
  us_listen_socket,
} from 'uWebSockets.js';
import type { TlsConfig } from './config.js';
import { freePortOn } from './free-port.js';
import type { LoadedUws } from './uws.js';

/**
 * The edge's HTTP/WebSocket server: one uWS `App`, or with TLS an `SSLApp`
 * whose certificate can be reloaded without dropping a connection.
 *
 * uWS (this build, v20.30) cannot swap the certificate of a running SSLApp
 * (`addServerName` only adds SNI contexts, chosen by the hostname a client
 * sends, never for an IP address). A reload therefore builds a new SSLApp
 * from the files, registers the same routes, listens on the same port (uSockets
 * sets SO_REUSEPORT on every listen socket with a port) and closes the old
 * listen socket: new connections get the new certificate, connections of the
 * old app stay open on it until they close. `publish` reaches the sockets of
 * every app still holding connections.
 */
export interface EdgeApp {
  /** Whether this server speaks TLS (wss://, https://). */
  readonly tls: boolean;
  /** Certificate reloads that took effect. */
  readonly reloads: number;
  get(pattern: string, handler: (res: HttpResponse, req: HttpRequest) => void): EdgeApp;
  ws<T>(pattern: string, behavior: WebSocketBehavior<T>): EdgeApp;
  publish(topic: string | Uint8Array, message: Uint8Array, isBinary: boolean, compress: boolean): boolean;
  numSubscribers(topic: string): number;
  /** Listens; resolves with the port. */
  listen(host: string, port: number): Promise<number>;
  /**
   * Re-reads the TLS files and swaps the listen socket to an app serving them;
   * open connections stay. Resolves false (and logs why) when nothing changed
   * or the files are not a usable certificate and key: the old ones stay.
   */
  reload(reason: string): Promise<boolean>;
  /** Closes the listen socket and stops watching files; open connections stay. */
  closeListen(): void;
}

interface Generation {
  app: TemplatedApp;
  socket?: us_listen_socket;
  open: number;
  retired: boolean;
}

type Registration =
  | { kind: 'get'; pattern: string; handler: (res: HttpResponse, req: HttpRequest) => void }
  | { kind: 'ws'; pattern: string; behavior: WebSocketBehavior<unknown> };

/** What `createEdgeApp` needs. */
export interface EdgeAppOptions {
  uws: LoadedUws;
  tls?: TlsConfig;
  logger: Logger;
}

function appOptions(tls: TlsConfig): AppOptions {
  return {
    cert_file_name: tls.certFile,
    key_file_name: tls.keyFile,
    ...(tls.passphrase !== undefined ? { passphrase: tls.passphrase } : {}),
    ...(tls.caFile !== undefined ? { ca_file_name: tls.caFile } : {}),
  };
}

function filesDigest(tls: TlsConfig): string {
  const h = createHash('sha256');
  for (const f of [tls.certFile, tls.keyFile, tls.caFile]) {
    if (f === undefined) continue;
    try {
      h.update(readFileSync(f));
    } catch {
      h.update(`missing:${f}`);
    }
    h.update('\0');
  }
  return h.digest('hex');
}

/** Creates the edge's server app (plain, or TLS with reload on file change). */
export function createEdgeApp(o: EdgeAppOptions): EdgeApp {
  const uws = o.uws.uws;
  const tls = o.tls;
  const registrations: Registration[] = [];
  const generations = new Set<Generation>();
  let current: Generation;
  let listenAt: { host: string; port: number } | undefined;
  let digest = tls ? filesDigest(tls) : '';
  let reloads = 0;
  let reloading: Promise<boolean> = Promise.resolve(false);
  const watchers: FSWatcher[] = [];

  const build = (): Generation => {
    const app = tls ? uws.SSLApp(appOptions(tls)) : uws.App();
    const gen: Generation = { app, open: 0, retired: false };
    for (const r of registrations) apply(gen, r);
    return gen;
  };
  const drop = (gen: Generation) => {
    if (gen.retired && gen.open === 0 && gen !== current) generations.delete(gen);
  };
  const apply = (gen: Generation, r: Registration) => {
    if (r.kind === 'get') {
      gen.app.get(r.pattern, r.handler);
      return;
    }
    const b = r.behavior;
    gen.app.ws(r.pattern, {
      ...b,
      open: (ws: WebSocket<unknown>) => {
        gen.open++;
        b.open?.(ws);
      },
      close: (ws: WebSocket<unknown>, code: number, message: ArrayBuffer) => {
        gen.open--;
        b.close?.(ws, code, message);
        drop(gen);
      },
    });
  };
  const listenGen = (gen: Generation, host: string, port: number) =>
    new Promise<us_listen_socket>((resolve, reject) => {
      gen.app.listen(host, port, (socket) => {
        if (!socket) reject(new Error(`cannot listen on ${host}:${port}`));
        else resolve(socket);
      });
    });

  try {
    current = build();
  } catch (err) {
    throw new Error(
      `TLS: uWS could not load TLS_CERT_FILE ${tls?.certFile} / TLS_KEY_FILE ${tls?.keyFile} (missing, unreadable, a wrong passphrase, or not a matching certificate and key)`,
      { cause: err },
    );
  }
  generations.add(current);

  const doReload = async (reason: string): Promise<boolean> => {
    if (!tls || !listenAt) return false;
    const next = filesDigest(tls);
    if (next === digest) {
      o.logger.info({ reason }, 'TLS files unchanged; nothing to reload');
      return false;
    }
    let gen: Generation;
    try {
      gen = build();
    } catch (err) {
      o.logger.error(
        { err, reason, cert_file: tls.certFile, key_file: tls.keyFile },
        'TLS reload failed: the new files are not a usable certificate and key; keeping the old ones',
      );
      return false;
    }
    try {
      gen.socket = await listenGen(gen, listenAt.host, listenAt.port);
    } catch (err) {
      o.logger.error(
        { err, reason },
        'TLS reload failed: cannot listen a second socket; keeping the old one',
      );
      return false;
    }
    const old = current;
    current = gen;
    generations.add(gen);
    digest = next;
    old.retired = true;
    if (old.socket) uws.us_listen_socket_close(old.socket);
    old.socket = undefined;
    drop(old);
    reloads++;
    o.logger.info(
      { reason, reloads, connections_on_old_certificate: old.open },
      'TLS certificate reloaded; open connections kept',
    );
    return true;
  };

  let debounce: NodeJS.Timeout | undefined;
  const startWatching = () => {
    if (!tls?.watch) return;
    const dirs = new Map<string, Set<string>>();
    for (const f of [tls.certFile, tls.keyFile, tls.caFile]) {
      if (f === undefined) continue;
      const names = dirs.get(dirname(f)) ?? new Set<string>();
      names.add(basename(f));
      dirs.set(dirname(f), names);
    }
    // Watch the directories, not the files: editors and Kubernetes secret
    // mounts replace files (rename, symlink swap) rather than write them.
    for (const dir of dirs.keys()) {
      try {
        const w = watch(dir, { persistent: false }, () => {
          clearTimeout(debounce);
          debounce = setTimeout(() => {
            app.reload('file change').catch(() => undefined);
          }, 200);
          debounce.unref();
        });
        w.on('error', (err) => o.logger.warn({ err, dir }, 'TLS file watch failed; SIGHUP still reloads'));
        watchers.push(w);
      } catch (err) {
        o.logger.warn({ err, dir }, 'cannot watch the TLS files; SIGHUP still reloads');
      }
    }
  };

  const app: EdgeApp = {
    tls: tls !== undefined,
    get reloads() {
      return reloads;
    },
    get(pattern, handler) {
      const r: Registration = { kind: 'get', pattern, handler };
      registrations.push(r);
      apply(current, r);
      return app;
    },
    ws(pattern, behavior) {
      const r: Registration = { kind: 'ws', pattern, behavior: behavior as WebSocketBehavior<unknown> };
      registrations.push(r);
      apply(current, r);
      return app;
    },
    publish(topic, message, isBinary, compress) {
      if (generations.size === 1) return current.app.publish(topic, message, isBinary, compress);
      let any = false;
      for (const gen of generations) any = gen.app.publish(topic, message, isBinary, compress) || any;
      return any;
    },
    numSubscribers(topic) {
      if (generations.size === 1) return current.app.numSubscribers(topic);
      let n = 0;
      for (const gen of generations) n += gen.app.numSubscribers(topic);
      return n;
    },
    async listen(host, port) {
      const concrete = tls && port === 0 ? await freePortOn(host) : port;
      current.socket = await listenGen(current, host, concrete);
      const actual = uws.us_socket_local_port(current.socket);
      listenAt = { host, port: actual };
      startWatching();
      return actual;
    },
    reload(reason) {
      // One at a time: a SIGHUP during a file-change reload waits for it.
      const run = reloading.then(() => doReload(reason));
      reloading = run.catch(() => false);
      return run;
    },
    closeListen() {
      clearTimeout(debounce);
      for (const w of watchers.splice(0)) w.close();
      for (const gen of generations) {
        if (gen.socket) uws.us_listen_socket_close(gen.socket);
        gen.socket = undefined;
      }
    },
  };
  return app;
}
