import { Redis } from 'ioredis';
import { waitFor } from './wait-for.js';

/** Resolves once the Redis at `url` answers PING; throws after the deadline. */
export async function waitForRedis(url: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  await waitFor(
    async () => {
      // No reconnects, no queue: one attempt per poll, errors surface at once.
      const client = new Redis(url, {
        lazyConnect: true,
        connectTimeout: 2_000,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
        retryStrategy: () => null,
      });
      client.on('error', () => {});
      try {
        await client.connect();
        return (await client.ping()) === 'PONG';
      } finally {
        client.disconnect();
      }
    },
    {
      timeoutMs,
      intervalMs: 100,
      description: `Redis at ${url} to answer PING`,
      ...(signal ? { signal } : {}),
    },
  );
}
