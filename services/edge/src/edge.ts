import { WriteBehind, ackBatchSize } from '@fanout/core';
import { CloseCode, ErrorCode, GoAwayReason, encodeServerFrame } from '@fanout/protocol';
import type { Logger } from 'pino';
import type { HttpResponse, TemplatedApp, us_listen_socket } from 'uWebSockets.js';
import { type Authenticator, createAuthenticator } from './auth.js';
import type { EdgeConfig } from './config.js';
import { Connection, type SocketData } from './connection.js';
import { type FlowLimits, closeStuck, onDrained, sweepSlowClients } from './flow-control.js';
import { runIngest } from './ingest.js';
import type { KafkaLog } from './kafka/kafka-log.js';
import { createKafkajsLog } from './kafka/kafkajs-log.js';
import { EdgeMetrics } from './metrics.js';
import { type HandlerContext, handleMessage, updateLiveTopics } from './session-handler.js';
import { SessionOwners } from './session-owners.js';
import { STATUS_PAGE_HTML } from './status-page.js';
import { StatusSampler } from './status.js';
import { createMemoryStore } from './store/memory-store.js';
import { createRedisStore } from './store/redis-store.js';
import type { SessionStore } from './store/session-store.js';
import { PartitionState, TopicState, toEdgeRecord } from './topic-state.js';
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

async function discoverTopics(config: EdgeConfig, log: KafkaLog): Promise<string[]> {
  if (config.topics.list) return config.topics.list;
  const pattern = config.topics.pattern as RegExp;
  return (await log.listTopics()).filter((t) => !t.startsWith('__') && pattern.test(t));
}

/**
 * Fills a partition's window with its last records before ingest starts (no
 * client can be subscribed yet, so nothing is published). Clients resuming on
 * a freshly started edge (after a deploy or a crash elsewhere) then replay
 * from memory instead of each needing a Kafka read.
 */
async function preloadWindow(
  log: KafkaLog,
  ps: PartitionState,
  logEnd: number,
  fetchBytes: number,
  logger: Logger,
) {
  let offset = ps.live + 1;
  try {
    while (offset < logEnd) {
      const result = await log.fetch(ps.topic, ps.partition, offset, { maxWaitMs: 0, maxBytes: fetchBytes });
      for (const rec of result.records) ps.window.append(toEdgeRecord(rec));
      if (result.nextOffset <= offset) break;
      offset = result.nextOffset;
    }
    ps.live = offset - 1;
  } catch (err) {
    // Retention raced us, or Kafka hiccupped: start empty at the log end.
    logger.warn({ err, topic: ps.topic, partition: ps.partition }, 'window preload failed; starting empty');
    ps.window.reset(logEnd - 1);
    ps.live = logEnd - 1;
  }
}

/** Starts an edge: Kafka ingest, the session store, the WebSocket and HTTP server. */
export async function startEdge(config: EdgeConfig, deps: EdgeDeps): Promise<Edge> {
  const logger = deps.logger;
  const uws = deps.uws.uws;
  const log =
    deps.log ??
    createKafkajsLog({
      brokers: config.kafka.brokers,
      clientId: config.kafka.clientId,
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
  const auth = deps.auth ?? (await createAuthenticator(config.auth));
  const metrics = deps.metrics ?? new EdgeMetrics();
  const startedAt = Date.now();
  if (auth.insecure)
    logger.warn(
      'AUTH_MODE=insecure: every client is accepted with access to every channel; never use this in production',
    );

  await log.connect();
  const topics = new Map<string, TopicState>();
  let stopped = false;
  let kafkaHealthy = true;
  let storeHealthy = true;
  let publishedSinceSweep = 0;
  const limits: FlowLimits = {
    softBytes: config.slowClient.bufferBytes,
    hardBytes: config.slowClient.hardBytes,
    stuckMs: config.slowClient.stuckMs,
  };
  const conns = new Set<Connection>();
  const liveConns = new Set<Connection>();
  const server: { app?: TemplatedApp } = {};

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

  const addTopic = async (name: string) => {
    const partitions = await log.partitions(name);
    const bounds = await log.bounds(name);
    const topic = new TopicState(name, log, config.fetchBytes);
    for (const p of partitions) {
      const b = bounds.find((x) => x.partition === p);
      const logEnd = b?.logEnd ?? 0;
      const start = Math.max(b?.logStart ?? 0, logEnd - config.window.preloadRecords);
      const ps = new PartitionState(name, p, start - 1, config.window, () => Date.now());
      await preloadWindow(log, ps, logEnd, config.fetchBytes, logger);
      topic.partitions.set(p, ps);
      metrics.addPartition(name, p, logEnd);
    }
    topics.set(name, topic);
    for (const ps of topic.partitions.values()) {
      void runIngest({
        log,
        partition: ps,
        publisher: { publish: (t, frame) => server.app?.publish(t, frame, true) },
        logger,
        fetchBytes: config.fetchBytes,
        isStopped: () => stopped,
        onHealth: (ok) => {
          kafkaHealthy = ok;
        },
        onFetched: (report) => metrics.ingested(report),
        onBatch: (bytes) => {
          publishedSinceSweep += bytes;
          if (publishedSinceSweep >= SWEEP_EVERY_BYTES) sweep();
        },
      });
    }
    logger.info({ topic: name, partitions: partitions.length }, 'serving topic');
  };

  const initialTopics = await discoverTopics(config, log);
  if (config.topics.list) {
    const existing = new Set(await log.listTopics());
    const missing = initialTopics.filter((t) => !existing.has(t));
    if (missing.length > 0) throw new Error(`served topics do not exist in Kafka: ${missing.join(', ')}`);
  }
  for (const t of initialTopics) await addTopic(t);

  // --- the server ---
  const app = uws.App();
  server.app = app;
  let listenSocket: us_listen_socket | false = false;
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
  const readiness = () => ({ kafka: kafkaHealthy, store: storeHealthy, stopping: stopped });
  const isReady = () => !stopped && kafkaHealthy && storeHealthy;

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
      const conn = new Connection(ws, id, logger, Date.now(), connObserver);
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

  const port = await new Promise<number>((resolve, reject) => {
    app.listen(config.host, config.port, (socket) => {
      if (!socket) return reject(new Error(`cannot listen on ${config.host}:${config.port}`));
      listenSocket = socket;
      resolve(uws.us_socket_local_port(socket));
    });
  });

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
  store.heartbeat(config.nodeId).catch(() => undefined);
  let lastTick = Date.now();
  const statusSampler = setInterval(() => {
    const now = Date.now();
    metrics.eventLoopLag(now - lastTick - 1000);
    lastTick = now;
    status.sample();
  }, 1000);
  const topicRefresh = config.topics.pattern
    ? setInterval(() => {
        discoverTopics(config, log)
          .then(async (names) => {
            for (const n of names) if (!topics.has(n)) await addTopic(n);
          })
          .catch((err: unknown) => logger.warn({ err }, 'topic discovery failed'));
      }, 30_000)
    : undefined;

  logger.info(
    { port, host: config.host, node_id: config.nodeId, topics: [...topics.keys()] },
    'edge listening',
  );

  let stopping: Promise<void> | undefined;
  return {
    port,
    metrics,
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
        if (topicRefresh) clearInterval(topicRefresh);
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
        if (listenSocket) uws.us_listen_socket_close(listenSocket);
        try {
          await acks.flush(Math.max(1000, config.shutdownTimeoutMs - 1000));
          logger.info('pending acks flushed');
        } catch (err) {
          logger.error({ err, pending: acks.pending }, 'could not flush every pending ack');
        }
        acks.close();
        await store.leave(config.nodeId).catch(() => undefined);
        for (const topic of topics.values()) topic.scans.close();
        await Promise.allSettled([log.close(), store.close()]);
        logger.info('edge stopped');
      })();
      return stopping;
    },
  };
}
