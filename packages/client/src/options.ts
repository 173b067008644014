import type { BackoffOptions } from './backoff.js';
import { FanoutClientError } from './errors.js';
import { defaultStorage } from './storage.js';
import type { Clock, GlobalEvents, Logger, SessionStorage, WebSocketCtor } from './types.js';

/** Options of `createClient`. */
export interface ClientOptions {
  /** WebSocket URL(s) of the edges (`ws://` or `wss://`), tried round robin. Required. */
  endpoints: string | readonly string[];
  /** A static token (JWT) sent in Hello. Ignored when `getToken` is given. Default: none (insecure edges only). */
  token?: string;
  /** Called before each connection attempt and before the token expires (then sent with `Refresh`). Default: none. */
  getToken?: () => string | Promise<string>;
  /**
   * Where the session id and delivered positions persist so a reload resumes.
   * Default: `sessionStorage` in browsers (per tab: two tabs never share a
   * session), none in Node. `null` disables persistence. Node users: `fileStorage()`
   * from `@fanout/client/node`.
   */
  storage?: SessionStorage | null;
  /**
   * The WebSocket constructor. Default: `globalThis.WebSocket` (browsers,
   * Node >= 22); in Node 20 the package's Node entry loads `ws` (an optional
   * peer dependency) when it connects. Looked up when connecting, not when
   * the client is created, so a client can be created where there is none
   * (server-side rendering); connecting without one closes the client with
   * a `no_websocket` error.
   */
  WebSocket?: WebSocketCtor;
  /**
   * Connect at once (after loading the stored session). `false`: the client
   * stays `idle` until `connect()`; subscriptions made meanwhile are sent
   * then. Default true.
   */
  autoConnect?: boolean;
  /** Names this client's session in storage; clients with distinct names keep distinct sessions. Default `'default'`. */
  name?: string;
  /** Reconnect backoff bounds. Default `{ minMs: 500, maxMs: 20000 }`. */
  backoff?: BackoffOptions;
  /**
   * How long past the edge's heartbeat interval a silent connection is still
   * trusted. Default: max(interval / 2, 2000) ms.
   */
  heartbeatGraceMs?: number;
  /** A connection attempt with no Welcome after this long is abandoned. Default 10000 ms. */
  connectTimeoutMs?: number;
  /** Ack batching. Default `{ maxDelayMs: 100, maxBatch: 100 }`. */
  ack?: { maxDelayMs?: number; maxBatch?: number };
  /**
   * Records buffered per subscription (waiting for the handler, or paused by a
   * failure). Past it, records are dropped and fetched again from the edge
   * once the handler catches up. Default 10000.
   */
  maxBuffered?: number;
  /** Delivered positions are written to `storage` at most this often. Default 250 ms. */
  persistDelayMs?: number;
  /** Time source and timers. Default: `Date.now` and the global timers. */
  clock?: Clock;
  /** Random source in [0, 1) for jitter. Default `Math.random`. */
  random?: () => number;
  /** A pino-like logger. Default: none. */
  logger?: Logger;
  /** Source of `online`/`offline`/`pagehide` events. Default: `globalThis` when it has `addEventListener`; `null` disables. */
  globalEvents?: GlobalEvents | null;
}

/** Options with defaults applied. */
export interface ResolvedOptions {
  endpoints: readonly string[];
  token: string;
  getToken: (() => string | Promise<string>) | undefined;
  storage: SessionStorage | undefined;
  WebSocket: WebSocketCtor | undefined;
  /** The entry's fallback when neither the option nor a global WebSocket exists. */
  loadWebSocket: (() => Promise<WebSocketCtor>) | undefined;
  autoConnect: boolean;
  name: string;
  minMs: number;
  maxMs: number;
  heartbeatGraceMs: number | undefined;
  connectTimeoutMs: number;
  ackDelayMs: number;
  ackBatch: number;
  maxBuffered: number;
  persistDelayMs: number;
  clock: Clock;
  random: () => number;
  logger: Logger;
  globalEvents: GlobalEvents | undefined;
}

/** The default clock reads the global timers at call time, so fake timers apply. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

function defaultGlobalEvents(): GlobalEvents | undefined {
  const g = globalThis as Partial<GlobalEvents>;
  return typeof g.addEventListener === 'function' && typeof g.removeEventListener === 'function'
    ? (g as GlobalEvents)
    : undefined;
}

/** Applies defaults and validates; throws one `invalid_options` error naming every problem. */
export function resolveOptions(
  options: ClientOptions,
  loadWebSocket?: () => Promise<WebSocketCtor>,
): ResolvedOptions {
  const problems: string[] = [];
  const endpoints =
    typeof options.endpoints === 'string' ? [options.endpoints] : [...(options.endpoints ?? [])];
  if (endpoints.length === 0) problems.push('endpoints: at least one is required');
  for (const url of endpoints) {
    if (!/^wss?:\/\/./i.test(url))
      problems.push(`endpoints: ${JSON.stringify(url)} is not a ws:// or wss:// URL`);
  }
  if (options.WebSocket !== undefined && typeof options.WebSocket !== 'function')
    problems.push('WebSocket: must be a WebSocket constructor');
  if (options.autoConnect !== undefined && typeof options.autoConnect !== 'boolean')
    problems.push('autoConnect: must be a boolean');
  const number = (name: string, value: number | undefined, fallback: number, min: number): number => {
    if (value === undefined) return fallback;
    if (!Number.isFinite(value) || value < min) problems.push(`${name}: must be a number >= ${min}`);
    return value;
  };
  const minMs = number('backoff.minMs', options.backoff?.minMs, 500, 0);
  const maxMs = number('backoff.maxMs', options.backoff?.maxMs, 20_000, 0);
  if (maxMs < minMs) problems.push('backoff.maxMs: must be >= backoff.minMs');
  const resolved: ResolvedOptions = {
    endpoints,
    token: options.token ?? '',
    getToken: options.getToken,
    storage: options.storage === null ? undefined : (options.storage ?? defaultStorage()),
    WebSocket: options.WebSocket,
    loadWebSocket,
    autoConnect: options.autoConnect ?? true,
    name: options.name ?? 'default',
    minMs,
    maxMs,
    heartbeatGraceMs:
      options.heartbeatGraceMs === undefined
        ? undefined
        : number('heartbeatGraceMs', options.heartbeatGraceMs, 0, 0),
    connectTimeoutMs: number('connectTimeoutMs', options.connectTimeoutMs, 10_000, 1),
    ackDelayMs: number('ack.maxDelayMs', options.ack?.maxDelayMs, 100, 0),
    ackBatch: number('ack.maxBatch', options.ack?.maxBatch, 100, 1),
    maxBuffered: number('maxBuffered', options.maxBuffered, 10_000, 1),
    persistDelayMs: number('persistDelayMs', options.persistDelayMs, 250, 0),
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    logger: options.logger ?? {},
    globalEvents: options.globalEvents === null ? undefined : (options.globalEvents ?? defaultGlobalEvents()),
  };
  if (problems.length > 0) {
    throw new FanoutClientError('invalid_options', `invalid client options: ${problems.join('; ')}`);
  }
  return resolved;
}
