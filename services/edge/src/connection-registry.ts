import { CloseCode, ErrorCode, GoAwayReason, encodeServerFrame } from '@fanout/protocol';
import type { Logger } from 'pino';
import type { WebSocket } from 'uWebSockets.js';
import type { EdgeConfig } from './config.js';
import { Connection, type ConnectionObserver, type SocketData } from './connection.js';
import type { LiveDelivery } from './live-delivery.js';
import type { EdgeMetrics } from './metrics.js';

const PING_FRAME = encodeServerFrame({ kind: 'ping', ping: {} });
/** How often hello and token deadlines, stuck and lagging clients are checked. */
const MAINTENANCE_MS = 250;

/** Options of {@link ConnectionRegistry}. */
export interface ConnectionRegistryOptions {
  config: Pick<EdgeConfig, 'nodeId' | 'compression' | 'heartbeat' | 'helloTimeoutMs' | 'goAwayReconnectMs'>;
  logger: Logger;
  live: LiveDelivery;
  /** Counts what connections send (errors, drops). */
  metrics: Pick<EdgeMetrics, 'errorSent' | 'controlDropped' | 'slowClient'>;
}

/**
 * The open connections and their clocks: the heartbeat (a Ping each
 * interval, a close after interval + timeout of silence), the Hello
 * deadline, token expiry, and the slow-client timer (live delivery's
 * periodic sweep, run here, outside any Kafka callback).
 *
 * State and its one writer (this module): `conns`, the connection counter
 * (ids), the timers. A `Connection`'s own fields are written by the session
 * handlers (hello, subscriptions), live delivery (live topics, lagging) and
 * the catch-up, as each module's comment says.
 */
export class ConnectionRegistry {
  readonly #conns = new Set<Connection>();
  readonly #o: ConnectionRegistryOptions;
  readonly #observer: ConnectionObserver;
  #counter = 0;
  #heartbeat: NodeJS.Timeout | undefined;
  #maintenance: NodeJS.Timeout | undefined;

  constructor(options: ConnectionRegistryOptions) {
    this.#o = options;
    const { metrics } = options;
    this.#observer = {
      errorSent: (code) => metrics.errorSent(code),
      controlDropped: (kind) => metrics.controlDropped(kind),
      publicationDropped: () => metrics.slowClient('closed'),
    };
  }

  /** The open connections (read only: `open` and `closed` write it). */
  get conns(): ReadonlySet<Connection> {
    return this.#conns;
  }

  get size(): number {
    return this.#conns.size;
  }

  /** A socket opened (uWS open handler). */
  open(ws: WebSocket<SocketData>): Connection {
    const { config } = this.#o;
    const id = `${config.nodeId}-${++this.#counter}`;
    const conn = new Connection(ws, id, this.#o.logger, Date.now(), this.#observer, config.compression);
    this.#conns.add(conn);
    return conn;
  }

  /** A socket closed (uWS close handler). */
  closed(conn: Connection): void {
    this.#conns.delete(conn);
  }

  /** Subscriptions of every open connection, by channel kind (scraped, never on the hot path). */
  countSubscriptions(): { topic: number; key: number } {
    const n = { topic: 0, key: 0 };
    for (const conn of this.#conns)
      for (const sub of conn.subs.values()) n[sub.channel.key === null ? 'topic' : 'key']++;
    return n;
  }

  /** Starts the heartbeat and maintenance timers. */
  start(): void {
    const { heartbeat, helloTimeoutMs } = this.#o.config;
    // Pings are spread over the interval, a slice of the connections per tick
    // (each still pinged once per interval): one burst of 10k socket writes
    // held the event loop for hundreds of ms, and every record that arrived
    // meanwhile waited (the latency tail at 10k connections).
    const tickMs = Math.min(100, heartbeat.intervalMs);
    let cursor = this.#conns.values();
    let budget = 0;
    this.#heartbeat = setInterval(() => {
      const now = Date.now();
      const deadline = heartbeat.intervalMs + heartbeat.timeoutMs;
      const conns = this.#conns;
      // A fractional budget carried over: with few connections a tick may
      // ping none, so each is still pinged once per interval, not per tick.
      budget = Math.min(conns.size, budget + (conns.size * tickMs) / heartbeat.intervalMs);
      let slice = Math.floor(budget);
      budget -= slice;
      while (slice-- > 0) {
        let next = cursor.next();
        if (next.done) {
          cursor = conns.values();
          next = cursor.next();
          if (next.done) break;
        }
        const conn = next.value;
        if (now - conn.lastSeenAt > deadline) {
          conn.close(CloseCode.HEARTBEAT_TIMEOUT, 'heartbeat timeout');
          continue;
        }
        conn.sendControl('ping', PING_FRAME);
      }
    }, tickMs);
    this.#maintenance = setInterval(() => {
      const now = Date.now();
      this.#o.live.maintain(this.#conns, now);
      for (const conn of this.#conns) {
        if (conn.helloState === 'none' && now - conn.openedAt > helloTimeoutMs) {
          conn.error(ErrorCode.HELLO_REQUIRED, 'no Hello in time');
          conn.close(CloseCode.PROTOCOL_ERROR, 'hello timeout');
        } else if (conn.expiresAtMs !== undefined && now >= conn.expiresAtMs) {
          conn.error(ErrorCode.TOKEN_EXPIRED, 'token expired');
          conn.close(CloseCode.TOKEN_EXPIRED, 'token expired');
        }
      }
    }, MAINTENANCE_MS);
  }

  /** Stops the timers, sends GoAway to every connection and closes it (4000). */
  stop(reason: string): void {
    clearInterval(this.#heartbeat);
    clearInterval(this.#maintenance);
    const goAway = encodeServerFrame({
      kind: 'goAway',
      goAway: {
        reason: GoAwayReason.SHUTDOWN,
        reconnectAfterMs: this.#o.config.goAwayReconnectMs,
        message: reason,
      },
    });
    for (const conn of [...this.#conns]) {
      conn.sendControl('goAway', goAway);
      conn.close(CloseCode.SHUTDOWN, 'edge shutting down');
    }
  }
}
