import { request } from 'node:http';
import { Redis } from 'ioredis';
import { onTestFinished } from 'vitest';

/** The environment of an edge serving `topics` against the given Kafka and Redis (short heartbeats, fast ack writes). */
export function faultEdgeEnv(
  topics: string,
  infra: { brokers: readonly string[]; redisUrl: string },
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    KAFKA_BROKERS: infra.brokers.join(','),
    REDIS_URL: infra.redisUrl,
    EDGE_TOPICS: topics,
    AUTH_MODE: 'insecure',
    HEARTBEAT_INTERVAL_MS: '1000',
    HEARTBEAT_TIMEOUT_MS: '5000',
    ACK_FLUSH_INTERVAL_MS: '20',
    SHUTDOWN_TIMEOUT_MS: '5000',
    GOAWAY_RECONNECT_MS: '100',
    ...extra,
  };
}

/** One `/readyz` answer: the HTTP status and the body's flags, or the request's error code. */
export interface ReadyzSample {
  at: number;
  status: number | string;
  body?: { kafka?: boolean; store?: boolean; stopping?: boolean };
}

/** GET /readyz on an edge's port (fresh connection, 5 s timeout). */
export function readyz(port: number): Promise<ReadyzSample> {
  return new Promise((resolve) => {
    const at = Date.now();
    const req = request({ host: '127.0.0.1', port, path: '/readyz', timeout: 5000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => {
        let body: ReadyzSample['body'];
        try {
          body = JSON.parse(text) as ReadyzSample['body'];
        } catch {
          body = undefined;
        }
        resolve({ at, status: res.statusCode ?? 0, ...(body ? { body } : {}) });
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ at, status: err.code ?? err.message }));
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.end();
  });
}

/** Polls `/readyz` of an edge every `intervalMs` until `stop()`; stopped when the test finishes. */
export class ReadyzProbe {
  readonly samples: ReadyzSample[] = [];
  #running = true;
  readonly #loop: Promise<void>;

  constructor(
    readonly port: number,
    intervalMs = 100,
  ) {
    this.#loop = (async () => {
      while (this.#running) {
        this.samples.push(await readyz(port));
        if (this.#running) await new Promise((r) => setTimeout(r, intervalMs));
      }
    })();
    onTestFinished(() => this.stop());
  }

  /** The distinct statuses seen, in order of first appearance. */
  get statuses(): Array<number | string> {
    return [...new Set(this.samples.map((s) => s.status))];
  }

  /** The first sample at or after `from` with this status. */
  first(status: number | string, from = 0): ReadyzSample | undefined {
    return this.samples.find((s) => s.at >= from && s.status === status);
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
  }
}

export { storedAcksAt } from './fixtures.js';

/** An ioredis client for checks (fails fast while the server is away), quit when the test finishes. */
export function checkRedis(url: string): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => 100,
    lazyConnect: false,
  });
  redis.on('error', () => undefined);
  onTestFinished(() => {
    redis.disconnect();
  });
  return redis;
}

/** Waits until `pid` no longer exists (signal 0 fails). */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}
