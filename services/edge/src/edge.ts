import type { Logger } from 'pino';
import type { Authenticator } from './auth.js';
import type { EdgeConfig } from './config.js';
import { ConnectionRegistry } from './connection-registry.js';
import { COMPRESS_MIN_BYTES, type Connection } from './connection.js';
import { HttpRoutes } from './http-routes.js';
import type { KafkaLog } from './kafka/kafka-log.js';
import { LiveDelivery } from './live-delivery.js';
import type { EdgeMetrics } from './metrics.js';
import { Readiness, type ReadinessReport } from './readiness.js';
import { openResources } from './resources.js';
import { type EdgeApp, createEdgeApp } from './server-app.js';
import { Sessions } from './sessions.js';
import type { SessionStore } from './store/session-store.js';
import { TopicRegistry } from './topic-registry.js';
import { TopicUpkeep } from './topic-upkeep.js';
import { onLiveGap, onPartitionsAdded, onTopicRecreated } from './topology.js';
import type { LoadedUws } from './uws.js';
import { handlerContext, wsBehaviour } from './ws-behaviour.js';

export { PRE_HELLO_BUFFER_BYTES } from './ws-behaviour.js';

/** A running edge. */
export interface Edge {
  readonly port: number;
  readonly ready: boolean;
  /** What /readyz reports (the reasons when not ready). */
  readiness(): ReadinessReport;
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

/**
 * Starts an edge: the composition root. Each component owns its state (see
 * its module and the README's "Inside the edge"). Start: listen, the
 * connection and topic timers, sessions, readiness (marked alive in the
 * store), status, then Kafka. Stop: readiness off first (upgrades refused,
 * /readyz 503), timers, GoAway and close to every connection, the listen
 * socket, acks flushed (no connection adds any now), then Kafka and the store.
 */
export async function startEdge(config: EdgeConfig, deps: EdgeDeps): Promise<Edge> {
  const { logger } = deps;
  const startedAtMs = Date.now();
  const { log, store, auth, metrics } = await openResources(config, deps);
  const app = createEdgeApp({
    uws: deps.uws,
    ...(config.tls ? { tls: config.tls } : {}),
    logger: logger.child({ component: 'server' }),
  });
  const base = { config, logger, metrics };
  const sessions = new Sessions({ ...base, store });
  const conns = () => connections.conns;
  const topics = topicRegistry({ ...base, log, app, store, sessions, conns, live: () => live });
  const live = new LiveDelivery({
    topics: topics.topics,
    slowClient: config.slowClient,
    ingestWaitMs: config.ingestWaitMs,
    metrics,
  });
  const connections = new ConnectionRegistry({ ...base, live });
  const readiness = new Readiness({ nodeId: config.nodeId, store, source: () => topics.readiness() });
  const served = { topics: topics.topics, connections, acks: sessions.acks };
  const routes = new HttpRoutes({ ...base, ...served, app, readiness, startedAtMs });
  const upkeep = new TopicUpkeep(topics.topics, logger);
  const ws = { ...base, uws: deps.uws.uws, auth, store, topics, sessions, live, connections, readiness };
  app.ws('/*', wsBehaviour(ws, handlerContext(ws)));

  const port = await app.listen(config.host, config.port);
  connections.start();
  upkeep.start();
  sessions.start();
  await readiness.start();
  routes.start();
  topics.start();
  // Kafka and the topics usually answer within a moment: serve them before
  // resolving. If not, the edge stays up, not ready, and serves once they do.
  await topics.firstRefresh(config.startupWaitMs);
  const source = topics.readiness();
  if (!source.ready)
    logger.warn({ reasons: source.reasons }, 'edge not ready yet; retrying in the background');
  const listening = { port, host: config.host, node_id: config.nodeId, tls: app.tls };
  logger.info(
    { ...listening, topics: [...topics.topics.keys()], compression: config.compression },
    'edge listening',
  );

  let stopping: Promise<void> | undefined;
  const stop = async (reason: string) => {
    readiness.beginStop();
    logger.info({ reason, connections: connections.size }, 'edge stopping');
    routes.stop();
    upkeep.stop();
    connections.stop(reason);
    app.closeListen();
    await sessions.stop();
    topics.stop();
    await Promise.allSettled([log.close(), store.close()]);
    logger.info('edge stopped');
  };
  return {
    port,
    metrics,
    tls: app.tls,
    reloadTls: (reason) => app.reload(reason),
    readiness: () => readiness.report(),
    get ready() {
      return readiness.ready();
    },
    stop: (reason = 'shutdown') => (stopping ??= stop(reason)),
  };
}

/** The topic registry, its ingest publishing to uWS and its topology changes told to the connections. */
function topicRegistry(o: {
  config: EdgeConfig;
  log: KafkaLog;
  logger: Logger;
  metrics: EdgeMetrics;
  app: EdgeApp;
  store: SessionStore;
  sessions: Sessions;
  conns: () => Iterable<Connection>;
  live: () => LiveDelivery;
}): TopicRegistry {
  const { config, metrics, app, conns } = o;
  const recreatedCtx = { store: o.store, acks: o.sessions.acks, limits: config.limits };
  return new TopicRegistry({
    config,
    log: o.log,
    logger: o.logger,
    metrics,
    ingest: {
      publisher: {
        publish: (t, frame) =>
          app.publish(t, frame, true, config.compression && frame.length >= COMPRESS_MIN_BYTES),
        subscribers: (t) => app.numSubscribers(t),
      },
      onFetched: (report) => metrics.ingested(report),
      onBatch: (bytes) => o.live().published(bytes),
      onLiveGap: (ps, requested, available, reason) => onLiveGap(conns(), ps, requested, available, reason),
      onHealth: (ps) => {
        if (!ps.health.ok) metrics.partitionUnreadable(ps.topic, ps.health.reason);
      },
    },
    listener: {
      partitionsAdded: (topic, added) => onPartitionsAdded(conns(), topic, added),
      topicRecreated: (topic, previous) => onTopicRecreated(recreatedCtx, conns(), topic, previous),
    },
  });
}
