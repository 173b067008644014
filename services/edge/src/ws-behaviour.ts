import { CloseCode } from '@fanout/protocol';
import type { Logger } from 'pino';
import type { WebSocketBehavior } from 'uWebSockets.js';
import type { Authenticator } from './auth.js';
import type { EdgeConfig } from './config.js';
import type { ConnectionRegistry } from './connection-registry.js';
import type { Connection, SocketData } from './connection.js';
import type { LiveDelivery } from './live-delivery.js';
import type { EdgeMetrics } from './metrics.js';
import type { Readiness } from './readiness.js';
import { type HandlerContext, handleMessage } from './session-handler.js';
import type { Sessions } from './sessions.js';
import type { SessionStore } from './store/session-store.js';
import type { TopicRegistry } from './topic-registry.js';
import type { LoadedUws } from './uws.js';

/**
 * Unsent bytes allowed to a connection that has not completed Hello (a
 * Welcome or an Error is all it can be owed), and past which a client that
 * sends pings without reading their pongs is closed: pongs never pile up.
 */
export const PRE_HELLO_BUFFER_BYTES = 16 * 1024;

/** What the uWS behaviour wires together. */
export interface WsBehaviourDeps {
  uws: LoadedUws['uws'];
  config: EdgeConfig;
  logger: Logger;
  metrics: EdgeMetrics;
  auth: Authenticator;
  store: SessionStore;
  topics: TopicRegistry;
  sessions: Sessions;
  live: LiveDelivery;
  connections: ConnectionRegistry;
  readiness: Readiness;
}

/** The frame handlers' context, from the components. */
export function handlerContext(d: WsBehaviourDeps): HandlerContext {
  const { config, auth, metrics } = d;
  return {
    ...d.live.catchUp,
    wouldServe: (topic) => d.topics.wouldServe(topic),
    owners: d.sessions.owners,
    // With AUTH_MODE=insecure every client is the one subject 'anonymous': per-subject quotas would cap the whole edge.
    sessionQuota: auth.insecure
      ? { maxSessions: Number.MAX_SAFE_INTEGER, perSecond: Number.MAX_SAFE_INTEGER }
      : { maxSessions: config.sessions.maxPerSubject, perSecond: config.sessions.newPerSecond },
    auth,
    store: d.store,
    acks: d.sessions.acks,
    nodeId: config.nodeId,
    heartbeatIntervalMs: config.heartbeat.intervalMs,
    limits: config.limits,
    onSession: (outcome) => metrics.session(outcome),
  };
}

/**
 * The uWS behaviour of the WebSocket route: the upgrade (refused while
 * stopping, past the connection limit, or from an origin not allowed), and
 * the open, message, ping, drain and close handlers, each handing over to the
 * component that owns what it changes. Holds no state of its own.
 */
export function wsBehaviour(d: WsBehaviourDeps, ctx: HandlerContext): WebSocketBehavior<SocketData> {
  const { config, logger, metrics, live, connections } = d;
  const limits = config.slowClient;
  const allowed = config.allowedOrigins ? new Set(config.allowedOrigins) : undefined;
  /**
   * Closes a connection whose unsent bytes passed what it may hold: before
   * Hello a small bound; after it the slow-client limit (pongs on top of
   * live data must not grow it further). Returns whether it closed it.
   */
  const overBuffered = (conn: Connection): boolean => {
    const limit = conn.helloState === 'done' ? limits.bufferBytes : PRE_HELLO_BUFFER_BYTES;
    if (conn.closed || conn.bufferedAmount() <= limit) return false;
    conn.close(CloseCode.SLOW_CONSUMER, 'not reading');
    return true;
  };
  return {
    // The transport buffers a message (fragments included) up to this before
    // the edge sees it, on any connection, authenticated or not: it bounds
    // the memory a half-sent message holds. Between MAX_FRAME_BYTES and it,
    // the edge answers FRAME_TOO_LARGE; beyond, uWS drops the connection.
    maxPayloadLength: config.limits.maxFrameBytes * 2,
    maxBackpressure: config.slowClient.hardBytes,
    closeOnBackpressureLimit: 0,
    idleTimeout: 0,
    sendPingsAutomatically: false,
    compression: config.compression ? d.uws.SHARED_COMPRESSOR | d.uws.SHARED_DECOMPRESSOR : d.uws.DISABLED,
    upgrade: (res, req, context) => {
      const origin = req.getHeader('origin');
      const key = req.getHeader('sec-websocket-key');
      const protocol = req.getHeader('sec-websocket-protocol');
      const extensions = req.getHeader('sec-websocket-extensions');
      const remote = Buffer.from(res.getRemoteAddressAsText()).toString();
      if (d.readiness.stopping) {
        res.cork(() => res.writeStatus('503 Service Unavailable').end('shutting down'));
        return;
      }
      if (connections.size >= config.maxConnections) {
        res.cork(() => res.writeStatus('503 Service Unavailable').end('connection limit reached'));
        return;
      }
      if (allowed && origin && !allowed.has(origin)) {
        logger.warn({ origin, remote }, 'upgrade refused: origin not allowed');
        res.cork(() => res.writeStatus('403 Forbidden').end('origin not allowed'));
        return;
      }
      res.cork(() => res.upgrade<SocketData>({ origin, remote }, key, protocol, extensions, context));
    },
    open: (ws) => {
      const data = ws.getUserData();
      const conn = connections.open(ws);
      data.conn = conn;
      metrics.connectionOpened();
      conn.log.info({ origin: data.origin, remote: data.remote }, 'connection opened');
    },
    message: (ws, message, isBinary) => {
      const conn = ws.getUserData().conn;
      if (!conn) return;
      // After Hello a lagging client is the slow-client logic's business (it may well ack meanwhile).
      if (conn.helloState !== 'done' && overBuffered(conn)) return;
      handleMessage(ctx, conn, message, isBinary);
    },
    // uWS answers WebSocket pings itself; a client that pings without reading piles pongs up.
    ping: (ws) => {
      const conn = ws.getUserData().conn;
      if (conn) overBuffered(conn);
    },
    drain: (ws) => {
      const conn = ws.getUserData().conn;
      if (conn) live.drained(conn);
    },
    close: (ws, code) => {
      const conn = ws.getUserData().conn;
      if (!conn) return;
      conn.closed = true;
      for (const sub of conn.subs.values()) sub.cancelled = true;
      conn.onDrain();
      connections.closed(conn);
      live.closed(conn);
      d.sessions.owners.closed(conn);
      metrics.connectionClosed(code, conn.closeReason !== undefined);
      conn.log.info(
        {
          code,
          reason: conn.closeReason ?? 'closed by client',
          by: conn.closeReason === undefined ? 'client' : 'edge',
          duration_ms: Date.now() - conn.openedAt,
          subscriptions: conn.subs.size,
        },
        'connection closed',
      );
    },
  };
}
