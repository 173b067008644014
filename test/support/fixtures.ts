import { waitFor } from '@fanout/testing';
import { Redis } from 'ioredis';
import { inject, onTestFinished } from 'vitest';
import { type EdgeProcess, startEdgeProcess } from './edge-process.js';
import { RawClient, type RawClientOptions } from './raw-client.js';

/** The environment of a test edge serving `topics` against the run's Kafka and Redis. */
export function edgeEnv(topics: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    KAFKA_BROKERS: inject('kafkaBrokers').join(','),
    REDIS_URL: inject('redisUrl'),
    EDGE_TOPICS: topics,
    AUTH_MODE: 'insecure',
    HEARTBEAT_INTERVAL_MS: '1000',
    HEARTBEAT_TIMEOUT_MS: '10000',
    ACK_FLUSH_INTERVAL_MS: '20',
    SHUTDOWN_TIMEOUT_MS: '5000',
    ...extra,
  };
}

/** Starts `n` edges with the same environment, in parallel. */
export function startEdges(n: number, env: Record<string, string>): Promise<EdgeProcess[]> {
  return Promise.all(Array.from({ length: n }, () => startEdgeProcess(env)));
}

/** Connects a raw client, closed (terminated) when the test finishes. */
export async function connect(url: string, opts: RawClientOptions = {}): Promise<RawClient> {
  const client = await RawClient.connect(url, opts);
  onTestFinished(() => client.terminate());
  return client;
}

let redis: Redis | undefined;
function redisClient(): Redis {
  if (!redis) {
    redis = new Redis(inject('redisUrl'), { lazyConnect: false, maxRetriesPerRequest: 1 });
    process.once('beforeExit', () => redis?.disconnect());
  }
  return redis;
}

/**
 * The acks the session store holds for a session: channel → partition →
 * offset. Reads the Redis store's hash (`a:<partition>:<channel>` fields), so
 * a test can wait until write-behind acks are persisted before it resumes.
 */
export function storedAcks(sessionId: string): Promise<Map<string, Map<number, number>>> {
  return storedAcksAt(redisClient(), sessionId);
}

/** `storedAcks` against a given Redis client (fault tests run their own Redis). */
export async function storedAcksAt(
  redis: Redis,
  sessionId: string,
): Promise<Map<string, Map<number, number>>> {
  const hash = await redis.hgetall(`fanout:session:{${sessionId}}`);
  const out = new Map<string, Map<number, number>>();
  for (const [field, value] of Object.entries(hash)) {
    const m = /^a:(\d+):(.*)$/s.exec(field);
    if (!m) continue;
    const channel = m[2] as string;
    const positions = out.get(channel) ?? new Map<number, number>();
    positions.set(Number(m[1]), Number(value));
    out.set(channel, positions);
  }
  return out;
}

/** Waits until the store holds at least these acks for the session. */
export async function waitForStoredAcks(
  sessionId: string,
  acks: ReadonlyArray<{ channel: string; positions: ReadonlyArray<{ partition: number; offset: number }> }>,
  timeoutMs = 10_000,
): Promise<void> {
  await waitFor(
    async () => {
      const stored = await storedAcks(sessionId);
      return acks.every((a) =>
        a.positions.every((p) => (stored.get(a.channel)?.get(p.partition) ?? -2) >= p.offset),
      );
    },
    { timeoutMs, intervalMs: 20, description: `acks of session ${sessionId} persisted` },
  );
}

/** Closes the shared Redis client (call from afterAll). */
export async function closeRedis(): Promise<void> {
  const r = redis;
  redis = undefined;
  await r?.quit().catch(() => undefined);
}
