import { WriteBehind, ackBatchSize } from '@fanout/core';
import { CloseCode, ErrorCode, GoAwayReason, encodeServerFrame } from '@fanout/protocol';
import type { Logger } from 'pino';
import type { HttpResponse } from 'uWebSockets.js';
import { type Authenticator, createAuthenticator } from './auth.js';
import type { EdgeConfig } from './config.js';
import { COMPRESS_MIN_BYTES, Connection, type SocketData } from './connection.js';
import { type FlowLimits, closeStuck, onDrained, sweepSlowClients } from './flow-control.js';
import type { KafkaLog } from './kafka/kafka-log.js';
import { createKafkaReader } from './kafka/kafka-reader.js';
import { EdgeMetrics } from './metrics.js';
import { type EdgeApp, createEdgeApp } from './server-app.js';
import { type HandlerContext, handleMessage, updateLiveTopics } from './session-handler.js';
import { SessionOwners } from './session-owners.js';
import { STATUS_PAGE_HTML } from './status-page.js';
import { StatusSampler } from './status.js';
import { createMemoryStore } from './store/memory-store.js';
import { createRedisStore } from './store/redis-store.js';
import type { SessionStore } from './store/session-store.js';
import { TopicRegistry } from './topic-registry.js';
import { onLiveGap, onPartitionsAdded, onTopicRecreated } from './topology.js';
import type { LoadedUws } from './uws.js';

/** Sweep live connections for slow clients after this many bytes were published. */
const SWEEP_EVERY_BYTES = 256 * 1024;
const PING_FRAME = encodeServerFrame({ kind: 'ping', ping: {} });
/**
 * Unsent bytes allowed to a connection that has not completed Hello (a
 * Welcome or an Error is all it can be owed), and past which a client that
 * sends pings without reading their pongs is closed: pongs never pile up.
 */
export const PRE_HELLO_BUFFER_BYTES = 16 * 1024;

/** A running edge. */
export interface Edge {
  readonly port: number;
  readonly ready: boolean;
  /** The edge's metrics (its own registry). */
  readonly metrics: EdgeMetrics;
  /** Whether it serves wss:// (TLS_CERT_FILE). */
  readonly tls: boolean;
  /** Reloads the TLS certificate (SIGHUP); open connections stay. False: nothing changed or unusable files. */
  reloadTls(reason: string): Promise<boolean>;
  /** Graceful stop: readiness off, GoAway to everyone, acks flushed, Kafka closed. */
  stop(reason?: string): Promise<void>;
}

/** What `startEdge` needs besides the config (injected for tests). */
export interface EdgeDeps {
  uws: LoadedUws;
  logger: Logger;
  log?: KafkaLog;
  store?: SessionStore;
  auth?: Authenticator;
  /** Metrics to record into; a new registry by default. */
  metrics?: EdgeMetrics;
}

/** Starts an edge: Kafka ingest, the session store, the WebSocket and HTTP server. */
export async function startEdge(config: EdgeConfig, deps: EdgeDeps): Promise<Edge> {
  const logger = deps.logger;
  const uws = deps.uws.uws;
  const log =
    deps.log ??
    createKafkaReader({
      brokers: config.kafka.brokers,
      clientId: config.kafka.clientId,
      ...(config.kafka.tls ? { tls: config.kafka.tls } : {}),
      ...(config.kafka.sasl ? { sasl: config.kafka.sasl } : {}),
      maxWaitMs: config.kafka.fetchMaxWaitMs,
      partitionMaxBytes: config.fetchBytes,
      logger: logger.child({ component: 'kafka' }),
    });
  const store =
    deps.store ??
    (config.store.kind === 'redis'
      ? createRedisStore({
          ...('url' in config.store
            ? { url: config.store.url }
            : { clusterNodes: config.store.clusterNodes }),
          ttlSeconds: config.sessionTtlSeconds,
          logger: logger.child({ component: 'redis' }),
        })
      : createMemoryStore({ ttlSeconds: config.sessionTtlSeconds }));
  const auth =
    deps.auth ?? (await createAuthenticator(config.auth, { logger: logger.child({ component: 'auth' }) }));
  const metrics = deps.metrics ?? new EdgeMetrics();
  const startedAt = Date.now();
  if (auth.insecure)
    logger.warn(
      'AUTH_MODE=insecure: every client is accepted with access to every channel; never use this in production',
    );

  let stopped = false;
  let storeHealthy = true;
  let publishedSinceSweep = 0;
  const limits: FlowLimits = {
    softBytes: config.slowClient.bufferBytes,
    hardBytes: config.slowClient.hardBytes,
    stuckMs: config.slowClient.stuckMs,
  };
  const conns = new Set<Connection>();
  const liveConns = new Set<Connection>();

  const owners: { current?: SessionOwners } = {};
  const acks = new WriteBehind({
    write: metrics.timeAckWrite(async (batch) => {
      const { refused, retry } = await store.writeAcks(batch);
      if (refused.size > 0) owners.current?.refused(refused);
      // Sessions whose shard failed are retried; the others are written.
      for (const [key, channels] of retry)
        for (const [channel, partitions] of channels)
          for (const [p, offset] of partitions) acks.add(key, channel, p, offset);
    }, ackBatchSize),
    timers: {
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
    },
    maxPending: config.acks.maxPending,
    flushIntervalMs: config.acks.flushIntervalMs,
    onError: (err, failures) => {
      if (failures === 1 || failures % 20 === 0) logger.warn({ err, failures }, 'ack write failed; retrying');
    },
  });

  const server: { app?: EdgeApp } = {};
  const registry: TopicRegistry = new TopicRegistry({
    config,
    log,
    logger,
    metrics,
    ingest: {
      publisher: {
        publish: (t, frame) =>
          server.app?.publish(t, frame, true, config.compression && frame.length >= COMPRESS_MIN_BYTES),
        subscribers: (t) => server.app?.numSubscribers(t) ?? 0,
      },
      onFetched: (report) => metrics.ingested(report),
      onBatch: (bytes) => {
        publishedSinceSweep += bytes;
        if (publishedSinceSweep >= SWEEP_EVERY_BYTES) sweep();
      },
      onLiveGap: (ps, requested, available, reason) => onLiveGap(conns, ps, requested, available, reason),
      onHealth: (ps) => {
        if (!ps.health.ok) metrics.partitionUnreadable(ps.topic, ps.health.reason);
      },
    },
    listener: {
      partitionsAdded: (topic, added) => onPartitionsAdded(conns, topic, added),
      topicRecreated: (topic, previous) => onTopicRecreated(ctx, conns, topic, previous),
    },
  });
  const topics = registry.topics;

  const sessionOwners = new SessionOwners({
    store,
    acks,
    nodeId: config.nodeId,
    logger: logger.child({ component: 'sessions' }),
    releaseWaitMs: config.sessions.takeoverWaitMs,
    flushTimeoutMs: Math.max(100, config.sessions.takeoverWaitMs - 200),
  });
  owners.current = sessionOwners;
  const ctx: HandlerContext = {
    topics,
    wouldServe: (topic) => registry.wouldServe(topic),
    owners: sessionOwners,
    // With AUTH_MODE=insecure every client is the one subject 'anonymous': per-subject quotas would cap the whole edge.
    sessionQuota: auth.insecure
      ? { maxSessions: Number.MAX_SAFE_INTEGER, perSecond: Number.MAX_SAFE_INTEGER }
      : { maxSessions: config.sessions.maxPerSubject, perSecond: config.sessions.newPerSecond },
    softBytes: limits.softBytes,
    auth,
    store,
    acks,
    nodeId: config.nodeId,
    heartbeatIntervalMs: config.heartbeat.intervalMs,
    limits: config.limits,
    liveConns,
    updateLiveTopics: (conn) => updateLiveTopics(ctx, conn),
    onOutcome: (kind, records) =>
      metrics.resume(kind === 'continuity-lost' ? 'continuity_lost' : kind, records),
    onSession: (outcome) => metrics.session(outcome),
  };
  const onSlow = (event: 'lagging' | 'closed') => metrics.slowClient(event);
  const connObserver = { errorSent: (code: number) => metrics.errorSent(code) };

  const sweep = () => {
    publishedSinceSweep = 0;
    sweepSlowClients(ctx, limits, onSlow);
  };

  // --- the server ---
  const app = createEdgeApp({
    uws: deps.uws,
    ...(config.tls ? { tls: config.tls } : {}),
    logger: logger.child({ component: 'server' }),
  });
  server.app = app;
  let connectionCounter = 0;
  /**
   * Closes a connection whose unsent bytes passed what it may hold: before
   * Hello a small bound; after it the slow-client limit (pongs on top of
   * live data must not grow it further). Returns whether it closed it.
   */
  const overBuffered = (conn: Connection): boolean => {
    const limit = conn.helloState === 'done' ? limits.softBytes : PRE_HELLO_BUFFER_BYTES;
    if (conn.closed || conn.bufferedAmount() <= limit) return false;
    conn.close(CloseCode.SLOW_CONSUMER, 'not reading');
    return true;
  };
  const allowed = config.allowedOrigins ? new Set(config.allowedOrigins) : undefined;

  const json = (res: HttpResponse, status: string, body: unknown) => {
    res.cork(() =>
      res.writeStatus(status).writeHeader('content-type', 'application/json').end(JSON.stringify(body)),
    );
  };
  const readiness = () => {
    const source = registry.readiness();
    return {
      kafka: source.ready,
      store: storeHealthy,
      stopping: stopped,
      reasons: [
        ...source.reasons,
        ...(storeHealthy ? [] : ['session store unreachable']),
        ...(stopped ? ['shutting down'] : []),
      ],
      unhealthy_partitions: source.unhealthyPartitions,
    };
  };
  const isReady = () => !stopped && storeHealthy && registry.readiness().ready;

  app.get('/healthz', (res) => json(res, '200 OK', { ok: true }));
  app.get('/readyz', (res) => json(res, isReady() ? '200 OK' : '503 Service Unavailable', readiness()));

  const countSubscriptions = () => {
    const n = { topic: 0, key: 0 };
    for (const conn of conns)
      for (const sub of conn.subs.values()) n[sub.channel.key === null ? 'topic' : 'key']++;
    return n;
  };
  metrics.bind({
    connections: () => conns.size,
    subscriptions: countSubscriptions,
    *partitions() {
      for (const t of topics.values()) yield* t.partitions.values();
    },
    *scans() {
      for (const t of topics.values()) yield { topic: t.name, ...t.scans.stats };
    },
    topicSubscribers: (topic) => app.numSubscribers(topic),
    acksPending: () => acks.pending,
    ready: isReady,
  });
  const status = new StatusSampler(metrics, {
    nodeId: config.nodeId,
    startedAtMs: startedAt,
    now: () => Date.now(),
    connections: () => conns.size,
    subscriptions: countSubscriptions,
    ready: isReady,
  });
  status.sample();
  if (config.metricsEnabled) {
    app.get('/metrics', (res) => {
      let aborted = false;
      res.onAborted(() => {
        aborted = true;
      });
      metrics.exposition().then(
        ({ contentType, body }) => {
          if (!aborted)
            res.cork(() => res.writeStatus('200 OK').writeHeader('content-type', contentType).end(body));
        },
        (err: unknown) => {
          logger.error({ err }, 'metrics exposition failed');
          if (!aborted) res.cork(() => res.writeStatus('500 Internal Server Error').end());
        },
      );
    });
    app.get('/status', (res) => {
      res.cork(() => {
        res
          .writeStatus('200 OK')
          .writeHeader('content-type', 'text/html; charset=utf-8')
          .writeHeader('cache-control', 'no-store')
          .end(STATUS_PAGE_HTML);
      });
    });
    app.get('/status.json', (res) => json(res, '200 OK', status.snapshot()));
  }

  app.ws<SocketData>('/*', {
    // The transport buffers a message (fragments included) up to this before
    // the edge sees it, on any connection, authenticated or not: it bounds
    // the memory a half-sent message holds. Between MAX_FRAME_BYTES and it,
    // the edge answers FRAME_TOO_LARGE; beyond, uWS drops the connection.
    maxPayloadLength: config.limits.maxFrameBytes * 2,
    maxBackpressure: config.slowClient.hardBytes,
    closeOnBackpressureLimit: 0,
    idleTimeout: 0,
    sendPingsAutomatically: false,
    compression: config.compression ? uws.SHARED_COMPRESSOR | uws.SHARED_DECOMPRESSOR : uws.DISABLED,
    upgrade: (res, req, context) => {
      const origin = req.getHeader('origin');
      const key = req.getHeader('sec-websocket-key');
      const protocol = req.getHeader('sec-websocket-protocol');
      const extensions = req.getHeader('sec-websocket-extensions');
      const remote = Buffer.from(res.getRemoteAddressAsText()).toString();
      if (stopped) {
        res.cork(() => res.writeStatus('503 Service Unavailable').end('shutting down'));
        return;
      }
      if (conns.size >= config.maxConnections) {
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
      const id = `${config.nodeId}-${++connectionCounter}`;
      const conn = new Connection(ws, id, logger, Date.now(), connObserver, config.compression);
      data.conn = conn;
      conns.add(conn);
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
      if (conn) onDrained(ctx, conn, limits);
    },
    close: (ws, code) => {
      const conn = ws.getUserData().conn;
      if (!conn) return;
      conn.closed = true;
      for (const sub of conn.subs.values()) sub.cancelled = true;
      conn.onDrain();
      conns.delete(conn);
      liveConns.delete(conn);
      sessionOwners.closed(conn);
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
  });

  const port = await app.listen(config.host, config.port);

  // --- timers ---
  // Replay reads from Kafka, logged when they changed (at most once a second):
  // operators and the benchmark's read amplification read them here.
  let scansLoggedAt = 0;
  const scansLogged = new Map<string, string>();
  const logScanStats = () => {
    for (const topic of topics.values()) {
      const st = topic.scans.stats;
      const sig = `${st.scansStarted}/${st.recordsRead}/${st.recordsDelivered}`;
      if (st.scansStarted === 0 || scansLogged.get(topic.name) === sig) continue;
      scansLogged.set(topic.name, sig);
      logger.info(
        {
          topic: topic.name,
          scans_started: st.scansStarted,
          records_read: st.recordsRead,
          records_delivered: st.recordsDelivered,
        },
        'replay scans',
      );
    }
  };
  const heartbeat = setInterval(() => {
    const now = Date.now();
    const deadline = config.heartbeat.intervalMs + config.heartbeat.timeoutMs;
    for (const conn of conns) {
      if (now - conn.lastSeenAt > deadline) {
        conn.close(CloseCode.HEARTBEAT_TIMEOUT, 'heartbeat timeout');
        continue;
      }
      conn.sendBytes(PING_FRAME);
    }
  }, config.heartbeat.intervalMs);
  const maintenance = setInterval(() => {
    const now = Date.now();
    sweep();
    closeStuck(conns, limits, now, onSlow);
    for (const conn of conns) {
      if (conn.lagging) onDrained(ctx, conn, limits);
      if (conn.helloState === 'none' && now - conn.openedAt > config.helloTimeoutMs) {
        conn.error(ErrorCode.HELLO_REQUIRED, 'no Hello in time');
        conn.close(CloseCode.PROTOCOL_ERROR, 'hello timeout');
      } else if (conn.expiresAtMs !== undefined && now >= conn.expiresAtMs) {
        conn.error(ErrorCode.TOKEN_EXPIRED, 'token expired');
        conn.close(CloseCode.TOKEN_EXPIRED, 'token expired');
      }
    }
    for (const topic of topics.values()) for (const ps of topic.partitions.values()) ps.window.evictExpired();
    if (now - scansLoggedAt >= 1000) {
      scansLoggedAt = now;
      logScanStats();
    }
  }, 250);
  const storeProbe = setInterval(() => {
    store.heartbeat(config.nodeId).then(
      () => {
        storeHealthy = true;
      },
      () => {
        storeHealthy = false;
      },
    );
  }, 1000);
  // Connected sessions stay alive: one batched TTL refresh per third of the TTL (at most every 60 s).
  const ttlRefresh = setInterval(
    () => {
      sessionOwners.refreshTtl().catch((err: unknown) => logger.warn({ err }, 'session TTL refresh failed'));
    },
    Math.min((config.sessionTtlSeconds * 1000) / 3, 60_000),
  );
  // Marked alive before it serves: a resume elsewhere of a session held here
  // waits for this edge to let go only if it is marked alive. The store's
  // client may still be connecting (its commands fail until then): a few tries.
  for (let attempt = 0; attempt < 30; attempt++) {
    try {
      await store.heartbeat(config.nodeId);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  let lastTick = Date.now();
  const statusSampler = setInterval(() => {
    const now = Date.now();
    metrics.eventLoopLag(now - lastTick - 1000);
    lastTick = now;
    status.sample();
  }, 1000);
  registry.start();
  // Kafka and the topics usually answer within a moment: serve them before
  // resolving. If not, the edge stays up, not ready, and serves once they do.
  await registry.firstRefresh(config.startupWaitMs);
  const source = registry.readiness();
  if (!source.ready)
    logger.warn({ reasons: source.reasons }, 'edge not ready yet; retrying in the background');

  logger.info(
    {
      port,
      host: config.host,
      node_id: config.nodeId,
      topics: [...topics.keys()],
      tls: app.tls,
      compression: config.compression,
    },
    'edge listening',
  );

  let stopping: Promise<void> | undefined;
  return {
    port,
    metrics,
    tls: app.tls,
    reloadTls: (reason) => app.reload(reason),
    get ready() {
      return isReady();
    },
    stop(reason = 'shutdown') {
      stopping ??= (async () => {
        stopped = true;
        logger.info({ reason, connections: conns.size }, 'edge stopping');
        clearInterval(heartbeat);
        clearInterval(maintenance);
        clearInterval(storeProbe);
        clearInterval(ttlRefresh);
        clearInterval(statusSampler);
        const goAway = encodeServerFrame({
          kind: 'goAway',
          goAway: {
            reason: GoAwayReason.SHUTDOWN,
            reconnectAfterMs: config.goAwayReconnectMs,
            message: reason,
          },
        });
        for (const conn of [...conns]) {
          conn.sendBytes(goAway);
          conn.close(CloseCode.SHUTDOWN, 'edge shutting down');
        }
        app.closeListen();
        try {
          await acks.flush(Math.max(1000, config.shutdownTimeoutMs - 1000));
          logger.info('pending acks flushed');
        } catch (err) {
          logger.error({ err, pending: acks.pending }, 'could not flush every pending ack');
        }
        acks.close();
        await store.leave(config.nodeId).catch(() => undefined);
        registry.stop();
        await Promise.allSettled([log.close(), store.close()]);
        logger.info('edge stopped');
      })();
      return stopping;
    },
  };
}
