import type { Logger } from 'pino';
import { type Authenticator, createAuthenticator } from './auth.js';
import type { EdgeConfig } from './config.js';
import type { KafkaLog } from './kafka/kafka-log.js';
import { createKafkaReader } from './kafka/kafka-reader.js';
import { EdgeMetrics } from './metrics.js';
import { createMemoryStore } from './store/memory-store.js';
import { createRedisStore } from './store/redis-store.js';
import type { SessionStore } from './store/session-store.js';

/** The edge's outside resources: each injected, or made from the config. */
export interface EdgeResources {
  log: KafkaLog;
  store: SessionStore;
  auth: Authenticator;
  metrics: EdgeMetrics;
}

/**
 * The Kafka reader, the session store (Redis, or in memory), the
 * authenticator and the metrics registry, unless injected (tests). Closing
 * them is the edge's stop, last.
 */
export async function openResources(
  config: EdgeConfig,
  deps: Partial<EdgeResources> & { logger: Logger },
): Promise<EdgeResources> {
  const logger = deps.logger;
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
  if (auth.insecure)
    logger.warn(
      'AUTH_MODE=insecure: every client is accepted with access to every channel; never use this in production',
    );
  return { log, store, auth, metrics: deps.metrics ?? new EdgeMetrics() };
}
