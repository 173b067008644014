import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources (the `fanout-source`
// export condition), never to a build that may be stale or missing; the rest
// are Vite's default conditions.
const conditions = ['fanout-source', 'module', 'development|production'];

const resolveSources = {
  resolve: { conditions: [...conditions, 'browser'] },
  ssr: { resolve: { conditions: [...conditions, 'node'] } },
};

// Two projects: `unit` runs pure, fast tests with no external process;
// `integration` gets one real Kafka broker and one real Redis per run from
// test/global-setup.ts (or KAFKA_BROKERS / REDIS_URL when set).
export default defineConfig({
  test: {
    projects: [
      {
        ...resolveSources,
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', 'services/*/test/**/*.test.ts'],
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      {
        ...resolveSources,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Integration files spawn brokers' clients and edge processes; on a
          // 2-core machine running them one at a time is faster and steadier.
          fileParallelism: false,
        },
      },
    ],
  },
});
